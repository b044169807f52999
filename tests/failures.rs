//! Every failure explained: each error is built for real — inside
//! a private network namespace where it needs one (the kernel facts in
//! docs/architecture.md) — and headless sockpit must exit 1 with a message in the one
//! grammar, `CALL TARGET failed: NAME (text): sentence; try ...`, and with
//! `--events json` report the failed call by name (and the same message as
//! its `fatal` event).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use common::grammar::{
    ErrorMessage, assert_explains, assert_fatal_is, error_line, failed_call, json_events,
    parse_error,
};
use common::netns::{Netns, Ran};

/// What one failure must look like.
struct Expect<'a> {
    call: &'a str,
    target: &'a str,
    name: &'a str,
    sentence: &'a str,
    /// The failed call event of `--events json`: errno and Python's
    /// exception; `None` when the failure is not a socket call (resolution).
    json_call: Option<(Option<i64>, &'a str)>,
}

/// Runs `args` headless twice after `setup` in `ns`: as `text` with text
/// events and as `json` with `--events json`.
fn both_modes(ns: &Netns, setup: &str, args: &str) -> Ran {
    ns.run(&format!(
        "{setup}\nrun text $SOCKPIT {args} --headless\n\
         run json $SOCKPIT {args} --headless --events json\n"
    ))
}

/// Checks runs `text` and `json` of `ran` (see [`both_modes`]) against `e`.
fn check(ran: &Ran, e: &Expect) -> ErrorMessage {
    with_context(ran, || check_runs(ran, "text", "json", e))
}

fn check_runs(ran: &Ran, text: &str, json: &str, e: &Expect) -> ErrorMessage {
    assert_eq!(ran.code(text), Some(1), "exit code of the text run");
    assert_eq!(ran.file(&format!("{text}.out")), "", "stdout of the text run");
    let msg = error_line(&ran.file(&format!("{text}.err")), e.call, e.target);
    assert_explains(&msg, e.name, e.sentence);
    assert_eq!(ran.code(json), Some(1), "exit code of the json run");
    let events = json_events(&ran.file(&format!("{json}.err")));
    if let Some((errno, python)) = e.json_call {
        failed_call(&events, e.call, e.name, errno, python);
    }
    assert_fatal_is(&events, &msg);
    msg
}

/// Runs `checks`; a failure shows everything the script left behind.
fn with_context<T>(ran: &Ran, checks: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(checks)) {
        Ok(value) => value,
        Err(payload) => {
            let why = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            panic!("{why}\n\n{}", ran.show())
        }
    }
}

#[test]
fn the_grammar_parser_rejects_broken_messages() {
    let ok = parse_error(
        "sockpit: connect 127.0.0.1:9 failed: ECONNREFUSED (connection refused): \
         nothing listens there; try starting a server first",
    )
    .expect("parses");
    assert_eq!((ok.call.as_str(), ok.target.as_str()), ("connect", "127.0.0.1:9"));
    assert_eq!((ok.name.as_str(), ok.hint.as_str()), ("ECONNREFUSED", "starting a server first"));
    for bad in [
        "connect 127.0.0.1:9 failed: ECONNREFUSED (connection refused)",
        "connect failed: ECONNREFUSED: nothing listens there; try later",
        "connect 1.2.3.4:5 failed: connection refused (x): y; try z",
        "connect 1.2.3.4:5 failed: ECONNREFUSED (x): ; try z",
    ] {
        assert_eq!(parse_error(bad), None, "{bad}");
    }
}

/// A copy of the binary in a fresh directory everyone may enter, for
/// running it as another user; removed when dropped.
struct WorldCopy {
    dir: PathBuf,
    bin: PathBuf,
}

impl WorldCopy {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("sockpit-nobody-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let bin = dir.join("sockpit");
        std::fs::copy(common::SOCKPIT, &bin).expect("copy the binary");
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        for part in bin.ancestors().skip(1) {
            let mode = std::fs::metadata(part).expect("stat").permissions().mode();
            assert!(mode & 0o001 != 0, "{} is not traversable by others", part.display());
        }
        Self { dir, bin }
    }

    fn path(&self) -> &Path {
        &self.bin
    }
}

