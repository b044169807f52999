//! The command line: the subcommands of docs/cli.md, and only options that do
//! something. Parsed before the terminal is touched; bad usage exits 2.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]
#![allow(
    rustdoc::broken_intra_doc_links,
    reason = "`[IPv6]:PORT` in the --help text is the address form, not a link (`allow`: rustc never runs this lint)"
)]

use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::lesson::Lang;
use crate::net::Target;

mod options;
mod plan;
mod relay;
mod tls;
mod tools;
mod unix;
pub use options::{Common, EventFormat, Inspect, Look, Many, Record, Serve, Verbosity, Wire};
pub(crate) use options::{Eol, ThemeName};
use options::{parse_bytes, parse_secs};
pub use plan::{End, Plan, Source};
pub use relay::{Dump, RelayArgs};
pub use tls::{RelaySides, TlsClient, TlsCommon, TlsRelay, TlsServer};
pub use tools::{VERSION, completions, man};
pub use unix::{UnixKind, UnixRole};

pub(crate) const EXAMPLES: &str = "\
Examples:
  sockpit                                   demo: server and client in one window
  sockpit tcp server 127.0.0.1:0            listen on a free port (shown on screen)
  sockpit tcp client 127.0.0.1:8080         chat with a server
  sockpit udp server 8888                   UDP on 127.0.0.1:8888
  sockpit unix server /tmp/chat.sock        Unix stream socket (--dgram, --seqpacket, @name)
  printf 'GET / HTTP/1.0\\r\\n\\r\\n' | sockpit tcp client example.org:80 > page.html
  sockpit tcp server 9000 --echo --headless echo server for scripts
  sockpit tcp relay 9000 127.0.0.1:8000     sit between a client and its server
  sockpit tcp relay 9000 8000 --headless --dump text --fault down:latency=200ms
  sockpit completions bash > ~/.local/share/bash-completion/completions/sockpit

The command line, the headless exit codes, the error grammar, the JSON
events and the keys are described in the docs/ folder of the source.";

/// Bytes per datagram of `udp client --source` when `--size` is not given:
/// the size `/file` uses over UDP.
pub const DEFAULT_DATAGRAM: u32 = 1024;

/// Talk over TCP/UDP sockets and watch what the sockets do while you talk.
#[derive(Debug, Parser)]
#[command(name = "sockpit", version = VERSION, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Mode>,
    /// Run inside the network of the demo with process id PID (the demo
    /// shows the line): `sockpit --join PID tcp client 127.0.0.1:PORT`.
    #[arg(long, value_name = "PID", global = true)]
    pub join: Option<u32>,
}

/// What to run.
#[derive(Debug, Subcommand)]
pub enum Mode {
    /// Server and client in one window, talking to each other (the default).
    Demo {
        #[arg(value_enum, default_value_t = Proto::Tcp)]
        proto: Proto,
        /// Run on the host's network instead of the demo's own (a private
        /// user + network namespace, where the wire is captured for any user
        /// and other terminals join with --join).
        #[arg(long)]
        no_netns: bool,
        #[command(flatten)]
        common: Common,
    },
    /// TCP: `tcp server [ADDR]` or `tcp client ADDR`.
    Tcp {
        #[command(subcommand)]
        role: TcpRole,
    },
    /// UDP: `udp server [ADDR]` or `udp client ADDR`.
    Udp {
        #[command(subcommand)]
        role: UdpRole,
    },
    /// Unix sockets: `unix server PATH` or `unix client PATH` (stream;
    /// --dgram, --seqpacket; PATH or @abstract-name).
    Unix {
        #[command(subcommand)]
        role: UnixRole,
    },
    /// Print a shell completion script: `sockpit completions bash`
    /// (also zsh, fish, elvish, powershell).
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Guided lessons done by hand, each step ticking itself from the live
    /// sockets: `sockpit learn` lists the chapters, `sockpit learn 1` (or
    /// its name) opens one in step mode with a Lesson pane.
    Learn {
        /// The chapter: its number or its name (none: list them).
        chapter: Option<String>,
        /// Language of the lesson: en, or zh (Chinese).
        #[arg(long, value_enum, value_name = "LANG")]
        lang: Option<Lang>,
    },
    /// Print the manual page (roff) on stdout: `sockpit man > sockpit.1`,
    /// then `man -l sockpit.1`.
    Man,
    /// Replay a session recorded with --log, read-only: Left/Right step
    /// through it; bad lines are reported by number.
    Replay {
        /// The JSON-lines file --log wrote.
        file: std::path::PathBuf,
    },
}

