//! TLS failures in DESIGN.md's grammar: `handshake 127.0.0.1:8443 failed:
//! certificate not trusted (unknown issuer): the server's certificate is not
//! signed by a CA you trust; try --cafile FILE, or --insecure ...`.

use std::io;

use rustls::{AlertDescription, CertificateError, Error, PeerIncompatible};

use crate::net::CallError;

/// The names TLS failures go by (the NAME of the grammar); Python shows
/// these as `ssl` exceptions rather than `OSError`s.
const CERT_NAMES: [&str; 4] = [
    "certificate not trusted",
    "certificate name mismatch",
    "certificate expired",
    "certificate not valid yet",
];

/// Whether `err` is one of TLS's, and if so the Python exception line
/// (`ssl.SSLCertVerificationError: ...`).
#[must_use]
pub fn python(err: &CallError) -> Option<String> {
    if err.errno.is_some() || !err.name.contains(' ') && err.name != "TLS" {
        return None;
    }
    if CERT_NAMES.contains(&err.name.as_str()) {
        return Some(format!(
            "ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {}",
            err.text
        ));
    }
    Some(format!("ssl.SSLError: [SSL] {} ({})", err.name, err.text))
}

fn tls(name: &str, text: &str, sentence: &str, hint: &str) -> CallError {
    CallError { name: name.into(), errno: None, text: text.into(), because: None }
        .because(sentence.into(), hint)
}

/// `sendto`/`recvfrom` on a TLS connection: `CPython`'s `SSLSocket`
/// refuses both (`ValueError`), and so does sockpit.
#[must_use]
pub fn not_on_tls(call: &str) -> CallError {
    tls(
        "ValueError",
        &format!("{call} not allowed on instances of SSLSocket"),
        "a TLS connection has one peer, and its records carry no address",
        "/send and /recv, which go through TLS",
    )
}

/// A failed handshake as the grammar words it. `server_side`: we are the
/// server, so "the peer" is a client.
#[must_use]
pub fn handshake(err: &io::Error, server_side: bool) -> CallError {
    if err.raw_os_error().is_some() || err.kind() == io::ErrorKind::TimedOut {
        return CallError::from_io(err);
    }
    let inner = err.get_ref().and_then(|e| e.downcast_ref::<Error>());
    match inner {
        Some(e) => from_rustls(e, server_side),
        None if err.kind() == io::ErrorKind::UnexpectedEof => {
            let (sentence, hint) = if server_side {
                (
                    "the client closed the connection before the handshake finished: it may not speak TLS, or it rejected this server's certificate",
                    "a TLS client (openssl s_client, sockpit --tls), with this server's certificate as its CA (--save-cert FILE)",
                )
            } else {
                (
                    "the server closed the connection before the handshake finished: it may speak plain TCP, or it refused your hello",
                    "without --tls if the server speaks plain TCP, or another --tls-min/--tls-max/--alpn",
                )
            };
            tls("handshake cut short", "peer closed during the handshake", sentence, hint)
        }
        None => tls(
            "TLS",
            &err.to_string(),
            "the handshake failed",
            "--insecure to rule out verification",
        ),
    }
}

/// A failure after the handshake: rustls's own (a bad record, an alert)
/// worded like the handshake's, the socket's by its errno.
#[must_use]
pub fn data(err: &io::Error, server_side: bool) -> CallError {
    match err.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        Some(e) => from_rustls(e, server_side),
        None => CallError::from_io(err),
    }
}

/// One of rustls's errors, worded for people.
#[must_use]
pub fn from_rustls(err: &Error, server_side: bool) -> CallError {
    match err {
        Error::InvalidCertificate(cert) => certificate(cert, server_side),
        Error::AlertReceived(alert) => alert_received(*alert, server_side),
        Error::PeerIncompatible(why) => incompatible(why),
        Error::InvalidMessage(_) | Error::InappropriateMessage { .. } => not_tls(server_side),
        Error::NoApplicationProtocol => tls(
            "no shared ALPN protocol",
            "no_application_protocol",
            "the peer speaks none of the protocols given to --alpn",
            "another --alpn list, or none",
        ),
        other => tls(
            "TLS",
            &other.to_string(),
            "the TLS session failed",
            "--insecure to rule out verification",
        ),
    }
}

