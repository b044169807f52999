//! The real TUI loop (`sockpit::tui::drive`) run inside a test: a
//! `TestBackend` screen the test can read while the loop draws on it, and
//! keys the test sends as the terminal would. Waits are on the loop's own
//! draws (each one wakes the test), bounded by a deadline: no sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::App;
use sockpit::tui::input::Input;
use sockpit::tui::terminal::Screen;
use tokio::sync::{Notify, mpsc};

/// A `TestBackend` shared between the loop (which draws on it) and the
/// test (which reads it); every draw wakes whoever waits in [`Shared::until`].
#[derive(Clone)]
pub struct Shared {
    terminal: Arc<Mutex<Terminal<TestBackend>>>,
    drawn: Arc<Notify>,
}

impl Shared {
    /// A screen of `width` × `height` cells.
    pub fn new(width: u16, height: u16) -> Self {
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        Self { terminal: Arc::new(Mutex::new(terminal)), drawn: Arc::new(Notify::new()) }
    }

    /// The screen's text as the last draw left it, one line per row.
    pub fn text(&self) -> String {
        let terminal = self.terminal.lock().expect("screen lock");
        let buffer = terminal.backend().buffer();
        let width = usize::from(buffer.area.width);
        let mut out = String::new();
        for row in buffer.content.chunks(width) {
            let line: String = row.iter().map(ratatui::buffer::Cell::symbol).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }

    /// Waits (at most `patience`) for a draw after which `ok` holds for the
    /// screen's text; returns that text, or panics with the last screen.
    pub async fn until(&self, what: &str, patience: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            // Registered before the check, so a draw in between is not missed.
            let drawn = self.drawn.notified();
            let text = self.text();
            if ok(&text) {
                return text;
            }
            let woke = tokio::time::timeout_at(deadline, drawn).await.is_ok();
            assert!(
                woke,
                "no draw showed {what} within {patience:?}; the screen:\n{}",
                self.text()
            );
        }
    }
}

impl Screen for Shared {
    fn draw(&mut self, app: &App) -> std::io::Result<()> {
        let mut terminal = self.terminal.lock().expect("screen lock");
        Screen::draw(&mut *terminal, app)?;
        self.drawn.notify_waiters();
        Ok(())
    }

    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        Screen::size(&*self.terminal.lock().expect("screen lock"))
    }
}

/// The keyboard of a loop under test: what it sends arrives as terminal input.
pub struct Keys(mpsc::Sender<Input>);

/// A keyboard and the input stream the loop reads it from.
pub fn keyboard() -> (Keys, impl Stream<Item = Input> + Unpin) {
    let (tx, mut rx) = mpsc::channel(4096);
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    (Keys(tx), stream)
}

impl Keys {
    /// One key press.
    pub fn key(&self, code: KeyCode, modifiers: KeyModifiers) {
        let ev = TermEvent::Key(KeyEvent::new(code, modifiers));
        self.0.try_send(Input::Term(ev)).expect("the loop reads its keys");
    }

    /// Each character of `text` typed.
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    /// Anything the terminal or the system could send.
    pub fn send(&self, input: Input) {
        self.0.try_send(input).expect("the loop reads its input");
    }
}

/// Runs the real loop for `plan` on a `width`×`height` screen, on the
/// host's network, while `script` types on its keyboard and watches its
/// screen; the loop's exit and what the script returns.
pub async fn run_loop<T, F, Fut>(
    plan: sockpit::cli::Plan,
    (width, height): (u16, u16),
    script: F,
) -> (color_eyre::Result<sockpit::tui::Exit>, T)
where
    F: FnOnce(Keys, Shared) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut records = sockpit::tui::Records::open(&plan).expect("the record files open");
    let screen = Shared::new(width, height);
    let (keys, input) = keyboard();
    let seen = screen.clone();
    let clock = sockpit::app::Clock::system(0);
    let host = sockpit::Isolation::Host;
    let looped = sockpit::tui::drive(plan, host, clock, &mut records, || Ok((screen, input)));
    tokio::join!(looped, script(keys, seen))
}
