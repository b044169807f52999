//! The Wire pane's state: TCP states after each segment (RFC 9293's
//! diagram), markers, the call each segment is linked to, selection keys.

use super::*;
use crate::app::end::EndState;
use crate::net::{Call, CallRecord, Event, EventKind, Returned, Role, Shut, Target};

const C: &str = "127.0.0.1:40000";
const S: &str = "127.0.0.1:8080";

/// A segment seen from the client `C` (sent when it leaves `C`).
fn seg(
    at: u64,
    from_client: bool,
    flags: &str,
    seq: u32,
    ack: u32,
    len: usize,
    win: u16,
) -> Segment {
    let (src, dst) = if from_client { (C, S) } else { (S, C) };
    let dir = if from_client { Dir::Sent } else { Dir::Received };
    Segment {
        at_micros: at,
        dir,
        ..crate::wire::hand_made::tcp(src, dst, flags, (seq, ack), len, win)
    }
}

/// Client ISN 100, server ISN 500: handshake, 5 bytes each way, close.
fn talk() -> Vec<Segment> {
    vec![
        seg(10, true, "SYN", 100, 0, 0, 512),
        seg(11, false, "SYN,ACK", 500, 101, 0, 512),
        seg(12, true, "ACK", 101, 501, 0, 512),
        seg(20, true, "PSH,ACK", 101, 501, 5, 512),
        seg(21, false, "ACK", 501, 106, 0, 512),
        seg(30, false, "PSH,ACK", 501, 106, 5, 512),
        seg(31, true, "ACK", 106, 506, 0, 512),
        seg(40, true, "FIN,ACK", 106, 506, 0, 512),
        seg(41, false, "ACK", 506, 107, 0, 512),
        seg(50, false, "FIN,ACK", 506, 107, 0, 512),
        seg(51, true, "ACK", 107, 507, 0, 512),
    ]
}

fn states(wire: &Wire) -> Vec<(Option<TcpState>, Option<TcpState>)> {
    wire.rows.iter().map(|r| r.states).collect()
}

#[test]
fn states_follow_rfc_9293_from_the_client() {
    use TcpState::*;
    let mut wire = Wire::new(Caps::default(), false);
    for s in talk() {
        wire.push(s);
    }
    assert_eq!(
        states(&wire),
        [
            (Some(SynSent), None),
            (Some(Established), Some(SynRecv)),
            (Some(Established), Some(Established)),
            (Some(Established), Some(Established)),
            (Some(Established), Some(Established)),
            (Some(Established), Some(Established)),
            (Some(Established), Some(Established)),
            (Some(FinWait1), Some(CloseWait)),
            (Some(FinWait2), Some(CloseWait)),
            (Some(TimeWait), Some(LastAck)),
            (Some(TimeWait), Some(Close)),
        ]
    );
    let deltas: Vec<u64> = wire.rows.iter().map(|r| r.delta).collect();
    assert_eq!(deltas, [0, 1, 1, 8, 1, 9, 1, 9, 1, 9, 1]);
    assert!(wire.rows.iter().all(|r| r.marks == Marks::default()));
}

#[test]
fn a_listening_server_is_syn_rcvd_on_the_syn() {
    let mut wire = Wire::new(Caps::default(), true);
    // The same segments from the server: what the client sends arrives.
    for mut s in talk().into_iter().take(3) {
        s.dir = if s.dir == Dir::Sent { Dir::Received } else { Dir::Sent };
        wire.push(s);
    }
    let st = states(&wire);
    assert_eq!(st[0], (Some(TcpState::SynRecv), Some(TcpState::SynSent)));
    assert_eq!(st[2], (Some(TcpState::Established), Some(TcpState::Established)));
    let wants: Vec<Want> = wire.rows.iter().map(|r| r.want).collect();
    assert_eq!(wants, [Want::Accept; 3], "a server's handshake comes from accept()");
}

#[test]
fn markers_retransmission_dup_ack_zero_window_reset() {
    let mut wire = Wire::new(Caps::default(), false);
    for s in talk().into_iter().take(3) {
        wire.push(s);
    }
    wire.push(seg(20, true, "PSH,ACK", 101, 501, 5, 512));
    wire.push(seg(21, true, "ACK", 106, 501, 10, 512)); // more data, outstanding
    wire.push(seg(22, false, "ACK", 501, 106, 0, 512));
    wire.push(seg(23, false, "ACK", 501, 106, 0, 512)); // the same ACK again
    wire.push(seg(24, true, "PSH,ACK", 101, 501, 5, 512)); // sent again
    wire.push(seg(25, false, "ACK", 501, 116, 0, 0)); // receive buffer full
    wire.push(seg(26, false, "RST", 501, 0, 0, 0));
    let marks: Vec<Marks> = wire.rows.iter().skip(5).map(|r| r.marks).collect();
    assert!(!marks[0].dup_ack, "the first ACK is no duplicate");
    assert!(marks[1].dup_ack);
    assert!(marks[2].retransmission && !marks[2].dup_ack);
    assert!(marks[3].zero_window && !marks[3].dup_ack);
    assert!(marks[4].reset && !marks[4].zero_window, "a reset's window means nothing");
    let last = wire.rows.back().unwrap().states;
    assert_eq!(last, (Some(TcpState::Close), Some(TcpState::Close)));
}

