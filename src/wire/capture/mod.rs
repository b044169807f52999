//! A live capture of the session's own segments: an `AF_PACKET` socket
//! with the session's filter, read by a tokio task (on a runtime and thread
//! of its own) that decodes each frame and sends a [`Segment`] on a bounded
//! channel.
//!
//! The socket is opened with protocol 0 (it receives nothing), gets its
//! filter, and only then is bound to `ETH_P_ALL` on the interface: no frame
//! of anyone else is ever queued on it, not even in the moment before the
//! filter. Opening is synchronous and happens before the session starts,
//! so a client's SYN is already seen; ports learned later are added with
//! [`Watch::add_local`] before the event that announced them is shown, so a
//! peer that learns a port from sockpit's output is always captured.
//!
//! A slow reader never slows the session: when the channel is full the task
//! waits, the kernel's queue fills and the kernel drops frames (counted, and
//! reported in the [`Summary`]). A bulk transfer on `lo` (tens of thousands
//! of 64 KiB frames a second) can still lose a few dozen frames of a GiB
//! that way; an mmap ring (`PACKET_RX_RING`) would not queue whole frames.

use std::io;
use std::os::fd::AsFd;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::unix::AsyncFd;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::filter::{self, Ports, SNAP_HEADERS};
use super::segment::{self, Raw, Segment};
use super::sys;
use super::track::Tracker;
use crate::net::CallError;
use crate::net::event::now_micros;

/// Bytes the kernel may queue for us (it caps this at `rmem_max` without
/// `CAP_NET_ADMIN`): a burst of 64 KiB loopback frames fits.
const QUEUE_BYTES: i32 = 8 << 20;

/// How long a stopping capture may wait for the last segments of
/// connections still closing (the final ACK leaves after the peer's FIN
/// arrived, so it can reach us after the session saw that FIN).
pub const CLOSE_LINGER: Duration = Duration::from_millis(500);

/// Which interfaces to capture on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// `lo`: every session between local addresses.
    Loopback,
    /// Every interface (a session with another host, or on `0.0.0.0`).
    All,
}

impl Link {
    /// The interface's name as a pcapng file gives it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Loopback => "lo",
            Self::All => "any",
        }
    }

    /// The link that carries traffic to or from `ip`.
    #[must_use]
    pub fn for_ip(ip: Option<std::net::IpAddr>) -> Self {
        match ip {
            Some(ip) if ip.is_loopback() => Self::Loopback,
            _ => Self::All,
        }
    }
}

/// Why capturing is not possible, in the error grammar (docs/errors.md).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WireError(pub String);

impl WireError {
    fn os(call: &str, target: &str, err: &io::Error, sentence: &str, hint: &str) -> Self {
        let named = CallError::from_io(err);
        Self(format!("{call} {target} failed: {named}: {sentence}; try {hint}"))
    }
}

/// What a capture saw, once it has stopped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Segments sent on the channel.
    pub segments: u64,
    /// Frames the kernel dropped because our queue was full.
    pub dropped: u64,
    /// Why the capture ended early, if it did.
    pub error: Option<String>,
}

/// An open capture socket, not yet read.
#[derive(Debug)]
pub struct Capture {
    sock: Socket,
    ports: Ports,
    /// Bytes kept of each frame ([`filter::SNAP_HEADERS`] to decode only;
    /// more keeps each frame's bytes in [`Segment::raw`]).
    snap: u32,
}

