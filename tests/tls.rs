//! `--tls` against real TLS peers: `openssl s_server`/`s_client` (TLS 1.2
//! and 1.3, lines both ways, 8 MiB byte-exact), `ncat --ssl` both roles,
//! Python's `ssl` both roles, a wrong CA, `--insecure`, SNI and ALPN as
//! `openssl s_server` sees them, and SSLKEYLOGFILE opening a tshark capture
//! made inside a private network namespace.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use common::{BULK, Proc, SOON, assert_same, random_bytes, sockpit, sockpit_json};

static DIRS: AtomicU32 = AtomicU32::new(0);

/// A private directory holding a CA:FALSE certificate for localhost and
/// 127.0.0.1 made by openssl, and a second, unrelated one.
struct Certs {
    dir: PathBuf,
}

impl Certs {
    fn new() -> Self {
        let n = DIRS.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("sockpit-tls-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for name in ["server", "other"] {
            let ok = Command::new("openssl")
                .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
                .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
                .args(["-addext", "basicConstraints=critical,CA:FALSE"])
                .arg("-keyout")
                .arg(dir.join(format!("{name}.key")))
                .arg("-out")
                .arg(dir.join(format!("{name}.pem")))
                .output()
                .expect("run openssl req");
            assert!(ok.status.success(), "openssl req: {ok:?}");
        }
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A port nothing listens on now, for peers that cannot report the one
/// they got (openssl, ncat).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `openssl s_server` on `port` with our certificate, one connection; it
/// says ACCEPT once it listens.
fn s_server(certs: &Certs, port: u16, extra: &[&str]) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"])
        .args(["-cert", &certs.path("server.pem"), "-key", &certs.path("server.key")])
        .args(extra);
    let mut p = Proc::spawn(cmd);
    p.wait_stdout_has(b"ACCEPT");
    p
}

/// The port a headless sockpit server says it listens on.
fn port_of(p: &mut Proc) -> u16 {
    let line = p.wait_line("listening", |l| l.starts_with("listening on "));
    let addr = line.split_whitespace().nth(2).expect("address");
    addr.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port")
}

/// Where `needle` starts in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn sockpit_client_and_openssl_s_server_tls12_and_13() {
    let certs = Certs::new();
    for version in ["-tls1_2", "-tls1_3"] {
        // Lines both ways.
        let port = free_port();
        let mut server = s_server(&certs, port, &[version]);
        server.write(b"hello from openssl\n");
        let mut client = Proc::spawn(sockpit(&[
            "tcp",
            "client",
            &format!("localhost:{port}"),
            "--tls",
            "--cafile",
            &certs.path("server.pem"),
        ]));
        client.wait_stdout_has(b"hello from openssl\n");
        client.write(b"hello from sockpit\n");
        server.wait_stdout_has(b"hello from sockpit\n");
        let want = if version == "-tls1_2" { "TLSv1.2" } else { "TLSv1.3" };
        client.wait_line("version line", |l| l == format!("tls.version()  -> '{want}'"));
        client.close_stdin();
        client.expect_code(0, SOON);
        server.kill();

        // 8 MiB from sockpit to openssl, byte for byte.
        let port = free_port();
        let mut server = s_server(&certs, port, &[version]);
        let data = random_bytes(8 << 20);
        let mut client = Proc::spawn(sockpit(&[
            "tcp",
            "client",
            &format!("127.0.0.1:{port}"),
            "--tls",
            "--cafile",
            &certs.path("server.pem"),
        ]));
        let feeder = client.feed(data.clone());
        let head = data[..64].to_vec();
        let got = server.wait_stdout(&format!("8 MiB at s_server {version}"), |out| {
            find(out, &head).is_some_and(|at| out.len() >= at + data.len())
        });
        let at = find(&got, &head).expect("start of the data");
        assert_same("sockpit -> s_server", &got[at..at + data.len()], &data);
        feeder.join().expect("feeder");
        client.expect_code(0, BULK);
        server.kill();
    }
}

