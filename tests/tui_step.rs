//! Step mode end to end in a real terminal (tmux, like `tests/tui_tmux.rs)`:
//! the student makes each call of a TCP server by hand, the tutorial's Python
//! client waits in the accept queue until `/accept`, `/recv 4` takes four
//! bytes, a blocking `/recv` shows as blocked until Ctrl-C interrupts it.
//! Every wait is a bounded poll of the screen.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::tmux::Tmux;

/// Types a step call and waits for its line in the timeline.
fn call(tmux: &Tmux, target: &str, typed: &str, shown: &str) -> String {
    tmux.line(target, typed);
    tmux.wait_for(target, shown, |s| s.contains(shown))
}

/// The port in `server.getsockname()  -> ('127.0.0.1', PORT)`.
fn port_of(screen: &str) -> Option<u16> {
    let rest = screen.split("getsockname()  -> ('127.0.0.1', ").nth(1)?;
    rest.split(')').next()?.parse().ok()
}

#[test]
fn step_by_step_server_with_the_seeds_client() {
    let tmux = Tmux::new();
    tmux.shell("s");
    tmux.sockpit("s", "tcp server 127.0.0.1:0 --step");
    tmux.wait_for("s", "step mode in the status bar", |s| s.contains("tcp server step"));
    tmux.wait_for("s", "F8's suggestion", |s| s.contains("F8: /socket"));
    call(
        &tmux,
        "s",
        "/socket",
        "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  -> <socket fd=",
    );
    call(&tmux, "s", "/bind", "server.bind(('127.0.0.1', 0))  -> None");
    call(&tmux, "s", "/listen 5", "server.listen(5)  -> None");
    let screen = call(&tmux, "s", "/getsockname", "getsockname()  -> ('127.0.0.1', ");
    let port = port_of(&screen).expect("port on screen");

    // The tutorial's client connects, sends a line and waits for the answer.
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/peers/tcp_client.py");
    tmux.shell("c");
    tmux.line("c", &format!("printf 'hello\\n' | python3 {peer} {port}"));
    let screen = tmux.wait_for("s", "the client in the accept queue", |s| {
        s.contains("(in the accept queue)") && s.contains("accept queue 1 (backlog 5)")
    });
    assert!(!screen.contains("server.accept()"), "nobody called accept yet:\n{screen}");
    assert!(screen.contains("F8: /accept"), "F8 suggests accept:\n{screen}");

    call(&tmux, "s", "/accept", "sock, caddr = server.accept()  -> (<socket fd=");
    tmux.wait_for("s", "the accept queue emptied", |s| !s.contains("accept queue 1"));
    call(&tmux, "s", "/recv 4", "sock.recv(4)  -> b'hell'");

    // The client waits for an answer, so a blocking recv blocks after the
    // rest of the line: Ctrl-C interrupts it instead of quitting.
    call(&tmux, "s", "/recv 1024", "sock.recv(1024)  -> b'o\\n'");
    tmux.line("s", "/recv 1024");
    tmux.wait_for("s", "the blocked recv", |s| s.contains("blocked in recv()"));
    tmux.keys("s", &["C-c"]);
    tmux.wait_for("s", "KeyboardInterrupt", |s| {
        s.contains("sock.recv(1024)  -> KeyboardInterrupt") && !s.contains("blocked in recv()")
    });
    tmux.keys("s", &["C-q"]);
    tmux.wait_for("s", "sockpit gone", |s| !s.contains("tcp server step"));
}

/// Whether python3 can bind and listen on `port` (a program nobody here
/// wrote decides whether the port is free).
fn python_can_bind(port: u16) -> bool {
    let script = format!(
        "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', {port}))\ns.listen(1)\nprint('bound')"
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).contains("bound")
}

#[test]
fn alt_r_while_accept_blocks_frees_the_port_at_once() {
    let tmux = Tmux::new();
    tmux.shell("s");
    tmux.sockpit("s", "tcp server 127.0.0.1:0 --step");
    tmux.wait_for("s", "step mode in the status bar", |s| s.contains("tcp server step"));
    call(&tmux, "s", "/socket", "server = socket.socket(");
    call(&tmux, "s", "/bind", "server.bind(('127.0.0.1', 0))  -> None");
    call(&tmux, "s", "/listen 5", "server.listen(5)  -> None");
    let screen = call(&tmux, "s", "/getsockname", "getsockname()  -> ('127.0.0.1', ");
    let port = port_of(&screen).expect("port on screen");
    tmux.line("s", "/accept");
    tmux.wait_for("s", "the blocked accept", |s| s.contains("blocked in accept()"));
    assert!(!python_can_bind(port), "the listener holds port {port}");

    tmux.keys("s", &["M-r"]);
    tmux.wait_for("s", "the reset", |s| s.contains("lesson reset"));
    // The old session's end is asynchronous: bounded, and short.
    let deadline = std::time::Instant::now() + common::tmux::PATIENCE;
    while !python_can_bind(port) {
        assert!(std::time::Instant::now() < deadline, "port {port} still held after Alt-R");
    }
    // The new session can take the port again.
    call(&tmux, "s", "/socket", "server = socket.socket(");
    call(
        &tmux,
        "s",
        &format!("/bind 127.0.0.1:{port}"),
        &format!("server.bind(('127.0.0.1', {port}))  -> None"),
    );
    tmux.keys("s", &["C-q"]);
    tmux.wait_for("s", "sockpit gone", |s| !s.contains("tcp server step"));
}
