//! TLS over a connected stream: rustls with the `ring` provider, rcgen for
//! a server's own certificate. This module builds the client and server
//! configurations from the command line's options (a relay's legs can build
//! theirs the same way) and says which `ssl` calls a Python program makes
//! to get the same context; `layer` carries a live connection's records and
//! `facts` what the views are told.

pub(crate) mod certs;
mod counted;
pub(crate) mod errors;
pub(crate) mod facts;
pub(crate) mod keylog;
pub(crate) mod layer;
mod verify;

use std::path::PathBuf;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, RootCertStore, ServerConfig, SupportedProtocolVersion};

use crate::net::{CallError, SetupError};
pub use facts::{CertInfo, TlsCall, TlsEvent, TlsInfo, TlsReturned, TlsVersion, Verification};

/// Where a client's system CAs are (Debian's bundle), as
/// `ssl.create_default_context()` finds them.
const SYSTEM_CAS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The server name a client sends and checks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Sni {
    /// The host given in ADDR (sent only when it is a name, as Python does).
    #[default]
    FromTarget,
    /// `--sni NAME`: sent, and what the certificate must name.
    Name(String),
    /// `--no-sni`: nothing sent; the certificate is still checked against ADDR.
    Off,
}

/// The command line's TLS options, as given.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsOptions {
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub cafile: Option<PathBuf>,
    pub insecure: bool,
    pub sni: Sni,
    pub alpn: Vec<String>,
    pub min: Option<TlsVersion>,
    pub max: Option<TlsVersion>,
    pub save_cert: Option<PathBuf>,
}

/// A built TLS configuration for one end, cheap to clone; two are equal
/// when they are the same build.
#[derive(Clone)]
pub struct Tls(Arc<Built>);

struct Built {
    side: Side,
    options: TlsOptions,
    /// The `ssl` calls that make this context, in order.
    calls: Vec<TlsCall>,
    /// A server's own certificate, when it made one.
    generated: Option<CertInfo>,
    /// The secrets its connections derive (`SSLKEYLOGFILE`, a capture).
    secrets: Arc<keylog::Secrets>,
}

pub enum Side {
    Client {
        config: Arc<ClientConfig>,
        /// What the certificate must name.
        name: ServerName<'static>,
        /// The name sent, when one is.
        sni: Option<String>,
        /// For `--insecure`: what a real check would have said.
        roots: Arc<RootCertStore>,
    },
    Server {
        config: Arc<ServerConfig>,
    },
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").field("options", &self.0.options).finish_non_exhaustive()
    }
}

impl PartialEq for Tls {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// rustls's `ring` provider: the default aws-lc-rs one needs cmake and a C
/// toolchain to build (DESIGN.md). rustls 0.23.48 marks it deprecated only
/// because it lacks the post-quantum key exchange.
#[expect(deprecated, reason = "ring is the provider this project builds with")]
pub(crate) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn versions(options: &TlsOptions) -> Vec<&'static SupportedProtocolVersion> {
    let min = options.min.unwrap_or(TlsVersion::V1_2);
    let max = options.max.unwrap_or(TlsVersion::V1_3);
    let mut out = Vec::new();
    if min <= TlsVersion::V1_2 && TlsVersion::V1_2 <= max {
        out.push(&rustls::version::TLS12);
    }
    if min <= TlsVersion::V1_3 && TlsVersion::V1_3 <= max {
        out.push(&rustls::version::TLS13);
    }
    out
}

fn file_error(
    call: &'static str,
    path: &std::path::Path,
    err: &std::io::Error,
    hint: &str,
) -> SetupError {
    let failed = if err.raw_os_error().is_some() {
        CallError::from_io(err)
    } else {
        CallError { name: "EINVAL".into(), errno: None, text: err.to_string(), because: None }
    };
    let failed = failed.because("that file is not a usable PEM file".into(), hint);
    SetupError::call(call, path.display().to_string(), failed)
}

fn config_error(what: &str, err: &rustls::Error) -> SetupError {
    let failed =
        CallError { name: "TLS".into(), errno: None, text: err.to_string(), because: None }
            .because(format!("rustls refused the {what} configuration"), "other TLS options");
    SetupError::call("SSLContext", "", failed)
}

/// `--save-cert PATH` could not be written.
fn save_error(path: &std::path::Path, err: &std::io::Error) -> SetupError {
    let failed = CallError::from_io(err)
        .because("the certificate could not be written there".into(), "another --save-cert FILE");
    SetupError::call("open", path.display().to_string(), failed)
}

/// The options common to both ends' `ssl` lines.
fn option_calls(options: &TlsOptions, calls: &mut Vec<TlsCall>) {
    if let Some(v) = options.min {
        calls.push(TlsCall::MinVersion(v));
    }
    if let Some(v) = options.max {
        calls.push(TlsCall::MaxVersion(v));
    }
    if !options.alpn.is_empty() {
        calls.push(TlsCall::Alpn(options.alpn.clone()));
    }
}

