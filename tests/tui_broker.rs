//! Many peers in real terminals (tmux, every wait a bounded poll): two TUI
//! clients chatting through a headless `--broker` server, and a TUI server
//! whose socket list picks which `nc.openbsd` client a line goes to, with
//! `/all` reaching both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;

use common::tmux::{Tmux, line_with};
use common::{Proc, sockpit_json};
use serde_json::Value;

/// Waits until the server has reported `n` accepted connections.
fn wait_connected(srv: &mut Proc, n: usize) {
    srv.wait_count("connected events", n, |l| {
        serde_json::from_str::<Value>(l).is_ok_and(|v| v["ev"] == "connected")
    });
}

#[test]
fn two_tui_clients_chat_through_a_broker() {
    let mut srv = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--broker"]));
    let port = srv.listening().port();
    let t = Tmux::new();
    for name in ["a", "b"] {
        t.shell(name);
        t.sockpit(name, &format!("tcp client 127.0.0.1:{port}"));
        t.wait_for(name, "the connection", |s| s.contains("connected to"));
    }
    wait_connected(&mut srv, 2);
    t.line("a", "from a 你好");
    t.wait_for("b", "a's line relayed", |s| line_with(s, &["←", "from a 你好"]));
    t.wait_for("a", "its own line sent", |s| line_with(s, &["→", "from a 你好"]));
    t.line("b", "from b");
    let a = t.wait_for("a", "b's line relayed", |s| line_with(s, &["←", "from b"]));
    // Anything relayed back to a would have come before b's line.
    assert!(!line_with(&a, &["←", "from a"]), "a got its own line back:\n{a}");
    let b = t.wait_for("b", "its own line sent", |s| line_with(s, &["→", "from b"]));
    assert!(!line_with(&b, &["←", "from b"]), "b got its own line back:\n{b}");
    for name in ["a", "b"] {
        t.keys(name, &["C-q"]);
        t.assert_shell_back(name);
    }
    srv.kill();
}

fn nc(port: u16) -> Proc {
    let mut cmd = Command::new("nc.openbsd");
    cmd.args(["127.0.0.1", &port.to_string()]);
    Proc::spawn(cmd)
}

#[test]
fn the_selected_connection_gets_the_line_and_all_reaches_both() {
    let t = Tmux::new();
    t.shell("server");
    t.sockpit("server", "tcp server 127.0.0.1:0");
    let port = t.port("server");
    let mut first = nc(port);
    t.wait_for("server", "the first client", |s| s.contains("1 conn, 1 live"));
    let mut second = nc(port);
    t.wait_for("server", "the second client", |s| s.contains("2 conns, 2 live"));
    // The list's rows: the listener (sock 1), the first (2), the second (3).
    // Shift-Tab focuses the Socket pane; Up picks the first connection.
    t.keys("server", &["BTab", "Up"]);
    t.wait_for("server", "the first picked", |s| s.contains("(sock 2)"));
    t.line("server", "to the first");
    first.wait_stdout_has(b"to the first\n");
    // Down picks the second connection: only it gets the next line.
    t.keys("server", &["BTab", "Down"]);
    t.wait_for("server", "the second picked", |s| s.contains("(sock 3)"));
    t.line("server", "to the second");
    second.wait_stdout_has(b"to the second\n");
    t.line("server", "/all hi");
    let got_first = String::from_utf8_lossy(&first.wait_stdout_has(b"hi\n")).into_owned();
    let got_second = String::from_utf8_lossy(&second.wait_stdout_has(b"hi\n")).into_owned();
    // Each stream is in order: a misdirected line would have come before hi.
    assert_eq!(got_first, "to the first\nhi\n");
    assert_eq!(got_second, "to the second\nhi\n");
    t.keys("server", &["C-q"]);
    t.assert_shell_back("server");
    first.kill();
    second.kill();
}
