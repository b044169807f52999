//! Replays a `--log` transcript recorded from the real engine (files under
//! `tests/fixtures/`) as the engine's `Event`s, for the UI snapshot tests.
//! Each call is rebuilt from its JSON line and must print back as exactly
//! the recorded Python line and result (`python::call_line`,
//! `result_text`), so the replay cannot drift from what was recorded.
//! Kernel samples, kernel lists and transitions are left out: they belong
//! to the inspection panes, not to what these tests look at.
#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::Value;
use sockpit::net::tls::{CertInfo, TlsCall, TlsEvent, TlsInfo, TlsReturned, Verification};
use sockpit::net::{
    Call, CallRecord, CloseReason, DataRecord, Dir, Event, EventKind, Family, Kind, Returned, Shut,
    SockOpt,
};

/// A fixture's JSON lines.
pub fn lines(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}")))
        .collect()
}

/// The events of a fixture, in order, with their recorded times.
pub fn events(name: &str) -> Vec<Event> {
    let lines = lines(name);
    let mut out = Vec::new();
    for (i, v) in lines.iter().enumerate() {
        let kind = match v["ev"].as_str().expect("ev") {
            "call" => EventKind::Call(call(v, &lines[..i], &lines[i + 1..])),
            "data" => EventKind::Data(data(v)),
            "connected" => EventKind::Connected {
                sock: sock(v),
                fd: int(v, "fd"),
                local: sock_addr(str(v, "local")).into(),
                peer: sock_addr(str(v, "peer")).into(),
            },
            "listening" => EventKind::Listening {
                sock: sock(v),
                fd: int(v, "fd"),
                local: sock_addr(str(v, "local")).into(),
                kind: Kind::Stream,
            },
            "eof" => EventKind::PeerEof { sock: sock(v) },
            "closed" => {
                assert_eq!(v["reason"], "local", "only local closes are replayed: {v}");
                EventKind::Closed { sock: sock(v), reason: CloseReason::Local }
            }
            "tls" => EventKind::Tls(TlsEvent::Handshake(Box::new(tls_info(v)))),
            "tls_wire" => EventKind::Tls(TlsEvent::Wire {
                sock: sock(v),
                sent: v["wire_sent"].as_u64().expect("wire_sent"),
                received: v["wire_recv"].as_u64().expect("wire_recv"),
                plain_sent: v["plain_sent"].as_u64().expect("plain_sent"),
                plain_received: v["plain_recv"].as_u64().expect("plain_recv"),
            }),
            "tls_cert" => EventKind::Tls(TlsEvent::Generated {
                cert: Box::new(cert(&v["cert"])),
                saved: v["saved"].as_str().map(str::to_string),
            }),
            "sample" | "kernel" | "transition" => continue,
            other => panic!("no replay for {other:?}: {v}"),
        };
        out.push(Event { at: v["t"].as_u64().expect("t"), kind });
    }
    out
}

fn str<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}"))
}

fn int(v: &Value, field: &str) -> i32 {
    v[field].as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_else(|| panic!("{field}"))
}

fn sock(v: &Value) -> u32 {
    v["sock"].as_u64().and_then(|n| u32::try_from(n).ok()).expect("sock")
}

fn sock_addr(text: &str) -> SocketAddr {
    text.parse().unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// `('127.0.0.1', 8080)` inside a Python line.
fn py_addr(py: &str) -> SocketAddr {
    let open = py.find("('").expect("address tuple");
    let rest = &py[open + 2..];
    let (host, rest) = rest.split_once("', ").expect("host");
    let port = rest.split(')').next().expect("port");
    sock_addr(&format!("{host}:{port}"))
}

/// The `n`th `'...'` literal in a Python line (the fixtures hold no escapes).
fn quoted(py: &str, n: usize) -> String {
    py.split('\'').nth(2 * n + 1).unwrap_or_else(|| panic!("literal {n} in {py}")).to_string()
}

/// The number after `fd=` in a result.
fn fd(result: &str) -> i32 {
    let digits: String =
        result.split("fd=").nth(1).expect("fd=").chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("fd")
}

fn var(py: &str) -> &'static str {
    if py.starts_with("sock, caddr = server.accept()") {
        return "server";
    }
    let head = py.split(['.', ' ']).next().expect("var");
    ["server", "client", "sock", "tls", "ctx"]
        .into_iter()
        .find(|v| *v == head)
        .unwrap_or_else(|| panic!("unknown variable in {py}"))
}

