//! The Socket pane's lists on ratatui's `TestBackend`, from recorded events
//! with fixed times and a stopped clock: a TCP server's listener and three
//! connections (one closed, one picked) and a UDP server's three peers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{addr, at, feed, us};

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock, Pane};
use sockpit::net::{
    Call, CallRecord, CloseReason, Command, DataRecord, Dir, Event, EventKind, Kind, Returned,
    Role, Target, To,
};

/// A send or recv call and its data, `ms` after T0; socket 1 is the UDP server's.
fn exchange(ms: u64, sock: u32, dir: Dir, peer: &str, bytes: &'static [u8]) -> [Event; 2] {
    let udp = sock == 1;
    let call = match (dir, udp) {
        (Dir::Sent, false) => Call::SendAll { len: bytes.len() },
        (Dir::Sent, true) => Call::SendTo { len: bytes.len(), to: addr(peer).into() },
        (Dir::Received, false) => Call::Recv { bufsize: 1024 },
        (Dir::Received, true) => Call::RecvFrom { bufsize: 1024 },
    };
    let result = match dir {
        Dir::Sent => Returned::Nothing,
        Dir::Received => {
            let from = udp.then(|| addr(peer).into());
            Returned::Data { data: Bytes::from_static(bytes), from, truncated: None }
        }
    };
    let peer = Some(addr(peer).into());
    let d = DataRecord { sock, dir, peer, data: Bytes::from_static(bytes), offset: 0 };
    [
        at(ms, EventKind::Call(CallRecord { sock, var: "sock", call, result: Ok(result) })),
        at(ms, EventKind::Data(d)),
    ]
}

fn server(kind: Kind) -> App {
    let target = Target::Addr(addr("127.0.0.1:8080"));
    let role = if kind == Kind::Stream { Role::TcpServer(target) } else { Role::UdpServer(target) };
    let clock = Clock::fixed(us(90_000));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), clock);
    app.started(0);
    let local = addr("127.0.0.1:8080");
    app.on_engine(0, &at(0, EventKind::Listening { sock: 1, fd: 6, local: local.into(), kind }));
    app
}

fn draw(app: &App) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(110, 30)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    terminal.backend().clone()
}

fn screen_text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn press(app: &mut App, code: KeyCode) -> Vec<sockpit::app::Effect> {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Where Enter on `line` sends it.
fn send_to(app: &mut App, line: &str) -> Vec<To> {
    for c in line.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter)
        .into_iter()
        .filter_map(|e| match e {
            sockpit::app::Effect::Command { command: Command::Send { to, .. }, .. } => Some(to),
            _ => None,
        })
        .collect()
}

#[test]
fn connection_list_with_a_closed_and_a_picked_connection() {
    let mut app = server(Kind::Stream);
    let local = addr("127.0.0.1:8080");
    let peers = ["127.0.0.1:50001", "127.0.0.1:50002", "127.0.0.1:50003"];
    for (i, peer) in peers.iter().enumerate() {
        let sock = u32::try_from(i).unwrap() + 2;
        let fd = i32::try_from(sock).unwrap() + 5;
        let ev = EventKind::Connected { sock, fd, local: local.into(), peer: addr(peer).into() };
        feed(&mut app, 0, [at(10_000 * u64::from(sock), ev)]);
    }
    feed(&mut app, 0, exchange(25_000, 2, Dir::Received, peers[0], b"hello\n"));
    feed(&mut app, 0, exchange(26_000, 2, Dir::Sent, peers[0], b"hi\n"));
    feed(&mut app, 0, exchange(35_000, 3, Dir::Received, peers[1], b"bye\n"));
    feed(&mut app, 0, [at(40_000, EventKind::Closed { sock: 3, reason: CloseReason::Local })]);
    feed(&mut app, 0, exchange(45_000, 4, Dir::Received, peers[2], b"third\n"));
    // By default the newest connection is selected; the user picks sock 2.
    assert_eq!(app.end().selected_row(), Some(3));
    app.click(Pane::Socket(app.active()), None);
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Up);
    let screen = draw(&app);
    let text = screen_text(&screen);
    assert!(text.contains("▸ 2 127.0.0.1:50001 ESTABLISHED"), "{text}");
    assert!(text.contains("3 127.0.0.1:50002 CLOSED"), "{text}");
    assert!(text.contains("→ 127.0.0.1:50001 (sock 2)"), "status bar: {text}");
    insta::assert_snapshot!(screen);
    assert_eq!(send_to(&mut app, "to two"), [To::Sock(2)]);
}

