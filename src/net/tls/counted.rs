//! The handshake's bytes on the wire: tokio-rustls drives the handshake
//! over this wrapper of the connection's `TcpStream`, which counts what
//! passes, so the panel's "on the wire" figure includes the hellos and
//! certificates and not only the records after them.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A borrowed stream and the bytes read from and written to it.
pub(crate) struct Counted<'a> {
    pub tcp: &'a mut TcpStream,
    pub sent: u64,
    pub received: u64,
}

impl<'a> Counted<'a> {
    pub fn new(tcp: &'a mut TcpStream) -> Self {
        Self { tcp, sent: 0, received: 0 }
    }
}

impl AsyncRead for Counted<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut *self.tcp).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            self.received += (buf.filled().len() - before) as u64;
        }
        polled
    }
}

impl AsyncWrite for Counted<'_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut *self.tcp).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = polled {
            self.sent += n as u64;
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.tcp).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.tcp).poll_shutdown(cx)
    }
}
