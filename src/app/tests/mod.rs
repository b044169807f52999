//! Every key and event path of the app, driven by hand-made events:
//! shared helpers here, key paths in `keys`, engine event paths in `events`.

mod events;
mod fuzz;
mod keys;
mod packets;
mod read_waiting;
mod rules_more;
mod rules_tcp;
mod sim;
mod step;
mod step_parse;
mod suggest;
mod targets;
mod watching;

use std::net::SocketAddr;

use bytes::Bytes;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::sockets::State;
use super::*;
use crate::net::{
    Call, CallError, CallRecord, CloseReason, DataRecord, Dir, EventKind, Kind, Returned, Shut,
    Target, To,
};

const T0: Micros = 1_700_000_000_000_000;

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

fn ev(kind: EventKind) -> Event {
    Event { at: T0, kind }
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        assert!(app.on_key(key(KeyCode::Char(c))).is_empty());
    }
}

fn client() -> App {
    let role = Role::TcpClient(Target::Addr(addr("127.0.0.1:8080")));
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    app
}

fn connect(app: &mut App, end: usize, sock: u32) {
    let (local, peer) = (addr("127.0.0.1:5001"), addr("127.0.0.1:8080"));
    app.on_engine(
        end,
        &ev(EventKind::Connected { sock, fd: 7, local: local.into(), peer: peer.into() }),
    );
}

fn data(sock: u32, dir: Dir, bytes: &'static [u8]) -> Event {
    let peer = Some(addr("127.0.0.1:8080").into());
    ev(EventKind::Data(DataRecord { sock, dir, peer, data: Bytes::from_static(bytes), offset: 0 }))
}

fn texts(app: &App, end: usize) -> Vec<String> {
    let h = &app.ends[end].history;
    (h.first_seq()..h.end_seq())
        .filter_map(|s| h.get(s))
        .map(|e| String::from_utf8_lossy(&e.text).into_owned())
        .collect()
}

fn sent(effects: &[Effect]) -> Vec<Command> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Command { command, .. } => Some(command.clone()),
            _ => None,
        })
        .collect()
}
