//! The session engine driven through its library API, on real loopback
//! sockets: the auto driver can be held back per socket, and a call made by
//! hand then sees what the kernel kept waiting.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use sockpit::net::{
    self, Call, Command, EventKind, Holds, Returned, Role, SessionConfig, SessionHandle, Shut,
    SockId, Target, To,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(10);

/// Waits (bounded) for the first event `pick` accepts.
async fn wait_for<T>(
    events: &mut mpsc::Receiver<net::Event>,
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

fn server(holds: Holds) -> (SessionHandle, mpsc::Receiver<net::Event>) {
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any_port())));
    config.holds = holds;
    let (tx, rx) = mpsc::channel(net::CHANNEL_DEPTH);
    (net::spawn(config, tx), rx)
}

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn listening(events: &mut mpsc::Receiver<net::Event>) -> (SockId, SocketAddr) {
    wait_for(events, |k| match k {
        EventKind::Listening { sock, local, .. } => Some((*sock, local.inet()?)),
        _ => None,
    })
    .await
}

async fn connected(events: &mut mpsc::Receiver<net::Event>) -> SockId {
    wait_for(events, |k| match k {
        EventKind::Connected { sock, .. } => Some(*sock),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn held_reads_leave_bytes_in_the_kernel_for_a_manual_recv() {
    let (session, mut events) = server(Holds { accept: false, reads: true });
    let (_, local) = listening(&mut events).await;
    let mut peer = tokio::net::TcpStream::connect(local).await.unwrap();
    peer.write_all(b"hello").await.unwrap();
    let conn = connected(&mut events).await;

    // Had the driver read, "hello" would be gone and this recv would wait
    // for bytes that never come.
    let call = Call::Recv { bufsize: 2 };
    session.commands.send(Command::Call { sock: conn, call }).await.unwrap();
    let first = wait_for(&mut events, |k| match k {
        EventKind::Call(r) if matches!(r.call, Call::Recv { bufsize: 2 }) => match &r.result {
            Ok(Returned::Data { data, .. }) => Some(data.clone()),
            other => panic!("recv failed: {other:?}"),
        },
        _ => None,
    })
    .await;
    assert_eq!(&first[..], b"he");

    let release = Command::Hold { to: To::Sock(conn), holds: Holds::default() };
    session.commands.send(release).await.unwrap();
    let rest = wait_for(&mut events, |k| match k {
        EventKind::Data(d) if d.dir == net::Dir::Received && d.offset > 0 => Some(d.clone()),
        _ => None,
    })
    .await;
    assert_eq!(&rest.data[..], b"llo");
    assert_eq!(rest.offset, 2, "the stream offset counts the manual recv's bytes");
}

#[tokio::test]
async fn held_accept_leaves_the_connection_queued_for_a_manual_accept() {
    let (session, mut events) = server(Holds { accept: true, reads: false });
    let (listener, local) = listening(&mut events).await;
    // The kernel completes the handshake without accept().
    let peer = tokio::net::TcpStream::connect(local).await.unwrap();
    let peer_port = peer.local_addr().unwrap();

    // Had the driver accepted, this manual accept would wait forever.
    session.commands.send(Command::Call { sock: listener, call: Call::Accept }).await.unwrap();
    let accepted = wait_for(&mut events, |k| match k {
        EventKind::Call(r) if r.call == Call::Accept => Some(r.result.clone()),
        _ => None,
    })
    .await;
    match accepted {
        Ok(Returned::Accepted { peer, .. }) => {
            assert_eq!(peer, peer_port.into());
        }
        other => panic!("accept failed: {other:?}"),
    }
    connected(&mut events).await;
}

#[tokio::test]
async fn data_queued_before_a_shutdown_is_written_first() {
    let (session, mut events) = server(Holds::default());
    let (_, local) = listening(&mut events).await;
    let mut peer = tokio::net::TcpStream::connect(local).await.unwrap();
    connected(&mut events).await;
    let big = Bytes::from(vec![7u8; 4 << 20]);
    let send = Command::Send { to: To::Current, data: big.clone() };
    session.commands.send(send).await.unwrap();
    let shut = Command::Shutdown { to: To::Current, how: Shut::Write };
    session.commands.send(shut).await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(LIMIT, peer.read_to_end(&mut got)).await.unwrap().unwrap();
    assert_eq!(got.len(), big.len());
    assert!(got == big[..], "bytes changed on the way");
}

#[tokio::test]
async fn echo_sends_back_and_closes_after_the_peer_is_done() {
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any_port())));
    config.echo = true;
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let _session = net::spawn(config, tx);
    let (_, local) = listening(&mut events).await;
    let mut peer = tokio::net::TcpStream::connect(local).await.unwrap();
    peer.write_all("你好，世界".as_bytes()).await.unwrap();
    peer.shutdown().await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(LIMIT, peer.read_to_end(&mut got)).await.unwrap().unwrap();
    assert_eq!(got, "你好，世界".as_bytes());
}

