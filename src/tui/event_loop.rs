//! The UI loop, as in the ratatui templates: one `select!` over terminal
//! input, engine events, signals and a tick; everything already pending is
//! handled before one draw, and nothing is drawn unless something changed,
//! so an idle window costs no CPU.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, MouseButton, MouseEventKind};
use futures_util::StreamExt;
use ratatui::layout::Rect;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;

use super::sessions::Sessions;
use super::terminal::{Term, set_mouse};
use crate::app::{App, Effect};
use crate::net::{Event, EventKind};

/// Most items handled between two draws, so a flood of events still lets
/// the screen refresh.
const BATCH: usize = 4096;

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit (Ctrl-Q, Ctrl-C) or the terminal closed.
    Quit,
    /// SIGTERM or SIGHUP, by number.
    Signal(i32),
}

/// The loop's state besides the app.
struct Loop<'a> {
    app: &'a mut App,
    sessions: &'a mut Sessions,
    size: Rect,
    dirty: bool,
}

impl Loop<'_> {
    fn effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Command { end, command } => self.sessions.send(end, command),
                Effect::Reconnect { end } => {
                    if self.sessions.reconnect(end) {
                        self.app.started(end);
                    }
                }
                Effect::Restart { end, step } => self.sessions.restart(end, step),
                Effect::Mouse(on) => set_mouse(on),
                Effect::Quit => {}
            }
        }
    }

    fn terminal(&mut self, ev: TermEvent) {
        self.dirty = true;
        match ev {
            TermEvent::Key(key) => {
                let effects = self.app.on_key(key);
                self.effects(effects);
            }
            TermEvent::Paste(text) => {
                let effects = self.app.on_paste(&text);
                self.effects(effects);
            }
            TermEvent::Mouse(m) => {
                let Some((pane, entry)) = crate::ui::hit(self.size, self.app, m.column, m.row)
                else {
                    return;
                };
                match m.kind {
                    MouseEventKind::ScrollUp => self.app.wheel(pane, true),
                    MouseEventKind::ScrollDown => self.app.wheel(pane, false),
                    MouseEventKind::Down(MouseButton::Left) => self.app.click(pane, entry),
                    _ => self.dirty = false,
                }
            }
            TermEvent::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                self.app.resize(w, h);
            }
            TermEvent::FocusGained | TermEvent::FocusLost => self.dirty = false,
        }
    }

    fn engine(&mut self, end: usize, ev: &Event) {
        let changed = self.app.on_engine(end, ev);
        if let (0, EventKind::Listening { local, kind, .. }) = (end, &ev.kind)
            && let Some((client, role)) = self.sessions.server_ready(*local, *kind)
        {
            self.app.ends[client].role = role;
            self.app.started(client);
        }
        self.dirty |= changed;
    }
}

/// Runs until the user quits or a signal arrives.
///
/// # Errors
/// When drawing fails or signals cannot be watched.
pub async fn run(
    terminal: &mut Term,
    app: &mut App,
    sessions: &mut Sessions,
    mut events: mpsc::Receiver<(usize, Event)>,
) -> color_eyre::Result<Exit> {
    let mut input = EventStream::new();
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    // Nothing on screen depends on time alone yet; the tick is where state
    // sampling (socket inspection) will hook in.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = terminal.size()?;
    let mut lp =
        Loop { app, sessions, size: Rect::new(0, 0, size.width, size.height), dirty: true };
    lp.app.resize(size.width, size.height);
    loop {
        if lp.dirty {
            terminal.draw(|frame| crate::ui::draw(frame, lp.app))?;
            lp.dirty = false;
        }
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => lp.terminal(ev),
                Some(Err(_)) | None => return Ok(Exit::Quit),
            },
            Some((end, ev)) = events.recv() => lp.engine(end, &ev),
            _ = term.recv() => return Ok(Exit::Signal(libc::SIGTERM)),
            _ = hup.recv() => return Ok(Exit::Signal(libc::SIGHUP)),
            _ = tick.tick() => {}
        }
        // Handle whatever else is already waiting, then draw once.
        for _ in 0..BATCH {
            if lp.app.quit {
                break;
            }
            tokio::select! {
                biased;
                ev = input.next() => match ev {
                    Some(Ok(ev)) => lp.terminal(ev),
                    Some(Err(_)) | None => return Ok(Exit::Quit),
                },
                Some((end, ev)) = events.recv() => lp.engine(end, &ev),
                () = std::future::ready(()) => break,
            }
        }
        if lp.app.quit {
            return Ok(Exit::Quit);
        }
    }
}
