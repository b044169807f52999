//! The one function that makes peer text safe to show. Whatever a peer sends
//! reaches the terminal only through here: control characters, escape
//! sequences, bidirectional overrides and invisible characters become visible
//! stand-ins, invalid UTF-8 becomes `\xNN`, and nothing is ever passed raw.

use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;

/// A run of text, either the peer's own printable characters or a visible
/// stand-in for something that must not reach the terminal raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A stand-in (`␛`, `\xff`, `\u{202e}`): views show it dimmed.
    Escaped(String),
}

impl Piece {
    /// The text to draw.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Text(s) | Self::Escaped(s) => s,
        }
    }
}

/// The visible stand-in for a character that must not reach the terminal,
/// or `None` when it is safe to print as is.
#[must_use]
pub fn stand_in(c: char) -> Option<String> {
    let code = u32::from(c);
    match code {
        // Printable ASCII, most of any text: safe, and no width to look up.
        0x20..=0x7e => None,
        // C0 controls as Unicode's control pictures: ␀ ... ␟ (ESC is ␛).
        0x00..=0x1f => char::from_u32(0x2400 + code).map(String::from),
        0x7f => Some("␡".into()),
        // C1 controls, bidi embeddings/overrides/isolates, zero-width and
        // other invisible format characters, line/paragraph separators.
        0x80..=0x9f
        | 0x200b..=0x200f
        | 0x2028..=0x202e
        | 0x2060..=0x206f
        | 0xfeff
        | 0xfff9..=0xfffb
        | 0x061c
        | 0x00ad
        | 0x180e => Some(format!("\\u{{{code:x}}}")),
        // The rest of Unicode's default-ignorable (invisible) characters:
        // combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
        // Mongolian variation selectors, variation selectors, tags.
        0x034f
        | 0x115f..=0x1160
        | 0x17b4..=0x17b5
        | 0x180b..=0x180f
        | 0x3164
        | 0xfe00..=0xfe0f
        | 0xffa0
        | 0xfff0..=0xfff8
        | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a
        | 0xe0000..=0xe0fff
        // Emoji skin-tone modifiers: with the variation selectors, they make
        // the layout count an emoji sequence as 2 columns where terminals
        // add up each character (1 for `❤` + U+FE0F, 4 for `👍🏽`), which
        // would shift the rest of the row.
        | 0x1f3fb..=0x1f3ff => Some(format!("\\u{{{code:x}}}")),
        // Wider than two columns for the layout (U+17D8 is three) but one
        // for terminals: drawn raw, it would pull the rest of the row left.
        _ if UnicodeWidthChar::width(c).is_some_and(|w| w > 2) => {
            Some(format!("\\u{{{code:x}}}"))
        }
        _ => None,
    }
}

/// Splits `bytes` into safe pieces: valid UTF-8 decoded, everything unsafe
/// replaced by its stand-in, invalid bytes as `\xNN`.
#[must_use]
pub fn pieces(bytes: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut escaped = String::new();
    let flush_text = |text: &mut String, out: &mut Vec<Piece>| {
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(text)));
        }
    };
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match stand_in(c) {
                Some(shown) => {
                    flush_text(&mut text, &mut out);
                    escaped.push_str(&shown);
                }
                None => {
                    if !escaped.is_empty() {
                        out.push(Piece::Escaped(std::mem::take(&mut escaped)));
                    }
                    text.push(c);
                }
            }
        }
        if !chunk.invalid().is_empty() {
            flush_text(&mut text, &mut out);
            for b in chunk.invalid() {
                let _ = write!(escaped, "\\x{b:02x}");
            }
        }
    }
    flush_text(&mut text, &mut out);
    if !escaped.is_empty() {
        out.push(Piece::Escaped(escaped));
    }
    out
}

/// `bytes` as one safe string (stand-ins inline, undistinguished).
#[must_use]
pub fn visible(bytes: &[u8]) -> String {
    pieces(bytes).iter().map(Piece::as_str).collect()
}

/// Like [`visible`], but line feeds and tabs stay as they are: for peer bytes
/// written to a terminal as running text (headless with stdout on a tty).
#[must_use]
pub fn visible_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for (j, cell) in line.split(|&b| b == b'\t').enumerate() {
            if j > 0 {
                out.push('\t');
            }
            out.push_str(&visible(cell));
        }
    }
    out
}

/// A `str` made safe the same way (for text that came from a peer or a file
/// but is already a string, such as an error message naming a path).
#[must_use]
pub fn visible_str(text: &str) -> String {
    visible(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_visible() {
        assert_eq!(visible(b"\x1b]0;pwned\x07\x1b[2J"), "␛]0;pwned␇␛[2J");
    }

    #[test]
    fn table_of_stand_ins() {
        let table: &[(&[u8], &str)] = &[
            (b"hello", "hello"),
            ("你好，世界".as_bytes(), "你好，世界"),
            (b"a\tb\r\n", "a␉b␍␊"),
            (b"\x7f", "␡"),
            (b"\xff\xfe", "\\xff\\xfe"),
            ("\u{202e}evil".as_bytes(), "\\u{202e}evil"),
            ("\u{200b}".as_bytes(), "\\u{200b}"),
            ("\u{9b}".as_bytes(), "\\u{9b}"),
            ("\u{17d8}".as_bytes(), "\\u{17d8}"),
            ("❤\u{fe0f}".as_bytes(), "❤\\u{fe0f}"),
            ("👍🏽".as_bytes(), "👍\\u{1f3fd}"),
            ("\u{3164}".as_bytes(), "\\u{3164}"),
            (b"\xe4\xbd", "\\xe4\\xbd"),
        ];
        for (input, want) in table {
            assert_eq!(visible(input), *want, "{input:?}");
        }
    }

    #[test]
    fn running_text_keeps_lines_and_tabs() {
        assert_eq!(visible_text(b"a\tb\n\x1b[2J\r\n"), "a\tb\n␛[2J␍\n");
    }

    #[test]
    fn pieces_mark_what_was_escaped() {
        assert_eq!(
            pieces(b"ok\x1bno"),
            vec![Piece::Text("ok".into()), Piece::Escaped("␛".into()), Piece::Text("no".into())]
        );
    }

    proptest::proptest! {
        #[test]
        fn nothing_unsafe_survives(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..256)) {
            let shown = visible(&bytes);
            proptest::prop_assert!(shown.chars().all(|c| stand_in(c).is_none()));
        }
    }
}
