//! `AF_UNIX`: stream chat with socat on both sides, datagrams with socat's
//! UNIX-SENDTO/UNIX-RECVFROM (the client binds so it can be answered),
//! SEQPACKET between two sockpits with message boundaries kept, abstract
//! names, and the stale socket file a dead server leaves behind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::Command;

use common::grammar::error_line;
use common::*;

/// socat with `-d -d`, so it says on stderr when it listens.
fn socat(args: &[&str]) -> Proc {
    let mut cmd = Command::new("socat");
    cmd.args(["-d", "-d"]).args(args);
    Proc::spawn(cmd)
}

/// A sockpit server at `name` (JSON events), once it is listening.
fn server(name: &str, extra: &[&str]) -> Proc {
    let mut args = vec!["unix", "server", name];
    args.extend_from_slice(extra);
    let mut me = Proc::spawn(sockpit_json(&args));
    let ev = me.wait_event("listening", |v| v["ev"] == "listening");
    assert_eq!(ev["local"], name, "{ev}");
    me
}

#[test]
fn stream_server_chats_with_socat_unix_connect() {
    let dir = TempDir::new("unix-stream-server");
    let path = dir.path("chat.sock");
    let mut me = server(&path, &[]);
    let mut peer = socat(&["-", &format!("UNIX-CONNECT:{path}")]);
    peer.write("hello from socat 你好\n".as_bytes());
    me.wait_stdout_has("hello from socat 你好\n".as_bytes());
    me.write(b"hello from sockpit\n");
    peer.wait_stdout_has(b"hello from sockpit\n");
    peer.close_stdin();
    me.close_stdin();
    me.expect_code(0, SOON);
    peer.expect_code(0, SOON);
    let events = json_lines(&me.stderr);
    assert!(
        events.iter().any(|v| v["call"] == "socket"
            && v["py"].as_str().unwrap_or("").contains("AF_UNIX, socket.SOCK_STREAM")),
        "socket(AF_UNIX, SOCK_STREAM) among {events:#?}"
    );
    assert!(
        events.iter().any(|v| v["call"] == "bind" && v["py"] == format!("server.bind('{path}')")),
        "bind shown as Python writes it"
    );
    assert!(!Path::new(&path).exists(), "the server removes its socket file when done");
}

#[test]
fn stream_client_chats_with_socat_unix_listen() {
    let dir = TempDir::new("unix-stream-client");
    let path = dir.path("listen.sock");
    let mut peer = socat(&[&format!("UNIX-LISTEN:{path}"), "-"]);
    peer.wait_line("socat listening", |l| l.contains("listening on"));
    let mut me = Proc::spawn(sockpit_json(&["unix", "client", &path]));
    me.wait_event("connected", |v| v["ev"] == "connected");
    me.write(b"ping over unix\n");
    peer.wait_stdout_has(b"ping over unix\n");
    peer.write(b"pong\n");
    me.wait_stdout_has(b"pong\n");
    me.close_stdin();
    peer.close_stdin();
    me.expect_code(0, SOON);
    peer.expect_code(0, SOON);
}

#[test]
fn dgram_server_answers_a_bound_socat_sender() {
    let dir = TempDir::new("unix-dgram-server");
    let (path, client) = (dir.path("d.sock"), dir.path("client.sock"));
    let mut me = server(&path, &["--dgram"]);
    let mut peer = socat(&["-", &format!("UNIX-SENDTO:{path},bind={client}")]);
    peer.write(b"datagram one\n");
    me.wait_stdout_has(b"datagram one\n");
    let from = me.wait_event("recvfrom", |v| v["ev"] == "data" && v["dir"] == "recv");
    assert_eq!(from["peer"], client.as_str(), "the sender is known by its bound path");
    me.write(b"answer\n");
    peer.wait_stdout_has(b"answer\n");
    peer.kill();
    me.kill();
}

#[test]
fn dgram_client_binds_so_socat_recvfrom_can_answer() {
    let dir = TempDir::new("unix-dgram-client");
    let path = dir.path("r.sock");
    let mut peer = socat(&[&format!("UNIX-RECVFROM:{path},fork"), "EXEC:tr a-z A-Z"]);
    peer.wait_line("socat receiving", |l| l.contains("receiving on"));
    let mut me = Proc::spawn(sockpit_json(&["unix", "client", &path, "--dgram"]));
    me.write(b"shout this\n");
    me.wait_stdout_has(b"SHOUT THIS\n");
    me.close_stdin();
    me.expect_code(0, SOON);
    let events = json_lines(&me.stderr);
    let bind = events.iter().find(|v| v["call"] == "bind").expect("the client binds first");
    assert_eq!(bind["py"], "client.bind('')", "autobind, as Python spells it");
    let local = events.iter().find(|v| v["ev"] == "connected").expect("connected")["local"].clone();
    assert!(local.as_str().is_some_and(|l| l.starts_with('@')), "autobound abstract name: {local}");
    peer.kill();
}

