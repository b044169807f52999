//! A finished chapter's F10 scripts, run with python3 against each other:
//! the server end's script on a free port, the client end's against the
//! port it prints (and both given the same free PORT2 for a server's second
//! listener). Both must exit 0 without a traceback, and each must receive
//! exactly the bytes the other one sends (its send calls' arguments as
//! Python evaluates them) — for datagrams, exactly what it received by
//! hand — so the scripts do what the student did. Failed calls are
//! comments in an export, so their errors are not replayed. A one-end
//! chapter's script runs against the chapter's second-terminal command.

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

/// What a datagram script must print: the data its recvfrom/recv calls
/// returned in the recording (their `# recorded: b'...'` comments, as
/// Python evaluates the literal), concatenated. A datagram is delivered
/// whole or cut by the buffer size, so this is exact where "received =
/// sent" is not (a truncating `recvfrom`, a datagram left unread).
const RECORDED: &str = r"
import ast, io, re, sys, tokenize
out = b''
for line in open(sys.argv[1]):
    m = re.search(r'= \w+\.recv(?:from)?\(\d+\)  # recorded: (.*)$', line)
    if not m:
        continue
    toks = tokenize.tokenize(io.BytesIO(m.group(1).encode()).readline)
    lit = next(t for t in toks if t.type == tokenize.STRING)
    if m.group(1)[lit.end[1]:].startswith('...'):
        sys.exit('a recorded datagram is quoted in part: ' + line)
    out += ast.literal_eval(lit.string)
sys.stdout.buffer.write(out)
";

/// The `sockpit-*END` F10 wrote in `dir` (`END`: `-server.py`,
/// `-client.py`, or `.py` for a one-end session's only script).
pub fn script(dir: &Path, end: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir).ok()?.filter_map(Result::ok).map(|e| e.path()).find(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("sockpit-") && n.ends_with(end))
    })
}

/// Chapter 10's server script, run in `dir` (where its socket file is),
/// against a Unix client that sends `hello\n` as socat did and reads to
/// EOF: the script must remove the file the session left, take the bytes,
/// close, meet its own stale file again, and bind it once more; exit 0.
pub fn run_unix_server(dir: &Path, script: &Path) {
    use std::io::{Read, Write};
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(script).current_dir(dir);
    let mut srv = Proc::spawn(cmd);
    srv.wait_line("listening on", |l| l.starts_with("listening on "));
    let mut client =
        std::os::unix::net::UnixStream::connect(dir.join("learn.sock")).expect("connect");
    client.set_read_timeout(Some(SOON)).expect("a read timeout");
    client.write_all(b"hello\n").expect("send");
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).expect("EOF from the script's close");
    let status = srv.wait_exit(SOON);
    let err = srv.stderr.join("\n");
    assert!(status.success() && !err.contains("Traceback"), "the unix script: {status}\n{err}");
    assert_eq!(srv.stdout_all(), b"hello\n", "the unix script received");
    assert!(rest.is_empty(), "the recorded server sent nothing: {rest:?}");
}

fn sends(script: &Path) -> Vec<u8> {
    evaluate(SENDS, script)
}

/// What `script` received in the recording, by its comments (datagrams).
fn recorded(script: &Path) -> Vec<u8> {
    evaluate(RECORDED, script)
}

/// Runs a Python helper over `script`; its stdout.
fn evaluate(helper: &str, script: &Path) -> Vec<u8> {
    let out = Command::new("python3").arg("-c").arg(helper).arg(script).output().expect("python3");
    assert!(
        out.status.success(),
        "parsing {}: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn python(script: &Path, ports: &[&str]) -> Proc {
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(script).arg("127.0.0.1").args(ports);
    Proc::spawn(cmd)
}

/// Two different ports nothing listens on now.
fn free_ports() -> (String, String) {
    let bind = || std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &std::net::TcpListener| l.local_addr().expect("its port").port().to_string();
    (port(&a), port(&b))
}

/// Runs the pair and checks what each received.
pub fn run_pair(slug: &str, server: &Path, client: &Path) {
    // Free ports, not 0: a chapter that restarts its server binds the
    // same PORT twice, as the student did; PORT2 is a second listener's
    // (both scripts take it, so they agree).
    let (first, second) = free_ports();
    let mut srv = python(server, &[&first, &second]);
    let line = srv.wait_line("listening on", |l| l.starts_with("listening on "));
    let port = line.rsplit(':').next().expect("host:port").trim().to_string();
    let mut cli = python(client, &[&port, &second]);
    for (name, proc) in [("client", &mut cli), ("server", &mut srv)] {
        let status = proc.wait_exit(SOON);
        let err = proc.stderr.join("\n");
        assert!(
            status.success() && !err.contains("Traceback"),
            "{slug}: the {name} script: {status}\n{err}"
        );
    }
    let (got_srv, got_cli) = (srv.stdout_all(), cli.stdout_all());
    let text = std::fs::read_to_string(server).expect("the server's script");
    if text.contains("SOCK_DGRAM") {
        // Datagrams: each script receives what it received by hand.
        assert_eq!(got_srv, recorded(server), "{slug}: the server script received");
        assert_eq!(got_cli, recorded(client), "{slug}: the client script received");
    } else {
        // A byte stream: each script receives every byte the other sends.
        assert_eq!(got_srv, sends(client), "{slug}: the server script received");
        assert_eq!(got_cli, sends(server), "{slug}: the client script received");
    }
}

/// A one-end chapter's server script against the chapter's own
/// second-terminal command (its `{port}` filled in), run as the student
/// ran it: the backlog's three clients must all connect and the server
/// script accept them; curl must print exactly the body the script sends.
pub fn run_with_second(slug: &str, server: &Path, template: &str) {
    let mut srv = python(server, &[&free_ports().0]);
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
