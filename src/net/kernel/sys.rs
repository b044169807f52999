//! The one place that calls the C library directly: the figures no crate
//! exposes safely (`TCP_INFO`, the kernel's queue sizes, the `O_NONBLOCK`
//! flag, a socket's inode), a `read` into spare capacity, a `recvfrom` into
//! a plain buffer, and a wait on a borrowed fd through tokio's reactor. Each
//! wrapper takes a borrowed fd, so the fd is open for the whole call, and
//! checks what the kernel returned.
//!
//! Linux-only figures are behind `cfg(target_os = "linux")`; elsewhere the
//! wrappers answer `Unsupported` and the sample shows those rows as absent.
#![expect(
    unsafe_code,
    reason = "the safe wrappers around getsockopt/ioctl/fcntl/fstat/read/recvfrom and reactor registration live here"
)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// The part of the kernel's `struct tcp_info` (include/uapi/linux/tcp.h)
/// that sockpit shows, laid out exactly as the kernel writes it. Fields past
/// `total_retrans` arrived in later kernels: `len` says how much was filled.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpInfo {
    pub state: u8,
    pub ca_state: u8,
    pub retransmits: u8,
    pub probes: u8,
    pub backoff: u8,
    pub options: u8,
    pub wscale: u8,
    pub app_limited: u8,
    pub rto: u32,
    pub ato: u32,
    pub snd_mss: u32,
    pub rcv_mss: u32,
    /// On a LISTEN socket: connections waiting in the accept queue.
    pub unacked: u32,
    /// On a LISTEN socket: the backlog.
    pub sacked: u32,
    pub lost: u32,
    pub retrans: u32,
    pub fackets: u32,
    pub last_data_sent: u32,
    pub last_ack_sent: u32,
    pub last_data_recv: u32,
    pub last_ack_recv: u32,
    pub pmtu: u32,
    pub rcv_ssthresh: u32,
    pub rtt: u32,
    pub rttvar: u32,
    pub snd_ssthresh: u32,
    pub snd_cwnd: u32,
    pub advmss: u32,
    pub reordering: u32,
    pub rcv_rtt: u32,
    pub rcv_space: u32,
    pub total_retrans: u32,
    pub pacing_rate: u64,
    pub max_pacing_rate: u64,
    pub bytes_acked: u64,
    pub bytes_received: u64,
    pub segs_out: u32,
    pub segs_in: u32,
    pub notsent_bytes: u32,
    pub min_rtt: u32,
    pub data_segs_in: u32,
    pub data_segs_out: u32,
    pub delivery_rate: u64,
}

/// Bytes of `TcpInfo` up to and including `total_retrans`: every kernel
/// since 2.6 fills at least this much.
pub const TCP_INFO_BASE_LEN: usize = 104;
/// Bytes up to and including `segs_in` (Linux 4.2).
pub const TCP_INFO_SEGS_LEN: usize = 144;
/// Bytes up to and including `delivery_rate` (Linux 4.9).
pub const TCP_INFO_RATE_LEN: usize = 168;

const _: () = assert!(size_of::<TcpInfo>() == TCP_INFO_RATE_LEN);

/// `getsockopt(fd, IPPROTO_TCP, TCP_INFO)`; also returns how many bytes the
/// kernel filled (fields past that are zero and must not be shown).
#[cfg(target_os = "linux")]
pub fn tcp_info(fd: BorrowedFd<'_>) -> io::Result<(TcpInfo, usize)> {
    let mut info = TcpInfo::default();
    let mut len = libc::socklen_t::try_from(size_of::<TcpInfo>()).unwrap_or(0);
    // SAFETY: `info` is a live, writable, repr(C) buffer of `len` bytes, and
    // the kernel writes at most `len` bytes into it (and lowers `len` to what
    // it wrote); `fd` is borrowed, hence open, for the call.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&raw mut info).cast(),
            &raw mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    let len = len as usize;
    if len < TCP_INFO_BASE_LEN {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "short TCP_INFO"));
    }
    Ok((info, len))
}

