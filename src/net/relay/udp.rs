//! The datagram relay (UDP, Unix datagram): one bound socket hears every
//! client; each client address gets a connected upstream socket of its own
//! (so the server's answers can be told apart), closed after `idle` of
//! silence both ways.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::io::Interest;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::net::driver::dgram::Dgram;
use crate::net::event::{
    Call, CloseReason, DataRecord, Dir, EventKind, Returned, SockId, now_micros,
};
use crate::net::relay::{RelayConfig, RelayNote};
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::sockaddr::Addr;
use crate::net::socket::setup;
use crate::net::{CallError, SetupError};

/// The largest datagram: every read fits one whole.
const MAX_DATAGRAM: usize = 65_536;

/// One client's upstream socket, as the listening task sees it.
struct Upstream {
    id: SockId,
    socket: Arc<Dgram>,
    /// Micros of the last datagram either way (the idle clock).
    last: Arc<AtomicU64>,
    sent: u64,
    /// The server's address.
    peer: Addr,
}

/// The listening socket's task.
pub(crate) struct DgramRelay {
    pub ctx: Ctx,
    pub id: SockId,
    pub socket: Arc<Dgram>,
    pub relay: Arc<RelayConfig>,
}

impl DgramRelay {
    /// Runs until the session ends or the listening socket fails.
    pub(crate) async fn run(self, mut inbox: SockInbox) {
        let mut upstreams: HashMap<Addr, Upstream> = HashMap::new();
        let mut tasks = JoinSet::new();
        let (gone_tx, mut gone) = mpsc::channel::<Addr>(64);
        let mut buf = vec![0; MAX_DATAGRAM];
        let mut received = 0;
        let reason = loop {
            tokio::select! {
                ready = self.socket.ready(Interest::READABLE) => {
                    if let Err(err) = ready {
                        break self.failed(&err).await;
                    }
                    let (n, from) = match self.socket.try_recv_from(&mut buf) {
                        Ok(got) => got,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        Err(err) => break self.failed(&err).await,
                    };
                    let data = Bytes::copy_from_slice(&buf[..n]);
                    if self.relay.chunk_events {
                        self.report(self.id, "server", Dir::Received, &from, &data, received).await;
                    }
                    received += 1;
                    if !upstreams.contains_key(&from) {
                        let Some(up) = self.open(&from, &mut tasks, &gone_tx).await else { continue };
                        upstreams.insert(from.clone(), up);
                    }
                    let Some(up) = upstreams.get_mut(&from) else { continue };
                    up.last.store(now_micros(), Ordering::Relaxed);
                    match up.socket.send(&data).await {
                        Ok(_) => {
                            if self.relay.chunk_events {
                                let to = up.peer.clone();
                                self.report(up.id, "upstream", Dir::Sent, &to, &data, up.sent).await;
                            }
                            up.sent += 1;
                        }
                        Err(err) => {
                            let failed = CallError::from_io(&err);
                            let call = Call::Send { len: data.len() };
                            self.ctx.call(up.id, "upstream", call, Err(failed)).await;
                        }
                    }
                }
                Some(addr) = gone.recv() => { upstreams.remove(&addr); }
                Some(_) = tasks.join_next() => {}
                out = inbox.out.recv() => match out {
                    Some(Out::Close) | None => break CloseReason::Local,
                    Some(_) => {}
                },
                () = self.ctx.shutdown.cancelled() => break CloseReason::Local,
            }
        };
        drop(upstreams);
        tasks.shutdown().await;
        self.ctx.closed(self.id, "server", reason).await;
    }

    /// The upstream socket for a new client, and its reading task.
    async fn open(
        &self,
        client: &Addr,
        tasks: &mut JoinSet<()>,
        gone: &mpsc::Sender<Addr>,
    ) -> Option<Upstream> {
        let target = self.relay.upstream.to_string();
        let addrs = match self.relay.upstream.resolve().await {
            Ok(addrs) => addrs,
            Err(e) => {
                self.no_upstream(SetupError::call("getaddrinfo", target, e)).await;
                return None;
            }
        };
        let peer = addrs[0].clone();
        let (id, socket) = match setup::dgram_client(&self.ctx, &peer, true).await {
            Ok(made) => made,
            Err(error) => {
                self.no_upstream(error).await;
                return None;
            }
        };
        let note = RelayNote::Pair {
            client: self.id,
            server: id,
            client_addr: client.clone(),
            faults: Vec::new(),
        };
        self.ctx.emit(EventKind::Relay(note)).await;
        let socket = Arc::new(socket);
        let last = Arc::new(AtomicU64::new(now_micros()));
        let back = Back {
            ctx: self.ctx.clone(),
            id,
            socket: socket.clone(),
            listener: self.socket.clone(),
            listener_id: self.id,
            client: client.clone(),
            server: peer.clone(),
            last: last.clone(),
            relay: self.relay.clone(),
            gone: gone.clone(),
        };
        tasks.spawn(back.run());
        Some(Upstream { id, socket, last, sent: 0, peer })
    }

