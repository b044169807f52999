//! What each key and paste does to the app: one small function per action,
//! dispatched from the keymap table.

use bytes::Bytes;
use crossterm::event::{KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::InputRequest;

use super::Eol;
use super::input::{Submitted, parse};
use super::keymap::{Action, Focus, lookup};
use super::sockets::State;
use super::{App, Effect, EntryKind};
use crate::net::relay::{RelayOp, Way};
use crate::net::{Command, Kind, Shut, To};

impl App {
    /// One key press. Typing a printable character anywhere but on a bound
    /// key goes to the input: typed text is never a command.
    pub fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let action = lookup(self.focus, &key);
        if action != Some(Action::Complete) {
            self.completions.clear();
        }
        if self.help {
            let page = usize::from(self.page.max(1));
            return match action {
                Some(Action::Quit | Action::Interrupt) => self.act(Action::Quit),
                Some(Action::PageDown | Action::Down | Action::RecallNext) => {
                    let step = if action == Some(Action::PageDown) { page } else { 1 };
                    self.help_top = self.help_top.saturating_add(step);
                    Vec::new()
                }
                Some(Action::PageUp | Action::Up | Action::RecallPrev) => {
                    let step = if action == Some(Action::PageUp) { page } else { 1 };
                    self.help_top = self.help_top.saturating_sub(step);
                    Vec::new()
                }
                _ => {
                    self.help = false;
                    self.help_top = 0;
                    Vec::new()
                }
            };
        }
        if let Some(action) = action {
            return self.act(action);
        }
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
            || key.modifiers.contains(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if let (crossterm::event::KeyCode::Char(c), true) = (key.code, plain) {
            self.focus = Focus::Input;
            if self.rejected.take().is_some() {
                // A fresh line, not more words after a refused command.
                self.input.input = tui_input::Input::default();
            }
            self.input.insert(&c.to_string());
        }
        Vec::new()
    }

    /// A bracketed paste: complete lines are sent as if typed and entered;
    /// the last, unfinished one stays in the input.
    pub fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        self.focus = Focus::Input;
        if self.rejected.take().is_some() {
            self.input.input = tui_input::Input::default();
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut effects = Vec::new();
        let mut left_out = 0;
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            left_out += self.input.insert(line);
            if lines.peek().is_some() {
                effects.extend(self.submit());
            }
        }
        if left_out > 0 {
            self.refuse(format!(
                "left {left_out} control character(s) out of the paste: the input holds text only"
            ));
        }
        effects
    }

    fn act(&mut self, action: Action) -> Vec<Effect> {
        if let Some(effects) = self.wire_action(action) {
            return effects;
        }
        if let Some(effects) = self.packet_action(action) {
            return effects;
        }
        match action {
            Action::Help => self.help = true,
            Action::Quit => {
                self.quit = true;
                return vec![Effect::Quit];
            }
            Action::Interrupt => return self.interrupt(),
            Action::CloseOverlay => {
                self.end_mut().history.unselect();
                self.end_mut().lifecycle.unselect();
            }
            Action::NextPane => self.focus = next_pane(self.focus, true, self.wire_view),
            Action::PrevPane => self.focus = next_pane(self.focus, false, self.wire_view),
            Action::Submit => return self.submit_line(),
            Action::HalfClose if self.input.is_empty() => return self.shutdown(),
            Action::HalfClose => self.input.edit(InputRequest::DeleteNextChar),
            Action::RecallPrev => {
                self.rejected = None;
                self.input.recall_prev();
            }
            Action::RecallNext => {
                self.rejected = None;
                self.input.recall_next();
            }
            Action::Up if self.focus == Focus::Socket => self.end_mut().move_selection(-1),
            Action::Down if self.focus == Focus::Socket => self.end_mut().move_selection(1),
            Action::Bottom if self.focus == Focus::Socket => self.end_mut().follow(),
            Action::Up | Action::Down | Action::PageUp | Action::PageDown => self.scroll(action),
            Action::Top if self.focus == Focus::Lifecycle => self.end_mut().lifecycle.home(),
            Action::Top => self.end_mut().history.home(),
            Action::Bottom if self.focus == Focus::Lifecycle => self.end_mut().lifecycle.end(),
            Action::Bottom => self.end_mut().history.end(),
            Action::SwitchEnd => self.active = (self.active + 1) % self.ends.len(),
            Action::CycleEol => {
                self.eol = match self.eol {
                    Eol::Lf => Eol::Crlf,
                    Eol::Crlf => Eol::None,
                    Eol::None => Eol::Lf,
                };
            }
            Action::Reconnect => return self.reconnect(),
            Action::ToggleMouse => {
                self.mouse = !self.mouse;
                let said = if self.mouse {
                    "mouse on: the wheel scrolls, a click selects (F12: off, to select text)"
                } else {
                    "mouse off: the terminal selects and copies text; F12 turns it back on"
                };
                let at = self.now();
                self.end_mut().note(at, EntryKind::Info, 0, said);
                return vec![Effect::Mouse(self.mouse)];
            }
            Action::Edit(req) => {
                self.rejected = None;
                self.input.edit(req);
            }
            // Taken by `packet_action` above.
            Action::Inspect
            | Action::CycleView
            | Action::Search
            | Action::SearchNext
            | Action::SearchPrev
            | Action::CopyText
            | Action::CopyHex
            | Action::Resend
            | Action::SavePcap
            | Action::ExportPy
            | Action::ToggleWire
            | Action::ToggleAbsolute
            // `sockpit replay` steps its recording itself (replay::view).
            | Action::ReplayForward
            | Action::ReplayBack
            | Action::ReplayFirst
            | Action::ReplayLast => {}
            Action::Complete => self.complete(),
            Action::StepMode => return self.toggle_step(),
            Action::NextCall => return self.next_call(),
            Action::ResetLesson if self.lesson.is_some() => return self.reset_chapter(),
            Action::ResetLesson => return self.reset_lesson(),
            Action::Hint => self.hint(),
            Action::HoldAccept => return self.toggle_hold(true),
            Action::HoldReads => return self.toggle_hold(false),
            Action::HoldUp => return self.toggle_way_hold(Way::Up),
            Action::HoldDown => return self.toggle_way_hold(Way::Down),
            Action::ForwardOne => return self.held_op(RelayOp::Forward { all: false }),
            Action::ForwardAll => return self.held_op(RelayOp::Forward { all: true }),
            Action::DropOne => return self.held_op(RelayOp::Drop),
            Action::EditHeld => return self.edit_held(false),
            Action::EditHeldHex => return self.edit_held(true),
        }
        Vec::new()
    }

    fn scroll(&mut self, action: Action) {
        let page = u64::from(self.page);
        let rows = usize::from(self.page);
        let lifecycle = self.focus == Focus::Lifecycle;
        let end = self.end_mut();
        match (action, lifecycle) {
            (Action::Up, true) => end.lifecycle.select_prev(),
            (Action::Down, true) => end.lifecycle.select_next(),
            (Action::PageUp, true) => end.lifecycle.scroll_up(rows),
            (Action::PageDown, true) => end.lifecycle.scroll_down(rows),
            (Action::Up, false) => end.history.select_prev(),
            (Action::Down, false) => end.history.select_next(),
            (Action::PageUp, false) => end.history.scroll_up(page),
            (Action::PageDown, false) => end.history.scroll_down(page),
            _ => {}
        }
    }

    /// Writes a hint or error into the active end's history.
    pub(super) fn refuse(&mut self, text: impl Into<String>) {
        let at = self.now();
        self.end_mut().note(at, EntryKind::Error, 0, text);
    }

    /// Why the active end cannot send now, as a hint to the user.
    #[must_use]
    pub fn cannot_send(&self) -> Option<String> {
        let end = self.end();
        if let Some(call) = end.blocked_in() {
            // Step mode: a program blocked in a call makes no other.
            return Some(format!("blocked in {call}(): Ctrl-C interrupts it; nothing was sent"));
        }
        if !end.started {
            return Some("not started yet: the client connects once the server listens".into());
        }
        if let Some(current) = end.sockets.current() {
            if end.kind == Kind::Dgram && end.role.is_server() && current.peer.is_none() {
                return Some(
                    "nobody to answer yet: a UDP server replies to whoever sent last, and no \
                     datagram has arrived; send from the client first"
                        .into(),
                );
            }
            return None;
        }
        let connecting = end.sockets.all.values().any(|s| s.state == State::Connecting);
        Some(match (end.role.is_server(), &end.listening) {
            (true, Some(addr)) => {
                format!("no client yet: nothing sent; connect one to {addr}, then press Enter")
            }
            (true, None) if end.fatal.is_some() => "the server is not running: nothing sent".into(),
            (true, None) => "the server is still starting: nothing sent".into(),
            (false, _) if connecting => "still connecting: nothing sent yet".into(),
            (false, _) => "not connected: nothing sent; press F6 to connect again".into(),
        })
    }

    /// Enter, and a refused `/command` marked as such: it stays in the
    /// input with its error until edited, and typing starts a new line.
    fn submit_line(&mut self) -> Vec<Effect> {
        self.rejected = None;
        let before = self.end().history.end_seq();
        let effects = self.submit();
        let line = self.input.value();
        if line.starts_with('/') && !line.starts_with("//") && !self.search.prompt {
            let history = &self.end().history;
            self.rejected = (before..history.end_seq())
                .rev()
                .filter_map(|seq| history.get(seq))
                .find(|e| e.kind == EntryKind::Error)
                .map(|e| String::from_utf8_lossy(&e.text).into_owned());
        }
        effects
    }

    /// Enter: send the line plus the EOL, or run a `/command`.
    fn submit(&mut self) -> Vec<Effect> {
        if let Some(effects) = self.step_line() {
            return effects;
        }
        if let Some(effects) = self.relay_line() {
            return effects;
        }
        let parsed = parse(self.input.value());
        let command = match parsed {
            Submitted::Unknown(message) | Submitted::Invalid(message) => {
                self.refuse(message);
                return Vec::new();
            }
            Submitted::Text(text) => {
                let mut data = text.into_bytes();
                data.extend_from_slice(self.eol.bytes());
                if data.is_empty() && self.end().kind.is_connected() {
                    self.input.take();
                    self.refuse("nothing to send: the line is empty and the EOL is none (F4)");
                    return Vec::new();
                }
                Command::Send { to: To::Current, data: Bytes::from(data) }
            }
            Submitted::All(text) => {
                let mut data = text.into_bytes();
                data.extend_from_slice(self.eol.bytes());
                Command::Send { to: To::All, data: Bytes::from(data) }
            }
            Submitted::Bytes(bytes) => Command::Send { to: To::Current, data: Bytes::from(bytes) },
            Submitted::File(path) => return self.send_file(path),
            Submitted::Close => Command::Close { to: To::Current },
            Submitted::Shutdown => Command::Shutdown { to: To::Current, how: Shut::Write },
        };
        if let Some(hint) = self.cannot_send() {
            // The line stays in the input, so nothing typed is lost.
            self.refuse(hint);
            return Vec::new();
        }
        let command = match self.aimed(command) {
            Ok(command) => command,
            Err(hint) => {
                self.refuse(hint.to_string());
                return Vec::new();
            }
        };
        self.input.take();
        if let Command::Send { data, to } = &command {
            let copies = self.end().copies(to.clone());
            self.end_mut().pending += data.len() as u64 * copies;
        }
        vec![Effect::Command { end: self.active, command }]
    }

    /// The command with its target resolved for the active end: the
    /// selected connection or peer for a server.
    pub(super) fn aimed(&self, command: Command) -> Result<Command, super::targets::NoTarget> {
        let end = self.end();
        Ok(match command {
            Command::Send { to, data } => Command::Send { to: end.aim(to)?, data },
            Command::Close { to } => Command::Close { to: end.aim(to)? },
            Command::Shutdown { to, how } => Command::Shutdown { to: end.aim(to)?, how },
            other => other,
        })
    }

    /// Ctrl-D on an empty input: `shutdown(SHUT_WR)`.
    fn shutdown(&mut self) -> Vec<Effect> {
        if let Some(hint) = self.cannot_send() {
            self.refuse(hint);
            return Vec::new();
        }
        match self.aimed(Command::Shutdown { to: To::Current, how: Shut::Write }) {
            Ok(command) => vec![Effect::Command { end: self.active, command }],
            Err(hint) => {
                self.refuse(hint.to_string());
                Vec::new()
            }
        }
    }

    /// F6: a client connects again; a server has nothing to reconnect.
    fn reconnect(&mut self) -> Vec<Effect> {
        if self.end().role.is_server() {
            self.refuse("F6 reconnects a client; this end is a server (it keeps listening)");
            return Vec::new();
        }
        if !self.end().started {
            self.refuse("not started yet: the client connects once the server listens");
            return Vec::new();
        }
        let at = self.now();
        self.end_mut().note(at, EntryKind::Info, 0, "reconnecting");
        vec![Effect::Reconnect { end: self.active }]
    }
}

/// The pane after (or before) `focus`; with the Wire pane shown it stands
/// where the history and socket panel were.
pub(super) fn next_pane(focus: Focus, forward: bool, wire: bool) -> Focus {
    const ORDER: [Focus; 4] = [Focus::Input, Focus::History, Focus::Lifecycle, Focus::Socket];
    const WIRE: [Focus; 3] = [Focus::Input, Focus::Wire, Focus::Lifecycle];
    let order: &[Focus] = if wire { &WIRE } else { &ORDER };
    let i = order.iter().position(|f| *f == focus).unwrap_or(0);
    let n = order.len();
    order[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}
