//! Results as the `CPython` runner prints them (see cpython.py's doc):
//! Python reprs with ports and fds normalised, and the short forms the
//! matrix table shows.

use std::net::SocketAddr;

use sockpit::net::{Addr, CallError, Returned};
use sockpit::python::Python as _;

use super::script::Op;

/// Python's `repr()` of a bytes object, written here from Python's rules
/// (not sockpit's own helper: this is the oracle's side of the comparison).
/// Single quotes unless the bytes hold `'` and no `"`; `\\`, the quote,
/// `\t`, `\n`, `\r` escaped; other bytes outside 0x20..0x7f as `\xNN`.
pub fn py_bytes_repr(data: &[u8]) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') { b'"' } else { b'\'' };
    let mut out = String::from("b");
    out.push(char::from(quote));
    for &b in data {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if b == quote => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(char::from(quote));
    out
}

/// An IP address as Python's tuple, the port `PORT` unless it is 0.
pub fn inet(a: SocketAddr) -> String {
    let port = if a.port() == 0 { "0" } else { "PORT" };
    match a {
        SocketAddr::V4(v4) => format!("('{}', {port})", v4.ip()),
        SocketAddr::V6(v6) => {
            format!("('{}', {port}, {}, {})", v6.ip(), v6.flowinfo(), v6.scope_id())
        }
    }
}

/// Any address, normalised (Unix names as sockpit shows them).
pub fn addr(a: &Addr) -> String {
    match a {
        Addr::Inet(inet_addr) => inet(*inet_addr),
        Addr::Unix(_) => a.python(),
    }
}

/// An OS error the way Python raises it (for the peer's plain sockets).
pub fn io_error(err: &std::io::Error) -> String {
    CallError::from_io(err).python()
}

/// One call's result, normalised exactly as cpython.py's `show` does.
pub fn result(op: &Op, result: &Result<Returned, CallError>) -> String {
    let returned = match result {
        Ok(returned) => returned,
        Err(err) => return err.python(),
    };
    match returned {
        Returned::Nothing => "None".into(),
        Returned::Socket { .. } => "sock".into(),
        Returned::Accepted { peer, .. } => format!("(sock, {})", addr(peer)),
        Returned::Count(n) => n.to_string(),
        Returned::Int(n) if matches!(op, Op::Fileno) && *n >= 0 => "FD".into(),
        Returned::Int(n) => n.to_string(),
        Returned::Addr(a) => addr(a),
        Returned::Data { data, from, .. } => {
            let bytes = py_bytes_repr(data);
            match (op, from) {
                (Op::Recvfrom { .. }, Some(from)) => format!("({bytes}, {})", addr(from)),
                (Op::Recvfrom { .. }, None) => format!("({bytes}, None)"),
                _ => bytes,
            }
        }
        // The step executor makes no `ssl` calls (they are the TLS layer's).
        Returned::Tls(returned) => sockpit::python::tls::result_text(returned),
        // A kind of result added later: shown raw, so it differs from
        // CPython's line and the conformance test says so.
        other => format!("{other:?}"),
    }
}

/// Whether a transcript line says the call never answered.
pub fn is_stall(line: &str) -> bool {
    line.starts_with("no answer") || line.starts_with("session ended")
}

/// A few characters for a matrix cell: `None`, `ENOTCONN`, `timeout`,
/// `b'hi'`, `5`, `FD`, `(sock,addr)`, `127.0.0.1:P`, ...
pub fn short(line: &str) -> String {
    if is_stall(line) {
        return "STALL".into();
    }
    if line == "TimeoutError: timed out" {
        return "timeout".into();
    }
    if let Some(start) = line.find("[Errno ") {
        let digits: String = line[start + 7..].chars().take_while(char::is_ascii_digit).collect();
        let name = digits.parse().ok().and_then(sockpit::net::errno_name);
        return name.map_or_else(|| format!("E{digits}"), str::to_string);
    }
    if let Some((class, _)) = line.split_once(": ") {
        if class.ends_with("Error") || class.ends_with("Interrupt") {
            return class.to_string();
        }
    }
    if line.starts_with("(sock, ") {
        return "(sock,addr)".into();
    }
    let line = line.replace("('", "").replace("', PORT)", ":P").replace("', 0)", ":0");
    if line.chars().count() > 14 {
        format!("{}…", line.chars().take(13).collect::<String>())
    } else {
        line
    }
}