impl Capture {
    /// Opens a capture of `ports` on `link`, keeping the first `snap`
    /// bytes of each frame.
    ///
    /// # Errors
    /// Without `CAP_NET_RAW` (EPERM), or when the kernel refuses a step; the
    /// message says what to do.
    pub fn open(link: Link, ports: Ports, snap: u32) -> Result<Self, WireError> {
        let sock = Socket::new(Domain::PACKET, Type::RAW, Some(Protocol::from(0)))
            .map_err(|e| socket_error(&e))?;
        let setup = |e: &io::Error, what: &str| {
            WireError::os("setsockopt", what, e, "the kernel refused a capture option", "sudo")
        };
        sock.set_nonblocking(true).map_err(|e| setup(&e, "O_NONBLOCK"))?;
        let fd = sock.as_fd();
        sys::set_int(fd, libc::SOL_SOCKET, libc::SO_TIMESTAMPNS, 1)
            .map_err(|e| setup(&e, "SO_TIMESTAMPNS"))?;
        // A bigger queue is a nicety: the forced size needs CAP_NET_ADMIN.
        if sys::set_int(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, QUEUE_BYTES).is_err() {
            let _ = sock.set_recv_buffer_size(QUEUE_BYTES.unsigned_abs() as usize);
        }
        attach(&sock, &ports, snap)?;
        let (index, name) = match link {
            Link::Loopback => {
                let index = sys::if_index("lo").map_err(|e| {
                    WireError::os("if_nametoindex", "lo", &e, "this namespace has no lo", "ip link")
                })?;
                (index, "lo")
            }
            Link::All => (0, "every interface"),
        };
        let eth_p_all = u16::try_from(libc::ETH_P_ALL).unwrap_or(3);
        sys::bind_packet(sock.as_fd(), eth_p_all, index).map_err(|e| {
            WireError::os("bind", name, &e, "the interface cannot be captured", "another address")
        })?;
        Ok(Self { sock, ports, snap })
    }

    /// Starts reading; segments go to `tx`. The task runs on a tokio
    /// runtime of its own, on its own thread: a busy session (a bulk
    /// transfer keeps its thread busy for long stretches) must not starve
    /// it, since the kernel queues only about a hundred 64 KiB frames.
    ///
    /// # Errors
    /// When the socket cannot be duplicated or the thread started.
    pub fn spawn(self, tx: mpsc::Sender<Segment>) -> Result<Watch, WireError> {
        let os =
            |e: &io::Error, call| WireError::os(call, "AF_PACKET", e, "out of resources", "again");
        let handle = self.sock.try_clone().map_err(|e| os(&e, "dup"))?;
        let (ports_tx, ports_rx) = watch::channel(self.ports.clone());
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        let (sock, snap) = (self.sock, self.snap);
        let run = move || {
            let summary = match runtime() {
                Ok(rt) => rt.block_on(async move {
                    match sys::register(sock) {
                        Ok(fd) => read(fd, snap, ports_rx, tx, stop_rx).await,
                        Err(e) => {
                            Summary { error: Some(os(&e, "epoll_ctl").0), ..Summary::default() }
                        }
                    }
                }),
                Err(e) => Summary { error: Some(os(&e, "runtime").0), ..Summary::default() },
            };
            let _ = done_tx.send(summary);
        };
        std::thread::Builder::new()
            .name("sockpit-wire".into())
            .spawn(run)
            .map_err(|e| os(&e, "thread"))?;
        let (ports, stop) = (self.ports, Some(stop_tx));
        Ok(Watch { sock: handle, ports, snap, shared: ports_tx, stop, done })
    }
}

fn runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_io().enable_time().build()
}

/// The running capture: ports are added here, and it is stopped here.
#[derive(Debug)]
pub struct Watch {
    /// The same socket as the task's (a dup): filters are replaced through
    /// it synchronously, so a port is watched before anyone learns of it.
    sock: Socket,
    ports: Ports,
    snap: u32,
    shared: watch::Sender<Ports>,
    stop: Option<oneshot::Sender<Duration>>,
    /// The task's summary, once it has ended.
    done: oneshot::Receiver<Summary>,
}

impl Watch {
    /// Watches one more of the session's own ports (a listener's, or a
    /// connection's local port), replacing the filter.
    ///
    /// # Errors
    /// When the new filter cannot be built or attached.
    pub fn add_local(&mut self, port: u16) -> Result<(), WireError> {
        let mut ports = self.ports.clone();
        if !ports.add_local(port) {
            return Ok(());
        }
        attach(&self.sock, &ports, self.snap)?;
        self.ports.clone_from(&ports);
        self.shared.send_replace(ports);
        Ok(())
    }

