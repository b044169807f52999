//! Where a server's input goes. A TCP server lists its listener and every
//! connection (closed ones kept); a UDP server lists the peers it has heard
//! from, by address. The selected row is the send target: by default the
//! newest live connection or the last sender, followed until the user picks
//! a row (Up/Down in the Socket pane, or a click); End follows again.

use std::collections::{BTreeMap, HashMap};

use crate::net::Addr;

use super::end::EndState;
use super::list_index::{self, ListIndex};
use super::sockets::SocketInfo;
use crate::net::{Dir, EventKind, Kind, Micros, SockId, To};

/// One UDP peer, from the datagrams exchanged with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub addr: Addr,
    pub first: Micros,
    pub last: Micros,
    pub dgrams_in: u64,
    pub bytes_in: u64,
    pub dgrams_out: u64,
    pub bytes_out: u64,
}

/// A row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Sock(SockId),
    Peer(Addr),
}

/// The list's state: peers, socket lifetimes and the user's pick.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// UDP server: every peer, in the order first heard from.
    pub peers: Vec<Peer>,
    /// When each socket connected or started listening.
    pub opened: BTreeMap<SockId, Micros>,
    /// When each socket closed (its age stops there).
    pub closed: BTreeMap<SockId, Micros>,
    /// The row the user picked; `None` follows the default.
    pub picked: Option<Row>,
    /// UDP server: who sent the last datagram.
    pub last_sender: Option<Addr>,
    /// Where each peer is in `peers`, so a datagram finds its peer without
    /// a walk through thousands of them.
    index: HashMap<Addr, usize>,
    /// A stream server's rows, kept in order as events arrive.
    list: ListIndex,
}

impl Targets {
    /// Updates peers and lifetimes from one event of a session.
    pub fn update(&mut self, at: Micros, kind: &EventKind, udp_server: bool) {
        match kind {
            EventKind::Connected { sock, .. } | EventKind::Listening { sock, .. } => {
                self.opened.insert(*sock, at);
                self.closed.remove(sock);
            }
            EventKind::Closed { sock, .. } => {
                self.closed.entry(*sock).or_insert(at);
            }
            EventKind::Data(d) if udp_server => {
                let Some(addr) = &d.peer else { return };
                let i = match self.position(addr) {
                    Some(i) => i,
                    None => {
                        self.peers.push(Peer {
                            addr: addr.clone(),
                            first: at,
                            last: at,
                            dgrams_in: 0,
                            bytes_in: 0,
                            dgrams_out: 0,
                            bytes_out: 0,
                        });
                        self.index.insert(addr.clone(), self.peers.len() - 1);
                        self.peers.len() - 1
                    }
                };
                let p = &mut self.peers[i];
                let len = d.data.len() as u64;
                match d.dir {
                    Dir::Received => {
                        p.last = at;
                        (p.dgrams_in, p.bytes_in) = (p.dgrams_in + 1, p.bytes_in + len);
                        self.last_sender = Some(addr.clone());
                    }
                    Dir::Sent => {
                        (p.dgrams_out, p.bytes_out) = (p.dgrams_out + 1, p.bytes_out + len);
                    }
                }
            }
            _ => {}
        }
    }

    /// Where the peer `addr` is in `peers`; a walk only if `peers` (a
    /// public field) was changed behind the index's back.
    pub(crate) fn position(&self, addr: &Addr) -> Option<usize> {
        if self.index.len() != self.peers.len() {
            return self.peers.iter().position(|p| p.addr == *addr);
        }
        let i = *self.index.get(addr)?;
        self.peers.get(i).is_some_and(|p| p.addr == *addr).then_some(i)
    }

    /// The UDP peer `addr`, if heard from.
    #[must_use]
    pub fn peer(&self, addr: &Addr) -> Option<&Peer> {
        self.position(addr).and_then(|i| self.peers.get(i))
    }

    /// A stream server's listeners, ascending ids.
    #[must_use]
    pub fn listeners(&self) -> &[SockId] {
        self.list.listeners()
    }

    /// A new session numbers its sockets from 1 again: its rows are new.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// How long socket `id` has lived (until it closed), at `now`.
    #[must_use]
    pub fn age(&self, id: SockId, now: Micros) -> Option<Micros> {
        let opened = *self.opened.get(&id)?;
        let until = self.closed.get(&id).copied().unwrap_or(now);
        Some(until.saturating_sub(opened))
    }
}

