//! The JSON form of a captured segment, `"ev":"segment"` (`--wire`): the
//! numbers tshark shows by default (relative seq/ack, the scaled window)
//! beside the raw ones, so a script can compare with either.

use serde_json::{Map, Value, json};

use crate::net::{Dir, Micros};
use crate::wire::{Proto, Segment, Summary, TcpOpt};

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
    use crate::wire::{Flags, Tcp};

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
