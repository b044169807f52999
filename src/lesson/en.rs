//! The English wording of the explanations. Error causes and hints reuse
//! `net::errors`' sentences (the ones in every error message) wherever the
//! lesson has nothing more specific to say, so the two never drift apart.

use crate::net::Addr;
use crate::python::Python as _;
use std::fmt::Write as _;

use super::explain::Fact;
use crate::net::{Call, CallError, Family, Kind, Shut, SockOpt};
use crate::python::addr;

/// What the call does, in general (with its arguments).
#[expect(clippy::too_many_lines, reason = "a phrase table: one arm per call, read as one")]
pub(super) fn what(call: &Call) -> String {
    match call {
        Call::Tls(call) => super::tls::what_en(call),
        Call::Socket { family, kind } => {
            let family_means = match family {
                Family::Inet => "IPv4",
                Family::Inet6 => "IPv6",
                Family::Unix => "a Unix socket: both ends on this machine, named by a file path",
            };
            let kind_means = match (family, kind) {
                (Family::Unix, Kind::Stream) => "a reliable stream of bytes over a connection",
                (Family::Unix, Kind::Dgram) => "separate datagrams, each to a named socket",
                (_, Kind::Stream) => "TCP, a reliable stream of bytes over a connection",
                (_, Kind::Dgram) => "UDP, separate datagrams with no connection",
                (_, Kind::SeqPacket) => {
                    "a connection that keeps each message whole, in order and reliably"
                }
            };
            format!(
                "Creates a socket object, one end of a network conversation. {} means \
                 {family_means}; {} means {kind_means}.",
                family.python(),
                kind.python()
            )
        }
        Call::SetSockOpt(opt) => match opt {
            SockOpt::ReuseAddr(_) => {
                "Sets SO_REUSEADDR, so a server can bind its port again at once, even while \
                 old connections on it are still in TIME_WAIT."
            }
            SockOpt::NoDelay(_) => {
                "Sets TCP_NODELAY: small sends go out at once instead of being held back to be \
                 combined (Nagle's algorithm)."
            }
            SockOpt::V6Only(_) => {
                "Sets IPV6_V6ONLY: with it an IPv6 socket serves IPv6 only; without it, [::] \
                 also takes IPv4."
            }
            SockOpt::LingerZero => {
                "Sets SO_LINGER with a zero timeout: close() then aborts the connection with a \
                 reset (RST) instead of the usual FIN."
            }
        }
        .into(),
        Call::Bind(a) => format!(
            "Binds the socket to the address {}: the IP and port it will use. A server binds so \
             that clients know where to find it; port 0 lets the kernel pick a free one.",
            addr(a)
        ),
        Call::Listen(n) => format!(
            "Starts listening for incoming connections. The backlog ({n}) is how many \
             connections the kernel keeps waiting, handshake done, until accept() takes them \
             (Linux holds backlog + 1)."
        ),
        Call::Accept => "Accepts a connection and returns (conn, address): conn is a new socket \
                         for talking with this one client, address is the client's (ip, port). \
                         Blocks while no connection waits in the accept queue."
            .into(),
        Call::SetTimeout(None) => {
            "Removes the timeout: blocking calls wait as long as it takes.".into()
        }
        Call::SetTimeout(Some(t)) if *t <= 0.0 => "A timeout of 0 makes the socket \
                                                   non-blocking, like setblocking(False): calls \
                                                   that would wait raise BlockingIOError."
            .into(),
        Call::SetTimeout(Some(t)) => format!(
            "Sets a timeout of {t} s for the socket's blocking calls (connect, accept, recv, \
             send): one that waits longer raises TimeoutError."
        ),
        Call::SetBlocking(true) => "Makes the socket blocking (the default): accept, recv and \
                                    connect wait until they can complete."
            .into(),
        Call::SetBlocking(false) => "Makes the socket non-blocking: accept and recv with \
                                     nothing there raise BlockingIOError at once instead of \
                                     waiting."
            .into(),
        Call::Connect(a) => format!(
            "Connects to the socket at {}. For TCP the kernel does the three-way handshake \
             (SYN, SYN-ACK, ACK); for UDP it only fixes the peer, and no packet is sent.",
            addr(a)
        ),
        Call::ConnectEx(a) => format!(
            "Like connect({}), but returns an error number instead of raising: 0 when connected.",
            addr(a)
        ),
        Call::GetSockName => "Returns the socket's own address (ip, port): the port the kernel \
                              picked after bind to port 0 or after connect."
            .into(),
        Call::GetPeerName => {
            "Returns the address (ip, port) of the peer this socket is connected to.".into()
        }
        Call::Fileno => "Returns the socket's file descriptor: the small number the kernel knows \
                         it by (in Unix everything is a file)."
            .into(),
        Call::Send { len } => format!(
            "Sends data ({len} B) on a connected socket and returns how many bytes the kernel \
             took, which may be fewer than given."
        ),
        Call::SendAll { len } => format!(
            "Sends all of the data ({len} B), calling send() as often as needed; returns None \
             once everything is handed to the kernel, and raises if that fails."
        ),
        Call::SendTo { len, to } => format!(
            "Sends one datagram ({len} B) to {} without a connection (mostly UDP); returns the \
             bytes sent.",
            addr(to)
        ),
        Call::Recv { bufsize } => format!(
            "Receives data from the socket, as bytes: at most {bufsize} (bufsize). Blocks until \
             something arrives; b'' means the peer has closed."
        ),
        Call::RecvFrom { bufsize } => format!(
            "Like recv({bufsize}), but returns (data, address): the data and the address of the \
             socket that sent it. Each call takes one datagram."
        ),
        Call::Shutdown(how) => match how {
            Shut::Write => {
                "Shuts down the sending side: TCP sends FIN and the peer's recv() returns b''. \
                 This end can still receive."
            }
            Shut::Read => {
                "Shuts down the receiving side: recv() on this socket returns b'' from now on."
            }
            Shut::Both => "Shuts down both directions at once, without closing the socket.",
        }
        .into(),
        Call::Close => "Closes the socket and frees its file descriptor. For a TCP connection the \
                        kernel sends FIN (RST if unread data remains) and finishes the goodbye on \
                        its own."
            .into(),
    }
}

