//! The harness's own peer on the sockpit side: plain tokio sockets doing
//! what cpython.py's `peer` does with Python's sockets. Not under test; every
//! wait is bounded by the call limit.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use sockpit::net::{Addr, UnixName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixStream};

use super::render;
use super::script::Op;

/// The peer's connection: TCP, or `AF_UNIX` when it connected to a path.
enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Conn {
    /// Connects to `to`; a Unix address must be a path.
    async fn connect(to: &Addr) -> std::io::Result<Self> {
        match to {
            Addr::Inet(a) => TcpStream::connect(a).await.map(Self::Tcp),
            Addr::Unix(UnixName::Path(p)) => UnixStream::connect(p).await.map(Self::Unix),
            Addr::Unix(_) => Err(std::io::Error::from_raw_os_error(libc::EINVAL)),
        }
    }

    fn io(&mut self) -> &mut (dyn Io + Send) {
        match self {
            Self::Tcp(s) => s,
            Self::Unix(s) => s,
        }
    }

    fn sock(&self) -> socket2::SockRef<'_> {
        match self {
            Self::Tcp(s) => socket2::SockRef::from(s),
            Self::Unix(s) => socket2::SockRef::from(s),
        }
    }
}

/// What the peer does with a connection of either family.
trait Io: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Io for T {}

/// The peer's sockets in one script.
#[derive(Default)]
pub struct Peer {
    listener: Option<TcpListener>,
    conn: Option<Conn>,
    udp: Option<UdpSocket>,
    /// `PEER`: the address of the newest listener or UDP socket.
    pub addr: Option<SocketAddr>,
}

/// The peer waited longer than the limit: the script stops here.
pub struct PeerStall;

/// Where the peer binds its sockets.
const LOCAL: &str = "127.0.0.1:0";

/// The line for an action on a peer socket that does not exist.
fn missing(what: &str) -> String {
    format!("RuntimeError: harness: peer has no {what}")
}

/// `op`'s future, bounded: its own result line, or a stall.
async fn bounded<T>(
    limit: Duration,
    work: impl Future<Output = std::io::Result<T>>,
    show: impl FnOnce(T) -> String,
) -> Result<String, PeerStall> {
    match tokio::time::timeout(limit, work).await {
        Err(_) => Err(PeerStall),
        Ok(Ok(value)) => Ok(show(value)),
        Ok(Err(err)) => Ok(render::io_error(&err)),
    }
}

impl Peer {
    /// Does one peer action; `to` is the resolved address for `connect` and
    /// `sendto`. Returns the normalised line, as cpython.py prints it.
    pub async fn act(
        &mut self,
        op: &Op,
        to: Option<Addr>,
        limit: Duration,
    ) -> Result<String, PeerStall> {
        let none = |()| "None".to_string();
        match op {
            Op::PeerListen => {
                let listener = match TcpListener::bind(LOCAL).await {
                    Ok(l) => l,
                    Err(err) => return Ok(render::io_error(&err)),
                };
                self.addr = listener.local_addr().ok();
                self.listener = Some(listener);
                Ok("None".into())
            }
            Op::PeerUdp => {
                let udp = match UdpSocket::bind(LOCAL).await {
                    Ok(u) => u,
                    Err(err) => return Ok(render::io_error(&err)),
                };
                self.addr = udp.local_addr().ok();
                self.udp = Some(udp);
                Ok("None".into())
            }
            Op::PeerAccept => {
                let Some(listener) = &self.listener else { return Ok(missing("listener")) };
                let (conn, from) = match tokio::time::timeout(limit, listener.accept()).await {
                    Err(_) => return Err(PeerStall),
                    Ok(Err(err)) => return Ok(render::io_error(&err)),
                    Ok(Ok(accepted)) => accepted,
                };
                self.conn = Some(Conn::Tcp(conn));
                Ok(format!("(sock, {})", render::inet(from)))
            }
            Op::PeerConnect { .. } => {
                let Some(to) = to else { return Ok(missing("address")) };
                let conn = match tokio::time::timeout(limit, Conn::connect(&to)).await {
                    Err(_) => return Err(PeerStall),
                    Ok(Err(err)) => return Ok(render::io_error(&err)),
                    Ok(Ok(conn)) => conn,
                };
                self.conn = Some(conn);
                Ok("None".into())
            }
            Op::PeerSend { data } => {
                let Some(conn) = &mut self.conn else { return Ok(missing("conn")) };
                bounded(limit, conn.io().write_all(data), none).await
            }
            Op::PeerSendto { data, .. } => {
                let Some(udp) = &self.udp else { return Ok(missing("udp")) };
                let Some(Addr::Inet(to)) = to else { return Ok(missing("address")) };
                bounded(limit, udp.send_to(data, to), |n| n.to_string()).await
            }
            Op::PeerRecv => {
                let mut buf = vec![0; 1024];
                let show = |buf: &[u8], n: usize| render::py_bytes_repr(&buf[..n]);
                if let Some(conn) = &mut self.conn {
                    let n = match tokio::time::timeout(limit, conn.io().read(&mut buf)).await {
                        Err(_) => return Err(PeerStall),
                        Ok(Err(err)) => return Ok(render::io_error(&err)),
                        Ok(Ok(n)) => n,
                    };
                    return Ok(show(&buf, n));
                }
                let Some(udp) = &self.udp else { return Ok(missing("udp")) };
                match tokio::time::timeout(limit, udp.recv(&mut buf)).await {
                    Err(_) => Err(PeerStall),
                    Ok(Err(err)) => Ok(render::io_error(&err)),
                    Ok(Ok(n)) => Ok(show(&buf, n)),
                }
            }
            Op::PeerRecvfrom => {
                let Some(udp) = &self.udp else { return Ok(missing("udp")) };
                let mut buf = vec![0; 1024];
                match tokio::time::timeout(limit, udp.recv_from(&mut buf)).await {
                    Err(_) => Err(PeerStall),
                    Ok(Err(err)) => Ok(render::io_error(&err)),
                    Ok(Ok((n, from))) => Ok(format!(
                        "({}, {})",
                        render::py_bytes_repr(&buf[..n]),
                        render::inet(from)
                    )),
                }
            }
            Op::PeerClose | Op::PeerReset => Ok(self.close(matches!(op, Op::PeerReset))),
            Op::PeerShutdownWr => {
                let Some(conn) = &mut self.conn else { return Ok(missing("conn")) };
                bounded(limit, conn.io().shutdown(), none).await
            }
            other => Ok(format!("RuntimeError: harness: not a peer action: {other:?}")),
        }
    }

    /// Closes the connection, else the UDP socket, else the listener; with
    /// `reset`, `SO_LINGER` 0 first so a connection ends with RST.
    fn close(&mut self, reset: bool) -> String {
        let linger = |sock: socket2::SockRef<'_>| {
            if reset { sock.set_linger(Some(Duration::ZERO)).err() } else { None }
        };
        let failed = if let Some(conn) = self.conn.take() {
            linger(conn.sock())
        } else if let Some(udp) = self.udp.take() {
            linger(socket2::SockRef::from(&udp))
        } else if let Some(listener) = self.listener.take() {
            linger(socket2::SockRef::from(&listener))
        } else {
            return "RuntimeError: harness: peer has nothing to close".into();
        };
        failed.map_or_else(|| "None".into(), |err| render::io_error(&err))
    }
}
