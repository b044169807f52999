//! The inspection panel on ratatui's `TestBackend`, drawn from made-up
//! samples: a listener with a held accept queue, an established connection
//! (with sparklines), a UDP socket, and a closed socket's last figures; and
//! the highlight of values that changed since the previous sample.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use sockpit::net::sample::{AcceptQueue, Linger, Options, Sample, TcpFigures};
use sockpit::net::{Family, Kind, TcpState};
use sockpit::ui::inspect::{InspectView, bytes};

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
    let view = InspectView { sample: &s, previous: None, rtt_us: &[], throughput: &[] };
    insta::assert_snapshot!(draw(view, 40, 8));
}

#[test]
fn connection_shows_tcp_info_and_sparklines() {
    let mut s = sample(Kind::Stream, false);
    s.recv_q = Some(5);
    s.tcp = Some(tcp(TcpState::Established));
    let rtt = [40, 42, 45, 60, 52, 42, 41, 42];
    let rate = [0, 1_000, 50_000, 2_000_000, 1_500_000, 0, 0, 10];
    let view = InspectView { sample: &s, previous: None, rtt_us: &rtt, throughput: &rate };
    insta::assert_snapshot!(draw(view, 40, 20));
}

#[test]
fn udp_socket_shows_the_next_datagram_and_no_tcp_info() {
    let mut s = sample(Kind::Dgram, false);
    s.recv_q = Some(12);
    let view = InspectView { sample: &s, previous: None, rtt_us: &[], throughput: &[] };
    insta::assert_snapshot!(draw(view, 40, 6));
}

#[test]
fn closed_socket_keeps_its_last_figures() {
    let mut s = sample(Kind::Stream, false);
    let mut t = tcp(TcpState::LastAck);
    t.bytes_received = Some(3);
    s.tcp = Some(t);
    s.last = true;
    let view = InspectView { sample: &s, previous: None, rtt_us: &[], throughput: &[] };
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
    let view = InspectView { sample: &now, previous: Some(&before), rtt_us: &[], throughput: &[] };
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
