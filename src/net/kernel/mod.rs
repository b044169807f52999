//! The session's view of what the kernel does on its own: each tick it lists
//! TCP sockets through `NETLINK_SOCK_DIAG`, keeps those that belong to this
//! session but have no fd (queued connections, what is left after close, the
//! peer's end on this machine), and turns every state change it sees into a
//! [`Transition`] — the kernel's doing, never a call of ours.

mod diag;
pub mod sample;
pub(in crate::net) mod sys;
pub(crate) mod tcp_state;
pub(crate) mod ticker;
mod waiting;

pub(crate) use waiting::read_waiting;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::os::fd::AsFd;

use crate::net::event::SockId;
use crate::net::kernel::diag::{Diag, DiagEntry};
use crate::net::kernel::tcp_state::TcpState;

/// Which of this session's sockets a kernel-listed socket is, or belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Whose {
    /// One of ours that still has an fd (its figures come from samples).
    Ours { sock: SockId },
    /// Waiting in our listener's accept queue: no `accept()` has taken it.
    Queued { listener: SockId },
    /// What the kernel keeps of our socket after `close()`: `FIN_WAIT`,
    /// `TIME_WAIT`, `LAST_ACK`.
    Remains { sock: SockId },
    /// The other end of our connection `sock` (or of a queued one), living
    /// on this machine.
    PeerEnd { sock: Option<SockId> },
}

/// A socket the kernel lists that no fd of ours refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagSocket {
    pub whose: Whose,
    pub state: TcpState,
    pub local: SocketAddr,
    pub peer: SocketAddr,
    pub recv_q: u32,
    pub send_q: u32,
}

/// A state change seen between two kernel listings. `from: None` is a socket
/// that appeared, `to: None` one the kernel forgot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub whose: Whose,
    pub local: SocketAddr,
    pub peer: SocketAddr,
    pub from: Option<TcpState>,
    pub to: Option<TcpState>,
}

/// One socket of this session, as registered when it came to life.
#[derive(Debug, Clone, Copy)]
struct Known {
    local: SocketAddr,
    /// `None` for a listener.
    peer: Option<SocketAddr>,
    inode: u64,
}

/// Lists and classifies; remembers the last listing to see changes.
pub(crate) struct KernelWatch {
    /// Opened at the first tick with something to watch (never for UDP).
    diag: Option<Result<Diag, ()>>,
    known: BTreeMap<SockId, Known>,
    /// `known`, keyed for lookups; rebuilt when `known` changes.
    index: Option<Index>,
    /// What the last listing showed of this session's sockets.
    last: HashMap<Key, Listed>,
}

/// A listed socket's key: its local and peer address.
type Key = (SocketAddr, SocketAddr);

/// What is remembered of a listed socket between ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Listed {
    whose: Whose,
    state: TcpState,
    recv_q: u32,
    send_q: u32,
}

/// What one tick found: the fd-less list when it changed, and transitions.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub list: Option<Vec<DiagSocket>>,
    pub transitions: Vec<Transition>,
}

impl KernelWatch {
    /// A watch; without a netlink socket (not Linux, or refused) every tick
    /// finds nothing.
    pub fn new() -> Self {
        Self { diag: None, known: BTreeMap::new(), index: None, last: HashMap::new() }
    }

    /// Registers a TCP socket of ours: a listener (`peer: None`) or a
    /// connection. Its inode tells it apart from the sockets without an fd.
    pub fn register(
        &mut self,
        sock: SockId,
        socket: &impl AsFd,
        local: SocketAddr,
        peer: Option<SocketAddr>,
    ) {
        if let Ok(inode) = sys::inode(socket.as_fd()) {
            self.known.insert(sock, Known { local, peer, inode });
            self.index = None;
        }
    }

    /// Starts watching a socket whose inode the caller has read.
    pub fn register_inode(
        &mut self,
        sock: SockId,
        inode: u64,
        local: SocketAddr,
        peer: Option<SocketAddr>,
    ) {
        self.known.insert(sock, Known { local, peer, inode });
        self.index = None;
    }

    /// Lists the kernel's sockets and reports what changed since last time.
    pub fn tick(&mut self) -> Seen {
        if self.known.is_empty() {
            return Seen::default();
        }
        let diag = self.diag.get_or_insert_with(|| Diag::open().map_err(drop));
        // Only the families in use: each dump walks the kernel's whole table.
        let v4 = self.known.values().any(|k| k.local.is_ipv4());
        let v6 = self.known.values().any(|k| k.local.is_ipv6());
        let mut ports: Vec<u16> = self.known.values().map(|k| k.local.port()).collect();
        ports.sort_unstable();
        ports.dedup();
        let Some(entries) = diag.as_mut().ok().and_then(|d| d.dump_tcp(v4, v6, &ports).ok()) else {
            return Seen::default();
        };
        self.observe(&entries)
    }