    /// Asks the task to stop once what is queued is read and every
    /// connection seen has finished, waiting at most `linger` for that
    /// (zero: only what is queued); the channel then closes.
    pub fn stop(&mut self, linger: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(linger);
        }
    }

    /// Waits for the task (call after [`Watch::stop`], reading the channel
    /// until it closes).
    pub async fn finish(mut self) -> Summary {
        self.stop(Duration::ZERO);
        self.done.await.unwrap_or_default()
    }
}

fn attach(sock: &Socket, ports: &Ports, snap: u32) -> Result<(), WireError> {
    let program = filter::program(ports, snap).map_err(|e| {
        WireError(format!("attach filter failed: {e}: too many ports for one capture; try fewer"))
    })?;
    sys::attach_filter(sock.as_fd(), &program).map_err(|e| {
        WireError::os("setsockopt", "SO_ATTACH_FILTER", &e, "the kernel refused the filter", "sudo")
    })
}

fn socket_error(err: &io::Error) -> WireError {
    let (sentence, hint) = match err.raw_os_error() {
        Some(libc::EPERM | libc::EACCES) => (
            "capturing needs CAP_NET_RAW",
            "running the demo (its own network namespace) or sudo setcap cap_net_raw+ep $(which sockpit)",
        ),
        Some(libc::EAFNOSUPPORT) => {
            ("this kernel has no packet sockets", "a kernel with CONFIG_PACKET")
        }
        _ => ("the kernel refused a packet socket", "again, or as root"),
    };
    WireError::os("socket", "AF_PACKET", err, sentence, hint)
}

/// The task: frames in, segments out, until stopped and drained.
async fn read(
    fd: AsyncFd<Socket>,
    snap: u32,
    ports: watch::Receiver<Ports>,
    tx: mpsc::Sender<Segment>,
    mut stop: oneshot::Receiver<Duration>,
) -> Summary {
    let mut buf = vec![0u8; snap as usize];
    let mut tracker = Tracker::new();
    let mut summary = Summary::default();
    let mut until: Option<Instant> = None;
    loop {
        let frame = match until {
            None => tokio::select! {
                frame = next_frame(&fd, &mut buf) => frame,
                linger = &mut stop => {
                    until = Some(Instant::now() + linger.unwrap_or_default());
                    continue;
                }
            },
            // Stopping: what is queued now, then only what unfinished
            // connections still owe, until the deadline.
            Some(deadline) => match sys::recv_frame(fd.get_ref().as_fd(), &mut buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if tracker.all_finished() {
                        break;
                    }
                    match tokio::time::timeout_at(deadline, next_frame(&fd, &mut buf)).await {
                        Ok(frame) => frame,
                        Err(_) => break,
                    }
                }
                other => other,
            },
        };
        let frame = match frame {
            Ok(frame) => frame,
            Err(e) => {
                summary.error = Some(format!("capture stopped: {}", CallError::from_io(&e)));
                break;
            }
        };
        let at_nanos = frame.stamp_ns.unwrap_or_else(|| now_micros().saturating_mul(1000));
        let Some(bytes) = buf.get(..frame.len) else { continue };
        let Some(mut seg) = segment::decode(bytes, at_nanos / 1000) else {
            continue;
        };
        if snap > SNAP_HEADERS {
            // Kept for the hex view and the pcapng: one copy per frame.
            let bytes = bytes::Bytes::copy_from_slice(bytes);
            seg.raw = Some(Raw { at_nanos, bytes, wire_len: frame.wire_len });
        }
        seg.dir = ports.borrow().dir(seg.src.port(), seg.dst.port());
        tracker.annotate(&mut seg);
        if tx.send(seg).await.is_err() {
            break;
        }
        summary.segments += 1;
    }
    if let Ok((_, dropped)) = sys::packet_stats(fd.get_ref().as_fd()) {
        summary.dropped = u64::from(dropped);
    }
    summary
}

/// The next frame, waiting for one.
async fn next_frame(fd: &AsyncFd<Socket>, buf: &mut [u8]) -> io::Result<sys::Received> {
    loop {
        let mut guard = fd.readable().await?;
        if let Ok(result) = guard.try_io(|inner| sys::recv_frame(inner.get_ref().as_fd(), buf)) {
            return result;
        }
    }
}

#[cfg(test)]
mod tests;
