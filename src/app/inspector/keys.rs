//! The packet inspector's keys: Enter opens the inspector on the
//! selected entry, and while it is open the scrolling keys move it; Alt-V
//! cycles how the history shows bytes; F3 / n / N search; Alt-C / Alt-X
//! copy; F5 resends; F9 saves a pcapng. [`App::packet_action`] sees every
//! action first and takes the ones that are its own.

use tui_input::{Input, InputRequest};

use crate::app::history::EntryKind;
use crate::app::inspector::Inspector;
use crate::app::inspector::search::{self, Hit};
use crate::app::keymap::{Action, Focus};
use crate::app::{App, Effect};
use crate::payload;

/// How the history shows an entry's bytes (Alt-V cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Text,
    Hex,
    Both,
}

impl View {
    /// The next view in the cycle.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Text => Self::Hex,
            Self::Hex => Self::Both,
            Self::Both => Self::Text,
        }
    }

    /// How the status names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Hex => "hex",
            Self::Both => "text+hex",
        }
    }
}

/// Most bytes Alt-C / Alt-X put on the clipboard: OSC 52 travels through
/// the terminal, and terminals refuse (or choke on) much longer sequences.
pub const COPY_MAX: usize = 48 * 1024;

impl App {
    /// Takes the actions that belong to the inspector, search, copy and
    /// resend; `None` leaves the action to the general keys.
    pub(in crate::app) fn packet_action(&mut self, action: Action) -> Option<Vec<Effect>> {
        if self.inspector.is_some()
            && let Some(()) = self.scroll_inspector(action)
        {
            return Some(Vec::new());
        }
        let effects = match action {
            Action::Inspect => {
                self.inspect_selected();
                Vec::new()
            }
            Action::CloseOverlay if self.inspector.is_some() => {
                self.inspector = None;
                Vec::new()
            }
            Action::CloseOverlay if self.search.prompt || self.search.needle.is_some() => {
                self.end_search();
                Vec::new()
            }
            Action::Submit if self.search.prompt => {
                self.search_query();
                Vec::new()
            }
            Action::Search if self.search.prompt => {
                self.search_query();
                Vec::new()
            }
            Action::Search => {
                self.search.return_to.get_or_insert(self.focus);
                self.search.prompt = true;
                self.search.draft = self.input.value().to_string();
                self.input.input = Input::default();
                self.focus = Focus::Input;
                Vec::new()
            }
            Action::SearchNext | Action::SearchPrev => {
                self.search_step(action == Action::SearchNext);
                Vec::new()
            }
            Action::CycleView => {
                self.view = self.view.next();
                Vec::new()
            }
            Action::CopyText => self.copy(false),
            Action::CopyHex => self.copy(true),
            Action::Resend => self.resend(),
            Action::SavePcap => vec![Effect::SavePcap { end: self.active }],
            Action::ExportPy => vec![Effect::ExportPy { end: self.active }],
            _ => return None,
        };
        Some(effects)
    }

    /// Rows the inspector shows (the screen less the input, the status line
    /// and the borders).
    #[must_use]
    pub fn inspector_height(&self) -> usize {
        usize::from(self.rows.saturating_sub(6)).max(1)
    }

    fn scroll_inspector(&mut self, action: Action) -> Option<()> {
        let height = self.inspector_height();
        let page = isize::try_from(height.saturating_sub(1).max(1)).unwrap_or(1);
        let inspector = self.inspector.as_mut()?;
        match action {
            Action::Up | Action::RecallPrev => inspector.scroll(-1, height),
            Action::Down | Action::RecallNext => inspector.scroll(1, height),
            Action::PageUp => inspector.scroll(-page, height),
            Action::PageDown => inspector.scroll(page, height),
            Action::Top | Action::Edit(InputRequest::GoToStart) => inspector.home(),
            Action::Bottom | Action::Edit(InputRequest::GoToEnd) => inspector.end(height),
            _ => return None,
        }
        Some(())
    }

    /// Opens the inspector on the selected entry (the newest when none is).
    pub(in crate::app) fn inspect_selected(&mut self) {
        let active = self.active;
        let history = &self.end().history;
        let Some(seq) = history.selected.or_else(|| history.end_seq().checked_sub(1)) else {
            return;
        };
        self.inspect(active, seq);
    }

