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
use sockpit::replay::Replay;
use sockpit::replay::{Log, NotReplayed};
use sockpit::tui::Exit;
use sockpit::ui::line_text;

use common::screen::{Keys, Shared, run_loop};

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
    let script = |keys: Keys, seen: Shared| async move {
        seen.until("the connection", PATIENCE, |s| s.contains("connected to 127.0.0.1:")).await;
        keys.type_text("replay me");
        keys.key(KeyCode::Enter, KeyModifiers::NONE);
        let shown = |s: &str| s.contains("sock.recv(");
        let last = seen.until("the server's recv", PATIENCE, shown).await;
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        last
    };
    let (exit, last) = run_loop(plan, SIZE, script).await;
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
    let summary = format!("{whole} events, {skipped} not replayed, 2 bad line(s)");
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

// Reading logs, line by line: bad lines by number, unknown kinds as steps,
// and the app rebuilt at any step.

const LOG: &str = concat!(
    r#"{"v":1,"t":1000,"ev":"listening","sock":1,"fd":7,"local":"127.0.0.1:8080","type":"tcp"}"#,
    "\n",
    "{\"v\":1,\"t\":2000,\"ev\":\"call\"\n",
    r#"{"v":1,"t":3000,"ev":"hologram","sock":1}"#,
    "\n",
    "\n",
    r#"{"v":9,"t":4000,"ev":"call","sock":1}"#,
    "\n",
    r#"[1,2]"#,
    "\n",
    r#"{"v":1,"t":5000,"ev":"eof","sock":1}"#,
    "\n",
    r#"{"v":1,"ev":"eof"}"#,
    "\n",
);

#[test]
fn unit_bad_lines_are_reported_by_number_and_reading_goes_on() {
    let log = Log::parse(LOG);
    let lines: Vec<usize> = log.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 6, 8], "{:?}", log.problems);
    assert!(log.problems[0].to_string().starts_with("line 2: not a whole JSON event"));
    let steps: Vec<(usize, &str, bool)> =
        log.steps.iter().map(|s| (s.line, s.ev.as_str(), s.event.is_ok())).collect();
    assert_eq!(
        steps,
        [(1, "listening", true), (3, "hologram", false), (5, "call", false), (7, "eof", true)]
    );
    let newer = log.steps[2].event.as_ref().unwrap_err();
    assert_eq!(*newer, NotReplayed::NewerSchema("9".into()));
    assert_eq!(newer.to_string(), "schema version 9 is newer than this sockpit's");
    let unknown = log.steps[1].event.as_ref().unwrap_err();
    assert_eq!(*unknown, NotReplayed::UnknownKind("hologram".into()));
}

#[test]
fn unit_the_app_at_a_step_shows_what_happened_until_then_and_names_the_rest() {
    let log = Log::parse(LOG);
    assert_eq!(log.roles().len(), 1);
    assert!(log.roles()[0].is_server(), "a log that listens is a server's");
    let texts = |app: &sockpit::app::App| -> Vec<String> {
        let h = &app.ends()[0].history;
        (h.first_seq()..h.end_seq())
            .filter_map(|s| h.get(s))
            .map(|e| String::from_utf8_lossy(&e.text).into_owned())
            .collect()
    };
    let start = log.app_at(0, Clock::fixed(0));
    assert!(start.ends()[0].listening.is_none());
    let one = log.app_at(1, Clock::fixed(0));
    assert!(one.ends()[0].listening.is_some(), "the listening line was replayed");
    let two = texts(&log.app_at(2, Clock::fixed(0)));
    assert!(two.iter().any(|t| t.starts_with("line 2: not a whole JSON event")), "{two:?}");
    assert!(
        two.iter().any(|t| t.starts_with("line 3: \"hologram\" not replayed: no replay for")),
        "{two:?}"
    );
    let all = texts(&log.app_at(usize::MAX, Clock::fixed(0)));
    assert!(all.iter().any(|t| t.starts_with("line 8: no \"t\" or \"ev\"")), "{all:?}");
}

