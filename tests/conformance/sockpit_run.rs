//! The sockpit side: each script through the step engine, one session per
//! script, each call one command answered by one `EventKind::Call` event.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use sockpit::net::{
    self, Addr, Call, CallRecord, Command, EventKind, Family, Kind, Returned, Role, SessionConfig,
    Shut, SockId, Target, UnixName,
};
use sockpit::python::Python as _;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::peer::{Peer, PeerStall};
use super::render;
use super::script::{Op, Script, Step};

/// A call that got no answer: its transcript line; the script stops there.
struct Stall(String);

/// Runs every script, at most `cap` at once; transcripts in input order.
pub async fn run_all(
    scripts: &[Arc<Script>],
    refused: SocketAddr,
    limit: Duration,
    cap: usize,
) -> Vec<Vec<String>> {
    let permits = Arc::new(Semaphore::new(cap));
    let mut set = JoinSet::new();
    for (i, script) in scripts.iter().cloned().enumerate() {
        let permits = permits.clone();
        set.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("the semaphore is never closed");
            (i, Runner::new(&script, i, refused, limit).run(&script).await)
        });
    }
    let mut out = vec![Vec::new(); scripts.len()];
    while let Some(joined) = set.join_next().await {
        let (i, lines) = joined.expect("a script's task panicked");
        out[i] = lines;
    }
    out
}

/// One script's session, variables and peer.
struct Runner {
    session: net::SessionHandle,
    events: mpsc::Receiver<net::Event>,
    socks: HashMap<String, SockId>,
    peer: Peer,
    refused: SocketAddr,
    limit: Duration,
    /// Call events that answered nothing we asked, since the last line.
    unexpected: Vec<String>,
    /// Where `./name` socket files of this script are (removed at its end).
    dir: PathBuf,
}

