//! The one client of `scripts/bench`'s echo row: N round trips of a 32-byte
//! message over one connection with `TCP_NODELAY`, each timed from write
//! to the last byte of the echo; prints the percentiles as one JSON line.
//!
//! `cargo run --release --example bench_rtt -- ADDR [N]` (N default 20000;
//! the first 1000 round trips warm up and are not counted).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const MESSAGE: usize = 32;
const WARM_UP: usize = 1000;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().ok_or_else(|| std::io::Error::other("usage: bench_rtt ADDR [N]"))?;
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let mut stream = TcpStream::connect(&addr)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let message = [b'x'; MESSAGE];
    let mut echo = [0u8; MESSAGE];
    let mut times = Vec::with_capacity(n);
    for i in 0..WARM_UP + n {
        let start = Instant::now();
        stream.write_all(&message)?;
        stream.read_exact(&mut echo)?;
        if i >= WARM_UP {
            times.push(start.elapsed());
        }
        if echo != message {
            return Err(std::io::Error::other("the echo differs from the message"));
        }
    }
    times.sort_unstable();
    let pct = |p: usize| times.get(times.len() * p / 100).map_or(0.0, |d| d.as_secs_f64() * 1e6);
    println!(r#"{{"n":{n},"p50_us":{:.2},"p99_us":{:.2}}}"#, pct(50), pct(99));
    Ok(())
}
