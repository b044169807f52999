//! The teaching keys and commands: step calls typed as `/socket`,
//! `/listen 5`, ... (see `step`), F8's suggested call, F7 step mode on/off,
//! Alt-A/Alt-H holds, Alt-R a fresh lesson, Ctrl-C interrupting a blocking
//! call, Tab completing a command.

use super::step::{self, StepCmd};
use super::{App, Effect, EntryKind, Focus};
use crate::net::{Command, Holds, To};

/// Both holds: what step mode means for the auto driver.
const STEP_HOLDS: Holds = Holds { accept: true, reads: true };

impl App {
    fn info(&mut self, text: impl Into<String>) {
        let at = self.now();
        self.end_mut().note(at, EntryKind::Info, 0, text);
    }

    fn error(&mut self, text: impl Into<String>) {
        let at = self.now();
        self.end_mut().note(at, EntryKind::Error, 0, text);
    }

    /// Enter on a step command: `Some` when the line was one (run, or
    /// refused with a message), `None` for every other line.
    pub(super) fn step_line(&mut self) -> Option<Vec<Effect>> {
        let line = self.input.value().to_string();
        let rest = line.strip_prefix('/').filter(|r| !r.starts_with('/'))?;
        let rest = rest.trim_end();
        let parsed = step::parse(rest)?;
        let name = rest.split(' ').next().unwrap_or(rest);
        if !self.end().step {
            if matches!(name, "close" | "shutdown") {
                // Outside step mode these keep their plain meaning.
                return None;
            }
            self.error(format!(
                "/{name} is a step-mode call: nothing was called; F7 turns step mode on"
            ));
            return Some(Vec::new());
        }
        let effects = match parsed {
            Ok(cmd) => self.step(&cmd),
            Err(message) => {
                self.error(message);
                return Some(Vec::new());
            }
        };
        self.input.take();
        Some(effects)
    }

    /// One step command for the active end.
    fn step(&mut self, cmd: &StepCmd) -> Vec<Effect> {
        let server = if self.demo && !self.end().role.is_server() {
            self.ends.first().and_then(|e| e.listening.clone())
        } else {
            None
        };
        let command = match cmd.command(self.end(), server) {
            Ok(command) => command,
            Err(message) => {
                self.error(message);
                return Vec::new();
            }
        };
        match &command {
            Command::Call { call, .. } if step::may_block(call) => {
                self.end_mut().waiting_calls.push(call.name());
            }
            Command::Send { data, .. } => self.end_mut().pending += data.len() as u64,
            _ => {}
        }
        vec![Effect::Command { end: self.active, command }]
    }

    /// F8: the call the timeline suggests, as if typed.
    pub(super) fn next_call(&mut self) -> Vec<Effect> {
        if !self.end().step {
            self.error("F8 makes the next call in step mode: F7 turns step mode on");
            return Vec::new();
        }
        let line = super::suggest::next(self.end());
        match step::parse(line.trim_start_matches('/')) {
            Some(Ok(cmd)) => self.step(&cmd),
            _ => Vec::new(),
        }
    }

    /// Ctrl-C: interrupts the focused end's blocking call, else quits.
    pub(super) fn interrupt(&mut self) -> Vec<Effect> {
        if self.end().blocked_in().is_none() {
            self.quit = true;
            return vec![Effect::Quit];
        }
        vec![Effect::Command { end: self.active, command: Command::Interrupt }]
    }

    /// F7: step mode on (the driver holds accept and reads back) or off.
    pub(super) fn toggle_step(&mut self) -> Vec<Effect> {
        let on = !self.end().step;
        let holds = if on { STEP_HOLDS } else { Holds::default() };
        self.end_mut().step = on;
        self.info(if on {
            "step mode on: nothing happens by itself; connections wait in the accept queue and \
             bytes in the receive queue until you /accept and /recv (F8 suggests the next call)"
        } else {
            "step mode off: sockpit accepts and reads by itself again"
        });
        self.hold(holds)
    }

    /// Alt-A / Alt-H: hold accept or reads on or off.
    pub(super) fn toggle_hold(&mut self, accept: bool) -> Vec<Effect> {
        let mut holds = self.end().holds;
        let (on, what) = if accept {
            holds.accept = !holds.accept;
            (holds.accept, "hold accept: connections wait in the accept queue")
        } else {
            holds.reads = !holds.reads;
            (holds.reads, "hold reads: bytes wait in the receive queue")
        };
        self.info(format!("{what}: {}", if on { "on" } else { "off" }));
        self.hold(holds)
    }

    fn hold(&mut self, holds: Holds) -> Vec<Effect> {
        self.end_mut().holds = holds;
        let command = Command::Hold { to: To::All, holds };
        vec![Effect::Command { end: self.active, command }]
    }

    /// Alt-R: the focused end starts over with a fresh session in step mode.
    pub(super) fn reset_lesson(&mut self) -> Vec<Effect> {
        let end = self.end_mut();
        end.restart();
        end.lifecycle.clear();
        end.listening = None;
        end.step = true;
        end.holds = STEP_HOLDS;
        self.info(
            "lesson reset: a fresh session in step mode, no socket yet; type /socket or press F8",
        );
        vec![Effect::Restart { end: self.active, step: true }]
    }

    /// Tab in the input: complete a `/command`; with nothing to complete,
    /// the next pane.
    pub(super) fn complete(&mut self) {
        match step::complete(self.input.value(), super::input::COMMANDS) {
            Some((line, fits)) => {
                if line != self.input.value() {
                    self.input.input = tui_input::Input::new(line);
                }
                self.completions = if fits.len() > 1 { fits } else { Vec::new() };
            }
            None => self.focus = Focus::History,
        }
    }
}
