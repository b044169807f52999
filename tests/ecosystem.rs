//! sockpit among the user's tools: every `--help` speaks for itself (no
//! internal documents, issue numbers or unexplained jargon), `--version`
//! names the commit, the bash completion script completes, the manual page
//! renders with `man -l`, and `-q` is as quiet as nc while errors still say
//! what failed. Real processes; every wait bounded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;

use clap::CommandFactory;
use common::{Proc, SOCKPIT, SOON, TempDir, python, sockpit};

/// Every subcommand path: `[]`, `["tcp"]`, `["tcp", "server"]`, ...
fn paths(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
    out.push(prefix.to_vec());
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_string());
        paths(sub, &path, out);
    }
}

fn run(args: &[&str]) -> (String, String, Option<i32>) {
    let out = Command::new(SOCKPIT).args(args).output().expect("run sockpit");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (text(&out.stdout), text(&out.stderr), out.status.code())
}

#[test]
fn no_help_names_internal_documents_issues_or_the_seed() {
    let mut all = Vec::new();
    paths(&sockpit::cli::Cli::command(), &[], &mut all);
    assert!(all.len() >= 12, "the tree of subcommands: {all:?}");
    for path in &all {
        for flag in ["--help", "-h"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let (out, err, code) = run(&args);
            assert_eq!(code, Some(0), "sockpit {args:?}: {err}");
            assert!(out.contains("Usage: sockpit"), "sockpit {args:?}: {out}");
            let lower = out.to_lowercase();
            for word in ["design.md", "issue", "seed"] {
                assert!(!lower.contains(word), "sockpit {args:?} names {word:?}:\n{out}");
            }
        }
    }
}

#[test]
fn version_names_the_commit() {
    let (out, _, code) = run(&["--version"]);
    assert_eq!(code, Some(0));
    let in_git = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let version = env!("CARGO_PKG_VERSION");
    match in_git {
        // The build script read the same HEAD (it reruns when HEAD moves).
        Some(hash) => assert_eq!(out.trim(), format!("sockpit {version} (git {hash})")),
        None => assert_eq!(out.trim(), format!("sockpit {version} (no git hash)")),
    }
}

#[test]
fn bash_completion_completes_tcp_s_to_server() {
    let script = format!(
        "source <({SOCKPIT} completions bash) || exit 3
         complete -p sockpit >/dev/null || exit 4
         COMP_WORDS=(sockpit tcp s); COMP_CWORD=2
         COMP_LINE='sockpit tcp s'; COMP_POINT=${{#COMP_LINE}}
         _sockpit sockpit s tcp
         printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new("bash").args(["--norc", "-c", &script]).output().expect("bash");
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{got} {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(got.split_whitespace().collect::<Vec<_>>(), ["server"]);
    // And the options of a subcommand, from the same clap definitions.
    let script = script.replace("(sockpit tcp s)", "(sockpit tcp client --ti)").replace(
        "COMP_CWORD=2\n         COMP_LINE='sockpit tcp s'",
        "COMP_CWORD=3\n         COMP_LINE='sockpit tcp client --ti'",
    );
    let script = script.replace("_sockpit sockpit s tcp", "_sockpit sockpit --ti client");
    let out = Command::new("bash").args(["--norc", "-c", &script]).output().expect("bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "--timeout");
}

#[test]
fn zsh_and_fish_scripts_are_generated() {
    for (shell, mark) in [("zsh", "#compdef sockpit"), ("fish", "complete -c sockpit")] {
        let (out, err, code) = run(&["completions", shell]);
        assert_eq!(code, Some(0), "{err}");
        assert!(out.contains(mark), "{shell}: {}", &out[..out.len().min(200)]);
        assert!(out.contains("server") && out.contains("recv-size"), "{shell}");
    }
}

#[test]
fn the_man_page_renders_with_man_l() {
    let dir = TempDir::new("man");
    let page = dir.0.join("sockpit.1");
    let (roff, err, code) = run(&["man"]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::write(&page, &roff).expect("write the page");
    let out = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man (apt: man-db)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // `man` emboldens with backspaces when not writing to a terminal.
    let plain: String = {
        let mut s = String::new();
        for c in text.chars() {
            if c == '\u{8}' {
                s.pop();
            } else {
                s.push(c);
            }
        }
        s
    };
    for want in [
        "NAME",
        "sockpit - Talk over TCP/UDP sockets",
        "SOCKPIT TCP SERVER",
        "sockpit tcp server [OPTIONS] [ADDR]",
        "--backlog",
        "SOCKPIT UNIX CLIENT",
        "--quiet",
        "EXAMPLES",
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n'",
    ] {
        assert!(plain.contains(want), "the page lacks {want:?}:\n{plain}");
    }
}

#[test]
fn quiet_get_prints_nothing_on_stderr_and_exits_0() {
    let mut web = Proc::spawn(python("socket_web.py", &["0"]));
    let port = web.port_line();
    let mut get = Proc::spawn(sockpit(&["tcp", "client", &format!("127.0.0.1:{port}"), "-q"]));
    get.write(b"GET / HTTP/1.0\r\n\r\n");
    get.close_stdin();
    get.expect_code(0, SOON);
    assert_eq!(get.stdout_all(), b"HTTP/1.1 200 OK\r\n\r\nHello, World");
    assert!(get.stderr.is_empty(), "stderr: {:?}", get.stderr);
    web.wait_stdout_has(b"GET / HTTP/1.0\r\n\r\n");

    // The same GET without -q says what it did; with -v the routine calls too.
    let mut said = Vec::new();
    for flag in ["--eol=lf", "-v"] {
        let mut get = Proc::spawn(sockpit(&["tcp", "client", &format!("127.0.0.1:{port}"), flag]));
        get.write(b"GET / HTTP/1.0\r\n\r\n");
        get.close_stdin();
        get.expect_code(0, SOON);
        said.push(get.stderr.clone());
    }
    let has = |lines: &[String], what: &str| lines.iter().any(|l| l.contains(what));
    assert!(has(&said[0], "client.connect(("), "{:?}", said[0]);
    assert!(!has(&said[0], "client.recv("), "{:?}", said[0]);
    assert!(has(&said[1], "client.sendall(") && has(&said[1], "client.recv("), "{:?}", said[1]);
}

#[test]
fn quiet_still_says_a_failure_in_the_grammar_and_exits_1() {
    let port = common::closed_tcp_port();
    let target = format!("127.0.0.1:{port}");
    let mut c = Proc::spawn(sockpit(&["tcp", "client", &target, "-q"]));
    c.close_stdin();
    c.expect_code(1, SOON);
    assert_eq!(c.stderr.len(), 1, "one line: {:?}", c.stderr);
    let msg = c.stderr[0].strip_prefix("sockpit: ").expect("the sockpit: prefix");
    let parsed = common::grammar::parse_error(msg).expect("the error grammar");
    assert_eq!(parsed.call, "connect");
    assert_eq!(parsed.target, target);
    assert_eq!(parsed.name, "ECONNREFUSED");
}

#[test]
fn quiet_and_verbose_are_headless_options() {
    let (_, err, code) = run(&["tcp", "client", "1", "-q", "-v", "--headless"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot be used with"), "{err}");
}
