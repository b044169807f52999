//! What the inspection panel draws, kept from the engine's events: each
//! socket's latest sample and the one before (closed sockets keep theirs),
//! rtt and throughput history for the sparklines, and the kernel's list of
//! this end's sockets that have no fd. (State changes the kernel makes go
//! into the lifecycle timeline: `app::lifecycle`.)

use std::collections::{BTreeMap, VecDeque};

use crate::net::sample::Sample;
use crate::net::sample::TcpFigures;
use crate::net::{DiagSocket, EventKind, Micros, SockId, TcpState, Whose};

/// Points kept per sparkline: a minute of throughput, one point a second.
pub const HISTORY: usize = 60;

/// One socket's figures over time.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub latest: Option<Sample>,
    pub previous: Option<Sample>,
    /// When the latest sample was taken: its ages ("last send 3 s") grow
    /// from there with the app's clock.
    pub sampled_at: Micros,
    /// Smoothed rtt (µs) of each sample that carried one, oldest first.
    pub rtt_us: VecDeque<u64>,
    /// Bytes moved (both ways) per whole second, oldest first, ending at
    /// the second of `last_second`.
    pub throughput: VecDeque<u64>,
    last_second: Option<u64>,
}

impl Figures {
    fn sample(&mut self, at: Micros, sample: &Sample) {
        self.sampled_at = at;
        // A listener's rtt is its handshakes', not a conversation's; an
        // unconnected socket has none.
        let talking = |t: &&TcpFigures| !sample.listening && t.state != TcpState::Close;
        if let Some(t) = sample.tcp.as_ref().filter(talking) {
            push(&mut self.rtt_us, u64::from(t.rtt_us));
        }
        self.previous = self.latest.replace(sample.clone());
    }

    /// Counts `len` bytes into the second of `at`, with idle seconds as 0.
    fn moved(&mut self, at: Micros, len: u64) {
        let second = at / 1_000_000;
        match self.last_second {
            Some(last) if second <= last => {
                if let Some(newest) = self.throughput.back_mut() {
                    *newest += len;
                }
            }
            last => {
                let gap = last.map_or(0, |l| (second - l - 1).min(HISTORY as u64));
                for _ in 0..gap {
                    push(&mut self.throughput, 0);
                }
                push(&mut self.throughput, len);
                self.last_second = Some(second);
            }
        }
    }
}

/// Whether a new sample changes what the panel says at once: addresses,
/// Python's timeout, the flag, queues, the TCP state. (Figures that move
/// all the time, rtt and ages, are redrawn by the once-a-second tick.)
#[must_use]
pub fn differs(before: &Sample, now: &Sample) -> bool {
    let state = |s: &Sample| s.tcp.as_ref().map(|t| t.state);
    before.local != now.local
        || before.peer != now.peer
        || before.timeout != now.timeout
        || before.nonblocking != now.nonblocking
        || before.recv_q != now.recv_q
        || before.send_q != now.send_q
        || before.accept_queue != now.accept_queue
        || before.last != now.last
        || state(before) != state(now)
}

fn push(points: &mut VecDeque<u64>, v: u64) {
    if points.len() == HISTORY {
        points.pop_front();
    }
    points.push_back(v);
}

/// Every socket's figures for one end, and the kernel's fd-less sockets.
#[derive(Debug, Clone, Default)]
pub struct Inspection {
    pub sockets: BTreeMap<SockId, Figures>,
    /// The latest list of this end's sockets without an fd.
    pub kernel: Vec<DiagSocket>,
}

impl Inspection {
    /// Takes in one engine event.
    pub fn update(&mut self, at: Micros, kind: &EventKind) {
        match kind {
            EventKind::Sample { sock, sample } => {
                self.sockets.entry(*sock).or_default().sample(at, sample);
            }
            EventKind::Data(d) => {
                let len = d.data.len() as u64;
                self.sockets.entry(d.sock).or_default().moved(at, len);
            }
            EventKind::Kernel { sockets } => self.kernel.clone_from(sockets),
            _ => {}
        }
    }

    /// A socket's figures, if it was ever sampled.
    #[must_use]
    pub fn figures(&self, sock: SockId) -> Option<&Figures> {
        self.sockets.get(&sock).filter(|f| f.latest.is_some())
    }

    /// The fd-less sockets that belong to socket `sock`: a listener's queued
    /// connections; what a closed connection left, and its peer's end.
    #[must_use]
    pub fn fd_less(&self, sock: SockId) -> Vec<DiagSocket> {
        let mine = |w: Whose| match w {
            Whose::Queued { listener } => listener == sock,
            Whose::Remains { sock: s }
            | Whose::PeerEnd { sock: Some(s) }
            | Whose::Ours { sock: s } => s == sock,
            Whose::PeerEnd { sock: None } => false,
        };
        self.kernel.iter().filter(|d| mine(d.whose)).cloned().collect()
    }

    /// Forgets everything (a new session numbers its sockets from 1 again).
    pub fn clear(&mut self) {
        self.sockets.clear();
        self.kernel.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_counts_bytes_per_second_with_idle_seconds_as_zero() {
        let mut f = Figures::default();
        f.moved(10_000_000, 5);
        f.moved(10_500_000, 7);
        f.moved(13_000_000, 1);
        assert_eq!(f.throughput, VecDeque::from([12, 0, 0, 1]));
        for s in 0..100 {
            f.moved(20_000_000 + s * 1_000_000, 2);
        }
        assert_eq!(f.throughput.len(), HISTORY, "a minute is kept");
    }

    #[test]
    fn a_listener_owns_its_queue_and_a_connection_its_remains_and_peer() {
        let d = |whose| DiagSocket {
            whose,
            state: TcpState::Established,
            local: "127.0.0.1:80".parse().unwrap(),
            peer: "127.0.0.1:5000".parse().unwrap(),
            recv_q: 0,
            send_q: 0,
        };
        let mut i = Inspection::default();
        let kernel = vec![
            d(Whose::Queued { listener: 1 }),
            d(Whose::Remains { sock: 2 }),
            d(Whose::PeerEnd { sock: Some(2) }),
            d(Whose::PeerEnd { sock: None }),
        ];
        i.update(0, &EventKind::Kernel { sockets: kernel });
        assert_eq!(i.fd_less(1).len(), 1);
        assert_eq!(i.fd_less(2).len(), 2);
        assert!(i.fd_less(3).is_empty());
    }
}
