//! Step mode in the app: each `/call` parsed into one engine command (or a
//! clear error, nothing sent), F8's suggestions along the seed's lifecycle,
//! Ctrl-C, F7, Alt-A/H, Alt-R and Tab.

use super::*;
use crate::app::step::{StepCmd, complete, parse};
use crate::app::suggest;
use crate::net::{Family, Holds, SockOpt};

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
fn every_step_command_parses() {
    let a = addr("127.0.0.1:9000");
    let table = [
        ("socket", StepCmd::Socket),
        ("setsockopt reuseaddr 1", StepCmd::SetSockOpt(SockOpt::ReuseAddr(true))),
        ("setsockopt SO_REUSEADDR 0", StepCmd::SetSockOpt(SockOpt::ReuseAddr(false))),
        ("setsockopt nodelay 1", StepCmd::SetSockOpt(SockOpt::NoDelay(true))),
        ("bind", StepCmd::Bind(None)),
        ("bind 127.0.0.1:9000", StepCmd::Bind(Some(a))),
        ("bind 9000", StepCmd::Bind(Some(a))),
        ("listen 1", StepCmd::Listen(1)),
        ("listen", StepCmd::Listen(5)),
        ("accept", StepCmd::Accept),
        ("recv 4", StepCmd::Recv(4)),
        ("recv", StepCmd::Recv(1024)),
        ("recvfrom 1024", StepCmd::RecvFrom(1024)),
        ("send hello world", StepCmd::Send("hello world".into())),
        ("connect", StepCmd::Connect(None)),
        ("connect [::1]:9000", StepCmd::Connect(Some(addr("[::1]:9000")))),
        ("connect_ex 127.0.0.1:9000", StepCmd::ConnectEx(Some(a))),
        ("settimeout 2", StepCmd::SetTimeout(Some(2.0))),
        ("settimeout 0.5", StepCmd::SetTimeout(Some(0.5))),
        ("settimeout None", StepCmd::SetTimeout(None)),
        ("setblocking 0", StepCmd::SetBlocking(false)),
        ("setblocking True", StepCmd::SetBlocking(true)),
        ("getsockname", StepCmd::GetSockName),
        ("getpeername", StepCmd::GetPeerName),
        ("fileno", StepCmd::Fileno),
        ("shutdown", StepCmd::Shutdown(Shut::Write)),
        ("shutdown rdwr", StepCmd::Shutdown(Shut::Both)),
        ("close", StepCmd::Close),
    ];
    for (line, want) in table {
        assert_eq!(parse(line), Some(Ok(want)), "{line}");
    }
}

