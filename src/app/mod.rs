//! The TUI's state, pure: engine events and user input go in through
//! [`App::on_engine`], [`App::on_key`], [`App::on_paste`] and the mouse
//! methods; what the outside world must do comes back as [`Effect`]s. No
//! terminal, socket or clock is touched here, so every path is unit-tested.

mod access;
pub(crate) mod clock;
pub(crate) mod decoder;
pub(crate) mod end;
pub(crate) mod figures;
pub(crate) mod history;
pub(crate) mod input;
pub(crate) mod inspector;
pub(crate) mod keymap;
mod keys;
mod learn;
pub(crate) mod lifecycle;
mod list_index;
pub(crate) mod relay;
pub(crate) mod send;
pub(crate) mod sockets;
pub(crate) mod step;
pub(crate) mod targets;
pub(crate) mod teach;
mod theme_name;
pub(crate) mod tls;
mod watching;
pub(crate) mod wire;

use crate::net::{Command, Event, Micros, Role};

pub use clock::Clock;
pub use end::EndState;
pub use history::{Caps, EntryKind};
pub use input::Eol;
pub use inspector::keys::View;
pub use keymap::Focus;
pub use theme_name::ThemeName;

pub use input::InputLine;
pub use inspector::Inspector;
pub use inspector::search::Search;

pub use input::commands::markdown as commands_markdown;
pub use keymap::markdown as keys_markdown;
pub use relay::RelayState;
pub use step::COMMANDS as STEP_COMMANDS;
pub use wire::{Row as WireRow, Status as WireStatus};

/// Something only the runtime can do, asked for by the app.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Effect {
    /// Hand a command to one end's session.
    Command {
        end: usize,
        command: Command,
    },
    /// Reconnect a client end (a new session if the old one has ended).
    Reconnect {
        end: usize,
    },
    /// Start end `end`'s session afresh (Alt-R resets the lesson).
    Restart {
        end: usize,
        step: bool,
    },
    /// Stream `/file`'s path to `to` on end `end` in commands of `chunk`
    /// bytes; [`App::file_news`] hears how it goes.
    SendFile {
        end: usize,
        path: String,
        to: crate::net::To,
        chunk: usize,
    },
    /// Put these bytes on the clipboard (OSC 52, written base64-encoded).
    Clipboard(Vec<u8>),
    /// F9: save end `end`'s session so far as pcapng.
    SavePcap {
        end: usize,
    },
    /// F10: write end `end`'s session so far as a Python script.
    ExportPy {
        end: usize,
    },
    /// Turn mouse capture on or off.
    Mouse(bool),
    Quit,
}

/// A pane the mouse can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    History(usize),
    Lifecycle(usize),
    Socket(usize),
    Wire(usize),
    Input,
}

/// The whole TUI state.
#[derive(Debug, Clone)]
pub struct App {
    /// One per session: the server first in the demo.
    pub(crate) ends: Vec<EndState>,
    /// The end the input talks to.
    pub(crate) active: usize,
    pub(crate) focus: Focus,
    pub(crate) help: bool,
    /// The help's first row shown (PgUp/PgDn scroll it when it does not fit).
    pub(crate) help_top: usize,
    pub(crate) input: input::InputLine,
    pub(crate) eol: Eol,
    pub(crate) demo: bool,
    pub(crate) mouse: bool,
    pub(crate) clock: Clock,
    /// Rows a PgUp/PgDn moves (about half the screen).
    pub(crate) page: u16,
    /// The terminal's height in rows.
    pub(crate) rows: u16,
    pub(crate) quit: bool,
    /// The language of the timeline's explanations (`--lang`).
    pub(crate) lang: crate::lesson::Lang,
    /// The colours the screen is drawn with.
    pub(crate) theme: ThemeName,
    /// The packet inspector, when open (Enter on a history entry).
    pub(crate) inspector: Option<inspector::Inspector>,
    /// How the history shows bytes (Alt-V).
    pub(crate) view: View,
    pub(crate) search: inspector::search::Search,
    /// A `/file` being sent, for the progress bar.
    pub(crate) upload: Option<send::Upload>,
    /// Tab found several commands: they are shown until the next key.
    pub(crate) completions: Vec<String>,
    /// The Wire pane is shown in place of the history and socket panel
    /// (Alt-W).
    pub(crate) wire_view: bool,
    /// Why the `/command` still in the input was refused: shown on the
    /// input until it is edited; a typed character replaces the command.
    pub(crate) rejected: Option<String>,
    /// The demo's own network, said under the server's "listening" line
    /// with the lines another terminal uses to join it.
    pub(crate) isolation: crate::netns::Isolation,
    /// `sockpit learn N`: the chapter being done (the Lesson pane).
    pub(crate) lesson: Option<crate::course::Lesson>,
}

