//! The packet inspector pane (Enter on a history entry): for each send or
//! recv call behind the entry, its call, time in µs, peer and stream offset,
//! then `hexdump -C` rows and the UTF-8 text view. Only the rows on screen
//! are built, so a 1 MiB call draws as fast as a short one. Bytes of a
//! search hit are highlighted. Peer bytes reach the screen only as hex, as
//! `.` in the ASCII column, or through `text::safe_spans`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::text::{clip, safe_spans};
use super::theme;
use crate::app::history::EntryKind;
use crate::app::inspector::packets::Packet;
use crate::app::inspector::{Inspector, Row};
use crate::app::{App, Clock};
use crate::hexdump;
use crate::net::Dir;

/// Where the inspector goes: over the panes above the input line.
#[must_use]
pub fn area(screen: Rect, input: Rect) -> Rect {
    let bottom = input.y.max(screen.y);
    Rect::new(screen.x, screen.y, screen.width, bottom - screen.y)
}

/// The inspector over the screen.
pub struct InspectorPane<'a> {
    pub app: &'a App,
    pub inspector: &'a Inspector,
}

fn hit_style() -> Style {
    theme::hit()
}

/// `22:13:20.010000`.
fn time(clock: &Clock, at: u64) -> String {
    format!("{}.{:06}", clock.hms(at), at % 1_000_000)
}

fn title(app: &App, i: &Inspector) -> String {
    let what = match i.kind {
        EntryKind::Sent => "→ sent",
        EntryKind::Received => "← received",
        EntryKind::Info | EntryKind::Error => "sockpit's note",
    };
    let bytes: usize = i.packets.iter().map(|p| p.data.len()).sum();
    let calls = i.packets.len();
    let s = if calls == 1 { "" } else { "s" };
    // Under TLS these are the application's bytes; the wire carries records.
    let end = app.ends.get(i.end);
    let tls = i.packets.first().is_some_and(|p| end.is_some_and(|e| e.tls.of(p.sock).is_some()));
    let plain = if tls { " TLS plaintext," } else { "" };
    format!(" Inspector: {what},{plain} {calls} call{s}, {bytes} B · Esc closes, PgUp/PgDn scroll ")
}

fn header(app: &App, p: &Packet, call: usize, calls: usize, line: usize) -> Line<'static> {
    let dim = theme::dim();
    if line == 0 {
        let (arrow, style) = match p.dir {
            Dir::Sent => ("→", theme::sent()),
            Dir::Received => ("←", Style::new()),
        };
        let made = p.call.as_ref().map_or_else(
            || if p.dir == Dir::Sent { "send".into() } else { "recv".into() },
            |(var, call)| crate::python::call_line(var, call),
        );
        return Line::from(vec![
            Span::styled(format!("#{}/{calls} ", call + 1), dim),
            Span::styled(format!("{arrow} "), style.add_modifier(Modifier::BOLD)),
            Span::styled(made, style.add_modifier(Modifier::BOLD)),
            Span::raw(format!("  {} B", p.data.len())),
        ]);
    }
    let kind = app.ends.get(app.inspector.as_ref().map_or(0, |i| i.end)).map(|e| e.kind);
    let place = if kind == Some(crate::net::Kind::Dgram) {
        format!("datagram #{}", p.offset)
    } else {
        format!("stream offset {}", p.offset)
    };
    let peer = p.peer.clone().map_or_else(|| "peer unknown".into(), |a| format!("peer {a}"));
    Line::styled(
        format!(
            "   at {} ({} µs) · connection {} · {peer} · {place}",
            time(&app.clock, p.at),
            p.at,
            p.sock
        ),
        dim,
    )
}

/// Hex row `row` of `data`, with the bytes of `needle` highlighted.
fn hex_line(data: &[u8], row: usize, needle: Option<&[u8]>) -> Line<'static> {
    let text = hexdump::row(data, row).unwrap_or_default();
    let start = row * hexdump::ROW;
    let mut lit = [false; hexdump::ROW];
    if let Some(needle) = needle.filter(|n| !n.is_empty()) {
        // Matches that start up to needle.len() - 1 bytes before the row.
        let mut from = start.saturating_sub(needle.len() - 1);
        while let Some(at) = hexdump::find(data, needle, from) {
            if at >= start + hexdump::ROW {
                break;
            }
            for b in at.max(start)..(at + needle.len()).min(start + hexdump::ROW) {
                lit[b - start] = true;
            }
            from = at + 1;
        }
    }
    if !lit.contains(&true) {
        return Line::raw(text);
    }
    // Every character of a row is ASCII: columns are byte indices.
    let ascii_col = 10 + hexdump::ROW * 3 + 1 + 2;
    let mut styles = vec![Style::new(); text.len()];
    for (i, _) in lit.iter().enumerate().filter(|(_, on)| **on) {
        let hex = 10 + i * 3 + usize::from(i >= hexdump::ROW / 2);
        for c in [hex, hex + 1, ascii_col + i] {
            if let Some(s) = styles.get_mut(c) {
                *s = hit_style();
            }
        }
    }
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut current = Style::new();
    for (c, style) in text.chars().zip(styles) {
        if style != current && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), current));
        }
        current = style;
        run.push(c);
    }
    spans.push(Span::styled(run, current));
    Line::from(spans)
}

fn note(i: &Inspector) -> Line<'static> {
    let text = match i.kind {
        EntryKind::Info | EntryKind::Error => {
            "sockpit's own note: no bytes crossed the socket for this entry".to_string()
        }
        _ if i.packets.is_empty() && i.missing == 0 => "no call is recorded for this entry".into(),
        _ => format!(
            "{} call(s) behind this entry were dropped by the --history / --history-bytes caps",
            i.missing
        ),
    };
    Line::styled(text, theme::dim())
}

/// Row `index` of the inspector as a line.
fn line(app: &App, i: &Inspector, row: Row) -> Line<'static> {
    let needle = app.search.needle.as_deref();
    match row {
        Row::Header { call, line } => header(app, &i.packets[call], call, i.packets.len(), line),
        Row::Hex { call, row } => hex_line(&i.packets[call].data, row, needle),
        Row::Text { call, row, start, end } => {
            let label = if row == 0 { "   text  " } else { "         " };
            let mut spans = vec![Span::styled(label, theme::dim())];
            let data = &i.packets[call].data[start..end];
            if data.is_empty() {
                spans.push(Span::styled("(no bytes)", theme::dim()));
            }
            spans.extend(safe_spans(data, Style::new()));
            Line::from(spans)
        }
        Row::Gap => Line::raw(""),
        Row::Note => note(i),
    }
}

impl Widget for InspectorPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let i = self.inspector;
        Clear.render(area, buf);
        let title = clip(&title(self.app, i), usize::from(area.width.saturating_sub(2)));
        let block = Block::bordered().title(title).border_style(theme::border(true));
        let inner = block.inner(area);
        block.render(area, buf);
        let height = usize::from(inner.height);
        let top = i.top.min(i.row_count().saturating_sub(height));
        let lines: Vec<Line<'static>> =
            (top..top + height).map_while(|n| i.row(n)).map(|row| line(self.app, i, row)).collect();
        Paragraph::new(lines).render(inner, buf);
    }
}
