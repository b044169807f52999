//! F8's next call: the next step of the end's script (`script.rs`), read
//! off the timeline, then checked so F8 never walks into a dead end:
//! - a call that would block says what unblocks it; in the demo, when the
//!   move is the other end's, F8 says so (`press F2`) instead of blocking;
//! - a call that just failed is not suggested again the same way: after a
//!   refused `connect` F8 says to start the server (or retries once it
//!   listens), after a broken connection it suggests `close()`;
//! - no call on a closed socket, no `recv` on a listener; after the
//!   listener's (or a client's) `close()` the lesson is done.

use crate::app::end::EndState;
use crate::app::lifecycle::What;
use crate::app::sockets::{SocketInfo, State};
use crate::app::teach::ready::{self, Wait};
use crate::app::teach::script::{self, After, Script, Then};
use crate::net::{Call, CallError, CallRecord, Kind, Returned, SockId};

/// What F8 does next: a call as typed (`/listen 5`), a note to show with
/// it, or only a note when the useful move is elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Next {
    pub call: Option<String>,
    pub note: Option<String>,
}

impl Next {
    fn call(line: impl Into<String>) -> Self {
        Self { call: Some(line.into()), note: None }
    }

    fn advice(note: impl Into<String>) -> Self {
        Self { call: None, note: Some(note.into()) }
    }

    fn noting(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The input's placeholder: `F8: /accept`, with the note after it.
    #[must_use]
    pub fn shown(&self) -> String {
        match (&self.call, &self.note) {
            (Some(call), Some(note)) => format!("{call} · {note}"),
            (Some(call), None) => call.clone(),
            (None, Some(note)) => note.clone(),
            (None, None) => String::new(),
        }
    }
}

const RECV: &str = "/recv 1024";
const RECVFROM: &str = "/recvfrom 1024";

/// The calls of the timeline, oldest first.
fn calls(end: &EndState) -> Vec<&CallRecord> {
    end.lifecycle
        .lines
        .iter()
        .filter_map(|l| match &l.what {
            What::Call(rec) => Some(&**rec),
            What::Kernel(_) => None,
        })
        .collect()
}

/// Calls that are one for the script: `sendto` is a send, `connect_ex` a
/// connect.
pub(crate) fn family(name: &str) -> &str {
    match name {
        "sendall" | "sendto" => "send",
        "recvfrom" => "recv",
        "connect_ex" => "connect",
        other => other,
    }
}

/// The script's name of a step line: `/sendto 1.2.3.4:5 hi` → `send`.
fn line_family(line: &str) -> &str {
    family(line.trim_start_matches('/').split(' ').next().unwrap_or(""))
}

/// The timeline read for one end.
struct Reading<'a> {
    end: &'a EndState,
    other: Option<&'a EndState>,
    calls: Vec<&'a CallRecord>,
    script: &'static Script,
}

impl Reading<'_> {
    fn ok_on(&self, sock: SockId, want: impl Fn(&Call, &Returned) -> bool) -> bool {
        self.calls
            .iter()
            .any(|r| r.sock == sock && r.result.as_ref().is_ok_and(|v| want(&r.call, v)))
    }

    fn closed(&self, sock: SockId) -> bool {
        self.ok_on(sock, |c, _| *c == Call::Close)
    }

    /// The newest call of `family` on `sock` failed: with what.
    /// `connect_ex` returns its error as a number: it failed all the same.
    fn failed(&self, sock: SockId, family_of: &str) -> Option<CallError> {
        let last =
            self.calls.iter().rev().find(|r| r.sock == sock && family(r.call.name()) == family_of);
        match last.map(|r| (&r.call, &r.result)) {
            Some((_, Err(err))) => Some(err.clone()),
            Some((Call::ConnectEx(_), Ok(Returned::Int(n)))) if *n != 0 => {
                Some(CallError::from_errno(i32::try_from(*n).unwrap_or(i32::MAX)))
            }
            _ => None,
        }
    }

    /// The socket's last data call (or close) as the script reads it.
    fn after(&self, sock: SockId) -> After {
        let stream = self.end.kind.is_connected();
        let last = self.calls.iter().rev().find(|r| {
            r.sock == sock && r.result.is_ok() && (r.call.moves_data() || r.call == Call::Close)
        });
        let Some(last) = last else { return After::Start };
        match (&last.call, &last.result) {
            (Call::Close, _) => After::Closed,
            (Call::Recv { .. } | Call::RecvFrom { .. }, Ok(Returned::Data { data, .. }))
                if stream && data.is_empty() =>
            {
                After::Eof
            }
            (Call::Recv { .. } | Call::RecvFrom { .. }, _) => After::Received,
            _ => After::Sent,
        }
    }

    /// A datagram socket that `connect()`ed sends and receives without
    /// addresses.
    fn connected_dgram(&self, sock: SockId) -> bool {
        self.end.kind == Kind::Dgram && self.ok_on(sock, |c, _| matches!(c, Call::Connect(_)))
    }

    /// Who sent the datagram `sock` received last (a UDP server answers it).
    fn sender(&self, sock: SockId) -> Option<String> {
        let from = self.calls.iter().rev().find_map(|r| match &r.result {
            Ok(Returned::Data { from: Some(from), .. }) if r.sock == sock => Some(from.clone()),
            _ => None,
        });
        from.or_else(|| self.end.targets.last_sender.clone()).map(|a| a.to_string())
    }
}

