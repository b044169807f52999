//! The inspection panel on ratatui's `TestBackend`, drawn from made-up
//! samples: a listener with a held accept queue, an established connection
//! (with sparklines), a UDP socket, and a closed socket's last figures; and
//! the highlight of values that changed since the previous sample.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::SocketAddr;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sockpit::net::sample::{AcceptQueue, Linger, Options, Sample, TcpFigures};
use sockpit::net::{DiagSocket, Family, Kind, TcpState, Whose};
use sockpit::ui::{InspectView, bytes};

fn options(kind: Kind) -> Options {
    Options {
        rcvbuf: Some(131_072),
        sndbuf: Some(2_626_560),
        reuseaddr: Some(kind == Kind::Stream),
        keepalive: Some(false),
        nodelay: (kind == Kind::Stream).then_some(false),
        ttl: Some(64),
        linger: Some(Linger::Off),
    }
}

fn tcp(state: TcpState) -> TcpFigures {
    TcpFigures {
        state,
        rtt_us: 42,
        rttvar_us: 21,
        rto_us: 201_000,
        snd_mss: 32_768,
        snd_cwnd: 10,
        snd_ssthresh: None,
        retransmits: 0,
        total_retrans: 0,
        unacked: 0,
        lost: 0,
        pmtu: 65_535,
        rcv_space: 65_483,
        last_data_sent_ms: 120,
        last_data_recv_ms: 4_200,
        bytes_acked: Some(7),
        bytes_received: Some(5),
        segs_in: Some(6),
        segs_out: Some(5),
        delivery_rate: Some(2_000_000),
    }
}

fn sample(kind: Kind, listening: bool) -> Sample {
    Sample {
        fd: 7,
        family: Family::Inet,
        kind,
        listening,
        local: Some("127.0.0.1:8080".parse().unwrap()),
        peer: (!listening).then(|| "127.0.0.1:50512".parse().unwrap()),
        timeout: None,
        nonblocking: Some(true),
        options: options(kind),
        recv_q: (!listening).then_some(0),
        send_q: (!listening).then_some(0),
        tcp: None,
        accept_queue: None,
        last: false,
    }
}

fn draw(view: InspectView<'_>, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| f.render_widget(view, f.area())).unwrap();
    terminal.backend().clone()
}

#[test]
fn listener_shows_its_accept_queue_and_no_data_queues() {
    let mut s = sample(Kind::Stream, true);
    s.accept_queue = Some(AcceptQueue { len: 3, backlog: 5 });
    s.tcp = Some(tcp(TcpState::Listen));
    let queued = |port: u16| DiagSocket {
        whose: Whose::Queued { listener: 1 },
        state: TcpState::Established,
        local: "127.0.0.1:8080".parse().unwrap(),
        peer: SocketAddr::from(([127, 0, 0, 1], port)),
        recv_q: 0,
        send_q: 0,
    };
    let fd_less = [queued(50001), queued(50002), queued(50003)];
    let view = InspectView {
        sample: &s,
        previous: None,
        rtt_us: &[],
        throughput: &[],
        fd_less: &fd_less,
        since_us: 0,
    };
    insta::assert_snapshot!(draw(view, 40, 10));
}

#[test]
fn connection_shows_tcp_info_and_sparklines() {
    let mut s = sample(Kind::Stream, false);
    s.recv_q = Some(5);
    s.tcp = Some(tcp(TcpState::Established));
    let rtt = [40, 42, 45, 60, 52, 42, 41, 42];
    let rate = [0, 1_000, 50_000, 2_000_000, 1_500_000, 0, 0, 10];
    let view = InspectView {
        sample: &s,
        previous: None,
        rtt_us: &rtt,
        throughput: &rate,
        fd_less: &[],
        since_us: 0,
    };
    insta::assert_snapshot!(draw(view, 40, 20));
}

#[test]
fn udp_socket_shows_the_next_datagram_and_no_tcp_info() {
    let mut s = sample(Kind::Dgram, false);
    s.recv_q = Some(12);
    let view = InspectView {
        sample: &s,
        previous: None,
        rtt_us: &[],
        throughput: &[],
        fd_less: &[],
        since_us: 0,
    };
    insta::assert_snapshot!(draw(view, 40, 6));
}

