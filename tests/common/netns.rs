//! Private network namespaces for the tests that build error conditions:
//! `unshare -n -m` gives a loopback of our own (down until the script brings
//! it up), and bind mounts give private /etc/hosts, /etc/resolv.conf and
//! /etc/nsswitch.conf, so the host's resolver and network never see a query.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use super::SOCKPIT;

/// What a namespace starts with.
pub struct Netns {
    /// Bring `lo` up before the script runs.
    pub lo_up: bool,
    /// The namespace's /etc/hosts.
    pub hosts: String,
    /// The namespace's /etc/resolv.conf.
    pub resolv: String,
}

impl Default for Netns {
    fn default() -> Self {
        Self { lo_up: true, hosts: "127.0.0.1 localhost\n".into(), resolv: String::new() }
    }
}

/// Bash functions every script may use:
/// - `run NAME CMD...`: CMD with stdin from /dev/null; stdout, stderr and the
///   exit code go to NAME.out, NAME.err and NAME.rc (read with [`Ran`]);
/// - `wait_for FILE TEXT`: a bounded poll (15 s) until FILE contains TEXT.
///
/// Background jobs (listeners, peers) are killed when the script exits.
const PRELUDE: &str = r#"
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
run() { local n=$1; shift; set +e; "$@" </dev/null >"$n.out" 2>"$n.err"; echo $? >"$n.rc"; set -e; }
wait_for() {
    for _ in $(seq 300); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "wait_for: no '$2' in $1 after 15 s" >&2; return 1
}
"#;

static RUNS: AtomicU32 = AtomicU32::new(0);

/// A finished script: its output, and the files it left in its directory
/// (removed when dropped).
pub struct Ran {
    pub out: Output,
    pub dir: PathBuf,
}

impl Netns {
    /// Runs `script` with bash (`set -eu`) inside fresh network and mount
    /// namespaces, in a private directory, with `$SOCKPIT` the binary under
    /// test; the whole run is bounded by 90 s.
    pub fn run(&self, script: &str) -> Ran {
        let n = RUNS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sockpit-ns-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("hosts"), &self.hosts).expect("hosts");
        std::fs::write(dir.join("resolv.conf"), &self.resolv).expect("resolv.conf");
        // Only files and DNS: no nss plug-in may ask a resolver outside.
        std::fs::write(dir.join("nsswitch.conf"), "hosts: files dns\n").expect("nsswitch");
        let mut prelude = String::from("set -eu\n");
        if self.lo_up {
            prelude.push_str("ip link set lo up\n");
        }
        for file in ["hosts", "resolv.conf", "nsswitch.conf"] {
            prelude.push_str(&format!("mount --bind {}/{file} /etc/{file}\n", dir.display()));
        }
        prelude.push_str(&format!("SOCKPIT={SOCKPIT}\ncd {}\n{PRELUDE}", dir.display()));
        let out = Command::new("timeout")
            .args(["90", "unshare", "-n", "-m", "bash", "-c", &(prelude + script)])
            .output()
            .expect("run unshare");
        Ran { out, dir }
    }
}

impl Ran {
    /// A file the script wrote (empty when it did not).
    pub fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_default()
    }

    /// The exit code `run NAME ...` recorded.
    pub fn code(&self, name: &str) -> Option<i32> {
        self.file(&format!("{name}.rc")).trim().parse().ok()
    }

    /// Everything worth showing when an assertion fails.
    pub fn show(&self) -> String {
        let mut text = format!(
            "script status {:?}\nstdout:\n{}\nstderr:\n{}",
            self.out.status.code(),
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr)
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for path in files.iter().filter(|p| is_run_file(p)) {
            let body = std::fs::read_to_string(path).unwrap_or_default();
            let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            text.push_str(&format!("\n--- {name} ---\n{body}"));
        }
        text
    }
}

fn is_run_file(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("err" | "out" | "rc"))
}

impl std::ops::Deref for Ran {
    type Target = Output;
    fn deref(&self) -> &Output {
        &self.out
    }
}

impl Drop for Ran {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
