//! The calls that bring a socket to life — `socket`, `setsockopt`, `bind`,
//! `listen`, `settimeout`, `connect` — each made through socket2 and
//! reported as an event with its result, in the order Python would make them.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener};

use super::conn::{Conn, Listener};
use super::ctx::Ctx;
use super::dgram::Dgram;
use super::event::{Call, EventKind, Family, Kind, Returned, SockId, SockOpt};
use super::sockaddr::{Addr, UnixName};
use super::unix;
use super::{CallError, SessionConfig};

/// A setup failure, already worded in DESIGN.md's grammar.
pub(crate) type Failure = String;

/// Makes one call, reports it, and words a failure for the user.
pub(crate) async fn step<T>(
    ctx: &Ctx,
    sock: SockId,
    var: &'static str,
    call: Call,
    target: &str,
    result: std::io::Result<T>,
    returned: impl FnOnce(&T) -> Returned,
) -> Result<T, Failure> {
    match result {
        Ok(value) => {
            ctx.call(sock, var, call, Ok(returned(&value))).await;
            Ok(value)
        }
        Err(err) => {
            let failed = CallError::from_io(&err);
            let message = failed.message(call.name(), target);
            ctx.call(sock, var, call, Err(failed)).await;
            Err(message)
        }
    }
}

/// `socket(family, kind)`, non-blocking underneath as tokio needs (and as
/// Python is once a timeout is set).
pub(crate) async fn new_socket(
    ctx: &Ctx,
    var: &'static str,
    addr: &Addr,
    kind: Kind,
) -> Result<(SockId, Socket), Failure> {
    let id = ctx.new_id();
    let ty = match kind {
        Kind::Stream => Type::STREAM,
        Kind::Dgram => Type::DGRAM,
        Kind::SeqPacket => Type::SEQPACKET,
    };
    let (domain, proto) = match (addr, kind) {
        (Addr::Unix(_), _) => (Domain::UNIX, None),
        (Addr::Inet(ip), Kind::Dgram) => (Domain::for_address(*ip), Some(Protocol::UDP)),
        (Addr::Inet(ip), _) => (Domain::for_address(*ip), Some(Protocol::TCP)),
    };
    let call = Call::Socket { family: Family::of(addr), kind };
    let made = Socket::new(domain, ty, proto).and_then(|s| s.set_nonblocking(true).map(|()| s));
    let fd = |s: &Socket| Returned::Socket { fd: s.as_raw_fd() };
    let socket = step(ctx, id, var, call, "", made, fd).await?;
    Ok((id, socket))
}

/// `IPV6_V6ONLY` on an IPv6 socket when asked: on, one family only; off,
/// a dual-stack socket that also serves IPv4 (as `::ffff:a.b.c.d`).
async fn v6_only(
    ctx: &Ctx,
    id: SockId,
    s: &Socket,
    addr: &Addr,
    wanted: Option<bool>,
) -> Result<(), Failure> {
    let Some(on) = wanted.filter(|_| addr.is_ipv6()) else { return Ok(()) };
    let call = Call::SetSockOpt(SockOpt::V6Only(on));
    step(ctx, id, "server", call, "IPV6_V6ONLY", s.set_only_v6(on), |()| Returned::Nothing).await
}

