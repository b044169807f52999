//! `--wire` against tshark, for real: inside a fresh user + network
//! namespace (`unshare -rn`), run as an unprivileged user (uid 65534 when
//! the tests run as root), a headless sockpit server and client talk while
//! `tshark -i lo` captures the same loopback. The client's `segment` events
//! must equal tshark's fields one for one, in order, with relative seq/ack
//! as tshark shows them by default.
//!
//! Everything waits on files with bounded polls (the `wait_for` of each
//! script, 15 s); tshark is ready once it says "Capturing on" and its file
//! has a header (tshark 4.0 prints the line before dumpcap opens `lo`), and
//! is stopped once its file holds as many frames as sockpit saw.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;

use serde_json::Value;

use common::userns::{Ns, we_are_root};

/// The `segment` events among JSON lines.
fn segments(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["ev"] == "segment")
        .collect()
}

/// A TCP segment event as tshark's fields: flags, seq, ack, len, window.
fn tcp_row(v: &Value) -> String {
    let field = |k: &str| v[k].to_string();
    let flags = v["flags"].as_str().unwrap_or("?").to_string();
    [flags, field("seq"), field("ack"), field("len"), field("win")].join("\t")
}

/// tshark's `tcp.flags.str` (`·······A··S·`) as our names (`SYN,ACK`): the
/// last twelve characters are the bits, FIN last.
fn flag_names(bits: &str) -> String {
    const NAMES: [&str; 9] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];
    let set: Vec<&str> = bits
        .chars()
        .rev()
        .zip(NAMES)
        .filter(|(c, _)| *c != '\u{b7}')
        .map(|(_, name)| name)
        .collect();
    set.join(",")
}

/// tshark's rows (`-e tcp.flags.str -e tcp.seq ...`) in our spelling.
fn tshark_tcp_rows(fields: &str) -> Vec<String> {
    fields
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cols: Vec<String> = l.split('\t').map(str::to_string).collect();
            if let Some(first) = cols.first_mut() {
                *first = flag_names(first);
            }
            cols.join("\t")
        })
        .collect()
}

const TSHARK_TCP: &str = "tshark -r cap.pcapng -T fields -e tcp.flags.str -e tcp.seq -e tcp.ack \
                          -e tcp.len -e tcp.window_size >fields.txt 2>fields.err\n";

#[test]
fn tcp_segments_equal_tsharks_one_for_one() {
    let ns = Ns::new();
    let out = ns.run(&format!(
        r#"tshark_start
printf 'hi\n' | "$SOCKPIT" tcp server 127.0.0.1:7000 --headless --wire --events json >srv.out 2>srv.err &
SRV=$!
wait_for srv.err '"ev":"listening"'
set +e
printf 'hello\n' | "$SOCKPIT" tcp client 127.0.0.1:7000 --headless --wire --events json >cli.out 2>cli.err
echo $? >cli.rc
wait $SRV; echo $? >srv.rc
set -e
tshark_stop "$(grep -c '"ev":"segment"' cli.err)"
{TSHARK_TCP}"#
    ));
    let show = ns.show(&out);
    assert_eq!((ns.code("cli"), ns.code("srv")), (Some(0), Some(0)), "{show}");
    assert_eq!((ns.file("cli.out"), ns.file("srv.out")), ("hi\n".into(), "hello\n".into()));
    let ours: Vec<String> = segments(&ns.file("cli.err")).iter().map(tcp_row).collect();
    let theirs = tshark_tcp_rows(&ns.file("fields.txt"));
    assert_eq!(ours, theirs, "client's segment events vs tshark\n{show}");
    let flags: Vec<&str> = ours.iter().filter_map(|r| r.split('\t').next()).collect();
    assert_eq!(flags[..3], ["SYN", "SYN,ACK", "ACK"], "the handshake first\n{show}");
    assert_eq!(flags.iter().filter(|f| f.starts_with("PSH")).count(), 2, "data both ways");
    assert_eq!(flags.iter().filter(|f| f.starts_with("FIN")).count(), 2, "FIN on both sides");
    assert_eq!(flags.last(), Some(&"ACK"), "the last ACK last\n{show}");
    // The same conversation from the server's side: every segment, the
    // other way round.
    let server = segments(&ns.file("srv.err"));
    assert_eq!(server.len(), ours.len(), "{show}");
    let sent = |v: &Value| v["dir"] == "send";
    assert!(segments(&ns.file("cli.err")).iter().zip(&server).all(|(c, s)| sent(c) != sent(s)));
}

