//! A TCP server with many clients, headless: `--keep-open` keeps every
//! payload apart, `--max-conns` resets the one too many, `--broker` relays
//! each client's lines to the others. Peers are python3, socat and nc.openbsd.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::net::SocketAddr;
use std::process::Command;

use base64::Engine as _;
use common::{Proc, sockpit_json};
use serde_json::Value;

fn server(extra: &[&str]) -> (Proc, SocketAddr) {
    let mut args = vec!["tcp", "server", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut proc = Proc::spawn(sockpit_json(&args));
    let addr = proc.listening();
    (proc, addr)
}

/// Waits until `n` distinct events of kind `ev` have been seen; returns them.
fn wait_events(proc: &mut Proc, ev: &str, n: usize) -> Vec<Value> {
    let mut seen = HashSet::new();
    while seen.len() < n {
        let line = proc.wait_line(ev, |l| {
            !seen.contains(l) && serde_json::from_str::<Value>(l).is_ok_and(|v| v["ev"] == ev)
        });
        seen.insert(line);
    }
    proc.stderr
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["ev"] == ev)
        .collect()
}

fn event_bytes(v: &Value) -> Vec<u8> {
    if let Some(text) = v["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    let b64 = v["b64"].as_str().expect("data has text or b64");
    base64::engine::general_purpose::STANDARD.decode(b64).expect("valid base64")
}

/// 64 KiB that say who sent them everywhere, so a mix-up cannot hide.
fn payload(i: usize) -> Vec<u8> {
    format!("client {i:02} says hello; ").into_bytes().into_iter().cycle().take(64 << 10).collect()
}

#[test]
fn keep_open_keeps_fifty_concurrent_payloads_apart() {
    let (mut srv, addr) = server(&["--keep-open"]);
    let dir = std::env::temp_dir().join(format!("sockpit-multi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut clients = Vec::new();
    for i in 0..50 {
        let file = dir.join(format!("payload-{i}"));
        std::fs::write(&file, payload(i)).unwrap();
        let mut cmd;
        if i % 2 == 0 {
            cmd = Command::new("python3");
            cmd.args(["-c", PY_SEND, &addr.ip().to_string(), &addr.port().to_string()]);
            cmd.arg(&file);
        } else {
            cmd = Command::new("socat");
            cmd.args(["-u", &format!("FILE:{}", file.display()), &format!("TCP:{addr}")]);
        }
        clients.push(Proc::spawn(cmd));
    }
    for client in &mut clients {
        client.expect_code(0, common::BULK);
    }
    wait_events(&mut srv, "eof", 50);
    let mut streams: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    for line in &srv.stderr {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        if v["ev"] == "data" && v["dir"] == "recv" {
            let sock = v["sock"].as_u64().unwrap();
            let stream = streams.entry(sock).or_default();
            assert_eq!(v["offset"].as_u64().unwrap(), stream.len() as u64, "offsets in order");
            stream.extend(event_bytes(&v));
        }
    }
    assert_eq!(streams.len(), 50, "one stream per client");
    let mut found: Vec<usize> = streams
        .values()
        .map(|bytes| {
            let i = (0..50).find(|&i| *bytes == payload(i));
            i.expect("each connection carries exactly one client's payload")
        })
        .collect();
    found.sort_unstable();
    assert_eq!(found, (0..50).collect::<Vec<_>>(), "every client's payload arrived once");
    srv.kill();
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends a file and closes, reading until the server closes too.
const PY_SEND: &str = "import socket,sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.sendall(open(sys.argv[3], 'rb').read())
s.shutdown(socket.SHUT_WR)
s.close()";

/// Connects, prints `ready`, then prints what arrives until EOF or reset.
const PY_HOLD: &str = "import socket,sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
print('ready', flush=True)
try:
    while True:
        d = s.recv(1024)
        if not d:
            print('eof', flush=True); break
        print('data', d, flush=True)
except ConnectionResetError:
    print('reset', flush=True)";

fn holder(addr: SocketAddr) -> Proc {
    let mut cmd = Command::new("python3");
    cmd.args(["-u", "-c", PY_HOLD, &addr.ip().to_string(), &addr.port().to_string()]);
    let mut proc = Proc::spawn(cmd);
    proc.wait_stdout_has(b"ready");
    proc
}

#[test]
fn max_conns_resets_the_one_too_many_and_keeps_the_others() {
    let (mut srv, addr) = server(&["--keep-open", "--max-conns", "2"]);
    let mut first = holder(addr);
    let mut second = holder(addr);
    wait_events(&mut srv, "connected", 2);
    let mut third = holder(addr);
    let rejected = wait_events(&mut srv, "rejected", 1);
    assert_eq!(rejected[0]["limit"], 2);
    let end = third.wait_stdout("eof or reset", |b| {
        let text = String::from_utf8_lossy(b);
        text.contains("eof") || text.contains("reset")
    });
    assert!(!String::from_utf8_lossy(&end).contains("data"), "no data reaches the rejected client");
    // The first two still work: stdin goes to every live connection.
    srv.write(b"still here\n");
    first.wait_stdout_has(b"still here");
    second.wait_stdout_has(b"still here");
    srv.kill();
}

#[test]
fn broker_relays_each_line_to_the_others_only() {
    let (mut srv, addr) = server(&["--broker"]);
    let mut clients: Vec<Proc> = (0..3)
        .map(|_| {
            let mut cmd = Command::new("nc.openbsd");
            cmd.args([addr.ip().to_string(), addr.port().to_string()]);
            Proc::spawn(cmd)
        })
        .collect();
    wait_events(&mut srv, "connected", 3);
    for (i, client) in clients.iter_mut().enumerate() {
        let stdin = client.stdin.as_mut().unwrap();
        // One write per line: `writeln!` on an unbuffered pipe writes the
        // pieces of its format separately, nc sends each as it comes, and
        // a byte broker may then put another client's line between them.
        stdin.write_all(format!("line from {i}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }
    for (i, client) in clients.iter_mut().enumerate() {
        for other in (0..3).filter(|&o| o != i) {
            client.wait_stdout_has(format!("line from {other}\n").as_bytes());
        }
    }
    for (i, client) in clients.iter_mut().enumerate() {
        let got = client.wait_stdout("anything", |_| true);
        let own = format!("line from {i}");
        assert!(!String::from_utf8_lossy(&got).contains(&own), "client {i} got its own line back");
    }
    srv.kill();
}
