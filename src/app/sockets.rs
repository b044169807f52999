//! What the Socket panel shows, computed from the engine's events only: fd,
//! family and type, addresses, timeout, counters and a connection state
//! derived from the calls seen. Inspection adds the kernel's own
//! figures (queues, `TCP_INFO`) to [`SocketInfo`]; the panel reads only this.

use crate::net::Addr;
use std::collections::BTreeMap;

use crate::net::{
    Call, CallRecord, CloseReason, Dir, EventKind, Family, Kind, Returned, Shut, SockId,
};

/// Where a socket stands, as far as its calls tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// `socket()` made it; nothing else yet.
    Fresh,
    /// TCP `connect()` is on its way.
    Connecting,
    Listen,
    /// UDP: bound (server) or connected/sending (client).
    Bound,
    Established,
    /// We shut down writing; the peer may still send.
    FinWait,
    /// The peer sent EOF; we can still send (`CLOSE_WAIT`).
    CloseWait,
    /// Both directions are done but the fd is still open.
    Done,
    Closed,
    Failed,
}

impl State {
    /// The name shown, close to what `ss` prints.
    #[must_use]
    pub fn label(self, kind: Kind) -> &'static str {
        match (self, kind) {
            (Self::Fresh, _) => "NEW",
            (Self::Connecting, _) => "SYN_SENT",
            (Self::Listen, _) => "LISTEN",
            (Self::Bound, _) => "bound",
            (Self::Established, Kind::Dgram) => "connected",
            (Self::Established, Kind::Stream | Kind::SeqPacket) => "ESTABLISHED",
            (Self::FinWait, _) => "FIN_WAIT2",
            (Self::CloseWait, _) => "CLOSE_WAIT",
            (Self::Done, _) => "TIME_WAIT",
            (Self::Closed, _) => "CLOSED",
            (Self::Failed, _) => "FAILED",
        }
    }

    /// Whether the socket can still carry data.
    #[must_use]
    pub fn live(self) -> bool {
        matches!(self, Self::Established | Self::FinWait | Self::CloseWait | Self::Done)
            || self == Self::Bound
    }
}

/// One socket as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SocketInfo {
    pub id: SockId,
    pub fd: Option<i32>,
    pub family: Option<Family>,
    pub kind: Kind,
    pub local: Option<Addr>,
    pub peer: Option<Addr>,
    /// Python's `gettimeout()`: `None` blocks without a deadline, `0.0` is
    /// `setblocking(False)`. From the latest sample, else from the calls.
    pub timeout: Option<f64>,
    /// The `O_NONBLOCK` flag of the fd: tokio drives every socket
    /// non-blocking underneath, as Python does under any timeout.
    pub nonblock: bool,
    pub listener: bool,
    pub state: State,
    pub bytes_sent: u64,
    pub calls_sent: u64,
    pub bytes_received: u64,
    pub calls_received: u64,
}

impl SocketInfo {
    /// Python's `getblocking()`: true unless the timeout is 0 (whatever
    /// the `O_NONBLOCK` flag says).
    #[must_use]
    pub fn blocking(&self) -> bool {
        self.timeout != Some(0.0)
    }

    fn new(id: SockId, kind: Kind) -> Self {
        Self {
            id,
            fd: None,
            family: None,
            kind,
            local: None,
            peer: None,
            timeout: None,
            nonblock: true,
            listener: false,
            state: State::Fresh,
            bytes_sent: 0,
            calls_sent: 0,
            bytes_received: 0,
            calls_received: 0,
        }
    }
}

/// Every socket of one end, by id.
#[derive(Debug, Clone, Default)]
pub struct Sockets {
    pub all: BTreeMap<SockId, SocketInfo>,
    kind: Option<Kind>,
}

impl Sockets {
    #[must_use]
    pub fn new(kind: Kind) -> Self {
        Self { all: BTreeMap::new(), kind: Some(kind) }
    }

    fn entry(&mut self, id: SockId) -> &mut SocketInfo {
        let kind = self.kind.unwrap_or(Kind::Stream);
        self.all.entry(id).or_insert_with(|| SocketInfo::new(id, kind))
    }

    /// The socket sends go to: the newest live data socket (the engine's
    /// `To::Current`).
    #[must_use]
    pub fn current(&self) -> Option<&SocketInfo> {
        self.all.values().rev().find(|s| !s.listener && s.state.live())
    }

    /// The socket the panel shows: the current one, else the listener, else
    /// the newest of any.
    #[must_use]
    pub fn shown(&self) -> Option<&SocketInfo> {
        self.current()
            .or_else(|| self.all.values().rev().find(|s| s.listener && s.state == State::Listen))
            .or_else(|| self.all.values().next_back())
    }

