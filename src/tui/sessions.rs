//! The engine sessions behind the TUI, one per end. Each session's events
//! are tagged with its end and merged into one bounded channel for the loop;
//! commands go through a per-end queue so a slow socket never blocks the
//! loop (the queue only grows as fast as a person types or pastes).

use crate::net::Addr;

use tokio::sync::mpsc;

use super::Incoming;
use super::upload::Upload;
use super::wire::Taps;
use crate::app::wire::Status;
use crate::cli::End;
use crate::net::{self, CHANNEL_DEPTH, Command, Event, Kind, Role, SessionHandle, SockId, Target};

/// Commands that may wait for one session besides the engine's own
/// channel: far more than a person types between two sends.
const QUEUE: usize = 1024;

/// One end's session, running or waiting to start.
struct Slot {
    end: End,
    handle: Option<SessionHandle>,
    commands: Option<mpsc::Sender<Command>>,
    /// The `/file` being streamed to this session, stopped with it.
    upload: Option<tokio::task::JoinHandle<()>>,
    /// Tags this session's events; aborted when the session is replaced so
    /// a dead session's last events never reach the new one's end.
    forward: Option<tokio::task::JoinHandle<()>>,
    /// The sockets this session was last told to sample (`None`: all, as
    /// a fresh session does).
    watched: Option<Vec<SockId>>,
}

/// All sessions of the TUI.
pub struct Sessions {
    slots: Vec<Slot>,
    events: mpsc::Sender<Incoming>,
    /// Each end's capture, opened before its first session.
    pub taps: Taps,
    /// Capture statuses not yet handed to the app.
    news: Vec<(usize, Status)>,
    /// The demo's client waits for the server's real port.
    demo: bool,
}

impl Sessions {
    /// Sessions for these ends, none started yet; tagged events go to `events`.
    #[must_use]
    pub fn new(ends: Vec<End>, demo: bool, events: mpsc::Sender<Incoming>) -> Self {
        let taps = Taps::new(ends.len(), events.clone());
        let slots = ends
            .into_iter()
            .map(|end| Slot {
                end,
                handle: None,
                commands: None,
                upload: None,
                forward: None,
                watched: None,
            })
            .collect();
        Self { slots, events, taps, news: Vec::new(), demo }
    }

    /// Capture statuses since the last call, for the app.
    pub fn news(&mut self) -> Vec<(usize, Status)> {
        std::mem::take(&mut self.news)
    }

    /// Opens end `i`'s capture now (before the terminal is set up); its
    /// status is in [`Sessions::news`].
    pub fn open_capture(&mut self, i: usize) {
        if let Some(slot) = self.slots.get(i)
            && let Some(status) = self.taps.open(i, &slot.end.config.role)
        {
            self.news.push((i, status));
        }
    }

    /// End `i`'s TLS configurations (their secrets go into its capture).
    #[must_use]
    pub fn tls_configs(&self, i: usize) -> Vec<crate::net::tls::Tls> {
        self.slots.get(i).map(|s| s.end.config.tls_configs().cloned().collect()).unwrap_or_default()
    }

    /// Watches the ports an engine event of end `i` announces.
    pub fn observe(&mut self, i: usize, event: &Event) {
        self.taps.observe(i, event);
    }

    /// Starts what can start now: every end, or in the demo only the server
    /// (in step mode both: the student connects the client by hand).
    /// Returns the ends started.
    pub fn start(&mut self) -> Vec<usize> {
        let step = self.slots.iter().all(|s| s.end.config.step);
        let first = if self.demo && !step { 1.min(self.slots.len()) } else { self.slots.len() };
        (0..first).inspect(|i| self.spawn(*i)).collect()
    }

    /// The demo's server is listening on `local`: point the client at it and
    /// start it. Returns the client's new role when it was started.
    pub fn server_ready(&mut self, local: Addr, kind: Kind) -> Option<(usize, Role)> {
        if !self.demo || self.slots.len() < 2 || self.slots[1].handle.is_some() {
            return None;
        }
        let role = match (local, kind) {
            (Addr::Unix(name), kind) => Role::UnixClient(name, kind),
            (Addr::Inet(ip), Kind::Dgram) => Role::UdpClient(Target::Addr(ip)),
            (Addr::Inet(ip), _) => Role::TcpClient(Target::Addr(ip)),
        };
        self.slots[1].end.config.role = role.clone();
        self.spawn(1);
        Some((1, role))
    }

