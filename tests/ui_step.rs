//! Step mode's figures on ratatui's `TestBackend`, fed the events a real
//! engine sends (each call, then the socket's sample): the Socket panel
//! after `bind(('127.0.0.1', 0))` shows the real port, `gettimeout()` and
//! `getblocking()` apart from the fd's `O_NONBLOCK`; a listener's SYN queue
//! apart from its accept queue; the kernel's ages ticking with the app's
//! clock; the Lifecycle pane counting the calls below a selection.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, addr, at, call};

use std::net::SocketAddr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock, Pane};
use sockpit::net::sample::{AcceptQueue, Options, Sample, TcpFigures};
use sockpit::net::{
    Call, DiagSocket, Event, EventKind, Family, Kind, Returned, Role, Target, TcpState, Whose,
};
use sockpit::ui::LifecyclePane;
use sockpit::ui::SocketPanel;

const REAL: &str = "127.0.0.1:41234";

fn tcp(state: TcpState) -> TcpFigures {
    TcpFigures {
        state,
        rtt_us: 0,
        rttvar_us: 0,
        rto_us: 1_000_000,
        snd_mss: 536,
        snd_cwnd: 10,
        snd_ssthresh: None,
        retransmits: 0,
        total_retrans: 0,
        unacked: 0,
        lost: 0,
        pmtu: 0,
        rcv_space: 0,
        last_data_sent_ms: 300,
        last_data_recv_ms: 2_000,
        bytes_acked: Some(0),
        bytes_received: Some(0),
        segs_in: Some(0),
        segs_out: Some(0),
        delivery_rate: Some(0),
    }
}

/// The sample the engine takes right after a call: `getsockname()`,
/// `gettimeout()`, the fd's flag, the kernel's TCP state.
fn sample(ms: u64, local: &str, timeout: Option<f64>, state: TcpState) -> Event {
    let s = Sample {
        fd: 5,
        family: Family::Inet,
        kind: Kind::Stream,
        listening: state == TcpState::Listen,
        local: Some(addr(local).into()),
        peer: None,
        timeout,
        nonblocking: Some(true),
        options: Options { reuseaddr: Some(true), ..Options::default() },
        recv_q: (state != TcpState::Listen).then_some(0),
        send_q: (state != TcpState::Listen).then_some(0),
        tcp: Some(tcp(state)),
        accept_queue: (state == TcpState::Listen).then_some(AcceptQueue { len: 1, backlog: 5 }),
        last: false,
    };
    at(ms, EventKind::Sample { sock: 1, sample: Box::new(s) })
}

fn server(events: &[Event]) -> App {
    let role = Role::TcpServer(Target::Addr(addr("127.0.0.1:0")));
    let clock = Clock::fixed(T0 + 5_000_000);
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), clock);
    app.started(0);
    app.end_mut().step = true;
    for ev in events {
        app.on_engine(0, ev);
    }
    app
}

/// `socket()` and `bind(('127.0.0.1', 0))`, each with its sample.
fn bound() -> Vec<Event> {
    let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    vec![
        call(0, 1, "server", socket, Returned::Socket { fd: 5 }),
        sample(0, "0.0.0.0:0", None, TcpState::Close),
        call(1, 1, "server", Call::Bind(addr("127.0.0.1:0").into()), Returned::Nothing),
        sample(1, REAL, None, TcpState::Close),
    ]
}

fn panel(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let end = &app.ends()[0];
    let widget =
        SocketPanel { end, title: "Socket: server".into(), now: app.clock().now(), focused: false };
    terminal.draw(|f| f.render_widget(widget, f.area())).expect("draw");
    terminal.backend().clone()
}

fn text(backend: &TestBackend) -> String {
    backend.buffer().content.iter().map(ratatui::buffer::Cell::symbol).collect()
}

#[test]
fn after_bind_port_0_the_panel_shows_the_real_port() {
    let app = server(&bound());
    let drawn = panel(&app, 34, 22);
    assert!(text(&drawn).contains(&format!("local {REAL}")));
    insta::assert_snapshot!(drawn);
}

