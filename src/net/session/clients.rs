//! A server with many clients: the one past `--max-conns` is reset at
//! once, and a broker relays what each client says to the others.

use std::time::Duration;

use bytes::Bytes;

use crate::net::CallError;
use crate::net::driver::listener::Accepted;
use crate::net::event::{Call, EventKind, Returned, SockId, SockOpt};
use crate::net::session::Session;
use crate::net::session::ctx::Out;

impl Session {
    /// Past `--max-conns`: reset the new connection at once (`SO_LINGER` 0,
    /// close), so nothing enters its stream, and say so.
    pub(super) async fn reject(&mut self, conn: Accepted) {
        let peer = conn.stream.peer();
        let linger = socket2::SockRef::from(&conn.stream).set_linger(Some(Duration::ZERO));
        let result = linger.map(|()| Returned::Nothing).map_err(|e| CallError::from_io(&e));
        let call = Call::SetSockOpt(SockOpt::LingerZero);
        self.ctx.call(conn.id, "sock", call, result).await;
        drop(conn.stream);
        self.ctx.call(conn.id, "sock", Call::Close, Ok(Returned::Nothing)).await;
        if let Ok(peer) = peer {
            let limit = self.config.max_conns;
            self.ctx.emit(EventKind::Rejected { sock: conn.id, peer, limit }).await;
        }
    }

    /// Broker: what one client sent goes to every other client. A client
    /// that does not read loses relayed data rather than stalling the rest.
    pub(super) async fn relay(&mut self, from: SockId, data: Bytes) {
        self.prune();
        let mut dropped = 0;
        for (id, handle) in &self.conns {
            if *id != from && handle.out.try_send(Out::Data(data.clone())).is_err() {
                dropped += data.len();
            }
        }
        if dropped > 0 {
            let why = "a broker client is not reading fast enough to keep up";
            self.ctx.emit(EventKind::Dropped { len: dropped, why }).await;
        }
    }
}
