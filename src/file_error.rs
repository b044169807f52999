//! Why a file sockpit writes (transcript, capture, script) could not be
//! written, worded once in the error grammar of docs/errors.md:
//! `CALL PATH failed: ERRNO (text): sentence; try ...`.

use std::io;
use std::path::{Path, PathBuf};

use crate::net::CallError;

/// A file that could not be created or written, or an F9/F10 save that
/// had nothing to write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Creating `path` for the `what` (e.g. `transcript (--log)`) failed.
    #[error(
        "open {} failed: {error}: cannot write the {what} there, {}",
        .path.display(),
        open_advice(.error.errno)
    )]
    Create { what: &'static str, path: PathBuf, error: CallError },
    /// `call` (`write` or `flush`) on the created `path` failed.
    #[error(
        "{call} {} failed: {error}: the file is incomplete; try a path on a disk with free space",
        .path.display()
    )]
    Write { call: &'static str, path: PathBuf, error: CallError },
    /// `stem.ext` and `stem-2.ext` to `stem-99.ext` all exist (a save never
    /// overwrites a file).
    #[error(
        "open {stem}-N.{ext} failed: EEXIST (file exists): 99 files of that name already \
         exist; try another directory"
    )]
    NamesTaken { stem: String, ext: &'static str },
    /// `/file PATH` could not be opened for reading: nothing was sent.
    /// The path is shown made safe (the user typed it, but may have pasted
    /// anything).
    #[error(
        "open {} failed: {error}: nothing was sent; try {}",
        crate::sanitize::visible_str(&.path.display().to_string()),
        read_advice(.error.errno)
    )]
    Read { path: PathBuf, error: CallError },
    /// A save asked for an end the run does not have.
    #[error("no such end")]
    NoSuchEnd,
    /// The end kept no capture (building a frame failed).
    #[error("no capture kept for this end (building a frame failed)")]
    NoCapture,
}

impl FileError {
    /// Creating `path` for the `what` failed with `err`.
    #[must_use]
    pub fn create(what: &'static str, path: &Path, err: &io::Error) -> Self {
        Self::Create { what, path: path.to_path_buf(), error: CallError::from_io(err) }
    }

    /// Opening `path` to read it (`/file`) failed with `err`.
    #[must_use]
    pub fn read(path: &Path, err: &io::Error) -> Self {
        Self::Read { path: path.to_path_buf(), error: CallError::from_io(err) }
    }

    /// `call` (`write`, `flush`) on `path` failed with `err`.
    #[must_use]
    pub fn write(call: &'static str, path: &Path, err: &io::Error) -> Self {
        Self::Write { call, path: path.to_path_buf(), error: CallError::from_io(err) }
    }
}

/// What to try after a failed `/file` open, by errno.
fn read_advice(errno: Option<i32>) -> &'static str {
    match errno {
        Some(libc::ENOENT) => "a path that exists (relative ones start where sockpit started)",
        Some(libc::EACCES | libc::EPERM) => "a file this user may read",
        Some(libc::EISDIR) => "a file inside that directory",
        _ => "another file",
    }
}

/// The sentence and the hint after a failed create, by errno.
fn open_advice(errno: Option<i32>) -> &'static str {
    match errno {
        Some(libc::ENOENT) => "its directory does not exist; try an existing directory",
        Some(libc::EACCES | libc::EPERM | libc::EROFS) => {
            "this user may not write there; try a path in a directory you can write"
        }
        Some(libc::EISDIR) => "that is a directory; try a file name inside it",
        _ => "the file could not be created; try another path",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_that_names_a_call_follows_the_grammar() {
        let path = Path::new("/x/y.pcapng");
        let enoent = io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(
            FileError::create("capture (F9)", path, &enoent).to_string(),
            "open /x/y.pcapng failed: ENOENT (no such file or directory): cannot write the \
             capture (F9) there, its directory does not exist; try an existing directory"
        );
        let enospc = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(
            FileError::write("write", path, &enospc).to_string(),
            "write /x/y.pcapng failed: ENOSPC (no space left on device): the file is \
             incomplete; try a path on a disk with free space"
        );
        let taken = FileError::NamesTaken { stem: "sockpit-7".into(), ext: "py" };
        assert!(
            taken.to_string().starts_with("open sockpit-7-N.py failed: EEXIST (file exists): ")
        );
    }
}
