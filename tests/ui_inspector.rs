//! The packet inspector on ratatui's `TestBackend`, opened the way a user
//! does (Enter on a history entry, F3 for a search), from recorded engine
//! events with fixed times and a stopped clock: text, every byte value, a
//! character split across two recv calls, a 1 MiB call, a search hit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, addr};

use std::time::Instant;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock, Pane};
use sockpit::net::{
    Call, CallRecord, DataRecord, Dir, Event, EventKind, Family, Kind, Returned, Role, Target,
};

const SERVER: &str = "127.0.0.1:8080";
const CLIENT: &str = "127.0.0.1:50512";

/// An event `us` microseconds after T0: the inspector shows a call's time
/// to the microsecond, so these events need finer times than the
/// milliseconds of `common::events` (the one exception to its unit).
fn at(us: u64, kind: EventKind) -> Event {
    Event { at: T0 + us, kind }
}

fn call(us: u64, call: Call, result: Returned) -> Event {
    at(us, EventKind::Call(CallRecord { sock: 1, var: "client", call, result: Ok(result) }))
}

fn data(us: u64, dir: Dir, bytes: &[u8], offset: u64) -> Event {
    let data = Bytes::copy_from_slice(bytes);
    at(
        us,
        EventKind::Data(DataRecord { sock: 1, dir, peer: Some(addr(SERVER).into()), data, offset }),
    )
}

/// A client connected to the server, nothing said yet.
fn client() -> App {
    let role = Role::TcpClient(Target::Addr(addr(SERVER)));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    feed(
        &mut app,
        [
            call(1, stream, Returned::Socket { fd: 5 }),
            call(2, Call::Connect(addr(SERVER).into()), Returned::Nothing),
            at(
                2,
                EventKind::Connected {
                    sock: 1,
                    fd: 5,
                    local: addr(CLIENT).into(),
                    peer: addr(SERVER).into(),
                },
            ),
        ],
    );
    app
}

fn feed(app: &mut App, events: impl IntoIterator<Item = Event>) {
    for ev in events {
        app.on_engine(0, &ev);
    }
}

fn send(app: &mut App, us: u64, bytes: &[u8], offset: u64) {
    let len = bytes.len();
    feed(
        app,
        [call(us, Call::SendAll { len }, Returned::Nothing), data(us, Dir::Sent, bytes, offset)],
    );
}

fn recv(app: &mut App, us: u64, bytes: &[u8], offset: u64) {
    let got = Returned::Data { data: Bytes::copy_from_slice(bytes), from: None, truncated: None };
    feed(
        app,
        [call(us, Call::Recv { bufsize: 1024 }, got), data(us, Dir::Received, bytes, offset)],
    );
}

fn key(app: &mut App, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Selects history entry `seq` and presses Enter on it, as a user does.
fn inspect(app: &mut App, seq: u64) {
    app.click(Pane::History(app.active()), None);
    app.end_mut().history.select(seq);
    key(app, KeyCode::Enter);
    assert_eq!(app.inspector().map(|i| i.seq), Some(seq), "the inspector opened");
}

fn draw(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    terminal.backend().clone()
}

fn sized(mut app: App, w: u16, h: u16) -> App {
    app.resize(w, h);
    app
}

#[test]
fn text_request_and_reply() {
    let mut app = sized(client(), 80, 24);
    send(&mut app, 10_000, b"GET / HTTP/1.0\r\n\r\n", 0);
    recv(&mut app, 12_345, b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World\n", 0);
    // Entries: connected, the request's two lines, the reply's four.
    inspect(&mut app, 6);
    insta::assert_snapshot!("text_reply_80x24", draw(&app, 80, 24));
    inspect(&mut app, 1);
    insta::assert_snapshot!("text_request_80x24", draw(&app, 80, 24));
}

#[test]
fn binary_every_byte_value() {
    let mut app = sized(client(), 100, 44);
    let all: Vec<u8> = (0..=255).collect();
    recv(&mut app, 10_000, &all, 0);
    // 0x0a ends a line: the bytes before it are entry 1, the rest entry 2;
    // both show the one recv call that carried them.
    inspect(&mut app, 2);
    let inspector = app.inspector().expect("open");
    assert_eq!(inspector.bytes(), all);
    insta::assert_snapshot!("binary_all_bytes_100x44", draw(&app, 100, 44));
}

#[test]
fn cjk_split_across_two_recv_calls() {
    let mut app = sized(client(), 80, 24);
    let bytes = "你好\n".as_bytes();
    recv(&mut app, 10_000, &bytes[..4], 0);
    recv(&mut app, 10_250, &bytes[4..], 4);
    inspect(&mut app, 1);
    assert_eq!(app.inspector().map(|i| i.packets.len()), Some(2));
    insta::assert_snapshot!("cjk_split_80x24", draw(&app, 80, 24));
}

#[test]
fn a_mebibyte_call_scrolls_smoothly() {
    let mut app = sized(client(), 80, 24);
    let big: Vec<u8> = (0..1u32 << 20).map(|i| b"0123456789abcdef"[(i % 16) as usize]).collect();
    recv(&mut app, 10_000, &big, 0);
    inspect(&mut app, 1);
    insta::assert_snapshot!("mebibyte_top_80x24", draw(&app, 80, 24));
    key(&mut app, KeyCode::End);
    insta::assert_snapshot!("mebibyte_end_80x24", draw(&app, 80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let started = Instant::now();
    for _ in 0..50 {
        key(&mut app, KeyCode::PageUp);
        terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    }
    // Each frame builds only its ~18 rows; the whole dump would be 65,536
    // hex rows and ~16,000 text rows. The bound leaves room for a debug
    // build on a busy machine.
    let per_frame = started.elapsed() / 50;
    assert!(per_frame.as_millis() < 40, "{per_frame:?} per frame");
    key(&mut app, KeyCode::Home);
    assert_eq!(app.inspector().map(|i| i.top), Some(0));
}

#[test]
fn a_search_hit_is_highlighted() {
    let mut app = sized(client(), 80, 24);
    recv(&mut app, 10_000, b"HTTP/1.0 200 OK\r\n\r\nHello, World\n", 0);
    key(&mut app, KeyCode::F(3));
    for c in "x:57 6f 72".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    let hit = app.search().hit.expect("a hit");
    assert_eq!((hit.seq, hit.at), (3, Some(7)), "\"Wor\" in \"Hello, World\"");
    inspect(&mut app, hit.seq);
    let backend = draw(&app, 80, 24);
    insta::assert_snapshot!("search_hit_80x24", backend);
    // The hit's three bytes are lit in the hex and ASCII columns.
    let buf = backend.buffer();
    let lit: String = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].bg == Color::Yellow)
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect();
    assert_eq!(lit, "576f72Wor", "the hit in hex and ASCII");
    // The history shows it too, once the inspector is closed.
    key(&mut app, KeyCode::Esc);
    let backend = draw(&app, 80, 24);
    let buf = backend.buffer();
    let lit: String = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| buf[(x, y)].bg == Color::Yellow)
        .map(|(x, y)| buf[(x, y)].symbol().to_string())
        .collect();
    assert_eq!(lit, "Wor");
}
