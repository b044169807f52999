//! `sockpit replay FILE`: a recorded `--log` session read back, to be shown
//! in the TUI read-only and stepped through event by event (a teacher
//! prepares a session once and walks a class through it). Reading never
//! stops at a bad line: a line that is not a whole JSON event is a
//! [`Problem`] with its line number, a kind this version does not know
//! (or cannot rebuild) is a step shown as such, and everything else is the
//! engine's own event, replayed into a fresh [`App`] up to the step shown.

mod events;
mod figures;
mod reason;
mod tls;
pub(crate) mod view;

pub use reason::NotReplayed;
pub use view::Replay;

use serde_json::Value;

use crate::app::{App, Caps, Clock};
use crate::cli::Eol;
use crate::net::{Addr, Event, EventKind, Kind, Role, Target};

/// Every `ev` this version's schema writes (docs/events.md).
const SCHEMA_KINDS: [&str; 25] = [
    "call",
    "closed",
    "connected",
    "data",
    "dropped",
    "eof",
    "fatal",
    "fault",
    "held",
    "idle",
    "injected",
    "kernel",
    "listening",
    "no_upstream",
    "pair",
    "rejected",
    "sample",
    "segment",
    "tls",
    "tls_cert",
    "tls_hint",
    "tls_wire",
    "totals",
    "transition",
    "wire",
];

/// How many lines around a line its rebuilding may look at (a recv's data
/// line, a handshake's `tls` line, the handshake `cipher()` reports on).
const LOOK: usize = 16;

/// One line of the log that the replay steps over.
#[derive(Debug, Clone)]
pub struct Step {
    /// The line's number in the file, from 1.
    pub line: usize,
    /// The end it belongs to (`"end"` in a demo's log, else 0).
    pub end: usize,
    /// Its `"ev"`.
    pub ev: String,
    /// The engine's event or a captured segment, or why this line is shown
    /// but not replayed (an unknown or newer kind, or one this reader does
    /// not rebuild).
    pub event: Result<Replayed, NotReplayed>,
}

/// What a replayed line feeds the app.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Replayed {
    Event(Event),
    Segment(crate::wire::Segment),
}

/// A line that is not a whole event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A recorded session, read.
#[derive(Debug, Clone, Default)]
pub struct Log {
    pub steps: Vec<Step>,
    pub problems: Vec<Problem>,
}

impl Log {
    /// Reads a log's text: every line is a step, a problem, or blank.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let mut log = Self::default();
        let mut values = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(raw) {
                Ok(v) if v.is_object() => values.push((i + 1, v)),
                Ok(_) => log.problem(i + 1, "not a JSON object".into()),
                Err(err) => log.problem(i + 1, format!("not a whole JSON event ({err})")),
            }
        }
        for (k, (line, v)) in values.iter().enumerate() {
            let (Some(t), Some(ev)) = (v["t"].as_u64(), v["ev"].as_str()) else {
                log.problem(*line, "no \"t\" or \"ev\" field".into());
                continue;
            };
            let end = v["end"].as_u64().and_then(|e| usize::try_from(e).ok()).unwrap_or(0);
            let newer = v["v"].as_u64().is_none_or(|n| n > u64::from(crate::json::SCHEMA_VERSION));
            let after: Vec<Value> =
                values[k + 1..].iter().map(|(_, v)| v.clone()).take(LOOK).collect();
            // A TLS call reports on the handshake some lines before it.
            let before: Vec<Value> =
                values[k.saturating_sub(LOOK)..k].iter().map(|(_, v)| v.clone()).collect();
            let event = if newer {
                Err(NotReplayed::NewerSchema(v["v"].to_string()))
            } else if ev == "segment" {
                let segment = crate::json::parse_segment(v);
                segment.map(Replayed::Segment).ok_or_else(|| {
                    NotReplayed::Malformed("a segment line that does not fit".into())
                })
            } else {
                let kind = events::event(ev, v, &before, &after);
                kind.map(|kind| Replayed::Event(Event { at: t, kind }))
            };
            log.steps.push(Step { line: *line, end, ev: ev.to_string(), event });
        }
        log
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(Problem { line, message });
    }

    /// The ends the log talks about: one, or two in a demo's log.
    #[must_use]
    pub fn ends(&self) -> usize {
        self.steps.iter().map(|s| s.end + 1).max().unwrap_or(1)
    }

    /// Each end's role, as far as the log shows it: a server when it
    /// listened or bound, else a client of the peer it connected to.
    #[must_use]
    pub fn roles(&self) -> Vec<Role> {
        (0..self.ends())
            .map(|end| {
                let mut events = self.steps.iter().filter(|s| s.end == end);
                let found = events.find_map(|s| match &s.event {
                    Ok(Replayed::Event(Event {
                        kind: EventKind::Listening { local, kind, .. },
                        ..
                    })) => Some(server(local, *kind)),
                    Ok(Replayed::Event(Event {
                        kind: EventKind::Connected { peer, .. }, ..
                    })) => Some(client(peer)),
                    _ => None,
                });
                found.unwrap_or_else(|| client(&Addr::Inet(([127, 0, 0, 1], 0).into())))
            })
            .collect()
    }

    /// The app as it was after the first `shown` steps: a fresh app fed
    /// every replayable event up to there (stepping back is replaying less).
    #[must_use]
    pub fn app_at(&self, shown: usize, clock: Clock) -> App {
        let demo = self.ends() > 1;
        let mut app = App::new(self.roles(), demo, Eol::Lf, Caps::default(), clock);
        for end in 0..app.ends.len() {
            app.started(end);
        }
        let mut problems = self.problems.iter().peekable();
        for step in self.steps.iter().take(shown) {
            // A bad line is said where it stood among the events.
            while let Some(p) = problems.next_if(|p| p.line < step.line) {
                app.notice(step.end, false, &p.to_string());
            }
            match &step.event {
                Ok(Replayed::Event(event)) => {
                    app.on_engine(step.end, event);
                }
                Ok(Replayed::Segment(segment)) => {
                    app.on_segment(step.end, segment.clone());
                }
                // Kinds of this schema not rebuilt yet are named in the
                // replay's bar as it passes them; a kind this version has
                // never heard of is said in the history too.
                Err(why) if !SCHEMA_KINDS.contains(&step.ev.as_str()) => {
                    let text = format!("line {}: {:?} not replayed: {why}", step.line, step.ev);
                    app.notice(step.end, false, &text);
                }
                Err(_) => {}
            }
        }
        if shown >= self.steps.len() {
            for p in problems {
                app.notice(0, false, &p.to_string());
            }
        }
        app
    }
}

fn server(local: &Addr, kind: Kind) -> Role {
    match (local, kind) {
        (Addr::Inet(ip), Kind::Dgram) => Role::UdpServer(Target::Addr(*ip)),
        (Addr::Inet(ip), _) => Role::TcpServer(Target::Addr(*ip)),
        (Addr::Unix(name), kind) => Role::UnixServer(name.clone(), kind),
    }
}

fn client(peer: &Addr) -> Role {
    match peer {
        Addr::Inet(ip) => Role::TcpClient(Target::Addr(*ip)),
        Addr::Unix(name) => Role::UnixClient(name.clone(), Kind::Stream),
    }
}