impl Mode {
    /// Whether this mode runs a session (`completions` and `man` do not).
    #[must_use]
    pub fn runs_a_session(&self) -> bool {
        !matches!(
            self,
            Self::Completions { .. } | Self::Man | Self::Replay { .. } | Self::Learn { .. }
        )
    }
}

/// The protocol of the demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Proto {
    Tcp,
    Udp,
}

/// TCP ends.
#[derive(Debug, Subcommand)]
pub enum TcpRole {
    /// Listen and accept connections (default 127.0.0.1:8080).
    Server {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1); port 0 picks a free one.
        #[arg(default_value = "127.0.0.1:8080")]
        addr: Target,
        /// listen(BACKLOG): connections the kernel queues before accept().
        #[arg(long, default_value_t = 1024)]
        backlog: u32,
        /// Do not call accept(): connections wait in the kernel's accept queue.
        #[arg(long)]
        hold_accept: bool,
        #[command(flatten)]
        serve: Serve,
        #[command(flatten)]
        many: Many,
        /// Set TCP_NODELAY on each connection (no Nagle delay).
        #[arg(long)]
        nodelay: bool,
        #[command(flatten)]
        wire: Wire,
        #[command(flatten)]
        tls: tls::TlsServer,
        #[command(flatten)]
        common: Common,
    },
    /// Connect to a server.
    Client {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1).
        addr: Target,
        /// Connect deadline in seconds (Python's settimeout around connect).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        timeout: Option<Duration>,
        /// Set TCP_NODELAY (no Nagle delay).
        #[arg(long)]
        nodelay: bool,
        /// Headless: send SIZE bytes of a pattern (e.g. 1G, 64K, 1000000)
        /// instead of stdin, then shutdown(SHUT_WR) as at stdin's EOF.
        #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
        source: Option<usize>,
        #[command(flatten)]
        wire: Wire,
        #[command(flatten)]
        tls: tls::TlsClient,
        #[command(flatten)]
        common: Common,
    },
    /// Listen at LISTEN and relay each client to TARGET over a connection
    /// of its own, both legs shown (like socat TCP-LISTEN:A TCP:B).
    Relay {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1); port 0 picks a free one.
        listen: Target,
        #[command(flatten)]
        relay: RelayArgs,
        /// Set TCP_NODELAY on both legs (no Nagle delay).
        #[arg(long)]
        nodelay: bool,
        #[command(flatten)]
        tls: tls::TlsRelay,
        #[command(flatten)]
        common: Common,
    },
}

/// UDP ends.
#[derive(Debug, Subcommand)]
pub enum UdpRole {
    /// Bind and answer whoever sent last (default 127.0.0.1:8888).
    Server {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1); port 0 picks a free one.
        #[arg(default_value = "127.0.0.1:8888")]
        addr: Target,
        #[command(flatten)]
        serve: Serve,
        /// With --sink: seconds of silence after the first datagram before
        /// exiting (default 1).
        #[arg(long, value_name = "SECS", value_parser = parse_secs, requires = "sink")]
        timeout: Option<Duration>,
        #[command(flatten)]
        wire: Wire,
        #[command(flatten)]
        common: Common,
    },
    /// Send datagrams to a server.
    Client {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1).
        addr: Target,
        /// Headless: seconds of silence after stdin ends before exiting (default 1).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        timeout: Option<Duration>,
        /// Use sendto/recvfrom as the Python socket tutorial sockpit follows
        /// does, instead of connect + send/recv
        /// (ICMP errors then go unseen).
        #[arg(long)]
        unconnected: bool,
        /// Headless: send SIZE bytes of a pattern (e.g. 1G, 64K, 1000000)
        /// as datagrams of --size bytes instead of reading stdin.
        #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
        source: Option<usize>,
        /// Bytes per datagram with --source.
        #[arg(long, value_name = "N", default_value_t = DEFAULT_DATAGRAM, requires = "source",
              value_parser = clap::value_parser!(u32).range(1..=65_507))]
        size: u32,
        #[command(flatten)]
        wire: Wire,
        #[command(flatten)]
        common: Common,
    },
    /// Bind LISTEN and relay each client address's datagrams to TARGET
    /// from an upstream socket of its own.
    Relay {
        /// HOST:PORT, [IPv6]:PORT or PORT (127.0.0.1); port 0 picks a free one.
        listen: Target,
        #[command(flatten)]
        relay: RelayArgs,
        /// Seconds of silence, both ways, before a client's upstream socket
        /// is closed (default 60).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        idle: Option<Duration>,
        #[command(flatten)]
        common: Common,
    },
}
