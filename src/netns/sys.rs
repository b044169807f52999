//! The C library calls a private network needs and no crate in the tree
//! wraps: `unshare`, `setns`, the process's own ids, and an interface's
//! flags (`SIOCGIFFLAGS`/`SIOCSIFFLAGS`, what `ip link set lo up` does).
//! Each checks what the kernel returned.
#![expect(
    unsafe_code,
    reason = "the safe wrappers around unshare/setns/getuid/ioctl(SIOCSIFFLAGS)"
)]

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// `unshare(flags)`: the calling process leaves its namespaces of `flags`
/// for new ones. A new user namespace needs a single-threaded caller.
pub fn unshare(flags: libc::c_int) -> io::Result<()> {
    // SAFETY: unshare takes no pointers; it only changes this process's
    // namespaces, which nothing in this process has cached yet.
    let rc = unsafe { libc::unshare(flags) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// `setns(fd, nstype)`: the calling process joins the namespace `fd`
/// (an open `/proc/PID/ns/*` file) refers to.
pub fn setns(fd: BorrowedFd<'_>, nstype: libc::c_int) -> io::Result<()> {
    // SAFETY: `fd` is borrowed, hence open for the whole call; setns takes
    // no pointers.
    let rc = unsafe { libc::setns(fd.as_raw_fd(), nstype) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The process's effective user and group ids.
#[must_use]
pub fn ids() -> (u32, u32) {
    // SAFETY: geteuid and getegid always succeed and touch no memory.
    unsafe { (libc::geteuid(), libc::getegid()) }
}

/// Sets `IFF_UP` on interface `name` through the socket `fd` (any
/// `AF_INET` socket), keeping its other flags.
pub fn set_up(fd: BorrowedFd<'_>, name: &str) -> io::Result<()> {
    let mut req = ifreq(name)?;
    // SAFETY: `req` is a live, zeroed `ifreq` with a NUL-terminated name;
    // SIOCGIFFLAGS writes only its flags member; `fd` is borrowed.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCGIFFLAGS, &raw mut req) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: SIOCGIFFLAGS filled the flags member of the union just above.
    let flags = unsafe { req.ifr_ifru.ifru_flags };
    #[expect(clippy::cast_possible_truncation, reason = "IFF_UP is 1, in the short's range")]
    let up = libc::IFF_UP as libc::c_short;
    req.ifr_ifru.ifru_flags = flags | up;
    // SAFETY: as above; SIOCSIFFLAGS only reads `req`.
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::SIOCSIFFLAGS, &raw const req) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// A zeroed `ifreq` naming interface `name`.
fn ifreq(name: &str) -> io::Result<libc::ifreq> {
    // SAFETY: `ifreq` is plain data (a name array and a union of integers
    // and addresses) for which all-zero bytes is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    if name.len() >= req.ifr_name.len() || name.contains('\0') {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "interface name too long"));
    }
    for (slot, byte) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *slot = libc::c_char::from_ne_bytes([byte]);
    }
    Ok(req)
}
