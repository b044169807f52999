//! One synthesised frame on the wire: Ethernet II + IPv4/IPv6 + TCP/UDP.
//! etherparse builds the headers and computes every length and checksum, so
//! Wireshark's checksum and length checks pass without us re-deriving them.

use std::io;
use std::net::{IpAddr, SocketAddr};

use etherparse::{IpHeaders, PacketBuilder, PacketBuilderStep, TcpOptionElement};

/// Locally administered MACs (the `02:` prefix): loopback has none, and
/// distinct ones let Wireshark tell the two ends apart at the link layer.
const OUR_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x01];
const PEER_MAC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x02];

/// Linux's default TTL / hop limit.
const TTL: u8 = 64;

/// Window advertised by both ends. No window scaling: every segment is
/// acknowledged before the next (see `synth`), so at most one MSS is ever in
/// flight and 65535 never fills.
pub(crate) const WINDOW: u16 = 65_535;

/// Loopback's MSS on Linux (MTU 65536, minus IP and TCP headers with the
/// timestamp option); also keeps every IPv4 total length below 65536.
pub(crate) const MSS: usize = 65_483;

/// Which way a frame goes, seen from this end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    /// From us (the local address) to the peer.
    Out,
    /// From the peer to us.
    In,
}

/// The two addresses of a flow, from this end's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ends {
    pub local: SocketAddr,
    pub peer: SocketAddr,
}

impl Ends {
    fn ordered(self, way: Way) -> (SocketAddr, SocketAddr, [u8; 6], [u8; 6]) {
        match way {
            Way::Out => (self.local, self.peer, OUR_MAC, PEER_MAC),
            Way::In => (self.peer, self.local, PEER_MAC, OUR_MAC),
        }
    }
}

/// TCP flags of a synthesised segment (ACK is implied by an ack number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Flags {
    pub syn: bool,
    pub fin: bool,
    pub rst: bool,
    pub psh: bool,
}

/// One TCP segment to build.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment<'a> {
    pub way: Way,
    pub seq: u32,
    pub ack: Option<u32>,
    pub flags: Flags,
    pub payload: &'a [u8],
}

/// Ethernet + IP for `ends` going `way`. Both addresses end up in one
/// family: an IPv4 address beside an IPv6 one (a dual-stack socket) becomes
/// IPv4-mapped, as the kernel itself shows it.
fn ip_step(ends: Ends, way: Way) -> (PacketBuilderStep<IpHeaders>, u16, u16) {
    let (src, dst, src_mac, dst_mac) = ends.ordered(way);
    let link = PacketBuilder::ethernet2(src_mac, dst_mac);
    let step = match (src.ip(), dst.ip()) {
        (IpAddr::V4(s), IpAddr::V4(d)) => link.ipv4(s.octets(), d.octets(), TTL),
        (s, d) => link.ipv6(v6(s), v6(d), TTL),
    };
    (step, src.port(), dst.port())
}

fn v6(ip: IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

fn built<E: std::fmt::Display>(result: Result<(), E>, buf: Vec<u8>) -> io::Result<Vec<u8>> {
    result.map(|()| buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
}

/// A whole TCP frame. SYNs carry the MSS option, as real ones do.
///
/// # Errors
/// Only when the payload is too long for one IP packet (a bug in the caller,
/// which splits at [`MSS`]).
pub(crate) fn tcp(ends: Ends, seg: &Segment<'_>) -> io::Result<Vec<u8>> {
    let (ip, sport, dport) = ip_step(ends, seg.way);
    let mut step = ip.tcp(sport, dport, seg.seq, WINDOW);
    if seg.flags.syn {
        step = step.syn();
        #[expect(clippy::cast_possible_truncation, reason = "MSS is below 65536")]
        let mss = TcpOptionElement::MaximumSegmentSize(MSS as u16);
        step = step
            .options(&[mss])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
    }
    if seg.flags.fin {
        step = step.fin();
    }
    if seg.flags.rst {
        step = step.rst();
    }
    if seg.flags.psh {
        step = step.psh();
    }
    if let Some(ack) = seg.ack {
        step = step.ack(ack);
    }
    let mut buf = Vec::with_capacity(step.size(seg.payload.len()));
    let result = step.write(&mut buf, seg.payload);
    built(result, buf)
}

/// A whole UDP frame carrying one datagram.
///
/// # Errors
/// Only when the datagram is too long for one IP packet.
pub(crate) fn udp(ends: Ends, way: Way, payload: &[u8]) -> io::Result<Vec<u8>> {
    let (ip, sport, dport) = ip_step(ends, way);
    let step = ip.udp(sport, dport);
    let mut buf = Vec::with_capacity(step.size(payload.len()));
    let result = step.write(&mut buf, payload);
    built(result, buf)
}

#[cfg(test)]
mod tests {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    use super::*;

    fn ends(local: &str, peer: &str) -> Ends {
        Ends { local: local.parse().unwrap(), peer: peer.parse().unwrap() }
    }

    #[test]
    fn tcp_syn_from_the_peer_reads_back() {
        let e = ends("127.0.0.1:80", "127.0.0.1:5000");
        let syn = Flags { syn: true, ..Flags::default() };
        let seg = Segment { way: Way::In, seq: 7, ack: None, flags: syn, payload: b"" };
        let frame = tcp(e, &seg).unwrap();
        let p = SlicedPacket::from_ethernet(&frame).unwrap();
        let Some(TransportSlice::Tcp(t)) = p.transport else { panic!("not tcp") };
        assert_eq!((t.source_port(), t.destination_port(), t.sequence_number()), (5000, 80, 7));
        assert!(t.syn() && !t.ack());
        assert_eq!(t.options(), [2, 4, 0xff, 0xcb]);
    }

    #[test]
    fn udp_over_ipv6_and_mixed_families() {
        let frame = udp(ends("[::1]:9", "[::1]:10"), Way::Out, b"hi").unwrap();
        let p = SlicedPacket::from_ethernet(&frame).unwrap();
        assert!(matches!(p.net, Some(NetSlice::Ipv6(_))));
        let Some(TransportSlice::Udp(u)) = p.transport else { panic!("not udp") };
        assert_eq!((u.source_port(), u.payload()), (9, &b"hi"[..]));
        let mixed = udp(ends("[::]:9", "127.0.0.1:10"), Way::In, b"x").unwrap();
        let p = SlicedPacket::from_ethernet(&mixed).unwrap();
        let Some(NetSlice::Ipv6(ip)) = p.net else { panic!("not ipv6") };
        assert_eq!(
            ip.header().source_addr(),
            "::ffff:127.0.0.1".parse::<std::net::Ipv6Addr>().unwrap()
        );
    }

    #[test]
    fn a_full_mss_segment_fits_ipv4() {
        let payload = vec![0u8; MSS];
        let seg = Segment {
            way: Way::Out,
            seq: 1,
            ack: Some(1),
            flags: Flags::default(),
            payload: &payload,
        };
        assert!(tcp(ends("127.0.0.1:1", "127.0.0.1:2"), &seg).is_ok());
    }
}
