//! The packet inspector's state: the calls behind one history entry (Enter
//! on it), and where the view is scrolled. The view is a list of rows built
//! on demand ([`Inspector::row`]): per call two header rows, its
//! `hexdump -C` rows, its UTF-8 text rows and a gap. Only the text rows'
//! starts are computed when it opens (one pass over the bytes); every row
//! itself is built when drawn, so a 1 MiB call scrolls like a short one.

pub(crate) mod keys;
pub(crate) mod packets;
pub(crate) mod search;

use unicode_width::UnicodeWidthChar;

use super::history::{Entry, EntryKind};
use crate::app::inspector::packets::{Packet, PacketLog};
use crate::hexdump;
use crate::net::Dir;

/// Most columns a text row takes (stand-ins included), so rows fit a
/// narrow pane beside their label.
pub const TEXT_COLS: usize = 64;

/// Header rows above each call's dump.
const HEADER: usize = 2;

/// One row of the inspector, by what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// Header row `line` (0 or 1) of call `call`.
    Header { call: usize, line: usize },
    /// Hex row `row` of call `call`.
    Hex { call: usize, row: usize },
    /// Text row `row` of call `call`: bytes `start..end`.
    Text { call: usize, row: usize, start: usize, end: usize },
    /// The blank row after a call.
    Gap,
    /// A note when no call is shown (an entry of sockpit's own, or calls
    /// dropped by the caps).
    Note,
}

/// The inspector, open on one entry of one end.
#[derive(Debug, Clone)]
pub struct Inspector {
    pub end: usize,
    /// The history entry inspected.
    pub seq: u64,
    pub kind: EntryKind,
    /// The calls behind the entry that are still kept, in order.
    pub packets: Vec<Packet>,
    /// How many of the entry's calls the caps dropped.
    pub missing: u64,
    /// Where each call's text rows start (byte offsets).
    text_rows: Vec<Vec<usize>>,
    /// First row shown.
    pub top: usize,
}

impl Inspector {
    /// Opens on entry `seq` of end `end`, finding its calls in `log`.
    #[must_use]
    pub fn open(end: usize, seq: u64, entry: &Entry, log: &PacketLog) -> Self {
        let dir = match entry.kind {
            EntryKind::Sent => Some(Dir::Sent),
            EntryKind::Received => Some(Dir::Received),
            EntryKind::Info | EntryKind::Error => None,
        };
        let mut packets = Vec::new();
        let mut missing = 0;
        if let Some(dir) = dir {
            for n in entry.calls.first..entry.calls.first + u64::from(entry.calls.count) {
                match log.get(entry.sock, dir, n) {
                    Some(p) => packets.push(p.clone()),
                    None => missing += 1,
                }
            }
        }
        let text_rows = packets.iter().map(|p| text_row_starts(&p.data)).collect();
        Self { end, seq, kind: entry.kind, packets, missing, text_rows, top: 0 }
    }

    /// Bytes of every call shown, in order (what F5 resends, Alt-X copies).
    #[must_use]
    pub fn bytes(&self) -> Vec<u8> {
        self.packets.iter().flat_map(|p| p.data.iter().copied()).collect()
    }

    /// Rows of call `i`.
    fn rows_of(&self, i: usize) -> usize {
        let len = self.packets[i].data.len();
        HEADER + hexdump::row_count(len) + self.text_rows[i].len() + 1
    }

    /// Every row, notes included.
    #[must_use]
    pub fn row_count(&self) -> usize {
        let notes = usize::from(self.packets.is_empty() || self.missing > 0);
        notes + (0..self.packets.len()).map(|i| self.rows_of(i)).sum::<usize>()
    }

    /// What row `index` shows, `None` past the end.
    #[must_use]
    pub fn row(&self, index: usize) -> Option<Row> {
        let mut index = index;
        if self.packets.is_empty() || self.missing > 0 {
            if index == 0 {
                return Some(Row::Note);
            }
            index -= 1;
        }
        for call in 0..self.packets.len() {
            let rows = self.rows_of(call);
            if index >= rows {
                index -= rows;
                continue;
            }
            if index < HEADER {
                return Some(Row::Header { call, line: index });
            }
            let hex = hexdump::row_count(self.packets[call].data.len());
            if index < HEADER + hex {
                return Some(Row::Hex { call, row: index - HEADER });
            }
            let row = index - HEADER - hex;
            let starts = &self.text_rows[call];
            if let Some(&start) = starts.get(row) {
                let end = starts.get(row + 1).copied().unwrap_or(self.packets[call].data.len());
                return Some(Row::Text { call, row, start, end });
            }
            return Some(Row::Gap);
        }
        None
    }

    /// The first row of call `call`'s hex dump holding byte `offset` (to
    /// bring a search hit into view).
    #[must_use]
    pub fn hex_row_index(&self, call: usize, offset: usize) -> usize {
        let notes = usize::from(self.packets.is_empty() || self.missing > 0);
        notes + (0..call).map(|i| self.rows_of(i)).sum::<usize>() + HEADER + hexdump::row_of(offset)
    }

