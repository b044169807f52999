//! The teaching keys and commands: step calls typed as `/socket`,
//! `/listen 5`, ... (see `step`), F8's suggested call, F7 step mode on/off,
//! Alt-A/Alt-H holds, Alt-R a fresh lesson, Ctrl-C interrupting a blocking
//! call, Tab completing a command.

pub(crate) mod ready;
pub(crate) mod script;
pub(crate) mod suggest;

use super::input::Submitted;
use super::step::{self, StepCmd};
use super::{App, Effect, EntryKind, Focus};
use crate::net::{Command, Holds, To};

/// How soon after a `KeyboardInterrupt` another Ctrl-C is taken for a
/// double press rather than "quit" (µs).
const REFLEX: u64 = 1_000_000;

/// Both holds: what step mode means for the auto driver.
const STEP_HOLDS: Holds = Holds { accept: true, reads: true };

/// Why a step call typed in the input line was not made.
#[derive(Debug, thiserror::Error)]
enum NotCalled {
    /// The end is blocked in a call, as a Python program would be.
    #[error("blocked in {0}(): Ctrl-C interrupts it; nothing was called")]
    Blocked(&'static str),
    /// The command was typed wrong.
    #[error(transparent)]
    Usage(#[from] step::StepUsage),
}

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
        let name = rest.split(' ').next().unwrap_or(rest);
        let Some(parsed) = step::parse(rest) else {
            return self.unknown_in_step(&line);
        };
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
            Err(usage) => Err(NotCalled::Usage(usage)),
        };
        match effects {
            Ok(effects) => {
                self.input.take();
                Some(effects)
            }
            Err(why) => {
                // The line stays in the input, to fix or to retry.
                self.error(why.to_string());
                Some(Vec::new())
            }
        }
    }

    /// A `/name` that is neither a step call nor a plain command: in step
    /// mode the message lists the step calls too.
    fn unknown_in_step(&mut self, line: &str) -> Option<Vec<Effect>> {
        let Submitted::Unknown(message) = super::input::parse(line) else { return None };
        if !self.end().step {
            return None;
        }
        self.error(format!("{message}; step calls are {}", step::listing()));
        Some(Vec::new())
    }

    /// Why the active end takes no new call now: it is blocked in one, as
    /// a Python program would be (Ctrl-C first).
    pub(super) fn blocked(&self) -> Option<String> {
        self.end().blocked_in().map(|call| NotCalled::Blocked(call).to_string())
    }

    /// One step command for the active end: its engine command, or why not.
    fn step(&mut self, cmd: &StepCmd) -> Result<Vec<Effect>, NotCalled> {
        if let Some(call) = self.end().blocked_in() {
            return Err(NotCalled::Blocked(call));
        }
        let server = if self.demo && !self.end().role.is_server() {
            self.ends.first().and_then(|e| e.listening.clone())
        } else {
            None
        };
        let command = cmd.command(self.end(), server)?;
        if let Command::Call { call, .. } | Command::CallWith { call, .. } = &command
            && step::may_block(call)
        {
            self.end_mut().waiting_calls.push(call.name());
        }
        Ok(vec![Effect::Command { end: self.active, command }])
    }

    /// F8: the call the timeline suggests, as if typed; what it waits for,
    /// or whose move it is, as a line in the history.
    pub(super) fn next_call(&mut self) -> Vec<Effect> {
        if !self.end().step {
            self.error("F8 makes the next call in step mode: F7 turns step mode on");
            return Vec::new();
        }
        if let Some(why) = self.blocked() {
            self.error(why);
            return Vec::new();
        }
        let next = self.suggestion();
        let cmd = next.call.as_deref().and_then(|l| step::parse(l.trim_start_matches('/')));
        let effects = match cmd {
            Some(Ok(cmd)) => match self.step(&cmd) {
                Ok(effects) => effects,
                Err(why) => {
                    self.error(why.to_string());
                    return Vec::new();
                }
            },
            _ => Vec::new(),
        };
        if let Some(note) = next.note {
            self.info(note);
        }
        effects
    }

    /// Ctrl-C: interrupts the focused end's blocking call, else quits. One
    /// press is one `KeyboardInterrupt`: more presses while it is on its
    /// way do nothing (the result shows it, once), and a press within
    /// [`REFLEX`] after it came back says so instead of quitting.
    pub(super) fn interrupt(&mut self) -> Vec<Effect> {
        if self.end().blocked_in().is_none() {
            let now = self.now();
            let just = self.end().interrupted_at.is_some_and(|at| now.saturating_sub(at) < REFLEX);
            if just {
                self.end_mut().interrupted_at = None;
                self.info(
                    "Ctrl-C: that call was interrupted already; Ctrl-C again (or Ctrl-Q) quits",
                );
                return Vec::new();
            }
            self.quit = true;
            return vec![Effect::Quit];
        }
        if std::mem::replace(&mut self.end_mut().interrupting, true) {
            return Vec::new();
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
        match step::complete(self.input.value()) {
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
