//! A connection (TCP, Unix stream or seqpacket) as a task: it reads (unless
//! held) while writing what it is given, so a peer that is slow to read
//! never stops us reading (no deadlock with echo servers), and a full
//! outbox stops us taking more (backpressure).

use std::collections::VecDeque;
use std::io;

use bytes::{BufMut, Bytes, BytesMut};
use tokio::sync::mpsc;

use crate::net::CallError;
use crate::net::Shut;
use crate::net::driver::bulk::{self, Counter, Drained};
use crate::net::driver::conn::Conn;
use crate::net::event::{Call, CloseReason, DataRecord, Dir, EventKind, Kind, Returned, SockId};
use crate::net::kernel::sample::Sampling;
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::CallMode;
use crate::net::tls::Tls;
use crate::net::tls::layer::TlsLayer;
use std::time::Duration;

/// Bytes queued for writing before the connection stops taking more.
const OUTBOX_CAP: usize = 1 << 20;

/// One connection's state while its task runs.
pub(crate) struct Connection {
    pub ctx: Ctx,
    pub id: SockId,
    pub var: &'static str,
    pub stream: Conn,
    pub peer: Addr,
    /// Stream or seqpacket: what the samples say.
    pub kind: Kind,
    pub recv_size: usize,
    /// [`crate::net::SessionConfig::read_waiting`].
    pub read_waiting: bool,
    pub echo: bool,
    /// Read and discard, counting (`--sink`).
    pub sink: bool,
    /// Broker: where received data goes to be relayed to the other clients.
    pub relay: Option<mpsc::Sender<(SockId, Bytes)>>,
    /// How calls made by hand wait (`settimeout`/`setblocking`).
    pub mode: CallMode,
    /// `--tls`: the handshake runs first, then records carry the data.
    pub tls: Option<Tls>,
    /// The handshake's deadline (`--timeout`).
    pub timeout: Option<Duration>,
}

/// Where the connection's task stands.
#[derive(Default)]
pub(crate) struct Progress {
    pub outbox: VecDeque<Out>,
    queued: usize,
    pub front_written: usize,
    peer_eof: bool,
    sent: u64,
    received: u64,
    pub mode: CallMode,
    /// `--sink`: what was read and discarded.
    pub sink: Option<Counter>,
    /// `--tls`: the live TLS state, once the handshake is done.
    pub tls: Option<TlsLayer>,
    /// Where the auto driver's recvs land: each chunk is split off and
    /// handed on as is, and the block is reused once every chunk of it is
    /// dropped (no copy, no allocation per recv).
    rbuf: BytesMut,
}

/// Chunks per block of [`Progress::rbuf`].
const RECVS_PER_BLOCK: usize = 16;

/// The bufsize of the auto driver's recv when it reads what is waiting.
pub(crate) const READ_WAITING: usize = 64 * 1024;

/// A block of [`Progress::rbuf`] is at most this large (sixteen 64 KiB
/// reads would pin a MiB while any chunk of it is shown).
const MAX_BLOCK: usize = 256 * 1024;

impl Connection {
    /// Runs until closed, by command, by failure, or by the session ending;
    /// `first` is a command already taken from the inbox (see `lean`).
    pub(crate) async fn run(mut self, mut inbox: SockInbox, first: Option<Out>) {
        let mut sampling = Sampling::new(&self.ctx, self.kind, false);
        let sink = self.sink.then(|| Counter::new(self.id, false));
        let mut st = Progress { mode: self.mode, sink, ..Progress::default() };
        if let Some(out) = first {
            enqueue(&mut st, out);
        }
        let reason = match self.tls.clone() {
            Some(tls) => match self.start_tls(&tls).await {
                Ok(layer) => {
                    st.tls = Some(layer);
                    self.drive(&mut inbox, &mut sampling, &mut st).await
                }
                Err(reason) => reason,
            },
            None => self.drive(&mut inbox, &mut sampling, &mut st).await,
        };
        self.tls_wire(&mut st).await;
        sampling.last(&self.ctx, self.id, &self.stream).await;
        self.ctx.closed(self.id, self.var, reason).await;
    }

