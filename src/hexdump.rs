//! The inspector's views of the exact bytes of one send or recv call, as
//! plain strings the UI only has to draw: `hexdump -C` rows (offset, 16 hex
//! bytes, printable ASCII) and the UTF-8 text view (through
//! [`crate::sanitize`], so invalid bytes read `\xNN` and control characters
//! are visible stand-ins, never raw).
//!
//! Rows are built on demand, one index at a time: a 1 MiB entry has 65,536
//! rows and a frame draws only the few that are on screen, so opening and
//! scrolling it costs the same as a 16-byte one.

use std::fmt::Write as _;

#[cfg(test)]
use crate::sanitize::{self, Piece};

/// Bytes per row, as in `hexdump -C` and Wireshark.
pub const ROW: usize = 16;

/// Characters in every row, so a pane can size itself before drawing.
pub const ROW_WIDTH: usize = 8 + 2 + ROW * 3 + 2 + 1 + ROW + 1;

/// How many rows a dump of `len` bytes has (at least one: an empty call,
/// such as `recv` returning `b''`, still shows its offset).
#[must_use]
pub fn row_count(len: usize) -> usize {
    len.div_ceil(ROW).max(1)
}

/// Row `index` of the dump of `bytes`, `None` past the end:
/// `00000010  6f 20 77 6f 72 6c 64 0a  00 01 02 03 04 05 06 07  |o world.........|`.
/// Bytes outside printable ASCII show as `.` in the ASCII column; the text
/// view shows what they are.
#[must_use]
pub fn row(bytes: &[u8], index: usize) -> Option<String> {
    if index >= row_count(bytes.len()) {
        return None;
    }
    let start = index * ROW;
    let chunk = &bytes[start.min(bytes.len())..(start + ROW).min(bytes.len())];
    let mut line = String::with_capacity(ROW_WIDTH);
    let _ = write!(line, "{start:08x}  ");
    for i in 0..ROW {
        match chunk.get(i) {
            Some(b) => {
                let _ = write!(line, "{b:02x} ");
            }
            None => line.push_str("   "),
        }
        if i == ROW / 2 - 1 {
            line.push(' ');
        }
    }
    line.push_str(" |");
    line.extend(chunk.iter().map(|&b| if (0x20..0x7f).contains(&b) { char::from(b) } else { '.' }));
    line.push('|');
    Some(line)
}

/// Rows `first..first + count` (fewer at the end): what one frame draws.
#[must_use]
pub fn rows(bytes: &[u8], first: usize, count: usize) -> Vec<String> {
    (first..first.saturating_add(count)).map_while(|i| row(bytes, i)).collect()
}

/// The row holding byte `offset` (to scroll a search hit into view).
#[must_use]
pub fn row_of(offset: usize) -> usize {
    offset / ROW
}

/// The UTF-8 view of exactly these bytes: valid text as is, invalid bytes
/// (such as half a character cut by the end of a recv) as `\xNN`, control
/// characters as stand-ins. Each [`Piece::Escaped`] is drawn dimmed.
#[cfg(test)]
#[must_use]
pub fn text_view(bytes: &[u8]) -> Vec<Piece> {
    sanitize::pieces(bytes)
}

/// Where `needle` first occurs in `haystack` at or after `from` (F3 finds
/// text and `/hex` bytes alike, as bytes).
#[must_use]
pub fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from >= haystack.len() {
        return None;
    }
    haystack[from..].windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(bytes: &[u8]) -> String {
        rows(bytes, 0, usize::MAX).join("\n")
    }

    #[test]
    fn text_reads_like_hexdump_c() {
        assert_eq!(
            dump(b"Hello, World\r\n"),
            "00000000  48 65 6c 6c 6f 2c 20 57  6f 72 6c 64 0d 0a        |Hello, World..|"
        );
        assert_eq!(row(b"", 0).unwrap(), format!("00000000  {:50}||", ""));
        assert_eq!(row(b"x", 1), None);
        assert!(rows(b"abc", 0, 10).iter().all(|r| r.len() <= ROW_WIDTH));
    }

    #[test]
    fn every_byte_value() {
        let all: Vec<u8> = (0..=255).collect();
        let lines = rows(&all, 0, 100);
        assert_eq!(lines.len(), 16);
        assert!(lines.iter().all(|l| l.chars().count() == ROW_WIDTH), "{lines:#?}");
        assert_eq!(
            lines[0],
            "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|"
        );
        assert_eq!(
            lines[4],
            "00000040  40 41 42 43 44 45 46 47  48 49 4a 4b 4c 4d 4e 4f  |@ABCDEFGHIJKLMNO|"
        );
        assert_eq!(
            lines[7],
            "00000070  70 71 72 73 74 75 76 77  78 79 7a 7b 7c 7d 7e 7f  |pqrstuvwxyz{|}~.|"
        );
        assert_eq!(
            lines[15],
            "000000f0  f0 f1 f2 f3 f4 f5 f6 f7  f8 f9 fa fb fc fd fe ff  |................|"
        );
        let text: String = text_view(&all[..0x22]).iter().map(Piece::as_str).collect();
        assert_eq!(text, "␀␁␂␃␄␅␆␇␈␉␊␋␌␍␎␏␐␑␒␓␔␕␖␗␘␙␚␛␜␝␞␟ !");
        let high: String = text_view(&all[0xfe..]).iter().map(Piece::as_str).collect();
        assert_eq!(high, "\\xfe\\xff");
    }

    #[test]
    fn cjk_split_across_two_recv_calls_shows_each_calls_own_bytes() {
        let bytes = "你好".as_bytes();
        let (first, second) = bytes.split_at(4); // 你 + the first byte of 好
        let shown = |b: &[u8]| text_view(b).iter().map(Piece::as_str).collect::<String>();
        assert_eq!(shown(first), "你\\xe5");
        assert_eq!(shown(second), "\\xa5\\xbd");
        assert_eq!(dump(first), format!("00000000  e4 bd a0 e5{:39}|....|", ""));
        assert!(matches!(text_view(first).last(), Some(Piece::Escaped(s)) if s == "\\xe5"));
    }

    #[test]
    fn a_mebibyte_entry_builds_only_the_rows_asked_for() {
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        assert_eq!(row_count(big.len()), 65_536);
        let last = rows(&big, 65_534, 40);
        assert_eq!(last.len(), 2);
        assert!(last[1].starts_with("000ffff0"), "{}", last[1]);
        let started = std::time::Instant::now();
        for top in (0..65_536).step_by(997) {
            assert_eq!(rows(&big, top, 50).len(), 50.min(65_536 - top));
        }
        // 66 screens of 50 rows: nowhere near the cost of the whole dump.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn find_locates_bytes_for_search() {
        let hay = b"GET / HTTP/1.0\r\n\r\nHTTP";
        assert_eq!(find(hay, b"HTTP", 0), Some(6));
        assert_eq!(find(hay, b"HTTP", 7), Some(18));
        assert_eq!(find(hay, b"\r\n\r\n", 0), Some(14));
        assert_eq!(find(hay, b"", 0), None);
        assert_eq!(find(hay, b"x", 99), None);
        assert_eq!(row_of(18), 1);
    }
}
