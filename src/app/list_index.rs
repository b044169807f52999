//! The Socket pane's list kept in order as events arrive, so that a frame
//! over 10,000 connections reads only the rows in view: the listener and
//! connection ids in sorted vectors (a row's position is a binary search,
//! row `i` an index) and the live connections counted, never walked.

use std::collections::BTreeSet;

use super::sockets::SocketInfo;
use crate::net::{EventKind, SockId};

/// Listeners, connections and live sockets of one end, by id.
#[derive(Debug, Clone, Default)]
pub struct ListIndex {
    /// Listening sockets, ascending ids.
    listeners: Vec<SockId>,
    /// Connections (accepted or connected once, open or closed since),
    /// ascending ids: oldest first.
    conns: Vec<SockId>,
    /// Sockets that are not listeners and can still carry data.
    live: BTreeSet<SockId>,
}

/// The socket an event is about, if one.
#[must_use]
pub fn sock_of(kind: &EventKind) -> Option<SockId> {
    match kind {
        EventKind::Call(rec) => Some(rec.sock),
        EventKind::Data(d) => Some(d.sock),
        EventKind::Connected { sock, .. }
        | EventKind::Listening { sock, .. }
        | EventKind::PeerEof { sock }
        | EventKind::Sample { sock, .. }
        | EventKind::Closed { sock, .. }
        | EventKind::Rejected { sock, .. } => Some(*sock),
        _ => None,
    }
}

/// Puts `id` into or out of the sorted `ids`.
fn set(ids: &mut Vec<SockId>, id: SockId, member: bool) {
    match (ids.binary_search(&id), member) {
        (Err(i), true) => ids.insert(i, id),
        (Ok(i), false) => {
            ids.remove(i);
        }
        _ => {}
    }
}

impl ListIndex {
    /// Files socket `id` again after an event changed it; `opened` says
    /// whether it ever connected or listened (a socket made by hand that
    /// did neither is no connection).
    pub fn touch(&mut self, id: SockId, info: Option<&SocketInfo>, opened: bool) {
        let listener = info.is_some_and(|s| s.listener);
        let conn = info.is_some_and(|s| !s.listener && s.fd.is_some()) && opened;
        set(&mut self.listeners, id, listener);
        set(&mut self.conns, id, conn);
        if info.is_some_and(|s| !s.listener && s.state.live()) {
            self.live.insert(id);
        } else {
            self.live.remove(&id);
        }
    }

    /// Listeners, then connections: how many rows a stream server lists.
    #[must_use]
    pub fn row_count(&self) -> usize {
        self.listeners.len() + self.conns.len()
    }

    /// Connections listed (closed ones too).
    #[must_use]
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Live sockets that are not listeners.
    #[must_use]
    pub fn live(&self) -> usize {
        self.live.len()
    }

    /// The newest live socket that is not a listener: where sends go
    /// (`Sockets::current`), found without a walk.
    #[must_use]
    pub fn newest_live(&self) -> Option<SockId> {
        self.live.last().copied()
    }

    /// The id at row `i`: listeners first, then connections.
    #[must_use]
    pub fn at(&self, i: usize) -> Option<SockId> {
        match i.checked_sub(self.listeners.len()) {
            None => self.listeners.get(i).copied(),
            Some(j) => self.conns.get(j).copied(),
        }
    }

    /// The row of socket `id`, if listed.
    #[must_use]
    pub fn position(&self, id: SockId) -> Option<usize> {
        if let Ok(i) = self.listeners.binary_search(&id) {
            return Some(i);
        }
        self.conns.binary_search(&id).ok().map(|j| self.listeners.len() + j)
    }

    /// The listeners' ids, ascending.
    #[must_use]
    pub fn listeners(&self) -> &[SockId] {
        &self.listeners
    }

    /// Every listed id in row order.
    pub fn ids(&self) -> impl Iterator<Item = SockId> + '_ {
        self.listeners.iter().chain(&self.conns).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_stay_sorted_listeners_first_and_positions_agree() {
        let mut ix = ListIndex::default();
        let conn = |id, live: bool| {
            let mut s = SocketInfo {
                id,
                fd: Some(3),
                family: None,
                kind: crate::net::Kind::Stream,
                local: None,
                peer: None,
                timeout: None,
                nonblock: true,
                listener: false,
                state: crate::app::sockets::State::Established,
                bytes_sent: 0,
                calls_sent: 0,
                bytes_received: 0,
                calls_received: 0,
            };
            if !live {
                s.state = crate::app::sockets::State::Closed;
            }
            s
        };
        for id in [5, 3, 4] {
            ix.touch(id, Some(&conn(id, true)), true);
        }
        let mut listener = conn(1, false);
        listener.listener = true;
        ix.touch(1, Some(&listener), true);
        ix.touch(4, Some(&conn(4, false)), true);
        // Made by hand, never opened: not a row.
        ix.touch(9, Some(&conn(9, true)), false);
        assert_eq!(ix.ids().collect::<Vec<_>>(), [1, 3, 4, 5]);
        assert_eq!((ix.row_count(), ix.connections(), ix.live()), (4, 3, 3));
        assert_eq!(ix.newest_live(), Some(9));
        assert_eq!(
            (ix.position(4), ix.at(2), ix.position(9), ix.at(4)),
            (Some(2), Some(4), None, None)
        );
    }
}
