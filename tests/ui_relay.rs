//! A relay's panes on ratatui's `TestBackend`, from recorded events with
//! fixed times and a stopped clock: the history's two lanes with who said
//! what, the socket list naming each leg's pair, the status bar with the
//! held chunks and the faults; and what the relay's keys and commands ask
//! of the engine.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{addr, at, call, us};

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::RelayState;
use sockpit::app::{App, Caps, Clock, Effect};
use sockpit::net::relay::{Fault, HeldView, RelayNote, RelayOp, Way};
use sockpit::net::{
    Call, Command, DataRecord, Dir, Event, EventKind, Family, Kind, Returned, Role, Target, To,
};

const CLIENT: &str = "127.0.0.1:50001";
const SERVER: &str = "127.0.0.1:8000";

/// One chunk: received on `from`, sent on `to`.
fn chunk(ms: u64, from: (u32, &str), to: (u32, &str), bytes: &'static [u8]) -> Vec<Event> {
    let data = Bytes::from_static(bytes);
    let record = |sock, dir, peer: &str| DataRecord {
        sock,
        dir,
        peer: Some(addr(peer).into()),
        data: data.clone(),
        offset: 0,
    };
    let got = Returned::Data { data: data.clone(), from: None, truncated: None };
    let var = |sock| if sock == 2 { "sock" } else { "upstream" };
    vec![
        call(ms, from.0, var(from.0), Call::Recv { bufsize: 1024 }, got),
        at(ms, EventKind::Data(record(from.0, Dir::Received, from.1))),
        call(ms, to.0, var(to.0), Call::SendAll { len: bytes.len() }, Returned::Nothing),
        at(ms, EventKind::Data(record(to.0, Dir::Sent, to.1))),
    ]
}

/// A relay on 127.0.0.1:9000 to SERVER with one pair (socks 2 and 3), a
/// request and its response through it, and client → server held with
/// one chunk waiting.
fn relay() -> App {
    let target = Target::Addr(addr("127.0.0.1:9000"));
    let clock = Clock::fixed(us(30_000));
    let mut app = App::new(vec![Role::TcpServer(target)], false, Eol::Lf, Caps::default(), clock);
    let fault = Fault::parse("down:latency=200ms").expect("fault");
    app.end_mut().relay = Some(RelayState::new(SERVER.into(), &[fault]));
    app.started(0);
    let local = addr("127.0.0.1:9000").into();
    let mut events = vec![
        at(0, EventKind::Listening { sock: 1, fd: 6, local, kind: Kind::Stream }),
        at(
            1_000,
            EventKind::Connected {
                sock: 2,
                fd: 7,
                local: addr("127.0.0.1:9000").into(),
                peer: addr(CLIENT).into(),
            },
        ),
        call(
            1_000,
            3,
            "upstream",
            Call::Socket { family: Family::Inet, kind: Kind::Stream },
            Returned::Socket { fd: 8 },
        ),
        call(1_000, 3, "upstream", Call::Connect(addr(SERVER).into()), Returned::Nothing),
        at(
            1_000,
            EventKind::Connected {
                sock: 3,
                fd: 8,
                local: addr("127.0.0.1:40000").into(),
                peer: addr(SERVER).into(),
            },
        ),
        at(
            1_000,
            EventKind::Relay(RelayNote::Pair {
                client: 2,
                server: 3,
                client_addr: addr(CLIENT).into(),
                faults: vec!["down:latency 200ms".into()],
            }),
        ),
    ];
    events.extend(chunk(2_000, (2, CLIENT), (3, SERVER), b"GET / HTTP/1.0\r\n\r\n"));
    events.extend(chunk(3_000, (3, SERVER), (2, CLIENT), b"HTTP/1.0 200 OK\r\n\r\nhello\n"));
    let held = |count: usize| HeldView {
        client: 2,
        way: Way::Up,
        on: true,
        count,
        bytes: 6 * count,
        sizes: vec![6; count],
        front: (count > 0).then(|| Bytes::from_static(b"again\n")),
    };
    events.push(at(4_000, EventKind::Relay(RelayNote::Held(held(0)))));
    let again = Bytes::from_static(b"again\n");
    let got = Returned::Data { data: again.clone(), from: None, truncated: None };
    events.push(call(5_000, 2, "sock", Call::Recv { bufsize: 1024 }, got));
    let record = DataRecord {
        sock: 2,
        dir: Dir::Received,
        peer: Some(addr(CLIENT).into()),
        data: again,
        offset: 18,
    };
    events.push(at(5_000, EventKind::Data(record)));
    events.push(at(5_000, EventKind::Relay(RelayNote::Held(held(1)))));
    for ev in &events {
        app.on_engine(0, ev);
    }
    app
}