impl App {
    /// A fresh app for these roles; nothing has happened yet.
    #[must_use]
    pub fn new(roles: Vec<Role>, demo: bool, eol: Eol, caps: Caps, clock: Clock) -> Self {
        Self {
            ends: roles.into_iter().map(|r| EndState::new(r, caps)).collect(),
            active: 0,
            focus: Focus::Input,
            help: false,
            help_top: 0,
            input: input::InputLine::default(),
            eol,
            demo,
            mouse: true,
            clock,
            page: 10,
            rows: 24,
            quit: false,
            lang: crate::lesson::Lang::En,
            theme: ThemeName::Dark,
            inspector: None,
            view: View::Text,
            search: inspector::search::Search::default(),
            upload: None,
            completions: Vec::new(),
            wire_view: false,
            rejected: None,
            isolation: crate::netns::Isolation::Host,
            lesson: None,
        }
    }

    /// The end the input talks to.
    #[must_use]
    pub fn end(&self) -> &EndState {
        &self.ends[self.active.min(self.ends.len() - 1)]
    }

    /// The end the input talks to, to change in place: the composition
    /// root sets step mode, holds and the relay from the plan, and tests
    /// and benches set up a screen that keys would take long to reach.
    pub fn end_mut(&mut self) -> &mut EndState {
        let i = self.active.min(self.ends.len() - 1);
        &mut self.ends[i]
    }

    /// The demo's other end (F8 reads whose move it is from it).
    #[must_use]
    pub fn other(&self) -> Option<&EndState> {
        let active = self.active.min(self.ends.len() - 1);
        if !self.demo {
            return None;
        }
        self.ends.iter().enumerate().find(|(i, _)| *i != active).map(|(_, e)| e)
    }

    /// What F8 would do now on the end the input talks to.
    #[must_use]
    pub fn suggestion(&self) -> teach::suggest::Next {
        teach::suggest::next(self.end(), self.other())
    }

    fn now(&self) -> Micros {
        self.clock.now()
    }

    /// One event from end `end`'s session; returns whether the screen
    /// changed. A periodic sample counts only when it changes what the
    /// panel says at once (`figures::differs`: a port, a queue, a state),
    /// so an idle window is not redrawn four times a second per socket.
    pub fn on_engine(&mut self, end: usize, ev: &Event) -> bool {
        let shown = match &ev.kind {
            crate::net::EventKind::Sample { sock, sample } => {
                let before = self.ends.get(end).and_then(|e| e.inspection.figures(*sock));
                before.and_then(|f| f.latest.as_ref()).is_none_or(|b| figures::differs(b, sample))
            }
            _ => true,
        };
        if let Some(state) = self.ends.get_mut(end) {
            state.on_event(ev);
            if let crate::net::EventKind::Listening { sock, local, kind, .. } = &ev.kind
                && self.demo
            {
                let proto = if kind.is_connected() { "tcp" } else { "udp" };
                let port = local.inet().map_or(0, |a| a.port());
                for line in self.isolation.notice(proto, port) {
                    state.note(ev.at, EntryKind::Info, *sock, line);
                }
            }
        }
        if let crate::net::EventKind::Data(d) = &ev.kind {
            self.track_upload(end, d);
        }
        shown | self.lesson_event(end, ev)
    }

