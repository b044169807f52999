//! Step mode: the student makes every call. A socket lives here, in the
//! session, from `socket()` until `listen()` or `connect()` turns it into a
//! task of its own (UDP: until `bind`, `connect` or its first send), so each
//! call of the lifecycle is one command with its own result.

use std::os::fd::AsRawFd;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use super::blocking::{CallGate, CallMode};
use super::conn::{Conn, Listener};
use super::ctx::sock_channel;
use super::dgram::Dgram;
use super::event::{Call, EventKind, Family, Kind, Returned, SockId, SockOpt};
use super::listener::{Accepted, run_listener};
use super::session::Session;
use super::sockaddr::Addr;
use super::udp::Peer;
use super::{CallError, Role, query};

/// A socket made by hand that is not yet listening or connected.
pub(super) struct Fresh {
    pub socket: Socket,
    pub var: &'static str,
    pub kind: Kind,
    pub mode: CallMode,
}

fn done(result: std::io::Result<()>) -> Result<Returned, CallError> {
    result.map(|()| Returned::Nothing).map_err(|e| CallError::from_io(&e))
}

impl Session {
    /// One call typed by the student; `sock` 0 means the socket the call
    /// naturally goes to (the newest fresh socket, listener or connection).
    pub(super) async fn step_call(&mut self, sock: SockId, call: Call) {
        if let Call::Socket { family, kind } = call {
            self.step_socket(family, kind).await;
            return;
        }
        let sock = if sock == 0 { self.natural_target(&call) } else { sock };
        if !self.fresh.contains_key(&sock) {
            self.route_call(sock, call).await;
            return;
        }
        let Some(fresh) = self.fresh.get_mut(&sock) else { return };
        let var = fresh.var;
        if let Some(result) = query::answer(&fresh.socket, &mut fresh.mode, &call) {
            self.ctx.call(sock, var, call, result).await;
            return;
        }
        let result = match &call {
            Call::SetSockOpt(opt) => done(match opt {
                SockOpt::ReuseAddr(on) => fresh.socket.set_reuse_address(*on),
                SockOpt::NoDelay(on) => fresh.socket.set_tcp_nodelay(*on),
                SockOpt::V6Only(on) => fresh.socket.set_only_v6(*on),
                SockOpt::LingerZero => fresh.socket.set_linger(Some(std::time::Duration::ZERO)),
            }),
            Call::Bind(addr) => done(addr.sockaddr().and_then(|a| fresh.socket.bind(&a))),
            Call::Listen(backlog) => {
                let backlog = i32::try_from(*backlog).unwrap_or(i32::MAX);
                done(fresh.socket.listen(backlog))
            }
            Call::Close => Ok(Returned::Nothing),
            Call::Connect(addr) | Call::ConnectEx(addr) => {
                let addr = addr.clone();
                self.step_connect(sock, call.clone(), addr).await;
                return;
            }
            // Python's errors for calls a fresh socket cannot make yet.
            Call::Accept => Err(CallError::from_errno(libc::EINVAL)),
            _ => Err(CallError::from_errno(libc::ENOTCONN)),
        };
        let ok = result.is_ok();
        self.ctx.call(sock, var, call.clone(), result).await;
        match call {
            Call::Close => {
                self.fresh.remove(&sock);
            }
            Call::Listen(_) if ok => self.promote_listener(sock).await,
            Call::Bind(_) if ok && self.config.role.kind() == Kind::Dgram => {
                self.promote_udp(sock, None).await;
            }
            _ => {}
        }
    }

    /// The socket a call without an explicit target is meant for.
    fn natural_target(&mut self, call: &Call) -> SockId {
        self.prune();
        let newest = |ids: &mut dyn Iterator<Item = SockId>| ids.max().unwrap_or(0);
        let fresh = newest(&mut self.fresh.keys().copied());
        let listener = newest(&mut self.listeners.keys().copied());
        let conn = newest(&mut self.conns.keys().copied());
        match call {
            Call::Accept => listener,
            Call::Recv { .. } | Call::RecvFrom { .. } | Call::GetPeerName | Call::Shutdown(_) => {
                conn.max(fresh)
            }
            _ => fresh.max(listener).max(conn),
        }
    }

