//! Reading a typed step command. Every line gets an answer: a command, or
//! a usage message in one grammar (`/NAME ARGS: why; nothing was called`);
//! no input panics, and no number reaches the engine that Python itself
//! would refuse (`settimeout(1e300)` is an `OverflowError` there).

use super::{BACKLOG, BUFSIZE, COMMANDS, StepCmd, StepUsage, usage};
use crate::net::{Addr, Shut, SockOpt, Target, UnixName};

/// The longest timeout `CPython` takes: its clock counts nanoseconds in an
/// `i64`, so `settimeout(9.3e9)` raises `OverflowError`.
#[expect(clippy::cast_precision_loss, reason = "a bound, not an exact count")]
pub const TIMEOUT_MAX: f64 = i64::MAX as f64 / 1e9;

fn addr_arg(name: &str, arg: Option<&str>) -> Result<Option<Addr>, StepUsage> {
    let Some(text) = arg else { return Ok(None) };
    // A path (`/tmp/chat.sock`, `./chat.sock`) or an abstract `@name`: an
    // `AF_UNIX` address, as Python takes it (a str).
    if ["/", "./", "../", "@"].iter().any(|p| text.starts_with(p)) {
        return UnixName::parse(text)
            .map(|n| Some(Addr::Unix(n)))
            .map_err(|e| usage(name, &e.to_string()));
    }
    match Target::parse(text) {
        Ok(Target::Addr(a)) => Ok(Some(Addr::Inet(a))),
        Ok(Target::Host(..) | Target::Unix(_)) => Err(usage(
            name,
            "step mode takes a literal address, e.g. 127.0.0.1:8080 (or a path, ./chat.sock)",
        )),
        Err(e) => Err(usage(name, &e.to_string())),
    }
}

fn flag(name: &str, text: &str) -> Result<bool, StepUsage> {
    match text {
        "1" | "True" | "true" => Ok(true),
        "0" | "False" | "false" => Ok(false),
        _ => Err(usage(name, &format!("{text:?} is not 0 or 1"))),
    }
}

fn number<T: std::str::FromStr>(name: &str, arg: Option<&str>, default: T) -> Result<T, StepUsage> {
    arg.map_or(Ok(default), |t| {
        t.parse().map_err(|_| usage(name, &format!("{t:?} is not a whole number")))
    })
}

/// Reads a step command (the line without its `/`). `None` when the name
/// is no step command; `Some(Err)` says what is wrong with the arguments.
#[must_use]
pub fn parse(line: &str) -> Option<Result<StepCmd, StepUsage>> {
    let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
    if !COMMANDS.iter().any(|(n, _)| *n == name) {
        return None;
    }
    let text = |make: fn(String) -> StepCmd| {
        if rest.is_empty() {
            Err(usage(name, "give the text to send"))
        } else {
            Ok(make(rest.to_string()))
        }
    };
    match name {
        "send" => return Some(text(StepCmd::Send)),
        "sendall" => return Some(text(StepCmd::SendAll)),
        "sendto" => return Some(sendto(rest)),
        _ => {}
    }
    let args: Vec<&str> = rest.split_whitespace().collect();
    let most = match name {
        "setsockopt" => 2,
        "bind" | "listen" | "connect" | "connect_ex" | "settimeout" | "setblocking" | "recv"
        | "recvfrom" | "shutdown" => 1,
        _ => 0,
    };
    if args.len() > most {
        return Some(Err(usage(name, "too many arguments")));
    }
    let first = args.first().copied();
    Some(match name {
        "socket" => Ok(StepCmd::Socket),
        "setsockopt" => setsockopt(&args),
        "bind" => addr_arg(name, first).map(StepCmd::Bind),
        "listen" => number(name, first, BACKLOG).map(StepCmd::Listen),
        "accept" => Ok(StepCmd::Accept),
        "connect" => addr_arg(name, first).map(StepCmd::Connect),
        "connect_ex" => addr_arg(name, first).map(StepCmd::ConnectEx),
        "settimeout" => settimeout(first).map(StepCmd::SetTimeout),
        "setblocking" => match first {
            Some(t) => flag(name, t).map(StepCmd::SetBlocking),
            None => Err(usage(name, "give 0 (non-blocking) or 1 (blocking)")),
        },
        "recv" => number(name, first, BUFSIZE).map(StepCmd::Recv),
        "recvfrom" => number(name, first, BUFSIZE).map(StepCmd::RecvFrom),
        "getsockname" => Ok(StepCmd::GetSockName),
        "getpeername" => Ok(StepCmd::GetPeerName),
        "fileno" => Ok(StepCmd::Fileno),
        "shutdown" => match first.unwrap_or("wr") {
            "wr" | "SHUT_WR" => Ok(StepCmd::Shutdown(Shut::Write)),
            "rd" | "SHUT_RD" => Ok(StepCmd::Shutdown(Shut::Read)),
            "rdwr" | "SHUT_RDWR" => Ok(StepCmd::Shutdown(Shut::Both)),
            other => Err(usage(name, &format!("{other:?} is not rd, wr or rdwr"))),
        },
        _ => Ok(StepCmd::Close),
    })
}

