//! The session task: brings the role's sockets to life, then routes each
//! command to the socket it is for and adopts new connections, one task per
//! socket. It ends when its command channel closes; its sockets close with it.

mod backlog;
mod clients;
mod commands;
pub(crate) mod ctx;
mod relay;
mod step;

use std::collections::BTreeMap;

use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::net::driver::bulk::Counter;
use crate::net::driver::conn::{Conn, Listener};
use crate::net::driver::dgram::Dgram;
use crate::net::driver::listener::{Accepted, run_listener};
use crate::net::driver::stream::Connection;
use crate::net::driver::udp::{Datagrams, Peer};
use crate::net::event::{Call, EventKind, Kind, SockId};
use crate::net::kernel::KernelWatch;
use crate::net::kernel::ticker::Ticker;
use crate::net::session::backlog::Backlogs;
use crate::net::session::ctx::{Ctx, SockHandle, sock_channel};
use crate::net::session::step::Steps;
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::CallMode;
use crate::net::socket::setup;
use crate::net::socket::unix::Unlink;
use crate::net::{CHANNEL_DEPTH, Command, Event, Holds, SessionConfig, SetupError};

struct Session {
    ctx: Ctx,
    config: SessionConfig,
    /// Sockets that carry data (TCP connections, UDP sockets), oldest first.
    conns: BTreeMap<SockId, SockHandle>,
    listeners: BTreeMap<SockId, SockHandle>,
    /// Step mode: every socket made by hand, from `socket()` on.
    steps: Steps,
    holds: Holds,
    tasks: JoinSet<()>,
    accepted: mpsc::Sender<Accepted>,
    /// Broker: connections hand received data here to relay to the others.
    relay: Option<mpsc::Sender<(SockId, Bytes)>>,
    /// What waits for connections whose peer does not read.
    backlogs: Backlogs,
    /// The kernel's view of our TCP sockets, fd-less ones included.
    kernel: KernelWatch,
    /// A Unix server's socket file, removed when the session is over.
    own_file: Option<Unlink>,
}

/// Runs one session until `commands` closes.
pub(crate) async fn run(
    config: SessionConfig,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<Event>,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let (accepted, mut adopt) = mpsc::channel(CHANNEL_DEPTH);
    let (relay_tx, mut relayed) = mpsc::channel(CHANNEL_DEPTH);
    let (step_news, mut news) = mpsc::channel(CHANNEL_DEPTH);
    let relay = config.broker.then_some(relay_tx);
    // Step mode: the driver is held back everywhere; the student calls.
    let holds = if config.step { Holds { accept: true, reads: true } } else { config.holds };
    let mut s = Session {
        ctx: Ctx::new(events, config.sample_every, shutdown),
        config,
        conns: BTreeMap::new(),
        listeners: BTreeMap::new(),
        steps: Steps::new(step_news),
        holds,
        tasks: JoinSet::new(),
        accepted,
        relay,
        backlogs: Backlogs::default(),
        kernel: KernelWatch::new(),
        own_file: None,
    };
    // Only TCP has sockets without an fd worth listing.
    let tcp = !s.config.role.is_unix() && s.config.role.kind() == Kind::Stream;
    let mut kernel_ticks = Ticker::new(s.config.sample_every.filter(|_| tcp));
    let kernel_stir = std::sync::Arc::clone(&s.ctx.kernel_stir);
    let mut quiet = 0;
    // Only while something waits for a peer that does not read.
    let mut drain = tokio::time::interval(Duration::from_millis(5));
    if let Err(error) = s.start().await {
        s.ctx.emit(EventKind::Fatal { error }).await;
        return;
    }
    loop {
        tokio::select! {
            cmd = commands.recv() => match cmd {
                Some(cmd) => {
                    quiet = 0;
                    kernel_ticks.reset();
                    s.handle(cmd).await;
                }
                None => break,
            },
            Some(conn) = adopt.recv() => {
                quiet = 0;
                kernel_ticks.reset();
                s.adopt(conn).await;
            }
            Some((from, data)) = relayed.recv() => s.relay(from, data).await,
            Some(news) = news.recv() => s.step_news(news).await,
            Some(_) = s.tasks.join_next() => s.prune(),
            () = kernel_stir.notified() => {
                quiet = 0;
                kernel_ticks.reset();
            }
            () = kernel_ticks.tick() => {
                // A listing walks the kernel's whole connection table (even
                // in a namespace of three sockets: most of an idle demo's
                // CPU), and lists every one of ten thousand connections:
                // back off while it shows nothing new. A command, a new
                // connection or any socket's changed figures bring it back.
                if s.watch_kernel().await {
                    quiet = 0;
                    kernel_ticks.reset();
                } else {
                    quiet += 1;
                    if quiet >= QUIET_KERNEL_TICKS {
                        kernel_ticks.slower();
                    }
                }
            }
            _ = drain.tick(), if !s.backlogs.is_empty() => s.backlogs.drain(&s.conns),
        }
    }
    // The token ends every call still blocked (a step `accept()` must not
    // keep its port); dropping the handles tells every socket task to
    // close. Wait so their close events are reported before the session
    // is over.
    s.ctx.shutdown.cancel();
    // Nobody reads these any more: a task sending on one must not wait.
    drop((adopt, relayed, news));
    s.conns.clear();
    s.listeners.clear();
    s.steps.socks.clear();
    while s.tasks.join_next().await.is_some() {}
}

