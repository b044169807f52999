//! Resources: 1 GiB of random bytes each way through headless
//! sockpit arrives identical, and a `--keep-open` server holds and serves
//! 1,000 concurrent connections (its RSS is printed).
//!
//! The gigabyte is never held in memory: a writer thread generates it from
//! a seed and checksums it as it writes, the reader checksums what arrives,
//! and the two checksums and lengths are compared after the transfer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Instant;

use common::*;

const GIB: u64 = 1 << 30;
const CHUNK: usize = 1 << 16;

/// A fast checksum of a byte stream, not cryptographic: two lanes over
/// little-endian 64-bit words, each step `(lane ^ word) * odd`, a bijection
/// of the lane for a given word, so a single differing word always changes
/// the result; the length is compared separately. Any chunking of the same
/// bytes gives the same value.
#[derive(Default)]
struct Checksum {
    a: u64,
    b: u64,
    tail: [u8; 8],
    tail_len: usize,
    len: u64,
}

impl Checksum {
    fn word(&mut self, w: u64) {
        self.a = (self.a ^ w).wrapping_mul(0x0000_0100_0000_01b3);
        self.b = (self.b.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn update(&mut self, mut data: &[u8]) {
        self.len += data.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(data.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&data[..take]);
            self.tail_len += take;
            data = &data[take..];
            if self.tail_len < 8 {
                return;
            }
            self.word(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = data.chunks_exact(8);
        for w in &mut words {
            self.word(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    /// (length, lane a, lane b) with the unfinished word folded in.
    fn finish(mut self) -> (u64, u64, u64) {
        if self.tail_len > 0 {
            let mut last = [0u8; 8];
            last[..self.tail_len].copy_from_slice(&self.tail[..self.tail_len]);
            self.word(u64::from_le_bytes(last) ^ ((self.tail_len as u64) << 60));
        }
        (self.len, self.a, self.b)
    }
}

/// Writes `total` bytes of xorshift64* output from `seed` to `to` in 64 KiB
/// chunks; returns the checksum of what was written.
fn send_random(mut to: impl Write, seed: u64, total: u64) -> (u64, u64, u64) {
    let mut x = seed | 1;
    let mut sum = Checksum::default();
    let mut buf = vec![0u8; CHUNK];
    let mut left = total;
    while left > 0 {
        for word in buf.chunks_exact_mut(8) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            word.copy_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
        let n = usize::try_from(left.min(CHUNK as u64)).expect("chunk");
        to.write_all(&buf[..n]).expect("write the random stream");
        sum.update(&buf[..n]);
        left -= n as u64;
    }
    sum.finish()
}

/// Reads `from` to EOF; returns the checksum of everything read.
fn receive(mut from: impl Read) -> (u64, u64, u64) {
    let mut sum = Checksum::default();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match from.read(&mut buf) {
            Ok(0) => return sum.finish(),
            Ok(n) => sum.update(&buf[..n]),
            Err(e) => panic!("read after {} bytes: {e}", sum.len),
        }
    }
}

#[test]
fn the_checksum_sees_chunking_but_not_difference() {
    let data = random_bytes(1000);
    let mut whole = Checksum::default();
    whole.update(&data);
    let mut pieces = Checksum::default();
    for piece in data.chunks(7) {
        pieces.update(piece);
    }
    let whole = whole.finish();
    assert_eq!(whole, pieces.finish());
    let mut changed = data.clone();
    changed[500] ^= 1;
    let mut other = Checksum::default();
    other.update(&changed);
    assert_ne!(other.finish(), whole);
}

/// 1 GiB each way at once through one headless session: stdin to the peer
/// and the peer to stdout.
fn gigabyte_each_way(args: &[&str], peer: impl FnOnce(&mut Proc) -> TcpStream) {
    let started = Instant::now();
    let mut me = Proc::spawn_raw(sockpit(args));
    let stream = peer(&mut me);
    stream.set_read_timeout(Some(BULK)).expect("timeout");
    let stdin = me.stdin.take().expect("stdin");
    let stdout = me.stdout.take().expect("stdout");
    let into_stdin = thread::spawn(move || send_random(stdin, 0x5eed_0001, GIB));
    let out_of_stdout = thread::spawn(move || receive(stdout));
    let mut writer = stream.try_clone().expect("clone");
    let from_peer = thread::spawn(move || {
        let sum = send_random(&mut writer, 0x5eed_0002, GIB);
        writer.shutdown(Shutdown::Write).expect("shutdown");
        sum
    });
    let at_peer = receive(&stream);
    let sent_in = into_stdin.join().expect("stdin writer");
    assert_eq!(at_peer, sent_in, "stdin -> peer: (length, checksums) differ");
    let sent_out = from_peer.join().expect("peer writer");
    drop(stream);
    assert_eq!(out_of_stdout.join().expect("stdout reader"), sent_out, "peer -> stdout differ");
    me.expect_code(0, BULK);
    eprintln!("2 GiB through `sockpit {}` in {:?}", args.join(" "), started.elapsed());
}

#[test]
fn a_gigabyte_each_way_through_a_headless_client() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    gigabyte_each_way(&["tcp", "client", &addr], |_| accept(&listener));
}

#[test]
fn a_gigabyte_each_way_through_a_headless_server() {
    gigabyte_each_way(&["tcp", "server", "127.0.0.1:0"], |me| {
        let line = me.wait_line("listening", |l| l.starts_with("listening on "));
        let addr = line["listening on ".len()..].split(' ').next().unwrap_or_default();
        connect(addr.parse().expect("address"))
    });
}

/// `VmRSS` of `pid` in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("VmRSS");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmRSS in kB")
}

/// 1,000 clients at once: every one connected, its line on stdout, and
/// stdin's line broadcast back to each; when they leave, every connection
/// is closed.
#[test]
fn a_thousand_concurrent_connections_are_all_served() {
    const N: usize = 1000;
    rlimit::increase_nofile_limit(u64::MAX).expect("raise the open-files limit");
    let args = ["tcp", "server", "127.0.0.1:0", "--keep-open", "--max-conns", "2000"];
    let mut me = Proc::spawn(sockpit(&args));
    let line = me.wait_line("listening", |l| l.starts_with("listening on "));
    let addr: std::net::SocketAddr =
        line["listening on ".len()..].split(' ').next().unwrap_or_default().parse().expect("addr");
    let pid = me.child.id();
    let idle = rss_kib(pid);
    let mut clients: Vec<TcpStream> = (0..N)
        .map(|i| {
            let mut c = connect(addr);
            c.write_all(format!("client {i:04}\n").as_bytes()).expect("write");
            c
        })
        .collect();
    me.wait_count("connected", N, |l| l.starts_with("connected "));
    let out =
        me.wait_stdout("every client's line", |b| b.iter().filter(|&&c| c == b'\n').count() >= N);
    let mut lines: Vec<String> =
        String::from_utf8(out).expect("UTF-8").lines().map(String::from).collect();
    lines.sort_unstable();
    let want: Vec<String> = (0..N).map(|i| format!("client {i:04}")).collect();
    assert!(lines == want, "stdout lines: {} of {N}, first {:?}", lines.len(), lines.first());
    me.write(b"to all of you\n");
    for (i, c) in clients.iter_mut().enumerate() {
        let mut got = String::new();
        BufReader::new(&*c).read_line(&mut got).expect("read the broadcast");
        assert_eq!(got, "to all of you\n", "client {i}");
    }
    let busy = rss_kib(pid);
    eprintln!("RSS of a --keep-open server: {idle} KiB idle, {busy} KiB holding {N} connections");
    assert!(busy < 256 << 10, "{busy} KiB for {N} connections");
    let rejected = me.stderr.iter().filter(|l| l.starts_with("rejected ")).count();
    assert_eq!(rejected, 0);
    drop(clients);
    me.wait_count("closed", N, |l| l.starts_with("sock ") && l.ends_with(" closed"));
    assert!(me.child.try_wait().expect("try_wait").is_none(), "the server exited");
    eprintln!("RSS after they left: {} KiB", rss_kib(pid));
    me.kill();
}
