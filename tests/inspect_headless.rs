//! The inspection options of the headless binary: `--hold-accept`,
//! `--hold-reads`, `--sample-ms` and `--stats SECS` (text and JSON), and the
//! modes where they mean nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::net::TcpStream;

use common::*;

#[test]
fn stats_lines_show_the_held_accept_queue() {
    let mut server = Proc::spawn(sockpit(&[
        "tcp",
        "server",
        "127.0.0.1:0",
        "--hold-accept",
        "--backlog",
        "5",
        "--stats",
        "0.1",
        "--sample-ms",
        "50",
    ]));
    let line = server.wait_line("listening", |l| l.starts_with("listening on "));
    let addr: std::net::SocketAddr = line.split_whitespace().nth(2).unwrap().parse().unwrap();
    let port = addr.port();
    let _a = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _b = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let stats = server.wait_line("a stats line with 2 queued", |l| l.contains("accept-queue 2/5"));
    assert!(stats.starts_with("stats sock 1 fd "), "{stats}");
    assert!(stats.contains(" LISTEN 127.0.0.1:"), "{stats}");
    server.kill();
}

#[test]
fn stats_as_json_carry_the_receive_queue_of_held_reads() {
    let mut server = Proc::spawn(sockpit_json(&[
        "tcp",
        "server",
        "127.0.0.1:0",
        "--hold-reads",
        "--stats",
        "0.1",
        "--sample-ms",
        "50",
    ]));
    let addr = server.listening();
    let mut peer = TcpStream::connect(addr).unwrap();
    peer.write_all(b"12345").unwrap();
    let sample = server
        .wait_event("a sample with 5 bytes queued", |v| v["ev"] == "sample" && v["recv_q"] == 5);
    assert_eq!(sample["tcp"]["state"], "ESTABLISHED");
    assert_eq!(sample["peer"], peer.local_addr().unwrap().to_string());
    assert_eq!(sample["timeout"], serde_json::Value::Null, "Python's None");
    assert_eq!(sample["nonblocking"], true, "tokio sets O_NONBLOCK underneath");
    // Nothing was read: no recv call was made.
    let calls = calls(&json_lines(&server.stderr.clone()));
    assert!(calls.iter().all(|(name, _)| name != "recv"), "{calls:?}");
    server.kill();
}

#[test]
fn samples_stay_off_stderr_without_stats() {
    let mut server =
        Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--sample-ms", "20"]));
    let addr = server.listening();
    let mut peer = TcpStream::connect(addr).unwrap();
    peer.write_all(b"ping\n").unwrap();
    server.wait_stdout_has(b"ping\n");
    // Several sampling periods pass while the connection closes and the
    // kernel's own events come in; none of them is a sample line.
    drop(peer);
    server.close_stdin();
    server.expect_code(0, SOON);
    let events = json_lines(server.drain_stderr());
    assert!(events.iter().all(|v| v["ev"] != "sample"), "{events:?}");
}

#[test]
fn options_that_mean_nothing_for_a_mode_exit_2() {
    let hold_accept_client = sockpit(&["tcp", "client", "127.0.0.1:9", "--hold-accept"]);
    let mut p = Proc::spawn(hold_accept_client);
    p.expect_code(2, SOON);
    let mut bad_stats = Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--stats", "x"]));
    bad_stats.expect_code(2, SOON);
}
