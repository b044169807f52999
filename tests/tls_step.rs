//! Calls typed by hand (F7 on a live session) on a TLS connection go
//! through TLS, as on Python's `SSLSocket`: `tls.recv(n)` returns the
//! plaintext (never the records' bytes), a send goes out as records,
//! `shutdown` first sends `close_notify` (`tls.unwrap()`), and `sendto` /
//! `recvfrom` raise `CPython`'s `ValueError`. The peer is a Python `ssl`
//! server that refuses a ragged EOF, so a missing `close_notify` fails it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::process::Command;
use std::time::Duration;

use common::{Proc, SOON, TempDir};
use sockpit::net::tls::{Tls, TlsOptions};
use sockpit::net::{
    self, Call, CallError, Command as Cmd, EventKind, Returned, Role, SessionConfig, Shut, Target,
    To,
};
use sockpit::python::Python as _;
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(10);

const PY_SERVER: &str = r"
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
sock, _ = srv.accept()
tls = ctx.wrap_socket(sock, server_side=True, suppress_ragged_eofs=False)
tls.sendall(b'secret-line\n')
data = b''
while chunk := tls.recv(100):
    data += chunk
print('close_notify after', repr(data), flush=True)
";

/// The result of the next call named `name`.
async fn result_of(
    events: &mut mpsc::Receiver<net::Event>,
    name: &str,
) -> Result<Returned, CallError> {
    tokio::time::timeout(LIMIT, async {
        loop {
            let event = events.recv().await.expect("session ended early");
            if let EventKind::Call(record) = event.kind
                && record.call.name() == name
            {
                return record.result;
            }
        }
    })
    .await
    .expect("call result in time")
}

#[tokio::test]
async fn calls_by_hand_on_a_tls_connection_go_through_tls() {
    let dir = TempDir::new("tls-step");
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-keyout", &dir.path("key.pem"), "-out", &dir.path("cert.pem")])
        .output()
        .expect("openssl req");
    assert!(out.status.success(), "{out:?}");
    let mut cmd = Command::new("python3");
    cmd.args(["-c", PY_SERVER, &dir.path("cert.pem"), &dir.path("key.pem")]);
    let mut py = Proc::spawn(cmd);
    let port = py.wait_stdout("port", |o| o.ends_with(b"\n"));
    let port: u16 = String::from_utf8_lossy(&port).trim().parse().expect("port");

    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut config = SessionConfig::new(Role::TcpClient(Target::Addr(addr)));
    let options = TlsOptions { insecure: true, ..TlsOptions::default() };
    config.tls = Some(Tls::client(options, "127.0.0.1").expect("a client context"));
    // F7: the driver holds its reads back, the student reads by hand.
    config.holds.reads = true;
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);
    let wrapped = result_of(&mut events, "handshake").await;
    assert!(matches!(wrapped, Ok(Returned::Tls(_))), "{wrapped:?}");

    let call = |call| Cmd::Call { sock: 0, call };
    session.commands.send(call(Call::Recv { bufsize: 1024 })).await.unwrap();
    let got = result_of(&mut events, "recv").await;
    assert!(
        matches!(&got, Ok(Returned::Data { data, .. }) if &data[..] == b"secret-line\n"),
        "the plaintext, not the records: {got:?}"
    );

    for refused in [Call::SendTo { len: 1, to: addr.into() }, Call::RecvFrom { bufsize: 10 }] {
        let name = refused.name();
        let data = bytes::Bytes::from_static(b"x");
        session.commands.send(Cmd::CallWith { sock: 0, call: refused, data }).await.unwrap();
        let err = result_of(&mut events, name).await.expect_err("refused");
        assert_eq!(
            err.python(),
            format!("ValueError: {name} not allowed on instances of SSLSocket")
        );
        let message = err.message(name, &addr.to_string());
        assert!(
            message.starts_with(&format!("{name} {addr} failed: ValueError (")),
            "the grammar: {message}"
        );
    }

    let data = bytes::Bytes::from_static(b"typed-by-hand\n");
    let send = Cmd::CallWith { sock: 0, call: Call::SendAll { len: data.len() }, data };
    session.commands.send(send).await.unwrap();
    let sent = result_of(&mut events, "sendall").await;
    assert_eq!(sent, Ok(Returned::Nothing));
    session.commands.send(call(Call::Shutdown(Shut::Write))).await.unwrap();
    let unwrapped = result_of(&mut events, "unwrap").await;
    assert!(matches!(unwrapped, Ok(Returned::Tls(_))), "{unwrapped:?}");
    assert_eq!(result_of(&mut events, "shutdown").await, Ok(Returned::Nothing));
    py.wait_stdout_has(b"close_notify after b'typed-by-hand\\n'\n");
    py.expect_code(0, SOON);
    let _ = session.commands.send(Cmd::Close { to: To::All }).await;
}
