//! Issue 16: a relay's faults (toxiproxy's toxics), each measured against
//! the real clock with bounded waits: latency, bandwidth, `reset_peer`,
//! `limit_data`, timeout, `slow_close`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{Proc, SOON, connect, sockpit_json};

/// A sockpit server for many clients with `mode` (`--echo`, `--sink`).
fn server(mode: &str) -> (Proc, SocketAddr) {
    let mut server =
        Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", mode, "--keep-open"]));
    let addr = server.listening();
    (server, addr)
}

/// A relay to `target` with these `--fault`s.
fn relay(target: SocketAddr, faults: &[&str]) -> (Proc, SocketAddr) {
    let target = target.to_string();
    let mut args = vec!["tcp", "relay", "127.0.0.1:0", target.as_str()];
    for f in faults {
        args.extend_from_slice(&["--fault", f]);
    }
    let mut relay = Proc::spawn(sockpit_json(&args));
    let addr = relay.listening();
    (relay, addr)
}

/// One round trip of a short line through an echo path.
fn round_trip(stream: &mut TcpStream) -> Duration {
    let start = Instant::now();
    stream.write_all(b"ping\n").expect("send");
    let mut buf = [0u8; 5];
    stream.read_exact(&mut buf).expect("the echo");
    assert_eq!(&buf, b"ping\n");
    start.elapsed()
}

#[test]
fn latency_adds_at_least_its_delay_to_a_round_trip() {
    let (_echo, echo) = server("--echo");
    let (_plain, plain_addr) = relay(echo, &[]);
    let (_slow, slow_addr) = relay(echo, &["up:latency=200ms"]);
    let mut plain = connect(plain_addr);
    let mut slow = connect(slow_addr);
    // The first round trip pays for the upstream connect; the second is
    // the steady state, on both paths.
    round_trip(&mut plain);
    round_trip(&mut slow);
    let base = round_trip(&mut plain);
    let delayed = round_trip(&mut slow);
    assert!(delayed >= Duration::from_millis(200), "latency=200ms: a round trip took {delayed:?}");
    assert!(
        delayed >= base + Duration::from_millis(150),
        "latency added {:?} to {base:?}",
        delayed.saturating_sub(base)
    );
}

#[test]
fn bandwidth_1024_kib_makes_2_mib_take_at_least_1_8_s() {
    let (_sink, sink) = server("--sink");
    let (_relay, addr) = relay(sink, &["up:bandwidth=1024"]);
    let mut stream = connect(addr);
    let payload = vec![7u8; 2 << 20];
    let start = Instant::now();
    stream.write_all(&payload).expect("send");
    stream.shutdown(Shutdown::Write).expect("shutdown");
    // The sink closes once it has everything: our EOF comes back through
    // the relay only after the last byte went through the throttle.
    let mut buf = [0u8; 64];
    assert_eq!(stream.read(&mut buf).expect("EOF"), 0);
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(1800), "2 MiB at 1024 KiB/s took {took:?}");
    assert!(took < Duration::from_secs(10), "2 MiB at 1024 KiB/s took {took:?}");
}

#[test]
fn reset_peer_makes_the_client_see_econnreset() {
    let (_echo, echo) = server("--echo");
    let (mut relay, addr) = relay(echo, &["reset_peer=100ms"]);
    let mut stream = connect(addr);
    stream.write_all(b"hello\n").expect("send");
    let mut buf = [0u8; 64];
    // The echo may come first; the reset follows within the deadline.
    let deadline = Instant::now() + SOON;
    let err = loop {
        match stream.read(&mut buf) {
            Ok(0) => panic!("an orderly EOF, not a reset"),
            Ok(_) => assert!(Instant::now() < deadline, "no reset in time"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
    relay.wait_event("the fault named", |v| v["ev"] == "fault" && v["fault"] == "reset_peer");
}

#[test]
fn limit_data_closes_after_exactly_that_many_bytes() {
    let (_echo, echo) = server("--echo");
    let (mut relay, addr) = relay(echo, &["down:limit_data=10"]);
    let mut stream = connect(addr);
    stream.write_all(&[b'x'; 100]).expect("send");
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("read to EOF");
    assert_eq!(got, vec![b'x'; 10], "exactly 10 bytes, then EOF");
    relay.wait_event("the fault named", |v| v["ev"] == "fault" && v["fault"] == "limit_data");
}

#[test]
fn timeout_forwards_nothing_until_the_client_gives_up() {
    let (_echo, echo) = server("--echo");
    let (_relay, addr) = relay(echo, &["timeout"]);
    let mut stream = connect(addr);
    let own = Duration::from_millis(800);
    stream.set_read_timeout(Some(own)).expect("timeout");
    stream.write_all(b"anyone there?\n").expect("send");
    let start = Instant::now();
    let mut buf = [0u8; 64];
    let err = stream.read(&mut buf).expect_err("nothing comes back");
    assert!(matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "{err}");
    assert!(
        start.elapsed() >= own.checked_sub(Duration::from_millis(50)).unwrap(),
        "hung only {:?}",
        start.elapsed()
    );
}

#[test]
fn timeout_with_a_duration_closes_the_pair_after_it() {
    let (_echo, echo) = server("--echo");
    let (_relay, addr) = relay(echo, &["timeout=300ms"]);
    let mut stream = connect(addr);
    let start = Instant::now();
    stream.write_all(b"hello\n").expect("send");
    let mut got = Vec::new();
    // Either an EOF or a reset (the relay had unread bytes): the pair is gone.
    let _ = stream.read_to_end(&mut got);
    assert!(got.is_empty(), "nothing was forwarded: {got:?}");
    assert!(start.elapsed() >= Duration::from_millis(280), "closed after {:?}", start.elapsed());
}

#[test]
fn slow_close_holds_the_fin_back() {
    let (_echo, echo) = server("--echo");
    let (_relay, addr) = relay(echo, &["down:slow_close=500ms"]);
    let mut stream = connect(addr);
    stream.write_all(b"bye\n").expect("send");
    stream.shutdown(Shutdown::Write).expect("shutdown");
    let mut buf = [0u8; 4];
    stream.read_exact(&mut buf).expect("the echo");
    let start = Instant::now();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).expect("EOF");
    assert!(rest.is_empty());
    assert!(start.elapsed() >= Duration::from_millis(450), "EOF after {:?}", start.elapsed());
}

#[test]
fn a_bad_fault_is_bad_usage() {
    let out = std::process::Command::new(common::SOCKPIT)
        .args(["tcp", "relay", "0", "9", "--headless", "--fault", "lag=5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a fault"));
}

#[test]
fn what_a_relay_cannot_do_is_bad_usage() {
    for (extra, says) in
        [(&["--step"][..], "--step"), (&["--export-py", "/tmp/x.py"][..], "--export-py")]
    {
        let out = std::process::Command::new(common::SOCKPIT)
            .args(["tcp", "relay", "0", "9", "--headless"])
            .args(extra)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{extra:?}");
    }
    let out = std::process::Command::new(common::SOCKPIT)
        .args(["udp", "relay", "0", "9", "--headless", "--fault", "latency=5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "faults on a UDP relay");
}
