//! `--pcap FILE` judged by tshark: real loopback sessions (sockpit headless
//! against a Rust peer; text plus 1 MiB of binary both ways over TCP; UDP
//! datagrams; IPv4 and IPv6) give files tshark reads without a complaint,
//! malformed packet or expert warning, and whose followed streams are
//! exactly the bytes that crossed, each way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;
mod recorded;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, UdpSocket};
use std::thread;

use common::*;
use recorded::*;

const MIB: usize = 1 << 20;

/// Text, every byte value, then 1 MiB of random bytes.
fn payload(text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.extend(all_bytes());
    bytes.extend(random_bytes(MIB));
    bytes
}

/// The peer's half of a TCP session: read everything while writing
/// `bytes`, then shut down writing; returns what it read.
fn peer_talks(stream: std::net::TcpStream, bytes: Vec<u8>) -> thread::JoinHandle<Vec<u8>> {
    let mut reader = stream.try_clone().expect("clone");
    let got = thread::spawn(move || {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).expect("peer reads");
        got
    });
    let mut writer = stream;
    thread::spawn(move || {
        writer.write_all(&bytes).expect("peer writes");
        writer.shutdown(Shutdown::Write).expect("peer shuts down");
        got.join().expect("reader")
    })
}

/// Checks a TCP capture: clean for tshark, and its followed stream holds
/// `from_sockpit` from sockpit's port and `from_peer` from the other.
fn check_tcp(pcap: &std::path::Path, sockpit_port: u16, from_sockpit: &[u8], from_peer: &[u8]) {
    let summary = assert_tshark_clean(pcap);
    assert!(summary.contains("[SYN]") && summary.contains("[FIN"), "no handshake/FIN:\n{summary}");
    let f = follow(pcap, "tcp");
    let (mine, theirs) =
        if f.node0_port == sockpit_port { (f.node0, f.node1) } else { (f.node1, f.node0) };
    assert_same("followed from sockpit", &mine, from_sockpit);
    assert_same("followed from the peer", &theirs, from_peer);
}

#[test]
fn tcp_client_over_ipv4_follows_exactly() {
    let pcap = temp_path("tcp4.pcapng");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut me =
        Proc::spawn(sockpit(&["tcp", "client", &addr, "--pcap", pcap.to_str().expect("path")]));
    let stream = accept(&listener);
    let sockpit_port = stream.peer_addr().expect("peer").port();
    let (from_sockpit, from_peer) = (payload("hello from sockpit\n"), payload("你好 back\n"));
    let feeding = me.feed(from_sockpit.clone());
    let peer = peer_talks(stream, from_peer.clone());
    me.expect_code(0, BULK);
    feeding.join().expect("feeder");
    assert_same("peer received", &peer.join().expect("peer"), &from_sockpit);
    assert_same("sockpit stdout", &me.stdout_all(), &from_peer);
    check_tcp(&pcap, sockpit_port, &from_sockpit, &from_peer);
    std::fs::remove_file(&pcap).expect("remove");
}

#[test]
fn tcp_server_over_ipv6_follows_exactly() {
    let pcap = temp_path("tcp6.pcapng");
    let args =
        ["tcp", "server", "[::1]:0", "--events", "json", "--pcap", pcap.to_str().expect("path")];
    let mut me = Proc::spawn(sockpit(&args));
    let addr = me.listening();
    let (from_sockpit, from_peer) = (payload("server says hi\n"), payload("client 你好\n"));
    let stream = connect(addr);
    let feeding = me.feed(from_sockpit.clone());
    let peer = peer_talks(stream, from_peer.clone());
    me.expect_code(0, BULK);
    feeding.join().expect("feeder");
    assert_same("peer received", &peer.join().expect("peer"), &from_sockpit);
    check_tcp(&pcap, addr.port(), &from_sockpit, &from_peer);
    let (v6, _) = tshark(&["-r", pcap.to_str().expect("path"), "-Y", "ipv6 && tcp.flags.syn == 1"]);
    assert_eq!(v6.lines().count(), 2, "SYN and SYN-ACK over IPv6:\n{v6}");
    std::fs::remove_file(&pcap).expect("remove");
}

/// Datagrams a UDP test sends from stdin, one per line.
fn lines() -> Vec<Vec<u8>> {
    let binary: Vec<u8> = all_bytes().into_iter().filter(|&b| b != b'\n').chain([b'\n']).collect();
    vec![b"one\n".to_vec(), "二 two\n".as_bytes().to_vec(), binary, b"last\n".to_vec()]
}

