//! `--source SIZE`: a pattern sent instead of stdin, like Stevens' `sock -i`
//! or iperf3's client — the socket-only half of a throughput test.

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::cli::Source;
use crate::net::{Command, Shut, To};

/// Bytes per send of a TCP source: writes this large keep syscalls rare,
/// and four fit the connection's 1 MiB outbox, so one is always ready.
const STREAM_CHUNK: usize = 256 * 1024;

/// The pattern, `len` bytes long: byte k is `k mod 256`. A stream is sent as
/// slices of one buffer that start at a multiple of 256, so byte k of the
/// whole stream is `k mod 256` too, and a receiver can check any offset.
fn pattern(len: usize) -> Bytes {
    #[expect(clippy::cast_possible_truncation, reason = "mod 256 is the point")]
    (0..len).map(|k| k as u8).collect::<Vec<u8>>().into()
}

/// Sends `source.total` bytes of the pattern to `to` (as datagrams of
/// `source.datagram` bytes when given), then, for a stream, `shutdown(SHUT_WR)`
/// as at stdin's EOF; reports the number of sends made, like the stdin thread.
/// Every send is a slice of one buffer: nothing is allocated per chunk.
pub fn spawn_source(
    source: Source,
    to: To,
    commands: mpsc::Sender<Command>,
    eof: mpsc::Sender<u64>,
) {
    tokio::spawn(async move {
        let chunk = source.datagram.unwrap_or(STREAM_CHUNK).max(1);
        let pattern = pattern(chunk);
        let mut left = source.total;
        let mut sends = 0u64;
        while left > 0 {
            let n = usize::try_from(left).map_or(chunk, |left| left.min(chunk));
            let data = pattern.slice(..n);
            if commands.send(Command::Send { to: to.clone(), data }).await.is_err() {
                break;
            }
            left -= n as u64;
            sends += 1;
        }
        if source.datagram.is_none() {
            let _ = commands.send(Command::Shutdown { to, how: Shut::Write }).await;
        }
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
