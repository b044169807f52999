//! F3: searching the history for text or bytes. The query is typed in the
//! input line (its draft is kept aside meanwhile); Enter finds the next hit,
//! n / N in the history move between hits, Esc ends the search. A query
//! starting with `x:` (or `/hex `) is hex bytes in `/hex` syntax, so bytes a
//! keyboard cannot type, such as `x:0d 0a 0d 0a`, are found too.
//!
//! An entry matches when its line holds the bytes; when no line does (bytes
//! such as a line ending that lines do not show), an entry matches when one
//! of the calls behind it does, and the inspector shows the hit.

use crate::app::history::{EntryKind, History};
use crate::app::inspector::packets::PacketLog;
use crate::hexdump;
use crate::net::Dir;

/// Where a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub end: usize,
    pub seq: u64,
    /// Offset of the match within the entry's line; `None` when only the
    /// calls behind the entry hold it.
    pub at: Option<usize>,
}

/// The search's state.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The input line holds the query (F3 until Enter finds or Esc).
    pub prompt: bool,
    /// The bytes searched for, once a query was entered.
    pub needle: Option<Vec<u8>>,
    pub hit: Option<Hit>,
    /// The hit's place among all hits (1-based) and how many there are;
    /// `Some((0, 0))` when the last search found nothing.
    pub count: Option<(usize, usize)>,
    /// What the input held before F3.
    pub draft: String,
    /// The pane that had the keyboard before F3: Esc goes back there.
    pub return_to: Option<crate::app::keymap::Focus>,
}

/// Why a query names no bytes to look for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// `x:` or `/hex ` followed by something that is not hex; the query is
    /// kept as typed (shown through `visible_str`).
    #[error("search {}: {error}", crate::sanitize::visible_str(.query))]
    BadHex { query: String, error: crate::payload::PayloadError },
    /// Nothing typed, or `x:` alone.
    #[error("nothing to search for: type text, or x:48 65 for bytes")]
    Empty,
}

/// The bytes a query stands for.
///
/// # Errors
/// An empty query or bad hex, worded for the user.
pub fn needle(query: &str) -> Result<Vec<u8>, QueryError> {
    let hex = query.strip_prefix("x:").or_else(|| query.strip_prefix("/hex "));
    let bytes = match hex {
        Some(hex) => crate::payload::parse_hex(hex)
            .map_err(|error| QueryError::BadHex { query: query.to_owned(), error })?,
        None => query.as_bytes().to_vec(),
    };
    if bytes.is_empty() {
        return Err(QueryError::Empty);
    }
    Ok(bytes)
}

/// Whether one of entry `seq`'s calls holds `needle`. `last_call` skips a
/// call already searched for the entry before (a long message is many
/// entries of one call).
fn in_calls(
    history: &History,
    log: &PacketLog,
    seq: u64,
    needle: &[u8],
    last_call: &mut Option<(u32, bool, u64)>,
) -> bool {
    let Some(entry) = history.get(seq) else { return false };
    let dir = match entry.kind {
        EntryKind::Sent => Dir::Sent,
        EntryKind::Received => Dir::Received,
        EntryKind::Info | EntryKind::Error => return false,
    };
    let calls = entry.calls;
    for n in calls.first..calls.first + u64::from(calls.count) {
        let key = (entry.sock, dir == Dir::Sent, n);
        if *last_call == Some(key) {
            continue;
        }
        *last_call = Some(key);
        let data = log.get(entry.sock, dir, n).map(|p| &p.data[..]).unwrap_or_default();
        if hexdump::find(data, needle, 0).is_some() {
            return true;
        }
    }
    false
}

/// Where entry `seq`'s bytes (its line and its ending) hold `needle`.
fn in_line(history: &History, seq: u64, needle: &[u8]) -> Option<usize> {
    let entry = history.get(seq)?;
    if entry.ending.is_empty() {
        hexdump::find(&entry.text, needle, 0)
    } else {
        hexdump::find(&entry.bytes(), needle, 0)
    }
}

