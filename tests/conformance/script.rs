//! The script language both runners share, one call per line:
//!
//! ```text
//! s = socket tcp            # or udp, or unix (AF_UNIX, SOCK_STREAM)
//! s.bind ZERO               # ZERO, PEER, REFUSED, a variable, or 127.0.0.1:5
//! s.bind ./a.sock           # a socket file in the script's own directory
//! os.unlink ./a.sock        # os.unlink(path): the harness, not a socket call
//! s.listen 5
//! c, a = s.accept
//! c.send hello            # the rest of the line, with \xNN \n \r \t \0 \\ escapes
//! s.sendto PEER hello
//! s.recv 1024 / s.recvfrom 1024 / s.shutdown rd|wr|rdwr
//! s.settimeout 0.2 / s.settimeout None / s.setblocking False
//! peer.listen / peer.udp / peer.accept / peer.connect s / peer.send TEXT
//! peer.sendto s TEXT / peer.recv / peer.recvfrom / peer.close / peer.reset
//! peer.shutdown_wr
//! s.recv 1024 ^C            # Ctrl-C 0.2 s into the call (only on calls that block)
//! ```
//!
//! Lines are parsed once, here; the `CPython` runner gets the parsed steps as
//! JSON, so both sides run exactly the same calls with the same bytes.

use serde::Serialize;

/// One call, parsed, with its arguments.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// `socket.socket(AF_INET, SOCK_STREAM or SOCK_DGRAM)`, or
    /// `socket.socket(AF_UNIX, SOCK_STREAM)`; `kind` is `tcp`, `udp` or `unix`.
    Socket { kind: String },
    /// `bind(to)`.
    Bind { to: String },
    /// `listen(backlog)`.
    Listen { backlog: u32 },
    /// `accept()`.
    Accept,
    /// `settimeout(secs)`.
    Settimeout { secs: Option<f64> },
    /// `setblocking(flag)`.
    Setblocking { flag: bool },
    /// `connect(to)`.
    Connect { to: String },
    /// `connect_ex(to)`.
    ConnectEx { to: String },
    /// `getsockname()`.
    Getsockname,
    /// `getpeername()`.
    Getpeername,
    /// `fileno()`.
    Fileno,
    /// `send(data)`.
    Send { data: Vec<u8> },
    /// `sendall(data)`.
    Sendall { data: Vec<u8> },
    /// `sendto(data, to)`.
    Sendto { to: String, data: Vec<u8> },
    /// `recv(bufsize)`.
    Recv { bufsize: usize },
    /// `recvfrom(bufsize)`.
    Recvfrom { bufsize: usize },
    /// `shutdown(SHUT_RD | SHUT_WR | SHUT_RDWR)`: `how` is `rd`, `wr` or `rdwr`.
    Shutdown { how: String },
    /// `close()`.
    Close,
    /// Peer: a TCP listener on 127.0.0.1:0 (it becomes `PEER`).
    PeerListen,
    /// Peer: a UDP socket on 127.0.0.1:0 (it becomes `PEER`).
    PeerUdp,
    /// Peer: accept one connection on its listener.
    PeerAccept,
    /// Peer: connect to a student socket's address.
    PeerConnect { to: String },
    /// Peer: `sendall` on its connection.
    PeerSend { data: Vec<u8> },
    /// Peer: one datagram from its UDP socket.
    PeerSendto { to: String, data: Vec<u8> },
    /// Peer: `recv(1024)` on its connection (else its UDP socket).
    PeerRecv,
    /// Peer: `recvfrom(1024)` on its UDP socket.
    PeerRecvfrom,
    /// Peer: close its connection (else its UDP socket, else its listener).
    PeerClose,
    /// Peer: the same with `SO_LINGER` 0, so a connection ends with RST.
    PeerReset,
    /// Peer: `shutdown(SHUT_WR)` on its connection.
    PeerShutdownWr,
    /// `os.unlink(path)`: removes a socket file (`path` is a `./name`
    /// token), as a student does between two runs of a Unix server.
    Unlink { path: String },
}

impl Op {
    /// Whether the harness's peer does this (not the socket under test).
    pub fn is_peer(&self) -> bool {
        matches!(
            self,
            Self::PeerListen
                | Self::PeerUdp
                | Self::PeerAccept
                | Self::PeerConnect { .. }
                | Self::PeerSend { .. }
                | Self::PeerSendto { .. }
                | Self::PeerRecv
                | Self::PeerRecvfrom
                | Self::PeerClose
                | Self::PeerReset
                | Self::PeerShutdownWr
        )
    }
}

/// One line of a script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The line as written (shown in reports and stall messages).
    pub text: String,
    /// The variable the result is assigned to (`s = socket`, `c, a = s.accept`).
    pub bind: Option<String>,
    /// The variable the call is made on, or `peer`.
    pub obj: String,
    /// The call.
    #[serde(flatten)]
    pub op: Op,
    /// Ctrl-C 0.2 s into the call (`^C` at the end of the line): a user's
    /// keypress, for calls that would otherwise block forever.
    pub interrupt: bool,
}

/// A named script: the unit both runners run and compare.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Script {
    /// Unique name, e.g. `tcp_server_lifecycle` or `tcp/listening/recv`.
    pub name: String,
    /// Its calls in order.
    pub steps: Vec<Step>,
}

