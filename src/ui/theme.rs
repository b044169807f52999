//! The few styles every pane shares, so panes look alike.

use ratatui::style::{Color, Modifier, Style};

/// Times, addresses, stand-ins: secondary text.
#[must_use]
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

/// A pane's border: bright when it has the keyboard.
#[must_use]
pub fn border(focused: bool) -> Style {
    if focused { Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD) } else { Style::new() }
}

/// Errors.
#[must_use]
pub fn error() -> Style {
    Style::new().fg(Color::Red)
}
