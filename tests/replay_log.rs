//! `sockpit replay`: a session recorded live (the real loop and engine, keys
//! injected, `--log`) replays to the same Lifecycle lines, steps back and
//! forth, and a damaged log is reported line by line without stopping.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use clap::Parser;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Clock;
use sockpit::cli::Cli;
use sockpit::netns::Isolation;
use sockpit::replay::Log;
use sockpit::replay::view::Replay;
use sockpit::tui::{self, Exit, Records};

use common::screen::{Shared, keyboard};

const PATIENCE: Duration = common::SOON;
const SIZE: (u16, u16) = (160, 45);

/// The Lifecycle pane's call lines on a screen: rows that show a Python
/// call (`server.`, `client.`, `sock`, `= socket.socket(`), each clipped
/// to the pane (the left half in a two-end layout is the server's).
fn lifecycle(screen: &str) -> Vec<String> {
    screen
        .lines()
        .flat_map(|row| row.split('│').map(str::trim).collect::<Vec<_>>())
        .filter(|cell| {
            cell.len() > 9
                && cell.as_bytes()[2] == b':'
                && ["server", "client", "sock"].iter().any(|v| cell[9..].starts_with(v))
        })
        // The segments a call caused (`⇄ SYN · ACK`) arrive from the
        // capture at their own pace: the live screen may show fewer.
        .map(|cell| cell.split("  ⇄").next().unwrap_or_default().to_string())
        .collect()
}

/// A demo session driven live: a line typed on the client, seen by the
/// server; the transcript goes to `log`. Returns the live screen's text.
async fn record(log: &Path) -> String {
    let argv = ["sockpit", "demo", "tcp", "--no-netns", "--log", log.to_str().unwrap()];
    let plan = Cli::try_parse_from(argv).unwrap().plan();
    let mut records = Records::open(&plan).unwrap();
    let screen = Shared::new(SIZE.0, SIZE.1);
    let (keys, input) = keyboard();
    let seen = screen.clone();
    let looped =
        tui::drive(plan, Isolation::Host, Clock::system(0), &mut records, || Ok((screen, input)));
    let script = async move {
        seen.until("the connection", PATIENCE, |s| s.contains("connected to 127.0.0.1:")).await;
        keys.type_text("replay me");
        keys.key(KeyCode::Enter, KeyModifiers::NONE);
        let shown = |s: &str| s.contains("sock.recv(1024)");
        let last = seen.until("the server's recv", PATIENCE, shown).await;
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        last
    };
    let (exit, last) = tokio::join!(looped, script);
    assert_eq!(exit.unwrap(), Exit::Quit);
    last
}

