//! One captured TCP segment or UDP datagram, decoded from its frame with
//! etherparse: the fields a student compares with RFC 9293's figures and
//! with Wireshark. Sequence numbers are kept raw here; [`super::track`]
//! makes them relative per connection, as tshark shows them.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use etherparse::{
    LaxNetSlice, LaxSlicedPacket, TcpOptionElement, TcpOptionReadError, TransportSlice,
};

use crate::net::{Dir, Micros};

/// A segment (TCP) or datagram (UDP) of the session, as seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// When the kernel saw the frame, microseconds since the Unix epoch.
    pub at_micros: Micros,
    /// Relative to the session's own ports.
    pub dir: Dir,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Payload bytes (TCP data, or the UDP datagram's).
    pub len: usize,
    pub proto: Proto,
    /// The frame itself, when the capture keeps frames (the TUI's hex view
    /// and a pcapng of the capture need them; headless lines do not).
    pub raw: Option<Raw>,
}

/// A captured frame's bytes and the kernel's nanosecond time of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    /// When the kernel saw the frame, nanoseconds since the Unix epoch.
    pub at_nanos: u64,
    /// The bytes captured (at most the capture's snapshot length).
    pub bytes: bytes::Bytes,
    /// The frame's length on the wire (more than `bytes` when cut short).
    pub wire_len: usize,
}

/// The transport and what its header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proto {
    Tcp(Tcp),
    Udp,
}

/// A TCP header, with what the connection's history adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tcp {
    pub flags: Flags,
    /// Relative to the sender's initial sequence number (its SYN's is 0).
    pub seq: u32,
    /// Relative to the receiver's initial sequence number; 0 without ACK.
    pub ack: u32,
    pub seq_raw: u32,
    pub ack_raw: u32,
    /// The window field as sent.
    pub win_raw: u16,
    /// The sender's window scale shift, once the handshake has shown it
    /// (never applied to a SYN); `None` when the handshake was not seen.
    pub win_shift: Option<u8>,
    /// Options in the order they were sent.
    pub options: Vec<TcpOpt>,
}

impl Tcp {
    /// The window in bytes: scaled when the shift is known, else as sent
    /// (what tshark's `tcp.window_size` shows).
    #[must_use]
    pub fn win(&self) -> u32 {
        u32::from(self.win_raw) << self.win_shift.unwrap_or(0)
    }
}

/// TCP's control bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags(u16);

impl Flags {
    pub const FIN: Self = Self(0x001);
    pub const SYN: Self = Self(0x002);
    pub const RST: Self = Self(0x004);
    pub const PSH: Self = Self(0x008);
    pub const ACK: Self = Self(0x010);
    pub const URG: Self = Self(0x020);
    pub const ECE: Self = Self(0x040);
    pub const CWR: Self = Self(0x080);
    /// Accurate ECN (once NS): the ninth bit.
    pub const AE: Self = Self(0x100);

