//! A live TLS connection inside the auto driver's connection task. The
//! handshake runs through tokio-rustls on the task's own `TcpStream`; then
//! the task keeps the rustls state and moves records itself with the same
//! readiness and `try_read`/`try_write` calls as a plain connection, so
//! sampling, holds and the call executor still see the one TCP socket.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use rustls::pki_types::CertificateDer;
use rustls::{CommonState, HandshakeKind, ProtocolVersion};
use tokio::net::TcpStream;

use crate::net::CallError;
use crate::net::driver::conn::Conn;
use crate::net::event::SockId;
use crate::net::tls::facts::{TlsCall, TlsInfo, TlsReturned, Verification};
use crate::net::tls::{Side, Tls, certs, errors, verify};

/// Plaintext rustls takes before it wants its records written: the
/// connection's outbox, not rustls, holds what waits.
const SEND_BUFFER: usize = 256 * 1024;

/// One connection's TLS state and its byte counts.
pub(crate) struct TlsLayer {
    conn: rustls::Connection,
    pub server_side: bool,
    pub wire_sent: u64,
    pub wire_received: u64,
    pub plain_sent: u64,
    pub plain_received: u64,
    /// The counts last reported, so a quiet connection reports nothing.
    reported: (u64, u64),
    /// Plaintext rustls holds for the application (its last `IoState`).
    ready: usize,
    /// The peer sent `close_notify`, or its TCP EOF came.
    closed: bool,
}

/// The socket as rustls's `Read`/`Write`: tokio's non-blocking calls, so
/// `WouldBlock` clears tokio's readiness as on the plain path.
struct Io<'a>(&'a Conn);

impl Read for Io<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }
}

impl Write for Io<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What one pull of records found.
pub(crate) enum Plain {
    /// Plaintext for the application.
    Data(Bytes),
    /// Nothing more for now.
    Nothing,
    /// The peer is done sending (`close_notify`, or the TCP EOF that Python's
    /// `suppress_ragged_eofs` also takes as one).
    Eof,
}

/// A finished handshake: the layer, what to tell, and the `ssl` calls a
/// program makes right after (`version()`, `cipher()`, ...), with results.
pub(crate) struct Shaken {
    pub layer: TlsLayer,
    pub info: TlsInfo,
    pub calls: Vec<(TlsCall, TlsReturned)>,
}

/// Runs the handshake over `tcp` (within `timeout`, when set).
pub(crate) async fn handshake(
    tls: &Tls,
    tcp: &mut TcpStream,
    sock: SockId,
    timeout: Option<Duration>,
) -> Result<Shaken, CallError> {
    let started = Instant::now();
    // A capture holds its frames back while this runs (see `keylog`).
    let _under_way = tls.secrets().handshake();
    let server_side = tls.is_server();
    let mut counted = super::counted::Counted::new(tcp);
    let (conn, verification, sni): (rustls::Connection, _, _) = match tls.side() {
        Side::Client { config, name, sni, roots } => {
            let connector = tokio_rustls::TlsConnector::from(config.clone());
            let shaken = within(timeout, connector.connect(name.clone(), &mut counted))
                .await
                .map(|s| s.into_inner().1)
                .map_err(|e| errors::handshake(&e, false))?;
            let verification = if tls.options().insecure {
                let chain = shaken.peer_certificates().unwrap_or_default();
                Verification::Unverified { would_fail: verify::would_fail(roots, name, chain) }
            } else {
                Verification::Verified
            };
            (shaken.into(), verification, sni.clone())
        }
        Side::Server { config } => {
            let acceptor = tokio_rustls::TlsAcceptor::from(config.clone());
            let shaken = within(timeout, acceptor.accept(&mut counted))
                .await
                .map(|s| s.into_inner().1)
                .map_err(|e| errors::handshake(&e, true))?;
            let sni = shaken.server_name().map(str::to_string);
            (shaken.into(), Verification::NotRequested, sni)
        }
    };
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let info = facts_of(&conn, sock, server_side, micros, verification, sni);
    let calls = follow_up(&info, tls.options().insecure);
    let mut conn = conn;
    conn.set_buffer_limit(Some(SEND_BUFFER));
    // The handshake may have read the peer's first data already: without
    // this the task would wait for a readiness that never comes.
    let state = conn.process_new_packets().map_err(|e| errors::from_rustls(&e, server_side))?;
    let layer = TlsLayer {
        conn,
        server_side,
        wire_sent: counted.sent,
        wire_received: counted.received,
        plain_sent: 0,
        plain_received: 0,
        reported: (0, 0),
        ready: state.plaintext_bytes_to_read(),
        closed: state.peer_has_closed(),
    };
    Ok(Shaken { layer, info, calls })
}

/// `fut`, ended by `timeout` when one is set (Python's `settimeout`).
async fn within<T>(
    timeout: Option<Duration>,
    fut: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match timeout {
        Some(t) => tokio::time::timeout(t, fut)
            .await
            .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into())),
        None => fut.await,
    }
}

