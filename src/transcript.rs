//! `--log FILE`: the session's events as the JSON-lines schema of docs/events.md (the
//! same lines as `--events json`, from [`crate::json::line`]), in any mode.
//!
//! The promise is that a crash or a signal loses nothing already logged and
//! never leaves half a line. So the file is an unbuffered [`File`] and each
//! event is one `write_all` of the whole line with its `\n`: the bytes are in
//! the kernel's page cache when `write` returns, which survives the process
//! dying in any way (only a machine crash loses them, and `fsync` per line
//! would cost a disk flush per recv call). There is no user-space buffer to
//! flush at exit, so no signal handler is needed for that.
//!
//! One caveat remains: Linux checks for a *fatal* pending signal between the
//! pages of a large buffered write, so SIGTERM arriving in the middle of a
//! multi-page line could cut it short. The headless mode therefore catches
//! SIGTERM, SIGINT and SIGHUP while logging and stops between events; a
//! reader should still drop an unterminated last line (SIGKILL cannot be
//! caught).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};

use crate::file_error::FileError;
use std::path::{Path, PathBuf};

use crate::json;
use crate::net::Event;

/// An open transcript file; one line per event, written through at once.
#[derive(Debug)]
pub struct Transcript {
    file: File,
    path: PathBuf,
}

impl Transcript {
    /// Creates `path`, truncating an older transcript: one file, one run
    /// (the lines carry absolute timestamps, so runs could not be told apart
    /// by time alone if appended).
    ///
    /// # Errors
    /// When the file cannot be created; [`open_error`] words it for the user.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().write(true).create(true).truncate(true).open(path)?;
        Ok(Self { file, path: path.to_path_buf() })
    }

    /// Where the transcript is written.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one event as one complete line.
    ///
    /// # Errors
    /// When the write fails (disk full, file system gone).
    pub fn write(&mut self, event: &Event) -> io::Result<()> {
        self.write_line(json::line(event))
    }

    /// Appends one event of end `end` of a two-ended run (the demo): the
    /// same line with `"end"` (0 = server, 1 = client) first, because each
    /// end's session numbers its sockets from 1 and the ids would collide.
    ///
    /// # Errors
    /// When the write fails.
    pub fn write_end(&mut self, end: usize, event: &Event) -> io::Result<()> {
        let line = json::line(event);
        // `json::line` always writes an object: splice the field in after `{`.
        let rest = line.strip_prefix('{').unwrap_or(&line);
        let sep = if rest.starts_with('}') { "" } else { "," };
        self.write_line(format!("{{\"end\":{end}{sep}{rest}"))
    }

    /// Appends one line already in the schema (a `segment` from
    /// [`crate::json::segment_line`]: the wire is not an engine event).
    ///
    /// # Errors
    /// When the write fails.
    pub fn write_json(&mut self, line: String) -> io::Result<()> {
        self.write_line(line)
    }

    fn write_line(&mut self, mut line: String) -> io::Result<()> {
        line.push('\n');
        // One call with the whole line: never a partial line between events.
        self.file.write_all(line.as_bytes())
    }
}

/// `--log`'s transcript when the flag was given, opened before anything
/// runs; a bad path is a message in the error grammar (docs/errors.md).
///
/// # Errors
/// When the file cannot be created.
pub fn open_flag(path: Option<&PathBuf>) -> Result<Option<Transcript>, FileError> {
    path.map(|p| Transcript::open(p).map_err(|e| open_error("transcript (--log)", p, &e)))
        .transpose()
}

/// The error grammar (docs/errors.md) for a transcript or capture file that
/// cannot be created: `open PATH failed: ENOENT (...): sentence; try ...`.
#[must_use]
pub fn open_error(what: &'static str, path: &Path, err: &io::Error) -> FileError {
    FileError::create(what, path, err)
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde_json::Value;

    use super::*;
    use crate::net::{DataRecord, Dir, EventKind};

    fn data(bytes: &'static [u8]) -> Event {
        Event {
            at: 7,
            kind: EventKind::Data(DataRecord {
                sock: 3,
                dir: Dir::Sent,
                peer: None,
                data: Bytes::from_static(bytes),
                offset: 0,
            }),
        }
    }

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("sockpit-{}-{name}", std::process::id()))
    }

    #[test]
    fn each_event_is_one_complete_line_on_disk_at_once() {
        let path = temp("lines.jsonl");
        let mut log = Transcript::open(&path).unwrap();
        log.write(&data(b"hi\n")).unwrap();
        // Read while the writer is still open: nothing waits in a buffer.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with('\n'));
        let v: Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(v["text"], "hi\n");
        log.write_end(1, &data(b"\xff")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let last: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!((last["end"].as_u64(), last["b64"].as_str()), (Some(1), Some("/w==")));
        assert_eq!(last["v"], 1);
        drop(log);
        // A new run starts a new transcript.
        let log = Transcript::open(&path).unwrap();
        assert_eq!(std::fs::read_to_string(log.path()).unwrap(), "");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn open_errors_follow_the_grammar() {
        let path = Path::new("/nonexistent-dir/x.jsonl");
        let err = Transcript::open(path).unwrap_err();
        assert_eq!(
            open_error("transcript", path, &err).to_string(),
            "open /nonexistent-dir/x.jsonl failed: ENOENT (no such file or directory): cannot \
             write the transcript there, its directory does not exist; try an existing directory"
        );
    }
}
