//! A datagram socket (UDP, Unix datagram) as a task: `recvfrom`/`recv` in a loop unless held, and each
//! send as one datagram — to the connected peer, the client's target, or (a
//! server) the last sender.

use std::io;

use bytes::Bytes;
use tokio::io::Interest;

use crate::net::CallError;
use crate::net::driver::bulk::{self, Counter};
use crate::net::driver::dgram::Dgram;
use crate::net::event::{
    Call, CloseReason, DataRecord, Dir, EventKind, Kind, Moved, Returned, SockId, now_micros,
};
use crate::net::kernel::sample::Sampling;
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::{self, CallGate, CallMode};
use crate::net::socket::{ByHand, by_hand};

/// Largest UDP payload over IPv4; also the buffer every datagram is read
/// into, so a datagram longer than `recv_size` is truncated exactly as the
/// kernel would (and we know by how much).
const MAX_DATAGRAM: usize = 65_536;

/// What wakes a reader: data, or an error queued on the socket.
const READY: Interest = Interest::READABLE.add(Interest::ERROR);

/// Peers a UDP server remembers for `/all`; more are still answered when
/// they write, just not broadcast to.
const MAX_PEERS: usize = 4096;

/// How a UDP socket addresses its peer.
#[derive(Debug, Clone)]
pub(crate) enum Peer {
    /// `connect()`ed: `send`/`recv`; ICMP errors surface as ECONNREFUSED.
    Connected(Addr),
    /// Client without connect: `sendto(target)`/`recvfrom`.
    Fixed(Addr),
    /// Server: replies go to whoever sent last.
    LastSender(Option<Addr>),
}

/// One UDP socket's task state.
pub(crate) struct Datagrams {
    pub ctx: Ctx,
    pub id: SockId,
    pub var: &'static str,
    pub socket: Dgram,
    pub peer: Peer,
    pub recv_size: usize,
    pub echo: bool,
    /// `--sink`: datagrams read and discarded, counted.
    pub sink: Option<Counter>,
    /// Every peer heard from (a server's `/all`), oldest first, capped.
    pub known: Vec<Addr>,
    /// How calls made by hand wait (`settimeout`/`setblocking`).
    pub mode: CallMode,
    /// Datagrams sent and received so far (the data events' `offset`).
    pub sent: u64,
    pub received: u64,
}

impl Datagrams {
    /// Runs until closed, by command, by failure, or by the session ending.
    pub(crate) async fn run(mut self, mut inbox: SockInbox) {
        let mut sampling = Sampling::new(&self.ctx, Kind::Dgram, false);
        let reason = self.drive(&mut inbox, &mut sampling).await;
        sampling.last(&self.ctx, self.id, &self.socket).await;
        self.ctx.closed(self.id, self.var, reason).await;
    }

