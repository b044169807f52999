//! A relay end beside what every server has: its pairs of legs, which way
//! each leg's bytes go (the history's two lanes), the chunks held per
//! direction, the faults in force; and the relay's commands and keys:
//! `/to-server TEXT`, `/to-client TEXT`, `/hold`, `/release`, `/forward`,
//! `/drop`, `/edit`, `/edithex`, `/fault`.

use std::collections::{BTreeMap, HashMap, HashSet};

use bytes::Bytes;

use super::history::EntryKind;
use super::{App, Effect};
use crate::net::relay::{Fault, HeldView, RelayNote, RelayOp, Way};
use crate::net::{Addr, Command, EventKind, SockId, To};

/// One relayed client and its upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairView {
    pub server: SockId,
    pub client_addr: Addr,
}

/// What a relay end knows of its pairs.
#[derive(Debug, Clone, Default)]
pub struct RelayState {
    /// Where `TARGET` is, for the notes.
    pub target: String,
    /// Each leg's received bytes go this way: the history's lane.
    pub lanes: HashMap<SockId, Way>,
    /// By the client leg's id.
    pub pairs: BTreeMap<SockId, PairView>,
    /// Upstream leg → its pair's client leg.
    pub client_of: HashMap<SockId, SockId>,
    /// Sockets made as `upstream` (known before their pair is).
    pub upstreams: HashSet<SockId>,
    /// The last word on each held direction, by pair and way (up first).
    pub held: BTreeMap<(SockId, u8), HeldView>,
    /// The faults in force, as the status bar shows them.
    pub faults: Vec<String>,
}

/// The commands a relay adds, for error messages and help.
pub const COMMANDS: &str = "/to-server TEXT, /to-client TEXT, /hold [up|down], /release [up|down], /forward [all], \
     /drop, /edit TEXT, /edithex HEX, /fault SPEC | clear";

fn key(way: Way) -> u8 {
    u8::from(way == Way::Down)
}

impl RelayState {
    /// A relay to `target` with these faults from the command line.
    #[must_use]
    pub fn new(target: String, faults: &[Fault]) -> Self {
        Self { target, faults: faults.iter().map(ToString::to_string).collect(), ..Self::default() }
    }

    /// Learns from one event; a note for the history when it says one.
    pub fn update(&mut self, kind: &EventKind) -> Option<(EntryKind, SockId, String)> {
        match kind {
            EventKind::Call(rec) if rec.var == "upstream" => {
                self.upstreams.insert(rec.sock);
                None
            }
            EventKind::Relay(note) => self.note(note),
            _ => None,
        }
    }

    fn note(&mut self, note: &RelayNote) -> Option<(EntryKind, SockId, String)> {
        Some(match note {
            RelayNote::Pair { client, server, client_addr, faults } => {
                self.lanes.insert(*client, Way::Up);
                self.lanes.insert(*server, Way::Down);
                self.client_of.insert(*server, *client);
                let pair = PairView { server: *server, client_addr: client_addr.clone() };
                self.pairs.insert(*client, pair);
                let mut text = format!(
                    "pair: client {client_addr} (sock {client}) ⇄ server {} (sock {server})",
                    self.target
                );
                if !faults.is_empty() {
                    text.push_str(&format!("; faults: {}", faults.join(", ")));
                }
                (EntryKind::Info, *client, text)
            }
            RelayNote::NoUpstream { client, error } => {
                (EntryKind::Error, *client, format!("{error} (the client is closed)"))
            }
            RelayNote::Fault { client, what } => {
                (EntryKind::Info, *client, format!("fault {what} closes this pair"))
            }
            RelayNote::Idle { server, client_addr } => {
                (EntryKind::Info, *server, format!("{client_addr}'s upstream idle: closed"))
            }
            RelayNote::Held(view) => {
                let was = self.held.insert((view.client, key(view.way)), view.clone());
                if was.as_ref().is_some_and(|w| w.on == view.on) {
                    return None;
                }
                let text = if view.on {
                    format!("{} held: chunks wait (Alt-N forwards one)", view.way.arrow())
                } else {
                    format!("{} flowing again", view.way.arrow())
                };
                (EntryKind::Info, view.client, text)
            }
            RelayNote::Injected { client, way, len } => {
                (EntryKind::Info, *client, format!("injected {len} B {}", way.arrow()))
            }
        })
    }

