//! `Command::Watch`: the engine samples only the sockets someone looks at.
//! Two real connections on 127.0.0.1:0 both receive data; with a watch set
//! naming one, only that one reports `Sample` events, and the other reports
//! again once the set is lifted. Every wait is bounded; no sleeps.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::SocketAddr;
use std::time::Duration;

use sockpit::net::{self, Command, Event, EventKind, Role, SessionConfig, SockId, Target};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(15);

/// Waits (bounded) for the first event `pick` accepts, handing every event
/// seen on the way to `seen`.
async fn wait_for<T>(
    events: &mut mpsc::Receiver<Event>,
    mut seen: impl FnMut(&EventKind),
    mut pick: impl FnMut(&EventKind) -> Option<T>,
) -> T {
    tokio::time::timeout(LIMIT, async {
        loop {
            let event = events.recv().await.expect("session ended early");
            seen(&event.kind);
            if let Some(found) = pick(&event.kind) {
                return found;
            }
        }
    })
    .await
    .expect("event did not come in time")
}

/// The bytes `sock` has received, per a sample of it.
fn received(kind: &EventKind, sock: SockId) -> Option<u64> {
    match kind {
        EventKind::Sample { sock: s, sample } if *s == sock => sample.tcp.as_ref()?.bytes_received,
        _ => None,
    }
}

#[tokio::test]
async fn an_unwatched_socket_emits_no_sample_while_a_watched_one_does() {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any)));
    config.sample_every = Some(Duration::from_millis(50));
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);
    let local = wait_for(
        &mut events,
        |_| {},
        |k| match k {
            EventKind::Listening { local, .. } => local.inet(),
            _ => None,
        },
    )
    .await;

    let connected = |k: &EventKind| match k {
        EventKind::Connected { sock, .. } => Some(*sock),
        _ => None,
    };
    let mut watched_peer = TcpStream::connect(local).await.unwrap();
    let watched = wait_for(&mut events, |_| {}, connected).await;
    let mut other_peer = TcpStream::connect(local).await.unwrap();
    let other = wait_for(&mut events, |_| {}, connected).await;
    session.commands.send(Command::Watch { socks: Some(vec![watched]) }).await.unwrap();

    // The unwatched one gets data first, then the watched one, three times:
    // each watched sample showing the new total comes ticks after the
    // other's data arrived, ticks on which the other would have reported.
    let mut other_samples = 0;
    let mut count =
        |k: &EventKind| other_samples += usize::from(received(k, other).is_some_and(|n| n > 0));
    for round in 1..=3u64 {
        other_peer.write_all(b"ignored").await.unwrap();
        watched_peer.write_all(b"seen").await.unwrap();
        let got =
            wait_for(&mut events, &mut count, |k| received(k, watched).filter(|&n| n >= 4 * round))
                .await;
        assert_eq!(got, 4 * round, "the watched socket's sample shows its bytes");
    }
    assert_eq!(other_samples, 0, "a socket outside the watch set reported a sample");

    // Lifting the set: the other socket reports its figures again.
    session.commands.send(Command::Watch { socks: None }).await.unwrap();
    let got = wait_for(&mut events, |_| {}, |k| received(k, other).filter(|&n| n > 0)).await;
    assert_eq!(got, 21, "three times \"ignored\"");
}
