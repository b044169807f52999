//! A socket made by hand (step mode) as a task of its own, from `socket()`
//! until the session ends: it takes one call at a time, carries it out with
//! [`CallSocket::execute`], and reports the call, the bytes it moved, what
//! it became (listening, connected, closed) and its figures right after.
//! Nothing happens by itself, and a closed socket stays, answering as
//! Python's closed object does.

use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use bytes::Bytes;
use socket2::Socket;
use tokio::sync::mpsc;

use super::{CallSocket, Done};
use crate::net::event::{Call, CloseReason, DataRecord, Dir, EventKind, Kind, Returned, SockId};
use crate::net::kernel::sample::Sampling;
use crate::net::kernel::sys;
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::CallGate;

/// What a step socket has been, for the session to find the socket a call
/// without a target is meant for (`accept` → the listener).
#[derive(Debug, Default)]
pub(crate) struct Phase(AtomicU8);

impl Phase {
    pub const LISTENING: u8 = 1;
    pub const CONNECTED: u8 = 2;
    pub const CLOSED: u8 = 4;

    pub fn mark(&self, bit: u8) {
        self.0.fetch_or(bit, Ordering::Relaxed);
    }

    /// Whether the socket ever was (or is) `bit`.
    pub fn is(&self, bit: u8) -> bool {
        self.0.load(Ordering::Relaxed) & bit != 0
    }
}

/// What a step socket tells its session besides events.
pub(crate) enum News {
    /// `accept()` on socket `from` made a connection: the session runs it
    /// as step socket `id`, then reports the call.
    Accepted { from: SockId, var: &'static str, id: SockId, socket: Socket, peer: Addr },
    /// A TCP socket to follow in the kernel's tables (fd-less states too).
    Watch { id: SockId, inode: u64, local: SocketAddr, peer: Option<SocketAddr> },
}

/// One step socket's task state.
pub(crate) struct StepTask {
    pub ctx: Ctx,
    pub id: SockId,
    pub var: &'static str,
    pub socket: CallSocket,
    /// Where a plain send goes on an unconnected datagram socket: a
    /// client's target, a server's last sender.
    pub default_peer: Option<Addr>,
    pub phase: Arc<Phase>,
    pub news: mpsc::Sender<News>,
    /// Bytes (stream) or datagrams sent and received: data events' offsets.
    pub sent: u64,
    pub received: u64,
}

impl StepTask {
    /// Runs until the session ends.
    pub(crate) async fn run(mut self, mut inbox: SockInbox) {
        let mut sampling = Sampling::new(&self.ctx, self.socket.kind, false);
        self.sample(&mut sampling).await;
        loop {
            tokio::select! {
                biased;
                () = self.ctx.shutdown.cancelled() => break,
                out = inbox.out.recv() => match out {
                    Some(out) => {
                        let (call, data) = self.call_for(out);
                        self.make(call, data, &mut inbox.gate, &mut sampling).await;
                    }
                    None => break,
                },
                () = sampling.tick(), if self.socket.socket().is_some() => {
                    self.sample(&mut sampling).await;
                }
            }
        }
        if let Some(socket) = self.socket.socket() {
            sampling.last(&self.ctx, self.id, socket).await;
            let reason = CloseReason::Local;
            self.ctx.emit(EventKind::Closed { sock: self.id, reason }).await;
        }
    }

    async fn sample(&self, sampling: &mut Sampling) {
        if let Some(socket) = self.socket.socket() {
            sampling.set_timeout(self.socket.mode.timeout);
            sampling.emit(&self.ctx, self.id, socket).await;
        }
    }

    /// The call a queued step stands for: plain sends are `sendall` on a
    /// stream, `send` on a datagram socket (`sendto` its default peer
    /// when it has no connected one).
    fn call_for(&self, out: Out) -> (Call, Bytes) {
        let none = Bytes::new();
        match out {
            Out::Call(call) => (*call, none),
            Out::CallWith(call, data) => (*call, data),
            Out::Data(data) | Out::Broadcast(data) => {
                let len = data.len();
                let connected = self.phase.is(Phase::CONNECTED);
                match (&self.default_peer, self.socket.kind) {
                    (_, kind) if kind.is_connected() => (Call::SendAll { len }, data),
                    (Some(to), _) if !connected => (Call::SendTo { len, to: to.clone() }, data),
                    _ => (Call::Send { len }, data),
                }
            }
            Out::DataTo(to, data) => (Call::SendTo { len: data.len(), to: *to }, data),
            Out::Shutdown(how) => (Call::Shutdown(how), none),
            Out::Close => (Call::Close, none),
            // Step sockets have no source nor relay; an empty send says so
            // harmlessly.
            Out::Source { .. } | Out::Relay(..) => (Call::SendAll { len: 0 }, none),
        }
    }

