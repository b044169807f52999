//! F8's rules, one row each (`rules_tcp.rs`, `rules_more.rs`): the
//! session so far (fed as the engine's events), the call F8 suggests (or
//! none), and what its note must say (`None`: no note at all). Here the
//! helpers the rows share, the runner, and F8 on the keyboard.

use super::sim::{SERVER, Sim};
use super::*;
use crate::net::Family;

/// A rule: what it is about, the session, the call, the note's words.
pub(super) type Rule = (&'static str, fn() -> Sim, Option<&'static str>, Option<&'static str>);

pub(super) fn tcp_server() -> Sim {
    Sim::alone(Role::TcpServer(Target::Addr(addr("127.0.0.1:0"))))
}

pub(super) fn tcp_client() -> Sim {
    Sim::alone(Role::TcpClient(Target::Addr(addr(SERVER))))
}

pub(super) fn udp_server() -> Sim {
    Sim::alone(Role::UdpServer(Target::Addr(addr("127.0.0.1:0"))))
}

pub(super) fn udp_client() -> Sim {
    Sim::alone(Role::UdpClient(Target::Addr(addr(SERVER))))
}

pub(super) fn errno(n: i32) -> CallError {
    CallError::from_errno(n)
}

/// A server with a connection accepted (sock 2).
pub(super) fn serving() -> Sim {
    let mut s = tcp_server();
    s.listening(0).accept(0, 2);
    s
}

/// The demo's client has connected; the server listens (input on `active`).
pub(super) fn demo_connected(active: usize) -> Sim {
    let mut s = Sim::demo(false, active);
    s.listening(0).socket(1, 1).connect(1, 1);
    s
}

fn rules() -> impl Iterator<Item = &'static Rule> {
    super::rules_tcp::RULES.iter().chain(super::rules_more::RULES)
}

#[test]
fn every_rule_of_f8() {
    let mut wrong = Vec::new();
    for (what, setup, call, note) in rules() {
        let next = setup().next();
        let note_ok = match note {
            None => next.note.is_none(),
            Some(text) => next.note.as_deref().is_some_and(|n| n.contains(text)),
        };
        if next.call.as_deref() != *call || !note_ok {
            wrong.push(format!("{what}: {next:?}"));
        }
    }
    assert!(wrong.is_empty(), "rules broken:\n{}", wrong.join("\n"));
}

/// Nothing F8 suggests is refused by the parser or lacks a default.
#[test]
fn every_suggested_call_parses_and_makes_a_command() {
    for (what, setup, ..) in rules() {
        let sim = setup();
        let Some(line) = sim.next().call else { continue };
        let cmd = crate::app::step::parse(line.trim_start_matches('/'));
        let server = sim.app.ends.first().and_then(|e| e.listening.clone());
        let server = server.filter(|_| sim.app.demo && !sim.app.end().role.is_server());
        let made = cmd.and_then(Result::ok).map(|c| c.command(sim.app.end(), server));
        assert!(matches!(made, Some(Ok(_))), "{what}: {line} -> {made:?}");
    }
}

#[test]
fn f8_makes_the_call_and_says_what_it_waits_for() {
    let mut sim = serving();
    let effects = sim.app.on_key(key(KeyCode::F(8)));
    let call = Call::Recv { bufsize: 1024 };
    assert_eq!(sent(&effects), vec![Command::Call { sock: 0, call }]);
    let said = texts(&sim.app, 0);
    assert!(said.last().is_some_and(|t| t.contains("recv() blocks until")), "{said:?}");
}

#[test]
fn f8_on_the_other_ends_move_calls_nothing_and_says_press_f2() {
    let mut sim = Sim::demo(false, 0);
    sim.listening(0);
    let before = texts(&sim.app, 0).len();
    assert!(sim.app.on_key(key(KeyCode::F(8))).is_empty());
    let said = texts(&sim.app, 0);
    assert_eq!(said.len(), before + 1);
    assert!(said.last().is_some_and(|t| t.contains("press F2")), "{said:?}");
    assert_eq!(sim.app.end().blocked_in(), None, "nothing was called");
}

#[test]
fn the_seeds_server_round_trip_with_f8_alone() {
    // Every F8 makes exactly the call typed; the engine's answers follow.
    let mut sim = tcp_server();
    let family = Family::Inet;
    let f8 = |sim: &mut Sim| sent(&sim.app.on_key(key(KeyCode::F(8))));
    let call = |c: Call| vec![Command::Call { sock: 0, call: c }];
    assert_eq!(f8(&mut sim), call(Call::Socket { family, kind: Kind::Stream }));
    sim.socket(0, 1);
    f8(&mut sim);
    sim.ok(0, 1, Call::SetSockOpt(crate::net::SockOpt::ReuseAddr(true)), Returned::Nothing);
    assert_eq!(f8(&mut sim), call(Call::Bind(addr("127.0.0.1:0").into())));
    sim.bind(0, 1, SERVER);
    assert_eq!(f8(&mut sim), call(Call::Listen(5)));
    sim.ok(0, 1, Call::Listen(5), Returned::Nothing).queue(0, 1, 1);
    assert_eq!(f8(&mut sim), call(Call::Accept));
    sim.accept(0, 2).recv_q(0, 2, 5);
    assert_eq!(f8(&mut sim), call(Call::Recv { bufsize: 1024 }));
    sim.recv(0, 2, b"hello", None);
    let hi =
        Command::CallWith { sock: 0, call: Call::Send { len: 2 }, data: Bytes::from_static(b"hi") };
    assert_eq!(f8(&mut sim), vec![hi]);
    sim.send(0, 2, b"hi", None).recv_q(0, 2, 0).recv(0, 2, b"", None);
    assert_eq!(f8(&mut sim), call(Call::Close));
    sim.close(0, 2);
    assert_eq!(sim.next().call.as_deref(), Some("/accept"), "the next client");
}
