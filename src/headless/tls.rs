//! TLS events as the sanitised stderr lines of headless mode.

use crate::net::tls::{TlsEvent, TlsInfo, Verification};
use crate::python::tls::duration;

/// The line for one TLS event (`None`: nothing worth a line).
pub fn text(event: &TlsEvent) -> Option<String> {
    match event {
        TlsEvent::Handshake(info) => Some(handshake(info)),
        TlsEvent::Wire { .. } => None,
        TlsEvent::Generated { cert, saved } => {
            let saved = saved.as_ref().map_or_else(String::new, |p| format!("; saved to {p}"));
            Some(format!(
                "generated a self-signed certificate for {}; SHA-256 fingerprint {}{saved}",
                cert.sans.join(", "),
                cert.sha256
            ))
        }
        TlsEvent::ClientHello { sock } => Some(format!(
            "sock {sock}: this looks like a TLS ClientHello: the peer speaks TLS to a plain \
             port; try --tls"
        )),
    }
}

fn handshake(info: &TlsInfo) -> String {
    let mut parts = vec![info.version.clone(), info.suite.clone()];
    parts.extend(info.group.clone());
    if let Some(alpn) = &info.alpn {
        parts.push(format!("ALPN {alpn}"));
    }
    if let Some(sni) = &info.sni {
        parts.push(format!("SNI {sni}"));
    }
    if info.resumed {
        parts.push("resumed".into());
    }
    let verified = match &info.verification {
        Verification::Verified => "certificate verified".to_string(),
        Verification::Unverified { would_fail: None } => {
            "certificate NOT VERIFIED (--insecure; a check would pass)".into()
        }
        Verification::Unverified { would_fail: Some(why) } => {
            format!("certificate NOT VERIFIED (--insecure; a check would fail: {why})")
        }
        Verification::NotRequested => "no client certificate asked".into(),
    };
    let peer = info.chain.first().map_or_else(String::new, |leaf| {
        format!("; peer {} (SHA-256 {})", leaf.subject, leaf.sha256)
    });
    format!(
        "TLS handshake done on sock {} in {}: {}; {verified}{peer}",
        info.sock,
        duration(info.handshake_micros),
        parts.join(", ")
    )
}
