//! The exporter's unit tests: names, steps and scripts from hand-fed events.

use super::*;
use crate::net::{Addr, Family};

fn call(
    exporter: &mut Exporter,
    sock: SockId,
    var: &'static str,
    call: Call,
    result: Result<Returned, CallError>,
) {
    exporter.push_kind(&EventKind::Call(CallRecord { sock, var, call, result }));
}

fn sent(exporter: &mut Exporter, sock: SockId, bytes: &'static [u8]) {
    let data = Bytes::from_static(bytes);
    let record = DataRecord { sock, dir: Dir::Sent, peer: None, data, offset: 0 };
    exporter.push_kind(&EventKind::Data(record));
}

#[test]
fn ten_thousand_accepted_connections_get_numbered_names_in_order() {
    let mut ex = Exporter::new(Lang::En);
    let peer: Addr = "127.0.0.1:5000".parse::<SocketAddr>().unwrap().into();
    for sock in 2..10_002 {
        let accepted = Returned::Accepted { sock, fd: 4, peer: peer.clone() };
        call(&mut ex, 1, "server", Call::Accept, Ok(accepted));
    }
    // A later socket() of an accepted id keeps its name.
    let made = Returned::Socket { fd: 4 };
    call(&mut ex, 3, "sock", Call::Socket { family: Family::Inet, kind: Kind::Stream }, Ok(made));
    let names = |id: SockId| {
        let s = &ex.socks[&id];
        (s.var.clone(), s.caddr.clone().unwrap_or_default())
    };
    assert_eq!(names(2), ("sock".into(), "caddr".into()));
    assert_eq!(names(3), ("sock2".into(), "caddr2".into()));
    assert_eq!(names(10_001), ("sock10000".into(), "caddr10000".into()));
    let vars: HashSet<_> = ex.socks.values().map(|s| s.var.clone()).collect();
    assert_eq!((vars.len(), ex.accepted), (10_001, 10_000), "one listener, 10,000 accepted");
}

#[test]
fn a_udp_server_answers_whoever_sent_last() {
    let mut ex = Exporter::new(Lang::En);
    let (bound, local) = ("127.0.0.1:0".parse().unwrap(), "127.0.0.1:8888".parse().unwrap());
    let from: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    call(
        &mut ex,
        1,
        "server",
        Call::Socket { family: Family::Inet, kind: Kind::Dgram },
        Ok(Returned::Socket { fd: 3 }),
    );
    call(&mut ex, 1, "server", Call::Bind(bound), Ok(Returned::Nothing));
    ex.push_kind(&EventKind::Listening { sock: 1, fd: 3, local, kind: Kind::Dgram });
    let got = Returned::Data {
        data: Bytes::from_static(b"hi\n"),
        from: Some(from.into()),
        truncated: None,
    };
    call(&mut ex, 1, "server", Call::RecvFrom { bufsize: 1024 }, Ok(got));
    call(&mut ex, 1, "server", Call::SendTo { len: 3, to: from.into() }, Ok(Returned::Count(3)));
    sent(&mut ex, 1, b"hi\n");
    let script = ex.script();
    for line in [
        "PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 8888",
        "server.bind((HOST, PORT))",
        "data, addr = server.recvfrom(1024)  # recorded: b'hi\\n' from ('127.0.0.1', 5000)",
        "server.sendto(b'hi\\n', addr)\n",
        "server.close()",
    ] {
        assert!(script.contains(line), "no {line:?} in:\n{script}");
    }
}

#[test]
fn failures_and_non_blocking_switches_are_comments() {
    let mut ex = Exporter::new(Lang::En);
    let (dead, live): (Addr, Addr) =
        ("127.0.0.1:9".parse().unwrap(), "127.0.0.1:8080".parse().unwrap());
    call(
        &mut ex,
        1,
        "client",
        Call::Socket { family: Family::Inet, kind: Kind::Stream },
        Ok(Returned::Socket { fd: 3 }),
    );
    call(&mut ex, 1, "client", Call::Connect(dead), Err(CallError::from_errno(libc::ECONNREFUSED)));
    call(&mut ex, 1, "client", Call::Connect(live.clone()), Ok(Returned::Nothing));
    ex.push_kind(&EventKind::Connected {
        sock: 1,
        fd: 3,
        local: "127.0.0.1:40000".parse().unwrap(),
        peer: live,
    });
    call(&mut ex, 1, "client", Call::SetBlocking(false), Ok(Returned::Nothing));
    call(&mut ex, 1, "client", Call::Recv { bufsize: 4 }, Err(CallError::from_errno(libc::EAGAIN)));
    call(&mut ex, 1, "client", Call::SendAll { len: 2 }, Ok(Returned::Nothing));
    sent(&mut ex, 1, b"hi");
    call(&mut ex, 1, "client", Call::Close, Ok(Returned::Nothing));
    let script = ex.script();
    for line in [
        "else 8080\n",
        "# client.connect(('127.0.0.1', 9))  -> ConnectionRefusedError: [Errno 111] Connection refused  (failed: not replayed)",
        "\nclient.connect((HOST, PORT))\n",
        "# client.setblocking(False)  (left out: the replay waits for every reply)",
        "# client.recv(4)  -> BlockingIOError",
        "\nclient.sendall(b'hi')\n",
    ] {
        assert!(script.contains(line), "no {line:?} in:\n{script}");
    }
    assert_eq!(script.matches("client.close()").count(), 1, "closed once:\n{script}");
    assert!(!script.contains("def show"), "no recv replayed, no helper:\n{script}");
}

#[test]
fn a_second_connection_gets_its_own_names() {
    let mut ex = Exporter::new(Lang::En);
    call(
        &mut ex,
        1,
        "server",
        Call::Socket { family: Family::Inet6, kind: Kind::Stream },
        Ok(Returned::Socket { fd: 3 }),
    );
    call(&mut ex, 1, "server", Call::Bind("[::1]:0".parse().unwrap()), Ok(Returned::Nothing));
    call(&mut ex, 1, "server", Call::Listen(5), Ok(Returned::Nothing));
    for (sock, port) in [(2, 5001), (3, 5002)] {
        let peer = SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], port));
        call(
            &mut ex,
            1,
            "server",
            Call::Accept,
            Ok(Returned::Accepted { sock, fd: 4, peer: peer.into() }),
        );
    }
    let script = ex.script();
    for line in [
        "sock, caddr = server.accept()",
        "sock2, caddr2 = server.accept()",
        "HOST = sys.argv[1] if len(sys.argv) > 1 else '::1'",
    ] {
        assert!(script.contains(line), "no {line:?} in:\n{script}");
    }
    let closes: Vec<&str> = script.lines().filter(|l| l.ends_with(".close()")).collect();
    assert_eq!(closes, ["sock2.close()", "sock.close()", "server.close()"]);
}