/// The `ssl` calls a program makes after `wrap_socket` to see what it got.
fn follow_up(info: &TlsInfo, insecure: bool) -> Vec<(TlsCall, TlsReturned)> {
    let leaf = info.chain.first().cloned().map(Box::new);
    // Python gives `{}` for a certificate it did not verify, and `None`
    // on a server that asked for none.
    let cert = if info.server_side { None } else { leaf };
    vec![
        (TlsCall::Version, TlsReturned::Str(Some(info.version.clone()))),
        (
            TlsCall::Cipher,
            TlsReturned::Cipher {
                name: info.openssl_suite.clone(),
                version: info.version.clone(),
                bits: info.bits,
            },
        ),
        (TlsCall::SelectedAlpn, TlsReturned::Str(info.alpn.clone())),
        (TlsCall::GetPeerCert, TlsReturned::PeerCert(cert, !insecure)),
    ]
}

fn facts_of(
    conn: &CommonState,
    sock: SockId,
    server_side: bool,
    handshake_micros: u64,
    verification: Verification,
    sni: Option<String>,
) -> TlsInfo {
    let version = match conn.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLSv1.3".to_string(),
        Some(ProtocolVersion::TLSv1_2) => "TLSv1.2".to_string(),
        Some(other) => format!("{other:?}"),
        None => "?".to_string(),
    };
    let rustls_name =
        conn.negotiated_cipher_suite().and_then(|s| s.suite().as_str()).unwrap_or("?").to_string();
    let (suite, openssl_suite, bits) = suite_names(&rustls_name);
    let chain: Vec<CertificateDer<'static>> = conn.peer_certificates().unwrap_or_default().to_vec();
    TlsInfo {
        sock,
        server_side,
        version,
        suite,
        openssl_suite,
        bits,
        group: conn.negotiated_key_exchange_group().map(|g| format!("{:?}", g.name())),
        alpn: conn.alpn_protocol().map(|p| String::from_utf8_lossy(p).into_owned()),
        sni,
        resumed: conn.handshake_kind() == Some(HandshakeKind::Resumed),
        handshake_micros,
        chain: chain.iter().map(|c| certs::info(c)).collect(),
        verification,
    }
}

/// rustls's suite name as IANA's, OpenSSL's (what Python's `cipher()`
/// returns) and its secret bits.
fn suite_names(rustls: &str) -> (String, String, u16) {
    let bits = if rustls.contains("AES_128") { 128 } else { 256 };
    if let Some(rest) = rustls.strip_prefix("TLS13_") {
        let iana = format!("TLS_{rest}");
        return (iana.clone(), iana, bits);
    }
    let openssl = match rustls {
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" => "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" => "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" => "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" => "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" => "ECDHE-RSA-CHACHA20-POLY1305",
        other => other,
    };
    (rustls.to_string(), openssl.to_string(), bits)
}

impl TlsLayer {
    /// Whether records wait to be written.
    pub fn wants_write(&self) -> bool {
        self.conn.wants_write()
    }

    /// Writes waiting records; `Ok(true)` once none wait.
    pub fn flush(&mut self, stream: &Conn) -> io::Result<bool> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut Io(stream)) {
                Ok(n) => self.wire_sent += n as u64,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Hands plaintext to rustls; how much it took (0 while its buffer
    /// is full: flush first).
    pub fn write_plain(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.conn.writer().write(data)?;
        self.plain_sent += n as u64;
        Ok(n)
    }

    /// Reads records until the socket would block, the peer's EOF, or
    /// `want` plaintext bytes are ready, then returns up to `want` of them.
    /// Errors carry rustls's error inside (see [`errors::data`]).
    pub fn read(&mut self, stream: &Conn, want: usize) -> io::Result<Plain> {
        // rustls refuses more records while 16 KiB of plaintext wait.
        let enough = want.min(16 * 1024);
        while self.ready < enough && !self.closed {
            match self.conn.read_tls(&mut Io(stream)) {
                Ok(0) => self.closed = true,
                Ok(n) => self.wire_received += n as u64,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
            let state = self.conn.process_new_packets().map_err(io::Error::other)?;
            self.ready = state.plaintext_bytes_to_read();
            if state.peer_has_closed() {
                self.closed = true;
            }
        }
        let mut buf = BytesMut::zeroed(want.min(self.ready.max(1)));
        match self.conn.reader().read(&mut buf) {
            Ok(0) => Ok(Plain::Eof),
            Ok(n) => {
                buf.truncate(n);
                self.ready = self.ready.saturating_sub(n);
                self.plain_received += n as u64;
                Ok(Plain::Data(buf.freeze()))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && self.closed => Ok(Plain::Eof),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Plain::Nothing),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Plain::Eof),
            Err(e) => Err(e),
        }
    }

    /// Whether plaintext is ready without touching the socket.
    pub fn has_plain(&self) -> bool {
        self.ready > 0
    }

    /// Queues `close_notify` (once).
    pub fn close_notify(&mut self) {
        self.conn.send_close_notify();
    }

    /// The wire and plaintext counts, when they changed since last asked.
    pub fn wire_news(&mut self) -> Option<(u64, u64, u64, u64)> {
        let now = (self.wire_sent, self.wire_received);
        if now == self.reported {
            return None;
        }
        self.reported = now;
        Some((self.wire_sent, self.wire_received, self.plain_sent, self.plain_received))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_are_named_as_openssl_and_iana() {
        let (iana, openssl, bits) = suite_names("TLS13_AES_256_GCM_SHA384");
        assert_eq!(
            (iana.as_str(), openssl.as_str(), bits),
            ("TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", 256)
        );
        let (_, openssl, bits) = suite_names("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assert_eq!((openssl.as_str(), bits), ("ECDHE-ECDSA-AES128-GCM-SHA256", 128));
    }
}
