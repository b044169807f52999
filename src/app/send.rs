//! Sending bytes that are not a typed line: `/file PATH` (read by the
//! runtime, then sent in chunks so the status line can show progress; over
//! UDP as datagrams of at most 1024 bytes) and F5, which sends the selected
//! entry's bytes again.

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

impl App {
    /// `/file PATH`: asks the runtime to read the file (the app touches no
    /// file); [`App::file_loaded`] gets the result.
    pub(super) fn send_file(&mut self, path: String) -> Vec<Effect> {
        if let Some(hint) = self.cannot_send() {
            self.refuse(hint);
            return Vec::new();
        }
        self.input.take();
        vec![Effect::ReadFile { end: self.active, path }]
    }

    /// The runtime read `/file`'s path for end `end`: sends its bytes, or
    /// shows why not (the error is already worded in the error grammar).
    pub fn file_loaded(
        &mut self,
        end: usize,
        path: &str,
        read: Result<Vec<u8>, String>,
    ) -> Vec<Effect> {
        let at = self.now();
        let Some(state) = self.ends.get_mut(end) else { return Vec::new() };
        let data = match read {
            Ok(data) if data.is_empty() => {
                let text =
                    format!("{} is empty: nothing was sent", crate::sanitize::visible_str(path));
                state.note(at, EntryKind::Error, 0, text);
                return Vec::new();
            }
            Ok(data) => data,
            Err(message) => {
                state.note(at, EntryKind::Error, 0, crate::sanitize::visible_str(&message));
                return Vec::new();
            }
        };
        let to = match state.aim(To::Current) {
            Ok(to) => to,
            Err(hint) => {
                state.note(at, EntryKind::Error, 0, hint);
                return Vec::new();
            }
        };
        let chunk = if state.kind == Kind::Dgram { UDP_CHUNK } else { TCP_CHUNK };
        let total = data.len() as u64;
        state.pending += total;
        let name = crate::sanitize::visible_str(path);
        let datagrams = if state.kind == Kind::Dgram {
            format!(" as {} datagram(s) of at most {UDP_CHUNK} B", data.len().div_ceil(UDP_CHUNK))
        } else {
            String::new()
        };
        state.note(at, EntryKind::Info, 0, format!("sending {name}: {total} B{datagrams}"));
        self.upload = Some(Upload { end, name, total, sent: 0 });
        let data = Bytes::from(data);
        (0..data.len())
            .step_by(chunk)
            .map(|i| Effect::Command {
                end,
                command: Command::Send {
                    to: to.clone(),
                    data: data.slice(i..(i + chunk).min(data.len())),
                },
            })
            .collect()
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
                self.refuse(hint);
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
