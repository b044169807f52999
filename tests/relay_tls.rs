//! TLS on the relay's legs, like socat's `OPENSSL-LISTEN:` and `OPENSSL:`:
//! `openssl s_client` → `sockpit tcp relay --tls --tls-upstream` →
//! `openssl s_server`, lines both ways; plain ↔ TLS bridging both ways
//! (`nc.openbsd` → `--tls-upstream` → `openssl s_server`, and `openssl
//! s_client` → `--tls` → a plain Python server); a TARGET whose certificate
//! is not trusted refused in the error grammar; and the options each side
//! takes refused on the other (exit 2).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::net::TcpListener;
use std::process::Command;

use common::{Proc, SOON, TempDir, sockpit};

/// A CA:FALSE certificate for localhost and 127.0.0.1 (`name`.pem, .key),
/// its subject CN=`name`.
fn cert(dir: &TempDir, name: &str) {
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        .args(["-nodes", "-days", "2", "-subj", &format!("/CN={name}")])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-keyout", &dir.path(&format!("{name}.key"))])
        .args(["-out", &dir.path(&format!("{name}.pem"))])
        .output()
        .expect("run openssl req");
    assert!(out.status.success(), "openssl req: {out:?}");
}

/// A port nothing listens on now (openssl cannot report the one it got).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `openssl s_server` with `dir`'s server certificate, one connection.
fn s_server(dir: &TempDir, port: u16) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"]).args([
        "-cert",
        &dir.path("server.pem"),
        "-key",
        &dir.path("server.key"),
    ]);
    let mut p = Proc::spawn(cmd);
    p.wait_stdout_has(b"ACCEPT");
    p
}

/// `openssl s_client` to the relay, trusting `cafile`.
fn s_client(port: u16, cafile: &str) -> Proc {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-quiet", "-no_ign_eof"])
        .args(["-verify_return_error", "-CAfile", cafile, "-verify_ip", "127.0.0.1"]);
    Proc::spawn(cmd)
}

/// A headless relay from a free port to `target` with `args`; its port.
fn relay(target: &str, args: &[&str]) -> (Proc, u16) {
    let mut all = vec!["tcp", "relay", "127.0.0.1:0", target];
    all.extend_from_slice(args);
    let mut relay = Proc::spawn(sockpit(&all));
    let line = relay.wait_line("listening", |l| l.starts_with("listening on "));
    let addr = line.split_whitespace().nth(2).expect("address");
    let port = addr.rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    (relay, port)
}

#[test]
fn s_client_to_s_server_through_a_tls_relay_lines_both_ways() {
    let dir = TempDir::new("relay-tls-both");
    cert(&dir, "server");
    let port = free_port();
    let mut server = s_server(&dir, port);
    let saved = dir.path("relay.pem");
    let target = format!("127.0.0.1:{port}");
    let cafile = dir.path("server.pem");
    let (mut relay, relay_port) =
        relay(&target, &["--tls", "--save-cert", &saved, "--tls-upstream", "--cafile", &cafile]);
    let mut client = s_client(relay_port, &saved);
    client.write(b"from s_client\n");
    server.wait_stdout_has(b"from s_client\n");
    server.write(b"from s_server\n");
    client.wait_stdout_has(b"from s_server\n");
    relay.wait_line("the client leg's handshake", |l| {
        l.starts_with("tls = ctx.wrap_socket(sock, server_side=True)  -> <ssl.SSLSocket fd=")
    });
    relay.wait_line("the upstream leg's handshake", |l| {
        l.starts_with("up_tls = ctx.wrap_socket(upstream, server_hostname='127.0.0.1')  -> <ssl")
    });
    relay.wait_line("the upstream verified", |l| {
        l.contains("TLS handshake done on sock 3") && l.contains("certificate verified")
    });
    client.kill();
    server.kill();
    relay.kill();
}

#[test]
fn plain_to_tls_and_tls_to_plain_bridging() {
    let dir = TempDir::new("relay-tls-bridge");
    cert(&dir, "server");
    // nc.openbsd (plain) → relay --tls-upstream → openssl s_server.
    let port = free_port();
    let mut server = s_server(&dir, port);
    let target = format!("127.0.0.1:{port}");
    let (mut relay1, relay_port) =
        relay(&target, &["--tls-upstream", "--cafile", &dir.path("server.pem")]);
    let mut cmd = Command::new("nc.openbsd");
    cmd.args(["127.0.0.1", &relay_port.to_string()]);
    let mut nc = Proc::spawn(cmd);
    nc.write(b"plain in\n");
    server.wait_stdout_has(b"plain in\n");
    server.write(b"tls back\n");
    nc.wait_stdout_has(b"tls back\n");
    nc.kill();
    server.kill();
    relay1.kill();

    // openssl s_client → relay --tls → a plain Python server.
    let py = r"
import socket, sys
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
sock, _ = srv.accept()
sock.sendall(b'plain back\n')
data = b''
while not data.endswith(b'\n'):
    chunk = sock.recv(100)
    if not chunk:
        break
    data += chunk
sys.stdout.buffer.write(data)
sys.stdout.flush()
";
    let mut cmd = Command::new("python3");
    cmd.args(["-c", py]);
    let mut plain = Proc::spawn(cmd);
    let out = plain.wait_stdout("port", |o| o.ends_with(b"\n"));
    let port: u16 = String::from_utf8_lossy(&out).trim().parse().expect("port");
    let saved = dir.path("relay.pem");
    let (mut relay2, relay_port) =
        relay(&format!("127.0.0.1:{port}"), &["--tls", "--save-cert", &saved]);
    let mut client = s_client(relay_port, &saved);
    client.wait_stdout_has(b"plain back\n");
    client.write(b"tls in\n");
    plain.wait_stdout_has(b"tls in\n");
    plain.expect_code(0, SOON);
    client.kill();
    relay2.kill();
}

#[test]
fn an_untrusted_target_is_refused_in_the_grammar() {
    let dir = TempDir::new("relay-tls-ca");
    cert(&dir, "server");
    cert(&dir, "other");
    let port = free_port();
    let mut server = s_server(&dir, port);
    let target = format!("127.0.0.1:{port}");
    let (mut relay, relay_port) =
        relay(&target, &["--tls-upstream", "--cafile", &dir.path("other.pem")]);
    let mut cmd = Command::new("nc.openbsd");
    cmd.args(["-N", "127.0.0.1", &relay_port.to_string()]);
    let mut nc = Proc::spawn(cmd);
    let want = format!(
        "sockpit: handshake {target} failed: certificate not trusted (unknown issuer): the \
         server's certificate is not signed by a CA you trust; try --cafile FILE, or --insecure \
         to skip verification"
    );
    relay.wait_line("the refusal", |l| l == want);
    // The client is closed: nc sees the end of the stream.
    nc.close_stdin();
    nc.expect_code(0, SOON);
    relay.kill();
    server.kill();
}

#[test]
fn each_side_takes_only_its_own_options() {
    for args in [
        vec!["--cafile", "ca.pem"],
        vec!["--tls", "--cafile", "ca.pem"],
        vec!["--tls-upstream", "--cert", "c.pem"],
        vec!["--alpn", "h2"],
        vec!["--tls", "--insecure"],
    ] {
        let mut all = vec!["tcp", "relay", "127.0.0.1:0", "127.0.0.1:9"];
        all.extend_from_slice(&args);
        let out = sockpit(&all).output().expect("run");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
    let out = sockpit(&["tcp", "relay", "127.0.0.1:0", "/tmp/x.sock", "--tls-upstream"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--tls-upstream speaks TLS over TCP"), "{err}");
}
