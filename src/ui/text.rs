//! Text helpers shared by the panes: peer bytes made safe (through
//! `sanitize::pieces`, the one function for that, with stand-ins dimmed) and
//! wrapping by display width so CJK and emoji keep their columns.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::sanitize::{Piece, pieces};

/// Peer (or otherwise untrusted) bytes as spans: text in `style`, every
/// stand-in for a control character or invalid byte dimmed.
#[must_use]
pub fn safe_spans(bytes: &[u8], style: Style) -> Vec<Span<'static>> {
    pieces(bytes)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => Span::styled(t, style),
            Piece::Escaped(e) => Span::styled(e, style.add_modifier(Modifier::DIM)),
        })
        .collect()
}

/// Display width of a string in terminal columns.
#[must_use]
pub fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Cuts spans into rows of at most `max` columns; rows after the first
/// start with `indent` spaces. A wide character never straddles two rows.
#[must_use]
pub fn wrap(spans: &[Span<'static>], max: usize, indent: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    let indent = if indent * 2 > max { 0 } else { indent };
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut col = 0;
    for span in spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if col + w > max && col > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                if indent > 0 {
                    row.push(Span::raw(" ".repeat(indent)));
                }
                col = indent;
            }
            piece.push(c);
            col += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}

/// Cuts a string to `max` columns, marking the cut with `…`.
#[must_use]
pub fn clip(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut col = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if col + w + 1 > max {
            break;
        }
        out.push(c);
        col += w;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn wraps_by_columns_without_splitting_wide_chars() {
        let spans = [Span::raw("ab你好c")];
        assert_eq!(plain(&wrap(&spans, 4, 0)), ["ab你", "好c"]);
        assert_eq!(plain(&wrap(&spans, 3, 0)), ["ab", "你", "好c"]);
        assert_eq!(plain(&wrap(&[Span::raw("abcdef")], 4, 1)), ["abcd", " ef"]);
        assert_eq!(plain(&wrap(&[], 4, 0)), [""]);
    }

    #[test]
    fn escapes_are_dimmed_and_never_raw() {
        let spans = safe_spans(b"hi\x1b[2J", Style::new());
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "hi␛[2J");
        assert!(spans[1].style.add_modifier.contains(Modifier::DIM));
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("hello", 10), "hello");
        assert_eq!(clip("hello", 4), "hel…");
        assert_eq!(clip("你好你好", 5), "你好…");
    }
}