    /// One captured segment of end `end`; whether the screen changed.
    pub fn on_segment(&mut self, end: usize, seg: crate::wire::Segment) -> bool {
        let Some(state) = self.ends.get_mut(end) else { return false };
        let server = state.role.is_server();
        if let Some(lesson) = &mut self.lesson {
            lesson.segment(server, &seg);
        }
        state.segment(seg);
        true
    }

    /// Whether end `end`'s segments can be captured (and why not).
    pub fn wire_status(&mut self, end: usize, status: wire::Status) {
        if let Some(state) = self.ends.get_mut(end) {
            state.wire.status = status;
        }
    }

    /// The UI loop's once-a-second tick: whether anything shown grows with
    /// time alone (a socket's age in the list, the kernel's "last send /
    /// recv" ages), so the screen is redrawn; an idle screen without them
    /// is not.
    #[must_use]
    pub fn on_tick(&self) -> bool {
        self.ends.iter().any(|end| {
            let ages = end.detailed().and_then(|s| end.inspection.figures(s.id));
            let ticking = ages.and_then(|f| f.latest.as_ref()).is_some_and(|s| {
                let talking =
                    s.tcp.as_ref().is_some_and(|t| t.state != crate::net::TcpState::Close);
                talking && !s.listening && !s.last
            });
            end.has_list() || ticking
        })
    }

    /// End `end`'s session was spawned (or spawned again after failing).
    pub fn started(&mut self, end: usize) {
        if let Some(state) = self.ends.get_mut(end) {
            if state.started {
                state.restart();
            }
            state.started = true;
        }
    }

    /// The terminal's size changed: pages follow the screen.
    pub fn resize(&mut self, _width: u16, height: u16) {
        self.rows = height;
        self.page = (height / 2).saturating_sub(3).max(1);
    }

    /// A mouse click: focus the pane, and select the entry under it.
    pub fn click(&mut self, pane: Pane, entry: Option<u64>) {
        match pane {
            Pane::History(end) => {
                self.active = end;
                self.focus = Focus::History;
                if let Some(seq) = entry {
                    // A click opens the inspector on the entry, as Enter does.
                    self.inspect(end, seq);
                }
            }
            Pane::Lifecycle(end) => {
                self.active = end;
                self.focus = Focus::Lifecycle;
            }
            Pane::Socket(end) => {
                self.active = end;
                self.focus = Focus::Socket;
                // On the list, the entry is the row clicked.
                if let Some(row) = entry.and_then(|r| usize::try_from(r).ok()) {
                    self.ends[end].select_row(row);
                }
            }
            Pane::Wire(end) => {
                self.active = end;
                self.focus = Focus::Wire;
            }
            Pane::Input => self.focus = Focus::Input,
        }
    }

    /// The mouse wheel over a pane.
    pub fn wheel(&mut self, pane: Pane, up: bool) {
        const ROWS: u64 = 3;
        let height = self.inspector_height();
        if let Some(inspector) = &mut self.inspector {
            inspector.scroll(if up { -3 } else { 3 }, height);
            return;
        }
        match pane {
            Pane::History(end) | Pane::Socket(end) => {
                let h = &mut self.ends[end].history;
                if up { h.scroll_up(ROWS) } else { h.scroll_down(ROWS) }
            }
            Pane::Lifecycle(end) => {
                let l = &mut self.ends[end].lifecycle;
                if up { l.scroll_up(3) } else { l.scroll_down(3) }
            }
            Pane::Wire(end) => {
                let w = &mut self.ends[end].wire;
                w.move_selection(if up { -3 } else { 3 });
            }
            Pane::Input => {}
        }
    }
}

#[cfg(test)]
mod tests;
