//! `Command::Watch`'s set: all sockets while few, else those on screen.

use super::*;
use crate::net::SockId;
use crate::net::sample::CROWD;

/// A TCP server with `n` accepted connections (socks 2..=n+1) on a
/// terminal `rows` high.
fn crowded(n: u32, rows: u16) -> App {
    let local = addr("127.0.0.1:8080");
    let role = Role::TcpServer(Target::Addr(local));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    app.resize(120, rows);
    let kind = Kind::Stream;
    app.on_engine(0, &ev(EventKind::Listening { sock: 1, fd: 6, local: local.into(), kind }));
    for sock in 2..n + 2 {
        let peer = addr(&format!("127.0.0.1:{}", 20_000 + sock));
        let fd = 6 + i32::try_from(sock).unwrap();
        let connected = EventKind::Connected { sock, fd, local: local.into(), peer: peer.into() };
        app.on_engine(0, &ev(connected));
    }
    app
}

#[test]
fn a_small_session_samples_every_socket() {
    let n = u32::try_from(CROWD).unwrap() - 1;
    let app = crowded(n, 30);
    assert_eq!(app.ends[0].sockets.all.len(), CROWD, "listener and {n} connections");
    assert_eq!(app.watch_sets(), vec![None]);
}

#[test]
fn a_crowd_samples_the_listener_and_the_rows_around_the_selection() {
    let app = crowded(10_000, 30);
    // Following the newest connection: the last 30 rows and the listener.
    let mut want: Vec<SockId> = vec![1];
    want.extend(10_001 - 30..=10_001);
    assert_eq!(app.watch_sets(), vec![Some(want)]);
}

#[test]
fn moving_the_selection_moves_the_set_with_it() {
    let mut app = crowded(10_000, 20);
    app.ends[0].select_row(5_000);
    let Some(Some(set)) = app.watch_sets().pop() else { panic!("a crowd has a set") };
    // Row r is sock r + 1 (row 0 is the listener, sock 1; then 2, 3, …).
    assert_eq!(set.first(), Some(&1));
    assert_eq!(&set[1..], (4_981..=5_021).collect::<Vec<_>>(), "± 20 rows");
    // At the top the window is cut, not shifted, and the picked row's
    // socket (the detailed one) is in it.
    app.ends[0].select_row(0);
    let Some(Some(set)) = app.watch_sets().pop() else { panic!("a crowd has a set") };
    assert_eq!(set, (1..=21).collect::<Vec<_>>());
}