#[test]
fn timeout_is_gettimeout_blocking_is_getblocking_and_o_nonblock_is_the_fds() {
    let mut events = bound();
    events.push(call(2, 1, "server", Call::SetTimeout(Some(2.5)), Returned::Nothing));
    events.push(sample(2, REAL, Some(2.5), TcpState::Close));
    let app = server(&events);
    let timed = text(&panel(&app, 34, 22));
    assert!(timed.contains("timeout 2.5  blocking True"), "{timed}");
    assert!(timed.contains("O_NONBLOCK set "), "{timed}");
    // Why the flag is set under `blocking True`: said once, in the history.
    let h = &app.ends()[0].history;
    let said = (h.first_seq()..h.end_seq())
        .filter_map(|s| h.get(s))
        .filter(|e| e.text.starts_with(b"O_NONBLOCK set: Python sets it under any timeout"))
        .count();
    assert_eq!(said, 1);
    events.push(call(3, 1, "server", Call::SetBlocking(false), Returned::Nothing));
    events.push(sample(3, REAL, Some(0.0), TcpState::Close));
    let drawn = panel(&server(&events), 34, 22);
    insta::assert_snapshot!(drawn);
}

#[test]
fn a_listener_shows_its_syn_queue_apart_from_its_accept_queue() {
    let mut events = bound();
    events.push(call(2, 1, "server", Call::Listen(5), Returned::Nothing));
    let local = addr(REAL).into();
    events.push(at(2, EventKind::Listening { sock: 1, fd: 5, local, kind: Kind::Stream }));
    events.push(sample(3, REAL, None, TcpState::Listen));
    let d = |port: u16, state| DiagSocket {
        whose: Whose::Queued { listener: 1 },
        state,
        local: addr(REAL),
        peer: SocketAddr::from(([127, 0, 0, 1], port)),
        recv_q: 0,
        send_q: 0,
    };
    let kernel = vec![d(50001, TcpState::Established), d(50002, TcpState::NewSynRecv)];
    events.push(at(3, EventKind::Kernel { sockets: kernel }));
    let app = server(&events);
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    let screen = text(terminal.backend());
    assert!(!screen.contains("50002 → SYN_RECV (in the accept queue)"));
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn the_kernels_ages_tick_with_the_apps_clock() {
    let mut events = bound();
    events.push(sample(1, REAL, None, TcpState::Established));
    // Sampled at T0 + 1 ms, drawn at T0 + 5 s: 300 ms and 2 s then.
    let drawn = text(&panel(&server(&events), 34, 30));
    assert!(drawn.contains("last send 5 s  recv 6 s"), "{drawn}");
    assert!(server(&events).on_tick(), "ages on screen: the tick redraws");
    let role = Role::TcpClient(Target::Addr(addr(REAL)));
    let idle = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    assert!(!idle.on_tick(), "nothing on screen ticks: no redraw");
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn lifecycle(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let pane =
        LifecyclePane { end: &app.ends()[0], clock: app.clock(), focused: true, explanation: None };
    terminal.draw(|f| f.render_widget(pane, f.area())).expect("draw");
    terminal.backend().clone()
}

#[test]
fn the_lifecycle_follows_until_a_call_is_selected_then_counts_newer_calls() {
    let mut app = server(&bound());
    let following = text(&lifecycle(&app, 90, 6));
    assert!(!following.contains("newer"), "{following}");
    app.click(Pane::Lifecycle(app.active()), None);
    app.on_key(key(KeyCode::Up));
    let more = [
        (2, Call::Listen(5)),
        (3, Call::GetSockName),
        (4, Call::Fileno),
        (5, Call::SetTimeout(Some(2.0))),
        (6, Call::GetSockName),
    ];
    for (ms, c) in more {
        let result = match c {
            Call::GetSockName => Returned::Addr(addr(REAL).into()),
            Call::Fileno => Returned::Int(5),
            _ => Returned::Nothing,
        };
        app.on_engine(0, &call(ms, 1, "server", c, result));
    }
    let drawn = lifecycle(&app, 90, 6);
    assert!(text(&drawn).contains("3 newer calls ↓"), "{}", text(&drawn));
    insta::assert_snapshot!(drawn);
    app.on_key(key(KeyCode::End));
    let back = text(&lifecycle(&app, 90, 6));
    assert!(!back.contains("newer") && back.contains("server.fileno()"), "{back}");
    // Scrolled back (PgUp) it stops following too.
    app.on_key(key(KeyCode::PageUp));
    app.on_engine(0, &call(7, 1, "server", Call::Close, Returned::Nothing));
    let scrolled = text(&lifecycle(&app, 90, 6));
    assert!(scrolled.contains("newer call") && !scrolled.contains("close()"), "{scrolled}");
}
