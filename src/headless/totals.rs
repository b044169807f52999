//! `--source` and `--sink` report totals instead of each chunk: bytes,
//! calls (datagrams for UDP) and the rate, on stderr when the run ends.

use crate::net::{Dir, Event, EventKind, Moved, SockId};

/// What the source sent (counted from its data events) or the sink took
/// (the engine's own totals, which replace each other).
#[derive(Debug)]
pub struct Totals {
    moved: Moved,
}

impl Totals {
    /// Counts data going `dir`; `datagrams` says they are UDP's.
    pub fn new(dir: Dir, datagrams: bool) -> Self {
        Self { moved: Moved::new(SockId::default(), dir, datagrams) }
    }

    /// Takes one event into account.
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Data(record) if record.dir == self.moved.dir => {
                self.moved.sock = record.sock;
                self.moved.add(record.data.len(), event.at);
            }
            EventKind::Totals(moved) if moved.dir == self.moved.dir => self.moved = *moved,
            _ => {}
        }
    }

    /// The final figures, as an event to report like any other.
    pub fn event(&self) -> Event {
        Event::now(EventKind::Totals(self.moved))
    }
}

/// The text line for `Totals` on stderr.
pub fn text(m: &Moved) -> String {
    let verb = if m.dir == Dir::Sent { "sent" } else { "received" };
    let secs = m.secs();
    let mbs = m.per_sec(m.bytes) / 1e6;
    if m.datagrams {
        let per_sec = m.per_sec(m.calls);
        format!(
            "{verb} {} datagrams, {} B in {secs:.3} s: {per_sec:.0} datagrams/s, {mbs:.1} MB/s",
            m.calls, m.bytes
        )
    } else {
        format!("{verb} {} B in {} calls, {secs:.3} s: {mbs:.1} MB/s", m.bytes, m.calls)
    }
}
