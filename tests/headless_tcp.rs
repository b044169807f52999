//! Headless TCP against the tutorial's Python peers, itself, and Rust sockets:
//! the headless table (docs/headless.md) for `tcp client` and `tcp server`, byte-exact
//! bulk transfers (8 MiB, also with slow readers) and the JSON events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::process::Command;
use std::thread;
use std::time::Duration;

use common::*;

const MIB8: usize = 8 << 20;
const HELLO_CJK: &str = "你好，世界\n";

/// A sockpit TCP server on 127.0.0.1:0 with `extra` options, and its address.
fn server(extra: &[&str]) -> (Proc, std::net::SocketAddr) {
    let mut args = vec!["tcp", "server", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut proc = Proc::spawn(sockpit_json(&args));
    let addr = proc.listening();
    (proc, addr)
}

fn client(addr: std::net::SocketAddr) -> Proc {
    Proc::spawn(sockpit_json(&["tcp", "client", &addr.to_string()]))
}

#[test]
fn client_talks_to_the_python_tcp_server() {
    let mut py = Proc::spawn(python("tcp_server.py", &["0"]));
    let port = py.port_line();
    py.write(b"world\n");
    let mut me = client(format!("127.0.0.1:{port}").parse().expect("addr"));
    me.write(HELLO_CJK.as_bytes());
    me.close_stdin();
    me.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), b"world\n");
    py.expect_code(0, SOON);
    assert_same("server stdout", &py.stdout_all(), format!("{port}\n{HELLO_CJK}").as_bytes());
}

#[test]
fn python_tcp_client_talks_to_the_server() {
    let (mut me, addr) = server(&[]);
    let mut py = Proc::spawn(python("tcp_client.py", &[&addr.port().to_string()]));
    py.write(HELLO_CJK.as_bytes());
    py.close_stdin();
    me.wait_stdout_has(HELLO_CJK.as_bytes());
    me.write("回答 reply\n".as_bytes());
    me.close_stdin();
    me.expect_code(0, SOON);
    py.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), HELLO_CJK.as_bytes());
    assert_same("client stdout", &py.stdout_all(), "回答 reply\n".as_bytes());
}

fn sockpit_pair(host: &str) {
    let mut srv = Proc::spawn(sockpit_json(&["tcp", "server", &format!("{host}:0")]));
    let addr = srv.listening();
    let from_client = [HELLO_CJK.as_bytes(), &all_bytes()].concat();
    let from_server = [all_bytes(), b"bye\n".to_vec()].concat();
    srv.write(&from_server);
    srv.close_stdin();
    let mut cli = client(addr);
    cli.write(&from_client);
    cli.close_stdin();
    cli.expect_code(0, SOON);
    srv.expect_code(0, SOON);
    assert_same("server stdout", &srv.stdout_all(), &from_client);
    assert_same("client stdout", &cli.stdout_all(), &from_server);
}

#[test]
fn sockpit_to_sockpit_ipv4_passes_cjk_and_every_byte() {
    sockpit_pair("127.0.0.1");
}

#[test]
fn sockpit_to_sockpit_ipv6_passes_cjk_and_every_byte() {
    sockpit_pair("[::1]");
}

#[test]
fn printf_request_gets_the_reply_of_a_server_that_closes() {
    let mut web = Proc::spawn(python("socket_web.py", &["0"]));
    let port = web.port_line();
    // No --headless: stdin and stdout are pipes, so it is headless anyway.
    let line = format!("printf 'hi\\n' | {SOCKPIT} tcp client 127.0.0.1:{port}");
    let mut sh = Command::new("sh");
    sh.args(["-c", &line]);
    let mut me = Proc::spawn(sh);
    me.close_stdin();
    me.expect_code(0, SOON);
    assert_same("stdout", &me.stdout_all(), b"HTTP/1.1 200 OK\r\n\r\nHello, World");
    web.wait_stdout_has(b"hi\n");
    web.kill();
}

#[test]
fn client_stdin_eof_half_closes_and_waits_for_the_peer() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut me = client(listener.local_addr().expect("addr"));
    let mut peer = accept(&listener);
    me.write(b"question\n");
    me.close_stdin();
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("read to EOF"); // EOF = sockpit's SHUT_WR
    assert_same("peer got", &got, b"question\n");
    assert!(me.child.try_wait().expect("try_wait").is_none(), "exited before the peer closed");
    peer.write_all("late answer 你好\n".as_bytes()).expect("write after EOF");
    drop(peer);
    me.expect_code(0, SOON);
    assert_same("stdout", &me.stdout_all(), "late answer 你好\n".as_bytes());
}

