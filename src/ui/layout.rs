//! Where each pane goes for a terminal size. Drawing and mouse hit-testing
//! both use this one function, so a click lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Position, Rect};

use crate::app::{App, Pane};

/// Screen columns from which the demo shows both ends side by side.
pub const SIDE_BY_SIDE: u16 = 160;

/// The panes of one end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndAreas {
    pub end: usize,
    pub history: Rect,
    pub lifecycle: Rect,
    pub socket: Rect,
    /// The Wire pane (Alt-W): where the history and socket panel were;
    /// empty when hidden, and then they are empty instead.
    pub wire: Rect,
}

/// Every pane's rectangle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub ends: Vec<EndAreas>,
    pub input: Rect,
    pub status: Rect,
    /// The Lesson pane (`sockpit learn`), across the top; empty otherwise.
    pub lesson: Rect,
}

fn socket_width(width: u16) -> u16 {
    34.min(width / 3)
}

fn lifecycle_height(height: u16) -> u16 {
    (height / 3).clamp(3, 14)
}

/// One end alone, as in the layout of docs/architecture.md: history, lifecycle and input
/// on the left, the socket panel on the right.
fn single(area: Rect, end: usize, wire: bool) -> (EndAreas, Rect) {
    if wire {
        // The ladder needs the whole width (two lifelines, states, labels);
        // the lifecycle stays, to show each segment's call.
        let [top, lifecycle, input] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(lifecycle_height(area.height)),
            Constraint::Length(3),
        ])
        .areas(area);
        let none = Rect::default();
        return (EndAreas { end, history: none, lifecycle, socket: none, wire: top }, input);
    }
    let [left, socket] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(socket_width(area.width))])
            .areas(area);
    let [history, lifecycle, input] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(lifecycle_height(area.height)),
        Constraint::Length(3),
    ])
    .areas(left);
    (EndAreas { end, history, lifecycle, socket, wire: Rect::default() }, input)
}

/// One end's column beside the other's: history and socket panel on top,
/// the lifecycle across the column (its Python lines are long).
fn column(area: Rect, end: usize, wire: bool) -> EndAreas {
    let [top, lifecycle] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(lifecycle_height(area.height))])
            .areas(area);
    if wire {
        let none = Rect::default();
        return EndAreas { end, history: none, lifecycle, socket: none, wire: top };
    }
    let [history, socket] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(socket_width(top.width))])
            .areas(top);
    EndAreas { end, history, lifecycle, socket, wire: Rect::default() }
}

/// The layout for `area`: both demo ends side by side when wide enough,
/// else the active end alone (F2 switches).
#[must_use]
pub fn areas(area: Rect, app: &App) -> Areas {
    let [body, status] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let (lesson, body) = if let Some(lesson) = &app.lesson {
        let rows = super::lesson::height(body.height, lesson);
        let [lesson, rest] =
            Layout::vertical([Constraint::Length(rows), Constraint::Fill(1)]).areas(body);
        (lesson, rest)
    } else {
        (Rect::default(), body)
    };
    if app.ends.len() > 1 && area.width >= SIDE_BY_SIDE {
        let [top, input] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(3)]).areas(body);
        let columns = Layout::horizontal(vec![Constraint::Fill(1); app.ends.len()]).split(top);
        let ends = columns.iter().enumerate().map(|(i, c)| column(*c, i, app.wire_view)).collect();
        return Areas { ends, input, status, lesson };
    }
    let active = app.active.min(app.ends.len().saturating_sub(1));
    let (end, input) = single(body, active, app.wire_view);
    Areas { ends: vec![end], input, status, lesson }
}

/// The pane at a screen position.
#[must_use]
pub fn pane_at(areas: &Areas, pos: Position) -> Option<Pane> {
    if areas.input.contains(pos) {
        return Some(Pane::Input);
    }
    areas.ends.iter().find_map(|e| {
        if e.history.contains(pos) {
            Some(Pane::History(e.end))
        } else if e.lifecycle.contains(pos) {
            Some(Pane::Lifecycle(e.end))
        } else if e.socket.contains(pos) {
            Some(Pane::Socket(e.end))
        } else if e.wire.contains(pos) {
            Some(Pane::Wire(e.end))
        } else {
            None
        }
    })
}
