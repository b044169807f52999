//! The auto driver's setup: the calls a program would make to bring the
//! role's socket to life — `socket`, `setsockopt`, `bind`, `listen`,
//! `settimeout`, `connect` — run one by one through the same executor as
//! calls typed by hand ([`CallSocket::execute`]), each reported with its
//! result. Step mode is this with the driver held back: the student types
//! the same calls.

use std::os::fd::AsRawFd;

use socket2::Socket;
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixListener};
use tokio::sync::watch;

use crate::net::driver::conn::{Conn, Listener};
use crate::net::driver::dgram::Dgram;
use crate::net::event::{Call, EventKind, Family, Kind, Returned, SockId, SockOpt};
use crate::net::session::ctx::Ctx;
use crate::net::sockaddr::{Addr, UnixName};
use crate::net::socket::blocking::CallGate;
use crate::net::socket::unix;
use crate::net::socket::{CallSocket, Done};
use crate::net::{CallError, SessionConfig, SetupError};

/// Makes one call, reports it, and words a failure for the user.
pub(crate) async fn reported<T>(
    ctx: &Ctx,
    sock: SockId,
    var: &'static str,
    call: Call,
    target: &str,
    result: std::io::Result<T>,
    returned: impl FnOnce(&T) -> Returned,
) -> Result<T, SetupError> {
    match result {
        Ok(value) => {
            ctx.call(sock, var, call, Ok(returned(&value))).await;
            Ok(value)
        }
        Err(err) => {
            let failed = CallError::from_io(&err);
            let error = SetupError::call(call.name(), target, failed.clone());
            ctx.call(sock, var, call, Err(failed)).await;
            Err(error)
        }
    }
}

/// One socket being set up: its calls go through the executor.
struct Script<'a> {
    ctx: &'a Ctx,
    id: SockId,
    var: &'static str,
    socket: CallSocket,
    gate: CallGate,
    /// Nobody interrupts the driver's calls (the session's end still does).
    _never: watch::Sender<u64>,
}

impl<'a> Script<'a> {
    /// `socket(family, kind)`, reported.
    async fn open(
        ctx: &'a Ctx,
        var: &'static str,
        addr: &Addr,
        kind: Kind,
    ) -> Result<Self, SetupError> {
        let id = ctx.new_id();
        let call = Call::Socket { family: Family::of(addr), kind };
        let made = CallSocket::open(Family::of(addr), kind);
        let fd =
            |s: &CallSocket| Returned::Socket { fd: s.socket().map_or(-1, AsRawFd::as_raw_fd) };
        let socket = reported(ctx, id, var, call, "", made, fd).await?;
        let (never, interrupts) = watch::channel(0);
        let gate = CallGate::new(interrupts, ctx.shutdown.clone());
        Ok(Self { ctx, id, var, socket, gate, _never: never })
    }

    /// One call through the executor, reported; a failure is worded with
    /// `target` (and also returned as the error itself).
    async fn call(
        &mut self,
        call: Call,
        target: &str,
    ) -> Result<Returned, (CallError, SetupError)> {
        let seq = self.gate.begin();
        let result = match self.socket.execute(&call, &[], (&mut self.gate, seq)).await {
            Ok(Done::Value(value)) => Ok(value),
            // The setup never accepts.
            Ok(Done::Accepted(..)) => Err(CallError::from_errno(libc::EINVAL)),
            Err(failed) => Err(failed),
        };
        self.ctx.call(self.id, self.var, call.clone(), result.clone()).await;
        result.map_err(|failed| (failed.clone(), SetupError::call(call.name(), target, failed)))
    }

    /// Like [`Script::call`], for calls whose failure ends the setup.
    async fn must(&mut self, call: Call, target: &str) -> Result<(), SetupError> {
        self.call(call, target).await.map(drop).map_err(|(_, message)| message)
    }

    /// The socket, for the driver's task to take over.
    fn done(self) -> Result<(SockId, Socket), SetupError> {
        let fd = self.socket.into_socket();
        fd.map(|s| (self.id, s)).ok_or(SetupError::Lost)
    }
}

