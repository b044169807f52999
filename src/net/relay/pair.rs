//! One relayed connection: the accepted client, the upstream connection
//! made for it through the same call executor as every other socket, and
//! the two directions between them.
//!
//! Half-closes pass through both ways (a client's `shutdown(SHUT_WR)`
//! becomes the upstream's, and the server's FIN the client's), so a
//! client such as curl that waits for the server to finish sees it finish.
//! A reset on one leg is passed on as a reset on the other.

use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::net::event::{Call, CloseReason, EventKind, Returned, SockId, SockOpt};
use crate::net::kernel::sample::Sampling;
use crate::net::relay::fault::{Dice, Toxic, Way};
use crate::net::relay::pump::{Ended, Leg, Pump, WayFaults};
use crate::net::relay::{RelayConfig, RelayNote, RelayOp, secure};
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::socket::setup;
use crate::net::tls::TlsEvent;
use crate::net::{CallError, SessionConfig, SetupError};

/// What a pair needs to start.
pub(crate) struct PairStart {
    pub ctx: Ctx,
    pub relay: Arc<RelayConfig>,
    /// The upstream's connect: its role is the target's client role.
    pub connect: Arc<SessionConfig>,
    pub client: Leg,
    /// `--tls`: the client leg speaks TLS (the session's server context).
    pub client_tls: Option<crate::net::tls::Tls>,
    pub recv_size: usize,
}

