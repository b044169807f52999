//! `sockpit learn` end to end in a real terminal (tmux): every chapter is
//! done by typing what the last hint of each step gives, and each checklist
//! item is seen to tick in order (a chapter with a second terminal runs its
//! command in a second tmux session, and sees what it prints); a wrong call
//! does not tick and shows Python's own error; progress survives a restart,
//! and a corrupt progress file is reported once and replaced; each finished
//! chapter's F10 scripts run with python3 against each other (or against
//! the second terminal's command) and do the same. Every wait is a bounded
//! poll.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;
#[path = "tui_learn/exported.rs"]
mod exported;

use common::tmux::{PATIENCE, Tmux};
use sockpit::course::CHAPTERS as ALL;
use sockpit::course::{Chapter, Text};

/// What a hint tells the student to do.
#[derive(Debug, PartialEq)]
enum Act {
    /// Press F2 (the other end).
    SwitchEnd,
    /// Type this line and Enter.
    Line(String),
    /// Run the chapter's second-terminal command in another terminal.
    Second,
    /// Type this line and Enter in the second terminal (a shell command,
    /// or text for the program running there).
    Peer(String),
}

/// Programs a second-terminal line starts: the shell, not a program still
/// running there, must read it.
const SHELL_COMMANDS: &[&str] = &["rm", "socat", "nc", "python3", "curl", "ls", "cd"];

/// Step commands whose argument is text: a `,` in it is part of the text
/// (`/esc ...Hello, World`), not the start of another action.
const TEXT_COMMANDS: &[&str] = &["/send ", "/sendall ", "/sendto ", "/esc "];

/// The actions in a hint's English text: `F2` and `/commands`, separated
/// by `,` or `;`, each maybe after `Label: ` or `then `.
fn actions(hint: Text) -> Vec<Act> {
    // The hint that points at the pane's "In a second terminal" line (quoted).
    if hint.en.contains("\"In a second terminal\"") {
        return vec![Act::Second];
    }
    let mut acts = Vec::new();
    for part in hint.en.split(';') {
        for piece in part.split(',') {
            if let [_, quoted, _] = piece.splitn(3, '`').collect::<Vec<_>>()[..] {
                acts.push(Act::Peer(quoted.to_string()));
                continue;
            }
            let piece = piece.rsplit(": ").next().unwrap_or(piece).trim();
            let piece = piece.strip_prefix("then ").unwrap_or(piece).trim_end_matches('.');
            if piece == "F2" {
                acts.push(Act::SwitchEnd);
            } else if piece.starts_with('/') {
                acts.push(Act::Line(piece.to_string()));
            } else if let Some(Act::Line(text)) = acts.last_mut()
                && TEXT_COMMANDS.iter().any(|c| text.starts_with(c))
            {
                text.push_str(", ");
                text.push_str(piece);
            }
        }
    }
    acts
}

/// Every number in `(N calls)` / `(1 call)` titles on screen, summed.
fn calls(screen: &str) -> usize {
    screen
        .split("Lifecycle (")
        .skip(1)
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

/// Which end has the input: the title with `◀ input`.
fn input_end(screen: &str) -> Option<&'static str> {
    let line = screen.lines().find(|l| l.contains("◀ input"))?;
    let at = line.find("◀ input")?;
    let before = &line[..at];
    if before.rfind("History: server").is_some_and(|s| before.rfind("History: client") < Some(s)) {
        Some("server")
    } else {
        Some("client")
    }
}

/// Types one action and waits until the app took it: F2 moved the input,
/// a command made one more call and nothing is blocked.
fn act(tmux: &Tmux, act: &Act) {
    if let Act::Peer(line) = act {
        // A shell command waits for the prompt: a program that just lost
        // its peer (socat, 0.5 s after EOF) would otherwise read it as text.
        let first = line.split_whitespace().next().unwrap_or("");
        if SHELL_COMMANDS.contains(&first) {
            tmux.wait_for("peer", &format!("the shell's prompt before {line}"), |_| {
                tmux.format("peer", "#{pane_current_command}") == "bash"
            });
        }
        tmux.line("peer", line);
        tmux.wait_for("peer", &format!("{line} echoed"), |s| s.contains(line.as_str()));
        tmux.wait_for("peer", &format!("{line} taken"), |s| {
            let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("");
            last.trim() == "$" || tmux.format("peer", "#{pane_current_command}") != "bash"
        });
        return;
    }
    let before = tmux.screen("s");
    match act {
        Act::Second => unreachable!("the second terminal is driven by `complete`"),
        Act::Peer(_) => {}
        Act::SwitchEnd => {
            let was = input_end(&before);
            tmux.keys("s", &["F2"]);
            tmux.wait_for("s", "F2 to move the input", |s| input_end(s) != was);
        }
        Act::Line(line) => {
            let n = calls(&before);
            tmux.line("s", line);
            tmux.wait_for("s", &format!("the call of {line}"), |s| {
                calls(s) > n && !s.contains("blocked in")
            });
        }
    }
}

