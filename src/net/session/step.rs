//! Step mode in the session: `socket()` by hand makes a [`StepTask`] that
//! lives until the session ends, every later call goes to the socket it
//! names (or, given none, the one it naturally goes to), and what the
//! sockets report back (an accepted connection, a socket to watch in the
//! kernel's tables) is taken in here.

use std::collections::BTreeMap;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::net::event::{Call, EventKind, Returned, SockId};
use crate::net::session::Session;
use crate::net::session::ctx::{Out, SockHandle, sock_channel};
use crate::net::sockaddr::Addr;
use crate::net::socket::CallSocket;
use crate::net::socket::task::{News, Phase, StepTask};
use crate::net::{CallError, Role, SetupError, Target, To};

/// Step mode's part of the session: every socket made by hand, and the
/// channel they report back on.
pub(super) struct Steps {
    pub socks: BTreeMap<SockId, StepSock>,
    pub news: mpsc::Sender<News>,
}

impl Steps {
    pub fn new(news: mpsc::Sender<News>) -> Self {
        Self { socks: BTreeMap::new(), news }
    }
}

/// The session's end of one step socket.
pub(super) struct StepSock {
    pub handle: SockHandle,
    pub phase: Arc<Phase>,
}

impl Session {
    /// One call typed by the student; `sock` 0 means the socket the call
    /// naturally goes to.
    pub(super) async fn step_call(&mut self, sock: SockId, call: Call, data: Bytes) {
        if let Call::Socket { family, kind } = call {
            let var = self.var();
            let id = self.ctx.new_id();
            match CallSocket::open(family, kind) {
                Ok(socket) => {
                    let fd = socket.socket().map_or(-1, AsRawFd::as_raw_fd);
                    self.ctx.call(id, var, call, Ok(Returned::Socket { fd })).await;
                    self.spawn_step(id, var, socket);
                }
                Err(err) => self.ctx.call(id, var, call, Err(CallError::from_io(&err))).await,
            }
            return;
        }
        let sock = if sock == 0 { self.natural_target(&call) } else { sock };
        let addressed = matches!(call, Call::SendTo { .. } | Call::RecvFrom { .. });
        if addressed && self.config.tls.is_some() && self.conns.contains_key(&sock) {
            let failed = crate::net::tls::errors::not_on_tls(call.name());
            self.ctx.call(sock, "tls", call, Err(failed)).await;
            return;
        }
        let out = if data.is_empty() && !call.moves_data() {
            Out::Call(Box::new(call.clone()))
        } else {
            Out::CallWith(Box::new(call.clone()), data.clone())
        };
        if let Some(step) = self.steps.socks.get_mut(&sock) {
            if step.handle.out.send(out).await.is_ok() {
                step.handle.calls += 1;
            }
            return;
        }
        if call.moves_data() && !data.is_empty() {
            // A send typed on a socket the auto driver runs: its own
            // sendall (sendto: that address); nowhere to go is EBADF.
            let out = || match &call {
                Call::SendTo { to, .. } => Out::DataTo(Box::new(to.clone()), data.clone()),
                _ => Out::Data(data.clone()),
            };
            if self.deliver(To::Sock(sock), out).await == 0 {
                let failed = Err(CallError::from_errno(libc::EBADF));
                self.ctx.call(sock, self.var(), call, failed).await;
            }
            return;
        }
        self.route_call(sock, call).await;
    }

