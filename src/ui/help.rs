//! The help overlay, rendered from the keymap table itself.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::text::clip;
use super::theme;
use crate::app::keymap::help_rows;

/// Every key, in one or two columns.
pub struct HelpOverlay;

const KEY_COL: usize = 14;

fn lines(rows: &[(String, String, &'static str)], width: usize) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    rows.iter()
        .map(|(key, focus, help)| {
            let what = clip(&format!("{help} ({focus})"), width.saturating_sub(KEY_COL));
            Line::from(vec![Span::styled(format!("{key:<KEY_COL$}"), bold), Span::raw(what)])
        })
        .collect()
}

impl Widget for HelpOverlay {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rows = help_rows();
        let two = area.width >= 70;
        let per_col = if two { rows.len().div_ceil(2) } else { rows.len() };
        let want_w = if two { 120 } else { 60 };
        let w = area.width.min(want_w);
        let h = area.height.min(u16::try_from(per_col + 3).unwrap_or(u16::MAX));
        let x = area.x + (area.width - w) / 2;
        let y = area.y + (area.height - h) / 2;
        let popup = Rect::new(x, y, w, h);
        Clear.render(popup, buf);
        let block = Block::bordered()
            .title("Keys (Esc closes; typed text is never a command; //text sends /text)")
            .border_style(theme::border(true));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let [body, foot] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
        let footer = "commands: /close  /shutdown   mouse: wheel scrolls, click selects";
        Paragraph::new(Line::styled(footer, theme::dim())).render(foot, buf);
        let cut = usize::from(body.height).min(per_col);
        if two {
            let [left, right] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(body);
            let (a, b) = rows.split_at(per_col.min(rows.len()));
            Paragraph::new(lines(&a[..cut.min(a.len())], usize::from(left.width)))
                .render(left, buf);
            Paragraph::new(lines(&b[..cut.min(b.len())], usize::from(right.width)))
                .render(right, buf);
        } else {
            Paragraph::new(lines(&rows[..cut], usize::from(body.width))).render(body, buf);
        }
    }
}
