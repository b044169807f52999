//! The `ssl` calls of an export: the context and its options as recorded,
//! `wrap_socket` rebinding the socket's own variable (so every later
//! `sendall`/`recv` in the script goes through TLS, as in the session),
//! and what the handshake settled printed to stderr.

use std::net::SocketAddr;

use crate::net::tls::TlsCall;
use crate::python::{self, str_literal};

/// The script line for one successful `ssl` call on the socket held in
/// `var`; `recorded` is what it returned in the session.
pub(super) fn line(call: &TlsCall, var: &str, recorded: &str, target: SocketAddr) -> String {
    match call {
        TlsCall::Wrap { server_side: true, .. } => {
            format!("{var} = ctx.wrap_socket({var}, server_side=True)")
        }
        TlsCall::Wrap { hostname, .. } => {
            // The name checked is HOST's unless --sni named another.
            let host = target.ip().to_string();
            let name = match hostname {
                None => "None".to_string(),
                Some(name) if *name == host => "HOST".to_string(),
                Some(name) => str_literal(name),
            };
            format!("{var} = ctx.wrap_socket({var}, server_hostname={name})")
        }
        TlsCall::Version | TlsCall::Cipher | TlsCall::SelectedAlpn | TlsCall::GetPeerCert => {
            let shown = python::tls::call_line(var, call);
            let recorded = clip(recorded, 48);
            format!("print({shown}, file=sys.stderr)  # recorded: {recorded}")
        }
        // close_notify; CPython then waits for the peer's before it hands
        // back the plain socket.
        TlsCall::Unwrap => format!("{var} = {var}.unwrap()"),
        TlsCall::LoadCertChain { generated: true, .. } => format!(
            "# sockpit made its own certificate; make a pair with:\n\
             #   openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost \\\n\
             #     -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem\n\
             {}",
            python::tls::call_line(var, call)
        ),
        other => python::tls::call_line(var, other),
    }
}

/// At most `max` characters of a recorded result, marked when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push_str(" ...");
    out
}
