//! The exact bytes of every send and recv call of one end, kept so the
//! inspector (Enter on a history entry) and F5 can find the calls behind an
//! entry. History entries name their calls by socket, direction and a
//! number ([`crate::app::history::Calls`]); this log assigns those numbers, so
//! they never repeat within an end, even after a reconnect starts the
//! engine's socket ids again.
//!
//! The bytes are `Bytes` shared with the engine's event (no copy). Memory is
//! bounded by the same caps as the history (`--history`, `--history-bytes`):
//! the oldest calls go first, and an entry whose calls went says so.

use crate::net::Addr;
use std::collections::{HashMap, VecDeque};

use bytes::Bytes;

use crate::app::history::Caps;
use crate::net::{Call, DataRecord, Dir, Micros, SockId};

/// One send or recv call and the bytes it moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Packet {
    pub at: Micros,
    pub sock: SockId,
    pub dir: Dir,
    pub peer: Option<Addr>,
    pub data: Bytes,
    /// Offset of the first byte within this direction of the stream (TCP),
    /// or the datagram's number (UDP), as the engine reported it.
    pub offset: u64,
    /// The call as made (`sock.recv(1024)`), with the Python variable that
    /// holds the socket; `None` if the engine reported no call before it.
    pub call: Option<(&'static str, Call)>,
    /// This call's number among the socket's calls in its direction.
    pub number: u64,
}

type Key = (SockId, bool, u64);

fn key(sock: SockId, dir: Dir, number: u64) -> Key {
    (sock, dir == Dir::Sent, number)
}

/// Every data call of one end, oldest first, within the caps.
#[derive(Debug, Clone, Default)]
pub struct PacketLog {
    packets: VecDeque<Packet>,
    /// Global index of `packets[0]`.
    first: u64,
    index: HashMap<Key, u64>,
    /// The next number per socket and direction (never reset).
    next: HashMap<(SockId, bool), u64>,
    /// The last data call seen per socket, waiting for its data event.
    calls: HashMap<SockId, (&'static str, Call)>,
    bytes: usize,
    caps: Caps,
    /// Calls dropped by the caps so far.
    pub dropped: u64,
}

impl PacketLog {
    #[must_use]
    pub fn new(caps: Caps) -> Self {
        Self { caps, ..Self::default() }
    }

    /// A send or recv call succeeded; its data event follows.
    pub fn call(&mut self, sock: SockId, var: &'static str, call: &Call) {
        self.calls.insert(sock, (var, call.clone()));
    }

    /// Records one data event; returns its call number (for the history's
    /// [`crate::app::history::Calls`]).
    pub fn push(&mut self, at: Micros, d: &DataRecord) -> u64 {
        let next = self.next.entry((d.sock, d.dir == Dir::Sent)).or_default();
        let number = *next;
        *next += 1;
        let call = self.calls.remove(&d.sock);
        let packet = Packet {
            at,
            sock: d.sock,
            dir: d.dir,
            peer: d.peer.clone(),
            data: d.data.clone(),
            offset: d.offset,
            call,
            number,
        };
        self.index.insert(key(d.sock, d.dir, number), self.first + self.packets.len() as u64);
        self.bytes += cost(&packet);
        self.packets.push_back(packet);
        self.trim();
        number
    }

    fn trim(&mut self) {
        while self.packets.len() > 1
            && (self.packets.len() > self.caps.entries || self.bytes > self.caps.bytes)
        {
            if let Some(old) = self.packets.pop_front() {
                self.bytes -= cost(&old);
                self.index.remove(&key(old.sock, old.dir, old.number));
                self.first += 1;
                self.dropped += 1;
            }
        }
    }

    /// Call `number` of `sock` in direction `dir`, if still kept.
    #[must_use]
    pub fn get(&self, sock: SockId, dir: Dir, number: u64) -> Option<&Packet> {
        let global = *self.index.get(&key(sock, dir, number))?;
        self.packets.get(usize::try_from(global - self.first).ok()?)
    }

    /// Calls kept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// Bytes charged against the cap.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

/// What a call costs against `--history-bytes` (as an entry does: its bytes
/// plus a fixed overhead).
fn cost(p: &Packet) -> usize {
    p.data.len() + 96
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(sock: SockId, dir: Dir, data: &'static [u8], offset: u64) -> DataRecord {
        DataRecord { sock, dir, peer: None, data: Bytes::from_static(data), offset }
    }

    #[test]
    fn numbers_per_socket_and_direction_with_their_call() {
        let mut log = PacketLog::new(Caps::default());
        log.call(1, "client", &Call::Recv { bufsize: 1024 });
        assert_eq!(log.push(10, &rec(1, Dir::Received, b"ab", 0)), 0);
        assert_eq!(log.push(11, &rec(1, Dir::Sent, b"x", 0)), 0);
        assert_eq!(log.push(12, &rec(1, Dir::Received, b"cd", 2)), 1);
        assert_eq!(log.push(13, &rec(2, Dir::Received, b"z", 0)), 0);
        let p = log.get(1, Dir::Received, 0).cloned().unwrap();
        assert_eq!((p.data.as_ref(), p.offset, p.at), (&b"ab"[..], 0, 10));
        assert_eq!(p.call, Some(("client", Call::Recv { bufsize: 1024 })));
        assert_eq!(log.get(1, Dir::Received, 1).map(|p| p.offset), Some(2));
        assert!(log.get(1, Dir::Received, 1).unwrap().call.is_none());
        assert!(log.get(1, Dir::Received, 2).is_none());
    }

    #[test]
    fn caps_drop_the_oldest_calls() {
        let mut log = PacketLog::new(Caps { entries: 3, bytes: 1 << 20 });
        for i in 0..5 {
            log.push(i, &rec(1, Dir::Sent, b"0123456789", i * 10));
        }
        assert_eq!((log.len(), log.dropped), (3, 2));
        assert!(log.get(1, Dir::Sent, 1).is_none());
        assert_eq!(log.get(1, Dir::Sent, 4).map(|p| p.offset), Some(40));

        let mut log = PacketLog::new(Caps { entries: 100, bytes: 300 });
        for i in 0..5 {
            log.push(i, &rec(1, Dir::Sent, b"0123456789", 0));
        }
        assert!(log.bytes() <= 300, "{}", log.bytes());
        assert_eq!(log.dropped, 3);
    }
}
