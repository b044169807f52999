//! The session written back as a runnable Python 3 script in the tutorial's
//! style (F10 in the TUI, `--export-py FILE` headless). Run against the same
//! kind of peer, it reproduces the conversation: the same bytes sent in the
//! same order, and each recv waiting for as many bytes as arrived then.
//!
//! [`Exporter`] takes the engine's events one at a time, so a long session
//! keeps only what the script needs (its calls and the bytes that crossed),
//! not every sample; `script.rs` turns that into Python.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use std::net::SocketAddr;

use bytes::Bytes;

use super::Lang;
use crate::net::{
    Call, CallError, CallRecord, DataRecord, Dir, Event, EventKind, Kind, Returned, SockId,
};

/// One call of the session, as the script will replay (or comment) it.
#[derive(Debug, Clone)]
pub(super) struct Step {
    pub sock: SockId,
    pub call: Call,
    pub result: Result<Returned, CallError>,
    /// What a send call put on the wire (its data event's bytes).
    pub sent: Option<Bytes>,
}

/// What the script calls a socket, and what it is.
#[derive(Debug, Clone)]
pub(super) struct Sock {
    /// The Python variable: the engine's `server`, `client`, `sock`, made
    /// unique (`sock2`) when a session has several.
    pub var: String,
    /// The address variable `accept()` fills: `caddr`, `caddr2`.
    pub caddr: Option<String>,
    pub kind: Kind,
    pub closed: bool,
}

/// Collects a session's events for the export.
#[derive(Debug, Clone, Default)]
pub struct Exporter {
    lang: Lang,
    steps: Vec<Step>,
    socks: BTreeMap<SockId, Sock>,
    /// Send steps still waiting for their data event, per socket.
    unsent: HashMap<SockId, VecDeque<usize>>,
    /// Where the first listener or bound socket listens (the real port).
    listening: Option<SocketAddr>,
    /// Where each listener or bound socket listens, in order.
    listens: Vec<(SockId, SocketAddr)>,
    /// The peer of the first connection this end opened.
    connected: Option<SocketAddr>,
    /// Every variable in `socks`, and per base name the next number to
    /// try: naming the 10,000th `sock` is a look-up, not a walk of them.
    vars: HashSet<String>,
    next_number: HashMap<String, u32>,
    /// Sockets in `socks` with an address variable (accepted ones).
    accepted: usize,
}

impl Exporter {
    /// An empty export whose comments are in `lang`.
    #[must_use]
    pub fn new(lang: Lang) -> Self {
        Self { lang, ..Self::default() }
    }

    /// Takes one event of the session (in the order the engine sent them).
    pub fn push(&mut self, event: &Event) {
        self.push_kind(&event.kind);
    }

    /// [`Exporter::push`] without the timestamp.
    pub fn push_kind(&mut self, kind: &EventKind) {
        match kind {
            EventKind::Call(record) => self.call(record),
            EventKind::Data(data) if data.dir == Dir::Sent => self.sent(data),
            EventKind::Listening { sock, local, .. } => {
                if let Some(local) = local.inet() {
                    self.listening.get_or_insert(local);
                    self.listens.push((*sock, local));
                }
            }
            EventKind::Connected { sock, peer, .. } => {
                let accepted = self.socks.get(sock).is_some_and(|s| s.caddr.is_some());
                if let (false, Some(peer)) = (accepted, peer.inet()) {
                    self.connected.get_or_insert(peer);
                }
            }
            _ => {}
        }
    }

    /// Whether the session is `AF_UNIX` (its script takes no HOST PORT).
    #[must_use]
    pub fn unix(&self) -> bool {
        super::script_unix::is_unix(&self.steps)
    }

    /// The Python script for everything pushed so far.
    #[must_use]
    pub fn script(&self) -> String {
        let ports = super::script::Ports {
            bound: self.listens.iter().copied().collect(),
            extra: self.extra_ports(),
        };
        let server = self.server();
        super::script::render(self.lang, &self.steps, &self.socks, self.target(), server, &ports)
    }

    /// The addresses besides the target's that the session served on (a
    /// server's later listeners) or reached (a client's connections to
    /// them), in order: the script's PORT2, PORT3, ..., so that two scripts
    /// run as a pair agree on them through argv.
    fn extra_ports(&self) -> Vec<SocketAddr> {
        let target = self.target();
        let reached = self.steps.iter().filter_map(|s| match (&s.call, &s.result) {
            (Call::Connect(a), Ok(_)) | (Call::ConnectEx(a), Ok(Returned::Int(0))) => a.inet(),
            _ => None,
        });
        let found: Vec<SocketAddr> = if self.server() {
            self.listens.iter().map(|(_, a)| *a).collect()
        } else {
            reached.collect()
        };
        let mut extra = Vec::new();
        for a in found {
            let same_host = target.is_some_and(|t| t.ip() == a.ip());
            if same_host && Some(a) != target && !extra.contains(&a) {
                extra.push(a);
            }
        }
        extra
    }

