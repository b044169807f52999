//! The Wire pane: the end's captured segments as a ladder (RFC 9293 Fig. 6,
//! Wireshark's Flow Graph). Two lifelines, this end on the left and the
//! peer on the right, each row one segment with the time since the row
//! before, its arrow and label, and both sides' TCP state after it; SYN
//! options on a line of their own; retransmissions, duplicate ACKs, zero
//! windows and resets marked. A selected row splits the pane: below the
//! ladder, the frame's decoded headers, the call that caused it, and its
//! bytes in hex. Without a capture the pane says why and what to do.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::text::{clip, render_lines, safe_spans, width};
use super::theme;
use crate::app::end::EndState;
use crate::app::lifecycle::What;
use crate::app::wire::{Row, Status, Wire};
use crate::net::{Dir, TcpState};
use crate::wire::describe;

/// Columns of a state beside its lifeline.
const STATE: usize = 11;
/// Columns of the Δt column.
const DELTA: usize = 9;

/// The Wire pane of one end.
pub struct WirePane<'a> {
    pub end: &'a EndState,
    pub focused: bool,
}

/// `+0.000045`: seconds since the row before, to the microsecond.
fn delta(micros: u64) -> String {
    if micros >= 100_000_000 {
        format!("+{}s", micros / 1_000_000)
    } else {
        format!("+{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }
}

fn state(s: Option<TcpState>) -> &'static str {
    s.map_or("?", TcpState::name)
}

fn style(row: &Row) -> Style {
    let m = row.marks;
    if m.reset {
        theme::error()
    } else if m.retransmission || m.zero_window {
        Style::new().fg(Color::Yellow)
    } else if m.dup_ack {
        Style::new().fg(Color::Magenta)
    } else if row.seg.dir == Dir::Sent {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new()
    }
}

/// The markers of a row, in words.
fn marks(row: &Row) -> String {
    let m = row.marks;
    let mut out = Vec::new();
    if m.retransmission {
        out.push("RETRANSMISSION");
    }
    if m.dup_ack {
        out.push("DUP ACK");
    }
    if m.zero_window {
        out.push("ZERO WINDOW");
    }
    if m.reset {
        out.push("RESET");
    }
    out.join(" ")
}

/// An arrow across `cols` columns carrying `text`: `──SYN──▶` or `◀──SYN──`.
fn arrow(text: &str, cols: usize, dir: Dir) -> String {
    let text = clip(text, cols.saturating_sub(4));
    let room = cols.saturating_sub(width(&text) + 3);
    let (left, right) = (1, room.saturating_sub(1));
    match dir {
        Dir::Sent => format!("{}{text}{}▶", "─".repeat(left + 1), "─".repeat(right + 1)),
        Dir::Received => format!("◀{}{text}{}", "─".repeat(right + 1), "─".repeat(left + 1)),
    }
}

/// Columns of the call column, on panes wide enough for it.
const CALL: usize = 12;
/// Panes this wide show each row's call at the right.
const WIDE: usize = 96;

/// The call that caused a row, as the call column names it: `connect()`.
fn call_of(end: &EndState, row: &Row) -> String {
    let line = row.cause.and_then(|seq| end.lifecycle.get(seq));
    match line.map(|l| &l.what) {
        Some(What::Call(rec)) => format!("{}()", rec.call.name()),
        _ => String::new(),
    }
}

/// The lines of one row: the arrow, then (SYN options, markers) below it.
fn row_lines(end: &EndState, row: &Row, cols: usize, selected: bool) -> Vec<Line<'static>> {
    let absolute = end.wire.absolute;
    let mut st = style(row);
    if selected {
        st = st.add_modifier(Modifier::REVERSED);
    }
    let call_w = if cols >= WIDE { CALL } else { 0 };
    let middle = cols.saturating_sub(DELTA + 2 * STATE + 4 + call_w);
    let states = row.states != (None, None);
    let (ours, theirs) = if states {
        (state(row.states.0).to_string(), state(row.states.1).to_string())
    } else {
        (String::new(), String::new())
    };
    let label = describe::label(&row.seg, absolute);
    let mut lines = vec![Line::from(vec![
        Span::styled(format!("{:>DELTA$} ", delta(row.delta)), theme::dim()),
        Span::raw(format!("{ours:>STATE$}")),
        Span::raw("│"),
        Span::styled(arrow(&label, middle, row.seg.dir), st),
        Span::raw("│"),
        Span::raw(format!("{theirs:<STATE$} ")),
    ])];
    if call_w > 0 {
        let call = clip(&call_of(end, row), CALL);
        lines[0].spans.push(Span::styled(call, Style::new().fg(Color::Cyan)));
    }
    let mut extra = describe::syn_options(&row.seg);
    let m = marks(row);
    if !m.is_empty() {
        extra = if extra.is_empty() { m } else { format!("{extra}  {m}") };
    }
    if !extra.is_empty() {
        let pad = " ".repeat(DELTA + 1 + STATE);
        let text = format!("{:^middle$}", clip(&extra, middle));
        lines.push(Line::from(vec![
            Span::raw(pad),
            Span::raw("│"),
            Span::styled(text, st),
            Span::raw("│"),
        ]));
    }
    lines
}