/// `TCP_INFO` is Linux's.
#[cfg(not(target_os = "linux"))]
pub fn tcp_info(_fd: BorrowedFd<'_>) -> io::Result<(TcpInfo, usize)> {
    Err(io::ErrorKind::Unsupported.into())
}

/// One `ioctl(fd, request, &int)` that reports a count.
#[cfg(target_os = "linux")]
fn ioctl_count(fd: BorrowedFd<'_>, request: libc::Ioctl) -> io::Result<u32> {
    let mut value: libc::c_int = 0;
    // SAFETY: SIOCINQ and SIOCOUTQ write one `int` through the pointer, which
    // points at a live local `c_int`; `fd` is borrowed, hence open.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), request, &raw mut value) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    u32::try_from(value).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "negative count"))
}

/// `ioctl(SIOCINQ)`: bytes in the receive queue (TCP), or the size of the
/// next datagram (UDP). EINVAL on a listening socket.
#[cfg(target_os = "linux")]
pub fn inq(fd: BorrowedFd<'_>) -> io::Result<u32> {
    // SIOCINQ is defined as FIONREAD in <linux/sockios.h>.
    ioctl_count(fd, libc::FIONREAD)
}

/// `ioctl(SIOCOUTQ)`: bytes sent but not yet acknowledged plus bytes not yet
/// sent. EINVAL on a listening socket.
#[cfg(target_os = "linux")]
pub fn outq(fd: BorrowedFd<'_>) -> io::Result<u32> {
    // SIOCOUTQ is defined as TIOCOUTQ in <linux/sockios.h>.
    ioctl_count(fd, libc::TIOCOUTQ)
}

/// The queue ioctls are Linux's.
#[cfg(not(target_os = "linux"))]
pub fn inq(_fd: BorrowedFd<'_>) -> io::Result<u32> {
    Err(io::ErrorKind::Unsupported.into())
}

/// The queue ioctls are Linux's.
#[cfg(not(target_os = "linux"))]
pub fn outq(_fd: BorrowedFd<'_>) -> io::Result<u32> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether `O_NONBLOCK` is set (`fcntl(F_GETFL)`).
pub fn is_nonblocking(fd: BorrowedFd<'_>) -> io::Result<bool> {
    // SAFETY: F_GETFL takes no argument and only reads the fd's flags; `fd`
    // is borrowed, hence open.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(flags & libc::O_NONBLOCK != 0)
}

/// The socket's inode number (`fstat`), the key `NETLINK_SOCK_DIAG` reports
/// sockets by: it tells our sockets from the ones without an fd.
pub fn inode(fd: BorrowedFd<'_>) -> io::Result<u64> {
    let mut stat = std::mem::MaybeUninit::<libc::stat>::zeroed();
    // SAFETY: `stat` points at writable memory the size of `struct stat`,
    // which fstat fills on success; `fd` is borrowed, hence open.
    let rc = unsafe { libc::fstat(fd.as_raw_fd(), stat.as_mut_ptr()) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fstat returned 0, so it initialised the whole struct (and it
    // was zeroed before, so every byte is initialised either way).
    let stat = unsafe { stat.assume_init() };
    Ok(stat.st_ino)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream, UdpSocket};
    use std::os::fd::AsFd;

    use super::*;

    #[test]
    fn tcp_info_and_queues_of_a_real_connection() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let (info, len) = tcp_info(server.as_fd()).unwrap();
        assert_eq!(info.state, 1, "ESTABLISHED");
        assert!(len >= TCP_INFO_RATE_LEN, "this kernel fills {len} bytes");
        assert!(info.snd_cwnd > 0);
        client.write_all(b"hello").unwrap();
        // The bytes cross loopback asynchronously: poll with a deadline.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while inq(server.as_fd()).unwrap() != 5 {
            assert!(std::time::Instant::now() < deadline, "5 bytes never queued");
            std::thread::yield_now();
        }
        assert!(outq(client.as_fd()).unwrap() <= 5);
        let (listening, _) = tcp_info(listener.as_fd()).unwrap();
        assert_eq!(listening.state, 10, "LISTEN");
        assert_eq!(inq(listener.as_fd()).unwrap_err().raw_os_error(), Some(libc::EINVAL));
    }

    #[test]
    fn udp_inq_is_the_next_datagram() {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        b.send_to(b"abc", a.local_addr().unwrap()).unwrap();
        b.send_to(b"defgh", a.local_addr().unwrap()).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while inq(a.as_fd()).unwrap() == 0 {
            assert!(std::time::Instant::now() < deadline, "datagram never queued");
            std::thread::yield_now();
        }
        assert_eq!(inq(a.as_fd()).unwrap(), 3);
    }

    #[test]
    fn nonblocking_flag_and_inode() {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(!is_nonblocking(s.as_fd()).unwrap());
        s.set_nonblocking(true).unwrap();
        assert!(is_nonblocking(s.as_fd()).unwrap());
        let other = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_ne!(inode(s.as_fd()).unwrap(), inode(other.as_fd()).unwrap());
    }
}

