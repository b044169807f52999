//! Every `/command` the input knows, in one table: Tab completes from it,
//! F1 lists it grouped with each command's syntax, and the unknown-command
//! message names it. Step mode's calls come from `step::COMMANDS`, the
//! list their parser reads, so a new call shows up everywhere at once.

use crate::app::step;

/// What a group of commands is for, as F1 heads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Talking: closing, half-closing, sending to everyone.
    Chat,
    /// Sending exact bytes.
    Bytes,
    /// Step mode: one Python socket call each.
    Step,
}

impl Group {
    /// F1's heading for the group.
    #[must_use]
    pub fn heading(self) -> &'static str {
        match self {
            Self::Chat => "Commands: chat",
            Self::Bytes => "Commands: bytes (no EOL added)",
            Self::Step => "Commands: step mode calls (F7; F8 suggests)",
        }
    }
}

/// One command: its name, its arguments' syntax, what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slash {
    pub name: &'static str,
    pub args: &'static str,
    pub group: Group,
    pub help: &'static str,
}

const fn slash(name: &'static str, args: &'static str, group: Group, help: &'static str) -> Slash {
    Slash { name, args, group, help }
}

/// The commands outside step mode, in F1's order.
pub const PLAIN: &[Slash] = &[
    slash("close", "", Group::Chat, "close the connection (a server: the selected one)"),
    slash("shutdown", "", Group::Chat, "shutdown(SHUT_WR): send EOF, keep reading"),
    slash("all", "TEXT", Group::Chat, "TEXT + EOL to every connection / UDP peer"),
    slash("hex", "48 65 6c", Group::Bytes, "exactly these bytes"),
    slash("esc", "GET /\\r\\n", Group::Bytes, "text with \\r \\n \\t \\xNN escapes"),
    slash("file", "PATH", Group::Bytes, "the file's bytes, with a progress bar"),
];

/// Every command: the plain ones, then step mode's calls.
#[must_use]
pub fn all() -> Vec<Slash> {
    let steps = step::COMMANDS
        .iter()
        .filter(|(name, _)| !PLAIN.iter().any(|p| p.name == *name))
        .map(|&(name, args)| slash(name, args, Group::Step, ""));
    PLAIN.iter().copied().chain(steps).collect()
}

/// `/close, /shutdown, ...`: the plain commands, for messages.
#[must_use]
pub fn plain_names() -> String {
    PLAIN.iter().map(|c| format!("/{}", c.name)).collect::<Vec<_>>().join(", ")
}

/// How F1 writes a command: `/sendto [ADDR] TEXT`.
#[must_use]
pub fn syntax(c: &Slash) -> String {
    if c.args.is_empty() { format!("/{}", c.name) } else { format!("/{} {}", c.name, c.args) }
}

/// The commands as a Markdown table, for docs/keys.md.
#[must_use]
pub fn markdown() -> String {
    let mut md = String::from("| command | group | does |\n|---|---|---|\n");
    for c in all() {
        let group = match c.group {
            Group::Chat => "chat",
            Group::Bytes => "bytes",
            Group::Step => "step mode",
        };
        let help = if c.help.is_empty() { "the Python call of that name" } else { c.help };
        let syntax = syntax(&c).replace('|', "\\|");
        md.push_str(&format!("| `{syntax}` | {group} | {} |\n", help.replace('|', "\\|")));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_is_listed_once_and_parses() {
        let all = all();
        for (i, c) in all.iter().enumerate() {
            assert!(!all[i + 1..].iter().any(|d| d.name == c.name), "/{} twice", c.name);
        }
        for name in ["sendto", "hex", "file", "esc", "all", "recv", "close", "shutdown"] {
            assert!(all.iter().any(|c| c.name == name), "/{name} missing");
        }
        // A plain command the input's parser does not know would be a lie.
        for c in PLAIN {
            let line = if c.args.is_empty() { format!("/{}", c.name) } else { syntax(c) };
            let parsed = crate::app::input::parse(&line);
            assert!(
                !matches!(parsed, crate::app::input::Submitted::Unknown(_)),
                "/{} is listed but unknown",
                c.name
            );
        }
    }
}
