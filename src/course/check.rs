//! A chapter's checks: one line of a small grammar each, read against the
//! engine's events and the kernel's figures, never against what was typed.
//!
//! ```text
//! SIDE call NAME ok | err ERRNO | returns N | bytes N | eof | truncated
//! SIDE event KIND          (an event kind of docs/events.md: connected, eof, ...)
//! SIDE state STATE         (a TCP state the kernel shows: LISTEN, TIME_WAIT, ...)
//! SIDE figure FIGURE >= N  (accept_queue, recv_q, send_q)
//! SIDE wire FLAG           (a captured segment with that flag: SYN, FIN, RST)
//! ```
//! SIDE is `server`, `client` or `any`; NAME may be `*` (any call).
//! [`Check::parse`] refuses a name that is not a real call, error, event
//! kind, state, figure or flag, so a chapter's typo is a failing test, not a
//! step that never ticks.

use crate::net::{Call, DiagSocket, Event, EventKind, Returned, TcpState, Whose};

/// Why a chapter's check line is not a check: the word that is wrong, and
/// what was expected there (the validator prints it with the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    #[error("{0:?} is not a side (server, client, any)")]
    Side(String),
    #[error("{0:?} is not a step call")]
    Call(String),
    #[error("{0:?} is not an error a call raises")]
    Error(String),
    #[error("{0:?} is not an outcome (ok, err, returns, bytes, eof, truncated)")]
    Outcome(Option<String>),
    #[error("{0:?} is not an event kind")]
    EventKind(String),
    #[error("{0:?} is not a TCP state")]
    State(String),
    #[error("{0:?} is not a kernel figure")]
    Figure(String),
    #[error("a figure is compared with >=")]
    Compare,
    #[error("{0:?} is not a TCP flag")]
    Flag(String),
    #[error("{0:?} is not call, event, state, figure or wire")]
    What(String),
    #[error("{0} needs a number")]
    Number(&'static str),
    #[error("{0:?} is one word too many")]
    Extra(String),
}

/// Which end a check looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Server,
    Client,
    Any,
}

impl Side {
    fn parse(word: &str) -> Result<Self, CheckError> {
        match word {
            "server" => Ok(Self::Server),
            "client" => Ok(Self::Client),
            "any" => Ok(Self::Any),
            other => Err(CheckError::Side(other.to_string())),
        }
    }

    /// Whether an end (a server end or not) is this side.
    #[must_use]
    pub fn is(self, server: bool) -> bool {
        match self {
            Self::Server => server,
            Self::Client => !server,
            Self::Any => true,
        }
    }
}

/// What a call must have returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Raised this error (`ECONNREFUSED`, `TimeoutError`).
    Err(String),
    /// `send`'s count, `connect_ex`'s errno, `fileno()`.
    Returns(i64),
    /// A recv that returned exactly N bytes.
    Bytes(usize),
    /// A recv that returned `b''`.
    Eof,
    /// A datagram longer than the buffer (the rest was dropped).
    Truncated,
}

/// A kernel figure a check can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    AcceptQueue,
    RecvQ,
    SendQ,
}

/// The figures [`Check::parse`] knows, by name.
pub const FIGURES: &[(&str, Figure)] =
    &[("accept_queue", Figure::AcceptQueue), ("recv_q", Figure::RecvQ), ("send_q", Figure::SendQ)];

/// The engine's event kinds as docs/events.md names them (`"ev"`).
pub const EVENT_KINDS: &[&str] = &[
    "call",
    "data",
    "connected",
    "listening",
    "eof",
    "sample",
    "kernel",
    "transition",
    "closed",
    "dropped",
    "rejected",
    "fatal",
    "totals",
];

/// Errors that are not an errno: Python's own exceptions.
const PY_ERRORS: &[&str] = &["TimeoutError", "KeyboardInterrupt"];

/// One parsed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Call { side: Side, name: String, outcome: Outcome },
    Event { side: Side, kind: &'static str },
    State { side: Side, state: TcpState },
    Figure { side: Side, figure: Figure, at_least: u32 },
    Wire { side: Side, flag: crate::wire::Flags },
}