    /// Makes one call and reports it with what it caused.
    async fn make(
        &mut self,
        call: Call,
        data: Bytes,
        gate: &mut CallGate,
        sampling: &mut Sampling,
    ) {
        let was_open = self.socket.socket().is_some();
        if call == Call::Close {
            if let Some(socket) = self.socket.socket() {
                sampling.last(&self.ctx, self.id, socket).await;
            }
        }
        let seq = gate.begin();
        let result = if self.socket.waits(&call) {
            // Sampled while it waits: a blocked sendall shows its send
            // queue filling, a blocked accept its queue.
            let (socket, ctx, id) = (&self.socket, &self.ctx, self.id);
            let call_made = socket.wait_call(&call, &data, (gate, seq));
            tokio::pin!(call_made);
            loop {
                tokio::select! {
                    biased;
                    result = &mut call_made => break result,
                    () = sampling.tick() => {
                        if let Some(open) = socket.socket() {
                            sampling.emit(ctx, id, open).await;
                        }
                    }
                }
            }
        } else {
            self.socket.execute(&call, &data, (gate, seq)).await
        };
        if self.ctx.shutdown.is_cancelled() {
            // The session is over: nobody waits for this call's answer.
            return;
        }
        match result {
            Ok(Done::Accepted(socket, peer)) => {
                // The session reports the call once the new socket can take
                // calls: a `getpeername()` right after it must find it.
                let (from, var, id) = (self.id, self.var, self.ctx.new_id());
                let _ = self.news.send(News::Accepted { from, var, id, socket, peer }).await;
            }
            Ok(Done::Value(value)) => {
                // Before the result goes out: a call sent the moment it
                // arrives must find the socket by what it now is.
                self.mark(&call, &value, was_open);
                self.ctx.call(self.id, self.var, call.clone(), Ok(value.clone())).await;
                self.after(&call, &value, &data, was_open, sampling).await;
            }
            Err(failed) => self.ctx.call(self.id, self.var, call, Err(failed)).await,
        }
        sampling.forget_identity();
        self.sample(sampling).await;
    }

    /// What a successful call made of the socket.
    fn mark(&self, call: &Call, value: &Returned, was_open: bool) {
        match (call, value) {
            (Call::Listen(_), _) => self.phase.mark(Phase::LISTENING),
            (Call::Connect(_), _) | (Call::ConnectEx(_), Returned::Int(0)) => {
                self.phase.mark(Phase::CONNECTED);
            }
            (Call::Close, _) if was_open => self.phase.mark(Phase::CLOSED),
            _ => {}
        }
    }

    /// What a successful call changed, as events.
    async fn after(
        &mut self,
        call: &Call,
        value: &Returned,
        data: &Bytes,
        was_open: bool,
        sampling: &mut Sampling,
    ) {
        let Some(socket) = self.socket.socket() else {
            if was_open && *call == Call::Close {
                let reason = CloseReason::Local;
                self.ctx.emit(EventKind::Closed { sock: self.id, reason }).await;
            }
            return;
        };
        let (fd, kind) = (socket.as_raw_fd(), self.socket.kind);
        let local = || crate::net::driver::conn::addr_of(socket.local_addr()).ok();
        match (call, value) {
            (Call::Listen(_), _) => {
                *sampling = Sampling::new(&self.ctx, kind, true);
                if let Some(local) = local() {
                    self.watch(socket, &local, None).await;
                    self.ctx.emit(EventKind::Listening { sock: self.id, fd, local, kind }).await;
                }
            }
            (Call::Bind(_), _) if !kind.is_connected() => {
                if let Some(local) = local() {
                    self.ctx.emit(EventKind::Listening { sock: self.id, fd, local, kind }).await;
                }
            }
            (Call::Connect(_), _) | (Call::ConnectEx(_), Returned::Int(0)) => {
                let peer = crate::net::driver::conn::addr_of(socket.peer_addr()).ok();
                if let (Some(local), Some(peer)) = (local(), peer) {
                    self.watch(socket, &local, Some(&peer)).await;
                    self.ctx.connected(self.id, fd, local, peer).await;
                }
            }
            (Call::Send { .. } | Call::SendTo { .. }, Returned::Count(n)) => {
                let to = match call {
                    Call::SendTo { to, .. } if !kind.is_connected() => Some(to.clone()),
                    _ => peer_of(socket),
                };
                self.moved(Dir::Sent, to, data.slice(..(*n).min(data.len()))).await;
            }
            (Call::SendAll { .. }, _) => self.moved(Dir::Sent, peer_of(socket), data.clone()).await,
            (Call::Recv { .. } | Call::RecvFrom { .. }, Returned::Data { data, from, .. }) => {
                // `recv(0)` asks for nothing and gets it: no EOF.
                let asked = matches!(call, Call::Recv { bufsize } | Call::RecvFrom { bufsize } if *bufsize > 0);
                if kind.is_connected() && data.is_empty() {
                    if asked {
                        self.ctx.emit(EventKind::PeerEof { sock: self.id }).await;
                    }
                    return;
                }
                if from.is_some() && !self.phase.is(Phase::CONNECTED) {
                    self.default_peer.clone_from(from);
                }
                let peer = from.clone().or_else(|| peer_of(socket));
                self.moved(Dir::Received, peer, data.clone()).await;
            }
            _ => {}
        }
    }

    /// Follows a TCP socket in the kernel's tables.
    async fn watch(&self, socket: &Socket, local: &Addr, peer: Option<&Addr>) {
        let (Some(local), Ok(inode)) = (local.inet(), sys::inode(socket.as_fd())) else { return };
        if self.socket.kind != Kind::Stream {
            return;
        }
        let peer = peer.and_then(Addr::inet);
        let _ = self.news.send(News::Watch { id: self.id, inode, local, peer }).await;
    }

    /// Reports bytes that crossed the socket.
    async fn moved(&mut self, dir: Dir, peer: Option<Addr>, data: Bytes) {
        let datagram = !self.socket.kind.is_connected();
        let count = if datagram { 1 } else { data.len() as u64 };
        let counter = match dir {
            Dir::Sent => &mut self.sent,
            Dir::Received => &mut self.received,
        };
        let offset = *counter;
        *counter += count;
        let record = DataRecord { sock: self.id, dir, peer, data, offset };
        self.ctx.emit(EventKind::Data(record)).await;
    }
}

fn peer_of(socket: &Socket) -> Option<Addr> {
    crate::net::driver::conn::addr_of(socket.peer_addr()).ok()
}
