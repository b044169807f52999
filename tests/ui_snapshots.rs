//! The whole screen on ratatui's `TestBackend`, built from recorded engine
//! events with fixed times and a stopped clock, so every snapshot is stable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, addr, at, call, data, draw, feed};

use std::time::Instant;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};

/// F1: the help overlay; F3: the history search.
const F1: KeyEvent = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
const F3: KeyEvent = KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE);
use sockpit::net::{
    Call, CallError, CallRecord, Dir, Event, EventKind, Family, Kind, Returned, Role, SockOpt,
    Target,
};

const SERVER: &str = "127.0.0.1:8080";
const CLIENT: &str = "127.0.0.1:50512";

fn server_start() -> Vec<Event> {
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    vec![
        call(0, 1, "server", stream, Returned::Socket { fd: 6 }),
        call(1, 1, "server", Call::SetSockOpt(SockOpt::ReuseAddr(true)), Returned::Nothing),
        call(1, 1, "server", Call::Bind(addr(SERVER).into()), Returned::Nothing),
        call(2, 1, "server", Call::Listen(1024), Returned::Nothing),
        at(
            2,
            EventKind::Listening { sock: 1, fd: 6, local: addr(SERVER).into(), kind: Kind::Stream },
        ),
    ]
}

fn server_accepts() -> Vec<Event> {
    let peer = addr(CLIENT);
    vec![
        call(
            10,
            1,
            "server",
            Call::Accept,
            Returned::Accepted { sock: 2, fd: 7, peer: peer.into() },
        ),
        at(
            10,
            EventKind::Connected { sock: 2, fd: 7, local: addr(SERVER).into(), peer: peer.into() },
        ),
    ]
}

fn client_connects() -> Vec<Event> {
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    vec![
        call(5, 1, "client", stream, Returned::Socket { fd: 5 }),
        call(9, 1, "client", Call::Connect(addr(SERVER).into()), Returned::Nothing),
        at(
            9,
            EventKind::Connected {
                sock: 1,
                fd: 5,
                local: addr(CLIENT).into(),
                peer: addr(SERVER).into(),
            },
        ),
    ]
}

fn recv(
    ms: u64,
    sock: u32,
    var: &'static str,
    peer: &str,
    bytes: &[u8],
    offset: u64,
) -> [Event; 2] {
    let got = Returned::Data { data: Bytes::copy_from_slice(bytes), from: None, truncated: None };
    [
        call(ms, sock, var, Call::Recv { bufsize: 1024 }, got),
        data(ms, sock, Dir::Received, peer, bytes, offset),
    ]
}

fn send(
    ms: u64,
    sock: u32,
    var: &'static str,
    peer: &str,
    bytes: &[u8],
    offset: u64,
) -> [Event; 2] {
    [
        call(ms, sock, var, Call::SendAll { len: bytes.len() }, Returned::Nothing),
        data(ms, sock, Dir::Sent, peer, bytes, offset),
    ]
}

fn app(roles: Vec<Role>, demo: bool) -> App {
    let mut app = App::new(roles, demo, Eol::Lf, Caps::default(), Clock::fixed(T0 + 60_000_000));
    for end in 0..app.ends().len() {
        app.started(end);
    }
    app.set_active(app.ends().len() - 1);
    app
}

fn any() -> Target {
    Target::Addr(addr("127.0.0.1:0"))
}

/// Server and client talking, both ends fed their own side.
fn demo() -> App {
    let mut app =
        app(vec![Role::TcpServer(any()), Role::TcpClient(Target::Addr(addr(SERVER)))], true);
    feed(&mut app, 0, server_start());
    feed(&mut app, 1, client_connects());
    feed(&mut app, 0, server_accepts());
    let hello = "hello 你好\n".as_bytes();
    feed(&mut app, 1, send(20, 1, "client", SERVER, hello, 0));
    // TCP split the message inside 你: the history still shows one line.
    feed(&mut app, 0, recv(21, 2, "sock", CLIENT, &hello[..8], 0));
    feed(&mut app, 0, recv(22, 2, "sock", CLIENT, &hello[8..], 8));
    feed(&mut app, 0, send(30, 2, "sock", CLIENT, "hi! 😀\n".as_bytes(), 0));
    feed(&mut app, 1, recv(31, 1, "client", SERVER, "hi! 😀\n".as_bytes(), 0));
    app
}

fn client_connected() -> App {
    let mut app = app(vec![Role::TcpClient(Target::Addr(addr(SERVER)))], false);
    feed(&mut app, 0, client_connects());
    feed(&mut app, 0, send(20, 1, "client", SERVER, b"GET / HTTP/1.0\r\n", 0));
    // A hostile peer: an escape sequence and a bidi override, shown, not obeyed.
    let evil = "evil \x1b[2J\x1b]0;pwned\x07 \u{202e}txt.exe\n".as_bytes();
    feed(&mut app, 0, recv(25, 1, "client", SERVER, evil, 0));
    feed(
        &mut app,
        0,
        recv(26, 1, "client", SERVER, b"a prompt without newline> ", evil.len() as u64),
    );
    app.on_paste("typed 你好");
    app
}

fn both(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), draw(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_200x50"), draw(app, 200, 50));
}