    async fn drive(&mut self, inbox: &mut SockInbox, sampling: &mut Sampling) -> CloseReason {
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            let reading = !inbox.hold.borrow().reads;
            let step = tokio::select! {
                out = inbox.out.recv() => { sampling.stir(); match out {
                    None | Some(Out::Close) => return CloseReason::Local,
                    Some(Out::Data(data)) => self.send(data, None).await,
                    Some(Out::DataTo(to, data)) => self.send(data, Some(*to)).await,
                    Some(Out::Broadcast(data)) => self.broadcast(data).await,
                    Some(Out::Source { total, size }) => self.source(total, size).await,
                    // Not a relay: nothing to hold or forward.
                    Some(Out::Relay(..)) => Ok(()),
                    Some(Out::Call(call)) if matches!(*call, Call::Recv { .. } | Call::RecvFrom { .. }) => {
                        let (Call::Recv { bufsize } | Call::RecvFrom { bufsize }) = *call else { continue };
                        let seq = inbox.gate.begin();
                        self.manual_recv(&mut buf, bufsize, (&mut inbox.gate, seq)).await
                    }
                    Some(Out::Call(call) | Out::CallWith(call, _)) => {
                        inbox.gate.begin();
                        match by_hand(&self.socket, Kind::Dgram, &mut self.mode, &call) {
                            ByHand::Answer(result) => {
                                self.ctx.call(self.id, self.var, *call, result).await;
                            }
                            ByHand::Close => return CloseReason::Local,
                        }
                        Ok(())
                    }
                    // Ctrl-D on UDP: the real shutdown, reported (ENOTCONN
                    // unless connected), never dropped.
                    Some(Out::Shutdown(how)) => {
                        let call = Call::Shutdown(how);
                        if let ByHand::Answer(result) =
                            by_hand(&self.socket, Kind::Dgram, &mut self.mode, &call)
                        {
                            self.ctx.call(self.id, self.var, call, result).await;
                        }
                        Ok(())
                    }
                }},
                // ERROR too: a connected socket's ICMP port-unreachable is
                // EPOLLERR only, and must surface as ECONNREFUSED.
                ready = self.socket.ready(READY), if reading => { sampling.stir(); match ready {
                    Ok(ready) if ready.is_error() => self.queued_error(self.recv_size),
                    Ok(_) if self.sink.is_some() => self.drain_sink(&mut buf).await,
                    Ok(_) => match self.socket.try_recv_from(&mut buf) {
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
                        Err(e) => Err((self.recv_call(self.recv_size), e)),
                        Ok((n, from)) => self.received(&buf, self.recv_size, n, from).await,
                    },
                    Err(err) => Err((self.recv_call(self.recv_size), err)),
                }},
                changed = inbox.hold.changed() => match changed {
                    Ok(()) => Ok(()),
                    Err(_) => return CloseReason::Local,
                },
                () = sampling.tick() => {
                    sampling.emit(&self.ctx, self.id, &self.socket).await;
                    Ok(())
                }
            };
            if let Err((call, err)) = step {
                let failed = CallError::from_io(&err);
                self.ctx.call(self.id, self.var, call, Err(failed.clone())).await;
                // A server outlives one peer's ICMP error; a client's only
                // peer is gone.
                if matches!(self.peer, Peer::LastSender(_)) {
                    continue;
                }
                return CloseReason::Failed(failed);
            }
        }
    }

    /// `--source`: `total` bytes of the pattern as datagrams of `size`,
    /// from one buffer, counted; the totals are reported at the end (also
    /// when a send fails, before the failure).
    async fn source(&mut self, total: u64, size: usize) -> Result<(), (Call, io::Error)> {
        let pattern = bulk::pattern(size.max(1));
        let mut moved = Moved::new(self.id, Dir::Sent, true);
        let mut left = total;
        while left > 0 {
            let n = usize::try_from(left).map_or(pattern.len(), |left| left.min(pattern.len()));
            let data = &pattern[..n];
            let sent = match &self.peer {
                Peer::Connected(_) => self.socket.send(data).await,
                Peer::Fixed(to) => self.socket.send_to(data, to).await,
                // A server answers; it has nobody to send to by itself.
                Peer::LastSender(_) => break,
            };
            if let Err(err) = sent {
                let call = match &self.peer {
                    Peer::Fixed(to) => Call::SendTo { len: n, to: to.clone() },
                    _ => Call::Send { len: n },
                };
                self.ctx.emit(EventKind::Totals(moved)).await;
                return Err((call, err));
            }
            moved.add(n, now_micros());
            left -= n as u64;
        }
        self.sent += moved.calls;
        self.ctx.emit(EventKind::Totals(moved)).await;
        Ok(())
    }

    /// `--sink`: takes what is waiting; reports the totals once the socket
    /// is drained (many datagrams per event when they come fast).
    async fn drain_sink(&mut self, buf: &mut [u8]) -> Result<(), (Call, io::Error)> {
        let call = self.recv_call(self.recv_size);
        let Some(counter) = &mut self.sink else { return Ok(()) };
        let drained = bulk::drain_datagrams(&self.socket, buf, counter).map_err(|e| (call, e))?;
        if counter.due(&drained) {
            self.ctx.emit(EventKind::Totals(counter.take())).await;
        }
        Ok(())
    }

    /// The error the kernel queued on the socket (an ICMP port-unreachable
    /// becomes ECONNREFUSED), reported as the failed recv it would cause.
    fn queued_error(&self, bufsize: usize) -> Result<(), (Call, io::Error)> {
        self.socket.clear_error_readiness();
        match self.socket.take_error() {
            Ok(Some(err)) | Err(err) => Err((self.recv_call(bufsize), err)),
            Ok(None) => Ok(()),
        }
    }

    fn recv_call(&self, bufsize: usize) -> Call {
        match self.peer {
            Peer::Connected(_) => Call::Recv { bufsize },
            _ => Call::RecvFrom { bufsize },
        }
    }

    /// One datagram to every peer heard from.
    async fn broadcast(&mut self, data: Bytes) -> Result<(), (Call, io::Error)> {
        if self.known.is_empty() {
            let why = "no peer has sent a datagram yet, so there is nobody to answer";
            self.ctx.emit(EventKind::Dropped { len: data.len(), why }).await;
        }
        for to in self.known.clone() {
            self.send(data.clone(), Some(to)).await?;
        }
        Ok(())
    }

    /// One datagram out, to `to` or else whoever this socket answers.
    async fn send(&mut self, data: Bytes, to: Option<Addr>) -> Result<(), (Call, io::Error)> {
        let len = data.len();
        let (call, result, to) = match (to, &self.peer) {
            (None, Peer::Connected(to)) => {
                (Call::Send { len }, self.socket.send(&data).await, to.clone())
            }
            (Some(to), _) => {
                let sent = self.socket.send_to(&data, &to).await;
                (Call::SendTo { len, to: to.clone() }, sent, to)
            }
            (None, Peer::Fixed(to) | Peer::LastSender(Some(to))) => {
                let sent = self.socket.send_to(&data, to).await;
                (Call::SendTo { len, to: to.clone() }, sent, to.clone())
            }
            (None, Peer::LastSender(None)) => {
                let why = "no peer has sent a datagram yet, so there is nobody to answer";
                self.ctx.emit(EventKind::Dropped { len, why }).await;
                return Ok(());
            }
        };
        let n = result.map_err(|e| (call.clone(), e))?;
        self.ctx.call(self.id, self.var, call, Ok(Returned::Count(n))).await;
        let record =
            DataRecord { sock: self.id, dir: Dir::Sent, peer: Some(to), data, offset: self.sent };
        self.sent += 1;
        self.ctx.emit(EventKind::Data(record)).await;
        Ok(())
    }

    /// `recv`/`recvfrom` made by hand, waiting as `settimeout` says. A
    /// timeout, Ctrl-C or would-block is reported and the socket lives on.
    async fn manual_recv(
        &mut self,
        buf: &mut [u8],
        bufsize: usize,
        gate: (&mut CallGate, u64),
    ) -> Result<(), (Call, io::Error)> {
        let call = self.recv_call(bufsize);
        let socket = &self.socket;
        let attempt = || socket.try_recv_from(buf);
        let ready = || async {
            if socket.ready(READY).await?.is_error() {
                socket.clear_error_readiness();
                if let Some(err) = socket.take_error()? {
                    return Err(err);
                }
            }
            Ok(None)
        };
        let got = blocking::call(self.mode, gate, attempt, ready).await;
        match got {
            Ok((n, from)) => self.received(buf, bufsize, n, from).await,
            Err(failed) => match failed.errno.filter(|&e| e != libc::EAGAIN) {
                Some(errno) => Err((call, io::Error::from_raw_os_error(errno))),
                None => {
                    self.ctx.call(self.id, self.var, call, Err(failed)).await;
                    Ok(())
                }
            },
        }
    }

    /// Reports one datagram received; longer than `bufsize` is cut as the
    /// kernel would.
    async fn received(
        &mut self,
        buf: &[u8],
        bufsize: usize,
        n: usize,
        from: Addr,
    ) -> Result<(), (Call, io::Error)> {
        let call = self.recv_call(bufsize);
        let kept = n.min(bufsize);
        let data = Bytes::copy_from_slice(&buf[..kept]);
        let truncated = (n > kept).then_some(n);
        if let Peer::LastSender(last) = &mut self.peer {
            *last = Some(from.clone());
            if !self.known.contains(&from) && self.known.len() < MAX_PEERS {
                self.known.push(from.clone());
            }
        }
        let shown_from = matches!(call, Call::RecvFrom { .. }).then(|| from.clone());
        let returned = Returned::Data { data: data.clone(), from: shown_from, truncated };
        self.ctx.call(self.id, self.var, call, Ok(returned)).await;
        let record = DataRecord {
            sock: self.id,
            dir: Dir::Received,
            peer: Some(from.clone()),
            data: data.clone(),
            offset: self.received,
        };
        self.received += 1;
        self.ctx.emit(EventKind::Data(record)).await;
        if self.echo {
            self.send(data, Some(from)).await?;
        }
        Ok(())
    }
}
