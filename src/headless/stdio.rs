//! stdin and stdout moved on threads of their own with 64 KiB buffers:
//! `tokio::io::stdin()/stdout()` go through the blocking pool and cap near
//! 1 GB/s where the socket alone does 4 GB/s.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::thread::{self, JoinHandle};

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;

use crate::net::{CHANNEL_DEPTH, Command, Shut, To, read_waiting};

/// Bytes read from stdin at a time.
const CHUNK: usize = 64 * 1024;

/// Largest send made of stdin's bytes, when more than one read's worth is
/// already waiting.
const MAX_SEND: usize = 256 * 1024;

/// Chunks per block of memory stdin is read into: each chunk is sent as a
/// slice of the block, which is reused once all of them are written.
const CHUNKS_PER_BLOCK: usize = 4;

/// Most bytes of stdin read but not yet written to the socket. Without a
/// bound, the session's two queues (64 sends each) held up to 32 MiB of
/// stdin: a client's max RSS was 8× socat's. Four full sends keep the
/// socket's buffer fed at the copy limit.
const IN_FLIGHT: usize = 2 * MAX_SEND;

/// Largest UDP payload (IPv4); a longer line is sent anyway so the kernel's
/// EMSGSIZE is what the user sees.
const MAX_DATAGRAM: usize = 65_507;

/// How stdin's bytes become sends.
#[derive(Debug, Clone)]
pub struct Framing {
    /// One datagram per line (UDP) instead of a byte stream (TCP).
    pub lines: bool,
    /// LF becomes CRLF (`--eol crlf`, like `ncat --crlf`).
    pub crlf: bool,
    /// Stream: `shutdown(SHUT_WR)` at EOF.
    pub shutdown_at_eof: bool,
    /// Which connections get the bytes (every one with `--keep-open`).
    pub to: To,
}

/// The bytes of stdin in flight, shared by the reading thread (which waits
/// while they are at [`IN_FLIGHT`]) and the sends (which give theirs back
/// when the session drops them, written).
#[derive(Default)]
struct Budget {
    used: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
}

impl Budget {
    /// Waits until `len` more bytes fit, and takes them.
    fn take(&self, len: usize) {
        let Ok(mut used) = self.used.lock() else { return };
        while *used > 0 && *used + len > IN_FLIGHT {
            match self.freed.wait(used) {
                Ok(guard) => used = guard,
                Err(_) => return,
            }
        }
        *used += len;
    }

    fn give(&self, len: usize) {
        if let Ok(mut used) = self.used.lock() {
            *used = used.saturating_sub(len);
            self.freed.notify_one();
        }
    }
}

/// A send's bytes, counted against the budget until dropped.
struct Leased {
    data: Bytes,
    charge: usize,
    budget: std::sync::Arc<Budget>,
}

impl AsRef<[u8]> for Leased {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Leased {
    fn drop(&mut self) {
        self.budget.give(self.charge);
    }
}

/// Reads stdin until EOF on its own thread, sending each chunk (or line) to
/// the session; reports how many sends it made when stdin ends.
pub fn spawn_stdin(
    framing: Framing,
    input: File,
    commands: mpsc::Sender<Command>,
    eof: mpsc::Sender<u64>,
) {
    let _detached = thread::Builder::new().name("stdin".into()).spawn(move || {
        let sends = match pump(&framing, &input, &commands) {
            Ok(sends) => sends,
            Err((sends, err)) => {
                // Said, then treated as the end of input: nothing more comes.
                eprintln!("sockpit: read stdin failed: {err}; treating it as the end of input");
                sends
            }
        };
        if framing.shutdown_at_eof {
            let _ = commands.blocking_send(Command::Shutdown { to: framing.to, how: Shut::Write });
        }
        let _ = eof.blocking_send(sends);
    });
}

/// stdin as a file of its own. Taken at start-up, before any socket: a
/// server that later runs out of files (EMFILE) must not lose its stdin.
///
/// # Errors
/// When the descriptor cannot be duplicated.
pub fn open_stdin() -> io::Result<File> {
    Ok(File::from(io::stdin().as_fd().try_clone_to_owned()?))
}

/// Copies stdin into sends; returns the number of sends made (with the
/// read error that ended it early, if one did).
fn pump(
    framing: &Framing,
    input: &File,
    commands: &mpsc::Sender<Command>,
) -> Result<u64, (u64, io::Error)> {
    let mut buf = BytesMut::new();
    let mut line = BytesMut::new();
    let mut last_was_cr = false;
    let mut sends = 0u64;
    let budget = std::sync::Arc::new(Budget::default());
    // A stream send holds a whole block until written (the block's tail is
    // not reused while a slice of it lives): it counts as MAX_SEND. A line
    // is a copy of its own: it counts as its length.
    let send = |data: Bytes, sends: &mut u64| {
        *sends += 1;
        let charge = if framing.lines { data.len() } else { data.len().max(MAX_SEND) };
        budget.take(charge);
        let budget = std::sync::Arc::clone(&budget);
        let data = Bytes::from_owner(Leased { data, charge, budget });
        commands.blocking_send(Command::Send { to: framing.to.clone(), data }).is_ok()
    };
    loop {
        if buf.capacity() < MAX_SEND {
            // Takes the block back once every chunk sent from it is gone.
            buf.reserve(CHUNK * CHUNKS_PER_BLOCK);
        }
        // What is already waiting joins this send: fewer, larger sends when
        // stdin runs ahead, and never a wait for more when it does not.
        match read_waiting(input.as_fd(), &mut buf, CHUNK, MAX_SEND) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err((sends, e)),
        }
        let read = buf.split().freeze();
        let chunk = if framing.crlf { to_crlf(&read, &mut last_was_cr) } else { read };
        if !framing.lines {
            if !send(chunk, &mut sends) {
                return Ok(sends);
            }
            continue;
        }
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            line.extend_from_slice(piece);
            let full = piece.ends_with(b"\n") || line.len() > MAX_DATAGRAM;
            if full && !send(line.split().freeze(), &mut sends) {
                return Ok(sends);
            }
        }
    }
    if !line.is_empty() {
        send(line.split().freeze(), &mut sends);
    }
    Ok(sends)
}

