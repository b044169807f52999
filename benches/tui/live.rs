//! Figures of the real binary in a real terminal (a private tmux server,
//! 200×50): start to first frame, idle CPU with the demo open, and memory
//! while a peer floods the TUI's connection.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::load::{cpu_time, flood, status_kib};
use crate::tmux::{BIN, PATIENCE, Tmux};

/// How often the screen is looked at while waiting for the first frame:
/// each look is a `tmux capture-pane` (a process of a few ms), so this
/// bounds the resolution, not the figure.
const LOOK: Duration = Duration::from_millis(1);

/// A private tmux server with an idle 200×50 session to open windows in.
fn terminal() -> Tmux {
    let t = Tmux::new();
    t.run(&["new-session", "-d", "-s", "bench", "-x", "200", "-y", "50", "cat"]);
    t
}

/// Opens a window running sockpit directly (no shell: more than one
/// argument makes tmux exec it) and returns its pane id and pid.
fn open(t: &Tmux, args: &[&str]) -> (String, u32) {
    let mut cmd = vec!["new-window", "-d", "-t", "bench", "-P", "-F", "#{pane_id} #{pane_pid}"];
    cmd.push(BIN);
    cmd.extend_from_slice(args);
    let out = t.run(&cmd);
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    let pane = words.next().expect("a pane id").to_string();
    let pid = words.next().and_then(|p| p.parse().ok()).expect("a pane pid");
    (pane, pid)
}

/// A whole frame is on the screen: the last pane drawn (the status bar at
/// the bottom) and the first (History at the top).
fn framed(screen: &str) -> bool {
    screen.contains("History") && screen.lines().any(|l| l.contains("│ EOL "))
}

/// Polls `pane` until a whole frame shows; the time since `start`.
fn first_frame(t: &Tmux, pane: &str, start: Instant) -> Duration {
    loop {
        let screen = t.screen(pane);
        if framed(&screen) {
            return start.elapsed();
        }
        assert!(start.elapsed() < PATIENCE, "no frame after {PATIENCE:?}:\n{screen}");
        thread::sleep(LOOK);
    }
}

/// Start to first frame of the demo, `runs` times.
pub fn start_times(runs: usize) -> Vec<Duration> {
    let t = terminal();
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let (pane, _) = open(&t, &[]);
            let took = first_frame(&t, &pane, start);
            t.run(&["kill-pane", "-t", &pane]);
            took
        })
        .collect()
}

/// CPU used by the demo over `window` once it has settled, as % of one core.
pub fn idle_cpu(window: Duration) -> f64 {
    let t = terminal();
    let start = Instant::now();
    let (pane, pid) = open(&t, &[]);
    first_frame(&t, &pane, start);
    // Connecting, the first samples and the kernel's list settle first:
    // the figure is the idle window only (a window of time, not a wait).
    thread::sleep(Duration::from_secs(1));
    let (cpu0, wall0) = (cpu_time(pid).expect("sockpit runs"), Instant::now());
    thread::sleep(window);
    let cpu = cpu_time(pid).expect("sockpit still runs").checked_sub(cpu0).unwrap();
    cpu.as_secs_f64() / wall0.elapsed().as_secs_f64() * 100.0
}

/// Memory under a flood: the largest `VmRSS` sampled, `VmHWM` at the end (KiB)
/// and the bytes the TUI took.
pub struct Flood {
    pub peak_rss_kib: u64,
    pub hwm_kib: u64,
    pub taken: u64,
    pub secs: f64,
}

/// A client TUI (default caps) whose peer floods it for `window`.
pub fn flood_memory(window: Duration) -> Flood {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let t = terminal();
    let (pane, pid) = open(&t, &["tcp", "client", &format!("127.0.0.1:{port}")]);
    let (peer, _) = listener.accept().expect("the TUI connects");
    t.wait_for(&pane, "the connection", |s| s.contains("connected to 127.0.0.1:"));
    let (sent, stop) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicBool::new(false)));
    let writer = {
        let (sent, stop) = (Arc::clone(&sent), Arc::clone(&stop));
        thread::spawn(move || flood(peer, u64::MAX, &sent, &|| stop.load(Ordering::Relaxed)))
    };
    let start = Instant::now();
    let mut peak = 0;
    while start.elapsed() < window {
        peak = peak.max(status_kib(pid, "VmRSS").expect("sockpit runs under the flood"));
        thread::sleep(Duration::from_millis(100)); // the sampling period
    }
    let hwm = status_kib(pid, "VmHWM").expect("sockpit runs under the flood");
    let secs = start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    // The writer may be blocked in a full socket: closing the TUI ends it.
    t.run(&["kill-pane", "-t", &pane]);
    let _ = writer.join();
    Flood { peak_rss_kib: peak, hwm_kib: hwm, taken: sent.load(Ordering::Relaxed), secs }
}
