//! What a segment means depends on the segments before it: relative
//! sequence numbers start at each side's SYN, and the window is scaled by
//! the shift each side announced in its SYN. This follows tshark's defaults
//! exactly, so `tcp.seq`, `tcp.ack` and `tcp.window_size` agree with ours:
//! - a side's base is its SYN's sequence number; a side first seen without
//!   a SYN gets `seq - 1` (so its first byte is 1), and an ACK sets the
//!   other side's base to `ack - 1` when that side has none yet;
//! - the window is scaled only once both SYNs were seen (by the sender's
//!   shift, or 1× when either SYN lacked the option), never on a SYN.
//!
//! A SYN with a new sequence number starts a new conversation on the same
//! four addresses. The tracker also says when every connection it knows
//! has finished (both FINs acknowledged, or a reset), so a capture can stop
//! only once the last ACK is in.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::segment::{Flags, Proto, Segment, TcpOpt};

/// Conversations kept before finished ones are forgotten.
const KEEP: usize = 4096;

/// One side of a conversation.
#[derive(Debug, Clone, Copy, Default)]
struct Side {
    base: Option<u32>,
    /// Seen this side's SYN: `Some(shift)`, `Some(None)` without wscale.
    #[expect(clippy::option_option, reason = "not seen, seen without the option, seen with it")]
    syn_shift: Option<Option<u8>>,
    /// The sequence number right after this side's FIN.
    fin_next: Option<u32>,
    fin_acked: bool,
}

/// Both sides of one TCP connection, keyed by its ordered addresses.
#[derive(Debug, Clone, Copy, Default)]
struct Conversation {
    /// `sides[0]` is the side with the lower address.
    sides: [Side; 2],
    reset: bool,
}

impl Conversation {
    fn finished(&self) -> bool {
        self.reset || self.sides.iter().all(|s| s.fin_acked)
    }
}

/// Relative numbers and window scales for every connection seen.
#[derive(Debug, Default)]
pub struct Tracker {
    conversations: HashMap<(SocketAddr, SocketAddr), Conversation>,
}

impl Tracker {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Fills in `seg`'s relative seq/ack and window shift from the
    /// connection's history, and adds `seg` to that history.
    pub fn annotate(&mut self, seg: &mut Segment) {
        let Proto::Tcp(tcp) = &mut seg.proto else { return };
        let (key, from) =
            if seg.src <= seg.dst { ((seg.src, seg.dst), 0) } else { ((seg.dst, seg.src), 1) };
        let to = 1 - from;
        let (syn, ack) = (tcp.flags.has(Flags::SYN), tcp.flags.has(Flags::ACK));
        if self.conversations.len() >= KEEP {
            self.conversations.retain(|_, c| !c.finished());
        }
        let conv = self.conversations.entry(key).or_default();
        // A SYN that is not a retransmission opens a new connection.
        if syn && !ack && conv.sides[from].base != Some(tcp.seq_raw) {
            *conv = Conversation::default();
        }
        let shift = tcp.options.iter().find_map(|o| match o {
            TcpOpt::WindowScale(s) => Some(*s),
            _ => None,
        });
        if syn {
            conv.sides[from].base = Some(tcp.seq_raw);
            conv.sides[from].syn_shift = Some(shift);
        }
        let base = *conv.sides[from].base.get_or_insert(tcp.seq_raw.wrapping_sub(1));
        if ack && conv.sides[to].base.is_none() {
            conv.sides[to].base = Some(tcp.ack_raw.wrapping_sub(1));
        }
        tcp.seq = tcp.seq_raw.wrapping_sub(base);
        tcp.ack = match (ack, conv.sides[to].base) {
            (true, Some(their)) => tcp.ack_raw.wrapping_sub(their),
            _ => 0,
        };
        tcp.win_shift = match (syn, conv.sides[from].syn_shift, conv.sides[to].syn_shift) {
            (false, Some(Some(ours)), Some(Some(_))) => Some(ours),
            (false, Some(_), Some(_)) => Some(0),
            _ => None,
        };
        if tcp.flags.has(Flags::RST) {
            conv.reset = true;
        }
        if tcp.flags.has(Flags::FIN) {
            let len = u32::try_from(seg.len).unwrap_or(u32::MAX);
            conv.sides[from].fin_next =
                Some(tcp.seq_raw.wrapping_add(len).wrapping_add(1).wrapping_add(u32::from(syn)));
        }
        if ack && conv.sides[to].fin_next == Some(tcp.ack_raw) {
            conv.sides[to].fin_acked = true;
        }
    }

    /// Whether every connection seen has ended: both FINs acknowledged, or
    /// reset. True when none was seen.
    #[must_use]
    pub fn all_finished(&self) -> bool {
        self.conversations.values().all(Conversation::finished)
    }
}

#[cfg(test)]
mod tests;
