//! `--log FILE`, `--pcap FILE` and `--export-py FILE` headless: every event
//! the session reports also goes to the transcript and to the pcapng writer,
//! as it happens, and to the Python exporter, whose script is written at exit
//! (a script is whole only once the session is over).
//!
//! Both promise that a killed process loses nothing already recorded. The
//! transcript is written through line by line (see [`crate::transcript`]);
//! the pcapng writer is flushed after each event, so the file holds whole
//! blocks only. While recording, SIGTERM, SIGINT and SIGHUP are caught and
//! end the run between two events (exit 128 + the signal's number, as a
//! shell reports a death by signal), because a fatal signal can cut a large
//! write short in the kernel.

use crate::file_error::FileError;
use std::fs::File;
use std::io::BufWriter;
use std::io::Write as _;
use std::path::PathBuf;

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::cli::Record;
use crate::lesson::{Exporter, Lang};
use crate::net::Event;
use crate::pcap::captured::CaptureWriter;
use crate::pcap::keys::{Gate, Item};
use crate::transcript::{self, Transcript};

/// The files a headless run records to; either may be absent.
pub(super) struct Recorder {
    log: Option<Transcript>,
    pcap: Option<crate::pcap::LiveCapture>,
    /// `--pcap` once the capture is live: the real frames instead.
    captured: Option<(CaptureWriter<BufWriter<File>>, PathBuf)>,
    /// The TLS secrets that go into `captured` before their frames.
    keys: Gate,
    /// The script's file is created at the start, so that a path that
    /// cannot be written fails before the session, like the others.
    export: Option<(Exporter, File, PathBuf)>,
}

impl Recorder {
    /// Opens the files `record` names, before the session starts; the
    /// script's comments are in `lang`.
    ///
    /// # Errors
    /// A message in the error grammar (docs/errors.md) when a file cannot be created.
    pub(super) fn open(record: &Record, lang: Lang) -> Result<Self, FileError> {
        let log = transcript::open_flag(record.log.as_ref())?;
        let pcap = crate::pcap::open_flag(record.pcap.as_ref())?;
        let export = match &record.export_py {
            Some(path) => Some((
                Exporter::new(lang),
                File::create(path)
                    .map_err(|e| transcript::open_error("script (--export-py)", path, &e))?,
                path.clone(),
            )),
            None => None,
        };
        Ok(Self { log, pcap, captured: None, keys: Gate::default(), export })
    }

    /// Whether `--pcap` was given (then the capture keeps whole frames).
    pub(super) fn wants_frames(&self) -> bool {
        self.pcap.is_some()
    }

    /// The capture is live: `--pcap` becomes the captured frames (on the
    /// interface `if_name`) instead of frames synthesised from the calls.
    /// Called before the session's first event.
    pub(super) fn capture_live(&mut self, if_name: &str) {
        let Some((_, path)) = self.pcap.take() else { return };
        match CaptureWriter::create(&path, if_name) {
            Ok(writer) => self.captured = Some((writer, path)),
            Err(err) => {
                eprintln!(
                    "sockpit: write {} failed: {err}; the capture stops here",
                    path.display()
                );
            }
        }
    }

    /// The capture's pcapng also gets the TLS secrets of `tls`'s
    /// connections (a Decryption Secrets Block before the frames they
    /// decrypt), when `--pcap` writes captured frames.
    pub(super) fn tls_keys(&mut self, tls: &crate::net::tls::Tls) {
        if self.captured.is_some() {
            self.keys.watch(tls.secrets());
        }
    }

    /// Whether anything is recorded (then signals are caught, and a run
    /// ended by one still writes its files whole).
    pub(super) fn active(&self) -> bool {
        self.log.is_some()
            || self.pcap.is_some()
            || self.captured.is_some()
            || self.export.is_some()
    }

    /// Writes what is only written at the end (the `--export-py` script);
    /// false when that failed (the message is on stderr).
    pub(super) fn finish(&mut self) -> bool {
        self.keys_out(None, true);
        let Some((exporter, mut file, path)) = self.export.take() else { return true };
        match file.write_all(exporter.script().as_bytes()).and_then(|()| file.sync_all()) {
            Ok(()) => true,
            Err(err) => {
                eprintln!("sockpit: write {} failed: {err}", path.display());
                false
            }
        }
    }