/// The event kind of an event, as `"ev"` names it.
#[must_use]
pub fn kind_of(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Call(_) => "call",
        EventKind::Data(_) => "data",
        EventKind::Connected { .. } => "connected",
        EventKind::Listening { .. } => "listening",
        EventKind::PeerEof { .. } => "eof",
        EventKind::Sample { .. } => "sample",
        EventKind::Kernel { .. } => "kernel",
        EventKind::Transition(_) => "transition",
        EventKind::Closed { .. } => "closed",
        EventKind::Dropped { .. } => "dropped",
        EventKind::Rejected { .. } => "rejected",
        EventKind::Fatal { .. } => "fatal",
        EventKind::Totals(_) => "totals",
        EventKind::Relay(_) => "relay",
        EventKind::Tls(_) => "tls",
    }
}

/// Whether `name` is a call a student can make (a step command's name).
fn is_call(name: &str) -> bool {
    name == "*" || crate::app::step::COMMANDS.iter().any(|(n, _)| *n == name)
}

/// Whether `name` is an error a call can raise.
fn is_error(name: &str) -> bool {
    PY_ERRORS.contains(&name) || (1..200).any(|n| crate::net::errors::errno_name(n) == Some(name))
}

fn state_named(name: &str) -> Option<TcpState> {
    (1..=12).map(TcpState::from_kernel).find(|s| s.name() == name)
}

fn number<T: std::str::FromStr>(word: Option<&str>, what: &'static str) -> Result<T, CheckError> {
    word.and_then(|w| w.parse().ok()).ok_or(CheckError::Number(what))
}

impl Check {
    /// Reads one check line.
    ///
    /// # Errors
    /// Which word is not a real call, error, kind, state, figure or flag.
    pub fn parse(line: &str) -> Result<Self, CheckError> {
        let mut words = line.split_whitespace();
        let side = Side::parse(words.next().unwrap_or(""))?;
        let what = words.next().unwrap_or("");
        let arg = words.next().unwrap_or("");
        let check = match what {
            "call" => {
                if !is_call(arg) {
                    return Err(CheckError::Call(arg.to_string()));
                }
                let outcome = match words.next() {
                    Some("ok") => Outcome::Ok,
                    Some("err") => {
                        let e = words.next().unwrap_or("");
                        if !is_error(e) {
                            return Err(CheckError::Error(e.to_string()));
                        }
                        Outcome::Err(e.to_string())
                    }
                    Some("returns") => Outcome::Returns(number(words.next(), "returns")?),
                    Some("bytes") => Outcome::Bytes(number(words.next(), "bytes")?),
                    Some("eof") => Outcome::Eof,
                    Some("truncated") => Outcome::Truncated,
                    other => return Err(CheckError::Outcome(other.map(str::to_string))),
                };
                Self::Call { side, name: arg.to_string(), outcome }
            }
            "event" => {
                let kind = EVENT_KINDS
                    .iter()
                    .find(|k| **k == arg)
                    .ok_or_else(|| CheckError::EventKind(arg.to_string()))?;
                Self::Event { side, kind }
            }
            "state" => {
                let state = state_named(arg).ok_or_else(|| CheckError::State(arg.to_string()))?;
                Self::State { side, state }
            }
            "figure" => {
                let figure = FIGURES
                    .iter()
                    .find(|(n, _)| *n == arg)
                    .map(|(_, f)| *f)
                    .ok_or_else(|| CheckError::Figure(arg.to_string()))?;
                if words.next() != Some(">=") {
                    return Err(CheckError::Compare);
                }
                Self::Figure { side, figure, at_least: number(words.next(), "figure")? }
            }
            "wire" => {
                let flag = crate::wire::Flags::named(arg)
                    .ok_or_else(|| CheckError::Flag(arg.to_string()))?;
                Self::Wire { side, flag }
            }
            other => return Err(CheckError::What(other.to_string())),
        };
        if let Some(extra) = words.next() {
            return Err(CheckError::Extra(extra.to_string()));
        }
        Ok(check)
    }

