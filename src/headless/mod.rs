//! The engine wired to stdin/stdout like nc: stdin's bytes to the socket,
//! received bytes to stdout, both unchanged; events to stderr, one sanitised
//! line each (or JSON). When to exit follows the headless table (docs/headless.md).

mod demo;
mod dump;
mod record;
mod report;
mod rules;
mod source;
mod stats;
mod stdio;
pub(crate) mod tls;
mod totals;
mod wire;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cli::{End, Eol, EventFormat, Plan};
use crate::net::{self, Event, EventKind, Kind, SockId};
pub use demo::demo;
use record::{Recorder, Stop};
use report::Reporter;
use stdio::StdoutSink;
use totals::Totals;

/// Default bytes per recv headless: big reads keep bulk transfers fast.
const HEADLESS_RECV_SIZE: usize = 65_536;

/// Received chunks handed to the stdout thread at once, at most.
const MAX_BATCH: usize = 64;

/// Default bytes per recv of a TCP sink: what it reads is not handed on, so
/// fewer, larger reads are all gain.
const SINK_RECV_SIZE: usize = 256 * 1024;

/// Runs one end headless until the headless table (docs/headless.md) says it is done.
#[must_use]
pub fn run(plan: &Plan) -> ExitCode {
    let Some(end) = plan.ends.first() else { return ExitCode::from(2) };
    let recorder = match Recorder::open(&plan.record, plan.lang) {
        Ok(recorder) => recorder,
        Err(message) => {
            eprintln!("sockpit: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Some(runtime) = runtime() else { return ExitCode::FAILURE };
    let code = runtime.block_on(Headless::new(end, plan).run(recorder));
    // The stdin thread may sit in read(); nothing it holds needs a goodbye.
    runtime.shutdown_background();
    code
}

/// The runtime headless modes run on: one thread for the sessions and the
/// output (stdin is read by a thread of its own), so an event handed to the
/// writer wakes no other thread.
fn runtime() -> Option<tokio::runtime::Runtime> {
    let built = tokio::runtime::Builder::new_current_thread().enable_all().build();
    built.map_err(|err| eprintln!("sockpit: cannot start the runtime: {err}")).ok()
}

/// Where one headless end stands.
struct Headless {
    end: End,
    crlf: bool,
    reporter: Reporter,
    /// The connection or socket carrying data.
    conn: Option<SockId>,
    /// stdin, until its thread starts (opened before any socket exists).
    stdin: Option<std::fs::File>,
    /// Sends stdin made, once it has ended.
    stdin_sends: Option<u64>,
    sent: u64,
    our_shutdown_done: bool,
    peer_eof: bool,
    /// UDP client: exit after this much silence once stdin has ended; UDP
    /// sink: once the first datagram arrived.
    quiet_until: Option<Instant>,
    /// `--source` / `--sink`: what moved, reported at the end instead of
    /// each chunk.
    totals: Option<Totals>,
    /// `--wire`: capture the session's segments.
    wire: bool,
    /// The capture, once open.
    tap: Option<wire::Tap>,
    /// A relay: stdin is not read, nothing goes to stdout.
    relay: bool,
    /// A relay's `--dump`.
    dump: Option<dump::Dumper>,
}

impl Headless {
    fn new(end: &End, plan: &Plan) -> Self {
        let mut end = end.clone();
        let default_size = if end.sink { SINK_RECV_SIZE } else { HEADLESS_RECV_SIZE };
        end.config.recv_size = end.recv_size.map_or(default_size, |n| n as usize);
        // Headless servers serve one connection, like `nc -l`, unless told
        // to keep open.
        end.config.single = !end.keep_open;
        let json = plan.events == EventFormat::Json;
        let recording = plan.record.log.is_some() || plan.record.pcap.is_some();
        if let Some(relay) = &mut end.config.relay {
            // Chunks are reported only when someone reads them: without,
            // the byte path is as fast as it goes.
            relay.chunk_events = end.dump.is_some() || json || recording;
        }
        // Samples are read by --events json, --stats and --log only: without
        // them nobody looks, and ten thousand idle connections cost nothing.
        if !json && plan.stats.is_none() && plan.record.log.is_none() {
            end.config.sample_every = None;
        }
        let target = end.config.role.target().to_string();
        let dgram = end.config.role.kind() == Kind::Dgram;
        let totals = match (end.source, end.sink) {
            (Some(_), _) => Some(Totals::new(net::Dir::Sent, dgram)),
            (None, true) => Some(Totals::new(net::Dir::Received, dgram)),
            (None, false) => None,
        };
        Self {
            crlf: plan.eol == Eol::Crlf,
            reporter: Reporter::new(json, target, plan.verbosity).with_stats(plan.stats),
            conn: None,
            stdin: None,
            stdin_sends: None,
            sent: 0,
            our_shutdown_done: false,
            peer_eof: false,
            quiet_until: None,
            totals,
            wire: plan.wire,
            tap: None,
            relay: end.config.relay.is_some(),
            dump: end.dump.map(|f| dump::Dumper::new(f, std::io::stderr().is_terminal())),
            end,
        }
    }

    fn reads_stdin(&self) -> bool {
        !(self.end.config.echo
            || self.relay
            || self.end.sink
            || self.end.config.broker
            || self.end.source.is_some())
    }

    /// Whether `event` is one chunk of a source's or sink's data, counted in
    /// the totals instead of reported (JSON would carry every byte).
    fn counted_only(&self, event: &Event) -> bool {
        self.totals.is_some()
            && match &event.kind {
                EventKind::Data(_) | EventKind::Totals(_) => true,
                EventKind::Call(record) => record.call.moves_data() && record.result.is_ok(),
                _ => false,
            }
    }

    /// Opens what the run needs before any socket exists: stdin and stdout
    /// (the session may use up every file later), and the capture (so a
    /// client's SYN is seen). `None` once the failure is said.
    fn open(
        &mut self,
        recorder: &mut Recorder,
    ) -> Option<(StdoutSink, Option<mpsc::Receiver<crate::wire::Segment>>)> {
        if self.reads_stdin() {
            match stdio::open_stdin() {
                Ok(file) => self.stdin = Some(file),
                Err(err) => {
                    eprintln!("sockpit: cannot read stdin: {err}");
                    return None;
                }
            }
        }
        let sink = match StdoutSink::spawn(std::io::stdout().is_terminal()) {
            Ok(sink) => sink,
            Err(err) => {
                eprintln!("sockpit: cannot write to stdout: {err}");
                return None;
            }
        };
        let mut segments = None;
        if self.wire {
            match wire::Tap::open(&self.end.config, self.reporter.json(), recorder) {
                Ok((tap, rx)) => (self.tap, segments) = (Some(tap), Some(rx)),
                Err(message) => {
                    eprintln!("sockpit: {message}");
                    return None;
                }
            }
        }
        Some((sink, segments))
    }

    async fn run(mut self, mut recorder: Recorder) -> ExitCode {
        // Caught only while recording, to end between two whole records.
        let mut stop = if recorder.active() { Stop::catch() } else { None };
        let Some((mut sink, mut segments)) = self.open(&mut recorder) else {
            return ExitCode::FAILURE;
        };
        let (events_tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
        let session = net::spawn(self.end.config.clone(), events_tx);
        let (eof_tx, mut eof_rx) = mpsc::channel(1);
        // A UDP socket can take stdin at once: sends wait in the session's
        // queue until the socket exists, and a server reports lines that
        // arrive before any peer as dropped.
        if self.end.config.role.kind() == Kind::Dgram {
            self.start_stdin(&session.commands, &eof_tx);
        }
        let code = loop {
            let quiet = self.quiet_until;
            let stats = self.reporter.stats_due();
            tokio::select! {
                event = events.recv() => {
                    let Some(event) = event else { break ExitCode::SUCCESS };
                    // Every event already waiting is taken too, and their
                    // bytes go to stdout as one batch: the stdout thread is
                    // woken once a burst, not once a recv.
                    let mut batch = Vec::new();
                    let mut next = Some(event);
                    let mut done = None;
                    while let Some(event) = next.take() {
                        done = self.handle(&event, &mut recorder, &mut batch, &session.commands, &eof_tx);
                        if done.is_some() || batch.len() >= MAX_BATCH {
                            break;
                        }
                        next = events.try_recv().ok();
                    }
                    if !batch.is_empty() && !sink.send(batch).await {
                        // stdout is gone (a closed pipe): end quietly.
                        break ExitCode::SUCCESS;
                    }
                    if let Some(code) = done {
                        break code;
                    }
                }
                Some(sends) = eof_rx.recv() => {
                    self.stdin_sends = Some(sends);
                    if let Some(code) = self.check_done() {
                        break code;
                    }
                }
                Some(seg) = wire::next(segments.as_mut()) => {
                    if let Some(tap) = &self.tap {
                        tap.report(&seg, segments.as_mut(), &mut recorder);
                    }
                }
                () = sleep_until(quiet), if quiet.is_some() => break ExitCode::SUCCESS,
                () = sleep_until(stats), if stats.is_some() => self.reporter.print_stats(),
                signo = record::stopped(stop.as_mut()) => {
                    // Everything recorded is whole; stdout may be stuck on a
                    // reader that stopped reading, so do not wait for it.
                    if let (Some(tap), Some(rx)) = (self.tap.take(), segments.take()) {
                        tap.finish(rx, Duration::ZERO, &mut recorder).await;
                    }
                    recorder.finish();
                    finish(session, &mut events).await;
                    return ExitCode::from(u8::try_from(128 + signo).unwrap_or(u8::MAX));
                }
            }
        };
        finish(session, &mut events).await;
        if let (Some(tap), Some(rx)) = (self.tap.take(), segments.take()) {
            tap.finish(rx, crate::wire::CLOSE_LINGER, &mut recorder).await;
        }
        if let Some(totals) = &self.totals {
            self.reporter.report(&totals.event());
        }
        let code = if recorder.finish() { code } else { ExitCode::FAILURE };
        match sink.finish() {
            Err(err) if err.kind() != std::io::ErrorKind::BrokenPipe => {
                eprintln!("sockpit: write to stdout failed: {err}");
                ExitCode::FAILURE
            }
            _ => code,
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Ends the session and gives it a moment to close its sockets (a Unix
/// server removes its socket file then), reading its last events so it
/// never waits on a full channel.
async fn finish(session: net::SessionHandle, events: &mut mpsc::Receiver<Event>) {
    drop(session.commands);
    let drained = async { while events.recv().await.is_some() {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drained).await;
}
