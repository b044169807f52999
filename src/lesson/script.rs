//! Python source for an export: the tutorial's style (`import socket, sys`, the
//! variables `server`, `sock, caddr = server.accept()`, `client`), HOST and
//! PORT from argv with the recorded address as default, each call explained
//! once in a comment, and the exact bytes of every send.
//!
//! What a replay needs beyond the recording, and why:
//! - `recv_all(sock, n)`: TCP may cut the peer's bytes differently on
//!   another run, so each recorded TCP recv reads until as many bytes came.
//! - `show(data)`: received bytes go to stdout unchanged (like sockpit
//!   headless), so a replay can be compared byte for byte; notes go to stderr.
//! - Failed calls, and switches to non-blocking mode, become comments: the
//!   replay reproduces the conversation, and a non-blocking recv would raise
//!   instead of waiting for the reply.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::net::SocketAddr;

use super::Lang;
use super::export::{Sock, Step};
use super::literal::{literal, wrap};
pub(super) use super::script_ports::Ports;
use crate::net::{Addr, Call, CallRecord, Family, Kind, Returned, SockId, SockOpt};
use crate::python;

/// Comment lines are wrapped to this many columns.
const WIDTH: usize = 78;
/// Bytes of received data quoted in a recv's comment.
const QUOTED: usize = 24;

/// The script for `steps`.
pub(super) fn render(
    lang: Lang,
    steps: &[Step],
    socks: &BTreeMap<SockId, Sock>,
    target: Option<SocketAddr>,
    server: bool,
    ports: &Ports,
) -> String {
    let target = target.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let mut body = Body {
        lang,
        socks,
        target,
        ports,
        retry: false,
        server,
        text: String::new(),
        explained: HashSet::new(),
        last_from: None,
        recv_all: false,
        show: false,
        uses_struct: false,
        tls: false,
        unix: super::script_unix::is_unix(steps),
    };
    for step in steps {
        body.step(step);
    }
    for sock in socks.values().rev().filter(|s| !s.closed) {
        body.explain_once(&Call::Close);
        body.line(&format!("{}.close()", sock.var));
    }
    let mut out = header(lang, &body, target);
    out.push_str(&body.text);
    out
}

/// The script's calls, and what they need from the header.
struct Body<'a> {
    lang: Lang,
    socks: &'a BTreeMap<SockId, Sock>,
    target: SocketAddr,
    ports: &'a Ports,
    /// A connect goes to a later listener of the server's script: the
    /// script defines `connect_retry`.
    retry: bool,
    server: bool,
    text: String,
    explained: HashSet<&'static str>,
    /// The sender of the last datagram `recvfrom` returned: the `addr` the
    /// script's own `recvfrom` fills, so answers go to the live peer.
    last_from: Option<SocketAddr>,
    recv_all: bool,
    show: bool,
    uses_struct: bool,
    /// The session spoke TLS: the script imports `ssl`.
    tls: bool,
    /// `AF_UNIX`: paths, not HOST and PORT (`script_unix.rs`).
    unix: bool,
}