    /// Names in Wireshark's order, lowest bit first (`FIN,PSH,ACK`).
    const NAMES: [(Self, &'static str); 9] = [
        (Self::FIN, "FIN"),
        (Self::SYN, "SYN"),
        (Self::RST, "RST"),
        (Self::PSH, "PSH"),
        (Self::ACK, "ACK"),
        (Self::URG, "URG"),
        (Self::ECE, "ECE"),
        (Self::CWR, "CWR"),
        (Self::AE, "AE"),
    ];

    #[must_use]
    pub fn has(self, flag: Self) -> bool {
        self.0 & flag.0 == flag.0
    }

    #[must_use]
    pub fn with(self, flag: Self) -> Self {
        Self(self.0 | flag.0)
    }

    /// One flag by the name [`fmt::Display`] gives it (`SYN`).
    #[must_use]
    pub fn named(name: &str) -> Option<Self> {
        Self::NAMES.iter().find(|(_, n)| *n == name).map(|(bit, _)| *bit)
    }

    /// The bits as the header carries them (`tcp.flags`).
    #[must_use]
    pub fn bits(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Flags {
    /// `SYN,ACK`; `none` for a segment with no bit set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = Self::NAMES.iter().filter(|(bit, _)| self.has(*bit)).map(|(_, n)| *n);
        match names.next() {
            None => f.write_str("none"),
            Some(first) => {
                f.write_str(first)?;
                names.try_for_each(|n| write!(f, ",{n}"))
            }
        }
    }
}

/// One TCP option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TcpOpt {
    Nop,
    Mss(u16),
    WindowScale(u8),
    SackPermitted,
    /// SACK blocks, raw sequence numbers.
    Sack(Vec<(u32, u32)>),
    Timestamp {
        val: u32,
        ecr: u32,
    },
    /// An option etherparse does not decode (its kind); the rest of the
    /// options are not read past it.
    Unknown(u8),
}

/// Decodes an Ethernet-framed IPv4/IPv6 TCP/UDP frame; `None` for anything
/// else (the filter lets nothing else through, but a frame is untrusted).
/// The frame may be cut short after its headers: lengths come from the
/// headers (IP's, UDP's), not from the bytes captured. `dir` and the
/// relative numbers are filled in by the caller.
#[must_use]
pub fn decode(frame: &[u8], at_micros: Micros) -> Option<Segment> {
    let packet = LaxSlicedPacket::from_ethernet(frame).ok()?;
    let (src_ip, dst_ip, ip_payload): (IpAddr, IpAddr, Option<usize>) = match packet.net? {
        LaxNetSlice::Ipv4(v4) => {
            let h = v4.header();
            // 0 is BIG TCP's "larger than 64 KiB": then only the bytes tell.
            let declared = (h.total_len() != 0)
                .then(|| usize::from(h.total_len()).checked_sub(usize::from(h.ihl()) * 4))
                .flatten();
            (h.source_addr().into(), h.destination_addr().into(), declared)
        }
        LaxNetSlice::Ipv6(v6) => {
            let h = v6.header();
            let ext = v6.extensions().slice().len();
            let declared = (h.payload_length() != 0)
                .then(|| usize::from(h.payload_length()).checked_sub(ext))
                .flatten();
            (h.source_addr().into(), h.destination_addr().into(), declared)
        }
        LaxNetSlice::Arp(_) => return None,
    };
    let (src_port, dst_port, len, proto) = match packet.transport? {
        TransportSlice::Tcp(tcp) => {
            let header = tcp.header_slice().len();
            let len = ip_payload.map_or(tcp.payload().len(), |n| n.saturating_sub(header));
            (tcp.source_port(), tcp.destination_port(), len, Proto::Tcp(tcp_fields(&tcp)))
        }
        TransportSlice::Udp(udp) => {
            let len = usize::from(udp.length()).saturating_sub(udp.header_slice().len());
            (udp.source_port(), udp.destination_port(), len, Proto::Udp)
        }
        _ => return None,
    };
    Some(Segment {
        at_micros,
        dir: Dir::Received,
        src: SocketAddr::new(src_ip, src_port),
        dst: SocketAddr::new(dst_ip, dst_port),
        len,
        proto,
        raw: None,
    })
}

/// A TCP header's fields, numbers still raw.
fn tcp_fields(tcp: &etherparse::TcpSlice<'_>) -> Tcp {
    let mut flags = Flags::default();
    for (on, bit) in [
        (tcp.fin(), Flags::FIN),
        (tcp.syn(), Flags::SYN),
        (tcp.rst(), Flags::RST),
        (tcp.psh(), Flags::PSH),
        (tcp.ack(), Flags::ACK),
        (tcp.urg(), Flags::URG),
        (tcp.ece(), Flags::ECE),
        (tcp.cwr(), Flags::CWR),
        (tcp.ns(), Flags::AE),
    ] {
        if on {
            flags = flags.with(bit);
        }
    }
    Tcp {
        flags,
        seq: tcp.sequence_number(),
        ack: tcp.acknowledgment_number(),
        seq_raw: tcp.sequence_number(),
        ack_raw: tcp.acknowledgment_number(),
        win_raw: tcp.window_size(),
        win_shift: None,
        options: options(tcp.options_iterator()),
    }
}

fn options(iter: etherparse::TcpOptionsIterator<'_>) -> Vec<TcpOpt> {
    let mut out = Vec::new();
    for option in iter {
        let opt = match option {
            Ok(TcpOptionElement::Noop) => TcpOpt::Nop,
            Ok(TcpOptionElement::MaximumSegmentSize(mss)) => TcpOpt::Mss(mss),
            Ok(TcpOptionElement::WindowScale(shift)) => TcpOpt::WindowScale(shift),
            Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => TcpOpt::SackPermitted,
            Ok(TcpOptionElement::SelectiveAcknowledgement(first, rest)) => {
                TcpOpt::Sack(std::iter::once(first).chain(rest.into_iter().flatten()).collect())
            }
            Ok(TcpOptionElement::Timestamp(val, ecr)) => TcpOpt::Timestamp { val, ecr },
            Err(err) => {
                out.push(TcpOpt::Unknown(unknown_kind(&err)));
                break;
            }
        };
        out.push(opt);
    }
    out
}

/// The kind byte of an option etherparse could not read.
fn unknown_kind(err: &TcpOptionReadError) -> u8 {
    match err {
        TcpOptionReadError::UnknownId(kind) => *kind,
        TcpOptionReadError::UnexpectedEndOfSlice { option_id, .. }
        | TcpOptionReadError::UnexpectedSize { option_id, .. } => *option_id,
    }
}

#[cfg(test)]
mod tests {
    use etherparse::PacketBuilder;

