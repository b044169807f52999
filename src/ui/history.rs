//! The History pane. Only the entries that fit are turned into lines each
//! frame (walking from the anchor), so a million entries cost what a
//! screenful does. Peer text goes through `text::safe_spans` only.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::text::{safe_spans, width, wrap};
use super::theme;
use crate::app::history::{Anchor, Entry, History};
use crate::app::{App, Clock, EntryKind, View};
use crate::net::relay::Way;

/// How entries are drawn besides their content: text, hex or both
/// (Alt-V), and the search hit to highlight.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look<'a> {
    pub view: View,
    /// The hit's entry, the match's offset in its line, and the bytes.
    pub hit: Option<(u64, usize, &'a [u8])>,
    /// A relay's lanes: the way each leg's received bytes go.
    pub lanes: Option<&'a std::collections::HashMap<crate::net::SockId, Way>>,
    /// The search's standing for the title: hit n of N, or not found.
    pub count: Option<(usize, usize)>,
}

impl<'a> Look<'a> {
    /// The look of end `end`'s history in `app`.
    #[must_use]
    pub fn of(app: &'a App, end: usize) -> Self {
        let hit = match (&app.search.hit, &app.search.needle) {
            (Some(h), Some(needle)) if h.end == end => h.at.map(|at| (h.seq, at, &needle[..])),
            _ => None,
        };
        let lanes = app.ends.get(end).and_then(|e| e.relay.as_ref()).map(|r| &r.lanes);
        let count = app.search.needle.as_ref().and(app.search.count).filter(|_| end == app.active);
        Self { view: app.view, hit, lanes, count }
    }
}

/// The line's bytes as spans, the search hit (`at..at + len`) highlighted.
fn content_spans(text: &[u8], style: Style, hit: Option<(usize, usize)>) -> Vec<Span<'static>> {
    let Some((at, len)) = hit.filter(|(at, len)| at + len <= text.len()) else {
        return safe_spans(text, style);
    };
    let lit = theme::hit();
    let mut spans = safe_spans(&text[..at], style);
    spans.extend(safe_spans(&text[at..at + len], lit));
    spans.extend(safe_spans(&text[at + len..], style));
    spans
}

/// Bytes as hex pairs, dim; the search hit's bytes highlighted.
fn hex_spans(bytes: &[u8], hit: Option<(usize, usize)>) -> Vec<Span<'static>> {
    let hex = |b: &[u8]| crate::payload::to_hex(b);
    match hit.filter(|(at, len)| at + len <= bytes.len() && *len > 0) {
        None => vec![Span::styled(hex(bytes), theme::dim())],
        Some((at, len)) => {
            let gap = |b: &[u8]| if b.is_empty() { "" } else { " " };
            let before = &bytes[..at];
            let after = &bytes[at + len..];
            vec![
                Span::styled(format!("{}{}", hex(before), gap(before)), theme::dim()),
                Span::styled(hex(&bytes[at..at + len]), theme::hit()),
                Span::styled(format!("{}{}", gap(after), hex(after)), theme::dim()),
            ]
        }
    }
}

/// One drawn row and the entry it belongs to (`None` for the marker of
/// dropped entries).
pub struct Row {
    pub seq: Option<u64>,
    pub line: Line<'static>,
}

/// The entry as wrapped rows.
fn entry_lines(
    entry: &Entry,
    clock: &Clock,
    max: usize,
    selected: bool,
    look: (View, Option<(usize, usize)>, Option<Way>),
    limit: usize,
) -> Vec<Line<'static>> {
    let (view, hit, lane) = look;
    let time = Span::styled(format!("{} ", clock.hms(entry.at)), theme::dim());
    let (mark, style) = match (entry.kind, lane) {
        // A relay's two lanes: who said it, and which way it went.
        (EntryKind::Received, Some(Way::Up)) => ("client → ", theme::sent()),
        (EntryKind::Received, Some(Way::Down)) => ("  server ← ", theme::info()),
        (EntryKind::Sent, _) => ("→ ", theme::sent()),
        (EntryKind::Received, None) => ("← ", Style::new()),
        (EntryKind::Info, _) => ("● ", theme::info()),
        (EntryKind::Error, _) => ("✗ ", theme::error()),
    };
    let mut spans = vec![time, Span::styled(mark, style)];
    if let (Some(peer), EntryKind::Sent | EntryKind::Received) = (entry.peer.clone(), entry.kind) {
        spans.push(Span::styled(format!("{peer}  "), theme::dim()));
    }
    let indent = spans.iter().map(|s| width(&s.content)).sum();
    let mut text = entry.text.as_slice();
    if entry.open {
        // A `\r` waiting for its `\n` is the line ending, not content.
        text = text.strip_suffix(b"\r").unwrap_or(text);
    }
    // A line longer than the pane can hold (a 1 MiB message) is cut: only
    // what fits is wrapped each frame; the inspector shows every byte.
    let full = text.len();
    if full > limit {
        let mut cut = limit;
        while cut > 0 && text[cut] & 0xc0 == 0x80 {
            cut -= 1;
        }
        text = &text[..cut];
    }
    let data = matches!(entry.kind, EntryKind::Sent | EntryKind::Received);
    let bold = entry.kind == EntryKind::Received;
    let style = if bold { style.add_modifier(Modifier::BOLD) } else { style };
    if view != View::Hex || !data {
        if text.is_empty() && data {
            spans.push(Span::styled("(empty line)", theme::dim()));
        } else {
            spans.extend(content_spans(text, style, hit));
        }
    }
    if view != View::Text && data {
        if view == View::Both {
            spans.push(Span::raw("  "));
        }
        // Every byte, the line ending too: `0d 0a` is what was sent.
        let shown = if full == text.len() { entry.bytes() } else { text.to_vec() };
        spans.extend(hex_spans(&shown, hit));
    }
    if full > text.len() {
        let more = format!(" … {} B more (Enter: inspector)", full - text.len());
        spans.push(Span::styled(more, theme::dim()));
    }
    let mut lines = wrap(&spans, max, indent);
    if selected {
        for line in &mut lines {
            line.style = Style::new().add_modifier(Modifier::REVERSED);
        }
    }
    lines
}

