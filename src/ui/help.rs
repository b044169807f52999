//! The help overlay, rendered from the keymap table itself, one section per
//! focus, in two columns when there is room.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::text::clip;
use super::theme;
use crate::app::keymap::{SECTIONS, section};

/// Every key, by where it works; scrolled to row `top` when the keys do
/// not fit the screen.
pub struct HelpOverlay {
    pub top: usize,
}

const KEY_COL: usize = 14;

/// One help row: the key (or command) in bold, what it does wrapped in the
/// room left, continuation rows indented under it.
fn entry(key: &str, help: &str, width: usize, out: &mut Vec<Line<'static>>) {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let key_w = key.chars().count();
    // A long command's syntax takes its own row; the help goes below it.
    // One blank column keeps the two help columns apart.
    let room = width.saturating_sub(KEY_COL + 1).max(8);
    let mut rows = words(help, room).into_iter();
    let first = if key_w >= KEY_COL { String::new() } else { rows.next().unwrap_or_default() };
    out.push(Line::from(vec![
        Span::styled(format!("{key:<KEY_COL$}"), bold),
        Span::raw(clip(&first, room)),
    ]));
    for row in rows {
        out.push(Line::raw(format!("{:KEY_COL$}{}", "", clip(&row, room))));
    }
}

/// `text` cut into rows of at most `room` columns at spaces (help text is
/// ASCII; a word longer than a row is clipped by the caller).
fn words(text: &str, room: usize) -> Vec<String> {
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in text.split(' ') {
        if !row.is_empty() && row.chars().count() + 1 + word.chars().count() > room {
            rows.push(std::mem::take(&mut row));
        }
        if !row.is_empty() {
            row.push(' ');
        }
        row.push_str(word);
    }
    if !row.is_empty() {
        rows.push(row);
    }
    rows
}

/// Headings and key rows, in table order; then every `/command`, grouped,
/// from the one table Tab completes from.
fn all_lines(width: usize) -> Vec<Line<'static>> {
    let heading = theme::heading();
    let mut out = Vec::new();
    for (focus, title) in SECTIONS {
        out.push(Line::styled(title, heading));
        for (key, help) in section(focus) {
            entry(key, help, width, &mut out);
        }
    }
    let commands = crate::app::input::commands::all();
    let mut group = None;
    for c in &commands {
        if group != Some(c.group) {
            group = Some(c.group);
            out.push(Line::styled(c.group.heading(), heading));
        }
        entry(&crate::app::input::commands::syntax(c), c.help, width, &mut out);
    }
    out.push(Line::styled("Input", heading));
    entry("//x", "sends /x: a line that starts with /", width, &mut out);
    out
}

impl Widget for HelpOverlay {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let two = area.width >= 70;
        let w = area.width.min(if two { 120 } else { 60 });
        let col_w = usize::from(if two { w.saturating_sub(2) / 2 } else { w.saturating_sub(2) });
        let lines = all_lines(col_w);
        let per_col = if two { lines.len().div_ceil(2) } else { lines.len() };
        let h = area.height.min(u16::try_from(per_col + 3).unwrap_or(u16::MAX));
        let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
        Clear.render(popup, buf);
        let fits = per_col + 3 <= usize::from(area.height);
        let title =
            if fits { "Keys: any key closes" } else { "Keys: any key closes (PgUp/PgDn scroll)" };
        let block = Block::bordered().title(title).border_style(theme::border(true));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let [body, foot] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        let footer = "PgUp/PgDn scroll  mouse: wheel scrolls, click selects  any other key closes";
        Paragraph::new(Line::styled(clip(footer, usize::from(foot.width)), theme::dim()))
            .render(foot, buf);
        // Both columns scroll together, never past their last screen.
        let top = self.top.min(per_col.saturating_sub(usize::from(body.height)));
        let top = u16::try_from(top).unwrap_or(u16::MAX);
        if two {
            let [left, right] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(body);
            let mut lines = lines;
            let second = lines.split_off(per_col.min(lines.len()));
            Paragraph::new(lines).scroll((top, 0)).render(left, buf);
            Paragraph::new(second).scroll((top, 0)).render(right, buf);
        } else {
            Paragraph::new(lines).scroll((top, 0)).render(body, buf);
        }
    }
}