    use super::*;

    #[test]
    fn decodes_a_syn_with_its_options_in_order() {
        let b = PacketBuilder::ethernet2([0; 6], [0; 6]).ipv4([127, 0, 0, 1], [127, 0, 0, 2], 64);
        let opts = [
            TcpOptionElement::MaximumSegmentSize(65_495),
            TcpOptionElement::SelectiveAcknowledgementPermitted,
            TcpOptionElement::Timestamp(7, 0),
            TcpOptionElement::Noop,
            TcpOptionElement::WindowScale(7),
        ];
        let frame = frame!(b.tcp(40_000, 8080, 1234, 65_495).syn().options(&opts).unwrap(), &[]);
        let seg = decode(&frame, 5).unwrap();
        assert_eq!(seg.src, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(seg.dst, "127.0.0.2:8080".parse().unwrap());
        assert_eq!((seg.len, seg.at_micros), (0, 5));
        let Proto::Tcp(tcp) = seg.proto else { panic!("TCP") };
        assert_eq!(tcp.flags.to_string(), "SYN");
        assert_eq!((tcp.seq_raw, tcp.win_raw, tcp.win()), (1234, 65_495, 65_495));
        assert_eq!(
            tcp.options,
            [
                TcpOpt::Mss(65_495),
                TcpOpt::SackPermitted,
                TcpOpt::Timestamp { val: 7, ecr: 0 },
                TcpOpt::Nop,
                TcpOpt::WindowScale(7)
            ]
        );
    }

    #[test]
    fn decodes_ipv6_data_and_udp() {
        let one = std::net::Ipv6Addr::LOCALHOST.octets();
        let b = PacketBuilder::ethernet2([0; 6], [0; 6]).ipv6(one, one, 64);
        let frame = frame!(b.tcp(8080, 40_000, 9, 512).psh().ack(77), b"hello\n");
        let seg = decode(&frame, 0).unwrap();
        assert_eq!((seg.src.to_string().as_str(), seg.len), ("[::1]:8080", 6));
        let Proto::Tcp(tcp) = seg.proto else { panic!("TCP") };
        assert_eq!((tcp.flags.to_string().as_str(), tcp.ack_raw), ("PSH,ACK", 77));
        let b = PacketBuilder::ethernet2([0; 6], [0; 6]).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
        let udp = decode(&frame!(b.udp(5000, 8888), b"hi\n"), 0).unwrap();
        assert_eq!((udp.proto, udp.len), (Proto::Udp, 3));
    }

    #[test]
    fn a_frame_cut_after_its_headers_keeps_its_lengths() {
        let b = PacketBuilder::ethernet2([0; 6], [0; 6]).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
        let tcp = frame!(b.tcp(1, 2, 3, 4).ack(5), &[7u8; 1000]);
        let cut = decode(&tcp[..14 + 20 + 20 + 10], 0).unwrap();
        assert_eq!(cut.len, 1000);
        let one = std::net::Ipv6Addr::LOCALHOST.octets();
        let b = PacketBuilder::ethernet2([0; 6], [0; 6]).ipv6(one, one, 64);
        let udp = frame!(b.udp(1, 2), &[7u8; 500]);
        assert_eq!(decode(&udp[..14 + 40 + 8], 0).unwrap().len, 500);
        // Ethernet pads short frames: the IP length, not the bytes, counts.
        let mut padded = frame!(
            PacketBuilder::ethernet2([0; 6], [0; 6])
                .ipv4([1, 1, 1, 1], [2, 2, 2, 2], 64)
                .tcp(1, 2, 3, 4),
            &[]
        );
        padded.resize(60, 0);
        assert_eq!(decode(&padded, 0).unwrap().len, 0);
    }

    #[test]
    fn flags_read_in_wiresharks_order() {
        let f = Flags::ACK.with(Flags::FIN).with(Flags::PSH);
        assert_eq!(f.to_string(), "FIN,PSH,ACK");
        assert_eq!(Flags::RST.with(Flags::ACK).to_string(), "RST,ACK");
        assert_eq!(Flags::default().to_string(), "none");
        assert_eq!(f.bits(), 0x019);
    }

    #[test]
    fn garbage_is_not_a_segment() {
        assert_eq!(decode(&[0u8; 13], 0), None);
        assert_eq!(decode(&[0xffu8; 60], 0), None);
    }
}