/// LF → CRLF, leaving an existing CRLF alone (also across chunk borders).
fn to_crlf(data: &[u8], last_was_cr: &mut bool) -> Bytes {
    let mut out = Vec::with_capacity(data.len() + data.len() / 16);
    for &b in data {
        if b == b'\n' && !*last_was_cr {
            out.push(b'\r');
        }
        out.push(b);
        *last_was_cr = b == b'\r';
    }
    Bytes::from(out)
}

/// Where received bytes go: a thread writing to stdout unchanged — or, when
/// stdout is a terminal, made safe first so a peer cannot drive it. A file
/// or `/dev/null`, whose writes never wait for a reader, is written at once
/// instead: a thread to hand each burst to would only add a wake-up.
pub struct StdoutSink {
    how: Writer,
}

enum Writer {
    /// Chunks in order, a batch at a time (one wake of the thread each).
    Thread {
        tx: mpsc::Sender<Vec<Bytes>>,
        thread: JoinHandle<io::Result<()>>,
    },
    Inline {
        out: File,
        failed: Option<io::Error>,
    },
}

/// Whether writes to `out` never wait for anybody: a regular file, or
/// `/dev/null` (character device 1:3 on Linux).
fn never_blocks(out: &File) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    out.metadata().is_ok_and(|m| {
        m.file_type().is_file() || (m.file_type().is_char_device() && m.rdev() == 0x103)
    })
}

impl StdoutSink {
    /// Starts the writer thread (none for a file or `/dev/null`).
    ///
    /// # Errors
    /// When stdout cannot be duplicated.
    pub fn spawn(terminal: bool) -> io::Result<Self> {
        let mut out = File::from(io::stdout().as_fd().try_clone_to_owned()?);
        if !terminal && never_blocks(&out) {
            return Ok(Self { how: Writer::Inline { out, failed: None } });
        }
        let (tx, mut rx) = mpsc::channel::<Vec<Bytes>>(CHANNEL_DEPTH);
        let thread = thread::Builder::new().name("stdout".into()).spawn(move || {
            while let Some(batch) = rx.blocking_recv() {
                for data in batch {
                    if terminal {
                        out.write_all(crate::sanitize::visible_text(&data).as_bytes())?;
                    } else {
                        out.write_all(&data)?;
                    }
                }
            }
            out.flush()
        })?;
        Ok(Self { how: Writer::Thread { tx, thread } })
    }

    /// Writes a batch of chunks in order, or hands it to the thread; false
    /// once stdout has failed (see [`Self::finish`] for why).
    pub async fn send(&mut self, batch: Vec<Bytes>) -> bool {
        match &mut self.how {
            Writer::Thread { tx, .. } => tx.send(batch).await.is_ok(),
            Writer::Inline { out, failed } => {
                let written = batch.iter().try_for_each(|data| out.write_all(data));
                written.map_err(|err| *failed = Some(err)).is_ok()
            }
        }
    }

    /// Waits until everything sent so far is written.
    ///
    /// # Errors
    /// The write error that stopped the writing (a closed pipe among them).
    pub fn finish(self) -> io::Result<()> {
        match self.how {
            Writer::Thread { tx, thread } => {
                drop(tx);
                thread.join().unwrap_or_else(|_| Err(io::Error::other("stdout thread panicked")))
            }
            Writer::Inline { failed: Some(err), .. } => Err(err),
            Writer::Inline { failed: None, .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_conversion_keeps_existing_crlf() {
        let mut cr = false;
        assert_eq!(&to_crlf(b"a\nb\r\nc\r", &mut cr)[..], b"a\r\nb\r\nc\r");
        assert!(cr);
        assert_eq!(&to_crlf(b"\nd\n", &mut cr)[..], b"\nd\r\n");
    }
}
