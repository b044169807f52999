//! Step mode's commands: `/socket`, `/bind [ADDR]`, `/listen N`, ... each
//! one Python call the student makes by hand. [`parse`] reads the typed
//! line (`parse.rs`); [`StepCmd::command`] fills in the defaults only the
//! end knows (its address, the demo server's real port) and makes the
//! engine command (`command.rs`). [`COMMANDS`] is the one list that Tab
//! completion, the help and every usage message read.

mod command;
mod parse;

use std::net::SocketAddr;

pub use parse::parse;

use crate::net::{Addr, Call, Shut, SockOpt};

/// One step command as typed, before the end's defaults are filled in.
#[derive(Debug, Clone, PartialEq)]
pub enum StepCmd {
    Socket,
    SetSockOpt(SockOpt),
    /// An IP address, or (a Unix end) a socket file's path or `@name`.
    Bind(Option<Addr>),
    Listen(u32),
    Accept,
    Recv(usize),
    RecvFrom(usize),
    /// `/send TEXT`: `sock.send(b'TEXT')`, exactly TEXT (no EOL); Python
    /// returns how many bytes the kernel took.
    Send(String),
    /// `/sendall TEXT`: every byte, or an error.
    SendAll(String),
    /// `/sendto [ADDR] TEXT`: one datagram to ADDR (by default the peer the
    /// end talks to).
    SendTo(Option<SocketAddr>, String),
    Connect(Option<Addr>),
    ConnectEx(Option<Addr>),
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
    ("sendall", "TEXT"),
    ("sendto", "[ADDR] TEXT"),
    ("getsockname", ""),
    ("getpeername", ""),
    ("fileno", ""),
    ("shutdown", "[rd|wr|rdwr]"),
    ("close", ""),
];

/// `listen()` and `recv()` without a number use the tutorial's values.
const BACKLOG: u32 = 5;
const BUFSIZE: usize = 1024;

/// A step command typed wrong: nothing was called. Its Display is the
/// grammar every step command shares: `/NAME ARGS: why; nothing was called`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("/{name}{}: {why}; nothing was called", args_of(.name))]
pub struct StepUsage {
    /// The command, without its `/`.
    pub name: String,
    /// What is wrong, and how to write it.
    pub why: String,
}

/// ` ARGS` of the command `name` as [`COMMANDS`] lists them, or nothing.
fn args_of(name: &str) -> String {
    let args = COMMANDS.iter().find(|(n, _)| *n == name).map_or("", |(_, a)| a);
    if args.is_empty() { String::new() } else { format!(" {args}") }
}

/// The usage error of `name`: `why`.
pub(crate) fn usage(name: &str, why: &str) -> StepUsage {
    StepUsage { name: name.to_string(), why: why.to_string() }
}

/// The step commands as help and the unknown-command message list them:
/// `/socket, /setsockopt reuseaddr|nodelay|v6only 0|1, ...`.
#[must_use]
pub fn listing() -> String {
    let all: Vec<String> = COMMANDS
        .iter()
        .map(|(n, a)| if a.is_empty() { format!("/{n}") } else { format!("/{n} {a}") })
        .collect();
    all.join(", ")
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
            | Call::Send { .. }
            | Call::SendAll { .. }
            | Call::SendTo { .. }
    )
}

/// Tab on the input: the completed line, or `None` when nothing fits.
/// The names come from the one command table (`app::input::commands`), the one F1
/// lists. Several candidates complete to their common start; all of them
/// are returned for the input to show.
#[must_use]
pub fn complete(line: &str) -> Option<(String, Vec<String>)> {
    let typed = line.strip_prefix('/')?;
    if typed.contains(' ') || typed.starts_with('/') {
        return None;
    }
    let names: Vec<String> =
        super::input::commands::all().iter().map(|c| c.name.to_string()).collect();
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
