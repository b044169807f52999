//! The events a real step-mode engine sends for each call, so the app's
//! tests read like a student's session: `sim.ok(1, Call::Listen(5), ..)`
//! is `server.listen(5)  -> None`, followed by the socket's sample; a
//! connection comes with its `Connected`, a send with its `Data`.

use super::*;
use crate::net::sample::AcceptQueue;
use crate::net::sample::Sample;
use crate::net::{DiagSocket, Family, TcpState, Whose};

/// Where the demo's server listens (its real port) and its client is.
pub const SERVER: &str = "127.0.0.1:41000";
pub const CLIENT: &str = "127.0.0.1:50000";

/// An app (one end, or the demo's two) fed engine events.
pub struct Sim {
    pub app: App,
}

/// A sample as the engine takes one after each call.
pub fn sample(kind: Kind, local: Option<&str>, peer: Option<&str>) -> Sample {
    Sample {
        fd: 5,
        family: Family::Inet,
        kind,
        listening: false,
        local: local.map(|a| addr(a).into()),
        peer: peer.map(|a| addr(a).into()),
        timeout: None,
        nonblocking: Some(true),
        options: crate::net::sample::Options::default(),
        recv_q: Some(0),
        send_q: Some(0),
        tcp: None,
        accept_queue: None,
        last: false,
    }
}

impl Sim {
    /// One end alone, in step mode.
    pub fn alone(role: Role) -> Self {
        let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
        app.started(0);
        app.ends[0].step = true;
        Self { app }
    }

    /// The demo (server end 0, client end 1) in step mode, input on `active`.
    pub fn demo(udp: bool, active: usize) -> Self {
        let any = Target::Addr(addr("127.0.0.1:0"));
        let roles = if udp {
            vec![Role::UdpServer(any.clone()), Role::UdpClient(any)]
        } else {
            vec![Role::TcpServer(any.clone()), Role::TcpClient(any)]
        };
        let mut app = App::new(roles, true, Eol::Lf, Caps::default(), Clock::fixed(T0));
        for end in 0..2 {
            app.started(end);
            app.ends[end].step = true;
        }
        app.active = active;
        Self { app }
    }

    pub fn event(&mut self, end: usize, kind: EventKind) -> &mut Self {
        self.app.on_engine(end, &ev(kind));
        self
    }