fn data(v: &Value) -> DataRecord {
    let bytes = v["text"].as_str().expect("the fixtures' data is text").as_bytes();
    DataRecord {
        sock: sock(v),
        dir: if v["dir"] == "send" { Dir::Sent } else { Dir::Received },
        peer: v["peer"].as_str().map(|p| sock_addr(p).into()),
        data: Bytes::copy_from_slice(bytes),
        offset: v["offset"].as_u64().expect("offset"),
    }
}

/// The next event of kind `ev` on the same socket, after a call.
fn next<'a>(after: &'a [Value], ev: &str, sock_id: u32) -> &'a Value {
    after
        .iter()
        .find(|v| v["ev"] == ev && sock(v) == sock_id)
        .unwrap_or_else(|| panic!("no {ev} event after the call on sock {sock_id}"))
}

fn call(v: &Value, before: &[Value], after: &[Value]) -> CallRecord {
    assert_eq!(v["ok"], true, "only successful calls are replayed: {v}");
    let (py, result, id) = (str(v, "py"), str(v, "result"), sock(v));
    let (call, returned) = match str(v, "call") {
        "socket" => (
            Call::Socket { family: Family::Inet, kind: Kind::Stream },
            Returned::Socket { fd: fd(result) },
        ),
        "setsockopt" => (Call::SetSockOpt(SockOpt::ReuseAddr(true)), Returned::Nothing),
        "bind" => (Call::Bind(py_addr(py).into()), Returned::Nothing),
        "listen" => {
            let n = py.split(['(', ')']).nth(1).expect("backlog").parse().expect("backlog");
            (Call::Listen(n), Returned::Nothing)
        }
        "accept" => (
            Call::Accept,
            Returned::Accepted {
                sock: v["conn"].as_u64().and_then(|n| u32::try_from(n).ok()).expect("conn"),
                fd: int(v, "fd"),
                peer: sock_addr(str(v, "peer")).into(),
            },
        ),
        "connect" => (Call::Connect(py_addr(py).into()), Returned::Nothing),
        "sendall" => {
            let len = usize::try_from(v_len_from_py(py)).expect("len");
            (Call::SendAll { len }, Returned::Nothing)
        }
        "recv" => {
            let bufsize = py.split(['(', ')']).nth(1).expect("bufsize").parse().expect("bufsize");
            let bytes =
                if v["len"] == 0 { Bytes::new() } else { data(next(after, "data", id)).data };
            (Call::Recv { bufsize }, Returned::Data { data: bytes, from: None, truncated: None })
        }
        "shutdown" => {
            assert!(py.ends_with("SHUT_WR)"), "{py}");
            (Call::Shutdown(Shut::Write), Returned::Nothing)
        }
        "close" => (Call::Close, Returned::Nothing),
        _ => {
            let (call, returned) = tls_call(v, before, after);
            (Call::Tls(call), Returned::Tls(returned))
        }
    };
    let record = CallRecord { sock: id, var: var(py), call, result: Ok(returned) };
    assert_eq!(sockpit::python::call_line(record.var, &record.call), py, "replayed call");
    assert_eq!(sockpit::python::result_text(&record), result, "replayed result of {py}");
    record
}

/// `tls.sendall(data)  # 15 B`: the length in the comment.
fn v_len_from_py(py: &str) -> u64 {
    let comment = py.rsplit("# ").next().expect("comment");
    comment.trim_end_matches(" B").parse().unwrap_or_else(|e| panic!("{py}: {e}"))
}

