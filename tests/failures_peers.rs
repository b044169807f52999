//! Failures a peer or the system causes on a live session: a peer
//! resetting the connection (`SO_LINGER` 0), sending to a peer that has
//! closed (EPIPE), and EMFILE on accept. The
//! session's own connection failing exits 1 with the grammar's message; in
//! multi-client modes one connection's error is an event and the server goes
//! on, without spinning, and serves again once files are free.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use common::grammar::{assert_explains, error_line, failed_call, json_events};
use common::*;
use serde_json::Value;

/// Closes `stream` with `SO_LINGER` 0: the kernel sends RST instead of FIN.
fn reset(stream: TcpStream) {
    socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO)).expect("SO_LINGER 0");
    drop(stream);
}

fn read_exact(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).expect("read from sockpit");
    buf
}

/// The `listening on ADDR (...)` line of text events.
fn listening_text(me: &mut Proc) -> SocketAddr {
    let line = me.wait_line("listening on", |l| l.starts_with("listening on "));
    let addr = line["listening on ".len()..].split(' ').next().unwrap_or_default();
    addr.parse().unwrap_or_else(|e| panic!("address in {line:?}: {e}"))
}

/// Checks the end of a session whose peer reset it while sockpit was in
/// `recv`: exit 1; text: the grammar's message aimed at the peer; JSON: the
/// failed recv and a `closed` event saying why.
fn assert_reset_reported(me: &mut Proc, json: bool, peer: SocketAddr) {
    me.expect_code(1, SOON);
    let stderr = me.stderr.join("\n");
    if json {
        let events = json_events(&stderr);
        let python = "ConnectionResetError: [Errno 104] Connection reset by peer";
        let call = failed_call(&events, "recv", "ECONNRESET", Some(104), python);
        let closed = events.iter().find(|v| v["ev"] == "closed" && v["sock"] == call["sock"]);
        let reason = closed.and_then(|v| v["reason"].as_str()).unwrap_or_default();
        assert!(reason.starts_with("ECONNRESET ("), "closed: {closed:?}\n{stderr}");
    } else {
        let msg = error_line(&stderr, "recv", &peer.to_string());
        assert_explains(&msg, "ECONNRESET", "the peer reset the connection");
        assert!(stderr.contains("-> ConnectionResetError: [Errno 104]"), "{stderr}");
    }
}

#[test]
fn econnreset_ends_a_client_with_exit_1() {
    for json in [false, true] {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let args = ["tcp", "client", &addr.to_string()];
        let mut me = Proc::spawn(if json { sockpit_json(&args) } else { sockpit(&args) });
        let mut peer = accept(&listener);
        me.write(b"hi\n");
        assert_eq!(read_exact(&mut peer, 3), b"hi\n");
        reset(peer);
        // stdin stays open: only the reset can end the session.
        assert_reset_reported(&mut me, json, addr);
    }
}

#[test]
fn econnreset_ends_a_single_connection_server_with_exit_1() {
    for json in [false, true] {
        let args = ["tcp", "server", "127.0.0.1:0"];
        let mut me = Proc::spawn(if json { sockpit_json(&args) } else { sockpit(&args) });
        let addr = if json { me.listening() } else { listening_text(&mut me) };
        let mut client = connect(addr);
        client.write_all(b"hello\n").expect("write");
        me.wait_stdout_has(b"hello\n");
        let local = client.local_addr().expect("local");
        reset(client);
        assert_reset_reported(&mut me, json, local);
    }
}

/// The peer closes while sockpit still has stdin to send: its kernel
/// answers the next segment with RST, and the send after that fails with
/// EPIPE (a reset in `CLOSE_WAIT`): exit 1 with the grammar's message.
#[test]
fn epipe_after_the_peer_closed_ends_the_client_with_exit_1() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut me = Proc::spawn(sockpit(&["tcp", "client", &addr.to_string()]));
    let mut peer = accept(&listener);
    me.write(b"first\n");
    assert_eq!(read_exact(&mut peer, 6), b"first\n");
    drop(peer);
    me.wait_line("the peer's EOF", |l| l.starts_with("peer closed its side"));
    // Keep sending (a bounded poll: a line, then a look at whether it ended).
    let deadline = Instant::now() + SOON;
    let mut stdin = me.stdin.take().expect("stdin");
    while me.child.try_wait().expect("try_wait").is_none() && Instant::now() < deadline {
        if stdin.write_all(b"more\n").and_then(|()| stdin.flush()).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5)); // poll interval
    }
    me.expect_code(1, SOON);
    let stderr = me.stderr.join("\n");
    let msg = error_line(&stderr, "sendall", &addr.to_string());
    assert_explains(&msg, "EPIPE", "the peer has closed and can no longer receive");
    assert!(stderr.contains("-> BrokenPipeError: [Errno 32] Broken pipe"), "{stderr}");
}

/// `--keep-open`: one client's reset is an event; the server goes on and
/// still serves the others.
#[test]
fn econnreset_is_an_event_for_a_keep_open_server() {
    let mut me = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--keep-open"]));
    let addr = me.listening();
    let mut doomed = connect(addr);
    doomed.write_all(b"bye\n").expect("write");
    me.wait_stdout_has(b"bye\n");
    reset(doomed);
    me.wait_event("the failed recv", |v| {
        v["ev"] == "call" && v["call"] == "recv" && v["error"] == "ECONNRESET"
    });
    let mut other = connect(addr);
    me.wait_count("connected", 2, |l| l.contains("\"ev\":\"connected\""));
    me.write(b"still serving\n");
    assert_eq!(read_exact(&mut other, 14), b"still serving\n");
    assert!(me.child.try_wait().expect("try_wait").is_none(), "the server exited");
    assert!(!me.stderr.iter().any(|l| l.contains("\"fatal\"")), "{:#?}", me.stderr);
    me.kill();
}