impl Body<'_> {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// The call's explanation as a comment, the first time it appears.
    fn explain_once(&mut self, call: &Call) {
        if self.explained.insert(call.name()) {
            let what = super::explain::what(call, self.lang);
            self.text.push('\n');
            for line in wrap(&what, WIDTH - 2) {
                self.line(&format!("# {line}"));
            }
        }
    }

    fn var(&self, sock: SockId) -> String {
        self.socks.get(&sock).map_or_else(|| "sock".into(), |s| s.var.clone())
    }

    fn kind(&self, sock: SockId) -> Kind {
        self.socks.get(&sock).map_or(Kind::Stream, |s| s.kind)
    }

    /// `(HOST, PORT)` for the recorded address, `addr` for the last sender.
    fn addr(&self, a: &Addr) -> String {
        let Some(ip) = a.inet() else { return python::addr(a) };
        let unbound_port = self.server && ip.port() == 0 && ip.ip() == self.target.ip();
        if ip == self.target || unbound_port {
            "(HOST, PORT)".into()
        } else if let Some(k) = self.ports.extra.iter().position(|a| *a == ip) {
            format!("(HOST, PORT{})", k + 2)
        } else if Some(ip) == self.last_from {
            "addr".into()
        } else {
            python::addr(a)
        }
    }

    fn step(&mut self, s: &Step) {
        let var = self.var(s.sock);
        let Ok(returned) = &s.result else {
            let record = CallRecord {
                sock: s.sock,
                var: "",
                call: s.call.clone(),
                result: s.result.clone(),
            };
            let shown = self.call_text(&var, &s.call);
            let raised = python::result_text(&record);
            self.line(&format!("# {shown}  -> {raised}  (failed: not replayed)"));
            return;
        };
        if let Some(note) = left_out(&s.call) {
            let shown = python::call_line(&var, &s.call);
            self.line(&format!("# {shown}  ({note})"));
            return;
        }
        let shown_call = self.call_for_comment(&s.call);
        self.explain_once(&shown_call);
        let record = CallRecord {
            sock: s.sock,
            var: "",
            call: s.call.clone(),
            result: Ok(returned.clone()),
        };
        let recorded = python::result_text(&record);
        match (&s.call, returned) {
            (Call::Accept, Returned::Accepted { sock, .. }) => {
                let conn = self.var(*sock);
                let caddr = self.socks.get(sock).and_then(|s| s.caddr.clone());
                let caddr = caddr.unwrap_or_else(|| "caddr".into());
                self.line(&format!("{conn}, {caddr} = {var}.accept()"));
                self.line(&format!("print('accepted', {caddr}, file=sys.stderr, flush=True)"));
            }
            (Call::Listen(n), _) => {
                self.line(&format!("{var}.listen({n})"));
                self.listening(&var);
            }
            (Call::Bind(a), _) => self.bind(s.sock, &var, a),
            (Call::Send { .. } | Call::SendAll { .. } | Call::SendTo { .. }, _) => {
                self.send(s, &var);
            }
            (
                Call::Recv { bufsize } | Call::RecvFrom { bufsize },
                Returned::Data { data, from, truncated },
            ) => {
                self.show = true;
                let stream = self.kind(s.sock) == Kind::Stream;
                let mut got = python::bytes_repr(data, QUOTED);
                if let Some(full) = truncated {
                    let _ = write!(got, ", {} B of a {full} B datagram (MSG_TRUNC)", data.len());
                }
                if let (Call::RecvFrom { .. }, Some(from)) = (&s.call, from) {
                    self.last_from = from.inet();
                    let from = python::addr(from);
                    self.line(&format!(
                        "data, addr = {var}.recvfrom({bufsize})  # recorded: {got} from {from}"
                    ));
                } else if stream && !data.is_empty() {
                    self.recv_all = true;
                    let n = data.len();
                    self.line(&format!(
                        "data = recv_all({var}, {n})  # recorded: {var}.recv({bufsize}) -> {got}"
                    ));
                } else {
                    let eof = if stream { "  (EOF)" } else { "" };
                    self.line(&format!("data = {var}.recv({bufsize})  # recorded: {got}{eof}"));
                }
                self.line("show(data)");
            }
            (Call::Connect(a), _) => {
                let (line, retry) = super::script_ports::connect_line(&var, &self.addr(a));
                self.retry |= retry;
                self.line(&line);
            }
            (Call::ConnectEx(a), _) => {
                self.line(&format!(
                    "err = {var}.connect_ex({})  # recorded: {recorded}",
                    self.addr(a)
                ));
            }
            (Call::Tls(call), _) => {
                self.tls = true;
                let line = super::script_tls::line(call, &var, &recorded, self.target);
                self.line(&line);
            }
            (Call::GetSockName | Call::GetPeerName | Call::Fileno, _) => {
                let call = python::call_line(&var, &s.call);
                self.line(&format!("print({call}, file=sys.stderr)  # recorded: {recorded}"));
            }
            (call, _) => {
                self.uses_struct |= matches!(call, Call::SetSockOpt(SockOpt::LingerZero));
                self.line(&python::call_line(&var, call));
            }
        }
    }

    /// A successful `bind` (a socket file is removed first, if there); a
    /// UDP server then says where it listens.
    fn bind(&mut self, sock: SockId, var: &str, a: &Addr) {
        if let Some(unlink) = super::script_unix::unlink_before(self.lang, a) {
            self.text.push('\n');
            self.line(&unlink);
        }
        let a = self.ports.bound_as(sock, a);
        self.line(&format!("{var}.bind({})", self.addr(&a)));
        if self.server && self.kind(sock) == Kind::Dgram {
            self.listening(var);
        }
    }

    /// The stderr line a test or a student waits for before connecting.
    fn listening(&mut self, var: &str) {
        if self.unix {
            self.line(&super::script_unix::listening(var));
            return;
        }
        self.line(&format!(
            "print('listening on %s:%d' % {var}.getsockname()[:2], file=sys.stderr, flush=True)"
        ));
    }

    fn send(&mut self, s: &Step, var: &str) {
        let Some(bytes) = &s.sent else {
            let shown = python::call_line(var, &s.call);
            self.line(&format!("# {shown}  (its bytes were not recorded)"));
            return;
        };
        let (open, close) = match (&s.call, self.kind(s.sock)) {
            (Call::SendTo { to, .. }, _) => {
                (format!("{var}.sendto("), format!(", {}", self.addr(to)))
            }
            (_, Kind::Dgram) => (format!("{var}.send("), String::new()),
            (_, Kind::Stream | Kind::SeqPacket) => (format!("{var}.sendall("), String::new()),
        };
        let pieces = literal(bytes);
        let indent = " ".repeat(open.chars().count());
        let last = pieces.len() - 1;
        for (i, piece) in pieces.into_iter().enumerate() {
            let start = if i == 0 { open.clone() } else { indent.clone() };
            let end = if i == last { format!("{close})") } else { String::new() };
            self.line(&format!("{start}{piece}{end}"));
        }
    }

    /// The call as the script writes it, for a failed call's comment.
    fn call_text(&self, var: &str, call: &Call) -> String {
        match call {
            Call::Connect(a) => format!("{var}.connect({})", self.addr(a)),
            Call::ConnectEx(a) => format!("{var}.connect_ex({})", self.addr(a)),
            Call::Bind(a) => format!("{var}.bind({})", self.addr(a)),
            _ => python::call_line(var, call),
        }
    }

    /// The call its comment explains: `(HOST, PORT)` stands for the
    /// recorded address, so the comment names that address.
    fn call_for_comment(&self, call: &Call) -> Call {
        match call {
            Call::Bind(a) if self.addr(a) == "(HOST, PORT)" => Call::Bind(Addr::Inet(self.target)),
            other => other.clone(),
        }
    }
}

