//! One direction of a relayed connection: read from one leg, write to the
//! other, with that direction's faults in between (`shaping.rs`), and the
//! user's hold, forward, drop, edit and inject on the way.
//!
//! The byte path allocates nothing per chunk: reads land in one block that
//! is split into chunks and taken back once they are written and reported
//! (DESIGN.md: on loopback here large-buffer copies beat splice). Writes
//! are tried before waiting for readiness, so a socket with room costs one
//! system call a chunk.

use std::io;

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::net::driver::conn::Conn;
use crate::net::event::{Call, DataRecord, Dir, EventKind, Returned, SockId};
use crate::net::relay::RelayNote;
use crate::net::relay::fault::{Dice, Toxic, Way};
use crate::net::relay::hold::{Held, RelayOp};
pub(crate) use crate::net::relay::shaping::WayFaults;
use crate::net::session::ctx::Ctx;
use crate::net::sockaddr::Addr;
use crate::net::tls::TlsCall;

/// One leg of a pair: a connected socket and how the timeline names it.
#[derive(Debug)]
pub(crate) struct Leg {
    pub id: SockId,
    /// The Python variable: `sock` (the accepted client), `upstream`.
    pub var: &'static str,
    pub conn: Conn,
    pub peer: Addr,
    /// The leg speaks TLS (`--tls`, `--tls-upstream`): plaintext through it.
    pub tls: Option<super::secure::Secure>,
}

/// How a direction ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// The sender is done (EOF); `shutdown(SHUT_WR)` was passed on.
    Eof,
    /// A fault closes the pair: `limit_data` reached, `timeout` passed.
    Fault(&'static str),
    /// `reset_peer` set live: both legs are reset.
    Reset,
    /// A call failed on a leg: the socket id, its variable, the call.
    Failed(SockId, &'static str, Call, io::Error),
}

/// One direction at work.
pub(crate) struct Pump<'a> {
    pub ctx: &'a Ctx,
    /// The pair (its client leg's id) and the way bytes go here.
    pub pair: SockId,
    pub way: Way,
    pub from: &'a Leg,
    pub to: &'a Leg,
    pub faults: WayFaults,
    pub dice: Dice,
    /// Report every chunk (the TUI, `--dump`, `--events`, `--log`).
    pub chunk_events: bool,
    pub size: usize,
    /// Held bytes past which a held direction stops reading.
    pub hold_cap: usize,
    /// Bytes read and written so far (the data events' offsets).
    pub read: u64,
    pub written: u64,
    /// When the first byte went out under `bandwidth`, and `written` when
    /// the faults were set: `bandwidth` and `limit_data` count from there.
    pub paced_from: Option<Instant>,
    pub counted_from: u64,
    /// Told of every chunk while the legs are sampled, so that sampling
    /// backed off on an idle pair is at full rate again on the next byte.
    pub activity: Option<&'a tokio::sync::Notify>,
}

/// Chunks per block of the read buffer.
const CHUNKS_PER_BLOCK: usize = 4;

/// What woke the pump.
enum Wake {
    Readable,
    Op(Option<RelayOp>),
}

