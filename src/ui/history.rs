//! The History pane. Only the entries that fit are turned into lines each
//! frame (walking from the anchor), so a million entries cost what a
//! screenful does. Peer text goes through `text::safe_spans` only.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::text::{safe_spans, width, wrap};
use super::theme;
use crate::app::history::{Anchor, Entry, History};
use crate::app::{Clock, EntryKind};

/// One drawn row and the entry it belongs to (`None` for the marker of
/// dropped entries).
pub struct Row {
    pub seq: Option<u64>,
    pub line: Line<'static>,
}

/// The entry as wrapped rows.
fn entry_lines(entry: &Entry, clock: &Clock, max: usize, selected: bool) -> Vec<Line<'static>> {
    let time = Span::styled(format!("{} ", clock.hms(entry.at)), theme::dim());
    let (mark, style) = match entry.kind {
        EntryKind::Sent => ("→ ", Style::new().fg(Color::Cyan)),
        EntryKind::Received => ("← ", Style::new()),
        EntryKind::Info => ("● ", Style::new().fg(Color::Yellow)),
        EntryKind::Error => ("✗ ", Style::new().fg(Color::Red)),
    };
    let mut spans = vec![time, Span::styled(mark, style)];
    if let (Some(peer), EntryKind::Sent | EntryKind::Received) = (entry.peer, entry.kind) {
        spans.push(Span::styled(format!("{peer}  "), theme::dim()));
    }
    let indent = spans.iter().map(|s| width(&s.content)).sum();
    let mut text = entry.text.as_slice();
    if entry.open {
        // A `\r` waiting for its `\n` is the line ending, not content.
        text = text.strip_suffix(b"\r").unwrap_or(text);
    }
    if text.is_empty() && matches!(entry.kind, EntryKind::Sent | EntryKind::Received) {
        spans.push(Span::styled("(empty line)", theme::dim()));
    } else {
        let bold = entry.kind == EntryKind::Received;
        let style = if bold { style.add_modifier(Modifier::BOLD) } else { style };
        spans.extend(safe_spans(text, style));
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
pub fn visible_rows(history: &History, clock: &Clock, width: u16, height: u16) -> Vec<Row> {
    let (w, h) = (usize::from(width), usize::from(height));
    if w == 0 || h == 0 || history.is_empty() {
        return Vec::new();
    }
    let rows = rows_from(history, clock, history.anchor, w, h);
    let Some(sel) = history.selected else { return rows };
    if rows.iter().any(|r| r.seq == Some(sel)) {
        return rows;
    }
    // Keep the selection in view whatever the anchor says.
    let before = rows.iter().find_map(|r| r.seq).is_some_and(|first| sel < first);
    let anchor = if before { Anchor::Top(sel) } else { Anchor::Bottom(sel) };
    rows_from(history, clock, anchor, w, h)
}

fn rows_from(history: &History, clock: &Clock, anchor: Anchor, w: usize, h: usize) -> Vec<Row> {
    let last = history.end_seq() - 1;
    let lines = |seq: u64| {
        history
            .get(seq)
            .map(|e| entry_lines(e, clock, w, history.selected == Some(seq)))
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
}

impl Widget for HistoryPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let mut title = self.title;
        if self.history.anchor != Anchor::Follow {
            title.push_str(" (scrolled: End follows)");
        }
        let block = Block::bordered().title(title).border_style(theme::border(self.focused));
        let inner = block.inner(area);
        block.render(area, buf);
        let rows = visible_rows(self.history, self.clock, inner.width, inner.height);
        let lines: Vec<Line<'static>> = rows.into_iter().map(|r| r.line).collect();
        Paragraph::new(lines).render(inner, buf);
    }
}
