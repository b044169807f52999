//! Paths of the packet inspector's keys and commands.

use super::*;

fn alt(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
}

fn enter(app: &mut App) -> Vec<Effect> {
    app.on_key(key(KeyCode::Enter))
}

fn send_of(data: &[u8]) -> Command {
    Command::Send { to: To::Current, data: Bytes::copy_from_slice(data) }
}

fn udp_client() -> App {
    let role = Role::UdpClient(Target::Addr(addr("127.0.0.1:8888")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    connect(&mut app, 0, 1);
    app
}

#[test]
fn hex_and_esc_send_exact_bytes_and_bad_input_sends_nothing() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "/hex 48 65 6c 6c 6f");
    assert_eq!(sent(&enter(&mut app)), vec![send_of(b"Hello")]);
    assert_eq!(app.end().pending, 5);
    typed(&mut app, "/esc GET / HTTP/1.0\\r\\n\\x00");
    assert_eq!(sent(&enter(&mut app)), vec![send_of(b"GET / HTTP/1.0\r\n\0")]);

    typed(&mut app, "/hex 4g");
    assert!(enter(&mut app).is_empty());
    let last = texts(&app, 0).pop().unwrap_or_default();
    assert!(last.starts_with("/hex 4g: \"g\" at column 2 is not a hex digit"), "{last}");
    assert_eq!(app.input.value(), "/hex 4g", "the line stays to be fixed");
    app.input.take();
    typed(&mut app, "/esc \\q");
    assert!(enter(&mut app).is_empty());
    assert!(texts(&app, 0).pop().is_some_and(|t| t.contains("is not an escape")));
}

#[test]
fn a_missing_file_is_an_error_entry_and_sends_nothing() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "/file /nonexistent/x.bin");
    let effects = enter(&mut app);
    let path = "/nonexistent/x.bin".to_string();
    let want =
        Effect::SendFile { end: 0, path: path.clone(), to: To::Current, chunk: send::TCP_CHUNK };
    assert_eq!(effects, vec![want]);
    let message = crate::payload::open_file(std::path::Path::new(&path)).unwrap_err().to_string();
    app.file_news(0, send::FileNews::Failed { message, read: 0 });
    let last = texts(&app, 0).pop().unwrap_or_default();
    assert!(last.starts_with("open /nonexistent/x.bin failed: ENOENT"), "{last}");
    assert_eq!((app.end().pending, app.upload.clone()), (0, None));
}

#[test]
fn a_file_streams_and_the_progress_follows_sent_events() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "/file big.bin");
    assert!(matches!(enter(&mut app)[..], [Effect::SendFile { chunk: send::TCP_CHUNK, .. }]));
    typed(&mut app, "/file other.bin");
    assert!(enter(&mut app).len() == 1, "nothing is sending yet: a second file may go");
    app.file_news(0, send::FileNews::Opened { path: "big.bin".into(), total: 150_000 });
    assert_eq!(app.end().pending, 150_000);
    assert_eq!(app.upload.as_ref().map(send::Upload::percent), Some(0));
    typed(&mut app, "/file third.bin");
    assert!(enter(&mut app).is_empty(), "one file at a time");
    let first = Bytes::from(vec![7; send::TCP_CHUNK]);
    let d = DataRecord { sock: 1, dir: Dir::Sent, peer: None, data: first, offset: 0 };
    app.on_engine(0, &ev(EventKind::Data(d)));
    assert_eq!(app.upload.as_ref().map(send::Upload::percent), Some(43));
    // The file shrank to 100,000 B while it was read: the bar ends there.
    app.file_news(0, send::FileNews::Finished { read: 100_000 });
    let rest = Bytes::from(vec![7; 100_000 - send::TCP_CHUNK]);
    let d = DataRecord { sock: 1, dir: Dir::Sent, peer: None, data: rest, offset: 65_536 };
    app.on_engine(0, &ev(EventKind::Data(d)));
    assert_eq!(app.upload, None, "done");

    let mut app = udp_client();
    typed(&mut app, "/file d.bin");
    assert!(matches!(enter(&mut app)[..], [Effect::SendFile { chunk: send::UDP_CHUNK, .. }]));
    app.file_news(0, send::FileNews::Opened { path: "d.bin".into(), total: 2500 });
    let last = texts(&app, 0).pop().unwrap_or_default();
    assert!(last.ends_with("2500 B as 3 datagram(s) of at most 1024 B"), "{last}");
}

