//! `--log FILE`: the transcript parses line by line and holds every byte sent
//! and received, exactly; killed with SIGTERM mid-transfer, every line is
//! still whole and the bytes logged are a prefix of what crossed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;
mod recorded;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use recorded::*;

const KIB256: usize = 256 << 10;

#[test]
fn the_log_holds_every_byte_both_ways() {
    let log = temp_path("both-ways.jsonl");
    let log_arg = log.to_str().expect("UTF-8 path");
    let mut me = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--log", log_arg]));
    let addr = me.listening();

    let mut to_server = "hello 你好\n".as_bytes().to_vec();
    to_server.extend(all_bytes());
    to_server.extend(random_bytes(KIB256));
    let mut from_server = "reply 回答\r\n".as_bytes().to_vec();
    from_server.extend(random_bytes(KIB256));

    let mut peer = connect(addr);
    let mut reader = peer.try_clone().expect("clone");
    let got = thread::spawn(move || {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).expect("peer reads");
        got
    });
    let feeding = me.feed(from_server.clone());
    peer.write_all(&to_server).expect("peer writes");
    peer.shutdown(Shutdown::Write).expect("peer shuts down");

    me.expect_code(0, BULK);
    feeding.join().expect("feeder");
    assert_same("peer received", &got.join().expect("reader"), &from_server);
    assert_same("sockpit stdout", &me.stdout_all(), &to_server);

    let events = transcript(&log);
    // --events json writes the same lines, leaving out only the periodic
    // state samples (unless --stats asks for them).
    let mut logged = events.iter();
    for line in json_lines(&me.stderr) {
        assert!(logged.any(|v| *v == line), "not in the log, or out of order: {line:.300}");
    }
    let (sent, received) = streams(&events);
    assert_same("logged as sent", &sent, &from_server);
    assert_same("logged as received", &received, &to_server);
    assert!(events.iter().any(|v| v["ev"] == "eof"), "no eof event");
    std::fs::remove_file(&log).expect("remove log");
}

/// Sends SIGTERM, as `kill` does by default.
fn terminate(pid: u32) {
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(status.success(), "kill -TERM {pid} failed");
}

/// Data events in the log so far, counted on whole lines only.
fn data_events(path: &std::path::Path, dir: &str) -> usize {
    let text = std::fs::read(path).unwrap_or_default();
    let needle = format!("\"dir\":\"{dir}\"");
    text.split(|&b| b == b'\n')
        .filter(|line| line.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .count()
}

#[test]
fn sigterm_mid_transfer_leaves_whole_lines_and_a_prefix() {
    let log = temp_path("sigterm.jsonl");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let args = ["tcp", "client", &addr.to_string(), "--log", log.to_str().expect("path")];
    let mut me = Proc::spawn(sockpit(&args));
    let mut peer = accept(&listener);

    // Far more than moves before the signal: the transfer is mid-way.
    let outgoing = random_bytes(64 << 20);
    let feeding = me.feed(outgoing.clone());
    let incoming = random_bytes(KIB256);
    peer.write_all(&incoming).expect("peer writes");
    let mut reader = peer.try_clone().expect("clone");
    // The peer takes 8 MiB and then stops reading (the connection stays
    // open): the client's sends block, so the signal always lands mid-way,
    // however fast the machine moves the bytes.
    let drain = thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut taken = 0;
        while taken < 8 << 20 {
            match reader.read(&mut buf) {
                Ok(n) if n > 0 => taken += n,
                _ => break,
            }
        }
    });

    let deadline = Instant::now() + SOON;
    while data_events(&log, "send") < 4 || data_events(&log, "recv") < 1 {
        assert!(Instant::now() < deadline, "the log never showed data both ways");
        thread::sleep(Duration::from_millis(5)); // poll interval of a bounded wait
    }
    terminate(me.child.id());
    let status = me.wait_exit(SOON);
    assert_eq!(status.code(), Some(128 + 15), "exit after SIGTERM: {status}");

    let events = transcript(&log);
    let (sent, received) = streams(&events);
    assert!(!sent.is_empty() && sent.len() < outgoing.len(), "sent {} B", sent.len());
    assert_same("logged as sent (a prefix)", &sent, &outgoing[..sent.len()]);
    assert!(!received.is_empty(), "nothing logged as received");
    assert_same("logged as received (a prefix)", &received, &incoming[..received.len()]);
    drop(peer);
    drain.join().expect("drain");
    let _ = feeding.join();
    std::fs::remove_file(&log).expect("remove log");
}

#[test]
fn a_log_that_cannot_be_created_is_an_error_in_the_grammar() {
    let mut me = Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--log", "/nonexistent/x"]));
    me.expect_code(1, SOON);
    let line = me.stderr.join("\n");
    assert!(
        line.contains("open /nonexistent/x failed: ENOENT (no such file or directory): cannot write the transcript (--log) there"),
        "{line}"
    );
}
