//! Socket errors named the way people search for them (`ECONNREFUSED`) and
//! explained in the one error grammar (docs/errors.md):
//! `CALL TARGET failed: NAME (text): sentence; try ...`.

use std::io;

/// A failed call: errno name (or `TimeoutError`, or an `EAI_*` code), the
/// system's short text, and the errno number when there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} ({text})")]
pub struct CallError {
    pub name: String,
    pub errno: Option<i32>,
    pub text: String,
    /// What happened and what to try, when the caller knows better than
    /// the errno alone (a stale Unix socket file, say).
    pub because: Option<Box<(String, String)>>,
}

/// Why a session could not set its socket up, or cannot go on: one call
/// that failed on one target. Its `Display` is the one place this error is
/// worded, in the grammar of docs/errors.md:
/// `CALL TARGET failed: NAME (text): sentence; try ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// `call` on `target` (empty when the call names none) failed.
    #[error("{}", .error.message(.call, .target))]
    Call { call: &'static str, target: String, error: CallError },
    /// The setup lost its own socket before the driver took it over (never
    /// expected: the executor closes a socket only when asked).
    #[error("setup closed its own socket")]
    Lost,
    /// A name that resolved to no address at all.
    #[error("connect failed: no address to try")]
    NoAddress,
}

impl SetupError {
    /// `call` on `target` failed with `error`.
    pub fn call(call: &'static str, target: impl Into<String>, error: CallError) -> Self {
        Self::Call { call, target: target.into(), error }
    }
}

/// `(errno, name)` for the errors sockets meet.
const ERRNOS: &[(i32, &str)] = &[
    (libc::EPERM, "EPERM"),
    (libc::ENOENT, "ENOENT"),
    (libc::ESRCH, "ESRCH"),
    (libc::EINTR, "EINTR"),
    (libc::EBADF, "EBADF"),
    (libc::EAGAIN, "EAGAIN"),
    (libc::ENOMEM, "ENOMEM"),
    (libc::EACCES, "EACCES"),
    (libc::EISDIR, "EISDIR"),
    (libc::EINVAL, "EINVAL"),
    (libc::ENOSPC, "ENOSPC"),
    (libc::ENFILE, "ENFILE"),
    (libc::EMFILE, "EMFILE"),
    (libc::EPIPE, "EPIPE"),
    (libc::ENOTSOCK, "ENOTSOCK"),
    (libc::EDESTADDRREQ, "EDESTADDRREQ"),
    (libc::EMSGSIZE, "EMSGSIZE"),
    (libc::EPROTOTYPE, "EPROTOTYPE"),
    (libc::EOPNOTSUPP, "EOPNOTSUPP"),
    (libc::EAFNOSUPPORT, "EAFNOSUPPORT"),
    (libc::EADDRINUSE, "EADDRINUSE"),
    (libc::EADDRNOTAVAIL, "EADDRNOTAVAIL"),
    (libc::ENETDOWN, "ENETDOWN"),
    (libc::ENETUNREACH, "ENETUNREACH"),
    (libc::ECONNABORTED, "ECONNABORTED"),
    (libc::ECONNRESET, "ECONNRESET"),
    (libc::ENOBUFS, "ENOBUFS"),
    (libc::EUSERS, "EUSERS"),
    (libc::EISCONN, "EISCONN"),
    (libc::ENOTCONN, "ENOTCONN"),
    (libc::ETIMEDOUT, "ETIMEDOUT"),
    (libc::ECONNREFUSED, "ECONNREFUSED"),
    (libc::EHOSTDOWN, "EHOSTDOWN"),
    (libc::EHOSTUNREACH, "EHOSTUNREACH"),
    (libc::EALREADY, "EALREADY"),
    (libc::EINPROGRESS, "EINPROGRESS"),
];

/// The symbolic name of an errno, e.g. `ECONNREFUSED`.
#[must_use]
pub fn errno_name(errno: i32) -> Option<&'static str> {
    ERRNOS.iter().find(|e| e.0 == errno).map(|e| e.1)
}

/// The system's text for an errno, as `strerror` gives it.
fn strerror(errno: i32) -> String {
    let full = io::Error::from_raw_os_error(errno).to_string();
    match full.find(" (os error") {
        Some(cut) => full[..cut].to_string(),
        None => full,
    }
}

impl CallError {
    /// From an OS error; errors without an errno keep their kind's name.
    #[must_use]
    pub fn from_io(err: &io::Error) -> Self {
        if let Some(errno) = err.raw_os_error() {
            return Self::from_errno(errno);
        }
        if err.kind() == io::ErrorKind::TimedOut {
            return Self::timeout();
        }
        Self {
            name: format!("{:?}", err.kind()),
            errno: None,
            text: err.to_string(),
            because: None,
        }
    }

    /// From a raw errno.
    #[must_use]
    pub fn from_errno(errno: i32) -> Self {
        let name = errno_name(errno).map_or_else(|| format!("errno {errno}"), str::to_string);
        Self { name, errno: Some(errno), text: strerror(errno).to_lowercase(), because: None }
    }

    /// Python's own timeout (a `settimeout` deadline passed): no errno.
    #[must_use]
    pub fn timeout() -> Self {
        Self { name: "TimeoutError".into(), errno: None, text: "timed out".into(), because: None }
    }

    /// Whether this is [`CallError::timeout`].
    #[must_use]
    pub fn is_timeout(&self) -> bool {
        self.errno.is_none() && self.name == "TimeoutError"
    }