/// `read(2)` of at most `max` bytes into the spare capacity of `buf`, which
/// then grows by what was read: no zeroing and no copy, so stdin's bytes
/// can be split off and sent as they are. Reserve room first.
pub fn read_spare(fd: BorrowedFd<'_>, buf: &mut bytes::BytesMut, max: usize) -> io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    let len = spare.len().min(max);
    // SAFETY: `spare` is memory owned by `buf`, writable for `len` bytes for
    // the whole call; read(2) writes at most `len` bytes there.
    let rc = unsafe { libc::read(fd.as_raw_fd(), spare.as_mut_ptr().cast(), len) };
    let n = usize::try_from(rc).map_err(|_| io::Error::last_os_error())?;
    // SAFETY: read(2) returned `n` <= `len`: it initialised that many bytes
    // right after the current length.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// `recvfrom(2)` into `buf` with `flags`: the byte count the kernel returns
/// (with `MSG_TRUNC` on a datagram socket, the datagram's full length even
/// when `buf` was shorter; never pass it for a stream, where it discards
/// data) and the sender's address (`AF_UNSPEC` on a connection-oriented
/// socket: TCP reports none).
pub fn recv_from(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    flags: i32,
) -> io::Result<(usize, socket2::SockAddr)> {
    // SAFETY: `buf` is writable for `buf.len()` bytes for the whole call and
    // recvfrom writes at most that many. `storage` is zeroed storage the
    // size of `sockaddr_storage` with `len` set to that size, as `try_init`
    // gives it: the kernel writes at most that much, every family's address
    // fits, and an address it does not write (TCP) reads as AF_UNSPEC. `fd`
    // is borrowed, hence open.
    unsafe {
        socket2::SockAddr::try_init(|storage, len| {
            let rc = libc::recvfrom(
                fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                flags,
                storage.cast(),
                len,
            );
            usize::try_from(rc).map_err(|_| io::Error::last_os_error())
        })
    }
}

/// Waits until the socket may be ready for `interest` (readable,
/// writable, or an error queued). The fd must not be registered with the
/// reactor already (a tokio socket's is: EEXIST); it is registered for this
/// wait only: a registration made now sees the socket's state now
/// (a socket registered before `listen()` would keep the hang-up an
/// unconnected socket reports, and wake at once forever after).
pub(crate) async fn wait(
    fd: BorrowedFd<'_>,
    interest: tokio::io::Interest,
) -> io::Result<tokio::io::Ready> {
    use tokio::io::Interest;
    let all = Interest::READABLE.add(Interest::WRITABLE).add(Interest::ERROR);
    // SAFETY: the registration lives in this future, which borrows `fd`
    // for its whole life: the fd stays open and the same until the
    // `AsyncFd` is dropped (deregistering it) at the end of this function,
    // and a `RawFd` closes nothing when dropped.
    let registered =
        unsafe { tokio::io::unix::AsyncFd::register_with_interest(fd.as_raw_fd(), all) }
            .map_err(io::Error::from)?;
    let mut guard = registered.ready(interest).await?;
    let ready = guard.ready();
    guard.clear_ready();
    Ok(ready)
}
