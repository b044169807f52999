//! Shared helpers for the integration tests: spawn sockpit or a peer with
//! piped stdio, wait for stderr events / stdout bytes / exit with bounded
//! deadlines (never a sleep standing in for the network), and find ports.
#![allow(dead_code, reason = "each test binary uses its own subset")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod events;
pub mod grammar;
pub mod load;
pub mod netns;
pub mod screen;
pub mod tmux;
pub mod userns;
mod util;
#[allow(unused_imports, reason = "some test binaries use none of them")]
pub use util::*;

/// The binary under test.
pub const SOCKPIT: &str = env!("CARGO_BIN_EXE_sockpit");
/// Deadline for anything that should happen promptly (events, small data).
pub const SOON: Duration = Duration::from_secs(15);
/// Deadline for bulk transfers and exits after them.
pub const BULK: Duration = Duration::from_secs(60);

/// Path of a Python peer in `assets/peers/`.
pub fn peer(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/peers").join(name)
}

/// A command for sockpit with `args` then `--headless`.
pub fn sockpit(args: &[&str]) -> Command {
    let mut cmd = Command::new(SOCKPIT);
    cmd.args(args).arg("--headless");
    cmd
}

/// A command for sockpit with `args` then `--headless --events json`.
pub fn sockpit_json(args: &[&str]) -> Command {
    let mut cmd = sockpit(args);
    cmd.args(["--events", "json"]);
    cmd
}

/// A command running a Python peer from `assets/peers/` with `args`.
pub fn python(name: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(peer(name)).args(args);
    cmd
}

/// Stdout gathered by a reader thread, with a condition variable to wait on.
#[derive(Default)]
struct Gathered {
    bytes: Vec<u8>,
    eof: bool,
}
type Shared = Arc<(Mutex<Gathered>, Condvar)>;

/// A running child process with piped stdio.
pub struct Proc {
    pub name: String,
    pub child: Child,
    pub stdin: Option<ChildStdin>,
    /// Set when spawned with [`Proc::spawn_raw`]: the test reads stdout itself.
    pub stdout: Option<ChildStdout>,
    out: Option<Shared>,
    err_rx: Receiver<String>,
    /// Every stderr line seen so far.
    pub stderr: Vec<String>,
}

