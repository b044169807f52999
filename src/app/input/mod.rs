//! The input line: editing through tui-input (the cursor stays right for
//! CJK and emoji), recall of sent lines, and the one grammar of what Enter
//! means: plain text is sent literally, `/command` runs a command, `//` sends
//! a literal `/`.

pub(crate) mod commands;
mod eol;

pub use eol::Eol;

use tui_input::{Input, InputRequest};

/// Lines kept for Up/Down recall.
const RECALL_MAX: usize = 1000;

/// What the user asked for by pressing Enter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Send this text (the EOL is added by the caller).
    Text(String),
    /// `/close`: close the current connection.
    Close,
    /// `/shutdown`: `shutdown(SHUT_WR)`, like Ctrl-D on an empty input.
    Shutdown,
    /// `/hex 48 65` or `/esc GET\r\n`: exactly these bytes (no EOL added).
    Bytes(Vec<u8>),
    /// `/file PATH`: the file's bytes.
    File(String),
    /// `/all TEXT`: the text (plus the EOL) to every live connection, or to
    /// every peer a UDP server has heard from.
    All(String),
    /// A command with a bad argument (`/hex 4g`): the message, nothing sent.
    Invalid(String),
    /// A `/command` that does not exist: an error message, nothing is sent.
    Unknown(String),
}

/// Reads one submitted line.
#[must_use]
pub fn parse(line: &str) -> Submitted {
    if let Some(rest) = line.strip_prefix("//") {
        return Submitted::Text(format!("/{rest}"));
    }
    let Some(cmd) = line.strip_prefix('/') else {
        return Submitted::Text(line.to_string());
    };
    if let Some(bytes) = bytes_command(cmd) {
        return bytes;
    }
    if let Some(text) = cmd.strip_prefix("all ") {
        return Submitted::All(text.to_string());
    }
    match cmd.trim_end() {
        "close" => Submitted::Close,
        "shutdown" => Submitted::Shutdown,
        "all" => Submitted::Invalid("/all needs text: /all TEXT; nothing was sent".into()),
        _ => {
            let name = cmd.split_whitespace().next().unwrap_or("");
            let commands = crate::app::input::commands::plain_names();
            Submitted::Unknown(format!(
                "unknown command /{name}: nothing was sent; commands are {commands} (F1 lists \
                 them); type //{name} to send the text itself"
            ))
        }
    }
}

/// `/hex ARG`, `/esc ARG` and `/file PATH`; `None` for other commands.
fn bytes_command(cmd: &str) -> Option<Submitted> {
    let (name, arg) = cmd.split_once(' ').unwrap_or((cmd, ""));
    let parsed = match name {
        "hex" => crate::payload::parse_hex(arg),
        "esc" => crate::payload::parse_escapes(arg),
        "file" if arg.trim().is_empty() => {
            return Some(Submitted::Invalid("/file needs a path: /file PATH".into()));
        }
        "file" => return Some(Submitted::File(arg.trim().to_string())),
        _ => return None,
    };
    Some(match parsed {
        Ok(bytes) if bytes.is_empty() => {
            Submitted::Invalid(format!("/{name} needs bytes: nothing was sent; e.g. /hex 48 65"))
        }
        Ok(bytes) => Submitted::Bytes(bytes),
        Err(e) => Submitted::Invalid(format!(
            "/{name} {}: {e}; nothing was sent",
            crate::sanitize::visible_str(arg)
        )),
    })
}

/// The input line with its recall list.
#[derive(Debug, Clone, Default)]
pub struct InputLine {
    pub input: Input,
    sent: Vec<String>,
    /// Position in `sent` while recalling; `None` when editing the draft.
    recall: Option<usize>,
    draft: String,
}

impl InputLine {
    #[must_use]
    pub fn value(&self) -> &str {
        self.input.value()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.input.value().is_empty()
    }

    /// Applies one editing request; editing leaves recall mode.
    pub fn edit(&mut self, req: InputRequest) {
        if self.input.handle(req).is_some_and(|c| c.value) {
            self.recall = None;
        }
    }

    /// Inserts text (a paste or a typed character). Characters that would
    /// need a stand-in to be shown (controls, bidi overrides) are left out,
    /// so the line on screen is exactly the line sent and the cursor stays
    /// right; returns how many were left out.
    pub fn insert(&mut self, text: &str) -> usize {
        let mut left_out = 0;
        for c in text.chars() {
            if crate::sanitize::stand_in(c).is_some() {
                left_out += 1;
                continue;
            }
            self.input.handle(InputRequest::InsertChar(c));
        }
        self.recall = None;
        left_out
    }

