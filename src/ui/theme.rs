//! The one theme table: every colour the TUI draws comes from here, per
//! theme (`--theme dark|light|mono`, `SOCKPIT_THEME`, `NO_COLOR`). Panes
//! ask for a role (`theme::error()`, `theme::hit()`), never a colour.
//!
//! The theme in force is the one of the `App` being drawn: [`Screen`]
//! sets it for the duration of a frame ([`scoped`]). It is per thread, so
//! snapshot tests drawing with different themes in parallel never meet,
//! and no widget needs a theme field of its own.
//!
//! [`Screen`]: super::Screen

use std::cell::Cell;

use ratatui::style::{Color, Modifier, Style};

pub use crate::app::ThemeName;

/// Every role a pane draws with.
#[derive(Debug, Clone, Copy)]
struct Table {
    /// Times, addresses, stand-ins: secondary text.
    dim: Style,
    /// The border of the pane with the keyboard.
    focused: Style,
    error: Style,
    /// Help headings.
    heading: Style,
    /// A search hit, and the matched bytes inside it.
    hit: Style,
    /// Our own sends (history, inspector).
    sent: Style,
    /// Connection events and notices in the history.
    info: Style,
    /// A socket figure that changed since the previous sample.
    changed: Style,
    /// Who waits in the accept queue (lifecycle).
    waiting: Style,
    /// The first line of an explanation.
    explain: Style,
    /// The status bar.
    bar: Style,
    /// The status bar's warning (a server reachable from other hosts).
    warn: Style,
}

const BOLD: Modifier = Modifier::BOLD;

fn fg(c: Color) -> Style {
    Style::new().fg(c)
}

/// The table of one theme.
fn table(name: ThemeName) -> Table {
    let dim = Style::new().add_modifier(Modifier::DIM);
    match name {
        ThemeName::Dark => Table {
            dim,
            focused: fg(Color::Yellow).add_modifier(BOLD),
            error: fg(Color::Red),
            heading: fg(Color::Yellow).add_modifier(BOLD),
            hit: fg(Color::Black).bg(Color::Yellow).add_modifier(BOLD),
            sent: fg(Color::Cyan),
            info: fg(Color::Yellow),
            changed: fg(Color::Yellow).add_modifier(BOLD),
            waiting: fg(Color::Yellow),
            explain: fg(Color::Cyan),
            bar: fg(Color::White).bg(Color::Blue),
            warn: fg(Color::Black).bg(Color::Yellow).add_modifier(BOLD),
        },
        // Yellow and cyan vanish on a white background: blue, magenta and
        // dark red instead, the bar light with dark text.
        ThemeName::Light => Table {
            dim,
            focused: fg(Color::Blue).add_modifier(BOLD),
            error: fg(Color::Red).add_modifier(BOLD),
            heading: fg(Color::Blue).add_modifier(BOLD),
            hit: fg(Color::Black).bg(Color::LightYellow).add_modifier(BOLD),
            sent: fg(Color::Blue),
            info: fg(Color::Magenta),
            changed: fg(Color::Magenta).add_modifier(BOLD),
            waiting: fg(Color::Magenta),
            explain: fg(Color::Blue),
            bar: fg(Color::Black).bg(Color::LightCyan),
            warn: fg(Color::White).bg(Color::Red).add_modifier(BOLD),
        },
        // No colour at all (no-color.org): weight, underline and reverse
        // carry what colour did.
        ThemeName::Mono => Table {
            dim,
            focused: Style::new().add_modifier(BOLD),
            error: Style::new().add_modifier(BOLD),
            heading: Style::new().add_modifier(BOLD | Modifier::UNDERLINED),
            hit: Style::new().add_modifier(BOLD | Modifier::REVERSED),
            sent: Style::new(),
            info: Style::new().add_modifier(Modifier::ITALIC),
            changed: Style::new().add_modifier(BOLD | Modifier::UNDERLINED),
            waiting: Style::new().add_modifier(Modifier::ITALIC),
            explain: Style::new().add_modifier(Modifier::ITALIC),
            bar: Style::new().add_modifier(Modifier::REVERSED),
            warn: Style::new().add_modifier(BOLD | Modifier::REVERSED | Modifier::UNDERLINED),
        },
    }
}

thread_local! {
    static CURRENT: Cell<ThemeName> = const { Cell::new(ThemeName::Dark) };
}

/// Restores the previous theme when dropped.
pub struct Scoped(ThemeName);

impl Drop for Scoped {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Draws with `name` until the returned guard is dropped.
#[must_use]
pub fn scoped(name: ThemeName) -> Scoped {
    Scoped(CURRENT.with(|c| c.replace(name)))
}

fn now() -> Table {
    table(CURRENT.with(Cell::get))
}

/// Times, addresses, stand-ins: secondary text.
#[must_use]
pub fn dim() -> Style {
    now().dim
}

/// A pane's border: bright when it has the keyboard.
#[must_use]
pub fn border(focused: bool) -> Style {
    if focused { now().focused } else { Style::new() }
}

/// Errors.
#[must_use]
pub fn error() -> Style {
    now().error
}

/// Headings (help sections).
#[must_use]
pub fn heading() -> Style {
    now().heading
}

/// A search hit; the matched bytes.
#[must_use]
pub fn hit() -> Style {
    now().hit
}

/// What we sent.
#[must_use]
pub fn sent() -> Style {
    now().sent
}

/// Notices and connection events.
#[must_use]
pub fn info() -> Style {
    now().info
}

/// A figure that changed since the last sample.
#[must_use]
pub fn changed() -> Style {
    now().changed
}

/// Who waits in a queue.
#[must_use]
pub fn waiting() -> Style {
    now().waiting
}

/// The first line of an explanation.
#[must_use]
pub fn explain() -> Style {
    now().explain
}

/// The status bar.
#[must_use]
pub fn bar() -> Style {
    now().bar
}

/// The status bar's warning.
#[must_use]
pub fn warn() -> Style {
    now().warn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mono_has_no_colour_and_the_guard_restores() {
        let guard = scoped(ThemeName::Mono);
        for style in [dim(), border(true), error(), heading(), hit(), sent(), info(), bar(), warn()]
        {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
        drop(guard);
        assert_eq!(bar().bg, Some(Color::Blue));
    }
}
