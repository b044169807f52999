//! How the bytes an end sends and receives become history entries: a sent
//! message or a datagram is one entry per line; a stream's received bytes
//! are decoded as they come, a line staying open until its `\n` and
//! growing in place, half a character held until the rest arrives.

use super::EndState;
use crate::app::decoder::{LineDecoder, Piece};
use crate::app::history::{Calls, Entry, EntryKind};
use crate::net::{Addr, DataRecord, Dir, Kind, Micros, SockId};

/// Where a connection's received bytes stand in the history.
#[derive(Debug, Default, Clone)]
pub(super) struct Stream {
    decoder: LineDecoder,
    /// The history entry of the line still waiting for its `\n`.
    open: Option<u64>,
    /// One past the number of the last recv call that carried data (the
    /// numbers come from the end's [`PacketLog`]).
    recvs: u64,
    /// The first recv call whose bytes the decoder still holds (half a
    /// character), so the line they end up in links back to it.
    held_from: Option<u64>,
}

impl EndState {
    pub(super) fn data(&mut self, at: Micros, d: &DataRecord) {
        let number = self.packets.push(at, d);
        let stream = self.streams.entry(d.sock).or_default();
        let calls = Calls { first: number, count: 1 };
        match d.dir {
            // A relay's history shows each chunk once, as it arrived; what
            // went on is in the inspector and the lifecycle.
            Dir::Sent if self.relay.is_some() => {}
            Dir::Sent => {
                self.pending = self.pending.saturating_sub(d.data.len() as u64);
                self.message(at, d, EntryKind::Sent, calls);
            }
            Dir::Received => {
                stream.recvs = number + 1;
                if self.kind == Kind::Stream {
                    let first = stream.held_from.unwrap_or(calls.first);
                    let pieces = stream.decoder.feed(&d.data);
                    stream.held_from = match (stream.decoder.holding(), pieces.is_empty()) {
                        (false, _) => None,
                        (true, true) => Some(first),
                        (true, false) => Some(calls.first),
                    };
                    let count = u32::try_from(calls.first + 1 - first).unwrap_or(u32::MAX);
                    self.stream_pieces(at, d.sock, d.peer.as_ref(), pieces, Calls { first, count });
                } else {
                    // A datagram (or seqpacket message) is a message of its
                    // own: never joined.
                    self.message(at, d, EntryKind::Received, calls);
                }
            }
        }
    }

    /// A whole message (one send, one datagram): one entry per line, its
    /// final line ending not shown; an empty message still shows.
    fn message(&mut self, at: Micros, d: &DataRecord, kind: EntryKind, calls: Calls) {
        let (body, last_ends) = match d.data.strip_suffix(b"\n") {
            Some(body) => (body, true),
            None => (&d.data[..], false),
        };
        let mut lines = body.split(|&b| b == b'\n').peekable();
        while let Some(line) = lines.next() {
            let ended = lines.peek().is_some() || last_ends;
            let (line, ending): (&[u8], &'static [u8]) = match line.strip_suffix(b"\r") {
                Some(line) if ended => (line, b"\r\n"),
                _ if ended => (line, b"\n"),
                _ => (line, b""),
            };
            let (peer, text) = (d.peer.clone(), line.to_vec());
            let entry = Entry { at, kind, sock: d.sock, peer, text, ending, open: false, calls };
            self.history.push(entry);
        }
    }

    /// Received stream bytes: a line stays open until its `\n` and grows in
    /// place as more recv calls bring its bytes.
    fn stream_pieces(
        &mut self,
        at: Micros,
        sock: SockId,
        peer: Option<&Addr>,
        pieces: Vec<Piece>,
        calls: Calls,
    ) {
        for piece in pieces {
            let open = self.streams.get(&sock).and_then(|s| s.open);
            let seq = match open {
                Some(seq) if self.history.get(seq).is_some() => seq,
                _ => {
                    let entry = Entry {
                        at,
                        kind: EntryKind::Received,
                        sock,
                        peer: peer.cloned(),
                        text: Vec::new(),
                        ending: b"",
                        open: true,
                        calls,
                    };
                    self.history.push(entry)
                }
            };
            match piece {
                Piece::Text(bytes) => {
                    self.history.append(seq, &bytes, calls);
                    if let Some(s) = self.streams.get_mut(&sock) {
                        s.open = Some(seq);
                    }
                }
                Piece::LineEnd => {
                    self.history.append(seq, b"", calls);
                    self.history.close(seq);
                    if let Some(s) = self.streams.get_mut(&sock) {
                        s.open = None;
                    }
                }
            }
        }
    }

    /// The peer is done: held bytes come out (shown as `\xNN`: they never
    /// became a character), the open line closes.
    pub(super) fn finish_stream(&mut self, at: Micros, sock: SockId) {
        let Some(stream) = self.streams.get_mut(&sock) else { return };
        let rest = stream.decoder.flush();
        let first = stream.held_from.take().unwrap_or(stream.recvs);
        let count = u32::try_from(stream.recvs - first).unwrap_or(u32::MAX);
        let peer = self.sockets.all.get(&sock).and_then(|s| s.peer.clone());
        self.stream_pieces(at, sock, peer.as_ref(), rest, Calls { first, count });
        let open = self.streams.get_mut(&sock).and_then(|s| s.open.take());
        if let Some(seq) = open {
            self.history.close(seq);
        }
    }
}