impl Runner {
    /// A step-mode session (no sampling) in the role the script plays.
    fn new(script: &Script, index: usize, refused: SocketAddr, limit: Duration) -> Self {
        let any = Target::Addr(SocketAddr::from(([127, 0, 0, 1], 0)));
        let dir = std::env::temp_dir()
            .join(format!("sockpit-conformance-{}-{index}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a directory for the script's socket files");
        let role_path = UnixName::Path(dir.join("role.sock"));
        let role = match script.role() {
            ("unix", true) => Role::UnixServer(role_path, Kind::Stream),
            ("unix", false) => Role::UnixClient(role_path, Kind::Stream),
            ("udp", true) => Role::UdpServer(any),
            ("udp", false) => Role::UdpClient(any),
            (_, true) => Role::TcpServer(any),
            (_, false) => Role::TcpClient(any),
        };
        let mut config = SessionConfig::new(role);
        config.step = true;
        config.sample_every = None;
        let (tx, events) = mpsc::channel(net::CHANNEL_DEPTH);
        let session = net::spawn(config, tx);
        let (socks, peer, unexpected) = (HashMap::new(), Peer::default(), Vec::new());
        Self { session, events, socks, peer, refused, limit, unexpected, dir }
    }

    /// Every step of `script`: its transcript, one line a step; a stall ends
    /// it, and Call events nobody asked for are shown on the line they
    /// came with (or after the last).
    async fn run(mut self, script: &Script) -> Vec<String> {
        let mut lines = Vec::new();
        let shown_dir = format!("{}/", self.dir.display());
        for step in &script.steps {
            match self.step(step).await.map(|line| line.replace(&shown_dir, "./")) {
                Ok(line) if self.unexpected.is_empty() => lines.push(line),
                Ok(line) => {
                    let extra = std::mem::take(&mut self.unexpected).join("; ");
                    lines.push(format!("{line}  [unexpected answers: {extra}]"));
                }
                Err(Stall(line)) => {
                    lines.push(line);
                    break;
                }
            }
        }
        while let Ok(event) = self.events.try_recv() {
            if let EventKind::Call(record) = event.kind {
                self.unexpected.push(describe(&record));
            }
        }
        if !self.unexpected.is_empty() {
            lines.push(format!("unexpected answers: {}", self.unexpected.join("; ")));
        }
        self.session.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
        lines
    }

    /// One step: a peer action, or a call through the engine; its line.
    async fn step(&mut self, step: &Step) -> Result<String, Stall> {
        if let Op::Unlink { path } = &step.op {
            let Some(path) = path.strip_prefix("./") else {
                return Ok(format!("RuntimeError: harness: {path} is not ./NAME"));
            };
            return Ok(match std::fs::remove_file(self.dir.join(path)) {
                Ok(()) => "None".into(),
                Err(err) => render::io_error(&err),
            });
        }
        if step.op.is_peer() {
            let to = match &step.op {
                Op::PeerConnect { to } | Op::PeerSendto { to, .. } => {
                    match self.resolve(to, &step.text).await? {
                        Ok(addr) => Some(addr),
                        Err(line) => return Ok(line),
                    }
                }
                _ => None,
            };
            let stall = format!("no answer to {} within {} s", step.text, secs(self.limit));
            return self.peer.act(&step.op, to, self.limit).await.map_err(|PeerStall| Stall(stall));
        }
        let (sock, call, data) = match self.lower(step).await? {
            Ok(lowered) => lowered,
            Err(line) => return Ok(line),
        };
        let record = self.call_step(sock, call, data, step).await?;
        if let Some(name) = &step.bind {
            match &record.result {
                Ok(Returned::Socket { .. }) => {
                    self.socks.insert(name.clone(), record.sock);
                }
                Ok(Returned::Accepted { sock, .. }) => {
                    self.socks.insert(name.clone(), *sock);
                }
                _ => {}
            }
        }
        Ok(render::result(&step.op, &record.result))
    }

    /// The step as an engine call on a socket id, with its bytes; `Err` is
    /// the line to print instead (an unknown variable, an address that
    /// could not be resolved).
    async fn lower(
        &mut self,
        step: &Step,
    ) -> Result<Result<(SockId, Call, Option<Bytes>), String>, Stall> {
        if let Op::Socket { kind } = &step.op {
            let family = if kind == "unix" { Family::Unix } else { Family::Inet };
            let kind = if kind == "udp" { Kind::Dgram } else { Kind::Stream };
            return Ok(Ok((0, Call::Socket { family, kind }, None)));
        }
        let Some(&sock) = self.socks.get(&step.obj) else {
            return Ok(Err(format!("NameError: name '{}' is not defined", step.obj)));
        };
        let with = |call: Call, data: &[u8]| (sock, call, Some(Bytes::copy_from_slice(data)));
        let plain = |call: Call| (sock, call, None);
        Ok(Ok(match &step.op {
            Op::Bind { to } | Op::Connect { to } | Op::ConnectEx { to } | Op::Sendto { to, .. } => {
                let addr = match self.resolve(to, &step.text).await? {
                    Ok(addr) => addr,
                    Err(line) => return Ok(Err(line)),
                };
                match &step.op {
                    Op::Bind { .. } => plain(Call::Bind(addr)),
                    Op::Connect { .. } => plain(Call::Connect(addr)),
                    Op::ConnectEx { .. } => plain(Call::ConnectEx(addr)),
                    Op::Sendto { data, .. } => {
                        with(Call::SendTo { len: data.len(), to: addr }, data)
                    }
                    _ => unreachable!("matched above"),
                }
            }
            Op::Listen { backlog } => plain(Call::Listen(*backlog)),
            Op::Accept => plain(Call::Accept),
            Op::Settimeout { secs } => plain(Call::SetTimeout(*secs)),
            Op::Setblocking { flag } => plain(Call::SetBlocking(*flag)),
            Op::Getsockname => plain(Call::GetSockName),
            Op::Getpeername => plain(Call::GetPeerName),
            Op::Fileno => plain(Call::Fileno),
            Op::Send { data } => with(Call::Send { len: data.len() }, data),
            Op::Sendall { data } => with(Call::SendAll { len: data.len() }, data),
            Op::Recv { bufsize } => plain(Call::Recv { bufsize: *bufsize }),
            Op::Recvfrom { bufsize } => plain(Call::RecvFrom { bufsize: *bufsize }),
            Op::Shutdown { how } => plain(Call::Shutdown(match how.as_str() {
                "rd" => Shut::Read,
                "wr" => Shut::Write,
                _ => Shut::Both,
            })),
            Op::Close => plain(Call::Close),
            other => return Ok(Err(format!("RuntimeError: harness: unknown op {other:?}"))),
        }))
    }

    /// An address token: `REFUSED`, `ZERO`, `PEER`, `IP:PORT`, `./NAME` (a
    /// socket file in the script's directory), or a student variable (its
    /// `getsockname()`, asked of the engine like the `CPython` runner asks
    /// its socket). `Err` is the line to print.
    async fn resolve(&mut self, token: &str, text: &str) -> Result<Result<Addr, String>, Stall> {
        if let Some(name) = token.strip_prefix("./") {
            return Ok(Ok(Addr::Unix(UnixName::Path(self.dir.join(name)))));
        }
        Ok(Ok(Addr::Inet(match token {
            "REFUSED" => SocketAddr::from(([127, 0, 0, 1], self.refused.port())),
            "ZERO" => SocketAddr::from(([127, 0, 0, 1], 0)),
            "PEER" => match self.peer.addr {
                Some(addr) => addr,
                None => return Ok(Err("RuntimeError: harness: no PEER yet".into())),
            },
            literal if literal.contains(':') => match literal.parse() {
                Ok(addr) => addr,
                Err(e) => return Ok(Err(format!("RuntimeError: harness: {literal}: {e}"))),
            },
            var => {
                let Some(&sock) = self.socks.get(var) else {
                    return Ok(Err(format!("NameError: name '{var}' is not defined")));
                };
                return Ok(match self.call(sock, Call::GetSockName, None, text).await?.result {
                    Ok(Returned::Addr(addr)) => Ok(addr),
                    Ok(other) => Err(format!("RuntimeError: getsockname: {other:?}")),
                    Err(err) => Err(err.python()),
                });
            }
        })))
    }

    /// [`Self::call`], with Ctrl-C 0.2 s in when the step asks for it (the
    /// delay stands for a user's keypress, not for the network).
    async fn call_step(
        &mut self,
        sock: SockId,
        call: Call,
        data: Option<Bytes>,
        step: &Step,
    ) -> Result<CallRecord, Stall> {
        if !step.interrupt {
            return self.call(sock, call, data, &step.text).await;
        }
        let commands = self.session.commands.clone();
        let ctrl_c = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let _ = commands.send(Command::Interrupt).await;
        });
        let answer = self.call(sock, call, data, &step.text).await;
        ctrl_c.abort();
        answer
    }

    /// Sends one call and waits (bounded) for its answer: the Call event of
    /// that name on that socket (`socket()`: on the new socket).
    async fn call(
        &mut self,
        sock: SockId,
        call: Call,
        data: Option<Bytes>,
        text: &str,
    ) -> Result<CallRecord, Stall> {
        let name = call.name();
        let any_sock = matches!(call, Call::Socket { .. });
        let command = match data {
            Some(data) => Command::CallWith { sock, call, data },
            None => Command::Call { sock, call },
        };
        if self.session.commands.send(command).await.is_err() {
            return Err(Stall(format!("session ended: no answer to {text}")));
        }
        let (events, unexpected) = (&mut self.events, &mut self.unexpected);
        let answer = async {
            while let Some(event) = events.recv().await {
                if let EventKind::Call(record) = event.kind {
                    if record.call.name() == name && (any_sock || record.sock == sock) {
                        return Some(record);
                    }
                    unexpected.push(describe(&record));
                }
            }
            None
        };
        match tokio::time::timeout(self.limit, answer).await {
            Err(_) => Err(Stall(format!("no answer to {text} within {} s", secs(self.limit)))),
            Ok(None) => Err(Stall(format!("session ended: no answer to {text}"))),
            Ok(Some(record)) => Ok(record),
        }
    }
}

/// A call event nobody asked for, in a few words.
fn describe(record: &CallRecord) -> String {
    let result = match &record.result {
        Ok(returned) => format!("{returned:?}"),
        Err(err) => err.python(),
    };
    format!("{} on sock {} -> {result}", record.call.name(), record.sock)
}

/// Whole seconds, as cpython.py prints its limit.
pub fn secs(limit: Duration) -> u64 {
    limit.as_secs()
}
