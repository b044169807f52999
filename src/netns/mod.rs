//! The demo's own network: a private user + network namespace holding only
//! `lo`, made before any thread exists. Inside it the process holds
//! `CAP_NET_RAW` over that namespace's interfaces, so the wire is captured
//! for any user, and the demo's ports clash with nothing on the host.
//! Another terminal reaches it with `sockpit --join PID …` ([`join`]) or
//! `nsenter`, the lines [`Isolation::Private`] gives.

mod sys;

use std::fs::File;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use crate::net::{CallError, SetupError};

/// Where this process's sockets live.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Isolation {
    /// The host's network: not the demo, or `--no-netns`.
    Host,
    /// A private user + network namespace made by process `pid` (this one).
    Private { pid: u32 },
    /// The demo asked for its own network and could not have one; `why` is
    /// a message in the error grammar. The demo runs on the host's network.
    Unavailable { why: String },
}

/// Setting up a namespace failed after it was entered: the process is in
/// a network it cannot use, so it must stop.
/// Also why `--join PID` could not enter a demo's namespaces.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct NetnsError(#[from] SetupError);

/// Moves this process into a new user + network namespace with `lo` up,
/// mapping the caller's own uid and gid onto themselves (files it writes
/// keep their owner).
///
/// Must run before any thread is started: the kernel refuses a new user
/// namespace to a multi-threaded process.
///
/// # Errors
/// When the namespace was entered but its ids or `lo` could not be set up.
pub fn isolate() -> Result<Isolation, NetnsError> {
    let (uid, gid) = sys::ids();
    if let Err(err) = sys::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNET) {
        return Ok(Isolation::Unavailable { why: unavailable(&err) });
    }
    let setup = || -> Result<(), (&'static str, &'static str, std::io::Error)> {
        // Unprivileged, a gid map needs setgroups denied first; kernels
        // before 3.19 have no such file, and need nothing.
        match std::fs::write("/proc/self/setgroups", "deny") {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(("write", "/proc/self/setgroups", err));
            }
            _ => {}
        }
        std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1"))
            .map_err(|e| ("write", "/proc/self/uid_map", e))?;
        std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1"))
            .map_err(|e| ("write", "/proc/self/gid_map", e))?;
        let probe = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None)
            .map_err(|e| ("socket", "AF_INET", e))?;
        sys::set_up(probe.as_fd(), "lo").map_err(|e| ("ioctl", "SIOCSIFFLAGS lo", e))?;
        Ok(())
    };
    setup().map_err(|(call, target, err)| {
        let error = CallError::from_io(&err).because(
            "the demo's private network namespace was made but could not be set up".into(),
            "--no-netns to run the demo on the host's network",
        );
        NetnsError(SetupError::call(call, target, error))
    })?;
    Ok(Isolation::Private { pid: std::process::id() })
}

/// Why the kernel refused a namespace, in the error grammar.
fn unavailable(err: &std::io::Error) -> String {
    let (sentence, hint) = match err.raw_os_error() {
        Some(libc::EPERM | libc::EACCES) => (
            "user namespaces are disabled for this user here, so the demo runs on the \
             host's network and sees no packets",
            "sudo sysctl kernel.unprivileged_userns_clone=1 (or the distribution's \
             AppArmor setting for user namespaces), or run the demo as root",
        ),
        Some(libc::ENOSPC | libc::EUSERS) => (
            "the kernel allows no more user namespaces here (a limit per user in \
             /proc/sys/user/max_user_namespaces, or 32 levels of nesting), so the demo runs \
             on the host's network and sees no packets",
            "closing other demos or containers, raising user.max_user_namespaces, or \
             --no-netns",
        ),
        _ => (
            "the kernel would not make a private network for the demo",
            "--no-netns to run the demo on the host's network",
        ),
    };
    CallError::from_io(err)
        .because(sentence.into(), hint)
        .message("unshare", "CLONE_NEWUSER|CLONE_NEWNET")
}

