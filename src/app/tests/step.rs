//! Step mode in the app: each `/call` parsed into one engine command (or a
//! clear error, nothing sent), defaults that are real addresses, a blocked
//! end that takes no new call, Ctrl-C, F7, Alt-A/H, Alt-R and Tab. (F8's
//! rules are in `suggest.rs`.)

use super::sim::{SERVER, Sim};
use super::*;
use crate::app::step::complete;
use crate::net::{Family, Holds};

fn alt(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)
}

fn step_app(role: Role) -> App {
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    app.ends[0].step = true;
    app
}

fn server() -> App {
    step_app(Role::TcpServer(Target::Addr(addr("127.0.0.1:8080"))))
}

/// Types `line`, presses Enter, returns the commands sent.
fn enter(app: &mut App, line: &str) -> Vec<Command> {
    typed(app, line);
    sent(&app.on_key(key(KeyCode::Enter)))
}

fn call_of(commands: &[Command]) -> Call {
    match commands {
        [Command::Call { sock: 0, call }] => call.clone(),
        other => panic!("not one call: {other:?}"),
    }
}

fn done(app: &mut App, sock: u32, var: &'static str, call: Call, result: Returned) {
    let rec = CallRecord { sock, var, call, result: Ok(result) };
    app.on_engine(0, &ev(EventKind::Call(rec)));
}

#[test]
fn typed_calls_become_one_command_each_with_the_ends_defaults() {
    let mut app = server();
    let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    assert_eq!(call_of(&enter(&mut app, "/socket")), socket);
    assert_eq!(call_of(&enter(&mut app, "/bind")), Call::Bind(addr("127.0.0.1:8080").into()));
    assert_eq!(call_of(&enter(&mut app, "/listen 1")), Call::Listen(1));
    assert_eq!(call_of(&enter(&mut app, "/accept")), Call::Accept);
    assert_eq!(app.end().blocked_in(), Some("accept"), "shown until its result arrives");
    assert!(app.input.is_empty(), "a call made clears the input");
    // The student's sends are Python's calls, by hand (not the driver's).
    app.on_engine(
        0,
        &ev(EventKind::Call(CallRecord {
            sock: 1,
            var: "server",
            call: Call::Accept,
            result: Err(CallError::interrupted()),
        })),
    );
    let with = |call, data: &'static [u8]| Command::CallWith {
        sock: 0,
        call,
        data: Bytes::from_static(data),
    };
    assert_eq!(enter(&mut app, "/send hi there"), vec![with(Call::Send { len: 8 }, b"hi there")]);
    assert_eq!(app.end().pending, 0, "a send by hand returns its own count");
    app.on_engine(
        0,
        &ev(EventKind::Call(CallRecord {
            sock: 2,
            var: "sock",
            call: Call::Send { len: 8 },
            result: Ok(Returned::Count(8)),
        })),
    );
    assert_eq!(enter(&mut app, "/sendall hi"), vec![with(Call::SendAll { len: 2 }, b"hi")]);
    app.on_engine(
        0,
        &ev(EventKind::Call(CallRecord {
            sock: 2,
            var: "sock",
            call: Call::SendAll { len: 2 },
            result: Ok(Returned::Nothing),
        })),
    );
    assert_eq!(call_of(&enter(&mut app, "/close")), Call::Close, "step mode: close() itself");
    assert_eq!(call_of(&enter(&mut app, "/shutdown")), Call::Shutdown(Shut::Write));

    // Errors: a message, nothing sent, the line kept for fixing.
    assert!(enter(&mut app, "/listen lots").is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("not a whole number")));
    assert_eq!(app.input.value(), "/listen lots");
    app.input.take();
    assert!(enter(&mut app, "/frob").is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("unknown command /frob")));

    // A UDP server's recv is recv (Python's, no address); a client binds
    // to a port of its own.
    let mut udp = step_app(Role::UdpServer(Target::Addr(addr("127.0.0.1:8888"))));
    assert_eq!(call_of(&enter(&mut udp, "/recv 1024")), Call::Recv { bufsize: 1024 });
    let mut client = step_app(Role::TcpClient(Target::Addr(addr("[::1]:8080"))));
    let v6 = Call::Socket { family: Family::Inet6, kind: Kind::Stream };
    assert_eq!(call_of(&enter(&mut client, "/socket")), v6);
    assert_eq!(call_of(&enter(&mut client, "/bind")), Call::Bind(addr("[::1]:0").into()));
    assert_eq!(call_of(&enter(&mut client, "/connect")), Call::Connect(addr("[::1]:8080").into()));
}

