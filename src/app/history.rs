//! The message history of one end: sent and received lines, connection
//! events and errors, in arrival order. Memory is capped by entry count and
//! bytes (`--history`, `--history-bytes`); the oldest entries go first and
//! the view shows how many went. Entries are numbered by a sequence number
//! that never changes, so selections and open lines survive trimming.

use crate::net::Addr;
use std::collections::VecDeque;

use crate::net::{Micros, SockId};

/// What an entry records; own and peer messages are styled apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryKind {
    Sent,
    Received,
    /// Connection life: listening, connected, peer EOF, closed.
    Info,
    Error,
}

/// Which calls on the socket carried an entry's bytes (numbered per socket
/// and direction from 0), so the inspector can show the exact recv calls
/// behind a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub first: u64,
    pub count: u32,
}

/// One history row (wrapped to the pane's width when drawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: Micros,
    pub kind: EntryKind,
    pub sock: SockId,
    pub peer: Option<Addr>,
    /// Raw bytes (peer text is made safe only when drawn); for info and
    /// error entries, our own message.
    pub text: Vec<u8>,
    /// The line ending that closed it (`\n` or `\r\n`; empty for a last
    /// line without one, an open line and our own notes): not in `text`,
    /// but part of the bytes, shown in hex and copied with them.
    pub ending: &'static [u8],
    /// A received line still waiting for its `\n`.
    pub open: bool,
    pub calls: Calls,
}

impl Entry {
    /// Every byte of the line as it crossed the socket: text and ending.
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        [self.text.as_slice(), self.ending].concat()
    }

    /// Bytes an entry is charged against `--history-bytes`: the memory its
    /// text holds (an entry grown by appends holds up to twice its length)
    /// plus a fixed overhead, so that a flood of empty lines is capped too.
    #[must_use]
    pub fn cost(&self) -> usize {
        self.text.capacity() + 64
    }
}

/// Where the view is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Anchor {
    /// Shows the newest entries and follows new ones.
    #[default]
    Follow,
    /// This entry is the bottom row.
    Bottom(u64),
    /// This entry is the top row.
    Top(u64),
}

/// Memory limits of one history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub entries: usize,
    pub bytes: usize,
}

impl Caps {
    /// The share of `--history-bytes` one of the TUI's stores may hold: the
    /// history half, the inspector's raw bytes a quarter, F9's capture and
    /// F10's script an eighth each, so one flag bounds all of it.
    #[must_use]
    pub fn share(self, eighths: usize) -> Self {
        Self { bytes: self.bytes / 8 * eighths, ..self }
    }
}

impl Default for Caps {
    fn default() -> Self {
        Self { entries: 100_000, bytes: 32 << 20 }
    }
}

/// Entries plus the view's scroll position and selection.
#[derive(Debug, Clone, Default)]
pub struct History {
    entries: VecDeque<Entry>,
    first_seq: u64,
    bytes: usize,
    caps: Caps,
    /// Entries dropped by the caps so far.
    pub dropped: u64,
    pub anchor: Anchor,
    pub selected: Option<u64>,
}

impl History {
    #[must_use]
    pub fn new(caps: Caps) -> Self {
        Self { caps, ..Self::default() }
    }

    /// Sequence number of the oldest entry kept.
    #[must_use]
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// One past the newest entry's sequence number.
    #[must_use]
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes charged against the cap.
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    #[must_use]
    pub fn get(&self, seq: u64) -> Option<&Entry> {
        let i = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        self.entries.get(i)
    }

    /// The newest entry.
    #[must_use]
    pub fn last(&self) -> Option<&Entry> {
        self.entries.back()
    }

    /// Adds an entry and returns its sequence number.
    pub fn push(&mut self, entry: Entry) -> u64 {
        self.bytes += entry.cost();
        self.entries.push_back(entry);
        let seq = self.end_seq() - 1;
        self.trim();
        seq
    }

