//! Every call as the line of Python a student would write, with Python's own
//! rendering of the result: the language of the Python socket tutorial
//! sockpit follows.

use std::fmt::Write as _;
use std::net::SocketAddr;

use crate::net::{Addr, Call, CallRecord, Returned, SockOpt};

mod names;
pub mod tls;
pub use names::Python;

/// How Python shows an address of any family (see [`inet`]; a Unix name
/// is a `str` path or, abstract, `bytes`).
#[must_use]
pub(crate) fn addr(a: &Addr) -> String {
    a.python()
}

/// Python's `repr()` of a `str`, for the ASCII and UTF-8 text of paths.
#[must_use]
pub(crate) fn str_literal(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if c == quote => {
                out.push('\\');
                out.push(quote);
            }
            _ if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr()` of a whole bytes value (never cut).
#[must_use]
pub(crate) fn bytes_literal(data: &[u8]) -> String {
    bytes_repr(data, usize::MAX)
}

/// Python's tuple form of an IP address: `('127.0.0.1', 8080)`; IPv6 adds
/// flowinfo and scope id as Python does.
#[must_use]
pub(crate) fn inet(a: SocketAddr) -> String {
    match a {
        SocketAddr::V4(v4) => format!("('{}', {})", v4.ip(), v4.port()),
        SocketAddr::V6(v6) => {
            format!("('{}', {}, {}, {})", v6.ip(), v6.port(), v6.flowinfo(), v6.scope_id())
        }
    }
}

/// Python's `repr()` of a bytes object: printable ASCII as is, quotes and
/// backslashes escaped, `\t\n\r`, everything else `\xNN`. Long values are cut
/// at `max` bytes with `...` (the byte count is in the record).
#[must_use]
pub fn bytes_repr(data: &[u8], max: usize) -> String {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') { '"' } else { '\'' };
    let mut out = String::with_capacity(data.len().min(max) + 3);
    out.push('b');
    out.push(quote);
    for &b in data.iter().take(max) {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    if data.len() > max {
        out.push_str("...");
    }
    out
}

fn timeout(t: Option<f64>) -> String {
    t.map_or_else(|| "None".to_string(), |s| format!("{s:?}"))
}

/// The call as Python source, e.g. `server.bind(('127.0.0.1', 8080))`.
#[must_use]
pub fn call_line(var: &str, call: &Call) -> String {
    match call {
        Call::Socket { family, kind } => {
            format!("{var} = socket.socket(socket.{}, socket.{})", family.python(), kind.python())
        }
        Call::SetSockOpt(SockOpt::ReuseAddr(on)) => {
            format!("{var}.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, {})", u8::from(*on))
        }
        Call::SetSockOpt(SockOpt::NoDelay(on)) => {
            format!("{var}.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, {})", u8::from(*on))
        }
        Call::SetSockOpt(SockOpt::V6Only(on)) => {
            format!("{var}.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, {})", u8::from(*on))
        }
        Call::SetSockOpt(SockOpt::LingerZero) => format!(
            "{var}.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))"
        ),
        Call::Bind(a) => format!("{var}.bind({})", addr(a)),
        Call::Listen(backlog) => format!("{var}.listen({backlog})"),
        Call::Accept => format!("sock, caddr = {var}.accept()"),
        Call::SetTimeout(t) => format!("{var}.settimeout({})", timeout(*t)),
        Call::SetBlocking(on) => {
            format!("{var}.setblocking({})", if *on { "True" } else { "False" })
        }
        Call::Connect(a) => format!("{var}.connect({})", addr(a)),
        Call::ConnectEx(a) => format!("{var}.connect_ex({})", addr(a)),
        Call::GetSockName => format!("{var}.getsockname()"),
        Call::GetPeerName => format!("{var}.getpeername()"),
        Call::Fileno => format!("{var}.fileno()"),
        Call::Send { len } => format!("{var}.send(data)  # {len} B"),
        Call::SendAll { len } => format!("{var}.sendall(data)  # {len} B"),
        Call::SendTo { len, to } => format!("{var}.sendto(data, {})  # {len} B", addr(to)),
        Call::Recv { bufsize } => format!("{var}.recv({bufsize})"),
        Call::RecvFrom { bufsize } => format!("data, addr = {var}.recvfrom({bufsize})"),
        Call::Shutdown(how) => format!("{var}.shutdown(socket.{})", how.python()),
        Call::Close => format!("{var}.close()"),
        Call::Tls(call) => tls::call_line(var, call),
    }
}

/// What Python shows as the result: `None`, `<socket fd=7>`, `b'hi'`, or the
/// exception.
#[must_use]
pub fn result_text(record: &CallRecord) -> String {
    match &record.result {
        Err(err) => err.python(),
        Ok(Returned::Nothing) => "None".into(),
        Ok(Returned::Socket { fd }) => format!("<socket fd={fd}>"),
        Ok(Returned::Accepted { fd, peer, .. }) => format!("(<socket fd={fd}>, {})", addr(peer)),
        Ok(Returned::Count(n)) => n.to_string(),
        Ok(Returned::Int(n)) => n.to_string(),
        Ok(Returned::Addr(a)) => addr(a),
        Ok(Returned::Data { data, from, truncated }) => {
            let shown = bytes_repr(data, 48);
            let mut text = match from {
                Some(from) => format!("({shown}, {})", addr(from)),
                None => shown,
            };
            if let Some(full) = truncated {
                let _ = write!(text, "  # datagram was {full} B: the rest was dropped (MSG_TRUNC)");
            }
            text
        }
        Ok(Returned::Tls(returned)) => tls::result_text(returned),
    }
}

/// The whole timeline line: `call  -> result`.
#[must_use]
pub fn line(record: &CallRecord) -> String {
    let result = result_text(record);
    if result.is_empty() {
        // An assignment (`ctx.minimum_version = ...`) returns nothing to show.
        return call_line(record.var, &record.call);
    }
    format!("{}  -> {}", call_line(record.var, &record.call), result)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::net::{CallError, Family, Kind};

    fn rec(var: &'static str, call: Call, result: Result<Returned, CallError>) -> String {
        line(&CallRecord { sock: 1, var, call, result })
    }

    #[test]
    fn seed_lines() {
        let a: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let peer: SocketAddr = "127.0.0.1:50512".parse().unwrap();
        let table = [
            (
                rec(
                    "server",
                    Call::Socket { family: Family::Inet, kind: Kind::Stream },
                    Ok(Returned::Socket { fd: 7 }),
                ),
                "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  -> <socket fd=7>",
            ),
            (
                rec("server", Call::Bind(a.into()), Ok(Returned::Nothing)),
                "server.bind(('127.0.0.1', 8080))  -> None",
            ),
            (rec("server", Call::Listen(5), Ok(Returned::Nothing)), "server.listen(5)  -> None"),
            (
                rec(
                    "server",
                    Call::Accept,
                    Ok(Returned::Accepted { sock: 2, fd: 8, peer: peer.into() }),
                ),
                "sock, caddr = server.accept()  -> (<socket fd=8>, ('127.0.0.1', 50512))",
            ),
            (
                rec(
                    "sock",
                    Call::Recv { bufsize: 1024 },
                    Ok(Returned::Data {
                        data: Bytes::from_static(b"hello"),
                        from: None,
                        truncated: None,
                    }),
                ),
                "sock.recv(1024)  -> b'hello'",
            ),
            (
                rec(
                    "client",
                    Call::Connect("127.0.0.1:9".parse().unwrap()),
                    Err(CallError::from_errno(libc::ECONNREFUSED)),
                ),
                "client.connect(('127.0.0.1', 9))  -> ConnectionRefusedError: [Errno 111] Connection refused",
            ),
        ];
        for (got, want) in table {
            assert_eq!(got, want);
        }
    }

    #[test]
    fn bytes_repr_matches_python() {
        assert_eq!(bytes_repr(b"a'b", 10), "b\"a'b\"");
        assert_eq!(bytes_repr(b"\x00\xff\\\n", 10), "b'\\x00\\xff\\\\\\n'");
        assert_eq!(bytes_repr("你".as_bytes(), 10), "b'\\xe4\\xbd\\xa0'");
        assert_eq!(bytes_repr(b"abcdef", 3), "b'abc'...");
    }
}