/// What a successful call returned, and a hint when one helps.
#[expect(clippy::too_many_lines, reason = "a phrase table: one arm per fact, read as one")]
pub(super) fn returned(fact: &Fact) -> (String, Option<String>) {
    let text = match fact {
        Fact::NewSocket { fd } => {
            format!("A new socket object, file descriptor {fd}; not bound or connected yet.")
        }
        Fact::Done => "None: the setting is in place.".into(),
        Fact::Bound(a) => format!("None: the socket now owns {}.", addr(a)),
        Fact::Listening(n) => format!(
            "None: the socket listens. The kernel now completes handshakes by itself and queues \
             up to {n} connections for accept()."
        ),
        Fact::Connected(a) => format!(
            "None: connected to {}; the handshake completed and data can flow both ways.",
            addr(a)
        ),
        Fact::Accepted { fd, peer } => format!(
            "A new socket (fd {fd}) for the client at {}. The listening socket keeps listening \
             for others.",
            addr(peer)
        ),
        Fact::SentAll(len) => format!(
            "None: all {len} bytes were handed to the kernel, which sends them on. It does not \
             mean the peer has read them yet."
        ),
        Fact::Sent { n, len } if n == len => format!("{n}: the kernel took all {n} bytes."),
        Fact::Sent { n, len } => {
            return (
                format!("{n}: only {n} of {len} bytes were taken; the send buffer was full."),
                Some("Send the rest again, or use sendall(), which loops for you.".into()),
            );
        }
        Fact::SentDatagram { n, to } => format!(
            "{n}: one datagram of {n} bytes went to {}. UDP never says whether anyone received it.",
            addr(to)
        ),
        Fact::Fileno(fd) => format!("{fd}: the file descriptor."),
        Fact::ConnectExOk => "0: connected.".into(),
        Fact::ConnectExErr(err) if err.is(libc::EINPROGRESS) => {
            return (
                format!(
                    "{}: EINPROGRESS, the non-blocking connect has started and the handshake \
                     goes on in the background.",
                    libc::EINPROGRESS
                ),
                Some(
                    "Wait until the socket is writable, then call connect_ex again: 0 or \
                     EISCONN means connected."
                        .into(),
                ),
            );
        }
        Fact::ConnectExErr(err) => {
            let (cause, hint) =
                failed(&Call::ConnectEx(std::net::SocketAddr::from(([0, 0, 0, 0], 0)).into()), err);
            let errno = err.errno.unwrap_or(0);
            let text = format!(
                "{errno}: {} ({}), returned instead of raised: {cause}.",
                err.name, err.text
            );
            return (text, Some(hint));
        }
        Fact::OwnAddr(a) => format!("{}: this socket's own address.", addr(a)),
        Fact::PeerAddr(a) => format!("{}: the address of the peer.", addr(a)),
        Fact::Received { n: 0, from, .. } => {
            format!("An empty datagram{}.", from_text(from.clone()))
        }
        Fact::Received { n, bufsize, from, split } => {
            let mut text = if n == bufsize {
                format!(
                    "{n} bytes{}, as many as bufsize allows: more may be waiting for the next \
                     recv().",
                    from_text(from.clone())
                )
            } else if from.is_some() {
                format!("{n} bytes: one whole datagram{}.", from_text(from.clone()))
            } else {
                format!(
                    "{n} bytes: what had arrived (at most {bufsize}). TCP is a stream: one send \
                     of the peer may arrive in several recv() calls, or several in one."
                )
            };
            if *split > 0 {
                let _ = write!(
                    text,
                    " The last {split} byte(s) begin a UTF-8 character whose rest has not \
                     arrived yet: decode only whole characters."
                );
            }
            text
        }
        Fact::Eof => "b'': the peer has closed its side (EOF: its FIN arrived) and nothing more \
                      will come. (On a UDP socket b'' is an empty datagram instead.)"
            .into(),
        Fact::Truncated { kept, full, bufsize, from } => {
            let text = format!(
                "{kept} bytes of a {full}-byte datagram{}: the buffer held only {bufsize}, so \
                 the kernel dropped the other {} bytes (MSG_TRUNC). UDP never spreads one \
                 datagram over several recv() calls.",
                from_text(from.clone()),
                full - kept
            );
            let hint = format!("Use a bufsize of at least {full} (UDP allows up to 65507).");
            return (text, Some(hint));
        }
        Fact::Shut(Shut::Write) => {
            "None: FIN is on its way; the peer reads b'' after the data already sent.".into()
        }
        Fact::Shut(_) => "None: that direction is shut.".into(),
        Fact::Closed => "None: the socket is closed and its fd may go to the next socket; any \
                         further call on it raises OSError (EBADF)."
            .into(),
        Fact::Other(text) => format!("{text}."),
    };
    (text, None)
}