    /// The pair a leg belongs to (its client leg's id).
    #[must_use]
    pub fn pair_of(&self, sock: SockId) -> Option<SockId> {
        if self.pairs.contains_key(&sock) { Some(sock) } else { self.client_of.get(&sock).copied() }
    }

    /// Whether `way` of `pair` is held now.
    #[must_use]
    pub fn is_held(&self, pair: SockId, way: Way) -> bool {
        self.held.get(&(pair, key(way))).is_some_and(|h| h.on)
    }

    /// The way whose first held chunk a forward, drop or edit acts on:
    /// client → server first.
    #[must_use]
    pub fn waiting(&self, pair: SockId) -> Option<&HeldView> {
        Way::BOTH.iter().filter_map(|w| self.held.get(&(pair, key(*w)))).find(|h| h.count > 0)
    }

    /// The status bar's words: held chunks and faults in force.
    #[must_use]
    pub fn status(&self) -> Option<String> {
        let held: usize = self.held.values().filter(|h| h.on).map(|h| h.count).sum();
        let holding = self.held.values().filter(|h| h.on).map(|h| h.way.name()).collect::<Vec<_>>();
        let mut parts = Vec::new();
        if !holding.is_empty() {
            parts.push(format!("HOLD {} ({held} waiting)", holding.join("+")));
        }
        if !self.faults.is_empty() {
            parts.push(format!("faults: {}", self.faults.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join(" │ "))
    }
}

/// Why a relay command has no pair to go to.
#[derive(Debug, thiserror::Error)]
enum NoPair {
    #[error("not a relay")]
    NotRelay,
    #[error("no client yet: nothing to hold, forward or inject")]
    NoClient,
}

impl App {
    /// The relay state of the active end, if it is a relay.
    fn relay(&self) -> Option<&RelayState> {
        self.end().relay.as_ref()
    }

    /// The pair commands go to: the selected row's, else the newest.
    fn aimed_pair(&self) -> Result<SockId, NoPair> {
        let relay = self.relay().ok_or(NoPair::NotRelay)?;
        let picked = match self.end().send_target() {
            Ok(To::Sock(id)) => relay.pair_of(id),
            _ => None,
        };
        picked.or_else(|| relay.pairs.keys().next_back().copied()).ok_or(NoPair::NoClient)
    }

    fn relay_command(&mut self, way: Option<Way>, op: RelayOp) -> Vec<Effect> {
        match self.aimed_pair() {
            Ok(pair) => {
                let command = Command::Relay { to: To::Sock(pair), way, op };
                vec![Effect::Command { end: self.active, command }]
            }
            Err(hint) => {
                self.refuse(hint.to_string());
                Vec::new()
            }
        }
    }

    /// A line typed into a relay: its command's effects, or `None` when it
    /// is not a relay (or not a relay's line).
    pub(super) fn relay_line(&mut self) -> Option<Vec<Effect>> {
        self.relay()?;
        let line = self.input.value().to_string();
        let Some(cmd) = line.strip_prefix('/') else {
            self.refuse(format!(
                "a relay passes what its ends say; to add bytes type /to-server TEXT or \
                 /to-client TEXT (relay commands: {COMMANDS})"
            ));
            return Some(Vec::new());
        };
        let (name, arg) = cmd.split_once(' ').unwrap_or((cmd, ""));
        let way = match arg.trim() {
            "up" => Some(Way::Up),
            "down" => Some(Way::Down),
            _ => None,
        };
        let effects = match name {
            "to-server" | "to-client" => {
                let mut data = arg.as_bytes().to_vec();
                data.extend_from_slice(self.eol.bytes());
                let way = if name == "to-server" { Way::Up } else { Way::Down };
                self.relay_command(Some(way), RelayOp::Inject(Bytes::from(data)))
            }
            "hold" => self.relay_command(way, RelayOp::Hold(true)),
            "release" => self.relay_command(way, RelayOp::Hold(false)),
            "forward" => return Some(self.held_op(RelayOp::Forward { all: arg.trim() == "all" })),
            "drop" => return Some(self.held_op(RelayOp::Drop)),
            "edit" | "edithex" => {
                let bytes = if name == "edit" {
                    crate::payload::parse_escapes(arg)
                } else {
                    crate::payload::parse_hex(arg)
                };
                match bytes {
                    Ok(bytes) => return Some(self.held_op(RelayOp::Edit(Bytes::from(bytes)))),
                    Err(e) => {
                        self.refuse(format!("/{name}: {e}; the held chunk is unchanged"));
                        return Some(Vec::new());
                    }
                }
            }
            "fault" => return Some(self.fault_line(arg)),
            // The usual commands (/close, /shutdown) work on a relay's legs.
            _ => return None,
        };
        self.input.take();
        Some(effects)
    }

    /// Forward, drop or edit the first held chunk of the aimed pair.
    pub(super) fn held_op(&mut self, op: RelayOp) -> Vec<Effect> {
        let Ok(pair) = self.aimed_pair() else {
            self.refuse("no client yet: nothing is held");
            return Vec::new();
        };
        let Some(way) = self.relay().and_then(|r| r.waiting(pair)).map(|h| h.way) else {
            self.refuse("nothing is held: Alt-U holds client → server, Alt-D server → client");
            return Vec::new();
        };
        self.input.take();
        self.relay_command(Some(way), op)
    }

    /// `/fault SPEC [SPEC ...]` or `/fault clear`: the faults of every pair,
    /// live, and of those to come.
    fn fault_line(&mut self, arg: &str) -> Vec<Effect> {
        let specs: Result<Vec<Fault>, _> = if arg.trim() == "clear" {
            Ok(Vec::new())
        } else {
            arg.split_whitespace().map(Fault::parse).collect()
        };
        let faults = match specs {
            Ok(f) if f.is_empty() && arg.trim() != "clear" => {
                self.refuse("/fault needs a fault (latency=200ms, ...) or clear");
                return Vec::new();
            }
            Ok(f) => f,
            Err(e) => {
                self.refuse(format!("/fault: {e}; nothing changed"));
                return Vec::new();
            }
        };
        self.input.take();
        if let Some(relay) = self.end_mut().relay.as_mut() {
            relay.faults = faults.iter().map(ToString::to_string).collect();
        }
        let command = Command::Relay { to: To::All, way: None, op: RelayOp::Faults(faults) };
        vec![Effect::Command { end: self.active, command }]
    }

    /// Alt-U / Alt-D: hold or release one way of the aimed pair.
    pub(super) fn toggle_way_hold(&mut self, way: Way) -> Vec<Effect> {
        let Ok(pair) = self.aimed_pair() else {
            self.refuse("no client yet: nothing to hold");
            return Vec::new();
        };
        let on = self.relay().is_some_and(|r| r.is_held(pair, way));
        self.relay_command(Some(way), RelayOp::Hold(!on))
    }

    /// Alt-E / Alt-J: the first held chunk into the input as `/edit`
    /// (escaped text) or `/edithex`, to change and send with Enter.
    pub(super) fn edit_held(&mut self, hex: bool) -> Vec<Effect> {
        let front = self.aimed_pair().ok().and_then(|pair| {
            self.relay().and_then(|r| r.waiting(pair)).and_then(|h| h.front.clone())
        });
        let Some(front) = front else {
            self.refuse("nothing is held to edit: Alt-U holds client → server first");
            return Vec::new();
        };
        let line = if hex {
            format!("/edithex {}", crate::payload::to_hex(&front))
        } else {
            format!("/edit {}", crate::payload::to_escaped(&front))
        };
        self.input.input = tui_input::Input::new(line);
        self.focus = super::Focus::Input;
        Vec::new()
    }
}
