//! A finished chapter's F10 scripts, run with python3 against each other:
//! the server end's script on a free port, the client end's against the
//! port it prints. Both must exit 0 without a traceback, and each must
//! receive exactly the bytes the other one sends (its send calls' arguments
//! as Python evaluates them), so the scripts move the same bytes as the
//! student did by hand. Failed calls are comments in an export, so their
//! errors are not replayed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Proc, SOON};

/// The bytes a script's send calls pass, concatenated, as Python itself
/// evaluates each constant argument: what the peer script must receive.
const SENDS: &str = r"
import ast, sys
out = b''
for node in ast.walk(ast.parse(open(sys.argv[1]).read())):
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ('send', 'sendall', 'sendto') and node.args):
        try:
            value = eval(compile(ast.Expression(node.args[0]), 'arg', 'eval'), {})
        except NameError:
            continue
        out += value
sys.stdout.buffer.write(out)
";

/// The chapters whose two scripts stand alone as a pair. Not yet the others:
/// `tcp-client` (the server's script closes its listener at once, before
/// the client's connect, where the student kept it open: two processes lose
/// the order the two ends had by hand), `reuseaddr` (the client's second
/// connect names the recorded port, not `PORT`) and `udp` (a truncating
/// `recvfrom` receives less than was sent, so "received = sent" is not the
/// oracle there).
pub const PAIRED: &[&str] = &["tcp-server", "streams", "closing", "timeouts"];

/// The `sockpit-*END` F10 wrote in `dir` (`END`: `-server.py`,
/// `-client.py`, or `.py` for a one-end session's only script).
pub fn script(dir: &Path, end: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("sockpit-") && n.ends_with(end))
    })
}

fn sends(script: &Path) -> Vec<u8> {
    let out = Command::new("python3").arg("-c").arg(SENDS).arg(script).output().expect("python3");
    assert!(
        out.status.success(),
        "parsing {}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn python(script: &Path, port: &str) -> Proc {
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(script).args(["127.0.0.1", port]);
    Proc::spawn(cmd)
}

/// Runs the pair and checks what each received.
pub fn run_pair(slug: &str, server: &Path, client: &Path) {
    // A free port, not 0: a chapter that restarts its server binds the
    // same PORT twice, as the student did.
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let free_port = free.local_addr().expect("its port").port().to_string();
    drop(free);
    let mut srv = python(server, &free_port);
    let line = srv.wait_line("listening on", |l| l.starts_with("listening on "));
    let port = line.rsplit(':').next().expect("host:port").trim().to_string();
    let mut cli = python(client, &port);
    for (name, proc) in [("client", &mut cli), ("server", &mut srv)] {
        let status = proc.wait_exit(SOON);
        let err = proc.stderr.join("\n");
        assert!(
            status.success() && !err.contains("Traceback"),
            "{slug}: the {name} script: {status}\n{err}"
        );
    }
    let (got_srv, got_cli) = (srv.stdout_all(), cli.stdout_all());
    assert_eq!(got_srv, sends(client), "{slug}: the server script received");
    assert_eq!(got_cli, sends(server), "{slug}: the client script received");
}

/// A one-end chapter's server script against the chapter's own
/// second-terminal command (its `{port}` filled in), run as the student
/// ran it: the backlog's three clients must all connect and the server
/// script accept them; curl must print exactly the body the script sends.
pub fn run_with_second(slug: &str, server: &Path, template: &str) {
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let free_port = free.local_addr().expect("its port").port().to_string();
    drop(free);
    let mut srv = python(server, &free_port);
    let line = srv.wait_line("listening on", |l| l.starts_with("listening on "));
    let port = line.rsplit(':').next().expect("host:port").trim().to_string();
    let mut cmd = Command::new("bash");
    cmd.arg("-c").arg(template.replace("{port}", &port));
    let mut second = Proc::spawn(cmd);
    match slug {
        "backlog" => {
            // Three accepts, then the script closes everything and exits.
            let status = srv.wait_exit(SOON);
            let err = srv.stderr.join("\n");
            assert!(status.success() && !err.contains("Traceback"), "{slug}: {status}\n{err}");
            assert_eq!(err.matches("accepted").count(), 3, "{slug}: three accepts:\n{err}");
            second.wait_stdout_has(b"3 connected");
            second.write(b"\n");
            let status = second.wait_exit(SOON);
            assert!(status.success(), "{slug}: the clients: {status}\n{:?}", second.stderr);
        }
        "web" => {
            let status = second.wait_exit(SOON);
            assert!(status.success(), "{slug}: curl: {status}\n{:?}", second.stderr);
            let status = srv.wait_exit(SOON);
            let err = srv.stderr.join("\n");
            assert!(status.success() && !err.contains("Traceback"), "{slug}: {status}\n{err}");
            let body = sends(server);
            let sent = String::from_utf8(body).expect("the response is text");
            let (_, body) = sent.split_once("\r\n\r\n").expect("an HTTP response");
            assert_eq!(second.stdout_all(), body.as_bytes(), "{slug}: what curl printed");
            assert_eq!(body, "Hello, World");
        }
        other => panic!("no second-terminal check for {other}"),
    }
}
