//! Step mode's commands: `/socket`, `/bind [ADDR]`, `/listen N`, ... each
//! one Python call the student makes by hand. [`parse`] reads the typed
//! line; [`StepCmd::command`] fills in the defaults only the end knows (its
//! address, the demo server's port) and makes the engine command.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use bytes::Bytes;

use super::end::EndState;
use crate::net::{Addr, Call, Command, Family, Kind, Shut, SockOpt, Target, To};

/// One step command as typed, before the end's defaults are filled in.
#[derive(Debug, Clone, PartialEq)]
pub enum StepCmd {
    Socket,
    SetSockOpt(SockOpt),
    Bind(Option<SocketAddr>),
    Listen(u32),
    Accept,
    Recv(usize),
    RecvFrom(usize),
    /// `/send TEXT`: exactly TEXT (no EOL), as one `sendall`/`send`.
    Send(String),
    Connect(Option<SocketAddr>),
    ConnectEx(Option<SocketAddr>),
    SetTimeout(Option<f64>),
    SetBlocking(bool),
    GetSockName,
    GetPeerName,
    Fileno,
    Shutdown(Shut),
    Close,
}

/// Every step command with its arguments, in lifecycle order: Tab
/// completes from it, help and error messages list it.
pub const COMMANDS: &[(&str, &str)] = &[
    ("socket", ""),
    ("setsockopt", "reuseaddr|nodelay|v6only 0|1"),
    ("bind", "[ADDR]"),
    ("listen", "[N]"),
    ("accept", ""),
    ("connect", "[ADDR]"),
    ("connect_ex", "[ADDR]"),
    ("settimeout", "SECS|None"),
    ("setblocking", "0|1"),
    ("recv", "[N]"),
    ("recvfrom", "[N]"),
    ("send", "TEXT"),
    ("getsockname", ""),
    ("getpeername", ""),
    ("fileno", ""),
    ("shutdown", "[rd|wr|rdwr]"),
    ("close", ""),
];

/// `listen()` and `recv()` without a number use the seed's values.
const BACKLOG: u32 = 5;
const BUFSIZE: usize = 1024;

fn usage(name: &str, why: &str) -> String {
    let args = COMMANDS.iter().find(|(n, _)| *n == name).map_or("", |(_, a)| a);
    format!("/{name} {args}: {why}; nothing was called")
}

fn addr_arg(name: &str, arg: Option<&str>) -> Result<Option<SocketAddr>, String> {
    let Some(text) = arg else { return Ok(None) };
    match Target::parse(text) {
        Ok(Target::Addr(a)) => Ok(Some(a)),
        Ok(Target::Host(..) | Target::Unix(_)) => {
            Err(usage(name, "step mode takes a literal address, e.g. 127.0.0.1:8080"))
        }
        Err(e) => Err(usage(name, &e.to_string())),
    }
}

fn flag(name: &str, text: &str) -> Result<bool, String> {
    match text {
        "1" | "True" | "true" => Ok(true),
        "0" | "False" | "false" => Ok(false),
        _ => Err(usage(name, &format!("{text:?} is not 0 or 1"))),
    }
}

fn number<T: std::str::FromStr>(name: &str, arg: Option<&str>, default: T) -> Result<T, String> {
    arg.map_or(Ok(default), |t| {
        t.parse().map_err(|_| usage(name, &format!("{t:?} is not a whole number")))
    })
}

