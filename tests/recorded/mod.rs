//! Helpers for the tests of what sockpit records (`--log`, `--pcap`): temp
//! files, the bytes a JSON-lines transcript holds, and tshark's verdicts.
#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use serde_json::Value;

/// A fresh path in the temp directory, unique to this process and `name`.
pub fn temp_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("sockpit-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// The bytes of one data event (`text` or `b64`).
pub fn data_bytes(event: &Value) -> Vec<u8> {
    if let Some(text) = event["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    let b64 = event["b64"].as_str().unwrap_or_else(|| panic!("data without bytes: {event}"));
    base64::engine::general_purpose::STANDARD.decode(b64).expect("valid base64")
}

/// A transcript's lines, each checked to be whole JSON with the schema's
/// `v`, `t` and `ev`; the file must end with a newline (no cut-off line).
pub fn transcript(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("transcript is UTF-8");
    assert!(text.ends_with('\n'), "the last line is not complete: {:?}", tail(&text));
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line is not JSON ({e}): {:?}", tail(line)));
            assert_eq!(v["v"], 1, "schema version: {line}");
            assert!(v["t"].is_u64() && v["ev"].is_string(), "schema fields: {line}");
            v
        })
        .collect()
}

fn tail(text: &str) -> String {
    text.chars().rev().take(120).collect::<Vec<_>>().into_iter().rev().collect()
}

/// Every byte sent and received in `events`, in order, checking that each
/// data event's `offset` continues the stream where the last one ended.
pub fn streams(events: &[Value]) -> (Vec<u8>, Vec<u8>) {
    let (mut sent, mut received) = (Vec::new(), Vec::new());
    for event in events.iter().filter(|v| v["ev"] == "data") {
        let bytes = data_bytes(event);
        assert_eq!(event["len"].as_u64(), Some(bytes.len() as u64), "len: {event}");
        let stream = match event["dir"].as_str() {
            Some("send") => &mut sent,
            Some("recv") => &mut received,
            other => panic!("dir {other:?}"),
        };
        assert_eq!(event["offset"].as_u64(), Some(stream.len() as u64), "offset: {event}");
        stream.extend_from_slice(&bytes);
    }
    (sent, received)
}

/// Runs tshark with `args`; returns stdout, and stderr without the notice
/// it prints when run as root.
pub fn tshark(args: &[&str]) -> (String, String) {
    let out =
        Command::new("tshark").args(args).output().expect("run tshark (scripts/test installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("Running as user \"root\""))
        .flat_map(|l| [l, "\n"])
        .collect();
    assert!(out.status.success(), "tshark {args:?} failed: {stderr}");
    (stdout, stderr)
}

/// tshark reads `file` without a word on stderr, nothing malformed, and its
/// expert analysis has no errors or warnings (notes such as "connection
/// closing" and chats such as "SYN" are what a clean flow has).
pub fn assert_tshark_clean(file: &Path) -> String {
    let path = file.to_str().expect("UTF-8 path");
    let (summary, stderr) = tshark(&["-r", path]);
    assert_eq!(stderr, "", "tshark complained reading {path}");
    assert!(!summary.contains("Malformed"), "malformed packets:\n{summary}");
    assert!(!summary.trim().is_empty(), "no packets in {path}");
    let (expert, stderr) = tshark(&["-r", path, "-q", "-z", "expert"]);
    assert_eq!(stderr, "", "tshark complained analysing {path}");
    for severity in ["Errors", "Warns"] {
        assert!(
            !expert.lines().any(|l| l.starts_with(severity)),
            "tshark's expert analysis has {severity}:\n{expert}\n--- packets ---\n{summary}"
        );
    }
    summary
}

/// One followed stream: the port of "Node 0", and each node's bytes.
pub struct Followed {
    pub node0_port: u16,
    pub node0: Vec<u8>,
    pub node1: Vec<u8>,
}

/// `tshark -q -z follow,PROTO,raw,0`, parsed: lines of hex, indented by a
/// tab when node 1 sent them.
pub fn follow(file: &Path, proto: &str) -> Followed {
    let path = file.to_str().expect("UTF-8 path");
    let spec = format!("follow,{proto},raw,0");
    let (out, stderr) = tshark(&["-r", path, "-q", "-z", &spec]);
    assert_eq!(stderr, "", "tshark complained following {proto}");
    let mut followed = Followed { node0_port: 0, node0: Vec::new(), node1: Vec::new() };
    for line in out.lines() {
        if let Some(node) = line.strip_prefix("Node 0: ") {
            let port = node.rsplit(':').next().unwrap_or("");
            followed.node0_port = port.parse().unwrap_or_else(|e| panic!("port in {line:?}: {e}"));
            continue;
        }
        let (hex, to) = match line.strip_prefix('\t') {
            Some(hex) => (hex, &mut followed.node1),
            None => (line, &mut followed.node0),
        };
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue; // separators and headers
        }
        to.extend(sockpit::payload::parse_hex(hex).unwrap_or_else(|e| panic!("{e}: {hex:?}")));
    }
    assert_ne!(followed.node0_port, 0, "no \"Node 0\" line in:\n{out}");
    followed
}
