//! Every key and event path of the app, driven by hand-made events.

use std::net::SocketAddr;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::sockets::State;
use super::*;
use crate::net::{
    Call, CallError, CallRecord, CloseReason, DataRecord, Dir, EventKind, Kind, Returned, Shut,
    Target, To,
};

const T0: Micros = 1_700_000_000_000_000;

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

fn ev(kind: EventKind) -> Event {
    Event { at: T0, kind }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(app.on_key(key(KeyCode::Char(c))).is_empty());
    }
}

fn client() -> App {
    let role = Role::TcpClient(Target::Addr(addr("127.0.0.1:8080")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    app
}

fn connect(app: &mut App, end: usize, sock: u32) {
    let (local, peer) = (addr("127.0.0.1:5001"), addr("127.0.0.1:8080"));
    app.on_engine(end, &ev(EventKind::Connected { sock, fd: 7, local, peer }));
}

fn data(sock: u32, dir: Dir, bytes: &'static [u8]) -> Event {
    let peer = Some(addr("127.0.0.1:8080"));
    ev(EventKind::Data(DataRecord { sock, dir, peer, data: Bytes::from_static(bytes), offset: 0 }))
}

fn texts(app: &App, end: usize) -> Vec<String> {
    let h = &app.ends[end].history;
    (h.first_seq()..h.end_seq())
        .filter_map(|s| h.get(s))
        .map(|e| String::from_utf8_lossy(&e.text).into_owned())
        .collect()
}

fn sent(effects: &[Effect]) -> Vec<Command> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Command { command, .. } => Some(command.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn enter_sends_text_plus_eol_and_counts_pending() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "hello 你好");
    let effects = app.on_key(key(KeyCode::Enter));
    let want = Command::Send { to: To::Current, data: Bytes::from("hello 你好\n") };
    assert_eq!(sent(&effects), vec![want]);
    assert_eq!(app.input.value(), "");
    assert_eq!(app.end().pending, 13);
    app.on_engine(0, &data(1, Dir::Sent, "hello 你好\n".as_bytes()));
    assert_eq!(app.end().pending, 0);
    assert_eq!(texts(&app, 0).last().map(String::as_str), Some("hello 你好"));
}

#[test]
fn enter_without_a_connection_is_refused_and_keeps_the_line() {
    let mut app = client();
    typed(&mut app, "hi");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty());
    assert_eq!(app.input.value(), "hi");
    let last = texts(&app, 0).pop().unwrap_or_default();
    assert!(last.contains("nothing sent") && last.contains("F6"), "{last}");

    let role = Role::TcpServer(Target::Addr(addr("127.0.0.1:0")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let local = addr("127.0.0.1:4000");
    app.on_engine(0, &ev(EventKind::Listening { sock: 1, fd: 3, local, kind: Kind::Stream }));
    typed(&mut app, "x");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty());
    let last = texts(&app, 0).pop().unwrap_or_default();
    assert!(last.contains("no client yet") && last.contains("127.0.0.1:4000"), "{last}");
}

#[test]
fn slash_commands() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "//etc");
    let want = Command::Send { to: To::Current, data: Bytes::from("/etc\n") };
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))), vec![want]);
    typed(&mut app, "/close");
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))), vec![Command::Close { to: To::Current }]);
    typed(&mut app, "/shutdown");
    let shut = Command::Shutdown { to: To::Current, how: Shut::Write };
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))), vec![shut]);
    typed(&mut app, "/nope");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("unknown command /nope")));
    assert_eq!(app.input.value(), "/nope", "the line stays to be fixed");
}

#[test]
fn empty_enter_sends_the_bare_eol_and_eol_cycles() {
    let mut app = client();
    connect(&mut app, 0, 1);
    let bare = Command::Send { to: To::Current, data: Bytes::from("\n") };
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))), vec![bare]);
    app.on_key(key(KeyCode::F(4)));
    assert_eq!(app.eol, Eol::Crlf);
    typed(&mut app, "a");
    let crlf = Command::Send { to: To::Current, data: Bytes::from("a\r\n") };
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))), vec![crlf]);
    app.on_key(key(KeyCode::F(4)));
    assert_eq!(app.eol, Eol::None);
    assert!(app.on_key(key(KeyCode::Enter)).is_empty(), "nothing to send");
    app.on_key(key(KeyCode::F(4)));
    assert_eq!(app.eol, Eol::Lf);
}