#[test]
fn seqpacket_keeps_each_message_whole_between_two_sockpits() {
    let dir = TempDir::new("unix-seqpacket");
    let path = dir.path("sp.sock");
    let mut me = server(&path, &["--seqpacket"]);
    let mut client = Proc::spawn(sockpit_json(&["unix", "client", &path, "--seqpacket"]));
    client.wait_event("connected", |v| v["ev"] == "connected");
    // Two lines in one write: two messages, never joined into one recv.
    client.write(b"first\nsecond\n");
    me.wait_count("two recv data events", 2, |l| {
        l.contains("\"ev\":\"data\"") && l.contains("\"dir\":\"recv\"")
    });
    let texts: Vec<String> = json_lines(&me.stderr)
        .iter()
        .filter(|v| v["ev"] == "data" && v["dir"] == "recv")
        .map(|v| v["text"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(texts, ["first\n", "second\n"], "one recv per message");
    me.write(b"reply\n");
    client.wait_stdout_has(b"reply\n");
    client.close_stdin();
    me.close_stdin();
    client.expect_code(0, SOON);
    me.expect_code(0, SOON);
    let socket =
        json_lines(&client.stderr).into_iter().find(|v| v["call"] == "socket").expect("socket");
    assert_eq!(socket["py"], "client = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)");
}

#[test]
fn abstract_names_need_no_file() {
    let name = format!("sockpit-test-{}", std::process::id());
    let mut me = server(&format!("@{name}"), &[]);
    let mut peer = socat(&["-", &format!("ABSTRACT-CONNECT:{name}")]);
    peer.write(b"no file here\n");
    me.wait_stdout_has(b"no file here\n");
    let bind = json_lines(&me.stderr).into_iter().find(|v| v["call"] == "bind").expect("bind");
    assert_eq!(bind["py"], format!("server.bind(b'\\x00{name}')"), "Python's abstract form");
    peer.kill();
    me.kill();
}

#[test]
fn a_stale_socket_file_is_named_and_unlink_clears_it() {
    let dir = TempDir::new("unix-stale");
    let path = dir.path("stale.sock");
    // A server that died without cleaning up: the file stays, nobody listens.
    drop(UnixListener::bind(&path).expect("bind"));
    assert!(Path::new(&path).exists());

    let out = common::sockpit(&["unix", "server", &path])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "a runtime failure exits 1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let msg = error_line(&stderr, "bind", &path);
    assert_eq!(msg.name, "EADDRINUSE");
    assert!(msg.sentence.contains("stale socket file"), "{}", msg.full);
    assert!(msg.full.ends_with("try --unlink to remove it, or another path"), "{}", msg.full);
    assert_eq!(stderr.matches("failed:").count(), 1, "said once:\n{stderr}");
    assert!(Path::new(&path).exists(), "nothing removed without --unlink");

    let mut me = server(&path, &["--unlink"]);
    let mut peer = socat(&["-", &format!("UNIX-CONNECT:{path}")]);
    peer.write(b"after unlink\n");
    me.wait_stdout_has(b"after unlink\n");
    let binds: Vec<bool> = json_lines(&me.stderr)
        .iter()
        .filter(|v| v["call"] == "bind")
        .map(|v| v["ok"] == true)
        .collect();
    assert_eq!(binds, [false, true], "the failed bind, then the one after removing the file");
    peer.kill();
    me.kill();
}

#[test]
fn a_live_server_or_another_file_is_never_removed() {
    let dir = TempDir::new("unix-live");
    let path = dir.path("live.sock");
    let mut first = server(&path, &[]);
    let out = common::sockpit(&["unix", "server", &path, "--unlink"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let msg = error_line(&String::from_utf8_lossy(&out.stderr), "bind", &path);
    assert!(msg.sentence.contains("a server is listening"), "{}", msg.full);
    first.kill();

    let plain = dir.path("notes.txt");
    std::fs::write(&plain, b"keep me").expect("write");
    let out = common::sockpit(&["unix", "server", &plain, "--unlink"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let msg = error_line(&String::from_utf8_lossy(&out.stderr), "bind", &plain);
    assert!(msg.sentence.contains("not a socket file"), "{}", msg.full);
    assert_eq!(std::fs::read(&plain).expect("still there"), b"keep me");
}

#[test]
fn connecting_to_nothing_says_so() {
    let dir = TempDir::new("unix-nothing");
    let path = dir.path("absent.sock");
    let out = common::sockpit(&["unix", "client", &path])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let msg = error_line(&String::from_utf8_lossy(&out.stderr), "connect", &path);
    assert_eq!(msg.name, "ENOENT");
    assert!(msg.sentence.contains("no socket file"), "{}", msg.full);
}

#[test]
fn options_that_mean_nothing_for_unix_exit_2() {
    for args in [
        &["unix", "server", "/tmp/x.sock", "--pcap", "/tmp/x.pcapng"][..],
        &["unix", "client", "/tmp/x.sock", "--export-py", "/tmp/x.py"],
        &["unix", "server", "/tmp/x.sock", "--dgram", "--seqpacket"],
        &["unix", "server", ""],
        // Step mode teaches Unix stream sockets only.
        &["unix", "server", "/tmp/x.sock", "--dgram", "--step"],
        &["unix", "client", "/tmp/x.sock", "--seqpacket", "--step"],
    ] {
        let out = common::sockpit(args).stdin(std::process::Stdio::null()).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
