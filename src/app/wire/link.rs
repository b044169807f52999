//! Which call caused a segment: `connect()` its SYN, `sendall()` its
//! PSH,ACK, `close()` its FIN. A call's result is reported once it
//! returns, and on loopback the kernel sends a call's segments while the
//! call runs, so the cause of a segment is the first call of the right
//! kind on its socket that answered at or after the segment's time; until
//! such a call has answered, the latest one before stands in (provisional,
//! and looked at again when the next call answers). Segments and calls
//! come from two sources (the capture's thread, the session) in either
//! order, so both ways are needed.

use crate::app::lifecycle::{Lifecycle, What};
use crate::app::sockets::Sockets;
use crate::app::wire::{Row, Wire};
use crate::net::{Addr, Call};

/// The kind of call a segment can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Connect,
    Accept,
    Send,
    Close,
    /// The peer's segments and the kernel's own ACKs.
    Nothing,
}

impl Want {
    fn matches(self, call: &Call) -> bool {
        match self {
            Self::Connect => matches!(call, Call::Connect(_) | Call::ConnectEx(_)),
            Self::Accept => matches!(call, Call::Accept),
            Self::Send => {
                matches!(call, Call::Send { .. } | Call::SendAll { .. } | Call::SendTo { .. })
            }
            Self::Close => matches!(call, Call::Close | Call::Shutdown(_)),
            Self::Nothing => false,
        }
    }
}

/// Lines looked at back from the newest, at most, for one segment.
const LOOK_BACK: u64 = 256;

/// Rows at the end still looked at again when a call answers.
const PENDING: usize = 64;

fn port(addr: Option<&Addr>) -> Option<u16> {
    addr.and_then(Addr::inet).map(|a| a.port())
}

/// Whether the call's socket can be the row's: its ports agree where
/// known (a listener has no peer; a closed socket is forgotten).
fn same_socket(sockets: &Sockets, sock: crate::net::SockId, row: &Row) -> bool {
    let Some(info) = sockets.all.get(&sock) else { return true };
    let (local, peer) = row.ends();
    port(info.local.as_ref()).is_none_or(|p| p == local.port())
        && port(info.peer.as_ref()).is_none_or(|p| p == peer.port())
}

/// The row's cause and whether it is final.
fn resolve(lifecycle: &Lifecycle, sockets: &Sockets, row: &Row) -> (Option<u64>, bool) {
    let at = row.seg.at_micros;
    let end = lifecycle.end_seq();
    let mut after = None;
    for seq in (lifecycle.first.max(end.saturating_sub(LOOK_BACK))..end).rev() {
        let Some(line) = lifecycle.get(seq) else { continue };
        let What::Call(rec) = &line.what else { continue };
        // A failed send put nothing on the wire; a refused connect did
        // send its SYN.
        if row.want == Want::Send && rec.result.is_err() {
            continue;
        }
        if !row.want.matches(&rec.call) || !same_socket(sockets, rec.sock, row) {
            continue;
        }
        if line.at >= at {
            after = Some(seq);
        } else {
            return match after {
                Some(seq) => (Some(seq), true),
                None => (Some(seq), false),
            };
        }
    }
    (after, after.is_some())
}

impl Wire {
    /// Links row `number` (just pushed) to its call.
    pub fn link(&mut self, number: u64, lifecycle: &Lifecycle, sockets: &Sockets) {
        let Some(row) = self.get(number) else { return };
        if !row.provisional {
            return;
        }
        let (cause, done) = resolve(lifecycle, sockets, row);
        if let Some(row) = self.get_mut(number) {
            row.cause = cause;
            row.provisional = !done;
        }
    }

    /// A call answered: the rows still waiting for a call of its kind
    /// look again (a `recv` flood finds none and costs nothing).
    pub fn relink(&mut self, call: &Call, lifecycle: &Lifecycle, sockets: &Sockets) {
        let oldest = self.end_number().saturating_sub(PENDING as u64);
        let waiting: Vec<u64> = self
            .rows
            .iter()
            .rev()
            .take(PENDING)
            .filter(|r| r.provisional && r.want.matches(call) && r.number >= oldest)
            .map(|r| r.number)
            .collect();
        for number in waiting {
            self.link(number, lifecycle, sockets);
        }
    }

    /// The rows caused by lifecycle line `seq`, oldest first.
    pub fn caused_by(&self, seq: u64) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(move |r| r.cause == Some(seq))
    }
}