#[test]
fn ctrl_d_half_closes_only_an_empty_input() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "ab");
    app.on_key(key(KeyCode::Left));
    assert!(app.on_key(ctrl('d')).is_empty());
    assert_eq!(app.input.value(), "a");
    app.on_key(ctrl('u'));
    let shut = Command::Shutdown { to: To::Current, how: Shut::Write };
    assert_eq!(sent(&app.on_key(ctrl('d'))), vec![shut]);
}

#[test]
fn peer_eof_means_close_wait_and_sending_goes_on() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    let shown = app.end().sockets.shown().map(|s| s.state);
    assert_eq!(shown, Some(State::CloseWait));
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("CLOSE_WAIT")));
    typed(&mut app, "still here");
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))).len(), 1);
    app.on_engine(0, &ev(EventKind::Closed { sock: 1, reason: CloseReason::Local }));
    assert_eq!(app.end().pending, 0, "queued bytes went down with the socket");
    assert!(app.cannot_send().is_some());
}

#[test]
fn received_lines_survive_any_split() {
    let mut app = client();
    connect(&mut app, 0, 1);
    let whole = "第一行\r\nsecond\npart".as_bytes();
    for chunk in whole.chunks(2) {
        let bytes: &'static [u8] = Box::leak(chunk.to_vec().into_boxed_slice());
        app.on_engine(0, &data(1, Dir::Received, bytes));
    }
    let got = texts(&app, 0);
    assert_eq!(&got[1..], ["第一行", "second", "part"]);
    let h = &app.ends[0].history;
    let first = h.get(1).map(|e| (e.open, e.calls.count));
    // Its \n is in the 6th 2-byte chunk; the 1st held half of 第.
    assert_eq!(first, Some((false, 6)), "the line came in 6 recv calls");
    assert!(h.last().is_some_and(|e| e.open));
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    assert!(app.ends[0].history.get(3).is_some_and(|e| !e.open));
}

#[test]
fn a_broken_character_at_eof_still_shows() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &data(1, Dir::Received, b"first\n"));
    app.on_engine(0, &data(1, Dir::Received, b"ok "));
    app.on_engine(0, &data(1, Dir::Received, b"\xe4\xbd"));
    assert_eq!(texts(&app, 0)[2], "ok ", "the half character waits");
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    let entry = app.ends[0].history.get(2).cloned().expect("entry");
    assert_eq!(entry.calls, history::Calls { first: 1, count: 2 });
    assert_eq!((entry.text.as_slice(), entry.open), (&b"ok \xe4\xbd"[..], false));

    // Held bytes with no line open still come out, linked to their call.
    app.on_engine(0, &data(2, Dir::Received, b"done\n\xf0\x9f"));
    app.on_engine(0, &data(2, Dir::Received, b"\x98"));
    app.on_engine(0, &ev(EventKind::Closed { sock: 2, reason: CloseReason::Local }));
    let h = &app.ends[0].history;
    let held = (h.first_seq()..h.end_seq())
        .filter_map(|s| h.get(s))
        .find(|e| e.sock == 2 && e.text == b"\xf0\x9f\x98")
        .map(|e| (e.calls, e.open));
    assert_eq!(held, Some((history::Calls { first: 0, count: 2 }, false)));
}

#[test]
fn udp_server_waits_for_a_sender() {
    let role = Role::UdpServer(Target::Addr(addr("127.0.0.1:0")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let local = addr("127.0.0.1:8888");
    app.on_engine(0, &ev(EventKind::Listening { sock: 1, fd: 3, local, kind: Kind::Dgram }));
    typed(&mut app, "x");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("nobody to answer")));
    app.on_engine(0, &data(1, Dir::Received, b"one\ntwo\n"));
    assert_eq!(&texts(&app, 0)[2..], ["one", "two"]);
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))).len(), 1);
    app.on_engine(0, &ev(EventKind::Dropped { len: 2, why: "test" }));
    assert_eq!(app.end().pending, 0);
}