#[test]
fn udp_peer_list_with_a_picked_peer() {
    let mut app = server(Kind::Dgram);
    let peers = ["127.0.0.1:40001", "127.0.0.1:40002", "[::1]:40003"];
    feed(&mut app, 0, exchange(10_000, 1, Dir::Received, peers[0], b"one\n"));
    feed(&mut app, 0, exchange(11_000, 1, Dir::Sent, peers[0], b"ONE\n"));
    feed(&mut app, 0, exchange(20_000, 1, Dir::Received, peers[1], b"two\n"));
    feed(&mut app, 0, exchange(30_000, 1, Dir::Received, peers[2], b"three\n"));
    feed(&mut app, 0, exchange(80_000, 1, Dir::Received, peers[0], b"one again\n"));
    let text = screen_text(&draw(&app));
    assert!(text.contains("→ 127.0.0.1:40001 (last sender)"), "{text}");
    app.click(Pane::Socket(app.active()), None);
    press(&mut app, KeyCode::Down);
    let screen = draw(&app);
    let text = screen_text(&screen);
    assert!(text.contains("▸ 127.0.0.1:40002 last 1m ago"), "{text}");
    assert!(text.contains("→ 127.0.0.1:40002 (picked)"), "{text}");
    insta::assert_snapshot!(screen);
    assert_eq!(send_to(&mut app, "reply"), [To::Peer(addr(peers[1]).into())]);
}

/// 10,000 connections, the selection moved to the middle: the list draws
/// the rows around the selection (from the end's list index, not a walk),
/// with the right counts, and nothing from either end of the list.
#[test]
fn ten_thousand_connections_scrolled_to_the_middle() {
    let mut app = server(Kind::Stream);
    let local = addr("127.0.0.1:8080");
    for i in 0..10_000u16 {
        let sock = u32::from(i) + 2;
        let fd = i32::from(i) + 7;
        let peer = addr(&format!("127.0.0.2:{}", 20_000 + u32::from(i)));
        let ev = EventKind::Connected { sock, fd, local: local.into(), peer: peer.into() };
        feed(&mut app, 0, [at(10_000, ev)]);
    }
    // Every tenth connection closed: the live count is the index's.
    for sock in (2..10_002u32).step_by(10) {
        feed(&mut app, 0, [at(20_000, EventKind::Closed { sock, reason: CloseReason::Local })]);
    }
    assert_eq!(app.end().row_count(), 10_001, "the listener and 10,000 connections");
    assert_eq!(app.end().selected_row(), Some(10_000), "the newest is followed");
    app.click(Pane::Socket(app.active()), None);
    for _ in 0..5_000 {
        press(&mut app, KeyCode::Up);
    }
    assert_eq!(app.end().selected_row(), Some(5_000));
    let screen = draw(&app);
    let text = screen_text(&screen);
    assert!(text.contains("10000 conns, 9000 live"), "{text}");
    assert!(text.contains("▸ 5001 127.0.0.2:24999 ESTAB"), "{text}");
    assert!(text.contains("5000 127.0.0.2:24998 ESTAB"), "the row above: {text}");
    assert!(!text.contains("listener 127.0.0.1:8080"), "scrolled past the top: {text}");
    assert!(!text.contains("10001 127.0.0.2"), "the newest is out of view: {text}");
    insta::assert_snapshot!(screen);
    assert_eq!(send_to(&mut app, "middle"), [To::Sock(5001)]);
}