impl Script {
    /// Parses `text` (one call a line; blank lines and `#` comments skipped).
    ///
    /// # Panics
    /// On a line that does not parse: scripts are written by us, in tests.
    pub fn parse(name: &str, text: &str) -> Self {
        let steps = text
            .lines()
            .map(|l| l.split(" #").next().unwrap_or("").trim())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| parse_line(l).unwrap_or_else(|e| panic!("script {name}: {l:?}: {e}")))
            .collect();
        Self { name: name.to_string(), steps }
    }

    /// The first socket's kind (`tcp`, `udp` or `unix`), and whether the student
    /// listens or binds (a server) rather than connects.
    pub fn role(&self) -> (&str, bool) {
        let kind = self.steps.iter().find_map(|s| match &s.op {
            Op::Socket { kind } => Some(kind.as_str()),
            _ => None,
        });
        let serves = self.steps.iter().any(|s| {
            matches!(s.op, Op::Listen { .. } | Op::Accept)
                || (kind == Some("udp") && matches!(s.op, Op::Bind { .. }))
        });
        (kind.unwrap_or("tcp"), serves)
    }
}

/// Parses one line into a [`Step`].
pub fn parse_line(line: &str) -> Result<Step, String> {
    let (line, interrupt) = match line.strip_suffix(" ^C") {
        Some(call) => (call.trim_end(), true),
        None => (line, false),
    };
    let text = line.to_string() + if interrupt { " ^C" } else { "" };
    let (bind, call) = match line.split_once(" = ") {
        Some((lhs, rhs)) => {
            let first = lhs.split(',').next().unwrap_or("").trim();
            (Some(first.to_string()), rhs.trim())
        }
        None => (None, line),
    };
    if let Some(kind) = call.strip_prefix("socket ") {
        let kind = kind.trim();
        if !matches!(kind, "tcp" | "udp" | "unix") {
            return Err(format!("socket kind {kind:?}: tcp, udp or unix"));
        }
        let op = Op::Socket { kind: kind.to_string() };
        return Ok(Step { text, bind, obj: String::new(), op, interrupt });
    }
    let (head, rest) = call.split_once(' ').unwrap_or((call, ""));
    let (obj, name) = head.split_once('.').ok_or("expected OBJ.CALL")?;
    let op = match (obj, name) {
        ("peer", _) => peer_op(name, rest)?,
        ("os", "unlink") => Op::Unlink { path: word(rest)?.to_string() },
        ("os", other) => return Err(format!("unknown os call {other:?}")),
        _ => student_op(name, rest)?,
    };
    if interrupt && matches!(obj, "peer" | "os") {
        return Err("^C is for the student's calls".into());
    }
    Ok(Step { text, bind, obj: obj.to_string(), op, interrupt })
}

/// A call on a student socket: `name` and the rest of the line.
fn student_op(name: &str, rest: &str) -> Result<Op, String> {
    let to = || word(rest).map(str::to_string);
    Ok(match name {
        "bind" => Op::Bind { to: to()? },
        "connect" => Op::Connect { to: to()? },
        "connect_ex" => Op::ConnectEx { to: to()? },
        "listen" => Op::Listen { backlog: number(rest)? },
        "accept" => Op::Accept,
        "settimeout" => Op::Settimeout {
            secs: match rest.trim() {
                "None" => None,
                secs => Some(secs.parse().map_err(|e| format!("{secs:?}: {e}"))?),
            },
        },
        "setblocking" => Op::Setblocking {
            flag: match rest.trim() {
                "True" => true,
                "False" => false,
                other => return Err(format!("{other:?}: True or False")),
            },
        },
        "getsockname" => Op::Getsockname,
        "getpeername" => Op::Getpeername,
        "fileno" => Op::Fileno,
        "close" => Op::Close,
        "send" => Op::Send { data: unescape(rest)? },
        "sendall" => Op::Sendall { data: unescape(rest)? },
        "sendto" => {
            let (to, text) = rest.split_once(' ').unwrap_or((rest, ""));
            Op::Sendto { to: word(to)?.to_string(), data: unescape(text)? }
        }
        "recv" => Op::Recv { bufsize: number(rest)? },
        "recvfrom" => Op::Recvfrom { bufsize: number(rest)? },
        "shutdown" => match rest.trim() {
            how @ ("rd" | "wr" | "rdwr") => Op::Shutdown { how: how.to_string() },
            other => return Err(format!("{other:?}: rd, wr or rdwr")),
        },
        other => return Err(format!("unknown call {other:?}")),
    })
}

/// A peer action: `name` after `peer.` and the rest of the line.
fn peer_op(name: &str, rest: &str) -> Result<Op, String> {
    Ok(match name {
        "listen" => Op::PeerListen,
        "udp" => Op::PeerUdp,
        "accept" => Op::PeerAccept,
        "connect" => Op::PeerConnect { to: word(rest)?.to_string() },
        "send" => Op::PeerSend { data: unescape(rest)? },
        "sendto" => {
            let (to, text) = rest.split_once(' ').unwrap_or((rest, ""));
            Op::PeerSendto { to: word(to)?.to_string(), data: unescape(text)? }
        }
        "recv" => Op::PeerRecv,
        "recvfrom" => Op::PeerRecvfrom,
        "close" => Op::PeerClose,
        "reset" => Op::PeerReset,
        "shutdown_wr" => Op::PeerShutdownWr,
        other => return Err(format!("unknown peer action {other:?}")),
    })
}

/// Exactly one word (an address token or variable).
fn word(text: &str) -> Result<&str, String> {
    let text = text.trim();
    if text.is_empty() || text.contains(' ') {
        Err(format!("one word, not {text:?}"))
    } else {
        Ok(text)
    }
}

/// A number argument.
fn number<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim().parse().map_err(|_| format!("a number, not {text:?}"))
}

/// The bytes of a text argument: UTF-8, with `\xNN`, `\n`, `\r`, `\t`, `\0`
/// and `\\` escapes.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).map_err(|_| format!("\\x{hex}"))?);
            }
            other => return Err(format!("unknown escape \\{other:?}")),
        }
    }
    Ok(out)
}