    /// `socket(family, kind)`: a new fresh socket.
    async fn step_socket(&mut self, family: Family, kind: Kind) {
        let id = self.ctx.new_id();
        let var = if self.config.role.is_server() { "server" } else { "client" };
        // Step mode teaches TCP and UDP (the CLI refuses `unix --step`).
        let (domain, ty, proto) = match (family, kind) {
            (Family::Inet6, Kind::Stream) => (Domain::IPV6, Type::STREAM, Protocol::TCP),
            (Family::Inet6, Kind::Dgram) => (Domain::IPV6, Type::DGRAM, Protocol::UDP),
            (Family::Inet, Kind::Stream) => (Domain::IPV4, Type::STREAM, Protocol::TCP),
            (Family::Inet, Kind::Dgram) => (Domain::IPV4, Type::DGRAM, Protocol::UDP),
            _ => {
                let call = Call::Socket { family, kind };
                let unsupported = CallError::from_errno(libc::EAFNOSUPPORT);
                self.ctx.call(id, var, call, Err(unsupported)).await;
                return;
            }
        };
        let made = Socket::new(domain, ty, Some(proto)).and_then(|s| {
            s.set_nonblocking(true)?;
            Ok(s)
        });
        let call = Call::Socket { family, kind };
        match made {
            Ok(socket) => {
                let fd = socket.as_raw_fd();
                self.ctx.call(id, var, call, Ok(Returned::Socket { fd })).await;
                self.fresh.insert(id, Fresh { socket, var, kind, mode: CallMode::default() });
            }
            Err(err) => self.ctx.call(id, var, call, Err(CallError::from_io(&err))).await,
        }
    }

    /// `listen()` done: the socket becomes a listener task whose accept
    /// the student calls.
    async fn promote_listener(&mut self, sock: SockId) {
        let Some(fresh) = self.fresh.remove(&sock) else { return };
        let local = fresh.socket.local_addr().ok().and_then(|a| a.as_socket());
        let fd = fresh.socket.as_raw_fd();
        let listener = match TcpListener::from_std(fresh.socket.into()).map(Listener::Tcp) {
            Ok(l) => l,
            Err(err) => {
                let message = CallError::from_io(&err).message("listen", "");
                self.ctx.emit(EventKind::Fatal { message }).await;
                return;
            }
        };
        if let Some(local) = local {
            self.kernel.register(sock, &listener, local, None);
            let local = Addr::Inet(local);
            self.ctx.emit(EventKind::Listening { sock, fd, local, kind: Kind::Stream }).await;
        }
        let (handle, inbox) = sock_channel(self.holds);
        let (ctx, accepted) = (self.ctx.clone(), self.accepted.clone());
        self.tasks.spawn(run_listener(ctx, sock, listener, inbox, accepted, false, fresh.mode));
        self.listeners.insert(sock, handle);
    }

    /// A UDP socket made by hand becomes a task once it is bound or
    /// connected (or sends: the kernel binds it then).
    pub(super) async fn promote_udp(&mut self, sock: SockId, connected: Option<Addr>) {
        let Some(fresh) = self.fresh.remove(&sock) else { return };
        let local = fresh.socket.local_addr().ok().and_then(|a| Addr::from_sockaddr(&a));
        let fd = fresh.socket.as_raw_fd();
        let Ok(socket) = UdpSocket::from_std(fresh.socket.into()).map(Dgram::Udp) else { return };
        let peer = match (connected.clone(), &self.config.role) {
            (Some(addr), _) => Peer::Connected(addr),
            (None, Role::UdpServer(_)) => Peer::LastSender(None),
            (None, role) => match role.target() {
                super::Target::Addr(addr) => Peer::Fixed(Addr::Inet(addr)),
                super::Target::Host(..) | super::Target::Unix(_) => Peer::LastSender(None),
            },
        };
        if let (Some(local), None) = (local, connected) {
            self.ctx.emit(EventKind::Listening { sock, fd, local, kind: Kind::Dgram }).await;
        }
        self.spawn_udp(sock, fresh.var, socket, peer, fresh.mode);
    }

