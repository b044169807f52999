//! The calls that may wait — `accept`, a stream's `connect`, `send`,
//! `sendall`, `sendto`, `recv`, `recvfrom` — each one real system call on
//! the non-blocking socket, then, when the kernel says it would block, a
//! wait for readiness as Python's blocking mode or timeout says (see
//! [`blocking::call`]). Each wait registers the fd afresh (see
//! [`sys::wait`]) and every wake-up is followed by a new attempt, so a
//! stale wake-up costs one retry, never a spin or a lost wake-up.

use std::io;

use bytes::Bytes;
use socket2::Socket;
use tokio::io::Interest;

use crate::net::CallError;
use crate::net::event::{Kind, Returned};
use crate::net::kernel::sys;
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::{self, CallGate, CallMode};

/// Largest buffer a `recv(bufsize)` allocates: a student's `/recv 1000000000`
/// must not take a gigabyte (no socket here holds more than this at once).
const MAX_RECV: usize = 1 << 20;

/// Waits until `interest` may be ready, then forgets the readiness so the
/// next attempt decides; `None` tells [`blocking::call`] to attempt again.
/// An error queued on the socket (`POLLERR`) wakes every wait, as it wakes
/// `CPython`'s `poll()`: the next attempt then raises it or answers.
async fn ready<T>(fd: &Socket, interest: Interest) -> io::Result<Option<T>> {
    use std::os::fd::AsFd as _;
    sys::wait(fd.as_fd(), interest.add(Interest::ERROR)).await.map(|_| None)
}

/// `accept()`: the new connection and its peer.
pub(super) async fn accept(
    fd: &Socket,
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<(Socket, Addr), CallError> {
    let attempt = || {
        let (socket, addr) = fd.accept()?;
        let peer = Addr::from_sockaddr(&addr)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EAFNOSUPPORT))?;
        Ok((socket, peer))
    };
    blocking::call(mode, gate, attempt, || ready(fd, Interest::READABLE)).await
}