/// Reads a step command (the line without its `/`). `None` when the name
/// is no step command; `Some(Err)` says what is wrong with the arguments.
#[must_use]
pub fn parse(line: &str) -> Option<Result<StepCmd, String>> {
    let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
    let known = COMMANDS.iter().any(|(n, _)| *n == name);
    if !known {
        return None;
    }
    if name == "send" {
        return Some(if rest.is_empty() {
            Err(usage(name, "give the text to send"))
        } else {
            Ok(StepCmd::Send(rest.to_string()))
        });
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
        "settimeout" => settimeout(first),
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

fn setsockopt(args: &[&str]) -> Result<StepCmd, String> {
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

fn settimeout(arg: Option<&str>) -> Result<StepCmd, String> {
    let name = "settimeout";
    match arg {
        None => Err(usage(name, "give seconds, or None to block forever")),
        Some("None" | "none") => Ok(StepCmd::SetTimeout(None)),
        Some(t) => match t.parse::<f64>() {
            Ok(s) if s.is_finite() && s >= 0.0 => Ok(StepCmd::SetTimeout(Some(s))),
            _ => Err(usage(name, &format!("{t:?} is not a number of seconds >= 0"))),
        },
    }
}

/// The loopback address of a family, port 0: where a client binds.
fn any_port(v6: bool) -> Addr {
    let ip = if v6 { IpAddr::V6(Ipv6Addr::LOCALHOST) } else { IpAddr::V4(Ipv4Addr::LOCALHOST) };
    Addr::Inet(SocketAddr::new(ip, 0))
}

impl StepCmd {
    /// The engine command for `end`; `server` is where the demo's server
    /// listens (a demo client's `/connect` goes there).
    ///
    /// # Errors
    /// A message for the student when a default cannot be filled in.
    pub fn command(&self, end: &EndState, server: Option<Addr>) -> Result<Command, String> {
        let target = match end.role.target() {
            Target::Addr(a) => Some(Addr::Inet(a)),
            Target::Host(..) => None,
            Target::Unix(name) => Some(Addr::Unix(name)),
        };
        let v6 = target.as_ref().is_some_and(Addr::is_ipv6);
        let call = match self {
            Self::Socket => {
                let family = if v6 { Family::Inet6 } else { Family::Inet };
                Call::Socket { family, kind: end.kind }
            }
            Self::SetSockOpt(opt) => Call::SetSockOpt(*opt),
            Self::Bind(a) => {
                let own = if end.role.is_server() { target } else { Some(any_port(v6)) };
                let a = a.map(Addr::Inet).or(own);
                Call::Bind(a.ok_or_else(|| usage("bind", "give the address to bind"))?)
            }
            Self::Listen(n) => Call::Listen(*n),
            Self::Accept => Call::Accept,
            Self::Recv(n) | Self::RecvFrom(n) if *n == 0 => {
                return Err(usage("recv", "a bufsize of 0 receives nothing"));
            }
            Self::Recv(n) if end.kind == Kind::Dgram && end.role.is_server() => {
                Call::RecvFrom { bufsize: *n }
            }
            Self::Recv(n) => Call::Recv { bufsize: *n },
            Self::RecvFrom(n) => Call::RecvFrom { bufsize: *n },
            Self::Send(text) => {
                let data = Bytes::from(text.clone().into_bytes());
                return Ok(Command::Send { to: To::Current, data });
            }
            Self::Connect(a) | Self::ConnectEx(a) => {
                let to = a.map(Addr::Inet).or(server).or(target).ok_or_else(|| {
                    usage("connect", "give the address to connect to, e.g. 127.0.0.1:8080")
                })?;
                if matches!(self, Self::Connect(_)) {
                    Call::Connect(to)
                } else {
                    Call::ConnectEx(to)
                }
            }
            Self::SetTimeout(t) => Call::SetTimeout(*t),
            Self::SetBlocking(on) => Call::SetBlocking(*on),
            Self::GetSockName => Call::GetSockName,
            Self::GetPeerName => Call::GetPeerName,
            Self::Fileno => Call::Fileno,
            Self::Shutdown(how) => Call::Shutdown(*how),
            Self::Close => Call::Close,
        };
        Ok(Command::Call { sock: 0, call })
    }
}

/// Whether a call may wait (so the end shows "blocked in ...()" until its
/// result arrives, and Ctrl-C interrupts it).
#[must_use]
pub fn may_block(call: &Call) -> bool {
    matches!(
        call,
        Call::Accept
            | Call::Recv { .. }
            | Call::RecvFrom { .. }
            | Call::Connect(_)
            | Call::ConnectEx(_)
    )
}

/// Tab on the input: the completed line, or `None` when nothing fits.
/// `others` are the non-step command names (`/close, /shutdown, ...`).
/// Several candidates complete to their common start; all of them are
/// returned for the input to show.
#[must_use]
pub fn complete(line: &str, others: &str) -> Option<(String, Vec<String>)> {
    let typed = line.strip_prefix('/')?;
    if typed.contains(' ') || typed.starts_with('/') {
        return None;
    }
    let mut names: Vec<String> = COMMANDS.iter().map(|(n, _)| (*n).to_string()).collect();
    for other in others.split([',', ' ']).filter_map(|o| o.trim().strip_prefix('/')) {
        if !other.is_empty() && !names.iter().any(|n| n == other) {
            names.push(other.to_string());
        }
    }
    let fits: Vec<String> = names.into_iter().filter(|n| n.starts_with(typed)).collect();
    let first = fits.first()?;
    if fits.len() == 1 {
        return Some((format!("/{first} "), fits));
    }
    let common = fits.iter().fold(first.clone(), |acc, n| {
        acc.chars().zip(n.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
    });
    Some((format!("/{common}"), fits))
}
