//! The `CPython` side: one `python3 tests/conformance/cpython.py` process for
//! every script, scripts in on stdin as JSON, one JSON line per script out.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::script::Script;

/// The runner next to this file.
pub const RUNNER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/conformance/cpython.py");

/// One script's transcript as cpython.py prints it.
#[derive(Deserialize)]
struct Transcript {
    name: String,
    lines: Vec<String>,
}

/// Runs every script in one python3 process (bounded by `overall`) and
/// returns the transcripts by script name.
///
/// # Panics
/// When python3 cannot be started, fails, or takes longer than `overall`:
/// without the oracle the suite must fail, never skip.
pub async fn run_all(
    scripts: &[&Script],
    limit: Duration,
    overall: Duration,
) -> HashMap<String, Vec<String>> {
    let job = serde_json::json!({ "limit": limit.as_secs(), "scripts": scripts });
    let input = serde_json::to_vec(&job).expect("scripts serialise");
    if let Ok(path) = std::env::var("CONFORMANCE_JOB") {
        // To run the oracle by hand: python3 tests/conformance/cpython.py < path
        std::fs::write(&path, &input).unwrap_or_else(|e| panic!("write {path}: {e}"));
    }
    let mut child = Command::new("/usr/bin/env")
        .arg("python3")
        .arg(RUNNER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python3 starts (the CPython oracle is required)");
    let mut stdin = child.stdin.take().expect("piped stdin");
    // A write error (python3 gone) shows as its exit status below.
    let feed = tokio::spawn(async move { stdin.write_all(&input).await });
    let output = tokio::time::timeout(overall, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("python3 {RUNNER} took longer than {overall:?}"))
        .expect("python3 runs");
    let fed = feed.await.expect("the feeder task ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python3 {RUNNER} failed ({}):\n{stderr}", output.status);
    fed.expect("python3 read its scripts");
    let stdout = String::from_utf8(output.stdout).expect("python3 prints UTF-8");
    let transcripts: HashMap<String, Vec<String>> = stdout
        .lines()
        .map(|line| {
            let t: Transcript = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("cpython.py printed {line:?}: {e}\n{stderr}"));
            (t.name, t.lines)
        })
        .collect();
    for script in scripts {
        assert!(
            transcripts.contains_key(&script.name),
            "cpython.py printed nothing for {}:\n{stderr}",
            script.name
        );
    }
    transcripts
}

/// Python's `repr()` of each byte string, from one python3 process (for
/// the unit test of `py_bytes_repr`).
///
/// # Panics
/// When python3 cannot be run.
pub fn bytes_reprs(samples: &[Vec<u8>]) -> Vec<String> {
    let program = "import json,sys\nfor b in json.load(sys.stdin): print(repr(bytes(b)))";
    let mut child = std::process::Command::new("/usr/bin/env")
        .args(["python3", "-c", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts (the CPython oracle is required)");
    let input = serde_json::to_vec(samples).expect("bytes serialise");
    // A write error (python3 gone) shows as its exit status below.
    let fed = std::io::Write::write_all(&mut child.stdin.take().expect("piped stdin"), &input);
    let output = child.wait_with_output().expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "python3 failed ({}):\n{stderr}", output.status);
    fed.expect("python3 read the samples");
    String::from_utf8(output.stdout).expect("UTF-8").lines().map(str::to_string).collect()
}