/// Why a line, `/close` or `/all` reaches nobody: the hint the input line
/// shows instead of sending (a refusal, not a failed call, so no errno).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoTarget {
    /// A UDP server that has heard from nobody.
    #[error("nobody to answer yet: no datagram has arrived; send from a client first")]
    NoDatagramYet,
    /// A connection server with no live connection.
    #[error(
        "no live connection: nothing sent; closed rows stay listed but cannot be written to; \
         connect a client, then press Enter"
    )]
    NoLiveConnection,
    /// `/all` on a UDP server that has heard from nobody.
    #[error("/all: no peer has sent a datagram yet: nothing sent")]
    AllNoPeer,
    /// `/all` on a connection server with no live connection.
    #[error("/all: no live connection: nothing sent")]
    AllNoConnection,
}

impl EndState {
    /// A TCP server (lists sockets) or a UDP server (lists peers).
    fn serves(&self, kind: Kind) -> bool {
        self.role.is_server() && self.kind == kind
    }

    /// A server of connections (TCP, Unix stream or seqpacket).
    fn serves_connections(&self) -> bool {
        self.role.is_server() && self.kind.is_connected()
    }

    /// Files the socket an event was about again (after every part of the
    /// end saw the event), so the list never walks all sockets.
    pub(crate) fn reindex(&mut self, kind: &EventKind) {
        let Some(id) = list_index::sock_of(kind) else { return };
        let opened = self.targets.opened.contains_key(&id);
        self.targets.list.touch(id, self.sockets.all.get(&id), opened);
    }

    /// Whether the Socket pane shows a list: a server once it has a
    /// connection or a peer.
    #[must_use]
    pub fn has_list(&self) -> bool {
        (self.serves_connections() && self.targets.list.connections() > 0)
            || (self.serves(Kind::Dgram) && !self.targets.peers.is_empty())
    }

    /// How many rows the list has.
    #[must_use]
    pub fn row_count(&self) -> usize {
        match (self.has_list(), self.kind) {
            (false, _) => 0,
            (true, Kind::Dgram) => self.targets.peers.len(),
            (true, _) => self.targets.list.row_count(),
        }
    }

    /// Row `i` of the list, without building the others.
    #[must_use]
    pub fn row(&self, i: usize) -> Option<Row> {
        if !self.has_list() {
            return None;
        }
        if self.kind == Kind::Dgram {
            return self.targets.peers.get(i).map(|p| Row::Peer(p.addr.clone()));
        }
        self.targets.list.at(i).map(Row::Sock)
    }

    /// The socket at row `i` of a connection server's list (no UDP peers).
    #[must_use]
    pub fn row_sock(&self, i: usize) -> Option<SockId> {
        if self.kind == Kind::Dgram {
            return None;
        }
        self.targets.list.at(i)
    }

    /// Where `row` is in the list: a binary search or a hash look-up.
    fn position(&self, row: &Row) -> Option<usize> {
        if !self.has_list() {
            return None;
        }
        match (row, self.kind) {
            (Row::Peer(addr), Kind::Dgram) => self.targets.position(addr),
            (Row::Sock(id), kind) if kind != Kind::Dgram => self.targets.list.position(*id),
            _ => None,
        }
    }

    /// Connections listed (closed ones too), and the live ones.
    #[must_use]
    pub fn connection_counts(&self) -> (usize, usize) {
        (self.targets.list.connections(), self.targets.list.live())
    }

    /// The list's rows: listeners first, then connections oldest first; or
    /// the UDP peers, first heard from first.
    #[must_use]
    pub fn rows(&self) -> Vec<Row> {
        if !self.has_list() {
            return Vec::new();
        }
        if self.kind == Kind::Dgram {
            return self.targets.peers.iter().map(|p| Row::Peer(p.addr.clone())).collect();
        }
        self.targets.list.ids().map(Row::Sock).collect()
    }

    /// The row shown selected: the pick, else the default target (newest
    /// live connection, else the listener; the last sender).
    #[must_use]
    pub fn selected_row(&self) -> Option<usize> {
        let picked = self.targets.picked.as_ref().and_then(|r| self.position(r));
        picked.or_else(|| {
            let wanted = if self.kind == Kind::Dgram {
                self.targets.last_sender.clone().map(Row::Peer)
            } else {
                // The newest live connection from the index; a walk only
                // when none is live.
                let live = self.targets.list.newest_live();
                live.or_else(|| self.sockets.shown().map(|s| s.id)).map(Row::Sock)
            };
            wanted.and_then(|w| self.position(&w))
        })
    }

