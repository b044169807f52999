//! Recording in the TUI: `--log FILE` (every event of every end, marked
//! with its end in the demo), `--pcap FILE` (end 0's events, flushed per
//! event as headless does), and an in-memory pcapng per end for F9, which
//! saves the session so far. The in-memory capture stops growing at the
//! history's byte cap (`--history-bytes`), like everything the TUI keeps;
//! `--pcap` has no cap.

use crate::file_error::FileError;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::app::wire::Status;
use crate::cli::Record;
use crate::net::Event;
use crate::pcap::PcapWriter;
use crate::pcap::captured::CaptureWriter;
use crate::pcap::keys::{Gate, Item};
use crate::transcript::{self, Transcript};
use crate::wire::Segment;

/// One end's capture kept in memory for F9.
struct Memory {
    /// Frames synthesised from the calls: the fallback without a capture.
    writer: Option<PcapWriter<Vec<u8>>>,
    /// The frames really captured, once the end's capture is live.
    captured: Option<CaptureWriter<Vec<u8>>>,
    /// The capture reached the cap and stopped there.
    full: bool,
}

impl Memory {
    /// The file's bytes so far and whether they are the real frames.
    fn bytes(&self) -> Option<(&[u8], bool)> {
        match (&self.captured, &self.writer) {
            (Some(c), _) => Some((c.get_ref(), true)),
            (None, Some(w)) => Some((w.get_ref(), false)),
            (None, None) => None,
        }
    }
}

/// `--pcap FILE`: synthesised until the capture of end 0 is live.
enum Live {
    Synth(Box<crate::pcap::LiveCapture>),
    Captured(CaptureWriter<BufWriter<File>>, PathBuf),
}

/// Everything the TUI records.
pub struct Recorder {
    log: Option<Transcript>,
    live: Option<Live>,
    memory: Vec<Memory>,
    /// Per end: the TLS secrets that go into its captured pcapng before
    /// the frames they decrypt.
    keys: Vec<Gate>,
    cap: usize,
    /// Two ends (the demo): transcript lines carry `"end"`.
    demo: bool,
}

impl Recorder {
    /// Opens `--log` and `--pcap` before the terminal is set up.
    ///
    /// # Errors
    /// A message in the error grammar (docs/errors.md) when a file cannot be created.
    pub fn open(record: &Record, ends: usize, demo: bool, cap: usize) -> Result<Self, FileError> {
        let log = transcript::open_flag(record.log.as_ref())?;
        let live = crate::pcap::open_flag(record.pcap.as_ref())?.map(|l| Live::Synth(Box::new(l)));
        let memory = (0..ends)
            .map(|_| Memory {
                writer: PcapWriter::new(Vec::new()).ok(),
                captured: None,
                full: false,
            })
            .collect();
        let keys = (0..ends).map(|_| Gate::default()).collect();
        Ok(Self { log, live, memory, keys, cap, demo })
    }

    /// Records one event of end `end`; returns a message for the user when
    /// a file stops being written.
    pub fn event(&mut self, end: usize, event: &Event) -> Option<String> {
        // A handshake may have ended: the frames held for it go out.
        let watching = self.keys.get(end).is_some_and(Gate::watching);
        let mut problem = if watching { self.frames(end, None) } else { None };
        if let Some(log) = &mut self.log {
            let written = if self.demo { log.write_end(end, event) } else { log.write(event) };
            if let Err(err) = written {
                let path = crate::sanitize::visible_str(&log.path().display().to_string());
                problem = Some(format!("write {path} failed: {err}; the transcript stops here"));
                self.log = None;
            }
        }
        if end == 0
            && let Some(Live::Synth(synth)) = &mut self.live
            && let (pcap, path) = &mut **synth
            && let Err(err) = pcap.event(event).and_then(|()| pcap.flush())
        {
            let path = crate::sanitize::visible_str(&path.display().to_string());
            problem = Some(format!("write {path} failed: {err}; the capture stops here"));
            self.live = None;
        }
        if let Some(memory) = self.memory.get_mut(end)
            && memory.captured.is_none()
            && let Some(writer) = &mut memory.writer
        {
            if writer.get_ref().capacity() > self.cap {
                memory.full = true;
            } else if writer.event(event).is_err() {
                memory.writer = None;
            }
        }
        problem
    }

    /// End `end`'s capture opened (or could not): when live, its pcapng
    /// (F9, and `--pcap` for end 0) holds the captured frames from now on.
    /// Called before the end's first event.
    pub fn wire(&mut self, end: usize, status: &Status) -> Option<String> {
        let Status::Live { link } = status else { return None };
        if let Some(memory) = self.memory.get_mut(end) {
            memory.captured = CaptureWriter::new(Vec::new(), link).ok();
        }
        if end == 0
            && let Some(Live::Synth(synth)) = &self.live
        {
            let path = synth.1.clone();
            match CaptureWriter::create(&path, link) {
                Ok(writer) => self.live = Some(Live::Captured(writer, path)),
                Err(err) => {
                    self.live = None;
                    let shown = crate::sanitize::visible_str(&path.display().to_string());
                    return Some(format!("write {shown} failed: {err}; the capture stops here"));
                }
            }
        }
        None
    }