#[test]
fn closed_socket_keeps_its_last_figures() {
    let mut s = sample(Kind::Stream, false);
    let mut t = tcp(TcpState::LastAck);
    t.bytes_received = Some(3);
    s.tcp = Some(t);
    s.last = true;
    let view = InspectView {
        sample: &s,
        previous: None,
        rtt_us: &[],
        throughput: &[],
        fd_less: &[],
        since_us: 0,
    };
    insta::assert_snapshot!(draw(view, 40, 16));
}

#[test]
fn values_that_changed_are_highlighted_and_ages_never_are() {
    let mut before = sample(Kind::Stream, false);
    before.tcp = Some(tcp(TcpState::Established));
    let mut now = before.clone();
    now.recv_q = Some(5);
    let t = now.tcp.as_mut().unwrap();
    t.state = TcpState::CloseWait;
    t.last_data_recv_ms = 9_000;
    let view = InspectView {
        sample: &now,
        previous: Some(&before),
        rtt_us: &[],
        throughput: &[],
        fd_less: &[],
        since_us: 0,
    };
    let highlighted: Vec<String> = view
        .lines()
        .iter()
        .flat_map(|line| line.spans.iter())
        .filter(|span| span.style.fg == Some(Color::Yellow))
        .map(|span| span.content.to_string())
        .collect();
    assert_eq!(highlighted, vec!["5 B".to_string(), "CLOSE_WAIT".to_string()]);
}

#[test]
fn byte_counts_stay_short() {
    assert_eq!(bytes(1023), "1023 B");
    assert_eq!(bytes(65_536), "64.0 K");
    assert_eq!(bytes(2_626_560), "2.5 M");
    assert_eq!(bytes(5 << 30), "5.0 G");
}

/// The whole screen of a server whose `accept()` is held: the Socket pane
/// shows the listener's accept queue and the connections waiting in it.
#[test]
fn the_socket_pane_shows_the_sampled_listener_and_its_queue() {
    use sockpit::app::Eol;
    use sockpit::app::{App, Caps, Clock};
    use sockpit::net::{Call, CallRecord, Event, EventKind, Family, Returned, Role, Target};

    const T0: u64 = 1_700_000_000_000_000;
    let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let role = Role::TcpServer(Target::Addr(local));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let at = |ms: u64, kind: EventKind| Event { at: T0 + ms * 1000, kind };
    let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    let record =
        CallRecord { sock: 1, var: "server", call: socket, result: Ok(Returned::Socket { fd: 6 }) };
    let mut s = sample(Kind::Stream, true);
    s.fd = 6;
    s.accept_queue = Some(AcceptQueue { len: 2, backlog: 5 });
    s.tcp = Some(tcp(TcpState::Listen));
    let queued = |port: u16| DiagSocket {
        whose: Whose::Queued { listener: 1 },
        state: TcpState::Established,
        local,
        peer: SocketAddr::from(([127, 0, 0, 1], port)),
        recv_q: 0,
        send_q: 0,
    };
    let events = [
        at(0, EventKind::Call(record)),
        at(2, EventKind::Listening { sock: 1, fd: 6, local: local.into(), kind: Kind::Stream }),
        at(250, EventKind::Sample { sock: 1, sample: Box::new(s) }),
        at(250, EventKind::Kernel { sockets: vec![queued(50001), queued(50002)] }),
    ];
    for event in &events {
        app.on_engine(0, event);
    }
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    terminal.draw(|f| sockpit::ui::draw(f, &app)).unwrap();
    insta::assert_snapshot!(terminal.backend());
}

#[test]
fn unix_socket_shows_its_path_and_no_ip_figures() {
    use sockpit::net::{Addr, UnixName};
    let mut s = sample(Kind::SeqPacket, false);
    s.family = Family::Unix;
    s.local = Some(Addr::Unix(UnixName::Path("/tmp/chat.sock".into())));
    s.peer = Some(Addr::Unix(UnixName::Unnamed));
    s.options.ttl = None;
    s.options.nodelay = None;
    s.recv_q = Some(6);
    let view = InspectView {
        sample: &s,
        previous: None,
        rtt_us: &[],
        throughput: &[],
        fd_less: &[],
        since_us: 0,
    };
    insta::assert_snapshot!(draw(view, 40, 8));
}
