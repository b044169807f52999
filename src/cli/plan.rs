//! From the parsed command line to what runs: the ends, each with its
//! session config, and the options around them.

use std::time::Duration;

use super::{
    Cli, Common, Dump, Eol, EventFormat, Inspect, Look, Mode, Proto, Record, RelayArgs, Serve,
    TcpRole, ThemeName, UdpRole, UnixRole, Verbosity, Wire,
};
use crate::lesson::Lang;
use crate::net::relay::RelayConfig;
use crate::net::{Role, SessionConfig, Target};

/// One end to run: its session, and what the runner needs beside it.
#[derive(Debug, Clone)]
pub struct End {
    pub config: SessionConfig,
    /// `--recv-size` as given (each mode has its own default).
    pub recv_size: Option<u32>,
    /// Headless server discards what arrives and does not read stdin.
    pub sink: bool,
    /// Headless TCP server: many clients (`--keep-open`, `--broker`).
    pub keep_open: bool,
    /// UDP client, headless: silence after stdin EOF before exiting; UDP
    /// sink: silence after the first datagram.
    pub linger: Duration,
    /// Client, headless: send a pattern instead of stdin (`--source`).
    pub source: Option<Source>,
    /// Relay, headless: `--dump` of every chunk on stderr.
    pub dump: Option<Dump>,
    /// `--tls` as given; built into `config.tls` before the session starts
    /// (reading files can fail: exit 1, not 2).
    pub tls: Option<crate::net::tls::TlsOptions>,
    /// A TCP relay's `--tls-upstream` as given; built into the relay's
    /// `upstream_tls` like `tls`.
    pub tls_upstream: Option<crate::net::tls::TlsOptions>,
}

/// `--source SIZE` (and `--size N` for UDP): what to send instead of stdin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// Bytes in all.
    pub total: u64,
    /// Bytes per datagram (UDP); `None` for a byte stream.
    pub datagram: Option<usize>,
}

/// The whole run, decided from the command line.
#[derive(Debug, Clone)]
pub struct Plan {
    /// One end, or two for the demo (server first).
    pub ends: Vec<End>,
    pub demo: bool,
    pub eol: Eol,
    /// `Some` when `--headless` was given.
    pub headless: bool,
    pub events: EventFormat,
    /// Whether `--events` was given at all (it means nothing in the TUI).
    pub events_given: bool,
    /// TUI: history entries kept per end (`--history`).
    pub history: usize,
    /// TUI: history bytes kept per end (`--history-bytes`).
    pub history_bytes: usize,
    /// Whether `--history` or `--history-bytes` was given (they mean nothing
    /// headless).
    pub history_given: bool,
    /// Headless: `--stats SECS`.
    pub stats: Option<Duration>,
    /// `--log FILE`, `--pcap FILE` and `--export-py FILE`.
    pub record: Record,
    /// `--lang`: the explanations' language (default English).
    pub lang: Lang,
    /// Whether `--lang` was given (headless it means something only for
    /// `--export-py`).
    pub lang_given: bool,
    /// `--wire`: capture the session's own segments (TCP and UDP ends).
    pub wire: bool,
    /// Headless stderr: `-q`, default, `-v`, `-vv`.
    pub verbosity: Verbosity,
    /// The TUI's colours (`--theme`, `SOCKPIT_THEME`, `NO_COLOR`).
    pub theme: ThemeName,
    /// The demo runs in its own user + network namespace (not `--no-netns`).
    pub netns: bool,
    /// `sockpit learn N`: the chapter shown in the Lesson pane.
    pub lesson: Option<usize>,
}

