//! A Unix socket server's whole screen on ratatui's `TestBackend`: the
//! socket panel and history name the socket file and the unnamed client,
//! the lifecycle shows `AF_UNIX`/`SOCK_SEQPACKET`, and nothing claims TCP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, at, call, draw};

use bytes::Bytes;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};
use sockpit::net::{
    Addr, Call, DataRecord, Dir, EventKind, Family, Kind, Returned, Role, UnixName,
};

fn path() -> Addr {
    Addr::Unix(UnixName::Path("/tmp/chat.sock".into()))
}

fn unix_server(kind: Kind) -> App {
    let role = Role::UnixServer(UnixName::Path("/tmp/chat.sock".into()), kind);
    let mut app =
        App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0 + 60_000_000));
    app.started(0);
    let unnamed = Addr::Unix(UnixName::Unnamed);
    let hello = Bytes::from_static("hello over AF_UNIX 你好\n".as_bytes());
    let events = [
        call(
            0,
            1,
            "server",
            Call::Socket { family: Family::Unix, kind },
            Returned::Socket { fd: 6 },
        ),
        call(1, 1, "server", Call::Bind(path()), Returned::Nothing),
        call(2, 1, "server", Call::Listen(1024), Returned::Nothing),
        at(2, EventKind::Listening { sock: 1, fd: 6, local: path(), kind }),
        call(
            10,
            1,
            "server",
            Call::Accept,
            Returned::Accepted { sock: 2, fd: 7, peer: unnamed.clone() },
        ),
        at(10, EventKind::Connected { sock: 2, fd: 7, local: path(), peer: unnamed.clone() }),
        call(
            20,
            2,
            "sock",
            Call::Recv { bufsize: 1024 },
            Returned::Data { data: hello.clone(), from: None, truncated: None },
        ),
        at(
            20,
            EventKind::Data(DataRecord {
                sock: 2,
                dir: Dir::Received,
                peer: Some(unnamed),
                data: hello,
                offset: 0,
            }),
        ),
    ];
    for ev in &events {
        app.on_engine(0, ev);
    }
    app
}

#[test]
fn seqpacket_server_screen() {
    let app = unix_server(Kind::SeqPacket);
    let screen = draw(&app, 100, 24);
    let text = format!("{screen:?}");
    assert!(text.contains("/tmp/chat.sock"), "the socket file is named");
    assert!(!text.contains("TCP"), "nothing here is TCP:\n{screen}");
    insta::assert_snapshot!(screen);
}
