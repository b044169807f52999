//! How a [`Command`] reaches the sockets: the targets it names, delivery,
//! calls routed to their socket, reconnecting.

use bytes::Bytes;

use super::Session;
use crate::net::event::{Call, EventKind, SockId};
use crate::net::session::ctx::Out;
use crate::net::{CallError, Command, To};

impl Session {
    /// The live data sockets a command addresses.
    pub(super) fn targets(&mut self, to: To) -> Vec<SockId> {
        self.prune();
        match to {
            To::Current => self.conns.keys().next_back().copied().into_iter().collect(),
            To::Sock(id) => vec![id],
            To::All => self.conns.keys().copied().collect(),
            To::Peer(peer) => {
                let conn = self.conns.iter().find(|(_, h)| h.peer == Some(peer.clone()));
                conn.map(|(id, _)| *id).into_iter().collect()
            }
        }
    }

    /// Hands `out` to every socket `to` names; the count of sockets found.
    /// One connection of its own (a client, `nc -l` style) is waited for:
    /// that is backpressure. A server with many clients never waits on one:
    /// see [`Backlogs`].
    pub(super) async fn deliver(&mut self, to: To, out: impl Fn() -> Out) -> usize {
        let ids = self.targets(to);
        let many = self.config.role.serves_connections() && !self.config.single;
        let (mut found, mut refused) = (0, 0);
        for id in ids {
            let Some(handle) = self.conns.get(&id).or_else(|| self.listeners.get(&id)) else {
                continue;
            };
            found += 1;
            if !many {
                let _ = handle.out.send(out()).await;
            } else if let Err(Out::Data(data)) = self.backlogs.offer(id, handle, out()) {
                refused += data.len();
            }
        }
        if refused > 0 {
            let why = super::backlog::REFUSED;
            self.ctx.emit(EventKind::Dropped { len: refused, why }).await;
        }
        found
    }

    pub(super) async fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Send { to, data } => {
                let len = data.len();
                if self.step_command(&to, Out::Data(data.clone())).await {
                    return;
                }
                let udp_server = self.config.role.serves_datagrams();
                let delivered = match to {
                    To::All if udp_server => {
                        self.deliver(To::Current, || Out::Broadcast(data.clone())).await
                    }
                    To::Peer(peer) if udp_server => {
                        self.deliver(To::Current, || {
                            Out::DataTo(Box::new(peer.clone()), data.clone())
                        })
                        .await
                    }
                    _ => self.deliver(to, || Out::Data(data.clone())).await,
                };
                if delivered == 0 {
                    let why = "there is no connection yet";
                    self.ctx.emit(EventKind::Dropped { len, why }).await;
                }
            }
            Command::Shutdown { to, how } => {
                if !self.step_command(&to, Out::Shutdown(how)).await {
                    self.deliver(to, || Out::Shutdown(how)).await;
                }
            }
            Command::Close { to } => {
                if !self.step_command(&to, Out::Close).await {
                    self.deliver(to, || Out::Close).await;
                }
            }
            Command::Hold { to, holds } => {
                if to == To::All {
                    self.holds = holds;
                    for handle in self.listeners.values() {
                        handle.hold.send_replace(holds);
                    }
                }
                for id in self.targets(to) {
                    let handle = self.conns.get(&id).or_else(|| self.listeners.get(&id));
                    if let Some(handle) = handle {
                        handle.hold.send_replace(holds);
                    }
                }
            }
            Command::Call { sock, call } => self.step_call(sock, call, Bytes::new()).await,
            Command::CallWith { sock, call, data } => self.step_call(sock, call, data).await,
            Command::Reconnect => self.reconnect().await,
            Command::Source { to, total, size } => {
                self.deliver(to, || Out::Source { total, size }).await;
            }
            Command::Relay { to, way, op } => self.relay_op(to, way, op).await,
            Command::Watch { socks } => self.ctx.watch(socks),
            Command::Interrupt => {
                let steps = self.steps.socks.values().map(|s| &s.handle);
                for handle in self.conns.values().chain(self.listeners.values()).chain(steps) {
                    handle.cancel.send_replace(handle.calls);
                }
            }
        }
    }

    /// A call by hand for a socket the auto driver runs.
    pub(super) async fn route_call(&mut self, sock: SockId, call: Call) {
        let handle = match self.conns.get_mut(&sock) {
            Some(handle) => Some(handle),
            None => self.listeners.get_mut(&sock),
        };
        match handle {
            Some(handle) => {
                if handle.out.send(Out::Call(Box::new(call))).await.is_ok() {
                    handle.calls += 1;
                }
            }
            // Closing what is already gone is harmless; anything else on it
            // is Python's "Bad file descriptor".
            None if call == Call::Close => {}
            None => {
                let var = if self.config.role.is_server() { "server" } else { "client" };
                self.ctx.call(sock, var, call, Err(CallError::from_errno(libc::EBADF))).await;
            }
        }
    }

    /// Client: close the current connection and connect again.
    pub(super) async fn reconnect(&mut self) {
        if self.config.role.is_server() {
            return;
        }
        self.deliver(To::All, || Out::Close).await;
        self.conns.clear();
        if let Err(error) = self.start().await {
            self.ctx.emit(EventKind::Fatal { error }).await;
        }
    }
}