impl Proc {
    /// Spawns `cmd`; stdout is gathered in the background.
    pub fn spawn(cmd: Command) -> Self {
        let mut proc = Self::spawn_raw(cmd);
        let mut stdout = proc.stdout.take().expect("stdout");
        let shared: Shared = Arc::default();
        let writer = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = stdout.read(&mut buf).unwrap_or(0);
                let (lock, cvar) = &*writer;
                let mut g = lock.lock().expect("lock");
                if n == 0 {
                    g.eof = true;
                    cvar.notify_all();
                    return;
                }
                g.bytes.extend_from_slice(&buf[..n]);
                cvar.notify_all();
            }
        });
        proc.out = Some(shared);
        proc
    }

    /// Spawns `cmd`, leaving its stdout pipe in `self.stdout`.
    pub fn spawn_raw(mut cmd: Command) -> Self {
        let name = format!("{cmd:?}");
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let stderr = child.stderr.take().expect("stderr");
        let (tx, err_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                let text = String::from_utf8_lossy(&line).trim_end_matches('\n').to_string();
                if tx.send(text).is_err() {
                    return;
                }
                line.clear();
            }
        });
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        Self { name, child, stdin, stdout, out: None, err_rx, stderr: Vec::new() }
    }

    /// Writes `bytes` to stdin (and flushes).
    pub fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        stdin.write_all(bytes).expect("write to stdin");
        stdin.flush().expect("flush stdin");
    }

    /// Closes stdin: the child sees EOF.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Writes `bytes` from a thread, then closes stdin (for large inputs).
    pub fn feed(&mut self, bytes: Vec<u8>) -> thread::JoinHandle<()> {
        let mut stdin = self.stdin.take().expect("stdin still open");
        thread::spawn(move || {
            // A broken pipe here shows up as a failed comparison later.
            let _ = stdin.write_all(&bytes);
        })
    }

    /// Waits until a stderr line satisfies `pred`; returns it.
    pub fn wait_line(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + SOON;
        if let Some(line) = self.stderr.iter().find(|l| pred(l)) {
            return line.clone();
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err_rx.recv_timeout(left) {
                Ok(line) => {
                    self.stderr.push(line.clone());
                    if pred(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => self.fail(&format!("no stderr line {what}")),
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail(&format!("stderr ended without {what}"))
                }
            }
        }
    }

    /// Waits until `n` stderr lines (seen so far or new) satisfy `pred`.
    pub fn wait_count(&mut self, what: &str, n: usize, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + SOON;
        while self.stderr.iter().filter(|l| pred(l)).count() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err_rx.recv_timeout(left) {
                Ok(line) => self.stderr.push(line),
                Err(_) => self.fail(&format!("fewer than {n} stderr lines {what}")),
            }
        }
    }

    /// Gathers stderr lines for `period`: a measuring window (how often
    /// something happens), not a wait for the network.
    pub fn gather_for(&mut self, period: Duration) {
        let end = Instant::now() + period;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            if let Ok(line) = self.err_rx.recv_timeout(left) {
                self.stderr.push(line);
            }
        }
    }

    /// Waits for a JSON event on stderr satisfying `pred`.
    pub fn wait_event(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let line = self.wait_line(what, |l| serde_json::from_str(l).is_ok_and(|v: Value| pred(&v)));
        serde_json::from_str(&line).expect("json")
    }

    /// Waits for the `listening` event and returns its `local` address.
    pub fn listening(&mut self) -> SocketAddr {
        let ev = self.wait_event("\"ev\":\"listening\"", |v| v["ev"] == "listening");
        let local = ev["local"].as_str().expect("listening.local is a string");
        local.parse().unwrap_or_else(|e| panic!("listening.local {local:?}: {e}"))
    }

    /// Waits until the gathered stdout satisfies `pred`; returns a copy.
    pub fn wait_stdout(&mut self, what: &str, pred: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        self.wait_gathered(what, |g| pred(&g.bytes))
    }

    fn wait_gathered(&mut self, what: &str, pred: impl Fn(&Gathered) -> bool) -> Vec<u8> {
        let shared = Arc::clone(self.out.as_ref().expect("stdout is gathered"));
        let (lock, cvar) = &*shared;
        let deadline = Instant::now() + BULK;
        let mut g = lock.lock().expect("lock");
        loop {
            if pred(&g) {
                return g.bytes.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if g.eof || left.is_zero() {
                let got = String::from_utf8_lossy(&g.bytes[..g.bytes.len().min(400)]).to_string();
                drop(g);
                self.fail(&format!("stdout never had {what}; got {got:?}"));
            }
            g = cvar.wait_timeout(g, left).expect("lock").0;
        }
    }

    /// Whether stdout gathered so far contains `needle` (no waiting).
    pub fn stdout_has(&self, needle: &[u8]) -> bool {
        let shared = self.out.as_ref().expect("stdout is gathered");
        let g = shared.0.lock().expect("lock");
        g.bytes.windows(needle.len()).any(|w| w == needle)
    }

    /// Waits until stdout contains `needle`.
    pub fn wait_stdout_has(&mut self, needle: &[u8]) -> Vec<u8> {
        let what = format!("{:?}", String::from_utf8_lossy(needle));
        self.wait_stdout(&what, |b| b.windows(needle.len()).any(|w| w == needle))
    }

    /// The first stdout line as a port (the Python peers print it first).
    pub fn port_line(&mut self) -> u16 {
        let out = self.wait_stdout("a first line", |b| b.contains(&b'\n'));
        let line =
            String::from_utf8_lossy(&out[..out.iter().position(|&b| b == b'\n').expect("nl")])
                .to_string();
        line.trim().parse().unwrap_or_else(|e| panic!("port line {line:?}: {e}"))
    }

    /// Waits for exit within `limit`; kills the child and fails on timeout.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.drain_stderr();
                return status;
            }
            if Instant::now() >= deadline {
                self.fail(&format!("did not exit within {limit:?}"));
            }
            thread::sleep(Duration::from_millis(5)); // poll interval of a bounded loop
        }
    }

    /// Waits for exit and asserts the exit code.
    pub fn expect_code(&mut self, code: i32, limit: Duration) {
        let status = self.wait_exit(limit);
        if status.code() != Some(code) {
            self.fail(&format!("exited with {status}, expected code {code}"));
        }
    }

    /// Everything on stdout once it is closed (after exit).
    pub fn stdout_all(&mut self) -> Vec<u8> {
        self.wait_gathered("EOF", |g| g.eof)
    }

    /// Stderr lines up to EOF (bounded).
    pub fn drain_stderr(&mut self) -> &[String] {
        let deadline = Instant::now() + SOON;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err_rx.recv_timeout(left) {
                Ok(line) => self.stderr.push(line),
                Err(_) => return &self.stderr,
            }
        }
    }

    /// Kills the child (for modes that never exit by themselves).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills the child and panics with its stderr.
    pub fn fail(&mut self, why: &str) -> ! {
        self.kill();
        let lines: Vec<String> = self.err_rx.try_iter().collect();
        self.stderr.extend(lines);
        let tail = self.stderr.iter().rev().take(40).rev().cloned().collect::<Vec<_>>();
        panic!("{}: {why}\n--- stderr (last 40 lines) ---\n{}", self.name, tail.join("\n"));
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
