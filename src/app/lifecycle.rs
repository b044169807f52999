//! The lifecycle timeline of one end: every Python-level call in order, as
//! its record (the pane draws it as the line a student would write with
//! Python's result), and between them the kernel's own state changes,
//! marked as its doing. Only data is kept here: `ui::lifecycle` puts the
//! entries into words when it draws them, so a flood of calls costs no
//! formatting for lines nobody sees. One entry can be selected; the pane
//! then explains it (`lesson::explain`).
//! The latest list of fd-less sockets is kept too: it shows who waits in
//! the accept queue until `accept()` takes them.

use std::collections::VecDeque;

use crate::net::{CallRecord, DiagSocket, Micros, Returned, SockId, TcpState, Transition, Whose};

/// Entries kept per end; older ones scroll away (the JSON log keeps them all).
pub const MAX_LINES: usize = 10_000;

/// Received bytes the kept calls may hold (each `recv`'s record keeps its
/// data for the explanation): with the auto driver reading up to 64 KiB a
/// call, 10,000 lines of a flood would hold 640 MiB; older lines scroll
/// away first.
pub const MAX_DATA_BYTES: usize = 4 << 20;

/// What a timeline entry stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// A call of this program and its result.
    Call(Box<CallRecord>),
    /// A state change the kernel made by itself.
    Kernel(Transition),
}

/// A remark sockpit adds after an entry, once, to say what the user did
/// not type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// Outside step mode this `recv(65536)` is the auto driver's, reading
    /// whatever is waiting (`net::READ_WAITING`).
    ReadsWaiting,
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeLine {
    pub at: Micros,
    pub sock: SockId,
    pub what: What,
    /// Said after the entry, if anything.
    pub note: Option<Note>,
}

impl LifeLine {
    /// Whether the kernel did this rather than a call.
    #[must_use]
    pub fn is_kernel(&self) -> bool {
        matches!(self.what, What::Kernel(_))
    }

    /// Whether the call raised (drawn as an error).
    #[must_use]
    pub fn failed(&self) -> bool {
        matches!(&self.what, What::Call(rec) if rec.result.is_err())
    }

    /// The received bytes its record holds.
    fn data_len(&self) -> usize {
        match &self.what {
            What::Call(rec) => match &rec.result {
                Ok(Returned::Data { data, .. }) => data.len(),
                _ => 0,
            },
            What::Kernel(_) => 0,
        }
    }
}

/// The timeline of one end, newest last.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub lines: VecDeque<LifeLine>,
    /// Number of the first line kept (lines dropped off the front so far).
    pub first: u64,
    /// Rows scrolled up from the newest line (0 follows new entries).
    pub scroll: usize,
    /// The selected entry, by number; its explanation is shown.
    pub selected: Option<u64>,
    /// The session's fd-less sockets as the kernel last listed them.
    pub kernel: Vec<DiagSocket>,
    /// How many of `lines` are calls, kept as lines come and go so the
    /// pane's title does not count 10,000 lines each frame.
    calls: usize,
    /// Received bytes the kept lines hold (see [`MAX_DATA_BYTES`]).
    data: usize,
}

/// The kernel's queues of a listener, for the pane's waiting line.
#[derive(Debug, Default)]
pub struct Waiting<'a> {
    /// Established, waiting for `accept()`.
    pub accept: Vec<&'a DiagSocket>,
    /// Handshakes under way (`SYN_RECV`): not accepted by the kernel yet.
    pub syn: Vec<&'a DiagSocket>,
    /// Clients whose SYN got no answer yet (the accept queue is full).
    pub syn_sent: Vec<&'a DiagSocket>,
}

impl Lifecycle {
    fn push_line(&mut self, line: LifeLine) {
        self.calls += usize::from(!line.is_kernel());
        self.data += line.data_len();
        self.lines.push_back(line);
        while self.lines.len() > MAX_LINES || (self.data > MAX_DATA_BYTES && self.lines.len() > 1) {
            let Some(old) = self.lines.pop_front() else { break };
            self.calls -= usize::from(!old.is_kernel());
            self.data -= old.data_len();
            self.first += 1;
        }
        if self.scroll > 0 || self.selected.is_some() {
            // Keep the same lines in view while the user reads back or
            // looks at a selected call (the pane counts what is newer).
            self.scroll = (self.scroll + 1).min(self.lines.len().saturating_sub(1));
        }
    }

    /// Records one call.
    pub fn push(&mut self, at: Micros, rec: &CallRecord) {
        self.push_line(LifeLine {
            at,
            sock: rec.sock,
            what: What::Call(Box::new(rec.clone())),
            note: None,
        });
    }

    /// Adds `note` to the newest entry.
    pub fn note_last(&mut self, note: Note) {
        if let Some(line) = self.lines.back_mut() {
            line.note = Some(note);
        }
    }

