//! In-process figures: a whole-screen `terminal.draw` on ratatui's
//! `TestBackend` (200×50) with 1k, 100k and 1M history entries, following
//! and scrolled to the middle, and what `App::on_engine` costs for one
//! received line once the history holds 1M.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};
use sockpit::net::sample::{Linger, Options, Sample, TcpFigures};
use sockpit::net::{
    Call, CallRecord, DataRecord, Dir, Event, EventKind, Family, Kind, Returned, Role, SockId,
    Target, TcpState,
};

/// 2023-11-14 22:13:20 UTC, as in the snapshot tests.
const T0: u64 = 1_700_000_000_000_000;
/// The peers talking to the server (sock ids 2..).
const PEERS: u32 = 4;

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("a literal address")
}

fn peer_of(sock: SockId) -> SocketAddr {
    SocketAddr::new(addr("127.0.0.1:0").ip(), 50_000 + u16::try_from(sock).unwrap_or(0))
}

fn event(at: u64, kind: EventKind) -> Event {
    Event { at: T0 + at, kind }
}

fn call(at: u64, sock: SockId, var: &'static str, call: Call, result: Returned) -> Event {
    event(at, EventKind::Call(CallRecord { sock, var, call, result: Ok(result) }))
}

/// The kernel's figures of a busy connection, as the sampler reports them
/// (so the Socket pane draws its `TCP_INFO` rows and sparklines too).
fn sample(sock: SockId, at: u32) -> Event {
    let options = Options {
        rcvbuf: Some(131_072),
        sndbuf: Some(2_626_560),
        reuseaddr: Some(true),
        keepalive: Some(false),
        nodelay: Some(false),
        ttl: Some(64),
        linger: Some(Linger::Off),
    };
    let tcp = TcpFigures {
        state: TcpState::Established,
        rtt_us: 40 + at % 7,
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
        last_data_recv_ms: 20,
        bytes_acked: Some(u64::from(at) * 100),
        bytes_received: Some(u64::from(at) * 300),
        segs_in: Some(at),
        segs_out: Some(at),
        delivery_rate: Some(2_000_000),
    };
    let sample = Sample {
        fd: i32::try_from(sock).unwrap_or(0) + 5,
        family: Family::Inet,
        kind: Kind::Stream,
        listening: false,
        local: Some(addr("127.0.0.1:8080").into()),
        peer: Some(peer_of(sock).into()),
        timeout: None,
        nonblocking: Some(true),
        options,
        recv_q: Some(0),
        send_q: Some(0),
        tcp: Some(tcp),
        accept_queue: None,
        last: false,
    };
    event(u64::from(at) * 250_000, EventKind::Sample { sock, sample: Box::new(sample) })
}

/// A TCP server with `PEERS` clients connected, every entry kept up to
/// `entries` (so the history holds exactly that many once fed).
fn server(entries: usize) -> App {
    let any = Target::Addr(addr("127.0.0.1:0"));
    let caps = Caps { entries, bytes: usize::MAX / 2 };
    let clock = Clock::fixed(T0 + 3_600_000_000);
    let mut app = App::new(vec![Role::TcpServer(any)], false, Eol::Lf, caps, clock);
    app.started(0);
    let local = addr("127.0.0.1:8080");
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    app.on_engine(0, &call(0, 1, "server", stream, Returned::Socket { fd: 6 }));
    app.on_engine(0, &call(1, 1, "server", Call::Bind(local.into()), Returned::Nothing));
    app.on_engine(0, &call(2, 1, "server", Call::Listen(1024), Returned::Nothing));
    app.on_engine(
        0,
        &event(2, EventKind::Listening { sock: 1, fd: 6, local: local.into(), kind: Kind::Stream }),
    );
    for sock in 2..2 + PEERS {
        let (peer, fd) = (peer_of(sock), i32::try_from(sock).unwrap_or(0) + 5);
        let accepted = Returned::Accepted { sock, fd, peer: peer.into() };
        app.on_engine(0, &call(3, 1, "server", Call::Accept, accepted));
        app.on_engine(
            0,
            &event(3, EventKind::Connected { sock, fd, local: local.into(), peer: peer.into() }),
        );
        // A minute of samples at 4 Hz: the sparklines are full.
        for at in 0..240 {
            app.on_engine(0, &sample(sock, at));
        }
    }
    app
}

/// The `n`th message of the mix: text lines, CJK, binary chunks (every
/// byte but `\n`, so one entry each) and the server's own replies, from
/// the peers in turn. Returns (sock, direction, bytes).
fn message(n: u64) -> (SockId, Dir, Vec<u8>) {
    let sock = 2 + u32::try_from(n % u64::from(PEERS)).unwrap_or(0);
    let (dir, mut bytes) = match n % 8 {
        0 | 3 | 6 => (Dir::Received, format!("GET /items/{n}?page=2 HTTP/1.1").into_bytes()),
        1 | 5 => (Dir::Received, format!("你好，世界 第{n}行 — ライン").into_bytes()),
        2 => {
            let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
            let chunk = (0..48).map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            });
            (Dir::Received, chunk.map(|b| if b == b'\n' { 0 } else { b }).collect())
        }
        _ => (Dir::Sent, format!("HTTP/1.1 200 OK ({n} B)").into_bytes()),
    };
    bytes.push(b'\n');
    (sock, dir, bytes)
}