#[test]
fn caps_drop_the_oldest_rows_and_keep_numbers() {
    let mut wire = Wire::new(Caps { entries: 10, bytes: 160 * 3 }, false);
    for s in talk() {
        wire.push(s);
    }
    assert_eq!(wire.rows.len(), 3);
    assert_eq!((wire.first, wire.end_number()), (8, 12));
    assert!(wire.get(8).is_none() && wire.get(9).is_some());
}

#[test]
fn selection_moves_within_the_rows_kept() {
    let mut wire = Wire::new(Caps::default(), false);
    wire.move_selection(-1);
    assert_eq!(wire.selected, None, "nothing to select");
    for s in talk() {
        wire.push(s);
    }
    wire.move_selection(-1);
    assert_eq!(wire.selected, Some(11), "Up from following selects the newest");
    wire.move_selection(-100);
    assert_eq!(wire.selected, Some(1));
    wire.move_selection(3);
    assert_eq!(wire.selected, Some(4));
    wire.end();
    assert_eq!(wire.selected, None);
    wire.home();
    assert_eq!(wire.selected, Some(1));
}

fn call(at: u64, call: Call, result: Returned) -> Event {
    let rec = CallRecord { sock: 1, var: "client", call, result: Ok(result) };
    Event { at, kind: EventKind::Call(rec) }
}

fn client() -> EndState {
    let target = Target::Addr(S.parse().unwrap());
    EndState::new(Role::TcpClient(target), Caps::default())
}

#[test]
fn each_segment_links_to_the_call_that_caused_it_in_either_order() {
    let mut end = client();
    let socket = Call::Socket { family: crate::net::Family::Inet, kind: crate::net::Kind::Stream };
    end.on_event(&call(5, socket, Returned::Socket { fd: 3 }));
    // The handshake is captured before connect() answers...
    let segs = talk();
    for s in segs[..3].iter().cloned() {
        end.segment(s);
    }
    assert!(end.wire.rows.iter().all(|r| r.provisional && r.cause.is_none()));
    end.on_event(&call(
        13,
        Call::Connect(S.parse::<std::net::SocketAddr>().unwrap().into()),
        Returned::Nothing,
    ));
    let connect = end.lifecycle.end_seq() - 1;
    let causes: Vec<_> = end.wire.rows.iter().map(|r| (r.cause, r.provisional)).collect();
    assert_eq!(causes, [(Some(connect), false); 3]);
    // ...a send's answer may come before its segment is read.
    end.on_event(&call(20, Call::SendAll { len: 5 }, Returned::Nothing));
    let send = end.lifecycle.end_seq() - 1;
    for s in segs[3..7].iter().cloned() {
        end.segment(s);
    }
    let row = |n: u64| end.wire.get(n).map(|r| r.cause);
    assert_eq!(row(4), Some(Some(send)), "sendall → PSH,ACK");
    assert_eq!(row(5), Some(None), "the peer's ACK: no call of ours");
    assert_eq!(row(6), Some(None), "the peer's data");
    assert_eq!(row(7), Some(None), "the kernel's own ACK");
    end.on_event(&call(41, Call::Shutdown(Shut::Write), Returned::Nothing));
    let shutdown = end.lifecycle.end_seq() - 1;
    end.segment(segs[7].clone());
    assert_eq!(end.wire.get(8).map(|r| r.cause), Some(Some(shutdown)), "shutdown → FIN");
    let linked: Vec<u64> = end.wire.caused_by(connect).map(|r| r.number).collect();
    assert_eq!(linked, [1, 2, 3]);
}

#[test]
fn alt_w_shows_the_pane_and_selecting_a_row_selects_its_call() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = crate::app::App::new(
        vec![Role::TcpClient(Target::Addr(S.parse().unwrap()))],
        false,
        crate::app::Eol::Lf,
        Caps::default(),
        crate::app::Clock::fixed(0),
    );
    let connect = Call::Connect(S.parse::<std::net::SocketAddr>().unwrap().into());
    for s in talk().into_iter().take(3) {
        app.on_segment(0, s);
    }
    app.on_engine(0, &call(13, connect, Returned::Nothing));
    let key = |code, mods| KeyEvent::new(code, mods);
    app.on_key(key(KeyCode::Char('w'), KeyModifiers::ALT));
    assert!(app.wire_view);
    assert_eq!(app.focus, crate::app::Focus::Wire);
    app.on_key(key(KeyCode::Up, KeyModifiers::NONE));
    assert_eq!(app.ends[0].wire.selected, Some(3));
    assert_eq!(app.ends[0].lifecycle.selected, Some(0), "the ACK's call: connect()");
    app.on_key(key(KeyCode::Char('a'), KeyModifiers::NONE));
    assert!(app.ends[0].wire.absolute);
    assert!(app.input.value().is_empty(), "a bound key in the pane is no typing");
    app.on_key(key(KeyCode::Tab, KeyModifiers::NONE));
    assert_eq!(app.focus, crate::app::Focus::Lifecycle, "Tab skips the hidden panes");
    app.on_key(key(KeyCode::Esc, KeyModifiers::NONE));
    app.on_key(key(KeyCode::Char('w'), KeyModifiers::ALT));
    assert!(!app.wire_view);
    assert_eq!(app.focus, crate::app::Focus::Input);
}
