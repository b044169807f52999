//! The JSON form of a captured segment, `"ev":"segment"` (`--wire`): the
//! numbers tshark shows by default (relative seq/ack, the scaled window)
//! beside the raw ones, so a script can compare with either.

use serde_json::{Map, Value, json};

use crate::net::{Dir, Micros};
use crate::wire::{Proto, Segment, Summary, Tcp, TcpOpt};

/// One segment as one line of JSON (no trailing newline).
#[must_use]
pub fn segment_line(seg: &Segment) -> String {
    let mut v = json!({
        "v": super::SCHEMA_VERSION,
        "t": seg.at_micros,
        "ev": "segment",
        "dir": match seg.dir { Dir::Sent => "send", Dir::Received => "recv" },
        "src": seg.src.to_string(),
        "dst": seg.dst.to_string(),
        "len": seg.len,
    });
    match &seg.proto {
        Proto::Udp => v["proto"] = json!("UDP"),
        Proto::Tcp(tcp) => {
            v["proto"] = json!("TCP");
            v["flags"] = json!(tcp.flags.to_string());
            v["seq"] = json!(tcp.seq);
            v["ack"] = json!(tcp.ack);
            v["seq_raw"] = json!(tcp.seq_raw);
            v["ack_raw"] = json!(tcp.ack_raw);
            v["win"] = json!(tcp.win());
            v["win_raw"] = json!(tcp.win_raw);
            if let Some(shift) = tcp.win_shift {
                v["win_scale"] = json!(1u32 << shift);
            }
            if !tcp.options.is_empty() {
                v["options"] = options(&tcp.options);
            }
        }
    }
    v.to_string()
}

/// `{"ev":"wire"}`: the capture's end when it lost something: `segments`
/// shown, `dropped` (frames the kernel dropped from its full queue) and
/// `error` (why it stopped early), so a script knows the segments are not
/// the whole conversation.
#[must_use]
pub fn wire_line(summary: &Summary, at: Micros) -> String {
    json!({
        "v": super::SCHEMA_VERSION,
        "t": at,
        "ev": "wire",
        "segments": summary.segments,
        "dropped": summary.dropped,
        "error": summary.error,
    })
    .to_string()
}

/// A `segment` line read back (to replay a recorded session into the
/// app, as `tests/ui_wire.rs` does); `None` for any other line. The frame's
/// bytes are not in the schema, and options come back in Linux's order
/// (the line keeps them by name, not in the order sent).
#[must_use]
pub fn parse_segment(v: &Value) -> Option<Segment> {
    if v["ev"] != "segment" {
        return None;
    }
    let num = |k: &str| v[k].as_u64();
    let dir = match v["dir"].as_str()? {
        "send" => Dir::Sent,
        _ => Dir::Received,
    };
    let proto = match v["proto"].as_str()? {
        "UDP" => Proto::Udp,
        _ => {
            let mut flags = crate::wire::Flags::default();
            for name in v["flags"].as_str()?.split(',') {
                flags = flags.with(crate::wire::Flags::named(name)?);
            }
            let win_shift = num("win_scale").map(|s| u8::try_from(s.trailing_zeros()).unwrap_or(0));
            Proto::Tcp(Tcp {
                flags,
                seq: u32::try_from(num("seq")?).ok()?,
                ack: u32::try_from(num("ack")?).ok()?,
                seq_raw: u32::try_from(num("seq_raw")?).ok()?,
                ack_raw: u32::try_from(num("ack_raw")?).ok()?,
                win_raw: u16::try_from(num("win_raw")?).ok()?,
                win_shift,
                options: parse_options(&v["options"]),
            })
        }
    };
    Some(Segment {
        at_micros: num("t")?,
        dir,
        src: v["src"].as_str()?.parse().ok()?,
        dst: v["dst"].as_str()?.parse().ok()?,
        len: usize::try_from(num("len")?).ok()?,
        proto,
        raw: None,
    })
}

fn parse_options(o: &Value) -> Vec<TcpOpt> {
    let mut out = Vec::new();
    if let Some(mss) = o["mss"].as_u64().and_then(|m| u16::try_from(m).ok()) {
        out.push(TcpOpt::Mss(mss));
    }
    if o["sack_perm"] == true {
        out.push(TcpOpt::SackPermitted);
    }
    if let Some(blocks) = o["sack"].as_array() {
        let pair = |b: &Value| {
            let n = |i: usize| b[i].as_u64().and_then(|x| u32::try_from(x).ok());
            Some((n(0)?, n(1)?))
        };
        out.push(TcpOpt::Sack(blocks.iter().filter_map(pair).collect()));
    }
    if let (Some(val), Some(ecr)) = (o["ts"]["val"].as_u64(), o["ts"]["ecr"].as_u64()) {
        let n = |x: u64| u32::try_from(x).unwrap_or(0);
        out.push(TcpOpt::Timestamp { val: n(val), ecr: n(ecr) });
    }
    if let Some(shift) = o["wscale"].as_u64().and_then(|s| u8::try_from(s).ok()) {
        out.push(TcpOpt::Nop);
        out.push(TcpOpt::WindowScale(shift));
    }
    out
}

