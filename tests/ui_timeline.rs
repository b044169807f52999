//! The lifecycle timeline on ratatui's `TestBackend`, built from recorded
//! engine events with fixed times and a stopped clock: every call as the
//! student's Python line with Python's result, the kernel's transitions
//! between them, who waits in the accept queue.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, addr, at, call, failed, received};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};
use sockpit::lesson::Lang;
use sockpit::net::{
    Call, CallError, DiagSocket, Event, EventKind, Family, Kind, Returned, Role, SockOpt, Target,
    TcpState, Transition, Whose,
};
use sockpit::ui::{LifecyclePane, explanation};

const SERVER: &str = "127.0.0.1:8080";
const CLIENT: &str = "127.0.0.1:50512";

fn kernel(
    ms: u64,
    whose: Whose,
    (local, peer): (&str, &str),
    from: Option<TcpState>,
    to: Option<TcpState>,
) -> Event {
    let t = Transition { whose, local: addr(local), peer: addr(peer), from, to };
    at(ms, EventKind::Transition(t))
}

fn stream() -> Call {
    Call::Socket { family: Family::Inet, kind: Kind::Stream }
}

fn app(role: Role, events: Vec<Event>) -> App {
    let mut app =
        App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0 + 60_000_000));
    app.started(0);
    for ev in events {
        app.on_engine(0, &ev);
    }
    app
}

fn server_listening(backlog: u32) -> Vec<Event> {
    vec![
        call(0, 1, "server", stream(), Returned::Socket { fd: 5 }),
        call(1, 1, "server", Call::SetSockOpt(SockOpt::ReuseAddr(true)), Returned::Nothing),
        call(2, 1, "server", Call::Bind(addr(SERVER).into()), Returned::Nothing),
        call(3, 1, "server", Call::Listen(backlog), Returned::Nothing),
        at(
            3,
            EventKind::Listening { sock: 1, fd: 5, local: addr(SERVER).into(), kind: Kind::Stream },
        ),
    ]
}

/// The timeline pane alone, as wide as its Python lines need, with the
/// selected entry's explanation in the app's language.
fn pane(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal
        .draw(|f| {
            let end = &app.ends()[0];
            let explanation = explanation(end, app.lang());
            let pane = LifecyclePane { end, clock: app.clock(), focused: true, explanation };
            f.render_widget(pane, f.area());
        })
        .expect("draw");
    terminal.backend().clone()
}

fn screen(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    terminal.backend().clone()
}

#[test]
fn tcp_server_accepting_and_echoing() {
    let mut events = server_listening(5);
    let peer = addr(CLIENT);
    events.extend([
        kernel(
            5,
            Whose::Queued { listener: 1 },
            (SERVER, CLIENT),
            None,
            Some(TcpState::Established),
        ),
        call(
            10,
            1,
            "server",
            Call::Accept,
            Returned::Accepted { sock: 2, fd: 6, peer: peer.into() },
        ),
        at(
            10,
            EventKind::Connected { sock: 2, fd: 6, local: addr(SERVER).into(), peer: peer.into() },
        ),
        call(20, 2, "sock", Call::Recv { bufsize: 1024 }, received(b"hello\n")),
        call(21, 2, "sock", Call::SendAll { len: 6 }, Returned::Nothing),
    ]);
    insta::assert_snapshot!(pane(
        &app(Role::TcpServer(Target::Addr(addr(SERVER))), events),
        100,
        10
    ));
}

#[test]
fn tcp_client_refused() {
    let to = addr("127.0.0.1:9");
    let refused = CallError::from_errno(libc::ECONNREFUSED);
    let events = vec![
        call(0, 1, "client", stream(), Returned::Socket { fd: 5 }),
        failed(1, 1, "client", Call::Connect(to.into()), refused),
        call(1, 1, "client", Call::Close, Returned::Nothing),
    ];
    insta::assert_snapshot!(pane(&app(Role::TcpClient(Target::Addr(to)), events), 120, 6));
}

#[test]
fn udp_exchange_with_truncation() {
    let from = addr("127.0.0.1:40000");
    let first = vec![b'x'; 1024];
    let truncated =
        Returned::Data { data: Bytes::from(first), from: Some(from.into()), truncated: Some(3000) };
    let events = vec![
        call(
            0,
            1,
            "server",
            Call::Socket { family: Family::Inet, kind: Kind::Dgram },
            Returned::Socket { fd: 5 },
        ),
        call(1, 1, "server", Call::Bind(addr("127.0.0.1:8888").into()), Returned::Nothing),
        call(9, 1, "server", Call::RecvFrom { bufsize: 1024 }, truncated),
        call(10, 1, "server", Call::SendTo { len: 2, to: from.into() }, Returned::Count(2)),
    ];
    let app = app(Role::UdpServer(Target::Addr(addr("127.0.0.1:8888"))), events);
    insta::assert_snapshot!(pane(&app, 190, 7));
}

