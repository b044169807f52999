//! A user + network namespace of the test's own (`unshare -rn`), entered
//! as an unprivileged user (uid 65534 when the tests run as root): there
//! the process holds `CAP_NET_RAW` for the namespace's `lo`, so sockpit's
//! capture and `tshark -i lo` both work for anyone. Shared by the tests of
//! the wire (tests/wire.rs, `tests/wire_pcap.rs`, `tests/tui_wire.rs`).

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use super::SOCKPIT;
use super::tmux::Tmux;

/// Bash functions every script may use (after `set -eu`, in its directory):
/// - `wait_for FILE TEXT`: a bounded poll (15 s) until FILE contains TEXT;
/// - `tshark_start`: tshark on `lo` into cap.pcapng, once it captures;
/// - `tshark_stop N`: stops it once its file holds N frames (bounded).
pub const PRELUDE: &str = r#"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
wait_for() {
    for _ in $(seq 300); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "wait_for: no '$2' in $1 after 15 s" >&2; return 1
}
tshark_start() {
    tshark -i lo -w cap.pcapng >ts.out 2>ts.err &
    TS=$!
    wait_for ts.err "Capturing on"
    # tshark says so before dumpcap has opened lo; dumpcap writes the file's
    # header only after, so a non-empty file means frames are being taken.
    for _ in $(seq 300); do [ -s cap.pcapng ] && return 0; sleep 0.05; done
    echo "tshark_start: no cap.pcapng after 15 s" >&2; return 1
}
tshark_stop() {
    for _ in $(seq 60); do
        [ "$(tshark -r cap.pcapng 2>/dev/null | wc -l)" -ge "$1" ] && break
        sleep 0.25
    done
    kill -INT "$TS"; wait "$TS" || true
}
ip link set lo up
"#;

static RUNS: AtomicU32 = AtomicU32::new(0);

/// A directory every user may write, holding a copy of the binary every
/// user may run (the build directory need not be readable by uid 65534).
pub struct Ns {
    pub dir: PathBuf,
}

impl Ns {
    #[must_use]
    pub fn new() -> Self {
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sockpit-wire-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        std::fs::copy(SOCKPIT, dir.join("sockpit")).expect("copy the binary");
        Self { dir }
    }

    /// Runs `script` in a new user + network namespace, as uid 65534 when
    /// we are root, bounded by 90 s.
    pub fn run(&self, script: &str) -> Output {
        let dir = self.dir.display();
        let body = format!("set -eu\ncd {dir}\nSOCKPIT={dir}/sockpit\n{PRELUDE}{script}");
        let mut cmd = Command::new("timeout");
        cmd.arg("90");
        if we_are_root() {
            cmd.args(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
        }
        cmd.args(["unshare", "-rn", "bash", "-c", &body]).env("HOME", &self.dir);
        cmd.output().expect("run the namespace script")
    }

    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    /// The exit code a script wrote to `NAME.rc`.
    pub fn code(&self, name: &str) -> Option<i32> {
        self.file(&format!("{name}.rc")).trim().parse().ok()
    }

    /// The script's output and every file it wrote, for a failed assertion.
    pub fn show(&self, out: &Output) -> String {
        let mut text = format!(
            "status {:?}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        // Regular files only: opening a FIFO would wait for a writer.
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.file_name().to_string_lossy().into())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        for name in names.iter().filter(|n| !n.ends_with("pcapng") && *n != "sockpit") {
            text.push_str(&format!("\n--- {name} ---\n{}", self.file(name)));
        }
        text
    }
}

/// The TUI in a namespace, in a terminal: `tests/tui_tls.rs` and
/// `tests/tui_wire.rs` run sockpit there the same way.
impl Ns {
    /// The shell line that runs `script` (in this directory, `lo` up first)
    /// in a new user + network namespace, as uid 65534 when we are root.
    #[must_use]
    pub fn command_line(&self, script: &str) -> String {
        let dir = self.dir.display();
        let body = format!("ip link set lo up; cd {dir}; {script}");
        let inner = format!("unshare -rn bash -c {}", shell_quote(&body));
        if we_are_root() {
            format!("setpriv --reuid=65534 --regid=65534 --clear-groups env HOME={dir} {inner}")
        } else {
            inner
        }
    }

    /// A terminal named `client` (tmux) running `script` in the namespace.
    #[must_use]
    pub fn tmux(&self, script: &str) -> Tmux {
        let t = Tmux::new();
        t.shell("client");
        t.line("client", &self.command_line(script));
        t
    }

    /// The pcapng files in the directory (what F9 saved).
    #[must_use]
    pub fn pcapngs(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.dir)
            .expect("the namespace's directory")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "pcapng"))
            .collect()
    }
}

/// `s` as one single-quoted shell word.
#[must_use]
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

impl Drop for Ns {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn we_are_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}