    /// Moves the selection `delta` rows (Up/Down); the user has picked.
    pub fn move_selection(&mut self, delta: isize) {
        let Some(last) = self.row_count().checked_sub(1) else { return };
        let from = self.selected_row().unwrap_or(last);
        let to = from.saturating_add_signed(delta).min(last);
        if let Some(row) = self.row(to) {
            self.targets.picked = Some(row);
        }
    }

    /// Selects row `i` (a click).
    pub fn select_row(&mut self, i: usize) {
        if let Some(row) = self.row(i) {
            self.targets.picked = Some(row);
        }
    }

    /// End: back to following the newest connection or the last sender.
    pub fn follow(&mut self) {
        self.targets.picked = None;
    }

    /// The socket the panel details: a picked socket row, else the default.
    #[must_use]
    pub fn detailed(&self) -> Option<&SocketInfo> {
        match self.targets.picked {
            Some(Row::Sock(id)) if self.serves_connections() => {
                self.sockets.all.get(&id).or_else(|| self.sockets.shown())
            }
            _ => self.sockets.shown(),
        }
    }

    /// Where a line goes now: the selected connection or peer (a listener
    /// or closed row: the newest live connection), or why nothing can be
    /// sent. Clients always send on their one socket.
    ///
    /// # Errors
    /// A hint for the user when the server has nobody to send to.
    pub fn send_target(&self) -> Result<To, NoTarget> {
        if self.serves(Kind::Dgram) {
            let picked = match &self.targets.picked {
                Some(Row::Peer(a)) => Some(a),
                _ => None,
            };
            return picked
                .or(self.targets.last_sender.as_ref())
                .cloned()
                .map(To::Peer)
                .ok_or(NoTarget::NoDatagramYet);
        }
        if !self.serves_connections() {
            return Ok(To::Current);
        }
        if let Some(Row::Sock(id)) = self.targets.picked
            && let Some(s) = self.sockets.all.get(&id)
            && !s.listener
            && s.state.live()
        {
            return Ok(To::Sock(id));
        }
        match self.sockets.current() {
            Some(s) => Ok(To::Sock(s.id)),
            None => Err(NoTarget::NoLiveConnection),
        }
    }

    /// `/all`: every live connection or every peer heard from, or why not.
    ///
    /// # Errors
    /// A hint when there is nobody to broadcast to.
    pub fn broadcast_target(&self) -> Result<To, NoTarget> {
        if self.serves(Kind::Dgram) && self.targets.peers.is_empty() {
            return Err(NoTarget::AllNoPeer);
        }
        if self.serves_connections() && self.sockets.live_connections() == 0 {
            return Err(NoTarget::AllNoConnection);
        }
        Ok(if self.role.is_server() { To::All } else { To::Current })
    }

    /// The status bar's `→ 127.0.0.1:50512 (sock 3)`, for a server with
    /// someone to send to.
    #[must_use]
    pub fn target_label(&self) -> Option<String> {
        if !self.role.is_server() {
            return None;
        }
        Some(match self.send_target() {
            Ok(To::Sock(id)) => {
                let peer = self.sockets.all.get(&id).and_then(|s| s.peer.clone());
                let peer = peer.map_or_else(|| "?".into(), |p| p.to_string());
                format!("→ {peer} (sock {id})")
            }
            Ok(To::Peer(a)) if self.targets.picked.is_some() => format!("→ {a} (picked)"),
            Ok(To::Peer(a)) => format!("→ {a} (last sender)"),
            Ok(_) | Err(_) => return None,
        })
    }
}

impl EndState {
    /// Resolves a command's `To::Current` to the selected target and checks
    /// `To::All` has someone to reach.
    ///
    /// # Errors
    /// The hint to show when nobody would receive it.
    pub fn aim(&self, to: To) -> Result<To, NoTarget> {
        match to {
            To::Current => self.send_target(),
            To::All => self.broadcast_target(),
            other => Ok(other),
        }
    }

    /// How many copies of the data a send to `to` makes (for the pending
    /// count, which each sent copy brings down).
    #[must_use]
    pub fn copies(&self, to: To) -> u64 {
        match (to, self.role.is_server(), self.kind) {
            (To::All, true, Kind::Dgram) => self.targets.peers.len() as u64,
            (To::All, true, Kind::Stream | Kind::SeqPacket) => {
                self.sockets.live_connections() as u64
            }
            _ => 1,
        }
    }
}
