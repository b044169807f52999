//! What live inspection costs: one TCP server session holding N idle
//! connections (default 1000), measured with sampling off and then at 4 Hz
//! (each socket's `TCP_INFO` + SIOCINQ + SIOCOUTQ, and one `NETLINK_SOCK_DIAG`
//! dump of every TCP socket per tick). The figure is the process's CPU time
//! (user + system, from /proc/self/stat) over the window, as % of one core;
//! the events are drained and counted as a consumer would.
//!
//!   cargo bench --bench sampling                  # 1000 sockets, 10 s windows
//!   CONNS=200 SECS=5 cargo bench --bench sampling
//!
//! Not a test: it prints figures, it asserts nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sockpit::net::{self, EventKind, Role, SessionConfig, Target};
use tokio::sync::mpsc;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// CPU time this process has used so far (utime + stime).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in clock ticks (USER_HZ, 100 on Linux).
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<u64> =
        rest.split(' ').skip(11).take(2).map(|f| f.parse().unwrap_or(0)).collect();
    Duration::from_millis((fields[0] + fields[1]) * 10)
}

/// Runs one session with `sample_every`, holds `conns` idle connections,
/// and returns (% of one core over the window, sample events seen).
async fn measure(conns: usize, window: Duration, sample_every: Option<Duration>) -> (f64, u64) {
    let any: SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let mut config = SessionConfig::new(Role::TcpServer(Target::Addr(any)));
    config.sample_every = sample_every;
    config.max_conns = conns + 1;
    let (tx, mut events) = mpsc::channel(net::CHANNEL_DEPTH);
    let session = net::spawn(config, tx);
    let local = loop {
        match events.recv().await.expect("session").kind {
            EventKind::Listening { local, .. } => break local,
            EventKind::Fatal { error } => panic!("{error}"),
            _ => {}
        }
    };
    let mut clients = Vec::with_capacity(conns);
    let mut connected = 0;
    for _ in 0..conns {
        clients.push(
            tokio::net::TcpStream::connect(local.inet().expect("an IP listener"))
                .await
                .expect("connect"),
        );
    }
    while connected < conns {
        if let EventKind::Connected { .. } = events.recv().await.expect("session").kind {
            connected += 1;
        }
    }
    // Let accepting settle, then measure only the idle, sampled state.
    let settle = Instant::now() + Duration::from_secs(1);
    while let Ok(Some(_)) = tokio::time::timeout_at(settle.into(), events.recv()).await {}
    let (start, cpu0) = (Instant::now(), cpu_time());
    let mut samples = 0;
    let end = start + window;
    while let Ok(Some(event)) = tokio::time::timeout_at(end.into(), events.recv()).await {
        if let EventKind::Sample { .. } = event.kind {
            samples += 1;
        }
    }
    let (cpu, wall) = (cpu_time().checked_sub(cpu0).unwrap(), start.elapsed());
    drop(clients);
    drop(session);
    (cpu.as_secs_f64() / wall.as_secs_f64() * 100.0, samples)
}

fn main() {
    let conns = usize::try_from(env_or("CONNS", 1000)).expect("CONNS");
    let window = Duration::from_secs(env_or("SECS", 10));
    let _ = net::raise_open_files();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let every = Duration::from_millis(250);
    let (off, _) = runtime.block_on(measure(conns, window, None));
    let (on, samples) = runtime.block_on(measure(conns, window, Some(every)));
    #[expect(clippy::cast_precision_loss, reason = "a rate to print")]
    let rate = samples as f64 / window.as_secs_f64();
    println!("{conns} idle connections + listener, {}s windows:", window.as_secs());
    println!("  sampling off      {off:6.2} % of one core");
    println!("  sampling at 4 Hz  {on:6.2} % of one core ({rate:.0} samples/s)");
    println!("  cost of sampling  {:6.2} % of one core", on - off);
}
