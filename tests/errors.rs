//! Failures: exit codes (1 when the session's own socket fails, 2 for bad
//! usage) and messages in the error grammar (docs/errors.md), in text and JSON events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::net::TcpListener;
use std::process::Command;

use common::*;

fn refused_message(port: u16) -> String {
    format!(
        "connect 127.0.0.1:{port} failed: ECONNREFUSED (connection refused): \
         nothing listens there; try starting a server first"
    )
}

#[test]
fn refused_connect_exits_1_with_the_message() {
    let port = closed_tcp_port();
    let mut me = Proc::spawn(sockpit(&["tcp", "client", &format!("127.0.0.1:{port}")]));
    me.close_stdin();
    me.expect_code(1, SOON);
    let want = format!("sockpit: {}", refused_message(port));
    assert!(me.stderr.iter().any(|l| l.contains(&want)), "no {want:?} in {:#?}", me.stderr);
    assert!(me.stdout_all().is_empty(), "stdout should be empty");
}

#[test]
fn refused_connect_in_json_has_the_failed_call_and_fatal_event() {
    let port = closed_tcp_port();
    let mut me = Proc::spawn(sockpit_json(&["tcp", "client", &format!("127.0.0.1:{port}")]));
    me.close_stdin();
    me.expect_code(1, SOON);
    let events = json_lines(&me.stderr);
    let connect = events
        .iter()
        .find(|v| v["ev"] == "call" && v["call"] == "connect")
        .unwrap_or_else(|| panic!("no connect call in {events:#?}"));
    assert_eq!(connect["ok"], false, "{connect}");
    assert_eq!(connect["error"], "ECONNREFUSED", "{connect}");
    assert_eq!(connect["errno"], 111, "{connect}"); // ECONNREFUSED on Linux
    let result = connect["result"].as_str().unwrap_or("");
    assert!(result.starts_with("ConnectionRefusedError"), "result {result:?}");
    let fatal = events.iter().find(|v| v["ev"] == "fatal").expect("a fatal event");
    assert!(fatal["message"].as_str().unwrap_or("").contains(&refused_message(port)), "{fatal}");
}

#[test]
fn address_in_use_exits_1_naming_bind() {
    let held = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = held.local_addr().expect("addr");
    let mut me = Proc::spawn(sockpit(&["tcp", "server", &addr.to_string()]));
    me.close_stdin();
    me.expect_code(1, SOON);
    let text = me.stderr.join("\n");
    assert!(
        me.stderr.iter().any(|l| l.contains(&format!("bind {addr} failed: EADDRINUSE"))),
        "no bind/EADDRINUSE message in:\n{text}"
    );
}

#[test]
fn udp_address_in_use_exits_1_naming_bind() {
    let held = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let addr = held.local_addr().expect("addr");
    let mut me = Proc::spawn(sockpit(&["udp", "server", &addr.to_string()]));
    me.close_stdin();
    me.expect_code(1, SOON);
    let text = me.stderr.join("\n");
    assert!(text.contains("bind") && text.contains("EADDRINUSE"), "stderr:\n{text}");
}

#[test]
fn connected_udp_client_to_a_closed_port_reports_refused_and_exits_1() {
    let port = closed_udp_port();
    let mut me = Proc::spawn(sockpit(&["udp", "client", &format!("127.0.0.1:{port}")]));
    me.write(b"anyone?\n");
    me.close_stdin();
    me.expect_code(1, SOON);
    let text = me.stderr.join("\n");
    assert!(text.contains("ECONNREFUSED"), "stderr:\n{text}");
}

/// Runs sockpit with `args` (no stdin) and returns its exit code and stderr.
fn usage(args: &[&str]) -> (Option<i32>, String) {
    let mut me = Proc::spawn({
        let mut cmd = Command::new(SOCKPIT);
        cmd.args(args);
        cmd
    });
    me.close_stdin();
    let status = me.wait_exit(SOON);
    (status.code(), me.stderr.join("\n"))
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["tcp", "client", "nonsense:"][..],
        &["tcp", "client", "127.0.0.1:9", "--backlog", "5"],
        &["udp", "client", "127.0.0.1:9", "--backlog", "5"],
        &["tcp", "server", "127.0.0.1:0", "--echo", "--sink"],
        &["tcp", "client"],
        &["tcp", "client", "127.0.0.1:99999"],
        &["tcp", "client", "127.0.0.1:9", "--timeout", "soon"],
        &["tcp", "client", "127.0.0.1:9", "--recv-size", "0"],
    ] {
        let (code, stderr) = usage(args);
        assert_eq!(code, Some(2), "sockpit {args:?}: stderr {stderr}");
        assert!(!stderr.trim().is_empty(), "sockpit {args:?}: exit 2 without a message");
    }
}

#[test]
fn backlog_on_a_client_names_the_option() {
    let (code, stderr) = usage(&["tcp", "client", "127.0.0.1:9", "--backlog", "5"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--backlog"), "stderr: {stderr}");
}

#[test]
fn closed_stdout_ends_quietly() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let mut me = Proc::spawn_raw(sockpit(&["tcp", "client", &addr]));
    drop(me.stdout.take()); // the reader went away: writes get EPIPE / SIGPIPE
    let mut peer = accept(&listener);
    // Keep sending until sockpit gives up (its end closes) or 64 MiB went out.
    let chunk = random_bytes(1 << 16);
    for _ in 0..1024 {
        if std::io::Write::write_all(&mut peer, &chunk).is_err() {
            break;
        }
        if me.child.try_wait().expect("try_wait").is_some() {
            break;
        }
    }
    drop(peer);
    me.wait_exit(SOON);
    let text = me.stderr.join("\n");
    assert!(!text.contains("panicked"), "panic on a closed stdout:\n{text}");
    assert!(!text.contains("sockpit: "), "an error message on a closed stdout:\n{text}");
}