fn marker(history: &History) -> Row {
    let text =
        format!("⋯ {} older entries dropped (--history / --history-bytes caps)", history.dropped);
    Row { seq: None, line: Line::styled(text, theme::dim()) }
}

/// The rows that fill a `width`×`height` pane, top to bottom.
#[must_use]
pub fn visible_rows(
    history: &History,
    clock: &Clock,
    look: &Look<'_>,
    width: u16,
    height: u16,
) -> Vec<Row> {
    let (w, h) = (usize::from(width), usize::from(height));
    if w == 0 || h == 0 || history.is_empty() {
        return Vec::new();
    }
    let rows = rows_from(history, clock, look, history.anchor, w, h);
    let Some(sel) = history.selected else { return rows };
    if rows.iter().any(|r| r.seq == Some(sel)) {
        return rows;
    }
    // Keep the selection in view whatever the anchor says.
    let before = rows.iter().find_map(|r| r.seq).is_some_and(|first| sel < first);
    let anchor = if before { Anchor::Top(sel) } else { Anchor::Bottom(sel) };
    rows_from(history, clock, look, anchor, w, h)
}

fn rows_from(
    history: &History,
    clock: &Clock,
    look: &Look<'_>,
    anchor: Anchor,
    w: usize,
    h: usize,
) -> Vec<Row> {
    let last = history.end_seq() - 1;
    let lines = |seq: u64| {
        let hit = look.hit.filter(|(s, _, _)| *s == seq).map(|(_, at, n)| (at, n.len()));
        history
            .get(seq)
            .map(|e| {
                let selected = history.selected == Some(seq);
                let lane = look.lanes.and_then(|l| l.get(&e.sock)).copied();
                entry_lines(e, clock, w, selected, (look.view, hit, lane), w * h)
            })
            .unwrap_or_default()
    };
    match anchor {
        Anchor::Top(top) => {
            let mut rows = Vec::new();
            if top == history.first_seq() && history.dropped > 0 {
                rows.push(marker(history));
            }
            let mut seq = top;
            while rows.len() < h && seq <= last {
                rows.extend(lines(seq).into_iter().map(|line| Row { seq: Some(seq), line }));
                seq += 1;
            }
            rows.truncate(h);
            rows
        }
        Anchor::Follow | Anchor::Bottom(_) => {
            let bottom = if let Anchor::Bottom(b) = anchor { b.min(last) } else { last };
            // Walk up from the bottom entry, newest first, until the pane is full.
            let mut chunks: Vec<Vec<Row>> = Vec::new();
            let mut filled = 0;
            let mut seq = bottom;
            loop {
                let rows: Vec<Row> =
                    lines(seq).into_iter().map(|line| Row { seq: Some(seq), line }).collect();
                filled += rows.len();
                chunks.push(rows);
                if filled >= h || seq == history.first_seq() {
                    break;
                }
                seq -= 1;
            }
            if filled < h && history.dropped > 0 {
                chunks.push(vec![marker(history)]);
            }
            let mut rows: Vec<Row> = chunks.into_iter().rev().flatten().collect();
            let extra = rows.len().saturating_sub(h);
            rows.drain(..extra);
            rows
        }
    }
}

/// The History pane of one end.
pub struct HistoryPane<'a> {
    pub history: &'a History,
    pub clock: &'a Clock,
    pub title: String,
    pub focused: bool,
    pub look: Look<'a>,
}

impl Widget for HistoryPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut title = self.title;
        if self.history.anchor != Anchor::Follow {
            title.push_str(" (scrolled: End follows)");
        }
        if self.look.view != View::Text {
            title.push_str(&format!(" [{}: Alt-V]", self.look.view.label()));
        }
        match self.look.count {
            Some((_, 0)) => title.push_str(" · search: not found"),
            Some((n, all)) => title.push_str(&format!(" · search {n}/{all} (n/N)")),
            None => {}
        }
        let block = Block::bordered().title(title).border_style(theme::border(self.focused));
        let inner = block.inner(area);
        block.render(area, buf);
        let rows = visible_rows(self.history, self.clock, &self.look, inner.width, inner.height);
        for (row, y) in rows.iter().zip(inner.top()..inner.bottom()) {
            super::text::put_line(buf, inner.x, y, &row.line, inner.width);
        }
    }
}
