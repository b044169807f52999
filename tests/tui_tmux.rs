//! The TUI end to end in real terminals: tmux sessions on a private socket,
//! keys sent with `send-keys`, screens read with `capture-pane`, every wait
//! a bounded poll of a condition. tmux is part of the test environment
//! (scripts/test installs it); these tests never skip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::tmux::*;

fn chat(proto: &str) {
    let t = Tmux::new();
    t.shell("server");
    t.shell("client");
    t.sockpit("server", &format!("{proto} server 127.0.0.1:0"));
    let port = t.port("server");
    t.sockpit("client", &format!("{proto} client 127.0.0.1:{port}"));
    if proto == "tcp" {
        t.wait_for("client", "connection", |s| s.contains("connected to"));
    } else {
        t.wait_for("client", "client socket", |s| s.contains("client.connect("));
    }
    t.line("client", "hello 你好");
    t.wait_for("server", "the client's line", |s| line_with(s, &["←", "hello 你好"]));
    t.wait_for("client", "its own line", |s| line_with(s, &["→", "hello 你好"]));
    t.line("server", "reply 世界 😀");
    t.wait_for("client", "the server's reply", |s| line_with(s, &["←", "reply 世界 😀"]));
    t.keys("client", &["C-q"]);
    t.keys("server", &["C-q"]);
    t.assert_shell_back("client");
    t.assert_shell_back("server");
}

#[test]
fn tcp_chat_between_two_terminals() {
    chat("tcp");
}

#[test]
fn udp_chat_between_two_terminals() {
    chat("udp");
}

#[test]
fn chat_with_openbsd_netcat() {
    let t = Tmux::new();
    t.shell("server");
    t.shell("nc");
    t.sockpit("server", "tcp server 127.0.0.1:0");
    let port = t.port("server");
    t.line("nc", &format!("nc.openbsd 127.0.0.1 {port}"));
    t.wait_for("server", "nc's connection", |s| s.contains("accepted 127.0.0.1:"));
    t.line("nc", "from nc 你好");
    t.wait_for("server", "nc's line", |s| line_with(s, &["←", "from nc 你好"]));
    t.line("server", "to nc");
    t.wait_for("nc", "the TUI's line", |s| s.lines().any(|l| l.trim() == "to nc"));
    // nc hangs up: the server sees EOF, keeps listening.
    t.keys("nc", &["C-c"]);
    t.wait_for("server", "the peer's EOF", |s| s.contains("closed its side"));
    t.keys("server", &["C-q"]);
    t.assert_shell_back("server");
}

#[test]
fn demo_line_leaves_one_end_and_reaches_the_other() {
    let t = Tmux::new();
    t.shell("demo");
    t.sockpit("demo", "");
    t.wait_for("demo", "the demo's connection", |s| s.contains("connected to 127.0.0.1:"));
    t.line("demo", "ping through the demo");
    let screen = t.wait_for("demo", "both ends' lines", |s| {
        line_with(s, &["→", "ping through the demo"])
            && line_with(s, &["←", "ping through the demo"])
    });
    assert!(screen.contains("History: server") && screen.contains("History: client"), "{screen}");
    // F2 moves the input to the server; its reply reaches the client.
    t.keys("demo", &["F2"]);
    t.wait_for("demo", "input on the server", |s| s.contains("Input (server"));
    t.line("demo", "pong");
    t.wait_for("demo", "the reply", |s| line_with(s, &["←", "pong"]));
    t.keys("demo", &["C-q"]);
    t.assert_shell_back("demo");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    t.keys("s", &["C-c"]);
    t.assert_shell_back("s");
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    let pid = t.sockpit_pid("s");
    let killed = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(killed.success());
    t.assert_shell_back("s");
}

#[test]
fn help_opens_and_closes_and_resize_redraws() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    t.keys("s", &["F1"]);
    t.wait_for("s", "the help", |s| s.contains("Keys: any key closes") && s.contains("Ctrl-Q"));
    t.keys("s", &["Escape"]);
    t.wait_for("s", "help closed", |s| !s.contains("Keys: any key closes"));
    t.run(&["resize-window", "-t", "s", "-x", "60", "-y", "15"]);
    t.wait_for("s", "a redraw at 60 columns", |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 60 && l.contains("History"))
    });
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}

/// CPU time (user + system, in clock ticks) the main thread of a process
/// has used so far: the thread that runs the UI loop and draws (the
/// engine's sockets and sampling run on the runtime's workers).
fn ui_thread_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/stat")).expect("stat");
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the comm.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

#[test]
fn an_idle_window_is_not_redrawn() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "");
    t.wait_for("s", "the demo's connection", |s| s.contains("connected to 127.0.0.1:"));
    let pid = t.sockpit_pid("s");
    // Measurement windows, not waits for a condition: nothing happens in
    // them by design (the engine keeps sampling its sockets meanwhile), and
    // the UI loop must not spend CPU redrawing an unchanged screen. A loop
    // that redraws while idle spends in every window; a busy machine (the
    // start-up's first samples landing late) can spoil one, so the best of
    // three counts.
    let used: Vec<u64> = (0..3)
        .map(|_| {
            let before = ui_thread_ticks(pid);
            std::thread::sleep(Duration::from_secs(2));
            ui_thread_ticks(pid) - before
        })
        .collect();
    let best = used.iter().copied().min().unwrap_or(u64::MAX);
    assert!(
        best <= 3,
        "the UI thread used {used:?} ticks (1/100 s each) in 2 s windows of idleness"
    );
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}