    async fn drive(
        &self,
        inbox: &mut SockInbox,
        sampling: &mut Sampling,
        st: &mut Progress,
    ) -> CloseReason {
        // For calls made by hand; allocated at first use, so a server
        // holding thousands of idle connections zeroes none of them.
        let mut buf = Vec::new();
        loop {
            let gate = &mut inbox.gate;
            if let Some(reason) = self.run_control_steps(st, &mut buf, gate).await {
                return reason;
            }
            // An echo server with a full outbox stops reading: the peer is
            // slowed down instead of our memory growing.
            let echo_full = self.echo && st.queued >= OUTBOX_CAP;
            let reading = !st.peer_eof && !inbox.hold.borrow().reads && !echo_full;
            let tls_out = st.tls.as_ref().is_some_and(TlsLayer::wants_write);
            let writing = matches!(st.outbox.front(), Some(Out::Data(_))) || tls_out;
            // Plaintext rustls already holds is read without waiting.
            let buffered = st.tls.as_ref().is_some_and(TlsLayer::has_plain);
            // Biased, writes before reads: an echo goes out before the next
            // recv is tried (an unbiased select tried a read first half the
            // time, a would-block syscall on the round trip's path).
            let step = tokio::select! {
                biased;
                changed = inbox.hold.changed() => match changed {
                    Ok(()) => Ok(()),
                    Err(_) => return CloseReason::Local,
                },
                () = sampling.tick() => {
                    sampling.emit(&self.ctx, self.id, &self.stream).await;
                    self.tls_wire(st).await;
                    Ok(())
                }
                ready = self.stream.writable(), if writing => match ready {
                    Ok(()) if st.tls.is_some() => { sampling.stir(); self.write_tls(st).await }
                    Ok(()) => { sampling.stir(); self.write_some(st).await }
                    Err(err) => Err((Call::SendAll { len: 0 }, err)),
                },
                out = inbox.out.recv(), if st.queued < OUTBOX_CAP => match out {
                    Some(out) => { sampling.stir(); enqueue(st, out); Ok(()) }
                    None => return CloseReason::Local,
                },
                ready = readable(&self.stream, buffered), if reading => match ready {
                    Ok(()) if st.tls.is_some() => { sampling.stir(); self.read_tls(st).await }
                    Ok(()) => { sampling.stir(); self.read_some(st).await }
                    Err(err) => Err((Call::Recv { bufsize: self.recv_size }, err)),
                },
            };
            if let Err((call, err)) = step {
                let failed = match &st.tls {
                    Some(layer) => crate::net::tls::errors::data(&err, layer.server_side),
                    None => CallError::from_io(&err),
                };
                self.ctx.call(self.id, self.var, call, Err(failed.clone())).await;
                return CloseReason::Failed(failed);
            }
        }
    }

    async fn write_some(&self, st: &mut Progress) -> Result<(), (Call, io::Error)> {
        let Some(Out::Data(data)) = st.outbox.front() else { return Ok(()) };
        let data = data.clone();
        match self.stream.try_write(&data[st.front_written..]) {
            Ok(n) => st.front_written += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err((Call::SendAll { len: data.len() }, e)),
        }
        if st.front_written < data.len() {
            return Ok(());
        }
        self.sent_all(st, data).await;
        Ok(())
    }

    /// Reports one whole `sendall` and moves on to the next in the outbox.
    pub(crate) async fn sent_all(&self, st: &mut Progress, data: Bytes) {
        st.outbox.pop_front();
        st.queued -= data.len();
        st.front_written = 0;
        let offset = st.sent;
        st.sent += data.len() as u64;
        let call = Call::SendAll { len: data.len() };
        self.ctx.call(self.id, self.var, call, Ok(Returned::Nothing)).await;
        let record = DataRecord {
            sock: self.id,
            dir: Dir::Sent,
            peer: Some(self.peer.clone()),
            data,
            offset,
        };
        self.ctx.emit(EventKind::Data(record)).await;
    }

