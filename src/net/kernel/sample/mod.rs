//! A snapshot of one socket as the kernel sees it: identity, Python-level
//! mode beside the real `O_NONBLOCK` flag, options, queue sizes and
//! `TCP_INFO`. Each socket task samples its own socket on a timer and once
//! more right before it closes, so a closed socket keeps its last figures.

use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use socket2::SockRef;

use crate::net::event::{EventKind, Family, Kind, SockId};
use crate::net::kernel::sys;
use crate::net::kernel::ticker::Ticker;
use crate::net::session::ctx::Ctx;
use crate::net::sockaddr::Addr;

mod figures;

pub use figures::{AcceptQueue, Linger, Options, Sample, TcpFigures};

/// Samples one socket, remembering what does not change between ticks
/// (options, addresses once known) so that a tick costs three system calls
/// (`TCP_INFO`, `SIOCINQ`, `SIOCOUTQ`) rather than fifteen.
#[derive(Debug)]
pub(crate) struct Sampler {
    kind: Kind,
    listening: bool,
    cached: Option<Sample>,
    /// Python's `gettimeout()`, which only the task that makes the calls knows.
    pub timeout: Option<f64>,
}

impl Sampler {
    pub fn new(kind: Kind, listening: bool) -> Self {
        Self { kind, listening, cached: None, timeout: None }
    }

    /// A fresh sample of `socket`. `last` re-reads everything (an option may
    /// have been set since) and marks the sample as the socket's last.
    pub fn sample(&mut self, socket: &impl AsFd, last: bool) -> Sample {
        let fd = socket.as_fd();
        let mut sample = match self.cached.take() {
            Some(cached) if !last => cached,
            _ => self.identity(socket),
        };
        // An unconnected UDP socket gets its port on the first send, and a
        // peer address can only appear (connect), never change.
        if sample.local.as_ref().is_none_or(|a| a.inet().is_some_and(|ip| ip.port() == 0)) {
            sample.local = local_of(socket);
        }
        if sample.peer.is_none() && !self.listening {
            sample.peer = peer_of(socket);
        }
        let tcp = match (self.kind, sample.family) {
            (Kind::Stream, Family::Inet | Family::Inet6) => sys::tcp_info(fd).ok(),
            _ => None,
        };
        sample.accept_queue = tcp
            .filter(|_| self.listening)
            .map(|(info, _)| AcceptQueue { len: info.unacked, backlog: info.sacked });
        sample.tcp = tcp.map(|(info, len)| TcpFigures::from_info(&info, len));
        if !self.listening {
            sample.recv_q = sys::inq(fd).ok();
            sample.send_q = sys::outq(fd).ok();
        }
        sample.last = last;
        sample.timeout = self.timeout;
        self.cached = Some(sample.clone());
        sample
    }

    /// What only changes through a call of ours: fd, family, flags, options.
    fn identity(&self, socket: &impl AsFd) -> Sample {
        let fd = socket.as_fd();
        let local = local_of(socket);
        let family = local.as_ref().map_or(Family::Inet, Family::of);
        Sample {
            fd: fd.as_raw_fd(),
            family,
            kind: self.kind,
            listening: self.listening,
            local,
            peer: None,
            timeout: None,
            nonblocking: sys::is_nonblocking(fd).ok(),
            options: options_of(socket, self.kind, family),
            recv_q: None,
            send_q: None,
            tcp: None,
            accept_queue: None,
            last: false,
        }
    }
}

/// Unchanged samples in a row after which a socket's timer backs off (at
/// a 250 ms period: after 1 s of stillness, to one sample every 4 s).
const QUIET_BEFORE_SLOWER: u32 = 4;

/// What a socket task needs to sample its socket: the timer, the cache,
/// and the last sample reported.
///
/// A sample is reported only when a figure changed since the last report,
/// ages (`last_data_*`) aside: they grow every tick and follow from the
/// event's time. An idle socket is still sampled at every tick but costs no
/// event, which is what keeps a thousand idle sockets cheap to watch.
pub(crate) struct Sampling {
    ticker: Ticker,
    sampler: Sampler,
    reported: Option<Sample>,
    /// Samples in a row that found nothing new.
    quiet: u32,
    /// The session's count of sockets sampling (this one among them while
    /// its timer is on).
    crowd: Arc<AtomicUsize>,
    /// Outside the watched set: the timer is off until [`Ctx::watch`] names
    /// this socket again and wakes it through `wake`.
    parked: Option<SockId>,
    wake: Arc<tokio::sync::Notify>,
    /// The session's parked sockets (see `Ctx::parked`).
    registry: crate::net::session::ctx::Parked,
}

/// Sockets sampling in one session above which an idle one backs off.
pub(crate) const CROWD: usize = 64;

impl Drop for Sampling {
    fn drop(&mut self) {
        if self.ticker.on() {
            self.crowd.fetch_sub(1, Ordering::Relaxed);
        }
        if let (Some(sock), Ok(mut parked)) = (self.parked, self.registry.lock()) {
            parked.remove(&sock);
        }
    }
}

impl Sampling {
    /// Sampling at the session's period (`ctx.sample_every`).
    pub fn new(ctx: &Ctx, kind: Kind, listening: bool) -> Self {
        let (ticker, sampler) = (Ticker::new(ctx.sample_every), Sampler::new(kind, listening));
        let crowd = Arc::clone(&ctx.sampled);
        if ticker.on() {
            crowd.fetch_add(1, Ordering::Relaxed);
        }
        let (wake, registry) = (Arc::default(), Arc::clone(&ctx.parked));
        Self { ticker, sampler, reported: None, quiet: 0, crowd, parked: None, wake, registry }
    }