    /// `connect`/`connect_ex` by hand: a blocking one waits (its timeout,
    /// Ctrl-C) in a task of its own so the session stays responsive; a
    /// non-blocking one raises EINPROGRESS and completes in the background.
    async fn step_connect(&mut self, sock: SockId, call: Call, addr: Addr) {
        let Some(fresh) = self.fresh.remove(&sock) else { return };
        let (var, mode) = (fresh.var, fresh.mode);
        if fresh.kind == Kind::Dgram {
            let result = done(addr.sockaddr().and_then(|a| fresh.socket.connect(&a)));
            let ok = result.is_ok();
            let shown = ex(result, &call);
            self.ctx.call(sock, var, call, shown).await;
            self.fresh.insert(sock, fresh);
            if ok {
                self.promote_udp(sock, Some(addr)).await;
            }
            return;
        }
        let started = match addr.sockaddr().and_then(|a| fresh.socket.connect(&a)) {
            Err(e) if e.raw_os_error() != Some(libc::EINPROGRESS) => Err(e),
            _ => TcpStream::from_std(fresh.socket.into()),
        };
        let stream = match started {
            Ok(stream) => stream,
            Err(err) => {
                let result = Err(CallError::from_io(&err));
                self.ctx.call(sock, var, call.clone(), ex(result, &call)).await;
                return;
            }
        };
        self.connects += 1;
        let mut gate = CallGate::new(self.interrupt.subscribe());
        let seq = self.connects;
        let (ctx, accepted, back) = (self.ctx.clone(), self.accepted.clone(), self.back.clone());
        let kind = fresh.kind;
        self.tasks.spawn(async move {
            let waiting = async {
                stream.writable().await?;
                stream.take_error()?.map_or(Ok(()), Err)
            };
            let outcome = if mode.non_blocking() {
                let progress = Err(CallError::from_errno(libc::EINPROGRESS));
                ctx.call(sock, var, call.clone(), ex(progress, &call)).await;
                waiting.await.map_err(|e| CallError::from_io(&e))
            } else {
                let outcome = wait_connected(waiting, mode, (&mut gate, seq)).await;
                let shown = ex(outcome.clone().map(|()| Returned::Nothing), &call);
                ctx.call(sock, var, call.clone(), shown).await;
                outcome
            };
            if outcome.is_ok() {
                let stream = Conn::Tcp(stream);
                let _ = accepted.send(Accepted { id: sock, stream, var, mode }).await;
            } else if let Ok(std) = stream.into_std() {
                // Still the student's socket: it can be closed, or tried again.
                let _ = back.send((sock, Fresh { socket: std.into(), var, kind, mode })).await;
            }
        });
    }
}

/// A blocking connect's wait, bounded by the timeout, cut short by Ctrl-C.
async fn wait_connected(
    waiting: impl std::future::Future<Output = std::io::Result<()>>,
    mode: CallMode,
    (gate, seq): (&mut CallGate, u64),
) -> Result<(), CallError> {
    let bounded = async {
        match mode.timeout {
            Some(t) => tokio::time::timeout(t, waiting).await.unwrap_or_else(|_| {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out"))
            }),
            None => waiting.await,
        }
    };
    tokio::select! {
        result = bounded => result.map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut && e.raw_os_error().is_none() {
                CallError::timeout()
            } else {
                CallError::from_io(&e)
            }
        }),
        () = gate.interrupted(seq) => Err(CallError::interrupted()),
    }
}

/// `connect_ex` returns the errno (0 on success) where `connect` raises.
fn ex(result: Result<Returned, CallError>, call: &Call) -> Result<Returned, CallError> {
    if !matches!(call, Call::ConnectEx(_)) {
        return result;
    }
    match result {
        Ok(_) => Ok(Returned::Int(0)),
        Err(err) => match err.errno {
            Some(errno) => Ok(Returned::Int(errno.into())),
            None => Err(err),
        },
    }
}