/// Moves this process into the user and network namespaces of process
/// `pid` (a demo's), before any thread exists.
///
/// # Errors
/// When there is no such process, it belongs to another user, or it shares
/// this process's namespaces (Display: the message in the error grammar).
pub fn join(pid: u32) -> Result<(), NetnsError> {
    let user = Path::new("/proc").join(pid.to_string()).join("ns/user");
    let net = Path::new("/proc").join(pid.to_string()).join("ns/net");
    let open = |path: &PathBuf| {
        File::open(path).map_err(|err| {
            let error = CallError::from_io(&err);
            let error = if err.kind() == std::io::ErrorKind::NotFound {
                error.because(
                    format!("no process {pid} is running"),
                    "the PID the demo shows on its screen",
                )
            } else {
                error.because(
                    format!("process {pid} belongs to another user"),
                    "the same user that started the demo",
                )
            };
            SetupError::call("open", path.display().to_string(), error)
        })
    };
    let (user_ns, net_ns) = (open(&user)?, open(&net)?);
    // Joining the namespace one is already in is EINVAL for a user
    // namespace: a process on the host "joining" another on the host.
    if same_file(&user, Path::new("/proc/self/ns/user")) {
        if same_file(&net, Path::new("/proc/self/ns/net")) {
            let error = CallError::from_errno(libc::EINVAL).because(
                format!("process {pid} already shares this terminal's network"),
                "without --join: 127.0.0.1 reaches it as it is",
            );
            return Err(SetupError::call("setns", net.display().to_string(), error).into());
        }
    } else {
        sys::setns(user_ns.as_fd(), libc::CLONE_NEWUSER).map_err(|err| {
            let error = CallError::from_io(&err).because(
                format!("this user may not enter process {pid}'s user namespace"),
                "the same user that started the demo, or nsenter as root",
            );
            SetupError::call("setns", user.display().to_string(), error)
        })?;
    }
    sys::setns(net_ns.as_fd(), libc::CLONE_NEWNET).map_err(|err| {
        let error = CallError::from_io(&err).because(
            format!("this user may not enter process {pid}'s network namespace"),
            "the same user that started the demo, or nsenter as root",
        );
        SetupError::call("setns", net.display().to_string(), error).into()
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

impl Isolation {
    /// What the demo says about its network, and the exact lines another
    /// terminal types to reach `proto` port `port` on 127.0.0.1.
    #[must_use]
    pub fn notice(&self, proto: &str, port: u16) -> Vec<String> {
        match self {
            Self::Host => Vec::new(),
            Self::Unavailable { why } => vec![why.clone()],
            Self::Private { pid } => {
                let nc = if proto == "udp" { "nc -u" } else { "nc" };
                vec![
                    format!(
                        "this demo runs in its own network namespace (pid {pid}): other \
                         terminals cannot reach 127.0.0.1:{port} as they are"
                    ),
                    format!("join it: {} --join {pid} {proto} client 127.0.0.1:{port}", program()),
                    format!(
                        "any program: nsenter --target {pid} --user --net \
                         --preserve-credentials {nc} 127.0.0.1 {port}"
                    ),
                ]
            }
        }
    }
}

/// How another terminal names this program: `sockpit` when that is what
/// `PATH` finds, otherwise the full path (as after `cargo run`).
fn program() -> String {
    let Ok(me) = std::env::current_exe() else { return "sockpit".into() };
    let found = std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| same_file(&dir.join("sockpit"), &me))
    });
    if found { "sockpit".into() } else { me.display().to_string() }
}

#[cfg(test)]
mod tests {
    use super::Isolation;

    #[test]
    fn a_private_demo_names_its_pid_port_and_both_ways_in() {
        let lines = Isolation::Private { pid: 4242 }.notice("udp", 5353);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].contains("own network namespace (pid 4242)"), "{}", lines[0]);
        assert!(lines[0].contains("127.0.0.1:5353"), "{}", lines[0]);
        assert!(lines[1].ends_with("--join 4242 udp client 127.0.0.1:5353"), "{}", lines[1]);
        assert!(
            lines[2].ends_with(
                "nsenter --target 4242 --user --net --preserve-credentials nc -u 127.0.0.1 5353"
            ),
            "{}",
            lines[2]
        );
    }

    #[test]
    fn the_host_says_nothing_and_a_refusal_says_why() {
        assert!(Isolation::Host.notice("tcp", 1).is_empty());
        let why = super::unavailable(&std::io::Error::from_raw_os_error(libc::EPERM));
        assert!(
            why.starts_with(
                "unshare CLONE_NEWUSER|CLONE_NEWNET failed: EPERM (operation not permitted): \
                 user namespaces are disabled"
            ),
            "{why}"
        );
        assert!(why.contains("; try "), "{why}");
        assert_eq!(Isolation::Unavailable { why: why.clone() }.notice("tcp", 1), vec![why]);
    }
}