/// The options by name; padding (`nop`) is left out.
fn options(opts: &[TcpOpt]) -> Value {
    let mut o = Map::new();
    for opt in opts {
        let (name, value) = match opt {
            TcpOpt::Nop => continue,
            TcpOpt::Mss(mss) => ("mss", json!(mss)),
            TcpOpt::WindowScale(shift) => ("wscale", json!(shift)),
            TcpOpt::SackPermitted => ("sack_perm", json!(true)),
            TcpOpt::Sack(blocks) => ("sack", json!(blocks)),
            TcpOpt::Timestamp { val, ecr } => ("ts", json!({ "val": val, "ecr": ecr })),
            TcpOpt::Unknown(kind) => ("unknown", json!(kind)),
        };
        o.insert(name.into(), value);
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Flags;

    #[test]
    fn a_syn_ack_carries_relative_and_raw_numbers_and_its_options() {
        let seg = Segment {
            at_micros: 9,
            dir: Dir::Received,
            src: "127.0.0.1:8080".parse().unwrap(),
            dst: "127.0.0.1:40000".parse().unwrap(),
            len: 0,
            proto: Proto::Tcp(Tcp {
                flags: Flags::SYN.with(Flags::ACK),
                seq: 0,
                ack: 1,
                seq_raw: 77,
                ack_raw: 1001,
                win_raw: 65_483,
                win_shift: None,
                options: vec![
                    TcpOpt::Mss(65_495),
                    TcpOpt::Nop,
                    TcpOpt::WindowScale(7),
                    TcpOpt::Timestamp { val: 5, ecr: 6 },
                ],
            }),
            raw: None,
        };
        let v: Value = serde_json::from_str(&segment_line(&seg)).unwrap();
        assert_eq!(
            (v["v"].clone(), v["t"].clone(), v["ev"].clone()),
            (json!(1), json!(9), json!("segment"))
        );
        assert_eq!((v["dir"].as_str(), v["proto"].as_str()), (Some("recv"), Some("TCP")));
        assert_eq!(v["flags"], "SYN,ACK");
        assert_eq!(
            (v["seq"].clone(), v["ack"].clone(), v["ack_raw"].clone()),
            (json!(0), json!(1), json!(1001))
        );
        assert_eq!((v["win"].clone(), v["win_raw"].clone()), (json!(65_483), json!(65_483)));
        assert!(v.get("win_scale").is_none(), "a SYN's window is never scaled");
        assert_eq!(v["options"], json!({"mss": 65_495, "wscale": 7, "ts": {"val": 5, "ecr": 6}}));
    }

    #[test]
    fn a_segment_line_reads_back() {
        let seg = Segment {
            at_micros: 9,
            dir: Dir::Received,
            src: "127.0.0.1:8080".parse().unwrap(),
            dst: "127.0.0.1:40000".parse().unwrap(),
            len: 3,
            proto: Proto::Tcp(Tcp {
                flags: Flags::PSH.with(Flags::ACK),
                seq: 1,
                ack: 7,
                seq_raw: 78,
                ack_raw: 1007,
                win_raw: 512,
                win_shift: Some(7),
                options: vec![TcpOpt::Timestamp { val: 5, ecr: 6 }],
            }),
            raw: None,
        };
        let v: Value = serde_json::from_str(&segment_line(&seg)).unwrap();
        assert_eq!(parse_segment(&v), Some(seg));
        let udp: Value = serde_json::from_str(
            r#"{"v":1,"t":1,"ev":"segment","dir":"send","src":"[::1]:5","dst":"[::1]:6","len":2,"proto":"UDP"}"#,
        )
        .unwrap();
        assert_eq!(parse_segment(&udp).map(|s| (s.proto, s.len)), Some((Proto::Udp, 2)));
        assert_eq!(parse_segment(&json!({"ev": "call"})), None);
    }

    #[test]
    fn a_datagram_is_addresses_and_a_length() {
        let seg = Segment {
            at_micros: 1,
            dir: Dir::Sent,
            src: "[::1]:5000".parse().unwrap(),
            dst: "[::1]:8888".parse().unwrap(),
            len: 6,
            proto: Proto::Udp,
            raw: None,
        };
        let v: Value = serde_json::from_str(&segment_line(&seg)).unwrap();
        assert_eq!(v["proto"], "UDP");
        assert_eq!(
            (v["src"].as_str(), v["dst"].as_str(), v["len"].clone()),
            (Some("[::1]:5000"), Some("[::1]:8888"), json!(6))
        );
        assert!(v.get("flags").is_none());
    }
}