/// Why a successful call is not replayed, if it is not.
fn left_out(call: &Call) -> Option<&'static str> {
    match call {
        Call::SetBlocking(false) => Some("left out: the replay waits for every reply"),
        Call::SetTimeout(Some(t)) if *t <= 0.0 => {
            Some("left out: the replay waits for every reply")
        }
        _ => None,
    }
}

/// The header: how to run it, HOST/PORT from argv, the helpers it uses.
fn header(lang: Lang, body: &Body<'_>, target: SocketAddr) -> String {
    let kind = body.socks.values().next().map_or(Kind::Stream, |s| s.kind).protocol(Family::Inet);
    let (host, port) = (target.ip(), target.port());
    let mut out = String::from("#!/usr/bin/env python3\n");
    if body.unix {
        out.push_str(&super::script_unix::intro(lang, body.server));
        let _ = writeln!(out, "import os, socket, sys");
        helpers(&mut out, lang, body);
        return out;
    }
    let intro = match (lang, body.server) {
        (Lang::En, server) => format!(
            "# A {kind} {} session recorded by sockpit, as a Python script.\n\
             # Run: python3 SCRIPT [HOST [PORT]]   (default: the recorded {host} {port})\n\
             # It makes the recorded calls in order: the same bytes are sent, and each\n\
             # recv waits for as many bytes as arrived then. Received bytes go to stdout\n\
             # unchanged; everything else goes to stderr.\n",
            if server { "server" } else { "client" }
        ),
        (Lang::Zh, server) => format!(
            "# sockpit 记录的一次 {kind} {}会话，导出为 Python 脚本。\n\
             # 运行：python3 脚本 [HOST [PORT]]（默认为记录中的 {host} {port}）\n\
             # 它按记录的顺序调用：发送同样的字节，每次 recv 都等到与当时同样多的字节。\n\
             # 收到的字节原样写到标准输出，其他信息写到标准错误。\n",
            if server { "服务器" } else { "客户端" }
        ),
    };
    out.push_str(&intro);
    out.push_str(&body.ports.comments(lang));
    let ssl = if body.tls { "ssl, " } else { "" };
    let structs = if body.uses_struct { "struct, " } else { "" };
    let time = if body.retry { ", time" } else { "" };
    let _ = writeln!(out, "import socket, {ssl}{structs}sys{time}");
    let _ = write!(
        out,
        "\nHOST = sys.argv[1] if len(sys.argv) > 1 else '{host}'\n\
         PORT = int(sys.argv[2]) if len(sys.argv) > 2 else {port}\n"
    );
    out.push_str(&body.ports.argv());
    if body.retry {
        out.push_str(&super::script_ports::retry_helper(lang));
    }
    helpers(&mut out, lang, body);
    out
}

/// The helper functions the body uses (`recv_all`, `show`).
fn helpers(out: &mut String, lang: Lang, body: &Body<'_>) {
    if body.recv_all {
        let doc = match lang {
            Lang::En => {
                "recv() until n bytes came (or the peer closed): TCP may cut the\n    \
                         peer's bytes differently than in the recording."
            }
            Lang::Zh => {
                "反复 recv() 直到收到 n 字节（或对方关闭）：TCP 每次切分数据的\n    \
                         方式可能和记录时不同。"
            }
        };
        let _ = write!(
            out,
            "\n\ndef recv_all(sock, n):\n    \"\"\"{doc}\"\"\"\n    data = b''\n    \
             while len(data) < n:\n        chunk = sock.recv(n - len(data))\n        \
             if not chunk:\n            break\n        data += chunk\n    return data\n"
        );
    }
    if body.show {
        let doc = match lang {
            Lang::En => "Writes received bytes to stdout exactly as they arrived.",
            Lang::Zh => "把收到的字节原样写到标准输出。",
        };
        let _ = write!(
            out,
            "\n\ndef show(data):\n    \"\"\"{doc}\"\"\"\n    sys.stdout.buffer.write(data)\n    \
             sys.stdout.buffer.flush()\n"
        );
    }
    out.push('\n');
}
