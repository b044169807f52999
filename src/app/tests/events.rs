//! Engine event paths: framing, connection life, errors, caps.

use super::*;

#[test]
fn peer_eof_means_close_wait_and_sending_goes_on() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    let shown = app.end().sockets.shown().map(|s| s.state);
    assert_eq!(shown, Some(State::CloseWait));
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("CLOSE_WAIT")));
    typed(&mut app, "still here");
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))).len(), 1);
    app.on_engine(0, &ev(EventKind::Closed { sock: 1, reason: CloseReason::Local }));
    assert_eq!(app.end().pending, 0, "queued bytes went down with the socket");
    assert!(app.cannot_send().is_some());
}

#[test]
fn received_lines_survive_any_split() {
    let mut app = client();
    connect(&mut app, 0, 1);
    let whole = "第一行\r\nsecond\npart".as_bytes();
    for chunk in whole.chunks(2) {
        let bytes: &'static [u8] = Box::leak(chunk.to_vec().into_boxed_slice());
        app.on_engine(0, &data(1, Dir::Received, bytes));
    }
    let got = texts(&app, 0);
    assert_eq!(&got[1..], ["第一行", "second", "part"]);
    let h = &app.ends[0].history;
    let first = h.get(1).map(|e| (e.open, e.calls.count));
    // Its \n is in the 6th 2-byte chunk; the 1st held half of 第.
    assert_eq!(first, Some((false, 6)), "the line came in 6 recv calls");
    assert!(h.last().is_some_and(|e| e.open));
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    assert!(app.ends[0].history.get(3).is_some_and(|e| !e.open));
}

#[test]
fn a_broken_character_at_eof_still_shows() {
    let mut app = client();
    connect(&mut app, 0, 1);
    app.on_engine(0, &data(1, Dir::Received, b"first\n"));
    app.on_engine(0, &data(1, Dir::Received, b"ok "));
    app.on_engine(0, &data(1, Dir::Received, b"\xe4\xbd"));
    assert_eq!(texts(&app, 0)[2], "ok ", "the half character waits");
    app.on_engine(0, &ev(EventKind::PeerEof { sock: 1 }));
    let entry = app.ends[0].history.get(2).cloned().expect("entry");
    assert_eq!(entry.calls, history::Calls { first: 1, count: 2 });
    assert_eq!((entry.text.as_slice(), entry.open), (&b"ok \xe4\xbd"[..], false));

    // Held bytes with no line open still come out, linked to their call.
    app.on_engine(0, &data(2, Dir::Received, b"done\n\xf0\x9f"));
    app.on_engine(0, &data(2, Dir::Received, b"\x98"));
    app.on_engine(0, &ev(EventKind::Closed { sock: 2, reason: CloseReason::Local }));
    let h = &app.ends[0].history;
    let held = (h.first_seq()..h.end_seq())
        .filter_map(|s| h.get(s))
        .find(|e| e.sock == 2 && e.text == b"\xf0\x9f\x98")
        .map(|e| (e.calls, e.open));
    assert_eq!(held, Some((history::Calls { first: 0, count: 2 }, false)));
}

#[test]
fn udp_server_waits_for_a_sender() {
    let role = Role::UdpServer(Target::Addr(addr("127.0.0.1:0")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let local = addr("127.0.0.1:8888");
    app.on_engine(
        0,
        &ev(EventKind::Listening { sock: 1, fd: 3, local: local.into(), kind: Kind::Dgram }),
    );
    typed(&mut app, "x");
    assert!(app.on_key(key(KeyCode::Enter)).is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("nobody to answer")));
    app.on_engine(0, &data(1, Dir::Received, b"one\ntwo\n"));
    assert_eq!(&texts(&app, 0)[2..], ["one", "two"]);
    assert_eq!(sent(&app.on_key(key(KeyCode::Enter))).len(), 1);
    app.on_engine(0, &ev(EventKind::Dropped { len: 2, why: "test" }));
    assert_eq!(app.end().pending, 0);
}

#[test]
fn errors_show_once() {
    let mut app = client();
    let err = CallError::from_errno(libc::ECONNREFUSED);
    let rec = CallRecord {
        sock: 1,
        var: "client",
        call: Call::Connect(addr("127.0.0.1:9").into()),
        result: Err(err.clone()),
    };
    app.on_engine(0, &ev(EventKind::Call(rec)));
    let error = crate::net::SetupError::call("connect", "127.0.0.1:9", err);
    app.on_engine(0, &ev(EventKind::Fatal { error }));
    assert!(app.end().lifecycle.lines.back().is_some_and(crate::app::lifecycle::LifeLine::failed));
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("ECONNREFUSED")));
    assert!(app.end().fatal.is_some());

    connect(&mut app, 0, 2);
    let rec = CallRecord {
        sock: 2,
        var: "client",
        call: Call::Recv { bufsize: 1024 },
        result: Err(CallError::from_errno(libc::ECONNRESET)),
    };
    app.on_engine(0, &ev(EventKind::Call(rec)));
    let reason = CloseReason::Failed(CallError::from_errno(libc::ECONNRESET));
    app.on_engine(0, &ev(EventKind::Closed { sock: 2, reason }));
    let resets = texts(&app, 0).iter().filter(|t| t.contains("ECONNRESET")).count();
    assert_eq!(resets, 1);
}