/// The Lesson pane: the top of the screen, down to its bottom border.
fn pane(screen: &str) -> String {
    let rows: Vec<&str> = screen.lines().collect();
    let end = rows.iter().position(|l| l.starts_with('└')).unwrap_or(rows.len());
    rows[..end].join("\n")
}

/// The port in the pane's `/bind 127.0.0.1:PORT` (a filled-in `{port}`).
fn filled_port(pane: &str) -> Option<String> {
    let at = pane.find("/bind 127.0.0.1:")? + "/bind 127.0.0.1:".len();
    let digits: String = pane[at..].chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// The chapter's second-terminal command with `{port}` as the pane fills
/// it in: the digits on screen right after the text before `{port}`.
fn second_command(chapter: &Chapter, pane: &str) -> String {
    let template = chapter.second.expect("a hint names the second terminal").en;
    let (before, _) = template.split_once("{port}").expect("the command names {port}");
    let marker = &before[before.len().saturating_sub(14)..];
    let at = pane.find(marker).expect("the command on screen") + marker.len();
    let port: String = pane[at..].chars().take_while(char::is_ascii_digit).collect();
    assert!(!port.is_empty(), "no port after {marker:?}:\n{pane}");
    template.replace("{port}", &port)
}

/// What the second terminal shows once a chapter that has one is done.
const SECOND_SAYS: &[(&str, &str)] = &[("backlog", "3 connected"), ("web", "Hello, World")];

/// The Lesson pane shows step `k` (1-based) ticked.
fn ticked(screen: &str, k: usize) -> bool {
    pane(screen).contains(&format!("✓ {k}. "))
}

fn start(tmux: &Tmux, state: &std::path::Path, args: &str) {
    tmux.line("s", &format!("cd {} && export XDG_STATE_HOME=$PWD", state.display()));
    tmux.sockpit("s", args);
}

fn quit(tmux: &Tmux) {
    tmux.keys("s", &["C-q"]);
    tmux.assert_shell_back("s");
}

/// Does chapter by its hints, checking each item ticks after the one
/// before and not before its own actions.
fn complete(chapter: &Chapter) {
    let tmux = Tmux::new();
    tmux.shell("s");
    let state = tempdir(chapter.slug);
    if chapter.second.is_some() {
        // The second terminal, in the same directory (a socket file's
        // relative path, a server's files).
        tmux.shell("peer");
        tmux.line("peer", &format!("cd {}", state.display()));
    }
    start(&tmux, &state, &format!("learn {}", chapter.number));
    tmux.wait_for("s", "the Lesson pane", |s| s.contains(&format!("Lesson {}:", chapter.number)));
    for (i, step) in chapter.steps.iter().enumerate() {
        let k = i + 1;
        let last = *step.hints.last().expect("validator: every step has a hint");
        // The hints as the student asks for them: the last one is on screen.
        for _ in step.hints {
            tmux.keys("s", &["M-l"]);
        }
        let shown = format!("Hint {}/{}:", step.hints.len(), step.hints.len());
        let screen = tmux.wait_for("s", &shown, |s| pane(s).contains(&shown) || ticked(s, k));
        // `{port}` is the server's port, as the pane fills it in.
        let port = filled_port(&pane(&screen));
        let todo: Vec<Act> = actions(last)
            .into_iter()
            .map(|a| match a {
                Act::Line(l) => Act::Line(l.replace("{port}", port.as_deref().unwrap_or("?"))),
                Act::Peer(l) => Act::Peer(l.replace("{port}", port.as_deref().unwrap_or("?"))),
                other => other,
            })
            .collect();
        let screen = tmux.screen("s");
        if k > 1 {
            assert!(
                ticked(&screen, k - 1),
                "{}: step {} not ticked:\n{screen}",
                chapter.slug,
                k - 1
            );
        }
        // A step a call makes cannot tick before the call (a step the
        // kernel's state makes may, as soon as the step before it did).
        if todo.iter().any(|a| matches!(a, Act::Line(_))) {
            assert!(
                !ticked(&screen, k),
                "{}: step {k} ticked before its actions:\n{screen}",
                chapter.slug
            );
        }
        for a in &todo {
            if *a == Act::Second {
                tmux.line("peer", &second_command(chapter, &pane(&screen)));
            } else {
                act(&tmux, a);
            }
        }
        tmux.wait_for("s", &format!("{} step {k} ticked", chapter.slug), |s| ticked(s, k));
    }
    tmux.wait_for("s", "the chapter done", |s| s.contains("Chapter done!"));
    if let Some((_, says)) = SECOND_SAYS.iter().find(|(slug, _)| *slug == chapter.slug) {
        tmux.wait_for("peer", says, |s| s.contains(says));
        // Enter ends what still waits there (the backlog's clients).
        tmux.keys("peer", &["Enter"]);
    }
    // F10 on each end, as the pane offers: the scripts land in the cwd.
    let demo = chapter.setup.first() == Some(&"demo");
    let ends: &[&str] = if demo { &["server", "client"] } else { &["server"] };
    for &name in ends {
        // One end has no `◀ input` mark to move.
        if demo && input_end(&tmux.screen("s")) != Some(name) {
            act(&tmux, &Act::SwitchEnd);
        }
        tmux.keys("s", &["F10"]);
        // A one-end session's script is `sockpit-TIME.py`, a demo's end's
        // `sockpit-TIME-END.py`.
        let file = if demo { format!("-{name}.py") } else { "F10: wrote".into() };
        tmux.wait_for("s", &format!("the {name} script"), |s| s.contains(&file));
    }
    quit(&tmux);
    if chapter.slug == "unix" {
        let script = exported::script(&state, ".py").expect("the server's script");
        exported::run_unix_server(&state, &script);
    } else if demo {
        let server = exported::script(&state, "-server.py").expect("the server's script");
        let client = exported::script(&state, "-client.py").expect("the client's script");
        exported::run_pair(chapter.slug, &server, &client);
    } else {
        let server = exported::script(&state, ".py").expect("the server's script");
        let template = chapter.second.expect("a one-end chapter has a second terminal").en;
        exported::run_with_second(chapter.slug, &server, template);
    }
    let saved =
        std::fs::read_to_string(state.join("sockpit/progress.json")).expect("progress saved");
    let v: serde_json::Value = serde_json::from_str(&saved).expect("progress is JSON");
    assert_eq!(v["chapters"][chapter.slug]["finished"], true, "{saved}");
    std::fs::remove_dir_all(state).ok();
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sockpit-learn-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn hints_parse_into_keys_and_commands() {
    let t = |en| Text { en, zh: "" };
    assert_eq!(
        actions(t("F2, then /socket, then /connect.")),
        [Act::SwitchEnd, Act::Line("/socket".into()), Act::Line("/connect".into())]
    );
    assert_eq!(actions(t("On the server: /recv 4.")), [Act::Line("/recv 4".into())]);
    assert_eq!(actions(t("Nothing to type: watch the pane.")), []);
    assert_eq!(actions(t("/recv 1024, and wait a second.")), [Act::Line("/recv 1024".into())]);
    assert_eq!(
        actions(t("Type: /esc HTTP/1.0 200 OK\\r\\n\\r\\nHello, World")),
        [Act::Line("/esc HTTP/1.0 200 OK\\r\\n\\r\\nHello, World".into())]
    );
    assert_eq!(
        actions(t("F2, /sendto ab, /sendto cd; F2, /recvfrom 1024.")),
        [
            Act::SwitchEnd,
            Act::Line("/sendto ab".into()),
            Act::Line("/sendto cd".into()),
            Act::SwitchEnd,
            Act::Line("/recvfrom 1024".into())
        ]
    );
    assert_eq!(actions(t("Run the line after \"In a second terminal\" there.")), [Act::Second]);
    assert_eq!(
        actions(t("In the second terminal: `socat - UNIX-CONNECT:learn.sock`; then /accept.")),
        [Act::Peer("socat - UNIX-CONNECT:learn.sock".into()), Act::Line("/accept".into())]
    );
}

#[test]
fn every_chapter_completes_by_typing_its_hints() {
    assert!(!ALL.is_empty());
    for chapter in ALL {
        complete(chapter);
    }
}

#[test]
fn a_wrong_call_does_not_tick_and_progress_survives_a_restart() {
    let tmux = Tmux::new();
    tmux.shell("s");
    let state = tempdir("restart");
    let file = state.join("sockpit/progress.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"v\":1,\"chapters\":{\"tcp-server\":").unwrap();
    start(&tmux, &state, "learn tcp-server");
    tmux.wait_for("s", "the corrupt file reported", |s| s.contains("was corrupt"));
    for line in ["/socket", "/bind", "/listen 5"] {
        act(&tmux, &Act::Line(line.into()));
    }
    tmux.wait_for("s", "listen ticked", |s| ticked(s, 3));
    // recv on the listener: CPython's error, and no tick.
    act(&tmux, &Act::Line("/recv".into()));
    let screen = tmux.wait_for("s", "CPython's error", |s| {
        s.contains("server.recv(1024)  -> OSError: [Errno 107] Transport endpoint is not")
    });
    assert!(!ticked(&screen, 4), "a wrong call ticked:\n{screen}");
    assert!(screen.contains("▶ 4. "), "step 4 is still the current one:\n{screen}");
    quit(&tmux);
    let saved = std::fs::read_to_string(&file).unwrap();
    let v: serde_json::Value = serde_json::from_str(&saved).expect("the corrupt file was replaced");
    assert_eq!(v["chapters"]["tcp-server"]["best"], 3, "{saved}");

    // The list shows it, and the chapter again says nothing of corruption.
    tmux.line("s", "clear");
    tmux.sockpit("s", "learn");
    tmux.wait_for("s", "the list with progress", |s| {
        common::tmux::line_with(s, &["1", "tcp-server", "3/5"])
    });
    tmux.sockpit("s", "learn 1 --lang zh");
    let screen = tmux.wait_for("s", "the chapter in Chinese", |s| s.contains("第1课"));
    assert!(screen.contains("最好 3"), "the best run is shown:\n{screen}");
    assert!(!screen.contains("corrupt"), "reported once only:\n{screen}");
    // Alt-R starts again over fresh sockets: step 1 current, nothing ticked.
    act(&tmux, &Act::Line("/socket".into()));
    tmux.wait_for("s", "socket ticked", |s| ticked(s, 1));
    tmux.keys("s", &["M-r"]);
    let deadline = std::time::Instant::now() + PATIENCE;
    tmux.wait_for("s", "the reset", |s| s.contains("▶ 1. ") && !ticked(s, 1));
    assert!(std::time::Instant::now() < deadline);
    quit(&tmux);
    std::fs::remove_dir_all(state).ok();
}

#[test]
fn the_unix_chapter_shows_cpython_errors_and_does_not_tick_on_them() {
    let tmux = Tmux::new();
    tmux.shell("s");
    let state = tempdir("unix-wrong");
    start(&tmux, &state, "learn unix");
    tmux.wait_for("s", "the Lesson pane", |s| s.contains("Lesson 10:"));
    act(&tmux, &Act::Line("/socket".into()));
    tmux.wait_for("s", "an AF_UNIX socket", |s| {
        s.contains("server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)")
    });
    // listen() before bind(): a Unix socket has no name to listen on.
    act(&tmux, &Act::Line("/listen 5".into()));
    let screen = tmux.wait_for("s", "CPython's EINVAL", |s| {
        s.contains("server.listen(5)  -> OSError: [Errno 22] Invalid argument")
    });
    assert!(!ticked(&screen, 2), "a wrong call ticked:\n{screen}");
    // An IP address on a Unix socket is Python's TypeError: nothing is called.
    tmux.line("s", "/bind 127.0.0.1:9");
    let screen = tmux.wait_for("s", "the TypeError usage", |s| s.contains("(Python: TypeError)"));
    assert!(screen.contains("▶ 2. "), "bind is still the current step:\n{screen}");
    quit(&tmux);
    assert!(!state.join("learn.sock").exists(), "nothing was bound");
    std::fs::remove_dir_all(state).ok();
}