/// A step-mode client session driven live (`/socket`, `/connect`,
/// `/sendall`, `/close` typed against a real listener), recorded with
/// `--log` and replayed into the app: every socket the session created has
/// its `close()` in the replayed Lifecycle. An engine that drops a call
/// (as step mode once dropped `/close`) leaves it out of the log, and this
/// fails.
#[tokio::test(flavor = "current_thread")]
async fn a_recorded_step_session_replays_with_close_on_every_socket() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
    let log = temp_path("replay-step.jsonl");
    let target = format!("127.0.0.1:{port}");
    let argv = ["sockpit", "tcp", "client", &target, "--step", "--log", log.to_str().unwrap()];
    let plan = Cli::try_parse_from(argv).unwrap().plan();
    let script = |keys: Keys, seen: Shared| async move {
        for (typed, shown) in [
            ("/socket", "client = socket.socket("),
            ("/connect", "client.connect(("),
            ("/sendall hi", "client.sendall(data)"),
            ("/close", "client.close()"),
        ] {
            keys.type_text(typed);
            keys.key(KeyCode::Enter, KeyModifiers::NONE);
            seen.until(shown, PATIENCE, |s| s.contains(shown)).await;
        }
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    };
    let (exit, ()) = run_loop(plan, SIZE, script).await;
    assert_eq!(exit.unwrap(), Exit::Quit);
    drop(peer.join().unwrap());

    let parsed = Log::parse(&std::fs::read_to_string(&log).unwrap());
    assert_eq!(parsed.problems, []);
    let app = parsed.app_at(usize::MAX, Clock::system(0));
    let lines: Vec<String> = app.ends()[0].lifecycle.lines.iter().map(line_text).collect();
    let sockets = lines.iter().filter(|l| l.contains("= socket.socket(")).count();
    let closes = lines.iter().filter(|l| l.contains(".close()  -> None")).count();
    assert_eq!(sockets, 1, "the replayed lifecycle: {lines:#?}");
    assert_eq!(closes, sockets, "a socket without its close(): {lines:#?}");
    let _ = std::fs::remove_file(&log);
}

/// A step-mode session with failed calls (a timeout, `BlockingIOError`),
/// step-only calls (`connect_ex`, `settimeout`, `send`, `getpeername`,
/// `fileno`, `setblocking`) and the kernel's samples, recorded and
/// replayed: every call, sample, kernel and transition line replays (none
/// is "not replayed"), the Lifecycle shows the same call lines as live,
/// failures with their exception, and the replayed panel has the figures.
#[tokio::test(flavor = "current_thread")]
async fn failed_and_step_only_calls_and_kernel_samples_replay() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let peer = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
    let log = temp_path("replay-failures.jsonl");
    let target = format!("127.0.0.1:{port}");
    let argv = ["sockpit", "tcp", "client", &target, "--step", "--log", log.to_str().unwrap()];
    let plan = Cli::try_parse_from(argv).unwrap().plan();
    let script = |keys: Keys, seen: Shared| async move {
        let mut last = String::new();
        for (typed, shown) in [
            ("/socket", "client = socket.socket("),
            ("/connect_ex", "client.connect_ex(("),
            ("/settimeout 0.2", "client.settimeout(0.2)"),
            ("/recv 16", "TimeoutError: timed out"),
            ("/getpeername", "client.getpeername()  ->"),
            ("/send hi", "client.send(data)  # 2 B  -> 2"),
            ("/fileno", "client.fileno()  ->"),
            ("/setblocking 0", "client.setblocking(False)"),
            ("/recv 16", "BlockingIOError: [Errno 11]"),
        ] {
            keys.type_text(typed);
            keys.key(KeyCode::Enter, KeyModifiers::NONE);
            last = seen.until(shown, PATIENCE, |s| s.contains(shown)).await;
        }
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
        last
    };
    let (exit, live) = run_loop(plan, SIZE, script).await;
    assert_eq!(exit.unwrap(), Exit::Quit);
    drop(peer.join().unwrap());

    let parsed = Log::parse(&std::fs::read_to_string(&log).unwrap());
    assert_eq!(parsed.problems, []);
    let kinds = ["call", "sample", "kernel", "transition"];
    let skipped: Vec<_> = parsed
        .steps
        .iter()
        .filter(|s| kinds.contains(&s.ev.as_str()) && s.event.is_err())
        .map(|s| (s.line, s.ev.clone(), s.event.clone().err()))
        .collect();
    assert_eq!(skipped, [], "lines not replayed");
    let samples = parsed.steps.iter().filter(|s| s.ev == "sample").count();
    assert!(samples > 0, "the log has samples");
    let mut replay = Replay::new(parsed, "failures.jsonl", Clock::system(0));
    replay.resize(SIZE.0, SIZE.1);
    key(&mut replay, KeyCode::End);
    let screen = draw(&replay);
    assert_eq!(lifecycle(&screen), lifecycle(&live), "replayed:\n{screen}\nlive:\n{live}");
    assert!(screen.contains("TimeoutError: timed out"), "{screen}");
    assert!(screen.contains("BlockingIOError: [Errno 11]"), "{screen}");
    assert!(screen.contains("tcp ESTABLISHED"), "the panel's figures:\n{screen}");
    assert!(!screen.contains("not replayed"), "{screen}");
    let _ = std::fs::remove_file(&log);
}