fn from_text(from: Option<Addr>) -> String {
    from.map_or_else(String::new, |a| format!(" from {}", addr(&a)))
}

/// Why `err` usually happens on `call`, and what to try (a whole sentence).
#[expect(
    clippy::too_many_lines,
    reason = "a phrase table: one arm per call and errno, read as one"
)]
pub(super) fn failed(call: &Call, err: &CallError) -> (String, String) {
    if let (Call::Tls(_), Some(because)) = (call, &err.because) {
        // TLS failures carry their own sentence and hint, the message's.
        return (because.0.clone(), format!("Try {}.", because.1));
    }
    let name = call.name();
    let (cause, hint): (String, &str) = match (name, err.name.as_str()) {
        ("connect" | "connect_ex", "ECONNREFUSED") => (
            "nothing listens there: the host answered the SYN with a reset (RST)".into(),
            "starting the server first, or check the port",
        ),
        (_, "ECONNREFUSED") => (
            "an earlier datagram reached a port where nothing listens (ICMP port unreachable), \
             and the kernel reports it on this call"
                .into(),
            "starting the server first, or check the port",
        ),
        ("bind", "EADDRINUSE") => (
            "another socket already holds this address; a server that just stopped may leave \
             connections in TIME_WAIT on it"
                .into(),
            "another port or 0, or setsockopt(SO_REUSEADDR, 1) before bind",
        ),
        ("recv" | "recvfrom", "TimeoutError") => (
            "nothing arrived before the settimeout deadline".into(),
            "a longer settimeout, or check that the peer is sending",
        ),
        ("accept", "TimeoutError") => (
            "no client connected before the settimeout deadline".into(),
            "a longer settimeout, or start the client",
        ),
        (_, "TimeoutError") => (
            "no answer came before the deadline (settimeout, or --timeout)".into(),
            "a longer timeout, or check that the address is right",
        ),
        ("connect", "EINPROGRESS") => (
            "the socket is non-blocking, so connect() started the handshake and returned at once"
                .into(),
            "waiting until the socket is writable, or connect_ex() to read the outcome",
        ),
        ("accept", "EAGAIN") => (
            "the socket is non-blocking and no connection waits in the accept queue".into(),
            "again once a client has connected, or setblocking(True) to wait",
        ),
        ("recv" | "recvfrom", "EAGAIN") => (
            "the socket is non-blocking and nothing has arrived yet".into(),
            "again once data has arrived, or setblocking(True) to wait",
        ),
        (_, "EAGAIN") => (
            "the socket is non-blocking and the call would have to wait".into(),
            "again when the socket is ready, or setblocking(True)",
        ),
        (_, "EALREADY") => {
            ("a non-blocking connect is still in progress".into(), "waiting until it completes")
        }
        (_, "EISCONN") => (
            "the socket is already connected".into(),
            "send and recv on it, or a new socket for another connection",
        ),
        (_, "ENOTCONN") => (
            format!("{name}() needs a connected socket, and this one is not connected"),
            "connect() first, or on a server the socket accept() returned",
        ),
        ("accept", "EINVAL") => ("accept() needs a listening socket".into(), "listen() first"),
        ("listen", "EINVAL") => (
            "this socket cannot listen: it is connected, or not a TCP socket".into(),
            "a new socket: socket, bind, listen",
        ),
        ("bind", "EINVAL") => (
            "the socket is already bound (or connected)".into(),
            "a new socket for another address",
        ),
        (_, "EINVAL") => (
            "the argument does not fit the socket's state".into(),
            "checking the arguments and the order of the calls",
        ),
        (_, "EBADF") => (
            "the socket is closed: its file descriptor is no longer valid".into(),
            "a new socket; a closed socket cannot be used again",
        ),
        (_, "EPIPE") => (
            "the connection is closed for sending: the peer has gone, or this end called \
             shutdown(SHUT_WR)"
                .into(),
            "reconnecting",
        ),
        (_, "ECONNRESET") => (
            "the peer reset the connection (RST): it closed with unread data, crashed, or \
             aborted"
                .into(),
            "reconnecting, and check why the peer closed",
        ),
        (_, "ECONNABORTED") => {
            ("the connection was aborted before accept() took it".into(), "accept() again")
        }
        (_, "EAI_NONAME") => {
            ("no host has that name".into(), "an IP address, or check the spelling")
        }
        (_, "EAI_AGAIN") => (
            "the name server did not answer (a temporary failure)".into(),
            "again, or an IP address",
        ),
        (_, "KeyboardInterrupt") => (
            "Ctrl-C interrupted the blocking call".into(),
            "settimeout() so the call gives up by itself, or setblocking(False)",
        ),
        _ => {
            let (cause, hint) = crate::net::errors::explain(name, err);
            (cause.into(), hint)
        }
    };
    (cause, format!("Try {hint}."))
}