/// Kernel listings in a row that found nothing new before the watch backs
/// off (at the 250 ms period: one second).
const QUIET_KERNEL_TICKS: u32 = 4;

impl Session {
    /// Makes the role's first calls: listen, bind, or connect.
    async fn start(&mut self) -> Result<(), SetupError> {
        if self.config.step {
            return Ok(());
        }
        let addrs = self.config.role.target().resolve().await.map_err(|e| {
            SetupError::call("getaddrinfo", self.config.role.target().to_string(), e)
        })?;
        let first = addrs[0].clone();
        let (role, unlink) = (&self.config.role, self.config.unlink);
        if role.serves_connections() {
            let (id, listener) = setup::listener(&self.ctx, &self.config, &first, unlink).await?;
            self.own_file = Unlink::of(&first);
            self.tls_context(id).await;
            if let (Ok(Addr::Inet(local)), Listener::Tcp(_)) = (listener.local(), &listener) {
                self.kernel.register(id, &listener, local, None);
            }
            let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
            let (ctx, accepted, single) =
                (self.ctx.clone(), self.accepted.clone(), self.config.single);
            let mode = CallMode::default();
            self.tasks.spawn(run_listener(ctx, id, listener, inbox, accepted, single, mode));
            self.listeners.insert(id, handle);
        } else if role.kind().is_connected() {
            self.connect(&addrs).await?;
        } else if role.is_server() {
            let v6 = self.config.v6_only;
            let (id, socket) = setup::dgram_bound(&self.ctx, &first, v6, unlink).await?;
            self.own_file = Unlink::of(&first);
            if let Some(relay) = &self.config.relay {
                self.spawn_dgram_relay(id, socket, relay.clone());
                return Ok(());
            }
            self.spawn_udp(id, "server", socket, Peer::LastSender(None), CallMode::default());
        } else {
            let connected = !self.config.unconnected;
            let (id, socket) = setup::dgram_client(&self.ctx, &first, connected).await?;
            let peer = if connected { Peer::Connected(first) } else { Peer::Fixed(first) };
            self.spawn_udp(id, "client", socket, peer, CallMode::default());
        }
        Ok(())
    }

    /// A TLS server's context, made once: its `ssl` lines, and the
    /// certificate it made for itself.
    async fn tls_context(&self, listener: SockId) {
        let Some(tls) = &self.config.tls else { return };
        for call in tls.context_calls() {
            let done = Ok(crate::net::Returned::Tls(crate::net::tls::TlsReturned::Set));
            self.ctx.call(listener, "ctx", Call::Tls(call.clone()), done).await;
        }
        if let Some(cert) = tls.generated() {
            let saved = tls.options().save_cert.as_ref().map(|p| p.display().to_string());
            let made = crate::net::tls::TlsEvent::Generated { cert: Box::new(cert.clone()), saved };
            self.ctx.emit(EventKind::Tls(made)).await;
        }
    }