#[test]
fn a_connect_to_a_closed_port_shows_syn_then_rst_ack() {
    let ns = Ns::new();
    let out = ns.run(&format!(
        r#"tshark_start
set +e
printf 'x\n' | "$SOCKPIT" tcp client 127.0.0.1:9 --headless --wire --events json >cli.out 2>cli.err
echo $? >cli.rc
set -e
tshark_stop 2
{TSHARK_TCP}"#
    ));
    let show = ns.show(&out);
    assert_eq!(ns.code("cli"), Some(1), "{show}");
    let events = segments(&ns.file("cli.err"));
    let ours: Vec<String> = events.iter().map(tcp_row).collect();
    assert_eq!(ours, tshark_tcp_rows(&ns.file("fields.txt")), "{show}");
    let flags: Vec<&str> = events.iter().filter_map(|v| v["flags"].as_str()).collect();
    assert_eq!(flags, ["SYN", "RST,ACK"], "{show}");
    assert_eq!(
        (events[0]["dir"].as_str(), events[1]["dir"].as_str()),
        (Some("send"), Some("recv"))
    );
}

#[test]
fn udp_datagrams_are_segments_too() {
    let ns = Ns::new();
    let out = ns.run(
        r#"tshark_start
mkfifo srv.in
"$SOCKPIT" udp server 127.0.0.1:8888 --headless --wire --events json <srv.in >srv.out 2>srv.err &
SRV=$!
exec 3>srv.in
wait_for srv.err '"ev":"listening"'
(printf 'one\ntwo\n' | "$SOCKPIT" udp client 127.0.0.1:8888 --headless --wire --events json \
    --timeout 1 >cli.out 2>cli.err; echo $? >cli.rc) &
CLI=$!
wait_for srv.out two
printf 'pong\n' >&3
wait $CLI
kill $SRV
tshark_stop 3
tshark -r cap.pcapng -T fields -e udp.srcport -e udp.dstport -e udp.length >fields.txt 2>fields.err
"#,
    );
    let show = ns.show(&out);
    assert_eq!((ns.code("cli"), ns.file("cli.out")), (Some(0), "pong\n".into()), "{show}");
    let events = segments(&ns.file("cli.err"));
    let ours: Vec<String> = events
        .iter()
        .map(|v| {
            let port = |k: &str| v[k].as_str().and_then(|a| a.rsplit(':').next()).unwrap_or("?");
            let len = v["len"].as_u64().unwrap_or(0) + 8; // udp.length counts its header
            format!("{}\t{}\t{len}", port("src"), port("dst"))
        })
        .collect();
    let theirs: Vec<String> = ns.file("fields.txt").lines().map(str::to_string).collect();
    assert_eq!(ours, theirs, "{show}");
    let seen: Vec<(&str, u64)> = events
        .iter()
        .map(|v| (v["dir"].as_str().unwrap_or("?"), v["len"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(seen, [("send", 4), ("send", 4), ("recv", 5)], "{show}");
    assert!(events.iter().all(|v| v["proto"] == "UDP" && v.get("flags").is_none()));
}

#[test]
fn without_cap_net_raw_wire_says_why_and_what_to_do() {
    if !we_are_root() {
        return; // the other tests already run as the user they are
    }
    let ns = Ns::new();
    let out = Command::new("timeout")
        .args(["30", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(ns.dir.join("sockpit"))
        .args(["tcp", "client", "127.0.0.1:9", "--headless", "--wire"])
        .output()
        .expect("run sockpit as nobody");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "sockpit: socket AF_PACKET failed: EPERM (operation not permitted): capturing needs \
         CAP_NET_RAW; try running the demo (its own network namespace) or sudo setcap \
         cap_net_raw+ep $(which sockpit)"
    );
}

#[test]
fn in_the_tui_wire_without_a_capture_exits_1_before_the_terminal() {
    if !we_are_root() {
        return; // the test needs a user without CAP_NET_RAW: setpriv as root
    }
    // `--wire` in the TUI means "capture or nothing": outside a namespace
    // without CAP_NET_RAW it says why on stderr, as headless does, and
    // never takes the terminal (`script` gives it one).
    let ns = Ns::new();
    let bin = ns.dir.join("sockpit");
    let line = format!(
        "setpriv --reuid=65534 --regid=65534 --clear-groups {} tcp client 127.0.0.1:9 --wire",
        bin.display()
    );
    let out = Command::new("timeout")
        .args(["30", "script", "-qec", &line, "/dev/null"])
        .output()
        .expect("run script");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("socket AF_PACKET failed: EPERM"), "{shown}");
    assert!(shown.contains("sudo setcap cap_net_raw+ep $(which sockpit)"), "{shown}");
    assert!(!shown.contains("Lifecycle"), "the TUI never started: {shown}");
}
