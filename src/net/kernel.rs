//! The session's view of what the kernel does on its own: each tick it lists
//! TCP sockets through NETLINK_SOCK_DIAG, keeps those that belong to this
//! session but have no fd (queued connections, what is left after close, the
//! peer's end on this machine), and turns every state change it sees into a
//! [`Transition`] — the kernel's doing, never a call of ours.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::os::fd::AsFd;

use super::diag::{Diag, DiagEntry};
use super::event::SockId;
use super::sys;
use super::tcp_state::TcpState;

/// Which of this session's sockets a kernel-listed socket is, or belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// One of ours that still has an fd (its figures come from samples).
    Ours { sock: SockId },
    /// Waiting in our listener's accept queue: no `accept()` has taken it.
    Queued { listener: SockId },
    /// What the kernel keeps of our socket after `close()`: FIN_WAIT,
    /// TIME_WAIT, LAST_ACK.
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
    last: BTreeMap<(SocketAddr, SocketAddr), (Whose, TcpState)>,
    shown: Vec<DiagSocket>,
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
        Self { diag: None, known: BTreeMap::new(), last: BTreeMap::new(), shown: Vec::new() }
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
        }
    }

    /// Lists the kernel's sockets and reports what changed since last time.
    pub fn tick(&mut self) -> Seen {
        if self.known.is_empty() {
            return Seen::default();
        }
        let diag = self.diag.get_or_insert_with(|| Diag::open().map_err(drop));
        let Some(entries) = diag.as_mut().ok().and_then(|d| d.dump_tcp().ok()) else {
            return Seen::default();
        };
        self.observe(&entries)
    }

    /// The classification and change detection, apart from the netlink call
    /// so that tests can feed it listings.
    fn observe(&mut self, entries: &[DiagEntry]) -> Seen {
        let mut now = BTreeMap::new();
        let mut list = Vec::new();
        let mut matched = BTreeSet::new();
        for e in entries {
            let Some((whose, sock)) = self.classify(e) else { continue };
            if let Some(sock) = sock {
                matched.insert(sock);
            }
            now.insert((e.local, e.peer), (whose, e.state));
            if !matches!(whose, Whose::Ours { .. }) {
                let (local, peer, state) = (e.local, e.peer, e.state);
                list.push(DiagSocket {
                    whose,
                    state,
                    local,
                    peer,
                    recv_q: e.recv_q,
                    send_q: e.send_q,
                });
            }
        }
        // A socket the kernel no longer lists in any form is forgotten.
        self.known.retain(|id, _| matched.contains(id));
        let mut seen = Seen::default();
        for (key, &(whose, state)) in &now {
            let before = self.last.get(key).map(|&(_, s)| s);
            // A socket of ours appearing is our own call's doing (listen,
            // accept, connect), not the kernel's.
            let ours_new = before.is_none() && matches!(whose, Whose::Ours { .. });
            if before != Some(state) && !ours_new {
                seen.transitions.push(change(whose, *key, before, Some(state)));
            }
        }
        // A queued connection that now has an fd was taken by accept().
        let with_fd: BTreeSet<_> =
            entries.iter().filter(|e| e.inode != 0).map(|e| (e.local, e.peer)).collect();
        for (key, &(whose, state)) in &self.last {
            let accepted = matches!(whose, Whose::Queued { .. }) && with_fd.contains(key);
            if !now.contains_key(key) && !accepted && !matches!(whose, Whose::Ours { .. }) {
                seen.transitions.push(change(whose, *key, Some(state), None));
            }
        }
        list.sort_by_key(|d| (d.local, d.peer));
        if list != self.shown {
            self.shown.clone_from(&list);
            seen.list = Some(list);
        }
        self.last = now;
        seen
    }

    /// Whose `e` is, and which known socket it accounts for; `None` when it
    /// is not this session's business.
    fn classify(&self, e: &DiagEntry) -> Option<(Whose, Option<SockId>)> {
        let tuple = (e.local, Some(e.peer));
        for (&sock, k) in &self.known {
            if e.inode != 0 && e.inode == k.inode {
                return Some((Whose::Ours { sock }, Some(sock)));
            }
            if e.inode == 0 && k.peer.is_some() && (k.local, k.peer) == tuple {
                return Some((Whose::Remains { sock }, Some(sock)));
            }
            if k.peer == Some(e.local) && k.local == e.peer {
                return Some((Whose::PeerEnd { sock: Some(sock) }, Some(sock)));
            }
        }
        for (&listener, k) in &self.known {
            if k.peer.is_some()
                || k.local.port() != e.local.port() && k.local.port() != e.peer.port()
            {
                continue;
            }
            if e.inode == 0 && e.state != TcpState::Listen && serves(k.local, e.local) {
                return Some((Whose::Queued { listener }, Some(listener)));
            }
            if serves(k.local, e.peer) && e.state != TcpState::Listen {
                return Some((Whose::PeerEnd { sock: None }, Some(listener)));
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
#[path = "kernel_tests.rs"]
mod tests;
