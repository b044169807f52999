//! The kernel's figures of a `--log` back into events: `sample` (one
//! socket's figures), `kernel` (the fd-less sockets) and `transition` (a
//! state change the kernel made), so the replayed panel and the Lifecycle's
//! kernel lines update as they did live. The inverse of `json/inspect.rs`.

use std::time::Duration;

use serde_json::Value;

use super::events::Why;
use crate::net::sample::{AcceptQueue, Linger, Options, Sample, TcpFigures};
use crate::net::{Addr, DiagSocket, EventKind, Family, Kind, TcpState, Transition, Whose};

fn u32_of(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

fn need_u32(v: &Value, field: &str) -> Result<u32, Why> {
    u32_of(&v[field]).ok_or_else(|| format!("no {field:?}"))
}

fn state(v: &Value) -> Result<TcpState, Why> {
    let name = v.as_str().ok_or("no state")?;
    (1..=12).map(TcpState::from_kernel).find(|s| s.name() == name).ok_or(format!("state {name:?}"))
}

fn addr(v: &Value) -> Result<Option<Addr>, Why> {
    match v.as_str() {
        None => Ok(None),
        Some(text) => match text.parse::<std::net::SocketAddr>() {
            Ok(a) => Ok(Some(Addr::Inet(a))),
            Err(e) => Err(format!("{text:?}: {e}")),
        },
    }
}

fn inet(v: &Value, field: &str) -> Result<std::net::SocketAddr, Why> {
    addr(&v[field])?.and_then(|a| a.inet()).ok_or_else(|| format!("no {field:?}"))
}

/// `{"ev":"sample", ...}`.
///
/// # Errors
/// A field that does not fit (a Unix socket's path is not rebuilt).
pub fn sample(v: &Value) -> Result<EventKind, Why> {
    let family = match v["family"].as_str() {
        Some("AF_INET") => Family::Inet,
        Some("AF_INET6") => Family::Inet6,
        other => return Err(format!("family {other:?} is not replayed")),
    };
    let kind = if v["type"] == "UDP" { Kind::Dgram } else { Kind::Stream };
    let o = &v["options"];
    let linger = match &o["linger"] {
        Value::Bool(false) => Some(Linger::Off),
        Value::Number(n) => n.as_u64().map(|s| Linger::On(Duration::from_secs(s))),
        _ => None,
    };
    let options = Options {
        rcvbuf: o["rcvbuf"].as_u64().and_then(|n| usize::try_from(n).ok()),
        sndbuf: o["sndbuf"].as_u64().and_then(|n| usize::try_from(n).ok()),
        reuseaddr: o["reuseaddr"].as_bool(),
        keepalive: o["keepalive"].as_bool(),
        nodelay: o["nodelay"].as_bool(),
        ttl: u32_of(&o["ttl"]),
        linger,
    };
    let tcp = match &v["tcp"] {
        Value::Null => None,
        t => Some(tcp(t)?),
    };
    let accept_queue = match &v["accept_queue"] {
        Value::Null => None,
        q => Some(AcceptQueue { len: need_u32(q, "len")?, backlog: need_u32(q, "backlog")? }),
    };
    let sample = Sample {
        fd: v["fd"].as_i64().and_then(|n| i32::try_from(n).ok()).ok_or("no \"fd\"")?,
        family,
        kind,
        listening: v["listening"].as_bool().unwrap_or(false),
        local: addr(&v["local"])?,
        peer: addr(&v["peer"])?,
        timeout: v["timeout"].as_f64(),
        nonblocking: v["nonblocking"].as_bool(),
        options,
        recv_q: u32_of(&v["recv_q"]),
        send_q: u32_of(&v["send_q"]),
        tcp,
        accept_queue,
        last: v["last"].as_bool().unwrap_or(false),
    };
    let sock = need_u32(v, "sock")?;
    Ok(EventKind::Sample { sock, sample: Box::new(sample) })
}

fn tcp(t: &Value) -> Result<TcpFigures, Why> {
    let n = |f: &str| need_u32(t, f);
    Ok(TcpFigures {
        state: state(&t["state"])?,
        rtt_us: n("rtt_us")?,
        rttvar_us: n("rttvar_us")?,
        rto_us: n("rto_us")?,
        snd_mss: n("snd_mss")?,
        snd_cwnd: n("snd_cwnd")?,
        snd_ssthresh: u32_of(&t["snd_ssthresh"]),
        retransmits: u8::try_from(n("retransmits")?).unwrap_or(u8::MAX),
        total_retrans: n("total_retrans")?,
        unacked: n("unacked")?,
        lost: n("lost")?,
        pmtu: n("pmtu")?,
        rcv_space: n("rcv_space")?,
        last_data_sent_ms: n("last_data_sent_ms")?,
        last_data_recv_ms: n("last_data_recv_ms")?,
        bytes_acked: t["bytes_acked"].as_u64(),
        bytes_received: t["bytes_received"].as_u64(),
        segs_in: u32_of(&t["segs_in"]),
        segs_out: u32_of(&t["segs_out"]),
        delivery_rate: t["delivery_rate"].as_u64(),
    })
}

/// `"whose"` and the socket it names.
fn whose(v: &Value) -> Result<Whose, Why> {
    let sock = || need_u32(v, "sock");
    Ok(match v["whose"].as_str() {
        Some("ours") => Whose::Ours { sock: sock()? },
        Some("queued") => Whose::Queued { listener: need_u32(v, "listener")? },
        Some("remains") => Whose::Remains { sock: sock()? },
        Some("peer") => Whose::PeerEnd { sock: u32_of(&v["sock"]) },
        other => return Err(format!("whose {other:?}")),
    })
}

/// `{"ev":"kernel","sockets":[...]}`.
///
/// # Errors
/// An entry that does not fit.
pub fn kernel(v: &Value) -> Result<EventKind, Why> {
    let list = v["sockets"].as_array().ok_or("no \"sockets\"")?;
    let sockets = list
        .iter()
        .map(|d| {
            Ok(DiagSocket {
                whose: whose(d)?,
                state: state(&d["state"])?,
                local: inet(d, "local")?,
                peer: inet(d, "peer")?,
                recv_q: need_u32(d, "recv_q")?,
                send_q: need_u32(d, "send_q")?,
            })
        })
        .collect::<Result<Vec<_>, Why>>()?;
    Ok(EventKind::Kernel { sockets })
}

/// `{"ev":"transition","by":"kernel", ...}`.
///
/// # Errors
/// A field that does not fit.
pub fn transition(v: &Value) -> Result<EventKind, Why> {
    let maybe = |f: &str| match &v[f] {
        Value::Null => Ok(None),
        s => state(s).map(Some),
    };
    Ok(EventKind::Transition(Transition {
        whose: whose(v)?,
        local: inet(v, "local")?,
        peer: inet(v, "peer")?,
        from: maybe("from")?,
        to: maybe("to")?,
    }))
}
