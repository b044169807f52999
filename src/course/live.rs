//! One chapter being done: which steps have ticked, how many hints are
//! shown, and the latest kernel figures each end reported (a state reached
//! before its step came up still counts once it is the current step).

use super::Chapter;
use super::check::Check;
use crate::net::{Event, EventKind, SockId};

/// Transitions remembered for steps that come up later.
const TRANSITIONS: usize = 64;

/// A remembered state event and the end that reported it.
#[derive(Debug, Clone)]
struct Seen {
    end: usize,
    server: bool,
    sock: Option<SockId>,
    event: Event,
}

/// The live state of one chapter.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub chapter: &'static Chapter,
    /// 1-based, as `sockpit learn N` names it.
    pub number: usize,
    /// Steps ticked, in order: the current step is `steps[done]`.
    pub done: usize,
    /// Hints of the current step shown so far.
    pub hints: usize,
    /// Steps ticked in the best run before this one (from the progress file).
    pub best: usize,
    /// A word about the progress file (corrupt, unwritable), shown once.
    pub note: Option<String>,
    checks: Vec<Check>,
    seen: Vec<Seen>,
    /// A step ticked since the progress was last saved.
    unsaved: bool,
}

impl Lesson {
    /// Chapter `number` from its start.
    ///
    /// # Panics
    /// Never for a chapter that passed the validator test
    /// (`chapters::tests::every_check_names_real_things`).
    #[must_use]
    pub fn new(number: usize, chapter: &'static Chapter) -> Self {
        let checks = chapter
            .steps
            .iter()
            .map(|s| Check::parse(s.check).unwrap_or_else(|e| panic!("{}: {e}", s.check)))
            .collect();
        Self {
            chapter,
            number,
            done: 0,
            hints: 0,
            best: 0,
            note: None,
            checks,
            seen: Vec::new(),
            unsaved: false,
        }
    }

    /// Whether every step has ticked.
    #[must_use]
    pub fn finished(&self) -> bool {
        self.done >= self.chapter.steps.len()
    }

    /// The hint key: one more hint of the current step (they stop at the last).
    pub fn hint(&mut self) {
        let Some(step) = self.chapter.steps.get(self.done) else { return };
        self.hints = (self.hints + 1).min(step.hints.len());
    }

    /// Alt-R: the chapter from its first step, over fresh sockets.
    pub fn reset(&mut self) {
        self.done = 0;
        self.hints = 0;
        self.seen.clear();
    }

    /// Whether a step ticked since the last call (the progress to save).
    pub fn take_unsaved(&mut self) -> bool {
        std::mem::take(&mut self.unsaved)
    }

    /// One engine event of end `end` (a server end or not); whether a step
    /// ticked.
    pub fn observe(&mut self, end: usize, server: bool, ev: &Event) -> bool {
        self.remember(end, server, ev);
        let mut ticked = false;
        if let Some(check) = self.checks.get(self.done)
            && check.by_event(server, ev)
        {
            self.tick();
            ticked = true;
        }
        self.catch_up() || ticked
    }

    /// One captured segment of an end; whether a step ticked.
    pub fn segment(&mut self, server: bool, seg: &crate::wire::Segment) -> bool {
        let fits = self.checks.get(self.done).is_some_and(|c| c.by_segment(server, seg));
        if fits {
            self.tick();
        }
        self.catch_up() || fits
    }

    fn tick(&mut self) {
        self.done += 1;
        self.hints = 0;
        self.best = self.best.max(self.done);
        self.unsaved = true;
    }

    /// Ticks the steps the remembered figures already show done.
    fn catch_up(&mut self) -> bool {
        let mut any = false;
        while let Some(check) = self.checks.get(self.done) {
            if !self.seen.iter().any(|s| check.by_state(s.server, &s.event)) {
                break;
            }
            self.tick();
            any = true;
        }
        any
    }

    /// Keeps the latest sample of each socket, the latest kernel listing of
    /// each end and the recent transitions.
    fn remember(&mut self, end: usize, server: bool, ev: &Event) {
        let sock = match &ev.kind {
            EventKind::Sample { sock, .. } => Some(*sock),
            EventKind::Kernel { .. } => None,
            EventKind::Transition(_) => {
                if self.seen.len() >= TRANSITIONS + 16 {
                    let first = self
                        .seen
                        .iter()
                        .position(|s| matches!(s.event.kind, EventKind::Transition(_)));
                    if let Some(i) = first {
                        self.seen.remove(i);
                    }
                }
                self.seen.push(Seen { end, server, sock: None, event: ev.clone() });
                return;
            }
            _ => return,
        };
        let same = |s: &Seen| {
            s.end == end
                && s.sock == sock
                && std::mem::discriminant(&s.event.kind) == std::mem::discriminant(&ev.kind)
        };
        match self.seen.iter_mut().find(|s| same(s)) {
            Some(slot) => slot.event = ev.clone(),
            None => self.seen.push(Seen { end, server, sock, event: ev.clone() }),
        }
    }
}
