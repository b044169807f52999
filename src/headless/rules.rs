//! What each event does to a headless run, and when the run is over (the
//! "exits" column of docs/headless.md).

use std::process::ExitCode;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::record::Recorder;
use super::stdio::{self, Framing};
use super::{Headless, source};
use crate::net::{self, CloseReason, Command, Event, EventKind, Kind, To};

impl Headless {
    /// Counts, reports and records one event, adds received bytes to the
    /// batch for stdout; `Some(code)` when it is time to exit.
    pub(super) fn handle(
        &mut self,
        event: &Event,
        recorder: &mut Recorder,
        batch: &mut Vec<bytes::Bytes>,
        commands: &mpsc::Sender<Command>,
        eof: &mpsc::Sender<u64>,
    ) -> Option<ExitCode> {
        if let Some(totals) = &mut self.totals {
            totals.observe(event);
        }
        if let Some(tap) = &mut self.tap {
            tap.observe(event);
        }
        if !self.counted_only(event) {
            self.reporter.report(event);
        }
        recorder.event(event);
        if let Some(dump) = &mut self.dump {
            dump.observe(event);
        }
        if let EventKind::Data(record) = &event.kind {
            if record.dir == net::Dir::Received && !self.end.sink && !self.relay {
                batch.push(record.data.clone());
            }
        }
        self.on_event(event, commands, eof)
    }

    pub(super) fn start_stdin(
        &mut self,
        commands: &mpsc::Sender<Command>,
        eof: &mpsc::Sender<u64>,
    ) {
        let to = if self.end.keep_open { To::All } else { To::Current };
        if let Some(source) = self.end.source.take() {
            source::spawn_source(source, to, commands.clone(), eof.clone());
            return;
        }
        let Some(input) = self.stdin.take() else { return };
        let kind = self.end.config.role.kind();
        // Datagrams and seqpacket messages keep boundaries: a line each.
        let lines = kind != Kind::Stream;
        let framing = Framing { lines, crlf: self.crlf, shutdown_at_eof: kind.is_connected(), to };
        stdio::spawn_stdin(framing, input, commands.clone(), eof.clone());
    }

    /// Updates the state for one event; `Some(code)` when it is time to exit.
    pub(super) fn on_event(
        &mut self,
        event: &Event,
        commands: &mpsc::Sender<Command>,
        eof: &mpsc::Sender<u64>,
    ) -> Option<ExitCode> {
        match &event.kind {
            EventKind::Fatal { .. } => return Some(ExitCode::FAILURE),
            EventKind::Connected { sock, .. } if self.end.keep_open => {
                // stdin's EOF applies to connections that come after it too.
                if self.stdin_sends.is_some() && self.reads_stdin() {
                    let shut = Command::Shutdown { to: To::Sock(*sock), how: net::Shut::Write };
                    let commands = commands.clone();
                    tokio::spawn(async move { commands.send(shut).await });
                }
                self.start_stdin(commands, eof);
            }
            EventKind::Connected { sock, .. } => {
                self.conn = Some(*sock);
                self.start_stdin(commands, eof);
            }
            EventKind::Call(record)
                if (Some(record.sock) == self.conn || self.conn.is_none())
                    && matches!(record.call, net::Call::Shutdown(_))
                    && record.result.is_ok() =>
            {
                self.our_shutdown_done = true;
            }
            EventKind::Data(record) if record.dir == net::Dir::Sent => self.sent += 1,
            // A UDP source's one command is done when its totals come.
            EventKind::Totals(moved) if moved.dir == net::Dir::Sent => self.sent += 1,
            EventKind::Totals(_) if self.end.config.role.serves_datagrams() => {
                // A UDP sink ends after `--timeout` of silence following
                // the first datagram: UDP has no EOF to wait for. The
                // engine's totals come at least every 0.1 s while data flows.
                self.arm_quiet();
            }
            EventKind::Data(_) if self.quiet_until.is_some() => self.arm_quiet(),
            EventKind::Dropped { .. } => self.sent += 1,
            EventKind::PeerEof { sock } if Some(*sock) == self.conn => self.peer_eof = true,
            EventKind::PeerEof { sock } if self.end.keep_open && !self.relay => {
                // Many clients, like `ncat -k`: a client that has stopped
                // sending has left. Close its connection once what is queued
                // for it is written, so clients that come and go never use
                // up files or `--max-conns`.
                let close = Command::Close { to: To::Sock(*sock) };
                let commands = commands.clone();
                tokio::spawn(async move { commands.send(close).await });
            }
            EventKind::Closed { sock, reason } if Some(*sock) == self.conn => {
                return Some(match reason {
                    CloseReason::Local => ExitCode::SUCCESS,
                    CloseReason::Failed(_) => ExitCode::FAILURE,
                });
            }
            EventKind::Closed { reason: CloseReason::Failed(_), .. }
                if self.end.config.role.kind() == Kind::Dgram
                    && !self.end.config.role.is_server() =>
            {
                return Some(ExitCode::FAILURE);
            }
            _ => {}
        }
        self.check_done()
    }

    /// The "exits" column of docs/headless.md.
    pub(super) fn check_done(&mut self) -> Option<ExitCode> {
        let role = &self.end.config.role;
        let connected = role.kind().is_connected();
        match (connected, role.is_server()) {
            (true, false) => {
                let stdin_done = self.our_shutdown_done;
                (self.peer_eof && stdin_done).then_some(ExitCode::SUCCESS)
            }
            (true, true) if self.end.keep_open => None,
            (true, true) => {
                let stdin_done = self.our_shutdown_done || !self.reads_stdin();
                (self.peer_eof && stdin_done && !self.end.config.echo).then_some(ExitCode::SUCCESS)
            }
            (false, false) => {
                if self.quiet_until.is_none()
                    && self.stdin_sends.is_some_and(|sends| self.sent >= sends)
                {
                    self.arm_quiet();
                }
                None
            }
            (false, true) => None,
        }
    }

    pub(super) fn arm_quiet(&mut self) {
        self.quiet_until = Some(Instant::now() + self.end.linger);
    }
}