#[test]
fn openssl_s_client_and_sockpit_server_tls12_and_13() {
    let dir = Certs::new();
    let saved = dir.path("saved.pem");
    for version in ["-tls1_2", "-tls1_3"] {
        let mut server =
            Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--tls", "--save-cert", &saved]));
        let port = port_of(&mut server);
        let mut client = Proc::spawn({
            let mut cmd = Command::new("openssl");
            cmd.args([
                "s_client",
                "-connect",
                &format!("127.0.0.1:{port}"),
                "-quiet",
                "-no_ign_eof",
                "-nocommands",
            ])
            .args([
                "-verify_return_error",
                "-CAfile",
                &saved,
                "-verify_ip",
                "127.0.0.1",
                version,
            ]);
            cmd
        });
        client.write(b"hello from s_client\n");
        server.wait_stdout_has(b"hello from s_client\n");
        server.write(b"hello from sockpit\n");
        client.wait_stdout_has(b"hello from sockpit\n");
        // 8 MiB from openssl to sockpit, byte for byte.
        let data = random_bytes(8 << 20);
        let feeder = client.feed(data.clone());
        let mut want = b"hello from s_client\n".to_vec();
        want.extend_from_slice(&data);
        let got = server.wait_stdout("8 MiB at sockpit", |out| out.len() >= want.len());
        assert_same("s_client -> sockpit", &got[..want.len()], &want);
        feeder.join().expect("feeder");
        server.close_stdin();
        server.expect_code(0, BULK);
        let wanted = if version == "-tls1_2" { "TLSv1.2" } else { "TLSv1.3" };
        assert!(
            server.stderr.iter().any(|l| l == &format!("tls.version()  -> '{wanted}'")),
            "{:#?}",
            server.stderr
        );
        client.kill();
    }
}

#[test]
fn sni_and_alpn_are_what_openssl_sees() {
    let certs = Certs::new();
    let port = free_port();
    let mut server = s_server(&certs, port, &["-tlsextdebug", "-alpn", "h2"]);
    server.write(b"ready\n");
    let mut client = Proc::spawn(sockpit(&[
        "tcp",
        "client",
        &format!("127.0.0.1:{port}"),
        "--tls",
        "--cafile",
        &certs.path("server.pem"),
        "--sni",
        "localhost",
        "--alpn",
        "h2,http/1.1",
    ]));
    client.wait_stdout_has(b"ready\n");
    client.wait_line("ALPN result", |l| l == "tls.selected_alpn_protocol()  -> 'h2'");
    client.close_stdin();
    client.expect_code(0, SOON);
    // s_server's stdout is a buffered pipe: it says the rest as it ends.
    let out = server.wait_stdout_has(b"ALPN protocols selected: h2");
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("ALPN protocols advertised by the client: h2, http/1.1"), "{text}");
    // The server_name extension: list length 12, type 0, name length 9, "localhost".
    assert!(text.contains("00 0c 00 00 09 6c 6f 63-61 6c 68 6f 73 74"), "{text}");
    server.kill();
}

#[test]
fn ncat_ssl_both_roles() {
    let certs = Certs::new();
    // ncat --ssl listens; sockpit connects and verifies its certificate.
    let port = free_port();
    let mut cmd = Command::new("ncat");
    cmd.args([
        "--ssl",
        "--ssl-cert",
        &certs.path("server.pem"),
        "--ssl-key",
        &certs.path("server.key"),
    ])
    .args(["-v", "-l", "127.0.0.1", &port.to_string()]);
    let mut ncat = Proc::spawn(cmd);
    ncat.wait_line("ncat listening", |l| l.contains("Listening on"));
    let mut client = Proc::spawn(sockpit(&[
        "tcp",
        "client",
        &format!("127.0.0.1:{port}"),
        "--tls",
        "--cafile",
        &certs.path("server.pem"),
    ]));
    client.write(b"to ncat\n");
    ncat.wait_stdout_has(b"to ncat\n");
    ncat.write(b"to sockpit\n");
    client.wait_stdout_has(b"to sockpit\n");
    client.close_stdin();
    ncat.close_stdin();
    client.expect_code(0, SOON);
    ncat.kill();

    // sockpit listens; ncat --ssl connects, in a pipeline.
    let mut server = Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--tls"]));
    let port = port_of(&mut server);
    let mut cmd = Command::new("ncat");
    cmd.args(["--ssl", "127.0.0.1", &port.to_string()]);
    let mut ncat = Proc::spawn(cmd);
    ncat.write(b"from ncat\n");
    server.wait_stdout_has(b"from ncat\n");
    server.write(b"from sockpit\n");
    ncat.wait_stdout_has(b"from sockpit\n");
    ncat.close_stdin();
    server.close_stdin();
    server.expect_code(0, SOON);
    ncat.kill();
}

