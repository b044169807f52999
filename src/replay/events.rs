//! One `--log` line back into the engine's [`EventKind`]. A call is rebuilt
//! from its JSON and kept only when it prints back as exactly the recorded
//! Python line and result (`python::call_line`, `result_text`), so a replay
//! never shows a call other than the one recorded (a failed call with its
//! exception, step-only calls with what they returned); anything this reader does
//! not rebuild is shown as not replayed, with its kind.

use std::net::SocketAddr;

use bytes::Bytes;
use serde_json::Value;

use super::reason::NotReplayed;
use crate::net::{
    Call, CallError, CallRecord, CloseReason, DataRecord, Dir, EventKind, Family, Kind, Returned,
    Shut, SockOpt,
};

/// Why a field could not be read (becomes [`NotReplayed::Malformed`]).
pub type Why = String;

/// The event of a line whose `ev` is `ev`; `before` and `after` hold the
/// lines around it (a recv call's bytes are in the data event that follows
/// it, `cipher()` reports on the handshake before it).
///
/// # Errors
/// What this reader does not rebuild, or a field that does not fit.
pub fn event(
    ev: &str,
    v: &Value,
    before: &[Value],
    after: &[Value],
) -> Result<EventKind, NotReplayed> {
    Ok(match ev {
        "call" => EventKind::Call(call(v, before, after)?),
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
        "tls" | "tls_wire" | "tls_cert" | "tls_hint" => EventKind::Tls(super::tls::event(ev, v)?),
        "sample" => super::figures::sample(v)?,
        "kernel" => super::figures::kernel(v)?,
        "transition" => super::figures::transition(v)?,
        other => return Err(NotReplayed::UnknownKind(other.to_string())),
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
pub(super) fn fd(result: &str) -> Result<i32, Why> {
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
    ["server", "client", "sock", "upstream", "tls", "ctx"]
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

fn call(v: &Value, before: &[Value], after: &[Value]) -> Result<CallRecord, NotReplayed> {
    let (py, result, id) = (text(v, "py")?, text(v, "result")?, sock(v)?);
    let (name, ok) = (text(v, "call")?, v["ok"] == true);
    let (call, outcome) = if super::tls::is_call(name) {
        let (call, returned) = super::tls::call(v, ok, before, after)?;
        (Call::Tls(call), returned.map(Returned::Tls))
    } else {
        let call = parse_call(name, py)?;
        let returned = if ok { Some(returned(&call, v, result, after)?) } else { None };
        (call, returned)
    };
    let outcome = match outcome {
        Some(returned) => Ok(returned),
        None => Err(error(v, result)?),
    };
    let record = CallRecord { sock: id, var: var(py)?, call, result: outcome };
    if crate::python::call_line(record.var, &record.call) != py
        || crate::python::result_text(&record) != result
    {
        return Err(NotReplayed::Inexact(py.to_string()));
    }
    Ok(record)
}

/// `True`/`1` or `False`/`0` as the last argument of a Python line.
fn flag(py: &str) -> bool {
    let inside = py.rsplit('(').next().unwrap_or_default();
    inside.contains("True") || inside.trim_end_matches(')').trim().ends_with('1')
}

/// The byte count a send line's comment gives: `# 5 B`.
fn comment_len(py: &str) -> Result<usize, Why> {
    let comment = py.rsplit("# ").next().unwrap_or_default();
    comment.trim_end_matches(" B").parse().map_err(|e| format!("{py}: {e}"))
}

/// The call a Python line makes (the result does not matter here).
fn parse_call(name: &str, py: &str) -> Result<Call, NotReplayed> {
    Ok(match name {
        "socket" => {
            let kind = if py.contains("SOCK_DGRAM") { Kind::Dgram } else { Kind::Stream };
            let family = if py.contains("AF_INET6") { Family::Inet6 } else { Family::Inet };
            Call::Socket { family, kind }
        }
        "setsockopt" if py.contains("SO_REUSEADDR") => {
            Call::SetSockOpt(SockOpt::ReuseAddr(flag(py)))
        }
        "setsockopt" if py.contains("TCP_NODELAY") => Call::SetSockOpt(SockOpt::NoDelay(flag(py))),
        "setsockopt" if py.contains("IPV6_V6ONLY") => Call::SetSockOpt(SockOpt::V6Only(flag(py))),
        "setsockopt" if py.contains("SO_LINGER") => Call::SetSockOpt(SockOpt::LingerZero),
        "bind" => Call::Bind(py_addr(py)?.into()),
        "listen" => Call::Listen(u32::try_from(arg(py)?).unwrap_or(u32::MAX)),
        "accept" => Call::Accept,
        "connect" => Call::Connect(py_addr(py)?.into()),
        "connect_ex" => Call::ConnectEx(py_addr(py)?.into()),
        "settimeout" => {
            let inside = py.split(['(', ')']).nth(1).unwrap_or_default();
            Call::SetTimeout(if inside == "None" {
                None
            } else {
                Some(inside.parse().map_err(|e| format!("{py}: {e}"))?)
            })
        }
        "setblocking" => Call::SetBlocking(flag(py)),
        "getsockname" => Call::GetSockName,
        "getpeername" => Call::GetPeerName,
        "fileno" => Call::Fileno,
        "send" => Call::Send { len: comment_len(py)? },
        "sendall" => Call::SendAll { len: comment_len(py)? },
        "sendto" => Call::SendTo { len: comment_len(py)?, to: py_addr(py)?.into() },
        "recv" => Call::Recv { bufsize: arg(py)? },
        "recvfrom" => {
            let inside = py.rsplit('(').next().unwrap_or_default().trim_end_matches(')');
            Call::RecvFrom { bufsize: inside.parse().map_err(|e| format!("{py}: {e}"))? }
        }
        "shutdown" if py.ends_with("SHUT_WR)") => Call::Shutdown(Shut::Write),
        "shutdown" if py.ends_with("SHUT_RD)") => Call::Shutdown(Shut::Read),
        "shutdown" if py.ends_with("SHUT_RDWR)") => Call::Shutdown(Shut::Both),
        "close" => Call::Close,
        other => return Err(NotReplayed::UnknownCall(other.to_string())),
    })
}

/// What a successful call returned, from its line (and, for a recv, the
/// data line after it).
fn returned(call: &Call, v: &Value, result: &str, after: &[Value]) -> Result<Returned, Why> {
    let id = sock(v)?;
    let number = || result.parse::<i64>().map_err(|e| format!("{result}: {e}"));
    Ok(match call {
        Call::Socket { .. } => Returned::Socket { fd: fd(result)? },
        Call::Accept => {
            let conn = v["conn"].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or("conn")?;
            let peer = addr(text(v, "peer")?)?.into();
            Returned::Accepted { sock: conn, fd: int(v, "fd")?, peer }
        }
        Call::ConnectEx(_) | Call::Fileno => Returned::Int(number()?),
        Call::Send { .. } | Call::SendTo { .. } => {
            Returned::Count(usize::try_from(number()?).map_err(|e| e.to_string())?)
        }
        Call::GetSockName | Call::GetPeerName => Returned::Addr(py_addr(result)?.into()),
        Call::Recv { .. } | Call::RecvFrom { .. } => {
            let data = if v["len"] == 0 {
                Bytes::new()
            } else {
                let next = after.iter().find(|n| n["ev"] == "data" && sock(n) == Ok(id));
                bytes(next.ok_or("no data line after the recv")?)?
            };
            let from = match call {
                Call::RecvFrom { .. } => Some(py_addr(result)?.into()),
                _ => None,
            };
            let truncated = v["truncated_from"].as_u64().and_then(|n| usize::try_from(n).ok());
            Returned::Data { data, from, truncated }
        }
        _ => Returned::Nothing,
    })
}

/// The exception a failed call raised, from its `error` and `errno`.
fn error(v: &Value, result: &str) -> Result<CallError, Why> {
    let name = text(v, "error")?;
    if let Some(errno) = v["errno"].as_i64().and_then(|n| i32::try_from(n).ok()) {
        return Ok(CallError::from_errno(errno));
    }
    if name == "TimeoutError" {
        return Ok(CallError::timeout());
    }
    // No errno: Python's own exception; its text is what follows the class.
    let text = result.split_once(": ").map_or("", |(_, t)| t).to_string();
    Ok(CallError { name: name.to_string(), errno: None, text, because: None })
}