/// The step F8 makes next for `end`; `other` is the demo's other end.
#[must_use]
pub fn next(end: &EndState, other: Option<&EndState>) -> Next {
    let r = Reading { end, other, calls: calls(end), script: script::of(&end.role) };
    // The newest socket made by hand.
    let made = r.calls.iter().rev().find_map(|c| match (&c.call, &c.result) {
        (Call::Socket { .. }, Ok(_)) => Some(c.sock),
        _ => None,
    });
    let Some(main) = made else { return Next::call("/socket") };
    if r.closed(main) {
        return done(end, other);
    }
    // Setup: the step after the latest one done; a skipped step stays
    // skipped.
    // A non-blocking connect completes later: the connection is the proof.
    let connected = end.targets.opened.contains_key(&main);
    let reached = r
        .script
        .setup
        .iter()
        .rposition(|s| r.ok_on(main, s.done) || (connected && s.line == "/connect"))
        .unwrap_or(0);
    if let Some(step) = r.script.setup.get(reached + 1) {
        return setup(&r, main, step.line);
    }
    if !r.script.accepts {
        return talk(&r, main, main);
    }
    let accepted = r.calls.iter().rev().find_map(|c| match &c.result {
        Ok(Returned::Accepted { sock, .. }) if c.sock == main => Some(*sock),
        _ => None,
    });
    match accepted {
        Some(conn) if !r.closed(conn) => talk(&r, main, conn),
        _ => accept(&r, main),
    }
}

/// The program is over: its socket is closed. In the demo, while the other
/// end still holds its connection (it has yet to see `b''` and close), the
/// lesson goes on there, not in a new socket here.
fn done(end: &EndState, other: Option<&EndState>) -> Next {
    if let Some(other) = other.filter(|o| o.kind.is_connected()) {
        let open =
            |s: &&SocketInfo| !s.listener && !matches!(s.state, State::Closed | State::Failed);
        if other.sockets.all.values().any(|s| open(&s)) {
            return Next::advice(format!(
                "this end is done; the {} still holds its connection (recv gives b'', then \
                 close()): press F2",
                other.name()
            ));
        }
    }
    let what = if end.role.serves_connections() { "the listener is closed" } else { "closed" };
    Next::call("/socket").noting(format!("the lesson is done ({what}): /socket starts again"))
}

/// A setup call; a `connect` first checks there is a server to reach, and
/// after a refused (or timed out, or interrupted) one retries only once
/// the server listens.
fn setup(r: &Reading<'_>, main: SockId, line: &str) -> Next {
    let name = line_family(line);
    let peer = r.other.map(|o| (o.name(), ready::serving(o).is_some()));
    if let Some(err) = r.failed(main, name) {
        if name != "connect" || !(err.errno == Some(libc::ECONNREFUSED) || would_block(&err)) {
            return broken(name, &err);
        }
        return match peer {
            Some((who, true)) => Next::call(line).noting(format!(
                "connect() failed with {err} before; the {who} listens now, so it can work"
            )),
            Some((who, false)) => Next::advice(format!(
                "connect() failed with {err}: the {who} is not listening yet; press F2 and make \
                 it listen (socket, bind, listen), then /connect again"
            )),
            None => Next::advice(format!(
                "connect() failed with {err}: nothing answered there; start the server, then type \
                 /connect again (or /close)"
            )),
        };
    }
    if let (true, Some((who, false))) = (name == "connect", peer) {
        return Next::advice(format!(
            "the {who} is not listening yet: press F2 and make it listen (socket, bind, listen)"
        ));
    }
    Next::call(line)
}

