//! The JSON form of inspection events: `"ev":"sample"` (one socket's
//! figures), `"ev":"kernel"` (the fd-less sockets) and `"ev":"transition"`
//! (a state change by the kernel). Absent figures are `null`, never guessed.

use crate::python::Python as _;
use serde_json::{Value, json};

use crate::net::sample::Sample;
use crate::net::sample::{Linger, TcpFigures};
use crate::net::{DiagSocket, SockId, TcpState, Transition, Whose};

/// `{"ev":"sample", ...}`.
pub(super) fn sample(sock: SockId, s: &Sample) -> Value {
    let o = &s.options;
    let linger = match o.linger {
        None => Value::Null,
        Some(Linger::Off) => json!(false),
        Some(Linger::On(d)) => json!(d.as_secs()),
    };
    json!({
        "ev": "sample",
        "sock": sock,
        "fd": s.fd,
        "family": s.family.python(),
        "type": s.kind.protocol(s.family),
        "listening": s.listening,
        "local": s.local.clone().map(|a| a.to_string()),
        "peer": s.peer.clone().map(|a| a.to_string()),
        "timeout": s.timeout,
        "nonblocking": s.nonblocking,
        "options": {
            "rcvbuf": o.rcvbuf, "sndbuf": o.sndbuf, "reuseaddr": o.reuseaddr,
            "keepalive": o.keepalive, "nodelay": o.nodelay, "ttl": o.ttl, "linger": linger,
        },
        "recv_q": s.recv_q,
        "send_q": s.send_q,
        "tcp": s.tcp.as_ref().map(tcp),
        "accept_queue": s.accept_queue.map(|q| json!({ "len": q.len, "backlog": q.backlog })),
        "last": s.last,
    })
}

fn tcp(t: &TcpFigures) -> Value {
    json!({
        "state": t.state.name(),
        "rtt_us": t.rtt_us, "rttvar_us": t.rttvar_us, "rto_us": t.rto_us,
        "snd_mss": t.snd_mss, "snd_cwnd": t.snd_cwnd, "snd_ssthresh": t.snd_ssthresh,
        "retransmits": t.retransmits, "total_retrans": t.total_retrans,
        "unacked": t.unacked, "lost": t.lost, "pmtu": t.pmtu, "rcv_space": t.rcv_space,
        "last_data_sent_ms": t.last_data_sent_ms, "last_data_recv_ms": t.last_data_recv_ms,
        "bytes_acked": t.bytes_acked, "bytes_received": t.bytes_received,
        "segs_in": t.segs_in, "segs_out": t.segs_out, "delivery_rate": t.delivery_rate,
    })
}

/// `{"ev":"kernel","sockets":[...]}`.
pub(super) fn kernel(sockets: &[DiagSocket]) -> Value {
    let list: Vec<Value> = sockets
        .iter()
        .map(|d| {
            let mut v = whose(d.whose);
            v["state"] = json!(d.state.name());
            v["local"] = json!(d.local.to_string());
            v["peer"] = json!(d.peer.to_string());
            v["recv_q"] = json!(d.recv_q);
            v["send_q"] = json!(d.send_q);
            v
        })
        .collect();
    json!({ "ev": "kernel", "sockets": list })
}

/// `{"ev":"transition","by":"kernel", ...}`.
pub(super) fn transition(t: &Transition) -> Value {
    let mut v = whose(t.whose);
    v["ev"] = json!("transition");
    v["by"] = json!("kernel");
    v["local"] = json!(t.local.to_string());
    v["peer"] = json!(t.peer.to_string());
    v["from"] = json!(t.from.map(TcpState::name));
    v["to"] = json!(t.to.map(TcpState::name));
    v
}

/// `"whose"` and the socket it refers to (`"sock"`; `"listener"` for a
/// queued connection).
fn whose(w: Whose) -> Value {
    match w {
        Whose::Ours { sock } => json!({ "whose": "ours", "sock": sock }),
        Whose::Queued { listener } => json!({ "whose": "queued", "listener": listener }),
        Whose::Remains { sock } => json!({ "whose": "remains", "sock": sock }),
        Whose::PeerEnd { sock } => json!({ "whose": "peer", "sock": sock }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::sample::{AcceptQueue, Options};
    use crate::net::{Family, Kind, TcpState};

    #[test]
    fn a_listener_sample_has_its_accept_queue_and_no_queues() {
        let s = Sample {
            fd: 3,
            family: Family::Inet,
            kind: Kind::Stream,
            listening: true,
            local: Some("127.0.0.1:80".parse().unwrap()),
            peer: None,
            timeout: None,
            nonblocking: Some(true),
            options: Options { linger: Some(Linger::Off), ..Options::default() },
            recv_q: None,
            send_q: None,
            tcp: None,
            accept_queue: Some(AcceptQueue { len: 3, backlog: 5 }),
            last: false,
        };
        let v = sample(1, &s);
        assert_eq!(v["accept_queue"], json!({ "len": 3, "backlog": 5 }));
        assert_eq!((v["recv_q"].clone(), v["timeout"].clone()), (Value::Null, Value::Null));
        assert_eq!(v["options"]["linger"], json!(false));
        assert_eq!(v["local"], "127.0.0.1:80");
    }

    #[test]
    fn transitions_say_whose_and_by_whom() {
        let t = Transition {
            whose: Whose::Remains { sock: 4 },
            local: "127.0.0.1:80".parse().unwrap(),
            peer: "127.0.0.1:5000".parse().unwrap(),
            from: Some(TcpState::FinWait2),
            to: Some(TcpState::TimeWait),
        };
        let v = transition(&t);
        assert_eq!(v["by"], "kernel");
        assert_eq!((v["whose"].as_str(), v["sock"].as_u64()), (Some("remains"), Some(4)));
        assert_eq!((v["from"].as_str(), v["to"].as_str()), (Some("FIN_WAIT2"), Some("TIME_WAIT")));
        let gone = Transition { to: None, ..t };
        assert_eq!(transition(&gone)["to"], Value::Null);
    }
}
