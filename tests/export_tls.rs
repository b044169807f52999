//! `--export-py` of a `--tls` client session: the script makes the same
//! `ssl` context (`cafile=` or an unverified one for `--insecure`), wraps
//! its socket with `server_hostname`, and run with python3 against a fresh
//! sockpit `--tls` server moves the same bytes each way.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;
mod recorded;

use std::process::Command;

use common::*;
use recorded::temp_path;

const HELLO: &[u8] = b"hello over tls\n";
const REPLY: &[u8] = "hi from the server 你好\n".as_bytes();

/// A sockpit `--tls` server writing its certificate to `cert`.
fn server(cert: &str) -> (Proc, String) {
    let mut srv =
        Proc::spawn(sockpit_json(&["tcp", "server", "127.0.0.1:0", "--tls", "--save-cert", cert]));
    let addr = srv.listening();
    (srv, addr.to_string())
}

/// The server's half of the conversation: the client's line, our reply,
/// then EOF; the server exits once the client is done too.
fn serve(srv: &mut Proc) {
    srv.wait_stdout_has(HELLO);
    srv.write(REPLY);
    srv.close_stdin();
}

fn export_and_replay(name: &str, tls_args: &[&str], cert: &str, want: &[&str]) {
    let script = temp_path(name);
    let script_arg = script.to_str().expect("UTF-8 path");

    // The recording: sockpit as the TLS client.
    let (mut srv, target) = server(cert);
    let mut args = vec!["tcp", "client", &target, "--tls"];
    args.extend_from_slice(tls_args);
    args.extend(["--export-py", script_arg]);
    let mut me = Proc::spawn(sockpit(&args));
    me.write(HELLO);
    serve(&mut srv);
    me.wait_stdout_has(REPLY);
    me.close_stdin();
    me.expect_code(0, BULK);
    srv.expect_code(0, BULK);

    let text = std::fs::read_to_string(&script).expect("the script was written");
    for line in want.iter().chain(&["import socket, ssl, sys"]) {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }

    // The replay: python3 runs the script against a fresh server (whose
    // new certificate replaces the old one in `cert`).
    let (mut srv, target) = server(cert);
    let (host, port) = target.rsplit_once(':').expect("host:port");
    let mut cmd = Command::new("python3");
    cmd.arg(&script).args([host, port]);
    let mut py = Proc::spawn(cmd);
    serve(&mut srv);
    py.expect_code(0, BULK);
    srv.expect_code(0, BULK);
    assert_same("the script's stdout", &py.stdout_all(), REPLY);
    assert_same("what the server received", &srv.stdout_all(), HELLO);
    let _ = std::fs::remove_file(&script);
    let _ = std::fs::remove_file(cert);
}

#[test]
fn an_insecure_tls_client_exports_an_unverified_context_that_replays() {
    let cert = temp_path("export-insecure-cert.pem");
    let cert = cert.to_str().expect("UTF-8 path");
    export_and_replay(
        "export-insecure.py",
        &["--insecure"],
        cert,
        &[
            "ctx = ssl.create_default_context()",
            "ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE",
            "client = ctx.wrap_socket(client, server_hostname=HOST)",
        ],
    );
}

#[test]
fn a_verified_tls_client_exports_its_cafile_and_server_name() {
    let cert = temp_path("export-cafile-cert.pem");
    let cert = cert.to_str().expect("UTF-8 path");
    let cafile = format!("ctx = ssl.create_default_context(cafile='{cert}')");
    export_and_replay(
        "export-cafile.py",
        &["--cafile", cert, "--sni", "localhost"],
        cert,
        &[&cafile, "client = ctx.wrap_socket(client, server_hostname='localhost')"],
    );
}