/// `/sendto [ADDR] TEXT`: a first word written as an address
/// (`HOST:PORT`, `[IPv6]:PORT`) is the address; anything else is text.
fn sendto(rest: &str) -> Result<StepCmd, StepUsage> {
    let name = "sendto";
    let (first, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let addr = if first.contains(':') {
        match Target::parse(first) {
            Ok(Target::Addr(a)) => Some(a),
            Ok(Target::Host(..) | Target::Unix(_)) => {
                return Err(usage(name, "step mode takes a literal address, e.g. 127.0.0.1:8888"));
            }
            Err(_) => None,
        }
    } else {
        None
    };
    match (addr, text) {
        (Some(_), "") => Err(usage(name, "give the text to send after the address")),
        (Some(a), text) => Ok(StepCmd::SendTo(Some(a), text.to_string())),
        (None, _) if rest.is_empty() => Err(usage(name, "give the text to send")),
        (None, _) => Ok(StepCmd::SendTo(None, rest.to_string())),
    }
}

fn setsockopt(args: &[&str]) -> Result<StepCmd, StepUsage> {
    let [opt, value] = args else {
        return Err(usage("setsockopt", "give an option and a value, e.g. reuseaddr 1"));
    };
    let on = flag("setsockopt", value)?;
    match opt.to_ascii_lowercase().trim_start_matches("so_").trim_start_matches("tcp_") {
        "reuseaddr" => Ok(StepCmd::SetSockOpt(SockOpt::ReuseAddr(on))),
        "nodelay" => Ok(StepCmd::SetSockOpt(SockOpt::NoDelay(on))),
        "v6only" | "ipv6_v6only" => Ok(StepCmd::SetSockOpt(SockOpt::V6Only(on))),
        other => {
            Err(usage("setsockopt", &format!("{other:?} is not reuseaddr, nodelay or v6only")))
        }
    }
}

/// Seconds as Python's `settimeout` takes them: `None`, or a number from 0
/// to [`TIMEOUT_MAX`] (so `Duration::try_from_secs_f64` takes it too).
/// Out of range, the message names the error Python would raise.
fn settimeout(arg: Option<&str>) -> Result<Option<f64>, StepUsage> {
    let name = "settimeout";
    let Some(t) = arg else {
        return Err(usage(name, "give seconds, or None to block forever"));
    };
    if matches!(t, "None" | "none") {
        return Ok(None);
    }
    let Ok(secs) = t.parse::<f64>() else {
        return Err(usage(name, &format!("{t:?} is not a number of seconds >= 0")));
    };
    let why = if secs.is_nan() {
        "is not a number of seconds >= 0 (Python: ValueError, NaN)"
    } else if secs < 0.0 {
        "is not a number of seconds >= 0 (Python: ValueError, out of range)"
    } else if secs > TIMEOUT_MAX {
        "is too large: at most 9223372036 seconds (Python: OverflowError)"
    } else {
        // -0.0 is Python's 0.0: non-blocking.
        let secs = if secs == 0.0 { 0.0 } else { secs };
        return match std::time::Duration::try_from_secs_f64(secs) {
            Ok(_) => Ok(Some(secs)),
            Err(_) => Err(usage(name, &format!("{t:?} is not a number of seconds >= 0"))),
        };
    };
    Err(usage(name, &format!("{t:?} {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    #[test]
    fn timeouts_python_refuses_are_refused_with_its_reason() {
        for (typed, why) in [
            ("1e300", "OverflowError"),
            ("inf", "OverflowError"),
            ("9.3e9", "OverflowError"),
            ("nan", "NaN"),
            ("-1", "out of range"),
            ("-inf", "out of range"),
            ("soon", "not a number"),
        ] {
            match settimeout(Some(typed)) {
                Err(m) => {
                    let m = m.to_string();
                    assert!(m.contains(why) && m.ends_with("nothing was called"), "{m}");
                }
                Ok(v) => panic!("{typed} -> {v:?}"),
            }
        }
        assert_eq!(settimeout(Some("9.2e9")), Ok(Some(9.2e9)));
        assert_eq!(settimeout(Some("-0")), Ok(Some(0.0)));
        assert_eq!(settimeout(Some("5e-324")), Ok(Some(5e-324)));
    }

    #[test]
    fn sendto_reads_an_address_only_when_written_as_one() {
        let a: SocketAddr = "127.0.0.1:8888".parse().unwrap();
        assert_eq!(
            sendto("127.0.0.1:8888 hi there"),
            Ok(StepCmd::SendTo(Some(a), "hi there".into()))
        );
        assert_eq!(sendto("8888 hi"), Ok(StepCmd::SendTo(None, "8888 hi".into())));
        assert_eq!(sendto("note: hi"), Ok(StepCmd::SendTo(None, "note: hi".into())));
        assert!(
            sendto("127.0.0.1:8888").is_err_and(|m| m.to_string().contains("after the address"))
        );
        assert!(
            sendto("localhost:8888 hi").is_err_and(|m| m.to_string().contains("literal address"))
        );
        assert!(sendto("").is_err_and(|m| m.to_string().contains("give the text")));
    }
}