#[test]
fn f5_resends_the_selected_entry_exactly() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &data(1, Dir::Sent, b"GET / HTTP/1.0\r\n"));
    app.on_engine(0, &data(1, Dir::Received, b"Hello, World\r\n"));
    assert!(sent(&app.on_key(key(KeyCode::F(5)))).is_empty(), "nothing selected");
    app.focus = Focus::History;
    app.ends[0].history.select(2);
    assert_eq!(sent(&app.on_key(key(KeyCode::F(5)))), vec![send_of(b"Hello, World")]);
    app.on_key(key(KeyCode::Up));
    assert_eq!(sent(&app.on_key(key(KeyCode::F(5)))), vec![send_of(b"GET / HTTP/1.0\r\n")]);
    app.on_key(key(KeyCode::Up)); // the "connected" note
    assert!(sent(&app.on_key(key(KeyCode::F(5)))).is_empty());
    assert!(texts(&app, 0).pop().is_some_and(|t| t.contains("sockpit's own note")));
}

#[test]
fn alt_v_cycles_text_hex_both() {
    let mut app = client();
    let views: Vec<View> = (0..3)
        .map(|_| {
            app.on_key(alt('v'));
            app.view
        })
        .collect();
    assert_eq!(views, [View::Hex, View::Both, View::Text]);
}

#[test]
fn enter_in_the_history_opens_the_inspector_and_esc_closes_it() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &data(1, Dir::Received, "你".as_bytes()));
    app.on_engine(0, &data(1, Dir::Received, "好\n".as_bytes()));
    app.focus = Focus::History;
    app.on_key(key(KeyCode::Up));
    enter(&mut app);
    let i = app.inspector.clone().expect("open");
    assert_eq!(i.packets.len(), 2, "both recv calls behind the line");
    assert_eq!(i.bytes(), "你好\n".as_bytes());
    app.resize(80, 10);
    app.on_key(key(KeyCode::PageDown));
    let top = app.inspector.as_ref().map(|i| i.top);
    assert!(top.is_some_and(|t| t > 0), "{top:?}");
    app.on_key(key(KeyCode::Home));
    assert_eq!(app.inspector.as_ref().map(|i| i.top), Some(0));
    app.on_key(key(KeyCode::Esc));
    assert!(app.inspector.is_none());
    assert!(app.end().history.selected.is_some(), "Esc closed only the inspector");
}

#[test]
fn f3_searches_text_and_bytes_n_moves_esc_restores_the_draft() {
    let mut app = client();
    connect(&mut app, 0, 1);
    for line in [&b"alpha\r\n"[..], b"beta\r\n", b"alphabet\r\n"] {
        let d = DataRecord {
            sock: 1,
            dir: Dir::Received,
            peer: None,
            data: Bytes::copy_from_slice(line),
            offset: 0,
        };
        app.on_engine(0, &ev(EventKind::Data(d)));
    }
    typed(&mut app, "draft");
    app.on_key(key(KeyCode::F(3)));
    assert!(app.search.prompt && app.input.is_empty());
    typed(&mut app, "alpha");
    enter(&mut app);
    let hit = app.search.hit.expect("hit");
    assert_eq!((hit.seq, hit.at), (1, Some(0)));
    assert_eq!(app.end().history.selected, Some(1));
    assert_eq!(app.search.count, Some((1, 2)), "hit 1 of 2 in the title");
    enter(&mut app);
    assert_eq!(app.search.hit.map(|h| h.seq), Some(3));
    assert_eq!(app.search.count, Some((2, 2)));
    app.focus = Focus::History;
    app.on_key(key(KeyCode::Char('n')));
    assert_eq!(app.search.hit.map(|h| h.seq), Some(1), "wraps around");
    app.on_key(KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT));
    assert_eq!(app.search.hit.map(|h| h.seq), Some(3));
    app.on_key(key(KeyCode::Esc));
    assert_eq!((app.search.prompt, app.input.value()), (false, "draft"));
    assert!(app.search.needle.is_none());
    assert_eq!(app.focus, Focus::Input, "F3 was pressed in the input");

    // Esc goes back to the pane F3 was pressed in, not to the input.
    app.focus = Focus::History;
    app.on_key(key(KeyCode::F(3)));
    assert_eq!(app.focus, Focus::Input);
    typed(&mut app, "gamma");
    enter(&mut app);
    assert_eq!(app.search.count, Some((0, 0)), "not found, in the title");
    app.on_key(key(KeyCode::Esc));
    assert_eq!((app.focus, app.input.value()), (Focus::History, "draft"));

    // A line's ending is part of its bytes: CR LF is found in the line.
    app.focus = Focus::Input;
    app.on_key(key(KeyCode::F(3)));
    typed(&mut app, "x:0d 0a");
    enter(&mut app);
    assert_eq!(app.search.hit.map(|h| (h.seq, h.at)), Some((1, Some(5))));
    assert_eq!(app.search.count, Some((1, 3)));
    // Bytes across two lines are found in the call behind them.
    let d = DataRecord {
        sock: 1,
        dir: Dir::Received,
        peer: None,
        data: Bytes::from_static(b"one\ntwo\n"),
        offset: 0,
    };
    app.on_engine(0, &ev(EventKind::Data(d)));
    app.input.take();
    typed(&mut app, "x:0a 74");
    enter(&mut app);
    let hit = app.search.hit.expect("found in the call");
    assert_eq!(hit.at, None);
    assert_eq!(app.end().history.get(hit.seq).map(|e| &e.text[..]), Some(&b"one"[..]));
    app.input.take();
    typed(&mut app, "x:zz");
    enter(&mut app);
    assert!(texts(&app, 0).pop().is_some_and(|t| t.contains("not a hex digit")));
}