    /// Live connections (not counting listeners).
    #[must_use]
    pub fn live_connections(&self) -> usize {
        self.all.values().filter(|s| !s.listener && s.state.live()).count()
    }

    /// Forgets every socket (a new session numbers its sockets from 1 again).
    pub fn clear(&mut self) {
        self.all.clear();
    }

    /// Updates the table from one event.
    pub fn update(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Call(rec) => self.call(rec),
            EventKind::Data(d) => {
                let s = self.entry(d.sock);
                match d.dir {
                    Dir::Sent => s.bytes_sent += d.data.len() as u64,
                    Dir::Received => {
                        s.bytes_received += d.data.len() as u64;
                        if s.kind == Kind::Dgram && s.state == State::Bound {
                            // An unconnected UDP socket answers whoever sent last.
                            s.peer.clone_from(&d.peer);
                        }
                    }
                }
            }
            EventKind::Connected { sock, fd, local, peer } => {
                let s = self.entry(*sock);
                s.fd = Some(*fd);
                s.family = Some(Family::of(local));
                (s.local, s.peer) = (Some(local.clone()), Some(peer.clone()));
                s.state = State::Established;
            }
            EventKind::Listening { sock, fd, local, kind } => {
                let s = self.entry(*sock);
                s.fd = Some(*fd);
                s.family = Some(Family::of(local));
                s.kind = *kind;
                s.local = Some(local.clone());
                s.listener = kind.is_connected();
                s.state = if s.listener { State::Listen } else { State::Bound };
            }
            // The kernel's word on what calls only imply: the real port
            // after `bind(('127.0.0.1', 0))`, `gettimeout()`, O_NONBLOCK.
            EventKind::Sample { sock, sample } => {
                let s = self.entry(*sock);
                s.fd = s.fd.or(Some(sample.fd));
                s.family = Some(sample.family);
                if let Some(local) = &sample.local {
                    s.local = Some(local.clone());
                }
                if let Some(peer) = &sample.peer {
                    s.peer = Some(peer.clone());
                }
                s.timeout = sample.timeout;
                s.nonblock = sample.nonblocking.unwrap_or(s.nonblock);
            }
            EventKind::PeerEof { sock } => {
                let s = self.entry(*sock);
                s.state = if s.state == State::FinWait { State::Done } else { State::CloseWait };
            }
            EventKind::Closed { sock, reason } => {
                let s = self.entry(*sock);
                s.state = match reason {
                    CloseReason::Local => State::Closed,
                    CloseReason::Failed(_) => State::Failed,
                };
            }
            // Errors, drops and rejections change no socket here; kernel
            // samples are the inspection panel's.
            _ => {}
        }
    }

    fn call(&mut self, rec: &CallRecord) {
        let s = self.entry(rec.sock);
        let (call, result) = (&rec.call, &rec.result);
        let ok = result.is_ok();
        match call {
            Call::Socket { family, kind } => {
                s.family = Some(*family);
                s.kind = *kind;
                if let Ok(Returned::Socket { fd }) = result {
                    s.fd = Some(*fd);
                }
                // A TCP client's connect is reported when it completes: until
                // then it is on its way. An unconnected UDP socket can send
                // at once.
                s.state = match kind {
                    Kind::Dgram => State::Bound,
                    _ if rec.var == "client" => State::Connecting,
                    _ => State::Fresh,
                };
            }
            Call::Bind(addr) if ok => s.local = Some(addr.clone()),
            Call::SetTimeout(t) if ok => s.timeout = *t,
            Call::SetBlocking(on) if ok => s.timeout = if *on { None } else { Some(0.0) },
            // A failed connect leaves the socket open and unconnected (a
            // session that gives up closes it after: `Closed` says so).
            Call::Connect(addr) => {
                s.peer = ok.then(|| addr.clone());
                s.state = match (ok, s.kind) {
                    (true, Kind::Dgram) => State::Established,
                    (true, _) => s.state,
                    (false, _) => State::Fresh,
                };
            }
            Call::Send { .. } | Call::SendAll { .. } | Call::SendTo { .. } if ok => {
                s.calls_sent += 1;
                if let Call::SendTo { to, .. } = call {
                    s.peer = Some(to.clone());
                }
            }
            Call::Recv { .. } | Call::RecvFrom { .. } if ok => s.calls_received += 1,
            Call::Shutdown(Shut::Write | Shut::Both) if ok => {
                s.state = if s.state == State::CloseWait { State::Done } else { State::FinWait };
            }
            Call::Close => s.state = State::Closed,
            _ => {}
        }
    }
}
