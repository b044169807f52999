//! `--stats SECS`: every SECS, one state line per live socket on stderr,
//! from the engine's latest sample (JSON: that sample's event line). The
//! engine reports a socket's sample only when a figure changed, so the
//! latest one stands for every tick since; this keeps them and says when
//! the next round of lines is due.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use tokio::time::Instant;

use crate::net::sample::Sample;
use crate::net::{Event, EventKind, SockId, TcpState, Transition, Whose};

/// Latest sample of each live socket, and when the next lines are due.
pub struct Stats {
    every: Duration,
    due: Instant,
    latest: BTreeMap<SockId, Event>,
}

impl Stats {
    /// The first round is due one period after `start`.
    pub fn new(every: Duration, start: Instant) -> Self {
        let every = every.max(Duration::from_millis(1));
        Self { every, due: start + every, latest: BTreeMap::new() }
    }

    /// Keeps the latest sample of each socket; forgets closed ones.
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Sample { sock, .. } => {
                self.latest.insert(*sock, event.clone());
            }
            EventKind::Closed { sock, .. } => {
                self.latest.remove(sock);
            }
            _ => {}
        }
    }

    /// When the next round of lines is due.
    pub fn due(&self) -> Instant {
        self.due
    }

    /// The sample events to print for the round due at `now`; the next one
    /// is a period after this one was due, so lines keep their rhythm.
    pub fn round(&mut self, now: Instant) -> Vec<&Event> {
        while self.due <= now {
            self.due += self.every;
        }
        self.latest.values().collect()
    }
}

/// The text form: `sock 2 ESTABLISHED 127.0.0.1:8080 <-> ...: recv-q 0 ...`.
#[must_use]
pub fn line(sock: SockId, s: &Sample) -> String {
    let state = match (&s.tcp, s.kind) {
        (Some(t), _) => t.state.name(),
        (None, kind) => kind.protocol(s.family),
    };
    let mut out = format!("stats sock {sock} fd {} {state}", s.fd);
    if let Some(local) = &s.local {
        let _ = write!(out, " {local}");
    }
    if let Some(peer) = &s.peer {
        let _ = write!(out, " <-> {peer}");
    }
    if let Some(q) = s.accept_queue {
        let _ = write!(out, " accept-queue {}/{}", q.len, q.backlog);
    }
    let next = if s.kind == crate::net::Kind::Dgram { "next-datagram" } else { "recv-q" };
    if let Some(n) = s.recv_q {
        let _ = write!(out, " {next} {n}");
    }
    if let Some(n) = s.send_q {
        let _ = write!(out, " send-q {n}");
    }
    if let Some(t) = s.tcp.as_ref().filter(|_| !s.listening) {
        let rtt = f64::from(t.rtt_us) / 1000.0;
        let _ = write!(out, " rtt {rtt:.3} ms cwnd {} retrans {}", t.snd_cwnd, t.total_retrans);
        if let (Some(acked), Some(received)) = (t.bytes_acked, t.bytes_received) {
            let _ = write!(out, " acked {acked} B received {received} B");
        }
    }
    out
}

/// A state change the kernel made: `kernel: sock 2 ... ESTABLISHED -> CLOSE_WAIT`.
#[must_use]
pub fn transition_line(t: &Transition) -> String {
    let from = t.from.map_or("(new)", TcpState::name);
    let to = t.to.map_or("(gone)", TcpState::name);
    let whose = match t.whose {
        Whose::Ours { sock } => format!("sock {sock}"),
        Whose::Queued { listener } => format!("queued on sock {listener}"),
        Whose::Remains { sock } => format!("closed sock {sock}"),
        Whose::PeerEnd { sock: Some(sock) } => format!("peer of sock {sock}"),
        Whose::PeerEnd { sock: None } => "peer".to_string(),
    };
    format!("kernel: {whose} {} <-> {}: {} -> {}", t.local, t.peer, from, to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::sample::{AcceptQueue, Options};
    use crate::net::{Family, Kind};

    fn sample_event(at: crate::net::Micros, sock: SockId) -> Event {
        let sample = Sample {
            fd: 4,
            family: Family::Inet,
            kind: Kind::Stream,
            listening: true,
            local: Some("127.0.0.1:8080".parse().unwrap()),
            peer: None,
            timeout: None,
            nonblocking: Some(true),
            options: Options::default(),
            recv_q: None,
            send_q: None,
            tcp: None,
            accept_queue: Some(AcceptQueue { len: 3, backlog: 5 }),
            last: false,
        };
        Event { at, kind: EventKind::Sample { sock, sample: Box::new(sample) } }
    }

    #[test]
    fn a_round_has_every_live_socket_once_per_period() {
        let start = Instant::now();
        let mut stats = Stats::new(Duration::from_secs(1), start);
        assert_eq!(stats.due(), start + Duration::from_secs(1));
        stats.observe(&sample_event(0, 1));
        stats.observe(&sample_event(1, 2));
        stats.observe(&sample_event(2, 1));
        let round = stats.round(stats.due());
        let at: Vec<_> = round.iter().map(|e| e.at).collect();
        assert_eq!(at, vec![2, 1], "the latest of each socket");
        let closed = EventKind::Closed { sock: 2, reason: crate::net::CloseReason::Local };
        stats.observe(&Event { at: 3, kind: closed });
        // A late round does not bunch up the ones it missed.
        assert_eq!(stats.round(start + Duration::from_millis(3500)).len(), 1, "closed ones go");
        assert_eq!(stats.due(), start + Duration::from_secs(4));
    }

    #[test]
    fn listener_line_shows_the_accept_queue() {
        let event = sample_event(0, 1);
        let EventKind::Sample { sample, .. } = &event.kind else { unreachable!() };
        assert_eq!(line(1, sample), "stats sock 1 fd 4 TCP 127.0.0.1:8080 accept-queue 3/5");
    }
}