    fn call(&mut self, record: &CallRecord) {
        if let (Call::Socket { kind, .. }, Ok(_)) = (&record.call, &record.result) {
            self.name(record.sock, record.var, *kind, None);
        }
        if let Ok(Returned::Accepted { sock, .. }) = &record.result {
            let n = self.accepted;
            let caddr = if n == 0 { "caddr".to_string() } else { format!("caddr{}", n + 1) };
            self.name(*sock, "sock", Kind::Stream, Some(caddr));
        }
        if !self.socks.contains_key(&record.sock) {
            // A socket made before this exporter saw it (or by the auto
            // driver without a socket() event): name it by its variable.
            self.name(record.sock, record.var, Kind::Stream, None);
        }
        let sends =
            matches!(record.call, Call::Send { .. } | Call::SendAll { .. } | Call::SendTo { .. });
        if sends && record.result.is_ok() {
            self.unsent.entry(record.sock).or_default().push_back(self.steps.len());
        }
        if record.call == Call::Close && record.result.is_ok() {
            if let Some(sock) = self.socks.get_mut(&record.sock) {
                sock.closed = true;
            }
        }
        self.steps.push(Step {
            sock: record.sock,
            call: record.call.clone(),
            result: record.result.clone(),
            sent: None,
        });
    }

    /// Gives a send step its bytes; bytes without a call (never expected)
    /// become a `sendall` of their own so that nothing sent is lost.
    fn sent(&mut self, data: &DataRecord) {
        match self.unsent.get_mut(&data.sock).and_then(VecDeque::pop_front) {
            Some(i) => self.steps[i].sent = Some(data.data.clone()),
            None => self.steps.push(Step {
                sock: data.sock,
                call: Call::SendAll { len: data.data.len() },
                result: Ok(Returned::Nothing),
                sent: Some(data.data.clone()),
            }),
        }
    }

    /// Names a new socket: its base variable, numbered when already taken.
    fn name(&mut self, sock: SockId, base: &str, kind: Kind, caddr: Option<String>) {
        // The accept record names the connection before its own socket()
        // would; a later socket() of the same id keeps that name.
        if !self.socks.contains_key(&sock) {
            let base = if base.is_empty() { "sock" } else { base };
            let mut var = base.to_string();
            let next = self.next_number.entry(base.to_string()).or_insert(2);
            while self.vars.contains(&var) {
                var = format!("{base}{next}");
                *next += 1;
            }
            self.vars.insert(var.clone());
            self.socks.insert(sock, Sock { var, caddr: None, kind, closed: false });
        }
        let Some(entry) = self.socks.get_mut(&sock) else { return };
        entry.kind = kind;
        if caddr.is_some() {
            self.accepted += usize::from(entry.caddr.is_none());
            entry.caddr = caddr;
        }
    }

    /// Whether this end listened or bound to serve (then HOST and PORT are
    /// where the script listens, else where it connects).
    fn server(&self) -> bool {
        self.steps.iter().any(|s| s.result.is_ok() && matches!(s.call, Call::Listen(_)))
            || (self.connected.is_none()
                && self.steps.iter().any(|s| s.result.is_ok() && matches!(s.call, Call::Bind(_))))
    }

    /// The recorded address HOST and PORT default to.
    fn target(&self) -> Option<SocketAddr> {
        let first = |pick: fn(&Step) -> Option<SocketAddr>| self.steps.iter().find_map(pick);
        if self.server() {
            return self.listening.or_else(|| {
                first(|s| match (&s.call, &s.result) {
                    (Call::Bind(a), Ok(_)) => a.inet(),
                    _ => None,
                })
            });
        }
        self.connected
            .or_else(|| {
                first(|s| match (&s.call, &s.result) {
                    (Call::Connect(a), Ok(_)) | (Call::ConnectEx(a), Ok(Returned::Int(0))) => {
                        a.inet()
                    }
                    (Call::SendTo { to, .. }, Ok(_)) => to.inet(),
                    _ => None,
                })
            })
            .or_else(|| {
                first(|s| match &s.call {
                    Call::Connect(a) | Call::ConnectEx(a) => a.inet(),
                    Call::SendTo { to, .. } => to.inet(),
                    _ => None,
                })
            })
    }
}

#[cfg(test)]
mod tests;
