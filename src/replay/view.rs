//! The replay on screen: the recorded session drawn by the usual panes, a
//! bar saying where the replay stands, and the arrow keys (the keymap's
//! Replay rows) stepping through it. Nothing is sent anywhere: the app's
//! own effects are dropped.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::Log;
use crate::app::keymap::{self, Action, Focus};
use crate::app::{App, Clock, Effect};
use crate::tui::input::Input;

/// A log being replayed, at one step.
pub struct Replay {
    log: Log,
    /// The file's name, as shown.
    name: String,
    /// Steps applied so far.
    shown: usize,
    app: App,
    clock: Clock,
    /// The screen's size, given again to each rebuilt app.
    size: (u16, u16),
}

impl Replay {
    /// The replay of `log` (from the file `name`), at its start.
    #[must_use]
    pub fn new(log: Log, name: &str, clock: Clock) -> Self {
        let app = log.app_at(0, clock.clone());
        let name = crate::sanitize::visible_str(name);
        let mut replay = Self { log, name, shown: 0, app, clock, size: (80, 24) };
        replay.app.focus = Focus::Replay;
        replay
    }

    /// Steps applied so far.
    #[must_use]
    pub fn shown(&self) -> usize {
        self.shown
    }

    /// The app as the replay stands.
    #[must_use]
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Moves to `shown` steps (clamped) and rebuilds the app there.
    pub fn go(&mut self, shown: usize) {
        self.shown = shown.min(self.log.steps.len());
        let (focus, active) = (self.app.focus, self.app.active);
        self.app = self.log.app_at(self.shown, self.clock.clone());
        self.app.resize(self.size.0, self.size.1);
        self.app.focus = focus;
        self.app.active = active.min(self.app.ends.len().saturating_sub(1));
    }

    /// A key: the Replay rows step; the rest go to the app (scrolling,
    /// F2, help, quit), whose effects are dropped. Returns whether to quit.
    pub fn key(&mut self, key: KeyEvent) -> bool {
        match keymap::lookup(Focus::Replay, &key) {
            Some(Action::ReplayForward) => self.go(self.shown + 1),
            Some(Action::ReplayBack) => self.go(self.shown.saturating_sub(1)),
            Some(Action::ReplayFirst) => self.go(0),
            Some(Action::ReplayLast) => self.go(self.log.steps.len()),
            _ => {
                let effects = self.app.on_key(key);
                // Read-only: the replay keeps its keys whatever pane is
                // focused, and nothing the app asks for is done.
                self.app.focus = Focus::Replay;
                return effects.contains(&Effect::Quit) || self.app.quit;
            }
        }
        false
    }

    /// The bar: where the replay stands and what the current line was.
    fn bar(&self) -> String {
        let total = self.log.steps.len();
        let at = self.shown.checked_sub(1).and_then(|i| self.log.steps.get(i));
        let what = at.map_or_else(
            || "the start".to_string(),
            |s| match &s.event {
                Ok(_) => format!("line {}: {}", s.line, s.ev),
                Err(_) => format!("line {}: {} (not replayed)", s.line, s.ev),
            },
        );
        let bad = match self.log.problems.len() {
            0 => String::new(),
            n => format!(" │ {n} bad line(s)"),
        };
        format!(
            " replay {} │ {}/{total} │ {what}{bad} │ ←/→ step  Home/End  ^Q quit",
            self.name, self.shown
        )
    }

    /// Draws the panes and, over the status bar, the replay's bar.
    pub fn draw(&self, frame: &mut ratatui::Frame) {
        crate::ui::draw(frame, &self.app);
        let area = frame.area();
        if area.height == 0 {
            return;
        }
        let row = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
        let bar = Paragraph::new(Line::from(self.bar())).style(crate::ui::theme::bar());
        frame.render_widget(bar, row);
    }

    /// The screen's size changed (or is first known).
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = (width, height);
        self.app.resize(width, height);
    }
}

/// Runs the replay on `terminal` until Ctrl-Q or the end of `input`.
///
/// # Errors
/// When drawing fails.
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut input: impl Stream<Item = Input> + Unpin,
    replay: &mut Replay,
) -> std::io::Result<()> {
    let size = terminal.size().map_err(|e| std::io::Error::other(e.to_string()))?;
    replay.resize(size.width, size.height);
    loop {
        terminal
            .draw(|frame| replay.draw(frame))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        match input.next().await {
            Some(Input::Term(TermEvent::Key(key))) if key.kind != KeyEventKind::Release => {
                if replay.key(key) {
                    return Ok(());
                }
            }
            Some(Input::Term(TermEvent::Resize(w, h))) => replay.resize(w, h),
            Some(Input::Term(_)) => {}
            Some(Input::Signal(_) | Input::Lost) | None => return Ok(()),
        }
    }
}

/// `sockpit replay FILE`: bad lines are reported on stderr by number (and
/// in the history where they stood); then, in a terminal, the TUI.
#[must_use]
pub fn main(path: &Path) -> ExitCode {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(err) => {
            eprintln!("sockpit: {}", crate::transcript::open_error("log", path, &err));
            return ExitCode::FAILURE;
        }
    };
    let log = Log::parse(&text);
    for problem in &log.problems {
        eprintln!(
            "sockpit: {}: {problem}",
            crate::sanitize::visible_str(&path.display().to_string())
        );
    }
    let skipped = log.steps.iter().filter(|s| s.event.is_err()).count();
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if !interactive {
        println!(
            "{} events, {skipped} not replayed, {} bad line(s)",
            log.steps.len(),
            log.problems.len()
        );
        return ExitCode::SUCCESS;
    }
    let offset = crate::tui::terminal::local_offset();
    let mut replay = Replay::new(log, &path.display().to_string(), Clock::system(offset));
    crate::tui::terminal::install_panic_hook();
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        eprintln!("sockpit: cannot start the runtime");
        return ExitCode::FAILURE;
    };
    let shown = runtime.block_on(async {
        let mut guard = crate::tui::terminal::setup()?;
        let input = crate::tui::input::terminal()?;
        run(&mut guard.terminal, input, &mut replay).await
    });
    match shown {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sockpit: the replay's screen failed: {err}");
            ExitCode::FAILURE
        }
    }
}
