//! Key, paste and mouse paths.

use super::*;

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
    app.on_engine(
        0,
        &ev(EventKind::Listening { sock: 1, fd: 3, local: local.into(), kind: Kind::Stream }),
    );
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
    // Up selects the newest entry, then the one above; Down goes back.
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.end().lifecycle.selected, Some(1));
    app.on_key(key(KeyCode::Up));
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.end().lifecycle.selected, Some(0));
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.end().lifecycle.selected, Some(1));
    app.on_key(key(KeyCode::Down));
    assert_eq!(app.end().lifecycle.selected, Some(1), "the newest stays selected");
    app.on_key(key(KeyCode::End));
    assert_eq!((app.end().lifecycle.scroll, app.end().lifecycle.selected), (0, None));
    app.on_key(key(KeyCode::Home));
    assert_eq!((app.end().lifecycle.scroll, app.end().lifecycle.selected), (1, Some(0)));
    app.on_key(key(KeyCode::Esc));
    assert_eq!(app.end().lifecycle.selected, None);
    app.on_key(key(KeyCode::PageDown));
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
    assert_eq!(app.inspector.as_ref().map(|i| i.seq), Some(0), "a click opens the inspector");
    app.on_key(key(KeyCode::Esc));
    assert!(app.inspector.is_none());
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
