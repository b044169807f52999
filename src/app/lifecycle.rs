//! The Lifecycle pane's lines: every socket call of one end as the Python a
//! student would write, with its result (`python::line`). The teaching issue
//! turns this into the full timeline; here it is a capped, scrollable log.

use std::collections::VecDeque;

use crate::net::{CallRecord, Micros, SockId};

/// Calls kept per end; older ones scroll away (the JSON log keeps them all).
pub const MAX_LINES: usize = 10_000;

/// One call as Python.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifeLine {
    pub at: Micros,
    pub sock: SockId,
    /// The call raised (drawn as an error).
    pub failed: bool,
    /// `python::line` output; may quote peer bytes, so it is sanitised when
    /// drawn like any peer text.
    pub text: String,
}

/// The calls of one end, newest last.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub lines: VecDeque<LifeLine>,
    /// Rows scrolled up from the newest line (0 follows new calls).
    pub scroll: usize,
}

impl Lifecycle {
    /// Records one call.
    pub fn push(&mut self, at: Micros, rec: &CallRecord) {
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(LifeLine {
            at,
            sock: rec.sock,
            failed: rec.result.is_err(),
            text: crate::python::line(rec),
        });
        if self.scroll > 0 {
            // Keep the same lines in view while the user reads back.
            self.scroll = (self.scroll + 1).min(self.lines.len().saturating_sub(1));
        }
    }

    pub fn scroll_up(&mut self, n: usize) {
        self.scroll = (self.scroll + n).min(self.lines.len().saturating_sub(1));
    }

    pub fn scroll_down(&mut self, n: usize) {
        self.scroll = self.scroll.saturating_sub(n);
    }

    pub fn home(&mut self) {
        self.scroll = self.lines.len().saturating_sub(1);
    }

    pub fn end(&mut self) {
        self.scroll = 0;
    }
}
