//! The TUI against hostile peers and hard stops, in real
//! terminals (tmux): escape sequences from a peer are shown, never obeyed;
//! SIGTERM, SIGHUP and a panic all give the shell its terminal back and
//! leave the `--log` transcript on a whole line; a peer
//! flooding 1 GiB neither grows memory past 64 MiB nor stops the keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::load::{flood, rss_kib};
use common::tmux::*;

/// A client TUI in pane `s` connected to a listener of ours; returns the
/// peer's end.
fn connected_client(t: &Tmux, extra: &str) -> TcpStream {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    t.sockpit("s", &format!("tcp client 127.0.0.1:{port} {extra}"));
    let peer = common::accept(&listener);
    t.wait_for("s", "the connection", |s| s.contains("connected to 127.0.0.1:"));
    peer
}

#[test]
fn a_peers_title_and_clear_sequences_are_shown_not_obeyed() {
    let t = Tmux::new();
    t.shell("s");
    // The detector works: raw, the same kind of sequence does set the title.
    t.line("s", r"printf '\033]0;%s\007' title-$((6*7))");
    let start = Instant::now();
    while t.format("s", "#{pane_title}") != "title-42" {
        assert!(start.elapsed() < PATIENCE, "tmux ignored a raw OSC 0 title");
        thread::sleep(POLL);
    }
    let mut peer = connected_client(&t, "");
    peer.write_all(b"an earlier line\n").expect("write");
    t.wait_for("s", "the earlier line", |s| line_with(s, &["←", "an earlier line"]));
    peer.write_all(b"\x1b]0;pwned\x07\x1b[2J after the attack\n").expect("write");
    let screen =
        t.wait_for("s", "the visible form", |s| s.contains("␛]0;pwned␇␛[2J after the attack"));
    assert!(line_with(&screen, &["←", "an earlier line"]), "the screen was cleared:\n{screen}");
    assert_eq!(t.format("s", "#{pane_title}"), "title-42", "the peer set the title");
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}

/// Waits until the pane has left the alternate screen; then the shell's
/// `$?` is sockpit's exit status.
fn exit_status(t: &Tmux) -> String {
    let start = Instant::now();
    while t.format("s", "#{alternate_on}") != "0" {
        assert!(start.elapsed() < PATIENCE, "still on the alternate screen:\n{}", t.screen("s"));
        thread::sleep(POLL);
    }
    t.line("s", "echo exit-$?-status");
    echoed_status(t)
}

/// The status printed by `echo exit-$?-status` (anywhere on a line: the
/// shell may write over older text).
fn echoed_status(t: &Tmux) -> String {
    let found = |screen: &str| {
        screen.split("exit-").skip(1).find_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let status = rest[digits.len()..].starts_with("-status") && !digits.is_empty();
            status.then_some(digits)
        })
    };
    let screen = t.wait_for("s", "the exit status", |s| found(s).is_some());
    found(&screen).unwrap_or_default()
}

