//! The line ending Enter appends to a typed line (F4 cycles it). It lives
//! with the input line so that `app/` needs nothing from `cli/`; clap's
//! `ValueEnum` for `--eol` is implemented in `cli::options`.

/// A line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Eol {
    #[default]
    Lf,
    Crlf,
    None,
}

impl Eol {
    /// The bytes it stands for.
    #[must_use]
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Self::Lf => b"\n",
            Self::Crlf => b"\r\n",
            Self::None => b"",
        }
    }

    /// How the status bar names it.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Lf => "LF",
            Self::Crlf => "CRLF",
            Self::None => "none",
        }
    }
}
