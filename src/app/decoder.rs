//! Per-connection streaming line decoder. TCP splits messages anywhere, even
//! inside a UTF-8 character, so a connection's received bytes are cut into
//! lines here: an incomplete character at the end of a chunk waits for the
//! next chunk, and a line ends only at `\n`. Nothing is lost or doubled: every
//! byte fed comes out exactly once, as text or as a line end.

/// What a chunk of bytes turned into, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Bytes that belong to the current line (never split inside a valid
    /// UTF-8 character; the `\n` itself is not included).
    Text(Vec<u8>),
    /// The current line ended (a `\n` was received).
    LineEnd,
}

/// Remembers the incomplete UTF-8 character at the end of the last chunk.
#[derive(Debug, Default, Clone)]
pub struct LineDecoder {
    carry: Vec<u8>,
}

/// How many bytes at the end of `bytes` start a character that is not
/// complete yet (0 when the text ends on a character boundary or with bytes
/// that can never become valid, which are passed on as they are).
fn incomplete_tail(bytes: &[u8]) -> usize {
    let n = bytes.len();
    for back in 1..=n.min(3) {
        let b = bytes[n - back];
        if b & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: keep looking for the lead
        }
        let need = match b {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return 0,
        };
        return if back < need { back } else { 0 };
    }
    0
}

impl LineDecoder {
    /// Feeds one chunk; returns its pieces (possibly none: a lone partial
    /// character is held until the next chunk).
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Piece> {
        let mut data = std::mem::take(&mut self.carry);
        data.extend_from_slice(chunk);
        let keep = incomplete_tail(&data);
        self.carry = data.split_off(data.len() - keep);
        split_lines(&data)
    }

    /// Whether part of a character is waiting for the next chunk.
    #[must_use]
    pub fn holding(&self) -> bool {
        !self.carry.is_empty()
    }

    /// The peer is done (EOF or close): whatever was held back comes out as
    /// is (the renderer shows the broken character as `\xNN`).
    pub fn flush(&mut self) -> Vec<Piece> {
        let rest = std::mem::take(&mut self.carry);
        if rest.is_empty() { Vec::new() } else { vec![Piece::Text(rest)] }
    }
}

/// Cuts bytes at every `\n`; a trailing part without `\n` is text of a line
/// that has not ended yet.
#[must_use]
pub fn split_lines(data: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut parts = data.split(|&b| b == b'\n').peekable();
    while let Some(part) = parts.next() {
        if !part.is_empty() {
            out.push(Piece::Text(part.to_vec()));
        }
        if parts.peek().is_some() {
            out.push(Piece::LineEnd);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &[u8]) -> Piece {
        Piece::Text(s.to_vec())
    }

    #[test]
    fn splits_lines_and_keeps_the_open_tail() {
        let mut d = LineDecoder::default();
        assert_eq!(d.feed(b"ab\ncd"), vec![text(b"ab"), Piece::LineEnd, text(b"cd")]);
        assert_eq!(d.feed(b"\n\n"), vec![Piece::LineEnd, Piece::LineEnd]);
    }

    #[test]
    fn holds_a_character_split_across_chunks() {
        let bytes = "你好".as_bytes();
        let mut d = LineDecoder::default();
        assert_eq!(d.feed(&bytes[..1]), vec![]);
        assert_eq!(d.feed(&bytes[1..4]), vec![text("你".as_bytes())]);
        assert_eq!(d.feed(&bytes[4..]), vec![text("好".as_bytes())]);
    }

    #[test]
    fn invalid_bytes_pass_through_and_flush_gives_back_the_carry() {
        let mut d = LineDecoder::default();
        assert_eq!(d.feed(b"\xff\n"), vec![text(b"\xff"), Piece::LineEnd]);
        assert_eq!(d.feed(b"x\xe4\xbd"), vec![text(b"x")]);
        assert_eq!(d.flush(), vec![text(b"\xe4\xbd")]);
        assert_eq!(d.flush(), vec![]);
    }

    proptest::proptest! {
        /// Any split of any bytes gives back every byte once, in order, and
        /// never cuts a valid character.
        #[test]
        fn nothing_lost_or_doubled(
            text in "[a-z你好😀\n]{0,40}",
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let bytes = text.as_bytes();
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut d = LineDecoder::default();
            let mut out = Vec::new();
            let mut last = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                for piece in d.feed(&bytes[last..cut]) {
                    match piece {
                        Piece::Text(t) => {
                            proptest::prop_assert!(std::str::from_utf8(&t).is_ok());
                            out.extend(t);
                        }
                        Piece::LineEnd => out.push(b'\n'),
                    }
                }
                last = cut;
            }
            proptest::prop_assert!(d.flush().is_empty());
            proptest::prop_assert_eq!(out, bytes.to_vec());
        }
    }
}
