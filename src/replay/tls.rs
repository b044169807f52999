//! A `--log`'s TLS lines back into the engine's events: the `ssl` calls
//! (`create_default_context`, `wrap_socket`, `version()`, `cipher()`, ...)
//! and the `tls`, `tls_wire`, `tls_cert` and `tls_hint` events, so a
//! replayed TLS session has its TLS panel and its `ssl` Lifecycle lines.
//! The inverse of `json/tls.rs` and `python/tls.rs`; a call is kept only
//! when it prints back exactly (checked by the caller, `events::call`).

use serde_json::Value;

use super::reason::NotReplayed;
use crate::net::tls::{
    CertInfo, TlsCall, TlsEvent, TlsInfo, TlsReturned, TlsVersion, Verification,
};

type Why = String;

/// The names of the `ssl` calls a log's `"call"` field holds.
pub const CALLS: [&str; 11] = [
    "create_default_context",
    "verify_mode",
    "minimum_version",
    "maximum_version",
    "set_alpn_protocols",
    "load_cert_chain",
    "handshake",
    "version",
    "cipher",
    "selected_alpn_protocol",
    "getpeercert",
];

/// Whether `name` is an `ssl` call (the table above, or `unwrap`).
pub fn is_call(name: &str) -> bool {
    CALLS.contains(&name) || name == "unwrap"
}

/// A TLS event line (`ev` one of `tls`, `tls_wire`, `tls_cert`, `tls_hint`).
///
/// # Errors
/// A field that does not fit.
pub fn event(ev: &str, v: &Value) -> Result<TlsEvent, NotReplayed> {
    Ok(match ev {
        "tls" => TlsEvent::Handshake(Box::new(info(v)?)),
        "tls_wire" => TlsEvent::Wire {
            sock: sock(v)?,
            sent: count(v, "wire_sent")?,
            received: count(v, "wire_recv")?,
            plain_sent: count(v, "plain_sent")?,
            plain_received: count(v, "plain_recv")?,
        },
        "tls_cert" => TlsEvent::Generated {
            cert: Box::new(cert(&v["cert"])?),
            saved: v["saved"].as_str().map(str::to_string),
        },
        "tls_hint" => TlsEvent::ClientHello { sock: sock(v)? },
        other => return Err(NotReplayed::UnknownKind(other.to_string())),
    })
}

/// A TLS call and, when it succeeded (`ok`), what it returned. `before`
/// and `after` are the log's lines around it: `wrap_socket`'s time is in
/// the `tls` event after it, `cipher()` and `getpeercert()` report on the
/// handshake before them.
///
/// # Errors
/// An unknown call, or a field that does not fit.
pub fn call(
    v: &Value,
    ok: bool,
    before: &[Value],
    after: &[Value],
) -> Result<(TlsCall, Option<TlsReturned>), NotReplayed> {
    let (name, py, result, id) = (text(v, "call")?, text(v, "py")?, text(v, "result")?, sock(v)?);
    let version = |py: &str| {
        if py.ends_with("TLSv1_2") { TlsVersion::V1_2 } else { TlsVersion::V1_3 }
    };
    let (call, returned) = match name {
        "create_default_context" => {
            let server = py.contains("PROTOCOL_TLS_SERVER");
            let cafile = if py.contains("cafile=") { Some(quoted(py, 0)?) } else { None };
            (TlsCall::Context { server, cafile }, TlsReturned::Set)
        }
        "verify_mode" => (TlsCall::NoVerify, TlsReturned::Set),
        "minimum_version" => (TlsCall::MinVersion(version(py)), TlsReturned::Set),
        "maximum_version" => (TlsCall::MaxVersion(version(py)), TlsReturned::Set),
        "set_alpn_protocols" => {
            let list = py.split('\'').skip(1).step_by(2).map(str::to_string).collect();
            (TlsCall::Alpn(list), TlsReturned::Set)
        }
        "load_cert_chain" => {
            let (cert, key) = (quoted(py, 0)?, quoted(py, 1)?);
            let generated = py.contains("# self-signed");
            (TlsCall::LoadCertChain { cert, key, generated }, TlsReturned::Set)
        }
        "handshake" => {
            let server_side = py.contains("server_side=True");
            let of = if server_side { "sock" } else { "client" };
            let hostname = if server_side { None } else { Some(quoted(py, 0)?) };
            let call = TlsCall::Wrap { of, server_side, hostname };
            if !ok {
                return Ok((call, None));
            }
            let hs = near(after.iter(), id).ok_or("no tls event after the handshake")?;
            let micros = count(hs, "handshake_us")?;
            (call, TlsReturned::Wrapped { fd: super::events::fd(result)?, micros })
        }
        "version" => {
            let version = if result == "None" { None } else { Some(quoted(result, 0)?) };
            (TlsCall::Version, TlsReturned::Str(version))
        }
        "cipher" => {
            let hs = near(before.iter().rev(), id).ok_or("no tls event before cipher()")?;
            let bits = u16::try_from(count(hs, "bits")?).map_err(|e| format!("bits: {e}"))?;
            let name = text(hs, "openssl_suite")?.to_string();
            let version = text(hs, "version")?.to_string();
            (TlsCall::Cipher, TlsReturned::Cipher { name, version, bits })
        }
        "selected_alpn_protocol" => {
            let alpn = if result == "None" { None } else { Some(quoted(result, 0)?) };
            (TlsCall::SelectedAlpn, TlsReturned::Str(alpn))
        }
        "getpeercert" => {
            let returned = if result == "None" {
                TlsReturned::PeerCert(None, true)
            } else {
                let hs =
                    near(before.iter().rev(), id).ok_or("no tls event before getpeercert()")?;
                let leaf = hs["chain"].as_array().and_then(|c| c.first()).ok_or("no leaf")?;
                TlsReturned::PeerCert(Some(Box::new(cert(leaf)?)), !result.starts_with("{}"))
            };
            (TlsCall::GetPeerCert, returned)
        }
        "unwrap" => (TlsCall::Unwrap, TlsReturned::Socket { fd: super::events::fd(result)? }),
        other => return Err(NotReplayed::UnknownCall(other.to_string())),
    };
    Ok((call, ok.then_some(returned)))
}