    /// Whether this event, from an end that is a server or not, shows the
    /// check done.
    #[must_use]
    pub fn by_event(&self, server: bool, ev: &Event) -> bool {
        match (self, &ev.kind) {
            (Self::Call { side, name, outcome }, EventKind::Call(rec)) => {
                side.is(server)
                    && (name == "*" || rec.call.name() == name)
                    && outcome_fits(outcome, &rec.call, &rec.result)
            }
            (Self::Event { side, kind }, k) => side.is(server) && kind_of(k) == *kind,
            (Self::State { .. } | Self::Figure { .. }, _) => self.by_state(server, ev),
            _ => false,
        }
    }

    /// Whether a remembered state event (a sample, a kernel listing, a
    /// transition) shows the check done: state and figure checks only.
    #[must_use]
    pub fn by_state(&self, server: bool, ev: &Event) -> bool {
        match (self, &ev.kind) {
            (Self::State { side, state }, EventKind::Sample { sample, .. }) => {
                side.is(server) && sample.tcp.as_ref().is_some_and(|t| t.state == *state)
            }
            (Self::State { side, state }, EventKind::Kernel { sockets }) => {
                sockets.iter().any(|s| s.state == *state && whose_side(*side, server, s))
            }
            (Self::State { side, state }, EventKind::Transition(t)) => {
                t.to == Some(*state) && fits_whose(*side, server, t.whose)
            }
            (Self::Figure { side, figure, at_least }, EventKind::Sample { sample, .. }) => {
                let value = match figure {
                    Figure::AcceptQueue => sample.accept_queue.as_ref().map(|q| q.len),
                    Figure::RecvQ => sample.recv_q,
                    Figure::SendQ => sample.send_q,
                };
                side.is(server) && value.is_some_and(|v| v >= *at_least)
            }
            (
                Self::Figure { side, figure: Figure::AcceptQueue, at_least },
                EventKind::Kernel { sockets },
            ) => {
                let queued = sockets.iter().filter(|s| matches!(s.whose, Whose::Queued { .. }));
                side.is(server) && queued.count() >= *at_least as usize
            }
            _ => false,
        }
    }

    /// Whether a captured segment shows the check done.
    #[must_use]
    pub fn by_segment(&self, server: bool, seg: &crate::wire::Segment) -> bool {
        let Self::Wire { side, flag } = self else { return false };
        let tcp = match &seg.proto {
            crate::wire::Proto::Tcp(tcp) => tcp,
            crate::wire::Proto::Udp => return false,
        };
        side.is(server) && tcp.flags.has(*flag)
    }
}

/// A kernel entry belongs to `side` when its own end reports it as its own,
/// or the other end reports it as its peer's (on loopback each end sees both).
fn whose_side(side: Side, server: bool, s: &DiagSocket) -> bool {
    fits_whose(side, server, s.whose)
}

fn fits_whose(side: Side, server: bool, whose: Whose) -> bool {
    let peer = matches!(whose, Whose::PeerEnd { .. });
    match side {
        Side::Any => true,
        _ => side.is(server) != peer,
    }
}

fn outcome_fits(
    outcome: &Outcome,
    call: &Call,
    result: &Result<Returned, crate::net::errors::CallError>,
) -> bool {
    match (outcome, result) {
        (Outcome::Ok, Ok(_)) => true,
        (Outcome::Err(name), Err(e)) => e.name == *name,
        (Outcome::Returns(n), Ok(Returned::Count(c))) => i64::try_from(*c).ok() == Some(*n),
        (Outcome::Returns(n), Ok(Returned::Int(i))) => i == n,
        (Outcome::Bytes(n), Ok(Returned::Data { data, .. })) => data.len() == *n,
        (Outcome::Eof, Ok(Returned::Data { data, .. })) => {
            data.is_empty() && matches!(call, Call::Recv { .. } | Call::RecvFrom { .. })
        }
        (Outcome::Truncated, Ok(Returned::Data { truncated, .. })) => truncated.is_some(),
        _ => false,
    }
}