    /// Appends bytes to an open entry; `false` when it is gone (trimmed).
    pub fn append(&mut self, seq: u64, bytes: &[u8], calls: Calls) -> bool {
        let Some(i) = seq.checked_sub(self.first_seq).and_then(|i| usize::try_from(i).ok()) else {
            return false;
        };
        let Some(entry) = self.entries.get_mut(i) else { return false };
        let held = entry.text.capacity();
        entry.text.extend_from_slice(bytes);
        // The entry now reaches to the end of `calls`, if that is further.
        let end = calls.first + u64::from(calls.count);
        if end > entry.calls.first + u64::from(entry.calls.count) {
            entry.calls.count = u32::try_from(end - entry.calls.first).unwrap_or(u32::MAX);
        }
        self.bytes += entry.text.capacity() - held;
        self.trim();
        true
    }

    /// Marks an open entry complete, dropping a `\r` before the `\n`.
    pub fn close(&mut self, seq: u64) {
        let Some(i) = seq.checked_sub(self.first_seq).and_then(|i| usize::try_from(i).ok()) else {
            return;
        };
        if let Some(entry) = self.entries.get_mut(i) {
            entry.open = false;
            entry.ending = b"\n";
            if entry.text.last() == Some(&b'\r') {
                // Popping keeps the capacity: the charge stays.
                entry.text.pop();
                entry.ending = b"\r\n";
            }
        }
    }

