//! Sending bytes that are not a typed line: `/file PATH` (streamed by the
//! runtime in chunks, never read whole, so the status line can show
//! progress; over UDP as datagrams of at most 1024 bytes) and F5, which
//! sends the selected entry's bytes again.

use bytes::Bytes;

use super::history::EntryKind;
use super::inspector::Inspector;
use super::{App, Effect};
use crate::net::{Command, DataRecord, Dir, Kind, To};

/// Largest datagram `/file` sends over UDP (the tutorial's recv size, so the
/// tutorial's servers receive each datagram whole).
pub const UDP_CHUNK: usize = 1024;

/// Bytes per send command of a TCP file: small enough for the progress bar
/// to move, large enough to cost nothing.
pub const TCP_CHUNK: usize = 64 * 1024;

/// A file on its way out, for the status line's progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub end: usize,
    /// The path as typed, made safe to show.
    pub name: String,
    pub total: u64,
    /// Bytes of data events sent since the file was queued.
    pub sent: u64,
}

impl Upload {
    /// Done, in percent.
    #[must_use]
    pub fn percent(&self) -> u64 {
        (self.sent * 100).checked_div(self.total).unwrap_or(100).min(100)
    }
}

/// What the runtime streaming a `/file` tells the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileNews {
    /// The file is open: `total` bytes will follow as send commands.
    Opened { path: String, total: u64 },
    /// It could not be opened or read (worded in the error grammar);
    /// `read` bytes of it had been handed to the session.
    Failed { message: String, read: u64 },
    /// It ended after `read` bytes (fewer than announced when it shrank).
    Finished { read: u64 },
}

impl App {
    /// `/file PATH`: asks the runtime to stream the file to where the input
    /// goes (the app touches no file); [`App::file_news`] hears how it goes.
    pub(super) fn send_file(&mut self, path: String) -> Vec<Effect> {
        if let Some(hint) = self.cannot_send() {
            self.refuse(hint);
            return Vec::new();
        }
        if let Some(up) = &self.upload {
            let hint = format!("{} is still being sent: wait for it, then /file again", up.name);
            self.refuse(&hint);
            return Vec::new();
        }
        let to = match self.end().aim(To::Current) {
            Ok(to) => to,
            Err(hint) => {
                self.refuse(hint.to_string());
                return Vec::new();
            }
        };
        self.input.take();
        let chunk = if self.end().kind == Kind::Dgram { UDP_CHUNK } else { TCP_CHUNK };
        vec![Effect::SendFile { end: self.active, path, to, chunk }]
    }

    /// How end `end`'s `/file` goes: the progress bar starts when it opens;
    /// an error or a short file says so in the history.
    pub fn file_news(&mut self, end: usize, news: FileNews) {
        let at = self.now();
        let Some(state) = self.ends.get_mut(end) else { return };
        match news {
            FileNews::Opened { path, total } => {
                let name = crate::sanitize::visible_str(&path);
                if total == 0 {
                    state.note(
                        at,
                        EntryKind::Error,
                        0,
                        format!("{name} is empty: nothing was sent"),
                    );
                    return;
                }
                state.pending += total;
                let datagrams = if state.kind == Kind::Dgram {
                    let count = total.div_ceil(UDP_CHUNK as u64);
                    format!(" as {count} datagram(s) of at most {UDP_CHUNK} B")
                } else {
                    String::new()
                };
                state.note(at, EntryKind::Info, 0, format!("sending {name}: {total} B{datagrams}"));
                self.upload = Some(Upload { end, name, total, sent: 0 });
            }
            FileNews::Failed { message, read } => {
                state.note(at, EntryKind::Error, 0, crate::sanitize::visible_str(&message));
                self.file_ended(end, read);
            }
            FileNews::Finished { read } => self.file_ended(end, read),
        }
    }

    /// The file's bytes stopped at `read`: the progress ends there.
    fn file_ended(&mut self, end: usize, read: u64) {
        if let Some(up) = &mut self.upload
            && up.end == end
            && read < up.total
        {
            if let Some(state) = self.ends.get_mut(end) {
                state.pending = state.pending.saturating_sub(up.total - read);
            }
            up.total = read;
            if up.sent >= up.total {
                self.upload = None;
            }
        }
    }

    /// Counts a data event towards the file being sent, if any.
    pub(super) fn track_upload(&mut self, end: usize, d: &DataRecord) {
        if let Some(up) = &mut self.upload
            && up.end == end
            && d.dir == Dir::Sent
        {
            up.sent += d.data.len() as u64;
            if up.sent >= up.total {
                self.upload = None;
            }
        }
    }

    /// F5: sends the selected entry's bytes again: a sent entry exactly as
    /// its send call carried them, a received line as its text.
    pub(super) fn resend(&mut self) -> Vec<Effect> {
        let end = self.end();
        let Some(seq) = end.history.selected else {
            self.refuse("F5 resends the selected entry: select one in the history first (Up)");
            return Vec::new();
        };
        let Some(entry) = end.history.get(seq) else { return Vec::new() };
        let data = match entry.kind {
            EntryKind::Sent => {
                let calls = Inspector::open(self.active, seq, entry, &end.packets).bytes();
                if calls.is_empty() { entry.text.clone() } else { calls }
            }
            EntryKind::Received => entry.text.clone(),
            EntryKind::Info | EntryKind::Error => {
                self.refuse("nothing to resend: that entry is sockpit's own note");
                return Vec::new();
            }
        };
        if data.is_empty() && end.kind.is_connected() {
            self.refuse("nothing to resend: that entry has no bytes");
            return Vec::new();
        }
        if let Some(hint) = self.cannot_send() {
            self.refuse(hint);
            return Vec::new();
        }
        let command = Command::Send { to: To::Current, data: Bytes::from(data) };
        match self.aimed(command) {
            Ok(command) => {
                self.end_mut().pending += entry_len(&command);
                vec![Effect::Command { end: self.active, command }]
            }
            Err(hint) => {
                self.refuse(hint.to_string());
                Vec::new()
            }
        }
    }
}

/// The bytes a send command carries (0 for other commands).
fn entry_len(command: &Command) -> u64 {
    match command {
        Command::Send { data, .. } => data.len() as u64,
        _ => 0,
    }
}