/// A real TLS session recorded headless with `--log` at both ends (a
/// sockpit `--tls` server with its own certificate, a sockpit `--tls
/// --insecure` client, a line each way) and replayed: no line of either log
/// is left "not replayed", every `ssl` call line the log recorded is in the
/// replayed Lifecycle as the same Python line, and the TLS panel is back.
#[test]
fn a_recorded_tls_session_replays_its_ssl_lines_and_tls_panel() {
    let (server_log, client_log) =
        (temp_path("replay-tls-server.jsonl"), temp_path("replay-tls-client.jsonl"));
    let mut server = common::Proc::spawn(common::sockpit(&[
        "tcp",
        "server",
        "127.0.0.1:0",
        "--tls",
        "--log",
        server_log.to_str().unwrap(),
    ]));
    let line = server.wait_line("listening", |l| l.starts_with("listening on "));
    let addr = line.split_whitespace().nth(2).expect("address").to_string();
    let mut client = common::Proc::spawn(common::sockpit(&[
        "tcp",
        "client",
        &addr,
        "--tls",
        "--insecure",
        "--log",
        client_log.to_str().unwrap(),
    ]));
    client.write(b"hello over tls\n");
    server.wait_stdout_has(b"hello over tls\n");
    server.write(b"and back\n");
    client.wait_stdout_has(b"and back\n");
    // Both ends half-close; each exits once the other has too.
    client.close_stdin();
    server.close_stdin();
    client.expect_code(0, common::SOON);
    server.expect_code(0, common::SOON);

    let ends = [(&client_log, "NOT VERIFIED", "tls"), (&server_log, "suite TLS_", "tls_cert")];
    for (log, panel, kind) in ends {
        let text = std::fs::read_to_string(log).unwrap();
        let parsed = Log::parse(&text);
        assert_eq!(parsed.problems, [], "{}", log.display());
        let skipped: Vec<_> = parsed
            .steps
            .iter()
            .filter_map(|s| s.event.as_ref().err().map(|why| (s.line, s.ev.clone(), why.clone())))
            .collect();
        assert_eq!(skipped, [], "lines not replayed in {}", log.display());
        for kind in ["tls", kind] {
            assert!(parsed.steps.iter().any(|s| s.ev == kind), "no {kind} line in {text}");
        }
        // Every ssl call the log recorded, as its Python line, in order.
        let recorded: Vec<String> = text
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["ev"] == "call")
            .filter_map(|v| v["py"].as_str().map(str::to_string))
            .filter(|py| py.starts_with("ctx") || py.starts_with("tls"))
            .collect();
        assert!(recorded.iter().any(|py| py.contains("wrap_socket(")), "{recorded:?}");
        let app = parsed.app_at(usize::MAX, Clock::system(0));
        let lines: Vec<String> = app.ends()[0].lifecycle.lines.iter().map(line_text).collect();
        let mut found = lines.iter();
        for py in &recorded {
            assert!(
                found.any(|l| l.contains(py.as_str())),
                "{py} missing or out of order: {lines:#?}"
            );
        }
        let mut replay = Replay::new(parsed, "tls.jsonl", Clock::system(0));
        replay.resize(SIZE.0, SIZE.1);
        key(&mut replay, KeyCode::End);
        let screen = draw(&replay);
        assert!(screen.contains("── TLS ──") && screen.contains(panel), "the TLS panel:\n{screen}");
        assert!(screen.contains("TLSv1.3"), "{screen}");
        assert!(!screen.contains("not replayed"), "{screen}");
    }
    let _ = std::fs::remove_file(&server_log);
    let _ = std::fs::remove_file(&client_log);
}