    /// The classification and change detection, apart from the netlink call
    /// so that tests can feed it listings. An unchanged listing (the usual
    /// tick) costs one lookup per listed socket and nothing more.
    fn observe(&mut self, entries: &[DiagEntry]) -> Seen {
        let index = self.index.get_or_insert_with(|| Index::new(&self.known));
        let mut now = HashMap::with_capacity(self.last.len());
        // Connections accept() took before the session registered them.
        let mut untracked_fds = HashSet::new();
        for e in entries {
            let Some(whose) = index.classify(e) else {
                if e.inode != 0 {
                    untracked_fds.insert((e.local, e.peer));
                }
                continue;
            };
            let listed = Listed { whose, state: e.state, recv_q: e.recv_q, send_q: e.send_q };
            now.insert((e.local, e.peer), listed);
        }
        if now == self.last {
            return Seen::default();
        }
        let mut seen = Seen::default();
        for (key, l) in &now {
            let before = self.last.get(key).map(|b| b.state);
            // A socket of ours appearing is our own call's doing (listen,
            // accept, connect), not the kernel's.
            let ours_new = before.is_none() && matches!(l.whose, Whose::Ours { .. });
            if before != Some(l.state) && !ours_new {
                seen.transitions.push(change(l.whose, *key, before, Some(l.state)));
            }
        }
        for (key, l) in &self.last {
            // A queued connection that now has an fd was taken by accept().
            let accepted = matches!(l.whose, Whose::Queued { .. }) && untracked_fds.contains(key);
            if !now.contains_key(key) && !accepted && !matches!(l.whose, Whose::Ours { .. }) {
                seen.transitions.push(change(l.whose, *key, Some(l.state), None));
            }
        }
        seen.transitions.sort_by_key(|t| (t.local, t.peer));
        let old = fd_less(&self.last);
        let new = fd_less(&now);
        if new != old {
            seen.list = Some(new);
        }
        // A socket the kernel no longer lists in any form is forgotten.
        let matched: HashSet<SockId> = now.values().filter_map(|l| l.whose.sock()).collect();
        let before = self.known.len();
        self.known.retain(|id, _| matched.contains(id));
        if self.known.len() != before {
            self.index = None;
        }
        self.last = now;
        seen
    }
}

/// The fd-less sockets of a listing, in address order.
fn fd_less(listing: &HashMap<Key, Listed>) -> Vec<DiagSocket> {
    let mut list: Vec<DiagSocket> = listing
        .iter()
        .filter(|(_, l)| !matches!(l.whose, Whose::Ours { .. }))
        .map(|(&(local, peer), l)| DiagSocket {
            whose: l.whose,
            state: l.state,
            local,
            peer,
            recv_q: l.recv_q,
            send_q: l.send_q,
        })
        .collect();
    list.sort_by_key(|d| (d.local, d.peer));
    list
}

impl Whose {
    /// The socket of ours this is, or belongs to (a queued connection
    /// belongs to its listener).
    #[must_use]
    pub fn sock(self) -> Option<SockId> {
        match self {
            Self::Ours { sock } | Self::Remains { sock } | Self::PeerEnd { sock: Some(sock) } => {
                Some(sock)
            }
            Self::Queued { listener } => Some(listener),
            Self::PeerEnd { sock: None } => None,
        }
    }
}

/// The known sockets keyed the ways a listing is matched, so that a tick
/// costs one lookup per listed socket (a thousand connections list two
/// thousand sockets, four times a second).
struct Index {
    by_inode: HashMap<u64, SockId>,
    by_tuple: HashMap<(SocketAddr, SocketAddr), SockId>,
    listeners: Vec<(SockId, SocketAddr)>,
}

impl Index {
    fn new(known: &BTreeMap<SockId, Known>) -> Self {
        let mut index =
            Self { by_inode: HashMap::new(), by_tuple: HashMap::new(), listeners: Vec::new() };
        for (&sock, k) in known {
            index.by_inode.insert(k.inode, sock);
            match k.peer {
                Some(peer) => {
                    index.by_tuple.insert((k.local, peer), sock);
                }
                None => index.listeners.push((sock, k.local)),
            }
        }
        index
    }

    /// Whose `e` is, and which known socket it accounts for; `None` when it
    /// is not this session's business.
    fn classify(&self, e: &DiagEntry) -> Option<Whose> {
        if e.inode != 0 {
            if let Some(&sock) = self.by_inode.get(&e.inode) {
                return Some(Whose::Ours { sock });
            }
        } else if let Some(&sock) = self.by_tuple.get(&(e.local, e.peer)) {
            return Some(Whose::Remains { sock });
        }
        if let Some(&sock) = self.by_tuple.get(&(e.peer, e.local)) {
            return Some(Whose::PeerEnd { sock: Some(sock) });
        }
        if e.state == TcpState::Listen {
            return None;
        }
        for &(listener, bound) in &self.listeners {
            if e.inode == 0 && serves(bound, e.local) {
                return Some(Whose::Queued { listener });
            }
            if serves(bound, e.peer) {
                return Some(Whose::PeerEnd { sock: None });
            }
        }
        None
    }
}

/// Whether a listener bound to `bound` accepts connections to `addr`.
fn serves(bound: SocketAddr, addr: SocketAddr) -> bool {
    bound.port() == addr.port() && (bound.ip().is_unspecified() || bound.ip() == addr.ip())
}

fn change(
    whose: Whose,
    (local, peer): (SocketAddr, SocketAddr),
    from: Option<TcpState>,
    to: Option<TcpState>,
) -> Transition {
    Transition { whose, local, peer, from, to }
}

#[cfg(test)]
mod tests;
