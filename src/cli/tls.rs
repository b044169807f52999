//! `--tls` and its options (TCP client and server), in ncat's and socat's
//! spirit; turned into [`TlsOptions`] for `net::tls`.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]

use std::path::PathBuf;

use clap::Args;

use crate::net::tls::{Sni, TlsOptions, TlsVersion};

fn parse_version(text: &str) -> Result<TlsVersion, VersionError> {
    match text {
        "1.2" => Ok(TlsVersion::V1_2),
        "1.3" => Ok(TlsVersion::V1_3),
        _ => Err(VersionError),
    }
}

/// `--tls-min`/`--tls-max` is not a version rustls speaks.
#[derive(Debug, thiserror::Error)]
#[error("write 1.2 or 1.3")]
struct VersionError;

/// The options both ends share.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsCommon {
    /// Speak TLS over the connection (rustls): like `ncat --ssl`.
    #[arg(long)]
    pub tls: bool,
    /// ALPN protocols to offer or accept, comma separated (e.g. h2,http/1.1).
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "tls")]
    pub alpn: Vec<String>,
    /// Oldest TLS version allowed: 1.2 or 1.3.
    #[arg(long, value_name = "VERSION", value_parser = parse_version, requires = "tls")]
    pub tls_min: Option<TlsVersion>,
    /// Newest TLS version allowed: 1.2 or 1.3.
    #[arg(long, value_name = "VERSION", value_parser = parse_version, requires = "tls")]
    pub tls_max: Option<TlsVersion>,
}

/// A TLS client's options.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsClient {
    #[command(flatten)]
    pub common: TlsCommon,
    /// Trust the CA certificates in FILE (PEM) instead of the system's.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub cafile: Option<PathBuf>,
    /// Do not verify the server's certificate (said loudly on screen).
    #[arg(long, requires = "tls")]
    pub insecure: bool,
    /// Server name to send (SNI) and to check the certificate against.
    #[arg(long, value_name = "NAME", requires = "tls", conflicts_with = "no_sni")]
    pub sni: Option<String>,
    /// Send no server name (the certificate is still checked against ADDR).
    #[arg(long, requires = "tls")]
    pub no_sni: bool,
}

/// A TLS server's options.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsServer {
    #[command(flatten)]
    pub common: TlsCommon,
    /// Certificate chain (PEM); without it a self-signed certificate for
    /// localhost, 127.0.0.1 and ::1 is made at start.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub cert: Option<PathBuf>,
    /// Private key (PEM) of --cert [default: in the --cert file].
    #[arg(long, value_name = "FILE", requires_all = ["tls", "cert"])]
    pub key: Option<PathBuf>,
    /// Write the server's certificate to FILE (PEM), for a client's cafile.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub save_cert: Option<PathBuf>,
}

impl TlsCommon {
    fn options(&self) -> TlsOptions {
        TlsOptions {
            alpn: self.alpn.iter().filter(|p| !p.is_empty()).cloned().collect(),
            min: self.tls_min,
            max: self.tls_max,
            ..TlsOptions::default()
        }
    }
}

impl TlsClient {
    /// The options, when `--tls` was given.
    #[must_use]
    pub fn options(&self) -> Option<TlsOptions> {
        self.common.tls.then(|| TlsOptions {
            cafile: self.cafile.clone(),
            insecure: self.insecure,
            sni: match (&self.sni, self.no_sni) {
                (Some(name), _) => Sni::Name(name.clone()),
                (None, true) => Sni::Off,
                (None, false) => Sni::FromTarget,
            },
            ..self.common.options()
        })
    }
}

impl TlsServer {
    /// The options, when `--tls` was given.
    #[must_use]
    pub fn options(&self) -> Option<TlsOptions> {
        self.common.tls.then(|| TlsOptions {
            cert: self.cert.clone(),
            key: self.key.clone(),
            save_cert: self.save_cert.clone(),
            ..self.common.options()
        })
    }
}

/// Which sides of a relay speak TLS (either, or both).
#[derive(Debug, Clone, Default, Args)]
#[group(id = "relay_tls", multiple = true)]
pub struct RelaySides {
    /// Speak TLS to the clients, as tcp server --tls does (socat's
    /// OPENSSL-LISTEN:); TARGET may be plain, or TLS too.
    #[arg(long)]
    pub tls: bool,
    /// Speak TLS to TARGET, as tcp client --tls does (socat's OPENSSL:).
    #[arg(long)]
    pub tls_upstream: bool,
}

/// A TCP relay's TLS options: the server's for the clients' side, the
/// client's for TARGET's side, the common ones for whichever speaks TLS.
#[derive(Debug, Clone, Default, Args)]
pub struct TlsRelay {
    #[command(flatten)]
    pub sides: RelaySides,
    /// ALPN protocols to accept and to offer, comma separated.
    #[arg(long, value_name = "LIST", value_delimiter = ',', requires = "relay_tls")]
    pub alpn: Vec<String>,
    /// Oldest TLS version allowed (both sides): 1.2 or 1.3.
    #[arg(long, value_name = "VERSION", value_parser = parse_version, requires = "relay_tls")]
    pub tls_min: Option<TlsVersion>,
    /// Newest TLS version allowed (both sides): 1.2 or 1.3.
    #[arg(long, value_name = "VERSION", value_parser = parse_version, requires = "relay_tls")]
    pub tls_max: Option<TlsVersion>,
    /// With --tls: the certificate chain shown to clients (PEM); without
    /// it a self-signed one for localhost, 127.0.0.1 and ::1 is made.
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub cert: Option<PathBuf>,
    /// With --tls: the private key (PEM) of --cert [default: in the --cert file].
    #[arg(long, value_name = "FILE", requires_all = ["tls", "cert"])]
    pub key: Option<PathBuf>,
    /// With --tls: write the certificate shown to clients to FILE (PEM).
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub save_cert: Option<PathBuf>,
    /// With --tls-upstream: trust the CA certificates in FILE (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_upstream")]
    pub cafile: Option<PathBuf>,
    /// With --tls-upstream: do not verify TARGET's certificate.
    #[arg(long, requires = "tls_upstream")]
    pub insecure: bool,
    /// With --tls-upstream: the server name to send to TARGET and check.
    #[arg(long, value_name = "NAME", requires = "tls_upstream", conflicts_with = "no_sni")]
    pub sni: Option<String>,
    /// With --tls-upstream: send no server name.
    #[arg(long, requires = "tls_upstream")]
    pub no_sni: bool,
}

impl TlsRelay {
    /// The clients' side's options and TARGET's side's, each when asked.
    #[must_use]
    pub fn options(&self) -> (Option<TlsOptions>, Option<TlsOptions>) {
        let common = TlsOptions {
            alpn: self.alpn.iter().filter(|p| !p.is_empty()).cloned().collect(),
            min: self.tls_min,
            max: self.tls_max,
            ..TlsOptions::default()
        };
        let listen = self.sides.tls.then(|| TlsOptions {
            cert: self.cert.clone(),
            key: self.key.clone(),
            save_cert: self.save_cert.clone(),
            ..common.clone()
        });
        let upstream = self.sides.tls_upstream.then(|| TlsOptions {
            cafile: self.cafile.clone(),
            insecure: self.insecure,
            sni: match (&self.sni, self.no_sni) {
                (Some(name), _) => Sni::Name(name.clone()),
                (None, true) => Sni::Off,
                (None, false) => Sni::FromTarget,
            },
            ..common
        });
        (listen, upstream)
    }
}
