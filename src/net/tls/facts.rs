//! What TLS tells the world: the `ssl` module's calls as the lifecycle
//! shows them, and the facts of a finished handshake for the socket panel.
//! Plain data, no terminal and no rustls types, so every view can read it.

use crate::net::event::SockId;

/// A TLS protocol version sockpit can pin (`--tls-min`, `--tls-max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    V1_2,
    V1_3,
}

impl TlsVersion {
    /// Python's spelling, as `tls.version()` returns it.
    #[must_use]
    pub fn python(self) -> &'static str {
        match self {
            Self::V1_2 => "TLSv1.2",
            Self::V1_3 => "TLSv1.3",
        }
    }

    /// The `ssl.TLSVersion` member.
    #[must_use]
    pub fn member(self) -> &'static str {
        match self {
            Self::V1_2 => "ssl.TLSVersion.TLSv1_2",
            Self::V1_3 => "ssl.TLSVersion.TLSv1_3",
        }
    }
}

/// One call of Python's `ssl` module, as a student would write it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TlsCall {
    /// `ssl.create_default_context(cafile=...)` (client) or
    /// `ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)` (server).
    Context { server: bool, cafile: Option<String> },
    /// `ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE`.
    NoVerify,
    /// `ctx.minimum_version = ...`.
    MinVersion(TlsVersion),
    /// `ctx.maximum_version = ...`.
    MaxVersion(TlsVersion),
    /// `ctx.set_alpn_protocols([...])`.
    Alpn(Vec<String>),
    /// `ctx.load_cert_chain(cert, key)`; `generated` when sockpit made the
    /// pair itself (then `cert` is where `--save-cert` put it, if anywhere).
    LoadCertChain { cert: String, key: String, generated: bool },
    /// `tls = ctx.wrap_socket(sock, ...)`: the handshake.
    Wrap { of: &'static str, server_side: bool, hostname: Option<String> },
    /// `tls.version()`.
    Version,
    /// `tls.cipher()`.
    Cipher,
    /// `tls.selected_alpn_protocol()`.
    SelectedAlpn,
    /// `tls.getpeercert()`.
    GetPeerCert,
    /// `tls.unwrap()`: `close_notify`, then the plain socket again.
    Unwrap,
}

impl TlsCall {
    /// The name used in error messages (`handshake 127.0.0.1:8443 failed`).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Context { .. } => "create_default_context",
            Self::NoVerify => "verify_mode",
            Self::MinVersion(_) => "minimum_version",
            Self::MaxVersion(_) => "maximum_version",
            Self::Alpn(_) => "set_alpn_protocols",
            Self::LoadCertChain { .. } => "load_cert_chain",
            Self::Wrap { .. } => "handshake",
            Self::Version => "version",
            Self::Cipher => "cipher",
            Self::SelectedAlpn => "selected_alpn_protocol",
            Self::GetPeerCert => "getpeercert",
            Self::Unwrap => "unwrap",
        }
    }
}

/// What a successful `ssl` call returned.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TlsReturned {
    /// An attribute was set or a method returned `None`.
    Set,
    /// `wrap_socket`: the new `SSLSocket` and how long the handshake took.
    Wrapped { fd: i32, micros: u64 },
    /// A `str` or `None` (`version()`, `selected_alpn_protocol()`).
    Str(Option<String>),
    /// `cipher()`: `(name, protocol, secret bits)`.
    Cipher { name: String, version: String, bits: u16 },
    /// `getpeercert()`: `None` without a peer certificate, `{}` when it was
    /// not verified (`CERT_NONE`), else the leaf's main fields.
    PeerCert(Option<Box<CertInfo>>, bool),
    /// `unwrap()`: the plain socket again.
    Socket { fd: i32 },
}

/// One certificate of the peer's chain, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CertInfo {
    pub subject: String,
    /// `DNS:localhost`, `IP:127.0.0.1`, ...
    pub sans: Vec<String>,
    pub issuer: String,
    /// `Dec  4 20:00:00 2026 GMT`, as `getpeercert()` prints dates.
    pub not_before: String,
    pub not_after: String,
    /// Upper-case hex pairs joined by `:`, as `openssl x509 -fingerprint`.
    pub sha256: String,
    pub self_signed: bool,
}

/// Whether the peer's certificate was checked, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verification {
    /// Chain and name checked against the trusted CAs.
    Verified,
    /// `--insecure`: nothing checked; `would_fail` says what a check finds.
    Unverified { would_fail: Option<String> },
    /// A server that asks for no client certificate.
    NotRequested,
}

/// Everything a finished handshake tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsInfo {
    pub sock: SockId,
    pub server_side: bool,
    /// `TLSv1.3`.
    pub version: String,
    /// IANA's name: `TLS_AES_256_GCM_SHA384`.
    pub suite: String,
    /// OpenSSL's (and Python's `cipher()`) name.
    pub openssl_suite: String,
    pub bits: u16,
    /// Key exchange group: `X25519`.
    pub group: Option<String>,
    pub alpn: Option<String>,
    /// The server name sent (client) or received (server).
    pub sni: Option<String>,
    pub resumed: bool,
    pub handshake_micros: u64,
    /// The peer's chain, leaf first (empty when it sent none).
    pub chain: Vec<CertInfo>,
    pub verification: Verification,
}

/// TLS news from the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsEvent {
    /// A handshake finished.
    Handshake(Box<TlsInfo>),
    /// Bytes on the wire so far (records, headers and handshake included)
    /// against the application's plaintext.
    Wire { sock: SockId, sent: u64, received: u64, plain_sent: u64, plain_received: u64 },
    /// A server made its own certificate at start.
    Generated { cert: Box<CertInfo>, saved: Option<String> },
    /// A plain socket received what looks like a TLS `ClientHello`.
    ClientHello { sock: SockId },
}
