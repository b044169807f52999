//! The capture for real on this machine's `lo` (127.0.0.1, port 0 only):
//! the filter keeps our ports, each frame once, and the handshake reads as
//! it does in tshark. Without `CAP_NET_RAW` the test checks the message that
//! says so instead.

use std::net::UdpSocket;
use std::time::Duration;

use super::*;
use crate::net::Dir;
use crate::wire::segment::Proto;

const SOON: Duration = Duration::from_secs(10);

/// Opens a capture, or checks the unprivileged message and says to skip.
fn open(ports: Ports) -> Option<Capture> {
    match Capture::open(Link::Loopback, ports, filter::SNAP_HEADERS) {
        Ok(capture) => Some(capture),
        Err(WireError(message)) => {
            assert!(message.starts_with("socket AF_PACKET failed: EPERM"), "{message}");
            assert!(message.contains("capturing needs CAP_NET_RAW"), "{message}");
            eprintln!("no CAP_NET_RAW here: checked the message only");
            None
        }
    }
}

async fn next(rx: &mut mpsc::Receiver<Segment>) -> Segment {
    let got = tokio::time::timeout(SOON, rx.recv()).await;
    got.expect("a segment in time").expect("capture still running")
}

/// Stops the capture and returns what else it had.
async fn rest(mut watch: Watch, mut rx: mpsc::Receiver<Segment>) -> (Vec<Segment>, Summary) {
    watch.stop(CLOSE_LINGER);
    let mut more = Vec::new();
    while let Ok(Some(seg)) = tokio::time::timeout(SOON, rx.recv()).await {
        more.push(seg);
    }
    (more, watch.finish().await)
}

#[tokio::test]
async fn keeps_our_ports_and_each_loopback_frame_once() {
    let ours = UdpSocket::bind("127.0.0.1:0").unwrap();
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    let other = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (p_ours, p_peer) = (ours.local_addr().unwrap(), peer.local_addr().unwrap());
    let mut ports = Ports::default();
    ports.add_local(p_ours.port());
    let Some(capture) = open(ports) else { return };
    let (tx, mut rx) = mpsc::channel(16);
    let watch = capture.spawn(tx).unwrap();
    peer.send_to(b"one", p_ours).unwrap();
    peer.send_to(b"two", other.local_addr().unwrap()).unwrap();
    ours.send_to(b"three", p_peer).unwrap();
    let first = next(&mut rx).await;
    assert_eq!((first.dir, first.src, first.dst, first.len), (Dir::Received, p_peer, p_ours, 3));
    assert_eq!(first.proto, Proto::Udp);
    let second = next(&mut rx).await;
    assert_eq!((second.dir, second.src, second.dst, second.len), (Dir::Sent, p_ours, p_peer, 5));
    let (more, summary) = rest(watch, rx).await;
    assert!(more.is_empty(), "not ours, or a loopback duplicate: {more:?}");
    assert_eq!((summary.segments, summary.dropped, summary.error), (2, 0, None));
}

#[tokio::test]
async fn a_port_added_later_is_watched_and_the_handshake_is_relative() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let server = listener.local_addr().unwrap();
    let Some(capture) = open(Ports::default()) else { return };
    let (tx, mut rx) = mpsc::channel(64);
    let mut watch = capture.spawn(tx).unwrap();
    watch.add_local(server.port()).unwrap();
    let client = std::net::TcpStream::connect(server).unwrap();
    let (accepted, _) = listener.accept().unwrap();
    let mut flags = Vec::new();
    for _ in 0..3 {
        let seg = next(&mut rx).await;
        let Proto::Tcp(tcp) = seg.proto else { panic!("TCP") };
        flags.push((seg.dir, tcp.flags.to_string(), tcp.seq, tcp.ack));
    }
    assert_eq!(
        flags,
        [
            (Dir::Received, "SYN".to_string(), 0, 0),
            (Dir::Sent, "SYN,ACK".to_string(), 0, 1),
            (Dir::Received, "ACK".to_string(), 1, 1),
        ]
    );
    drop(client);
    drop(accepted);
    let (more, summary) = rest(watch, rx).await;
    let closing: Vec<String> = more
        .iter()
        .filter_map(|s| match &s.proto {
            Proto::Tcp(t) => Some(t.flags.to_string()),
            Proto::Udp => None,
        })
        .collect();
    // The server's ACK of the first FIN may ride on its own FIN.
    let fins = closing.iter().filter(|f| f.starts_with("FIN")).count();
    assert_eq!((fins, closing.last().map(String::as_str)), (2, Some("ACK")), "{closing:?}");
    assert_eq!(summary.error, None);
}
