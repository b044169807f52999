//! What only `AF_UNIX` needs: telling a stale socket file from a live
//! server's, connecting without TCP's machinery, and removing the socket
//! file when our server is done with it (as socat does).

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use socket2::{Domain, Socket, Type};
use tokio::net::UnixStream;

use crate::net::CallError;
use crate::net::SetupError;
use crate::net::event::{Call, Returned, SockId};
use crate::net::session::ctx::Ctx;
use crate::net::sockaddr::Addr;
use crate::net::socket::setup::reported;

/// Why a path already taken cannot be bound: a sentence and what to try.
pub(crate) type Taken = (String, &'static str);

/// After `bind` failed with `EADDRINUSE` on `path`: a socket file nobody
/// listens on any more is removed when `unlink` allows, so the bind can be
/// tried again; anything else says what holds the path.
pub(crate) fn clear_stale(path: &Path, unlink: bool) -> Result<(), Taken> {
    let shown = path.display();
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Err((format!("{shown} was taken and let go again"), "again"));
    };
    if !meta.file_type().is_socket() {
        let sentence = format!("{shown} exists and is not a socket file");
        return Err((sentence, "another path; sockpit never removes other files"));
    }
    if is_live(path) {
        let sentence = format!("a server is listening on {shown}");
        return Err((sentence, "another path, or stop that server first"));
    }
    if !unlink {
        let sentence = format!("{shown} is a stale socket file left by a server that is gone");
        return Err((sentence, "--unlink to remove it, or another path"));
    }
    std::fs::remove_file(path).map_err(|e| {
        let sentence = format!("{shown} is stale but could not be removed ({e})");
        (sentence, "removing it by hand, or another path")
    })
}

/// Whether something answers at `path`: a connect that is refused means
/// the file outlived its server. A socket of another type answering is
/// live too (`EPROTOTYPE`).
fn is_live(path: &Path) -> bool {
    let Ok(probe) = Socket::new(Domain::UNIX, Type::STREAM, None) else { return true };
    let Ok(addr) = socket2::SockAddr::unix(path) else { return true };
    match probe.connect(&addr) {
        Ok(()) => true,
        Err(err) => err.raw_os_error() != Some(libc::ECONNREFUSED),
    }
}

/// `connect(path)` on a Unix stream or seqpacket socket. The kernel
/// answers at once unless the server's accept queue is full (`EAGAIN` on a
/// non-blocking socket): then wait for room, as a blocking Python socket
/// would.
pub(crate) async fn connect(
    ctx: &Ctx,
    id: SockId,
    socket: Socket,
    addr: &Addr,
) -> Result<UnixStream, SetupError> {
    let target = addr.to_string();
    let call = Call::Connect(addr.clone());
    let attempt = |s: &Socket| addr.sockaddr().and_then(|a| s.connect(&a));
    let mut result = attempt(&socket);
    let full = |r: &io::Result<()>| matches!(r, Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::EINPROGRESS)));
    // A full queue frees up as the server accepts; bounded, so a server
    // that never accepts ends in the kernel's EAGAIN rather than a hang.
    for _ in 0..200 {
        if !full(&result) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        result = attempt(&socket);
    }
    reported(ctx, id, "client", call, &target, result, |()| Returned::Nothing).await?;
    UnixStream::from_std(socket.into())
        .map_err(|e| SetupError::call("connect", &target, CallError::from_io(&e)))
}

/// Removes our socket file when dropped, unless another socket has taken
/// the path since (the file's identity is remembered right after bind).
#[derive(Debug)]
pub(crate) struct Unlink {
    path: PathBuf,
    id: (u64, u64),
}

impl Unlink {
    /// Guards `addr` when it is a socket file we just bound.
    pub fn of(addr: &Addr) -> Option<Self> {
        let Addr::Unix(name) = addr else { return None };
        let path = name.path()?.to_path_buf();
        let id = file_id(&path)?;
        Some(Self { path, id })
    }
}

/// Device and inode of a socket file.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.file_type().is_socket().then(|| (meta.dev(), meta.ino()))
}

impl Drop for Unlink {
    fn drop(&mut self) {
        if file_id(&self.path) == Some(self.id) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