    /// Records a state change the kernel made by itself.
    pub fn transition(&mut self, at: Micros, t: &Transition) {
        let sock = match t.whose {
            Whose::Ours { sock } | Whose::Remains { sock } => sock,
            Whose::Queued { listener } => listener,
            Whose::PeerEnd { sock } => sock.unwrap_or(0),
        };
        self.push_line(LifeLine { at, sock, what: What::Kernel(t.clone()), note: None });
    }

    /// How many of the lines kept are calls (the rest are the kernel's).
    #[must_use]
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// Number one past the newest line.
    #[must_use]
    pub fn end_seq(&self) -> u64 {
        self.first + self.lines.len() as u64
    }

    /// The line numbered `seq`, if still kept.
    #[must_use]
    pub fn get(&self, seq: u64) -> Option<&LifeLine> {
        let i = usize::try_from(seq.checked_sub(self.first)?).ok()?;
        self.lines.get(i)
    }

    /// The selected line, if any (and still kept).
    #[must_use]
    pub fn selection(&self) -> Option<&LifeLine> {
        self.selected.and_then(|s| self.get(s))
    }

    /// Up: the entry above the selection (the newest when none).
    pub fn select_prev(&mut self) {
        let end = self.end_seq();
        if end == self.first {
            return;
        }
        self.selected = Some(match self.selected {
            Some(s) if s > self.first => (s - 1).min(end - 1),
            Some(_) => self.first,
            None => end - 1,
        });
    }

    /// Down: the entry below the selection.
    pub fn select_next(&mut self) {
        let end = self.end_seq();
        if let Some(s) = self.selected {
            self.selected = Some((s + 1).min(end.saturating_sub(1)).max(self.first));
        }
    }

    pub fn unselect(&mut self) {
        self.selected = None;
    }

    pub fn scroll_up(&mut self, n: usize) {
        self.scroll = (self.scroll + n).min(self.lines.len().saturating_sub(1));
    }

    pub fn scroll_down(&mut self, n: usize) {
        self.scroll = self.scroll.saturating_sub(n);
    }

    /// Home: the first entry kept, selected.
    pub fn home(&mut self) {
        self.scroll = self.lines.len().saturating_sub(1);
        if !self.lines.is_empty() {
            self.selected = Some(self.first);
        }
    }

    /// End: follow new entries again.
    pub fn end(&mut self) {
        self.scroll = 0;
        self.selected = None;
    }

    /// Starts over (the lesson was reset).
    pub fn clear(&mut self) {
        self.first = self.end_seq();
        self.lines.clear();
        self.calls = 0;
        self.data = 0;
        self.scroll = 0;
        self.selected = None;
        self.kernel.clear();
    }

    /// Who waits, as the kernel last listed them: connections established
    /// in an accept queue, handshakes in a SYN queue (`SYN_RECV`), and
    /// clients still in `SYN_SENT` (the accept queue is full).
    #[must_use]
    pub fn waiting(&self) -> Waiting<'_> {
        let queued = |d: &&DiagSocket| matches!(d.whose, Whose::Queued { .. });
        let handshake =
            |d: &&DiagSocket| matches!(d.state, TcpState::SynRecv | TcpState::NewSynRecv);
        Waiting {
            accept: self.kernel.iter().filter(queued).filter(|d| !handshake(d)).collect(),
            syn: self.kernel.iter().filter(queued).filter(handshake).collect(),
            syn_sent: self
                .kernel
                .iter()
                .filter(|d| {
                    matches!(d.whose, Whose::PeerEnd { .. }) && d.state == TcpState::SynSent
                })
                .collect(),
        }
    }

    /// The backlog of the newest successful `listen()`, if any.
    #[must_use]
    pub fn backlog(&self) -> Option<u32> {
        self.lines.iter().rev().find_map(|l| match &l.what {
            What::Call(rec) => match (&rec.call, &rec.result) {
                (crate::net::Call::Listen(n), Ok(_)) => Some(*n),
                _ => None,
            },
            What::Kernel(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::{Call, Returned};

    #[test]
    fn the_call_count_follows_the_lines_kept() {
        let mut l = Lifecycle::default();
        let rec =
            CallRecord { sock: 1, var: "s", call: Call::Close, result: Ok(Returned::Nothing) };
        let addr = "127.0.0.1:1".parse().expect("addr");
        let t = Transition {
            whose: Whose::Ours { sock: 1 },
            local: addr,
            peer: addr,
            from: None,
            to: Some(TcpState::Established),
        };
        let counted = |l: &Lifecycle| l.lines.iter().filter(|l| !l.is_kernel()).count();
        for i in 0..MAX_LINES + 7 {
            if i % 3 == 0 {
                l.transition(0, &t);
            } else {
                l.push(0, &rec);
            }
            assert_eq!(l.calls(), counted(&l));
        }
        assert_eq!(l.lines.len(), MAX_LINES);
        l.clear();
        assert_eq!(l.calls(), 0);
    }
}