impl Drop for WorldCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn eacces_binding_a_low_port_as_nobody() {
    let copy = WorldCopy::new();
    let nobody =
        format!("setpriv --reuid=65534 --regid=65534 --clear-groups {}", copy.path().display());
    let script = format!(
        "[ \"$(setpriv --reuid=65534 --regid=65534 --clear-groups id -u)\" = 65534 ]\n\
         run text {nobody} tcp server 127.0.0.1:80 --headless\n\
         run json {nobody} tcp server 127.0.0.1:80 --headless --events json\n\
         run utext {nobody} udp server 127.0.0.1:53 --headless\n\
         run ujson {nobody} udp server 127.0.0.1:53 --headless --events json\n"
    );
    let ran = Netns::default().run(&script);
    let mut e = Expect {
        call: "bind",
        target: "127.0.0.1:80",
        name: "EACCES",
        sentence: "ports below 1024 need privileges",
        json_call: Some((Some(13), "PermissionError: [Errno 13]")),
    };
    let msg = check(&ran, &e);
    assert!(msg.hint.contains("1024 or more"), "{msg:?}");
    e.target = "127.0.0.1:53";
    with_context(&ran, || check_runs(&ran, "utext", "ujson", &e));
}

#[test]
fn enetunreach_with_loopback_down() {
    let ns = Netns { lo_up: false, ..Netns::default() };
    let ran = ns.run(
        "run text $SOCKPIT tcp client 127.0.0.1:80 --headless\n\
         run json $SOCKPIT tcp client 127.0.0.1:80 --headless --events json\n\
         run utext $SOCKPIT udp client 127.0.0.1:53 --headless\n\
         run ujson $SOCKPIT udp client 127.0.0.1:53 --headless --events json\n",
    );
    let mut e = Expect {
        call: "connect",
        target: "127.0.0.1:80",
        name: "ENETUNREACH",
        sentence: "no route leads to that network",
        json_call: Some((Some(101), "OSError: [Errno 101] Network is unreachable")),
    };
    check(&ran, &e);
    e.target = "127.0.0.1:53";
    with_context(&ran, || check_runs(&ran, "utext", "ujson", &e));
}

#[test]
fn ehostunreach_with_an_unreachable_route() {
    let setup = "ip route add unreachable 127.0.0.2/32 table local";
    let ran = both_modes(&Netns::default(), setup, "tcp client 127.0.0.2:80");
    check(
        &ran,
        &Expect {
            call: "connect",
            target: "127.0.0.2:80",
            name: "EHOSTUNREACH",
            sentence: "the host cannot be reached",
            json_call: Some((Some(113), "OSError: [Errno 113] No route to host")),
        },
    );
}

#[test]
fn eaddrnotavail_binding_an_address_the_namespace_lacks() {
    let ran = Netns::default().run(
        "run text $SOCKPIT tcp server 192.0.2.77:8080 --headless\n\
         run json $SOCKPIT tcp server 192.0.2.77:8080 --headless --events json\n\
         run utext $SOCKPIT udp server 192.0.2.77:8080 --headless\n\
         run ujson $SOCKPIT udp server 192.0.2.77:8080 --headless --events json\n",
    );
    let e = Expect {
        call: "bind",
        target: "192.0.2.77:8080",
        name: "EADDRNOTAVAIL",
        sentence: "no interface of this machine has that address",
        json_call: Some((Some(99), "OSError: [Errno 99] Cannot assign requested address")),
    };
    check(&ran, &e);
    with_context(&ran, || check_runs(&ran, "utext", "ujson", &e));
}

/// A listener with `listen(0)` whose one queue slot is taken by a
/// connection it never accepts: further SYNs are dropped.
const FULL_QUEUE: &str = "import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 7000))
s.listen(0)
held = socket.create_connection(('127.0.0.1', 7000))
print('up', flush=True)
time.sleep(120)";

