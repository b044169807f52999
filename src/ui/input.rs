//! The Input pane: the line being typed, scrolled so the cursor stays in
//! view; the cursor column comes from tui-input in display columns.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::theme;
use crate::app::App;

/// The title: a refused command's error, else where Enter will send.
fn title(app: &App, width: usize) -> ratatui::text::Line<'static> {
    if let Some(why) = &app.rejected {
        let text = format!("✗ {why} (typing replaces the command; ←/→ edit it)");
        return ratatui::text::Line::styled(super::text::clip(&text, width), theme::error());
    }
    ratatui::text::Line::raw(super::text::clip(&title_text(app, width), width))
}

/// Where Enter will send, or what Tab found.
fn title_text(app: &App, width: usize) -> String {
    if app.search.prompt {
        return "Search history (Enter: next hit, Esc: end; x:0d 0a finds bytes)".into();
    }
    let end = app.end();
    // A server sends to the list's selected row; a client to its peer.
    let to = end
        .target_label()
        .map(|t| format!(" {t}"))
        .or_else(|| end.sockets.current().and_then(|s| s.peer.clone()).map(|p| format!(" → {p}")));
    let mut title = format!("Input ({}{})", end.name(), to.unwrap_or_default());
    if !app.completions.is_empty() {
        // As many as fit; F1 lists every command with its syntax.
        let mut shown = String::from("Tab:");
        for (i, name) in app.completions.iter().enumerate() {
            let more = app.completions.len() - i;
            let rest = format!(" … {more} more (F1)");
            if shown.chars().count() + name.len() + 2 + rest.chars().count() > width && more > 1 {
                shown.push_str(&rest);
                break;
            }
            shown.push_str(&format!(" /{name}"));
        }
        title = shown;
    } else if let Some(call) = end.blocked_in() {
        title.push_str(&format!(" blocked in {call}(): Ctrl-C interrupts"));
    }
    title
}

/// The input line (a prompt, then the text).
pub struct InputPane<'a> {
    pub app: &'a App,
}

const PROMPT: &str = "> ";

impl Widget for InputPane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let focused = self.app.focus == crate::app::Focus::Input;
        let width = usize::from(area.width.saturating_sub(2));
        let block =
            Block::bordered().title(title(self.app, width)).border_style(theme::border(focused));
        let inner = block.inner(area);
        block.render(area, buf);
        let width = usize::from(inner.width).saturating_sub(PROMPT.len());
        let input = &self.app.input.input;
        let scroll = input.visual_scroll(width);
        // Typed text holds no control characters (the app keeps them out),
        // so it is drawn as is; skip whole characters up to the scroll.
        let mut col = 0;
        let shown: String = input
            .value()
            .chars()
            .skip_while(|c| {
                let w = unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                if col < scroll {
                    col += w;
                    true
                } else {
                    false
                }
            })
            .collect();
        if shown.is_empty() && self.app.end().step {
            // The placeholder: what F8 would do.
            let next = self.app.suggestion().shown();
            let line = ratatui::text::Line::from(vec![
                ratatui::text::Span::raw(PROMPT),
                ratatui::text::Span::styled(format!("F8: {next}"), theme::dim()),
            ]);
            Paragraph::new(line).render(inner, buf);
            return;
        }
        Paragraph::new(format!("{PROMPT}{shown}")).render(inner, buf);
    }
}

/// Where the terminal cursor goes when the input has the keyboard.
#[must_use]
pub fn cursor(app: &App, area: Rect) -> Option<Position> {
    let inner = Block::bordered().inner(area);
    if inner.width == 0 || inner.height == 0 {
        return None;
    }
    let width = usize::from(inner.width).saturating_sub(PROMPT.len());
    let input = &app.input.input;
    let col = PROMPT.len() + input.visual_cursor() - input.visual_scroll(width);
    let x = inner.x.saturating_add(u16::try_from(col).unwrap_or(u16::MAX));
    Some(Position::new(x.min(inner.right().saturating_sub(1)), inner.y))
}
