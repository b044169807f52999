//! A relay session: each accepted client becomes a pair of legs run by one
//! task; a datagram relay's bound socket runs its own task. The session
//! keeps one handle per pair (the client's), so `--max-conns` counts pairs
//! and closing the client's id closes the pair.

use std::os::fd::AsRawFd;
use std::sync::Arc;

use crate::net::driver::dgram::Dgram;
use crate::net::driver::listener::Accepted;
use crate::net::event::{Kind, SockId};
use crate::net::relay::RelayConfig;
use crate::net::relay::pair::{self, PairStart};
use crate::net::relay::pump::Leg;
use crate::net::relay::udp::DgramRelay;
use crate::net::relay::{RelayOp, Way};
use crate::net::session::Session;
use crate::net::session::ctx::{Out, SockHandle, sock_channel};
use crate::net::{Addr, Role, SessionConfig, Target, To};

impl Session {
    /// Runs an accepted client and the upstream connection made for it.
    pub(super) async fn spawn_pair(&mut self, conn: Accepted) {
        let Some(relay) = self.config.relay.clone() else { return };
        let fd = conn.stream.as_raw_fd();
        let names = conn.names.or_else(|| conn.stream.local().ok().zip(conn.stream.peer().ok()));
        let Some((local, peer)) = names else {
            // The client left between accept and now.
            return;
        };
        self.ctx.connected(conn.id, fd, local.clone(), peer.clone()).await;
        if let (Addr::Inet(local), Addr::Inet(peer), Some(_)) =
            (&local, &peer, self.config.sample_every)
        {
            // The kernel watch then knows this connection is accepted.
            self.kernel.register(conn.id, &conn.stream, *local, Some(*peer));
        }
        let connect = Arc::new(upstream_config(&self.config, &relay.upstream));
        let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
        let start = PairStart {
            ctx: self.ctx.clone(),
            relay: Arc::new(relay),
            connect,
            client: Leg {
                id: conn.id,
                var: conn.var,
                conn: conn.stream,
                peer: peer.clone(),
                tls: None,
            },
            client_tls: self.config.tls.clone(),
            recv_size: self.config.recv_size,
        };
        self.tasks.spawn(pair::run(start, inbox));
        self.conns.insert(conn.id, SockHandle { peer: Some(peer), ..handle });
    }

    /// Runs a datagram relay on its bound socket.
    pub(super) fn spawn_dgram_relay(&mut self, id: SockId, socket: Dgram, relay: RelayConfig) {
        let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
        let task = DgramRelay {
            ctx: self.ctx.clone(),
            id,
            socket: Arc::new(socket),
            relay: Arc::new(relay),
        };
        self.tasks.spawn(task.run(inbox));
        self.listeners.insert(id, handle);
    }
}

impl Session {
    /// Hands a relay request to the pairs `to` names. Faults also apply to
    /// pairs that come later.
    pub(super) async fn relay_op(&mut self, to: To, way: Option<Way>, op: RelayOp) {
        if let (RelayOp::Faults(faults), Some(relay)) = (&op, self.config.relay.as_mut()) {
            relay.faults.clone_from(faults);
        }
        let ids = self.targets(to);
        for id in ids {
            if let Some(handle) = self.conns.get(&id) {
                let _ = handle.out.send(Out::Relay(way, op.clone())).await;
            }
        }
    }
}

/// The config an upstream connection is made with: the target's client
/// role, and the session's connect options (`--timeout`, `--nodelay`).
fn upstream_config(config: &SessionConfig, upstream: &Target) -> SessionConfig {
    let role = match upstream {
        Target::Unix(name) => Role::UnixClient(name.clone(), Kind::Stream),
        other => Role::TcpClient(other.clone()),
    };
    let mut connect = SessionConfig::new(role);
    connect.timeout = config.timeout;
    connect.nodelay = config.nodelay;
    connect
}
