//! Python source text from recorded bytes and explanations: literals that
//! make exactly the bytes sent (and never let peer bytes act on a terminal
//! or hide in the source), and comments wrapped by display width so that
//! Chinese lines are as wide as English ones.

use unicode_width::UnicodeWidthChar;

use crate::python;

/// A literal wider than this many columns is cut into adjacent literals.
const PIECE: usize = 64;

/// Python literals that make exactly `data`, cut after each newline and at
/// [`PIECE`] bytes: `b'...'` pieces, or `'...'` pieces ending in
/// `.encode('utf-8')` for readable non-ASCII text (the tutorial's
/// `'你好'.encode('utf-8')`). Anything a terminal could take for a control
/// sequence, or that could hide text (zero-width, bidi), stays `\x` bytes.
pub(super) fn literal(data: &[u8]) -> Vec<String> {
    let text = std::str::from_utf8(data).ok().filter(|t| !t.is_ascii() && t.chars().all(plain));
    let Some(text) = text else {
        return cut(data).into_iter().map(|p| python::bytes_repr(p, usize::MAX)).collect();
    };
    let chars: Vec<char> = text.chars().collect();
    let mut pieces: Vec<String> = Vec::new();
    for piece in chars.split_inclusive(|c| *c == '\n').flat_map(|p| p.chunks(PIECE / 2)) {
        pieces.push(str_repr(piece));
    }
    if let Some(last) = pieces.last_mut() {
        last.push_str(".encode('utf-8')");
    }
    pieces
}

/// `data` in pieces that end at a newline or before their literal grows
/// wider than [`PIECE`] columns (`\xNN` takes four).
fn cut(data: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let (mut start, mut width) = (0, 0);
    for (i, &b) in data.iter().enumerate() {
        let w = match b {
            b'\t' | b'\n' | b'\r' | b'\\' | b'\'' | b'"' => 2,
            0x20..=0x7e => 1,
            _ => 4,
        };
        if width + w > PIECE {
            pieces.push(&data[start..i]);
            (start, width) = (i, 0);
        }
        width += w;
        if b == b'\n' {
            pieces.push(&data[start..=i]);
            (start, width) = (i + 1, 0);
        }
    }
    if start < data.len() || pieces.is_empty() {
        pieces.push(&data[start..]);
    }
    pieces
}

/// A character that may stand as itself in a Python str literal here.
fn plain(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~')
        || (!c.is_ascii() && c.width().is_some_and(|w| w > 0))
}

/// Python's repr of a str made of [`plain`] characters.
fn str_repr(chars: &[char]) -> String {
    let quote = if chars.contains(&'\'') && !chars.contains(&'"') { '"' } else { '\'' };
    let mut out = String::from(quote);
    for &c in chars {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Greedy wrapping by display width: at spaces, and between CJK characters
/// (which need no space), never inside an ASCII word.
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii() && c != ' ' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        tokens.push(c.to_string());
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    for token in tokens {
        let w: usize = token.chars().map(|c| c.width().unwrap_or(0)).sum();
        // Chinese punctuation never starts a line: it may stick out instead.
        let closing = token.chars().all(|c| "，。、；：？！）」》".contains(c));
        if used + w > width && used > 0 && !closing {
            lines.push(std::mem::take(&mut line).trim_end().to_string());
            used = 0;
        }
        if used == 0 && token == " " {
            continue;
        }
        line.push_str(&token);
        used += w;
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_make_exactly_the_bytes() {
        assert_eq!(literal(b"hello\n"), vec!["b'hello\\n'"]);
        assert_eq!(literal(b"a\nb"), vec!["b'a\\n'", "b'b'"]);
        assert_eq!(literal("你好\n".as_bytes()), vec!["'你好\\n'.encode('utf-8')"]);
        // A bidi override or an escape byte never stands as itself.
        assert_eq!(literal("a\u{202e}é".as_bytes()), vec!["b'a\\xe2\\x80\\xae\\xc3\\xa9'"]);
        assert_eq!(literal("é\x1b[2J".as_bytes()), vec!["b'\\xc3\\xa9\\x1b[2J'"]);
        assert_eq!(literal(&[b'x'; 70]).len(), 2, "cut at {PIECE} columns");
        assert_eq!(literal(&[0xff; 32]).len(), 2, "\\xff is four columns");
        assert_eq!(literal(b""), vec!["b''"]);
    }

    #[test]
    fn wrapping_keeps_words_and_splits_chinese() {
        let en = wrap("one two three four", 9);
        assert_eq!(en, vec!["one two", "three", "four"]);
        let zh = wrap("接受连接并返回（conn,address）", 16);
        assert_eq!(zh, vec!["接受连接并返回（", "conn,address）"]);
        assert_eq!(wrap("一二三四。五", 8), vec!["一二三四。", "五"], "no line starts with 。");
    }
}
