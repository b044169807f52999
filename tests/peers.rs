//! sockpit against the tools people already use: socat, OpenBSD nc and
//! ncat, in both directions (sockpit as server and as client).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;

use common::*;

/// What the far side sends: CJK and every byte value.
fn payload(tag: &str) -> Vec<u8> {
    [format!("{tag} 你好，世界\n").into_bytes(), all_bytes(), b"\nend\n".to_vec()].concat()
}

fn sockpit_server() -> (Proc, String) {
    let mut me = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0"]));
    let addr = me.listening();
    (me, addr.port().to_string())
}

/// Runs sockpit as server against a client tool: both sides send, both end 0.
fn serve_tool(build: impl Fn(&str) -> Command) {
    let (mut me, port) = sockpit_server();
    let (ours, theirs) = (payload("sockpit"), payload("tool"));
    me.write(&ours);
    me.close_stdin();
    let mut tool = Proc::spawn(build(&port));
    tool.write(&theirs);
    tool.close_stdin();
    me.expect_code(0, SOON);
    tool.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), &theirs);
    assert_same("tool stdout", &tool.stdout_all(), &ours);
}

/// Runs sockpit as client against a listening tool whose stderr names its
/// port: both sides send, both end 0.
fn connect_to_tool(mut tool: Command, listening: &str) {
    let (ours, theirs) = (payload("sockpit"), payload("tool"));
    tool.env("LC_ALL", "C");
    let mut tool = Proc::spawn(tool);
    let line = tool.wait_line(listening, |l| l.contains(listening));
    let port = port_in(&line);
    tool.write(&theirs);
    tool.close_stdin();
    let mut me = Proc::spawn(sockpit_json(&["tcp", "client", &format!("127.0.0.1:{port}")]));
    me.write(&ours);
    me.close_stdin();
    me.expect_code(0, SOON);
    tool.expect_code(0, SOON);
    assert_same("sockpit stdout", &me.stdout_all(), &theirs);
    assert_same("tool stdout", &tool.stdout_all(), &ours);
}

#[test]
fn socat_client_to_sockpit_server() {
    serve_tool(|port| {
        let mut cmd = Command::new("socat");
        cmd.args(["-t", "10", "-b65536", "-", &format!("TCP:127.0.0.1:{port}")]);
        cmd
    });
}

#[test]
fn sockpit_client_to_socat_server() {
    let mut socat = Command::new("socat");
    socat.args(["-d", "-d", "-t", "10", "TCP-LISTEN:0,bind=127.0.0.1", "-"]);
    connect_to_tool(socat, "listening on");
}

#[test]
fn nc_openbsd_client_to_sockpit_server() {
    serve_tool(|port| {
        let mut cmd = Command::new("nc.openbsd");
        cmd.args(["-N", "127.0.0.1", port]);
        cmd
    });
}

#[test]
fn sockpit_client_to_nc_openbsd_server() {
    let mut nc = Command::new("nc.openbsd");
    nc.args(["-N", "-lv", "127.0.0.1", "0"]);
    connect_to_tool(nc, "Listening on");
}

#[test]
fn ncat_client_to_sockpit_server() {
    serve_tool(|port| {
        let mut cmd = Command::new("ncat");
        cmd.args(["127.0.0.1", port]);
        cmd
    });
}

#[test]
fn server_fed_by_nc_n_exits_only_when_both_directions_are_done() {
    let (mut me, port) = sockpit_server();
    let mut nc = Proc::spawn({
        let mut cmd = Command::new("nc.openbsd");
        cmd.args(["-N", "127.0.0.1", &port]);
        cmd
    });
    nc.write("request 你好\n".as_bytes());
    nc.close_stdin(); // -N: shutdown(SHUT_WR) at stdin EOF
    me.wait_stdout_has("request 你好\n".as_bytes());
    me.wait_event("peer EOF", |v| v["ev"] == "eof");
    assert!(
        me.child.try_wait().expect("try_wait").is_none(),
        "sockpit server exited at peer EOF while its own stdin was still open"
    );
    me.write("answer 世界\n".as_bytes());
    me.close_stdin();
    me.expect_code(0, SOON);
    nc.expect_code(0, SOON);
    assert_same("nc stdout", &nc.stdout_all(), "answer 世界\n".as_bytes());
}

#[test]
fn socat_udp_client_to_sockpit_udp_server() {
    let mut me = Proc::spawn(sockpit_json(&["udp", "server", "127.0.0.1:0"]));
    let addr = me.listening();
    let mut socat = Proc::spawn({
        let mut cmd = Command::new("socat");
        cmd.args(["-t", "0.2", "-", &format!("UDP:{addr}")]);
        cmd
    });
    socat.write("datagram 你好\n".as_bytes());
    me.wait_stdout_has("datagram 你好\n".as_bytes());
    me.write(b"answer\n");
    socat.wait_stdout_has(b"answer\n");
    socat.close_stdin();
    socat.expect_code(0, SOON);
    assert_same("socat stdout", &socat.stdout_all(), b"answer\n");
    me.kill();
}
