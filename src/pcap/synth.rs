//! From one end's events to the frames a capture on loopback would have
//! shown. sockpit never sniffs: it knows the calls and the bytes, and the
//! rest is derived so that Wireshark's TCP analysis finds nothing to flag.
//!
//! - `Connected` → the three-way handshake, its direction from whether the
//!   socket came from `accept()` (the peer's SYN) or `connect()` (ours).
//! - `Data` → segments of at most [`MSS`] bytes, each acknowledged at once by
//!   the other side, so sequence and ack numbers stay consistent and at most
//!   one segment is ever in flight (no "window full", no "unseen segment").
//!   Sequence numbers count bytes by this module's own tally, not by the
//!   events' offsets: a view that dropped old events still gets a clean flow.
//! - `shutdown(SHUT_WR)` or `close()` → our FIN; `recv` returning `b''` →
//!   the peer's FIN; each acknowledged.
//! - A connection lost to ECONNRESET or EPIPE → the peer's RST.
//! - UDP `Data` → one datagram each, between the socket's local address
//!   (from `Listening` or `Connected`) and the data's peer.

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::frame::{self, Ends, Flags, MSS, Segment, Way};
use crate::net::{
    Addr, Call, CallRecord, CloseReason, DataRecord, Dir, Event, EventKind, Kind, Micros, Returned,
    Shut, SockId,
};

/// One frame and when it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub at: Micros,
    pub data: Vec<u8>,
}

/// One TCP connection's sequence state.
#[derive(Debug)]
struct Conn {
    ends: Ends,
    /// Next sequence number we send, and the peer's.
    ours: u32,
    theirs: u32,
    our_fin: bool,
    peer_fin: bool,
}

/// What has been learnt about the session's sockets so far.
#[derive(Debug, Default)]
pub(crate) struct Synth {
    kinds: HashMap<SockId, Kind>,
    locals: HashMap<SockId, SocketAddr>,
    accepted: HashSet<SockId>,
    conns: HashMap<SockId, Conn>,
}

/// A fixed, well-mixed initial sequence number (splitmix64's finaliser):
/// real ISNs are random; fixed ones keep exports reproducible.
fn isn(seed: u64) -> u32 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    #[expect(clippy::cast_possible_truncation, reason = "the low half is the ISN")]
    let low = (z ^ (z >> 31)) as u32;
    low
}