#[test]
fn errors_show_once() {
    let mut app = client();
    let err = CallError::from_errno(libc::ECONNREFUSED);
    let rec = CallRecord {
        sock: 1,
        var: "client",
        call: Call::Connect(addr("127.0.0.1:9")),
        result: Err(err.clone()),
    };
    app.on_engine(0, &ev(EventKind::Call(rec)));
    let message = err.message("connect", "127.0.0.1:9");
    app.on_engine(0, &ev(EventKind::Fatal { message }));
    assert!(app.end().lifecycle.lines.back().is_some_and(|l| l.failed));
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("ECONNREFUSED")));
    assert!(app.end().fatal.is_some());

    connect(&mut app, 0, 2);
    let rec = CallRecord {
        sock: 2,
        var: "client",
        call: Call::Recv { bufsize: 1024 },
        result: Err(CallError::from_errno(libc::ECONNRESET)),
    };
    app.on_engine(0, &ev(EventKind::Call(rec)));
    let reason = CloseReason::Failed(CallError::from_errno(libc::ECONNRESET));
    app.on_engine(0, &ev(EventKind::Closed { sock: 2, reason }));
    let resets = texts(&app, 0).iter().filter(|t| t.contains("ECONNRESET")).count();
    assert_eq!(resets, 1);
}

#[test]
fn reconnect_is_for_clients() {
    let mut app = client();
    assert_eq!(app.on_key(key(KeyCode::F(6))), vec![Effect::Reconnect { end: 0 }]);
    app.started(0);
    let role = Role::TcpServer(Target::Addr(addr("127.0.0.1:0")));
    let mut server = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    server.started(0);
    assert!(server.on_key(key(KeyCode::F(6))).is_empty());
    assert!(texts(&server, 0).last().is_some_and(|t| t.contains("server")));
}

#[test]
fn quitting_help_mouse_and_panes() {
    let mut app = client();
    assert_eq!(app.on_key(ctrl('q')), vec![Effect::Quit]);
    let mut app = client();
    assert_eq!(app.on_key(ctrl('c')), vec![Effect::Quit]);
    assert!(app.quit);

    let mut app = client();
    app.on_key(key(KeyCode::F(1)));
    assert!(app.help);
    app.on_key(key(KeyCode::Esc));
    assert!(!app.help);
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::History);
    app.on_key(key(KeyCode::Char('?')));
    assert!(app.help);
    app.on_key(key(KeyCode::Char('x')));
    assert!(!app.help, "any key closes help");
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Lifecycle);
    app.on_key(key(KeyCode::BackTab));
    assert_eq!(app.focus, Focus::History);
    app.on_key(key(KeyCode::Char('z')));
    assert_eq!((app.focus, app.input.value()), (Focus::Input, "z"), "typing goes to the input");
    assert_eq!(app.on_key(key(KeyCode::F(12))), vec![Effect::Mouse(false)]);
    assert_eq!(app.on_key(key(KeyCode::F(12))), vec![Effect::Mouse(true)]);
}

#[test]
fn history_keys_select_and_scroll() {
    let mut app = client();
    connect(&mut app, 0, 1);
    for _ in 0..30 {
        app.on_engine(0, &data(1, Dir::Received, b"line\n"));
    }
    app.resize(80, 24);
    app.focus = Focus::History;
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.end().history.selected, Some(30));
    app.on_key(key(KeyCode::Up));
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.end().history.selected, Some(30));
    app.on_key(key(KeyCode::PageUp));
    assert_eq!(app.end().history.selected, Some(30 - u64::from(app.page)));
    app.on_key(key(KeyCode::Home));
    assert_eq!(app.end().history.selected, Some(0));
    app.on_key(key(KeyCode::End));
    assert_eq!(app.end().history.selected, Some(30));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.end().history.selected, None);
    app.on_key(key(KeyCode::PageUp));
    assert_ne!(app.end().history.anchor, history::Anchor::Follow);
    app.on_key(key(KeyCode::PageDown));
    app.on_key(key(KeyCode::PageDown));
    assert_eq!(app.end().history.anchor, history::Anchor::Follow);

    app.focus = Focus::Lifecycle;
    app.on_engine(
        0,
        &ev(EventKind::Call(CallRecord {
            sock: 1,
            var: "client",
            call: Call::Close,
            result: Ok(Returned::Nothing),
        })),
    );
    app.on_engine(
        0,
        &ev(EventKind::Call(CallRecord {
            sock: 1,
            var: "client",
            call: Call::Close,
            result: Ok(Returned::Nothing),
        })),
    );
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.end().lifecycle.scroll, 1);
    app.on_key(key(KeyCode::End));
    assert_eq!(app.end().lifecycle.scroll, 0);
    app.on_key(key(KeyCode::Home));
    assert_eq!(app.end().lifecycle.scroll, 1);
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.end().lifecycle.scroll, 0);
}