/// Receives `n` datagrams on `socket` within [`SOON`], answering each with
/// `ack:` and the datagram; returns them and the replies.
fn answer(socket: &UdpSocket, n: usize) -> (Vec<u8>, Vec<u8>) {
    socket.set_read_timeout(Some(SOON)).expect("timeout");
    let (mut got, mut replies) = (Vec::new(), Vec::new());
    let mut buf = vec![0u8; 65_536];
    for _ in 0..n {
        let (len, from) = socket.recv_from(&mut buf).expect("a datagram from sockpit");
        let reply = [b"ack:".as_slice(), &buf[..len]].concat();
        socket.send_to(&reply, from).expect("reply");
        got.extend_from_slice(&buf[..len]);
        replies.extend_from_slice(&reply);
    }
    (got, replies)
}

/// Checks a UDP capture: clean, `frames` datagrams, and followed bytes.
fn check_udp(
    pcap: &std::path::Path,
    sockpit_port: u16,
    from_sockpit: &[u8],
    from_peer: &[u8],
    frames: usize,
) {
    let summary = assert_tshark_clean(pcap);
    assert_eq!(summary.lines().count(), frames, "one frame per datagram:\n{summary}");
    let f = follow(pcap, "udp");
    let (mine, theirs) =
        if f.node0_port == sockpit_port { (f.node0, f.node1) } else { (f.node1, f.node0) };
    assert_same("followed from sockpit", &mine, from_sockpit);
    assert_same("followed from the peer", &theirs, from_peer);
}

#[test]
fn udp_client_over_ipv4_follows_exactly() {
    let pcap = temp_path("udp4.pcapng");
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = peer.local_addr().expect("addr").to_string();
    let args = ["udp", "client", &addr, "--timeout", "2", "--pcap", pcap.to_str().expect("path")];
    let mut me = Proc::spawn(sockpit(&args));
    let sent = lines();
    me.feed(sent.concat()).join().expect("feeder");
    let (got, replies) = answer(&peer, sent.len());
    assert_same("peer received", &got, &sent.concat());
    me.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), &replies);
    let sockpit_port = sockpit_port_of(&pcap, &addr);
    check_udp(&pcap, sockpit_port, &sent.concat(), &replies, 2 * sent.len());
    std::fs::remove_file(&pcap).expect("remove");
}

/// The port at the other end of the datagrams to `peer` (sockpit's).
fn sockpit_port_of(pcap: &std::path::Path, peer: &str) -> u16 {
    let peer: SocketAddr = peer.parse().expect("addr");
    let path = pcap.to_str().expect("path");
    let filter = format!("udp.dstport == {}", peer.port());
    let (ports, _) = tshark(&["-r", path, "-Y", &filter, "-T", "fields", "-e", "udp.srcport"]);
    let port = ports.lines().next().unwrap_or("").trim();
    port.parse().unwrap_or_else(|e| panic!("sockpit's port {port:?}: {e}"))
}

#[test]
fn udp_server_over_ipv6_follows_exactly_even_when_stopped_by_sigterm() {
    let pcap = temp_path("udp6.pcapng");
    let args =
        ["udp", "server", "[::1]:0", "--events", "json", "--pcap", pcap.to_str().expect("path")];
    let mut me = Proc::spawn(sockpit(&args));
    let addr = me.listening();
    let peer = UdpSocket::bind("[::1]:0").expect("bind");
    peer.connect(addr).expect("connect");
    peer.send(b"hello server\n").expect("send");
    me.wait_stdout_has(b"hello server\n");
    // The server answers the last sender, one datagram per stdin line.
    let replies = lines();
    me.write(&replies.concat());
    peer.set_read_timeout(Some(SOON)).expect("timeout");
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65_536];
    for _ in &replies {
        let n = peer.recv(&mut buf).expect("a reply");
        got.extend_from_slice(&buf[..n]);
    }
    assert_same("peer received", &got, &replies.concat());
    // A UDP server never ends by itself: SIGTERM ends it, the capture whole.
    // Each event is recorded right after its stderr line and before any
    // signal is handled, so once the last send is reported it is captured.
    let last = replies.len() - 1;
    me.wait_event("the last send", |v| {
        v["ev"] == "data" && v["dir"] == "send" && v["offset"] == last
    });
    let pid = me.child.id().to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());
    assert_eq!(me.wait_exit(SOON).code(), Some(143), "exit after SIGTERM");
    check_udp(&pcap, addr.port(), &replies.concat(), b"hello server\n", 1 + replies.len());
    std::fs::remove_file(&pcap).expect("remove");
}
