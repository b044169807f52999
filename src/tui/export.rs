//! F10 and `--export-py FILE` in the TUI: each end's session as a runnable
//! Python script in the tutorial's style (`lesson::export`). One exporter per
//! end, fed every event of that end in order and started afresh by Alt-R.

use crate::file_error::FileError;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::lesson::{Exporter, Lang};
use crate::net::{Event, EventKind, Returned};
use crate::transcript;

/// What one call is charged against the cap besides its bytes.
const STEP: usize = 256;

/// The scripts of every end, and where `--export-py` goes.
pub struct Scripts {
    lang: Lang,
    ends: Vec<Exporter>,
    /// `--export-py`: end 0's script is written here at exit (the file is
    /// created at start, so a bad path fails before the terminal is taken).
    out: Option<(File, PathBuf)>,
    demo: bool,
    /// Bytes of events each end's script may hold; past it the script stops
    /// (memory stays bounded under a flood) and says so.
    cap: usize,
    taken: Vec<usize>,
}

impl Scripts {
    /// Opens `--export-py` when given.
    ///
    /// # Errors
    /// A message in the error grammar (docs/errors.md) when the file cannot be created.
    pub fn open(
        path: Option<&Path>,
        ends: usize,
        lang: Lang,
        demo: bool,
        cap: usize,
    ) -> Result<Self, FileError> {
        let out = match path {
            Some(path) => Some((
                File::create(path)
                    .map_err(|e| transcript::open_error("script (--export-py)", path, &e))?,
                path.to_path_buf(),
            )),
            None => None,
        };
        let exporters = (0..ends).map(|_| Exporter::new(lang)).collect();
        Ok(Self { lang, ends: exporters, out, demo, cap, taken: vec![0; ends] })
    }

    /// One event of end `end`.
    pub fn event(&mut self, end: usize, event: &Event) {
        let (Some(exporter), Some(taken)) = (self.ends.get_mut(end), self.taken.get_mut(end))
        else {
            return;
        };
        if *taken > self.cap {
            return;
        }
        *taken += match &event.kind {
            EventKind::Data(d) => d.data.len(),
            // Each call is a step of the script: its record, in a Vec that
            // grows by doubling, costs about this much besides its bytes.
            EventKind::Call(r) => match &r.result {
                Ok(Returned::Data { data, .. }) => STEP + data.len(),
                _ => STEP,
            },
            _ => 0,
        };
        exporter.push(event);
    }

    /// Whether end `end`'s script stopped at the cap.
    fn cut(&self, end: usize) -> bool {
        self.taken.get(end).is_some_and(|&t| t > self.cap)
    }

    /// Alt-R: end `end` starts a new lesson, and a new script.
    pub fn restart(&mut self, end: usize) {
        if let Some(exporter) = self.ends.get_mut(end) {
            *exporter = Exporter::new(self.lang);
        }
        if let Some(taken) = self.taken.get_mut(end) {
            *taken = 0;
        }
    }

    /// F10: end `end`'s script so far to `sockpit-<unix>.py` in `dir`
    /// (`-server`/`-client` added in the demo), never overwriting a file.
    /// Returns where it went.
    ///
    /// # Errors
    /// A sentence for the user when the file cannot be written.
    pub fn save(&self, end: usize, name: &str, dir: &Path, unix: u64) -> Result<String, FileError> {
        let Some(exporter) = self.ends.get(end) else { return Err(FileError::NoSuchEnd) };
        let stem =
            if self.demo { format!("sockpit-{unix}-{name}") } else { format!("sockpit-{unix}") };
        for n in 1..100 {
            let file = if n == 1 { format!("{stem}.py") } else { format!("{stem}-{n}.py") };
            let path = dir.join(file);
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let shown = path.display().to_string();
                    f.write_all(exporter.script().as_bytes())
                        .map_err(|e| FileError::write("write", &path, &e))?;
                    let cut = if self.cut(end) {
                        " - only its start: the rest passed the --history-bytes share"
                    } else {
                        ""
                    };
                    let args = if exporter.unix() { "" } else { " HOST PORT" };
                    return Ok(format!(
                        "wrote the session as Python to {shown} (python3 {shown}{args}){cut}"
                    ));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(transcript::open_error("script (F10)", &path, &e)),
            }
        }
        Err(FileError::NamesTaken { stem, ext: "py" })
    }

    /// At exit: end 0's script to `--export-py`; a message when that failed.
    pub fn finish(&mut self) -> Option<String> {
        let (mut file, path) = self.out.take()?;
        let exporter = self.ends.first()?;
        let written = file.write_all(exporter.script().as_bytes()).and_then(|()| file.sync_all());
        written.err().map(|e| format!("write {} failed: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Call, CallRecord, Family, Kind};

    fn socket_event() -> Event {
        let call = Call::Socket { family: Family::Inet, kind: Kind::Stream };
        let record =
            CallRecord { sock: 1, var: "client", call, result: Ok(Returned::Socket { fd: 3 }) };
        Event { at: 1, kind: EventKind::Call(record) }
    }

    #[test]
    fn f10_writes_a_new_file_each_time_and_restart_starts_over() {
        let dir = std::env::temp_dir().join(format!("sockpit-f10-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut scripts = Scripts::open(None, 1, Lang::En, false, 1 << 20).unwrap();
        scripts.event(0, &socket_event());
        let first = scripts.save(0, "client", &dir, 7).unwrap();
        let second = scripts.save(0, "client", &dir, 7).unwrap();
        assert!(first.contains("sockpit-7.py"), "{first}");
        assert!(second.contains("sockpit-7-2.py"), "{second}");
        let script = std::fs::read_to_string(dir.join("sockpit-7.py")).unwrap();
        assert!(script.contains("socket.socket(socket.AF_INET, socket.SOCK_STREAM)"), "{script}");
        scripts.restart(0);
        scripts.save(0, "client", &dir, 8).unwrap();
        let fresh = std::fs::read_to_string(dir.join("sockpit-8.py")).unwrap();
        assert!(!fresh.contains("SOCK_STREAM)"), "{fresh}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn export_py_is_written_at_the_end() {
        let path = std::env::temp_dir().join(format!("sockpit-xpy-{}.py", std::process::id()));
        let mut scripts = Scripts::open(Some(&path), 1, Lang::Zh, false, 1 << 20).unwrap();
        scripts.event(0, &socket_event());
        assert_eq!(scripts.finish(), None);
        let script = std::fs::read_to_string(&path).unwrap();
        assert!(script.contains("client = socket.socket("), "{script}");
        std::fs::remove_file(path).unwrap();
    }
}
