//! Snapshots of the Wire pane from real sessions: the fixtures in
//! tests/fixtures/wire/ are a headless client's `--wire --events json`
//! lines recorded by `scripts/record-wire-fixtures` inside `unshare -rn`
//! (the handshake, data both ways, a half-close, a reset, a refused
//! connect, retransmissions under a tiny `tbf` queue, UDP datagrams).
//! Each is replayed into `App` (segments as they were captured, calls and
//! data as the engine reported them) and drawn on a `TestBackend` with a
//! stopped clock; the app's own view of the rows is checked too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::path::PathBuf;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock, Focus};
use sockpit::app::{WireRow as Row, WireStatus as Status};
use sockpit::net::{
    Addr, Call, CallError, CallRecord, CloseReason, DataRecord, Dir, Event, EventKind, Family,
    Kind, Returned, Role, Shut, Target, TcpState,
};

fn fixture(name: &str) -> Vec<Value> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wire").join(name);
    let text = std::fs::read_to_string(&path).expect("fixture (scripts/record-wire-fixtures)");
    text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

fn addr(v: &Value) -> Addr {
    v.as_str().and_then(|s| s.parse::<std::net::SocketAddr>().ok()).expect("an address").into()
}

/// The bytes of the data event after line `i` in direction `dir`.
fn next_data(lines: &[Value], i: usize, dir: &str) -> Bytes {
    lines[i..]
        .iter()
        .find(|v| v["ev"] == "data" && v["dir"] == dir)
        .and_then(|v| v["text"].as_str())
        .map(|t| Bytes::copy_from_slice(t.as_bytes()))
        .unwrap_or_default()
}

/// The `host:port` of a call's `py` (`client.connect(('127.0.0.1', 7000))`).
fn py_addr(py: &str) -> Addr {
    let inner = py.split("(('").nth(1).expect("an address argument");
    let (host, rest) = inner.split_once("', ").expect("host, port");
    let port = rest.trim_end_matches("))");
    format!("{host}:{port}").parse::<std::net::SocketAddr>().expect("address").into()
}

/// One recorded call line as the engine's event (the calls these
/// sessions make; others are not in the fixtures).
fn call(lines: &[Value], i: usize) -> Option<CallRecord> {
    let v = &lines[i];
    let py = v["py"].as_str()?;
    let len = |py: &str| py.split("# ").nth(1)?.trim_end_matches(" B").parse::<usize>().ok();
    let call = match v["call"].as_str()? {
        "socket" if py.contains("SOCK_DGRAM") => {
            Call::Socket { family: Family::Inet, kind: Kind::Dgram }
        }
        "socket" => Call::Socket { family: Family::Inet, kind: Kind::Stream },
        "connect" => Call::Connect(py_addr(py)),
        "sendall" => Call::SendAll { len: len(py)? },
        "send" => Call::Send { len: len(py)? },
        "recv" => Call::Recv { bufsize: 65_536 },
        "shutdown" => Call::Shutdown(Shut::Write),
        "close" => Call::Close,
        _ => return None,
    };
    let result = if v["ok"] == true {
        Ok(match &call {
            Call::Socket { .. } => Returned::Socket { fd: 14 },
            Call::Send { len } => Returned::Count(*len),
            Call::Recv { .. } if v["len"] == 0 => {
                Returned::Data { data: Bytes::new(), from: None, truncated: None }
            }
            Call::Recv { .. } => {
                Returned::Data { data: next_data(lines, i, "recv"), from: None, truncated: None }
            }
            _ => Returned::Nothing,
        })
    } else {
        let errno = v["errno"].as_i64().and_then(|e| i32::try_from(e).ok())?;
        Err(CallError::from_errno(errno))
    };
    let sock = u32::try_from(v["sock"].as_u64()?).ok()?;
    Some(CallRecord { sock, var: "client", call, result })
}

/// A recorded line as what reaches the app: an engine event or a segment.
enum Line {
    Engine(Event),
    Segment(sockpit::wire::Segment),
}

fn line(lines: &[Value], i: usize) -> Option<Line> {
    let v = &lines[i];
    if let Some(seg) = sockpit::json::parse_segment(v) {
        return Some(Line::Segment(seg));
    }
    let sock = v["sock"].as_u64().and_then(|s| u32::try_from(s).ok()).unwrap_or(0);
    let kind = match v["ev"].as_str()? {
        "call" => EventKind::Call(call(lines, i)?),
        "connected" => {
            EventKind::Connected { sock, fd: 14, local: addr(&v["local"]), peer: addr(&v["peer"]) }
        }
        "data" => EventKind::Data(DataRecord {
            sock,
            dir: if v["dir"] == "send" { Dir::Sent } else { Dir::Received },
            peer: Some(addr(&v["peer"])),
            data: Bytes::copy_from_slice(v["text"].as_str()?.as_bytes()),
            offset: v["offset"].as_u64()?,
        }),
        "eof" => EventKind::PeerEof { sock },
        "closed" if v["reason"] == "local" => {
            EventKind::Closed { sock, reason: CloseReason::Local }
        }
        "closed" => EventKind::Closed {
            sock,
            reason: CloseReason::Failed(CallError::from_errno(libc::ECONNRESET)),
        },
        _ => return None,
    };
    Some(Line::Engine(Event { at: v["t"].as_u64()?, kind }))
}