impl Cli {
    /// Turns the parsed command line into a plan to run.
    #[must_use]
    #[expect(clippy::too_many_lines, reason = "split by concept in the renames commit")]
    pub fn plan(self) -> Plan {
        // `completions` and `man` are answered before a plan is made
        // (`run::run`); were one planned, it would be the demo.
        let mode = self.command.filter(Mode::runs_a_session).unwrap_or(Mode::Demo {
            proto: Proto::Tcp,
            no_netns: false,
            common: Common {
                recv_size: None,
                eol: None,
                headless: false,
                events: None,
                history: None,
                history_bytes: None,
                lang: None,
                step: false,
                inspect: Inspect::default(),
                record: Record::default(),
                look: Look::default(),
            },
        });
        let one = |role: Role, common: Common, serve: Option<Serve>| {
            let mut config = SessionConfig::new(role);
            config.holds.reads = common.inspect.hold_reads;
            config.step = common.step;
            if let Some(ms) = common.inspect.sample_ms {
                config.sample_every = (ms > 0).then(|| Duration::from_millis(ms.into()));
            }
            if let Some(serve) = serve {
                config.echo = serve.echo;
                config.sink = serve.sink;
                config.v6_only = serve.ipv6_only.then_some(true);
            }
            let end = End {
                config,
                recv_size: common.recv_size,
                sink: serve.is_some_and(|s| s.sink),
                keep_open: false,
                linger: Duration::from_secs(1),
                source: None,
                dump: None,
                tls: None,
                tls_upstream: None,
            };
            (end, common)
        };
        let mut wire = Wire::default();
        let mut netns = false;
        let (ends, common, demo) = match mode {
            Mode::Demo { proto, no_netns, common } => {
                netns = !no_netns;
                let any = Target::Addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
                let (server, client) = match proto {
                    Proto::Tcp => (Role::TcpServer(any.clone()), Role::TcpClient(any)),
                    Proto::Udp => (Role::UdpServer(any.clone()), Role::UdpClient(any)),
                };
                let (s, _) = one(server, common.clone(), None);
                let (c, common) = one(client, common, None);
                (vec![s, c], common, true)
            }
            Mode::Tcp {
                role:
                    TcpRole::Server {
                        addr,
                        backlog,
                        hold_accept,
                        serve,
                        many,
                        nodelay,
                        wire: w,
                        tls,
                        common,
                    },
            } => {
                wire = w;
                let (mut end, common) = one(Role::TcpServer(addr), common, Some(serve));
                end.config.backlog = backlog;
                end.config.holds.accept = hold_accept;
                end.config.broker = many.broker;
                end.config.max_conns = many.max_conns as usize;
                end.keep_open = many.keep_open || many.broker;
                end.config.nodelay = nodelay;
                end.tls = tls.options();
                (vec![end], common, false)
            }
            Mode::Tcp {
                role: TcpRole::Client { addr, timeout, nodelay, source, wire: w, tls, common },
            } => {
                wire = w;
                let (mut end, common) = one(Role::TcpClient(addr), common, None);
                end.config.timeout = timeout;
                end.config.nodelay = nodelay;
                end.source = source.map(|total| Source { total: total as u64, datagram: None });
                end.tls = tls.options();
                (vec![end], common, false)
            }
            Mode::Udp { role: UdpRole::Server { addr, serve, timeout, wire: w, common } } => {
                wire = w;
                let (mut end, common) = one(Role::UdpServer(addr), common, Some(serve));
                if let Some(t) = timeout {
                    end.linger = t;
                }
                (vec![end], common, false)
            }
            Mode::Unix {
                role:
                    UnixRole::Server {
                        path,
                        kind,
                        unlink,
                        backlog,
                        hold_accept,
                        echo,
                        sink,
                        many,
                        common,
                    },
            } => {
                let role = Role::UnixServer(path, kind.kind());
                let serve = Serve { echo, sink, ipv6_only: false };
                let (mut end, common) = one(role, common, Some(serve));
                end.config.unlink = unlink;
                end.config.backlog = backlog;
                end.config.holds.accept = hold_accept;
                end.config.broker = many.broker;
                end.config.max_conns = many.max_conns as usize;
                end.keep_open = many.keep_open || many.broker;
                (vec![end], common, false)
            }
            Mode::Unix { role: UnixRole::Client { path, kind, timeout, common } } => {
                let (mut end, common) = one(Role::UnixClient(path, kind.kind()), common, None);
                if let Some(t) = timeout {
                    end.linger = t;
                }
                (vec![end], common, false)
            }
            Mode::Tcp { role: TcpRole::Relay { listen, relay, nodelay, tls, common } } => {
                let (mut end, common) = one(Role::TcpServer(listen), common, None);
                end.config.nodelay = nodelay;
                relay_end(&mut end, relay);
                (end.tls, end.tls_upstream) = tls.options();
                (vec![end], common, false)
            }
            Mode::Udp { role: UdpRole::Relay { listen, relay, idle, common } } => {
                let (mut end, common) = one(Role::UdpServer(listen), common, None);
                relay_end(&mut end, relay);
                if let (Some(idle), Some(r)) = (idle, end.config.relay.as_mut()) {
                    r.idle = idle;
                }
                (vec![end], common, false)
            }
            Mode::Unix { role: UnixRole::Relay { path, relay, unlink, common } } => {
                let role = Role::UnixServer(path, crate::net::Kind::Stream);
                let (mut end, common) = one(role, common, None);
                end.config.unlink = unlink;
                relay_end(&mut end, relay);
                (vec![end], common, false)
            }
            Mode::Completions { .. } | Mode::Man | Mode::Replay { .. } | Mode::Learn { .. } => {
                unreachable!("filtered out above")
            }
            Mode::Udp {
                role: UdpRole::Client { addr, timeout, unconnected, source, size, wire: w, common },
            } => {
                wire = w;
                let (mut end, common) = one(Role::UdpClient(addr), common, None);
                end.config.unconnected = unconnected;
                end.source = source
                    .map(|total| Source { total: total as u64, datagram: Some(size as usize) });
                if let Some(t) = timeout {
                    end.linger = t;
                }
                (vec![end], common, false)
            }
        };
        let history_bytes = common.history_bytes.unwrap_or(32 << 20);
        let mut ends = ends;
        for relay in ends.iter_mut().filter_map(|e| e.config.relay.as_mut()) {
            // Held chunks take from the same budget as the history.
            relay.hold_cap = (history_bytes / 8).max(64 << 10);
        }
        Plan {
            ends,
            demo,
            eol: common.eol.unwrap_or_default(),
            headless: common.headless,
            events: common.events.unwrap_or(EventFormat::Text),
            events_given: common.events.is_some(),
            history: common.history.map_or(100_000, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            history_bytes,
            history_given: common.history.is_some() || common.history_bytes.is_some(),
            stats: common.inspect.stats,
            record: common.record,
            lang: common.lang.unwrap_or_default(),
            lang_given: common.lang.is_some(),
            wire: wire.wire,
            verbosity: common.look.verbosity(),
            theme: common.look.theme_name(std::env::var_os("NO_COLOR").as_deref()),
            netns,
            lesson: None,
        }
    }
}

/// Makes a server end a relay: many clients at once, each with its own
/// upstream.
fn relay_end(end: &mut End, relay: RelayArgs) {
    end.keep_open = true;
    end.dump = relay.dump;
    end.config.max_conns = relay.max_conns as usize;
    end.config.timeout = relay.timeout;
    let mut config = RelayConfig::new(relay.target);
    config.faults = relay.faults;
    end.config.relay = Some(config);
}
