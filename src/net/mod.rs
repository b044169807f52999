//! The session engine: owns every socket, knows nothing of terminals, and
//! speaks system calls (Python's names for them live in `crate::python`).
//!
//! - `socket/`: one socket as a program's calls see it, and the one
//!   executor every call goes through (step mode's and the auto driver's
//!   setup alike), with Python's blocking semantics emulated.
//! - `driver/`: the auto driver's tasks — accept, read and write loops —
//!   for normal use, fast on the data path.
//! - `session/`: the session task routing commands to sockets.
//! - `kernel/`: what the kernel says about our sockets: samples,
//!   `TCP_INFO`, `NETLINK_SOCK_DIAG`, the few `libc` calls.
//!
//! A session is started with a [`SessionConfig`] and talks over two bounded
//! channels: [`Command`]s in, [`Event`]s out. Each socket is a small state
//! machine advanced by one call at a time; an auto driver issues the next call
//! (accept, recv) for normal use and can be held back per socket, which is how
//! `--hold-accept`, `--hold-reads` and step mode work without another engine.

mod driver;
pub(crate) use driver::stream::READ_WAITING;
pub(crate) mod errors;
pub(crate) mod event;
mod kernel;
pub(crate) mod limits;
pub mod relay;
mod session;
pub(crate) mod sockaddr;
mod socket;
pub(crate) mod target;
pub mod tls;

pub(crate) use driver::bulk;
pub(crate) use kernel::read_waiting;
pub use kernel::sample;
pub(in crate::net) use kernel::sys;
pub(crate) use kernel::tcp_state;

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

pub use errors::{CallError, SetupError, errno_name, explain};
pub use event::{
    Call, CallRecord, CloseReason, DataRecord, Dir, Event, EventKind, Family, Kind, Micros, Moved,
    Returned, Shut, SockId, SockOpt, now_micros,
};
pub use kernel::{DiagSocket, Transition, Whose};
pub use limits::raise_open_files;
pub use sockaddr::{Addr, UnixName, UnixNameError};
pub use target::{AddrError, Target};
pub use tcp_state::TcpState;

/// Which end of which protocol this session plays, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    TcpServer(Target),
    TcpClient(Target),
    UdpServer(Target),
    UdpClient(Target),
    /// `AF_UNIX` server of the given type: listens (stream, seqpacket) or
    /// binds (datagrams) at the name.
    UnixServer(UnixName, Kind),
    /// `AF_UNIX` client of the given type, connecting to the name.
    UnixClient(UnixName, Kind),
}

impl Role {
    /// Whether this role listens or binds rather than connects.
    #[must_use]
    pub fn is_server(&self) -> bool {
        matches!(self, Self::TcpServer(_) | Self::UdpServer(_) | Self::UnixServer(..))
    }

    /// Whether this is a server of connections (TCP, Unix stream or
    /// seqpacket), which may have many clients at once.
    #[must_use]
    pub fn serves_connections(&self) -> bool {
        self.is_server() && self.kind().is_connected()
    }

    /// A server answering datagrams from whoever sends them.
    #[must_use]
    pub fn serves_datagrams(&self) -> bool {
        self.is_server() && self.kind() == Kind::Dgram
    }

    /// The socket type the role uses.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self {
            Self::TcpServer(_) | Self::TcpClient(_) => Kind::Stream,
            Self::UdpServer(_) | Self::UdpClient(_) => Kind::Dgram,
            Self::UnixServer(_, kind) | Self::UnixClient(_, kind) => *kind,
        }
    }

    /// The address the role binds or connects to.
    #[must_use]
    pub fn target(&self) -> Target {
        match self {
            Self::TcpServer(t) | Self::TcpClient(t) | Self::UdpServer(t) | Self::UdpClient(t) => {
                t.clone()
            }
            Self::UnixServer(name, _) | Self::UnixClient(name, _) => Target::Unix(name.clone()),
        }
    }

    /// Whether the role's sockets are `AF_UNIX` (a host name's IP family
    /// is only known once resolved).
    #[must_use]
    pub fn is_unix(&self) -> bool {
        matches!(self, Self::UnixServer(..) | Self::UnixClient(..))
    }
}

/// What the auto driver is told to hold back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds {
    /// Do not call `accept()`: connections wait in the kernel's accept queue.
    pub accept: bool,
    /// Do not call `recv()`: bytes wait in the kernel's receive queue.
    pub reads: bool,
}

/// Everything a session needs to know before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    pub role: Role,
    /// Bytes asked of each recv call.
    pub recv_size: usize,
    /// The auto driver's recv takes what is waiting, up to 64 KiB
    /// (`recv(65536)`), instead of `recv_size`: the TUI outside step mode,
    /// so a flood does not cost a recv and an event per KiB.
    pub read_waiting: bool,
    /// How often each socket is sampled (and the kernel's fd-less sockets
    /// listed); `None` turns sampling off.
    pub sample_every: Option<Duration>,
    /// `listen(backlog)`.
    pub backlog: u32,
    /// Connect deadline (`settimeout` around `connect`); `None` lets the kernel decide.
    pub timeout: Option<Duration>,
    /// Set `TCP_NODELAY` on connections.
    pub nodelay: bool,
    /// Servers send back whatever arrives.
    pub echo: bool,
    /// Servers read and discard what arrives, counting it: one
    /// [`EventKind::Totals`] when a connection's peer is done (UDP: each time
    /// the socket is drained) instead of events for every recv.
    pub sink: bool,
    /// Like `nc -l`: the listener closes after its first accept.
    pub single: bool,
    /// UDP client: use `sendto`/`recvfrom` instead of `connect` + `send`/`recv`.
    pub unconnected: bool,
    /// What the auto driver holds back from the start.
    pub holds: Holds,
    /// Step mode: nothing happens by itself; every call, from `socket()`
    /// on, is a [`Command::Call`].
    pub step: bool,
    /// Live connections a server keeps; one more is accepted and reset at
    /// once (the kernel completed its handshake before accept, so refusing
    /// means that).
    pub max_conns: usize,
    /// Relay every client's data to all other clients (like `ncat --broker`).
    pub broker: bool,
    /// IPv6 listeners: `Some(true)` sets `IPV6_V6ONLY`, `Some(false)` clears
    /// it (dual stack); `None` keeps the system default.
    pub v6_only: Option<bool>,
    /// A Unix server removes a stale socket file in its way (`--unlink`).
    pub unlink: bool,
    /// A server that relays each client to an upstream of its own.
    pub relay: Option<relay::RelayConfig>,
    /// `--tls`: every connection runs a TLS handshake before data.
    pub tls: Option<tls::Tls>,
}

