//! The Socket pane's list: a TCP server's listener and connections (closed
//! ones kept, dimmed, with their last figures) or a UDP server's peers, two
//! lines each; the selected row (`▸`) is where the input goes and the
//! socket the panel details below it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::text::clip;
use super::theme;
use crate::app::EndState;
use crate::app::targets::Row;
use crate::net::{Kind, Micros};

/// Lines of the list (header, two per row, the rule below), at most half
/// the pane so the selected socket's own rows stay in view.
#[must_use]
pub fn height(end: &EndState, inner: Rect) -> u16 {
    if !end.has_list() {
        return 0;
    }
    let rows = u16::try_from(end.row_count()).unwrap_or(u16::MAX);
    let most = (inner.height / 2).max(4);
    rows.saturating_mul(2).saturating_add(2).min(most).min(inner.height)
}

/// The first row shown, so the selected one is in view.
fn first_shown(end: &EndState, lines: u16) -> usize {
    let fit = usize::from(lines.saturating_sub(2) / 2).max(1);
    end.selected_row().map_or(0, |sel| (sel + 1).saturating_sub(fit))
}

/// The row drawn at screen row `y` of the pane's inner area, for a click.
#[must_use]
pub fn row_at(end: &EndState, inner: Rect, y: u16) -> Option<usize> {
    let lines = height(end, inner);
    let line = y.checked_sub(inner.y)?;
    if line == 0 || line + 1 >= lines {
        return None;
    }
    let i = first_shown(end, lines) + usize::from((line - 1) / 2);
    (i < end.row_count()).then_some(i)
}

/// A byte count in at most five characters: `812 B`, `64 K`, `3 M`.
fn bytes(n: u64) -> String {
    match n {
        0..10_000 => format!("{n} B"),
        10_000..10_000_000 => format!("{} K", n / 1024),
        _ => format!("{} M", n / (1024 * 1024)),
    }
}

/// An age in at most four characters: `42s`, `17m`, `3h`.
#[must_use]
pub fn age(us: Micros) -> String {
    let s = us / 1_000_000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

/// The two lines of one row.
fn row_lines(end: &EndState, row: Row, now: Micros) -> (String, String, bool) {
    match row {
        Row::Sock(id) => {
            let Some(s) = end.sockets.all.get(&id) else {
                return (format!("{id} ?"), String::new(), true);
            };
            let age = end.targets.age(id, now).map_or_else(|| "-".into(), age);
            let state = s.state.label(s.kind);
            if s.listener {
                // Said in words: a listener is no connection of the list.
                let on = s.local.clone().map_or_else(|| "not bound yet".into(), |a| a.to_string());
                let (_, live) = end.connection_counts();
                let top = format!("{id} listener {on}");
                return (top, format!("{state}  {live} live  age {age}"), false);
            }
            let peer = s.peer.clone().map_or_else(|| "-".into(), |a| a.to_string());
            // CLOSED or FAILED, dimmed: the figures are the last ones.
            let gone = !s.state.live();
            let figures = format!(
                "↑{}/{} ↓{}/{} age {age}",
                s.calls_sent,
                bytes(s.bytes_sent),
                s.calls_received,
                bytes(s.bytes_received)
            );
            // A relay's legs name their pair: `2 client ⇄3`, `3 server ⇄2`.
            let leg = end.relay.as_ref().and_then(|r| {
                let pair = r.pair_of(id)?;
                let server = r.pairs.get(&pair)?.server;
                Some(if pair == id {
                    format!("client ⇄{server} ")
                } else {
                    format!("server ⇄{pair} ")
                })
            });
            (format!("{id} {}{peer} {state}", leg.unwrap_or_default()), figures, gone)
        }
        Row::Peer(addr) => {
            let Some(p) = end.targets.peer(&addr) else {
                return (addr.to_string(), String::new(), true);
            };
            let last = age(now.saturating_sub(p.last));
            let first = age(now.saturating_sub(p.first));
            let figures = format!(
                "↓{}/{} ↑{}/{} first {first}",
                p.dgrams_in,
                bytes(p.bytes_in),
                p.dgrams_out,
                bytes(p.bytes_out)
            );
            (format!("{addr} last {last} ago"), figures, false)
        }
    }
}

/// The list of one end, drawn at the top of its Socket pane.
pub struct SocketList<'a> {
    pub end: &'a EndState,
    pub now: Micros,
    /// The pane has the keyboard: the selected row is shown reversed.
    pub focused: bool,
}

impl Widget for SocketList<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let end = self.end;
        let width = usize::from(area.width);
        // Counts and rows from the end's list index: a frame costs the rows
        // in view, not the 10,000 connections behind them.
        let header = if end.kind == Kind::Dgram {
            format!("peers {}  ↓↑ datagrams/bytes", end.row_count())
        } else {
            let (conns, live) = end.connection_counts();
            let noun = if conns == 1 { "conn" } else { "conns" };
            format!("{conns} {noun}, {live} live  ↑↓ calls/bytes")
        };
        let mut lines = vec![Line::styled(clip(&header, width), theme::dim())];
        let selected = end.selected_row();
        let fit = usize::from(area.height.saturating_sub(2) / 2);
        let first = first_shown(end, area.height);
        for i in first..first.saturating_add(fit) {
            let Some(row) = end.row(i) else { break };
            let (top, figures, gone) = row_lines(end, row, self.now);
            let chosen = selected == Some(i);
            let mut style = if gone { theme::dim() } else { Style::new() };
            if chosen {
                style = style.add_modifier(Modifier::BOLD);
                if self.focused {
                    style = style.add_modifier(Modifier::REVERSED);
                }
            }
            let mark = if chosen { "▸ " } else { "  " };
            lines.push(Line::styled(clip(&format!("{mark}{top}"), width), style));
            lines.push(Line::styled(clip(&format!("    {figures}"), width), style));
        }
        // The rule names the socket detailed below it.
        let rule = end.detailed().map_or_else(|| "── ".into(), |s| format!("── sock {} ", s.id));
        let rule = format!("{rule}{}", "─".repeat(width.saturating_sub(super::text::width(&rule))));
        lines.push(Line::styled(rule, theme::dim()));
        super::text::render_lines(&lines, area, buf);
    }
}