const PY_SERVER: &str = r"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
sock, _ = srv.accept()
tls = ctx.wrap_socket(sock, server_side=True)
tls.sendall(b'hello from python ' + tls.version().encode() + b'\n')
data = b''
while not data.endswith(b'\n'):
    chunk = tls.recv(100)
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
sys.stdout.flush()
while tls.recv(100):
    pass
tls.close()
";

const PY_CLIENT: &str = r"
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(('127.0.0.1', int(sys.argv[2]))) as sock:
    with ctx.wrap_socket(sock, server_hostname='localhost') as tls:
        print(tls.version(), tls.getpeercert()['subjectAltName'], flush=True)
        tls.sendall(b'hello from python\n')
        data = b''
        while chunk := tls.recv(100):
            data += chunk
        sys.stdout.buffer.write(data)
";

#[test]
fn python_ssl_both_roles() {
    let certs = Certs::new();
    // sockpit client -> Python ssl server.
    let mut cmd = Command::new("python3");
    cmd.args(["-c", PY_SERVER, &certs.path("server.pem"), &certs.path("server.key")]);
    let mut py = Proc::spawn(cmd);
    let out = py.wait_stdout("port", |o| o.ends_with(b"\n"));
    let port: u16 = String::from_utf8_lossy(&out).trim().parse().expect("port");
    let mut client = Proc::spawn(sockpit(&[
        "tcp",
        "client",
        &format!("localhost:{port}"),
        "--tls",
        "--cafile",
        &certs.path("server.pem"),
    ]));
    client.wait_stdout_has(b"hello from python TLSv1.3\n");
    client.write(b"hello from sockpit\n");
    py.wait_stdout_has(b"hello from sockpit\n");
    client.close_stdin();
    client.expect_code(0, SOON);
    py.expect_code(0, SOON);

    // Python ssl client, cafile = sockpit's --save-cert file.
    let saved = certs.path("saved.pem");
    let mut server =
        Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--tls", "--save-cert", &saved]));
    let port = port_of(&mut server);
    server.wait_line("fingerprint", |l| l.contains("SHA-256 fingerprint"));
    let mut cmd = Command::new("python3");
    cmd.args(["-c", PY_CLIENT, &saved, &port.to_string()]);
    let mut py = Proc::spawn(cmd);
    server.wait_stdout_has(b"hello from python\n");
    server.write(b"hello from sockpit\n");
    server.close_stdin();
    let out = py.wait_stdout_has(b"hello from sockpit\n");
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.starts_with("TLSv1.3 (('DNS', 'localhost'), ('IP Address', '127.0.0.1')"),
        "{text}"
    );
    py.expect_code(0, SOON);
    server.expect_code(0, SOON);
}

