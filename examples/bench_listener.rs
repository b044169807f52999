//! The baseline for `scripts/bench`'s accept row: a minimal tokio listener
//! with a backlog of 1024 that accepts in a loop and reads each connection
//! to EOF in a task of its own (what `sockpit tcp server --keep-open --sink`
//! does, without the rest).
//!
//! `cargo run --release --example bench_listener [ADDR]` prints `listening
//! on ADDR`, then `connected` for every accepted connection, on stdout.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::io::Write;

use tokio::io::AsyncReadExt;
use tokio::net::TcpSocket;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    // Thousands of connections need more than the default 1024 files.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".into());
    let addr = addr.parse().map_err(std::io::Error::other)?;
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    let listener = socket.listen(1024)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", listener.local_addr()?)?;
    out.flush()?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        writeln!(out, "connected")?;
        out.flush()?;
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {}
        });
    }
}
