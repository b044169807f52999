//! The Lifecycle pane: each call as Python with its result, newest at the
//! bottom; failed calls in red.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::text::{clip, safe_spans};
use super::theme;
use crate::app::Clock;
use crate::app::lifecycle::Lifecycle;

/// The calls of one end.
pub struct LifecyclePane<'a> {
    pub lifecycle: &'a Lifecycle,
    pub clock: &'a Clock,
    pub focused: bool,
}

impl Widget for LifecyclePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = &self.lifecycle.lines;
        let mut title = format!("Lifecycle ({} calls)", lines.len());
        if self.lifecycle.scroll > 0 {
            title.push_str(" (scrolled: End follows)");
        }
        let block = Block::bordered().title(title).border_style(theme::border(self.focused));
        let inner = block.inner(area);
        block.render(area, buf);
        let h = usize::from(inner.height);
        let end = lines.len().saturating_sub(self.lifecycle.scroll);
        let start = end.saturating_sub(h);
        let shown: Vec<Line<'static>> = lines
            .range(start..end)
            .map(|l| {
                let style = if l.failed { theme::error() } else { Style::new() };
                let time = Span::styled(format!("{} ", self.clock.hms(l.at)), theme::dim());
                let text = clip(&l.text, usize::from(inner.width).saturating_sub(9));
                let mut spans = vec![time];
                spans.extend(safe_spans(text.as_bytes(), style));
                Line::from(spans)
            })
            .collect();
        Paragraph::new(shown).render(inner, buf);
    }
}
