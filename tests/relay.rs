//! Issue 16: `sockpit tcp|udp|unix relay` between real clients and servers
//! (curl and Python's http.server, socat, sockpit's own ends): the bytes
//! arrive unchanged both ways, each client gets its own upstream, and
//! `--events json` shows every chunk on the right leg.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::hash::Hasher;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use common::{Proc, SOON, assert_same, connect, sockpit_json};
use serde_json::Value;

/// A sockpit echo server for many clients; its address.
fn echo_server() -> (Proc, SocketAddr) {
    let mut server =
        Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--echo", "--keep-open"]));
    let addr = server.listening();
    (server, addr)
}

/// A relay from a free port to `target`, with `extra` options; its address.
fn relay(target: &str, extra: &[&str]) -> (Proc, SocketAddr) {
    let mut args = vec!["tcp", "relay", "127.0.0.1:0", target];
    args.extend_from_slice(extra);
    let mut relay = Proc::spawn(sockpit_json(&args));
    let addr = relay.listening();
    (relay, addr)
}

fn curl(url: &str) -> Vec<u8> {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "15", url])
        .stdin(Stdio::null())
        .output()
        .expect("run curl");
    assert!(out.status.success(), "curl {url}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn events_of(proc: &Proc) -> Vec<Value> {
    proc.stderr.iter().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// The bytes of the data events on `sock` going `dir`, joined.
fn data_on(events: &[Value], sock: &Value, dir: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for ev in events.iter().filter(|e| e["ev"] == "data" && &e["sock"] == sock && e["dir"] == dir) {
        out.extend_from_slice(ev["text"].as_str().unwrap_or_default().as_bytes());
    }
    out
}

#[test]
fn curl_through_the_relay_gets_the_page_and_the_events_name_both_legs() {
    let dir = std::env::temp_dir().join(format!("sockpit-relay-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    #[expect(clippy::format_collect, reason = "test data")]
    let page: String = (0..2000).map(|i| format!("line {i} of the page\n")).collect();
    std::fs::write(dir.join("index.html"), &page).expect("write page");
    let mut http = Command::new("python3");
    http.args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"]).arg(&dir);
    let mut http = Proc::spawn(http);
    let line =
        http.wait_stdout("Serving HTTP", |b| b.ends_with(b"\n") && b.starts_with(b"Serving"));
    let port: u16 = String::from_utf8_lossy(&line)
        .split_whitespace()
        .nth(5)
        .and_then(|p| p.parse().ok())
        .expect("http.server's port");
    let direct = curl(&format!("http://127.0.0.1:{port}/index.html"));
    assert_same("direct fetch", &direct, page.as_bytes());

    let (mut relay, addr) = relay(&format!("127.0.0.1:{port}"), &[]);
    // curl exits by itself: the server's FIN reached it through the relay.
    let relayed = curl(&format!("http://{addr}/index.html"));
    assert_same("page through the relay", &relayed, &direct);

    let pair = relay.wait_event("a pair", |v| v["ev"] == "pair");
    let (client, server) = (pair["client"].clone(), pair["server"].clone());
    assert_ne!(client, server);
    relay.wait_count("both legs closed", 2, |l| l.contains("\"ev\":\"closed\""));
    let events = events_of(&relay);
    let request = data_on(&events, &client, "recv");
    assert!(request.starts_with(b"GET /index.html HTTP/1.1\r\n"), "{request:?}");
    assert_eq!(data_on(&events, &server, "send"), request, "the request went upstream as it came");
    let response = data_on(&events, &server, "recv");
    assert!(response.starts_with(b"HTTP/1.0 200 OK\r\n"), "{:?}", &response[..40]);
    assert!(response.ends_with(page.as_bytes()), "the response carries the page");
    assert_eq!(data_on(&events, &client, "send"), response, "the response went to curl as it came");
    // The upstream leg was made through the executor, as a Python line.
    let connect = events.iter().find(|e| e["ev"] == "call" && e["call"] == "connect");
    let py = connect.and_then(|e| e["py"].as_str()).unwrap_or_default();
    assert_eq!(py, format!("upstream.connect(('127.0.0.1', {port}))"));
    relay.kill();
    http.kill();
    let _ = std::fs::remove_dir_all(dir);
}

/// The sender's half of the 1 GiB test: pseudo-random chunks, hashed as
/// they go; the hash and the count.
fn send_random(mut to: impl Write, total: u64) -> (u64, u64) {
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ u64::from(std::process::id());
    let mut buf = vec![0u8; 1 << 18];
    let mut sent = 0;
    while sent < total {
        for word in buf.chunks_exact_mut(8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            word.copy_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        let n = usize::try_from((total - sent).min(buf.len() as u64)).expect("fits");
        to.write_all(&buf[..n]).expect("send");
        hash.write(&buf[..n]);
        sent += n as u64;
    }
    (hash.finish(), sent)
}

fn receive_all(mut from: impl Read) -> (u64, u64) {
    let mut hash = std::collections::hash_map::DefaultHasher::new();
    let mut buf = vec![0u8; 1 << 18];
    let mut got = 0;
    loop {
        let n = from.read(&mut buf).expect("receive");
        if n == 0 {
            return (hash.finish(), got);
        }
        hash.write(&buf[..n]);
        got += n as u64;
    }
}

#[test]
fn one_gib_both_ways_at_once_arrives_byte_identical() {
    const TOTAL: u64 = 1 << 30;
    let (_server, echo) = echo_server();
    let (mut relay, addr) = {
        let mut relay =
            Proc::spawn(common::sockpit(&["tcp", "relay", "127.0.0.1:0", &echo.to_string()]));
        let line = relay.wait_line("listening", |l| l.starts_with("listening on "));
        let addr: SocketAddr = line.split_whitespace().nth(2).expect("addr").parse().expect("addr");
        (relay, addr)
    };
    let stream = connect(addr);
    let reader = stream.try_clone().expect("clone");
    let receiving = thread::spawn(move || receive_all(reader));
    let (sent_hash, sent) = send_random(&stream, TOTAL);
    stream.shutdown(Shutdown::Write).expect("shutdown");
    let (got_hash, got) = receiving.join().expect("receiver");
    assert_eq!((got, got_hash), (sent, sent_hash), "1 GiB up and back down through the relay");
    assert_eq!(sent, TOTAL);
    relay.kill();
}

#[test]
fn fifty_clients_at_once_each_get_their_own_bytes_back() {
    let (_server, echo) = echo_server();
    let (mut relay, addr) = relay(&echo.to_string(), &[]);
    let clients: Vec<_> = (0..50)
        .map(|i| {
            thread::spawn(move || {
                let payload: Vec<u8> =
                    format!("client {i} says hello\n").repeat(2000 + i * 37).into_bytes();
                let mut stream = connect(addr);
                let reader = stream.try_clone().expect("clone");
                let back =
                    thread::spawn(move || common::read_slowly(reader, 65536, 1000, Duration::ZERO));
                stream.write_all(&payload).expect("send");
                stream.shutdown(Shutdown::Write).expect("shutdown");
                let got = back.join().expect("reader");
                assert_same(&format!("client {i}"), &got, &payload);
            })
        })
        .collect();
    for c in clients {
        c.join().expect("client");
    }
    relay.wait_count("50 pairs", 50, |l| l.contains("\"ev\":\"pair\""));
    relay.kill();
}

#[test]
fn a_refused_upstream_closes_that_client_with_the_error_grammar() {
    let closed = common::closed_tcp_port();
    let (mut relay, addr) = relay(&format!("127.0.0.1:{closed}"), &[]);
    let mut stream = connect(addr);
    let mut buf = [0u8; 16];
    // The client is closed: EOF (or a reset if it had sent something).
    assert_eq!(stream.read(&mut buf).expect("read"), 0);
    let ev = relay.wait_event("no upstream", |v| v["ev"] == "no_upstream");
    let message = ev["message"].as_str().expect("message");
    let parsed = common::grammar::parse_error(message).expect("the error grammar");
    assert_eq!(parsed.call, "connect");
    assert_eq!(parsed.name, "ECONNREFUSED");
    // The relay serves the next client all the same.
    let _again = connect(addr);
    relay.wait_count("a second attempt", 2, |l| l.contains("\"ev\":\"no_upstream\""));
    relay.kill();
}

#[test]
fn unix_relay_between_socat_and_a_sockpit_tcp_server() {
    let (_server, echo) = echo_server();
    let path = std::env::temp_dir().join(format!("sockpit-relay-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let path_text = path.to_str().expect("utf-8 path").to_string();
    let mut relay = Proc::spawn(sockpit_json(&["unix", "relay", &path_text, &echo.to_string()]));
    relay.wait_event("listening", |v| v["ev"] == "listening");
    let mut socat = Command::new("socat");
    socat.args(["-t", "5", "-", &format!("UNIX-CONNECT:{path_text}")]);
    let mut socat = Proc::spawn(socat);
    socat.write(b"hello over a unix socket\n");
    socat.close_stdin();
    socat.expect_code(0, SOON);
    assert_same("socat's stdout", &socat.stdout_all(), b"hello over a unix socket\n");
    let pair = relay.wait_event("a pair", |v| v["ev"] == "pair");
    assert!(pair["client_addr"].is_string());
    relay.kill();
    let _ = std::fs::remove_file(&path);
}

#[test]
fn udp_relay_gives_each_client_address_its_own_upstream() {
    let mut server = Proc::spawn(sockpit_json(&["udp", "server", "127.0.0.1:0", "--echo"]));
    let echo = server.listening();
    let mut relay = Proc::spawn(sockpit_json(&["udp", "relay", "127.0.0.1:0", &echo.to_string()]));
    let addr = relay.listening();
    for i in 0..3 {
        let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
        sock.set_read_timeout(Some(SOON)).expect("timeout");
        let msg = format!("datagram from client {i}");
        sock.send_to(msg.as_bytes(), addr).expect("send");
        let mut buf = [0u8; 256];
        let (n, from) = sock.recv_from(&mut buf).expect("the answer comes back");
        assert_eq!((&buf[..n], from), (msg.as_bytes(), addr));
    }
    relay.wait_count("three pairs", 3, |l| l.contains("\"ev\":\"pair\""));
    let events = events_of(&relay);
    let servers: std::collections::HashSet<_> =
        events.iter().filter(|e| e["ev"] == "pair").map(|e| e["server"].clone()).collect();
    assert_eq!(servers.len(), 3, "an upstream socket per client address");
    relay.kill();
    server.kill();
}

#[test]
fn dump_text_shows_each_chunk_with_its_direction() {
    let (_server, echo) = echo_server();
    let mut relay = Proc::spawn(common::sockpit(&[
        "tcp",
        "relay",
        "127.0.0.1:0",
        &echo.to_string(),
        "--dump",
        "text",
    ]));
    let line = relay.wait_line("listening", |l| l.starts_with("listening on "));
    let addr: SocketAddr = line.split_whitespace().nth(2).expect("addr").parse().expect("addr");
    let mut stream = connect(addr);
    stream.write_all(b"ping\n").expect("send");
    let mut buf = [0u8; 5];
    stream.read_exact(&mut buf).expect("echo");
    let up = relay
        .wait_line("the chunk going up", |l| l.starts_with("> ") && l.contains("client → server"));
    assert!(up.contains("length=5 from=0 to=4"), "{up}");
    let down = relay.wait_line("the chunk coming down", |l| {
        l.starts_with("< ") && l.contains("server → client")
    });
    assert!(down.contains("length=5 from=0 to=4"), "{down}");
    // The bytes follow each header, as they passed.
    relay.wait_count("the bytes of both chunks", 2, |l| l == "ping");
    relay.kill();
}

#[test]
fn log_and_pcap_cover_both_legs() {
    let (_server, echo) = echo_server();
    let dir = std::env::temp_dir().join(format!("sockpit-relay-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let (log, pcap) = (dir.join("relay.jsonl"), dir.join("relay.pcapng"));
    let mut relay = Proc::spawn(common::sockpit(&[
        "tcp",
        "relay",
        "127.0.0.1:0",
        &echo.to_string(),
        "--log",
        log.to_str().expect("path"),
        "--pcap",
        pcap.to_str().expect("path"),
    ]));
    let line = relay.wait_line("listening", |l| l.starts_with("listening on "));
    let addr: SocketAddr = line.split_whitespace().nth(2).expect("addr").parse().expect("addr");
    let mut stream = connect(addr);
    stream.write_all(b"over both legs\n").expect("send");
    stream.shutdown(Shutdown::Write).expect("shutdown");
    let mut back = Vec::new();
    stream.read_to_end(&mut back).expect("echo");
    assert_same("the echo", &back, b"over both legs\n");
    relay.wait_count("both legs closed", 2, |l| l.starts_with("sock ") && l.ends_with(" closed"));
    // A relay serves until stopped; SIGINT ends it with its files whole.
    let pid = relay.child.id().to_string();
    assert!(Command::new("kill").args(["-INT", &pid]).status().expect("kill").success());
    relay.wait_exit(SOON);

    let text = std::fs::read_to_string(&log).expect("the log");
    let events: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
    let pair = events.iter().find(|e| e["ev"] == "pair").expect("a pair in the log");
    for (sock, dir) in
        [("client", "recv"), ("server", "send"), ("server", "recv"), ("client", "send")]
    {
        let got = data_on(&events, &pair[sock], dir);
        assert_eq!(got, b"over both legs\n", "{sock} leg {dir} in the log");
    }
    let out = Command::new("tshark")
        .env("HOME", &dir)
        .args(["-r", pcap.to_str().expect("path"), "-Y", "tcp.len > 0", "-T", "fields"])
        .args(["-e", "tcp.srcport", "-e", "tcp.dstport"])
        .output()
        .expect("run tshark");
    let frames = String::from_utf8_lossy(&out.stdout).to_string();
    let (relay_port, echo_port) = (addr.port().to_string(), echo.port().to_string());
    assert_eq!(frames.lines().count(), 4, "a data frame each way on each leg:\n{frames}");
    assert_eq!(frames.matches(&relay_port).count(), 2, "client leg:\n{frames}");
    assert_eq!(frames.matches(&echo_port).count(), 2, "server leg:\n{frames}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn max_conns_counts_pairs() {
    let (_server, echo) = echo_server();
    let (mut relay, addr) = relay(&echo.to_string(), &["--max-conns", "2"]);
    let mut kept: Vec<_> = (0..2).map(|_| connect(addr)).collect();
    relay.wait_count("two pairs", 2, |l| l.contains("\"ev\":\"pair\""));
    let mut third = connect(addr);
    let ev = relay.wait_event("the third rejected", |v| v["ev"] == "rejected");
    assert_eq!(ev["limit"], 2);
    let mut buf = [0u8; 8];
    // Accepted and reset at once: an error or EOF, never an echo.
    assert!(matches!(third.read(&mut buf), Ok(0) | Err(_)));
    // The two pairs still relay.
    for stream in &mut kept {
        stream.write_all(b"still\n").expect("send");
        let mut back = [0u8; 6];
        stream.read_exact(&mut back).expect("echo");
        assert_eq!(&back, b"still\n");
    }
    relay.kill();
}
