//! The calls that bring a socket to life — `socket`, `setsockopt`, `bind`,
//! `listen`, `settimeout`, `connect` — each made through socket2 and
//! reported as an event with its result, in the order Python would make them.

use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};

use super::ctx::Ctx;
use super::event::{Call, EventKind, Family, Kind, Returned, SockId, SockOpt};
use super::{CallError, SessionConfig};

/// A setup failure, already worded in DESIGN.md's grammar.
pub(crate) type Failure = String;

/// Makes one call, reports it, and words a failure for the user.
async fn step<T>(
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
async fn new_socket(
    ctx: &Ctx,
    var: &'static str,
    addr: &SocketAddr,
    kind: Kind,
) -> Result<(SockId, Socket), Failure> {
    let id = ctx.new_id();
    let (ty, proto) = match kind {
        Kind::Stream => (Type::STREAM, Protocol::TCP),
        Kind::Dgram => (Type::DGRAM, Protocol::UDP),
    };
    let call = Call::Socket { family: Family::of(addr), kind };
    let made = Socket::new(Domain::for_address(*addr), ty, Some(proto))
        .and_then(|s| s.set_nonblocking(true).map(|()| s));
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
    addr: SocketAddr,
    wanted: Option<bool>,
) -> Result<(), Failure> {
    let Some(on) = wanted.filter(|_| addr.is_ipv6()) else { return Ok(()) };
    let call = Call::SetSockOpt(SockOpt::V6Only(on));
    step(ctx, id, "server", call, "IPV6_V6ONLY", s.set_only_v6(on), |()| Returned::Nothing).await
}

/// `bind(addr)`.
async fn bind(
    ctx: &Ctx,
    id: SockId,
    var: &'static str,
    s: &Socket,
    addr: SocketAddr,
) -> Result<(), Failure> {
    let target = addr.to_string();
    step(ctx, id, var, Call::Bind(addr), &target, s.bind(&addr.into()), |()| Returned::Nothing)
        .await
}

/// The address the kernel actually gave (port 0 becomes a real port).
fn local_of(s: &Socket, fallback: SocketAddr) -> SocketAddr {
    s.local_addr().ok().and_then(|a| a.as_socket()).unwrap_or(fallback)
}

/// TCP server: socket, `SO_REUSEADDR`, bind, listen.
pub(crate) async fn tcp_listener(
    ctx: &Ctx,
    config: &SessionConfig,
    addr: SocketAddr,
) -> Result<(SockId, TcpListener), Failure> {
    let (id, s) = new_socket(ctx, "server", &addr, Kind::Stream).await?;
    let opt = Call::SetSockOpt(SockOpt::ReuseAddr(true));
    step(ctx, id, "server", opt, "SO_REUSEADDR", s.set_reuse_address(true), |()| Returned::Nothing)
        .await?;
    v6_only(ctx, id, &s, addr, config.v6_only).await?;
    bind(ctx, id, "server", &s, addr).await?;
    let backlog = config.backlog;
    let listen = s.listen(i32::try_from(backlog).unwrap_or(i32::MAX));
    step(ctx, id, "server", Call::Listen(backlog), &addr.to_string(), listen, |()| {
        Returned::Nothing
    })
    .await?;
    let local = local_of(&s, addr);
    let fd = s.as_raw_fd();
    let listener = TcpListener::from_std(s.into()).map_err(|e| e.to_string())?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind: Kind::Stream }).await;
    Ok((id, listener))
}

/// Sets `TCP_NODELAY` on a connection, reported like every call.
pub(crate) async fn nodelay(ctx: &Ctx, id: SockId, var: &'static str, stream: &TcpStream) {
    let call = Call::SetSockOpt(SockOpt::NoDelay(true));
    let _ =
        step(ctx, id, var, call, "TCP_NODELAY", stream.set_nodelay(true), |()| Returned::Nothing)
            .await;
}

/// TCP client: for each address in turn (like `socket.create_connection`),
/// socket, optional `settimeout`, connect; the first that connects wins.
pub(crate) async fn tcp_connect(
    ctx: &Ctx,
    config: &SessionConfig,
    addrs: &[SocketAddr],
) -> Result<(SockId, TcpStream), Failure> {
    let mut last = String::from("connect failed: no address to try");
    for addr in addrs {
        let (id, s) = new_socket(ctx, "client", addr, Kind::Stream).await?;
        let socket = TcpSocket::from_std_stream(s.into());
        match connect_once(ctx, id, config.timeout, socket, *addr).await {
            Ok(stream) => {
                if config.nodelay {
                    nodelay(ctx, id, "client", &stream).await;
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
    let Some(limit) = timeout else {
        let done = socket.connect(addr).await;
        return step(ctx, id, "client", Call::Connect(addr), &target, done, |_| Returned::Nothing)
            .await;
    };
    let secs = Some(limit.as_secs_f64());
    ctx.call(id, "client", Call::SetTimeout(secs), Ok(Returned::Nothing)).await;
    let outcome = tokio::time::timeout(limit, socket.connect(addr)).await;
    let result = match outcome {
        Ok(Ok(stream)) => {
            ctx.call(id, "client", Call::Connect(addr), Ok(Returned::Nothing)).await;
            Ok(stream)
        }
        Ok(Err(err)) => {
            let failed = CallError::from_io(&err);
            let message = failed.message("connect", &target);
            ctx.call(id, "client", Call::Connect(addr), Err(failed)).await;
            Err(message)
        }
        Err(_elapsed) => {
            let failed = CallError::timeout();
            let message = failed.message("connect", &target);
            ctx.call(id, "client", Call::Connect(addr), Err(failed)).await;
            Err(message)
        }
    };
    if result.is_ok() {
        ctx.call(id, "client", Call::SetTimeout(None), Ok(Returned::Nothing)).await;
    }
    result
}

/// UDP server: socket, bind.
pub(crate) async fn udp_bound(
    ctx: &Ctx,
    addr: SocketAddr,
    v6: Option<bool>,
) -> Result<(SockId, UdpSocket), Failure> {
    let (id, s) = new_socket(ctx, "server", &addr, Kind::Dgram).await?;
    v6_only(ctx, id, &s, addr, v6).await?;
    bind(ctx, id, "server", &s, addr).await?;
    let local = local_of(&s, addr);
    let fd = s.as_raw_fd();
    let socket = UdpSocket::from_std(s.into()).map_err(|e| e.to_string())?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind: Kind::Dgram }).await;
    Ok((id, socket))
}

/// UDP client: socket, and `connect` unless the seed's unconnected
/// `sendto`/`recvfrom` style was asked for.
pub(crate) async fn udp_client(
    ctx: &Ctx,
    addr: SocketAddr,
    connected: bool,
) -> Result<(SockId, UdpSocket), Failure> {
    let (id, s) = new_socket(ctx, "client", &addr, Kind::Dgram).await?;
    if connected {
        let target = addr.to_string();
        let done = s.connect(&addr.into());
        step(ctx, id, "client", Call::Connect(addr), &target, done, |()| Returned::Nothing).await?;
        // connect() bound a local port: report it like a TCP connection's, so
        // views and the pcapng export know both ends of the datagrams.
        ctx.connected(id, s.as_raw_fd(), local_of(&s, addr), addr).await;
    }
    let socket = UdpSocket::from_std(s.into()).map_err(|e| e.to_string())?;
    Ok((id, socket))
}
