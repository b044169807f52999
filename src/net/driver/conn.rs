//! Connection-oriented sockets of either family behind one face, so the
//! listener and connection tasks are written once: TCP, and `AF_UNIX`
//! stream and seqpacket.
//!
//! A `SOCK_SEQPACKET` socket rides in tokio's `UnixStream`/`UnixListener`:
//! tokio only registers the fd with epoll and calls `read`/`write`/`accept4`
//! on it, which the kernel answers one whole message at a time for this
//! type. Sends are atomic for seqpacket (all or `EAGAIN`), so a partial
//! write never splits a message.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use socket2::{SockRef, Socket};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

use crate::net::event::Kind;
use crate::net::sockaddr::Addr;

/// One connected socket.
#[derive(Debug)]
pub(crate) enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Conn {
    /// Waits until a read may succeed.
    pub async fn readable(&self) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.readable().await,
            Self::Unix(s) => s.readable().await,
        }
    }

    /// Waits until a write may succeed.
    pub async fn writable(&self) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.writable().await,
            Self::Unix(s) => s.writable().await,
        }
    }

    /// One non-blocking read; `WouldBlock` clears tokio's readiness.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.try_read(buf),
            Self::Unix(s) => s.try_read(buf),
        }
    }

    /// One non-blocking read into spare capacity, without zeroing it first.
    pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.try_read_buf(buf),
            Self::Unix(s) => s.try_read_buf(buf),
        }
    }

    /// Whether a read would return something now (data or EOF), without
    /// taking it: one `recv(MSG_PEEK)` of a byte; `WouldBlock` clears
    /// tokio's readiness, so a wake-up with nothing to read waits again.
    pub fn try_peek(&self) -> io::Result<usize> {
        let peek = || SockRef::from(self).peek(&mut [std::mem::MaybeUninit::uninit(); 1]);
        match self {
            Self::Tcp(s) => s.try_io(tokio::io::Interest::READABLE, peek),
            Self::Unix(s) => s.try_io(tokio::io::Interest::READABLE, peek),
        }
    }

    /// One non-blocking write; `WouldBlock` clears tokio's readiness.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.try_write(buf),
            Self::Unix(s) => s.try_write(buf),
        }
    }

    /// `getsockname()`.
    pub fn local(&self) -> io::Result<Addr> {
        addr_of(SockRef::from(self).local_addr())
    }

    /// `getpeername()`.
    pub fn peer(&self) -> io::Result<Addr> {
        addr_of(SockRef::from(self).peer_addr())
    }

    /// Stream or seqpacket (TCP is a stream: no `getsockopt` to ask).
    pub fn kind(&self) -> Kind {
        match self {
            Self::Tcp(_) => Kind::Stream,
            Self::Unix(s) => kind_of(s),
        }
    }

    /// The TCP stream, for what only TCP has (`TCP_NODELAY`).
    pub fn tcp(&self) -> Option<&TcpStream> {
        match self {
            Self::Tcp(s) => Some(s),
            Self::Unix(_) => None,
        }
    }
}

impl AsFd for Conn {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Self::Tcp(s) => s.as_fd(),
            Self::Unix(s) => s.as_fd(),
        }
    }
}

/// One listening socket.
#[derive(Debug)]
pub(crate) enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener),
}

impl Listener {
    /// Waits for the next connection.
    pub async fn accept(&self) -> io::Result<(Conn, Addr)> {
        match self {
            Self::Tcp(l) => l.accept().await.map(|(s, peer)| (Conn::Tcp(s), Addr::Inet(peer))),
            Self::Unix(l) => {
                let (s, peer) = l.accept().await?;
                Ok((Conn::Unix(s), Addr::from_tokio_unix(&peer)))
            }
        }
    }

    /// Takes an accepted socket of the listener's own kind into tokio.
    pub fn adopt(&self, socket: Socket) -> io::Result<Conn> {
        socket.set_nonblocking(true)?;
        match self {
            Self::Tcp(_) => TcpStream::from_std(socket.into()).map(Conn::Tcp),
            Self::Unix(_) => UnixStream::from_std(socket.into()).map(Conn::Unix),
        }
    }

    /// `getsockname()`.
    pub fn local(&self) -> io::Result<Addr> {
        addr_of(SockRef::from(self).local_addr())
    }

    /// Stream or seqpacket (TCP is a stream: no `getsockopt` to ask).
    pub fn kind(&self) -> Kind {
        match self {
            Self::Tcp(_) => Kind::Stream,
            Self::Unix(l) => kind_of(l),
        }
    }

    /// The local address every connection it accepts has, when that is
    /// known without asking: a TCP listener bound to one address (not
    /// `0.0.0.0` or `::`, where each connection's own address differs).
    pub fn accepted_local(&self) -> Option<Addr> {
        match (self, self.local()) {
            (Self::Tcp(_), Ok(Addr::Inet(a))) if !a.ip().is_unspecified() => Some(Addr::Inet(a)),
            _ => None,
        }
    }
}

/// The socket's type as the kernel has it (`SO_TYPE`).
fn kind_of(socket: &impl AsFd) -> Kind {
    match SockRef::from(socket).r#type() {
        Ok(ty) if ty == socket2::Type::SEQPACKET => Kind::SeqPacket,
        _ => Kind::Stream,
    }
}

impl AsRawFd for Conn {
    fn as_raw_fd(&self) -> RawFd {
        self.as_fd().as_raw_fd()
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Self::Tcp(l) => l.as_fd(),
            Self::Unix(l) => l.as_fd(),
        }
    }
}

/// A kernel address as sockpit's, or `EAFNOSUPPORT` for a family it does
/// not speak.
pub(crate) fn addr_of(addr: io::Result<socket2::SockAddr>) -> io::Result<Addr> {
    Addr::from_sockaddr(&addr?).ok_or_else(|| io::Error::from_raw_os_error(libc::EAFNOSUPPORT))
}
