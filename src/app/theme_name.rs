//! Which colour theme the TUI draws with. The name is state the app
//! carries (`App::theme`); the colours themselves are `ui::theme`'s, since
//! `app/` must not depend on `ui/`. Clap's `ValueEnum` for `--theme` is
//! implemented in `cli::options`.

/// A colour theme of the TUI (the table is in `ui::theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    /// Colours for a dark terminal background.
    #[default]
    Dark,
    /// Colours for a light terminal background.
    Light,
    /// No colour at all: bold, dim, reverse and underline only.
    Mono,
}
