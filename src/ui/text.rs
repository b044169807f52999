//! Text helpers shared by the panes: peer bytes made safe (through
//! `sanitize::pieces`, the one function for that, with stand-ins dimmed) and
//! wrapping by display width so CJK and emoji keep their columns.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
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

/// Draws `lines` from the top of `area`, each cut at its right edge: the
/// cells a `Paragraph` without wrapping draws, without its per-line
/// grapheme composer (a third of a frame's time at 200×50). Lines past the
/// bottom are ignored.
pub fn render_lines(lines: &[Line<'_>], area: Rect, buf: &mut Buffer) {
    for (line, y) in lines.iter().zip(area.top()..area.bottom()) {
        put_line(buf, area.x, y, line, area.width);
    }
}

/// `Buffer::set_line`, with a shortcut for ASCII spans (most of a frame):
/// there every character is a grapheme one column wide, and the control
/// characters `set_line` skips are skipped here too, so the cells are the
/// same without segmenting graphemes and measuring each.
pub fn put_line(buf: &mut Buffer, x: u16, y: u16, line: &Line<'_>, max: u16) {
    let right = x.saturating_add(max).min(buf.area.right());
    let mut at = x;
    for span in line {
        if at >= right {
            break;
        }
        let style = line.style.patch(span.style);
        if !span.content.is_ascii() {
            at = buf.set_stringn(at, y, &span.content, usize::from(right - at), style).0;
            continue;
        }
        for c in span.content.chars().filter(|c| !c.is_ascii_control()) {
            if at >= right {
                break;
            }
            buf[(at, y)].set_char(c).set_style(style);
            at += 1;
        }
    }
}

/// Cuts spans into rows of at most `max` columns, between words where it
/// can; rows after the first start with `indent` spaces. A wide character
/// never straddles two rows.
#[must_use]
pub fn wrap(spans: &[Span<'static>], max: usize, indent: usize) -> Vec<Line<'static>> {
    let max = max.max(1);
    // Most lines fit one row: no cells to split, the spans are the row.
    if spans.iter().map(|s| width(&s.content)).sum::<usize>() <= max {
        return vec![Line::from(spans.to_vec())];
    }
    let indent = if indent * 3 > max * 2 { 0 } else { indent };
    let cells: Vec<(char, Style)> =
        spans.iter().flat_map(|s| s.content.chars().map(move |c| (c, s.style))).collect();
    let mut rows = Vec::new();
    let mut row: Vec<(char, Style)> = Vec::new();
    let mut col = 0;
    // Where the current row may break: the index just after its last space
    // (past the indent), so the next word moves down whole.
    let mut brk: Option<usize> = None;
    let mut first = true;
    for (c, style) in cells {
        let w = c.width().unwrap_or(0);
        let lead = if first { 0 } else { indent };
        if col + w > max && row.len() > lead {
            // The word moves down whole only if it then fits beside the
            // indent; a word longer than a row is cut where the row ends.
            let fits = |at: usize| {
                let word: usize = row[at..].iter().map(|(c, _)| c.width().unwrap_or(0)).sum();
                indent + word + w <= max
            };
            let carry = match brk {
                Some(at) if at < row.len() && c != ' ' && fits(at) => row.split_off(at),
                _ => Vec::new(),
            };
            rows.push(to_line(&row));
            first = false;
            row = vec![(' ', Style::new()); indent];
            col = indent + carry.iter().map(|(c, _)| c.width().unwrap_or(0)).sum::<usize>();
            row.extend(carry);
            brk = None;
            if c == ' ' {
                continue; // a space at the break is the break itself
            }
        }
        row.push((c, style));
        col += w;
        // After a space, or after a wide (CJK) character: Chinese has no
        // spaces, and an ASCII word inside it must still move down whole.
        if c == ' ' || w > 1 {
            brk = Some(row.len());
        }
    }
    // A row holding only the indent (left by a space at the very end) adds nothing.
    if rows.is_empty() || row.len() > indent {
        rows.push(to_line(&row));
    }
    rows
}

/// Groups cells of equal style back into spans.
fn to_line(cells: &[(char, Style)]) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut text = String::new();
    let mut current: Option<Style> = None;
    for (c, style) in cells {
        if current.is_some_and(|s| s != *style) {
            spans.push(Span::styled(std::mem::take(&mut text), current.unwrap_or_default()));
        }
        current = Some(*style);
        text.push(*c);
    }
    if !text.is_empty() {
        spans.push(Span::styled(text, current.unwrap_or_default()));
    }
    Line::from(spans)
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
    #[test]
    fn an_ascii_word_in_chinese_moves_down_whole() {
        use ratatui::text::Span;
        let text = "绑定地址address到套接字上然后监听";
        for max in 8..30 {
            let rows = super::wrap(&[Span::raw(text)], max, 0);
            let rows: Vec<String> = rows.iter().map(ToString::to_string).collect();
            assert!(rows.iter().any(|r| r.contains("address")), "{max}: {rows:?}");
        }
    }

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
    fn wraps_between_words() {
        let spans = [Span::raw("12 hello world"), Span::raw(" again")];
        assert_eq!(plain(&wrap(&spans, 9, 3)), ["12 hello ", "   world ", "   again"]);
        // A word longer than a row is cut where the row ends.
        assert_eq!(plain(&wrap(&[Span::raw("ab cdefghij")], 5, 0)), ["ab ", "cdefg", "hij"]);
        assert_eq!(plain(&wrap(&[Span::raw("abc de ")], 6, 1)), ["abc de"]);
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
    fn put_line_draws_what_set_line_draws() {
        let dim = Style::new().add_modifier(Modifier::DIM);
        let lines = [
            Line::from(vec![Span::raw("12:00:01 "), Span::styled("→ ", dim), Span::raw("hello")]),
            Line::from(vec![Span::raw("a\tb\x7fc\r\nd"), Span::styled("你好 wide", dim)]),
            Line::from("x".repeat(40)).style(Style::new().add_modifier(Modifier::REVERSED)),
            Line::from(vec![Span::raw("abcdefghi"), Span::raw("你"), Span::raw("e\u{301}z")]),
            Line::from(vec![Span::raw(""), Span::raw("😀 ok")]),
        ];
        for width in [0, 1, 9, 10, 11, 30] {
            let area = Rect::new(0, 0, 32, 1);
            for line in &lines {
                let (mut want, mut got) = (Buffer::empty(area), Buffer::empty(area));
                want.set_line(1, 0, line, width);
                put_line(&mut got, 1, 0, line, width);
                assert_eq!(got, want, "{line:?} in {width} columns");
            }
        }
    }

    #[test]
    fn clip_marks_the_cut() {
        assert_eq!(clip("hello", 10), "hello");
        assert_eq!(clip("hello", 4), "hel…");
        assert_eq!(clip("你好你好", 5), "你好…");
    }
}
