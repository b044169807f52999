//! `--source SIZE`: a pattern sent instead of stdin, like Stevens' `sock -i`
//! or iperf3's client — the socket-only half of a throughput test.

use tokio::sync::mpsc;

use crate::cli::Source;
use crate::net::bulk::pattern;
use crate::net::{Command, Shut, To};

/// Bytes per send of a TCP source: writes this large keep syscalls rare,
/// and four fit the connection's 1 MiB outbox, so one is always ready.
const STREAM_CHUNK: usize = 256 * 1024;

/// Sends `source.total` bytes of the pattern to `to`, then, for a stream,
/// `shutdown(SHUT_WR)` as at stdin's EOF; reports the number of sends
/// made, like the stdin thread. A stream is sent as slices of one buffer
/// (nothing allocated per chunk); datagrams are sent by the socket's task
/// itself ([`Command::Source`]): one command, whose totals event ends it.
pub fn spawn_source(
    source: Source,
    to: To,
    commands: mpsc::Sender<Command>,
    eof: mpsc::Sender<u64>,
) {
    tokio::spawn(async move {
        if let Some(size) = source.datagram {
            let _ = commands.send(Command::Source { to, total: source.total, size }).await;
            let _ = eof.send(1).await;
            return;
        }
        let pattern = pattern(STREAM_CHUNK);
        let mut left = source.total;
        let mut sends = 0u64;
        while left > 0 {
            let n = usize::try_from(left).map_or(STREAM_CHUNK, |left| left.min(STREAM_CHUNK));
            if commands
                .send(Command::Send { to: to.clone(), data: pattern.slice(..n) })
                .await
                .is_err()
            {
                break;
            }
            left -= n as u64;
            sends += 1;
        }
        let _ = commands.send(Command::Shutdown { to, how: Shut::Write }).await;
        let _ = eof.send(sends).await;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_repeats_every_256_bytes() {
        let p = pattern(STREAM_CHUNK);
        assert_eq!(STREAM_CHUNK % 256, 0, "chunks must keep the stream's pattern");
        assert!(p.iter().enumerate().all(|(k, &b)| usize::from(b) == k % 256));
    }
}
