//! The UI loop, as in the ratatui templates: one `select!` over terminal
//! input, engine events, signals and a tick; engine events already pending
//! are handled before one draw, nothing is drawn unless something changed
//! (an idle window costs no CPU), and changes closer together than
//! [`FRAME`] share one frame.

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, MouseButton, MouseEventKind};
use futures_util::{Stream, StreamExt};
use ratatui::layout::Rect;
use tokio::sync::mpsc;

use super::Incoming;
use super::export::Scripts;
use super::input::Input;
use super::record::Recorder;
use super::sessions::Sessions;
use super::terminal::Screen;
use crate::app::{App, Effect};
use crate::net::{Event, EventKind};

/// Most engine events handled in one turn of the loop, so a flood of them
/// still lets keys and the screen through.
const BATCH: usize = 4096;

/// Longest time one turn of the loop spends on engine events already
/// waiting before it looks at the keys again.
const BUSY: Duration = Duration::from_millis(10);

/// Shortest time between two frames: changes that come faster (a flood of
/// lines) are drawn together, at most 50 frames a second; a key after a
/// quiet moment is drawn at once.
const FRAME: Duration = Duration::from_millis(20);

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Exit {
    /// The user quit (Ctrl-Q, Ctrl-C) or the terminal closed.
    Quit,
    /// SIGTERM or SIGHUP, by number.
    Signal(i32),
    /// Could not start (`--wire` without a capture): said on stderr.
    Failure,
}

/// The loop's state besides the app.
struct Loop<'a, S> {
    screen: &'a mut S,
    app: &'a mut App,
    sessions: &'a mut Sessions,
    recorder: &'a mut Recorder,
    scripts: &'a mut Scripts,
    /// `sockpit learn`: the progress file.
    keeper: Option<super::learn::Keeper>,
    size: Rect,
    dirty: bool,
}

impl<S: Screen> Loop<'_, S> {
    fn effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Command { end, command } => {
                    if !self.sessions.send(end, command) {
                        let busy = "the session's command queue is full: that command was \
                                    dropped; try again once the bytes queued before it are sent";
                        self.app.notice(end, false, busy);
                    }
                }
                Effect::Reconnect { end } => {
                    if self.sessions.reconnect(end) {
                        self.app.started(end);
                    }
                    self.news();
                }
                Effect::Restart { end, step } => {
                    self.scripts.restart(end);
                    self.sessions.restart(end, step);
                    self.news();
                }
                Effect::SendFile { end, path, to, chunk } => {
                    self.sessions.send_file(end, path, to, chunk);
                }
                Effect::Clipboard(bytes) => {
                    if let Err(err) = super::clipboard::copy(&bytes) {
                        self.app.notice(self.app.active, false, &format!("copy failed: {err}"));
                    }
                }
                Effect::SavePcap { end } => self.save_pcap(end),
                Effect::ExportPy { end } => self.export_py(end),
                Effect::Mouse(on) => self.screen.set_mouse(on),
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

    /// F9: the end's capture so far to a file; the app shows where.
    fn save_pcap(&mut self, end: usize) {
        let name = self.app.ends.get(end).map_or("end", |e| e.name());
        let unix = crate::net::event::now_micros() / 1_000_000;
        let saved = self.recorder.save(end, name, std::path::Path::new("."), unix);
        match saved {
            Ok(text) => self.app.notice(end, true, &format!("F9: {text}")),
            Err(text) => self.app.notice(end, false, &format!("F9: {text}")),
        }
    }

    /// F10: the end's session so far as a Python script; the app shows where.
    fn export_py(&mut self, end: usize) {
        let name = self.app.ends.get(end).map_or("end", |e| e.name());
        let unix = crate::net::event::now_micros() / 1_000_000;
        match self.scripts.save(end, name, std::path::Path::new("."), unix) {
            Ok(text) => self.app.notice(end, true, &format!("F10: {text}")),
            Err(text) => self.app.notice(end, false, &format!("F10: {text}")),
        }
    }

    /// Capture statuses of ends just started, to the recorder and the app.
    fn news(&mut self) {
        for (end, status) in self.sessions.news() {
            if let Some(problem) = self.recorder.wire(end, &status) {
                self.app.notice(end, false, &problem);
            }
            for tls in self.sessions.tls_configs(end) {
                self.recorder.tls_keys(end, &tls);
            }
            self.app.wire_status(end, status);
            self.dirty = true;
        }
    }

    fn incoming(&mut self, incoming: Incoming) {
        match incoming {
            Incoming::Engine(end, ev) => self.engine(end, &ev),
            Incoming::File(end, news) => {
                self.app.file_news(end, news);
                self.dirty = true;
            }
            Incoming::Segment(end, seg) => {
                if let Some(problem) = self.recorder.segment(end, &seg) {
                    self.app.notice(end, false, &problem);
                }
                self.dirty |= self.app.on_segment(end, seg);
                if let Some(keeper) = &mut self.keeper {
                    keeper.save(self.app);
                }
            }
        }
    }

    fn engine(&mut self, end: usize, ev: &Event) {
        // A port this event announces is watched before anyone sees it.
        self.sessions.observe(end, ev);
        self.scripts.event(end, ev);
        if let Some(problem) = self.recorder.event(end, ev) {
            self.app.notice(end, false, &problem);
        }
        let changed = self.app.on_engine(end, ev);
        if let Some(keeper) = &mut self.keeper {
            keeper.save(self.app);
        }
        if let (0, EventKind::Listening { local, kind, .. }) = (end, &ev.kind)
            && let Some((client, role)) = self.sessions.server_ready(local.clone(), *kind)
        {
            self.app.ends[client].role = role;
            self.app.started(client);
            self.news();
        }
        self.dirty |= changed;
    }
}