/// The app after the fixture's lines up to (and with) its `segments`-th
/// segment (all of them: `usize::MAX`), the Wire pane shown and focused.
fn replay(name: &str, segments: usize) -> App {
    let lines = fixture(name);
    let udp = name == "udp.jsonl";
    let target = if udp { "127.0.0.1:8888" } else { "127.0.0.1:7000" };
    let target = Target::Addr(target.parse().expect("address"));
    let role = if udp { Role::UdpClient(target) } else { Role::TcpClient(target) };
    let last = lines.last().and_then(|v| v["t"].as_u64()).unwrap_or(0);
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(last));
    app.resize(100, 40);
    app.started(0);
    app.wire_status(0, Status::Live { link: "lo" });
    // Alt-W: the Wire pane, with the keyboard.
    app.on_key(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::ALT));
    assert_eq!(app.focus(), Focus::Wire);
    let mut seen = 0;
    for i in 0..lines.len() {
        if seen == segments {
            break;
        }
        match line(&lines, i) {
            Some(Line::Engine(ev)) => {
                app.on_engine(0, &ev);
            }
            Some(Line::Segment(seg)) => {
                app.on_segment(0, seg);
                seen += 1;
            }
            None => {}
        }
    }
    app
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    format!("{}", terminal.backend())
}

fn rows(app: &App) -> Vec<&Row> {
    app.ends()[0].wire.rows.iter().collect()
}

fn flags(app: &App) -> Vec<String> {
    rows(app)
        .iter()
        .map(|r| match &r.seg.proto {
            sockpit::wire::Proto::Tcp(t) => t.flags.to_string(),
            sockpit::wire::Proto::Udp => "UDP".into(),
        })
        .collect()
}

#[test]
fn handshake() {
    let app = replay("talk.jsonl", 3);
    assert_eq!(flags(&app), ["SYN", "SYN,ACK", "ACK"]);
    let states: Vec<_> = rows(&app).iter().map(|r| r.states).collect();
    assert_eq!(
        states,
        [
            (Some(TcpState::SynSent), None),
            (Some(TcpState::Established), Some(TcpState::SynRecv)),
            (Some(TcpState::Established), Some(TcpState::Established)),
        ]
    );
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn data_both_ways() {
    let app = replay("talk.jsonl", 7);
    assert_eq!(flags(&app)[3..], ["PSH,ACK", "ACK", "PSH,ACK", "ACK"]);
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn half_close() {
    let app = replay("talk.jsonl", usize::MAX);
    // The client's FIN, then the server's data still arrives, then its FIN.
    assert_eq!(flags(&app)[7..], ["FIN,ACK", "PSH,ACK", "ACK", "FIN,ACK", "ACK"]);
    let last = rows(&app).last().map(|r| r.states);
    assert_eq!(last, Some((Some(TcpState::TimeWait), Some(TcpState::Close))));
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn half_close_at_80x24() {
    let app = replay("talk.jsonl", usize::MAX);
    insta::assert_snapshot!(draw(&app, 80, 24));
}

#[test]
fn reset() {
    let app = replay("reset.jsonl", usize::MAX);
    let last = rows(&app).last().copied().expect("rows");
    assert!(last.marks.reset);
    assert_eq!(last.states, (Some(TcpState::Close), Some(TcpState::Close)));
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn a_refused_connect_is_syn_then_rst_ack() {
    let app = replay("refused.jsonl", usize::MAX);
    assert_eq!(flags(&app), ["SYN", "RST,ACK"]);
    insta::assert_snapshot!(draw(&app, 100, 24));
}

#[test]
fn retransmission() {
    let mut app = replay("retransmission.jsonl", usize::MAX);
    let first = rows(&app).iter().find(|r| r.marks.retransmission).map(|r| r.number);
    let first = first.expect("the tbf queue dropped a segment, and it was sent again");
    // Selected: the ladder around it, and its details below.
    app.end_mut().wire.selected = Some(first);
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn udp_datagrams() {
    let app = replay("udp.jsonl", usize::MAX);
    assert_eq!(flags(&app), ["UDP", "UDP", "UDP", "UDP"]);
    insta::assert_snapshot!(draw(&app, 100, 24));
}