fn certificate(err: &CertificateError, server_side: bool) -> CallError {
    let whose = if server_side { "client" } else { "server" };
    match err {
        CertificateError::UnknownIssuer => tls(
            "certificate not trusted",
            "unknown issuer",
            &format!("the {whose}'s certificate is not signed by a CA you trust"),
            "--cafile FILE, or --insecure to skip verification",
        ),
        CertificateError::NotValidForName => tls(
            "certificate name mismatch",
            "not valid for the name asked",
            &format!("the {whose}'s certificate does not name the host you connected to"),
            "--sni NAME with a name the certificate has, or connect by that name",
        ),
        CertificateError::NotValidForNameContext { expected, presented } => {
            let expected = expected.to_str();
            tls(
                "certificate name mismatch",
                &format!("not valid for {expected}"),
                &format!(
                    "the {whose}'s certificate names {} but you asked for {expected}",
                    presented.join(", ")
                ),
                "--sni NAME with a name the certificate has, or connect by that name",
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => tls(
            "certificate expired",
            "expired",
            &format!("the {whose}'s certificate is past its notAfter date"),
            "a current certificate on that end, or --insecure to look anyway",
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => tls(
            "certificate not valid yet",
            "not yet valid",
            &format!("the {whose}'s certificate starts after now (or this clock is behind)"),
            "checking the clock, or --insecure to look anyway",
        ),
        other => tls(
            "certificate not trusted",
            &format!("{other:?}"),
            &format!("the {whose}'s certificate failed verification"),
            "--cafile FILE, or --insecure to skip verification",
        ),
    }
}

fn alert_received(alert: AlertDescription, server_side: bool) -> CallError {
    let text = format!("peer sent alert {}", alert_name(alert));
    match alert {
        AlertDescription::ProtocolVersion => tls(
            "protocol version",
            &text,
            "the peer and you share no TLS version",
            "--tls-min/--tls-max with a version both ends speak",
        ),
        AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity => tls(
            "no shared cipher",
            &text,
            "the peer found no cipher suite, group or version you both support",
            "another --tls-min/--tls-max, or check the peer's cipher list",
        ),
        AlertDescription::UnknownCA
        | AlertDescription::BadCertificate
        | AlertDescription::CertificateUnknown
        | AlertDescription::DecryptError
            if server_side =>
        {
            tls(
                "certificate not trusted",
                &text,
                "the client does not trust this server's certificate",
                "--save-cert FILE and give the client that file as its CA (cafile)",
            )
        }
        AlertDescription::NoApplicationProtocol => tls(
            "no shared ALPN protocol",
            &text,
            "the peer speaks none of the protocols given to --alpn",
            "another --alpn list, or none",
        ),
        _ => tls(
            "TLS alert",
            &text,
            "the peer ended the handshake",
            "--insecure, or another --tls-min/--tls-max",
        ),
    }
}

fn incompatible(why: &PeerIncompatible) -> CallError {
    let text = format!("{why:?}");
    match why {
        PeerIncompatible::NoCipherSuitesInCommon => tls(
            "no shared cipher",
            &text,
            "the peer offers no cipher suite this end accepts",
            "another --tls-min/--tls-max, or check the peer's cipher list",
        ),
        PeerIncompatible::NoKxGroupsInCommon => tls(
            "no shared cipher",
            &text,
            "the peer offers no key-exchange group this end accepts",
            "check the peer's groups (X25519, P-256, P-384)",
        ),
        _ if text.contains("Tls1") || text.contains("Version") => tls(
            "protocol version",
            &text,
            "the peer and you share no TLS version",
            "--tls-min/--tls-max with a version both ends speak",
        ),
        _ => tls(
            "TLS",
            &text,
            "the peer cannot speak TLS the way this end asks",
            "another --tls-min/--tls-max",
        ),
    }
}

fn not_tls(server_side: bool) -> CallError {
    if server_side {
        tls(
            "not TLS",
            "the client sent bytes that are not a TLS ClientHello",
            "a plain TCP client is talking to this TLS port",
            "a TLS client (openssl s_client, ncat --ssl, sockpit --tls), or this server without --tls",
        )
    } else {
        tls(
            "not TLS",
            "the server answered with bytes that are not TLS",
            "the server on that port speaks plain TCP (or another protocol)",
            "without --tls",
        )
    }
}

/// OpenSSL's name of an alert (`unknown_ca`), as `openssl` prints it.
fn alert_name(alert: AlertDescription) -> String {
    let debug = format!("{alert:?}");
    let mut out = String::new();
    let mut prev: Option<char> = None;
    for c in debug.chars() {
        if c.is_uppercase() && prev.is_some_and(|p| !p.is_uppercase()) {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        prev = Some(c);
    }
    out
}

/// Whether the first bytes of a plain connection look like a TLS
/// `ClientHello`: a handshake record (22) of version 3.x whose first message
/// is a `ClientHello` (1).
#[must_use]
pub fn looks_like_client_hello(first: &[u8]) -> bool {
    matches!(first, [0x16, 0x03, 0x00..=0x04, _, _, 0x01, ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_issuer_reads_as_the_issue_says() {
        let err = from_rustls(&Error::InvalidCertificate(CertificateError::UnknownIssuer), false);
        assert_eq!(
            err.message("handshake", "127.0.0.1:8443"),
            "handshake 127.0.0.1:8443 failed: certificate not trusted (unknown issuer): the server's certificate is not signed by a CA you trust; try --cafile FILE, or --insecure to skip verification"
        );
        assert!(python(&err).unwrap().starts_with("ssl.SSLCertVerificationError"));
    }

    #[test]
    fn alerts_are_named_as_openssl_does() {
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(alert_name(AlertDescription::ProtocolVersion), "protocol_version");
        assert_eq!(alert_name(AlertDescription::HandshakeFailure), "handshake_failure");
    }

    #[test]
    fn client_hello_is_recognised() {
        assert!(looks_like_client_hello(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
        assert!(!looks_like_client_hello(b"GET / HTTP/1.1\r\n"));
        assert!(!looks_like_client_hello(&[0x16, 0x03]));
    }
}