impl Script<'_> {
    /// One call through the executor, not yet reported.
    async fn attempt(&mut self, call: &Call) -> Result<Returned, CallError> {
        let seq = self.gate.begin();
        match self.socket.execute(call, &[], (&mut self.gate, seq)).await {
            Ok(Done::Value(value)) => Ok(value),
            Ok(Done::Accepted(..)) => Err(CallError::from_errno(libc::EINVAL)),
            Err(failed) => Err(failed),
        }
    }

    /// Reports a call made with [`Script::attempt`]; a failure worded.
    async fn report(
        &self,
        call: Call,
        result: Result<Returned, CallError>,
        target: &str,
    ) -> Result<Returned, SetupError> {
        let name = call.name();
        self.ctx.call(self.id, self.var, call, result.clone()).await;
        result.map_err(|failed| SetupError::call(name, target, failed))
    }
}

/// `IPV6_V6ONLY` on an IPv6 socket when asked: on, one family only; off,
/// a dual-stack socket that also serves IPv4 (as `::ffff:a.b.c.d`).
async fn v6_only(s: &mut Script<'_>, addr: &Addr, wanted: Option<bool>) -> Result<(), SetupError> {
    let Some(on) = wanted.filter(|_| addr.is_ipv6()) else { return Ok(()) };
    s.must(Call::SetSockOpt(SockOpt::V6Only(on)), "IPV6_V6ONLY").await
}

/// `bind(addr)`; a Unix server's socket file left by a dead server is
/// diagnosed (and, when `unlink` allows, removed and bound again).
async fn bind(s: &mut Script<'_>, addr: &Addr, unlink: bool) -> Result<(), SetupError> {
    let target = addr.to_string();
    let call = Call::Bind(addr.clone());
    let bound = s.attempt(&call).await;
    if let (Addr::Unix(UnixName::Path(path)), Err(failed)) = (addr, &bound) {
        if failed.is(libc::EADDRINUSE) {
            if let Err((sentence, hint)) = unix::clear_stale(path, unlink) {
                let failed = failed.clone().because(sentence, hint);
                return s.report(call, Err(failed), &target).await.map(drop);
            }
            // Removed: the timeline shows the failed bind, then the retry.
            let _ = s.report(call.clone(), bound, &target).await;
            let again = s.attempt(&call).await;
            return s.report(call, again, &target).await.map(drop);
        }
    }
    s.report(call, bound, &target).await.map(drop)
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
) -> Result<(SockId, Listener), SetupError> {
    let kind = config.role.kind();
    let mut s = Script::open(ctx, "server", addr, kind).await?;
    if let Addr::Inet(_) = addr {
        s.must(Call::SetSockOpt(SockOpt::ReuseAddr(true)), "SO_REUSEADDR").await?;
        v6_only(&mut s, addr, config.v6_only).await?;
    }
    bind(&mut s, addr, unlink).await?;
    s.must(Call::Listen(config.backlog), &addr.to_string()).await?;
    let (id, socket) = s.done()?;
    let local = local_of(&socket, addr);
    let fd = socket.as_raw_fd();
    let listener = match addr {
        Addr::Inet(_) => TcpListener::from_std(socket.into()).map(Listener::Tcp),
        Addr::Unix(_) => UnixListener::from_std(socket.into()).map(Listener::Unix),
    };
    let listener = listener
        .map_err(|e| SetupError::call("listen", local.to_string(), CallError::from_io(&e)))?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind }).await;
    Ok((id, listener))
}

/// Sets `TCP_NODELAY` on a connection, reported like every call.
pub(crate) async fn nodelay(ctx: &Ctx, id: SockId, var: &'static str, stream: &TcpStream) {
    let call = Call::SetSockOpt(SockOpt::NoDelay(true));
    let _ = reported(ctx, id, var, call, "TCP_NODELAY", stream.set_nodelay(true), |()| {
        Returned::Nothing
    })
    .await;
}

/// Client of connections: for each address in turn (like
/// `socket.create_connection`), socket, optional `settimeout`, connect; the
/// first that connects wins, and each that fails is closed.
pub(crate) async fn connect(
    ctx: &Ctx,
    config: &SessionConfig,
    addrs: &[Addr],
) -> Result<(SockId, Conn), SetupError> {
    connect_as(ctx, config, addrs, "client").await
}

