//! One end of the conversation (a server or a client session) as the views
//! see it: its sockets, history, lifecycle calls and pending bytes, all
//! updated from the engine's events by [`EndState::on_event`].

mod data;

use data::Stream;

use std::collections::HashMap;

use super::history::{Calls, Caps, Entry, EntryKind, History};
use super::lifecycle::Lifecycle;
use super::sockets::{Sockets, State};
use super::targets::Targets;
use super::wire::Wire;
use crate::app::figures::Inspection;
use crate::app::inspector::packets::PacketLog;
use crate::net::{
    Addr, Call, CallError, CallRecord, CloseReason, Event, EventKind, Family, Holds, Kind, Micros,
    Role, SockId,
};

/// One end's state.
#[derive(Debug, Clone)]
pub struct EndState {
    pub role: Role,
    pub kind: Kind,
    pub sockets: Sockets,
    pub history: History,
    pub lifecycle: Lifecycle,
    /// The exact bytes of every send and recv call (for the inspector).
    pub packets: PacketLog,
    /// The kernel's figures of each socket (samples) and fd-less sockets.
    pub inspection: Inspection,
    /// A server's socket or peer list and its selected row (the send target).
    pub targets: Targets,
    /// Each socket's TLS handshake and wire counts (the panel's TLS section).
    pub tls: super::tls::TlsState,
    /// The segments captured on the wire (the Wire pane).
    pub wire: Wire,
    /// Bytes submitted with Enter that the engine has not reported sent
    /// (or dropped) yet.
    pub pending: u64,
    /// The session could not go on; its message in the error grammar (docs/errors.md).
    pub fatal: Option<String>,
    /// The session has been spawned (the demo's client waits for the server).
    pub started: bool,
    /// Where the server listens (or the UDP server is bound).
    pub listening: Option<Addr>,
    /// Step mode: the student makes every call (F7 toggles it).
    pub step: bool,
    /// What the auto driver holds back (F7, Alt-A, Alt-H).
    pub holds: Holds,
    /// Calls that may block, sent and not answered yet, oldest first.
    pub waiting_calls: Vec<&'static str>,
    /// Step mode has said why `O_NONBLOCK` is set under `blocking True`.
    explained_nonblock: bool,
    /// The Lifecycle said once why the auto driver's recv is 65536.
    explained_read_waiting: bool,
    /// `TCP_INFO`'s `rcvd` counting the peer's FIN was explained (once).
    explained_fin: bool,
    /// Ctrl-C was pressed for the blocked call: its `KeyboardInterrupt` is
    /// on its way, and another press sends no second one.
    pub interrupting: bool,
    /// When Ctrl-C's `KeyboardInterrupt` came back: a second, reflex press
    /// right after it does not quit the lesson.
    pub interrupted_at: Option<Micros>,
    streams: HashMap<SockId, Stream>,
    /// The last data-call error shown, so a close for the same reason is not
    /// reported twice.
    last_error: Option<(SockId, CallError)>,
    /// A relay's pairs, lanes, held chunks and faults.
    pub relay: Option<super::relay::RelayState>,
}

impl EndState {
    #[must_use]
    pub fn new(role: Role, caps: Caps) -> Self {
        let kind = role.kind();
        let server = role.is_server();
        Self {
            role,
            kind,
            sockets: Sockets::new(kind),
            history: History::new(caps.share(4)),
            lifecycle: Lifecycle::default(),
            packets: PacketLog::new(caps.share(2)),
            inspection: Inspection::default(),
            targets: Targets::default(),
            tls: super::tls::TlsState::default(),
            wire: Wire::new(caps.share(2), server),
            pending: 0,
            fatal: None,
            started: false,
            listening: None,
            step: false,
            holds: Holds::default(),
            waiting_calls: Vec::new(),
            interrupting: false,
            interrupted_at: None,
            explained_nonblock: false,
            explained_read_waiting: false,
            explained_fin: false,
            streams: HashMap::new(),
            last_error: None,
            relay: None,
        }
    }

