//! The one client of `scripts/bench`'s accept row: opens N connections (8
//! threads connecting at once), keeps them all open until the last is made,
//! and prints the rate and the slowest connect as one JSON line. A server
//! that does not accept fast enough fills its accept queue; the kernel then
//! drops SYNs and a connect stalls for a second or more.
//!
//! `cargo run --release --example bench_connect -- ADDR [N] [HOLD_MS]` (N
//! default 2000): with `HOLD_MS`, the connections stay open that long after
//! the line is printed (scripts/bench reads the server's memory then).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 8;

fn main() -> std::io::Result<()> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mut args = std::env::args().skip(1);
    let usage = || std::io::Error::other("usage: bench_connect ADDR [N]");
    let addr: SocketAddr = args.next().ok_or_else(usage)?.parse().map_err(|_| usage())?;
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let hold = Duration::from_millis(args.next().and_then(|n| n.parse().ok()).unwrap_or(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let count = n / THREADS + usize::from(t < n % THREADS);
            thread::spawn(move || -> std::io::Result<(Vec<TcpStream>, Duration)> {
                let mut held = Vec::with_capacity(count);
                let mut slowest = Duration::ZERO;
                for _ in 0..count {
                    let began = Instant::now();
                    held.push(TcpStream::connect_timeout(&addr, Duration::from_secs(10))?);
                    slowest = slowest.max(began.elapsed());
                }
                Ok((held, slowest))
            })
        })
        .collect();
    let mut held = Vec::with_capacity(n);
    let mut slowest = Duration::ZERO;
    for worker in workers {
        let (streams, slow) =
            worker.join().map_err(|_| std::io::Error::other("a connecting thread panicked"))??;
        held.extend(streams);
        slowest = slowest.max(slow);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        r#"{{"n":{},"secs":{secs:.4},"per_sec":{:.0},"slowest_ms":{:.2}}}"#,
        held.len(),
        f64::from(u32::try_from(held.len()).unwrap_or(u32::MAX)) / secs,
        slowest.as_secs_f64() * 1e3
    );
    std::io::Write::flush(&mut std::io::stdout())?;
    thread::sleep(hold);
    drop(held);
    Ok(())
}
