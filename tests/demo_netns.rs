//! The demo's own network: `sockpit demo` makes a private user + network
//! namespace before its runtime starts (run here as uid 65534 when the
//! tests run as root, so "any user" is what is tested), says so on screen
//! with the lines another terminal uses to reach it, and those lines work;
//! from the host its port is not there. Where the kernel refuses a
//! namespace (here: 32 nested user namespaces already), the demo says why
//! in the error grammar and runs on the network it has.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::Proc;
use common::grammar::parse_error;
use common::tmux::{Tmux, line_with, port_in};

static COPIES: AtomicU32 = AtomicU32::new(0);

fn we_are_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
}

/// A copy of the binary every user may run, in a directory every user may
/// write (the build directory need not be readable by uid 65534).
fn public_binary() -> PathBuf {
    let n = COPIES.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sockpit-demo-ns-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let bin = dir.join("sockpit");
    std::fs::copy(common::SOCKPIT, &bin).expect("copy the binary");
    bin
}

/// `setpriv …` words that make a command run as uid 65534 when we are root
/// (an unprivileged user), nothing otherwise.
fn as_nobody() -> &'static str {
    if we_are_root() { "setpriv --reuid=65534 --regid=65534 --clear-groups " } else { "" }
}

fn as_nobody_cmd(program: &str) -> Command {
    let words: Vec<&str> = as_nobody().split_whitespace().collect();
    let mut cmd = Command::new(words.first().copied().unwrap_or(program));
    cmd.args(words.iter().skip(1));
    if !words.is_empty() {
        cmd.arg(program);
    }
    cmd
}