/// The rows to draw in `height` lines: the newest (or the selection) last.
fn visible(end: &EndState, cols: usize, height: usize) -> Vec<Line<'static>> {
    let wire = &end.wire;
    // Following: the newest row last; on a selection, it sits mid-pane.
    let newest = wire.end_number().saturating_sub(1);
    let last = wire.selected.map_or(newest, |sel| newest.min(sel + height as u64 / 2).max(sel));
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut n = last;
    while n > wire.first && out.len() < height {
        if let Some(row) = wire.get(n) {
            let mut lines = row_lines(end, row, cols, wire.selected == Some(n));
            lines.append(&mut out);
            out = lines;
        }
        n -= 1;
    }
    let cut = out.len().saturating_sub(height);
    out.split_off(cut)
}

/// The lifelines' heads: this end and the peer, with their addresses.
fn heads(wire: &Wire, cols: usize) -> Line<'static> {
    let (ours, theirs) = wire.rows.back().map_or_else(
        || ("this end".to_string(), "peer".to_string()),
        |r| {
            let (l, p) = r.ends();
            (format!("this end {l}"), format!("peer {p}"))
        },
    );
    let left = format!("{:>w$}", ours, w = DELTA + 1 + STATE);
    let gap = cols.saturating_sub(width(&left) + width(&theirs) + 1);
    Line::from(vec![
        Span::styled(left, Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(" ".repeat(gap)),
        Span::styled(theirs, Style::new().add_modifier(Modifier::BOLD)),
    ])
}

/// What the pane says when nothing is captured.
fn status_text(end: &EndState) -> Vec<Line<'static>> {
    match &end.wire.status {
        Status::Unavailable(why) => vec![
            Line::styled("The wire cannot be captured here:", theme::error()),
            Line::from(safe_spans(why.as_bytes(), Style::new())),
            Line::raw(""),
            Line::raw("To see the segments: sudo setcap cap_net_raw+ep $(which sockpit)"),
            Line::raw("and start sockpit again, or run `sockpit demo` (its own network"),
            Line::raw("namespace). Everything else works as usual without it."),
        ],
        Status::Off if end.role.is_unix() => {
            vec![Line::raw("Unix sockets put nothing on a wire: no segments to show.")]
        }
        Status::Off => vec![Line::raw("No capture yet: it opens when this end starts.")],
        Status::Live { .. } => vec![Line::raw("Capturing: no segment yet.")],
    }
}

/// The selected row's details: headers, its call, its bytes.
fn details(end: &EndState, row: &Row, cols: usize, height: usize) -> Vec<Line<'static>> {
    let dir = if row.seg.dir == Dir::Sent { "sent" } else { "received" };
    let size = row.seg.raw.as_ref().map_or_else(String::new, |r| {
        format!(", {} B on the wire, {} B captured", r.wire_len, r.bytes.len())
    });
    let mut lines = vec![Line::styled(
        format!("frame {} {dir}{size}", row.number),
        Style::new().add_modifier(Modifier::BOLD),
    )];
    let cause = row.cause.and_then(|seq| end.lifecycle.get(seq));
    let call = match (cause, row.want) {
        (Some(line), _) => format!("caused by {}", super::lifecycle::line_text(line)),
        (None, crate::app::wire::link::Want::Nothing) if row.seg.dir == Dir::Received => {
            "sent by the peer".to_string()
        }
        (None, _) => "sent by the kernel on its own (no call)".to_string(),
    };
    lines.push(Line::from(safe_spans(clip(&call, cols).as_bytes(), Style::new().fg(Color::Cyan))));
    lines.extend(describe::headers(&row.seg).into_iter().map(|h| Line::raw(clip(&h, cols))));
    if let Some(raw) = &row.seg.raw {
        let room = height.saturating_sub(lines.len());
        lines.extend(
            crate::hexdump::rows(&raw.bytes, 0, room)
                .into_iter()
                .map(|r| Line::styled(r, theme::dim())),
        );
    }
    lines
}

impl Widget for WirePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let wire = &self.end.wire;
        let mut title = format!("Wire ({} segments", wire.end_number() - 1);
        if let Status::Live { link } = wire.status {
            title.push_str(&format!(" on {link}"));
        }
        title.push(')');
        if wire.absolute {
            title.push_str(" · absolute seq");
        }
        if wire.selected.is_some() {
            title.push_str(" · Esc follows");
        }
        let block = Block::bordered().title(title).border_style(theme::border(self.focused));
        let inner = block.inner(area);
        block.render(area, buf);
        if wire.rows.is_empty() {
            Paragraph::new(status_text(self.end)).wrap(Wrap { trim: false }).render(inner, buf);
            return;
        }
        let selected = wire.selected.and_then(|n| wire.get(n));
        let detail_h = if selected.is_some() { (inner.height / 2).max(4) } else { 0 };
        let [head, ladder, about] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(detail_h),
        ])
        .areas(inner);
        let cols = usize::from(inner.width);
        render_lines(&[heads(wire, cols)], head, buf);
        let lines = visible(self.end, cols, usize::from(ladder.height));
        render_lines(&lines, ladder, buf);
        if let Some(row) = selected {
            let lines = details(self.end, row, cols, usize::from(about.height));
            render_lines(&lines, about, buf);
        }
    }
}
