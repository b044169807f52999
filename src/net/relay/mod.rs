//! The relay: sockpit between a client and its server, like `socat
//! TCP-LISTEN:A TCP:B`, with both legs as sockets of the session.
//!
//! - `pair.rs`: one accepted client and the upstream connection made for it.
//! - `pump.rs`: one direction of a pair, the fast byte path;
//!   `shaping.rs`: that direction's faults applied to its bytes.
//! - `udp.rs`: datagrams, one upstream socket per client address.
//! - `fault.rs`: toxiproxy's toxics, parsed from `--fault`.

pub(crate) mod fault;
pub(crate) mod hold;
pub(crate) mod pair;
pub(crate) mod pump;
pub(crate) mod secure;
mod shaping;
pub(crate) mod udp;

use std::time::Duration;

pub use fault::{Fault, Toxic, Way};
pub use hold::{HeldView, RelayOp};

use crate::net::event::SockId;
use crate::net::sockaddr::Addr;
use crate::net::target::Target;

/// What makes a server session a relay.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayConfig {
    /// Where each client's upstream connects (any family).
    pub upstream: Target,
    /// Faults every pair gets (each rolled per connection).
    pub faults: Vec<Fault>,
    /// Report every chunk of both legs (calls and data events). Off, the
    /// byte path reports only the connections' lives: the fastest relay.
    pub chunk_events: bool,
    /// UDP: an upstream socket silent this long is closed.
    pub idle: Duration,
    /// Bytes a held direction keeps waiting before it stops reading.
    pub hold_cap: usize,
    /// `--tls-upstream`: each upstream connection speaks TLS to TARGET
    /// (the clients' side is the session's own `tls`).
    pub upstream_tls: Option<crate::net::tls::Tls>,
}

impl RelayConfig {
    /// A relay to `upstream` with no faults, reporting every chunk.
    #[must_use]
    pub fn new(upstream: Target) -> Self {
        Self {
            upstream,
            faults: Vec::new(),
            chunk_events: true,
            idle: DEFAULT_IDLE,
            hold_cap: DEFAULT_HOLD_CAP,
            upstream_tls: None,
        }
    }
}

/// How long a UDP relay keeps a silent client's upstream socket.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(60);

/// Held bytes per direction by default before reading stops.
pub const DEFAULT_HOLD_CAP: usize = 1 << 20;

/// What only a relay reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RelayNote {
    /// A client and the upstream socket made for it: the pair's two legs.
    /// For UDP, `client` is the listening socket every client shares.
    Pair { client: SockId, server: SockId, client_addr: Addr, faults: Vec<String> },
    /// No upstream for this client (its Display is the message in the
    /// error grammar); the client is closed.
    NoUpstream { client: SockId, error: crate::net::SetupError },
    /// A fault ended the pair: `limit_data`, `timeout`, `reset_peer`.
    Fault { client: SockId, what: &'static str },
    /// UDP: a client's upstream socket was closed after `idle` of silence.
    Idle { server: SockId, client_addr: Addr },
    /// A direction's held chunks changed (held, forwarded, dropped, edited).
    Held(HeldView),
    /// Bytes typed by the user were written toward `way`'s receiver.
    Injected { client: SockId, way: Way, len: usize },
}
