//! The Wire pane in a real terminal (tmux), both ways it can go:
//! - outside any namespace, as a user without `CAP_NET_RAW` (uid 65534 via
//!   `setpriv` when the tests run as root), the pane says the capture needs
//!   `CAP_NET_RAW` and what to do, and the chat works as ever;
//! - inside `unshare -rn` as that same user, the pane shows the live
//!   handshake and data as a ladder, the Lifecycle pane the segments under
//!   `connect()`, and F9 saves the captured frames.
//!
//! Every wait is a bounded poll of the screen or a socket.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::tmux::*;
use common::userns::{Ns, we_are_root};

/// The command line that runs the copied binary as an unprivileged user.
fn as_nobody(ns: &Ns) -> String {
    let bin = ns.dir.join("sockpit");
    if we_are_root() {
        format!("setpriv --reuid=65534 --regid=65534 --clear-groups {}", bin.display())
    } else {
        bin.display().to_string()
    }
}

#[test]
fn without_cap_net_raw_the_wire_pane_says_why_and_the_chat_works() {
    let ns = Ns::new();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("port").port();
    let t = Tmux::new();
    t.shell("client");
    t.line("client", &format!("{} tcp client 127.0.0.1:{port}", as_nobody(&ns)));
    listener.set_nonblocking(false).expect("blocking");
    let (conn, _) = listener.accept().expect("the client connects");
    conn.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    t.wait_for("client", "the connection", |s| s.contains("connected to"));
    t.line("client", "hello");
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).expect("the client's line");
    assert_eq!(line, "hello\n");
    (&conn).write_all(b"pong\n").expect("reply");
    t.wait_for("client", "the reply", |s| line_with(s, &["←", "pong"]));
    t.keys("client", &["M-w"]);
    let screen = t.wait_for("client", "the Wire pane", |s| s.contains("┌Wire"));
    assert!(screen.contains("The wire cannot be captured here:"), "{screen}");
    assert!(screen.contains("capturing needs CAP_NET_RAW"), "{screen}");
    assert!(screen.contains("sudo setcap cap_net_raw+ep $(which sockpit)"), "{screen}");
    assert!(screen.contains("sockpit demo"), "{screen}");
    // Back to the history: nothing else changed.
    t.keys("client", &["M-w"]);
    t.line("client", "again");
    let mut line = String::new();
    BufReader::new(&conn).read_line(&mut line).expect("the second line");
    assert_eq!(line, "again\n");
    t.keys("client", &["C-q"]);
    t.assert_shell_back("client");
}

