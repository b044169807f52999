//! A crowd of idle connections: ten thousand are accepted and closed again
//! without leaking a file, and among a crowd whose sampling has backed off
//! a connection that talks still has its figures reported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Proc, SOON, sockpit, sockpit_json};

/// Open file descriptors of process `pid`.
fn fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

#[test]
fn ten_thousand_connections_come_and_go_without_an_fd_leak() {
    const N: usize = 10_000;
    rlimit::increase_nofile_limit(u64::MAX).expect("raise the open-files limit");
    let mut cmd = sockpit(&["tcp", "server", "127.0.0.1:0", "--keep-open", "--sink"]);
    cmd.args(["--max-conns", "20000"]);
    let mut server = Proc::spawn(cmd);
    let line = server.wait_line("listening", |l| l.starts_with("listening on "));
    let addr = line["listening on ".len()..].split(' ').next().expect("address").to_string();
    let pid = server.child.id();
    let before = fds(pid);
    let clients: Vec<TcpStream> = (0..N)
        .map(|i| TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connect {i}: {e}")))
        .collect();
    server.wait_count("connected", N, |l| l.starts_with("connected "));
    let during = fds(pid);
    assert!(during >= before + N, "{during} fds with {N} connections, {before} before");
    drop(clients);
    let deadline = Instant::now() + SOON;
    while fds(pid) != before {
        assert!(
            Instant::now() < deadline,
            "{} fds {SOON:?} after every client closed, {before} before",
            fds(pid)
        );
        std::thread::sleep(Duration::from_millis(20)); // poll interval of a bounded loop
    }
    assert!(server.child.try_wait().expect("try_wait").is_none(), "the server is still up");
    server.kill();
}

#[test]
fn among_an_idle_crowd_a_connection_that_talks_is_sampled() {
    const CROWD: usize = 100;
    let mut cmd =
        sockpit_json(&["tcp", "server", "127.0.0.1:0", "--keep-open", "--sink", "--stats", "1"]);
    cmd.args(["--sample-ms", "100", "--max-conns", "1000"]);
    let mut server = Proc::spawn(cmd);
    let addr = server.listening();
    let crowd: Vec<TcpStream> =
        (0..CROWD).map(|_| TcpStream::connect(addr).expect("connect")).collect();
    server.wait_count("connected", CROWD, |l| l.contains("\"ev\":\"connected\""));
    let mut talker = &crowd[CROWD / 2];
    let port = talker.local_addr().expect("local").port();
    let connected = server.wait_event("the talker's connection", |v| {
        v["ev"] == "connected"
            && v["peer"].as_str().is_some_and(|p| p.ends_with(&format!(":{port}")))
    });
    let sock = connected["sock"].as_u64().expect("sock");
    // Quiet first, long enough for the crowd's timers to back off (1 s of
    // unchanged samples at 100 ms is ten of them).
    server.gather_for(Duration::from_millis(1500));
    talker.write_all(&[b'x'; 1000]).expect("write");
    server.wait_event("a sample of the talker with its 1000 bytes", |v| {
        v["ev"] == "sample"
            && v["sock"].as_u64() == Some(sock)
            && v["tcp"]["bytes_received"].as_u64().is_some_and(|n| n >= 1000)
    });
    server.kill();
}
