//! sockpit: talk over TCP/UDP/Unix sockets and watch what the sockets do
//! while you talk.
//!
//! The crate is a library with a thin binary (`src/main.rs` calls [`run`]).
//! Its public surface is the few modules below, each re-exporting what an
//! outside user (the binary, `tests/`, `benches/`) needs; everything else is
//! private to the crate.
//!
//! - [`net`]: the session engine. Start one with [`net::spawn`] and a
//!   [`net::SessionConfig`]; send [`net::Command`]s, receive
//!   [`net::Event`]s. It owns every socket and knows nothing of terminals.
//! - [`wire`]: capture of the session's own segments (`AF_PACKET` + BPF).
//! - [`app`]: the TUI's state, pure: [`app::App`] takes events and keys and
//!   answers with [`app::Effect`]s.
//! - [`ui`]: draws an [`app::App`] into a ratatui frame ([`ui::draw`]).
//! - [`tui`]: the terminal front end that wires engine, app and ui together.
//! - [`cli`]: the command line ([`cli::Cli`]) and the plan it becomes.
//! - [`lesson`], [`course`], [`python`]: what the calls mean, the chapters
//!   of `sockpit learn`, and each call as the Python line that makes it.
//! - [`replay`], [`json`], [`payload`]: a recorded `--log` replayed, the
//!   JSON-lines schema, and the input line's hex and escape syntax.

pub mod app;
pub mod cli;
pub mod course;
pub mod json;
pub mod lesson;
pub mod net;
pub mod payload;
pub mod python;
pub mod replay;
pub mod tui;
pub mod ui;
pub mod wire;

mod file_error;
mod headless;
mod hexdump;
mod netns;
mod pcap;
mod run;
mod sanitize;
mod transcript;

pub use file_error::FileError;
pub use netns::Isolation;
pub use run::run;