fn draw(replay: &Replay) -> String {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    terminal.draw(|frame| replay.draw(frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    buffer
        .content
        .chunks(usize::from(SIZE.0))
        .map(|row| row.iter().map(ratatui::buffer::Cell::symbol).collect::<String>() + "\n")
        .collect()
}

fn key(replay: &mut Replay, code: KeyCode) {
    assert!(!replay.key(KeyEvent::new(code, KeyModifiers::NONE)), "{code:?} does not quit");
}

/// Ports, fds and clock times vary from run to run: `HH:MM:SS`, `PORT`, `fd=N`.
fn normalised(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
        let mut rest = line.get(8..).unwrap_or_default();
        out.push_str("HH:MM:SS");
        while let Some(i) = rest.find("', ") {
            out.push_str(&rest[..i + 3]);
            rest = &rest[i + 3..];
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 {
                out.push_str("PORT");
            }
            rest = &rest[digits..];
        }
        out.push_str(rest);
        out.push('\n');
    }
    let mut fds = out.split("fd=");
    let mut masked = fds.next().unwrap_or_default().to_string();
    for part in fds {
        masked.push_str("fd=N");
        masked.push_str(part.trim_start_matches(|c: char| c.is_ascii_digit()));
    }
    masked
}

/// A fresh path in the temp directory, unique to this process and `name`.
fn temp_path(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("sockpit-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[tokio::test(flavor = "current_thread")]
async fn a_recorded_session_replays_to_the_same_lifecycle_and_steps_both_ways() {
    let log = temp_path("replay-demo.jsonl");
    let live = record(&log).await;
    let live_lines = lifecycle(&live);
    assert!(live_lines.len() >= 6, "the live lifecycle:\n{live}");

    let text = std::fs::read_to_string(&log).unwrap();
    let parsed = Log::parse(&text);
    assert_eq!(parsed.problems, [], "a whole log has no bad lines");
    let total = parsed.steps.len();
    let mut replay = Replay::new(parsed, "demo.jsonl", Clock::system(0));
    replay.resize(SIZE.0, SIZE.1);
    key(&mut replay, KeyCode::End);
    assert_eq!(replay.shown(), total);
    let end_screen = draw(&replay);
    assert_eq!(lifecycle(&end_screen), live_lines, "replayed:\n{end_screen}\nlive:\n{live}");
    insta::assert_snapshot!("replayed_demo_lifecycle", normalised(&live_lines));

    // Back one step at a time to the start: the lines go in the reverse order.
    let mut counts = vec![lifecycle(&end_screen).len()];
    for _ in 0..total {
        key(&mut replay, KeyCode::Left);
        counts.push(lifecycle(&draw(&replay)).len());
    }
    assert_eq!(replay.shown(), 0);
    assert_eq!(counts.last(), Some(&0), "nothing has happened at the start");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "stepping back only removes: {counts:?}");
    // Forward again to halfway, then Home, then End: the same screens.
    let half = total / 2;
    for _ in 0..half {
        key(&mut replay, KeyCode::Right);
    }
    assert_eq!(replay.shown(), half);
    assert_eq!(lifecycle(&draw(&replay)).len(), counts[total - half]);
    key(&mut replay, KeyCode::Home);
    assert_eq!(replay.shown(), 0);
    key(&mut replay, KeyCode::End);
    assert_eq!(lifecycle(&draw(&replay)), live_lines);
    assert!(draw(&replay).contains(&format!("{total}/{total}")), "the replay's bar");
    let _ = std::fs::remove_file(&log);
}

#[tokio::test(flavor = "current_thread")]
async fn a_damaged_log_is_reported_by_line_number_and_replays_the_rest() {
    let log = temp_path("replay-damaged.jsonl");
    record(&log).await;
    let text = std::fs::read_to_string(&log).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let whole = lines.len();
    // Line 3 is garbage, line 5 an unknown kind, and the last is cut short.
    lines.insert(2, "garbage\u{1b}[2J".to_string());
    lines.insert(4, r#"{"v":1,"t":1,"ev":"teleport","sock":1}"#.to_string());
    let last = lines.pop().unwrap();
    lines.push(last[..last.len() / 2].to_string());
    let damaged = temp_path("replay-damaged-2.jsonl");
    std::fs::write(&damaged, lines.join("\n")).unwrap();

    let out = std::process::Command::new(common::SOCKPIT)
        .arg("replay")
        .arg(&damaged)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "replay stopped: {stderr}");
    let numbers: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.split(": line ").nth(1))
        .map(|rest| rest.split(':').next().unwrap_or_default())
        .collect();
    let cut = (whole + 2).to_string();
    assert_eq!(numbers, ["3", cut.as_str()], "stderr:\n{stderr}");
    assert!(!stderr.contains('\u{1b}'), "the garbage is shown safely");
    let parsed = Log::parse(&lines.join("\n"));
    let skipped = parsed.steps.iter().filter(|s| s.event.is_err()).count();
    assert!(parsed.steps.iter().any(|s| s.ev == "teleport" && s.event.is_err()));
    let summary = format!("{} events, {skipped} not replayed, 2 bad line(s)", whole);
    assert!(stdout.contains(&summary), "stdout: {stdout} (want {summary})");

    let mut replay = Replay::new(parsed, "damaged.jsonl", Clock::system(0));
    replay.resize(SIZE.0, SIZE.1);
    key(&mut replay, KeyCode::End);
    let screen = draw(&replay);
    assert!(screen.contains("line 3: not a whole JSON event"), "{screen}");
    assert!(screen.contains("line 5: \"teleport\" not replayed"), "{screen}");
    assert!(lifecycle(&screen).len() >= 6, "the rest replayed:\n{screen}");
    let _ = std::fs::remove_file(&log);
    let _ = std::fs::remove_file(&damaged);
}
