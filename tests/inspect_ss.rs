//! Live inspection checked against the kernel's own tool: what the engine's
//! samples and `NETLINK_SOCK_DIAG` watch report must equal what `ss` (iproute2)
//! prints for the same sockets. Real sockets on 127.0.0.1, port 0; every wait
//! polls a condition under a deadline.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::Command as Process;
use std::time::Duration;

use bytes::Bytes;
use sockpit::net::sample::Sample;
use sockpit::net::{
    self, Addr, Command, DiagSocket, Event, EventKind, Holds, Role, SessionConfig, SessionHandle,
    SockId, Target, TcpState, To, Whose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(15);
const PERIOD: Duration = Duration::from_millis(100);

/// One server session and its events.
struct Server {
    session: SessionHandle,
    events: mpsc::Receiver<Event>,
    listener: SockId,
    local: SocketAddr,
    /// The latest fd-less list: it is only sent when it changes, so a wait
    /// for something else must not lose it.
    kernel: Vec<DiagSocket>,
}

impl Server {
    async fn start(holds: Holds, backlog: u32) -> Self {
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any)));
        config.holds = holds;
        config.backlog = backlog;
        config.sample_every = Some(PERIOD);
        let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
        let session = net::spawn(config, tx);
        let (listener, local) = wait_for(&mut events, |k| match k {
            EventKind::Listening { sock, local, .. } => Some((*sock, local.inet()?)),
            _ => None,
        })
        .await;
        Self { session, events, listener, local, kernel: Vec::new() }
    }

    async fn next<T>(&mut self, mut pick: impl FnMut(&EventKind) -> Option<T>) -> T {
        let kernel = &mut self.kernel;
        wait_for(&mut self.events, |k| {
            if let EventKind::Kernel { sockets } = k {
                kernel.clone_from(sockets);
            }
            pick(k)
        })
        .await
    }

    /// The next sample of `sock` that `pick` accepts.
    async fn sample_where(
        &mut self,
        sock: SockId,
        mut pick: impl FnMut(&Sample) -> bool,
    ) -> Sample {
        self.next(|k| match k {
            EventKind::Sample { sock: s, sample } if *s == sock && pick(sample) => {
                Some((**sample).clone())
            }
            _ => None,
        })
        .await
    }

    /// The next fd-less list that `pick` accepts.
    async fn kernel_where(
        &mut self,
        mut pick: impl FnMut(&[DiagSocket]) -> bool,
    ) -> Vec<DiagSocket> {
        if pick(&self.kernel) {
            return self.kernel.clone();
        }
        self.next(|k| match k {
            EventKind::Kernel { sockets } if pick(sockets) => Some(sockets.clone()),
            _ => None,
        })
        .await
    }

    async fn command(&self, command: Command) {
        self.session.commands.send(command).await.unwrap();
    }
}

async fn wait_for<T>(
    events: &mut mpsc::Receiver<Event>,
    mut pick: impl FnMut(&EventKind) -> Option<T>,
) -> T {
    tokio::time::timeout(LIMIT, async {
        loop {
            let event = events.recv().await.expect("session ended early");
            if let Some(found) = pick(&event.kind) {
                return found;
            }
        }
    })
    .await
    .expect("event did not come in time")
}

/// One socket as `ss` prints it: state, queues, addresses, `key:value` info.
#[derive(Debug)]
struct SsLine {
    state: String,
    recv_q: u64,
    send_q: u64,
    local: SocketAddr,
    peer: String,
    info: HashMap<String, String>,
}

impl SsLine {
    fn num(&self, key: &str) -> u64 {
        // ss leaves a counter out while it is zero.
        self.info.get(key).map_or(0, |v| v.parse().unwrap())
    }
}

