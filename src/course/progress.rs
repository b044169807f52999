//! What the student has done, kept between runs in
//! `$XDG_STATE_HOME/sockpit/progress.json` (else
//! `~/.local/state/sockpit/progress.json`). A missing file is a fresh
//! start; a corrupt one is reported once and replaced; a file that cannot
//! be written never stops a lesson (it is said, and the lesson goes on).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's format version.
const VERSION: u32 = 1;

/// One chapter's record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChapterProgress {
    /// Most steps ticked in one run.
    pub best: usize,
    /// Steps the chapter had then (a chapter may grow).
    pub steps: usize,
    /// Every step ticked at least once.
    pub finished: bool,
}

/// Every chapter's record, by slug.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub v: u32,
    pub chapters: BTreeMap<String, ChapterProgress>,
}

impl Progress {
    /// A chapter's record (zero when never opened).
    #[must_use]
    pub fn of(&self, slug: &str) -> ChapterProgress {
        self.chapters.get(slug).copied().unwrap_or_default()
    }

    /// Records a run of `slug` that ticked `done` of `steps` steps.
    pub fn record(&mut self, slug: &str, done: usize, steps: usize) {
        self.v = VERSION;
        let entry = self.chapters.entry(slug.to_string()).or_default();
        entry.best = entry.best.max(done);
        entry.steps = steps;
        entry.finished |= done >= steps;
    }
}

/// Where the progress file lives, from the environment given (`None` when
/// neither `XDG_STATE_HOME` nor `HOME` is set).
#[must_use]
pub fn path_from(xdg_state: Option<&str>, home: Option<&str>) -> Option<PathBuf> {
    let base = match (xdg_state.filter(|s| !s.is_empty()), home.filter(|s| !s.is_empty())) {
        (Some(state), _) => PathBuf::from(state),
        (None, Some(home)) => Path::new(home).join(".local/state"),
        (None, None) => return None,
    };
    Some(base.join("sockpit").join("progress.json"))
}

/// The progress file of this user.
#[must_use]
pub fn path() -> Option<PathBuf> {
    let state = std::env::var("XDG_STATE_HOME").ok();
    let home = std::env::var("HOME").ok();
    path_from(state.as_deref(), home.as_deref())
}

/// Reads the file: the progress, and what to tell the student once (a
/// corrupt file, which is replaced by a fresh one here, so the next run
/// does not say it again).
#[must_use]
pub fn load(path: &Path) -> (Progress, Option<String>) {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Progress::default(), None),
        Err(e) => return (Progress::default(), Some(SaveError::new("read", path, &e).to_string())),
    };
    match serde_json::from_str::<Progress>(&text) {
        Ok(progress) => (progress, None),
        Err(e) => {
            let fresh = Progress { v: VERSION, chapters: BTreeMap::new() };
            let said = format!(
                "progress file {} was corrupt ({e}): replaced by a fresh one",
                path.display()
            );
            let said = match save(path, &fresh) {
                Ok(()) => said,
                Err(problem) => format!("{said}; {problem}"),
            };
            (fresh, Some(said))
        }
    }
}

/// Writes the file (through a temporary file, so a crash never leaves half
/// of it).
///
/// # Errors
/// [`SaveError`]: its Display is the message in the error grammar.
pub fn save(path: &Path, progress: &Progress) -> Result<(), SaveError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| SaveError::new("mkdir", dir, &e))?;
    }
    let text = serde_json::to_string_pretty(progress).map_err(SaveError::Encode)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text + "\n").map_err(|e| SaveError::new("write", &tmp, &e))?;
    std::fs::rename(&tmp, path).map_err(|e| SaveError::new("rename", path, &e))
}

/// Why the progress file was not saved (the lesson goes on).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// `CALL PATH failed: ERRNO (text): progress is not saved; try ...`.
    #[error(
        "{call} {} failed: {} ({}): progress is not saved, the lesson goes on; try setting \
         XDG_STATE_HOME to a writable directory",
        .path.display(),
        .error.name,
        .error.text
    )]
    File { call: &'static str, path: std::path::PathBuf, error: crate::net::CallError },
    /// The progress could not be put into JSON (never expected).
    #[error("progress is not saved: {0}")]
    Encode(#[from] serde_json::Error),
}

impl SaveError {
    fn new(call: &'static str, path: &Path, e: &std::io::Error) -> Self {
        Self::File { call, path: path.to_path_buf(), error: crate::net::CallError::from_io(e) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_state_home_wins_then_home() {
        let p = path_from(Some("/s"), Some("/h")).unwrap();
        assert_eq!(p, PathBuf::from("/s/sockpit/progress.json"));
        let p = path_from(None, Some("/h")).unwrap();
        assert_eq!(p, PathBuf::from("/h/.local/state/sockpit/progress.json"));
        let p = path_from(Some(""), Some("/h")).unwrap();
        assert_eq!(p, PathBuf::from("/h/.local/state/sockpit/progress.json"));
        assert!(path_from(None, None).is_none());
    }

    #[test]
    fn records_survive_a_save_and_a_load() {
        let dir = std::env::temp_dir().join(format!("sockpit-progress-{}", std::process::id()));
        let path = dir.join("sockpit/progress.json");
        let mut p = Progress::default();
        p.record("tcp-server", 3, 5);
        p.record("tcp-server", 2, 5);
        save(&path, &p).unwrap();
        let (back, said) = load(&path);
        assert!(said.is_none());
        assert_eq!(back.of("tcp-server"), ChapterProgress { best: 3, steps: 5, finished: false });
        std::fs::write(&path, "{not json").unwrap();
        let (fresh, said) = load(&path);
        assert!(said.unwrap().contains("was corrupt"));
        assert_eq!(fresh.of("tcp-server").best, 0);
        // Replaced: the next load says nothing.
        assert!(load(&path).1.is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
