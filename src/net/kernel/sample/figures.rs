//! The figures of one sample: what a socket's snapshot holds (identity,
//! options, queues, `TCP_INFO`), as the engine's `sample` event carries it.

use std::time::Duration;

use crate::net::event::{Family, Kind};
use crate::net::kernel::sys;
use crate::net::kernel::tcp_state::TcpState;
use crate::net::sockaddr::Addr;

/// One socket's figures at one moment. `None` means "not known here": not
/// applicable (queues of a listener), not on this OS, or the call failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub fd: i32,
    pub family: Family,
    pub kind: Kind,
    /// A TCP listener: queues do not apply, the accept queue does.
    pub listening: bool,
    /// `getsockname()`.
    pub local: Option<Addr>,
    /// `getpeername()`: TCP connections and connected UDP sockets.
    pub peer: Option<Addr>,
    /// The timeout Python would show (`gettimeout()`): sockpit's calls block
    /// without a deadline unless `settimeout` was called, so usually `None`.
    pub timeout: Option<f64>,
    /// The OS-level `O_NONBLOCK` flag: always set under tokio (as under
    /// Python once a timeout is set), whatever `timeout` says.
    pub nonblocking: Option<bool>,
    pub options: Options,
    /// `SIOCINQ`: bytes waiting to be read (TCP), or the size of the next
    /// datagram (UDP).
    pub recv_q: Option<u32>,
    /// `SIOCOUTQ`: bytes not yet acknowledged or not yet sent.
    pub send_q: Option<u32>,
    /// `TCP_INFO` (TCP on Linux).
    pub tcp: Option<TcpFigures>,
    /// A listener's accept queue against its backlog.
    pub accept_queue: Option<AcceptQueue>,
    /// Taken right before `close()`: the socket's last figures.
    pub last: bool,
}

/// Socket options as `getsockopt` reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub rcvbuf: Option<usize>,
    pub sndbuf: Option<usize>,
    pub reuseaddr: Option<bool>,
    pub keepalive: Option<bool>,
    /// TCP only.
    pub nodelay: Option<bool>,
    /// `IP_TTL`, or `IPV6_UNICAST_HOPS` for IPv6.
    pub ttl: Option<u32>,
    pub linger: Option<Linger>,
}

/// `SO_LINGER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linger {
    /// `close()` returns at once; the kernel sends what is left.
    Off,
    /// `close()` waits up to this long for the data to be acknowledged.
    On(Duration),
}

/// A listener's accept queue: on a LISTEN socket `tcpi_unacked` is the
/// queue's length and `tcpi_sacked` the backlog (what `ss -lnt` shows as
/// Recv-Q / Send-Q).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptQueue {
    pub len: u32,
    pub backlog: u32,
}

/// The `TCP_INFO` figures sockpit shows. Times in microseconds unless the
/// name says otherwise; fields newer kernels add are `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpFigures {
    pub state: TcpState,
    pub rtt_us: u32,
    pub rttvar_us: u32,
    pub rto_us: u32,
    pub snd_mss: u32,
    pub snd_cwnd: u32,
    /// `None` while still "infinite" (slow start has not ended).
    pub snd_ssthresh: Option<u32>,
    /// Retransmissions of the current segment (timer backoff count).
    pub retransmits: u8,
    pub total_retrans: u32,
    pub unacked: u32,
    pub lost: u32,
    pub pmtu: u32,
    pub rcv_space: u32,
    pub last_data_sent_ms: u32,
    pub last_data_recv_ms: u32,
    pub bytes_acked: Option<u64>,
    pub bytes_received: Option<u64>,
    pub segs_in: Option<u32>,
    pub segs_out: Option<u32>,
    /// Bytes per second.
    pub delivery_rate: Option<u64>,
}

/// The kernel's "no threshold yet" value of `snd_ssthresh`.
pub(super) const INFINITE_SSTHRESH: u32 = 0x7fff_ffff;

impl TcpFigures {
    /// Picks the shown figures out of the raw struct; `len` is how much of it
    /// the kernel filled.
    #[must_use]
    pub(crate) fn from_info(info: &sys::TcpInfo, len: usize) -> Self {
        let segs = len >= sys::TCP_INFO_SEGS_LEN;
        let rate = len >= sys::TCP_INFO_RATE_LEN;
        Self {
            state: TcpState::from_kernel(info.state),
            rtt_us: info.rtt,
            rttvar_us: info.rttvar,
            rto_us: info.rto,
            snd_mss: info.snd_mss,
            snd_cwnd: info.snd_cwnd,
            snd_ssthresh: (info.snd_ssthresh < INFINITE_SSTHRESH).then_some(info.snd_ssthresh),
            retransmits: info.retransmits,
            total_retrans: info.total_retrans,
            unacked: info.unacked,
            lost: info.lost,
            pmtu: info.pmtu,
            rcv_space: info.rcv_space,
            last_data_sent_ms: info.last_data_sent,
            last_data_recv_ms: info.last_data_recv,
            bytes_acked: segs.then_some(info.bytes_acked),
            bytes_received: segs.then_some(info.bytes_received),
            segs_in: segs.then_some(info.segs_in),
            segs_out: segs.then_some(info.segs_out),
            delivery_rate: rate.then_some(info.delivery_rate),
        }
    }
}