fn tls_call(v: &Value, before: &[Value], after: &[Value]) -> (TlsCall, TlsReturned) {
    let (py, result, id) = (str(v, "py"), str(v, "result"), sock(v));
    match str(v, "call") {
        "create_default_context" => {
            let server = py.contains("PROTOCOL_TLS_SERVER");
            let cafile = py.contains("cafile=").then(|| quoted(py, 0));
            (TlsCall::Context { server, cafile }, TlsReturned::Set)
        }
        "verify_mode" => (TlsCall::NoVerify, TlsReturned::Set),
        "set_alpn_protocols" => {
            let list = py.split('\'').skip(1).step_by(2).map(str::to_string).collect();
            (TlsCall::Alpn(list), TlsReturned::Set)
        }
        "load_cert_chain" => (
            TlsCall::LoadCertChain {
                cert: quoted(py, 0),
                key: quoted(py, 1),
                generated: py.contains("# self-signed"),
            },
            TlsReturned::Set,
        ),
        "handshake" => {
            let server_side = py.contains("server_side=True");
            let of = if server_side { "sock" } else { "client" };
            let hostname = (!server_side).then(|| quoted(py, 0));
            let micros = next(after, "tls", id)["handshake_us"].as_u64().expect("handshake_us");
            (
                TlsCall::Wrap { of, server_side, hostname },
                TlsReturned::Wrapped { fd: fd(result), micros },
            )
        }
        "version" => (TlsCall::Version, TlsReturned::Str(Some(quoted(result, 0)))),
        "cipher" => {
            let hs = handshake_before(before, id);
            let bits = u16::try_from(hs["bits"].as_u64().expect("bits")).expect("bits");
            let returned = TlsReturned::Cipher {
                name: str(hs, "openssl_suite").into(),
                version: str(hs, "version").into(),
                bits,
            };
            (TlsCall::Cipher, returned)
        }
        "selected_alpn_protocol" => {
            let alpn = (result != "None").then(|| quoted(result, 0));
            (TlsCall::SelectedAlpn, TlsReturned::Str(alpn))
        }
        "getpeercert" => {
            let returned = if result == "None" {
                TlsReturned::PeerCert(None, true)
            } else {
                let hs = handshake_before(before, id);
                let leaf = hs["chain"].as_array().and_then(|c| c.first()).expect("leaf");
                TlsReturned::PeerCert(Some(Box::new(cert(leaf))), !result.starts_with("{}"))
            };
            (TlsCall::GetPeerCert, returned)
        }
        "unwrap" => (TlsCall::Unwrap, TlsReturned::Socket { fd: fd(result) }),
        other => panic!("no replay for the call {other:?}: {v}"),
    }
}

/// The handshake the follow-up calls (`cipher()`, `getpeercert()`)
/// report on: the last `tls` event on the socket before them.
fn handshake_before(before: &[Value], id: u32) -> &Value {
    before
        .iter()
        .rev()
        .find(|v| v["ev"] == "tls" && sock(v) == id)
        .unwrap_or_else(|| panic!("no tls event before the call on sock {id}"))
}

fn tls_info(v: &Value) -> TlsInfo {
    let verification = match (&v["verified"], v["would_fail"].as_str()) {
        (Value::Bool(true), _) => Verification::Verified,
        (Value::Bool(false), why) => {
            Verification::Unverified { would_fail: why.map(str::to_string) }
        }
        _ => Verification::NotRequested,
    };
    let opt = |field: &str| v[field].as_str().map(str::to_string);
    TlsInfo {
        sock: sock(v),
        server_side: v["server_side"] == true,
        version: str(v, "version").into(),
        suite: str(v, "suite").into(),
        openssl_suite: str(v, "openssl_suite").into(),
        bits: u16::try_from(v["bits"].as_u64().expect("bits")).expect("bits"),
        group: opt("group"),
        alpn: opt("alpn"),
        sni: opt("sni"),
        resumed: v["resumed"] == true,
        handshake_micros: v["handshake_us"].as_u64().expect("handshake_us"),
        chain: v["chain"].as_array().expect("chain").iter().map(cert).collect(),
        verification,
    }
}

fn cert(v: &Value) -> CertInfo {
    CertInfo {
        subject: str(v, "subject").into(),
        sans: v["sans"]
            .as_array()
            .expect("sans")
            .iter()
            .map(|s| s.as_str().expect("san").to_string())
            .collect(),
        issuer: str(v, "issuer").into(),
        not_before: str(v, "not_before").into(),
        not_after: str(v, "not_after").into(),
        sha256: str(v, "sha256").into(),
        self_signed: v["self_signed"] == true,
    }
}