#[test]
fn client_keeps_sending_after_the_peer_half_closes() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut me = client(listener.local_addr().expect("addr"));
    let peer = accept(&listener);
    peer.shutdown(Shutdown::Write).expect("shutdown");
    me.wait_event("eof", |v| v["ev"] == "eof");
    me.write(b"still here\n");
    me.close_stdin();
    let got = read_slowly(&peer, 4096, usize::MAX, Duration::ZERO);
    assert_same("peer got", &got, b"still here\n");
    me.expect_code(0, SOON);
}

#[test]
fn server_applies_stdin_eof_before_accept_at_accept() {
    let (mut me, addr) = server(&[]);
    me.write(b"early\n");
    me.close_stdin();
    let mut peer = connect(addr);
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("read to EOF");
    assert_same("peer got", &got, b"early\n");
    peer.write_all(b"x\n").expect("write");
    peer.shutdown(Shutdown::Write).expect("shutdown");
    me.expect_code(0, SOON);
    assert_same("stdout", &me.stdout_all(), b"x\n");
}

#[test]
fn client_sends_8_mib_byte_identical() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut me = client(listener.local_addr().expect("addr"));
    let data = random_bytes(MIB8);
    let writer = me.feed(data.clone());
    let peer = accept(&listener);
    let got = read_slowly(&peer, 1 << 16, usize::MAX, Duration::ZERO);
    drop(peer);
    writer.join().expect("writer");
    me.expect_code(0, BULK);
    assert_same("peer got", &got, &data);
}

#[test]
fn client_sends_8_mib_to_a_slow_reader() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut me = client(listener.local_addr().expect("addr"));
    let data = random_bytes(MIB8);
    let writer = me.feed(data.clone());
    let peer = accept(&listener);
    let got = read_slowly(&peer, 1000, 8, Duration::from_millis(1));
    drop(peer);
    writer.join().expect("writer");
    me.expect_code(0, BULK);
    assert_same("slow peer got", &got, &data);
}

#[test]
fn server_receives_8_mib_byte_identical() {
    let (mut me, addr) = server(&[]);
    me.close_stdin();
    let data = random_bytes(MIB8);
    let mut peer = connect(addr);
    peer.write_all(&data).expect("write");
    peer.shutdown(Shutdown::Write).expect("shutdown");
    let mut rest = Vec::new();
    peer.read_to_end(&mut rest).expect("read to EOF");
    assert!(rest.is_empty(), "server sent {} bytes from an empty stdin", rest.len());
    me.expect_code(0, BULK);
    assert_same("server stdout", &me.stdout_all(), &data);
}

#[test]
fn client_stdout_read_slowly_gets_8_mib_byte_identical() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut me = Proc::spawn_raw(sockpit_json(&["tcp", "client", &addr]));
    me.close_stdin();
    let stdout = me.stdout.take().expect("stdout");
    let reader = thread::spawn(move || read_slowly(stdout, 1000, 8, Duration::from_millis(1)));
    let data = random_bytes(MIB8);
    let mut peer = accept(&listener);
    peer.write_all(&data).expect("write");
    drop(peer);
    me.expect_code(0, BULK);
    assert_same("stdout read slowly", &reader.join().expect("reader"), &data);
}

#[test]
fn echo_server_returns_8_mib_and_ignores_stdin() {
    let (mut me, addr) = server(&["--echo"]);
    // stdin stays open: with --echo it is not read, and peer EOF ends the run.
    let data = random_bytes(MIB8);
    let peer = connect(addr);
    let mut sender = peer.try_clone().expect("clone");
    let want = data.clone();
    let writer = thread::spawn(move || {
        sender.write_all(&want).expect("write");
        sender.shutdown(Shutdown::Write).expect("shutdown");
    });
    let got = read_slowly(&peer, 1 << 16, usize::MAX, Duration::ZERO);
    writer.join().expect("writer");
    me.expect_code(0, BULK);
    assert_same("echoed", &got, &data);
    // Headless rule: received bytes go to stdout, echoed or not.
    assert_same("stdout", &me.stdout_all(), &data);
}

#[test]
fn sink_server_discards_and_ends_at_peer_eof() {
    let (mut me, addr) = server(&["--sink"]);
    let mut peer = connect(addr);
    peer.write_all(&random_bytes(1 << 20)).expect("write");
    peer.shutdown(Shutdown::Write).expect("shutdown");
    me.expect_code(0, BULK);
    assert!(me.stdout_all().is_empty(), "--sink wrote to stdout");
}

