//! `--tls` in the real TUI, in tmux: an `--insecure` client's socket panel
//! says loudly that the server's certificate was not verified, and lines
//! still go both ways as plaintext.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::tmux::*;

fn line_with(screen: &str, parts: &[&str]) -> bool {
    screen.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

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