/// Both timeouts against the same full queue, all four runs at once, each
/// timed: the kernel's own ETIMEDOUT (`tcp_syn_retries=1`: about 3 s) and
/// Python's `TimeoutError` at the `--timeout 1` deadline.
#[test]
fn kernel_etimedout_and_python_timeout_against_a_full_queue() {
    let script = format!(
        "sysctl -q -w net.ipv4.tcp_syn_retries=1\n\
         python3 -c \"{FULL_QUEUE}\" > queue.log &\n\
         wait_for queue.log up\n\
         timed() {{ local n=$1 s; shift; s=$(date +%s%N); run \"$n\" \"$@\"; \
                    echo $(( ($(date +%s%N) - s) / 1000000 )) > \"$n.ms\"; }}\n\
         pids=()\n\
         timed text $SOCKPIT tcp client 127.0.0.1:7000 --headless & pids+=($!)\n\
         timed json $SOCKPIT tcp client 127.0.0.1:7000 --headless --events json & pids+=($!)\n\
         timed ttext $SOCKPIT tcp client 127.0.0.1:7000 --timeout 1 --headless & pids+=($!)\n\
         timed tjson $SOCKPIT tcp client 127.0.0.1:7000 --timeout 1 --headless --events json & pids+=($!)\n\
         wait \"${{pids[@]}}\"\n"
    );
    let ran = Netns::default().run(&script);
    let ms = |name: &str| -> u64 {
        ran.file(&format!("{name}.ms")).trim().parse().unwrap_or_else(|_| panic!("{}", ran.show()))
    };
    check(
        &ran,
        &Expect {
            call: "connect",
            target: "127.0.0.1:7000",
            name: "ETIMEDOUT",
            sentence: "the kernel gave up waiting for an answer",
            json_call: Some((Some(110), "TimeoutError: [Errno 110] Connection timed out")),
        },
    );
    let kernel = ms("text").max(ms("json"));
    assert!((2000..20_000).contains(&kernel), "kernel ETIMEDOUT after {kernel} ms\n{}", ran.show());
    let python = Expect {
        call: "connect",
        target: "127.0.0.1:7000",
        name: "TimeoutError",
        sentence: "no answer before the deadline set with --timeout",
        json_call: Some((None, "TimeoutError: timed out")),
    };
    let msg = with_context(&ran, || check_runs(&ran, "ttext", "tjson", &python));
    assert_eq!(msg.text, "timed out");
    for run in ["ttext", "tjson"] {
        let took = ms(run);
        assert!((900..2500).contains(&took), "--timeout 1 took {took} ms\n{}", ran.show());
    }
    let settimeout = ran.file("ttext.err");
    assert!(settimeout.contains("client.settimeout(1.0)"), "{}", ran.show());
}

/// A name server inside the namespace that answers every query with
/// NXDOMAIN: the name does not exist.
const NXDOMAIN: &str = "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 53))
print('up', flush=True)
while True:
    q, peer = s.recvfrom(512)
    flags = bytes([0x80 | (q[2] & 1), 0x83])
    s.sendto(q[:2] + flags + q[4:6] + bytes(6) + q[12:], peer)";

fn resolution(ns: &Netns, setup: &str, code: &str) {
    let ran = both_modes(ns, setup, "tcp client nowhere.invalid:80");
    let msg = check(
        &ran,
        &Expect {
            call: "getaddrinfo",
            target: "nowhere.invalid:80",
            name: code,
            sentence: "the host name could not be resolved",
            json_call: None,
        },
    );
    assert!(msg.hint.contains("IP address"), "{msg:?}");
}

#[test]
fn eai_noname_when_the_name_server_says_no_such_name() {
    let ns = Netns {
        resolv: "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n".into(),
        ..Netns::default()
    };
    let setup = format!("python3 -c \"{NXDOMAIN}\" > dns.log &\nwait_for dns.log up");
    resolution(&ns, &setup, "EAI_NONAME");
}

#[test]
fn eai_again_when_no_name_server_answers() {
    let ns = Netns {
        resolv: "nameserver 127.0.0.53\noptions timeout:1 attempts:1\n".into(),
        ..Netns::default()
    };
    resolution(&ns, "", "EAI_AGAIN");
    // An empty resolv.conf means a name server on 127.0.0.1 (glibc's
    // default), and nothing answers there either.
    resolution(&Netns::default(), "", "EAI_AGAIN");
}
