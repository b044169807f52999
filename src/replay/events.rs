//! One `--log` line back into the engine's [`EventKind`]. A call is rebuilt
//! from its JSON and kept only when it prints back as exactly the recorded
//! Python line and result (`python::call_line`, `result_text`), so a replay
//! never shows a call other than the one recorded; anything this reader does
//! not rebuild is shown as not replayed, with its kind.

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::Value;

use crate::net::{
    Call, CallRecord, CloseReason, DataRecord, Dir, EventKind, Family, Kind, Returned, Shut,
    SockOpt,
};

/// Why a line could not be rebuilt (shown beside the line's kind).
pub type Why = String;

/// The event of a line whose `ev` is `ev`; `after` holds the lines after it
/// (a recv call's bytes are in the data event that follows it).
///
/// # Errors
/// What this reader does not rebuild, or a field that does not fit.
pub fn event(ev: &str, v: &Value, after: &[Value]) -> Result<EventKind, Why> {
    Ok(match ev {
        "call" => EventKind::Call(call(v, after)?),
        "data" => EventKind::Data(data(v)?),
        "connected" => EventKind::Connected {
            sock: sock(v)?,
            fd: int(v, "fd")?,
            local: addr(text(v, "local")?)?.into(),
            peer: addr(text(v, "peer")?)?.into(),
        },
        "listening" => EventKind::Listening {
            sock: sock(v)?,
            fd: int(v, "fd")?,
            local: addr(text(v, "local")?)?.into(),
            kind: if v["type"] == "udp" { Kind::Dgram } else { Kind::Stream },
        },
        "eof" => EventKind::PeerEof { sock: sock(v)? },
        "closed" if v["reason"] == "local" => {
            EventKind::Closed { sock: sock(v)?, reason: CloseReason::Local }
        }
        other => return Err(format!("no replay for {other:?} lines yet")),
    })
}

fn text<'a>(v: &'a Value, field: &str) -> Result<&'a str, Why> {
    v[field].as_str().ok_or_else(|| format!("no text field {field:?}"))
}

fn int(v: &Value, field: &str) -> Result<i32, Why> {
    v[field].as_i64().and_then(|n| i32::try_from(n).ok()).ok_or_else(|| format!("no {field:?}"))
}

fn sock(v: &Value) -> Result<u32, Why> {
    v["sock"].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| "no \"sock\"".into())
}

fn addr(text: &str) -> Result<SocketAddr, Why> {
    text.parse().map_err(|e| format!("{text:?}: {e}"))
}

/// `('127.0.0.1', 8080)` inside a Python line.
fn py_addr(py: &str) -> Result<SocketAddr, Why> {
    let rest = py.split_once("('").map(|(_, r)| r).ok_or("no address tuple")?;
    let (host, rest) = rest.split_once("', ").ok_or("no host")?;
    let port = rest.split(')').next().unwrap_or_default();
    addr(&format!("{host}:{port}"))
}

/// The number inside the call's parentheses: `listen(5)`, `recv(1024)`.
fn arg(py: &str) -> Result<usize, Why> {
    let inside = py.split(['(', ')']).nth(1).unwrap_or_default();
    inside.parse().map_err(|e| format!("{py}: {e}"))
}

/// The number after `fd=` in a result.
fn fd(result: &str) -> Result<i32, Why> {
    let after = result.split("fd=").nth(1).ok_or("no fd= in the result")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().map_err(|e| format!("fd: {e}"))
}

/// The variable a Python line calls on.
fn var(py: &str) -> Result<&'static str, Why> {
    if py.starts_with("sock, caddr = server.accept()") {
        return Ok("server");
    }
    let head = py.split(['.', ' ']).next().unwrap_or_default();
    ["server", "client", "sock", "upstream"]
        .into_iter()
        .find(|v| *v == head)
        .ok_or_else(|| format!("unknown variable in {py}"))
}

/// The exact bytes of a data line (`text` or `b64`).
fn bytes(v: &Value) -> Result<Bytes, Why> {
    use base64::Engine as _;
    if let Some(text) = v["text"].as_str() {
        return Ok(Bytes::copy_from_slice(text.as_bytes()));
    }
    let b64 = text(v, "b64")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64);
    decoded.map(Bytes::from).map_err(|e| format!("b64: {e}"))
}

fn data(v: &Value) -> Result<DataRecord, Why> {
    let peer = match v["peer"].as_str() {
        Some(p) => Some(addr(p)?.into()),
        None => None,
    };
    Ok(DataRecord {
        sock: sock(v)?,
        dir: if v["dir"] == "send" { Dir::Sent } else { Dir::Received },
        peer,
        data: bytes(v)?,
        offset: v["offset"].as_u64().ok_or("no \"offset\"")?,
    })
}

fn call(v: &Value, after: &[Value]) -> Result<CallRecord, Why> {
    let (py, result, id) = (text(v, "py")?, text(v, "result")?, sock(v)?);
    if v["ok"] != true {
        return Err(format!("a failed call ({py}) is not replayed yet"));
    }
    let (call, returned) = match text(v, "call")? {
        "socket" => {
            let kind = if py.contains("SOCK_DGRAM") { Kind::Dgram } else { Kind::Stream };
            let family = if py.contains("AF_INET6") { Family::Inet6 } else { Family::Inet };
            (Call::Socket { family, kind }, Returned::Socket { fd: fd(result)? })
        }
        "setsockopt" if py.contains("SO_REUSEADDR, 1") => {
            (Call::SetSockOpt(SockOpt::ReuseAddr(true)), Returned::Nothing)
        }
        "bind" => (Call::Bind(py_addr(py)?.into()), Returned::Nothing),
        "listen" => (Call::Listen(u32::try_from(arg(py)?).unwrap_or(u32::MAX)), Returned::Nothing),
        "accept" => {
            let conn = v["conn"].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or("conn")?;
            let peer = addr(text(v, "peer")?)?.into();
            (Call::Accept, Returned::Accepted { sock: conn, fd: int(v, "fd")?, peer })
        }
        "connect" => (Call::Connect(py_addr(py)?.into()), Returned::Nothing),
        "sendall" => {
            let comment = py.rsplit("# ").next().unwrap_or_default();
            let len = comment.trim_end_matches(" B").parse().map_err(|e| format!("{py}: {e}"))?;
            (Call::SendAll { len }, Returned::Nothing)
        }
        "recv" => {
            let bufsize = arg(py)?;
            let data = if v["len"] == 0 {
                Bytes::new()
            } else {
                let next = after.iter().find(|n| n["ev"] == "data" && sock(n) == Ok(id));
                bytes(next.ok_or("no data line after the recv")?)?
            };
            (Call::Recv { bufsize }, Returned::Data { data, from: None, truncated: None })
        }
        "shutdown" if py.ends_with("SHUT_WR)") => (Call::Shutdown(Shut::Write), Returned::Nothing),
        "close" => (Call::Close, Returned::Nothing),
        other => return Err(format!("no replay for the call {other:?} yet")),
    };
    let record = CallRecord { sock: id, var: var(py)?, call, result: Ok(returned) };
    if crate::python::call_line(record.var, &record.call) != py
        || crate::python::result_text(&record) != result
    {
        return Err(format!("{py} does not replay exactly"));
    }
    Ok(record)
}