#[tokio::test]
async fn udp_server_answers_the_last_sender() {
    let config = SessionConfig::new(Role::UdpServer(Target::Addr(any_port())));
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);
    let (_, local) = listening(&mut events).await;
    let first = tokio::net::UdpSocket::bind(any_port()).await.unwrap();
    let second = tokio::net::UdpSocket::bind(any_port()).await.unwrap();
    for peer in [&first, &second] {
        peer.send_to(b"ping", local).await.unwrap();
        let from = peer.local_addr().unwrap();
        wait_for(&mut events, |k| match k {
            EventKind::Data(d) if d.peer == Some(from.into()) => Some(()),
            _ => None,
        })
        .await;
    }
    let reply = Command::Send { to: To::Current, data: Bytes::from_static(b"pong") };
    session.commands.send(reply).await.unwrap();
    let mut buf = [0u8; 16];
    let (n, from) = tokio::time::timeout(LIMIT, second.recv_from(&mut buf)).await.unwrap().unwrap();
    assert_eq!((&buf[..n], from), (&b"pong"[..], local));
}

#[tokio::test]
async fn a_refused_client_reports_the_call_and_a_fatal_message() {
    let closed = std::net::TcpListener::bind(any_port()).unwrap().local_addr().unwrap();
    let config = SessionConfig::new(Role::TcpClient(Target::Addr(closed)));
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let _session = net::spawn(config, tx);
    let error = wait_for(&mut events, |k| match k {
        EventKind::Call(r) if matches!(r.call, Call::Connect(_)) => r.result.clone().err(),
        _ => None,
    })
    .await;
    assert_eq!(error.name, "ECONNREFUSED");
    let message = wait_for(&mut events, |k| match k {
        EventKind::Fatal { error } => Some(error.to_string()),
        _ => None,
    })
    .await;
    assert_eq!(
        message,
        format!(
            "connect {closed} failed: ECONNREFUSED (connection refused): \
             nothing listens there; try starting a server first"
        )
    );
}

#[tokio::test]
async fn a_peer_that_never_reads_stalls_neither_the_session_nor_the_others() {
    let (session, mut events) = server(Holds::default());
    let (_, local) = listening(&mut events).await;
    let _stuck = tokio::net::TcpStream::connect(local).await.unwrap();
    let stuck = connected(&mut events).await;
    let mut other = tokio::net::TcpStream::connect(local).await.unwrap();
    let reader = connected(&mut events).await;
    // The screen keeps reading events (a bounded channel: a consumer that
    // stopped would rightly stop the engine); note the refusal when it comes.
    let refusal = tokio::spawn(async move {
        wait_for(&mut events, |k| match k {
            EventKind::Dropped { len, why } if why.contains("does not read") => Some(*len),
            _ => None,
        })
        .await
    });
    // Far more than the kernel, the connection's queues and the backlog hold.
    let chunk = Bytes::from(vec![b'x'; 64 << 10]);
    for _ in 0..(32 << 20) / chunk.len() {
        let send = Command::Send { to: To::Sock(stuck), data: chunk.clone() };
        tokio::time::timeout(LIMIT, session.commands.send(send)).await.unwrap().unwrap();
    }
    let hello = Command::Send { to: To::Sock(reader), data: Bytes::from_static(b"hi") };
    tokio::time::timeout(LIMIT, session.commands.send(hello)).await.unwrap().unwrap();
    let mut got = [0u8; 2];
    tokio::time::timeout(LIMIT, other.read_exact(&mut got)).await.unwrap().unwrap();
    assert_eq!(&got, b"hi");
    let refused = tokio::time::timeout(LIMIT, refusal).await.unwrap().unwrap();
    assert!(refused > 0);
}