    fn spawn(&mut self, i: usize) {
        // The capture first: the session's SYN must find it open.
        if let Some(status) = self.taps.open(i, &self.slots[i].end.config.role) {
            self.news.push((i, status));
        }
        let slot = &mut self.slots[i];
        let mut config = slot.end.config.clone();
        config.recv_size = slot.end.recv_size.map_or(1024, |n| n as usize);
        // Outside step mode, read what is waiting (the Lifecycle says so
        // once), unless --recv-size asked for a size.
        config.read_waiting = slot.end.recv_size.is_none();
        let (tx, mut rx) = mpsc::channel(CHANNEL_DEPTH);
        let handle = net::spawn(config, tx);
        let tagged = self.events.clone();
        let forward = tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                if tagged.send(Incoming::Engine(i, ev)).await.is_err() {
                    break;
                }
            }
        });
        let (cmd_tx, mut cmd_rx) = mpsc::channel(QUEUE);
        let engine = handle.commands.clone();
        tokio::spawn(async move {
            while let Some(cmd) = cmd_rx.recv().await {
                if engine.send(cmd).await.is_err() {
                    break;
                }
            }
        });
        if let Some(upload) = slot.upload.take() {
            upload.abort();
        }
        slot.handle = Some(handle);
        slot.commands = Some(cmd_tx);
        slot.forward = Some(forward);
        // A fresh session samples every socket.
        slot.watched = None;
    }

    /// Alt-R: end `i`'s session is replaced by a fresh one (its sockets
    /// close); `step` says whether the new one starts in step mode.
    pub fn restart(&mut self, i: usize, step: bool) {
        let Some(slot) = self.slots.get_mut(i) else { return };
        if let Some(forward) = slot.forward.take() {
            forward.abort();
        }
        // Dropping the command queue ends the old session.
        slot.commands = None;
        slot.handle = None;
        slot.end.config.step = step;
        self.spawn(i);
    }

    /// Queues a command for end `i`'s session; false when the queue is
    /// full (the command is dropped; the loop says so). A session that has
    /// ended takes commands silently, as its socket would.
    #[must_use]
    pub fn send(&self, i: usize, command: Command) -> bool {
        let Some(tx) = self.slots.get(i).and_then(|s| s.commands.as_ref()) else { return true };
        !matches!(tx.try_send(command), Err(mpsc::error::TrySendError::Full(_)))
    }

    /// Narrows end `i`'s sampling to `socks` (`None`: all) when that
    /// differs from what it was last told. Never waits: with the queue
    /// full, nothing is sent and the next call tries again.
    pub fn watch(&mut self, i: usize, socks: Option<Vec<SockId>>) {
        let Some(slot) = self.slots.get_mut(i) else { return };
        let Some(tx) = &slot.commands else { return };
        if slot.watched == socks {
            return;
        }
        if tx.try_send(Command::Watch { socks: socks.clone() }).is_ok() {
            slot.watched = socks;
        }
    }

    /// `/file`: streams `path` to `to` on end `i`'s session in chunks of
    /// `chunk` bytes, from a task that waits whenever the session does.
    pub fn send_file(&mut self, i: usize, path: String, to: net::To, chunk: usize) {
        let news = self.events.clone();
        let Some(slot) = self.slots.get_mut(i) else { return };
        let Some(handle) = &slot.handle else { return };
        let upload = Upload { end: i, path, to, chunk, engine: handle.commands.clone(), news };
        if let Some(old) = slot.upload.replace(tokio::spawn(upload.run())) {
            old.abort();
        }
    }

    /// F6: a live session reconnects; one that has ended (its connect
    /// failed) is started again. Returns whether a new session was spawned.
    pub fn reconnect(&mut self, i: usize) -> bool {
        let Some(slot) = self.slots.get(i) else { return false };
        let ended = slot.handle.as_ref().is_none_or(|h| h.task.is_finished());
        if ended {
            self.spawn(i);
            true
        } else {
            // A full queue drops the reconnect as it would a typed line.
            let _ = self.send(i, Command::Reconnect);
            false
        }
    }

    /// Ends every session (their sockets close) and waits a moment for them.
    pub async fn shutdown(mut self) {
        self.taps.stop();
        let tasks: Vec<_> = self
            .slots
            .iter_mut()
            .filter_map(|s| {
                if let Some(upload) = s.upload.take() {
                    upload.abort();
                }
                s.commands = None;
                s.handle.take()
            })
            .map(|h| h.task)
            .collect();
        let all = futures_util::future::join_all(tasks);
        let _ = tokio::time::timeout(std::time::Duration::from_millis(500), all).await;
    }
}
