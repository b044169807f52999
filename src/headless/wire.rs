//! `--wire` headless: the session's own segments on stderr, one
//! tcpdump-like line each (or a `segment` JSON event), and in `--log`.
//!
//! The capture opens before the session's first socket, watching the port
//! the command line names (a server's own, or the port a client connects
//! to), so a client's SYN is seen. A port learned later (a server on port
//! 0, a client's local port) is added when the engine's `listening` or
//! `connected` event arrives and before that event is shown: whoever reads
//! the port from sockpit's output is already captured.

use std::io::Write as _;
use std::time::Duration;

use tokio::sync::mpsc;

use super::record::Recorder;
use crate::net::{Event, EventKind, SessionConfig, Target};
use crate::wire::{
    Capture, Link, Ports, SNAP_HEADERS, SNAP_WHOLE, Segment, Watch, WireError, render,
};

/// Segments waiting for stderr, at most; past it the capture waits and the
/// kernel's queue takes the rest (or drops, which is counted).
const DEPTH: usize = 4096;

/// Segments written to stderr at once, at most.
const BATCH: usize = 256;

/// The capture of one headless end.
pub(super) struct Tap {
    watch: Watch,
    json: bool,
    /// Seconds east of UTC, for the lines' times.
    offset_secs: i32,
}

impl Tap {
    /// Opens the capture for `role` and starts reading (in the runtime).
    ///
    /// # Errors
    /// The message in the error grammar, docs/errors.md (no `CAP_NET_RAW`, most often).
    pub(super) fn open(
        config: &SessionConfig,
        json: bool,
        recorder: &mut Recorder,
    ) -> Result<(Self, mpsc::Receiver<Segment>), WireError> {
        let role = &config.role;
        let target = role.target();
        let (ip, port) = match &target {
            Target::Addr(addr) => (Some(addr.ip()), addr.port()),
            Target::Host(_, port) => (None, *port),
            Target::Unix(_) => {
                return Err(WireError("--wire captures TCP and UDP, not Unix sockets".into()));
            }
        };
        let mut ports = Ports::default();
        if role.is_server() {
            ports.add_local(port);
        } else {
            ports.add_remote(port);
        }
        // Lines need only the headers; `--pcap` needs whole frames.
        let snap = if recorder.wants_frames() { SNAP_WHOLE } else { SNAP_HEADERS };
        let link = Link::for_ip(ip);
        let capture = Capture::open(link, ports, snap)?;
        let (tx, rx) = mpsc::channel(DEPTH);
        let watch = capture.spawn(tx)?;
        recorder.capture_live(link.name());
        // Its pcapng gets the TLS secrets before the frames they decrypt.
        for tls in config.tls_configs() {
            recorder.tls_keys(tls);
        }
        let offset_secs = if json { 0 } else { crate::tui::terminal::local_offset() };
        Ok((Self { watch, json, offset_secs }, rx))
    }

    /// Watches the port an engine event announces; call before the event
    /// is reported.
    pub(super) fn observe(&mut self, event: &Event) {
        let (EventKind::Listening { local, .. } | EventKind::Connected { local, .. }) = &event.kind
        else {
            return;
        };
        let Some(addr) = local.inet() else { return };
        if let Err(err) = self.watch.add_local(addr.port()) {
            eprintln!("sockpit: {err}");
        }
    }

    /// Shows `first` and every segment already waiting on stderr, with one
    /// write (a bulk transfer makes tens of thousands a second), and
    /// records them.
    pub(super) fn report(
        &self,
        first: &Segment,
        rx: Option<&mut mpsc::Receiver<Segment>>,
        recorder: &mut Recorder,
    ) {
        let mut text = String::new();
        let mut add = |seg: &Segment| {
            let line = if self.json {
                crate::json::segment_line(seg)
            } else {
                render::line(seg, self.offset_secs)
            };
            text.push_str(&line);
            text.push('\n');
            recorder.segment(seg);
        };
        add(first);
        if let Some(rx) = rx {
            for _ in 1..BATCH {
                let Ok(seg) = rx.try_recv() else { break };
                add(&seg);
            }
        }
        // A closed stderr is no reason to stop moving data.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// Stops the capture and shows what it still had: what is queued, and
    /// (when `linger` allows) the last segments of connections still closing.
    pub(super) async fn finish(
        mut self,
        mut rx: mpsc::Receiver<Segment>,
        linger: Duration,
        recorder: &mut Recorder,
    ) {
        self.watch.stop(linger);
        while let Some(seg) = rx.recv().await {
            self.report(&seg, Some(&mut rx), recorder);
        }
        let summary = self.watch.finish().await;
        if summary.dropped == 0 && summary.error.is_none() {
            return;
        }
        let line = if self.json {
            crate::json::wire_line(&summary, crate::net::event::now_micros())
        } else {
            let mut text = format!(
                "sockpit: the capture missed {} frames (its queue was full): the segment lines \
                 are incomplete",
                summary.dropped
            );
            if let Some(error) = &summary.error {
                text = format!("sockpit: {error}");
            }
            text
        };
        eprintln!("{line}");
    }
}

/// The next segment, or never when there is no capture.
pub(super) async fn next(rx: Option<&mut mpsc::Receiver<Segment>>) -> Option<Segment> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}