#[test]
fn a_unix_end_makes_af_unix_calls_on_its_path_and_refuses_ip_addresses() {
    use crate::net::{Addr, UnixName};
    let path = |p: &str| Addr::Unix(UnixName::Path(p.into()));
    let role = Role::UnixServer(UnixName::Path("learn.sock".into()), Kind::Stream);
    let mut app = step_app(role);
    let socket = Call::Socket { family: Family::Unix, kind: Kind::Stream };
    assert_eq!(call_of(&enter(&mut app, "/socket")), socket);
    assert_eq!(call_of(&enter(&mut app, "/bind")), Call::Bind(path("learn.sock")));
    assert_eq!(call_of(&enter(&mut app, "/bind ./other.sock")), Call::Bind(path("./other.sock")));
    for line in ["/bind 127.0.0.1:9", "/connect 127.0.0.1:9"] {
        assert!(enter(&mut app, line).is_empty(), "{line} called something");
        assert!(texts(&app, 0).last().is_some_and(|t| t.contains("Python: TypeError")), "{line}");
        app.input.take();
    }
    assert_eq!(call_of(&enter(&mut app, "/connect")), Call::Connect(path("learn.sock")));
    // An IP end refuses a path the same way.
    let mut tcp = server();
    assert!(enter(&mut tcp, "/connect ./chat.sock").is_empty());
    assert!(texts(&tcp, 0).last().is_some_and(|t| t.contains("Python: TypeError")));
    // A Unix client has no path of its own to bind by default.
    let client = Role::UnixClient(UnixName::Path("learn.sock".into()), Kind::Stream);
    let mut client = step_app(client);
    assert!(enter(&mut client, "/bind").is_empty());
    assert_eq!(call_of(&enter(&mut client, "/connect")), Call::Connect(path("learn.sock")));
}

#[test]
fn step_calls_need_step_mode_and_the_demo_client_connects_to_its_server() {
    let mut app = client();
    assert!(enter(&mut app, "/accept").is_empty());
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("F7 turns step mode on")));
    app.input.take();
    connect(&mut app, 0, 1);
    assert_eq!(enter(&mut app, "/close"), vec![Command::Close { to: To::Current }]);

    let server = Role::TcpServer(Target::Addr(addr("127.0.0.1:0")));
    let client = Role::TcpClient(Target::Addr(addr("127.0.0.1:0")));
    let mut demo = App::new(vec![server, client], true, Eol::Lf, Caps::default(), Clock::fixed(T0));
    for end in 0..2 {
        demo.started(end);
        demo.ends[end].step = true;
    }
    let local = addr("127.0.0.1:41234");
    let listening =
        EventKind::Listening { sock: 1, fd: 5, local: local.into(), kind: Kind::Stream };
    demo.on_engine(0, &ev(listening));
    demo.active = 1;
    let effects = {
        typed(&mut demo, "/connect");
        demo.on_key(key(KeyCode::Enter))
    };
    assert_eq!(
        effects,
        vec![Effect::Command {
            end: 1,
            command: Command::Call { sock: 0, call: Call::Connect(local.into()) }
        }]
    );
}

