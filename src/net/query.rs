//! Calls that ask a socket about itself or set how it waits —
//! `getsockname`, `getpeername`, `fileno`, `settimeout`, `setblocking` —
//! answered at once by whichever task holds the socket.

use std::io;
use std::os::fd::{AsFd, AsRawFd};

use socket2::{SockAddr, SockRef};

use super::CallError;
use super::blocking::CallMode;
use super::event::{Call, Returned};
use super::sockaddr::Addr;

/// The answer to `call` when it is one of these, else `None`.
pub(crate) fn answer<S: AsFd>(
    socket: &S,
    mode: &mut CallMode,
    call: &Call,
) -> Option<Result<Returned, CallError>> {
    if mode.apply(call) {
        return Some(Ok(Returned::Nothing));
    }
    let s = SockRef::from(socket);
    match call {
        Call::GetSockName => Some(inet(s.local_addr())),
        Call::GetPeerName => Some(inet(s.peer_addr())),
        Call::Fileno => Some(Ok(Returned::Int(socket.as_fd().as_raw_fd().into()))),
        _ => None,
    }
}

fn inet(addr: io::Result<SockAddr>) -> Result<Returned, CallError> {
    let addr = addr.map_err(|e| CallError::from_io(&e))?;
    Addr::from_sockaddr(&addr)
        .map(Returned::Addr)
        .ok_or_else(|| CallError::from_errno(libc::EAFNOSUPPORT))
}
