//! Datagram sockets of either family behind one face, so the datagram task
//! is written once: UDP, and `AF_UNIX` `SOCK_DGRAM`.

use std::io;
use std::os::fd::{AsFd, BorrowedFd};

use socket2::SockRef;
use tokio::io::{Interest, Ready};
use tokio::net::{UdpSocket, UnixDatagram};

use crate::net::sockaddr::Addr;

/// One datagram socket.
#[derive(Debug)]
pub(crate) enum Dgram {
    Udp(UdpSocket),
    Unix(UnixDatagram),
}

impl Dgram {
    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        match self {
            Self::Udp(s) => s.ready(interest).await,
            Self::Unix(s) => s.ready(interest).await,
        }
    }

    /// One non-blocking `recvfrom`.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, Addr)> {
        match self {
            Self::Udp(s) => s.try_recv_from(buf).map(|(n, from)| (n, Addr::Inet(from))),
            Self::Unix(s) => {
                s.try_recv_from(buf).map(|(n, from)| (n, Addr::from_tokio_unix(&from)))
            }
        }
    }

    /// `send` on a connected socket.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Udp(s) => s.send(buf).await,
            Self::Unix(s) => s.send(buf).await,
        }
    }

    /// `sendto`; an address of the other family is `EAFNOSUPPORT`, as the
    /// kernel would say.
    pub async fn send_to(&self, buf: &[u8], to: &Addr) -> io::Result<usize> {
        match (self, to) {
            (Self::Udp(s), Addr::Inet(to)) => s.send_to(buf, to).await,
            (Self::Unix(s), Addr::Unix(name)) => {
                // tokio's own send_to takes paths only: abstract names go
                // through socket2, on tokio's readiness.
                let to = name.sockaddr()?;
                s.async_io(Interest::WRITABLE, || SockRef::from(s).send_to(buf, &to)).await
            }
            _ => Err(io::Error::from_raw_os_error(libc::EAFNOSUPPORT)),
        }
    }

    /// `SO_ERROR`: an error the kernel queued (ICMP port unreachable).
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self {
            Self::Udp(s) => s.take_error(),
            Self::Unix(s) => s.take_error(),
        }
    }

    /// Clears tokio's cached ERROR readiness once the error is taken, or the
    /// next wait would return at once.
    pub fn clear_error_readiness(&self) {
        let would_block = || Err::<(), _>(io::ErrorKind::WouldBlock.into());
        let _ = match self {
            Self::Udp(s) => s.try_io(Interest::ERROR, would_block),
            Self::Unix(s) => s.try_io(Interest::ERROR, would_block),
        };
    }
}

impl AsFd for Dgram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Self::Udp(s) => s.as_fd(),
            Self::Unix(s) => s.as_fd(),
        }
    }
}
