//! Teaching the lifecycle: what each call does and why it returned what it
//! did ([`explain`]), in English or in Chinese (the language of the Python
//! socket tutorial sockpit follows), and the
//! session written back as a runnable Python script ([`Exporter`]).
//!
//! Nothing here touches a socket or a terminal: it reads the engine's
//! [`crate::net::Event`]s, so the TUI's explanation pane, the headless
//! `--export-py` and the tests all share one source of wording.

mod en;
pub(crate) mod explain;
pub(crate) mod export;
mod literal;
mod script;
mod script_ports;
mod script_tls;
mod script_unix;
mod states;
mod tls;
mod zh;

pub use explain::{Explanation, explain, explain_state};
pub use export::Exporter;

/// The language of explanations and of the exported script's comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese, the language of the Python socket tutorial sockpit follows.
    Zh,
}
