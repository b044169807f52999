//! The Wire pane's state for one end: every captured segment as a ladder
//! row (RFC 9293 Fig. 6, Wireshark's Flow Graph), with what a row needs
//! beyond the segment itself: the time since the row before, markers
//! (retransmission, duplicate ACK, zero window, reset), each side's TCP
//! state after it, and the call that caused it ([`crate::app::wire::link`]).
//!
//! The states follow RFC 9293's diagram from the segments alone: a SYN
//! makes its sender `SYN_SENT` and a listening receiver `SYN_RCVD`, a SYN,ACK
//! makes its receiver ESTABLISHED, an ACK of a side's FIN moves that side
//! on (`FIN_WAIT_2`, `TIME_WAIT`, CLOSED), a RST closes both. The peer's state
//! is unknown (`?`) until it sends something: a closed port answers a SYN
//! with a reset, a listener with SYN,ACK.

mod keys;
pub(crate) mod link;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use super::history::Caps;
use crate::net::{Dir, Micros, TcpState};
use crate::wire::{Flags, Proto, Segment};
use link::Want;

/// Whether this end's segments can be captured, and if not why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Status {
    /// Nothing to capture (a Unix socket), or not tried yet.
    #[default]
    Off,
    /// Capturing on this interface.
    Live { link: &'static str },
    /// The capture could not be opened: the message, in the error grammar.
    Unavailable(String),
}

/// What a row is marked with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    /// Sends bytes (or a SYN/FIN) this side had sent already.
    pub retransmission: bool,
    /// A pure ACK repeating the last one while data is outstanding.
    pub dup_ack: bool,
    /// Advertises a window of zero: the sender's receive buffer is full.
    pub zero_window: bool,
    pub reset: bool,
}

/// One row of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Frame number, from 1, as Wireshark counts.
    pub number: u64,
    pub seg: Segment,
    /// Microseconds since the row before (0 for the first).
    pub delta: Micros,
    pub marks: Marks,
    /// This end's and the peer's TCP state after the segment (`None`:
    /// unknown); both `None` for UDP.
    pub states: (Option<TcpState>, Option<TcpState>),
    /// Which kind of call can have caused it.
    pub want: Want,
    /// The lifecycle line of the call that caused it, by number.
    pub cause: Option<u64>,
    /// The cause may still change (no call has answered after it yet).
    pub provisional: bool,
}

impl Row {
    /// This end's address and the peer's in this row.
    #[must_use]
    pub fn ends(&self) -> (SocketAddr, SocketAddr) {
        match self.seg.dir {
            Dir::Sent => (self.seg.src, self.seg.dst),
            Dir::Received => (self.seg.dst, self.seg.src),
        }
    }
}

/// One direction of a connection: how far its sequence numbers went.
#[derive(Debug, Clone, Copy, Default)]
struct Side {
    /// One past the highest sequence number sent (SYN and FIN count one).
    high: Option<u32>,
    /// The last pure ACK's number and window.
    last_ack: Option<(u32, u16)>,
    /// The sequence number after this side's FIN.
    fin_next: Option<u32>,
    state: Option<TcpState>,
    syn: Option<u32>,
}

/// A connection from this end's view: `sides[0]` is ours, `[1]` the peer's.
#[derive(Debug, Clone, Copy, Default)]
struct Conn {
    sides: [Side; 2],
}

/// Rows kept at most; older ones scroll away (`--pcap` keeps them all).
pub const MAX_ROWS: usize = 10_000;

/// The Wire pane of one end.
#[derive(Debug, Clone, Default)]
pub struct Wire {
    pub status: Status,
    pub rows: VecDeque<Row>,
    /// Number of the first row kept minus one (rows dropped so far).
    pub first: u64,
    /// Frame bytes kept, against the cap.
    bytes: usize,
    cap: usize,
    /// The selected row by number: its headers and bytes are shown.
    pub selected: Option<u64>,
    /// Sequence numbers shown raw instead of relative.
    pub absolute: bool,
    /// This end is a server: its listener answers SYNs.
    server: bool,
    conns: HashMap<(SocketAddr, SocketAddr), Conn>,
}