    fn var(&self, end: usize, sock: u32) -> &'static str {
        match (self.app.ends[end].role.is_server(), sock) {
            (true, 1) => "server",
            (true, _) => "sock",
            (false, _) => "client",
        }
    }

    fn record(&mut self, end: usize, sock: u32, call: Call, result: Result<Returned, CallError>) {
        let var = self.var(end, sock);
        self.event(end, EventKind::Call(CallRecord { sock, var, call, result }));
    }

    /// A call that returned `result`.
    pub fn ok(&mut self, end: usize, sock: u32, call: Call, result: Returned) -> &mut Self {
        self.record(end, sock, call, Ok(result));
        self
    }

    /// A call that raised `errno` (or Python's own error, by name).
    pub fn err(&mut self, end: usize, sock: u32, call: Call, err: CallError) -> &mut Self {
        self.record(end, sock, call, Err(err));
        self
    }

    /// `socket()`, as socket `sock`.
    pub fn socket(&mut self, end: usize, sock: u32) -> &mut Self {
        let kind = self.app.ends[end].kind;
        let call = Call::Socket { family: Family::Inet, kind };
        self.ok(end, sock, call, Returned::Socket { fd: 4 + i32::try_from(sock).unwrap() })
    }

    /// `bind(('127.0.0.1', 0))` and what follows: the real port in the
    /// sample, `Listening` for UDP.
    pub fn bind(&mut self, end: usize, sock: u32, real: &str) -> &mut Self {
        self.ok(end, sock, Call::Bind(addr("127.0.0.1:0").into()), Returned::Nothing);
        let kind = self.app.ends[end].kind;
        self.event(
            end,
            EventKind::Sample { sock, sample: Box::new(sample(kind, Some(real), None)) },
        );
        if kind == Kind::Dgram {
            self.event(end, EventKind::Listening { sock, fd: 5, local: addr(real).into(), kind });
        }
        self
    }

    /// A TCP server up to `listen(5)`, on [`SERVER`].
    pub fn listening(&mut self, end: usize) -> &mut Self {
        self.socket(end, 1);
        self.ok(end, 1, Call::SetSockOpt(crate::net::SockOpt::ReuseAddr(true)), Returned::Nothing);
        self.bind(end, 1, SERVER);
        self.ok(end, 1, Call::Listen(5), Returned::Nothing);
        let local = addr(SERVER).into();
        self.event(end, EventKind::Listening { sock: 1, fd: 5, local, kind: Kind::Stream });
        self.queue(end, 1, 0)
    }

    /// The listener's sample: `len` connections in its accept queue.
    pub fn queue(&mut self, end: usize, listener: u32, len: u32) -> &mut Self {
        let mut s = sample(Kind::Stream, Some(SERVER), None);
        s.listening = true;
        (s.recv_q, s.send_q) = (None, None);
        s.accept_queue = Some(AcceptQueue { len, backlog: 5 });
        self.event(end, EventKind::Sample { sock: listener, sample: Box::new(s) })
    }

    /// The kernel lists a connection to `listener` in `state`, no fd yet.
    pub fn kernel_queued(&mut self, end: usize, listener: u32, state: TcpState) -> &mut Self {
        let d = DiagSocket {
            whose: Whose::Queued { listener },
            state,
            local: addr(SERVER),
            peer: addr(CLIENT),
            recv_q: 0,
            send_q: 0,
        };
        self.event(end, EventKind::Kernel { sockets: vec![d] })
    }

    /// A client's `connect()` to [`SERVER`] that worked.
    pub fn connect(&mut self, end: usize, sock: u32) -> &mut Self {
        self.ok(end, sock, Call::Connect(addr(SERVER).into()), Returned::Nothing);
        let (local, peer) = (addr(CLIENT).into(), addr(SERVER).into());
        self.event(end, EventKind::Connected { sock, fd: 5, local, peer })
    }

    /// `accept()` returning connection `conn` from [`CLIENT`].
    pub fn accept(&mut self, end: usize, conn: u32) -> &mut Self {
        let peer = addr(CLIENT).into();
        let fd = 4 + i32::try_from(conn).unwrap();
        self.ok(end, 1, Call::Accept, Returned::Accepted { sock: conn, fd, peer });
        let (local, peer) = (addr(SERVER).into(), addr(CLIENT).into());
        self.event(end, EventKind::Connected { sock: conn, fd, local, peer })
    }

    /// `send(b'...')` on `sock` (to `to` with `sendto`), with its bytes.
    pub fn send(
        &mut self,
        end: usize,
        sock: u32,
        bytes: &'static [u8],
        to: Option<&str>,
    ) -> &mut Self {
        let len = bytes.len();
        let call = match to {
            Some(to) => Call::SendTo { len, to: addr(to).into() },
            None => Call::Send { len },
        };
        self.ok(end, sock, call, Returned::Count(len));
        let peer = to.map(|a| addr(a).into());
        let data = Bytes::from_static(bytes);
        self.event(end, EventKind::Data(DataRecord { sock, dir: Dir::Sent, peer, data, offset: 0 }))
    }

    /// `recv(1024)` (`recvfrom` when `from` is given) returning `bytes`.
    pub fn recv(
        &mut self,
        end: usize,
        sock: u32,
        bytes: &'static [u8],
        from: Option<&str>,
    ) -> &mut Self {
        let data = Bytes::from_static(bytes);
        let from = from.map(|a| crate::net::Addr::from(addr(a)));
        let call = if from.is_some() {
            Call::RecvFrom { bufsize: 1024 }
        } else {
            Call::Recv { bufsize: 1024 }
        };
        let result = Returned::Data { data: data.clone(), from: from.clone(), truncated: None };
        self.ok(end, sock, call, result);
        if bytes.is_empty() && from.is_none() {
            return self.event(end, EventKind::PeerEof { sock });
        }
        self.event(
            end,
            EventKind::Data(DataRecord { sock, dir: Dir::Received, peer: from, data, offset: 0 }),
        )
    }

    /// `close()`: the call, then `Closed`.
    pub fn close(&mut self, end: usize, sock: u32) -> &mut Self {
        self.ok(end, sock, Call::Close, Returned::Nothing);
        self.event(end, EventKind::Closed { sock, reason: CloseReason::Local })
    }

    /// Bytes waiting in `sock`'s receive queue, as its sample says.
    pub fn recv_q(&mut self, end: usize, sock: u32, n: u32) -> &mut Self {
        let kind = self.app.ends[end].kind;
        let mut s = sample(kind, None, None);
        let known = self.app.ends[end].sockets.all.get(&sock);
        (s.local, s.peer) =
            (known.and_then(|k| k.local.clone()), known.and_then(|k| k.peer.clone()));
        s.recv_q = Some(n);
        self.event(end, EventKind::Sample { sock, sample: Box::new(s) })
    }

    /// What F8 would do on the active end.
    pub fn next(&self) -> crate::app::teach::suggest::Next {
        self.app.suggestion()
    }
}