    /// Opens the inspector on entry `seq` of end `end`, scrolled to the
    /// search hit when there is one in it.
    pub fn inspect(&mut self, end: usize, seq: u64) {
        let Some(state) = self.ends.get_mut(end) else { return };
        state.history.select(seq);
        let Some(entry) = state.history.get(seq) else { return };
        let mut inspector = Inspector::open(end, seq, entry, &state.packets);
        if let Some(needle) = &self.search.needle {
            let first = inspector.packets.iter().enumerate().find_map(|(i, p)| {
                crate::hexdump::find(&p.data, needle, 0).map(|at| inspector.hex_row_index(i, at))
            });
            if let Some(row) = first {
                inspector.top = row.saturating_sub(2);
                inspector.scroll(0, self.inspector_height());
            }
        }
        self.inspector = Some(inspector);
    }

    fn end_search(&mut self) {
        if self.search.prompt {
            self.input.input = Input::new(std::mem::take(&mut self.search.draft));
        }
        if let Some(focus) = self.search.return_to {
            self.focus = focus;
        }
        self.search = search::Search::default();
    }

    /// Enter (or F3) in the search prompt: the query's next hit.
    fn search_query(&mut self) {
        match search::needle(self.input.value()) {
            Ok(needle) => {
                if self.search.needle.as_ref() != Some(&needle) {
                    self.search.hit = None;
                }
                self.search.needle = Some(needle);
                self.search_step(true);
            }
            Err(error) => self.refuse(error.to_string()),
        }
    }

    /// n / N: the next or previous hit, wrapping around.
    fn search_step(&mut self, forward: bool) {
        let Some(needle) = self.search.needle.clone() else {
            self.refuse("no search yet: F3 searches the history");
            return;
        };
        let end = self.active;
        let state = &self.ends[end];
        let from = self.search.hit.filter(|h| h.end == end).map(|h| h.seq);
        let from = from.or(if forward { None } else { state.history.selected });
        match search::find(&state.history, &state.packets, &needle, from, forward) {
            Some((seq, at)) => {
                let all = search::all(&state.history, &state.packets, &needle);
                let place = all.iter().position(|s| *s == seq).map_or(0, |i| i + 1);
                self.search.count = Some((place, all.len()));
                self.search.hit = Some(Hit { end, seq, at });
                self.ends[end].history.select(seq);
                if self.inspector.is_some() {
                    self.inspect(end, seq);
                }
            }
            None => {
                self.search.count = Some((0, 0));
                self.search.hit = None;
                let shown = crate::sanitize::visible(&needle);
                self.refuse(format!("no entry holds {shown} ({} B)", needle.len()));
            }
        }
    }

    /// The bytes Alt-C / Alt-X copy: the inspected calls when the inspector
    /// is open, else the selected entry's line.
    /// A line's bytes include the ending it was sent or received with when
    /// copied as hex; as text, the line is what was shown.
    fn selection(&self, hex: bool) -> Option<(Vec<u8>, EntryKind)> {
        if let Some(i) = &self.inspector {
            return Some((i.bytes(), i.kind));
        }
        let history = &self.end().history;
        let entry = history.get(history.selected?)?;
        Some((if hex { entry.bytes() } else { entry.text.clone() }, entry.kind))
    }

    /// Alt-C / Alt-X: the selection to the clipboard through OSC 52 (the
    /// runtime writes the sequence, base64-encoded, so no peer byte reaches
    /// the terminal raw). Text is copied as shown: control characters and
    /// invalid bytes as their stand-ins.
    fn copy(&mut self, hex: bool) -> Vec<Effect> {
        let Some((bytes, _)) = self.selection(hex) else {
            self.refuse("nothing to copy: select an entry in the history first (Up)");
            return Vec::new();
        };
        if bytes.len() > COPY_MAX {
            self.refuse(format!(
                "not copied: {} B is more than the clipboard takes through the terminal \
                 ({COPY_MAX} B); --log FILE keeps every byte",
                bytes.len()
            ));
            return Vec::new();
        }
        let (what, data) = if hex {
            ("hex", payload::to_hex(&bytes).into_bytes())
        } else {
            ("text", crate::sanitize::visible_text(&bytes).into_bytes())
        };
        let at = self.now();
        let note = format!("copied {} B as {what} to the clipboard (OSC 52)", bytes.len());
        self.end_mut().note(at, EntryKind::Info, 0, note);
        vec![Effect::Clipboard(data)]
    }

    /// A message from the runtime about end `end` (F9's file, a write
    /// error), as an info or error entry.
    pub fn notice(&mut self, end: usize, ok: bool, text: &str) {
        let at = self.now();
        let kind = if ok { EntryKind::Info } else { EntryKind::Error };
        if let Some(state) = self.ends.get_mut(end) {
            state.note(at, kind, 0, crate::sanitize::visible_str(text));
        }
    }
}