    async fn no_upstream(&self, error: SetupError) {
        let note = RelayNote::NoUpstream { client: self.id, error };
        self.ctx.emit(EventKind::Relay(note)).await;
    }

    async fn failed(&self, err: &io::Error) -> CloseReason {
        let failed = CallError::from_io(err);
        let call = Call::RecvFrom { bufsize: MAX_DATAGRAM };
        self.ctx.call(self.id, "server", call, Err(failed.clone())).await;
        CloseReason::Failed(failed)
    }

    async fn report(
        &self,
        sock: SockId,
        var: &'static str,
        dir: Dir,
        peer: &Addr,
        data: &Bytes,
        offset: u64,
    ) {
        report(&self.ctx, sock, var, dir, peer, data, offset).await;
    }
}

/// One data event and its call.
async fn report(
    ctx: &Ctx,
    sock: SockId,
    var: &'static str,
    dir: Dir,
    peer: &Addr,
    data: &Bytes,
    offset: u64,
) {
    let (call, returned) = match dir {
        Dir::Received => (
            Call::RecvFrom { bufsize: MAX_DATAGRAM },
            Returned::Data { data: data.clone(), from: Some(peer.clone()), truncated: None },
        ),
        Dir::Sent => {
            (Call::SendTo { len: data.len(), to: peer.clone() }, Returned::Count(data.len()))
        }
    };
    ctx.call(sock, var, call, Ok(returned)).await;
    let record = DataRecord { sock, dir, peer: Some(peer.clone()), data: data.clone(), offset };
    ctx.emit(EventKind::Data(record)).await;
}

/// The way back: one upstream socket's answers to its client.
struct Back {
    ctx: Ctx,
    id: SockId,
    socket: Arc<Dgram>,
    listener: Arc<Dgram>,
    listener_id: SockId,
    client: Addr,
    server: Addr,
    last: Arc<AtomicU64>,
    relay: Arc<RelayConfig>,
    gone: mpsc::Sender<Addr>,
}

impl Back {
    async fn run(self) {
        let mut buf = vec![0; MAX_DATAGRAM];
        let (mut received, mut sent) = (0, 0);
        let idle = self.relay.idle;
        let reason = loop {
            let last = self.last.load(Ordering::Relaxed);
            let quiet_for = std::time::Duration::from_micros(now_micros().saturating_sub(last));
            let wait = idle.saturating_sub(quiet_for);
            tokio::select! {
                ready = self.socket.ready(Interest::READABLE | Interest::ERROR) => {
                    if let Err(err) = ready {
                        break self.failed(&err).await;
                    }
                    let n = match self.socket.try_recv_from(&mut buf) {
                        Ok((n, _)) => n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                        Err(err) => break self.failed(&err).await,
                    };
                    self.last.store(now_micros(), Ordering::Relaxed);
                    let data = Bytes::copy_from_slice(&buf[..n]);
                    if self.relay.chunk_events {
                        let from = self.server.clone();
                        report(&self.ctx, self.id, "upstream", Dir::Received, &from, &data, received).await;
                    }
                    received += 1;
                    match self.listener.send_to(&data, &self.client).await {
                        Ok(_) if self.relay.chunk_events => {
                            report(&self.ctx, self.listener_id, "server", Dir::Sent, &self.client, &data, sent).await;
                        }
                        Ok(_) => {}
                        Err(err) => {
                            let call = Call::SendTo { len: data.len(), to: self.client.clone() };
                            self.ctx.call(self.listener_id, "server", call, Err(CallError::from_io(&err))).await;
                        }
                    }
                    sent += 1;
                }
                () = tokio::time::sleep(wait) => {
                    if self.last.load(Ordering::Relaxed) == last {
                        let note = RelayNote::Idle { server: self.id, client_addr: self.client.clone() };
                        self.ctx.emit(EventKind::Relay(note)).await;
                        break CloseReason::Local;
                    }
                }
                () = self.ctx.shutdown.cancelled() => break CloseReason::Local,
            }
        };
        let _ = self.gone.send(self.client.clone()).await;
        self.ctx.closed(self.id, "upstream", reason).await;
    }

    async fn failed(&self, err: &io::Error) -> CloseReason {
        let failed = CallError::from_io(err);
        let call = Call::Recv { bufsize: MAX_DATAGRAM };
        self.ctx.call(self.id, "upstream", call, Err(failed.clone())).await;
        CloseReason::Failed(failed)
    }
}
