//! The whole lesson on both ends of `demo --step` with F8 alone, in a real
//! terminal (tmux): F8 makes the next call of the tutorial's program, or says
//! the move is the other end's (`press F2`), and this test does just what
//! it says. TCP ends with `close()` on both connected sockets and `TIME_WAIT`
//! on the end that closed first; UDP with the client's `close()`. Every
//! wait is a bounded poll of the screen.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::tmux::Tmux;

/// Key presses a lesson may take; F8's advice lines count too.
const MOST_KEYS: usize = 60;

/// The focused end's F8 hint, from the input line (`> F8: ...`).
fn hint(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("> F8: "))?;
    Some(line.split("> F8: ").nth(1)?.trim_end_matches(['│', ' ']).to_string())
}

/// The left (server) and right (client) halves of the screen, each end's
/// panes side by side at 160 columns.
fn halves(screen: &str) -> (String, String) {
    let (mut left, mut right) = (String::new(), String::new());
    for line in screen.lines() {
        let chars: Vec<char> = line.chars().collect();
        let mid = chars.len() / 2;
        left.extend(chars[..mid].iter().chain(['\n'].iter()));
        right.extend(chars[mid..].iter().chain(['\n'].iter()));
    }
    (left, right)
}

/// Everything each end showed along the way (panes scroll).
#[derive(Default)]
struct Seen {
    server: String,
    client: String,
}

/// Presses F8, or F2 when F8 says the move is the other end's, until
/// `done` holds for what was seen; each press waits for the screen to
/// answer.
fn follow_f8(tmux: &Tmux, done: impl Fn(&Seen) -> bool) -> Seen {
    let mut screen = tmux.screen("d");
    let mut seen = Seen::default();
    let mut pressed = Vec::new();
    for _ in 0..MOST_KEYS {
        let (server, client) = halves(&screen);
        seen.server.push_str(&server);
        seen.client.push_str(&client);
        if done(&seen) {
            return seen;
        }
        let advice = hint(&screen).unwrap_or_default();
        let key = if advice.contains("F2") { "F2" } else { "F8" };
        pressed.push(format!("{key} ({advice})"));
        tmux.keys("d", &[key]);
        let before = screen.clone();
        // F2 always moves the focus. F8 makes a call, or (the hint read a
        // moment before the state caught up) shows advice already on
        // screen: then the hint says to press F2.
        screen = tmux.wait_for("d", "the screen to answer the key", |s| {
            s != before || hint(s).is_some_and(|h| h.contains("F2"))
        });
    }
    panic!("lesson not done after {MOST_KEYS} keys:\n{}\n{screen}", pressed.join("\n"));
}

#[test]
fn the_tcp_lesson_with_f8_alone_ends_in_close_on_both_ends_and_time_wait() {
    let tmux = Tmux::new();
    tmux.shell("d");
    tmux.sockpit("d", "demo --step");
    tmux.wait_for("d", "F8's first hint", |s| hint(s).is_some());
    let seen = follow_f8(&tmux, |s| {
        s.server.contains("sock.close()  -> None") && s.client.contains("client.close()  -> None")
    });
    let server_calls = [
        "server.setsockopt(",
        "server.bind(('127.0.0.1', 0))  -> None",
        "server.listen(5)  -> None",
        "server.accept()  -> (<socket",
        "sock.recv(1024)  -> b'hello'",
        "sock.recv(1024)  -> b''",
    ];
    for call in server_calls {
        assert!(seen.server.contains(call), "{call} on the server's end:\n{}", seen.server);
    }
    for call in ["client.connect((", "client.recv(1024)  -> b'hi'"] {
        assert!(seen.client.contains(call), "{call} on the client's end:\n{}", seen.client);
    }
    assert!(!seen.client.contains("Errno") && !seen.server.contains("Errno"), "no call failed");
    // The client hung up first: its socket, fd-less now, waits in
    // TIME_WAIT; the server's end went CLOSE_WAIT -> close() -> LAST_ACK.
    tmux.wait_for("d", "TIME_WAIT on the client's end", |s| {
        let (_, client) = halves(s);
        client.lines().any(|l| l.contains("→ TIME_WAIT") && !l.contains("peer's end"))
    });
    let (server, _) = halves(&tmux.screen("d"));
    assert!(
        !server.lines().any(|l| l.contains("→ TIME_WAIT") && !l.contains("peer's end")),
        "the server closed second: no TIME_WAIT of its own:\n{server}"
    );
    tmux.keys("d", &["C-q"]);
    tmux.assert_shell_back("d");
}

#[test]
fn the_udp_lesson_with_f8_alone_ends_in_the_clients_close() {
    let tmux = Tmux::new();
    tmux.shell("d");
    tmux.sockpit("d", "demo udp --step");
    tmux.wait_for("d", "F8's first hint", |s| hint(s).is_some());
    let seen = follow_f8(&tmux, |s| s.client.contains("client.close()  -> None"));
    let (server, client) = (&seen.server, &seen.client);
    assert!(server.contains("server.bind(('127.0.0.1', 0))  -> None"), "{server}");
    assert!(server.contains("server.recvfrom(1024)  -> (b'hello', ('127.0.0.1', "), "{server}");
    assert!(server.contains("server.sendto(data, ('127.0.0.1', "), "{server}");
    assert!(client.contains("client.sendto(data, ('127.0.0.1', "), "{client}");
    assert!(!client.contains("('127.0.0.1', 0))  ->"), "never sent to port 0:\n{client}");
    assert!(client.contains("client.recvfrom(1024)  -> (b'hi', ('127.0.0.1', "), "{client}");
    assert!(!client.contains("Errno") && !server.contains("Errno"), "no call failed");
    tmux.keys("d", &["C-q"]);
    tmux.assert_shell_back("d");
}
