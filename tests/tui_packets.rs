//! The packet inspector in a real terminal (tmux, see
//! `common::tmux`): an HTTP request typed with `--eol crlf` against the
//! tutorial's web server, the reply found with F3 and opened in the inspector,
//! the session recorded by `--log` and `--pcap` and saved by F9. Every wait
//! is a bounded poll of a condition.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::path::PathBuf;

use common::tmux::{Tmux, line_with};
use common::{Proc, TempDir as Dir, python};
use serde_json::Value;

/// The bytes of a transcript's data events in direction `dir`, in order.
fn logged(transcript: &str, dir: &str) -> Vec<u8> {
    transcript
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .filter(|v| v["ev"] == "data" && v["dir"] == dir)
        .flat_map(|v| v["text"].as_str().expect("text data").as_bytes().to_vec())
        .collect()
}

#[test]
fn crlf_request_to_the_seeds_web_server_shows_hello_world() {
    let mut web = Proc::spawn(python("socket_web.py", &["0"]));
    let port = web.port_line();
    let dir = Dir::new("tui-http");
    let (log, pcap) = (dir.0.join("t.jsonl"), dir.0.join("s.pcapng"));
    let t = Tmux::new();
    t.shell("c");
    t.line("c", &format!("cd {}", dir.0.display()));
    let record = format!("--log {} --pcap {}", log.display(), pcap.display());
    t.sockpit("c", &format!("tcp client 127.0.0.1:{port} --eol crlf {record}"));
    t.wait_for("c", "the connection and EOL CRLF", |s| {
        s.contains("connected to") && s.contains("EOL CRLF")
    });
    t.line("c", "GET / HTTP/1.0");
    // An empty Enter sends the bare line ending: the blank line HTTP wants.
    t.keys("c", &["Enter"]);
    t.wait_for("c", "the reply", |s| line_with(s, &["←", "Hello, World"]));
    // The server got exactly the request line with CRLF.
    web.wait_stdout_has(b"GET / HTTP/1.0\r\n");

    // F3 finds the reply; Tab moves to the history; Enter opens the inspector.
    t.keys("c", &["F3"]);
    t.wait_for("c", "the search prompt", |s| s.contains("Search history"));
    t.line("c", "World");
    t.keys("c", &["Tab"]);
    t.keys("c", &["Enter"]);
    let screen = t.wait_for("c", "the reply's bytes in the inspector", |s| {
        s.contains("Inspector: ← received") && s.contains("Hello, World|")
    });
    assert!(screen.contains("48 65 6c 6c 6f"), "{screen}");
    // Outside step mode the auto driver reads what is waiting.
    assert!(screen.contains("client.recv(65536)"), "{screen}");
    t.keys("c", &["Escape"]);
    t.wait_for("c", "the inspector closed", |s| !s.contains("Inspector:"));
    // End follows the newest entries again (the search left one selected).
    t.keys("c", &["End", "F9"]);
    t.wait_for("c", "F9's answer", |s| s.contains("F9: the capture is written live to"));
    t.keys("c", &["C-q"]);
    t.assert_shell_back("c");

    // The transcript holds every byte each way; the capture is pcapng.
    let transcript = std::fs::read_to_string(&log).expect("the transcript");
    assert!(logged(&transcript, "send").starts_with(b"GET / HTTP/1.0\r\n"), "{transcript}");
    assert_eq!(logged(&transcript, "recv"), b"HTTP/1.1 200 OK\r\n\r\nHello, World");
    let capture = std::fs::read(&pcap).expect("the capture");
    assert_eq!(capture[..4], [0x0a, 0x0d, 0x0d, 0x0a], "a pcapng section header");
    assert!(capture.windows(12).any(|w| w == b"Hello, World"), "the reply is in a frame");
}

#[test]
fn f9_without_pcap_saves_a_file_in_the_current_directory() {
    let mut web = Proc::spawn(python("socket_web.py", &["0"]));
    let port = web.port_line();
    let dir = Dir::new("tui-f9");
    let t = Tmux::new();
    t.shell("c");
    t.line("c", &format!("cd {}", dir.0.display()));
    t.sockpit("c", &format!("tcp client 127.0.0.1:{port} --eol crlf"));
    t.wait_for("c", "the connection", |s| s.contains("connected to"));
    t.line("c", "GET / HTTP/1.0");
    t.wait_for("c", "the reply", |s| line_with(s, &["←", "Hello, World"]));
    t.keys("c", &["F9"]);
    t.wait_for("c", "F9's answer", |s| s.contains("pcapng to ./sockpit-"));
    let saved: Vec<PathBuf> = std::fs::read_dir(&dir.0)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcapng"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let name = saved[0].file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    assert!(name.starts_with("sockpit-") && name.ends_with(".pcapng"), "{name}");
    let capture = std::fs::read(&saved[0]).expect("the capture");
    assert_eq!(capture[..4], [0x0a, 0x0d, 0x0d, 0x0a], "a pcapng section header");
    assert!(capture.windows(12).any(|w| w == b"Hello, World"), "the reply is in a frame");
    t.keys("c", &["C-q"]);
    t.assert_shell_back("c");
}

#[test]
fn a_log_that_cannot_be_created_is_a_message_and_exit_1() {
    let t = Tmux::new();
    t.shell("c");
    t.sockpit("c", "tcp server 127.0.0.1:0 --log /nonexistent-dir/t.jsonl; echo rc=$?");
    let screen = t.wait_for("c", "the exit code", |s| s.lines().any(|l| l.starts_with("rc=")));
    assert!(screen.contains("open /nonexistent-dir/t.jsonl failed: ENOENT"), "{screen}");
    assert!(screen.lines().any(|l| l.trim() == "rc=1"), "{screen}");
    t.assert_shell_back("c");
}