/// Every entry that holds `needle`, oldest first, as `find` would visit
/// them: for `n/N` in the title.
#[must_use]
pub fn all(history: &History, log: &PacketLog, needle: &[u8]) -> Vec<u64> {
    let seqs = history.first_seq()..history.end_seq();
    let lines: Vec<u64> = seqs.clone().filter(|&s| in_line(history, s, needle).is_some()).collect();
    if !lines.is_empty() {
        return lines;
    }
    let mut last_call = None;
    seqs.filter(|&s| in_calls(history, log, s, needle, &mut last_call)).collect()
}

/// The next entry after `from` (or from the first when `None`) that holds
/// `needle`, going to newer entries when `forward`, wrapping around.
#[must_use]
pub fn find(
    history: &History,
    log: &PacketLog,
    needle: &[u8],
    from: Option<u64>,
    forward: bool,
) -> Option<(u64, Option<usize>)> {
    let (first, end) = (history.first_seq(), history.end_seq());
    let n = end - first;
    if n == 0 {
        return None;
    }
    // Position of the starting entry within 0..n; the walk starts next to it.
    let start = from.map_or(if forward { n - 1 } else { 0 }, |s| s.clamp(first, end - 1) - first);
    let order = || {
        (1..=n).map(move |step| {
            let i = if forward { (start + step) % n } else { (start + n - step % n) % n };
            first + i
        })
    };
    let in_line = |seq| in_line(history, seq, needle);
    if let Some(hit) = order().find_map(|seq| in_line(seq).map(|at| (seq, Some(at)))) {
        return Some(hit);
    }
    let mut last_call = None;
    order().find(|&seq| in_calls(history, log, seq, needle, &mut last_call)).map(|seq| (seq, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::history::{Calls, Caps, Entry};
    use crate::net::DataRecord;
    use bytes::Bytes;

    fn history(lines: &[&str]) -> History {
        let mut h = History::new(Caps::default());
        for (i, l) in lines.iter().enumerate() {
            h.push(Entry {
                at: 0,
                kind: EntryKind::Received,
                sock: 1,
                peer: None,
                text: l.as_bytes().to_vec(),
                ending: b"",
                open: false,
                calls: Calls { first: i as u64, count: 1 },
            });
        }
        h
    }

    #[test]
    fn queries_are_text_or_hex() {
        assert_eq!(needle("Hello"), Ok(b"Hello".to_vec()));
        assert_eq!(needle("x:0d 0a"), Ok(b"\r\n".to_vec()));
        assert_eq!(needle("/hex 4865"), Ok(b"He".to_vec()));
        assert!(needle("x:4g").unwrap_err().to_string().contains("not a hex digit"));
        assert_eq!(needle(""), Err(QueryError::Empty));
        assert!(QueryError::Empty.to_string().starts_with("nothing to search for"));
    }

    #[test]
    fn finds_forward_and_back_wrapping() {
        let h = history(&["alpha", "beta", "alphabet", "gamma"]);
        let log = PacketLog::default();
        assert_eq!(find(&h, &log, b"alpha", None, true), Some((0, Some(0))));
        assert_eq!(find(&h, &log, b"alpha", Some(0), true), Some((2, Some(0))));
        assert_eq!(find(&h, &log, b"alpha", Some(2), true), Some((0, Some(0))));
        assert_eq!(find(&h, &log, b"alpha", Some(0), false), Some((2, Some(0))));
        assert_eq!(find(&h, &log, b"bet", Some(3), false), Some((2, Some(5))));
        assert_eq!(find(&h, &log, b"zeta", None, true), None);
    }

    #[test]
    fn bytes_only_in_the_calls_are_found_there() {
        let h = history(&["GET / HTTP/1.0", ""]);
        let mut log = PacketLog::default();
        for chunk in [&b"GET / HTTP/1.0\r\n"[..], b"\r\n"] {
            let data = Bytes::copy_from_slice(chunk);
            log.push(0, &DataRecord { sock: 1, dir: Dir::Received, peer: None, data, offset: 0 });
        }
        assert_eq!(find(&h, &log, b"\r\n", None, true), Some((0, None)));
        assert_eq!(find(&h, &log, b"\r\n", Some(0), true), Some((1, None)));
    }
}
