//! Events on stderr: one sanitised line each for people, or the JSON-lines
//! schema for scripts. Failures are worded in the error grammar (docs/errors.md).

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use tokio::time::Instant;

use super::stats::{self, Stats};
use crate::cli::Verbosity;
use crate::net::relay::RelayNote;
use crate::net::{Addr, Call, CloseReason, Event, EventKind, Family, SockId};
use crate::{json, python, sanitize};

/// Writes events to stderr.
pub struct Reporter {
    json: bool,
    /// `-q`, default, `-v`, `-vv`: which events get a line.
    verbosity: Verbosity,
    /// What each socket's failures are aimed at: a connection's peer, or
    /// the address a listener or UDP socket got (its real port, not 0).
    peers: HashMap<SockId, Addr>,
    /// Where the session points, for sockets with no connected peer.
    default_target: String,
    /// The last failure already worded, so a fatal one is not said twice.
    said: Option<String>,
    /// `--stats SECS`: samples are printed only through this.
    stats: Option<Stats>,
}

impl Reporter {
    pub fn new(json: bool, default_target: String, verbosity: Verbosity) -> Self {
        Self { json, verbosity, peers: HashMap::new(), default_target, said: None, stats: None }
    }

    /// Whether events go out as JSON lines.
    pub fn json(&self) -> bool {
        self.json
    }

    /// Prints a state line per socket every `every` (`--stats`), and the
    /// kernel's state changes; without it samples are not printed at all.
    #[must_use]
    pub fn with_stats(mut self, every: Option<Duration>) -> Self {
        self.stats = every.map(|every| Stats::new(every, Instant::now()));
        self
    }

    /// When the next round of `--stats` lines is due (`None`: never).
    pub fn stats_due(&self) -> Option<Instant> {
        self.stats.as_ref().map(Stats::due)
    }

    /// Prints one line per live socket from its latest sample (`--stats`).
    pub fn print_stats(&mut self) {
        let Some(stats) = &mut self.stats else { return };
        let mut err = std::io::stderr().lock();
        for event in stats.round(Instant::now()) {
            let line = match &event.kind {
                EventKind::Sample { .. } if self.json => json::line(event),
                EventKind::Sample { sock, sample } => stats::line(*sock, sample),
                _ => continue,
            };
            // A closed stderr is no reason to stop moving data.
            let _ = writeln!(err, "{line}");
        }
    }

