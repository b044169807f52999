//! `sockpit unix server PATH` / `unix client PATH`: `AF_UNIX` sockets,
//! stream by default, `--dgram` or `--seqpacket` for the other types. PATH
//! is a socket file, or `@name` for Linux's abstract namespace.

#![expect(
    clippy::doc_markdown,
    reason = "these doc comments are clap's --help text and the man page, where backticks would show verbatim"
)]

use std::time::Duration;

use clap::{Args, Subcommand};

use super::{Common, Many, RelayArgs, parse_secs};
use crate::net::{Kind, UnixName};

/// `AF_UNIX` ends.
#[derive(Debug, Subcommand)]
pub enum UnixRole {
    /// Listen (stream, seqpacket) or bind (--dgram) at PATH.
    Server {
        /// A socket file path, or @name (abstract: no file).
        #[arg(value_parser = parse_name)]
        path: UnixName,
        #[command(flatten)]
        kind: UnixKind,
        /// Remove a stale socket file at PATH (one no server listens on)
        /// before binding; a live server's socket or another file is never
        /// removed.
        #[arg(long)]
        unlink: bool,
        /// listen(BACKLOG): connections the kernel queues before accept().
        #[arg(long, default_value_t = 1024)]
        backlog: u32,
        /// Do not call accept(): connections wait in the kernel's accept queue.
        #[arg(long)]
        hold_accept: bool,
        /// Send back whatever arrives.
        #[arg(long, conflicts_with = "sink")]
        echo: bool,
        /// Headless: read and discard what arrives; stdin is not read.
        #[arg(long)]
        sink: bool,
        #[command(flatten)]
        many: Many,
        #[command(flatten)]
        common: Common,
    },
    /// Connect (stream, seqpacket) or send datagrams (--dgram) to PATH.
    Client {
        /// A socket file path, or @name (abstract: no file).
        #[arg(value_parser = parse_name)]
        path: UnixName,
        #[command(flatten)]
        kind: UnixKind,
        /// Headless --dgram: seconds of silence after stdin ends before
        /// exiting (default 1).
        #[arg(long, value_name = "SECS", value_parser = parse_secs)]
        timeout: Option<Duration>,
        #[command(flatten)]
        common: Common,
    },
    /// Listen at PATH (stream) and relay each client to TARGET, a Unix
    /// socket or HOST:PORT, over a connection of its own.
    Relay {
        /// A socket file path, or @name (abstract: no file).
        #[arg(value_parser = parse_name)]
        path: UnixName,
        #[command(flatten)]
        relay: RelayArgs,
        /// Remove a stale socket file at PATH before binding.
        #[arg(long)]
        unlink: bool,
        #[command(flatten)]
        common: Common,
    },
}

/// The socket type: SOCK_STREAM unless one of these is given.
#[derive(Debug, Clone, Copy, Args)]
pub struct UnixKind {
    /// SOCK_DGRAM: datagrams; the client binds an autobound abstract name
    /// so the server can answer it.
    #[arg(long, conflicts_with = "seqpacket")]
    pub dgram: bool,
    /// SOCK_SEQPACKET: a connection that keeps each message whole.
    #[arg(long)]
    pub seqpacket: bool,
}

impl UnixKind {
    /// The socket type asked for.
    #[must_use]
    pub fn kind(self) -> Kind {
        match (self.dgram, self.seqpacket) {
            (true, _) => Kind::Dgram,
            (_, true) => Kind::SeqPacket,
            _ => Kind::Stream,
        }
    }
}

fn parse_name(text: &str) -> Result<UnixName, crate::net::sockaddr::UnixNameError> {
    UnixName::parse(text)
}