    /// Records one event of a one-ended run.
    pub(super) fn event(&mut self, event: &Event) {
        self.record(None, event);
    }

    /// Records one event of end `end` of the demo: both ends go to the
    /// transcript (marked), only the server's to the capture (the client
    /// sees the same connection from the other side).
    pub(super) fn event_of(&mut self, end: usize, event: &Event) {
        self.record(Some(end), event);
    }

    /// Records one captured segment (`--wire`) in the transcript and its
    /// frame in `--pcap`'s file (held back while a TLS handshake runs).
    pub(super) fn segment(&mut self, seg: &crate::wire::Segment) {
        self.keys_out(Some(seg), false);
        if let Some(log) = &mut self.log
            && let Err(err) = log.write_json(crate::json::segment_line(seg))
        {
            let path = log.path().display();
            eprintln!("sockpit: write {path} failed: {err}; the transcript stops here");
            self.log = None;
        }
    }

    /// Writes to the captured pcapng what the TLS gate lets out now (all
    /// it holds when `last`).
    fn keys_out(&mut self, seg: Option<&crate::wire::Segment>, last: bool) {
        let Some((pcap, path)) = &mut self.captured else { return };
        let mut result = Ok(());
        let mut write = |item: Item<'_>| {
            if result.is_ok() {
                result = match item {
                    Item::Secrets(lines) => pcap.secrets(lines),
                    Item::Frame(seg) => pcap.segment(seg).map(drop),
                };
            }
        };
        if last {
            self.keys.finish(&mut write);
        } else {
            self.keys.pass(seg, &mut write);
        }
        if let Err(err) = result.and_then(|()| pcap.flush()) {
            eprintln!("sockpit: write {} failed: {err}; the capture stops here", path.display());
            self.captured = None;
        }
    }

    fn record(&mut self, end: Option<usize>, event: &Event) {
        if self.keys.watching() {
            // A handshake may have ended: its held frames go out.
            self.keys_out(None, false);
        }
        if let Some(log) = &mut self.log {
            let written = match end {
                Some(end) => log.write_end(end, event),
                None => log.write(event),
            };
            if let Err(err) = written {
                let path = log.path().display();
                eprintln!("sockpit: write {path} failed: {err}; the transcript stops here");
                self.log = None;
            }
        }
        if let Some((pcap, path)) = &mut self.pcap
            && end.is_none_or(|end| end == 0)
            && let Err(err) = pcap.event(event).and_then(|()| pcap.flush())
        {
            let path = path.display();
            eprintln!("sockpit: write {path} failed: {err}; the capture stops here");
            self.pcap = None;
        }
        // The script replays one end: the server's in the demo, as the
        // capture shows it.
        if let Some((exporter, ..)) = &mut self.export
            && end.is_none_or(|end| end == 0)
        {
            exporter.push(event);
        }
    }
}

/// The signals that end a recording run cleanly.
pub(super) struct Stop {
    term: Signal,
    int: Signal,
    hup: Signal,
}

impl Stop {
    /// Starts catching the signals (inside the runtime); `None` when they
    /// cannot be caught, and then they keep their default action.
    pub(super) fn catch() -> Option<Self> {
        let take = |kind| signal(kind).ok();
        Some(Self {
            term: take(SignalKind::terminate())?,
            int: take(SignalKind::interrupt())?,
            hup: take(SignalKind::hangup())?,
        })
    }

    /// The number of the next signal caught.
    pub(super) async fn next(&mut self) -> i32 {
        tokio::select! {
            _ = self.term.recv() => libc::SIGTERM,
            _ = self.int.recv() => libc::SIGINT,
            _ = self.hup.recv() => libc::SIGHUP,
        }
    }
}

/// Waits for a signal when catching them, else forever.
pub(super) async fn stopped(stop: Option<&mut Stop>) -> i32 {
    match stop {
        Some(stop) => stop.next().await,
        None => std::future::pending().await,
    }
}