/// `a` is at or after `b` in sequence space.
fn seq_ge(a: u32, b: u32) -> bool {
    a.wrapping_sub(b) < 1 << 31
}

impl Wire {
    #[must_use]
    pub fn new(caps: Caps, server: bool) -> Self {
        Self { cap: caps.bytes, server, ..Self::default() }
    }

    /// The number the next row gets.
    #[must_use]
    pub fn end_number(&self) -> u64 {
        self.first + self.rows.len() as u64 + 1
    }

    /// Row `number`, if kept.
    #[must_use]
    pub fn get(&self, number: u64) -> Option<&Row> {
        let i = number.checked_sub(self.first + 1)?;
        self.rows.get(usize::try_from(i).ok()?)
    }

    pub(super) fn get_mut(&mut self, number: u64) -> Option<&mut Row> {
        let i = number.checked_sub(self.first + 1)?;
        self.rows.get_mut(usize::try_from(i).ok()?)
    }

    /// Adds one captured segment; returns the new row's number.
    pub fn push(&mut self, seg: Segment) -> u64 {
        let delta = self.rows.back().map_or(0, |r| seg.at_micros.saturating_sub(r.seg.at_micros));
        let (marks, states, want) = match &seg.proto {
            Proto::Tcp(_) => self.track(&seg),
            Proto::Udp => {
                let want = if seg.dir == Dir::Sent { Want::Send } else { Want::Nothing };
                (Marks::default(), (None, None), want)
            }
        };
        let number = self.end_number();
        self.bytes += cost(&seg);
        self.rows.push_back(Row {
            number,
            seg,
            delta,
            marks,
            states,
            want,
            cause: None,
            provisional: want != Want::Nothing,
        });
        while self.rows.len() > 1 && (self.rows.len() > MAX_ROWS || self.bytes > self.cap) {
            if let Some(old) = self.rows.pop_front() {
                self.bytes -= cost(&old.seg);
                self.first += 1;
            }
        }
        number
    }

