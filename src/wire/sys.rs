//! The C library calls packet capture needs and no crate wraps: binding an
//! `AF_PACKET` socket to an interface (`struct sockaddr_ll`), attaching a
//! classic BPF program (`struct sock_fprog`), receiving a frame with its
//! packet type and kernel timestamp (`recvmsg` with a control message), the
//! socket's drop counter, `int` options, an interface's index, and
//! registering the socket with tokio. Each takes a borrowed fd (open for the whole call) and checks
//! what the kernel returned.
#![expect(unsafe_code, reason = "the safe wrappers around bind/setsockopt/recvmsg for AF_PACKET")]

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use tokio::io::Interest;
use tokio::io::unix::AsyncFd;

use super::bpf::Insn;

/// `bind(fd, sockaddr_ll { protocol, ifindex })`: from now on the socket
/// receives frames of `protocol` (an `ETH_P_*` value, host order) on
/// interface `ifindex` (0: every interface).
pub fn bind_packet(fd: BorrowedFd<'_>, protocol: u16, ifindex: i32) -> io::Result<()> {
    let addr = libc::sockaddr_ll {
        #[expect(clippy::cast_possible_truncation, reason = "AF_PACKET is 17")]
        sll_family: libc::AF_PACKET as u16,
        sll_protocol: protocol.to_be(),
        sll_ifindex: ifindex,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 0,
        sll_addr: [0; 8],
    };
    let len = socklen::<libc::sockaddr_ll>();
    // SAFETY: `addr` is a live, initialised `sockaddr_ll` of `len` bytes that
    // the kernel only reads; `fd` is borrowed, hence open.
    let rc = unsafe { libc::bind(fd.as_raw_fd(), (&raw const addr).cast(), len) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `setsockopt(SO_ATTACH_FILTER)`: replaces the socket's filter with
/// `program` atomically (a frame sees the old program or the new one).
pub fn attach_filter(fd: BorrowedFd<'_>, program: &[Insn]) -> io::Result<()> {
    let len = u16::try_from(program.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "BPF program too long"))?;
    let fprog = libc::sock_fprog { len, filter: program.as_ptr().cast_mut() };
    // SAFETY: `fprog` points at `len` live instructions for the whole call;
    // the kernel copies them and never writes through the pointer.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&raw const fprog).cast(),
            socklen::<libc::sock_fprog>(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `setsockopt(fd, level, name, &value)` for an `int` option
/// (`SO_TIMESTAMPNS`, `SO_RCVBUFFORCE`, ...).
pub fn set_int(fd: BorrowedFd<'_>, level: i32, name: i32, value: i32) -> io::Result<()> {
    let value: libc::c_int = value;
    // SAFETY: `value` is a live `c_int` the kernel reads; `fd` is open.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            socklen::<libc::c_int>(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// One frame read by [`recv_frame`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// Bytes of the frame written to the buffer.
    pub len: usize,
    /// Bytes the frame had on the wire (more than `len` when cut short).
    pub wire_len: usize,
    /// `PACKET_HOST`, `PACKET_OUTGOING`, ...
    pub pkttype: u8,
    /// The interface it was seen on.
    pub ifindex: i32,
    /// The kernel's receive time, nanoseconds since the Unix epoch.
    pub stamp_ns: Option<u64>,
}

/// Room for one `SCM_TIMESTAMPNS` control message (16-byte header, 16-byte
/// `timespec`), 8-byte aligned as `cmsghdr` must be.
type Control = [u64; 8];

/// `recvmsg(fd, MSG_TRUNC)`: the next frame into `buf`, with where it came
/// from and when. `WouldBlock` when none is queued.
pub fn recv_frame(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<Received> {
    let mut from = libc::sockaddr_ll {
        sll_family: 0,
        sll_protocol: 0,
        sll_ifindex: 0,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: 0,
        sll_addr: [0; 8],
    };
    let mut control: Control = [0; 8];
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    // SAFETY: `msghdr` is plain old data (pointers and integers, padding on
    // some targets); all zeroes is a valid empty header, filled in below.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_name = (&raw mut from).cast();
    msg.msg_namelen = socklen::<libc::sockaddr_ll>();
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = size_of::<Control>() as _;
    // SAFETY: every pointer in `msg` points at a live local (or `buf`) of
    // the length given beside it, which the kernel writes at most; `fd` is
    // borrowed, hence open.
    let n = unsafe { libc::recvmsg(fd.as_raw_fd(), &raw mut msg, libc::MSG_TRUNC) };
    let wire_len = usize::try_from(n).map_err(|_| io::Error::last_os_error())?;
    let mut stamp_ns = None;
    // SAFETY: `msg` was filled by recvmsg: its control pointer and the
    // length the kernel wrote describe `control`, which the CMSG_* macros
    // walk without leaving it; each header they return lies inside it, and
    // a timestamp's data is a whole `timespec` read without alignment.
    unsafe {
        let mut cmsg = libc::CMSG_FIRSTHDR(&raw const msg);
        while !cmsg.is_null() {
            let hdr = &*cmsg;
            if hdr.cmsg_level == libc::SOL_SOCKET && hdr.cmsg_type == libc::SCM_TIMESTAMPNS {
                let ts: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(cmsg).cast());
                let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
                let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
                stamp_ns = Some(secs.saturating_mul(1_000_000_000).saturating_add(nanos));
            }
            cmsg = libc::CMSG_NXTHDR(&raw const msg, cmsg);
        }
    }
    Ok(Received {
        len: wire_len.min(buf.len()),
        wire_len,
        pkttype: from.sll_pkttype,
        ifindex: from.sll_ifindex,
        stamp_ns,
    })
}

/// `getsockopt(SOL_PACKET, PACKET_STATISTICS)`: frames that passed the
/// filter and frames the kernel dropped because our queue was full, since
/// the last call (reading resets them).
pub fn packet_stats(fd: BorrowedFd<'_>) -> io::Result<(u32, u32)> {
    let mut stats = libc::tpacket_stats { tp_packets: 0, tp_drops: 0 };
    let mut len = socklen::<libc::tpacket_stats>();
    // SAFETY: `stats` is a live, writable `tpacket_stats` of `len` bytes, and
    // the kernel writes at most `len`; `fd` is open.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_PACKET,
            libc::PACKET_STATISTICS,
            (&raw mut stats).cast(),
            &raw mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((stats.tp_packets, stats.tp_drops))
}

/// `if_nametoindex(name)`: the index of an interface in this process's
/// network namespace (sysfs may show another namespace's).
pub fn if_index(name: &str) -> io::Result<i32> {
    let c = CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `c` is a live NUL-terminated string for the whole call.
    let index = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if index == 0 {
        return Err(io::Error::last_os_error());
    }
    i32::try_from(index).map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
}

/// Registers an owned socket with tokio's reactor, for readability only
/// (must be called inside the runtime).
pub fn register(sock: socket2::Socket) -> io::Result<AsyncFd<socket2::Socket>> {
    // SAFETY: the `Socket` is owned by the `AsyncFd` from here on: its fd is
    // open, and `as_raw_fd` returns that same fd, until the `AsyncFd` is
    // dropped or gives the socket back.
    unsafe { AsyncFd::register_with_interest(sock, Interest::READABLE) }.map_err(Into::into)
}

fn socklen<T>() -> libc::socklen_t {
    libc::socklen_t::try_from(size_of::<T>()).unwrap_or(libc::socklen_t::MAX)
}