/// How the pair ended, and so how its legs close.
enum Outcome {
    /// Both directions done, or closed by command or the session's end.
    Close,
    /// A fault closed it (named).
    Fault(&'static str),
    /// `reset_peer`: both legs reset.
    Reset,
    /// A call failed on one leg: the other is reset when it was a reset.
    Failed(SockId, &'static str, Call, std::io::Error),
}

/// Runs one client until its pair is done.
pub(crate) async fn run(start: PairStart, mut inbox: SockInbox) {
    let PairStart { ctx, relay, connect, mut client, client_tls, recv_size } = start;
    let legs = tokio::select! {
        legs = open_legs(&ctx, &relay, &connect, &mut client, client_tls.as_ref()) => legs,
        () = ctx.shutdown.cancelled() => Err(Unopened::Gone),
        () = closed(&mut inbox) => Err(Unopened::Gone),
    };
    let server = match legs {
        Ok(leg) => leg,
        Err(unopened) => {
            let mut reason = CloseReason::Local;
            match unopened {
                Unopened::Gone => {}
                Unopened::Client(failed) => reason = CloseReason::Failed(failed),
                Unopened::Upstream(error) => {
                    let note = RelayNote::NoUpstream { client: client.id, error };
                    ctx.emit(EventKind::Relay(note)).await;
                }
            }
            let (id, var) = (client.id, client.var);
            drop(client);
            ctx.closed(id, var, reason).await;
            return;
        }
    };
    let mut dice = Dice::new(client.id);
    let mut ways = [WayFaults::default(), WayFaults::default()];
    let mut reset_after: Option<Duration> = None;
    let mut active = Vec::new();
    for fault in &relay.faults {
        if !dice.chance(fault.probability) {
            continue;
        }
        active.push(fault.to_string());
        if let Toxic::ResetPeer { after } = fault.toxic {
            reset_after = Some(reset_after.map_or(after, |t| t.min(after)));
        }
        for (i, way) in Way::BOTH.into_iter().enumerate() {
            if fault.applies(way) {
                ways[i].add(fault.toxic);
            }
        }
    }
    let note = RelayNote::Pair {
        client: client.id,
        server: server.id,
        client_addr: client.peer.clone(),
        faults: active,
    };
    ctx.emit(EventKind::Relay(note)).await;
    let [up_faults, down_faults] = ways;
    let activity = tokio::sync::Notify::new();
    let sampled = ctx.sample_every.is_some().then_some(&activity);
    let outcome = {
        let pump = |way, from, to, faults, dice| Pump {
            ctx: &ctx,
            pair: client.id,
            way,
            hold_cap: relay.hold_cap,
            from,
            to,
            faults,
            dice,
            chunk_events: relay.chunk_events,
            size: recv_size.max(1),
            read: 0,
            written: 0,
            paced_from: None,
            counted_from: 0,
            activity: sampled,
        };
        let up = pump(Way::Up, &client, &server, up_faults, dice.clone());
        dice.next();
        let down = pump(Way::Down, &server, &client, down_faults, dice);
        let reset_at = reset_after.map(|t| Instant::now() + t);
        let (up_ops, up_rx) = mpsc::channel(OPS_DEPTH);
        let (down_ops, down_rx) = mpsc::channel(OPS_DEPTH);
        let pumps = (up.run(up_rx), down.run(down_rx));
        let ops = Ops { up: up_ops, down: down_ops, inbox: &mut inbox };
        drive(&ctx, (&client, &server), pumps, reset_at, ops, &activity).await
    };
    finish(&ctx, client, server, outcome).await;
}

/// Why a pair never ran.
enum Unopened {
    /// The session ended, or closed the client, first.
    Gone,
    /// The client's TLS handshake failed (reported as its call).
    Client(CallError),
    /// No upstream.
    Upstream(SetupError),
}

/// The client's handshake (`--tls`), then the upstream leg, connected and
/// wrapped (`--tls-upstream`).
async fn open_legs(
    ctx: &Ctx,
    relay: &RelayConfig,
    connect: &SessionConfig,
    client: &mut Leg,
    client_tls: Option<&crate::net::tls::Tls>,
) -> Result<Leg, Unopened> {
    if let Some(tls) = client_tls {
        secure::wrap(ctx, client, tls, "tls", connect.timeout).await.map_err(Unopened::Client)?;
    }
    let mut server = connect_upstream(ctx, relay, connect).await.map_err(Unopened::Upstream)?;
    if let Some(tls) = &relay.upstream_tls
        && let Err(failed) = secure::wrap(ctx, &mut server, tls, "up_tls", connect.timeout).await
    {
        let error = SetupError::call("handshake", server.peer.to_string(), failed.clone());
        let (id, var) = (server.id, server.var);
        drop(server);
        ctx.closed(id, var, CloseReason::Failed(failed)).await;
        return Err(Unopened::Upstream(error));
    }
    Ok(server)
}

/// Resolves and connects the target.
async fn connect_upstream(
    ctx: &Ctx,
    relay: &RelayConfig,
    connect: &SessionConfig,
) -> Result<Leg, SetupError> {
    let target = relay.upstream.to_string();
    let addrs =
        relay.upstream.resolve().await.map_err(|e| SetupError::call("getaddrinfo", &target, e))?;
    let (id, conn) = setup::connect_as(ctx, connect, &addrs, "upstream").await?;
    let (Ok(local), Ok(peer)) = (conn.local(), conn.peer()) else {
        let error = CallError::from_errno(libc::ENOTCONN);
        return Err(SetupError::call("getpeername", target, error));
    };
    ctx.connected(id, conn.as_raw_fd(), local, peer.clone()).await;
    Ok(Leg { id, var: "upstream", conn, peer, tls: None })
}

/// Waits until the session tells this pair to close (or forgets it).
async fn closed(inbox: &mut SockInbox) {
    loop {
        match inbox.out.recv().await {
            Some(Out::Close) | None => return,
            Some(_) => {}
        }
    }
}

/// Ops (hold, forward, edit...) that may wait for one direction: far more
/// than a person gives while the direction is busy.
const OPS_DEPTH: usize = 256;

/// Where the session's requests for a running pair go.
struct Ops<'a> {
    up: mpsc::Sender<RelayOp>,
    down: mpsc::Sender<RelayOp>,
    inbox: &'a mut SockInbox,
}

impl Ops<'_> {
    /// Passes requests to the directions until the pair is to close.
    async fn until_closed(&mut self) {
        loop {
            match self.inbox.out.recv().await {
                Some(Out::Close) | None => return,
                Some(Out::Relay(way, op)) => {
                    // A direction that has ended takes no more: fine. One
                    // that has not taken OPS_DEPTH ops is stuck writing to a
                    // peer that does not read; waiting for it here would
                    // also hold back the pair's close, so the op is dropped.
                    if way != Some(Way::Down) {
                        let _ = self.up.try_send(op.clone());
                    }
                    if way != Some(Way::Up) {
                        let _ = self.down.try_send(op);
                    }
                }
                Some(_) => {}
            }
        }
    }
}