    async fn connect(&mut self, addrs: &[Addr]) -> Result<(), SetupError> {
        let (id, stream) = setup::connect(&self.ctx, &self.config, addrs).await?;
        self.spawn_connection(id, "client", stream, CallMode::default(), None).await;
        Ok(())
    }

    fn spawn_udp(
        &mut self,
        id: SockId,
        var: &'static str,
        socket: Dgram,
        peer: Peer,
        mode: CallMode,
    ) {
        let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
        let task = Datagrams {
            ctx: self.ctx.clone(),
            id,
            var,
            socket,
            peer,
            recv_size: self.config.recv_size,
            echo: self.config.echo,
            sink: self.config.sink.then(|| Counter::new(id, true)),
            known: Vec::new(),
            mode,
            sent: 0,
            received: 0,
        };
        self.tasks.spawn(task.run(inbox));
        self.conns.insert(id, handle);
    }

    async fn adopt(&mut self, conn: Accepted) {
        // Walking every connection per accept would make a burst of
        // thousands quadratic: only when the limit may have been reached.
        if self.conns.len() >= self.config.max_conns {
            self.prune();
        }
        if self.conns.len() >= self.config.max_conns {
            self.reject(conn).await;
            return;
        }
        if let (true, Some(tcp)) = (self.config.nodelay, conn.stream.tcp()) {
            setup::nodelay(&self.ctx, conn.id, conn.var, tcp).await;
        }
        if self.config.relay.is_some() {
            self.spawn_pair(conn).await;
            return;
        }
        self.spawn_connection(conn.id, conn.var, conn.stream, conn.mode, conn.names).await;
    }

    async fn spawn_connection(
        &mut self,
        id: SockId,
        var: &'static str,
        stream: Conn,
        mode: CallMode,
        names: Option<(Addr, Addr)>,
    ) {
        use std::os::fd::AsRawFd;
        let fd = stream.as_raw_fd();
        let Some((local, peer)) = names.or_else(|| stream.local().ok().zip(stream.peer().ok()))
        else {
            // The peer left between accept and now; nothing to run.
            return;
        };
        self.ctx.connected(id, fd, local.clone(), peer.clone()).await;
        // Registering reads the socket's inode (an `fstat`): only when the
        // kernel watch runs at all (sampling on).
        if let (Addr::Inet(local), Addr::Inet(peer), Some(_)) =
            (&local, &peer, self.config.sample_every)
        {
            self.kernel.register(id, &stream, *local, Some(*peer));
        }
        let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
        let conn = Connection {
            ctx: self.ctx.clone(),
            id,
            var,
            kind: stream.kind(),
            stream,
            peer: peer.clone(),
            recv_size: self.config.recv_size,
            read_waiting: self.config.read_waiting,
            echo: self.config.echo,
            sink: self.config.sink,
            relay: self.relay.clone(),
            mode,
            tls: self.config.tls.clone(),
            timeout: self.config.timeout,
        };
        self.tasks.spawn(conn.run_lean(inbox));
        self.conns.insert(id, SockHandle { peer: Some(peer), ..handle });
    }

    /// Lists the kernel's sockets; reports the fd-less ones when they change
    /// and every state change seen. Whether anything was.
    async fn watch_kernel(&mut self) -> bool {
        let seen = self.kernel.tick();
        let news = seen.list.is_some() || !seen.transitions.is_empty();
        if let Some(sockets) = seen.list {
            self.ctx.emit(EventKind::Kernel { sockets }).await;
        }
        for t in seen.transitions {
            self.ctx.emit(EventKind::Transition(t)).await;
        }
        news
    }

    /// Forgets sockets whose task has ended.
    fn prune(&mut self) {
        self.conns.retain(|_, h| !h.out.is_closed());
        self.listeners.retain(|_, h| !h.out.is_closed());
    }
}
