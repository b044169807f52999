//! Holding one direction of a pair, mitmproxy-style: chunks wait in order
//! until forwarded one by one or all at once, dropped, or edited; bytes can
//! be injected either way. A held direction keeps reading only while the
//! chunks waiting stay under a cap; past it it stops reading, so the sender
//! meets TCP's backpressure instead of our memory growing.

use std::collections::VecDeque;

use bytes::Bytes;

use crate::net::relay::{Fault, Way};

/// What the user asks of one direction of one pair.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RelayOp {
    /// Hold (`true`) or let everything through again (`false`: what waits
    /// goes first, in order).
    Hold(bool),
    /// Forward the first waiting chunk, or all of them.
    Forward { all: bool },
    /// Drop the first waiting chunk.
    Drop,
    /// Replace the first waiting chunk's bytes (edited as text or hex).
    Edit(Bytes),
    /// Write these bytes toward this direction's receiver now.
    Inject(Bytes),
    /// Replace the pair's faults (`/fault`, live): those for this
    /// direction apply to it from now on.
    Faults(Vec<Fault>),
}

/// The chunks waiting in one held direction.
#[derive(Debug, Default)]
pub(crate) struct Held {
    pub on: bool,
    pub chunks: VecDeque<Bytes>,
    pub bytes: usize,
}

/// Sizes listed in a [`HeldView`], at most (the count says the rest).
const SIZES_SHOWN: usize = 16;

/// What the views are told of a held direction after each change.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldView {
    /// The pair (its client leg's id).
    pub client: crate::net::SockId,
    pub way: Way,
    pub on: bool,
    pub count: usize,
    pub bytes: usize,
    /// The first chunks' sizes, oldest first.
    pub sizes: Vec<usize>,
    /// The chunk a forward, drop or edit acts on.
    pub front: Option<Bytes>,
}

impl Held {
    /// Whether reading must stop: held, and `cap` bytes already wait.
    pub fn full(&self, cap: usize) -> bool {
        self.on && self.bytes >= cap
    }

    pub fn push(&mut self, chunk: Bytes) {
        self.bytes += chunk.len();
        self.chunks.push_back(chunk);
    }

    pub fn pop(&mut self) -> Option<Bytes> {
        let chunk = self.chunks.pop_front()?;
        self.bytes -= chunk.len();
        Some(chunk)
    }

    /// Replaces the first chunk; false when none waits.
    pub fn edit(&mut self, bytes: Bytes) -> bool {
        let Some(front) = self.chunks.front_mut() else { return false };
        self.bytes = self.bytes - front.len() + bytes.len();
        *front = bytes;
        true
    }

    /// The view of it now.
    pub fn view(&self, client: crate::net::SockId, way: Way) -> HeldView {
        HeldView {
            client,
            way,
            on: self.on,
            count: self.chunks.len(),
            bytes: self.bytes,
            sizes: self.chunks.iter().take(SIZES_SHOWN).map(Bytes::len).collect(),
            front: self.chunks.front().cloned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_push_pop_and_edit() {
        let mut h = Held { on: true, ..Held::default() };
        h.push(Bytes::from_static(b"hello\n"));
        h.push(Bytes::from_static(b"world\n"));
        assert_eq!((h.chunks.len(), h.bytes), (2, 12));
        assert!(h.full(12) && !h.full(13));
        assert!(h.edit(Bytes::from_static(b"HELLO, EDITED\n")));
        assert_eq!(h.bytes, 20);
        let v = h.view(3, Way::Up);
        assert_eq!((v.count, v.sizes.clone()), (2, vec![14, 6]));
        assert_eq!(h.pop().as_deref(), Some(&b"HELLO, EDITED\n"[..]));
        assert_eq!(h.bytes, 6);
        h.pop();
        assert!(!h.edit(Bytes::new()), "nothing to edit");
    }
}
