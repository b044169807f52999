//! What the engine tells the world: every socket call with its result, the
//! exact bytes moved, and connection life. The TUI, the headless mode and the
//! JSON transcript all read the same [`Event`]s.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::net::errors::CallError;
use crate::net::kernel::sample::Sample;
use crate::net::kernel::{DiagSocket, Transition};
use crate::net::sockaddr::Addr;
use crate::net::tls::{TlsCall, TlsEvent, TlsReturned};

/// Engine-wide number of one socket (listener, connection or client), stable
/// for the whole session. A connection's id is also its "connection id".
pub type SockId = u32;

/// Microseconds since the Unix epoch; carried by every event so that views
/// never read the clock themselves (snapshots stay stable).
pub type Micros = u64;

/// Now, in microseconds since the epoch.
#[must_use]
pub fn now_micros() -> Micros {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

/// Address family of a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Inet,
    Inet6,
    Unix,
}

impl Family {
    /// The family an address belongs to.
    #[must_use]
    pub fn of(addr: &Addr) -> Self {
        match addr {
            Addr::Unix(_) => Self::Unix,
            Addr::Inet(inet) if inet.is_ipv6() => Self::Inet6,
            Addr::Inet(_) => Self::Inet,
        }
    }
}

/// Socket type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Stream,
    Dgram,
    /// `SOCK_SEQPACKET` (`AF_UNIX` here): connected like a stream, but
    /// every send arrives as one message.
    SeqPacket,
}

impl Kind {
    /// Whether sockets of this type connect, listen and accept (stream and
    /// seqpacket) rather than send datagrams to addresses.
    #[must_use]
    pub fn is_connected(self) -> bool {
        matches!(self, Self::Stream | Self::SeqPacket)
    }

    /// The protocol name users know: `TCP` or `UDP` over IP; over
    /// `AF_UNIX`, the type.
    #[must_use]
    pub fn protocol(self, family: Family) -> &'static str {
        match (family, self) {
            (Family::Unix, Self::Stream) => "UNIX-STREAM",
            (Family::Unix, Self::Dgram) => "UNIX-DGRAM",
            (_, Self::SeqPacket) => "UNIX-SEQPACKET",
            (_, Self::Stream) => "TCP",
            (_, Self::Dgram) => "UDP",
        }
    }
}

/// How a socket is shut down (`shutdown(2)`'s `how`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shut {
    Read,
    Write,
    Both,
}

impl Shut {
    pub(crate) fn std(self) -> std::net::Shutdown {
        match self {
            Self::Read => std::net::Shutdown::Read,
            Self::Write => std::net::Shutdown::Write,
            Self::Both => std::net::Shutdown::Both,
        }
    }
}

/// A socket option set through `setsockopt`, with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SockOpt {
    ReuseAddr(bool),
    NoDelay(bool),
    V6Only(bool),
    /// `SO_LINGER` with a zero timeout: `close()` then sends RST.
    LingerZero,
}

/// One Python-level socket call with its arguments. Never epoll or sampling
/// calls: only what a student would write.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Call {
    Socket {
        family: Family,
        kind: Kind,
    },
    SetSockOpt(SockOpt),
    Bind(Addr),
    Listen(u32),
    Accept,
    /// `settimeout`; `None` is Python's `None` (block forever).
    SetTimeout(Option<f64>),
    /// `setblocking(flag)`: `False` is `settimeout(0.0)`.
    SetBlocking(bool),
    Connect(Addr),
    /// `connect_ex`: the errno as a number instead of an exception.
    ConnectEx(Addr),
    GetSockName,
    GetPeerName,
    Fileno,
    Send {
        len: usize,
    },
    SendAll {
        len: usize,
    },
    SendTo {
        len: usize,
        to: Addr,
    },
    Recv {
        bufsize: usize,
    },
    RecvFrom {
        bufsize: usize,
    },
    Shutdown(Shut),
    Close,
    /// A call of Python's `ssl` module (`--tls`).
    Tls(TlsCall),
}

impl Call {
    /// Whether the call moves data (send/recv and their kin): routine
    /// traffic, as opposed to the lifecycle calls around it.
    #[must_use]
    pub fn moves_data(&self) -> bool {
        matches!(
            self,
            Self::Send { .. }
                | Self::SendAll { .. }
                | Self::SendTo { .. }
                | Self::Recv { .. }
                | Self::RecvFrom { .. }
        )
    }

    /// The C-level name used in error messages (`connect`, `bind`, ...).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Socket { .. } => "socket",
            Self::SetSockOpt(_) => "setsockopt",
            Self::Bind(_) => "bind",
            Self::Listen(_) => "listen",
            Self::Accept => "accept",
            Self::SetTimeout(_) => "settimeout",
            Self::SetBlocking(_) => "setblocking",
            Self::Connect(_) => "connect",
            Self::ConnectEx(_) => "connect_ex",
            Self::GetSockName => "getsockname",
            Self::GetPeerName => "getpeername",
            Self::Fileno => "fileno",
            Self::Send { .. } => "send",
            Self::SendAll { .. } => "sendall",
            Self::SendTo { .. } => "sendto",
            Self::Recv { .. } => "recv",
            Self::RecvFrom { .. } => "recvfrom",
            Self::Shutdown(_) => "shutdown",
            Self::Close => "close",
            Self::Tls(call) => call.name(),
        }
    }
}

