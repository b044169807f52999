//! One socket as a program sees it through Python's `socket` module, and the
//! one place every call made by hand is carried out: [`CallSocket::execute`]
//! matches on every [`Call`] and makes the real system call, so the kernel
//! gives the answer `CPython` would get (a second `bind` → EINVAL, `recv` on a
//! listener → ENOTCONN, `listen` on UDP → EOPNOTSUPP). Only what `CPython`
//! decides itself is decided here: a closed socket's fd is -1 (every call
//! then fails with EBADF, a second `close()` is `None`), and how a call waits
//! (`settimeout`/`setblocking`, emulated on a socket that is non-blocking
//! underneath, as `CPython`'s is under a timeout).
//!
//! A failed call never closes the socket: like a Python object it lives
//! until `close()`.

pub(crate) mod blocking;
pub(crate) mod setup;
pub(crate) mod task;
pub(crate) mod unix;
mod wait;

use std::os::fd::{AsFd, AsRawFd};

use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::net::CallError;
use crate::net::driver::conn::addr_of;
use crate::net::event::{Call, Family, Kind, Returned, SockOpt};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::{CallGate, CallMode};

/// What a call gave back: a value, or (accept) a new socket the caller runs.
#[derive(Debug)]
pub(crate) enum Done {
    Value(Returned),
    Accepted(Socket, Addr),
}

/// A socket from `socket()` to `close()` and after: Python's object.
#[derive(Debug)]
pub(crate) struct CallSocket {
    /// `None` once closed (Python's fd -1).
    fd: Option<Socket>,
    pub kind: Kind,
    /// How calls wait (`settimeout`/`setblocking`).
    pub mode: CallMode,
}

impl CallSocket {
    /// `socket(family, kind)`: a new socket, non-blocking underneath.
    pub fn open(family: Family, kind: Kind) -> std::io::Result<Self> {
        let domain = match family {
            Family::Inet => Domain::IPV4,
            Family::Inet6 => Domain::IPV6,
            Family::Unix => Domain::UNIX,
        };
        let (ty, proto) = match (family, kind) {
            (Family::Unix, Kind::Stream) => (Type::STREAM, None),
            (Family::Unix, Kind::Dgram) => (Type::DGRAM, None),
            (_, Kind::SeqPacket) => (Type::SEQPACKET, None),
            (_, Kind::Stream) => (Type::STREAM, Some(Protocol::TCP)),
            (_, Kind::Dgram) => (Type::DGRAM, Some(Protocol::UDP)),
        };
        Self::adopt(Socket::new(domain, ty, proto)?, kind)
    }

    /// An existing socket (an accepted connection) under the same rules.
    pub fn adopt(socket: Socket, kind: Kind) -> std::io::Result<Self> {
        socket.set_nonblocking(true)?;
        Ok(Self { fd: Some(socket), kind, mode: CallMode::default() })
    }

    /// The socket itself, for a task of the auto driver to take over
    /// (`None` after `close()`).
    pub fn into_socket(self) -> Option<Socket> {
        self.fd
    }

    /// The open socket, `None` after `close()`.
    pub fn socket(&self) -> Option<&Socket> {
        self.fd.as_ref()
    }

    /// Whether `call` may wait on this socket (it is open, and the call is
    /// one of those that wait): [`CallSocket::wait_call`] makes it through
    /// a shared borrow, so the socket can be sampled meanwhile.
    pub fn waits(&self, call: &Call) -> bool {
        self.fd.is_some()
            && match call {
                Call::Accept
                | Call::Send { .. }
                | Call::SendAll { .. }
                | Call::SendTo { .. }
                | Call::Recv { .. }
                | Call::RecvFrom { .. } => true,
                Call::Connect(_) | Call::ConnectEx(_) => self.kind.is_connected(),
                Call::Socket { .. }
                | Call::SetSockOpt(_)
                | Call::Bind(_)
                | Call::Listen(_)
                | Call::SetTimeout(_)
                | Call::SetBlocking(_)
                | Call::GetSockName
                | Call::GetPeerName
                | Call::Fileno
                | Call::Shutdown(_)
                | Call::Close
                | Call::Tls(_) => false,
            }
    }

    /// Carries out one call. `data` is what `send`/`sendall`/`sendto`
    /// send (ignored by other calls).
    pub async fn execute(
        &mut self,
        call: &Call,
        data: &[u8],
        gate: (&mut CallGate, u64),
    ) -> Result<Done, CallError> {
        if self.waits(call) {
            return self.wait_call(call, data, gate).await;
        }
        let Some(fd) = &self.fd else { return closed(&mut self.mode, call).map(Done::Value) };
        if *call == Call::Close {
            self.fd = None;
            return Ok(Done::Value(Returned::Nothing));
        }
        // Every other call that does not wait is answered at once; only
        // `socket()` is none of them (it makes a socket, never a call on one).
        let answered = immediate(fd, self.kind, &mut self.mode, call);
        answered.unwrap_or_else(|| Err(CallError::from_errno(libc::EBADF))).map(Done::Value)
    }