/// The server's history pane (the screen's first column) without its
/// frame, as one string: wrapped lines joined by spaces, so a line the pane
/// wrapped reads whole again.
fn flat(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_demo_has_its_own_network_and_the_lines_it_shows_join_it() {
    let bin = public_binary();
    let t = Tmux::new();
    t.shell("d");
    t.line("d", &format!("cd /tmp && {}{}", as_nobody(), bin.display()));
    let screen = t.wait_for("d", "the namespace notice", |s| {
        flat(s).contains("any program: nsenter") && s.contains("connected to 127.0.0.1:")
    });
    let port = port_in(&screen).expect("the demo's port");
    let pid = t.sockpit_pid("d");
    let text = flat(&screen);
    assert!(
        text.contains(&format!("this demo runs in its own network namespace (pid {pid})")),
        "{text}"
    );
    let join = format!("join it: {} --join {pid} tcp client 127.0.0.1:{port}", bin.display());
    assert!(text.contains(&join), "no `{join}` in {text}");
    let nsenter =
        format!("nsenter --target {pid} --user --net --preserve-credentials nc 127.0.0.1 {port}");
    assert!(text.contains(&nsenter), "no `{nsenter}` in {text}");

    // From the host, as it is, the port is not there.
    let mut outside = as_nobody_cmd(bin.to_str().expect("utf-8 path"));
    let out = outside
        .args(["tcp", "client", &format!("127.0.0.1:{port}"), "--headless"])
        .stdin(Stdio::null())
        .output()
        .expect("run a client on the host");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ECONNREFUSED"), "{stderr}");

    // The line the demo shows, typed by the same user, reaches it.
    let mut joined = as_nobody_cmd(bin.to_str().expect("utf-8 path"));
    joined.args(["--join", &pid.to_string(), "tcp", "client", &format!("127.0.0.1:{port}")]);
    joined.arg("--headless");
    let mut client = Proc::spawn(joined);
    client.write(b"hello through --join\n");
    t.wait_for("d", "the joined client's line", |s| line_with(s, &["←", "hello through --join"]));
    client.kill();

    // So does nsenter's line with another program (nc).
    let mut words: Vec<String> = as_nobody().split_whitespace().map(String::from).collect();
    words.extend(nsenter.split_whitespace().map(String::from));
    let mut nc = Command::new(&words[0]);
    nc.args(&words[1..]);
    let mut nc = Proc::spawn_raw(nc);
    nc.write(b"hello through nsenter\n");
    t.wait_for("d", "nc's line", |s| line_with(s, &["←", "hello through nsenter"]));
    nc.kill();

    t.keys("d", &["C-q"]);
    t.assert_shell_back("d");
    let _ = std::fs::remove_dir_all(bin.parent().expect("dir"));
}

#[test]
fn the_headless_demo_says_where_it_runs_and_no_netns_runs_on_the_host() {
    let bin = public_binary();
    let run = |extra: &[&str]| {
        let mut cmd = as_nobody_cmd(bin.to_str().expect("utf-8 path"));
        cmd.current_dir("/tmp").args(["demo", "--headless"]).args(extra).stdin(Stdio::null());
        cmd.output().expect("run the demo")
    };
    let own = run(&[]);
    assert_eq!(own.status.code(), Some(0), "{own:?}");
    let text = String::from_utf8_lossy(&own.stdout);
    assert!(text.contains("[server] # this demo runs in its own network namespace"), "{text}");
    assert!(text.contains("hi, 你好 from the server"), "{text}");

    let host = run(&["--no-netns"]);
    assert_eq!(host.status.code(), Some(0), "{host:?}");
    let text = String::from_utf8_lossy(&host.stdout);
    assert!(!text.contains("network namespace"), "{text}");
    assert!(text.contains("hi, 你好 from the server"), "{text}");
    let _ = std::fs::remove_dir_all(bin.parent().expect("dir"));
}

/// The kernel allows 32 nested user namespaces: nested as deep as it
/// lets us (each level checks that one more is possible, so at most 32
/// levels), the demo's own is refused (ENOSPC), and it says so and talks.
#[test]
fn a_refused_namespace_is_said_in_the_grammar_and_the_demo_still_runs() {
    let bin = public_binary();
    let deepest = r#"deeper() {
        if unshare -r true 2>/dev/null; then
            exec unshare -r bash -c "$(declare -f deeper); deeper"
        fi
        exec "$SOCKPIT_BIN" demo --headless
    }
    deeper"#;
    let mut cmd = as_nobody_cmd("bash");
    let out = cmd
        .args(["-c", deepest])
        .env("SOCKPIT_BIN", &bin)
        .current_dir("/tmp")
        .stdin(Stdio::null())
        .output()
        .expect("run the nested demo");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("[server] # unshare"))
        .map_or_else(|| panic!("no unshare line in {text}"), |rest| format!("unshare{rest}"));
    let msg = parse_error(&line).unwrap_or_else(|| panic!("not in the grammar: {line}"));
    assert_eq!(msg.call, "unshare", "{line}");
    assert_eq!(msg.name, "ENOSPC", "{line}");
    assert!(line.contains("runs on the host's network"), "{line}");
    assert!(text.contains("hi, 你好 from the server"), "{text}");
    let _ = std::fs::remove_dir_all(bin.parent().expect("dir"));
}

#[test]
fn join_refuses_a_missing_process_and_one_on_this_network() {
    let mut gone = Command::new("true").spawn().expect("spawn true");
    let pid = gone.id();
    gone.wait().expect("reap");
    for (target, name, sentence) in [
        (pid.to_string(), "ENOENT", "no process"),
        (std::process::id().to_string(), "EINVAL", "already shares this terminal's network"),
    ] {
        let out = Command::new(common::SOCKPIT)
            .args(["--join", &target, "tcp", "client", "127.0.0.1:9", "--headless"])
            .stdin(Stdio::null())
            .output()
            .expect("run sockpit --join");
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.trim().strip_prefix("sockpit: ").unwrap_or(stderr.trim()).to_string();
        let msg = parse_error(&line).unwrap_or_else(|| panic!("not in the grammar: {line}"));
        assert_eq!(msg.name, name, "{line}");
        assert!(line.contains(sentence), "{line}");
    }
}