    /// Reports one event (or nothing, for routine data traffic in text mode:
    /// the bytes themselves are on stdout).
    pub fn report(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Connected { sock, peer, .. } => {
                self.peers.insert(*sock, peer.clone());
            }
            EventKind::Listening { sock, local, .. } => {
                self.peers.insert(*sock, local.clone());
            }
            _ => {}
        }
        if let Some(stats) = &mut self.stats {
            stats.observe(event);
        }
        if self.verbosity == Verbosity::Quiet && !must_say(&event.kind) {
            return;
        }
        let line = match &event.kind {
            EventKind::Sample { .. } => return,
            _ if self.json => Some(json::line(event)),
            _ => self.text(&event.kind),
        };
        if let Some(mut line) = line {
            // One write per line (`writeln!` on unbuffered stderr made two:
            // the accept row's server spent most of its syscalls there).
            line.push('\n');
            // A closed stderr is no reason to stop moving data.
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        }
    }

    fn text(&mut self, kind: &EventKind) -> Option<String> {
        let line = match kind {
            EventKind::Call(record) => {
                let routine = record.call.moves_data() && self.verbosity < Verbosity::Calls;
                match &record.result {
                    Ok(_) if routine => return None,
                    Ok(_) => python::line(record),
                    Err(err) => {
                        let target = self.target(record.sock, &record.call);
                        let message = err.message(record.call.name(), &target);
                        // Quiet, only the grammar line: what failed and what to try.
                        let line = if self.verbosity == Verbosity::Quiet {
                            format!("sockpit: {message}")
                        } else {
                            format!("{}\nsockpit: {message}", python::line(record))
                        };
                        self.said = Some(message);
                        line
                    }
                }
            }
            EventKind::Data(_) => return None,
            EventKind::Listening { sock, fd, local, kind } => {
                let exposed = if local.inet().is_none_or(|ip| ip.ip().is_loopback()) {
                    ""
                } else {
                    "; warning: reachable from other hosts"
                };
                let proto = kind.protocol(Family::of(local));
                format!("listening on {local} ({proto}, sock {sock}, fd {fd}){exposed}")
            }
            EventKind::Connected { sock, fd, local, peer } => {
                format!("connected {local} <-> {peer} (sock {sock}, fd {fd})")
            }
            EventKind::PeerEof { sock } => format!("peer closed its side of sock {sock} (EOF)"),
            EventKind::Closed { sock, reason: CloseReason::Local } => format!("sock {sock} closed"),
            EventKind::Closed { sock, reason: CloseReason::Failed(err) } => {
                format!("sock {sock} lost: {err}")
            }
            EventKind::Dropped { len, why } => format!("dropped {len} B: {why}"),
            EventKind::Rejected { peer, limit, .. } => {
                format!("rejected {peer}: already {limit} connections (--max-conns); reset it")
            }
            EventKind::Sample { .. } | EventKind::Kernel { .. } => return None,
            EventKind::Totals(moved) => super::totals::text(moved),
            EventKind::Transition(_)
                if self.stats.is_none() && self.verbosity < Verbosity::Kernel =>
            {
                return None;
            }
            EventKind::Transition(t) => stats::transition_line(t),
            EventKind::Fatal { error } if self.said.as_ref() == Some(&error.to_string()) => {
                return None;
            }
            EventKind::Fatal { error } => format!("sockpit: {error}"),
            EventKind::Relay(note) => self.relay_text(note)?,
            EventKind::Tls(event) => super::tls::text(event)?,
        };
        Some(sanitize::visible_text(line.as_bytes()))
    }

    /// A relay's pairs and faults, one line each.
    fn relay_text(&self, note: &RelayNote) -> Option<String> {
        Some(match note {
            RelayNote::Pair { client, server, client_addr, faults } if faults.is_empty() => {
                format!("relay: {client_addr} (sock {client}) <-> upstream (sock {server})")
            }
            RelayNote::Pair { client, server, client_addr, faults } => format!(
                "relay: {client_addr} (sock {client}) <-> upstream (sock {server}); faults: {}",
                faults.join(", ")
            ),
            // The failed call said it already, in the error grammar.
            RelayNote::NoUpstream { error, .. } if self.said == Some(error.to_string()) => {
                return None;
            }
            RelayNote::NoUpstream { error, .. } => format!("sockpit: {error}"),
            RelayNote::Fault { client, what } => {
                format!("relay: {what} closes sock {client}'s pair")
            }
            RelayNote::Idle { server, client_addr } => {
                format!("relay: upstream sock {server} for {client_addr} idle; closed")
            }
            RelayNote::Held(h) => format!(
                "relay: sock {}'s {} {}: {} chunks, {} B waiting",
                h.client,
                h.way.arrow(),
                if h.on { "held" } else { "flowing" },
                h.count,
                h.bytes
            ),
            RelayNote::Injected { client, way, len } => {
                format!("relay: {len} B injected into sock {client}'s {}", way.arrow())
            }
        })
    }

    /// What a failed call was aimed at, for the error message.
    fn target(&self, sock: SockId, call: &Call) -> String {
        match call {
            Call::Bind(a) | Call::Connect(a) | Call::SendTo { to: a, .. } => a.to_string(),
            _ => self
                .peers
                .get(&sock)
                .map_or_else(|| self.default_target.clone(), ToString::to_string),
        }
    }
}

/// What `-q` still reports: failures, lost data and refused peers, and
/// the totals a `--source`/`--sink` run was started for.
fn must_say(kind: &EventKind) -> bool {
    match kind {
        EventKind::Call(record) => record.result.is_err(),
        EventKind::Closed { reason, .. } => matches!(reason, CloseReason::Failed(_)),
        EventKind::Dropped { .. }
        | EventKind::Rejected { .. }
        | EventKind::Fatal { .. }
        | EventKind::Totals(_) => true,
        _ => false,
    }
}
