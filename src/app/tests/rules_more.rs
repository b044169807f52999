//! F8's rules in the demo (whose move it is) and for UDP.

use super::sim::{CLIENT, SERVER, Sim};
use super::suggest::{Rule, demo_connected, errno, udp_client, udp_server};
use super::*;

pub(super) const RULES: &[Rule] = &[
    // The demo: when the move is the other end's, F8 says so.
    (
        "demo client: the server is not listening",
        || {
            let mut s = Sim::demo(false, 1);
            s.socket(1, 1);
            s
        },
        None,
        Some("the server is not listening yet: press F2"),
    ),
    (
        "demo client: refused, but the server listens now",
        || {
            let mut s = Sim::demo(false, 1);
            s.socket(1, 1).err(1, 1, Call::Connect(addr(SERVER).into()), errno(libc::ECONNREFUSED));
            s.listening(0);
            s
        },
        Some("/connect"),
        Some("listens now"),
    ),
    (
        "demo client: refused, and the server still does not listen",
        || {
            let mut s = Sim::demo(false, 1);
            s.socket(1, 1).err(1, 1, Call::Connect(addr(SERVER).into()), errno(libc::ECONNREFUSED));
            s
        },
        None,
        Some("press F2"),
    ),
    (
        "demo client: the server has not accepted",
        || {
            let mut s = demo_connected(1);
            s.send(1, 1, b"hello", None);
            s
        },
        None,
        Some("the server has not called accept() yet: press F2"),
    ),
    (
        "demo client: the server accepted and has not sent",
        || {
            let mut s = demo_connected(1);
            s.send(1, 1, b"hello", None).accept(0, 2).recv(0, 2, b"hello", None);
            s
        },
        None,
        Some("nothing to recv yet: the server has not sent; press F2"),
    ),
    (
        "demo client: the server sent",
        || {
            let mut s = demo_connected(1);
            s.send(1, 1, b"hello", None)
                .accept(0, 2)
                .recv(0, 2, b"hello", None)
                .send(0, 2, b"hi", None);
            s
        },
        Some("/recv 1024"),
        None,
    ),
    (
        "demo server: no client yet",
        || {
            let mut s = Sim::demo(false, 0);
            s.listening(0);
            s
        },
        None,
        Some("no client waits in the accept queue: press F2"),
    ),
    ("demo server: the client connected", || demo_connected(0), Some("/accept"), None),
    (
        "demo server: accepted, the client has not sent",
        || {
            let mut s = demo_connected(0);
            s.accept(0, 2);
            s
        },
        None,
        Some("nothing to recv yet: the client has not sent; press F2"),
    ),
    (
        "demo server: the client closed, recv gives b''",
        || {
            let mut s = demo_connected(0);
            s.accept(0, 2).close(1, 1);
            s
        },
        Some("/recv 1024"),
        None,
    ),
    // UDP, alone.
    (
        "udp server: made",
        || {
            let mut s = udp_server();
            s.socket(0, 1);
            s
        },
        Some("/bind"),
        None,
    ),
    (
        "udp server: bound, waits for a datagram",
        || {
            let mut s = udp_server();
            s.socket(0, 1).bind(0, 1, SERVER);
            s
        },
        Some("/recvfrom 1024"),
        Some("blocks until the peer sends"),
    ),
    (
        "udp server: answers the sender",
        || {
            let mut s = udp_server();
            s.socket(0, 1).bind(0, 1, SERVER).recv(0, 1, b"hello", Some(CLIENT));
            s
        },
        Some("/sendto 127.0.0.1:50000 hi"),
        None,
    ),
    (
        "udp client: made, sends first",
        || {
            let mut s = udp_client();
            s.socket(0, 1);
            s
        },
        Some("/sendto hello"),
        None,
    ),
    (
        "udp client: sent, waits",
        || {
            let mut s = udp_client();
            s.socket(0, 1).send(0, 1, b"hello", Some(SERVER));
            s
        },
        Some("/recvfrom 1024"),
        Some("blocks until the peer sends"),
    ),
    (
        "udp client: answered, closes",
        || {
            let mut s = udp_client();
            s.socket(0, 1).send(0, 1, b"hello", Some(SERVER)).recv(0, 1, b"hi", Some(SERVER));
            s
        },
        Some("/close"),
        None,
    ),
    (
        "udp client: connected, send and recv",
        || {
            let mut s = udp_client();
            s.socket(0, 1).ok(0, 1, Call::Connect(addr(SERVER).into()), Returned::Nothing);
            s
        },
        Some("/send hello"),
        None,
    ),
    (
        "udp client: closed, the lesson is done",
        || {
            let mut s = udp_client();
            s.socket(0, 1).close(0, 1);
            s
        },
        Some("/socket"),
        Some("the lesson is done"),
    ),
    // UDP in the demo.
    (
        "demo udp client: the server has not bound",
        || {
            let mut s = Sim::demo(true, 1);
            s.socket(1, 1);
            s
        },
        None,
        Some("the server has not bound yet"),
    ),
    (
        "demo udp client: the server is bound",
        || {
            let mut s = Sim::demo(true, 1);
            s.socket(0, 1).bind(0, 1, SERVER).socket(1, 1);
            s
        },
        Some("/sendto hello"),
        None,
    ),
    (
        "demo udp client: the server has not answered",
        || {
            let mut s = Sim::demo(true, 1);
            s.socket(0, 1).bind(0, 1, SERVER).socket(1, 1).send(1, 1, b"hello", Some(SERVER));
            s
        },
        None,
        Some("nothing to recvfrom yet: the server has not sent; press F2"),
    ),
    (
        "demo udp server: the client has not sent",
        || {
            let mut s = Sim::demo(true, 0);
            s.socket(0, 1).bind(0, 1, SERVER);
            s
        },
        None,
        Some("nothing to recvfrom yet: the client has not sent; press F2"),
    ),
    (
        "demo udp server: the client sent",
        || {
            let mut s = Sim::demo(true, 0);
            s.socket(0, 1).bind(0, 1, SERVER).socket(1, 1).send(1, 1, b"hello", Some(SERVER));
            s
        },
        Some("/recvfrom 1024"),
        None,
    ),
];