/// [`connect`], with the socket in the Python variable `var` (a relay's
/// `upstream`).
pub(crate) async fn connect_as(
    ctx: &Ctx,
    config: &SessionConfig,
    addrs: &[Addr],
    var: &'static str,
) -> Result<(SockId, Conn), SetupError> {
    let mut last = SetupError::NoAddress;
    for addr in addrs {
        let s = Script::open(ctx, var, addr, config.role.kind()).await?;
        let connected = match addr {
            Addr::Inet(_) => connect_tcp(s, config, addr).await,
            Addr::Unix(_) => connect_unix(ctx, s, addr).await,
        };
        match connected {
            Ok(pair) => return Ok(pair),
            Err(message) => last = message,
        }
    }
    Err(last)
}

/// `settimeout(limit)` around `connect(addr)` when there is a limit, then
/// `TCP_NODELAY` when asked; a failed socket is closed.
async fn connect_tcp(
    mut s: Script<'_>,
    config: &SessionConfig,
    addr: &Addr,
) -> Result<(SockId, Conn), SetupError> {
    let timeout = config.timeout.map(|t| t.as_secs_f64());
    let mut calls = vec![Call::Connect(addr.clone())];
    if timeout.is_some() {
        calls.insert(0, Call::SetTimeout(timeout));
        calls.push(Call::SetTimeout(None));
    }
    for call in calls {
        if let Err(message) = s.must(call, &addr.to_string()).await {
            let _ = s.call(Call::Close, "").await;
            return Err(message);
        }
    }
    let (ctx, s_var, (id, socket)) = (s.ctx, s.var, s.done()?);
    let stream = TcpStream::from_std(socket.into())
        .map_err(|e| SetupError::call("connect", addr.to_string(), CallError::from_io(&e)))?;
    if config.nodelay {
        nodelay(ctx, id, s_var, &stream).await;
    }
    Ok((id, Conn::Tcp(stream)))
}

/// A Unix stream or seqpacket `connect`, waiting out a full queue.
async fn connect_unix(ctx: &Ctx, s: Script<'_>, addr: &Addr) -> Result<(SockId, Conn), SetupError> {
    let var = s.var;
    let (id, socket) = s.done()?;
    match unix::connect(ctx, id, socket, addr).await {
        Ok(stream) => Ok((id, Conn::Unix(stream))),
        Err(message) => {
            ctx.call(id, var, Call::Close, Ok(Returned::Nothing)).await;
            Err(message)
        }
    }
}

/// Datagram server: socket, bind.
pub(crate) async fn dgram_bound(
    ctx: &Ctx,
    addr: &Addr,
    v6: Option<bool>,
    unlink: bool,
) -> Result<(SockId, Dgram), SetupError> {
    let mut s = Script::open(ctx, "server", addr, Kind::Dgram).await?;
    v6_only(&mut s, addr, v6).await?;
    bind(&mut s, addr, unlink).await?;
    let (id, socket) = s.done()?;
    let local = local_of(&socket, addr);
    let fd = socket.as_raw_fd();
    let socket = into_dgram(socket, addr)?;
    ctx.emit(EventKind::Listening { sock: id, fd, local, kind: Kind::Dgram }).await;
    Ok((id, socket))
}

/// Datagram client: socket, and `connect` unless the tutorial's unconnected
/// `sendto`/`recvfrom` style was asked for. A Unix one binds first (an
/// autobound abstract name): unbound, the server could not answer it.
pub(crate) async fn dgram_client(
    ctx: &Ctx,
    addr: &Addr,
    connected: bool,
) -> Result<(SockId, Dgram), SetupError> {
    let mut s = Script::open(ctx, "client", addr, Kind::Dgram).await?;
    if let Addr::Unix(_) = addr {
        bind(&mut s, &Addr::Unix(UnixName::Unnamed), false).await?;
    }
    if connected {
        s.must(Call::Connect(addr.clone()), &addr.to_string()).await?;
    }
    let (id, socket) = s.done()?;
    if connected {
        // connect() bound a local port: report it like a TCP connection's, so
        // views and the pcapng export know both ends of the datagrams.
        ctx.connected(id, socket.as_raw_fd(), local_of(&socket, addr), addr.clone()).await;
    }
    Ok((id, into_dgram(socket, addr)?))
}

fn into_dgram(s: Socket, addr: &Addr) -> Result<Dgram, SetupError> {
    let socket = match addr {
        Addr::Inet(_) => UdpSocket::from_std(s.into()).map(Dgram::Udp),
        Addr::Unix(_) => UnixDatagram::from_std(s.into()).map(Dgram::Unix),
    };
    socket.map_err(|e| SetupError::call("socket", addr.to_string(), CallError::from_io(&e)))
}
