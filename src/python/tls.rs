//! Python's `ssl` module: each TLS step as the line a student writes, and
//! what it returns, as `CPython` shows it.

use crate::net::tls::{CertInfo, TlsCall, TlsReturned};
use crate::python::str_literal;

/// The `ssl` call as Python source. `var` holds the socket the call is
/// made on: `tls` after `wrap_socket`, the plain socket for the wrap.
#[must_use]
pub fn call_line(var: &str, call: &TlsCall) -> String {
    match call {
        TlsCall::Context { server: false, cafile: None } => {
            "ctx = ssl.create_default_context()".into()
        }
        TlsCall::Context { server: false, cafile: Some(file) } => {
            format!("ctx = ssl.create_default_context(cafile={})", str_literal(file))
        }
        TlsCall::Context { server: true, .. } => {
            "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)".into()
        }
        TlsCall::NoVerify => "ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE".into(),
        TlsCall::MinVersion(v) => format!("ctx.minimum_version = {}", v.member()),
        TlsCall::MaxVersion(v) => format!("ctx.maximum_version = {}", v.member()),
        TlsCall::Alpn(list) => {
            let items: Vec<String> = list.iter().map(|p| str_literal(p)).collect();
            format!("ctx.set_alpn_protocols([{}])", items.join(", "))
        }
        TlsCall::LoadCertChain { cert, key, generated } => {
            let line = format!("ctx.load_cert_chain({}, {})", str_literal(cert), str_literal(key));
            if *generated { format!("{line}  # self-signed, made at start") } else { line }
        }
        TlsCall::Wrap { of, server_side: true, .. } => {
            format!("{var} = ctx.wrap_socket({of}, server_side=True)")
        }
        TlsCall::Wrap { of, hostname, .. } => {
            let name = hostname.as_deref().map_or_else(|| "None".into(), str_literal);
            format!("{var} = ctx.wrap_socket({of}, server_hostname={name})")
        }
        TlsCall::Version => format!("{var}.version()"),
        TlsCall::Cipher => format!("{var}.cipher()"),
        TlsCall::SelectedAlpn => format!("{var}.selected_alpn_protocol()"),
        TlsCall::GetPeerCert => format!("{var}.getpeercert()"),
        TlsCall::Unwrap => format!("{var}.unwrap()"),
    }
}

/// What the call returned; empty for an assignment (no `->` is shown).
#[must_use]
pub fn result_text(returned: &TlsReturned) -> String {
    match returned {
        TlsReturned::Set => String::new(),
        TlsReturned::Wrapped { fd, micros } => {
            format!("<ssl.SSLSocket fd={fd}>  # handshake {}", duration(*micros))
        }
        TlsReturned::Str(None) => "None".into(),
        TlsReturned::Str(Some(text)) => str_literal(text),
        TlsReturned::Cipher { name, version, bits } => {
            format!("({}, {}, {bits})", str_literal(name), str_literal(version))
        }
        TlsReturned::PeerCert(None, _) => "None".into(),
        TlsReturned::PeerCert(Some(_), false) => "{}  # not verified: CERT_NONE".into(),
        TlsReturned::PeerCert(Some(cert), true) => peer_cert(cert),
        TlsReturned::Socket { fd } => format!("<socket fd={fd}>  # close_notify sent"),
    }
}

/// `1.2 ms`, `350 µs`.
#[must_use]
pub(crate) fn duration(micros: u64) -> String {
    if micros >= 1000 {
        #[expect(clippy::cast_precision_loss, reason = "a duration to show")]
        let ms = micros as f64 / 1000.0;
        format!("{ms:.1} ms")
    } else {
        format!("{micros} µs")
    }
}

/// The main fields of `getpeercert()`'s dict.
fn peer_cert(cert: &CertInfo) -> String {
    let cn = |name: &str| {
        let cn = name.split(", ").find_map(|part| part.strip_prefix("CN=")).unwrap_or(name);
        format!("((('commonName', {}),),)", str_literal(cn))
    };
    let sans: Vec<String> = cert
        .sans
        .iter()
        .map(|san| match san.split_once(':') {
            Some(("DNS", name)) => format!("('DNS', {})", str_literal(name)),
            Some(("IP", ip)) => format!("('IP Address', {})", str_literal(&ip.to_uppercase())),
            _ => str_literal(san),
        })
        .collect();
    format!(
        "{{'subject': {}, 'issuer': {}, 'notAfter': {}, 'subjectAltName': ({}{})}}",
        cn(&cert.subject),
        cn(&cert.issuer),
        str_literal(&cert.not_after),
        sans.join(", "),
        if sans.len() == 1 { "," } else { "" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::TlsVersion;

    #[test]
    fn context_lines_are_python() {
        let cases = [
            (
                TlsCall::Context { server: false, cafile: Some("ca.pem".into()) },
                "ctx = ssl.create_default_context(cafile='ca.pem')",
            ),
            (TlsCall::MinVersion(TlsVersion::V1_3), "ctx.minimum_version = ssl.TLSVersion.TLSv1_3"),
            (
                TlsCall::Alpn(vec!["h2".into(), "http/1.1".into()]),
                "ctx.set_alpn_protocols(['h2', 'http/1.1'])",
            ),
            (
                TlsCall::Wrap {
                    of: "client",
                    server_side: false,
                    hostname: Some("localhost".into()),
                },
                "tls = ctx.wrap_socket(client, server_hostname='localhost')",
            ),
            (
                TlsCall::Wrap { of: "sock", server_side: true, hostname: None },
                "tls = ctx.wrap_socket(sock, server_side=True)",
            ),
        ];
        for (call, want) in cases {
            assert_eq!(call_line("tls", &call), want);
        }
    }

    #[test]
    fn results_are_python() {
        let cipher = TlsReturned::Cipher {
            name: "TLS_AES_256_GCM_SHA384".into(),
            version: "TLSv1.3".into(),
            bits: 256,
        };
        assert_eq!(result_text(&cipher), "('TLS_AES_256_GCM_SHA384', 'TLSv1.3', 256)");
        assert_eq!(result_text(&TlsReturned::Str(None)), "None");
        let cert = CertInfo {
            subject: "CN=rcgen self signed cert".into(),
            issuer: "CN=rcgen self signed cert".into(),
            sans: vec!["DNS:localhost".into(), "IP:::1".into()],
            not_after: "Jan  1 00:00:00 4096 GMT".into(),
            ..CertInfo::default()
        };
        assert_eq!(
            result_text(&TlsReturned::PeerCert(Some(Box::new(cert)), true)),
            "{'subject': ((('commonName', 'rcgen self signed cert'),),), 'issuer': ((('commonName', 'rcgen self signed cert'),),), 'notAfter': 'Jan  1 00:00:00 4096 GMT', 'subjectAltName': (('DNS', 'localhost'), ('IP Address', '::1'))}"
        );
    }
}