    /// Records `gettimeout()` for the samples to come.
    pub fn set_timeout(&mut self, timeout: Option<std::time::Duration>) {
        self.sampler.timeout = timeout.map(|t| t.as_secs_f64());
    }

    /// Forgets what only a call changes (addresses, options): a call by hand
    /// may rebind the socket (refused connect, then another) or set one.
    pub fn forget_identity(&mut self) {
        self.sampler.cached = None;
    }

    /// Waits for the next tick; cancel-safe, for a `select!` arm. A parked
    /// socket's next tick is when it is watched again.
    pub async fn tick(&mut self) {
        if self.parked.is_some() {
            self.wake.notified().await;
            self.parked = None;
            self.ticker.reset();
            return;
        }
        self.ticker.tick().await;
    }

    /// Wakes with `other`'s timer (a relay pair's two legs share one).
    pub fn share_wake(&mut self, other: &Self) {
        self.wake = Arc::clone(&other.wake);
    }

    /// Ticks again, watched or not (the other leg of a relay pair is).
    pub fn unpark(&mut self) {
        if let (Some(sock), Ok(mut parked)) = (self.parked.take(), self.registry.lock()) {
            parked.remove(&sock);
        }
    }

    /// Nobody looks at socket `sock`: its timer stops until a watch names
    /// it (see [`Ctx::watch`] for why no wake-up is lost).
    fn park(&mut self, ctx: &Ctx, sock: SockId) {
        if let Ok(mut parked) = self.registry.lock() {
            parked.insert(sock, Arc::clone(&self.wake));
            self.parked = Some(sock);
        }
        if ctx.watching(sock) {
            // Watched again meanwhile: the watch may have missed the entry.
            if let Ok(mut parked) = self.registry.lock() {
                parked.remove(&sock);
            }
            self.parked = None;
        }
    }

    /// The socket did something (moved bytes, answered a call): sample it
    /// at the full rate again.
    pub fn stir(&mut self) {
        self.quiet = 0;
        self.ticker.reset();
    }

    /// Samples `socket` and reports it as socket `sock`'s figures, if any
    /// changed; a socket whose figures keep still is sampled less often.
    pub async fn emit(&mut self, ctx: &Ctx, sock: SockId, socket: &impl AsFd) {
        if !ctx.watching(sock) {
            // Nobody looks at this one: no system calls, no event, no timer.
            // Its last report stays, so it reports again once watched and
            // changed.
            self.park(ctx, sock);
            return;
        }
        let sample = self.sampler.sample(socket, false);
        if self.reported.as_ref().is_some_and(|old| same_but_ages(old, &sample)) {
            if self.crowd.load(Ordering::Relaxed) <= CROWD {
                // The crowd has thinned: full rate again.
                self.stir();
                return;
            }
            self.quiet += 1;
            if self.quiet >= QUIET_BEFORE_SLOWER {
                self.quiet = 0;
                self.ticker.slower();
            }
            return;
        }
        self.stir();
        ctx.kernel_stir.notify_one();
        self.reported = Some(sample.clone());
        ctx.emit(EventKind::Sample { sock, sample: Box::new(sample) }).await;
    }

    /// The closing sample, taken right before `close()` so that a closed
    /// socket keeps its last figures (when sampling is on at all).
    pub async fn last(&mut self, ctx: &Ctx, sock: SockId, socket: &impl AsFd) {
        if self.ticker.on() {
            let sample = Box::new(self.sampler.sample(socket, true));
            ctx.emit(EventKind::Sample { sock, sample }).await;
        }
    }
}

/// Whether two samples differ only in the ages that grow by themselves.
fn same_but_ages(old: &Sample, new: &Sample) -> bool {
    let ageless = |s: &Sample| {
        let mut s = s.clone();
        if let Some(t) = &mut s.tcp {
            (t.last_data_sent_ms, t.last_data_recv_ms) = (0, 0);
        }
        s
    };
    ageless(old) == ageless(new)
}

fn local_of(socket: &impl AsFd) -> Option<Addr> {
    SockRef::from(socket).local_addr().ok().and_then(|a| Addr::from_sockaddr(&a))
}

fn peer_of(socket: &impl AsFd) -> Option<Addr> {
    SockRef::from(socket).peer_addr().ok().and_then(|a| Addr::from_sockaddr(&a))
}

fn options_of(socket: &impl AsFd, kind: Kind, family: Family) -> Options {
    let s = SockRef::from(socket);
    Options {
        rcvbuf: s.recv_buffer_size().ok(),
        sndbuf: s.send_buffer_size().ok(),
        reuseaddr: s.reuse_address().ok(),
        keepalive: s.keepalive().ok(),
        nodelay: match (kind, family) {
            (Kind::Stream, Family::Inet | Family::Inet6) => s.tcp_nodelay().ok(),
            _ => None,
        },
        ttl: match family {
            Family::Inet => s.ttl_v4().ok(),
            Family::Inet6 => s.unicast_hops_v6().ok(),
            Family::Unix => None,
        },
        linger: s.linger().ok().map(|l| l.map_or(Linger::Off, Linger::On)),
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests;
