//! The real UI loop (`sockpit::tui::drive`: sessions, engine, app, drawing)
//! driven by injected keys against a `TestBackend`, with real peers on
//! 127.0.0.1 port 0: what is typed leaves, arrives, and shows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use clap::Parser;
use crossterm::event::{KeyCode, KeyModifiers};
use sockpit::cli::Cli;
use sockpit::tui::Exit;

use common::screen::{Keys, Shared, run_loop};

const PATIENCE: Duration = common::SOON;

fn plan(args: &[&str]) -> sockpit::cli::Plan {
    let argv = std::iter::once("sockpit").chain(args.iter().copied());
    Cli::try_parse_from(argv).expect("a valid command line").plan()
}

/// Whether a screen line holds every piece, in order.
fn line_with(screen: &str, pieces: &[&str]) -> bool {
    screen.lines().any(|line| {
        let mut rest = line;
        pieces.iter().all(|p| match rest.find(p) {
            Some(i) => {
                rest = &rest[i + p.len()..];
                true
            }
            None => false,
        })
    })
}

#[tokio::test(flavor = "current_thread")]
async fn a_typed_line_reaches_the_demo_servers_history() {
    let plan = plan(&["demo", "tcp", "--no-netns"]);
    let script = |keys: Keys, seen: Shared| async move {
        seen.until("the client connected", PATIENCE, |s| s.contains("connected to 127.0.0.1:"))
            .await;
        keys.type_text("hello from the loop");
        seen.until("the typed line in the input", PATIENCE, |s| {
            s.contains("> hello from the loop")
        })
        .await;
        keys.key(KeyCode::Enter, KeyModifiers::NONE);
        // Both ends side by side at 160 columns: the server's history is on
        // the left, and shows the line received.
        let screen = seen
            .until("the line in the server's history", PATIENCE, |s| {
                line_with(s, &["History: server", "History: client"])
                    && line_with(s, &["←", "hello from the loop"])
            })
            .await;
        assert!(
            line_with(&screen, &["→", "hello from the loop"]),
            "the client's own line:\n{screen}"
        );
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    };
    let (exit, ()) = run_loop(plan, (160, 45), script).await;
    assert_eq!(exit.expect("the loop ran"), Exit::Quit);
}

#[tokio::test(flavor = "current_thread")]
async fn a_typed_line_reaches_a_real_peer_and_its_answer_shows() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // The peer: reads one line, answers it in capitals.
    let peer = std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut line = String::new();
        reader.read_line(&mut line).expect("a line from the TUI");
        (&stream).write_all(line.to_uppercase().as_bytes()).expect("answer");
        line
    });
    let plan = plan(&["tcp", "client", &format!("127.0.0.1:{port}")]);
    let script = |keys: Keys, seen: Shared| async move {
        seen.until("the connection", PATIENCE, |s| s.contains("connected to 127.0.0.1:")).await;
        keys.type_text("ping über");
        keys.key(KeyCode::Enter, KeyModifiers::NONE);
        seen.until("the peer's answer", PATIENCE, |s| line_with(s, &["←", "PING ÜBER"])).await;
        keys.key(KeyCode::Char('q'), KeyModifiers::CONTROL);
    };
    let (exit, ()) = run_loop(plan, (80, 24), script).await;
    assert_eq!(exit.expect("the loop ran"), Exit::Quit);
    assert_eq!(peer.join().expect("peer"), "ping über\n", "the bytes the peer read");
}
