//! Certificates: the self-signed pair a server makes for itself, PEM files
//! read from disk, and the facts the panel shows about a peer's chain.

use std::path::Path;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::net::tls::facts::CertInfo;

/// A certificate chain and its key, ready for a server config.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    /// The leaf as PEM (what `--save-cert` writes).
    pub pem: String,
}

/// The names a generated certificate is good for: what a client on this
/// machine connects to.
pub const SELF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A fresh self-signed certificate (ECDSA P-256) for [`SELF_NAMES`].
///
/// # Errors
/// When the key cannot be made (never expected with ring).
pub fn self_signed() -> Result<Identity, CertError> {
    let names: Vec<String> = SELF_NAMES.iter().map(|s| (*s).to_string()).collect();
    let made = rcgen::generate_simple_self_signed(names)?;
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der()).map_err(CertError::Key)?;
    Ok(Identity { chain: vec![made.cert.der().clone()], key, pem: made.cert.pem() })
}

/// Why no certificate could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// rcgen could not make the certificate.
    #[error("{0}")]
    Generate(#[from] rcgen::Error),
    /// The key it made is not one rustls takes.
    #[error("{0}")]
    Key(&'static str),
}

/// Every certificate in a PEM file, in order.
///
/// # Errors
/// The file cannot be read, or holds no certificate.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, std::io::Error> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_file_iter(path)
        .map_err(pem_error)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(pem_error);
    let certs = certs?;
    if certs.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "no certificate in it"));
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
///
/// # Errors
/// The file cannot be read, or holds no key.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, std::io::Error> {
    PrivateKeyDer::from_pem_file(path).map_err(pem_error)
}

fn pem_error(err: rustls::pki_types::pem::Error) -> std::io::Error {
    match err {
        rustls::pki_types::pem::Error::Io(io) => io,
        rustls::pki_types::pem::Error::NoItemsFound => {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "no PEM item of that kind in it")
        }
        other => std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{other:?}")),
    }
}

/// SHA-256 of DER bytes as `AB:CD:...`, as `openssl x509 -fingerprint -sha256`.
#[must_use]
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let hex: Vec<String> = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

/// What the panel shows of one certificate; a certificate x509-parser
/// cannot read still has its fingerprint.
#[must_use]
pub fn info(der: &[u8]) -> CertInfo {
    let sha256 = fingerprint(der);
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return CertInfo {
            subject: "(unreadable certificate)".into(),
            sha256,
            ..CertInfo::default()
        };
    };
    let sans = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext.value.general_names.iter().filter_map(san).collect(),
        _ => Vec::new(),
    };
    let validity = cert.validity();
    CertInfo {
        subject: cert.subject().to_string(),
        sans,
        issuer: cert.issuer().to_string(),
        not_before: python_date(validity.not_before.timestamp()),
        not_after: python_date(validity.not_after.timestamp()),
        sha256,
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
    }
}

fn san(name: &GeneralName<'_>) -> Option<String> {
    match name {
        GeneralName::DNSName(dns) => Some(format!("DNS:{dns}")),
        GeneralName::IPAddress(bytes) => match bytes.len() {
            4 => {
                let octets: [u8; 4] = (*bytes).try_into().ok()?;
                Some(format!("IP:{}", std::net::Ipv4Addr::from(octets)))
            }
            16 => {
                let octets: [u8; 16] = (*bytes).try_into().ok()?;
                Some(format!("IP:{}", std::net::Ipv6Addr::from(octets)))
            }
            _ => None,
        },
        GeneralName::RFC822Name(mail) => Some(format!("email:{mail}")),
        GeneralName::URI(uri) => Some(format!("URI:{uri}")),
        _ => None,
    }
}

/// Seconds since the epoch as `getpeercert()` prints them:
/// `Dec  4 20:00:00 2026 GMT`.
#[must_use]
pub fn python_date(secs: i64) -> String {
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let name = usize::try_from(month - 1).ok().and_then(|m| MONTHS.get(m)).unwrap_or(&"???");
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    format!("{name} {day:>2} {h:02}:{m:02}:{s:02} {year} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_print_as_python() {
        assert_eq!(python_date(0), "Jan  1 00:00:00 1970 GMT");
        // date -u -d @1796421600
        assert_eq!(python_date(1_796_421_600), "Dec  4 22:00:00 2026 GMT");
        assert_eq!(python_date(951_782_400), "Feb 29 00:00:00 2000 GMT");
    }

    #[test]
    fn generated_certificate_names_this_machine() {
        let id = self_signed().unwrap();
        let info = info(&id.chain[0]);
        assert_eq!(info.sans, ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]);
        assert!(info.self_signed);
        assert_eq!(info.sha256.len(), 32 * 3 - 1);
        assert!(id.pem.starts_with("-----BEGIN CERTIFICATE-----"));
    }
}
