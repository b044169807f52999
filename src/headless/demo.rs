//! The demo without a terminal: a server and a client in one process trade a
//! greeting, and every call each end makes is printed as its Python line.

use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::record::Recorder;
use crate::cli::Plan;
use crate::net::{
    self, Command, Dir, Event, EventKind, Role, SessionConfig, SessionHandle, Target, To,
};
use crate::netns::Isolation;
use crate::{python, sanitize};

/// The whole exchange must finish well within this on loopback.
const DEADLINE: Duration = Duration::from_secs(10);

/// Runs the scripted demo; exit 0 when the conversation completed.
#[must_use]
pub fn demo(plan: &Plan, isolation: &Isolation) -> ExitCode {
    let mut recorder = match Recorder::open(&plan.record, plan.lang) {
        Ok(recorder) => recorder,
        Err(message) => {
            eprintln!("sockpit: {message}");
            return ExitCode::FAILURE;
        }
    };
    let Some(runtime) = super::runtime() else { return ExitCode::FAILURE };
    let configs: Vec<SessionConfig> = plan.ends.iter().map(|e| e.config.clone()).collect();
    let outcome = runtime.block_on(async {
        tokio::time::timeout(DEADLINE, converse(configs, isolation, &mut recorder)).await
    });
    if !recorder.finish() {
        return ExitCode::FAILURE;
    }
    match outcome {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) => {
            eprintln!("sockpit: {message}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("sockpit: the demo did not finish within {}s", DEADLINE.as_secs());
            ExitCode::FAILURE
        }
    }
}

fn print(who: &str, event: &Event) {
    let text = match &event.kind {
        EventKind::Call(record) => python::line(record),
        EventKind::Data(d) if d.dir == Dir::Sent => format!("  → {}", sanitize::visible(&d.data)),
        EventKind::Data(d) => format!("  ← {}", sanitize::visible(&d.data)),
        EventKind::Listening { local, .. } => format!("# listening on {local}"),
        EventKind::Connected { local, peer, .. } => format!("# connected {local} <-> {peer}"),
        EventKind::PeerEof { .. } => "# the peer closed its side (EOF)".into(),
        EventKind::Fatal { error } => format!("# {error}"),
        _ => return,
    };
    println!("[{who}] {text}");
}

async fn converse(
    mut configs: Vec<SessionConfig>,
    isolation: &Isolation,
    recorder: &mut Recorder,
) -> Result<(), DemoError> {
    let client_config = configs.pop().ok_or(DemoError::Ends)?;
    let server_config = configs.pop().ok_or(DemoError::Ends)?;
    let udp = matches!(server_config.role, Role::UdpServer(_));
    let (stx, mut server_events) = mpsc::channel(net::CHANNEL_DEPTH);
    let server = net::spawn(server_config, stx);
    let local = loop {
        let event = server_events.recv().await.ok_or(DemoError::Stopped("the server stopped"))?;
        print("server", &event);
        recorder.event_of(0, &event);
        match event.kind {
            EventKind::Listening { local, .. } => {
                let local = local.inet().ok_or(DemoError::NoIp)?;
                let proto = if udp { "udp" } else { "tcp" };
                // Only what the network is: the demo is over before
                // another terminal could join it.
                if let Some(line) = isolation.notice(proto, local.port()).first() {
                    println!("[server] # {line}");
                }
                break local;
            }
            EventKind::Fatal { error } => return Err(error.into()),
            _ => {}
        }
    };
    let mut client_config = client_config;
    client_config.role = match client_config.role {
        Role::UdpClient(_) => Role::UdpClient(Target::Addr(local)),
        _ => Role::TcpClient(Target::Addr(local)),
    };
    let (ctx, mut client_events) = mpsc::channel(net::CHANNEL_DEPTH);
    let client = net::spawn(client_config, ctx);
    if udp {
        say(&client, "hello from the client\n").await;
    }
    loop {
        tokio::select! {
            Some(event) = client_events.recv() => {
                print("client", &event);
                recorder.event_of(1, &event);
                match &event.kind {
                    EventKind::Connected { .. } => say(&client, "hello from the client\n").await,
                    EventKind::Data(d) if d.dir == Dir::Received => {
                        let _ = client.commands.send(Command::Close { to: To::Current }).await;
                        if udp {
                            return Ok(());
                        }
                    }
                    EventKind::Fatal { error } => return Err(error.clone().into()),
                    _ => {}
                }
            }
            Some(event) = server_events.recv() => {
                print("server", &event);
                recorder.event_of(0, &event);
                match &event.kind {
                    EventKind::Data(d) if d.dir == Dir::Received => {
                        say(&server, "hi, 你好 from the server\n").await;
                    }
                    EventKind::PeerEof { .. } => {
                        let _ = server.commands.send(Command::Close { to: To::Current }).await;
                    }
                    EventKind::Closed { .. } => return Ok(()),
                    _ => {}
                }
            }
            else => return Err(DemoError::Stopped("both ends stopped early")),
        }
    }
}

/// Why the demo's conversation did not finish.
#[derive(Debug, thiserror::Error)]
enum DemoError {
    /// One end's own socket failed (the message in the error grammar).
    #[error(transparent)]
    Setup(#[from] crate::net::SetupError),
    /// The plan did not hold a server and a client (never expected).
    #[error("the demo needs two ends")]
    Ends,
    /// An end's events ended before the conversation did: which, said.
    #[error("{0}")]
    Stopped(&'static str),
    /// The server listens on a Unix socket (never expected).
    #[error("the demo's server has no IP address")]
    NoIp,
}

async fn say(end: &SessionHandle, text: &'static str) {
    let data = Bytes::from_static(text.as_bytes());
    let _ = end.commands.send(Command::Send { to: To::Current, data }).await;
}