    /// Records one captured segment's frame of end `end`.
    pub fn segment(&mut self, end: usize, seg: &Segment) -> Option<String> {
        let mut problem = None;
        if let Some(log) = &mut self.log {
            let line = crate::json::segment_line(seg);
            let line = if self.demo { with_end(&line, end) } else { line };
            if let Err(err) = log.write_json(line) {
                let path = crate::sanitize::visible_str(&log.path().display().to_string());
                problem = Some(format!("write {path} failed: {err}; the transcript stops here"));
                self.log = None;
            }
        }
        self.frames(end, Some(seg)).or(problem)
    }

    /// End `end`'s captured pcapng (F9's, and `--pcap`'s for end 0) also
    /// gets the TLS secrets of `tls`'s connections, as Decryption Secrets
    /// Blocks before the frames they decrypt. Call once the capture is live.
    pub fn tls_keys(&mut self, end: usize, tls: &crate::net::tls::Tls) {
        let live = self.memory.get(end).is_some_and(|m| m.captured.is_some())
            || (end == 0 && matches!(self.live, Some(Live::Captured(..))));
        if let (true, Some(gate)) = (live, self.keys.get_mut(end)) {
            gate.watch(tls.secrets());
        }
    }

    /// Writes what end `end`'s TLS gate lets out now (with `seg`, a frame
    /// just captured) to its captured pcapng files.
    fn frames(&mut self, end: usize, seg: Option<&Segment>) -> Option<String> {
        let gate = self.keys.get_mut(end)?;
        let mut live = match &mut self.live {
            Some(Live::Captured(pcap, _)) if end == 0 => Some(pcap),
            _ => None,
        };
        let mut memory = self.memory.get_mut(end);
        let mut failed = None;
        let cap = self.cap;
        gate.pass(seg, |item| {
            if let Some(pcap) = &mut live
                && failed.is_none()
            {
                failed = write_item(pcap, &item).err();
            }
            if let Some(memory) = &mut memory
                && let Some(writer) = &mut memory.captured
            {
                if writer.get_ref().len() > cap {
                    memory.full = true;
                } else if write_item(writer, &item).is_err() {
                    memory.captured = None;
                }
            }
        });
        let Some(Live::Captured(pcap, path)) = &mut self.live else { return None };
        if end != 0 {
            return None;
        }
        let err = match failed {
            Some(err) => err,
            None => pcap.flush().err()?,
        };
        let path = crate::sanitize::visible_str(&path.display().to_string());
        self.live = None;
        Some(format!("write {path} failed: {err}; the capture stops here"))
    }

    /// F9: end `end`'s session so far as a pcapng file: `--pcap`'s own file
    /// for end 0 when given (flushed), else `sockpit-<unix time>.pcapng` in
    /// `dir` (`-server`/`-client` added in the demo). Returns where it went.
    ///
    /// # Errors
    /// A sentence for the user when the file cannot be written.
    pub fn save(
        &mut self,
        end: usize,
        name: &str,
        dir: &Path,
        unix: u64,
    ) -> Result<String, FileError> {
        if end == 0 {
            let flushed = match &mut self.live {
                Some(Live::Synth(synth)) => {
                    let (pcap, path) = &mut **synth;
                    Some((pcap.flush(), &*path, SYNTH))
                }
                Some(Live::Captured(pcap, path)) => Some((pcap.flush(), &*path, "")),
                None => None,
            };
            if let Some((flushed, path, note)) = flushed {
                let shown = path.display().to_string();
                flushed.map_err(|e| FileError::write("flush", path, &e))?;
                return Ok(format!("the capture is written live to {shown} (--pcap){note}"));
            }
        }
        let Some(memory) = self.memory.get(end) else { return Err(FileError::NoSuchEnd) };
        let Some((bytes, real)) = memory.bytes() else {
            return Err(FileError::NoCapture);
        };
        let stem =
            if self.demo { format!("sockpit-{unix}-{name}") } else { format!("sockpit-{unix}") };
        let (path, mut file) = create_new(dir, &stem)?;
        let shown = path.display().to_string();
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| FileError::write("write", &path, &e))?;
        let cut = if memory.full {
            " (cut at the --history-bytes cap; --pcap FILE records whole sessions)"
        } else {
            ""
        };
        let note = if real { " (the captured frames)" } else { SYNTH };
        Ok(format!("saved {} B of pcapng to {shown}{cut}{note}", bytes.len()))
    }
}

/// One item the TLS gate lets out, to one captured pcapng.
fn write_item<W: Write>(pcap: &mut CaptureWriter<W>, item: &Item<'_>) -> std::io::Result<()> {
    match item {
        Item::Secrets(lines) => pcap.secrets(lines),
        Item::Frame(seg) => pcap.segment(seg).map(drop),
    }
}

/// What F9 adds when the file is the fallback.
const SYNTH: &str = " (synthesised from the calls: no capture, see the Wire pane)";

/// A transcript line of the demo, marked with its end as events are.
fn with_end(line: &str, end: usize) -> String {
    match line.strip_prefix('{') {
        Some(rest) => format!("{{\"end\":{end},{rest}"),
        None => line.to_string(),
    }
}

/// `stem.pcapng` in `dir`, or `stem-2.pcapng`, ... when taken (two saves
/// in one second); never overwrites a file.
fn create_new(dir: &Path, stem: &str) -> Result<(PathBuf, File), FileError> {
    for n in 1..100 {
        let name = if n == 1 { format!("{stem}.pcapng") } else { format!("{stem}-{n}.pcapng") };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(transcript::open_error("capture (F9)", &path, &e)),
        }
    }
    Err(FileError::NamesTaken { stem: stem.to_string(), ext: "pcapng" })
}

#[cfg(test)]
mod tests;