impl Tls {
    /// A client's configuration for connecting to `host` (ADDR's host or
    /// IP address).
    ///
    /// # Errors
    /// A CA file that cannot be read, or a host that is no valid server
    /// name (Display is the message in the error grammar).
    pub fn client(options: TlsOptions, host: &str) -> Result<Self, SetupError> {
        let mut roots = RootCertStore::empty();
        let ca_path = options.cafile.clone().unwrap_or_else(|| PathBuf::from(SYSTEM_CAS));
        match certs::load_certs(&ca_path) {
            Ok(found) => {
                let _ = roots.add_parsable_certificates(found);
            }
            Err(err) if options.cafile.is_some() => {
                return Err(file_error(
                    "load_verify_locations",
                    &ca_path,
                    &err,
                    "--cafile with a PEM certificate file",
                ));
            }
            // No system CAs: every check fails as "unknown issuer", which
            // says what to do.
            Err(_) => {}
        }
        let roots = Arc::new(roots);
        let checked = match &options.sni {
            Sni::Name(name) => name.clone(),
            Sni::FromTarget | Sni::Off => host.to_string(),
        };
        let name = ServerName::try_from(checked.clone()).map_err(|_| {
            let failed = CallError {
                name: "EINVAL".into(),
                errno: None,
                text: "invalid server name".into(),
                because: None,
            }
            .because(format!("{checked:?} is no DNS name or IP address"), "--sni NAME");
            SetupError::call("wrap_socket", "", failed)
        })?;
        let builder = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&versions(&options))
            .map_err(|e| config_error("client", &e))?;
        let mut config = if options.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verify::Anything::new()))
                .with_no_client_auth()
        } else {
            builder.with_root_certificates(roots.clone()).with_no_client_auth()
        };
        config.alpn_protocols = options.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let secrets = Arc::new(keylog::Secrets::default());
        config.key_log = Arc::new(keylog::Logger::new(secrets.clone()));
        config.enable_sni = options.sni != Sni::Off;
        // Python sends no SNI for an IP address, and neither does rustls.
        let sni = (config.enable_sni && matches!(name, ServerName::DnsName(_))).then_some(checked);
        let mut calls = vec![TlsCall::Context {
            server: false,
            cafile: options.cafile.as_ref().map(|p| p.display().to_string()),
        }];
        if options.insecure {
            calls.push(TlsCall::NoVerify);
        }
        option_calls(&options, &mut calls);
        let side = Side::Client { config: Arc::new(config), name, sni, roots };
        Ok(Self(Arc::new(Built { side, options, calls, generated: None, secrets })))
    }

    /// A server's configuration: `--cert`/`--key`, or a certificate of its
    /// own for this machine's names (written to `--save-cert` if given).
    ///
    /// # Errors
    /// Unreadable files, a key that does not match, or a certificate that
    /// cannot be saved (Display is the message in the error grammar).
    pub fn server(options: TlsOptions) -> Result<Self, SetupError> {
        let (identity, generated) = match (&options.cert, &options.key) {
            (Some(cert), key) => {
                let key_path = key.clone().unwrap_or_else(|| cert.clone());
                let hint = "--cert and --key with PEM files (openssl req -x509 makes a pair)";
                let chain = certs::load_certs(cert)
                    .map_err(|e| file_error("load_cert_chain", cert, &e, hint))?;
                let key = certs::load_key(&key_path)
                    .map_err(|e| file_error("load_cert_chain", &key_path, &e, hint))?;
                (certs::Identity { chain, key, pem: String::new() }, None)
            }
            (None, _) => {
                let made = certs::self_signed().map_err(|e| {
                    let text = e.to_string();
                    let failed = CallError { name: "TLS".into(), errno: None, text, because: None }
                        .because("no certificate could be made".into(), "--cert and --key");
                    SetupError::call("generate", "certificate", failed)
                })?;
                let info = certs::info(&made.chain[0]);
                if let Some(path) = &options.save_cert {
                    std::fs::write(path, &made.pem).map_err(|e| save_error(path, &e))?;
                }
                (made, Some(info))
            }
        };
        if let (Some(path), Some(cert)) = (&options.save_cert, &options.cert) {
            // A server with its own files: --save-cert copies the chain.
            std::fs::copy(cert, path).map_err(|e| save_error(path, &e))?;
        }
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&versions(&options))
            .map_err(|e| config_error("server", &e))?
            .with_no_client_auth()
            .with_single_cert(identity.chain, identity.key)
            .map_err(|e| config_error("server", &e))?;
        config.alpn_protocols = options.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
        let secrets = Arc::new(keylog::Secrets::default());
        config.key_log = Arc::new(keylog::Logger::new(secrets.clone()));
        let (cert, key) = match (&options.cert, &options.key, &options.save_cert) {
            (Some(cert), key, _) => {
                let cert = cert.display().to_string();
                (cert.clone(), key.as_ref().map_or(cert, |k| k.display().to_string()))
            }
            (None, _, Some(saved)) => (saved.display().to_string(), "key.pem".into()),
            (None, _, None) => ("cert.pem".into(), "key.pem".into()),
        };
        let mut calls = vec![
            TlsCall::Context { server: true, cafile: None },
            TlsCall::LoadCertChain { cert, key, generated: generated.is_some() },
        ];
        option_calls(&options, &mut calls);
        let side = Side::Server { config: Arc::new(config) };
        Ok(Self(Arc::new(Built { side, options, calls, generated, secrets })))
    }

    /// The `ssl` calls that make this context, for the lifecycle.
    #[must_use]
    pub fn context_calls(&self) -> &[TlsCall] {
        &self.0.calls
    }

    /// A server's own certificate, when it made one at start.
    #[must_use]
    pub fn generated(&self) -> Option<&CertInfo> {
        self.0.generated.as_ref()
    }

    /// The options it was built from.
    #[must_use]
    pub fn options(&self) -> &TlsOptions {
        &self.0.options
    }

    /// Whether this is a server's configuration.
    #[must_use]
    pub fn is_server(&self) -> bool {
        matches!(self.0.side, Side::Server { .. })
    }

    /// The secrets its connections derive, for a capture's pcapng.
    #[must_use]
    pub(crate) fn secrets(&self) -> &Arc<keylog::Secrets> {
        &self.0.secrets
    }

    pub fn side(&self) -> &Side {
        &self.0.side
    }
}