/// A stream's `connect(addr)`: started at once; a blocking call waits for
/// the handshake (its timeout, Ctrl-C), a non-blocking one raises
/// EINPROGRESS and the kernel goes on by itself, as in `CPython`.
pub(super) async fn connect(
    fd: &Socket,
    addr: &Addr,
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<Returned, CallError> {
    let to = addr.sockaddr().map_err(|e| CallError::from_io(&e))?;
    match fd.connect(&to) {
        Ok(()) => return Ok(Returned::Nothing),
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(CallError::from_io(&e)),
    }
    if mode.non_blocking() {
        return Err(CallError::from_errno(libc::EINPROGRESS));
    }
    if mode.timeout.is_some() {
        // CPython under a timeout: wait, then read the outcome (SO_ERROR).
        let attempt = || handshake_over(fd);
        blocking::call(mode, gate, attempt, || ready(fd, Interest::WRITABLE)).await?;
        return Ok(Returned::Nothing);
    }
    // The kernel's own blocking connect: wait, then connect() again, which
    // completes the socket's state as a blocking call does: connected (a
    // later connect is EISCONN), or refused and disconnected (its address
    // back to 0.0.0.0, so a retry may connect).
    let attempt = || match fd.connect(&to) {
        Err(e) if e.raw_os_error() == Some(libc::EALREADY) => Err(io::ErrorKind::WouldBlock.into()),
        other => other,
    };
    blocking::call(mode, gate, attempt, || ready(fd, Interest::WRITABLE)).await?;
    Ok(Returned::Nothing)
}

/// Whether a connect in progress is over: its error (`SO_ERROR`), done
/// (a peer address), or still going (`WouldBlock`).
fn handshake_over(socket: &Socket) -> io::Result<()> {
    if let Some(err) = socket.take_error()? {
        return Err(err);
    }
    match socket.peer_addr() {
        Ok(_) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => Err(io::ErrorKind::WouldBlock.into()),
        Err(e) => Err(e),
    }
}

/// `send(data)`: the bytes the kernel took. Blocking without a timeout, a
/// stream send takes everything (as the kernel's blocking send does);
/// under a timeout it is one partial write, as in `CPython`.
pub(super) async fn send(
    fd: &Socket,
    data: &[u8],
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<usize, CallError> {
    let whole = mode.timeout.is_none();
    let mut sent = 0;
    loop {
        let rest = &data[sent..];
        let attempt = || fd.send(rest);
        let n =
            blocking::call(mode, (&mut *gate.0, gate.1), attempt, || ready(fd, Interest::WRITABLE))
                .await?;
        sent += n;
        if !whole || sent >= data.len() || n == 0 {
            return Ok(sent);
        }
    }
}

/// `sendall(data)`: every byte or an exception; a timeout bounds the whole
/// call (`CPython` since 3.5).
pub(super) async fn send_all(
    fd: &Socket,
    data: &[u8],
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<Returned, CallError> {
    let deadline = mode.deadline();
    let (gate, seq) = gate;
    let mut sent = 0;
    loop {
        let left = deadline.map(|at| at.saturating_duration_since(tokio::time::Instant::now()));
        if left.is_some_and(|d| d.is_zero()) && !mode.non_blocking() {
            return Err(CallError::timeout());
        }
        let step = CallMode { timeout: left.or(mode.timeout) };
        let rest = &data[sent..];
        let attempt = || fd.send(rest);
        sent += blocking::call(step, (&mut *gate, seq), attempt, || ready(fd, Interest::WRITABLE))
            .await?;
        if sent >= data.len() {
            return Ok(Returned::Nothing);
        }
    }
}

/// `sendto(data, addr)`: one datagram (or, on a stream, what `send` does).
pub(super) async fn send_to(
    fd: &Socket,
    data: &[u8],
    to: &Addr,
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<usize, CallError> {
    let to = to.sockaddr().map_err(|e| CallError::from_io(&e))?;
    let attempt = || fd.send_to(data, &to);
    blocking::call(mode, gate, attempt, || ready(fd, Interest::WRITABLE)).await
}

/// `recv(bufsize)` / `recvfrom(bufsize)`. A datagram longer than `bufsize`
/// is cut as the kernel cuts it, and its full length reported; `recvfrom`
/// on a stream has no address (Python's `None`).
pub(super) async fn recv(
    fd: &Socket,
    kind: Kind,
    bufsize: usize,
    from: bool,
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<Returned, CallError> {
    let mut buf = vec![0; bufsize.min(MAX_RECV)];
    let flags = if kind.is_connected() { 0 } else { libc::MSG_TRUNC };
    // A datagram socket shut for reading is readable for poll while recv
    // still says EAGAIN: the kernel's blocking recv returns 0 bytes then.
    let shut = std::sync::atomic::AtomicBool::new(false);
    let attempt = || {
        use std::os::fd::AsFd as _;
        match sys::recv_from(fd.as_fd(), &mut buf, flags) {
            Ok((n, from)) => Ok((n, Some(from))),
            Err(e)
                if e.kind() == io::ErrorKind::WouldBlock
                    && shut.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                Ok((0, None))
            }
            Err(e) => Err(e),
        }
    };
    // ERROR too: a connected UDP socket's ICMP port-unreachable wakes only
    // that, and the next recv raises it (ECONNREFUSED).
    let interest = Interest::READABLE.add(Interest::ERROR);
    let ready = || async {
        use std::os::fd::AsFd as _;
        let ready = sys::wait(fd.as_fd(), interest).await?;
        if ready.is_read_closed() && !kind.is_connected() {
            if mode.timeout.is_some() {
                // CPython polls, gets EAGAIN, polls again: until its timeout.
                std::future::pending::<()>().await;
            }
            shut.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(None)
    };
    let (n, sender) = blocking::call(mode, gate, attempt, ready).await?;
    let kept = n.min(buf.len());
    buf.truncate(kept);
    let truncated = (n > kept).then_some(n);
    let sender = if from { sender.and_then(|a| Addr::from_sockaddr(&a)) } else { None };
    Ok(Returned::Data { data: Bytes::from(buf), from: sender, truncated })
}