/// `bind(addr)`; a Unix server's socket file left by a dead server is
/// diagnosed (and, when `unlink` allows, removed and bound again).
async fn bind(
    ctx: &Ctx,
    id: SockId,
    var: &'static str,
    s: &Socket,
    addr: &Addr,
    unlink: bool,
) -> Result<(), Failure> {
    let target = addr.to_string();
    let call = Call::Bind(addr.clone());
    let bound = addr.sockaddr().and_then(|a| s.bind(&a));
    if let (Addr::Unix(UnixName::Path(path)), Err(err)) = (addr, &bound) {
        if err.raw_os_error() == Some(libc::EADDRINUSE) {
            let failed = CallError::from_io(err);
            if let Err((sentence, hint)) = unix::clear_stale(path, unlink) {
                let failed = failed.because(sentence, hint);
                let message = failed.message("bind", &target);
                ctx.call(id, var, call, Err(failed)).await;
                return Err(message);
            }
            // Removed: the timeline shows the failed bind, then the retry.
            ctx.call(id, var, call.clone(), Err(failed)).await;
            let again = addr.sockaddr().and_then(|a| s.bind(&a));
            return step(ctx, id, var, call, &target, again, |()| Returned::Nothing).await;
        }
    }
    step(ctx, id, var, call, &target, bound, |()| Returned::Nothing).await
}

/// The address the kernel actually gave (port 0 becomes a real port).
fn local_of(s: &Socket, fallback: &Addr) -> Addr {
    s.local_addr().ok().and_then(|a| Addr::from_sockaddr(&a)).unwrap_or_else(|| fallback.clone())
}

/// Server of connections: socket, `SO_REUSEADDR` (IP), bind, listen.
pub(crate) async fn listener(
    ctx: &Ctx,
    config: &SessionConfig,
    addr: &Addr,
    unlink: bool,
) -> Result<(SockId, Listener), Failure> {
    let kind = config.role.kind();
    let (id, s) = new_socket(ctx, "server", addr, kind).await?;
    if let Addr::Inet(_) = addr {
        let opt = Call::SetSockOpt(SockOpt::ReuseAddr(true));
        let set = s.set_reuse_address(true);
        step(ctx, id, "server", opt, "SO_REUSEADDR", set, |()| Returned::Nothing).await?;
        v6_only(ctx, id, &s, addr, config.v6_only).await?;
    }
    bind(ctx, id, "server", &s, addr, unlink).await?;
    let backlog = config.backlog;
    let listen = s.listen(i32::try_from(backlog).unwrap_or(i32::MAX));
    step(ctx, id, "server", Call::Listen(backlog), &addr.to_string(), listen, |()| {
        Returned::Nothing
    })
    .await?;
    let local = local_of(&s, addr);
    let fd = s.as_raw_fd();
    let listener = match addr {
        Addr::Inet(_) => TcpListener::from_std(s.into()).map(Listener::Tcp),
        Addr::Unix(_) => UnixListener::from_std(s.into()).map(Listener::Unix),
    };
    let listener = listener.map_err(|e| e.to_string())?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind }).await;
    Ok((id, listener))
}

/// Sets `TCP_NODELAY` on a connection, reported like every call.
pub(crate) async fn nodelay(ctx: &Ctx, id: SockId, var: &'static str, stream: &TcpStream) {
    let call = Call::SetSockOpt(SockOpt::NoDelay(true));
    let _ =
        step(ctx, id, var, call, "TCP_NODELAY", stream.set_nodelay(true), |()| Returned::Nothing)
            .await;
}

/// Client of connections: for each address in turn (like
/// `socket.create_connection`), socket, optional `settimeout`, connect; the
/// first that connects wins.
pub(crate) async fn connect(
    ctx: &Ctx,
    config: &SessionConfig,
    addrs: &[Addr],
) -> Result<(SockId, Conn), Failure> {
    let mut last = String::from("connect failed: no address to try");
    for addr in addrs {
        let (id, s) = new_socket(ctx, "client", addr, config.role.kind()).await?;
        let connected = match addr {
            Addr::Inet(ip) => {
                let socket = TcpSocket::from_std_stream(s.into());
                connect_once(ctx, id, config.timeout, socket, *ip).await.map(Conn::Tcp)
            }
            Addr::Unix(_) => unix::connect(ctx, id, s, addr).await.map(Conn::Unix),
        };
        match connected {
            Ok(stream) => {
                if let (true, Some(tcp)) = (config.nodelay, stream.tcp()) {
                    nodelay(ctx, id, "client", tcp).await;
                }
                return Ok((id, stream));
            }
            Err(message) => {
                ctx.call(id, "client", Call::Close, Ok(Returned::Nothing)).await;
                last = message;
            }
        }
    }
    Err(last)
}