/// The first `tls` event on socket `id` among `lines`.
fn near<'a>(mut lines: impl Iterator<Item = &'a Value>, id: u32) -> Option<&'a Value> {
    lines.find(|v| v["ev"] == "tls" && v["sock"].as_u64() == Some(u64::from(id)))
}

fn text<'a>(v: &'a Value, field: &str) -> Result<&'a str, Why> {
    v[field].as_str().ok_or_else(|| format!("no text field {field:?}"))
}

fn count(v: &Value, field: &str) -> Result<u64, Why> {
    v[field].as_u64().ok_or_else(|| format!("no {field:?}"))
}

fn sock(v: &Value) -> Result<u32, Why> {
    v["sock"].as_u64().and_then(|n| u32::try_from(n).ok()).ok_or_else(|| "no \"sock\"".into())
}

/// The `n`th `'...'` literal in a Python line (a literal with an escape in
/// it does not print back exactly, and the caller then refuses the call).
fn quoted(py: &str, n: usize) -> Result<String, Why> {
    py.split('\'').nth(2 * n + 1).map(str::to_string).ok_or_else(|| format!("literal {n} in {py}"))
}

fn info(v: &Value) -> Result<TlsInfo, Why> {
    let verification = match (&v["verified"], v["would_fail"].as_str()) {
        (Value::Bool(true), _) => Verification::Verified,
        (Value::Bool(false), why) => {
            Verification::Unverified { would_fail: why.map(str::to_string) }
        }
        _ => Verification::NotRequested,
    };
    let opt = |field: &str| v[field].as_str().map(str::to_string);
    let chain = v["chain"].as_array().ok_or("no \"chain\"")?;
    Ok(TlsInfo {
        sock: sock(v)?,
        server_side: v["server_side"] == true,
        version: text(v, "version")?.into(),
        suite: text(v, "suite")?.into(),
        openssl_suite: text(v, "openssl_suite")?.into(),
        bits: u16::try_from(count(v, "bits")?).map_err(|e| format!("bits: {e}"))?,
        group: opt("group"),
        alpn: opt("alpn"),
        sni: opt("sni"),
        resumed: v["resumed"] == true,
        handshake_micros: count(v, "handshake_us")?,
        chain: chain.iter().map(cert).collect::<Result<_, _>>()?,
        verification,
    })
}

fn cert(v: &Value) -> Result<CertInfo, Why> {
    let sans = v["sans"].as_array().ok_or("no \"sans\"")?;
    Ok(CertInfo {
        subject: text(v, "subject")?.into(),
        sans: sans.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
        issuer: text(v, "issuer")?.into(),
        not_before: text(v, "not_before")?.into(),
        not_after: text(v, "not_after")?.into(),
        sha256: text(v, "sha256")?.into(),
        self_signed: v["self_signed"] == true,
    })
}