impl SessionConfig {
    /// Every TLS configuration the session's connections use (a relay's
    /// two legs may each have one).
    pub fn tls_configs(&self) -> impl Iterator<Item = &tls::Tls> {
        let upstream = self.relay.as_ref().and_then(|r| r.upstream_tls.as_ref());
        self.tls.iter().chain(upstream)
    }

    /// A config with the tutorial's defaults for `role`.
    #[must_use]
    pub fn new(role: Role) -> Self {
        Self {
            role,
            recv_size: 1024,
            read_waiting: false,
            sample_every: Some(DEFAULT_SAMPLE_EVERY),
            backlog: 1024,
            timeout: None,
            nodelay: false,
            echo: false,
            sink: false,
            single: false,
            unconnected: false,
            holds: Holds::default(),
            step: false,
            max_conns: 64,
            broker: false,
            v6_only: None,
            unlink: false,
            relay: None,
            tls: None,
        }
    }
}

/// Sampling period by default: 4 Hz, live enough to watch queues fill.
pub const DEFAULT_SAMPLE_EVERY: Duration = Duration::from_millis(250);

/// Which socket(s) a command is for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum To {
    /// The newest live connection (or the client's socket).
    Current,
    /// One socket by id.
    Sock(SockId),
    /// Every live connection; for a UDP server, every peer heard from.
    All,
    /// The connection with this peer; for a UDP server, a datagram to it.
    Peer(Addr),
}

/// What the UI or headless mode asks of the engine.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Command {
    /// `sendall(data)` on TCP; `send`/`sendto` on UDP (one datagram).
    Send { to: To, data: Bytes },
    /// `shutdown(how)` once everything queued before it is written.
    Shutdown { to: To, how: Shut },
    /// `close()` once everything queued before it is written.
    Close { to: To },
    /// Hold or release the auto driver; `To::All` also applies to sockets
    /// that come later.
    Hold { to: To, holds: Holds },
    /// Make one call by hand (step mode): any [`Call`] on socket `sock`
    /// (0: the socket the call naturally goes to: the newest listener for
    /// `accept`, the newest connection for `recv`, else the newest socket).
    Call { sock: SockId, call: Call },
    /// A call by hand that carries bytes: `send`, `sendall` or `sendto`
    /// (`call`'s `len` is `data.len()`); `sock` as for [`Command::Call`].
    CallWith { sock: SockId, call: Call, data: Bytes },
    /// Client: open a new connection (the old one, if any, is closed).
    Reconnect,
    /// Ctrl-C: a blocking call in progress raises `KeyboardInterrupt`.
    Interrupt,
    /// UDP client (`--source`): `total` bytes of the pattern (byte k is
    /// `k mod 256`) as datagrams of `size` bytes, sent by the socket's task
    /// itself — no command and no event per datagram, one
    /// [`EventKind::Totals`] at the end. (A TCP source sends slices of one
    /// buffer with [`Command::Send`]: at 256 KiB a send, those cost nothing.)
    Source { to: To, total: u64, size: usize },
    /// A relay: hold, forward, drop, edit or inject on the pair(s) `to`
    /// names (by their client leg), one way or both (`None`).
    Relay { to: To, way: Option<relay::Way>, op: relay::RelayOp },
    /// Sample only these sockets on the shared tick (`None`: all of them):
    /// the TUI names the rows in view and the selected one, so a crowd that
    /// nobody looks at costs no system calls. A socket's closing sample is
    /// still sent.
    Watch { socks: Option<Vec<SockId>> },
}

/// Commands go in here; the session ends when this is dropped.
#[derive(Debug)]
pub struct SessionHandle {
    pub commands: mpsc::Sender<Command>,
    pub task: JoinHandle<()>,
    /// Dropping the handle cancels the session's shutdown token at once,
    /// whatever the session is waiting for: every call blocked in it ends
    /// (a step `accept()` gives its port back).
    _shutdown: tokio_util::sync::DropGuard,
}

/// Depth of the command and event channels: deep enough to keep a 64 KiB
/// pipeline busy, shallow enough that a slow reader slows the socket down.
pub const CHANNEL_DEPTH: usize = 64;

/// Starts a session on the current Tokio runtime. Events go to `events`;
/// when the receiver is slow the sockets wait (backpressure, not buffering).
#[must_use]
pub fn spawn(config: SessionConfig, events: mpsc::Sender<Event>) -> SessionHandle {
    let (commands, rx) = mpsc::channel(CHANNEL_DEPTH);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let task = tokio::spawn(session::run(config, rx, events, shutdown.clone()));
    SessionHandle { commands, task, _shutdown: shutdown.drop_guard() }
}
