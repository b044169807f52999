//! `sockpit learn`: guided chapters the student does by hand, each step
//! ticking itself when the live state shows it done.
//!
//! A chapter is data ([`CHAPTERS`], one file per chapter): the command
//! line it runs (step mode, so nothing happens by itself), its goal, and
//! steps, each with a text, staged hints and one `check::Check` line read
//! against engine events and kernel figures. [`Lesson`] follows one
//! chapter as events arrive; `progress` keeps what was done between runs.
//! Adding a chapter is adding a file to `chapters/`: the engine, the pane
//! and the checks need no change.

pub(crate) mod chapters;
pub(crate) mod check;
pub(crate) mod list;
pub(crate) mod live;
pub(crate) mod open;
pub(crate) mod progress;

pub use chapters::ALL as CHAPTERS;
pub use live::Lesson;

use crate::lesson::Lang;

/// A text in both languages of sockpit's teaching.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

impl Text {
    /// The text in `lang`.
    #[must_use]
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Zh => self.zh,
        }
    }
}

/// Shorthand for chapter files: `t("English", "中文")`.
#[must_use]
pub const fn t(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// One step of a chapter: a checklist line that ticks itself.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    /// The checklist line.
    pub label: Text,
    /// What to do and why, shown while it is the current step.
    pub text: Text,
    /// Shown one at a time on a key; the last one gives the commands.
    pub hints: &'static [Text],
    /// When the step is done (the grammar of `check`).
    pub check: &'static str,
}

/// Which end the chapter starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Server,
    Client,
}

/// One chapter.
#[derive(Debug, Clone, Copy)]
pub struct Chapter {
    /// Its number in the course (`sockpit learn 4`): the seed tutorial's
    /// order, kept when a chapter is added between two others.
    pub number: usize,
    /// Its name on the command line: `sockpit learn tcp-server`.
    pub slug: &'static str,
    pub title: Text,
    /// The one thing to take away.
    pub goal: Text,
    /// The sockpit command line it runs (after `sockpit`), in step mode.
    pub setup: &'static [&'static str],
    /// The end the input starts on.
    pub start: Start,
    pub steps: &'static [Step],
    /// What to run in a second terminal, when the chapter needs one
    /// (`{port}` is the server's port once it is bound).
    pub second: Option<Text>,
}

/// A chapter by number (1-based) or slug.
#[must_use]
pub fn find(name: &str) -> Option<(usize, &'static Chapter)> {
    let all = chapters::ALL;
    let n = name.parse::<usize>().ok();
    all.iter().find(|c| Some(c.number) == n || c.slug == name).map(|c| (c.number, *c))
}