    /// A call that may wait (see [`CallSocket::waits`]); anything else, or
    /// a closed socket, is EBADF here.
    pub async fn wait_call(
        &self,
        call: &Call,
        data: &[u8],
        gate: (&mut CallGate, u64),
    ) -> Result<Done, CallError> {
        let Some(fd) = &self.fd else { return Err(CallError::from_errno(libc::EBADF)) };
        let (kind, mode) = (self.kind, self.mode);
        let value = match call {
            Call::Accept => {
                return wait::accept(fd, mode, gate).await.map(|(s, peer)| Done::Accepted(s, peer));
            }
            Call::Connect(addr) | Call::ConnectEx(addr) => {
                let ex = matches!(call, Call::ConnectEx(_));
                connect_ex(ex, wait::connect(fd, addr, mode, gate).await)
            }
            Call::Send { .. } => wait::send(fd, data, mode, gate).await.map(Returned::Count),
            Call::SendAll { .. } => wait::send_all(fd, data, mode, gate).await,
            Call::SendTo { to, .. } => {
                wait::send_to(fd, data, to, mode, gate).await.map(Returned::Count)
            }
            Call::Recv { bufsize } => wait::recv(fd, kind, *bufsize, false, mode, gate).await,
            Call::RecvFrom { bufsize } => wait::recv(fd, kind, *bufsize, true, mode, gate).await,
            Call::Socket { .. }
            | Call::SetSockOpt(_)
            | Call::Bind(_)
            | Call::Listen(_)
            | Call::SetTimeout(_)
            | Call::SetBlocking(_)
            | Call::GetSockName
            | Call::GetPeerName
            | Call::Fileno
            | Call::Shutdown(_)
            | Call::Close => Err(CallError::from_errno(libc::EBADF)),
            // `ssl` calls are the TLS layer's, made by the auto driver.
            Call::Tls(_) => Err(CallError::from_errno(libc::EOPNOTSUPP)),
        };
        value.map(Done::Value)
    }
}

/// A call on a closed socket, as `CPython` answers it: `fileno()` is -1, a
/// second `close()` does nothing, `connect_ex` returns EBADF, and every
/// other call's system call on fd -1 fails with EBADF (`settimeout` records
/// the new timeout first, as `CPython` does, then fails).
fn closed(mode: &mut CallMode, call: &Call) -> Result<Returned, CallError> {
    let ebadf = || CallError::from_errno(libc::EBADF);
    match call {
        Call::Close => Ok(Returned::Nothing),
        Call::Fileno => Ok(Returned::Int(-1)),
        Call::ConnectEx(_) => Ok(Returned::Int(libc::EBADF.into())),
        Call::SetTimeout(_) | Call::SetBlocking(_) => {
            mode.apply(call).map_err(|_| ebadf())?;
            Err(ebadf())
        }
        Call::Socket { .. }
        | Call::SetSockOpt(_)
        | Call::Bind(_)
        | Call::Listen(_)
        | Call::Accept
        | Call::Connect(_)
        | Call::GetSockName
        | Call::GetPeerName
        | Call::Send { .. }
        | Call::SendAll { .. }
        | Call::SendTo { .. }
        | Call::Recv { .. }
        | Call::RecvFrom { .. }
        | Call::Shutdown(_)
        | Call::Tls(_) => Err(ebadf()),
    }
}

/// `connect_ex` returns the errno (0 when connected) where `connect`
/// raises. Its timeout is EWOULDBLOCK, as `CPython`'s `sock_call_ex` reports
/// it; Ctrl-C still raises `KeyboardInterrupt`.
fn connect_ex(ex: bool, result: Result<Returned, CallError>) -> Result<Returned, CallError> {
    if !ex {
        return result;
    }
    match result {
        Ok(_) => Ok(Returned::Int(0)),
        Err(err) if err.is_timeout() => Ok(Returned::Int(libc::EWOULDBLOCK.into())),
        Err(err) => match err.errno {
            Some(errno) => Ok(Returned::Int(errno.into())),
            None => Err(err),
        },
    }
}

fn done(result: std::io::Result<()>) -> Result<Returned, CallError> {
    result.map(|()| Returned::Nothing).map_err(|e| CallError::from_io(&e))
}