    fn trim(&mut self) {
        while self.entries.len() > 1
            && (self.entries.len() > self.caps.entries || self.bytes > self.caps.bytes)
        {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.cost();
                self.first_seq += 1;
                self.dropped += 1;
            }
        }
        let first = self.first_seq;
        if self.selected.is_some_and(|s| s < first) {
            self.selected = Some(first);
        }
        self.anchor = match self.anchor {
            Anchor::Bottom(s) if s < first => Anchor::Bottom(first),
            Anchor::Top(s) if s < first => Anchor::Top(first),
            a => a,
        };
    }

    /// The newest sequence number, if any.
    fn last_seq(&self) -> Option<u64> {
        self.end_seq().checked_sub(1).filter(|_| !self.is_empty())
    }

    /// Scrolls towards older entries by `n`.
    pub fn scroll_up(&mut self, n: u64) {
        let Some(last) = self.last_seq() else { return };
        self.anchor = match self.anchor {
            Anchor::Follow => Anchor::Bottom(last.saturating_sub(n).max(self.first_seq)),
            Anchor::Bottom(s) => Anchor::Bottom(s.saturating_sub(n).max(self.first_seq)),
            Anchor::Top(s) => Anchor::Top(s.saturating_sub(n).max(self.first_seq)),
        };
        if let Some(sel) = self.selected {
            self.selected = Some(sel.saturating_sub(n).max(self.first_seq));
        }
    }

    /// Scrolls towards newer entries by `n`; reaching the end follows again.
    pub fn scroll_down(&mut self, n: u64) {
        let Some(last) = self.last_seq() else { return };
        self.anchor = match self.anchor {
            Anchor::Follow => Anchor::Follow,
            Anchor::Bottom(s) | Anchor::Top(s) if s + n >= last => Anchor::Follow,
            Anchor::Bottom(s) => Anchor::Bottom(s + n),
            Anchor::Top(s) => Anchor::Top(s + n),
        };
        if let Some(sel) = self.selected {
            self.selected = Some((sel + n).min(last));
        }
    }

    /// Jumps to the oldest entry.
    pub fn home(&mut self) {
        self.anchor = Anchor::Top(self.first_seq);
        if self.selected.is_some() && !self.is_empty() {
            self.selected = Some(self.first_seq);
        }
    }

    /// Jumps to the newest entry and follows.
    pub fn end(&mut self) {
        self.anchor = Anchor::Follow;
        if self.selected.is_some() {
            self.selected = self.last_seq();
        }
    }

    /// Moves the selection up (starting from the newest entry).
    pub fn select_prev(&mut self) {
        let Some(last) = self.last_seq() else { return };
        let sel = self.selected.map_or(last, |s| s.saturating_sub(1).max(self.first_seq));
        self.select(sel);
    }

    /// Moves the selection down; past the newest entry it stays there.
    pub fn select_next(&mut self) {
        let Some(last) = self.last_seq() else { return };
        let sel = self.selected.map_or(last, |s| (s + 1).min(last));
        self.select(sel);
    }

    /// Selects one entry; the view keeps it visible (the drawing moves the
    /// window when the anchor would hide it).
    pub fn select(&mut self, seq: u64) {
        if self.get(seq).is_some() {
            self.selected = Some(seq);
            if self.last_seq() != Some(seq) && self.anchor == Anchor::Follow {
                self.anchor = Anchor::Bottom(self.last_seq().unwrap_or(seq));
            }
        }
    }

    /// Drops the selection and follows the newest entries again.
    pub fn unselect(&mut self) {
        self.selected = None;
        self.anchor = Anchor::Follow;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> Entry {
        Entry {
            at: 0,
            kind: EntryKind::Received,
            sock: 1,
            peer: None,
            text: text.as_bytes().to_vec(),
            ending: b"",
            open: false,
            calls: Calls::default(),
        }
    }

    #[test]
    fn caps_drop_oldest_and_count_them() {
        let mut h = History::new(Caps { entries: 3, bytes: 1 << 20 });
        for i in 0..5 {
            h.push(entry(&i.to_string()));
        }
        assert_eq!((h.len(), h.first_seq(), h.dropped), (3, 2, 2));
        assert_eq!(h.get(2).map(|e| e.text.clone()), Some(b"2".to_vec()));
        assert!(h.get(1).is_none());

        let mut h = History::new(Caps { entries: 100, bytes: 200 });
        for _ in 0..5 {
            h.push(entry("0123456789"));
        }
        assert!(h.bytes() <= 200, "{}", h.bytes());
        assert_eq!(h.dropped, 3);
    }

    #[test]
    fn open_entries_grow_and_close_without_cr() {
        let mut h = History::new(Caps::default());
        let mut e = entry("ab");
        e.open = true;
        let seq = h.push(e);
        assert!(h.append(seq, b"c\r", Calls { first: 1, count: 1 }));
        h.close(seq);
        let got = h.get(seq).cloned();
        assert_eq!(got.as_ref().map(|e| e.text.as_slice()), Some(&b"abc"[..]));
        assert_eq!(got.map(|e| (e.open, e.calls.count)), Some((false, 2)));
        assert!(!h.append(99, b"x", Calls::default()));
        // Bytes that came with no new call (a flush) leave the calls alone.
        let mut e = entry("x");
        e.calls = Calls { first: 5, count: 1 };
        let seq = h.push(e);
        assert!(h.append(seq, b"y", Calls::default()));
        assert_eq!(h.get(seq).map(|e| e.calls), Some(Calls { first: 5, count: 1 }));
    }

    #[test]
    fn scrolling_and_selection() {
        let mut h = History::new(Caps::default());
        for i in 0..10 {
            h.push(entry(&i.to_string()));
        }
        h.scroll_up(3);
        assert_eq!(h.anchor, Anchor::Bottom(6));
        h.scroll_down(5);
        assert_eq!(h.anchor, Anchor::Follow);
        h.home();
        assert_eq!(h.anchor, Anchor::Top(0));
        h.end();
        h.select_prev();
        assert_eq!(h.selected, Some(9));
        h.select_prev();
        assert_eq!((h.selected, h.anchor), (Some(8), Anchor::Bottom(9)));
        h.select_next();
        h.select_next();
        assert_eq!(h.selected, Some(9));
        h.unselect();
        assert_eq!((h.selected, h.anchor), (None, Anchor::Follow));
    }
}
