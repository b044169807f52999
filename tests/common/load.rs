//! Load on a running sockpit and what it costs, read from /proc: a peer
//! flooding a connection with pseudo-random bytes, and the process's
//! memory (`VmRSS`, `VmHWM`) and CPU time. Shared by `tests/tui_robust.rs` and
//! benches/tui.rs, so the bench measures what the test bounds.
#![allow(dead_code, reason = "each user takes its own subset")]

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One `kB` field (`VmRSS`, `VmHWM`) of `/proc/PID/status`, in KiB; `None`
/// once the process is gone.
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line =
        status.lines().find(|l| l.strip_prefix(field).is_some_and(|r| r.starts_with(':')))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `VmRSS` of `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS").expect("VmRSS of a live process")
}

/// CPU time `pid` has used so far, all threads (utime + stime of
/// `/proc/PID/stat`, in `USER_HZ` ticks of 10 ms).
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name start with the state
    // (field 3); utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Writes pseudo-random bytes (xorshift: lines of every length, invalid
/// UTF-8, control bytes) to `to` as fast as it takes them until `sent`
/// reaches `total` or `stop` says so, counting them in `sent`; `false`
/// when the writes failed.
pub fn flood(mut to: TcpStream, total: u64, sent: &AtomicU64, stop: &dyn Fn() -> bool) -> bool {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut buf = vec![0u8; 1 << 16];
    while sent.load(Ordering::Relaxed) < total && !stop() {
        for word in buf.chunks_exact_mut(8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            word.copy_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        if to.write_all(&buf).is_err() {
            return false;
        }
        sent.fetch_add(buf.len() as u64, Ordering::Relaxed);
    }
    true
}
