//! Python's names for what the engine reports in system-call terms: the
//! constants (`AF_INET`, `SOCK_STREAM`, `SHUT_WR`), address literals
//! (`('127.0.0.1', 8080)`, `b'\x00name'`) and exceptions
//! (`ConnectionRefusedError: [Errno 111] Connection refused`). `net` knows
//! none of them.

use crate::net::{Addr, CallError, Family, Kind, Shut, UnixName};

/// How Python writes a value.
pub trait Python {
    /// Python's spelling: a constant's name, a literal, an exception line.
    fn python(&self) -> String;
}

impl Python for Family {
    fn python(&self) -> String {
        match self {
            Self::Inet => "AF_INET",
            Self::Inet6 => "AF_INET6",
            Self::Unix => "AF_UNIX",
        }
        .into()
    }
}

impl Python for Kind {
    fn python(&self) -> String {
        match self {
            Self::Stream => "SOCK_STREAM",
            Self::Dgram => "SOCK_DGRAM",
            Self::SeqPacket => "SOCK_SEQPACKET",
        }
        .into()
    }
}

impl Python for Shut {
    fn python(&self) -> String {
        match self {
            Self::Read => "SHUT_RD",
            Self::Write => "SHUT_WR",
            Self::Both => "SHUT_RDWR",
        }
        .into()
    }
}

/// `'/tmp/chat.sock'`, `b'\x00name'`, `''`.
impl Python for UnixName {
    fn python(&self) -> String {
        match self {
            Self::Path(path) => super::str_literal(&path.to_string_lossy()),
            Self::Abstract(name) => {
                let mut bytes = vec![0];
                bytes.extend_from_slice(name);
                super::bytes_literal(&bytes)
            }
            Self::Unnamed => "''".to_string(),
        }
    }
}

/// `('127.0.0.1', 8080)`, or a Unix name.
impl Python for Addr {
    fn python(&self) -> String {
        match self {
            Self::Inet(addr) => super::inet(*addr),
            Self::Unix(name) => name.python(),
        }
    }
}

/// The exception `CPython` raises for an errno (`OSError` subclasses by
/// errno, PEP 3151).
#[must_use]
pub fn exception_class(errno: i32) -> &'static str {
    match errno {
        libc::EPERM | libc::EACCES => "PermissionError",
        libc::ENOENT => "FileNotFoundError",
        libc::EINTR => "InterruptedError",
        libc::EAGAIN | libc::EALREADY | libc::EINPROGRESS => "BlockingIOError",
        libc::EISDIR => "IsADirectoryError",
        libc::EEXIST => "FileExistsError",
        libc::EPIPE => "BrokenPipeError",
        libc::ECONNABORTED => "ConnectionAbortedError",
        libc::ECONNRESET => "ConnectionResetError",
        libc::ECONNREFUSED => "ConnectionRefusedError",
        libc::ETIMEDOUT => "TimeoutError",
        _ => "OSError",
    }
}

/// `ConnectionRefusedError: [Errno 111] Connection refused`,
/// `TimeoutError: timed out`, `KeyboardInterrupt`, `socket.gaierror: ...`.
impl Python for CallError {
    fn python(&self) -> String {
        match self.errno {
            Some(errno) => {
                let text = std::io::Error::from_raw_os_error(errno).to_string();
                let text = text.split(" (os error").next().unwrap_or(&text).to_string();
                format!("{}: [Errno {errno}] {text}", exception_class(errno))
            }
            None if self.name == "TimeoutError" => "TimeoutError: timed out".into(),
            None if self.name == "KeyboardInterrupt" => "KeyboardInterrupt".into(),
            None if self.name == "ValueError" => format!("ValueError: {}", self.text),
            None if crate::net::tls::errors::python(self).is_some() => {
                crate::net::tls::errors::python(self).unwrap_or_default()
            }
            None if self.name.starts_with("EAI_") => {
                format!("socket.gaierror: [{}] {}", self.name, capitalise(&self.text))
            }
            None => format!("OSError: {}", self.text),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_as_cpython_raises_them() {
        let cases = [
            (libc::ECONNREFUSED, "ConnectionRefusedError: [Errno 111] Connection refused"),
            (libc::EPIPE, "BrokenPipeError: [Errno 32] Broken pipe"),
            (libc::EBADF, "OSError: [Errno 9] Bad file descriptor"),
            (libc::EAGAIN, "BlockingIOError: [Errno 11] Resource temporarily unavailable"),
            (libc::EINPROGRESS, "BlockingIOError: [Errno 115] Operation now in progress"),
        ];
        for (errno, line) in cases {
            assert_eq!(CallError::from_errno(errno).python(), line);
        }
        assert_eq!(CallError::timeout().python(), "TimeoutError: timed out");
        assert_eq!(CallError::interrupted().python(), "KeyboardInterrupt");
    }

    #[test]
    fn names_and_literals() {
        assert_eq!(Family::Inet6.python(), "AF_INET6");
        assert_eq!(Kind::Dgram.python(), "SOCK_DGRAM");
        assert_eq!(Shut::Write.python(), "SHUT_WR");
        let abs = Addr::Unix(UnixName::Abstract(b"chat".to_vec()));
        assert_eq!(abs.python(), r"b'\x00chat'");
        assert_eq!(Addr::Unix(UnixName::Unnamed).python(), "''");
        let path = Addr::Unix(UnixName::Path("/tmp/x.sock".into()));
        assert_eq!(path.python(), "'/tmp/x.sock'");
        let v4 = Addr::Inet("127.0.0.1:8080".parse().expect("an address"));
        assert_eq!(v4.python(), "('127.0.0.1', 8080)");
    }
}
