//! Step mode through the engine's API on real loopback sockets: nothing
//! happens by itself, each call is one command, and blocking behaves as in
//! Python (waits, `settimeout` deadlines, `setblocking(False)`, Ctrl-C).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use sockpit::python::Python as _;
use std::net::SocketAddr;
use std::time::Duration;

use sockpit::net::{
    self, Call, CallError, Command, EventKind, Family, Kind, Returned, Role, SessionConfig,
    SessionHandle, Target,
};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

const LIMIT: Duration = Duration::from_secs(10);

struct Student {
    session: SessionHandle,
    events: mpsc::Receiver<net::Event>,
}

impl Student {
    fn new(role: Role) -> Self {
        let mut config = SessionConfig::new(role);
        config.step = true;
        let (tx, events) = mpsc::channel(net::CHANNEL_DEPTH);
        Self { session: net::spawn(config, tx), events }
    }

    /// Makes `call` on the natural socket and returns its result.
    async fn call(&mut self, call: Call) -> Result<Returned, CallError> {
        let command = Command::Call { sock: 0, call: call.clone() };
        self.session.commands.send(command).await.unwrap();
        self.result_of(&call).await
    }

    async fn result_of(&mut self, call: &Call) -> Result<Returned, CallError> {
        let wanted = call.name();
        tokio::time::timeout(LIMIT, async {
            loop {
                let event = self.events.recv().await.expect("session ended early");
                if let EventKind::Call(record) = event.kind {
                    if record.call.name() == wanted {
                        return record.result;
                    }
                }
            }
        })
        .await
        .expect("call result in time")
    }

    /// socket, bind 127.0.0.1:0, listen(backlog): the bound address.
    async fn listening(&mut self, backlog: u32) -> SocketAddr {
        let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
        assert!(matches!(self.call(socket).await, Ok(Returned::Socket { .. })));
        let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
        assert_eq!(self.call(Call::Bind(any.into())).await, Ok(Returned::Nothing));
        let Ok(Returned::Addr(local)) = self.call(Call::GetSockName).await else {
            panic!("getsockname")
        };
        assert_eq!(self.call(Call::Listen(backlog)).await, Ok(Returned::Nothing));
        local.inet().expect("an IP address")
    }
}

fn server() -> Student {
    Student::new(Role::TcpServer(Target::Addr("127.0.0.1:0".parse().unwrap())))
}

#[tokio::test]
async fn accept_then_recv_four_bytes_splits_a_character() {
    let mut student = server();
    let local = student.listening(5).await;
    let mut peer = tokio::net::TcpStream::connect(local).await.unwrap();
    peer.write_all("你好世界".as_bytes()).await.unwrap();
    let accepted = student.call(Call::Accept).await;
    assert!(matches!(accepted, Ok(Returned::Accepted { .. })), "{accepted:?}");
    let got = student.call(Call::Recv { bufsize: 4 }).await;
    let Ok(Returned::Data { data, .. }) = got else { panic!("recv: {got:?}") };
    assert_eq!(&data[..], b"\xe4\xbd\xa0\xe5");
    let rest = student.call(Call::Recv { bufsize: 1024 }).await;
    let Ok(Returned::Data { data, .. }) = rest else { panic!("recv: {rest:?}") };
    assert_eq!(&data[..], "好世界".as_bytes()[1..].as_ref());
}

#[tokio::test]
async fn non_blocking_recv_raises_blocking_io_error() {
    let mut student = server();
    let local = student.listening(5).await;
    let _peer = tokio::net::TcpStream::connect(local).await.unwrap();
    student.call(Call::Accept).await.unwrap();
    student.call(Call::SetBlocking(false)).await.unwrap();
    let err = student.call(Call::Recv { bufsize: 1024 }).await.unwrap_err();
    assert_eq!(err.python(), "BlockingIOError: [Errno 11] Resource temporarily unavailable");
}

#[tokio::test]
async fn accept_waits_for_the_timeout_and_ctrl_c_interrupts() {
    let mut student = server();
    student.listening(5).await;
    student.call(Call::SetTimeout(Some(0.2))).await.unwrap();
    let err = student.call(Call::Accept).await.unwrap_err();
    assert_eq!(err.python(), "TimeoutError: timed out");

    student.call(Call::SetTimeout(None)).await.unwrap();
    let command = Command::Call { sock: 0, call: Call::Accept };
    student.session.commands.send(command).await.unwrap();
    student.session.commands.send(Command::Interrupt).await.unwrap();
    let err = student.result_of(&Call::Accept).await.unwrap_err();
    assert_eq!(err.python(), "KeyboardInterrupt");
}

#[tokio::test]
async fn a_client_connects_by_hand_and_connect_ex_returns_the_errno() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open = listener.local_addr().unwrap();
    let mut student = Student::new(Role::TcpClient(Target::Addr(open)));
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    student.call(stream.clone()).await.unwrap();
    assert_eq!(student.call(Call::ConnectEx(closed.into())).await, Ok(Returned::Int(111)));
    student.call(Call::Close).await.unwrap();
    student.call(stream).await.unwrap();
    assert_eq!(student.call(Call::Connect(open.into())).await, Ok(Returned::Nothing));
    let (_conn, from) = tokio::time::timeout(LIMIT, listener.accept()).await.unwrap().unwrap();
    let Ok(Returned::Addr(local)) = student.call(Call::GetSockName).await else {
        panic!("getsockname")
    };
    assert_eq!(local, from.into());
    assert_eq!(student.call(Call::GetPeerName).await, Ok(Returned::Addr(open.into())));
}

