//! `--tls` in the real TUI, in tmux: an `--insecure` client's socket panel
//! says loudly that the server's certificate was not verified, and lines
//! still go both ways as plaintext; inside `unshare -rn` (where the TUI
//! captures), F9's pcapng carries the TLS secrets, so `tshark -r` with no
//! option shows the lines typed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::tmux::*;
use common::userns::Ns;

#[test]
fn an_insecure_tls_client_shows_the_unverified_line() {
    let t = Tmux::new();
    t.shell("server");
    t.shell("client");
    t.sockpit("server", "tcp server 127.0.0.1:0 --tls");
    let port = t.port("server");
    t.sockpit("client", &format!("tcp client 127.0.0.1:{port} --tls --insecure"));
    let screen =
        t.wait_for("client", "the unverified line", |s| s.contains("NOT VERIFIED (--insecure)"));
    assert!(screen.contains("a check would fail: certificate"), "{screen}");
    assert!(screen.contains("History · TLS plaintext"), "{screen}");
    assert!(screen.contains("tls = ctx.wrap_socket(client"), "{screen}");
    t.wait_for("server", "the server's TLS section", |s| {
        s.contains("client certificate not asked")
    });
    t.line("client", "hello over tls");
    t.wait_for("server", "the client's line", |s| line_with(s, &["←", "hello over tls"]));
    t.keys("client", &["C-q"]);
    t.keys("server", &["C-q"]);
    t.assert_shell_back("client");
    t.assert_shell_back("server");
}

#[test]
fn f9_saves_a_capture_tshark_decrypts_with_no_option() {
    let ns = Ns::new();
    // openssl s_server in the namespace sends back each line reversed.
    let script = "set -e; \
         openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
           -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
           -addext basicConstraints=critical,CA:FALSE -keyout key.pem -out cert.pem 2>req.err; \
         openssl s_server -accept 127.0.0.1:4433 -naccept 1 -rev -cert cert.pem -key key.pem \
           >ss.out 2>ss.err </dev/null & \
         for _ in $(seq 200); do grep -q ACCEPT ss.out && break; sleep 0.05; done; \
         ./sockpit tcp client 127.0.0.1:4433 --tls --cafile cert.pem; echo exited-$?; sleep 30";
    let t = ns.tmux(script);
    t.wait_for("client", "the handshake", |s| s.contains("tls.version()"));
    t.line("client", "from-sockpit-0815");
    // The reply's frame was captured before its bytes reached the socket.
    t.wait_for("client", "the reply", |s| line_with(s, &["←", "5180-tipkcos-morf"]));
    t.keys("client", &["F9"]);
    let screen = t.wait_for("client", "F9's answer", |s| s.contains("F9: saved"));
    assert!(screen.contains("(the captured frames)"), "{screen}");
    t.keys("client", &["C-q"]);
    t.wait_for("client", "sockpit's exit", |s| s.contains("exited-0"));
    let saved = ns.pcapngs();
    assert_eq!(saved.len(), 1, "one pcapng saved by F9");
    let out = std::process::Command::new("tshark")
        .arg("-r")
        .arg(&saved[0])
        .args(["-q", "-z", "follow,tls,ascii,0"])
        .output()
        .expect("tshark (scripts/test installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("from-sockpit-0815") && text.contains("5180-tipkcos-morf"),
        "tshark -r decrypts F9's file: {text}"
    );
}
