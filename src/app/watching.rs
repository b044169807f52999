//! Which sockets the engine samples for the TUI (`Command::Watch`): every
//! one while the session is small, else only those whose figures can be on
//! screen — the listeners, the socket the panel details, and the rows within
//! a screen's height of the selected one. A crowd of 10,000 connections
//! nobody looks at then costs no sampling at all.

use super::App;
use super::end::EndState;
use crate::net::sample::CROWD;
use crate::net::{Kind, SockId};

impl EndState {
    /// The sockets to sample, sorted: `None` (all of them) while the session
    /// has at most [`CROWD`] sockets, else the listeners, the detailed
    /// socket and the list's rows within `reach` rows of the selected one.
    #[must_use]
    pub fn watch_set(&self, reach: usize) -> Option<Vec<SockId>> {
        if self.sockets.all.len() <= CROWD {
            return None;
        }
        let mut ids: Vec<SockId> = Vec::with_capacity(2 * reach + 4);
        if self.has_list() && self.kind != Kind::Dgram {
            ids.extend_from_slice(self.targets.listeners());
            let selected = self.selected_row().unwrap_or(0);
            let first = selected.saturating_sub(reach);
            ids.extend((first..=selected.saturating_add(reach)).map_while(|i| self.row_sock(i)));
        }
        ids.extend(self.detailed().map(|s| s.id));
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }
}

impl App {
    /// Each end's [`EndState::watch_set`], a screen's height either side of
    /// the selection.
    #[must_use]
    pub fn watch_sets(&self) -> Vec<Option<Vec<SockId>>> {
        self.ends.iter().map(|end| end.watch_set(usize::from(self.rows))).collect()
    }
}
