//! A server's send target: the socket list's selected row (TCP), the peer
//! list's (UDP), `/all`, the defaults that follow, and refusals.

use super::*;

fn server(kind: Kind) -> App {
    let at = Target::Addr(addr("127.0.0.1:8080"));
    let role = if kind == Kind::Stream { Role::TcpServer(at) } else { Role::UdpServer(at) };
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let local = addr("127.0.0.1:8080");
    app.on_engine(0, &ev(EventKind::Listening { sock: 1, fd: 6, local: local.into(), kind }));
    app
}

fn accept(app: &mut App, sock: u32, peer: &str) {
    let (local, peer) = (addr("127.0.0.1:8080"), addr(peer));
    app.on_engine(
        0,
        &ev(EventKind::Connected {
            sock,
            fd: 6 + i32::try_from(sock).unwrap(),
            local: local.into(),
            peer: peer.into(),
        }),
    );
}

fn close(app: &mut App, sock: u32) {
    app.on_engine(0, &ev(EventKind::Closed { sock, reason: CloseReason::Local }));
}

fn datagram(app: &mut App, from: &str, bytes: &'static [u8]) {
    let peer = Some(addr(from).into());
    let d = DataRecord {
        sock: 1,
        dir: Dir::Received,
        peer,
        data: Bytes::from_static(bytes),
        offset: 0,
    };
    app.on_engine(0, &ev(EventKind::Data(d)));
}

/// Types a line, presses Enter, returns where the send went.
fn enter(app: &mut App, line: &str) -> Vec<To> {
    typed(app, line);
    let effects = app.on_key(key(KeyCode::Enter));
    sent(&effects)
        .into_iter()
        .filter_map(|c| match c {
            Command::Send { to, .. } | Command::Close { to } => Some(to),
            _ => None,
        })
        .collect()
}

#[test]
fn tcp_default_follows_the_newest_connection() {
    let mut app = server(Kind::Stream);
    accept(&mut app, 2, "127.0.0.1:50001");
    assert_eq!(enter(&mut app, "a"), [To::Sock(2)]);
    accept(&mut app, 3, "127.0.0.1:50002");
    assert_eq!(enter(&mut app, "b"), [To::Sock(3)]);
    assert_eq!(app.end().selected_row(), Some(2), "rows: listener, sock 2, sock 3");
    assert_eq!(app.end().target_label().as_deref(), Some("→ 127.0.0.1:50002 (sock 3)"));
}

#[test]
fn tcp_selected_row_is_where_the_input_goes() {
    let mut app = server(Kind::Stream);
    accept(&mut app, 2, "127.0.0.1:50001");
    accept(&mut app, 3, "127.0.0.1:50002");
    app.focus = Focus::Socket;
    app.on_key(key(KeyCode::Up));
    assert_eq!(app.end().detailed().map(|s| s.id), Some(2), "the panel details the pick");
    assert_eq!(enter(&mut app, "to two"), [To::Sock(2)]);
    // The pick holds when a newer connection arrives.
    accept(&mut app, 4, "127.0.0.1:50003");
    assert_eq!(enter(&mut app, "still two"), [To::Sock(2)]);
    assert_eq!(enter(&mut app, "/close"), [To::Sock(2)], "/close closes the selected one");
    // End follows the newest again.
    app.focus = Focus::Socket;
    app.on_key(key(KeyCode::End));
    assert_eq!(enter(&mut app, "newest"), [To::Sock(4)]);
    // A click on a row picks it (row 0 is the listener: the newest gets it).
    app.click(Pane::Socket(0), Some(0));
    assert_eq!(app.focus, Focus::Socket);
    assert_eq!(app.end().selected_row(), Some(0));
    assert_eq!(enter(&mut app, "via listener"), [To::Sock(4)]);
}

#[test]
fn a_closed_selection_sends_to_the_newest_live_or_refuses() {
    let mut app = server(Kind::Stream);
    accept(&mut app, 2, "127.0.0.1:50001");
    accept(&mut app, 3, "127.0.0.1:50002");
    app.focus = Focus::Socket;
    app.on_key(key(KeyCode::Up));
    close(&mut app, 2);
    assert_eq!(app.end().rows().len(), 3, "closed connections stay listed");
    assert_eq!(enter(&mut app, "x"), [To::Sock(3)]);
    close(&mut app, 3);
    assert!(enter(&mut app, "y").is_empty(), "nobody live: nothing sent");
    assert_eq!(app.input.value(), "y", "the refused line stays in the input");
    let last = texts(&app, 0).pop().unwrap();
    assert!(last.contains("no client yet") || last.contains("no live connection"), "{last}");
    assert_eq!(app.end().target_label(), None);
}

#[test]
fn all_broadcasts_to_every_live_connection() {
    let mut app = server(Kind::Stream);
    assert!(enter(&mut app, "/all hi").is_empty(), "no connection yet");
    app.input.take();
    accept(&mut app, 2, "127.0.0.1:50001");
    accept(&mut app, 3, "127.0.0.1:50002");
    let effects = {
        typed(&mut app, "/all hi");
        app.on_key(key(KeyCode::Enter))
    };
    let cmds = sent(&effects);
    assert_eq!(cmds, [Command::Send { to: To::All, data: Bytes::from_static(b"hi\n") }]);
    assert_eq!(app.end().pending, 6, "two copies pending");
}

#[test]
fn udp_replies_go_to_the_last_sender_until_a_peer_is_picked() {
    let mut app = server(Kind::Dgram);
    assert!(enter(&mut app, "nobody").is_empty(), "no datagram yet");
    app.input.take();
    datagram(&mut app, "127.0.0.1:40001", b"one");
    datagram(&mut app, "127.0.0.1:40002", b"two");
    assert_eq!(enter(&mut app, "r"), [To::Peer(addr("127.0.0.1:40002").into())]);
    let label = app.end().target_label();
    assert_eq!(label.as_deref(), Some("→ 127.0.0.1:40002 (last sender)"));
    datagram(&mut app, "127.0.0.1:40003", b"three");
    assert_eq!(enter(&mut app, "r"), [To::Peer(addr("127.0.0.1:40003").into())], "follows");
    app.focus = Focus::Socket;
    app.on_key(key(KeyCode::Up));
    app.on_key(key(KeyCode::Up));
    assert_eq!(enter(&mut app, "r"), [To::Peer(addr("127.0.0.1:40001").into())]);
    datagram(&mut app, "127.0.0.1:40002", b"again");
    assert_eq!(enter(&mut app, "r"), [To::Peer(addr("127.0.0.1:40001").into())], "the pick holds");
    let label = app.end().target_label();
    assert_eq!(label.as_deref(), Some("→ 127.0.0.1:40001 (picked)"));
    assert_eq!(enter(&mut app, "/all x"), [To::All]);
    let p = &app.end().targets.peers;
    assert_eq!(p.len(), 3);
    assert_eq!((p[1].dgrams_in, p[1].bytes_in), (2, 8));
}

#[test]
fn a_client_still_sends_on_its_one_socket() {
    let mut app = client();
    connect(&mut app, 0, 1);
    assert_eq!(enter(&mut app, "hi"), [To::Current]);
    assert!(!app.end().has_list());
    assert_eq!(app.end().target_label(), None);
}