/// The engine's two events for message `n`: the call, then its data.
fn events(n: u64, offsets: &mut [u64]) -> [Event; 2] {
    let (sock, dir, bytes) = message(n);
    let at = n * 1000;
    let len = bytes.len();
    let data = Bytes::from(bytes);
    let slot = usize::try_from(sock - 2).unwrap_or(0) * 2 + usize::from(dir == Dir::Sent);
    let offset = offsets[slot];
    offsets[slot] += len as u64;
    let first = match dir {
        Dir::Received => {
            let got = Returned::Data { data: data.clone(), from: None, truncated: None };
            call(at, sock, "sock", Call::Recv { bufsize: 1024 }, got)
        }
        Dir::Sent => call(at, sock, "sock", Call::SendAll { len }, Returned::Nothing),
    };
    let peer = Some(peer_of(sock));
    let record = DataRecord { sock, dir, peer: peer.map(Into::into), data, offset };
    [first, event(at, EventKind::Data(record))]
}

/// Feeds the mix until the history holds `entries`; returns the next
/// message number and the stream offsets for more.
fn fill(app: &mut App, entries: usize) -> (u64, Vec<u64>) {
    let mut offsets = vec![0; PEERS as usize * 2];
    let mut n = 0;
    while app.ends()[0].history.len() < entries {
        for ev in events(n, &mut offsets) {
            app.on_engine(0, &ev);
        }
        n += 1;
    }
    (n, offsets)
}

/// This thread's involuntary context switches so far: another process
/// took the CPU (read outside the timed part of a frame).
fn preempted() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/thread-self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("nonvoluntary_ctxt_switches:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Frame times: every frame, and those no other process preempted (on a
/// shared 2-core machine a preemption costs a whole time slice, which is
/// what the p99 of every frame mostly measures).
pub struct Times {
    pub all: Vec<Duration>,
    pub own: Vec<Duration>,
}

/// Times `frames` whole-screen draws.
fn draw_times(app: &App, frames: usize) -> Times {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("a test terminal");
    // One frame first: the backend's buffers start empty.
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    let mut times = Times { all: Vec::with_capacity(frames), own: Vec::with_capacity(frames) };
    for _ in 0..frames {
        let before = preempted();
        let start = Instant::now();
        terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
        let took = start.elapsed();
        times.all.push(took);
        if before.is_some() && preempted() == before {
            times.own.push(took);
        }
    }
    times
}

/// The `q` quantile (0..=1) of `times`, in milliseconds.
pub fn quantile_ms(times: &mut [Duration], q: f64) -> f64 {
    times.sort_unstable();
    let last = times.len().saturating_sub(1);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index"
    )]
    let i = ((last as f64) * q).round() as usize;
    times.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

/// Frame times following the newest entries and scrolled to the middle.
pub struct Frames {
    pub follow: Times,
    pub middle: Times,
}

/// Frames with a history of `entries`.
pub fn frames(entries: usize, frames: usize) -> Frames {
    let mut app = server(entries);
    fill(&mut app, entries);
    let follow = draw_times(&app, frames);
    let history = &mut app.end_mut().history;
    history.scroll_up(entries as u64 / 2);
    let middle = draw_times(&app, frames);
    Frames { follow, middle }
}

/// `App::on_engine` for one received line (its recv call and its data
/// event) with the history full at `entries`, so each also trims the
/// oldest entry, as in a long session.
pub fn updates(entries: usize, count: usize) -> Vec<Duration> {
    let mut app = server(entries);
    let (mut n, mut offsets) = fill(&mut app, entries);
    let mut times = Vec::with_capacity(count);
    while times.len() < count {
        let evs = events(n, &mut offsets);
        n += 1;
        let start = Instant::now();
        for ev in &evs {
            app.on_engine(0, ev);
        }
        times.push(start.elapsed());
    }
    times
}

/// Frames of a TCP server holding `conns` connections, the Socket pane
/// focused and its selection moved to the middle of the list.
pub fn socket_list_frames(conns: u32, frames: usize) -> Times {
    let mut app = server(0);
    let local = addr("127.0.0.1:8080");
    for sock in 2 + PEERS..2 + PEERS + conns {
        let (peer, fd) = (peer_of(sock), i32::try_from(sock).unwrap_or(0) + 5);
        let ev = EventKind::Connected { sock, fd, local: local.into(), peer: peer.into() };
        app.on_engine(0, &event(4, ev));
    }
    app.click(sockpit::app::Pane::Socket(0), None);
    let middle = isize::try_from(conns / 2).unwrap_or(0);
    app.end_mut().move_selection(-middle);
    draw_times(&app, frames)
}