#[test]
fn json_events_name_the_server_and_client_calls() {
    let (mut srv, addr) = server(&[]);
    srv.write(b"s\n");
    srv.close_stdin();
    let mut cli = client(addr);
    cli.write(b"c\n");
    cli.close_stdin();
    cli.expect_code(0, SOON);
    srv.expect_code(0, SOON);
    for (who, proc, want) in [
        ("server", &srv, &["socket", "setsockopt", "bind", "listen", "accept"][..]),
        ("client", &cli, &["socket", "connect"][..]),
    ] {
        let events = json_lines(&proc.stderr);
        let calls = calls(&events);
        for name in want {
            assert!(
                calls.contains(&(name.to_string(), true)),
                "{who}: no ok {name} call in {calls:?}"
            );
        }
        for ev in events.iter().filter(|v| v["ev"] == "call") {
            assert!(
                ev["result"].is_string() && ev["py"].is_string(),
                "{who}: call without result/py: {ev}"
            );
        }
        let order: Vec<&str> =
            calls.iter().map(|(c, _)| c.as_str()).filter(|c| want.contains(c)).collect();
        let pos = |n: &str| order.iter().position(|c| *c == n).expect("seen");
        assert!(
            want.windows(2).all(|w| pos(w[0]) < pos(w[1])),
            "{who}: calls out of order: {order:?}"
        );
    }
    let sent: Vec<_> = json_lines(&cli.stderr)
        .into_iter()
        .filter(|v| v["ev"] == "data" && v["dir"] == "send")
        .collect();
    assert!(
        sent.iter().any(|v| v["text"] == "c\n" && v["len"] == 2),
        "no data event for c\\n: {sent:?}"
    );
}

/// The bytes of the `data` events in direction `dir`, in offset order.
fn data_bytes(events: &[serde_json::Value], dir: &str) -> Vec<u8> {
    use base64::Engine as _;
    let mut out = Vec::new();
    for ev in events.iter().filter(|v| v["ev"] == "data" && v["dir"] == dir) {
        assert_eq!(ev["offset"].as_u64(), Some(out.len() as u64), "offset of {ev}");
        let bytes = match (ev["text"].as_str(), ev["b64"].as_str()) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(b64)) => {
                base64::engine::general_purpose::STANDARD.decode(b64).expect("b64")
            }
            _ => panic!("data event needs exactly one of text/b64: {ev}"),
        };
        assert_eq!(ev["len"].as_u64(), Some(bytes.len() as u64), "len of {ev}");
        out.extend_from_slice(&bytes);
    }
    out
}

#[test]
fn json_data_events_carry_the_exact_bytes() {
    let (mut srv, addr) = server(&["--recv-size", "7"]);
    let down = [all_bytes(), HELLO_CJK.as_bytes().to_vec()].concat();
    let up = [HELLO_CJK.as_bytes().to_vec(), all_bytes()].concat();
    srv.write(&down);
    srv.close_stdin();
    let mut cli = client(addr);
    cli.write(&up);
    cli.close_stdin();
    cli.expect_code(0, SOON);
    srv.expect_code(0, SOON);
    let (srv_events, cli_events) = (json_lines(&srv.stderr), json_lines(&cli.stderr));
    assert_same("server recv events", &data_bytes(&srv_events, "recv"), &up);
    assert_same("server send events", &data_bytes(&srv_events, "send"), &down);
    assert_same("client recv events", &data_bytes(&cli_events, "recv"), &down);
    assert_same("client send events", &data_bytes(&cli_events, "send"), &up);
    let recvs = srv_events.iter().filter(|v| v["ev"] == "data" && v["dir"] == "recv");
    assert!(recvs.clone().all(|v| v["len"].as_u64() <= Some(7)), "--recv-size 7 not honoured");
    assert!(recvs.count() >= up.len() / 7, "fewer recv events than --recv-size 7 allows");
    assert_same("server stdout", &srv.stdout_all(), &up);
}

#[test]
fn eol_crlf_turns_stdin_lf_into_crlf() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut me = Proc::spawn(sockpit_json(&["tcp", "client", &addr, "--eol", "crlf"]));
    me.write(b"GET / HTTP/1.0\n\n");
    me.close_stdin();
    let mut peer = accept(&listener);
    let mut got = Vec::new();
    peer.read_to_end(&mut got).expect("read to EOF");
    assert_same("peer got", &got, b"GET / HTTP/1.0\r\n\r\n");
    peer.write_all(b"a\nb\n").expect("write");
    drop(peer);
    me.expect_code(0, SOON);
    assert_same("stdout (received bytes stay unchanged)", &me.stdout_all(), b"a\nb\n");
}
