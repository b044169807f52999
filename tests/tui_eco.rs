//! The rough edges a new user meets, in a real terminal (tmux) at 80×24:
//! "F1 help" stays on the status bar in every mode, F1 lists the
//! `/commands` with their syntax, the hex view of a line sent with CRLF
//! shows `0d 0a`, and Alt-X copies exactly the line's bytes. Every wait is
//! a bounded poll of a condition.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::tmux::{Tmux, line_with};

/// The status bar: the last non-empty row of the screen.
fn status(screen: &str) -> &str {
    screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

fn small(t: &Tmux, name: &str) {
    t.shell(name);
    t.run(&["resize-window", "-t", name, "-x", "80", "-y", "24"]);
    let size = t.format(name, "#{pane_width}x#{pane_height}");
    assert_eq!(size, "80x24");
}

#[test]
fn f1_help_shows_in_the_status_bar_in_every_mode_at_80x24() {
    let t = Tmux::new();
    small(&t, "m");
    let modes = [
        ("", "connected to 127.0.0.1:"),
        ("demo udp", "127.0.0.1:"),
        ("demo --step", "step"),
        ("tcp server 127.0.0.1:0", "listening on"),
        ("udp server 127.0.0.1:0", "127.0.0.1:"),
        ("tcp client 127.0.0.1:0 --step", "step"),
        ("unix server @sockpit-eco-test", "@sockpit-eco-test"),
    ];
    for (args, ready) in modes {
        t.sockpit("m", args);
        let screen = t.wait_for("m", &format!("`sockpit {args}` started"), |s| s.contains(ready));
        let screen = if status(&screen).contains("F1 help") {
            screen
        } else {
            t.wait_for("m", "the status bar", |s| status(s).contains("F1 help"))
        };
        assert!(status(&screen).contains("F1 help"), "sockpit {args}:\n{screen}");
        // Step mode switched on by hand, and a blocked call: still there.
        t.keys("m", &["F7"]);
        t.wait_for("m", "F1 help after F7", |s| status(s).contains("F1 help"));
        t.keys("m", &["C-q"]);
        t.assert_shell_back("m");
    }
}

#[test]
fn f1_lists_commands_hex_view_shows_crlf_and_alt_x_copies_every_byte() {
    let t = Tmux::new();
    small(&t, "d");
    // OSC 52 from the program lands in a tmux paste buffer.
    t.run(&["set-option", "-s", "set-clipboard", "on"]);
    t.sockpit("d", "demo --eol crlf");
    t.wait_for("d", "the demo's connection", |s| s.contains("connected to 127.0.0.1:"));

    // F1: every /command with its syntax, over as many pages as it takes.
    t.keys("d", &["F1"]);
    let mut screen = t.wait_for("d", "the help", |s| s.contains("Keys:"));
    let mut seen = screen.clone();
    for _ in 0..12 {
        if ["/sendto [ADDR] TEXT", "/hex 48 65 6c", "/file PATH"].iter().all(|c| seen.contains(c)) {
            break;
        }
        t.keys("d", &["PageDown"]);
        // Each page differs from the last until the end of the list.
        let before = screen.clone();
        screen = t.wait_for("d", "the next help page", |s| s != before);
        seen.push_str(&screen);
    }
    for command in ["/sendto [ADDR] TEXT", "/hex 48 65 6c", "/file PATH", "Commands: step"] {
        assert!(seen.contains(command), "F1 never showed {command:?}:\n{seen}");
    }
    t.keys("d", &["Escape"]);
    t.wait_for("d", "the help closed", |s| !s.contains("Keys:"));

    // A line sent with CRLF: the hex view shows every byte.
    t.line("d", "line 2");
    t.wait_for("d", "the sent line", |s| line_with(s, &["→", "line 2"]));
    t.keys("d", &["M-v"]);
    let screen = t.wait_for("d", "the hex view", |s| s.contains("[hex: Alt-V]"));
    assert!(screen.contains("6c 69 6e 65 20 32 0d 0a"), "the hex view lacks the CR LF:\n{screen}");

    // Alt-X on the selected entry: exactly its bytes, ending 0a.
    t.keys("d", &["Tab", "End", "Up", "Down"]);
    t.keys("d", &["M-x"]);
    t.wait_for("d", "the copy note", |s| s.contains("copied 8 B as hex"));
    let buffer = String::from_utf8_lossy(&t.run(&["show-buffer"]).stdout).into_owned();
    assert_eq!(buffer.trim_end_matches('\n'), "6c 69 6e 65 20 32 0d 0a");
    assert!(buffer.trim_end().ends_with("0a"));
    t.keys("d", &["C-q"]);
    t.assert_shell_back("d");
}
