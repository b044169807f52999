//! tmux as a test terminal: a private server (`-L`), keys sent with
//! `send-keys`, screens read with `capture-pane`, every wait a bounded poll
//! of a condition. tmux is part of the test environment (scripts/test
//! installs it); tests using it never skip.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sockpit");
/// How long any one condition may take to appear.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// Pause between two looks at the screen while waiting for a condition.
pub const POLL: Duration = Duration::from_millis(50);

static SERVERS: AtomicU32 = AtomicU32::new(0);

/// A private tmux server; killed (with everything in it) when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn new() -> Self {
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        Self { socket: format!("sockpit-test-{}-{n}", std::process::id()) }
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-u")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .env_remove("TMUX")
            .output()
            .expect("tmux runs (scripts/test installs it)");
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A new 160x40 terminal running a plain bash.
    pub fn shell(&self, name: &str) {
        self.run(&[
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            "160",
            "-y",
            "40",
            "env",
            "PS1=$ ",
            "TERM=tmux-256color",
            "bash",
            "--norc",
            "--noprofile",
        ]);
        self.wait_for(name, "a shell prompt", |s| s.contains('$'));
    }

    /// Types text literally (no key names), then Enter.
    pub fn line(&self, target: &str, text: &str) {
        self.run(&["send-keys", "-t", &exact(target), "-l", text]);
        self.keys(target, &["Enter"]);
    }

    pub fn keys(&self, target: &str, keys: &[&str]) {
        let target = exact(target);
        let mut args = vec!["send-keys", "-t", &target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", &exact(target)]).stdout)
            .into_owned()
    }

    pub fn format(&self, target: &str, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", &exact(target), format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the screen until `done` holds; panics with the screen after
    /// `PATIENCE`.
    pub fn wait_for(&self, target: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(target);
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no {what} in {target} after {PATIENCE:?}:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Starts sockpit with `args` in `target`'s shell.
    pub fn sockpit(&self, target: &str, args: &str) {
        self.line(target, &format!("{BIN} {args}"));
    }

    /// The port a server shows once it listens or is bound.
    pub fn port(&self, target: &str) -> u16 {
        let screen = self.wait_for(target, "listening port", |s| port_in(s).is_some());
        port_in(&screen).expect("port")
    }

    /// The pane is back to a shell: no alternate screen, no mouse capture,
    /// the terminal in cooked mode with echo, and commands run.
    pub fn assert_shell_back(&self, target: &str) {
        let start = Instant::now();
        while self.format(target, "#{alternate_on}") != "0" {
            assert!(start.elapsed() < PATIENCE, "still on the alternate screen");
            std::thread::sleep(POLL);
        }
        let mouse = "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}";
        assert_eq!(self.format(target, mouse), "000", "mouse capture left on");
        self.line(target, "echo ok-$((1+1))");
        self.wait_for(target, "a working shell", |s| s.lines().any(|l| l.trim() == "ok-2"));
        self.line(target, "stty -a | grep -qE '(^| )icanon' && stty -a | grep -qE '(^| )echo( |$)' && echo cooked-$((2+3))");
        self.wait_for(target, "cooked mode", |s| s.lines().any(|l| l.trim() == "cooked-5"));
    }

    /// The pid of the sockpit running under `target`'s shell.
    pub fn sockpit_pid(&self, target: &str) -> u32 {
        let shell: u32 = self.format(target, "#{pane_pid}").parse().expect("pane pid");
        let start = Instant::now();
        loop {
            if let Some(pid) = child_of(shell) {
                return pid;
            }
            assert!(start.elapsed() < PATIENCE, "sockpit did not start under {shell}");
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let path = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", "#{socket_path}"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
        // The server leaves its socket file behind; a test leaves nothing.
        if let Ok(path) = path
            && !path.is_empty()
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The port after `listening on 127.0.0.1:` or `bound to 127.0.0.1:`.
/// The session named exactly `target` (`=NAME:`): a bare name is tried as
/// a window of the newest session first, and a window named after what
/// runs in it (`socat`, `sockpit`) would take `s`. A target already naming
/// a window or pane is left as it is.
fn exact(target: &str) -> String {
    if target.contains([':', '.', '%', '=']) { target.to_string() } else { format!("={target}:") }
}

pub fn port_in(screen: &str) -> Option<u16> {
    ["listening on 127.0.0.1:", "bound to 127.0.0.1:"].iter().find_map(|marker| {
        let at = screen.find(marker)? + marker.len();
        let digits: String = screen[at..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// A child process of `parent`, from /proc.
pub fn child_of(parent: u32) -> Option<u32> {
    let entries = std::fs::read_dir("/proc").ok()?;
    entries.filter_map(Result::ok).find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat =
            std::fs::read_to_string(PathBuf::from("/proc").join(pid.to_string()).join("stat"))
                .ok()?;
        // Fields after the parenthesised command name: state, ppid, ...
        let rest = &stat[stat.rfind(')')? + 2..];
        let ppid: u32 = rest.split(' ').nth(1)?.parse().ok()?;
        (ppid == parent).then_some(pid)
    })
}

/// One line of the screen holds all of `parts`.
pub fn line_with(screen: &str, parts: &[&str]) -> bool {
    screen.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}
