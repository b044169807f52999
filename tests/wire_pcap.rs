//! The pcapng written from the capture (`--wire --pcap FILE`), for real:
//! inside `unshare -rn` as an unprivileged user, a headless client writes
//! its capture while `tshark -i lo` captures the same loopback. tshark
//! reads our file without a word on stderr, its frames are byte for byte
//! tshark's own (same count, order and bytes), each carries the direction
//! seen from the client, and its section says it is a capture.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::userns::Ns;

/// `tshark -r FILE -x`: every frame's bytes as a hex dump, frame by frame.
const DUMPS: &str = r"
tshark -r ours.pcapng -x >ours.hex 2>ours.err
tshark -r cap.pcapng -x >theirs.hex 2>theirs.err
tshark -r ours.pcapng -T fields -e frame.packet_flags_direction -e tcp.flags.str \
    >ours.dir 2>>ours.err
capinfos ours.pcapng >ours.info 2>>ours.err
";

#[test]
fn the_capture_pcapng_is_tsharks_capture_with_directions() {
    let ns = Ns::new();
    let out = ns.run(&format!(
        r#"tshark_start
printf 'hi\n' | "$SOCKPIT" tcp server 127.0.0.1:7000 --headless >srv.out 2>srv.err &
SRV=$!
wait_for srv.err 'listening'
set +e
printf 'hello\n' | "$SOCKPIT" tcp client 127.0.0.1:7000 --headless --wire --events json \
    --pcap ours.pcapng >cli.out 2>cli.err
echo $? >cli.rc
wait $SRV; echo $? >srv.rc
set -e
tshark_stop "$(grep -c '"ev":"segment"' cli.err)"
{DUMPS}"#
    ));
    let show = ns.show(&out);
    assert_eq!((ns.code("cli"), ns.code("srv")), (Some(0), Some(0)), "{show}");
    let ours = ns.file("ours.hex");
    let theirs = ns.file("theirs.hex");
    let stderr: Vec<String> = ns
        .file("ours.err")
        .lines()
        .filter(|l| !l.starts_with("Running as user \"root\""))
        .map(str::to_string)
        .collect();
    assert!(stderr.is_empty(), "tshark -r ours.pcapng said: {stderr:?}\n{show}");
    assert!(!ours.is_empty(), "{show}");
    assert_eq!(ours, theirs, "our frames vs tshark's own capture\n{show}");
    // Every frame's direction, from the client: what it sent is outbound.
    let segments: Vec<serde_json::Value> = ns
        .file("cli.err")
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["ev"] == "segment")
        .collect();
    // pcapng's epb_flags bits 0-1: 01 inbound, 10 outbound.
    let dirs: Vec<String> =
        ns.file("ours.dir").lines().map(|l| l.split('\t').next().unwrap_or("").into()).collect();
    let want: Vec<String> = segments
        .iter()
        .map(|v| if v["dir"] == "send" { "0x00000002" } else { "0x00000001" }.to_string())
        .collect();
    assert_eq!(dirs, want, "epb_flags direction per frame\n{show}");
    assert!(dirs.len() >= 8, "handshake, data both ways, both FINs: {dirs:?}");
    assert!(ns.file("ours.info").contains("captured by sockpit (AF_PACKET)"), "{show}");
}
