//! `sockpit tcp|udp|unix relay LISTEN TARGET`: what every relay takes
//! beside where it listens.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]
#![allow(
    rustdoc::broken_intra_doc_links,
    reason = "`[IPv6]:PORT` in the --help text is the address form, not a link (`allow`: rustc never runs this lint)"
)]

use std::time::Duration;

use clap::{Args, ValueEnum};

use super::parse_secs;
use crate::net::relay::Fault;
use crate::net::{Target, UnixName};

/// The target and options of a relay.
#[derive(Debug, Clone, Args)]
pub struct RelayArgs {
    /// Where each client's own upstream connects: HOST:PORT, [IPv6]:PORT,
    /// PORT, or a Unix socket (a path with a `/`, or @name).
    #[arg(value_parser = parse_target)]
    pub target: Target,
    /// A fault on every connection, named after toxiproxy's toxics:
    /// latency=200ms[,jitter=50ms], bandwidth=KIB_PER_SEC, slicer=BYTES[,delay=10ms],
    /// limit_data=BYTES, timeout[=T], reset_peer[=T], slow_close=T; prefix
    /// up: (client → server) or down: (server → client) for one direction;
    /// add ,p=0.5 for a chance per connection. Repeat for more.
    #[arg(long = "fault", value_name = "FAULT", value_parser = Fault::parse)]
    pub faults: Vec<Fault>,
    /// Headless: every chunk of both directions on stderr, like socat -v:
    /// a header (time, direction, length) then the bytes as text or hex.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub dump: Option<Dump>,
    /// Connect deadline in seconds for each upstream connection.
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub timeout: Option<Duration>,
    /// Live pairs kept; past it a new client is accepted and reset at once.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_conns: u32,
}

/// How `--dump` shows the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Dump {
    /// The bytes as they are (made visible when stderr is a terminal).
    Text,
    /// `hexdump -C` rows.
    Hex,
}

/// TARGET: a Unix socket when it looks like a path or an abstract name,
/// else an address.
fn parse_target(text: &str) -> Result<Target, TargetError> {
    if text.contains('/') || text.starts_with('@') {
        return Ok(UnixName::parse(text).map(Target::Unix)?);
    }
    Ok(Target::parse(text)?)
}

/// Why TARGET is neither a Unix socket nor an address.
#[derive(Debug, thiserror::Error)]
enum TargetError {
    #[error(transparent)]
    Unix(#[from] crate::net::sockaddr::UnixNameError),
    #[error(transparent)]
    Addr(#[from] crate::net::target::AddrError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_of_either_family() {
        assert!(matches!(parse_target("127.0.0.1:80"), Ok(Target::Addr(_))));
        assert!(matches!(parse_target("8080"), Ok(Target::Addr(_))));
        assert!(matches!(parse_target("/tmp/x.sock"), Ok(Target::Unix(_))));
        assert!(matches!(parse_target("./x.sock"), Ok(Target::Unix(_))));
        assert!(matches!(parse_target("@name"), Ok(Target::Unix(_))));
        assert!(parse_target("nowhere").is_err());
    }
}