/// Binds `port` from a python3 process (a program nobody here wrote), with
/// retries bounded by `LIMIT` only for the process to start: the answer it
/// prints is taken as is.
fn python_binds(port: u16) -> String {
    let script = format!(
        "import socket\ns = socket.socket()\ntry:\n    s.bind(('127.0.0.1', {port}))\n    \
         s.listen(1)\n    print('bound')\nexcept OSError as e:\n    print(type(e).__name__, e.errno)"
    );
    let out = std::process::Command::new("python3").args(["-c", &script]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_dropped_session_ends_a_blocked_accept_and_frees_its_port() {
    let mut student = server();
    let local = student.listening(5).await;
    let command = Command::Call { sock: 0, call: Call::Accept };
    student.session.commands.send(command).await.unwrap();
    assert_eq!(python_binds(local.port()), "OSError 98", "the listener holds the port");
    // Alt-R drops the session: the blocked accept must end with it.
    let Student { session, mut events } = student;
    drop(session.commands);
    tokio::time::timeout(LIMIT, session.task).await.expect("session ends").unwrap();
    while events.recv().await.is_some() {}
    assert_eq!(python_binds(local.port()), "bound");
}

/// `ss -ltn`'s Recv-Q for the listener on `port`.
fn ss_recv_q(port: u16) -> Option<u32> {
    let out = std::process::Command::new("ss").args(["-ltnH"]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let local = cols.get(3)?;
        local.ends_with(&format!(":{port}")).then(|| cols.get(1)?.parse().ok())?
    })
}

#[tokio::test]
async fn the_accept_queue_sample_agrees_with_ss() {
    let mut student = server();
    let local = student.listening(1).await;
    // listen(1) holds two connections (backlog + 1); a third stays in
    // SYN_SENT, so it is connected without waiting for it.
    let queued: Vec<_> = (0..2).map(|_| std::net::TcpStream::connect(local).unwrap()).collect();
    let third = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    third.set_nonblocking(true).unwrap();
    let _ = third.connect(&local.into());
    let deadline = tokio::time::Instant::now() + LIMIT;
    loop {
        let event = tokio::time::timeout_at(deadline, student.events.recv())
            .await
            .expect("a sample whose accept queue agrees with ss")
            .expect("session alive");
        let EventKind::Sample { sample, .. } = event.kind else { continue };
        let Some(queue) = sample.accept_queue else { continue };
        if queue.len == 2 && ss_recv_q(local.port()) == Some(2) {
            assert_eq!(queue.backlog, 1);
            break;
        }
    }
    drop((queued, third));
}

#[tokio::test]
async fn calls_by_hand_on_a_live_session_go_to_the_drivers_sockets() {
    // F7 on a running server: the driver holds accept and reads back, and
    // the student's calls (sock 0) go to its listener and connection.
    let (tx, events) = mpsc::channel(net::CHANNEL_DEPTH);
    let role = Role::TcpServer(Target::Addr("127.0.0.1:0".parse().unwrap()));
    let session = net::spawn(SessionConfig::new(role), tx);
    let mut student = Student { session, events };
    let local = loop {
        let event = tokio::time::timeout(LIMIT, student.events.recv()).await.unwrap().unwrap();
        if let EventKind::Listening { local, .. } = event.kind {
            break local.inet().expect("an IP address");
        }
    };
    let holds = net::Holds { accept: true, reads: true };
    student.session.commands.send(Command::Hold { to: net::To::All, holds }).await.unwrap();
    let mut peer = tokio::net::TcpStream::connect(local).await.unwrap();
    let accepted = student.call(Call::Accept).await;
    assert!(matches!(accepted, Ok(Returned::Accepted { .. })), "{accepted:?}");
    peer.write_all(b"hey").await.unwrap();
    let got = student.call(Call::Recv { bufsize: 1024 }).await;
    assert!(matches!(&got, Ok(Returned::Data { data, .. }) if &data[..] == b"hey"), "{got:?}");
    let Ok(Returned::Addr(name)) = student.call(Call::GetSockName).await else {
        panic!("getsockname on the connection")
    };
    assert_eq!(name.inet().map(|a| a.port()), Some(local.port()));
}

#[tokio::test]
async fn a_blocked_sendall_is_sampled_while_it_waits() {
    // A peer that never reads: sendall blocks once both buffers are full,
    // and the panel must still see the send queue.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap();
    let mut student = Student::new(Role::TcpClient(Target::Addr(target)));
    let stream = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    let Ok(Returned::Socket { .. }) = student.call(stream).await else { panic!("socket") };
    assert_eq!(student.call(Call::Connect(target.into())).await, Ok(Returned::Nothing));
    let (_held, _) = listener.accept().unwrap();
    let data = bytes::Bytes::from(vec![7u8; 64 << 20]);
    let call = Call::SendAll { len: data.len() };
    let command = Command::CallWith { sock: 0, call: call.clone(), data };
    student.session.commands.send(command).await.unwrap();
    let deadline = tokio::time::Instant::now() + LIMIT;
    let mut samples = 0;
    while samples < 1 {
        let event = tokio::time::timeout_at(deadline, student.events.recv())
            .await
            .expect("samples while sendall is blocked")
            .expect("session alive");
        match event.kind {
            EventKind::Sample { sample, .. } if sample.send_q.is_some_and(|q| q > 0) => {
                samples += 1;
            }
            EventKind::Call(record) if record.call.name() == "sendall" => {
                panic!("sendall returned with a peer that never reads: {:?}", record.result)
            }
            _ => {}
        }
    }
    student.session.commands.send(Command::Interrupt).await.unwrap();
    let err = student.result_of(&call).await.unwrap_err();
    assert_eq!(err.python(), "KeyboardInterrupt");
}
