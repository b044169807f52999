//! F8's rules for the tutorial's TCP server and client, each alone.

use super::sim::SERVER;
use super::suggest::{Rule, errno, serving, tcp_client, tcp_server};
use super::*;
use crate::net::TcpState;

pub(super) const RULES: &[Rule] = &[
    // The tutorial's TCP server, alone.
    ("server: nothing yet", tcp_server, Some("/socket"), None),
    (
        "server: made",
        || {
            let mut s = tcp_server();
            s.socket(0, 1);
            s
        },
        Some("/setsockopt reuseaddr 1"),
        None,
    ),
    (
        "server: a skipped step stays skipped",
        || {
            let mut s = tcp_server();
            s.socket(0, 1).bind(0, 1, SERVER);
            s
        },
        Some("/listen 5"),
        None,
    ),
    (
        "server: accept would block",
        || {
            let mut s = tcp_server();
            s.listening(0);
            s
        },
        Some("/accept"),
        Some("accept() blocks until a client connects"),
    ),
    (
        "server: a client waits in the accept queue",
        || {
            let mut s = tcp_server();
            s.listening(0).queue(0, 1, 1);
            s
        },
        Some("/accept"),
        None,
    ),
    (
        "server: the kernel lists an established connection for it",
        || {
            let mut s = tcp_server();
            s.listening(0).kernel_queued(0, 1, TcpState::Established);
            s
        },
        Some("/accept"),
        None,
    ),
    (
        "server: a handshake in the SYN queue is not in the accept queue",
        || {
            let mut s = tcp_server();
            s.listening(0).kernel_queued(0, 1, TcpState::SynRecv);
            s
        },
        Some("/accept"),
        Some("blocks until a client connects"),
    ),
    (
        "server: accept interrupted, still nobody",
        || {
            let mut s = tcp_server();
            s.listening(0).err(0, 1, Call::Accept, CallError::interrupted());
            s
        },
        None,
        Some("ended with KeyboardInterrupt"),
    ),
    (
        "server: accept interrupted, then a client came",
        || {
            let mut s = tcp_server();
            s.listening(0).err(0, 1, Call::Accept, CallError::interrupted()).queue(0, 1, 1);
            s
        },
        Some("/accept"),
        None,
    ),
    (
        "server: accepted, nothing received yet",
        serving,
        Some("/recv 1024"),
        Some("recv() blocks until the peer sends"),
    ),
    (
        "server: bytes wait in the receive queue",
        || {
            let mut s = serving();
            s.recv_q(0, 2, 5);
            s
        },
        Some("/recv 1024"),
        None,
    ),
    (
        "server: received, answers",
        || {
            let mut s = serving();
            s.recv(0, 2, b"hello", None);
            s
        },
        Some("/send hi"),
        None,
    ),
    (
        "server: answered, listens again",
        || {
            let mut s = serving();
            s.recv(0, 2, b"hello", None).send(0, 2, b"hi", None).recv_q(0, 2, 1);
            s
        },
        Some("/recv 1024"),
        None,
    ),
    (
        "server: b'' closes",
        || {
            let mut s = serving();
            s.recv(0, 2, b"", None);
            s
        },
        Some("/close"),
        None,
    ),
    (
        "server: a reset connection is closed, not read again",
        || {
            let mut s = serving();
            s.err(0, 2, Call::Recv { bufsize: 1024 }, errno(libc::ECONNRESET));
            s
        },
        Some("/close"),
        Some("ECONNRESET"),
    ),
    (
        "server: a timed out recv is not repeated while nothing came",
        || {
            let mut s = serving();
            s.err(0, 2, Call::Recv { bufsize: 1024 }, CallError::timeout());
            s
        },
        None,
        Some("ended with TimeoutError"),
    ),
    (
        "server: the connection closed, accept the next client",
        || {
            let mut s = serving();
            s.recv(0, 2, b"", None).close(0, 2).queue(0, 1, 1);
            s
        },
        Some("/accept"),
        None,
    ),
    (
        "server: the listener closed, the lesson is done",
        || {
            let mut s = serving();
            s.close(0, 2).close(0, 1);
            s
        },
        Some("/socket"),
        Some("the lesson is done"),
    ),
    (
        "server: bind failed, close rather than bind again",
        || {
            let mut s = tcp_server();
            s.socket(0, 1).ok(
                0,
                1,
                Call::SetSockOpt(crate::net::SockOpt::ReuseAddr(true)),
                Returned::Nothing,
            );
            s.err(0, 1, Call::Bind(addr(SERVER).into()), errno(libc::EADDRINUSE));
            s
        },
        Some("/close"),
        Some("EADDRINUSE"),
    ),
    (
        "server: bind failed without SO_REUSEADDR, which may be the fix",
        || {
            let mut s = tcp_server();
            s.socket(0, 1).err(0, 1, Call::Bind(addr(SERVER).into()), errno(libc::EADDRINUSE));
            s
        },
        Some("/setsockopt reuseaddr 1"),
        None,
    ),
    // The tutorial's TCP client, alone.
    (
        "client: connect_ex's errno is a refusal too",
        || {
            let mut s = tcp_client();
            s.socket(0, 1);
            let refused = Returned::Int(i64::from(libc::ECONNREFUSED));
            s.ok(0, 1, Call::ConnectEx(addr(SERVER).into()), refused);
            s
        },
        None,
        Some("start the server"),
    ),
    (
        "client: made",
        || {
            let mut s = tcp_client();
            s.socket(0, 1);
            s
        },
        Some("/connect"),
        None,
    ),
    (
        "client: refused, start the server first",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).err(0, 1, Call::Connect(addr(SERVER).into()), errno(libc::ECONNREFUSED));
            s
        },
        None,
        Some("start the server"),
    ),
    (
        "client: connected, says hello",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1);
            s
        },
        Some("/send hello"),
        None,
    ),
    (
        "client: sent, waits for the answer",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1).send(0, 1, b"hello", None);
            s
        },
        Some("/recv 1024"),
        Some("blocks until the peer sends"),
    ),
    (
        "client: answered, hangs up (the tutorial's client asks once)",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1).send(0, 1, b"hello", None).recv(0, 1, b"hi", None);
            s
        },
        Some("/close"),
        None,
    ),
    (
        "client: a broken pipe is closed",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1).err(0, 1, Call::Send { len: 5 }, errno(libc::EPIPE));
            s
        },
        Some("/close"),
        Some("EPIPE"),
    ),
    (
        "client: b'' closes",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1).send(0, 1, b"x", None).recv(0, 1, b"", None);
            s
        },
        Some("/close"),
        None,
    ),
    (
        "client: closed, the lesson is done",
        || {
            let mut s = tcp_client();
            s.socket(0, 1).connect(0, 1).close(0, 1);
            s
        },
        Some("/socket"),
        Some("the lesson is done"),
    ),
];
