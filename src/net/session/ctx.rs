//! What every socket task shares: the event sender, id allocation, and the
//! per-socket handle the session routes commands through.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::net::event::{Call, CallRecord, CloseReason, Event, EventKind, Returned, SockId};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::CallGate;
use crate::net::{CHANNEL_DEPTH, CallError, Holds, Shut};

/// One queued step for a socket, taken in order: data is written before a
/// later shutdown or close, as Python's sequential calls would.
#[derive(Debug)]
pub(crate) enum Out {
    Data(Bytes),
    /// UDP: one datagram to this peer. (Boxed, like the calls below, so
    /// an `Out` is 40 bytes: every socket's channel allocates a block of
    /// 32 of them up front, 10,000 idle connections 10,000 blocks.)
    DataTo(Box<Addr>, Bytes),
    /// UDP server: one datagram to every peer heard from.
    Broadcast(Bytes),
    /// UDP client: [`crate::net::Command::Source`].
    Source {
        total: u64,
        size: usize,
    },
    Shutdown(Shut),
    Close,
    Call(Box<Call>),
    /// A call by hand that carries bytes (`send`, `sendall`, `sendto`).
    CallWith(Box<Call>, Bytes),
    /// A relay pair: hold, forward, edit or inject one way (both: `None`).
    Relay(Option<crate::net::relay::Way>, crate::net::relay::RelayOp),
}

/// The session's end of one socket task.
#[derive(Debug)]
pub(crate) struct SockHandle {
    pub out: mpsc::Sender<Out>,
    pub hold: watch::Sender<Holds>,
    /// Ctrl-C: set to `calls` to interrupt the call in progress.
    pub cancel: watch::Sender<u64>,
    /// Calls handed to the task so far (see [`crate::net::socket::blocking::CallGate`]).
    pub calls: u64,
    /// The connected peer, for commands addressed by peer.
    pub peer: Option<Addr>,
}

/// The socket task's end of its handle.
pub(crate) struct SockInbox {
    pub out: mpsc::Receiver<Out>,
    pub hold: watch::Receiver<Holds>,
    pub gate: CallGate,
}

/// A connected handle pair with the given starting holds; the task's calls
/// end when `shutdown` is cancelled.
pub(crate) fn sock_channel(holds: Holds, shutdown: &CancellationToken) -> (SockHandle, SockInbox) {
    let (out_tx, out_rx) = mpsc::channel(CHANNEL_DEPTH);
    let (hold_tx, hold_rx) = watch::channel(holds);
    let (cancel_tx, cancel_rx) = watch::channel(0);
    (
        SockHandle { out: out_tx, hold: hold_tx, cancel: cancel_tx, calls: 0, peer: None },
        SockInbox { out: out_rx, hold: hold_rx, gate: CallGate::new(cancel_rx, shutdown.clone()) },
    )
}

/// Shared by the session and its socket tasks; cheap to clone.
#[derive(Clone)]
pub(crate) struct Ctx {
    events: mpsc::Sender<Event>,
    next_id: Arc<AtomicU32>,
    /// How often socket tasks sample their socket (`None`: never).
    pub sample_every: Option<Duration>,
    /// Cancelled when the session ends: every task, and every call blocked
    /// in one, stops at its next await (mini-redis's shutdown signal).
    pub shutdown: CancellationToken,
    /// Sockets of the session sampling on a timer now: only a crowd of
    /// them backs off when idle (a few are cheap at any rate, and a lesson
    /// must see its one listener's accept queue fill at once).
    pub sampled: Arc<AtomicUsize>,
    /// Woken when a socket's figures change: the session's kernel watch,
    /// backed off while nothing happens, looks again at once.
    pub kernel_stir: Arc<tokio::sync::Notify>,
    /// The sockets someone looks at ([`crate::net::Command::Watch`]): only
    /// these sample on their tick. `None`: every socket does (headless and
    /// a fresh session), so nothing changes until a UI narrows it.
    pub watched: Arc<std::sync::RwLock<Option<std::collections::HashSet<SockId>>>>,
    /// Sockets outside the watched set wait here with their timers off
    /// (10,000 timers firing for nothing were most of an idle TUI's CPU);
    /// [`Ctx::watch`] wakes those it brings into the set.
    pub parked: Parked,
}

/// The parked sockets' wake-ups, by socket.
pub(crate) type Parked =
    Arc<std::sync::Mutex<std::collections::HashMap<SockId, Arc<tokio::sync::Notify>>>>;

impl Ctx {
    /// The context of one session, ending with `shutdown`.
    pub fn new(
        events: mpsc::Sender<Event>,
        sample_every: Option<Duration>,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            events,
            next_id: Arc::new(AtomicU32::new(1)),
            sample_every,
            shutdown,
            sampled: Arc::default(),
            kernel_stir: Arc::default(),
            watched: Arc::default(),
            parked: Arc::default(),
        }
    }

    /// Whether `sock`'s figures are wanted now (see [`Ctx::watched`]).
    pub fn watching(&self, sock: SockId) -> bool {
        // A poisoned lock only means a panicking writer: sample, as before.
        self.watched.read().map_or(true, |set| set.as_ref().is_none_or(|s| s.contains(&sock)))
    }

    /// Narrows sampling to `socks` (`None`: every socket again), and wakes
    /// the parked sockets the new set names. (The set is written before the
    /// parked are looked at; a socket parks before it looks at the set: one
    /// of the two sees the other, so none sleeps while watched.)
    pub fn watch(&self, socks: Option<Vec<SockId>>) {
        let ids = socks.clone();
        if let Ok(mut set) = self.watched.write() {
            *set = socks.map(|v| v.into_iter().collect());
        }
        let Ok(mut parked) = self.parked.lock() else { return };
        match ids {
            None => parked.drain().for_each(|(_, wake)| wake.notify_one()),
            Some(ids) => {
                for wake in ids.iter().filter_map(|id| parked.remove(id)) {
                    wake.notify_one();
                }
            }
        }
    }

    /// A fresh socket id.
    pub fn new_id(&self) -> SockId {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends one event, waiting while the consumer is behind. A consumer that
    /// is gone is not an error here: the session ends when commands stop.
    pub async fn emit(&self, kind: EventKind) {
        let _ = self.events.send(Event::now(kind)).await;
    }

    /// Reports a call and its outcome.
    pub async fn call(
        &self,
        sock: SockId,
        var: &'static str,
        call: Call,
        result: Result<Returned, CallError>,
    ) {
        self.emit(EventKind::Call(CallRecord { sock, var, call, result })).await;
    }

    /// Reports `close()` and the socket going away.
    pub async fn closed(&self, sock: SockId, var: &'static str, reason: CloseReason) {
        if reason == CloseReason::Local {
            self.call(sock, var, Call::Close, Ok(Returned::Nothing)).await;
        }
        self.emit(EventKind::Closed { sock, reason }).await;
    }

    /// Reports a connection ready for data.
    pub async fn connected(&self, sock: SockId, fd: i32, local: Addr, peer: Addr) {
        self.emit(EventKind::Connected { sock, fd, local, peer }).await;
    }
}
