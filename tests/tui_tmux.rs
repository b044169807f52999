//! The TUI end to end in real terminals: tmux sessions on a private socket,
//! keys sent with `send-keys`, screens read with `capture-pane`, every wait
//! a bounded poll of a condition. tmux is part of the test environment
//! (scripts/test installs it); these tests never skip.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sockpit");
/// How long any one condition may take to appear.
const PATIENCE: Duration = Duration::from_secs(10);
/// Pause between two looks at the screen while waiting for a condition.
const POLL: Duration = Duration::from_millis(50);

static SERVERS: AtomicU32 = AtomicU32::new(0);

/// A private tmux server; killed (with everything in it) when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Self {
        let n = SERVERS.fetch_add(1, Ordering::Relaxed);
        Self { socket: format!("sockpit-test-{}-{n}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> Output {
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
    fn shell(&self, name: &str) {
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
    fn line(&self, target: &str, text: &str) {
        self.run(&["send-keys", "-t", target, "-l", text]);
        self.keys(target, &["Enter"]);
    }

    fn keys(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", target]).stdout)
            .into_owned()
    }

    fn format(&self, target: &str, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", target, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Polls the screen until `done` holds; panics with the screen after
    /// `PATIENCE`.
    fn wait_for(&self, target: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
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
    fn sockpit(&self, target: &str, args: &str) {
        self.line(target, &format!("{BIN} {args}"));
    }

    /// The port a server shows once it listens or is bound.
    fn port(&self, target: &str) -> u16 {
        let screen = self.wait_for(target, "listening port", |s| port_in(s).is_some());
        port_in(&screen).expect("port")
    }

    /// The pane is back to a shell: no alternate screen, no mouse capture,
    /// the terminal in cooked mode with echo, and commands run.
    fn assert_shell_back(&self, target: &str) {
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
    fn sockpit_pid(&self, target: &str) -> u32 {
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
fn port_in(screen: &str) -> Option<u16> {
    ["listening on 127.0.0.1:", "bound to 127.0.0.1:"].iter().find_map(|marker| {
        let at = screen.find(marker)? + marker.len();
        let digits: String = screen[at..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// A child process of `parent`, from /proc.
fn child_of(parent: u32) -> Option<u32> {
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
fn line_with(screen: &str, parts: &[&str]) -> bool {
    screen.lines().any(|l| parts.iter().all(|p| l.contains(p)))
}

fn chat(proto: &str) {
    let t = Tmux::new();
    t.shell("server");
    t.shell("client");
    t.sockpit("server", &format!("{proto} server 127.0.0.1:0"));
    let port = t.port("server");
    t.sockpit("client", &format!("{proto} client 127.0.0.1:{port}"));
    if proto == "tcp" {
        t.wait_for("client", "connection", |s| s.contains("connected to"));
    } else {
        t.wait_for("client", "client socket", |s| s.contains("client.connect("));
    }
    t.line("client", "hello 你好");
    t.wait_for("server", "the client's line", |s| line_with(s, &["←", "hello 你好"]));
    t.wait_for("client", "its own line", |s| line_with(s, &["→", "hello 你好"]));
    t.line("server", "reply 世界 😀");
    t.wait_for("client", "the server's reply", |s| line_with(s, &["←", "reply 世界 😀"]));
    t.keys("client", &["C-q"]);
    t.keys("server", &["C-q"]);
    t.assert_shell_back("client");
    t.assert_shell_back("server");
}

#[test]
fn tcp_chat_between_two_terminals() {
    chat("tcp");
}

#[test]
fn udp_chat_between_two_terminals() {
    chat("udp");
}

#[test]
fn chat_with_openbsd_netcat() {
    let t = Tmux::new();
    t.shell("server");
    t.shell("nc");
    t.sockpit("server", "tcp server 127.0.0.1:0");
    let port = t.port("server");
    t.line("nc", &format!("nc.openbsd 127.0.0.1 {port}"));
    t.wait_for("server", "nc's connection", |s| s.contains("accepted 127.0.0.1:"));
    t.line("nc", "from nc 你好");
    t.wait_for("server", "nc's line", |s| line_with(s, &["←", "from nc 你好"]));
    t.line("server", "to nc");
    t.wait_for("nc", "the TUI's line", |s| s.lines().any(|l| l.trim() == "to nc"));
    // nc hangs up: the server sees EOF, keeps listening.
    t.keys("nc", &["C-c"]);
    t.wait_for("server", "the peer's EOF", |s| s.contains("closed its side"));
    t.keys("server", &["C-q"]);
    t.assert_shell_back("server");
}

#[test]
fn demo_line_leaves_one_end_and_reaches_the_other() {
    let t = Tmux::new();
    t.shell("demo");
    t.sockpit("demo", "");
    t.wait_for("demo", "the demo's connection", |s| s.contains("connected to 127.0.0.1:"));
    t.line("demo", "ping through the demo");
    let screen = t.wait_for("demo", "both ends' lines", |s| {
        line_with(s, &["→", "ping through the demo"])
            && line_with(s, &["←", "ping through the demo"])
    });
    assert!(screen.contains("History: server") && screen.contains("History: client"), "{screen}");
    // F2 moves the input to the server; its reply reaches the client.
    t.keys("demo", &["F2"]);
    t.wait_for("demo", "input on the server", |s| s.contains("Input (server"));
    t.line("demo", "pong");
    t.wait_for("demo", "the reply", |s| line_with(s, &["←", "pong"]));
    t.keys("demo", &["C-q"]);
    t.assert_shell_back("demo");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    t.keys("s", &["C-c"]);
    t.assert_shell_back("s");
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    let pid = t.sockpit_pid("s");
    let killed = Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill");
    assert!(killed.success());
    t.assert_shell_back("s");
}

#[test]
fn help_opens_and_closes_and_resize_redraws() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "tcp server 127.0.0.1:0");
    t.port("s");
    t.keys("s", &["F1"]);
    t.wait_for("s", "the help", |s| s.contains("Keys: any key closes") && s.contains("Ctrl-Q"));
    t.keys("s", &["Escape"]);
    t.wait_for("s", "help closed", |s| !s.contains("Keys: any key closes"));
    t.run(&["resize-window", "-t", "s", "-x", "60", "-y", "15"]);
    t.wait_for("s", "a redraw at 60 columns", |s| {
        s.lines().next().is_some_and(|l| l.chars().count() <= 60 && l.contains("History"))
    });
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}

/// CPU time (user + system, in clock ticks) the main thread of a process
/// has used so far: the thread that runs the UI loop and draws (the
/// engine's sockets and sampling run on the runtime's workers).
fn ui_thread_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/stat")).expect("stat");
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the comm.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

#[test]
fn an_idle_window_is_not_redrawn() {
    let t = Tmux::new();
    t.shell("s");
    t.sockpit("s", "");
    t.wait_for("s", "the demo's connection", |s| s.contains("connected to 127.0.0.1:"));
    let pid = t.sockpit_pid("s");
    let before = ui_thread_ticks(pid);
    // A measurement window, not a wait for a condition: nothing happens in
    // it by design (the engine keeps sampling its sockets meanwhile), and
    // the UI loop must not spend CPU redrawing an unchanged screen.
    std::thread::sleep(Duration::from_secs(2));
    let used = ui_thread_ticks(pid) - before;
    assert!(used <= 3, "the UI thread used {used} ticks (1/100 s each) in 2 s of idleness");
    t.keys("s", &["C-q"]);
    t.assert_shell_back("s");
}
