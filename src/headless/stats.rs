//! `--stats SECS`: every SECS, one state line per live socket on stderr,
//! from the engine's latest sample (JSON: that sample's event line). The
//! samples arrive on the engine's timer; this only decides which to print.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::net::{Event, EventKind, Micros, Sample, SockId, TcpState, Transition, Whose};

/// Latest sample of each live socket, and when the next lines are due.
pub struct Stats {
    every: Micros,
    due: Option<Micros>,
    latest: BTreeMap<SockId, Event>,
}

impl Stats {
    pub fn new(every: Duration) -> Self {
        let every = u64::try_from(every.as_micros()).unwrap_or(u64::MAX).max(1);
        Self { every, due: None, latest: BTreeMap::new() }
    }

    /// Takes in one event; returns the sample events to print now, if due.
    pub fn observe(&mut self, event: &Event) -> Vec<&Event> {
        match &event.kind {
            EventKind::Sample { sock, .. } => {
                self.latest.insert(*sock, event.clone());
            }
            EventKind::Closed { sock, .. } => {
                self.latest.remove(sock);
                return Vec::new();
            }
            _ => return Vec::new(),
        }
        let due = *self.due.get_or_insert(event.at);
        if event.at < due {
            return Vec::new();
        }
        // The next round is one period after this one was due, so lines keep
        // their rhythm however the samples fall.
        let behind = (event.at - due) / self.every;
        self.due = Some(due + (behind + 1) * self.every);
        self.latest.values().collect()
    }
}

/// The text form: `sock 2 ESTABLISHED 127.0.0.1:8080 <-> ...: recv-q 0 ...`.
#[must_use]
pub fn line(sock: SockId, s: &Sample) -> String {
    let state = match (&s.tcp, s.kind) {
        (Some(t), _) => t.state.name(),
        (None, kind) => kind.protocol(),
    };
    let mut out = format!("stats sock {sock} fd {} {state}", s.fd);
    if let Some(local) = s.local {
        let _ = write!(out, " {local}");
    }
    if let Some(peer) = s.peer {
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

    fn sample_event(at: Micros, sock: SockId) -> Event {
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
    fn prints_every_socket_once_per_period() {
        let mut stats = Stats::new(Duration::from_secs(1));
        assert_eq!(stats.observe(&sample_event(0, 1)).len(), 1, "the first round is at once");
        assert!(stats.observe(&sample_event(250_000, 2)).is_empty());
        assert!(stats.observe(&sample_event(999_999, 1)).is_empty());
        assert_eq!(stats.observe(&sample_event(1_000_000, 1)).len(), 2, "both sockets");
        let closed = Event {
            at: 1_100_000,
            kind: EventKind::Closed { sock: 2, reason: crate::net::CloseReason::Local },
        };
        assert!(stats.observe(&closed).is_empty());
        assert_eq!(stats.observe(&sample_event(3_500_000, 1)).len(), 1, "closed ones go");
        assert!(stats.observe(&sample_event(3_900_000, 1)).is_empty(), "next due at 4 s");
    }

    #[test]
    fn listener_line_shows_the_accept_queue() {
        let event = sample_event(0, 1);
        let EventKind::Sample { sample, .. } = &event.kind else { unreachable!() };
        assert_eq!(line(1, sample), "stats sock 1 fd 4 TCP 127.0.0.1:8080 accept-queue 3/5");
    }
}
