//! A socket address of any family sockpit speaks: an IP address and port
//! (`AF_INET`, `AF_INET6`) or a Unix socket name (`AF_UNIX`): a path in the
//! file system, a Linux abstract name (`@name`), or unnamed (a client that
//! never bound).

use std::ffi::OsStr;
use std::fmt;
use std::net::SocketAddr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use socket2::SockAddr;

/// Where a socket is, or is talking to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Addr {
    /// IPv4 or IPv6, with a port.
    Inet(SocketAddr),
    /// An `AF_UNIX` name.
    Unix(UnixName),
}

/// The name of an `AF_UNIX` socket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnixName {
    /// A socket file: `/tmp/chat.sock`.
    Path(PathBuf),
    /// Linux's abstract namespace (no file; gone with the last socket),
    /// written `@name`: the bytes after the leading NUL.
    Abstract(Vec<u8>),
    /// A socket that never bound (a stream client): Python shows `''`.
    Unnamed,
}

/// Why a Unix socket name given on the command line cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnixNameError {
    #[error("empty Unix socket name: write a path such as /tmp/chat.sock, or @name")]
    Empty,
    #[error(
        "Unix socket name {0:?} is {1} bytes, longer than the kernel's 107: use a shorter path (cd there and use a relative one) or an @name"
    )]
    TooLong(String, usize),
}

/// `sun_path` holds 108 bytes, one of them the path's terminating NUL.
const SUN_PATH_MAX: usize = 107;

impl UnixName {
    /// Parses PATH as users type it: `@name` is abstract, anything else a path.
    ///
    /// # Errors
    /// [`UnixNameError`] when empty or longer than the kernel allows.
    pub fn parse(text: &str) -> Result<Self, UnixNameError> {
        let (len, name) = match text.strip_prefix('@') {
            Some(rest) => (rest.len() + 1, Self::Abstract(rest.as_bytes().to_vec())),
            None => (text.len(), Self::Path(PathBuf::from(text))),
        };
        if text.is_empty() {
            return Err(UnixNameError::Empty);
        }
        if len > SUN_PATH_MAX {
            return Err(UnixNameError::TooLong(text.to_string(), len));
        }
        Ok(name)
    }

    /// The name a kernel address carries: a path, else an abstract name,
    /// else none.
    fn of(path: Option<&Path>, abstract_name: Option<&[u8]>) -> Self {
        match (path, abstract_name) {
            (Some(path), _) => Self::Path(path.to_path_buf()),
            (None, Some(name)) => Self::Abstract(name.to_vec()),
            (None, None) => Self::Unnamed,
        }
    }

    /// The address to hand to `bind`/`connect`/`sendto`.
    ///
    /// # Errors
    /// When the name does not fit `sun_path` (checked at parse time too).
    pub fn sockaddr(&self) -> std::io::Result<SockAddr> {
        match self {
            Self::Path(path) => SockAddr::unix(path),
            Self::Abstract(name) => {
                let mut bytes = Vec::with_capacity(name.len() + 1);
                bytes.push(0);
                bytes.extend_from_slice(name);
                SockAddr::unix(Path::new(OsStr::from_bytes(&bytes)))
            }
            Self::Unnamed => SockAddr::unix(""),
        }
    }

    /// The socket file, when the name is one.
    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Path(path) => Some(path),
            _ => None,
        }
    }
}

impl Addr {
    /// The address as socket2 reads it from the kernel, when it is one of
    /// the families sockpit knows.
    #[must_use]
    pub fn from_sockaddr(addr: &SockAddr) -> Option<Self> {
        if let Some(inet) = addr.as_socket() {
            return Some(Self::Inet(inet));
        }
        if !addr.is_unix() {
            return None;
        }
        Some(Self::Unix(UnixName::of(addr.as_pathname(), addr.as_abstract_namespace())))
    }

    /// A Unix peer as tokio reports it.
    #[must_use]
    pub fn from_tokio_unix(addr: &tokio::net::unix::SocketAddr) -> Self {
        Self::Unix(UnixName::of(addr.as_pathname(), addr.as_abstract_name()))
    }

    /// The IP address and port, for what only IP has (pcapng frames, the
    /// kernel's TCP tables).
    #[must_use]
    pub fn inet(&self) -> Option<SocketAddr> {
        match self {
            Self::Inet(addr) => Some(*addr),
            Self::Unix(_) => None,
        }
    }

    /// The address to hand to `bind`/`connect`/`sendto`.
    ///
    /// # Errors
    /// A Unix name too long for `sun_path`.
    pub fn sockaddr(&self) -> std::io::Result<SockAddr> {
        match self {
            Self::Inet(addr) => Ok((*addr).into()),
            Self::Unix(name) => name.sockaddr(),
        }
    }

    /// Whether this is an IPv6 address.
    #[must_use]
    pub fn is_ipv6(&self) -> bool {
        matches!(self, Self::Inet(SocketAddr::V6(_)))
    }
}

/// An IP address and port as Rust's `SocketAddr` parses them
/// (`127.0.0.1:8080`, `[::1]:8080`): literal, never resolved.
impl std::str::FromStr for Addr {
    type Err = std::net::AddrParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.parse().map(Self::Inet)
    }
}

impl From<SocketAddr> for Addr {
    fn from(addr: SocketAddr) -> Self {
        Self::Inet(addr)
    }
}

impl fmt::Display for UnixName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Path(path) => write!(f, "{}", path.display()),
            Self::Abstract(name) => write!(f, "@{}", String::from_utf8_lossy(name)),
            Self::Unnamed => f.write_str("(unnamed)"),
        }
    }
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inet(addr) => write!(f, "{addr}"),
            Self::Unix(name) => write!(f, "{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_as_typed() {
        let cases: [(&str, Result<UnixName, UnixNameError>); 4] = [
            ("/tmp/a.sock", Ok(UnixName::Path("/tmp/a.sock".into()))),
            ("@chat", Ok(UnixName::Abstract(b"chat".to_vec()))),
            ("", Err(UnixNameError::Empty)),
            ("rel.sock", Ok(UnixName::Path("rel.sock".into()))),
        ];
        for (text, want) in cases {
            assert_eq!(UnixName::parse(text), want, "{text:?}");
        }
        let long = "x".repeat(108);
        assert_eq!(UnixName::parse(&long), Err(UnixNameError::TooLong(long.clone(), 108)));
        assert!(UnixName::parse(&"x".repeat(107)).is_ok());
    }

    #[test]
    fn names_round_trip_through_the_kernel_form() {
        for name in [UnixName::Path("/tmp/x.sock".into()), UnixName::Abstract(b"sockpit".to_vec())]
        {
            let back = Addr::from_sockaddr(&name.sockaddr().unwrap());
            assert_eq!(back, Some(Addr::Unix(name)));
        }
    }

    #[test]
    fn shown_as_users_write_them() {
        let path = Addr::Unix(UnixName::Path("/tmp/x.sock".into()));
        let abs = Addr::Unix(UnixName::Abstract(b"chat".to_vec()));
        assert_eq!(path.to_string(), "/tmp/x.sock");
        assert_eq!(abs.to_string(), "@chat");
    }
}