#[test]
fn peer_close_close_wait_last_ack_and_the_peers_time_wait() {
    let mut events = server_listening(5);
    let peer = addr(CLIENT);
    let (ours, remains, peer_end) =
        (Whose::Ours { sock: 2 }, Whose::Remains { sock: 2 }, Whose::PeerEnd { sock: Some(2) });
    events.extend([
        call(
            10,
            1,
            "server",
            Call::Accept,
            Returned::Accepted { sock: 2, fd: 6, peer: peer.into() },
        ),
        at(
            10,
            EventKind::Connected { sock: 2, fd: 6, local: addr(SERVER).into(), peer: peer.into() },
        ),
        kernel(20, ours, (SERVER, CLIENT), Some(TcpState::Established), Some(TcpState::CloseWait)),
        kernel(
            20,
            peer_end,
            (CLIENT, SERVER),
            Some(TcpState::Established),
            Some(TcpState::FinWait2),
        ),
        call(30, 2, "sock", Call::Recv { bufsize: 1024 }, received(b"")),
        at(30, EventKind::PeerEof { sock: 2 }),
        call(40, 2, "sock", Call::Close, Returned::Nothing),
        kernel(40, remains, (SERVER, CLIENT), None, Some(TcpState::LastAck)),
        kernel(41, peer_end, (CLIENT, SERVER), Some(TcpState::FinWait2), Some(TcpState::TimeWait)),
        kernel(41, remains, (SERVER, CLIENT), Some(TcpState::LastAck), None),
    ]);
    let app = app(Role::TcpServer(Target::Addr(addr(SERVER))), events);
    insta::assert_snapshot!(pane(&app, 100, 16));
}

#[test]
fn step_mode_listen_1_with_three_clients() {
    let mut events = server_listening(1);
    let clients = ["127.0.0.1:40001", "127.0.0.1:40002", "127.0.0.1:40003"];
    let mut sockets = Vec::new();
    for (i, c) in clients.iter().enumerate() {
        let state = if i < 2 { TcpState::Established } else { TcpState::SynSent };
        let ms = 10 + i as u64;
        events.push(kernel(ms, Whose::PeerEnd { sock: None }, (c, SERVER), None, Some(state)));
        sockets.push(DiagSocket {
            whose: Whose::PeerEnd { sock: None },
            state,
            local: addr(c),
            peer: addr(SERVER),
            recv_q: 0,
            send_q: 0,
        });
        if i < 2 {
            events.push(kernel(ms, Whose::Queued { listener: 1 }, (SERVER, c), None, Some(state)));
            sockets.push(DiagSocket {
                whose: Whose::Queued { listener: 1 },
                state,
                local: addr(SERVER),
                peer: addr(c),
                recv_q: 0,
                send_q: 0,
            });
        }
    }
    events.push(at(12, EventKind::Kernel { sockets }));
    let mut app = app(Role::TcpServer(Target::Addr(addr("127.0.0.1:0"))), events);
    app.end_mut().step = true;
    insta::assert_snapshot!("step_listen_1_pane", pane(&app, 130, 14));
    insta::assert_snapshot!("step_listen_1_screen", screen(&app, 120, 40));
}

#[test]
fn non_blocking_recv_raises_blocking_io_error() {
    let mut events = server_listening(5);
    let peer = addr(CLIENT);
    events.extend([
        call(
            10,
            1,
            "server",
            Call::Accept,
            Returned::Accepted { sock: 2, fd: 6, peer: peer.into() },
        ),
        call(11, 2, "sock", Call::SetBlocking(false), Returned::Nothing),
        failed(12, 2, "sock", Call::Recv { bufsize: 1024 }, CallError::from_errno(libc::EAGAIN)),
    ]);
    let app = app(Role::TcpServer(Target::Addr(addr(SERVER))), events);
    insta::assert_snapshot!(pane(&app, 110, 10));
}

#[test]
fn a_selected_entry_is_explained_in_english_and_chinese() {
    let to = addr("127.0.0.1:9");
    let refused = CallError::from_errno(libc::ECONNREFUSED);
    let events = vec![
        call(0, 1, "client", stream(), Returned::Socket { fd: 5 }),
        failed(1, 1, "client", Call::Connect(to.into()), refused),
        call(1, 1, "client", Call::Close, Returned::Nothing),
    ];
    let mut client = app(Role::TcpClient(Target::Addr(to)), events);
    client.end_mut().lifecycle.select_prev();
    client.end_mut().lifecycle.select_prev();
    insta::assert_snapshot!("explained_en", pane(&client, 120, 12));
    client.set_lang(Lang::Zh);
    insta::assert_snapshot!("explained_zh", pane(&client, 120, 12));

    // A kernel transition is explained as the kernel's doing.
    let mut events = server_listening(5);
    let queued = Whose::Queued { listener: 1 };
    events.push(kernel(5, queued, (SERVER, CLIENT), None, Some(TcpState::Established)));
    let mut server = app(Role::TcpServer(Target::Addr(addr(SERVER))), events);
    server.end_mut().lifecycle.select_prev();
    insta::assert_snapshot!("explained_kernel", pane(&server, 120, 14));
}