/// The calls any open socket answers at once with one system call (or, for
/// `settimeout`/`setblocking`, by changing how later calls wait): used by
/// [`CallSocket::execute`] and by the auto driver's tasks for the calls
/// typed by hand on their sockets. `None` for the calls that wait or that
/// change what the task is (accept, a stream's connect, send, recv, close).
pub(crate) fn immediate(
    socket: &impl AsFd,
    kind: Kind,
    mode: &mut CallMode,
    call: &Call,
) -> Option<Result<Returned, CallError>> {
    let s = SockRef::from(socket);
    Some(match call {
        Call::SetTimeout(_) | Call::SetBlocking(_) => {
            mode.apply(call).map(|()| Returned::Nothing).map_err(|e| CallError::from_io(&e))
        }
        Call::SetSockOpt(opt) => done(match opt {
            SockOpt::ReuseAddr(on) => s.set_reuse_address(*on),
            SockOpt::NoDelay(on) => s.set_tcp_nodelay(*on),
            SockOpt::V6Only(on) => s.set_only_v6(*on),
            SockOpt::LingerZero => s.set_linger(Some(std::time::Duration::ZERO)),
        }),
        Call::Bind(addr) => done(addr.sockaddr().and_then(|a| s.bind(&a))),
        Call::Listen(backlog) => done(s.listen(i32::try_from(*backlog).unwrap_or(i32::MAX))),
        Call::GetSockName => addr_of(s.local_addr()).map(Returned::Addr).map_err(io_error),
        Call::GetPeerName => addr_of(s.peer_addr()).map(Returned::Addr).map_err(io_error),
        Call::Fileno => Ok(Returned::Int(socket.as_fd().as_raw_fd().into())),
        Call::Shutdown(how) => done(s.shutdown(how.std())),
        // A datagram socket's connect only sets its peer: nothing to wait for.
        Call::Connect(addr) | Call::ConnectEx(addr) if !kind.is_connected() => {
            let ex = matches!(call, Call::ConnectEx(_));
            connect_ex(ex, done(addr.sockaddr().and_then(|a| s.connect(&a))))
        }
        Call::Socket { .. }
        | Call::Accept
        | Call::Connect(_)
        | Call::ConnectEx(_)
        | Call::Send { .. }
        | Call::SendAll { .. }
        | Call::SendTo { .. }
        | Call::Recv { .. }
        | Call::RecvFrom { .. }
        | Call::Close
        | Call::Tls(_) => return None,
    })
}

/// What a task the auto driver runs does with a call typed by hand that it
/// does not make itself.
pub(crate) enum ByHand {
    /// Report this result; the socket goes on.
    Answer(Result<Returned, CallError>),
    /// `close()`: the task ends, reporting the call.
    Close,
}

/// A call typed by hand on a socket the auto driver runs (F7 on a live
/// session): answered with the real system call, never dropped. The calls
/// that would wait and that the task does not make itself (a listener's
/// `recv`, a connection's `accept`) cannot succeed on that socket: one
/// non-blocking attempt gives the kernel's refusal (ENOTCONN, EINVAL, ...).
pub(crate) fn by_hand(socket: &impl AsFd, kind: Kind, mode: &mut CallMode, call: &Call) -> ByHand {
    if let Some(result) = immediate(socket, kind, mode, call) {
        return ByHand::Answer(result);
    }
    let s = SockRef::from(socket);
    let once = |r: std::io::Result<()>| ByHand::Answer(done(r));
    match call {
        Call::Close => ByHand::Close,
        Call::Accept => once(s.accept().map(drop)),
        Call::Connect(addr) | Call::ConnectEx(addr) => {
            let ex = matches!(call, Call::ConnectEx(_));
            ByHand::Answer(connect_ex(ex, done(addr.sockaddr().and_then(|a| s.connect(&a)))))
        }
        Call::Recv { .. } | Call::RecvFrom { .. } => {
            let mut peek = [0u8; 1];
            let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
            once(crate::net::kernel::sys::recv_from(socket.as_fd(), &mut peek, flags).map(drop))
        }
        Call::Send { .. } | Call::SendAll { .. } => once(s.send(&[]).map(drop)),
        Call::SendTo { to, .. } => once(to.sockaddr().and_then(|a| s.send_to(&[], &a)).map(drop)),
        Call::Socket { .. }
        | Call::SetSockOpt(_)
        | Call::Bind(_)
        | Call::Listen(_)
        | Call::SetTimeout(_)
        | Call::SetBlocking(_)
        | Call::GetSockName
        | Call::GetPeerName
        | Call::Fileno
        | Call::Shutdown(_) => ByHand::Answer(Err(CallError::from_errno(libc::EBADF))),
        Call::Tls(_) => ByHand::Answer(Err(CallError::from_errno(libc::EOPNOTSUPP))),
    }
}

#[expect(clippy::needless_pass_by_value, reason = "the shape `map_err` takes")]
fn io_error(err: std::io::Error) -> CallError {
    CallError::from_io(&err)
}
