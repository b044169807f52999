//! Would a blocking call return now? F8 asks before it suggests `accept()`
//! or `recv()`. The kernel's figures answer for one end (the listener's
//! accept queue, the bytes in a receive queue); in the demo the other end's
//! own timeline answers too: what the client connected and sent, what the
//! server accepted and sent. Doubt counts as ready: a suggestion that then
//! blocks is interrupted with Ctrl-C, a suggestion that never comes is a
//! dead end.

use crate::app::end::EndState;
use crate::app::sockets::{SocketInfo, State};
use crate::net::{Kind, SockId, TcpState, Whose};

/// Why a blocking call would wait, and for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// `accept()`: nobody waits in the accept queue.
    NoClient,
    /// A client's `recv()`: the server has not accepted this connection,
    /// so nobody there can answer yet.
    NotAccepted,
    /// `recv()`: the peer has sent nothing new and has not closed.
    NotSent,
}

/// The socket of `end` that serves: a TCP listener still listening, or a
/// UDP server's bound socket still open.
#[must_use]
pub fn serving(end: &EndState) -> Option<&SocketInfo> {
    let open = |s: &&SocketInfo| !matches!(s.state, State::Closed | State::Failed);
    end.sockets.all.values().rev().filter(open).find(|s| {
        if end.kind.is_connected() {
            s.listener && s.state == State::Listen
        } else {
            end.role.is_server() && end.targets.opened.contains_key(&s.id)
        }
    })
}

/// `accept()` on `listener`: ready when the kernel lists a connection in
/// its accept queue, or the demo's client connected and was not accepted.
///
/// # Errors
/// [`Wait::NoClient`] when nobody waits.
pub fn accept(end: &EndState, listener: SockId, other: Option<&EndState>) -> Result<(), Wait> {
    let sampled = end.inspection.figures(listener).and_then(|f| f.latest.as_ref());
    if sampled.and_then(|s| s.accept_queue).is_some_and(|q| q.len > 0) {
        return Ok(());
    }
    let queued = end.inspection.kernel.iter().any(|d| {
        d.whose == Whose::Queued { listener }
            && !matches!(d.state, TcpState::SynRecv | TcpState::NewSynRecv)
    });
    if queued {
        return Ok(());
    }
    let Some(other) = other else { return Err(Wait::NoClient) };
    let local = end.sockets.all.get(&listener).and_then(|s| s.local.clone());
    let accepted = |c: &SocketInfo| end.sockets.all.values().any(|s| s.peer == c.local);
    let waiting = other.sockets.all.values().any(|c| {
        !c.listener
            && other.targets.opened.contains_key(&c.id)
            && c.peer.is_some()
            && c.peer == local
            && !accepted(c)
    });
    if waiting { Ok(()) } else { Err(Wait::NoClient) }
}

/// `recv()` on `sock`: ready when bytes wait in its receive queue, or the
/// demo's other end sent more than this socket took, or closed.
///
/// # Errors
/// [`Wait::NotSent`], or [`Wait::NotAccepted`] for a client whose server
/// has no socket for the connection yet.
pub fn recv(end: &EndState, sock: SockId, other: Option<&EndState>) -> Result<(), Wait> {
    let sampled = end.inspection.figures(sock).and_then(|f| f.latest.as_ref());
    if sampled.and_then(|s| s.recv_q).is_some_and(|n| n > 0) {
        return Ok(());
    }
    let (Some(me), Some(other)) = (end.sockets.all.get(&sock), other) else {
        return Err(Wait::NotSent);
    };
    if end.kind == Kind::Dgram {
        // Datagrams: what was sent to this socket's address, one a call.
        let sent: u64 = other
            .sockets
            .all
            .values()
            .filter(|p| p.peer.is_some() && (p.peer == me.local || p.local == me.peer))
            .map(|p| p.calls_sent)
            .sum();
        return if sent > me.calls_received { Ok(()) } else { Err(Wait::NotSent) };
    }
    let peer = other
        .sockets
        .all
        .values()
        .find(|p| !p.listener && p.local.is_some() && p.local == me.peer && p.peer == me.local);
    let Some(peer) = peer else {
        return Err(if end.role.is_server() { Wait::NotSent } else { Wait::NotAccepted });
    };
    // Bytes tell exactly; calls only when no bytes were reported at all.
    let more = if peer.bytes_sent > 0 || me.bytes_received > 0 {
        peer.bytes_sent > me.bytes_received
    } else {
        peer.calls_sent > me.calls_received
    };
    let done = matches!(peer.state, State::Closed | State::Failed | State::FinWait | State::Done);
    if more || done { Ok(()) } else { Err(Wait::NotSent) }
}
