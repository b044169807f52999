//! What the socket panel's TLS section shows, from the engine's
//! `EventKind::Tls` news: each socket's finished handshake and its wire
//! against plaintext counts, and a server's own certificate.

use std::collections::BTreeMap;

use crate::net::SockId;
use crate::net::tls::{CertInfo, TlsEvent, TlsInfo};

/// Bytes on the wire (records, headers, the handshake) against the
/// application's plaintext, as of the last `tls_wire` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WireCounts {
    pub sent: u64,
    pub received: u64,
    pub plain_sent: u64,
    pub plain_received: u64,
}

/// One socket's TLS facts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsFacts {
    /// The finished handshake, once it finished.
    pub info: Option<Box<TlsInfo>>,
    /// The latest wire counts, once reported.
    pub wire: Option<WireCounts>,
}

/// Every TLS socket of one end.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TlsState {
    by_sock: BTreeMap<SockId, TlsFacts>,
    /// A server's certificate made at start, and where `--save-cert` put it.
    pub generated: Option<(Box<CertInfo>, Option<String>)>,
}

impl TlsState {
    /// Takes one TLS event.
    pub fn update(&mut self, event: &TlsEvent) {
        match event {
            TlsEvent::Handshake(info) => {
                self.by_sock.entry(info.sock).or_default().info = Some(info.clone());
            }
            TlsEvent::Wire { sock, sent, received, plain_sent, plain_received } => {
                self.by_sock.entry(*sock).or_default().wire = Some(WireCounts {
                    sent: *sent,
                    received: *received,
                    plain_sent: *plain_sent,
                    plain_received: *plain_received,
                });
            }
            TlsEvent::Generated { cert, saved } => {
                self.generated = Some((cert.clone(), saved.clone()));
            }
            TlsEvent::ClientHello { .. } => {}
        }
    }

    /// The facts of socket `sock`, when it speaks TLS.
    #[must_use]
    pub fn of(&self, sock: SockId) -> Option<&TlsFacts> {
        self.by_sock.get(&sock)
    }

    /// Whether any socket of this end spoke TLS (the inspector says its
    /// bytes are plaintext then).
    #[must_use]
    pub fn any(&self) -> bool {
        !self.by_sock.is_empty()
    }

    /// A new session numbers its sockets from 1 again.
    pub fn clear(&mut self) {
        self.by_sock.clear();
    }
}

impl super::EndState {
    /// TLS news: the panel's facts, and a history line for what the user
    /// must see at once (the server's own certificate, TLS on a plain port).
    pub(super) fn tls_news(&mut self, at: crate::net::Micros, event: &TlsEvent) {
        self.tls.update(event);
        let (kind, sock) = match event {
            TlsEvent::Generated { .. } => (super::EntryKind::Info, 0),
            TlsEvent::ClientHello { sock } => (super::EntryKind::Error, *sock),
            TlsEvent::Handshake(_) | TlsEvent::Wire { .. } => return,
        };
        if let Some(text) = crate::headless::tls::text(event) {
            self.note(at, kind, sock, text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::tls::Verification;

    fn info(sock: SockId) -> TlsInfo {
        TlsInfo {
            sock,
            server_side: false,
            version: "TLSv1.3".into(),
            suite: "TLS_AES_128_GCM_SHA256".into(),
            openssl_suite: "TLS_AES_128_GCM_SHA256".into(),
            bits: 128,
            group: Some("X25519".into()),
            alpn: None,
            sni: None,
            resumed: false,
            handshake_micros: 900,
            chain: Vec::new(),
            verification: Verification::Verified,
        }
    }

    #[test]
    fn handshake_and_wire_land_on_their_socket_and_a_restart_forgets_them() {
        let mut tls = TlsState::default();
        assert!(!tls.any());
        tls.update(&TlsEvent::Handshake(Box::new(info(2))));
        let wire =
            TlsEvent::Wire { sock: 2, sent: 700, received: 900, plain_sent: 5, plain_received: 6 };
        tls.update(&wire);
        let facts = tls.of(2).expect("sock 2 speaks TLS");
        assert_eq!(facts.info.as_ref().map(|i| i.sock), Some(2));
        assert_eq!(facts.wire.map(|w| (w.sent, w.plain_received)), Some((700, 6)));
        assert!(tls.of(1).is_none());
        tls.clear();
        assert!(tls.of(2).is_none() && !tls.any());
    }
}