#[test]
fn in_a_namespace_the_wire_pane_shows_the_handshake_live() {
    let ns = Ns::new();
    // A Python peer in the namespace answers one line, then waits.
    let server = r#"import socket
s = socket.socket(); s.bind(("127.0.0.1", 7000)); s.listen()
c, _ = s.accept(); c.recv(100); c.sendall(b"pong\n"); c.recv(100)"#;
    std::fs::write(ns.dir.join("server.py"), server).expect("server.py");
    let script = "/usr/bin/python3 server.py & \
         for _ in $(seq 200); do ss -ltnH 'sport = :7000' | grep -q . && break; sleep 0.05; done; \
         ./sockpit tcp client 127.0.0.1:7000; echo exited-$?; sleep 30";
    let t = ns.tmux(script);
    t.wait_for("client", "the connection", |s| s.contains("connected to"));
    t.line("client", "hello");
    t.wait_for("client", "the reply", |s| line_with(s, &["←", "pong"]));
    t.keys("client", &["M-w"]);
    let screen = t.wait_for("client", "the ladder", |s| s.contains("PSH,ACK seq 1:6 ack 7 len 5"));
    assert!(screen.contains("Wire (") && screen.contains("segments on lo)"), "{screen}");
    for row in ["──SYN seq 0 win", "SYN,ACK seq 0 ack 1 win", "PSH,ACK seq 1:7 ack 1 len 6"] {
        assert!(screen.contains(row), "no {row:?}:\n{screen}");
    }
    assert!(screen.contains("MSS 65495 SACK-perm TS wscale"), "{screen}");
    assert!(line_with(&screen, &["client.connect(", "⇄ SYN · SYN,ACK · ACK"]), "{screen}");
    assert!(line_with(&screen, &["client.sendall(", "⇄ PSH,ACK"]), "{screen}");
    // Up selects the newest row: its headers, its cause, its bytes in hex.
    t.keys("client", &["Up"]);
    let screen = t.wait_for("client", "the row's details", |s| s.contains("frame 7 sent"));
    assert!(screen.contains("sent by the kernel on its own (no call)"), "{screen}");
    assert!(screen.contains("Ethernet II  00:00:00:00:00:00"), "{screen}");
    assert!(screen.contains("IPv4  127.0.0.1 → 127.0.0.1"), "{screen}");
    assert!(screen.contains("00000000  00 00 00 00 00 00 00 00  00 00 00 00 08 00 45"), "{screen}");
    t.keys("client", &["Escape"]);
    // Esc taken before F9 goes: sent at once, `ESC ESC [20~` can reach the
    // terminal in one read, and the parser then takes `[20~` as typed text.
    t.wait_for("client", "the details closed", |s| !s.contains("frame 7 sent"));
    // F9 saves the frames really captured; it answers in the history.
    t.keys("client", &["F9", "M-w"]);
    let screen = t.wait_for("client", "F9's answer", |s| s.contains("F9: saved"));
    assert!(screen.contains("(the captured frames)"), "{screen}");
    t.keys("client", &["C-q"]);
    t.wait_for("client", "sockpit's exit", |s| s.contains("exited-0"));
    let saved = ns.pcapngs();
    assert_eq!(saved.len(), 1, "one pcapng saved by F9");
    let (frames, stderr) =
        common_tshark(&saved[0].display().to_string(), &["-T", "fields", "-e", "tcp.len"]);
    assert_eq!(stderr, "", "tshark reads F9's file without a word");
    assert!(frames.lines().count() >= 5, "handshake and data: {frames}");
}

/// tshark's stdout and its stderr without the notice it prints as root.
fn common_tshark(file: &str, args: &[&str]) -> (String, String) {
    let out = std::process::Command::new("tshark")
        .args(["-r", file])
        .args(args)
        .output()
        .expect("tshark (scripts/test installs it)");
    let stderr = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("Running as user \"root\""))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

#[test]
fn the_demo_shows_the_handshake_for_the_same_user() {
    // The demo makes its own user + network namespace, where any user may
    // capture: the same unprivileged user sees both ends' segments.
    let ns = Ns::new();
    let dir = ns.dir.display().to_string();
    let t = Tmux::new();
    t.shell("demo");
    t.line("demo", &format!("env HOME={dir} {} demo", as_nobody(&ns)));
    t.wait_for("demo", "the client's connection", |s| s.contains("connected to"));
    t.line("demo", "hello");
    t.keys("demo", &["M-w"]);
    let screen = t.wait_for("demo", "the client's ladder", |s| {
        s.contains("PSH,ACK seq 1:7 ack 1 len 6") && s.contains("ACK seq 1 ack 7")
    });
    assert!(screen.contains("──SYN seq 0 win"), "{screen}");
    assert!(screen.contains("SYN,ACK seq 0 ack 1 win"), "{screen}");
    assert!(line_with(&screen, &["client.connect(", "⇄ SYN · SYN,ACK · ACK"]), "{screen}");
    // F2: the server's end sees the same segments the other way round.
    t.keys("demo", &["F2"]);
    let screen = t.wait_for("demo", "the server's ladder", |s| s.contains("SYN_RECV│──SYN,ACK"));
    assert!(screen.contains("◀──") && screen.contains("PSH,ACK seq 1:7 ack 1 len 6"), "{screen}");
    t.keys("demo", &["C-q"]);
    t.assert_shell_back("demo");
}
