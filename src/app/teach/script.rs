//! The tutorial's four programs as scripts F8 walks through, written as data:
//! the calls that set a socket up, once each and in order, then the
//! conversation as "after this, that" on the socket that carries data.
//!
//! - TCP server: socket → `setsockopt(SO_REUSEADDR)` → bind → listen(5) →
//!   accept → recv(1024) → send → recv ... → close on `b''` → accept the
//!   next client.
//! - TCP client: socket → connect → send → recv → close (the tutorial's
//!   client asks once and hangs up; `b''` closes it too).
//! - UDP server: socket → bind → recvfrom → sendto the sender → recvfrom ...
//! - UDP client: socket → sendto → recvfrom → close.
//!
//! `suggest.rs` reads the next step off this table and the timeline.

use crate::net::{Call, Kind, Returned, Role, SockOpt};

/// One setup call: the line F8 types, and whether a successful call of the
/// timeline is this step.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub line: &'static str,
    pub done: fn(&Call, &Returned) -> bool,
}

/// Where the data socket stands, from its latest data call (or close).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// No data call yet.
    Start,
    Sent,
    /// Bytes (or a datagram, even an empty one) came in.
    Received,
    /// A stream's `recv` returned `b''`: the peer is done.
    Eof,
    Closed,
}

/// What the script does next on the data socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    Send,
    Recv,
    Close,
    /// `accept()` the next client on the listener.
    Accept,
    /// The program has ended: `/socket` starts again.
    Done,
}

/// One of the tutorial's programs.
#[derive(Debug, Clone, Copy)]
pub struct Script {
    /// The calls that make the socket ready, in order; `socket()` first.
    pub setup: &'static [Setup],
    /// A server of connections: the conversation runs on what `accept()`
    /// returns, not on the listener.
    pub accepts: bool,
    /// The conversation: after the first, the second.
    pub talk: &'static [(After, Then)],
    /// What this end says when it sends.
    pub says: &'static str,
}

impl Script {
    /// What comes after `after`; the end of the table is the end of the program.
    #[must_use]
    pub fn then(&self, after: After) -> Then {
        self.talk.iter().find(|(a, _)| *a == after).map_or(Then::Done, |(_, t)| *t)
    }
}

const SOCKET: Setup = Setup { line: "/socket", done: |c, _| matches!(c, Call::Socket { .. }) };
const REUSEADDR: Setup = Setup {
    line: "/setsockopt reuseaddr 1",
    done: |c, _| matches!(c, Call::SetSockOpt(SockOpt::ReuseAddr(true))),
};
const BIND: Setup = Setup { line: "/bind", done: |c, _| matches!(c, Call::Bind(_)) };
const LISTEN: Setup = Setup { line: "/listen 5", done: |c, _| matches!(c, Call::Listen(_)) };
/// `connect_ex` counts once it returned 0.
const CONNECT: Setup = Setup {
    line: "/connect",
    done: |c, r| matches!((c, r), (Call::Connect(_), _) | (Call::ConnectEx(_), Returned::Int(0))),
};

pub const TCP_SERVER: Script = Script {
    setup: &[SOCKET, REUSEADDR, BIND, LISTEN],
    accepts: true,
    talk: &[
        (After::Start, Then::Recv),
        (After::Received, Then::Send),
        (After::Sent, Then::Recv),
        (After::Eof, Then::Close),
        (After::Closed, Then::Accept),
    ],
    says: "hi",
};

pub const TCP_CLIENT: Script = Script {
    setup: &[SOCKET, CONNECT],
    accepts: false,
    talk: &[
        (After::Start, Then::Send),
        (After::Sent, Then::Recv),
        (After::Received, Then::Close),
        (After::Eof, Then::Close),
        (After::Closed, Then::Done),
    ],
    says: "hello",
};

pub const UDP_SERVER: Script = Script {
    setup: &[SOCKET, BIND],
    accepts: false,
    talk: &[(After::Start, Then::Recv), (After::Received, Then::Send), (After::Sent, Then::Recv)],
    says: "hi",
};

pub const UDP_CLIENT: Script = Script {
    setup: &[SOCKET],
    accepts: false,
    talk: &[
        (After::Start, Then::Send),
        (After::Sent, Then::Recv),
        (After::Received, Then::Close),
        (After::Closed, Then::Done),
    ],
    says: "hello",
};

/// The script of a role: stream and seqpacket sockets talk like TCP.
#[must_use]
pub fn of(role: &Role) -> &'static Script {
    match (role.is_server(), role.kind() == Kind::Dgram) {
        (true, false) => &TCP_SERVER,
        (false, false) => &TCP_CLIENT,
        (true, true) => &UDP_SERVER,
        (false, true) => &UDP_CLIENT,
    }
}
