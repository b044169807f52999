//! `--source` and `--sink`: a pattern sent instead of stdin, and a server
//! that reads, discards and reports totals — against python3, nc.openbsd
//! and sockpit itself, on 127.0.0.1 port 0.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use serde_json::Value;

use common::*;

/// python3: accepts one TCP connection, reads to EOF, checks that byte k is
/// k mod 256, prints "PORT" then "COUNT OK|BAD".
const TCP_COUNTER: &str = r"
import socket, sys
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
n, ok, buf = 0, True, bytearray(1 << 20)
ref = bytes(range(256)) * 4097
while True:
    k = c.recv_into(buf)
    if k == 0: break
    start = n % 256
    ok = ok and buf[:k] == ref[start:start + k]
    n += k
c.close()
print(n, 'OK' if ok else 'BAD', flush=True)
";

/// python3: binds UDP, prints "PORT", then one "LEN OK|BAD" line per
/// datagram (byte k of each is k mod 256), until `want` datagrams came.
const UDP_COUNTER: &str = r"
import socket, sys
want = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', 0))
s.settimeout(15)
print(s.getsockname()[1], flush=True)
ref = bytes(range(256)) * 256
for _ in range(want):
    d = s.recv(65536)
    print(len(d), 'OK' if d == ref[:len(d)] else 'BAD', flush=True)
";

/// python3: sends `n` datagrams of `size` bytes to 127.0.0.1:PORT.
const UDP_SENDER: &str = r"
import socket, sys
port, n, size = map(int, sys.argv[1:])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(n):
    s.sendto(b'x' * size, ('127.0.0.1', port))
";

fn py(code: &str, args: &[&str]) -> Proc {
    let mut cmd = std::process::Command::new("python3");
    cmd.arg("-c").arg(code).args(args);
    Proc::spawn(cmd)
}

/// The `totals` event a source or sink prints last.
fn totals(proc: &mut Proc) -> Value {
    proc.wait_event("totals", |v| v["ev"] == "totals")
}

#[test]
fn tcp_source_sends_the_pattern_then_shuts_down() {
    let mut peer = py(TCP_COUNTER, &[]);
    let port = peer.port_line();
    let target = format!("127.0.0.1:{port}");
    let mut me = Proc::spawn(sockpit_json(&["tcp", "client", &target, "--source", "8M"]));
    let out = peer.wait_stdout_has(b"OK\n");
    assert_eq!(String::from_utf8_lossy(&out), format!("{port}\n{} OK\n", 8 << 20));
    me.expect_code(0, BULK);
    let t = totals(&mut me);
    assert_eq!((t["dir"].as_str(), t["bytes"].as_u64()), (Some("send"), Some(8 << 20)), "{t}");
    // Chunks are counted, not reported: no data event carries the bytes.
    assert!(!me.stderr.iter().any(|l| l.contains("\"ev\":\"data\"")), "data events printed");
}

#[test]
fn tcp_sink_reports_what_nc_sent() {
    let mut me = Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--sink"]));
    let addr = me.listening();
    let data = random_bytes(5_000_000);
    let mut nc = Proc::spawn({
        let mut cmd = std::process::Command::new("nc.openbsd");
        cmd.args(["-N", "127.0.0.1", &addr.port().to_string()]);
        cmd
    });
    let writer = nc.feed(data);
    me.expect_code(0, BULK);
    writer.join().expect("writer");
    nc.expect_code(0, SOON);
    let t = totals(&mut me);
    assert_eq!((t["dir"].as_str(), t["bytes"].as_u64()), (Some("recv"), Some(5_000_000)), "{t}");
    assert!(t["bytes_per_sec"].as_f64().is_some_and(|r| r > 0.0), "{t}");
    assert!(me.stdout_all().is_empty(), "--sink wrote to stdout");
}

#[test]
fn tcp_source_into_sink_text_lines() {
    let mut srv = Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--sink"]));
    let line = srv.wait_line("listening", |l| l.starts_with("listening on "));
    let port = port_in(line.split_whitespace().nth(2).unwrap_or(&line));
    let mut cli =
        Proc::spawn(sockpit(&["tcp", "client", &format!("127.0.0.1:{port}"), "--source", "3M"]));
    cli.expect_code(0, BULK);
    srv.expect_code(0, BULK);
    let want = format!("received {} B in ", 3 << 20);
    srv.wait_line(&want, |l| l.starts_with(&want) && l.ends_with(" MB/s"));
    cli.wait_line("sent", |l| l.starts_with(&format!("sent {} B in ", 3 << 20)));
}

#[test]
fn udp_source_sends_datagrams_of_size() {
    // 200 datagrams: few enough that loopback keeps every one.
    let mut peer = py(UDP_COUNTER, &["200"]);
    let port = peer.port_line();
    let target = format!("127.0.0.1:{port}");
    let args = ["udp", "client", &target, "--source", "19950", "--size", "100", "--timeout", "0.2"];
    let mut me = Proc::spawn(sockpit_json(&args));
    let out = peer.stdout_all();
    let mut want = format!("{port}\n");
    want.push_str(&"100 OK\n".repeat(199));
    want.push_str("50 OK\n");
    assert_eq!(String::from_utf8_lossy(&out), want);
    me.expect_code(0, SOON);
    let t = totals(&mut me);
    assert_eq!((t["datagrams"].as_u64(), t["bytes"].as_u64()), (Some(200), Some(19950)), "{t}");
}

#[test]
fn udp_sink_counts_and_ends_after_silence() {
    let mut me =
        Proc::spawn(sockpit_json(&["udp", "server", "127.0.0.1:0", "--sink", "--timeout", "0.3"]));
    let addr = me.listening();
    let mut sender = py(UDP_SENDER, &[&addr.port().to_string(), "100", "50"]);
    sender.expect_code(0, SOON);
    me.expect_code(0, SOON);
    let t = totals(&mut me);
    assert_eq!((t["datagrams"].as_u64(), t["bytes"].as_u64()), (Some(100), Some(5000)), "{t}");
    assert!(me.stdout_all().is_empty(), "--sink wrote to stdout");
}

#[test]
fn udp_source_into_udp_sink() {
    let mut srv =
        Proc::spawn(sockpit_json(&["udp", "server", "127.0.0.1:0", "--sink", "--timeout", "0.5"]));
    let addr = srv.listening().to_string();
    let args = ["udp", "client", &addr, "--source", "6400", "--size", "64", "--timeout", "0.1"];
    let mut cli = Proc::spawn(sockpit_json(&args));
    cli.expect_code(0, SOON);
    srv.expect_code(0, SOON);
    assert_eq!(totals(&mut cli)["datagrams"].as_u64(), Some(100));
    assert_eq!(totals(&mut srv)["bytes"].as_u64(), Some(6400));
}

#[test]
fn bad_sizes_are_usage_errors() {
    for (args, says) in [
        (&["tcp", "client", "1", "--source", "1X"][..], "\"1X\" is not a byte count like 32M"),
        (&["tcp", "client", "1", "--source", "0"][..], "\"0\" is not a usable byte count"),
        (&["udp", "client", "1", "--size", "64"][..], "--source"),
        (&["udp", "client", "1", "--source", "1K", "--size", "70000"][..], "--size"),
        (&["udp", "server", "0", "--timeout", "1"][..], "--sink"),
    ] {
        let out = std::process::Command::new(SOCKPIT).args(args).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(says), "{args:?}: {err}");
    }
}
