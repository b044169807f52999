//! The differential conformance suite: every script runs through `CPython`'s
//! own `socket` module (one python3 process, the oracle) and through
//! sockpit's step engine; the transcripts must agree line for line.
//!
//! Two sets of scripts: the named ones (`conformance/scripts.rs`) and the
//! generated call × state matrix (`conformance/matrix.rs`). The matrix is
//! always printed (`cargo test --test conformance -- --nocapture`); the
//! side-by-side table of the named scripts is printed when any differs, or
//! always with `CONFORMANCE_VERBOSE=1`. `CONFORMANCE_JOB=FILE` saves the
//! scripts as the oracle reads them: `python3 tests/conformance/cpython.py < FILE`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

#[path = "conformance/cpython.rs"]
mod cpython;
#[path = "conformance/matrix.rs"]
mod matrix;
#[path = "conformance/peer.rs"]
mod peer;
#[path = "conformance/render.rs"]
mod render;
#[path = "conformance/report.rs"]
mod report;
#[path = "conformance/script.rs"]
mod script;
#[path = "conformance/scripts.rs"]
mod scripts;
#[path = "conformance/scripts_more.rs"]
mod scripts_more;
#[path = "conformance/scripts_unix.rs"]
mod scripts_unix;
#[path = "conformance/sockpit_run.rs"]
mod sockpit_run;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use script::Script;

/// How long one call may take before its script is cut off as a stall
/// (calls that block end after the scripts' own 0.2–0.3 s timeouts).
const LIMIT: Duration = Duration::from_secs(3);

/// Scripts run at once on the sockpit side.
const CAP: usize = 8;

/// The whole python3 run may take this long.
const OVERALL: Duration = Duration::from_secs(240);

/// A port nobody listens on: a TCP socket bound to port 0 that never
/// listens, kept open for the whole run so that no other socket (the
/// scripts' own `bind(0)`s among them) is given the port meanwhile; a
/// connect to it is refused. (Closing it at once let a script's listener
/// take the port: 8 "refused" cells once connected in CI.)
fn refused_port() -> (socket2::Socket, SocketAddr) {
    let probe = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("a TCP socket");
    let any: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    probe.bind(&any.into()).expect("bind 127.0.0.1:0");
    let addr = probe.local_addr().expect("local address").as_socket().expect("an IP address");
    (probe, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockpit_answers_every_call_like_cpython() {
    let started = Instant::now();
    let named = scripts::all();
    let cells = matrix::cells();
    let all: Vec<Arc<Script>> =
        named.iter().cloned().chain(cells.iter().map(|c| c.script.clone())).map(Arc::new).collect();
    let mut seen = HashSet::new();
    for script in &all {
        assert!(seen.insert(script.name.clone()), "two scripts named {}", script.name);
    }

    let refs: Vec<&Script> = all.iter().map(AsRef::as_ref).collect();
    let (_held, refused) = refused_port();
    let timed = |since: Instant| since.elapsed().as_secs_f64();
    let ((theirs, cpython_secs), (ours, sockpit_secs)) = tokio::join!(
        async { (cpython::run_all(&refs, LIMIT, OVERALL).await, timed(started)) },
        async { (sockpit_run::run_all(&all, refused, LIMIT, CAP).await, timed(started)) }
    );
    let ours: HashMap<String, Vec<String>> = all.iter().map(|s| s.name.clone()).zip(ours).collect();

    let (table, differing_cells) = matrix::table(&cells, &theirs, &ours);
    println!("{table}");

    let none = Vec::new();
    let mut differing = Vec::new();
    let mut sides = String::new();
    for script in &named {
        let cp = theirs.get(&script.name).unwrap_or(&none);
        let sp = ours.get(&script.name).unwrap_or(&none);
        if report::first_difference(cp, sp).is_some() {
            differing.push(script.name.as_str());
        }
        sides.push_str(&report::side_by_side(script, cp, sp));
    }
    let verbose = std::env::var("CONFORMANCE_VERBOSE").is_ok_and(|v| v == "1");
    if verbose || !differing.is_empty() {
        println!("{sides}");
    }
    println!(
        "named scripts: {} ({} differ: {}); matrix cells: {} ({} differ); \
         cpython {cpython_secs:.1} s, sockpit {sockpit_secs:.1} s, in all {:.1} s",
        named.len(),
        differing.len(),
        differing.join(", "),
        cells.len(),
        differing_cells,
        started.elapsed().as_secs_f64()
    );
    assert!(
        differing.is_empty() && differing_cells == 0,
        "sockpit differs from CPython in {} named scripts and {differing_cells} matrix cells \
         (tables above)",
        differing.len()
    );
}

#[test]
fn py_bytes_repr_matches_python() {
    let samples: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"hello".to_vec(),
        b"it's".to_vec(),
        b"say \"hi\"".to_vec(),
        b"both ' and \"".to_vec(),
        b"back\\slash".to_vec(),
        b"\t\n\r\x0b\x0c\x00\x1f\x7f\x80\xff".to_vec(),
        "你好世界".as_bytes().to_vec(),
        "你好世界".as_bytes()[..4].to_vec(),
        (0..=255).collect(),
    ];
    let python = cpython::bytes_reprs(&samples);
    let ours: Vec<String> = samples.iter().map(|s| render::py_bytes_repr(s)).collect();
    assert_eq!(ours, python);
}

#[test]
fn the_script_language_parses_what_the_scripts_use() {
    let step = script::parse_line("c, a = s.accept").expect("parses");
    assert_eq!((step.bind.as_deref(), step.obj.as_str()), (Some("c"), "s"));
    assert_eq!(step.op, script::Op::Accept);
    let step = script::parse_line("s.sendto PEER a b\\x00").expect("parses");
    assert_eq!(step.op, script::Op::Sendto { to: "PEER".into(), data: b"a b\0".to_vec() });
    let step = script::parse_line("peer.sendto s 你").expect("parses");
    assert_eq!(step.op, script::Op::PeerSendto { to: "s".into(), data: "你".as_bytes().to_vec() });
    assert!(script::parse_line("s.frobnicate").is_err());
    assert!(script::parse_line("s = socket sctp").is_err());
    let step = script::parse_line("os.unlink ./a.sock").expect("parses");
    assert_eq!(step.op, script::Op::Unlink { path: "./a.sock".into() });
    assert!(script::parse_line("os.remove ./a.sock").is_err());
    assert!(scripts::all().len() >= 40);
}