    /// The Python variable of the sockets this end makes.
    fn var(&self) -> &'static str {
        if self.config.role.is_server() { "server" } else { "client" }
    }

    /// Runs a step socket as a task of its own.
    fn spawn_step(&mut self, id: SockId, var: &'static str, socket: CallSocket) {
        let (handle, inbox) = sock_channel(self.holds, &self.ctx.shutdown);
        let phase = Arc::new(Phase::default());
        let default_peer = match (&self.config.role, var) {
            (Role::UdpClient(Target::Addr(to)), "client") => Some(Addr::Inet(*to)),
            _ => None,
        };
        let task = StepTask {
            ctx: self.ctx.clone(),
            id,
            var,
            socket,
            default_peer,
            phase: phase.clone(),
            news: self.steps.news.clone(),
            sent: 0,
            received: 0,
        };
        self.tasks.spawn(task.run(inbox));
        self.steps.socks.insert(id, StepSock { handle, phase });
    }

    /// What a step socket reported.
    pub(super) async fn step_news(&mut self, news: News) {
        match news {
            News::Accepted { from, var, id, socket, peer } => {
                let kind = self.config.role.kind();
                let (local, fd_num) = (socket.local_addr(), socket.as_raw_fd());
                match CallSocket::adopt(socket, kind) {
                    Ok(socket) => {
                        let local = local.ok().and_then(|a| Addr::from_sockaddr(&a));
                        if let (Some(fd), Some(l), Some(p)) =
                            (socket.socket(), local.as_ref().and_then(Addr::inet), peer.inet())
                        {
                            // Its CLOSE_WAIT → LAST_ACK and TIME_WAIT, after close too.
                            if let Ok(inode) = crate::net::sys::inode(fd.as_fd()) {
                                self.kernel.register_inode(id, inode, l, Some(p));
                            }
                        }
                        // Reported before the new socket's task runs (its
                        // samples follow), and it is in `steps` before the
                        // next command is read: a call on it right after
                        // the result finds it.
                        let accepted =
                            Returned::Accepted { sock: id, fd: fd_num, peer: peer.clone() };
                        self.ctx.call(from, var, Call::Accept, Ok(accepted)).await;
                        if let Some(local) = local {
                            self.ctx.connected(id, fd_num, local, peer).await;
                        }
                        self.spawn_step(id, "sock", socket);
                        if let Some(step) = self.steps.socks.get(&id) {
                            step.phase.mark(Phase::CONNECTED);
                        }
                    }
                    Err(err) => {
                        let error = SetupError::call("accept", "", CallError::from_io(&err));
                        self.ctx.emit(EventKind::Fatal { error }).await;
                    }
                }
            }
            News::Watch { id, inode, local, peer } => {
                self.kernel.register_inode(id, inode, local, peer);
            }
        }
    }

    /// The socket a call without a target is meant for, as the student's
    /// variables would name it: `accept` the newest listener, the calls of
    /// a conversation the newest connection, `close` the newest socket
    /// still open, anything else the newest socket.
    pub(super) fn natural_target(&self, call: &Call) -> SockId {
        let newest = |want: &dyn Fn(&Phase) -> bool| {
            self.steps.socks.iter().rev().find(|(_, s)| want(&s.phase)).map(|(id, _)| *id)
        };
        let any = || newest(&|_| true);
        let open = || newest(&|p| !p.is(Phase::CLOSED));
        let found = match call {
            Call::Accept => newest(&|p| p.is(Phase::LISTENING)).or_else(any),
            Call::Recv { .. }
            | Call::RecvFrom { .. }
            | Call::GetPeerName
            | Call::Shutdown(_)
            | Call::Send { .. }
            | Call::SendAll { .. }
            | Call::SendTo { .. } => newest(&|p| p.is(Phase::CONNECTED)).or_else(any),
            Call::Close => open().or_else(any),
            _ => any(),
        };
        found.or_else(|| self.driver_target(call)).unwrap_or(0)
    }

    /// Without step sockets (F7 on a live session), the auto driver's:
    /// `accept` its newest listener, anything else its newest connection,
    /// else the listener.
    fn driver_target(&self, call: &Call) -> Option<SockId> {
        let listener = self.listeners.keys().next_back().copied();
        let conn = self.conns.keys().next_back().copied();
        match call {
            Call::Accept => listener.or(conn),
            _ => conn.or(listener),
        }
    }

    /// `Send`, `Shutdown` and `Close` commands in step mode: calls on the
    /// step socket they address (`To::Peer` on a send: `sendto` that peer
    /// from the natural socket). `false` when there are no step sockets.
    pub(super) async fn step_command(&mut self, to: &To, out: Out) -> bool {
        if self.steps.socks.is_empty() {
            return false;
        }
        let (call, data) = match out {
            Out::Shutdown(how) => (Call::Shutdown(how), Bytes::new()),
            Out::Close => (Call::Close, Bytes::new()),
            Out::Data(data) => (Call::SendAll { len: data.len() }, data),
            _ => return false,
        };
        let ids: Vec<SockId> = match to {
            To::Current | To::Peer(_) => vec![self.natural_target(&call)],
            To::Sock(id) => vec![*id],
            // Every conversation still open, not the listener.
            To::All => {
                let talking = |p: &Phase| p.is(Phase::CONNECTED) && !p.is(Phase::CLOSED);
                self.steps
                    .socks
                    .iter()
                    .filter(|(_, s)| talking(&s.phase))
                    .map(|(id, _)| *id)
                    .collect()
            }
        };
        for id in ids {
            let Some(step) = self.steps.socks.get_mut(&id) else { continue };
            let out = match (&call, to) {
                // A datagram to a peer named by the command: `sendto`.
                (Call::SendAll { .. }, To::Peer(peer)) => {
                    Out::DataTo(Box::new(peer.clone()), data.clone())
                }
                // A plain send: the task picks sendall/send/sendto.
                (Call::SendAll { .. }, _) => Out::Data(data.clone()),
                (other, _) => Out::Call(Box::new(other.clone())),
            };
            if step.handle.out.send(out).await.is_ok() {
                step.handle.calls += 1;
            }
        }
        true
    }
}
