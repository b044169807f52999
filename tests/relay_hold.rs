//! Issue 16, through the engine's library API on real loopback sockets: a
//! held direction keeps chunks waiting up to its cap and then stops reading,
//! so the sender meets TCP's backpressure; released, everything goes on in
//! order, byte for byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::SocketAddr;
use std::time::Duration;

use sockpit::net::relay::{RelayConfig, RelayNote, RelayOp, Way};
use sockpit::net::{self, Command, EventKind, Role, SessionConfig, Target, To};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

const LIMIT: Duration = Duration::from_secs(20);
const CAP: usize = 256 * 1024;
const TOTAL: usize = 32 << 20;

fn any() -> SocketAddr {
    "127.0.0.1:0".parse().expect("addr")
}

/// Byte k of the stream the client sends.
fn pattern(k: usize) -> u8 {
    u8::try_from(k % 251).expect("< 251")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_direction_stops_reading_then_lets_everything_through_in_order() {
    let upstream = TcpListener::bind(any()).await.expect("bind");
    let target = upstream.local_addr().expect("addr");
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any())));
    let mut relay = RelayConfig::new(Target::Addr(target));
    relay.hold_cap = CAP;
    config.relay = Some(relay);
    config.recv_size = 65536;
    config.sample_every = None;
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);

    // Every event is read (the session waits on a full channel); what the
    // test waits for is published on watches.
    let (listen_tx, mut listen) = watch::channel(None);
    let (pair_tx, mut pair) = watch::channel(None);
    let (held_tx, mut held) = watch::channel((false, 0usize, 0usize));
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            match ev.kind {
                EventKind::Listening { local, .. } => {
                    listen_tx.send_replace(Some(local.inet()));
                }
                EventKind::Relay(RelayNote::Pair { client, .. }) => {
                    pair_tx.send_replace(Some(client));
                }
                EventKind::Relay(RelayNote::Held(v)) if v.way == Way::Up => {
                    held_tx.send_replace((v.on, v.count, v.bytes));
                }
                _ => {}
            }
        }
    });
    let listening = *tokio::time::timeout(LIMIT, listen.wait_for(Option::is_some))
        .await
        .expect("listening in time")
        .expect("session alive");
    let addr = listening.flatten().expect("an IP address");

    let mut client = TcpStream::connect(addr).await.expect("connect");
    let (mut server, _) = upstream.accept().await.expect("the relay's upstream");
    let pair = tokio::time::timeout(LIMIT, pair.wait_for(Option::is_some))
        .await
        .expect("pair in time")
        .expect("session alive")
        .expect("pair");
    let hold = Command::Relay { to: To::Sock(pair), way: Some(Way::Up), op: RelayOp::Hold(true) };
    session.commands.send(hold).await.expect("session takes commands");
    tokio::time::timeout(LIMIT, held.wait_for(|h| h.0)).await.expect("held in time").ok();

    // Write until the kernel takes no more: the relay has stopped reading.
    let data: Vec<u8> = (0..TOTAL).map(pattern).collect();
    let mut sent = 0;
    while sent < TOTAL {
        match tokio::time::timeout(Duration::from_millis(500), client.write(&data[sent..])).await {
            Ok(Ok(n)) => sent += n,
            Ok(Err(e)) => panic!("write: {e}"),
            // Blocked: nobody reads any more.
            Err(_) => break,
        }
    }
    assert!(sent < TOTAL, "all {TOTAL} B went into a held relay: nothing pushed back");
    let (on, count, bytes) = *held.borrow();
    assert!(on && count > 0, "chunks wait: {count}");
    assert!(bytes <= CAP + 65536, "{bytes} B held, past the {CAP} B cap and one read");
    let mut probe = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(100), server.read(&mut probe)).await;
    assert!(early.is_err(), "a held byte reached the server");

    // Released: what waited goes first, then the rest, in order.
    let release =
        Command::Relay { to: To::Sock(pair), way: Some(Way::Up), op: RelayOp::Hold(false) };
    session.commands.send(release).await.expect("session takes commands");
    let writer = tokio::spawn(async move {
        client.write_all(&data[sent..]).await.expect("write the rest");
        client.shutdown().await.expect("shutdown");
        client
    });
    let mut got = Vec::with_capacity(TOTAL);
    tokio::time::timeout(LIMIT, server.read_to_end(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert_eq!(got.len(), TOTAL);
    let first_bad = got.iter().enumerate().position(|(k, b)| *b != pattern(k));
    assert_eq!(first_bad, None, "bytes out of order or changed");
    drop(writer.await.expect("writer"));
    drop(session);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_set_live_act_on_a_running_pair() {
    use sockpit::net::relay::Fault;
    let upstream = TcpListener::bind(any()).await.expect("bind");
    let target = upstream.local_addr().expect("addr");
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any())));
    config.relay = Some(RelayConfig::new(Target::Addr(target)));
    config.sample_every = None;
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);
    let (listen_tx, mut listen) = watch::channel(None);
    let (pair_tx, mut pair) = watch::channel(None);
    let (held_tx, mut held) = watch::channel(None);
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            match ev.kind {
                EventKind::Listening { local, .. } => {
                    listen_tx.send_replace(local.inet());
                }
                EventKind::Relay(RelayNote::Pair { client, .. }) => {
                    pair_tx.send_replace(Some(client));
                }
                EventKind::Relay(RelayNote::Held(v)) if v.way == Way::Down => {
                    held_tx.send_replace(Some(v.on));
                }
                _ => {}
            }
        }
    });
    let addr = tokio::time::timeout(LIMIT, listen.wait_for(Option::is_some))
        .await
        .expect("in time")
        .expect("alive")
        .expect("addr");
    let mut client = TcpStream::connect(addr).await.expect("connect");
    let (server, _) = upstream.accept().await.expect("upstream");
    // The upstream echoes.
    tokio::spawn(async move {
        let (mut r, mut w) = server.into_split();
        let _ = tokio::io::copy(&mut r, &mut w).await;
    });
    let pair = tokio::time::timeout(LIMIT, pair.wait_for(Option::is_some))
        .await
        .expect("in time")
        .expect("alive")
        .expect("pair");
    client.write_all(b"hello").await.expect("send");
    let mut buf = [0u8; 5];
    tokio::time::timeout(LIMIT, client.read_exact(&mut buf)).await.expect("in time").expect("echo");
    assert_eq!(&buf, b"hello", "no fault yet");

    let faults = vec![Fault::parse("down:limit_data=3").expect("fault")];
    let ops = [RelayOp::Faults(faults), RelayOp::Hold(true), RelayOp::Hold(false)];
    for op in ops {
        let command = Command::Relay { to: To::Sock(pair), way: None, op };
        session.commands.send(command).await.expect("session takes commands");
    }
    // Each direction takes its requests in order: once the hold has come
    // and gone, the faults are in force.
    tokio::time::timeout(LIMIT, held.wait_for(|h| *h == Some(false))).await.expect("in time").ok();
    client.write_all(b"abcdef").await.expect("send");
    let mut rest = Vec::new();
    tokio::time::timeout(LIMIT, client.read_to_end(&mut rest))
        .await
        .expect("in time")
        .expect("EOF");
    assert_eq!(rest, b"abc", "limit_data=3 counted from when it was set");
    drop(session);
}
