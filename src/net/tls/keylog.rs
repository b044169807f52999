//! The TLS secrets of one configuration's connections, for Wireshark.
//!
//! rustls hands every secret it derives to the configuration's [`KeyLog`];
//! ours writes it to `SSLKEYLOGFILE` (rustls's own `KeyLogFile`, which does
//! nothing when the variable is unset) and, once a capture is live and asks
//! for them ([`Secrets::collect`]), keeps it as an NSS key-log line for the
//! capture's pcapng (a Decryption Secrets Block, see `pcap::captured`).
//!
//! A capture must write the secrets before the first frame they decrypt,
//! and the peer's first encrypted flight reaches the wire before this end
//! has derived the key for it. So the secrets also say whether a handshake
//! is under way ([`Secrets::handshaking`]): a capture holds its frames back
//! until none is, and then writes the secrets first. Every secret is
//! derived inside a handshake (rustls logs no updated traffic secrets:
//! Wireshark derives those itself).

use std::fmt::Write as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustls::{KeyLog, KeyLogFile};

/// One configuration's secrets, shared by its connections and a capture.
#[derive(Debug, Default)]
pub struct Secrets {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// A capture wants the lines (none is kept before: nobody would read them).
    collect: bool,
    /// NSS key-log lines not yet taken, each ending in `\n`.
    lines: String,
    /// Handshakes under way.
    handshakes: usize,
}

impl Secrets {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data, still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// From now on every secret is kept until [`Secrets::take`].
    pub fn collect(&self) {
        self.state().collect = true;
    }

    /// The lines kept since the last call, in the order they were derived.
    #[must_use]
    pub fn take(&self) -> String {
        std::mem::take(&mut self.state().lines)
    }

    /// Whether a handshake is under way (its secrets may still come).
    #[must_use]
    pub fn handshaking(&self) -> bool {
        self.state().handshakes > 0
    }

    /// Marks a handshake under way until the guard is dropped.
    #[must_use]
    pub fn handshake(self: &Arc<Self>) -> Handshake {
        self.state().handshakes += 1;
        Handshake(Arc::clone(self))
    }

    fn keep(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        let mut state = self.state();
        if !state.collect {
            return;
        }
        let line = &mut state.lines;
        line.push_str(label);
        line.push(' ');
        hex(line, client_random);
        line.push(' ');
        hex(line, secret);
        line.push('\n');
    }
}

fn hex(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
}

/// A handshake under way (see [`Secrets::handshake`]).
pub struct Handshake(Arc<Secrets>);

impl Drop for Handshake {
    fn drop(&mut self) {
        let mut state = self.0.state();
        state.handshakes = state.handshakes.saturating_sub(1);
    }
}

/// The configuration's [`KeyLog`]: `SSLKEYLOGFILE`, and the capture's lines.
#[derive(Debug)]
pub(crate) struct Logger {
    file: KeyLogFile,
    secrets: Arc<Secrets>,
}

impl Logger {
    pub(crate) fn new(secrets: Arc<Secrets>) -> Self {
        Self { file: KeyLogFile::new(), secrets }
    }
}

impl KeyLog for Logger {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        self.file.log(label, client_random, secret);
        self.secrets.keep(label, client_random, secret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_nss_key_log_lines_once_collected() {
        let secrets = Arc::new(Secrets::default());
        let logger = Logger::new(Arc::clone(&secrets));
        logger.log("CLIENT_RANDOM", &[0xab, 0x01], &[0xff]);
        assert_eq!(secrets.take(), "", "nothing is kept before a capture asks");
        secrets.collect();
        logger.log("CLIENT_TRAFFIC_SECRET_0", &[0xab, 0x01], &[0x00, 0x7f]);
        logger.log("EXPORTER_SECRET", &[0x02], &[0x10]);
        assert_eq!(secrets.take(), "CLIENT_TRAFFIC_SECRET_0 ab01 007f\nEXPORTER_SECRET 02 10\n");
        assert_eq!(secrets.take(), "", "taken once");
    }

    #[test]
    fn a_handshake_is_under_way_while_its_guard_lives() {
        let secrets = Arc::new(Secrets::default());
        assert!(!secrets.handshaking());
        let one = secrets.handshake();
        let two = secrets.handshake();
        drop(one);
        assert!(secrets.handshaking());
        drop(two);
        assert!(!secrets.handshaking());
    }
}
