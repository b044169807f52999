//! [`App`]'s state as outsiders see it: read-only accessors, and the few
//! setters for what the composition root takes from the command line
//! (theme, language, the end the input talks to). Everything else changes
//! only through the mutators of `app/mod.rs` and `keys.rs` (`on_engine`,
//! `on_key`, `on_paste`, `click`, …), as the running TUI changes it; the
//! fields stay `pub(crate)` for `ui/` and `tui/`, which read them directly.

use super::input::InputLine;
use super::inspector::Inspector;
use super::inspector::search::Search;
use super::{App, Clock, EndState, Focus, ThemeName};
use crate::course::Lesson;
use crate::lesson::Lang;

impl App {
    /// Every end, in the order of the roles given to [`App::new`] (the
    /// demo's server first).
    #[must_use]
    pub fn ends(&self) -> &[EndState] {
        &self.ends
    }

    /// The index of the end the input talks to.
    #[must_use]
    pub fn active(&self) -> usize {
        self.active
    }

    /// Makes `end` the end the input talks to (as Alt-E does, or a click on
    /// its pane); an index past the last end selects the last.
    pub fn set_active(&mut self, end: usize) {
        self.active = end.min(self.ends.len().saturating_sub(1));
    }

    /// The pane that has the keyboard.
    #[must_use]
    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// The clock every time on screen is read from.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The language of the explanations (`--lang`).
    #[must_use]
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// Explains in `lang` from now on.
    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The colours the screen is drawn with (`--theme`, `NO_COLOR`).
    #[must_use]
    pub fn theme(&self) -> ThemeName {
        self.theme
    }

    /// Draws with `theme` from now on.
    pub fn set_theme(&mut self, theme: ThemeName) {
        self.theme = theme;
    }

    /// Whether the F1 help covers the screen.
    #[must_use]
    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// The input line as typed so far.
    #[must_use]
    pub fn input(&self) -> &InputLine {
        &self.input
    }

    /// The packet inspector, when open (Enter or a click on an entry).
    #[must_use]
    pub fn inspector(&self) -> Option<&Inspector> {
        self.inspector.as_ref()
    }

    /// The history search (F3): its query, hit and count.
    #[must_use]
    pub fn search(&self) -> &Search {
        &self.search
    }

    /// `sockpit learn N`'s chapter being done, if any.
    #[must_use]
    pub fn lesson(&self) -> Option<&Lesson> {
        self.lesson.as_ref()
    }
}