/// CPU time (user + system, in clock ticks) `pid` has used so far.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let fields: Vec<&str> = stat[stat.rfind(')').expect(")") + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of stat: 12 and 13 after the name.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

fn is_emfile(v: &Value) -> bool {
    v["ev"] == "call" && v["call"] == "accept" && v["error"] == "EMFILE"
}

/// EMFILE on accept with 32 files (hard = soft, so start-up cannot raise
/// it): reported as an event, retried with back-off rather than in a
/// spinning loop, and once the clients leave the server accepts again.
#[test]
fn emfile_on_accept_is_an_event_without_spinning_and_passes() {
    let mut cmd = Command::new("prlimit");
    cmd.args(["--nofile=32:32", SOCKPIT, "tcp", "server", "127.0.0.1:0", "--keep-open"]);
    cmd.args(["--headless", "--events", "json"]);
    let mut me = Proc::spawn(cmd);
    let addr = me.listening();
    let pid = me.child.id();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).expect("comm");
    assert_eq!(comm.trim(), "sockpit", "prlimit runs sockpit in its own process");
    // More connections than 32 files allow; the kernel completes them all
    // (backlog 1024), sockpit runs out of files accepting them.
    let clients: Vec<TcpStream> = (0..40).map(|_| connect(addr)).collect();
    let first = me.wait_event("accept failing with EMFILE", is_emfile);
    failed_call(
        std::slice::from_ref(&first),
        "accept",
        "EMFILE",
        Some(24),
        "OSError: [Errno 24] Too many open files",
    );
    // Measure over two seconds while the queue stays non-empty and no file
    // is free: a retry loop without back-off would burn a whole core.
    let (start, ticks) = (Instant::now(), cpu_ticks(pid));
    let before = me.stderr.len();
    me.gather_for(Duration::from_secs(2));
    let used = cpu_ticks(pid) - ticks;
    let wall = start.elapsed();
    let retries = me.stderr[before..]
        .iter()
        .filter(|l| serde_json::from_str(l).is_ok_and(|v| is_emfile(&v)))
        .count();
    eprintln!("EMFILE: {retries} accept retries, {used} CPU ticks in {wall:?}");
    assert!(used <= 50, "{used} ticks of CPU in {wall:?}: the accept loop spins");
    assert!(retries < 100, "{retries} accept attempts: no back-off");
    assert!(me.child.try_wait().expect("try_wait").is_none(), "EMFILE ended the server");
    // The clients leave; their files come back, and a newcomer is served.
    drop(clients);
    let mut late = connect(addr);
    late.write_all(b"late but served\n").expect("write");
    me.wait_stdout_has(b"late but served\n");
    me.write(b"welcome\n");
    let mut got = Vec::new();
    while !got.ends_with(b"welcome\n") {
        let mut buf = [0; 64];
        let n = late.read(&mut buf).expect("read");
        assert!(n > 0, "closed before the welcome; got {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
    me.kill();
}

/// In text mode the EMFILE line is in the grammar and names the address the
/// listener really has (not the `:0` it was asked for).
#[test]
fn emfile_in_text_names_the_listening_address() {
    let mut cmd = Command::new("prlimit");
    cmd.args(["--nofile=32:32", SOCKPIT, "tcp", "server", "127.0.0.1:0", "--keep-open"]);
    cmd.arg("--headless");
    let mut me = Proc::spawn(cmd);
    let line = me.wait_line("listening", |l| l.starts_with("listening on "));
    let addr: SocketAddr =
        line["listening on ".len()..].split(' ').next().unwrap_or_default().parse().expect("addr");
    let _clients: Vec<TcpStream> = (0..40).map(|_| connect(addr)).collect();
    me.wait_line("the EMFILE message", |l| l.starts_with("sockpit: accept "));
    let msg = error_line(&me.stderr.join("\n"), "accept", &addr.to_string());
    assert_explains(&msg, "EMFILE", "too many files are open");
    assert!(msg.hint.contains("ulimit -n"), "{msg:?}");
    me.kill();
}

/// A `--keep-open` server closes a connection once its client has left, so
/// clients that come and go never use up `--max-conns` (or files).
#[test]
fn keep_open_clients_that_leave_free_their_slot() {
    let args = ["tcp", "server", "127.0.0.1:0", "--keep-open", "--max-conns", "2"];
    let mut me = Proc::spawn(sockpit_json(&args));
    let addr = me.listening();
    for i in 0..5 {
        let mut client = connect(addr);
        let line = format!("client {i}\n");
        client.write_all(line.as_bytes()).expect("write");
        me.wait_stdout_has(line.as_bytes());
        drop(client);
        me.wait_count("closed", i + 1, |l| l.contains("\"ev\":\"closed\""));
    }
    let rejected = me.stderr.iter().filter(|l| l.contains("\"rejected\"")).count();
    assert_eq!(rejected, 0, "{:#?}", me.stderr);
    me.kill();
}