/// Runs both directions until the pair is done; samples both legs.
async fn drive(
    ctx: &Ctx,
    (client, server): (&Leg, &Leg),
    (up, down): (impl Future<Output = Ended>, impl Future<Output = Ended>),
    reset_at: Option<Instant>,
    mut ops: Ops<'_>,
    activity: &tokio::sync::Notify,
) -> Outcome {
    tokio::pin!(up, down);
    let (mut up_done, mut down_done) = (false, false);
    let mut sampling = (
        Sampling::new(ctx, client.conn.kind(), false),
        Sampling::new(ctx, server.conn.kind(), false),
    );
    // The pair samples on the client leg's timer: a watch naming either leg
    // wakes it.
    sampling.1.share_wake(&sampling.0);
    let outcome = loop {
        let ended = tokio::select! {
            e = &mut up, if !up_done => { up_done = true; e }
            e = &mut down, if !down_done => { down_done = true; e }
            () = sleep_until(reset_at) => break Outcome::Reset,
            () = ops.until_closed() => break Outcome::Close,
            () = ctx.shutdown.cancelled() => break Outcome::Close,
            () = activity.notified() => {
                sampling.0.stir();
                sampling.1.stir();
                continue;
            }
            () = sampling.0.tick() => {
                sampling.0.emit(ctx, client.id, &client.conn).await;
                sampling.1.emit(ctx, server.id, &server.conn).await;
                if ctx.watching(server.id) {
                    // The timer parks only when neither leg is watched.
                    sampling.0.unpark();
                }
                tls_wire(ctx, client).await;
                tls_wire(ctx, server).await;
                continue;
            }
        };
        match ended {
            Ended::Eof if up_done && down_done => break Outcome::Close,
            Ended::Eof => {}
            Ended::Fault(name) => break Outcome::Fault(name),
            Ended::Reset => break Outcome::Reset,
            Ended::Failed(sock, var, call, err) => break Outcome::Failed(sock, var, call, err),
        }
    };
    sampling.0.last(ctx, client.id, &client.conn).await;
    sampling.1.last(ctx, server.id, &server.conn).await;
    tls_wire(ctx, client).await;
    tls_wire(ctx, server).await;
    outcome
}

/// A TLS leg's wire and plaintext counts, when they moved.
async fn tls_wire(ctx: &Ctx, leg: &Leg) {
    if let Some((sent, received, plain_sent, plain_received)) = leg.tls_news() {
        let wire = TlsEvent::Wire { sock: leg.id, sent, received, plain_sent, plain_received };
        ctx.emit(EventKind::Tls(wire)).await;
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Closes both legs as the outcome says, each reported.
async fn finish(ctx: &Ctx, client: Leg, server: Leg, outcome: Outcome) {
    let id = client.id;
    let (mut client_reason, mut server_reason) = (CloseReason::Local, CloseReason::Local);
    match outcome {
        Outcome::Close => {}
        Outcome::Fault(what) => {
            ctx.emit(EventKind::Relay(RelayNote::Fault { client: id, what })).await;
        }
        Outcome::Reset => {
            ctx.emit(EventKind::Relay(RelayNote::Fault { client: id, what: "reset_peer" })).await;
            reset(ctx, &client).await;
            reset(ctx, &server).await;
        }
        Outcome::Failed(sock, var, call, err) => {
            let failed = CallError::from_io(&err);
            ctx.call(sock, var, call, Err(failed.clone())).await;
            let (other, reason) = if sock == client.id {
                (&server, &mut client_reason)
            } else {
                (&client, &mut server_reason)
            };
            // A reset is passed on as one: the other peer sees what
            // this one did.
            if failed.is(libc::ECONNRESET) || failed.is(libc::EPIPE) {
                reset(ctx, other).await;
            }
            *reason = CloseReason::Failed(failed);
        }
    }
    let (client_var, server_var) = (client.var, server.var);
    let (client_id, server_id) = (client.id, server.id);
    drop(client.conn);
    drop(server.conn);
    ctx.closed(client_id, client_var, client_reason).await;
    ctx.closed(server_id, server_var, server_reason).await;
}

/// `SO_LINGER` 0: the `close()` that follows sends RST, not FIN.
async fn reset(ctx: &Ctx, leg: &Leg) {
    let set = socket2::SockRef::from(&leg.conn).set_linger(Some(Duration::ZERO));
    let result = set.map(|()| Returned::Nothing).map_err(|e| CallError::from_io(&e));
    ctx.call(leg.id, leg.var, Call::SetSockOpt(SockOpt::LingerZero), result).await;
}
