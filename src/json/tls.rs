//! TLS events in the JSON-lines schema (`"ev": "tls"`, `"tls_wire"`,
//! `"tls_cert"`, `"tls_hint"`), documented in docs/events.md.

use serde_json::{Value, json};

use crate::net::tls::{CertInfo, TlsEvent, TlsInfo, Verification};

/// One TLS event's fields.
pub fn body(event: &TlsEvent) -> Value {
    match event {
        TlsEvent::Handshake(info) => handshake(info),
        TlsEvent::Wire { sock, sent, received, plain_sent, plain_received } => json!({
            "ev": "tls_wire", "sock": sock,
            "wire_sent": sent, "wire_recv": received,
            "plain_sent": plain_sent, "plain_recv": plain_received,
        }),
        TlsEvent::Generated { cert, saved } => json!({
            "ev": "tls_cert", "cert": cert_json(cert), "saved": saved,
        }),
        TlsEvent::ClientHello { sock } => json!({
            "ev": "tls_hint", "sock": sock,
            "message": "this looks like a TLS ClientHello",
        }),
    }
}

fn handshake(info: &TlsInfo) -> Value {
    let (verified, would_fail) = match &info.verification {
        Verification::Verified => (json!(true), Value::Null),
        Verification::Unverified { would_fail } => (json!(false), json!(would_fail)),
        Verification::NotRequested => (Value::Null, Value::Null),
    };
    json!({
        "ev": "tls", "sock": info.sock, "server_side": info.server_side,
        "version": info.version, "suite": info.suite, "openssl_suite": info.openssl_suite,
        "bits": info.bits, "group": info.group, "alpn": info.alpn, "sni": info.sni,
        "resumed": info.resumed, "handshake_us": info.handshake_micros,
        "verified": verified, "would_fail": would_fail,
        "chain": info.chain.iter().map(cert_json).collect::<Vec<_>>(),
    })
}

fn cert_json(cert: &CertInfo) -> Value {
    json!({
        "subject": cert.subject, "sans": cert.sans, "issuer": cert.issuer,
        "not_before": cert.not_before, "not_after": cert.not_after,
        "sha256": cert.sha256, "self_signed": cert.self_signed,
    })
}