    /// `shutdown(how)` on the plain socket, reported (after `unwrap()`
    /// under the plain socket's variable).
    pub(crate) async fn shutdown_plain(&self, how: Shut) {
        let var = if self.var == "tls" { self.plain_var() } else { self.var };
        let result = socket2::SockRef::from(&self.stream)
            .shutdown(how.std())
            .map(|()| Returned::Nothing)
            .map_err(|e| CallError::from_io(&e));
        self.ctx.call(self.id, var, Call::Shutdown(how), result).await;
    }

    /// The variable of the plain socket under `tls`.
    fn plain_var(&self) -> &'static str {
        if self.tls.as_ref().is_some_and(Tls::is_server) { "sock" } else { "client" }
    }

    async fn read_some(&self, st: &mut Progress) -> Result<(), (Call, io::Error)> {
        let size = if self.read_waiting { READ_WAITING } else { self.recv_size.max(1) };
        if let Some(counter) = &mut st.sink {
            let recv = |e| (Call::Recv { bufsize: size }, e);
            if bulk::drain_stream(&self.stream, size, counter).map_err(recv)? != Drained::Eof {
                return Ok(());
            }
            self.ctx.emit(EventKind::Totals(counter.take())).await;
            return self.received(st, size, Ok(Bytes::new())).await.map_err(recv);
        }
        // Reading what is waiting: `recv(65536)` as the call, but the
        // buffer sized by FIONREAD, so a 10-byte message takes 10 bytes.
        let limit = if self.read_waiting { waiting(&self.stream, self.recv_size) } else { size };
        if st.rbuf.capacity() < limit {
            // Takes the block back when every chunk of it is gone.
            st.rbuf.reserve((limit * RECVS_PER_BLOCK).min(MAX_BLOCK).max(limit));
        }
        let read = self.stream.try_read_buf(&mut (&mut st.rbuf).limit(limit));
        if matches!(&read, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            return Ok(());
        }
        let read = read.map(|_| st.rbuf.split().freeze());
        self.received(st, size, read).await.map_err(|e| (Call::Recv { bufsize: size }, e))
    }

    /// Reports one completed `recv(bufsize)`; on EOF the peer is done sending.
    pub(crate) async fn received(
        &self,
        st: &mut Progress,
        bufsize: usize,
        read: io::Result<Bytes>,
    ) -> io::Result<()> {
        let data = read?;
        let n = data.len();
        let returned = Returned::Data { data: data.clone(), from: None, truncated: None };
        self.ctx.call(self.id, self.var, Call::Recv { bufsize }, Ok(returned)).await;
        if n == 0 {
            st.peer_eof = true;
            self.ctx.emit(EventKind::PeerEof { sock: self.id }).await;
            if self.echo {
                enqueue(st, Out::Close);
            }
            return Ok(());
        }
        let offset = st.received;
        st.received += n as u64;
        if self.echo {
            enqueue(st, Out::Data(data.clone()));
        }
        if let Some(relay) = &self.relay {
            let _ = relay.send((self.id, data.clone())).await;
        }
        let record = DataRecord {
            sock: self.id,
            dir: Dir::Received,
            peer: Some(self.peer.clone()),
            data,
            offset,
        };
        if self.tls.is_none() {
            self.notice_client_hello(&record).await;
        }
        self.ctx.emit(EventKind::Data(record)).await;
        Ok(())
    }
}

/// Bytes the kernel holds for us (FIONREAD), between `at_least` and
/// [`READ_WAITING`]; all of that when it cannot say.
fn waiting(stream: &Conn, at_least: usize) -> usize {
    use std::os::fd::AsFd;
    crate::net::kernel::sys::inq(stream.as_fd())
        .map_or(READ_WAITING, |n| (n as usize).clamp(at_least.clamp(1, READ_WAITING), READ_WAITING))
}

/// Readiness to read, at once when `buffered` (TLS plaintext already in).
async fn readable(stream: &Conn, buffered: bool) -> io::Result<()> {
    if buffered { Ok(()) } else { stream.readable().await }
}

fn enqueue(st: &mut Progress, out: Out) {
    if let Out::Data(data) = &out {
        if data.is_empty() {
            return;
        }
        st.queued += data.len();
    }
    st.outbox.push_back(out);
}
