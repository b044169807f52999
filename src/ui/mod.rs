//! Drawing, only from `&App`: one file per pane, each an `impl Widget`.
//! `Screen` puts them together; [`draw`] adds the cursor; `hit` maps a
//! mouse position back to what is drawn there.

pub(crate) mod figures;
pub(crate) mod help;
pub(crate) mod history;
pub(crate) mod input;
pub(crate) mod inspector;
pub(crate) mod layout;
pub(crate) mod lesson;
pub(crate) mod lifecycle;
pub(crate) mod socket_list;
pub(crate) mod socket_panel;
pub(crate) mod status;
pub(crate) mod text;
pub(crate) mod theme;
pub(crate) mod tls_panel;
pub(crate) mod wire;

pub use figures::{InspectView, bytes};
pub use lifecycle::{LifecyclePane, explanation, line_text};
pub use socket_panel::SocketPanel;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Widget};

use crate::app::{App, Focus, Pane};

/// The whole screen.
pub(crate) struct Screen<'a>(pub &'a App);

impl Widget for Screen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.0;
        let _theme = theme::scoped(app.theme);
        let areas = layout::areas(area, app);
        let both = areas.ends.len() > 1;
        for e in &areas.ends {
            let end = &app.ends[e.end];
            let active = e.end == app.active;
            let marker = if both && active { " ◀ input" } else { "" };
            let mut title = if app.ends.len() > 1 {
                format!("History: {}{marker}", end.name())
            } else {
                "History".to_string()
            };
            if end.tls.any() {
                // Under TLS the lines are what the application sent, not the wire.
                title.push_str(" · TLS plaintext");
            }
            if e.history.area() > 0 {
                history::HistoryPane {
                    history: &end.history,
                    clock: &app.clock,
                    title,
                    focused: active && app.focus == Focus::History,
                    look: history::Look::of(app, e.end),
                }
                .render(e.history, buf);
            }
            // The explanation follows the keyboard: it is the selected
            // line's, shown while the Lifecycle pane has the focus.
            let focused = active && app.focus == Focus::Lifecycle;
            lifecycle::LifecyclePane {
                end,
                clock: &app.clock,
                focused,
                explanation: if focused { lifecycle::explanation(end, app.lang) } else { None },
            }
            .render(e.lifecycle, buf);
            if e.wire.area() > 0 {
                let focused = active && app.focus == Focus::Wire;
                wire::WirePane { end, focused }.render(e.wire, buf);
                continue;
            }
            let title = format!("Socket: {}", end.name());
            let (now, focused) = (app.clock.now(), active && app.focus == Focus::Socket);
            socket_panel::SocketPanel { end, title, now, focused }.render(e.socket, buf);
        }
        if areas.lesson.area() > 0 {
            lesson::LessonPane { app }.render(areas.lesson, buf);
        }
        input::InputPane { app }.render(areas.input, buf);
        status::StatusBar { app }.render(areas.status, buf);
        if let Some(i) = &app.inspector {
            let pane = inspector::InspectorPane { app, inspector: i };
            pane.render(inspector::area(area, areas.input), buf);
        }
        if app.help {
            help::HelpOverlay { top: app.help_top }.render(area, buf);
        }
    }
}

/// Draws one frame and places the cursor in the input when it has the
/// keyboard.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    frame.render_widget(Screen(app), area);
    if app.focus == Focus::Input && !app.help {
        let areas = layout::areas(area, app);
        if let Some(pos) = input::cursor(app, areas.input) {
            frame.set_cursor_position(pos);
        }
    }
}

/// What a mouse position points at: the pane, and in a history pane the
/// entry drawn on that row.
#[must_use]
pub(crate) fn hit(area: Rect, app: &App, col: u16, row: u16) -> Option<(Pane, Option<u64>)> {
    let areas = layout::areas(area, app);
    let pos = Position::new(col, row);
    let pane = layout::pane_at(&areas, pos)?;
    if let Pane::Socket(end) = pane {
        let rect = areas.ends.iter().find(|e| e.end == end)?.socket;
        let inner = Block::bordered().inner(rect);
        let row = socket_list::row_at(&app.ends[end], inner, row);
        return Some((pane, row.map(|r| r as u64)));
    }
    let Pane::History(end) = pane else { return Some((pane, None)) };
    let rect = areas.ends.iter().find(|e| e.end == end)?.history;
    let inner = Block::bordered().inner(rect);
    if !inner.contains(pos) {
        return Some((pane, None));
    }
    let look = history::Look::of(app, end);
    let history = &app.ends[end].history;
    let rows = history::visible_rows(history, &app.clock, &look, inner.width, inner.height);
    let seq = rows.get(usize::from(row - inner.y)).and_then(|r| r.seq);
    Some((pane, seq))
}