#[test]
fn malformed_step_commands_say_why() {
    let table = [
        ("listen x", "not a whole number"),
        ("listen 1 2", "too many arguments"),
        ("recv -1", "not a whole number"),
        ("settimeout", "give seconds"),
        ("settimeout -1", ">= 0"),
        ("settimeout nan", ">= 0"),
        ("setblocking 2", "not 0 or 1"),
        ("setsockopt reuseaddr", "give an option and a value"),
        ("setsockopt linger 1", "not reuseaddr"),
        ("bind example.org:80", "literal address"),
        ("bind 127.0.0.1", "missing port"),
        ("send", "give the text"),
        ("shutdown sideways", "not rd, wr or rdwr"),
        ("fileno 3", "too many arguments"),
    ];
    for (line, why) in table {
        match parse(line) {
            Some(Err(message)) => {
                assert!(
                    message.contains(why) && message.contains("nothing was called"),
                    "{line}: {message}"
                );
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    assert_eq!(parse("frob"), None, "not a step command at all");
    assert_eq!(parse("hex 41"), None);
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
    let sent = enter(&mut app, "/send hi there");
    assert_eq!(
        sent,
        vec![Command::Send { to: To::Current, data: Bytes::from_static(b"hi there") }]
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

    // A UDP server's recv is recvfrom; a client binds to a port of its own.
    let mut udp = step_app(Role::UdpServer(Target::Addr(addr("127.0.0.1:8888"))));
    assert_eq!(call_of(&enter(&mut udp, "/recv 1024")), Call::RecvFrom { bufsize: 1024 });
    let mut client = step_app(Role::TcpClient(Target::Addr(addr("[::1]:8080"))));
    let v6 = Call::Socket { family: Family::Inet6, kind: Kind::Stream };
    assert_eq!(call_of(&enter(&mut client, "/socket")), v6);
    assert_eq!(call_of(&enter(&mut client, "/bind")), Call::Bind(addr("[::1]:0").into()));
    assert_eq!(call_of(&enter(&mut client, "/connect")), Call::Connect(addr("[::1]:8080").into()));
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

/// What the engine answers after a suggested call.
type Then = Box<dyn Fn(&mut App)>;

#[test]
fn f8_follows_the_seeds_server() {
    let mut app = server();
    let peer = addr("127.0.0.1:50512");
    let steps: Vec<(&str, Then)> = vec![
        (
            "/socket",
            Box::new(|a| {
                let call = Call::Socket { family: Family::Inet, kind: Kind::Stream };
                done(a, 1, "server", call, Returned::Socket { fd: 5 });
            }),
        ),
        (
            "/setsockopt reuseaddr 1",
            Box::new(|a| {
                done(a, 1, "server", Call::SetSockOpt(SockOpt::ReuseAddr(true)), Returned::Nothing);
            }),
        ),
        (
            "/bind",
            Box::new(|a| {
                done(a, 1, "server", Call::Bind(addr("127.0.0.1:8080").into()), Returned::Nothing)
            }),
        ),
        ("/listen 5", Box::new(|a| done(a, 1, "server", Call::Listen(5), Returned::Nothing))),
        (
            "/accept",
            Box::new(move |a| {
                done(
                    a,
                    1,
                    "server",
                    Call::Accept,
                    Returned::Accepted { sock: 2, fd: 6, peer: peer.into() },
                );
            }),
        ),
        (
            "/recv 1024",
            Box::new(|a| {
                let data = Returned::Data {
                    data: Bytes::from_static(b"hello"),
                    from: None,
                    truncated: None,
                };
                done(a, 2, "sock", Call::Recv { bufsize: 1024 }, data);
            }),
        ),
        ("/send hi", Box::new(|a| done(a, 2, "sock", Call::SendAll { len: 2 }, Returned::Nothing))),
        (
            "/recv 1024",
            Box::new(|a| {
                let eof = Returned::Data { data: Bytes::new(), from: None, truncated: None };
                done(a, 2, "sock", Call::Recv { bufsize: 1024 }, eof);
            }),
        ),
        ("/close", Box::new(|a| done(a, 2, "sock", Call::Close, Returned::Nothing))),
        ("/accept", Box::new(|_| {})),
    ];
    for (want, then) in steps {
        assert_eq!(suggest::next(app.end()), want);
        // F8 makes exactly that call.
        let made = sent(&app.on_key(key(KeyCode::F(8))));
        let typed = parse(want.trim_start_matches('/')).unwrap().unwrap();
        let expected = typed.command(app.end(), None).unwrap();
        assert_eq!(made, vec![expected], "{want}");
        then(&mut app);
    }
}

#[test]
fn f8_follows_the_seeds_clients() {
    let mut app = step_app(Role::TcpClient(Target::Addr(addr("127.0.0.1:8080"))));
    assert_eq!(suggest::next(app.end()), "/socket");
    done(
        &mut app,
        1,
        "client",
        Call::Socket { family: Family::Inet, kind: Kind::Stream },
        Returned::Socket { fd: 5 },
    );
    assert_eq!(suggest::next(app.end()), "/connect");
    let refused = CallRecord {
        sock: 1,
        var: "client",
        call: Call::Connect(addr("127.0.0.1:8080").into()),
        result: Err(CallError::from_errno(libc::ECONNREFUSED)),
    };
    app.on_engine(0, &ev(EventKind::Call(refused)));
    assert_eq!(suggest::next(app.end()), "/connect", "refused: try again");
    done(&mut app, 1, "client", Call::Connect(addr("127.0.0.1:8080").into()), Returned::Nothing);
    assert_eq!(suggest::next(app.end()), "/send hello");
    done(&mut app, 1, "client", Call::SendAll { len: 5 }, Returned::Nothing);
    assert_eq!(suggest::next(app.end()), "/recv 1024");
    done(&mut app, 1, "client", Call::Close, Returned::Nothing);
    assert_eq!(suggest::next(app.end()), "/socket", "closed: start again");

    let mut udp = step_app(Role::UdpServer(Target::Addr(addr("127.0.0.1:8888"))));
    done(
        &mut udp,
        1,
        "server",
        Call::Socket { family: Family::Inet, kind: Kind::Dgram },
        Returned::Socket { fd: 5 },
    );
    assert_eq!(suggest::next(udp.end()), "/bind");
    done(&mut udp, 1, "server", Call::Bind(addr("127.0.0.1:8888").into()), Returned::Nothing);
    assert_eq!(suggest::next(udp.end()), "/recv 1024");
    let got = Returned::Data {
        data: Bytes::from_static(b"x"),
        from: Some(addr("127.0.0.1:5000").into()),
        truncated: None,
    };
    done(&mut udp, 1, "server", Call::RecvFrom { bufsize: 1024 }, got);
    assert_eq!(suggest::next(udp.end()), "/send hi");

    // A step the student skipped is not suggested afterwards.
    let mut skipped = server();
    let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    done(&mut skipped, 1, "server", socket, Returned::Socket { fd: 5 });
    done(&mut skipped, 1, "server", Call::Bind(addr("127.0.0.1:8080").into()), Returned::Nothing);
    assert_eq!(suggest::next(skipped.end()), "/listen 5");
    done(&mut skipped, 1, "server", Call::Listen(5), Returned::Nothing);
    assert_eq!(suggest::next(skipped.end()), "/accept");

    let mut f8_off = client();
    assert!(f8_off.on_key(key(KeyCode::F(8))).is_empty());
    assert!(texts(&f8_off, 0).last().is_some_and(|t| t.contains("F7")));
}

#[test]
fn ctrl_c_interrupts_a_blocked_call_else_quits() {
    let mut app = server();
    enter(&mut app, "/accept");
    assert_eq!(sent(&app.on_key(ctrl('c'))), vec![Command::Interrupt]);
    assert!(!app.quit);
    let interrupted = CallRecord {
        sock: 1,
        var: "server",
        call: Call::Accept,
        result: Err(CallError::interrupted()),
    };
    app.on_engine(0, &ev(EventKind::Call(interrupted)));
    assert_eq!(app.end().blocked_in(), None);
    assert_eq!(app.on_key(ctrl('c')), vec![Effect::Quit]);
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
    assert_eq!(complete("/acc", ""), Some(("/accept ".into(), vec!["accept".into()])));
    let (line, fits) = complete("/set", "/close, /shutdown").unwrap();
    assert_eq!(line, "/set");
    assert_eq!(fits, ["setsockopt", "settimeout", "setblocking"]);
    assert_eq!(complete("/he", "/close, /hex, /esc").unwrap().0, "/hex ");
    assert_eq!(complete("hello", ""), None);
    assert_eq!(complete("/send x", ""), None);
    assert_eq!(complete("/zzz", ""), None);

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
