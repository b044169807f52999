//! Issue 16 in a real terminal (tmux, every wait a bounded poll): a TUI
//! relay holds client → server, a Python client's line waits in it, is
//! edited and forwarded, and the server receives the edited bytes; a line
//! injected toward the client reaches it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;

use common::tmux::Tmux;
use common::{Proc, sockpit_json};

/// A Python client: connects, prints `connected`, sends each stdin line,
/// and prints what comes back.
const CLIENT: &str = r#"
import socket, sys, threading
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
print("connected", flush=True)
def back():
    while True:
        data = s.recv(4096)
        if not data:
            return
        sys.stdout.write("got: " + data.decode()); sys.stdout.flush()
threading.Thread(target=back, daemon=True).start()
for line in sys.stdin:
    s.sendall(line.encode())
"#;

#[test]
fn hold_edit_forward_and_inject_through_a_tui_relay() {
    // The server keeps stdin open, so it never half-closes by itself.
    let mut server = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--keep-open"]));
    let upstream = server.listening();
    let t = Tmux::new();
    t.shell("relay");
    t.sockpit("relay", &format!("tcp relay 127.0.0.1:0 {upstream}"));
    let port = t.port("relay");
    let mut py = Command::new("python3");
    py.args(["-u", "-c", CLIENT, &port.to_string()]);
    let mut client = Proc::spawn(py);
    client.wait_stdout_has(b"connected\n");
    t.wait_for("relay", "the pair", |s| s.contains("pair: client 127.0.0.1:"));

    t.keys("relay", &["M-u"]);
    t.wait_for("relay", "the hold", |s| s.contains("client → server held"));
    client.write(b"hello from python\n");
    t.wait_for("relay", "the held chunk", |s| s.contains("HOLD up (1 waiting)"));
    // Held: the server has nothing yet.
    assert!(!server.stdout_has(b"hello"), "a held chunk reached the server");

    t.keys("relay", &["M-e"]);
    t.wait_for("relay", "the chunk to edit", |s| s.contains("> /edit hello from python\\n"));
    t.keys("relay", &["C-u"]);
    t.line("relay", r"/edit HELLO, EDITED\n");
    t.keys("relay", &["M-n"]);
    let got = server.wait_stdout_has(b"HELLO, EDITED\n");
    assert_eq!(got, b"HELLO, EDITED\n", "the server got the edited bytes, and only them");
    t.wait_for("relay", "nothing waiting", |s| s.contains("HOLD up (0 waiting)"));

    t.line("relay", "/to-client injected by sockpit");
    client.wait_stdout_has(b"got: injected by sockpit\n");
    t.wait_for("relay", "the injection noted", |s| s.contains("injected 20 B server → client"));

    t.keys("relay", &["C-q"]);
    t.assert_shell_back("relay");
    client.kill();
    server.kill();
}
