//! `--sink`: read and discard, counting (and the pattern `--source` sends). A sink exists to measure, so it
//! does only what a minimal read loop does — one reused buffer, no copy of
//! the bytes, no event per recv — and reports [`Moved`] totals instead.

use std::io;

use crate::net::driver::conn::Conn;
use crate::net::driver::dgram::Dgram;

use crate::net::event::{Dir, Moved, SockId, now_micros};

/// The pattern a source sends, `len` bytes long: byte k is `k mod 256`.
/// Slices of it that start at a multiple of 256 keep the pattern going, so
/// a receiver can check any offset of a stream.
pub fn pattern(len: usize) -> bytes::Bytes {
    #[expect(clippy::cast_possible_truncation, reason = "mod 256 is the point")]
    (0..len).map(|k| k as u8).collect::<Vec<u8>>().into()
}

/// Reads per wakeup before giving the other tasks a turn: a peer that sends
/// faster than we read never makes the socket would-block.
const READS_PER_TURN: usize = 64;

/// Longest a UDP sink that is never drained goes without reporting: its
/// totals are also what tells the headless mode data still flows.
const REPORT_EVERY_MICROS: u64 = 100_000;

/// What a sink has taken, and whether the latest of it was reported.
#[derive(Debug)]
pub(crate) struct Counter {
    pub moved: Moved,
    /// Counted since the last [`EventKind::Totals`](crate::net::EventKind::Totals).
    unreported: bool,
    reported_at: u64,
}

impl Counter {
    pub fn new(sock: SockId, datagrams: bool) -> Self {
        let moved = Moved::new(sock, Dir::Received, datagrams);
        Self { moved, unreported: false, reported_at: now_micros() }
    }

    /// Whether to report after a drain that ended so: when the socket is
    /// empty, or has not been for a while.
    pub fn due(&self, drained: &Drained) -> bool {
        self.unreported
            && (*drained != Drained::Turn
                || self.moved.last.saturating_sub(self.reported_at) >= REPORT_EVERY_MICROS)
    }

    pub(crate) fn add(&mut self, n: usize) {
        self.moved.add(n, now_micros());
        self.unreported = true;
    }

    /// The totals to report now; marks them reported.
    pub fn take(&mut self) -> Moved {
        self.unreported = false;
        self.reported_at = self.moved.last;
        self.moved
    }
}

/// How a drain ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Drained {
    /// The socket has nothing more for now.
    Empty,
    /// More may be waiting; we stopped to let other tasks run.
    Turn,
    /// The peer's EOF (TCP).
    Eof,
}

thread_local! {
    /// Where every stream sink on this thread reads what it throws away. A
    /// drain never waits in the middle, so the sinks can share one: a
    /// server with thousands of sink connections zeroes one buffer, not one
    /// each (that was most of the cost of accepting them).
    static DISCARD: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads the stream in recvs of `size` and discards what comes until it
/// would block, the peer's EOF, or the end of this turn.
pub(crate) fn drain_stream(
    stream: &Conn,
    size: usize,
    counter: &mut Counter,
) -> io::Result<Drained> {
    DISCARD.with_borrow_mut(|buf| {
        if buf.len() < size {
            buf.resize(size, 0);
        }
        drain_stream_into(stream, &mut buf[..size], counter)
    })
}

fn drain_stream_into(stream: &Conn, buf: &mut [u8], counter: &mut Counter) -> io::Result<Drained> {
    for _ in 0..READS_PER_TURN {
        match stream.try_read(buf) {
            Ok(0) => return Ok(Drained::Eof),
            Ok(n) => counter.add(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Drained::Empty),
            Err(e) => return Err(e),
        }
    }
    Ok(Drained::Turn)
}

/// Receives datagrams into `buf` and discards them until the socket would
/// block or the end of this turn.
pub(crate) fn drain_datagrams(
    socket: &Dgram,
    buf: &mut [u8],
    counter: &mut Counter,
) -> io::Result<Drained> {
    for _ in 0..READS_PER_TURN {
        match socket.try_recv_from(buf) {
            Ok((n, _)) => counter.add(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Drained::Empty),
            Err(e) => return Err(e),
        }
    }
    Ok(Drained::Turn)
}