#[test]
fn input_recall_and_editing_keys() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "first");
    app.on_key(key(KeyCode::Enter));
    typed(&mut app, "one two");
    app.on_key(ctrl('w'));
    assert_eq!(app.input.value(), "one ");
    app.on_key(ctrl('a'));
    app.on_key(key(KeyCode::Delete));
    assert_eq!(app.input.value(), "ne ");
    app.on_key(ctrl('e'));
    app.on_key(key(KeyCode::Backspace));
    assert_eq!(app.input.value(), "ne");
    app.on_key(KeyEvent::new(KeyCode::Char('b'), KeyModifiers::ALT));
    assert_eq!(app.input.input.cursor(), 0);
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.input.value(), "first");
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.input.value(), "ne");
}

#[test]
fn paste_sends_complete_lines() {
    let mut app = client();
    connect(&mut app, 0, 1);
    let effects = app.on_paste("GET / HTTP/1.0\r\n\r\nrest");
    let lines: Vec<Command> = sent(&effects);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], Command::Send { to: To::Current, data: Bytes::from("\n") });
    assert_eq!(app.input.value(), "rest");
    app.on_paste("\x1b[31mred");
    assert_eq!(app.input.value(), "rest[31mred");
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("left 1 control")));
}

#[test]
fn demo_switches_ends_and_mouse_selects() {
    let server = Role::TcpServer(Target::Addr(addr("127.0.0.1:0")));
    let client = Role::TcpClient(Target::Addr(addr("127.0.0.1:0")));
    let mut app = App::new(vec![server, client], true, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.active = 1;
    typed(&mut app, "x");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty(), "client not started");
    assert!(texts(&app, 1).last().is_some_and(|t| t.contains("once the server listens")));
    app.on_key(key(KeyCode::F(2)));
    assert_eq!(app.active, 0);
    app.on_key(key(KeyCode::F(2)));
    assert_eq!(app.active, 1);

    for _ in 0..10 {
        app.on_engine(0, &ev(EventKind::Dropped { len: 1, why: "test" }));
    }
    app.click(Pane::History(0), Some(0));
    assert_eq!((app.active, app.focus, app.ends[0].history.selected), (0, Focus::History, Some(0)));
    app.click(Pane::Lifecycle(1), None);
    assert_eq!((app.active, app.focus), (1, Focus::Lifecycle));
    app.click(Pane::Input, None);
    assert_eq!(app.focus, Focus::Input);
    app.wheel(Pane::History(0), true);
    assert_ne!(app.ends[0].history.anchor, history::Anchor::Follow);
    app.wheel(Pane::History(0), false);
    app.wheel(Pane::History(0), false);
    assert_eq!(app.ends[0].history.anchor, history::Anchor::Follow);
}

#[test]
fn plan_caps_reach_the_history() {
    use clap::Parser;
    let cli = crate::cli::Cli::parse_from(["sockpit", "demo", "--history", "2"]);
    let mut app = App::from_plan(&cli.plan(), Clock::fixed(T0));
    assert_eq!(app.active, 1, "the demo types from the client");
    for _ in 0..5 {
        app.on_engine(0, &ev(EventKind::Dropped { len: 1, why: "test" }));
    }
    assert_eq!((app.ends[0].history.len(), app.ends[0].history.dropped), (2, 3));
}
