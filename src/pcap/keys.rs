//! TLS secrets into the captured pcapng, before the frames they decrypt.
//!
//! tshark reads a file once, front to back: a Decryption Secrets Block
//! helps only the frames after it. This end derives a key while its
//! handshake runs, sometimes after the peer's frames that use it are
//! captured (a client derives the handshake keys from the `ServerHello` that
//! arrived with the server's encrypted flight). So while a handshake of a
//! watched configuration is under way the gate holds the captured frames
//! back; when none is, it lets out the new secrets first, then the frames
//! in their order. A handshake that never ends holds at most [`HOLD`]
//! frames: past that they go out (those keys then come too late for them).

use std::collections::VecDeque;
use std::sync::Arc;

use crate::net::tls::keylog::Secrets;
use crate::wire::Segment;

/// Frames held at most while handshakes run.
pub const HOLD: usize = 4096;

/// What to write, in order.
pub enum Item<'a> {
    /// NSS key-log lines: a Decryption Secrets Block.
    Secrets(&'a str),
    /// A captured frame.
    Frame(&'a Segment),
}

/// The secrets to watch and the frames held back.
#[derive(Default)]
pub struct Gate {
    sources: Vec<Arc<Secrets>>,
    held: VecDeque<Segment>,
}

impl Gate {
    /// From now on the secrets of `secrets`' connections go into the file.
    pub fn watch(&mut self, secrets: &Arc<Secrets>) {
        if self.sources.iter().any(|s| Arc::ptr_eq(s, secrets)) {
            return;
        }
        secrets.collect();
        self.sources.push(Arc::clone(secrets));
    }

    /// Whether any secrets are watched.
    #[must_use]
    pub fn watching(&self) -> bool {
        !self.sources.is_empty()
    }

    /// A captured segment (or `None`: something else happened, a
    /// handshake may have ended): hands `write` what may be written now.
    pub fn pass(&mut self, seg: Option<&Segment>, write: impl FnMut(Item<'_>)) {
        let mut write = write;
        if self.sources.is_empty() {
            if let Some(seg) = seg {
                write(Item::Frame(seg));
            }
            return;
        }
        if self.sources.iter().any(|s| s.handshaking()) && self.held.len() < HOLD {
            if let Some(seg) = seg {
                self.held.push_back(seg.clone());
            }
            return;
        }
        self.release(&mut write);
        if let Some(seg) = seg {
            write(Item::Frame(seg));
        }
    }

    /// The end: the secrets and every frame held, handshake or not.
    pub fn finish(&mut self, write: impl FnMut(Item<'_>)) {
        let mut write = write;
        self.release(&mut write);
    }

    fn release(&mut self, write: &mut impl FnMut(Item<'_>)) {
        let mut lines = String::new();
        for source in &self.sources {
            lines.push_str(&source.take());
        }
        if !lines.is_empty() {
            write(Item::Secrets(&lines));
        }
        while let Some(seg) = self.held.pop_front() {
            write(Item::Frame(&seg));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(port: u16) -> Segment {
        let mut frame = Vec::new();
        etherparse::PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(port, 443, 1, 512)
            .write(&mut frame, b"x")
            .unwrap();
        crate::wire::segment::decode(&frame, 0).unwrap()
    }

    /// What the gate let out: "K:<lines>" or "F:<source port>".
    fn run(gate: &mut Gate, seg: Option<&Segment>) -> Vec<String> {
        let mut out = Vec::new();
        gate.pass(seg, |item| {
            out.push(match item {
                Item::Secrets(lines) => format!("K:{lines}"),
                Item::Frame(s) => format!("F:{}", s.src.port()),
            });
        });
        out
    }

    #[test]
    fn frames_wait_for_the_handshake_then_follow_its_secrets() {
        use rustls::KeyLog as _;
        let secrets = Arc::new(Secrets::default());
        let logger = crate::net::tls::keylog::Logger::new(Arc::clone(&secrets));
        let mut gate = Gate::default();
        assert_eq!(run(&mut gate, Some(&seg(1))), ["F:1"], "nothing watched: straight through");
        gate.watch(&secrets);
        gate.watch(&secrets);
        assert_eq!(gate.sources.len(), 1);
        let under_way = secrets.handshake();
        assert!(run(&mut gate, Some(&seg(2))).is_empty(), "held while the handshake runs");
        logger.log("SERVER_HANDSHAKE_TRAFFIC_SECRET", &[1], &[2]);
        assert!(run(&mut gate, Some(&seg(3))).is_empty());
        assert!(run(&mut gate, None).is_empty());
        drop(under_way);
        assert_eq!(
            run(&mut gate, None),
            ["K:SERVER_HANDSHAKE_TRAFFIC_SECRET 01 02\n", "F:2", "F:3"]
        );
        assert_eq!(run(&mut gate, Some(&seg(4))), ["F:4"], "no new secrets, no block");
    }

    #[test]
    fn a_handshake_that_never_ends_holds_a_bounded_number_of_frames() {
        let secrets = Arc::new(Secrets::default());
        let mut gate = Gate::default();
        gate.watch(&secrets);
        let _stuck = secrets.handshake();
        let one = seg(5);
        for _ in 0..HOLD {
            assert!(run(&mut gate, Some(&one)).is_empty());
        }
        assert_eq!(run(&mut gate, Some(&seg(6))).len(), HOLD + 1);
        let mut out = Vec::new();
        gate.finish(|_| out.push(()));
        assert!(out.is_empty());
    }
}