fn draw(app: &App) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
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

#[test]
fn both_lanes_the_pair_and_what_is_held() {
    let app = relay();
    let screen = draw(&app);
    let text = screen_text(&screen);
    assert!(text.contains(&format!("client → {CLIENT}  GET / HTTP/1.0")), "{text}");
    assert!(text.contains(&format!("  server ← {SERVER}  HTTP/1.0 200 OK")), "{text}");
    assert!(text.contains(&format!("client → {CLIENT}  again")), "{text}");
    // Each chunk once: what went on is in the lifecycle, not the history.
    assert!(!text.contains(&format!("→ {SERVER}  GET")), "{text}");
    assert_eq!(text.matches("  GET / HTTP/1.0").count(), 1, "{text}");
    assert!(text.contains("2 client ⇄3"), "{text}");
    assert!(text.contains("3 server ⇄2"), "{text}");
    assert!(text.contains("HOLD up (1 waiting)"), "{text}");
    assert!(text.contains("faults: down:latency 200ms"), "{text}");
    assert!(text.contains("upstream.connect(('127.0.0.1', 8000))"), "{text}");
    insta::assert_snapshot!(screen);
}

fn key(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    app.on_key(KeyEvent::new(code, mods))
}

fn typed(app: &mut App, line: &str) -> Vec<Effect> {
    for c in line.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    key(app, KeyCode::Enter, KeyModifiers::NONE)
}

fn relay_ops(effects: Vec<Effect>) -> Vec<(To, Option<Way>, RelayOp)> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Command { command: Command::Relay { to, way, op }, .. } => Some((to, way, op)),
            _ => None,
        })
        .collect()
}

#[test]
fn keys_and_commands_ask_the_engine_for_the_pair() {
    let mut app = relay();
    let alt = KeyModifiers::ALT;
    // Held already: Alt-U releases it; Alt-D holds the other way.
    let up = relay_ops(key(&mut app, KeyCode::Char('u'), alt));
    assert_eq!(up, [(To::Sock(2), Some(Way::Up), RelayOp::Hold(false))]);
    let down = relay_ops(key(&mut app, KeyCode::Char('d'), alt));
    assert_eq!(down, [(To::Sock(2), Some(Way::Down), RelayOp::Hold(true))]);
    let one = relay_ops(key(&mut app, KeyCode::Char('n'), alt));
    assert_eq!(one, [(To::Sock(2), Some(Way::Up), RelayOp::Forward { all: false })]);
    // Alt-E puts the held chunk in the input, escaped, to edit.
    assert!(relay_ops(key(&mut app, KeyCode::Char('e'), alt)).is_empty());
    assert_eq!(app.input().value(), "/edit again\\n");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    let edit = relay_ops(typed(&mut app, "/edit AGAIN\\r\\n"));
    let edited = RelayOp::Edit(Bytes::from_static(b"AGAIN\r\n"));
    assert_eq!(edit, [(To::Sock(2), Some(Way::Up), edited)]);
    let inject = relay_ops(typed(&mut app, "/to-client hi"));
    let hi = RelayOp::Inject(Bytes::from_static(b"hi\n"));
    assert_eq!(inject, [(To::Sock(2), Some(Way::Down), hi)]);
    let faults = relay_ops(typed(&mut app, "/fault up:bandwidth=64 latency=10ms"));
    assert!(matches!(&faults[..], [(To::All, None, RelayOp::Faults(f))] if f.len() == 2));
    let bar = screen_text(&draw(&app));
    assert!(bar.contains("faults: up:bandwidth 64KiB/s, latency 10ms"), "{bar}");
    // Plain text is not sent anywhere: a relay passes what its ends say.
    assert!(relay_ops(typed(&mut app, "hello")).is_empty());
    assert!(screen_text(&draw(&app)).contains("/to-server TEXT"));
}
