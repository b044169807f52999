//! A segment in words for the Wire pane: the ladder's label
//! (`PSH,ACK seq 1:7 ack 1 len 6 win 65536`), its SYN options, and the
//! decoded headers of the selected frame, layer by layer, as Wireshark's
//! packet details list them.

use std::fmt::Write as _;

use etherparse::{LaxNetSlice, LaxSlicedPacket};

use super::segment::{Flags, Proto, Segment, TcpOpt};

/// The ladder's label: flags, seq (with the range for data), ack, length,
/// scaled window; `absolute` shows the raw numbers.
#[must_use]
pub fn label(seg: &Segment, absolute: bool) -> String {
    let Proto::Tcp(tcp) = &seg.proto else { return format!("UDP len {}", seg.len) };
    let (seq, ack) = if absolute { (tcp.seq_raw, tcp.ack_raw) } else { (tcp.seq, tcp.ack) };
    let mut out = format!("{} seq {seq}", tcp.flags);
    if seg.len > 0 {
        let end = seq.wrapping_add(u32::try_from(seg.len).unwrap_or(u32::MAX));
        let _ = write!(out, ":{end}");
    }
    if tcp.flags.has(Flags::ACK) {
        let _ = write!(out, " ack {ack}");
    }
    if seg.len > 0 {
        let _ = write!(out, " len {}", seg.len);
    }
    let _ = write!(out, " win {}", tcp.win());
    out
}

/// The SYN options a student compares with RFC 9293/7323: `MSS 65495
/// SACK-perm TS wscale 7`; empty for other segments.
#[must_use]
pub fn syn_options(seg: &Segment) -> String {
    let Proto::Tcp(tcp) = &seg.proto else { return String::new() };
    if !tcp.flags.has(Flags::SYN) {
        return String::new();
    }
    let names: Vec<String> = tcp
        .options
        .iter()
        .filter_map(|o| match o {
            TcpOpt::Nop => None,
            TcpOpt::Mss(m) => Some(format!("MSS {m}")),
            TcpOpt::WindowScale(s) => Some(format!("wscale {s} (×{})", 1u32 << s)),
            TcpOpt::SackPermitted => Some("SACK-perm".into()),
            TcpOpt::Sack(b) => Some(format!("SACK {} blocks", b.len())),
            TcpOpt::Timestamp { .. } => Some("TS".into()),
            TcpOpt::Unknown(k) => Some(format!("option {k}")),
        })
        .collect();
    names.join(" ")
}

/// The frame's headers, one line per layer (and one for TCP options).
#[must_use]
pub fn headers(seg: &Segment) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(raw) = &seg.raw
        && let Ok(packet) = LaxSlicedPacket::from_ethernet(&raw.bytes)
    {
        if let Some(etherparse::LinkHeader::Ethernet2(e)) =
            packet.link.as_ref().and_then(etherparse::LinkSlice::to_header)
        {
            lines.push(format!(
                "Ethernet II  {} → {}  type 0x{:04x}",
                mac(e.source),
                mac(e.destination),
                e.ether_type.0
            ));
        }
        match &packet.net {
            Some(LaxNetSlice::Ipv4(v4)) => {
                let h = v4.header();
                lines.push(format!(
                    "IPv4  {} → {}  ttl {}  id 0x{:04x}  total {} B{}",
                    h.source_addr(),
                    h.destination_addr(),
                    h.ttl(),
                    h.identification(),
                    h.total_len(),
                    if h.dont_fragment() { "  DF" } else { "" }
                ));
            }
            Some(LaxNetSlice::Ipv6(v6)) => {
                let h = v6.header();
                lines.push(format!(
                    "IPv6  {} → {}  hop limit {}  payload {} B",
                    h.source_addr(),
                    h.destination_addr(),
                    h.hop_limit(),
                    h.payload_length()
                ));
            }
            _ => {}
        }
    }
    match &seg.proto {
        Proto::Udp => {
            lines.push(format!("UDP  {} → {}  len {}", seg.src.port(), seg.dst.port(), seg.len));
        }
        Proto::Tcp(tcp) => {
            let scale = tcp.win_shift.map_or_else(
                || " (scale unknown)".to_string(),
                |s| format!(" × {} = {}", 1u32 << s, tcp.win()),
            );
            lines.push(format!(
                "TCP  {} → {}  {}  seq {} (raw {})  ack {} (raw {})  win {}{scale}  len {}",
                seg.src.port(),
                seg.dst.port(),
                tcp.flags,
                tcp.seq,
                tcp.seq_raw,
                tcp.ack,
                tcp.ack_raw,
                tcp.win_raw,
                seg.len
            ));
            if !tcp.options.is_empty() {
                let opts: Vec<String> = tcp.options.iter().map(option).collect();
                lines.push(format!("     options: {}", opts.join(", ")));
            }
        }
    }
    lines
}

fn option(opt: &TcpOpt) -> String {
    match opt {
        TcpOpt::Nop => "NOP".into(),
        TcpOpt::Mss(m) => format!("MSS {m}"),
        TcpOpt::WindowScale(s) => format!("wscale {s}"),
        TcpOpt::SackPermitted => "SACK-perm".into(),
        TcpOpt::Sack(blocks) => {
            let b: Vec<String> = blocks.iter().map(|(l, r)| format!("{l}-{r}")).collect();
            format!("SACK {}", b.join(" "))
        }
        TcpOpt::Timestamp { val, ecr } => format!("TS val {val} ecr {ecr}"),
        TcpOpt::Unknown(k) => format!("kind {k}"),
    }
}

fn mac(m: [u8; 6]) -> String {
    m.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_segment_and_its_headers() {
        let b = etherparse::PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(40_000, 8080, 1001, 512)
            .psh()
            .ack(2001);
        let mut frame = Vec::new();
        b.write(&mut frame, b"hello\n").unwrap();
        let mut seg = super::super::segment::decode(&frame, 0).unwrap();
        let raw = super::super::Raw {
            at_nanos: 0,
            bytes: bytes::Bytes::from(frame.clone()),
            wire_len: frame.len(),
        };
        seg.raw = Some(raw);
        assert_eq!(label(&seg, true), "PSH,ACK seq 1001:1007 ack 2001 len 6 win 512");
        assert_eq!(syn_options(&seg), "");
        let h = headers(&seg);
        assert!(h[0].starts_with("Ethernet II  00:00:00:00:00:00"), "{h:?}");
        assert!(h[1].starts_with("IPv4  127.0.0.1 → 127.0.0.1  ttl 64"), "{h:?}");
        assert!(h[2].contains("PSH,ACK  seq 1001 (raw 1001)  ack 2001 (raw 2001)"), "{h:?}");
    }
}
