//! Helpers around the processes: test data, byte comparison, Rust socket
//! peers with bounded waits, and reading JSON events.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{BULK, SOON};

/// `n` pseudo-random bytes (xorshift64*, seeded from the clock and pid).
pub fn random_bytes(n: usize) -> Vec<u8> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    let mut x = nanos ^ (u64::from(std::process::id()) << 32) | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Every byte value once, 0x00 to 0xff.
pub fn all_bytes() -> Vec<u8> {
    (0..=255u8).collect()
}

/// Asserts two byte strings are identical, naming the first difference
/// instead of printing megabytes.
pub fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    if got == want {
        return;
    }
    let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
    let show =
        |b: &[u8]| String::from_utf8_lossy(&b[at.min(b.len())..(at + 32).min(b.len())]).to_string();
    panic!(
        "{what}: got {} bytes, want {}; first difference at {at}: got {:?}, want {:?}",
        got.len(),
        want.len(),
        show(got),
        show(want)
    );
}

/// A TCP port on 127.0.0.1 that was free a moment ago and nothing listens on.
pub fn closed_tcp_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind :0");
    listener.local_addr().expect("addr").port()
}

/// A UDP port on 127.0.0.1 that was free a moment ago and nothing is bound to.
pub fn closed_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind :0");
    socket.local_addr().expect("addr").port()
}

/// Accepts one connection within [`SOON`] (bounded poll), then gives the
/// stream blocking reads and writes with a [`BULK`] timeout.
pub fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + SOON;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking");
                stream.set_read_timeout(Some(BULK)).expect("timeout");
                stream.set_write_timeout(Some(BULK)).expect("timeout");
                return stream;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                assert!(Instant::now() < deadline, "no connection within {SOON:?}");
                thread::sleep(Duration::from_millis(5)); // poll interval
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// Connects to `addr` with read/write timeouts of [`BULK`].
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, SOON).expect("connect");
    stream.set_read_timeout(Some(BULK)).expect("timeout");
    stream.set_write_timeout(Some(BULK)).expect("timeout");
    stream
}

/// Reads until EOF; `chunk` bytes per read, pausing `pause` every `every`
/// reads to play a slow receiver.
pub fn read_slowly(mut from: impl Read, chunk: usize, every: usize, pause: Duration) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; chunk];
    for reads in 1.. {
        let n = from.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
        if reads % every == 0 {
            thread::sleep(pause); // the peer's reading pattern, not a network wait
        }
    }
    out
}

/// Asserts every line is a JSON object with a `v` field; returns them.
pub fn json_lines(lines: &[String]) -> Vec<Value> {
    assert!(!lines.is_empty(), "no events on stderr");
    lines
        .iter()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {line:?}"));
            assert!(v["v"].is_u64(), "no numeric \"v\" field: {line}");
            assert!(v["t"].is_u64(), "no integer \"t\" field: {line}");
            assert!(v["ev"].is_string(), "no \"ev\" field: {line}");
            v
        })
        .collect()
}

/// The `call` events among `events` as (call name, ok).
pub fn calls(events: &[Value]) -> Vec<(String, bool)> {
    events
        .iter()
        .filter(|v| v["ev"] == "call")
        .map(|v| (v["call"].as_str().unwrap_or("?").to_string(), v["ok"] == true))
        .collect()
}

/// The port in the last `HOST:PORT` or `... PORT` token of a peer's
/// "listening" line (socat -d -d, nc.openbsd -v).
pub fn port_in(line: &str) -> u16 {
    let token = line.split_whitespace().last().unwrap_or("");
    let port = token.rsplit(':').next().unwrap_or("");
    port.parse().unwrap_or_else(|e| panic!("no port in {line:?}: {e}"))
}

/// A fresh directory for one test's files, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sockpit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    /// A file in it, as a string for command lines.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
