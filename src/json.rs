//! The JSON-lines event schema shared by `--events json` and `--log`: one
//! object per event, each with `"v"` (schema version), `"t"` (microseconds
//! since the Unix epoch) and `"ev"` (the kind). Documented in docs/events.md.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::net::relay::RelayNote;
use crate::net::{
    Call, CallRecord, CloseReason, DataRecord, Dir, Event, EventKind, Family, Moved, Returned,
};
use crate::python;

mod inspect;
mod segment;
mod tls;
pub use segment::{parse_segment, segment_line, wire_line};

/// Version of the schema; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// One event as one line of JSON (no trailing newline).
#[must_use]
pub fn line(event: &Event) -> String {
    let mut obj = Map::new();
    obj.insert("v".into(), json!(SCHEMA_VERSION));
    obj.insert("t".into(), json!(event.at));
    let body = body(&event.kind);
    if let Value::Object(fields) = body {
        obj.extend(fields);
    }
    Value::Object(obj).to_string()
}

fn body(kind: &EventKind) -> Value {
    match kind {
        EventKind::Call(record) => call(record),
        EventKind::Data(record) => data(record),
        EventKind::Connected { sock, fd, local, peer } => json!({
            "ev": "connected", "sock": sock, "fd": fd,
            "local": local.to_string(), "peer": peer.to_string(),
        }),
        EventKind::Listening { sock, fd, local, kind } => json!({
            "ev": "listening", "sock": sock, "fd": fd,
            "local": local.to_string(), "type": kind.protocol(Family::of(local)),
        }),
        EventKind::PeerEof { sock } => json!({ "ev": "eof", "sock": sock }),
        EventKind::Closed { sock, reason } => {
            let reason = match reason {
                CloseReason::Local => "local".to_string(),
                CloseReason::Failed(err) => err.to_string(),
            };
            json!({ "ev": "closed", "sock": sock, "reason": reason })
        }
        EventKind::Dropped { len, why } => json!({ "ev": "dropped", "len": len, "why": why }),
        EventKind::Rejected { sock, peer, limit } => json!({
            "ev": "rejected", "sock": sock, "peer": peer.to_string(), "limit": limit,
        }),
        EventKind::Fatal { error } => json!({ "ev": "fatal", "message": error.to_string() }),
        EventKind::Sample { sock, sample } => inspect::sample(*sock, sample),
        EventKind::Kernel { sockets } => inspect::kernel(sockets),
        EventKind::Transition(t) => inspect::transition(t),
        EventKind::Totals(moved) => totals(moved),
        EventKind::Tls(event) => tls::body(event),
        EventKind::Relay(note) => relay(note),
    }
}

/// A relay's pairs and faults.
fn relay(note: &RelayNote) -> Value {
    match note {
        RelayNote::Pair { client, server, client_addr, faults } => json!({
            "ev": "pair", "client": client, "server": server,
            "client_addr": client_addr.to_string(), "faults": faults,
        }),
        RelayNote::NoUpstream { client, error } => {
            json!({ "ev": "no_upstream", "sock": client, "message": error.to_string() })
        }
        RelayNote::Fault { client, what } => {
            json!({ "ev": "fault", "sock": client, "fault": what })
        }
        RelayNote::Idle { server, client_addr } => {
            json!({ "ev": "idle", "sock": server, "client_addr": client_addr.to_string() })
        }
        RelayNote::Held(h) => json!({
            "ev": "held", "sock": h.client, "way": h.way.name(), "on": h.on,
            "count": h.count, "bytes": h.bytes, "sizes": h.sizes,
        }),
        RelayNote::Injected { client, way, len } => {
            json!({ "ev": "injected", "sock": client, "way": way.name(), "len": len })
        }
    }
}

/// `--source`/`--sink` totals, with the rate over the transfer's own time.
fn totals(m: &Moved) -> Value {
    let mut v = json!({
        "ev": "totals", "sock": m.sock,
        "dir": if m.dir == Dir::Sent { "send" } else { "recv" },
        "bytes": m.bytes, "calls": m.calls, "secs": m.secs(),
        "bytes_per_sec": m.per_sec(m.bytes).round(),
    });
    if m.datagrams {
        v["datagrams"] = json!(m.calls);
        v["datagrams_per_sec"] = json!(m.per_sec(m.calls).round());
    }
    v
}

fn call(record: &CallRecord) -> Value {
    let mut v = json!({
        "ev": "call",
        "sock": record.sock,
        "call": record.call.name(),
        "py": python::call_line(record.var, &record.call),
        "ok": record.result.is_ok(),
        "result": python::result_text(record),
    });
    if let Err(err) = &record.result {
        // The sentence text mode prints, addressed where the call names its
        // address (bind, connect, sendto), for scripts that show errors.
        let target = match &record.call {
            Call::Bind(a) | Call::Connect(a) | Call::ConnectEx(a) | Call::SendTo { to: a, .. } => {
                a.to_string()
            }
            _ => String::new(),
        };
        v["message"] = json!(err.message(record.call.name(), &target));
        v["error"] = json!(err.name);
        if let Some(errno) = err.errno {
            v["errno"] = json!(errno);
        }
    }
    if let Ok(Returned::Accepted { sock, fd, peer }) = &record.result {
        v["conn"] = json!(sock);
        v["fd"] = json!(fd);
        v["peer"] = json!(peer.to_string());
    }
    if let Ok(Returned::Data { data, truncated, .. }) = &record.result {
        v["len"] = json!(data.len());
        if let Some(full) = truncated {
            v["truncated_from"] = json!(full);
        }
    }
    v
}

fn data(record: &DataRecord) -> Value {
    let mut v = json!({
        "ev": "data",
        "sock": record.sock,
        "dir": match record.dir { Dir::Sent => "send", Dir::Received => "recv" },
        "offset": record.offset,
        "len": record.data.len(),
    });
    if let Some(peer) = &record.peer {
        v["peer"] = json!(peer.to_string());
    }
    match std::str::from_utf8(&record.data) {
        Ok(text) => v["text"] = json!(text),
        Err(_) => v["b64"] = json!(base64::engine::general_purpose::STANDARD.encode(&record.data)),
    }
    v
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::net::{Call, CallError};

    fn parse(event: &Event) -> Value {
        serde_json::from_str(&line(event)).unwrap()
    }

    #[test]
    fn calls_carry_python_and_errno() {
        let record = CallRecord {
            sock: 1,
            var: "client",
            call: Call::Connect("127.0.0.1:9".parse().unwrap()),
            result: Err(CallError::from_errno(libc::ECONNREFUSED)),
        };
        let v = parse(&Event { at: 5, kind: EventKind::Call(record) });
        assert_eq!(v["v"], 1);
        assert_eq!(v["t"], 5);
        assert_eq!(v["ev"], "call");
        assert_eq!(v["call"], "connect");
        assert_eq!(v["py"], "client.connect(('127.0.0.1', 9))");
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"], "ECONNREFUSED");
        assert_eq!(v["errno"], 111);
    }

    #[test]
    fn data_is_text_when_utf8_else_base64() {
        let make = |bytes: &'static [u8]| Event {
            at: 1,
            kind: EventKind::Data(DataRecord {
                sock: 2,
                dir: Dir::Received,
                peer: None,
                data: Bytes::from_static(bytes),
                offset: 0,
            }),
        };
        let text = parse(&make("你好".as_bytes()));
        assert_eq!(text["text"], "你好");
        assert!(text.get("b64").is_none());
        let binary = parse(&make(b"\xff\x00"));
        assert_eq!(binary["b64"], "/wA=");
        assert_eq!(binary["dir"], "recv");
    }
}