#[test]
fn ctrl_c_once_is_one_keyboard_interrupt_else_quits() {
    let mut app = server();
    enter(&mut app, "/accept");
    assert_eq!(sent(&app.on_key(ctrl('c'))), vec![Command::Interrupt]);
    assert!(app.on_key(ctrl('c')).is_empty(), "one KeyboardInterrupt is on its way already");
    assert!(!app.quit);
    let interrupted = CallRecord {
        sock: 1,
        var: "server",
        call: Call::Accept,
        result: Err(CallError::interrupted()),
    };
    let before = texts(&app, 0).len();
    app.on_engine(0, &ev(EventKind::Call(interrupted)));
    let said = texts(&app, 0);
    assert_eq!(said.len(), before + 1, "one line: {said:?}");
    assert!(said.last().is_some_and(|t| t.starts_with("KeyboardInterrupt")), "{said:?}");
    assert_eq!(app.end().blocked_in(), None);

    // A recv's KeyboardInterrupt is one line too, not also "recv failed".
    enter(&mut app, "/recv 4");
    assert_eq!(sent(&app.on_key(ctrl('c'))), vec![Command::Interrupt]);
    let interrupted = CallRecord {
        sock: 2,
        var: "sock",
        call: Call::Recv { bufsize: 4 },
        result: Err(CallError::interrupted()),
    };
    let before = texts(&app, 0).len();
    app.on_engine(0, &ev(EventKind::Call(interrupted)));
    assert_eq!(texts(&app, 0).len(), before + 1);
    // A reflex second press right after it does not end the lesson; the
    // next one quits.
    assert!(app.on_key(ctrl('c')).is_empty() && !app.quit);
    assert!(texts(&app, 0).last().is_some_and(|t| t.contains("Ctrl-C again")));
    assert_eq!(app.on_key(ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn a_blocked_end_takes_no_new_call() {
    let mut app = server();
    assert_eq!(call_of(&enter(&mut app, "/recv 1024")), Call::Recv { bufsize: 1024 });
    for line in ["/send hi", "/close", "/getsockname", "plain text"] {
        assert!(enter(&mut app, line).is_empty(), "{line} was sent while blocked");
        let said = texts(&app, 0);
        assert!(
            said.last().is_some_and(|t| t.starts_with("blocked in recv(): Ctrl-C interrupts it")),
            "{line}: {said:?}"
        );
        assert_eq!(app.input.value(), line, "kept, to make after Ctrl-C");
        app.input.take();
    }
    assert!(app.on_key(key(KeyCode::F(8))).is_empty(), "F8 too");
    assert!(app.on_key(ctrl('d')).is_empty(), "and Ctrl-D's shutdown");
    // The result ends the wait, whatever the engine named it.
    let got = Returned::Data { data: Bytes::from_static(b"x"), from: None, truncated: None };
    let rec = CallRecord {
        sock: 2,
        var: "sock",
        call: Call::RecvFrom { bufsize: 1024 },
        result: Ok(got),
    };
    app.on_engine(0, &ev(EventKind::Call(rec)));
    assert_eq!(call_of(&enter(&mut app, "/close")), Call::Close);
}

#[test]
fn the_demo_clients_defaults_are_the_servers_real_port() {
    let mut sim = Sim::demo(true, 1);
    sim.socket(1, 1);
    // Before the server is bound its port is 0: refused, nothing called.
    for line in ["/connect", "/sendto hi"] {
        assert!(enter(&mut sim.app, line).is_empty(), "{line}");
        let said = texts(&sim.app, 1);
        assert!(said.last().is_some_and(|t| t.contains("no port yet")), "{said:?}");
        sim.app.input.take();
    }
    sim.socket(0, 1).bind(0, 1, SERVER);
    let real = crate::net::Addr::from(addr(SERVER));
    let sendto = enter(&mut sim.app, "/sendto hi");
    let call = Call::SendTo { len: 2, to: real.clone() };
    assert_eq!(
        sendto,
        vec![Command::CallWith { sock: 0, call: call.clone(), data: Bytes::from_static(b"hi") }]
    );
    sim.ok(1, 1, call, Returned::Count(2));
    assert_eq!(call_of(&enter(&mut sim.app, "/connect")), Call::Connect(real));
    sim.ok(1, 1, Call::Connect(addr(SERVER).into()), Returned::Nothing);
    assert_eq!(call_of(&enter(&mut sim.app, "/recv 64")), Call::Recv { bufsize: 64 });

    // The UDP server answers its last sender by default.
    sim.app.active = 0;
    assert!(enter(&mut sim.app, "/sendto hi").is_empty(), "nobody has sent yet");
    sim.app.input.take();
    sim.recv(0, 1, b"hi", Some("127.0.0.1:50000"));
    let to = crate::net::Addr::from(addr("127.0.0.1:50000"));
    let answered = enter(&mut sim.app, "/sendto yo");
    assert_eq!(
        answered,
        vec![Command::CallWith {
            sock: 0,
            call: Call::SendTo { len: 2, to },
            data: Bytes::from_static(b"yo")
        }]
    );
}

#[test]
fn unknown_calls_in_step_mode_list_the_step_calls() {
    let mut app = server();
    assert!(enter(&mut app, "/frob").is_empty());
    let said = texts(&app, 0);
    let last = said.last().expect("a message");
    assert!(
        last.contains("unknown command /frob") && last.contains("/sendto [ADDR] TEXT"),
        "{last}"
    );
}

#[test]
fn f7_alt_a_alt_h_hold_and_alt_r_starts_over() {
    let mut app = client();
    let both = Holds { accept: true, reads: true };
    assert_eq!(
        sent(&app.on_key(key(KeyCode::F(7)))),
        vec![Command::Hold { to: To::All, holds: both }]
    );
    assert!(app.end().step);
    assert_eq!(
        sent(&app.on_key(alt('h'))),
        vec![Command::Hold { to: To::All, holds: Holds { accept: true, reads: false } }]
    );
    assert_eq!(
        sent(&app.on_key(alt('a'))),
        vec![Command::Hold { to: To::All, holds: Holds::default() }]
    );
    app.on_key(alt('a'));
    assert_eq!(
        sent(&app.on_key(key(KeyCode::F(7)))),
        vec![Command::Hold { to: To::All, holds: Holds::default() }]
    );
    assert!(!app.end().step);

    done(&mut app, 1, "client", Call::Close, Returned::Nothing);
    app.ends[0].lifecycle.select_prev();
    assert_eq!(app.on_key(alt('r')), vec![Effect::Restart { end: 0, step: true }]);
    let end = app.end();
    assert!(end.step && end.lifecycle.lines.is_empty() && end.lifecycle.selected.is_none());
    assert_eq!(end.holds, both);
}

#[test]
fn tab_completes_commands_in_the_input() {
    assert_eq!(complete("/acc"), Some(("/accept ".into(), vec!["accept".into()])));
    let (line, fits) = complete("/set").unwrap();
    assert_eq!(line, "/set");
    assert_eq!(fits, ["setsockopt", "settimeout", "setblocking"]);
    assert_eq!(complete("/he").unwrap().0, "/hex ");
    assert_eq!(complete("hello"), None);
    assert_eq!(complete("/send x"), None);
    assert_eq!(complete("/zzz"), None);

    let mut app = server();
    typed(&mut app, "/getp");
    app.on_key(key(KeyCode::Tab));
    assert_eq!((app.input.value(), app.focus), ("/getpeername ", Focus::Input));
    app.input.take();
    typed(&mut app, "/set");
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.completions.len(), 3, "shown in the input's title");
    typed(&mut app, "t");
    assert!(app.completions.is_empty(), "any other key hides them");
    app.input.take();
    app.on_key(key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::History, "nothing to complete: next pane");
}
