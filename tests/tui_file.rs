//! `/file` of a 1 GiB sparse file over UDP in the TUI (tmux): the file is
//! streamed, never read whole, so memory stays under the `--history-bytes`
//! budget plus 16 MiB while it goes, and keys typed meanwhile show within
//! 100 ms (each measured from `send-keys` to the first screen showing it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::load::rss_kib;
use common::tmux::*;

const TOTAL: u64 = 1 << 30;
/// `--history-bytes` given to the TUI.
const BUDGET_MIB: u64 = 4;
/// What the process may hold besides that budget.
const SLACK_MIB: u64 = 16;

/// Takes every datagram sent to it until `stop`; counts their bytes.
fn drain(socket: UdpSocket, stop: Arc<AtomicBool>, got: Arc<AtomicU64>) -> thread::JoinHandle<()> {
    socket.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    thread::spawn(move || {
        let mut buf = [0u8; 2048];
        while !stop.load(Ordering::Relaxed) {
            if let Ok(n) = socket.recv(&mut buf) {
                got.fetch_add(n as u64, Ordering::Relaxed);
            }
        }
    })
}

/// Types `text` and returns how long until the input line shows it (polled
/// without pauses, bounded by PATIENCE).
fn key_latency(t: &Tmux, text: &str, shown: &str) -> Duration {
    let at = Instant::now();
    t.run(&["send-keys", "-t", "s", "-l", text]);
    loop {
        if t.screen("s").lines().any(|l| l.contains(shown)) {
            return at.elapsed();
        }
        assert!(at.elapsed() < PATIENCE, "{shown:?} never showed:\n{}", t.screen("s"));
    }
}

#[test]
fn a_gigabyte_file_over_udp_streams_in_bounded_memory_with_keys_answering() {
    let path = std::env::temp_dir().join(format!("sockpit-file-{}.bin", std::process::id()));
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(TOTAL).expect("a sparse 1 GiB file");
    drop(file);
    let peer = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = peer.local_addr().expect("addr").port();
    let (stop, got) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let drainer = drain(peer, Arc::clone(&stop), Arc::clone(&got));

    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", &format!("udp client 127.0.0.1:{port} --history-bytes {BUDGET_MIB}M"));
    let pid = t.sockpit_pid("s");
    t.wait_for("s", "the client's socket", |s| s.contains("Input (client"));
    let idle = rss_kib(pid);
    t.line("s", &format!("/file {}", path.display()));
    t.wait_for("s", "the progress bar", |s| s.contains("% ["));

    let limit = (BUDGET_MIB + SLACK_MIB) << 10;
    let start = Instant::now();
    let (mut peak, mut latencies) = (0, Vec::new());
    let mut typed = String::new();
    // Until the progress bar has gone (the file is sent), at most 5 minutes:
    // sample RSS, and type one more character, timing its echo.
    loop {
        let screen = t.screen("s");
        let rss = rss_kib(pid);
        peak = peak.max(rss);
        assert!(
            rss < limit,
            "RSS {rss} KiB over {limit} KiB with {} MiB taken",
            got.load(Ordering::Relaxed) >> 20
        );
        let sending = screen.contains("% [");
        if !sending {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(300), "1 GiB not sent in 5 minutes");
        if sending && latencies.len() < 20 {
            typed.push('k');
            latencies.push(key_latency(&t, "k", &format!("> {typed}")));
        }
        thread::sleep(Duration::from_millis(100)); // the sampling period
    }
    let took = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    drainer.join().expect("drainer");
    latencies.sort();
    let median = latencies[latencies.len() / 2];
    eprintln!(
        "1 GiB /file over UDP in {took:?}; RSS {idle} KiB before, peak {peak} KiB (limit {limit} KiB); \
         {} MiB received; key latencies {latencies:?}",
        got.load(Ordering::Relaxed) >> 20
    );
    assert!(latencies.len() >= 3, "too few keys typed while the file was sent: {latencies:?}");
    assert!(median < Duration::from_millis(100), "keys answered in {latencies:?}");
    let screen = t.screen("s");
    assert!(!screen.contains("failed"), "an error while sending:\n{screen}");
    assert!(screen.contains("sent 1073741824 B / 1048576 call"), "all of it went:\n{screen}");
    assert!(screen.contains("pending 0 B"), "nothing left pending:\n{screen}");
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
    let _ = std::fs::remove_file(&path);
}
