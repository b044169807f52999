//! `--tls` and its options (TCP client and server), in ncat's and socat's
//! spirit; turned into [`TlsOptions`] for `net::tls`.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]

use std::path::PathBuf;

use clap::Args;

use crate::net::tls::{Sni, TlsOptions, TlsVersion};

fn parse_version(text: &str) -> Result<TlsVersion, String> {
    match text {
        "1.2" => Ok(TlsVersion::V1_2),
        "1.3" => Ok(TlsVersion::V1_3),
        _ => Err("write 1.2 or 1.3".into()),
    }
}

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