impl Synth {
    /// The frames `event` stands for, appended to `out`.
    ///
    /// # Errors
    /// Only when a frame cannot be built (a datagram over 64 KiB).
    pub(crate) fn frames(&mut self, event: &Event, out: &mut Vec<Frame>) -> io::Result<()> {
        let at = event.at;
        match &event.kind {
            EventKind::Call(record) => self.call(at, record, out)?,
            // pcapng frames are IP packets: Unix sockets have none to show.
            EventKind::Listening { sock, local: Addr::Inet(local), kind, .. } => {
                self.kinds.insert(*sock, *kind);
                self.locals.insert(*sock, *local);
            }
            EventKind::Connected {
                sock, local: Addr::Inet(local), peer: Addr::Inet(peer), ..
            } => {
                self.locals.insert(*sock, *local);
                if self.kinds.get(sock).copied().unwrap_or(Kind::Stream) == Kind::Stream {
                    self.handshake(at, *sock, Ends { local: *local, peer: *peer }, out)?;
                }
            }
            EventKind::Data(record) => self.data(at, record, out)?,
            EventKind::PeerEof { sock } => {
                if let Some(conn) = self.conns.get_mut(sock) {
                    conn.fin(at, Way::In, out)?;
                }
            }
            EventKind::Closed { sock, reason } => {
                if let Some(mut conn) = self.conns.remove(sock) {
                    match reason {
                        CloseReason::Local => conn.fin(at, Way::Out, out)?,
                        CloseReason::Failed(err)
                            if err.is(libc::ECONNRESET) || err.is(libc::EPIPE) =>
                        {
                            conn.reset(at, out)?;
                        }
                        CloseReason::Failed(_) => {}
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn call(&mut self, at: Micros, record: &CallRecord, out: &mut Vec<Frame>) -> io::Result<()> {
        match (&record.call, &record.result) {
            (Call::Socket { kind, .. }, Ok(_)) => {
                self.kinds.insert(record.sock, *kind);
            }
            (Call::Accept, Ok(Returned::Accepted { sock, .. })) => {
                self.accepted.insert(*sock);
                self.kinds.insert(*sock, Kind::Stream);
            }
            (Call::Shutdown(Shut::Write | Shut::Both), Ok(_)) => {
                if let Some(conn) = self.conns.get_mut(&record.sock) {
                    conn.fin(at, Way::Out, out)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn handshake(
        &mut self,
        at: Micros,
        sock: SockId,
        ends: Ends,
        out: &mut Vec<Frame>,
    ) -> io::Result<()> {
        let seed = at ^ u64::from(sock) << 48;
        let mut conn =
            Conn { ends, ours: isn(seed), theirs: isn(!seed), our_fin: false, peer_fin: false };
        let (first, second) =
            if self.accepted.contains(&sock) { (Way::In, Way::Out) } else { (Way::Out, Way::In) };
        let syn = Flags { syn: true, ..Flags::default() };
        conn.send(at, first, None, syn, b"", out)?;
        let ack = conn.next_of(first);
        conn.send(at, second, Some(ack), syn, b"", out)?;
        let ack = conn.next_of(second);
        conn.send(at, first, Some(ack), Flags::default(), b"", out)?;
        self.conns.insert(sock, conn);
        Ok(())
    }

    fn data(&mut self, at: Micros, record: &DataRecord, out: &mut Vec<Frame>) -> io::Result<()> {
        let way = match record.dir {
            Dir::Sent => Way::Out,
            Dir::Received => Way::In,
        };
        if let Some(conn) = self.conns.get_mut(&record.sock) {
            for chunk in record.data.chunks(MSS) {
                conn.segment(at, way, chunk, out)?;
            }
            return Ok(());
        }
        let Some(peer) = record.peer.as_ref().and_then(Addr::inet) else { return Ok(()) };
        // An unconnected client's kernel picks its port at the first
        // sendto, which no event reports: show it as unknown (port 0).
        let local = self.locals.get(&record.sock).copied();
        let local = local.unwrap_or_else(|| SocketAddr::new(unspecified(peer.ip()), 0));
        let data = frame::udp(Ends { local, peer }, way, &record.data)?;
        out.push(Frame { at, data });
        Ok(())
    }
}

fn unspecified(like: IpAddr) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

impl Conn {
    /// The sequence number the side sending `way` uses next.
    fn next_of(&self, way: Way) -> u32 {
        match way {
            Way::Out => self.ours,
            Way::In => self.theirs,
        }
    }

    /// Builds one segment and advances the sender's sequence number by what
    /// it occupies (payload, plus one for SYN or FIN).
    fn send(
        &mut self,
        at: Micros,
        way: Way,
        ack: Option<u32>,
        flags: Flags,
        payload: &[u8],
        out: &mut Vec<Frame>,
    ) -> io::Result<()> {
        let seq = self.next_of(way);
        let seg = Segment { way, seq, ack, flags, payload };
        out.push(Frame { at, data: frame::tcp(self.ends, &seg)? });
        #[expect(clippy::cast_possible_truncation, reason = "payloads are at most MSS")]
        let used = payload.len() as u32 + u32::from(flags.syn || flags.fin);
        let next = seq.wrapping_add(used);
        match way {
            Way::Out => self.ours = next,
            Way::In => self.theirs = next,
        }
        Ok(())
    }

    /// The other side's pure ACK of everything `way` has sent.
    fn acknowledge(&mut self, at: Micros, way: Way, out: &mut Vec<Frame>) -> io::Result<()> {
        let other = match way {
            Way::Out => Way::In,
            Way::In => Way::Out,
        };
        let ack = self.next_of(way);
        self.send(at, other, Some(ack), Flags::default(), b"", out)
    }

    /// One data segment `way`, acknowledged at once.
    fn segment(
        &mut self,
        at: Micros,
        way: Way,
        chunk: &[u8],
        out: &mut Vec<Frame>,
    ) -> io::Result<()> {
        let ack = self.next_of(match way {
            Way::Out => Way::In,
            Way::In => Way::Out,
        });
        let psh = Flags { psh: true, ..Flags::default() };
        self.send(at, way, Some(ack), psh, chunk, out)?;
        self.acknowledge(at, way, out)
    }

    /// The FIN of the side sending `way` (once), acknowledged.
    fn fin(&mut self, at: Micros, way: Way, out: &mut Vec<Frame>) -> io::Result<()> {
        let done = match way {
            Way::Out => &mut self.our_fin,
            Way::In => &mut self.peer_fin,
        };
        if *done {
            return Ok(());
        }
        *done = true;
        let ack = self.next_of(match way {
            Way::Out => Way::In,
            Way::In => Way::Out,
        });
        let fin = Flags { fin: true, ..Flags::default() };
        self.send(at, way, Some(ack), fin, b"", out)?;
        self.acknowledge(at, way, out)
    }

    /// The peer's RST (with ACK, as Linux sends one on an open connection).
    fn reset(&mut self, at: Micros, out: &mut Vec<Frame>) -> io::Result<()> {
        let rst = Flags { rst: true, ..Flags::default() };
        let ack = self.ours;
        self.send(at, Way::In, Some(ack), rst, b"", out)
    }
}
