//! The option groups the subcommands share (what a server does, capture,
//! many clients, the common options, looks, recording, inspection, line
//! endings, event format) and the parsers of their values.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]

use std::time::Duration;

use clap::{ArgAction, Args, ValueEnum};

pub use crate::app::{Eol, ThemeName};
use crate::lesson::Lang;

/// What a server does with what arrives.
#[derive(Debug, Clone, Copy, Args)]
pub struct Serve {
    /// Send back whatever arrives (sock.sendall(data)).
    #[arg(long, conflicts_with = "sink")]
    pub echo: bool,
    /// Headless: read and discard what arrives, then report bytes and rate;
    /// stdin is not read.
    #[arg(long)]
    pub sink: bool,
    /// An IPv6 address serves IPv6 only (IPV6_V6ONLY=1); without it `[::]`
    /// is dual stack and also serves IPv4.
    #[arg(long)]
    pub ipv6_only: bool,
}

/// Capturing the session's own segments (TCP and UDP modes).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Wire {
    /// Capture this session's TCP segments and UDP datagrams as they cross
    /// the interface (AF_PACKET; needs CAP_NET_RAW): headless, one line each
    /// on stderr, `segment` events with --events json and --log.
    #[arg(long)]
    pub wire: bool,
}

/// A TCP server with many clients.
#[derive(Debug, Clone, Copy, Args)]
pub struct Many {
    /// Headless: serve many clients, stdin to every live one (like `ncat -k`);
    /// the TUI always keeps listening.
    #[arg(long)]
    pub keep_open: bool,
    /// Relay every client's data to all other clients (like `ncat --broker`);
    /// headless, stdin is not read.
    #[arg(long, conflicts_with_all = ["echo", "sink"])]
    pub broker: bool,
    /// Live connections kept; past it a new one is accepted and reset at once.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_conns: u32,
}

/// Options every mode shares.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Bytes asked of each recv call [default: 1024 in the TUI, 65536 headless].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
    pub recv_size: Option<u32>,
    /// Line ending: what Enter appends in the TUI; headless, crlf turns LF into CRLF.
    #[arg(long, value_enum)]
    pub eol: Option<Eol>,
    /// Run like nc: stdin to the socket, the socket to stdout, events to
    /// stderr (automatic when stdin or stdout is not a terminal).
    #[arg(long)]
    pub headless: bool,
    /// Headless event format on stderr.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub events: Option<EventFormat>,
    /// TUI: history entries kept per end; the oldest go first, with a marker
    /// [default: 100000].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub history: Option<u64>,
    /// TUI: bytes kept per end, e.g. 32M (suffix K, M or G): half for the
    /// history, a quarter for the inspector's bytes, an eighth each for F9's
    /// capture and F10's script [default: 32M].
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub history_bytes: Option<usize>,
    /// Step mode (TUI): nothing happens by itself; type each call
    /// (/socket, /bind, /listen 5, /accept, /recv 4, ...) or press F8.
    #[arg(long)]
    pub step: bool,
    /// Language of the explanations of each call (TUI) and of the comments
    /// in the --export-py script: en, or zh (Chinese, the language of the
    /// Python socket tutorial sockpit follows).
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<Lang>,
    #[command(flatten)]
    pub inspect: Inspect,
    #[command(flatten)]
    pub record: Record,
    #[command(flatten)]
    pub look: Look,
}

/// How much is said: headless stderr lines, and the TUI's colours.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Look {
    /// Headless: no event lines on stderr, like nc; errors and lost data
    /// are still reported, and what --stats, --wire or --source/--sink
    /// were asked for.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Headless: more event lines; -v adds the routine send/recv calls,
    /// -vv also the kernel's TCP state changes.
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
    /// TUI colours: dark (the default), light (for light backgrounds) or
    /// mono (no colour; the default when NO_COLOR is set).
    #[arg(long, value_enum, value_name = "THEME", env = "SOCKPIT_THEME")]
    pub theme: Option<ThemeName>,
}

/// Headless stderr: how many event lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    /// `-q`: errors and lost data only.
    Quiet,
    /// Every call but the routine sends and recvs, and the session's events.
    #[default]
    Normal,
    /// `-v`: the routine send/recv calls too.
    Calls,
    /// `-vv`: the kernel's TCP state changes too.
    Kernel,
}

impl Look {
    /// The verbosity `-q` / `-v` ask for.
    #[must_use]
    pub fn verbosity(self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Calls,
            (false, _) => Verbosity::Kernel,
        }
    }

    /// The theme: `--theme` or `SOCKPIT_THEME`, else mono when `NO_COLOR`
    /// is set to anything non-empty (no-color.org), else dark.
    #[must_use]
    pub fn theme_name(self, no_color: Option<&std::ffi::OsStr>) -> ThemeName {
        match (self.theme, no_color) {
            (Some(theme), _) => theme,
            (None, Some(v)) if !v.is_empty() => ThemeName::Mono,
            (None, _) => ThemeName::Dark,
        }
    }
}

