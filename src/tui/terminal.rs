//! Terminal setup and the one way back: raw mode, the alternate screen,
//! mouse capture and bracketed paste are undone by `restore`, which runs on
//! a normal quit, on an error (the guard's drop), on a panic (the hook) and
//! after SIGTERM/SIGHUP (the loop returns normally).

use std::io::{self, Stdout, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

pub(crate) type Term = Terminal<CrosstermBackend<Stdout>>;

/// Where the UI loop draws: the real terminal (through [`Guard`]) or, in
/// tests, a ratatui [`Terminal`] over any backend such as `TestBackend`.
pub trait Screen {
    /// Draws the app's frame.
    ///
    /// # Errors
    /// When the terminal refuses the write.
    fn draw(&mut self, app: &crate::app::App) -> io::Result<()>;
    /// The screen's size.
    ///
    /// # Errors
    /// When the terminal cannot say.
    fn size(&self) -> io::Result<ratatui::layout::Size>;
    /// F12: mouse capture on or off; a screen without a mouse ignores it.
    fn set_mouse(&mut self, on: bool) {
        let _ = on;
    }
}

impl Screen for Guard {
    fn draw(&mut self, app: &crate::app::App) -> io::Result<()> {
        Screen::draw(&mut self.terminal, app)
    }
    fn size(&self) -> io::Result<ratatui::layout::Size> {
        Screen::size(&self.terminal)
    }
    fn set_mouse(&mut self, on: bool) {
        set_mouse(on);
    }
}

/// Any ratatui terminal, without a mouse to switch (tests draw on these).
impl<B: Backend> Screen for Terminal<B> {
    fn draw(&mut self, app: &crate::app::App) -> io::Result<()> {
        Terminal::draw(self, |frame| crate::ui::draw(frame, app))
            .map(|_| ())
            .map_err(|err| io::Error::other(err.to_string()))
    }
    fn size(&self) -> io::Result<ratatui::layout::Size> {
        Terminal::size(self).map_err(|err| io::Error::other(err.to_string()))
    }
}

/// Restores the terminal when dropped, however the TUI ends.
pub struct Guard {
    pub(crate) terminal: Term,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Whether the terminal is set up (and so has something to restore).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back to how the shell wants it. Only the first call
/// after [`setup`] does anything: a panic runs the hook and then the guard's
/// drop, and leaving the alternate screen twice would move the cursor back
/// over the panic's report.
pub(crate) fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(
        stdout(),
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Installs a panic hook that restores the terminal before the report is
/// printed (after `color_eyre`'s own hook is in place, which it then calls).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Enters raw mode and the alternate screen with mouse capture and
/// bracketed paste.
///
/// # Errors
/// When stdout is not a terminal or refuses the escape sequences.
pub fn setup() -> io::Result<Guard> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let entered =
        execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste, EnableMouseCapture);
    if let Err(err) = entered {
        restore();
        return Err(err);
    }
    match Terminal::new(CrosstermBackend::new(stdout())) {
        Ok(terminal) => Ok(Guard { terminal }),
        Err(err) => {
            restore();
            Err(err)
        }
    }
}

/// Turns mouse capture on or off (off lets the terminal select text to copy).
pub(crate) fn set_mouse(on: bool) {
    let _ = if on {
        execute!(stdout(), EnableMouseCapture)
    } else {
        execute!(stdout(), DisableMouseCapture)
    };
}

/// The local time's offset from UTC in seconds, asked of `date` once before
/// any thread starts (no unsafe `localtime_r` here); UTC when it fails.
#[must_use]
pub(crate) fn local_offset() -> i32 {
    let Ok(out) = std::process::Command::new("date").arg("+%z").output() else { return 0 };
    parse_offset(String::from_utf8_lossy(&out.stdout).trim()).unwrap_or(0)
}

fn parse_offset(text: &str) -> Option<i32> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets() {
        assert_eq!(super::parse_offset("+0800"), Some(8 * 3600));
        assert_eq!(super::parse_offset("-0330"), Some(-(3 * 3600 + 1800)));
        assert_eq!(super::parse_offset("UTC"), None);
    }
}