    /// `server` or `client`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        if self.role.is_server() { "server" } else { "client" }
    }

    /// A new session replaces a failed one: its socket ids start again.
    pub fn restart(&mut self) {
        self.sockets.clear();
        self.inspection.clear();
        self.targets.clear();
        self.tls.clear();
        self.streams.clear();
        self.fatal = None;
        self.pending = 0;
        self.last_error = None;
        self.waiting_calls.clear();
        self.interrupting = false;
    }

    /// The call this end is blocked in, as the status shows it: `accept()`.
    #[must_use]
    pub fn blocked_in(&self) -> Option<&'static str> {
        self.waiting_calls.first().copied()
    }

    /// An entry written by sockpit itself (hints, errors, connection life).
    pub fn note(&mut self, at: Micros, kind: EntryKind, sock: SockId, text: impl Into<String>) {
        let text: String = text.into();
        self.history.push(Entry {
            at,
            kind,
            sock,
            peer: None,
            text: text.into_bytes(),
            ending: b"",
            open: false,
            calls: Calls::default(),
        });
    }

    /// Applies one engine event.
    pub fn on_event(&mut self, ev: &Event) {
        self.sockets.update(&ev.kind);
        self.inspection.update(ev.at, &ev.kind);
        let udp_server = self.role.is_server() && self.kind == Kind::Dgram;
        self.targets.update(ev.at, &ev.kind, udp_server);
        let at = ev.at;
        if let Some((kind, sock, text)) = self.relay.as_mut().and_then(|r| r.update(&ev.kind)) {
            self.note(at, kind, sock, text);
        }
        match &ev.kind {
            EventKind::Call(rec) => self.call(at, rec),
            EventKind::Data(d) => self.data(at, d),
            EventKind::Connected { sock, local, peer, .. } => {
                let upstream = self.relay.as_ref().is_some_and(|r| r.upstreams.contains(sock));
                let text = if upstream {
                    format!("connected to the server {peer} (from {local}) for the client")
                } else if self.role.is_server() {
                    format!("accepted {peer} (a new socket on {local})")
                } else {
                    format!("connected to {peer} (from {local})")
                };
                self.note(at, EntryKind::Info, *sock, text);
            }
            EventKind::Listening { sock, local, kind, .. } => {
                self.listening = Some(local.clone());
                let proto = kind.protocol(Family::of(local));
                let text = if kind.is_connected() {
                    format!("listening on {local} ({proto}): waiting for a client")
                } else {
                    format!("bound to {local} ({proto}): waiting for a datagram")
                };
                self.note(at, EntryKind::Info, *sock, text);
            }
            EventKind::PeerEof { sock } => {
                self.finish_stream(at, *sock);
                let who = self.sockets.all.get(sock).and_then(|s| s.peer.clone());
                let who = who.map_or_else(|| "the peer".to_string(), |p| p.to_string());
                let mut text = if self.relay.is_some() {
                    format!(
                        "{who} closed its side (recv returned b''): passed on as shutdown(SHUT_WR)"
                    )
                } else {
                    format!(
                        "{who} closed its side (recv returned b''): CLOSE_WAIT, you can still \
                         send; /close closes"
                    )
                };
                let tcp = self.kind == crate::net::Kind::Stream && !self.role.is_unix();
                if tcp && !std::mem::replace(&mut self.explained_fin, true) {
                    // The panel's `rcvd` is then one more than the bytes received.
                    text.push_str(" (TCP_INFO's rcvd counts the FIN as one byte)");
                }
                self.note(at, EntryKind::Info, *sock, text);
            }
            EventKind::Closed { sock, reason } => self.closed(at, *sock, reason),
            EventKind::Transition(t) => self.lifecycle.transition(at, t),
            EventKind::Tls(event) => self.tls_news(at, event),
            EventKind::Kernel { sockets } => self.lifecycle.kernel.clone_from(sockets),
            EventKind::Sample { sample, .. } => {
                let odd = sample.nonblocking == Some(true) && sample.timeout != Some(0.0);
                if self.step && odd && !std::mem::replace(&mut self.explained_nonblock, true) {
                    // The panel shows `blocking True` beside `O_NONBLOCK set`.
                    let why =
                        "O_NONBLOCK set: Python sets it under any timeout; sockpit always does";
                    self.note(at, EntryKind::Info, 0, why);
                }
            }
            EventKind::Dropped { len, why } => {
                self.pending = self.pending.saturating_sub(*len as u64);
                self.note(at, EntryKind::Error, 0, format!("dropped {len} B: {why}"));
            }
            EventKind::Rejected { sock, peer, limit } => {
                let text = format!("rejected {peer}: already {limit} connections (--max-conns)");
                self.note(at, EntryKind::Error, *sock, text);
            }
            // Kernel samples and other engine news are the socket panel's,
            // not the history's; only a fatal error shows here.
            other => {
                if let EventKind::Fatal { error } = other {
                    self.fatal = Some(error.to_string());
                    self.pending = 0;
                    self.waiting_calls.clear();
                    self.interrupting = false;
                    let hint = if self.role.is_server() { "" } else { " (F6 tries again)" };
                    self.note(at, EntryKind::Error, 0, format!("{error}{hint}"));
                }
            }
        }
        self.reindex(&ev.kind);
    }

    /// One captured segment: a row of the Wire pane, linked to its call.
    pub fn segment(&mut self, seg: crate::wire::Segment) {
        let number = self.wire.push(seg);
        self.wire.link(number, &self.lifecycle, &self.sockets);
    }

    /// A call's result: into the timeline; it ends the wait for a call of
    /// its kind; a data call's error (or Ctrl-C's `KeyboardInterrupt`)
    /// gets one line in the history.
    fn call(&mut self, at: Micros, rec: &CallRecord) {
        self.lifecycle.push(at, rec);
        let waiting = crate::net::READ_WAITING;
        if !self.step
            && matches!(rec.call, Call::Recv { bufsize } if bufsize == waiting)
            && !std::mem::replace(&mut self.explained_read_waiting, true)
        {
            self.lifecycle.note_last(super::lifecycle::Note::ReadsWaiting);
        }
        self.wire.relink(&rec.call, &self.lifecycle, &self.sockets);
        let name = rec.call.name();
        if let Some(i) = self.waiting_calls.iter().position(|w| same_wait(w, name)) {
            self.waiting_calls.remove(i);
            self.interrupting = false;
        }
        if self.step && matches!(rec.call, Call::Socket { .. }) {
            // Made by hand: nothing connects until the student calls connect().
            if let Some(s) = self.sockets.all.get_mut(&rec.sock) {
                s.state = if s.state == State::Connecting { State::Fresh } else { s.state };
            }
        }
        let data_call = rec.call.moves_data() || matches!(rec.call, Call::Shutdown(_));
        match &rec.result {
            Ok(_) if data_call => self.packets.call(rec.sock, rec.var, &rec.call),
            Err(err) if err.name == "KeyboardInterrupt" => {
                self.interrupted_at = Some(at);
                let text = format!(
                    "KeyboardInterrupt: Ctrl-C interrupted {name}(); the socket is as it was"
                );
                self.note(at, EntryKind::Info, rec.sock, text);
            }
            Err(err) if data_call => {
                self.note(at, EntryKind::Error, rec.sock, format!("{name} failed: {err}"));
                self.last_error = Some((rec.sock, err.clone()));
            }
            _ => {}
        }
    }

    fn closed(&mut self, at: Micros, sock: SockId, reason: &CloseReason) {
        self.finish_stream(at, sock);
        self.streams.remove(&sock);
        let was_listener = self.sockets.all.get(&sock).is_some_and(|s| s.listener);
        match reason {
            CloseReason::Local => {
                let what = if was_listener { "listener closed" } else { "connection closed" };
                self.note(at, EntryKind::Info, sock, what);
            }
            CloseReason::Failed(err) => {
                if self.last_error.as_ref().is_some_and(|(s, e)| *s == sock && e == err) {
                    self.note(at, EntryKind::Info, sock, "connection closed after that error");
                } else {
                    self.note(at, EntryKind::Error, sock, format!("connection failed: {err}"));
                }
            }
        }
        if self.sockets.current().is_none() {
            // Whatever was queued went down with the connection.
            self.pending = 0;
        }
        if self.role.is_server() && !was_listener && self.kind.is_connected() {
            let listening = self.sockets.all.values().any(|s| s.state == State::Listen);
            if listening && self.sockets.live_connections() == 0 {
                self.note(at, EntryKind::Info, sock, "still listening for the next client");
            }
        }
    }
}

/// Whether a result named `got` ends the wait for the call `waiting`: the
/// engine may answer `send` as `sendall`, `recv` as `recvfrom`.
fn same_wait(waiting: &str, got: &str) -> bool {
    crate::app::teach::suggest::family(waiting) == crate::app::teach::suggest::family(got)
}