async fn connect_once(
    ctx: &Ctx,
    id: SockId,
    timeout: Option<Duration>,
    socket: TcpSocket,
    addr: SocketAddr,
) -> Result<TcpStream, Failure> {
    let target = addr.to_string();
    let shown = Call::Connect(Addr::Inet(addr));
    let Some(limit) = timeout else {
        let done = socket.connect(addr).await;
        return step(ctx, id, "client", shown, &target, done, |_| Returned::Nothing).await;
    };
    let secs = Some(limit.as_secs_f64());
    ctx.call(id, "client", Call::SetTimeout(secs), Ok(Returned::Nothing)).await;
    let outcome = tokio::time::timeout(limit, socket.connect(addr)).await;
    let result = match outcome {
        Ok(Ok(stream)) => {
            ctx.call(id, "client", shown.clone(), Ok(Returned::Nothing)).await;
            Ok(stream)
        }
        Ok(Err(err)) => {
            let failed = CallError::from_io(&err);
            let message = failed.message("connect", &target);
            ctx.call(id, "client", shown.clone(), Err(failed)).await;
            Err(message)
        }
        Err(_elapsed) => {
            let failed = CallError::timeout();
            let message = failed.message("connect", &target);
            ctx.call(id, "client", shown.clone(), Err(failed)).await;
            Err(message)
        }
    };
    if result.is_ok() {
        ctx.call(id, "client", Call::SetTimeout(None), Ok(Returned::Nothing)).await;
    }
    result
}

/// Datagram server: socket, bind.
pub(crate) async fn dgram_bound(
    ctx: &Ctx,
    addr: &Addr,
    v6: Option<bool>,
    unlink: bool,
) -> Result<(SockId, Dgram), Failure> {
    let (id, s) = new_socket(ctx, "server", addr, Kind::Dgram).await?;
    v6_only(ctx, id, &s, addr, v6).await?;
    bind(ctx, id, "server", &s, addr, unlink).await?;
    let local = local_of(&s, addr);
    let fd = s.as_raw_fd();
    let socket = into_dgram(s, addr)?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind: Kind::Dgram }).await;
    Ok((id, socket))
}

/// Datagram client: socket, and `connect` unless the seed's unconnected
/// `sendto`/`recvfrom` style was asked for. A Unix one binds first (an
/// autobound abstract name): unbound, the server could not answer it.
pub(crate) async fn dgram_client(
    ctx: &Ctx,
    addr: &Addr,
    connected: bool,
) -> Result<(SockId, Dgram), Failure> {
    let (id, s) = new_socket(ctx, "client", addr, Kind::Dgram).await?;
    if let Addr::Unix(_) = addr {
        bind(ctx, id, "client", &s, &Addr::Unix(UnixName::Unnamed), false).await?;
    }
    if connected {
        let target = addr.to_string();
        let done = addr.sockaddr().and_then(|a| s.connect(&a));
        let call = Call::Connect(addr.clone());
        step(ctx, id, "client", call, &target, done, |()| Returned::Nothing).await?;
        // connect() bound a local port: report it like a TCP connection's, so
        // views and the pcapng export know both ends of the datagrams.
        ctx.connected(id, s.as_raw_fd(), local_of(&s, addr), addr.clone()).await;
    }
    Ok((id, into_dgram(s, addr)?))
}

fn into_dgram(s: Socket, addr: &Addr) -> Result<Dgram, Failure> {
    let socket = match addr {
        Addr::Inet(_) => UdpSocket::from_std(s.into()).map(Dgram::Udp),
        Addr::Unix(_) => UnixDatagram::from_std(s.into()).map(Dgram::Unix),
    };
    socket.map_err(|e| e.to_string())
}
