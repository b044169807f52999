//! A segment as one line, in tcpdump's spirit but from the session's side:
//! `>` is sent, `<` received, then the peer, so a line reads "sent to" or
//! "received from":
//!
//! ```text
//! 12:00:01.000123 > 127.0.0.1:8080 SYN seq 0 win 65495 <mss 65495,sackOK,TS,nop,wscale 7>
//! 12:00:01.000140 < 127.0.0.1:8080 SYN,ACK seq 0 ack 1 win 65483 <mss 65495,sackOK,TS,nop,wscale 7>
//! 12:00:01.000200 > 127.0.0.1:8080 PSH,ACK seq 1:7 ack 1 win 65536 len 6
//! 12:00:01.000300 > 127.0.0.1:8888 UDP len 6
//! ```
//!
//! Numbers are relative (the first SYN is 0), the window scaled once the
//! handshake has shown the shift; the JSON event carries the raw values.

use std::fmt::Write as _;

use super::segment::{Proto, Segment, TcpOpt};
use crate::net::Dir;

/// The line for `seg`, its time shown at `offset_secs` east of UTC.
#[must_use]
pub fn line(seg: &Segment, offset_secs: i32) -> String {
    let (arrow, peer) = match seg.dir {
        Dir::Sent => ('>', seg.dst),
        Dir::Received => ('<', seg.src),
    };
    let mut out = format!("{} {arrow} {peer} ", time_of_day(seg.at_micros, offset_secs));
    match &seg.proto {
        Proto::Udp => {
            let _ = write!(out, "UDP len {}", seg.len);
        }
        Proto::Tcp(tcp) => {
            let _ = write!(out, "{} seq {}", tcp.flags, tcp.seq);
            if seg.len > 0 {
                let end = tcp.seq.wrapping_add(u32::try_from(seg.len).unwrap_or(u32::MAX));
                let _ = write!(out, ":{end}");
            }
            if tcp.flags.has(super::segment::Flags::ACK) {
                let _ = write!(out, " ack {}", tcp.ack);
            }
            let _ = write!(out, " win {}", tcp.win());
            if seg.len > 0 {
                let _ = write!(out, " len {}", seg.len);
            }
            if !tcp.options.is_empty() {
                let opts: Vec<String> = tcp.options.iter().map(option).collect();
                let _ = write!(out, " <{}>", opts.join(","));
            }
        }
    }
    out
}

/// An option as tcpdump names it (`TS` without its values: they change
/// every line and the JSON event has them).
fn option(opt: &TcpOpt) -> String {
    match opt {
        TcpOpt::Nop => "nop".into(),
        TcpOpt::Mss(mss) => format!("mss {mss}"),
        TcpOpt::WindowScale(shift) => format!("wscale {shift}"),
        TcpOpt::SackPermitted => "sackOK".into(),
        TcpOpt::Sack(blocks) => format!("sack {}", blocks.len()),
        TcpOpt::Timestamp { .. } => "TS".into(),
        TcpOpt::Unknown(kind) => format!("opt-{kind}"),
    }
}

/// `HH:MM:SS.micros` of a time, `offset_secs` east of UTC.
#[must_use]
pub fn time_of_day(at_micros: u64, offset_secs: i32) -> String {
    let secs = i64::try_from(at_micros / 1_000_000).unwrap_or(0) + i64::from(offset_secs);
    let day = secs.rem_euclid(86_400);
    let micros = at_micros % 1_000_000;
    format!("{:02}:{:02}:{:02}.{micros:06}", day / 3600, day % 3600 / 60, day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::segment::{Flags, Tcp};

    fn at(h: u64, m: u64, s: u64, micros: u64) -> u64 {
        ((h * 60 + m) * 60 + s) * 1_000_000 + micros
    }

    fn tcp(
        dir: Dir,
        flags: Flags,
        seq: u32,
        ack: u32,
        len: usize,
        options: Vec<TcpOpt>,
    ) -> Segment {
        Segment {
            at_micros: at(12, 0, 1, 123),
            dir,
            src: "127.0.0.1:40000".parse().unwrap(),
            dst: "127.0.0.1:8080".parse().unwrap(),
            len,
            proto: Proto::Tcp(Tcp {
                flags,
                seq,
                ack,
                seq_raw: 0,
                ack_raw: 0,
                win_raw: 512,
                win_shift: (!flags.has(Flags::SYN)).then_some(7),
                options,
            }),
            raw: None,
        }
    }

    #[test]
    fn a_syn_reads_like_tcpdump() {
        let opts = vec![
            TcpOpt::Mss(65_495),
            TcpOpt::SackPermitted,
            TcpOpt::Timestamp { val: 1, ecr: 0 },
            TcpOpt::Nop,
            TcpOpt::WindowScale(7),
        ];
        let seg = tcp(Dir::Sent, Flags::SYN, 0, 0, 0, opts);
        assert_eq!(
            line(&seg, 0),
            "12:00:01.000123 > 127.0.0.1:8080 SYN seq 0 win 512 <mss 65495,sackOK,TS,nop,wscale 7>"
        );
    }

    #[test]
    fn data_shows_its_range_ack_scaled_window_and_length() {
        let seg = tcp(Dir::Received, Flags::PSH.with(Flags::ACK), 1, 7, 3, Vec::new());
        assert_eq!(
            line(&seg, 3600),
            "13:00:01.000123 < 127.0.0.1:40000 PSH,ACK seq 1:4 ack 7 win 65536 len 3"
        );
    }

    #[test]
    fn udp_is_a_length() {
        let mut seg = tcp(Dir::Sent, Flags::default(), 0, 0, 6, Vec::new());
        seg.proto = Proto::Udp;
        assert_eq!(line(&seg, -3600), "11:00:01.000123 > 127.0.0.1:8080 UDP len 6");
    }

    #[test]
    fn times_wrap_at_midnight() {
        assert_eq!(time_of_day(at(23, 59, 59, 999_999), 1), "00:00:00.999999");
        assert_eq!(time_of_day(5, -1), "23:59:59.000005");
    }
}