    /// Ctrl-C during a blocking call: Python's `KeyboardInterrupt`.
    #[must_use]
    pub fn interrupted() -> Self {
        Self {
            name: "KeyboardInterrupt".into(),
            errno: None,
            text: "interrupted".into(),
            because: None,
        }
    }

    /// A name-resolution failure, named by its `EAI_*` code.
    #[must_use]
    pub fn resolve(code: &'static str, text: &str) -> Self {
        Self { name: code.into(), errno: None, text: text.to_lowercase(), because: None }
    }

    /// The same error with a sentence and hint that know more than the
    /// errno does.
    #[must_use]
    pub fn because(mut self, sentence: String, hint: &str) -> Self {
        self.because = Some(Box::new((sentence, hint.to_string())));
        self
    }

    /// Whether this is the given errno.
    #[must_use]
    pub fn is(&self, errno: i32) -> bool {
        self.errno == Some(errno)
    }

    /// The full message in the error grammar (docs/errors.md) for `call` on `target`.
    #[must_use]
    pub fn message(&self, call: &str, target: &str) -> String {
        let (sentence, hint) = match &self.because {
            Some(because) => (because.0.as_str(), because.1.as_str()),
            None => explain(call, self),
        };
        let target = if target.is_empty() { String::new() } else { format!(" {target}") };
        format!("{call}{target} failed: {self}: {sentence}; try {hint}")
    }
}

/// A sentence saying what most likely happened, and what to try. Public so
/// that the lesson's English explanations say the same as error messages.
#[must_use]
pub fn explain(call: &str, err: &CallError) -> (&'static str, &'static str) {
    if err.name == "TimeoutError" {
        return (
            "no answer before the deadline set with --timeout",
            "a longer --timeout, or check that the address is right",
        );
    }
    if err.name == "KeyboardInterrupt" {
        return (
            "Ctrl-C interrupted the blocking call",
            "a timeout with settimeout, or setblocking(False)",
        );
    }
    if err.name.starts_with("EAI_") {
        return ("the host name could not be resolved", "an IP address, or check the spelling");
    }
    let Some(errno) = err.errno else {
        return ("the system reported an error", "again, or report it if it persists");
    };
    match (call, errno) {
        (_, libc::ECONNREFUSED) => ("nothing listens there", "starting a server first"),
        ("connect" | "sendto" | "send" | "sendall", libc::ENOENT) => {
            ("no socket file is at that path", "starting the server first, or check the path")
        }
        ("bind", libc::ENOENT) => {
            ("the directory does not exist", "a path in an existing directory")
        }
        ("bind", libc::EADDRINUSE) => ("another program holds the port", "another port or 0"),
        ("bind", libc::EACCES) => {
            ("ports below 1024 need privileges", "a port of 1024 or more, or 0")
        }
        ("bind", libc::EADDRNOTAVAIL) => (
            "no interface of this machine has that address",
            "127.0.0.1, 0.0.0.0 or an address `ip addr` shows",
        ),
        (_, libc::ETIMEDOUT) => (
            "the kernel gave up waiting for an answer",
            "checking the host is up and no firewall drops packets, or set --timeout",
        ),
        (_, libc::ECONNRESET) => (
            "the peer reset the connection",
            "reconnecting; the peer may have crashed or closed with unread data",
        ),
        (_, libc::EPIPE) => ("the peer has closed and can no longer receive", "reconnecting"),
        (_, libc::ENETUNREACH) => {
            ("no route leads to that network", "checking the address and that the interface is up")
        }
        (_, libc::EHOSTUNREACH) => {
            ("the host cannot be reached", "checking the address and the route to it")
        }
        (_, libc::EMFILE | libc::ENFILE) => {
            ("too many files are open", "closing connections or raising `ulimit -n`")
        }
        (_, libc::EMSGSIZE) => {
            ("the datagram is larger than UDP allows (65507 bytes)", "shorter lines")
        }
        (_, libc::EAGAIN) => {
            ("the call would block on a non-blocking socket", "again when the socket is ready")
        }
        (_, libc::EACCES | libc::EPERM) => ("permission was denied", "another address or port"),
        _ => ("the system refused the call", "again, or another address"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_follows_the_grammar() {
        let err = CallError::from_errno(libc::ECONNREFUSED);
        assert_eq!(
            err.message("connect", "127.0.0.1:9"),
            "connect 127.0.0.1:9 failed: ECONNREFUSED (connection refused): \
             nothing listens there; try starting a server first"
        );
    }

    #[test]
    fn address_in_use_names_bind() {
        let msg = CallError::from_errno(libc::EADDRINUSE).message("bind", "127.0.0.1:8080");
        assert_eq!(
            msg,
            "bind 127.0.0.1:8080 failed: EADDRINUSE (address already in use): \
             another program holds the port; try another port or 0"
        );
    }

    #[test]
    fn python_timeout_has_no_errno() {
        let err = CallError::timeout();
        assert_eq!(err.errno, None);
        assert!(err.message("connect", "10.0.0.1:80").contains("TimeoutError (timed out)"));
    }

    #[test]
    fn every_known_errno_has_a_name() {
        for (errno, name) in ERRNOS {
            let err = CallError::from_errno(*errno);
            assert_eq!(&err.name, name);
            assert_eq!(errno_name(*errno), Some(*name));
        }
    }
}