/// A call failed in a way that will not go away by itself: close.
fn broken(name: &str, err: &CallError) -> Next {
    Next::call("/close")
        .noting(format!("{name}() failed with {err}: calling it again fails the same way; close"))
}

/// Whether an error only says the call had to wait (a timeout, a
/// non-blocking socket, Ctrl-C), not that the socket is broken.
fn would_block(err: &CallError) -> bool {
    matches!(err.name.as_str(), "TimeoutError" | "KeyboardInterrupt")
        || matches!(err.errno, Some(libc::EAGAIN | libc::EINPROGRESS | libc::EALREADY))
}

/// `accept()` on the listener, if a client waits (or once one may).
fn accept(r: &Reading<'_>, listener: SockId) -> Next {
    let failed = r.failed(listener, "accept");
    if let Some(err) = failed.as_ref().filter(|e| !would_block(e)) {
        return broken("accept", err);
    }
    match ready::accept(r.end, listener, r.other) {
        Ok(()) => Next::call("/accept"),
        Err(wait) => waiting(r, "/accept", wait, failed.as_ref()),
    }
}

/// The conversation on `sock` (the listener is `main` for a server).
fn talk(r: &Reading<'_>, main: SockId, sock: SockId) -> Next {
    let then = r.script.then(r.after(sock));
    let plain = r.end.kind.is_connected() || r.connected_dgram(sock);
    let line = match then {
        Then::Close => return Next::call("/close"),
        Then::Accept => return accept(r, main),
        Then::Done => return done(r.end, r.other),
        Then::Recv if plain => RECV.to_string(),
        Then::Recv => RECVFROM.to_string(),
        Then::Send if plain => format!("/send {}", r.script.says),
        Then::Send if r.end.role.is_server() => match r.sender(sock) {
            Some(to) => format!("/sendto {to} {}", r.script.says),
            None => format!("/sendto {}", r.script.says),
        },
        Then::Send => format!("/sendto {}", r.script.says),
    };
    let name = line_family(&line);
    let failed = r.failed(sock, name);
    if let Some(err) = failed.as_ref().filter(|e| !would_block(e)) {
        return broken(name, err);
    }
    if then == Then::Send {
        // A datagram needs somewhere to go: the demo's server bound first.
        return match r.other.map(|o| (o.name(), ready::serving(o).is_some())) {
            Some((who, false)) if !plain && !r.end.role.is_server() => Next::advice(format!(
                "the {who} has not bound yet, so there is nowhere to send: press F2 (socket, bind)"
            )),
            _ if failed.is_some() => Next::advice(format!(
                "{name}() could not go on: the peer does not read; press F2 and recv there"
            )),
            _ => Next::call(line),
        };
    }
    match ready::recv(r.end, sock, r.other) {
        Ok(()) => Next::call(line),
        Err(wait) => waiting(r, &line, wait, failed.as_ref()),
    }
}

/// A blocking call that would wait: in the demo, the other end's move;
/// alone, the call with what unblocks it. After a timeout or Ctrl-C the
/// same wait is not suggested again.
fn waiting(r: &Reading<'_>, line: &str, wait: Wait, failed: Option<&CallError>) -> Next {
    let name = line.trim_start_matches('/').split(' ').next().unwrap_or("");
    if let Some(other) = r.other {
        let who = other.name();
        return Next::advice(match wait {
            Wait::NoClient => format!(
                "no client waits in the accept queue: press F2 and /connect the {who}; accept() \
                 would block until then"
            ),
            Wait::NotAccepted => format!("the {who} has not called accept() yet: press F2"),
            Wait::NotSent => format!("nothing to {name} yet: the {who} has not sent; press F2"),
        });
    }
    let unblocks = match wait {
        Wait::NoClient => "a client connects",
        Wait::NotAccepted | Wait::NotSent => "the peer sends (or closes)",
    };
    match failed {
        Some(err) => Next::advice(format!(
            "{name}() ended with {err} and nothing has come since: once {unblocks}, type {line} \
             again"
        )),
        None => Next::call(line)
            .noting(format!("{name}() blocks until {unblocks}; Ctrl-C interrupts it")),
    }
}