#[test]
fn demo_screens() {
    both("demo", &demo());
}

#[test]
fn server_waiting() {
    let mut app = app(vec![Role::TcpServer(Target::Addr(addr(SERVER)))], false);
    feed(&mut app, 0, server_start());
    both("server_waiting", &app);
}

#[test]
fn client_connected_screens() {
    both("client_connected", &client_connected());
}

#[test]
fn peer_closed_close_wait() {
    let mut app = client_connected();
    feed(&mut app, 0, recv(40, 1, "client", SERVER, b"", 100).into_iter().take(1));
    feed(&mut app, 0, [at(40, EventKind::PeerEof { sock: 1 })]);
    both("peer_closed", &app);
}

#[test]
fn help_overlay() {
    let mut app = demo();
    app.on_key(F1);
    both("help", &app);
}

#[test]
fn connect_refused() {
    let mut app = app(vec![Role::TcpClient(Target::Addr(addr("127.0.0.1:9")))], false);
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    let err = CallError::from_errno(libc::ECONNREFUSED);
    let error = sockpit::net::SetupError::call("connect", "127.0.0.1:9", err.clone());
    feed(
        &mut app,
        0,
        [
            call(0, 1, "client", stream, Returned::Socket { fd: 5 }),
            at(
                1,
                EventKind::Call(CallRecord {
                    sock: 1,
                    var: "client",
                    call: Call::Connect(addr("127.0.0.1:9").into()),
                    result: Err(err),
                }),
            ),
            call(1, 1, "client", Call::Close, Returned::Nothing),
            at(1, EventKind::Fatal { error }),
        ],
    );
    both("connect_refused", &app);
}

#[test]
fn tiny_terminals_do_not_panic() {
    let mut help = demo();
    help.on_key(F1);
    for app in [demo(), client_connected(), help] {
        for (w, h) in [(1, 1), (20, 5), (2, 2), (5, 1), (1, 30), (159, 3), (160, 4)] {
            draw(&app, w, h);
        }
    }
    insta::assert_snapshot!("demo_1x1", draw(&demo(), 1, 1));
    insta::assert_snapshot!("demo_20x5", draw(&demo(), 20, 5));
}

#[test]
fn a_million_entries_draw_like_a_screenful() {
    let mut app = app(vec![Role::TcpClient(Target::Addr(addr(SERVER)))], false);
    feed(&mut app, 0, client_connects());
    let line = data(20, 1, Dir::Received, SERVER, b"x\n", 0);
    for _ in 0..1_000_000 {
        app.on_engine(0, &line);
    }
    assert_eq!(app.ends()[0].history.len(), 100_000, "capped by --history's default");
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let started = Instant::now();
    for _ in 0..10 {
        terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    }
    // Building every entry costs ~83 ms a frame at 1M; a window ~0.25 ms.
    // The bound leaves room for an unoptimised build on a busy machine.
    let per_frame = started.elapsed() / 10;
    assert!(per_frame.as_millis() < 40, "{per_frame:?} per frame");
    app.end_mut().history.home();
    terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    let screen = terminal.backend().to_string();
    assert!(screen.contains("900001 older entries dropped"), "{screen}");
}

/// The key list for the README, from the one keymap table.
#[test]
fn key_list_markdown() {
    insta::assert_snapshot!("key_list", sockpit::app::keys_markdown());
}

/// `NO_COLOR=1` (no-color.org) draws with no colour at all: every cell's
/// foreground and background are the terminal's own; bold, dim, reverse
/// and underline carry what colour did.
#[test]
fn no_color_draws_no_colour() {
    use ratatui::style::Color;
    use sockpit::app::ThemeName;
    use sockpit::cli::Look;
    let theme = Look::default().theme_name(Some(std::ffi::OsStr::new("1")));
    assert_eq!(theme, ThemeName::Mono);
    assert_eq!(Look::default().theme_name(Some(std::ffi::OsStr::new(""))), ThemeName::Dark);
    let mut app = client_connected();
    app.set_theme(theme);
    let mut help = demo();
    help.set_theme(theme);
    help.on_key(F1);
    for (name, app) in [("no_color_80x24", &app), ("no_color_help_80x24", &help)] {
        let backend = draw(app, 80, 24);
        for (i, cell) in backend.buffer().content.iter().enumerate() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{name} cell {i}");
        }
        insta::assert_debug_snapshot!(name, backend.buffer());
    }
    // The default theme does use colour (so the check above can fail).
    let backend = draw(&client_connected(), 80, 24);
    assert!(backend.buffer().content.iter().any(|c| c.bg != Color::Reset));
}

/// `--theme light`: the same screen in the light table's colours.
#[test]
fn light_theme_screen() {
    let mut app = client_connected();
    app.set_theme(sockpit::app::ThemeName::Light);
    // F3, "evil", Enter: the search's hits are drawn in the theme's colours.
    app.on_key(F3);
    for c in "evil".chars() {
        app.on_key(KeyEvent::from(KeyCode::Char(c)));
    }
    app.on_key(KeyEvent::from(KeyCode::Enter));
    insta::assert_debug_snapshot!("light_80x24", draw(&app, 80, 24).buffer());
}
