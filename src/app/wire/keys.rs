//! The Wire pane's keys: Alt-W shows it (in place of the history and the
//! socket panel), and while it has the keyboard Up/Down/Home/End select a
//! segment (the Lifecycle pane then selects the call that caused it), Esc
//! goes back to following, `a` toggles relative/absolute numbers.

use crate::app::keymap::{Action, Focus};
use crate::app::{App, Effect};

impl App {
    /// Takes the Wire pane's actions; `None` leaves the action to others.
    pub(in crate::app) fn wire_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        let page = i64::from(self.page);
        match action {
            Action::ToggleWire => {
                self.wire_view = !self.wire_view;
                self.focus = if self.wire_view { Focus::Wire } else { Focus::Input };
                return Some(Vec::new());
            }
            _ if self.focus != Focus::Wire => return None,
            Action::ToggleAbsolute => {
                let wire = &mut self.end_mut().wire;
                wire.absolute = !wire.absolute;
            }
            Action::Up => self.end_mut().wire.move_selection(-1),
            Action::Down => self.end_mut().wire.move_selection(1),
            Action::PageUp => self.end_mut().wire.move_selection(-page),
            Action::PageDown => self.end_mut().wire.move_selection(page),
            Action::Top => self.end_mut().wire.home(),
            Action::Bottom | Action::CloseOverlay => {
                self.end_mut().wire.end();
                self.end_mut().lifecycle.unselect();
                return Some(Vec::new());
            }
            _ => return None,
        }
        // The selected segment's call is selected in the Lifecycle pane,
        // which explains it.
        let end = self.end_mut();
        let cause = end.wire.selected.and_then(|n| end.wire.get(n)).and_then(|r| r.cause);
        match cause {
            Some(seq) => end.lifecycle.selected = Some(seq),
            None => end.lifecycle.unselect(),
        }
        Some(Vec::new())
    }
}
