//! The lesson's progress file, kept by the UI loop (the app is pure): read
//! when the chapter opens, written each time a step ticks.

use std::path::PathBuf;

use crate::app::App;
use crate::course::progress::{self, Progress};

/// The progress file and what it holds.
pub struct Keeper {
    path: Option<PathBuf>,
    progress: Progress,
    /// A write failed once: said, and not again.
    failed: bool,
}

impl Keeper {
    /// Opens chapter `number` in the app with the student's progress.
    #[must_use]
    pub fn open(app: &mut App, number: usize) -> Option<Self> {
        let (_, chapter) = crate::course::find(&number.to_string())?;
        let path = progress::path();
        let (progress, said) = match &path {
            Some(path) => progress::load(path),
            None => (
                Progress::default(),
                Some("neither XDG_STATE_HOME nor HOME is set: progress is not saved".to_string()),
            ),
        };
        let mut lesson = crate::course::Lesson::new(number, chapter);
        lesson.best = progress.of(chapter.slug).best;
        lesson.note.clone_from(&said);
        app.open_lesson(lesson);
        if let Some(said) = said {
            app.notice(app.active, false, &said);
        }
        Some(Self { path, progress, failed: false })
    }

    /// Saves the progress when a step ticked since the last save.
    pub fn save(&mut self, app: &mut App) {
        let Some(lesson) = app.lesson.as_mut() else { return };
        if !lesson.take_unsaved() {
            return;
        }
        let slug = lesson.chapter.slug;
        self.progress.record(slug, lesson.done, lesson.chapter.steps.len());
        let Some(path) = &self.path else { return };
        if let Err(problem) = progress::save(path, &self.progress).map_err(|e| e.to_string())
            && !std::mem::replace(&mut self.failed, true)
        {
            lesson.note = Some(problem.clone());
            app.notice(app.active, false, &problem);
        }
    }
}