/// Recording the session to files, in any mode.
#[derive(Debug, Clone, Default, Args)]
pub struct Record {
    /// Write every event to FILE as JSON lines (the --events json schema),
    /// each line on disk as it happens.
    #[arg(long, value_name = "FILE")]
    pub log: Option<std::path::PathBuf>,
    /// Write the conversation to FILE as pcapng (frames synthesised from
    /// the calls; Wireshark's "Follow TCP stream" shows the bytes).
    #[arg(long, value_name = "FILE")]
    pub pcap: Option<std::path::PathBuf>,
    /// Write the session's calls to FILE at exit as a runnable Python 3
    /// script (HOST PORT from argv, default the recorded address) that
    /// sends the same bytes and waits for the same replies.
    #[arg(long, value_name = "FILE")]
    pub export_py: Option<std::path::PathBuf>,
}

/// Watching the sockets: sampling, holding the auto driver, stats lines.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Inspect {
    /// Sample every socket (TCP_INFO, queues, options) every N ms; 0 never
    /// [default: 250].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=3_600_000))]
    pub sample_ms: Option<u32>,
    /// Headless: one state line per socket on stderr every SECS, and the
    /// kernel's state changes (JSON with --events json).
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub stats: Option<Duration>,
    /// Do not call recv(): bytes wait in the kernel's receive queue.
    #[arg(long)]
    pub hold_reads: bool,
}

/// How headless events are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventFormat {
    /// One sanitised line each.
    Text,
    /// The JSON-lines schema of docs/events.md (the same as --log).
    Json,
}

/// A byte count with an optional binary suffix: `4096`, `64K`, `32M`, `1G`.
pub(super) fn parse_bytes(text: &str) -> Result<usize, NumberError> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 10),
        Some((i, 'm' | 'M')) => (&t[..i], 20),
        Some((i, 'g' | 'G')) => (&t[..i], 30),
        _ => (t, 0),
    };
    let n: usize = digits.parse().map_err(|_| NumberError::Bytes(text.to_string()))?;
    n.checked_mul(1 << shift).filter(|n| *n > 0).ok_or_else(|| NumberError::ByteRange(text.into()))
}

/// Seconds, as a decimal number: `1`, `0.5`.
pub(super) fn parse_secs(text: &str) -> Result<Duration, NumberError> {
    let secs: f64 = text.parse().map_err(|_| NumberError::Secs(text.to_string()))?;
    Duration::try_from_secs_f64(secs).map_err(|_| NumberError::SecsRange(text.to_string()))
}

/// A byte count or a number of seconds on the command line that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NumberError {
    #[error("{0:?} is not a byte count like 32M")]
    Bytes(String),
    #[error("{0:?} is not a usable byte count")]
    ByteRange(String),
    #[error("{0:?} is not a number of seconds")]
    Secs(String),
    #[error("{0:?} is not a usable number of seconds")]
    SecsRange(String),
}

/// `--lang`'s values, named here so that `lesson/` needs no clap.
impl ValueEnum for Lang {
    fn value_variants<'a>() -> &'a [Self] {
        &[Lang::En, Lang::Zh]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            Lang::En => PossibleValue::new("en").help("English"),
            Lang::Zh => PossibleValue::new("zh")
                .help("Chinese, the language of the Python socket tutorial sockpit follows"),
        })
    }
}

/// `--eol`'s values, named here so that `app/` needs no clap.
impl ValueEnum for Eol {
    fn value_variants<'a>() -> &'a [Self] {
        &[Eol::Lf, Eol::Crlf, Eol::None]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            Eol::Lf => PossibleValue::new("lf"),
            Eol::Crlf => PossibleValue::new("crlf"),
            Eol::None => PossibleValue::new("none"),
        })
    }
}

/// `--theme`'s values, named here so that `app/` needs no clap.
impl ValueEnum for ThemeName {
    fn value_variants<'a>() -> &'a [Self] {
        &[ThemeName::Dark, ThemeName::Light, ThemeName::Mono]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use clap::builder::PossibleValue;
        Some(match self {
            ThemeName::Dark => {
                PossibleValue::new("dark").help("Colours for a dark terminal background")
            }
            ThemeName::Light => {
                PossibleValue::new("light").help("Colours for a light terminal background")
            }
            ThemeName::Mono => PossibleValue::new("mono")
                .help("No colour at all: bold, dim, reverse and underline only"),
        })
    }
}
