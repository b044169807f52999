//! Headless UDP: each stdin line is one datagram; the client exits after
//! stdin EOF plus `--timeout` of silence; the server answers the last sender
//! and never exits by itself. Against the tutorial's Python peers, itself and
//! Rust sockets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::*;

/// A sockpit UDP server on `host:0`, and its address.
fn server(host: &str) -> (Proc, SocketAddr) {
    let mut proc = Proc::spawn(sockpit_json(&["udp", "server", &format!("{host}:0")]));
    let addr = proc.listening();
    (proc, addr)
}

/// A Rust UDP socket on 127.0.0.1:0 with a bounded read timeout.
fn rust_peer() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    socket.set_read_timeout(Some(SOON)).expect("timeout");
    socket
}

fn recv(socket: &UdpSocket) -> (Vec<u8>, SocketAddr) {
    let mut buf = vec![0u8; 65536];
    let (n, from) = socket.recv_from(&mut buf).expect("a datagram within the timeout");
    (buf[..n].to_vec(), from)
}

#[test]
fn client_talks_to_the_python_udp_server() {
    let mut py = Proc::spawn(python("udp_server.py", &["0"]));
    let port = py.port_line();
    py.write("pong 你好\n".as_bytes());
    let mut me = Proc::spawn(sockpit_json(&["udp", "client", &format!("127.0.0.1:{port}")]));
    me.write(b"ping\n");
    me.close_stdin();
    me.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), "pong 你好\n".as_bytes());
    assert_same(
        "server stdout",
        &py.wait_stdout_has(b"ping\n"),
        format!("{port}\nping\n").as_bytes(),
    );
    py.kill();
}

#[test]
fn python_udp_client_talks_to_the_server() {
    let (mut me, addr) = server("127.0.0.1");
    let mut py = Proc::spawn(python("udp_client.py", &[&addr.port().to_string()]));
    py.write("你好，世界\n".as_bytes());
    py.close_stdin();
    me.wait_stdout_has("你好，世界\n".as_bytes());
    me.write(b"back\n");
    py.expect_code(0, SOON);
    assert_same("client stdout", &py.stdout_all(), b"back\n");
    assert!(me.child.try_wait().expect("try_wait").is_none(), "udp server exited by itself");
    me.kill();
}

#[test]
fn sockpit_udp_pair_over_ipv6() {
    let (mut srv, addr) = server("[::1]");
    let mut cli = Proc::spawn(sockpit_json(&["udp", "client", &addr.to_string()]));
    cli.write(b"a\nb\n");
    srv.wait_stdout_has(b"a\nb\n");
    srv.write("reply 世界\n".as_bytes());
    cli.wait_stdout_has("reply 世界\n".as_bytes());
    cli.close_stdin();
    cli.expect_code(0, SOON);
    assert_same("client stdout", &cli.stdout_all(), "reply 世界\n".as_bytes());
    assert!(srv.child.try_wait().expect("try_wait").is_none(), "udp server exited by itself");
    srv.kill();
}

#[test]
fn client_sends_one_datagram_per_line_and_the_last_one_at_eof() {
    let peer = rust_peer();
    let addr = peer.local_addr().expect("addr").to_string();
    let mut me = Proc::spawn(sockpit_json(&["udp", "client", &addr, "--timeout", "0.3"]));
    let input = [b"one\n".to_vec(), "二\n".as_bytes().to_vec(), all_bytes()].concat();
    me.write(&input);
    me.close_stdin();
    let mut got: Vec<Vec<u8>> = Vec::new();
    let mut from = None;
    while got.concat().len() < input.len() {
        let (datagram, sender) = recv(&peer);
        from = Some(sender);
        got.push(datagram);
    }
    // all_bytes() holds one '\n' (0x0a): it ends the 3rd line; 0x0b..=0xff is the last.
    let want: Vec<Vec<u8>> = vec![
        b"one\n".to_vec(),
        "二\n".as_bytes().to_vec(),
        (0..=10u8).collect(),
        (11..=255u8).collect(),
    ];
    assert_eq!(got, want, "datagrams");
    peer.send_to(&all_bytes(), from.expect("sender")).expect("send_to");
    me.expect_code(0, SOON);
    assert_same("stdout", &me.stdout_all(), &all_bytes());
}

#[test]
fn client_waits_for_timeout_of_silence_after_eof() {
    let peer = rust_peer();
    let addr = peer.local_addr().expect("addr").to_string();
    for (timeout, least) in
        [(None, Duration::from_secs(1)), (Some("0.4"), Duration::from_millis(400))]
    {
        let mut args = vec!["udp", "client", addr.as_str()];
        args.extend(timeout.map(|t| ["--timeout", t]).iter().flatten());
        let mut me = Proc::spawn(sockpit_json(&args));
        me.write(b"x\n");
        let start = Instant::now(); // the silence cannot start before stdin EOF
        me.close_stdin();
        let (datagram, _) = recv(&peer);
        assert_eq!(datagram, b"x\n");
        me.expect_code(0, SOON);
        let took = start.elapsed();
        assert!(took >= least, "timeout {timeout:?}: exited after {took:?}");
    }
}

#[test]
fn server_answers_the_last_sender_only() {
    let (mut me, addr) = server("127.0.0.1");
    let (first, second) = (rust_peer(), rust_peer());
    first.send_to(b"from first\n", addr).expect("send");
    me.wait_stdout_has(b"from first\n");
    second.send_to(b"from second\n", addr).expect("send");
    me.wait_stdout_has(b"from second\n");
    me.write(b"to last\n");
    let (datagram, from) = recv(&second);
    assert_eq!(datagram, b"to last\n");
    assert_eq!(from, addr, "answer came from another address");
    first.set_nonblocking(true).expect("nonblocking");
    let mut buf = [0u8; 64];
    assert!(first.recv_from(&mut buf).is_err(), "the earlier sender got the answer too");
    me.kill();
}

#[test]
fn server_reports_lines_before_any_peer_as_dropped() {
    let (mut me, addr) = server("127.0.0.1");
    me.write(b"nobody yet\n");
    let ev = me.wait_event("dropped", |v| v["ev"] == "dropped");
    assert_eq!(ev["len"], 11, "dropped event: {ev}");
    let peer = rust_peer();
    peer.send_to(b"hi\n", addr).expect("send");
    me.wait_stdout_has(b"hi\n");
    me.write(b"now\n");
    assert_eq!(recv(&peer).0, b"now\n", "the dropped line must not be sent later");
    me.kill();
}