#[test]
fn wrong_ca_fails_in_the_grammar_and_insecure_connects_unverified() {
    let certs = Certs::new();
    let mut server =
        Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0", "--tls", "--keep-open"]));
    let port = port_of(&mut server);
    let target = format!("127.0.0.1:{port}");
    let mut client = Proc::spawn(sockpit(&[
        "tcp",
        "client",
        &target,
        "--tls",
        "--cafile",
        &certs.path("other.pem"),
    ]));
    client.close_stdin();
    client.expect_code(1, SOON);
    let want = format!(
        "sockpit: handshake {target} failed: certificate not trusted (unknown issuer): the server's \
         certificate is not signed by a CA you trust; try --cafile FILE, or --insecure to skip verification"
    );
    let lines = client.drain_stderr().to_vec();
    assert!(lines.contains(&want), "{lines:#?}");

    let mut client = Proc::spawn(sockpit_json(&["tcp", "client", &target, "--tls", "--insecure"]));
    let tls = client.wait_event("tls handshake", |v| v["ev"] == "tls");
    assert_eq!(tls["verified"], false);
    let would = tls["would_fail"].as_str().expect("would_fail");
    assert!(would.contains("unknown issuer"), "{tls}");
    assert_eq!(tls["chain"][0]["self_signed"], true);
    client.close_stdin();
    client.expect_code(0, SOON);
    let mut client = Proc::spawn(sockpit(&["tcp", "client", &target, "--tls", "--insecure"]));
    client.wait_line("unverified", |l| l.contains("certificate NOT VERIFIED (--insecure"));
    client.close_stdin();
    client.expect_code(0, SOON);
    server.kill();
}

#[test]
fn a_client_hello_on_a_plain_port_is_named() {
    let mut server = Proc::spawn(sockpit(&["tcp", "server", "127.0.0.1:0"]));
    let port = port_of(&mut server);
    let mut client = Proc::spawn(sockpit(&[
        "tcp",
        "client",
        &format!("127.0.0.1:{port}"),
        "--tls",
        "--insecure",
    ]));
    server.wait_line("hint", |l| l.contains("this looks like a TLS ClientHello"));
    server.kill();
    client.kill();
}

#[test]
fn sslkeylogfile_opens_a_tshark_capture() {
    let dir = Certs::new();
    let script = r#"
set -eu
ip link set lo up
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
wait_for() {
    for _ in $(seq 300); do grep -qF -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "wait_for: no '$2' in $1" >&2; return 1
}
tshark -i lo -w cap.pcapng >ts.out 2>ts.err &
TS=$!
wait_for ts.err "Capturing on"
for _ in $(seq 300); do [ -s cap.pcapng ] && break; sleep 0.05; done
export SSLKEYLOGFILE=$PWD/keys.txt
(echo "the-secret-plaintext-4711"; sleep 30) | $SOCKPIT tcp server 127.0.0.1:4433 --tls --headless >srv.out 2>srv.err &
wait_for srv.err "listening on"
echo "client-words-0815" | $SOCKPIT tcp client 127.0.0.1:4433 --tls --insecure --headless >cli.out 2>cli.err
for _ in $(seq 60); do [ "$(tshark -r cap.pcapng 2>/dev/null | wc -l)" -ge 10 ] && break; sleep 0.25; done
kill -INT $TS; wait $TS || true
tshark -r cap.pcapng -o tls.keylog_file:keys.txt -q -z follow,tls,ascii,0 >with.txt 2>&1
tshark -r cap.pcapng -q -z follow,tls,ascii,0 >without.txt 2>&1
"#;
    let out = Command::new("timeout")
        .args(["90", "unshare", "-rn", "bash", "-c", script])
        .current_dir(&dir.dir)
        .env("SOCKPIT", common::SOCKPIT)
        .env("HOME", &dir.dir)
        .output()
        .expect("unshare");
    let read =
        |name: &str| std::fs::read_to_string(Path::new(&dir.dir).join(name)).unwrap_or_default();
    let show = || {
        format!(
            "{out:?}\nwith:\n{}\nsrv:\n{}\ncli:\n{}",
            read("with.txt"),
            read("srv.err"),
            read("cli.err")
        )
    };
    assert!(out.status.success(), "{}", show());
    assert!(read("cli.out").contains("the-secret-plaintext-4711"), "{}", show());
    assert!(read("keys.txt").contains("CLIENT_TRAFFIC_SECRET_0"), "{}", show());
    let with = read("with.txt");
    assert!(
        with.contains("the-secret-plaintext-4711") && with.contains("client-words-0815"),
        "{}",
        show()
    );
    let without = read("without.txt");
    assert!(!without.contains("the-secret-plaintext-4711"), "without keys: {without}");
}