/// What a successful call returned, as Python would show it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Returned {
    /// `None`: bind, listen, connect, sendall, shutdown, close, setsockopt.
    Nothing,
    /// A new socket object: `<socket fd=7>`.
    Socket { fd: i32 },
    /// `accept()`: the new connection's socket and the peer.
    Accepted { sock: SockId, fd: i32, peer: Addr },
    /// `send`/`sendto`: bytes written.
    Count(usize),
    /// `fileno()`, or `connect_ex()`'s errno (0 when connected).
    Int(i64),
    /// `getsockname()`/`getpeername()`.
    Addr(Addr),
    /// `recv`/`recvfrom`: the bytes (possibly empty: EOF); `from` for
    /// recvfrom; `truncated` holds a datagram's full length when it was longer
    /// than the buffer and the rest was dropped (`MSG_TRUNC`).
    Data { data: Bytes, from: Option<Addr>, truncated: Option<usize> },
    /// What an `ssl` call returned.
    Tls(TlsReturned),
}

/// One call and its outcome: the unit of the lifecycle timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// The socket the call was made on (for `socket()`, the new one).
    pub sock: SockId,
    /// The Python variable that holds the socket: `server`, `client`, `sock`.
    pub var: &'static str,
    pub call: Call,
    pub result: Result<Returned, CallError>,
}

/// Direction of a data event, seen from this end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Sent,
    Received,
}

/// Exact bytes that crossed the socket in one call.
#[derive(Debug, Clone, PartialEq)]
pub struct DataRecord {
    pub sock: SockId,
    pub dir: Dir,
    pub peer: Option<Addr>,
    pub data: Bytes,
    /// Offset of the first byte within this direction of the stream (TCP) or
    /// the datagram number (UDP).
    pub offset: u64,
}

/// Why a socket went away.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CloseReason {
    /// We called `close()` (by command, or the session ending).
    Local,
    /// The connection failed (reset, broken pipe, ...).
    Failed(CallError),
}

/// Everything the engine reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// A socket call and its result.
    Call(CallRecord),
    /// Bytes sent or received.
    Data(DataRecord),
    /// A connection is ready to carry data (accepted or connected).
    Connected { sock: SockId, fd: i32, local: Addr, peer: Addr },
    /// A listener or unconnected socket is ready (bound, listening).
    Listening { sock: SockId, fd: i32, local: Addr, kind: Kind },
    /// The peer will send no more (recv returned `b''`); we may still send.
    PeerEof { sock: SockId },
    /// The socket's figures now (on the sampling timer, and once more right
    /// before it closes).
    Sample { sock: SockId, sample: Box<Sample> },
    /// The session's sockets that have no fd, as the kernel lists them
    /// (sent when the list changes).
    Kernel { sockets: Vec<DiagSocket> },
    /// A TCP state change seen by sampling: the kernel's doing, not a call.
    Transition(Transition),
    /// The socket is gone.
    Closed { sock: SockId, reason: CloseReason },
    /// Data not sent, and why (a UDP server with no peer yet, a broker
    /// client that does not read, ...).
    Dropped { len: usize, why: &'static str },
    /// A connection past `--max-conns` was accepted and reset at once.
    Rejected { sock: SockId, peer: Addr, limit: usize },
    /// The session cannot go on (its own socket failed): the failed call,
    /// shown in the error grammar (docs/errors.md) by its `Display`.
    Fatal { error: crate::net::SetupError },
    /// What a `--sink` socket has taken so far (or a `--source` sent):
    /// counted, not reported call by call.
    Totals(Moved),
    /// What only a relay reports: its pairs of legs, and faults acting.
    Relay(crate::net::relay::RelayNote),
    /// TLS news: a finished handshake, wire counts, a generated certificate.
    Tls(TlsEvent),
}

/// Bytes and calls one socket moved in one direction, and over what time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    pub sock: SockId,
    pub dir: Dir,
    /// UDP: each call is one datagram.
    pub datagrams: bool,
    pub bytes: u64,
    pub calls: u64,
    /// When the first and the latest call moved data (0 before any did).
    pub first: Micros,
    pub last: Micros,
}

impl Moved {
    /// Nothing moved yet.
    #[must_use]
    pub fn new(sock: SockId, dir: Dir, datagrams: bool) -> Self {
        Self { sock, dir, datagrams, bytes: 0, calls: 0, first: 0, last: 0 }
    }

    /// Counts one call that moved `n` bytes at `at`.
    pub fn add(&mut self, n: usize, at: Micros) {
        if self.calls == 0 {
            self.first = at;
        }
        self.bytes += n as u64;
        self.calls += 1;
        self.last = at;
    }

    /// Seconds from the first call to the latest: the transfer itself,
    /// without the wait for a peer before it or the silence after it.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "a duration to show")]
    pub fn secs(&self) -> f64 {
        self.last.saturating_sub(self.first) as f64 / 1e6
    }

    /// `count` per second over [`Self::secs`] (0 when too little moved to
    /// time it).
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "a rate to show")]
    pub fn per_sec(&self, count: u64) -> f64 {
        let secs = self.secs();
        if secs > 0.0 { count as f64 / secs } else { 0.0 }
    }
}

/// One event with the time it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub at: Micros,
    pub kind: EventKind,
}

impl Event {
    /// Wraps `kind` with the current time.
    #[must_use]
    pub fn now(kind: EventKind) -> Self {
        Self { at: now_micros(), kind }
    }
}
