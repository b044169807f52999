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

/// Headings and key rows, in table order; then step mode's calls, from
/// the one list Tab completion and usage messages read.
fn all_lines(width: usize) -> Vec<Line<'static>> {
    let heading = theme::heading();
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    for (focus, title) in SECTIONS {
        out.push(Line::styled(title, heading));
        for (key, help) in section(focus) {
            let what = clip(help, width.saturating_sub(KEY_COL + 1));
            out.push(Line::from(vec![
                Span::styled(format!("{key:<KEY_COL$}"), bold),
                Span::raw(what),
            ]));
        }
    }
    out.push(Line::styled("Step mode calls (F7; F8 suggests)", heading));
    for (name, args) in crate::app::step::COMMANDS {
        let args = clip(args, width.saturating_sub(KEY_COL + 1));
        out.push(Line::from(vec![
            Span::styled(format!("{:<KEY_COL$}", format!("/{name}")), bold),
            Span::raw(args),
        ]));
    }
    out
}

impl Widget for HelpOverlay {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let two = area.width >= 70;
        let w = area.width.min(if two { 100 } else { 50 });
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
        let footer = "/close /shutdown /all TEXT  //x sends /x  wheel scrolls, click selects";
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