#[test]
fn alt_c_and_alt_x_copy_the_selection_capped() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &data(1, Dir::Received, b"hi\x1b[2J\n"));
    assert!(app.on_key(alt('c')).is_empty(), "nothing selected");
    app.focus = Focus::History;
    app.ends[0].history.select(1);
    assert_eq!(app.on_key(alt('c')), vec![Effect::Clipboard("hi␛[2J".as_bytes().to_vec())]);
    // Hex is every byte of the entry, its line ending too.
    let hex = b"68 69 1b 5b 32 4a 0a".to_vec();
    assert_eq!(app.on_key(alt('x')), vec![Effect::Clipboard(hex)]);

    let big = vec![b'a'; crate::app::inspector::keys::COPY_MAX + 1];
    let d = DataRecord { sock: 1, dir: Dir::Received, peer: None, data: big.into(), offset: 9 };
    app.on_engine(0, &ev(EventKind::Data(d)));
    app.on_key(key(KeyCode::End));
    app.on_key(key(KeyCode::Up));
    app.on_key(key(KeyCode::Down));
    assert!(app.on_key(alt('x')).is_empty());
    assert!(texts(&app, 0).pop().is_some_and(|t| t.starts_with("not copied")));
}

#[test]
fn f9_asks_for_a_pcapng_and_help_scrolls() {
    let mut app = client();
    assert_eq!(app.on_key(key(KeyCode::F(9))), vec![Effect::SavePcap { end: 0 }]);
    app.on_key(key(KeyCode::F(1)));
    app.on_key(key(KeyCode::PageDown));
    assert!(app.help && app.help_top > 0);
    app.on_key(key(KeyCode::Char('x')));
    assert!(!app.help && app.help_top == 0);
}

#[test]
fn a_refused_command_stays_marked_and_typing_replaces_it() {
    let mut app = client();
    connect(&mut app, 0, 1);
    typed(&mut app, "/hex zz");
    enter(&mut app);
    assert_eq!(app.input.value(), "/hex zz", "kept for editing");
    let why = app.rejected.clone().expect("marked refused");
    assert!(why.contains("not a hex digit"), "{why}");
    // The next typed character starts a new line.
    typed(&mut app, "/file /nonexistent");
    assert_eq!(app.input.value(), "/file /nonexistent");
    assert!(app.rejected.is_none());
    // An editing key edits the refused command instead.
    app.input.take();
    typed(&mut app, "/hex 4g");
    enter(&mut app);
    assert!(app.rejected.is_some());
    app.on_key(key(KeyCode::Backspace));
    typed(&mut app, "1");
    assert_eq!(app.input.value(), "/hex 41");
    assert!(app.rejected.is_none());
    // Text lines are never marked: a refused send keeps the words.
    app.input.take();
    typed(&mut app, "/nope");
    enter(&mut app);
    assert!(app.rejected.is_some(), "an unknown command too");
}