/// Runs `ss ARGS` with a port filter and parses every socket it lists.
fn ss(args: &str, port: u16) -> Vec<SsLine> {
    let out = Process::new("ss")
        .args([
            args,
            "(",
            "sport",
            "=",
            &format!(":{port}"),
            "or",
            "dport",
            "=",
            &format!(":{port}"),
            ")",
        ])
        .output()
        .expect("ss runs");
    assert!(out.status.success(), "ss failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with(char::is_whitespace) {
            let last: &mut SsLine = lines.last_mut().expect("info follows a socket line");
            for token in line.split_whitespace() {
                if let Some((k, v)) = token.split_once(':') {
                    last.info.insert(k.to_string(), v.to_string());
                }
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        lines.push(SsLine {
            state: f[0].to_string(),
            recv_q: f[1].parse().unwrap(),
            send_q: f[2].parse().unwrap(),
            local: f[3].parse().unwrap(),
            peer: f[4].to_string(),
            info: HashMap::new(),
        });
    }
    lines
}

/// The line `ss` prints for the socket `local <-> peer`.
fn ss_one(args: &str, local: SocketAddr, peer: &str) -> Option<SsLine> {
    ss(args, local.port()).into_iter().find(|l| l.local == local && l.peer == peer)
}

#[tokio::test]
async fn an_established_connection_matches_ss() {
    let mut server = Server::start(Holds::default(), 1024).await;
    let mut peer = TcpStream::connect(server.local).await.unwrap();
    peer.write_all(b"hello").await.unwrap();
    let conn = server
        .next(|k| match k {
            EventKind::Connected { sock, .. } => Some(*sock),
            _ => None,
        })
        .await;
    server.command(Command::Send { to: To::Sock(conn), data: Bytes::from_static(b"world!") }).await;
    let mut got = [0u8; 6];
    peer.read_exact(&mut got).await.unwrap();

    // Once both ways are quiet (everything read and acknowledged), the last
    // sample reported and ss must agree. Samples come when figures change, so
    // a mismatch can only be a change still on its way: wait for it.
    let mut s = server.sample_where(conn, |s| s.send_q == Some(0) && s.recv_q == Some(0)).await;
    loop {
        let tcp = s.tcp.clone().unwrap();
        let (local, peer_addr) = (s.local.clone().unwrap(), s.peer.clone().unwrap());
        let local = local.inet().unwrap();
        assert_eq!(peer_addr, (peer.local_addr().unwrap()).into());
        let Some(line) = ss_one("-tinH", local, &peer_addr.to_string()) else {
            panic!("ss does not list {local} <-> {peer_addr}");
        };
        let rtt_ms: f64 = line.info["rtt"].split('/').next().unwrap().parse().unwrap();
        let ours_ms = f64::from(tcp.rtt_us) / 1000.0;
        let same = line.state == tcp.state.ss_name()
            && line.num("cwnd") == u64::from(tcp.snd_cwnd)
            && line.num("bytes_acked") == tcp.bytes_acked.unwrap()
            && line.num("bytes_received") == tcp.bytes_received.unwrap()
            && (rtt_ms - ours_ms).abs() <= 1.0_f64.max(rtt_ms * 0.5);
        if same {
            assert_eq!(tcp.bytes_received, Some(5), "hello");
            assert!(tcp.bytes_acked.unwrap() >= 6, "world! acknowledged");
            return;
        }
        let next = tokio::time::timeout(LIMIT, server.sample_where(conn, |_| true)).await;
        let Ok(next) = next else { panic!("sample and ss disagree: ss {line:?} vs {tcp:?}") };
        s = next;
    }
}

#[tokio::test]
async fn held_accept_shows_three_of_five_like_ss_and_lists_them_queued() {
    let mut server = Server::start(Holds { accept: true, reads: false }, 5).await;
    let mut clients = Vec::new();
    for _ in 0..3 {
        clients.push(TcpStream::connect(server.local).await.unwrap());
    }
    let listener = server.listener;
    let s = server.sample_where(listener, |s| s.accept_queue.is_some_and(|q| q.len == 3)).await;
    let q = s.accept_queue.unwrap();
    assert_eq!((q.len, q.backlog), (3, 5));
    assert_eq!((s.recv_q, s.send_q), (None, None), "SIOCINQ/OUTQ mean nothing on a listener");
    let line = ss_one("-lntH", server.local, "0.0.0.0:*").expect("ss lists the listener");
    assert_eq!((line.state.as_str(), line.recv_q, line.send_q), ("LISTEN", 3, 5));

    let mut wanted: Vec<SocketAddr> = clients.iter().map(|c| c.local_addr().unwrap()).collect();
    wanted.sort();
    let list = server
        .kernel_where(|list| {
            let mut queued: Vec<SocketAddr> = list
                .iter()
                .filter(|d| {
                    d.whose == Whose::Queued { listener } && d.state == TcpState::Established
                })
                .map(|d| d.peer)
                .collect();
            queued.sort();
            queued == wanted
        })
        .await;
    // The clients' own ends live on this machine too: the peer ends.
    let peers = list.iter().filter(|d| d.whose == Whose::PeerEnd { sock: None }).count();
    assert_eq!(peers, 3, "{list:?}");
}

#[tokio::test]
async fn held_reads_queue_five_bytes_like_ss_then_close_wait_within_a_period() {
    let mut server = Server::start(Holds { accept: false, reads: true }, 1024).await;
    let mut peer = TcpStream::connect(server.local).await.unwrap();
    peer.write_all(b"12345").await.unwrap();
    let conn = server
        .next(|k| match k {
            EventKind::Connected { sock, .. } => Some(*sock),
            _ => None,
        })
        .await;
    let s = server.sample_where(conn, |s| s.recv_q == Some(5)).await;
    let peer_addr = peer.local_addr().unwrap().to_string();
    let line = ss_one("-tnH", s.local.as_ref().and_then(Addr::inet).unwrap(), &peer_addr)
        .expect("ss lists the connection");
    assert_eq!((line.state.as_str(), line.recv_q), ("ESTAB", 5));

    drop(peer);
    let fin_at = net::now_micros();
    // The FIN lands between two ticks: the next one reports CLOSE_WAIT, or
    // the one after if the tick raced the FIN. The kernel watch reports the
    // change as a transition meanwhile.
    let (mut seen_at, mut change) = (None, None);
    server
        .next(|k| {
            match k {
                EventKind::Sample { sock, sample }
                    if *sock == conn
                        && sample.tcp.as_ref().map(|t| t.state) == Some(TcpState::CloseWait) =>
                {
                    seen_at = seen_at.or(Some(net::now_micros()));
                }
                EventKind::Transition(t) if t.whose == (Whose::Ours { sock: conn }) => {
                    change = Some(t.clone());
                }
                _ => {}
            }
            (seen_at.is_some() && change.is_some()).then_some(())
        })
        .await;
    let after = Duration::from_micros(seen_at.unwrap() - fin_at);
    assert!(after < 2 * PERIOD, "CLOSE_WAIT seen {after:?} after the FIN, period {PERIOD:?}");
    let change = change.expect("the kernel's state change is reported");
    assert_eq!((change.from, change.to), (Some(TcpState::Established), Some(TcpState::CloseWait)));
    let line = ss_one("-tnH", s.local.as_ref().and_then(Addr::inet).unwrap(), &peer_addr)
        .expect("ss lists it");
    assert_eq!(line.state, "CLOSE-WAIT");
}

#[tokio::test]
async fn after_the_peer_then_sockpit_close_the_peer_is_in_time_wait() {
    let mut server = Server::start(Holds::default(), 1024).await;
    let mut peer = TcpStream::connect(server.local).await.unwrap();
    let peer_addr = peer.local_addr().unwrap();
    peer.write_all(b"hi").await.unwrap();
    peer.shutdown().await.unwrap();
    let conn = server
        .next(|k| match k {
            EventKind::PeerEof { sock } => Some(*sock),
            _ => None,
        })
        .await;
    drop(peer);
    server.command(Command::Close { to: To::Sock(conn) }).await;
    // The closing sample keeps the final counters, and comes before Closed.
    let last = server.sample_where(conn, |s| s.last).await;
    // "hi" and the peer's FIN, which takes a sequence number too.
    assert_eq!(last.tcp.as_ref().and_then(|t| t.bytes_received), Some(3));
    server
        .next(|k| matches!(k, EventKind::Closed { sock, .. } if *sock == conn).then_some(()))
        .await;

    // Ours goes LAST_ACK, then away; the peer's end stays in TIME_WAIT.
    server
        .kernel_where(|list| {
            let peer_waits = list.iter().any(|d| {
                d.whose == (Whose::PeerEnd { sock: Some(conn) }) && d.state == TcpState::TimeWait
            });
            peer_waits && list.iter().all(|d| d.whose != Whose::Remains { sock: conn })
        })
        .await;
    let line = ss_one("-tanH", peer_addr, &server.local.to_string()).expect("ss lists it");
    assert_eq!(line.state, "TIME-WAIT");
}

#[tokio::test]
async fn when_sockpit_closes_first_its_fin_wait2_then_time_wait_are_seen() {
    let mut server = Server::start(Holds::default(), 1024).await;
    let peer = TcpStream::connect(server.local).await.unwrap();
    let peer_addr = peer.local_addr().unwrap();
    let conn = server
        .next(|k| match k {
            EventKind::Connected { sock, .. } => Some(*sock),
            _ => None,
        })
        .await;
    server.command(Command::Close { to: To::Sock(conn) }).await;
    let remains = |state: TcpState| {
        move |list: &[DiagSocket]| {
            list.iter().any(|d| d.whose == (Whose::Remains { sock: conn }) && d.state == state)
        }
    };
    server.kernel_where(remains(TcpState::FinWait2)).await;
    let ours = |line: Option<SsLine>| line.expect("ss lists our end").state;
    assert_eq!(ours(ss_one("-tanH", server.local, &peer_addr.to_string())), "FIN-WAIT-2");

    drop(peer);
    server.kernel_where(remains(TcpState::TimeWait)).await;
    assert_eq!(ours(ss_one("-tanH", server.local, &peer_addr.to_string())), "TIME-WAIT");
    let change = server
        .next(|k| match k {
            EventKind::Transition(t)
                if t.whose == (Whose::Remains { sock: conn })
                    && t.to == Some(TcpState::TimeWait) =>
            {
                Some(t.clone())
            }
            _ => None,
        })
        .await;
    assert_eq!(change.from, Some(TcpState::FinWait2), "{change:?}");
}