/// A fresh transcript path for `--log`.
fn log_path(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("sockpit-robust-{}-{name}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// The transcript ends with a whole line and every line is JSON with the
/// schema's fields; returns the `ev` of each line.
fn whole_transcript(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("the transcript exists");
    assert!(text.ends_with('\n'), "the last line is cut: {:?}", text.lines().last());
    let evs = text
        .lines()
        .map(|line| {
            let v: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"));
            assert!(v["v"].is_u64() && v["t"].is_u64(), "schema fields: {line}");
            v["ev"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    let _ = std::fs::remove_file(path);
    evs
}

/// A signal while a peer streams lines at the TUI (`--log` recording):
/// the terminal comes back, the exit status says which signal, and the
/// transcript ends on a whole line.
#[test]
fn sigterm_and_sighup_restore_the_terminal_and_keep_the_transcript_whole() {
    for (signal, code) in [("TERM", "143"), ("HUP", "129")] {
        let t = Tmux::new();
        t.shell("s");
        let log = log_path(signal);
        let mut peer = connected_client(&t, &format!("--log {}", log.display()));
        let stop = Arc::new(AtomicBool::new(false));
        let talker = {
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                let start = Instant::now();
                for n in 0u64.. {
                    let stopped = stop.load(Ordering::Relaxed) || start.elapsed() > PATIENCE;
                    if stopped || peer.write_all(format!("line {n}\n").as_bytes()).is_err() {
                        return n;
                    }
                }
                0
            })
        };
        t.wait_for("s", "lines arriving", |s| line_with(s, &["←", "line "]));
        let pid = t.sockpit_pid("s");
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        assert_eq!(exit_status(&t), code, "exit status after SIG{signal}");
        stop.store(true, Ordering::Relaxed);
        let lines = talker.join().expect("talker");
        t.assert_shell_back("s");
        let evs = whole_transcript(&log);
        assert!(evs.iter().any(|e| e == "data"), "no data in the transcript ({lines} lines sent)");
    }
}

/// Set in the copy of this test binary that the panic test runs in tmux.
const PANIC_CHILD: &str = "SOCKPIT_ROBUST_PANIC_CHILD";

/// The real terminal, whose draw panics once the screen shows an event: a
/// panic deep in the UI loop, injected from outside the program.
struct PanickingScreen(sockpit::tui::terminal::Guard);

impl sockpit::tui::terminal::Screen for PanickingScreen {
    fn draw(&mut self, app: &sockpit::app::App) -> std::io::Result<()> {
        self.0.draw(app)?;
        assert!(app.end().history.is_empty(), "injected panic: a draw showed an engine event");
        Ok(())
    }
    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        self.0.size()
    }
}

/// The child: sockpit's TUI as `tui::run` sets it up (panic hook, real
/// terminal, real inputs), drawing on a [`PanickingScreen`].
fn run_panicking_tui(log: &str) {
    use clap::Parser;
    use sockpit::tui::{self, input, terminal};
    let argv = ["sockpit", "tcp", "server", "127.0.0.1:0", "--log", log];
    let plan = sockpit::cli::Cli::try_parse_from(argv).expect("command line").plan();
    let _ = color_eyre::install();
    terminal::install_panic_hook();
    let mut records = tui::Records::open(&plan).expect("the log opens");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let clock = sockpit::app::Clock::system(0);
    let isolation = sockpit::Isolation::Host;
    let _ = runtime.block_on(tui::drive(plan, isolation, clock, &mut records, || {
        Ok((PanickingScreen(terminal::setup()?), input::terminal()?))
    }));
    unreachable!("the screen panics first");
}

#[test]
fn a_panic_restores_the_terminal_and_keeps_the_transcript_whole() {
    if let Some(log) = std::env::var_os(PANIC_CHILD) {
        return run_panicking_tui(&log.to_string_lossy());
    }
    let t = Tmux::new();
    t.shell("s");
    let log = log_path("panic");
    // This test binary again, running only this test as the child.
    let me = std::env::current_exe().expect("the test binary");
    let child = format!(
        "{PANIC_CHILD}={} {} --exact a_panic_restores_the_terminal_and_keeps_the_transcript_whole \
         --nocapture --test-threads=1",
        log.display(),
        me.display()
    );
    // One command line: the status is echoed once the child has ended.
    t.line("s", &format!("{child}; echo exit-$?-status"));
    assert_eq!(echoed_status(&t), "101", "a panicked test's exit status");
    let out = t.run(&["capture-pane", "-p", "-S", "-", "-t", "s"]);
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(all.contains("injected panic"), "no panic report:\n{all}");
    t.assert_shell_back("s");
    let evs = whole_transcript(&log);
    assert!(evs.iter().any(|e| e == "listening"), "the transcript: {evs:?}");
}

#[test]
fn a_gigabyte_flood_keeps_memory_bounded_and_keys_answering() {
    const TOTAL: u64 = 1 << 30;
    const LIMIT_KIB: u64 = 64 << 10;
    let t = Tmux::new();
    t.shell("s");
    let peer = connected_client(&t, "--history 10000");
    let pid = t.sockpit_pid("s");
    let sent = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (sent, done) = (Arc::clone(&sent), Arc::clone(&done));
        thread::spawn(move || {
            let ok = flood(peer, TOTAL, &sent, &|| false);
            done.store(true, Ordering::Relaxed);
            ok
        })
    };
    let start = Instant::now();
    let (mut peak, mut samples) = (0, 0);
    let mut typed: Option<Instant> = None;
    let mut answered: Option<Duration> = None;
    // Sample RSS every 100 ms until the flood is over (bounded: 5 min).
    while !done.load(Ordering::Relaxed) {
        assert!(start.elapsed() < Duration::from_secs(300), "1 GiB not taken in 5 minutes");
        let rss = rss_kib(pid);
        peak = peak.max(rss);
        samples += 1;
        assert!(rss < LIMIT_KIB, "RSS {rss} KiB after {} MiB", sent.load(Ordering::Relaxed) >> 20);
        // A quarter in, type; the input line must show it while the flood
        // goes on.
        if typed.is_none() && sent.load(Ordering::Relaxed) >= TOTAL / 4 {
            t.run(&["send-keys", "-t", "s", "-l", "typed-while-flooding"]);
            typed = Some(Instant::now());
        }
        if let (Some(at), None) = (typed, answered) {
            if t.screen("s").lines().any(|l| l.contains("> typed-while-flooding")) {
                answered = Some(at.elapsed());
            }
        }
        thread::sleep(Duration::from_millis(100)); // the sampling period
    }
    let took = start.elapsed();
    assert!(writer.join().expect("writer"), "the flood's writes failed");
    eprintln!(
        "flood: 1 GiB in {took:?}; peak RSS {peak} KiB over {samples} samples; \
         keys answered after {answered:?}"
    );
    let answered = answered.expect("the typed text never showed while the peer flooded");
    assert!(answered < PATIENCE, "keys took {answered:?} to show");
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}