    /// Markers, states after, and the kind of call behind a TCP segment.
    fn track(&mut self, seg: &Segment) -> (Marks, (Option<TcpState>, Option<TcpState>), Want) {
        let Proto::Tcp(tcp) = &seg.proto else { unreachable!("TCP only") };
        let row_ends = match seg.dir {
            Dir::Sent => (seg.src, seg.dst),
            Dir::Received => (seg.dst, seg.src),
        };
        let (from, to) = if seg.dir == Dir::Sent { (0, 1) } else { (1, 0) };
        let f = tcp.flags;
        let (syn, ack, fin, rst) =
            (f.has(Flags::SYN), f.has(Flags::ACK), f.has(Flags::FIN), f.has(Flags::RST));
        let conn = self.conns.entry(row_ends).or_default();
        // A SYN with a new sequence number is a new connection on the same
        // addresses (a port reused after TIME_WAIT).
        if syn && !ack && conn.sides[from].syn.is_some_and(|s| s != tcp.seq_raw) {
            *conn = Conn::default();
        }
        let len = u32::try_from(seg.len).unwrap_or(u32::MAX);
        let seg_len = len + u32::from(syn) + u32::from(fin);
        let end = tcp.seq_raw.wrapping_add(seg_len);
        let mut marks =
            Marks { reset: rst, zero_window: tcp.win_raw == 0 && !rst, ..Marks::default() };
        let side = conn.sides[from];
        marks.retransmission = seg_len > 0 && side.high.is_some_and(|h| seq_ge(h, end));
        let outstanding = conn.sides[to].high.is_some_and(|h| !seq_ge(tcp.ack_raw, h));
        let pure = ack && seg_len == 0 && !rst;
        marks.dup_ack = pure && outstanding && side.last_ack == Some((tcp.ack_raw, tcp.win_raw));
        // The third segment of the handshake acknowledges the other's SYN
        // and nothing more, from a side that has sent only its SYN.
        let peer_syn_next = conn.sides[to].syn.map(|s| s.wrapping_add(1));
        let third = pure
            && !fin
            && peer_syn_next == Some(tcp.ack_raw)
            && side.syn.map(|s| s.wrapping_add(1)) == side.high;
        let want = want(seg.dir, f, seg.len, syn || third, self.server);
        let server = self.server;
        let s = &mut conn.sides;
        if seg_len > 0 && s[from].high.is_none_or(|h| !seq_ge(h, end)) {
            s[from].high = Some(end);
        }
        if pure {
            s[from].last_ack = Some((tcp.ack_raw, tcp.win_raw));
        }
        if rst {
            s[from].state = Some(TcpState::Close);
            s[to].state = Some(TcpState::Close);
        } else {
            if syn {
                s[from].syn = Some(tcp.seq_raw);
            }
            if syn && !ack {
                s[from].state = Some(TcpState::SynSent);
                // Only our own listener is known to answer it.
                if to == 0 && server {
                    s[to].state = Some(TcpState::SynRecv);
                }
            } else if syn {
                s[from].state = Some(TcpState::SynRecv);
                s[to].state = Some(TcpState::Established);
            } else if ack {
                let acked_fin = s[to].fin_next == Some(tcp.ack_raw);
                s[to].state = match s[to].state {
                    Some(TcpState::SynRecv) => Some(TcpState::Established),
                    Some(TcpState::FinWait1) if acked_fin => Some(TcpState::FinWait2),
                    Some(TcpState::Closing) if acked_fin => Some(TcpState::TimeWait),
                    Some(TcpState::LastAck) if acked_fin => Some(TcpState::Close),
                    other => other,
                };
            }
            if fin {
                s[from].fin_next = Some(end);
                s[from].state = match s[from].state {
                    Some(TcpState::CloseWait) => Some(TcpState::LastAck),
                    Some(TcpState::FinWait1 | TcpState::FinWait2 | TcpState::TimeWait) => {
                        s[from].state
                    }
                    _ => Some(TcpState::FinWait1),
                };
                s[to].state = match s[to].state {
                    Some(TcpState::FinWait1) => Some(TcpState::Closing),
                    Some(TcpState::FinWait2) => Some(TcpState::TimeWait),
                    Some(TcpState::LastAck | TcpState::Close | TcpState::TimeWait) => s[to].state,
                    _ => Some(TcpState::CloseWait),
                };
            }
        }
        (marks, (s[0].state, s[1].state), want)
    }

    /// Selects the row `by` rows from the selected one (from the newest
    /// when none is).
    pub fn move_selection(&mut self, by: i64) {
        if self.rows.is_empty() {
            return;
        }
        let (lo, hi) = (self.first + 1, self.end_number() - 1);
        let at = self.selected.unwrap_or(hi + u64::from(by < 0));
        let next = at.saturating_add_signed(by).clamp(lo, hi);
        self.selected = Some(next);
    }

    /// The oldest row kept.
    pub fn home(&mut self) {
        if !self.rows.is_empty() {
            self.selected = Some(self.first + 1);
        }
    }

    /// Back to following the newest row.
    pub fn end(&mut self) {
        self.selected = None;
    }
}

/// What a row costs against the cap: its frame, plus a fixed overhead.
fn cost(seg: &Segment) -> usize {
    seg.raw.as_ref().map_or(0, |r| r.bytes.len()) + 160
}

/// Which kind of call a TCP segment comes from: a client's handshake from
/// `connect()`, a server's from `accept()`, data from a send, a FIN (or a
/// reset of a socket closed with unread data) from `close()`/`shutdown()`;
/// what the peer sends and the kernel's own ACKs come from no call.
fn want(dir: Dir, f: Flags, len: usize, handshake: bool, server: bool) -> Want {
    match dir {
        _ if handshake && server => Want::Accept,
        _ if handshake => Want::Connect,
        Dir::Sent if f.has(Flags::RST) || f.has(Flags::FIN) => Want::Close,
        Dir::Sent if len > 0 => Want::Send,
        _ => Want::Nothing,
    }
}

#[cfg(test)]
mod tests;