/// Runs until the user quits, a signal arrives or `input` ends. `input`
/// is the terminal's events and signals ([`super::input::terminal`]) or,
/// in tests, any stream of them; `screen` is the terminal or a test one.
///
/// # Errors
/// When drawing fails.
pub async fn run<S: Screen>(
    screen: &mut S,
    mut input: impl Stream<Item = Input> + Unpin,
    app: &mut App,
    sessions: &mut Sessions,
    (recorder, scripts): (&mut Recorder, &mut Scripts),
    keeper: Option<super::learn::Keeper>,
    mut events: mpsc::Receiver<Incoming>,
) -> color_eyre::Result<Exit> {
    // Ages on screen (a socket's, the kernel's last send/recv) grow with
    // time alone: the tick redraws them, at most once a second.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let size = screen.size()?;
    let mut lp = Loop {
        screen,
        app,
        sessions,
        recorder,
        scripts,
        keeper,
        size: Rect::new(0, 0, size.width, size.height),
        dirty: true,
    };
    lp.app.resize(size.width, size.height);
    lp.news();
    // No draw yet: the first one is due at once.
    let mut drawn: Option<Instant> = None;
    loop {
        if lp.dirty && drawn.is_none_or(|at| at.elapsed() >= FRAME) {
            lp.screen.draw(lp.app)?;
            lp.dirty = false;
            drawn = Some(Instant::now());
        }
        // A change too soon after the last frame is drawn when FRAME is up.
        let redraw = drawn.map_or_else(Instant::now, |at| at + FRAME);
        tokio::select! {
            ev = input.next() => match ev {
                Some(Input::Term(ev)) => lp.terminal(ev),
                Some(Input::Signal(sig)) => return Ok(Exit::Signal(sig)),
                Some(Input::Lost) | None => return Ok(Exit::Quit),
            },
            Some(incoming) = events.recv() => lp.incoming(incoming),
            _ = tick.tick() => lp.dirty |= lp.app.on_tick(),
            () = tokio::time::sleep_until(redraw.into()), if lp.dirty => {}
        }
        // Engine events already waiting are handled before the next draw.
        // The terminal is not asked between them: every poll of crossterm's
        // EventStream is a syscall (a `sched_yield` while its reader thread
        // holds the lock), which made a flood cost half the loop's time.
        // Keys waiting are taken by the `select!` above, one a turn.
        // At most BATCH events or BUSY of work, whichever comes first: a
        // key waits no longer than that behind a flood.
        let busy = Instant::now();
        for i in 0..BATCH {
            if lp.app.quit || (i % 64 == 63 && busy.elapsed() >= BUSY) {
                break;
            }
            match events.try_recv() {
                Ok(incoming) => lp.incoming(incoming),
                Err(_) => break,
            }
        }
        if lp.app.quit {
            return Ok(Exit::Quit);
        }
        // The engine samples what can be on screen (all of a small session).
        for (end, socks) in lp.app.watch_sets().into_iter().enumerate() {
            lp.sessions.watch(end, socks);
        }
    }
}