    /// Takes the line for sending and remembers it for recall.
    pub fn take(&mut self) -> String {
        let line = self.input.value_and_reset();
        if !line.is_empty() && self.sent.last() != Some(&line) {
            if self.sent.len() == RECALL_MAX {
                self.sent.remove(0);
            }
            self.sent.push(line.clone());
        }
        self.recall = None;
        self.draft.clear();
        line
    }

    /// Up: the previous sent line (the draft is kept for Down).
    pub fn recall_prev(&mut self) {
        let i = match self.recall {
            None if self.sent.is_empty() => return,
            None => {
                self.draft = self.input.value().to_string();
                self.sent.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.recall = Some(i);
        self.input = Input::new(self.sent[i].clone());
    }

    /// Down: the next sent line, then back to the draft.
    pub fn recall_next(&mut self) {
        let Some(i) = self.recall else { return };
        if i + 1 < self.sent.len() {
            self.recall = Some(i + 1);
            self.input = Input::new(self.sent[i + 1].clone());
        } else {
            self.recall = None;
            self.input = Input::new(std::mem::take(&mut self.draft));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar() {
        assert_eq!(parse("hello"), Submitted::Text("hello".into()));
        assert_eq!(parse(""), Submitted::Text(String::new()));
        assert_eq!(parse("//etc"), Submitted::Text("/etc".into()));
        assert_eq!(parse("/close"), Submitted::Close);
        assert_eq!(parse("/shutdown"), Submitted::Shutdown);
        let Submitted::Unknown(msg) = parse("/frob x") else { panic!("not unknown") };
        assert!(msg.contains("/frob") && msg.contains("//frob"), "{msg}");
        assert_eq!(parse(" /close"), Submitted::Text(" /close".into()));
        assert_eq!(parse("/all hi there "), Submitted::All("hi there ".into()));
        assert!(matches!(parse("/all"), Submitted::Invalid(m) if m.contains("/all TEXT")));
        assert!(matches!(parse("/allx"), Submitted::Unknown(_)));
    }

    #[test]
    fn byte_commands() {
        assert_eq!(parse("/hex 48 65 6c 6c 6f"), Submitted::Bytes(b"Hello".to_vec()));
        assert_eq!(parse("/hex 4865"), Submitted::Bytes(b"He".to_vec()));
        assert_eq!(
            parse("/esc GET / HTTP/1.0\\r\\n"),
            Submitted::Bytes(b"GET / HTTP/1.0\r\n".to_vec())
        );
        assert_eq!(parse("/file  a b.bin "), Submitted::File("a b.bin".into()));
        let Submitted::Invalid(msg) = parse("/hex 4g") else { panic!("not invalid") };
        assert_eq!(
            msg,
            "/hex 4g: \"g\" at column 2 is not a hex digit; write pairs like 48 65 6c; nothing was sent"
        );
        let Submitted::Invalid(msg) = parse("/esc a\\q\x1b") else { panic!("not invalid") };
        assert!(msg.starts_with("/esc a\\q␛: ") && !msg.contains('\x1b'), "{msg}");
        assert!(matches!(parse("/hex"), Submitted::Invalid(m) if m.contains("needs bytes")));
        assert!(matches!(parse("/file"), Submitted::Invalid(m) if m.contains("needs a path")));
    }

    #[test]
    fn recall_walks_sent_lines_and_returns_to_the_draft() {
        let mut l = InputLine::default();
        for text in ["one", "two"] {
            l.insert(text);
            l.take();
        }
        l.insert("dra");
        l.recall_prev();
        assert_eq!(l.value(), "two");
        l.recall_prev();
        l.recall_prev();
        assert_eq!(l.value(), "one");
        l.recall_next();
        assert_eq!(l.value(), "two");
        l.recall_next();
        assert_eq!(l.value(), "dra");
        l.recall_next();
        assert_eq!(l.value(), "dra");
    }

    #[test]
    fn control_characters_stay_out() {
        let mut l = InputLine::default();
        assert_eq!(l.insert("a\x1b[2J\tb\u{202e}"), 3);
        assert_eq!(l.value(), "a[2Jb");
    }

    #[test]
    fn cursor_is_in_display_columns() {
        let mut l = InputLine::default();
        l.insert("a你😀");
        assert_eq!(l.input.visual_cursor(), 5);
        l.edit(InputRequest::GoToPrevChar);
        assert_eq!(l.input.visual_cursor(), 3);
    }
}