impl Pump<'_> {
    /// Runs until this direction is done, taking the user's `ops` for it.
    pub async fn run(mut self, mut ops: mpsc::Receiver<RelayOp>) -> Ended {
        let mut rbuf = BytesMut::new();
        let mut held = Held::default();
        let (mut eof, mut ops_open) = (false, true);
        let mut timeout = self.faults.timeout.map(|after| after.map(|t| Instant::now() + t));
        // A `reset_peer` set live (the pair times the one it started with).
        let mut reset = None;
        loop {
            if eof && !held.on && held.chunks.is_empty() {
                return self.eof().await;
            }
            let reading = !eof && !held.full(self.hold_cap);
            let wake = tokio::select! {
                biased;
                op = ops.recv(), if ops_open => Wake::Op(op),
                ready = self.from.readable(), if reading => match ready {
                    Ok(()) => Wake::Readable,
                    Err(err) => return self.failed_recv(err),
                },
                () = deadline(timeout) => return Ended::Fault("timeout"),
                () = deadline(reset.map(Some)) => return Ended::Reset,
            };
            let op = match wake {
                Wake::Op(None) => {
                    ops_open = false;
                    continue;
                }
                Wake::Op(Some(op)) => op,
                Wake::Readable => {
                    let chunk = match self.try_read_chunk(&mut rbuf) {
                        Ok(Some(chunk)) => chunk,
                        Ok(None) => continue,
                        Err(err) => return self.failed_recv(err),
                    };
                    if self.chunk_events {
                        self.report_read(&chunk).await;
                    }
                    if let Some(activity) = self.activity {
                        activity.notify_one();
                    }
                    self.read += chunk.len() as u64;
                    if chunk.is_empty() {
                        // The FIN waits behind any held chunk, like one.
                        eof = true;
                        continue;
                    }
                    if held.on {
                        held.push(chunk);
                        self.held_changed(&held).await;
                        continue;
                    }
                    if let Some(end) = self.pass(chunk).await {
                        return end;
                    }
                    continue;
                }
            };
            let refault = matches!(op, RelayOp::Faults(_));
            if let RelayOp::Faults(faults) = &op {
                let mut live = faults.iter().filter(|f| f.applies(self.way));
                reset = live.find_map(|f| match f.toxic {
                    Toxic::ResetPeer { after } => Some(Instant::now() + after),
                    _ => None,
                });
            }
            if let Some(end) = self.apply(op, &mut held).await {
                return end;
            }
            if refault {
                let now = Instant::now();
                timeout = self.faults.timeout.map(|after| after.map(|t| now + t));
            }
        }
    }

    /// Carries out one of the user's requests.
    async fn apply(&mut self, op: RelayOp, held: &mut Held) -> Option<Ended> {
        let mut release = 0;
        match op {
            RelayOp::Hold(on) => {
                held.on = on;
                if !on {
                    release = held.chunks.len();
                }
            }
            RelayOp::Forward { all } => release = if all { held.chunks.len() } else { 1 },
            RelayOp::Drop => {
                held.pop();
            }
            RelayOp::Edit(bytes) => {
                held.edit(bytes);
            }
            RelayOp::Inject(bytes) => {
                let len = bytes.len();
                if let Err(err) = self.send(bytes).await {
                    return Some(Ended::Failed(
                        self.to.id,
                        self.to.var,
                        Call::SendAll { len },
                        err,
                    ));
                }
                let note = RelayNote::Injected { client: self.pair, way: self.way, len };
                self.ctx.emit(EventKind::Relay(note)).await;
                return None;
            }
            RelayOp::Faults(faults) => {
                self.faults = WayFaults::default();
                (self.paced_from, self.counted_from) = (None, self.written);
                for fault in faults.iter().filter(|f| f.applies(self.way)) {
                    if self.dice.chance(fault.probability) {
                        self.faults.add(fault.toxic);
                    }
                }
                return None;
            }
        }
        for _ in 0..release {
            let Some(chunk) = held.pop() else { break };
            if let Some(end) = self.pass(chunk).await {
                return Some(end);
            }
        }
        self.held_changed(held).await;
        None
    }

    async fn held_changed(&self, held: &Held) {
        let view = held.view(self.pair, self.way);
        self.ctx.emit(EventKind::Relay(RelayNote::Held(view))).await;
    }

    /// One read of what is there: a chunk (empty: EOF), or `None` when
    /// the readiness was stale.
    fn try_read_chunk(&mut self, rbuf: &mut BytesMut) -> io::Result<Option<Bytes>> {
        if self.from.tls.is_some() {
            return self.from.read_plain(self.size);
        }
        if rbuf.capacity() < self.size {
            // Takes the block back when every chunk of it is gone.
            rbuf.reserve(self.size * CHUNKS_PER_BLOCK);
        }
        match self.from.conn.try_read_buf(&mut (&mut *rbuf).limit(self.size)) {
            Ok(_) => Ok(Some(rbuf.split().freeze())),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn report_read(&self, chunk: &Bytes) {
        let bufsize = self.size;
        let returned = Returned::Data { data: chunk.clone(), from: None, truncated: None };
        self.ctx.call(self.from.id, self.from.var, Call::Recv { bufsize }, Ok(returned)).await;
        if chunk.is_empty() {
            return;
        }
        let record = DataRecord {
            sock: self.from.id,
            dir: Dir::Received,
            peer: Some(self.from.peer.clone()),
            data: chunk.clone(),
            offset: self.read,
        };
        self.ctx.emit(EventKind::Data(record)).await;
    }

    /// `sendall(piece)` on the other leg, reported when asked.
    pub(super) async fn send(&mut self, piece: Bytes) -> io::Result<()> {
        self.to.write_all(&piece).await?;
        let offset = self.written;
        self.written += piece.len() as u64;
        if self.chunk_events {
            let call = Call::SendAll { len: piece.len() };
            self.ctx.call(self.to.id, self.to.var, call, Ok(Returned::Nothing)).await;
            let record = DataRecord {
                sock: self.to.id,
                dir: Dir::Sent,
                peer: Some(self.to.peer.clone()),
                data: piece,
                offset,
            };
            self.ctx.emit(EventKind::Data(record)).await;
        }
        Ok(())
    }

    /// The sender is done: pass its FIN on (after `slow_close`).
    async fn eof(&self) -> Ended {
        self.ctx.emit(EventKind::PeerEof { sock: self.from.id }).await;
        if let Some(delay) = self.faults.slow_close {
            tokio::time::sleep(delay).await;
        }
        let how = crate::net::Shut::Write;
        if let Err(err) = self.to.close_notify(self.ctx).await {
            // The FIN below is still passed on; the failure is the leg's.
            let failed = Err(crate::net::CallError::from_io(&err));
            self.ctx.call(self.to.id, self.to.var, Call::Tls(TlsCall::Unwrap), failed).await;
        }
        let shut = socket2::SockRef::from(&self.to.conn).shutdown(how.std());
        let result =
            shut.as_ref().map(|()| Returned::Nothing).map_err(crate::net::CallError::from_io);
        self.ctx.call(self.to.id, self.to.var, Call::Shutdown(how), result).await;
        match shut {
            // The other end may be gone already: its own direction says so.
            Ok(()) | Err(_) => Ended::Eof,
        }
    }

    fn failed_recv(&self, err: io::Error) -> Ended {
        Ended::Failed(self.from.id, self.from.var, Call::Recv { bufsize: self.size }, err)
    }
}

#[expect(clippy::option_option, reason = "as `Faults::timeout`")]
async fn deadline(at: Option<Option<Instant>>) {
    match at {
        Some(Some(at)) => tokio::time::sleep_until(at).await,
        _ => std::future::pending().await,
    }
}
