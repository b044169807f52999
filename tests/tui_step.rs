//! Step mode end to end in a real terminal (tmux, like tests/tui_tmux.rs):
//! the student makes each call of a TCP server by hand, the seed's Python
//! client waits in the accept queue until `/accept`, `/recv 4` takes four
//! bytes, a blocking `/recv` shows as blocked until Ctrl-C interrupts it.
//! Every wait is a bounded poll of the screen.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_sockpit");
const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// A private tmux server, killed with everything in it when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new() -> Self {
        Self { socket: format!("sockpit-step-{}", std::process::id()) }
    }

    fn run(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux")
            .arg("-u")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .env_remove("TMUX")
            .output()
            .expect("tmux runs");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    /// A new 160x40 terminal running `command`.
    fn window(&self, name: &str, command: &str) {
        let size = ["-x", "160", "-y", "40"];
        let mut args = vec!["new-session", "-d", "-s", name];
        args.extend(size);
        args.extend(["env", "TERM=tmux-256color", "bash", "--norc", "--noprofile", "-c", command]);
        self.run(&args);
        // Keep the screen readable after the program ends.
        self.run(&["set-option", "-t", name, "remain-on-exit", "on"]);
    }

    fn keys(&self, target: &str, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", target];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types a line literally, then Enter.
    fn line(&self, target: &str, text: &str) {
        self.run(&["send-keys", "-t", target, "-l", text]);
        self.keys(target, &["Enter"]);
    }

    fn screen(&self, target: &str) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", target]).stdout)
            .into_owned()
    }

    fn wait_for(&self, target: &str, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen(target);
            if done(&screen) {
                return screen;
            }
            assert!(start.elapsed() < PATIENCE, "no {what} after {PATIENCE:?}:\n{screen}");
            std::thread::sleep(POLL);
        }
    }

    /// Types a step call and waits for its line in the timeline.
    fn call(&self, target: &str, typed: &str, shown: &str) -> String {
        self.line(target, typed);
        self.wait_for(target, shown, |s| s.contains(shown))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

/// The port in `server.getsockname()  -> ('127.0.0.1', PORT)`.
fn port_of(screen: &str) -> Option<u16> {
    let rest = screen.split("getsockname()  -> ('127.0.0.1', ").nth(1)?;
    rest.split(')').next()?.parse().ok()
}

#[test]
fn step_by_step_server_with_the_seeds_client() {
    let tmux = Tmux::new();
    tmux.window("s", &format!("{BIN} tcp server 127.0.0.1:0 --step"));
    tmux.wait_for("s", "step mode in the status bar", |s| s.contains("tcp server step"));
    tmux.wait_for("s", "F8's suggestion", |s| s.contains("F8: /socket"));
    tmux.call(
        "s",
        "/socket",
        "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  -> <socket fd=",
    );
    tmux.call("s", "/bind", "server.bind(('127.0.0.1', 0))  -> None");
    tmux.call("s", "/listen 5", "server.listen(5)  -> None");
    let screen = tmux.call("s", "/getsockname", "getsockname()  -> ('127.0.0.1', ");
    let port = port_of(&screen).expect("port on screen");

    // The seed's client connects, sends a line and waits for the answer.
    let peer = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/peers/tcp_client.py");
    tmux.window("c", &format!("printf 'hello\\n' | python3 {peer} {port}; sleep 60"));
    let screen = tmux.wait_for("s", "the client in the accept queue", |s| {
        s.contains("(in the accept queue)") && s.contains("accept queue 1 (backlog 5)")
    });
    assert!(!screen.contains("server.accept()"), "nobody called accept yet:\n{screen}");
    assert!(screen.contains("F8: /accept"), "F8 suggests accept:\n{screen}");

    tmux.call("s", "/accept", "sock, caddr = server.accept()  -> (<socket fd=");
    tmux.wait_for("s", "the accept queue emptied", |s| !s.contains("accept queue 1"));
    tmux.call("s", "/recv 4", "sock.recv(4)  -> b'hell'");

    // The client waits for an answer, so a blocking recv blocks after the
    // rest of the line: Ctrl-C interrupts it instead of quitting.
    tmux.call("s", "/recv 1024", "sock.recv(1024)  -> b'o\\n'");
    tmux.line("s", "/recv 1024");
    tmux.wait_for("s", "the blocked recv", |s| s.contains("blocked in recv()"));
    tmux.keys("s", &["C-c"]);
    tmux.wait_for("s", "KeyboardInterrupt", |s| {
        s.contains("sock.recv(1024)  -> KeyboardInterrupt") && !s.contains("blocked in recv()")
    });
    tmux.keys("s", &["C-q"]);
    tmux.wait_for("s", "sockpit gone", |s| !s.contains("tcp server step"));
}