    /// Scrolls by `delta` rows within `0..=last`, where `last` keeps a full
    /// screen of `height` rows.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let last = self.row_count().saturating_sub(height.max(1));
        self.top = self.top.saturating_add_signed(delta).min(last);
    }

    /// Jumps to the first row.
    pub fn home(&mut self) {
        self.top = 0;
    }

    /// Jumps to the last screen.
    pub fn end(&mut self, height: usize) {
        self.top = self.row_count().saturating_sub(height.max(1));
    }
}

/// Where the text rows of `bytes` start: a row ends after a `\n` or before
/// a character that would take it past [`TEXT_COLS`] columns as drawn
/// (stand-ins and `\xNN` counted at their width). Never inside a character.
#[must_use]
pub fn text_row_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    let mut cols = 0;
    let mut at = 0;
    let mut put = |at: usize, w: usize, newline: bool, starts: &mut Vec<usize>| {
        if cols + w > TEXT_COLS && cols > 0 {
            starts.push(at);
            cols = 0;
        }
        cols += w;
        if newline {
            cols = TEXT_COLS + 1; // the next character starts a row
        }
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let w = crate::sanitize::stand_in(c)
                .map_or_else(|| c.width().unwrap_or(0), |s| s.chars().count());
            put(at, w, c == '\n', &mut starts);
            at += c.len_utf8();
        }
        for _ in chunk.invalid() {
            put(at, 4, false, &mut starts);
            at += 1;
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::history::{Calls, Caps};
    use crate::net::DataRecord;
    use bytes::Bytes;

    fn log_with(chunks: &[&'static [u8]]) -> PacketLog {
        let mut log = PacketLog::new(Caps::default());
        let mut offset = 0;
        for c in chunks {
            let d = DataRecord {
                sock: 2,
                dir: Dir::Received,
                peer: None,
                data: Bytes::from_static(c),
                offset,
            };
            offset += c.len() as u64;
            log.push(0, &d);
        }
        log
    }

    fn entry(kind: EntryKind, first: u64, count: u32) -> Entry {
        let calls = Calls { first, count };
        let text = Vec::new();
        Entry { at: 0, kind, sock: 2, peer: None, text, ending: b"", open: false, calls }
    }

    #[test]
    fn rows_walk_header_hex_text_gap_per_call() {
        let log = log_with(&[b"hello\nworld", b"!"]);
        let i = Inspector::open(0, 7, &entry(EntryKind::Received, 0, 2), &log);
        assert_eq!(i.packets.len(), 2);
        let rows: Vec<Row> = (0..i.row_count()).filter_map(|n| i.row(n)).collect();
        assert_eq!(
            rows,
            [
                Row::Header { call: 0, line: 0 },
                Row::Header { call: 0, line: 1 },
                Row::Hex { call: 0, row: 0 },
                Row::Text { call: 0, row: 0, start: 0, end: 6 },
                Row::Text { call: 0, row: 1, start: 6, end: 11 },
                Row::Gap,
                Row::Header { call: 1, line: 0 },
                Row::Header { call: 1, line: 1 },
                Row::Hex { call: 1, row: 0 },
                Row::Text { call: 1, row: 0, start: 0, end: 1 },
                Row::Gap,
            ]
        );
        assert_eq!(i.row(rows.len()), None);
        assert_eq!(i.bytes(), b"hello\nworld!");
        assert_eq!(i.hex_row_index(1, 0), 8);
    }

    #[test]
    fn notes_for_own_entries_and_dropped_calls() {
        let log = log_with(&[b"a"]);
        let i = Inspector::open(0, 0, &entry(EntryKind::Info, 0, 0), &log);
        assert_eq!((i.row_count(), i.row(0)), (1, Some(Row::Note)));
        let i = Inspector::open(0, 0, &entry(EntryKind::Received, 0, 3), &log);
        assert_eq!((i.packets.len(), i.missing, i.row(0)), (1, 2, Some(Row::Note)));
    }

    #[test]
    fn text_rows_break_after_newlines_and_by_width_never_inside_a_character() {
        assert_eq!(text_row_starts(b""), [0]);
        assert_eq!(text_row_starts(b"a\nb\n"), [0, 2]);
        let cjk = "你".repeat(40); // 80 columns
        assert_eq!(text_row_starts(cjk.as_bytes()), [0, 96]);
        let binary = [0xffu8; 20]; // \xff is four columns
        assert_eq!(text_row_starts(&binary), [0, 16]);
    }

    #[test]
    fn scrolling_stays_within_the_rows() {
        let big: &'static [u8] = Box::leak(vec![7u8; 1 << 20].into_boxed_slice());
        let log = log_with(&[big]);
        let mut i = Inspector::open(0, 0, &entry(EntryKind::Received, 0, 1), &log);
        let total = i.row_count();
        assert!(total > 65_536, "{total}");
        i.scroll(-5, 20);
        assert_eq!(i.top, 0);
        i.scroll(1000, 20);
        assert_eq!(i.top, 1000);
        i.end(20);
        assert_eq!(i.top, total - 20);
        i.scroll(50, 20);
        assert_eq!(i.top, total - 20);
        assert_eq!(i.row(i.top + 19), Some(Row::Gap));
        i.home();
        assert_eq!(i.top, 0);
    }
}
