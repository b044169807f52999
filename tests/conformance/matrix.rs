//! The call × state matrix: every call a student can make, in every state a
//! student can reach, for TCP and UDP, with a timeout and in blocking mode.
//! A cell is a state's prefix script plus the one call under test. With a
//! timeout the prefix has `settimeout(0.3)`, so a call that would block
//! forever ends as `TimeoutError` on both sides (`CPython` then polls before
//! each call); in blocking mode (Python's default) the call gets `^C`, so
//! one that would block forever ends as `KeyboardInterrupt`.

use std::collections::HashMap;
use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::render::short;
use super::report::{first_difference, line};
use super::script::Script;

/// The calls under test, with the arguments each cell passes.
pub const CALLS: &[(&str, &str)] = &[
    ("bind", "s.bind ZERO"),
    ("listen", "s.listen 5"),
    ("setblocking", "s.setblocking False"),
    ("accept", "c, a = s.accept"),
    ("connect", "s.connect PEER"),
    ("connect_ex", "s.connect_ex PEER"),
    ("close", "s.close"),
    ("recv", "s.recv 1024"),
    ("recvfrom", "s.recvfrom 1024"),
    ("send", "s.send hello"),
    ("sendall", "s.sendall hello"),
    ("sendto", "s.sendto PEER hello"),
    ("settimeout", "s.settimeout 1.0"),
    ("getpeername", "s.getpeername"),
    ("getsockname", "s.getsockname"),
    ("fileno", "s.fileno"),
    ("shutdown", "s.shutdown rdwr"),
];

/// The states, in column order.
pub const STATES: &[&str] = &[
    "fresh",
    "bound",
    "listening",
    "refused",
    "connected",
    "peer_closed",
    "shut_wr",
    "after_error",
    "closed",
];

/// The tables: (label, kind, blocking mode).
pub const KINDS: &[(&str, &str, bool)] = &[
    ("tcp", "tcp", false),
    ("udp", "udp", false),
    ("tcp-blocking", "tcp", true),
    ("udp-blocking", "udp", true),
];

/// How a student reaches `state` with a socket `s` of `kind` (after the
/// common start: a peer, `s = socket KIND`, and `s.settimeout 0.3` unless
/// in blocking mode). No prefix line blocks. A state a
/// kind cannot reach is the state after the failed call (UDP `listen`).
pub fn prefix(kind: &str, state: &str) -> &'static str {
    match (kind, state) {
        (_, "fresh") => "",
        (_, "bound") => "s.bind ZERO",
        (_, "listening") => "s.bind ZERO\ns.listen 5",
        ("tcp", "refused") => "s.connect REFUSED",
        ("tcp", "connected") => "s.connect PEER\npeer.accept",
        ("tcp", "peer_closed") => "s.connect PEER\npeer.accept\npeer.close",
        ("tcp", "shut_wr") => "s.connect PEER\npeer.accept\ns.shutdown wr",
        ("tcp", "after_error") => "s.connect PEER\npeer.accept\npeer.reset\ns.recv 1024",
        ("tcp", "closed") => "s.connect PEER\npeer.accept\ns.close",
        // UDP "refused": connected to a closed port, one datagram out, the
        // ICMP error pending; "after_error": that error raised by recv.
        ("udp", "refused") => "s.connect REFUSED\ns.send hello",
        ("udp", "connected") => "s.connect PEER",
        ("udp", "peer_closed") => "s.connect PEER\npeer.close",
        ("udp", "shut_wr") => "s.connect PEER\ns.shutdown wr",
        ("udp", "after_error") => "s.connect REFUSED\ns.send hello\ns.recv 1024",
        ("udp", "closed") => "s.connect PEER\ns.close",
        _ => panic!("no prefix for {kind}/{state}"),
    }
}

/// One cell: its coordinates and script (named `kind/state/call`).
pub struct Cell {
    /// The table's label: `tcp`, `udp`, `tcp-blocking`, `udp-blocking`.
    pub kind: &'static str,
    /// A member of [`STATES`].
    pub state: &'static str,
    /// A name from [`CALLS`].
    pub call: &'static str,
    /// Prefix plus the call under test.
    pub script: Script,
}

/// Every cell: tables × states × calls.
pub fn cells() -> Vec<Cell> {
    let mut cells = Vec::new();
    for &(label, kind, blocking) in KINDS {
        let peer = if kind == "tcp" { "peer.listen" } else { "peer.udp" };
        let (timeout, ctrl_c) = if blocking { ("", " ^C") } else { ("s.settimeout 0.3", "") };
        for &state in STATES {
            for &(call, line) in CALLS {
                let text = format!(
                    "{peer}\ns = socket {kind}\n{timeout}\n{}\n{line}{ctrl_c}",
                    prefix(kind, state)
                );
                let script = Script::parse(&format!("{label}/{state}/{call}"), &text);
                cells.push(Cell { kind: label, state, call, script });
            }
        }
    }
    cells
}

/// A cell's mark: `✓` when both transcripts agree; else the short forms of
/// the first differing line, `*`-prefixed when that line is in the prefix.
fn mark(cell: &Cell, cpython: &[String], sockpit: &[String]) -> Option<String> {
    let i = first_difference(cpython, sockpit)?;
    let star = if i + 1 < cell.script.steps.len() { "*" } else { "" };
    Some(format!("{star}{} | {}", short(line(cpython, i)), short(line(sockpit, i))))
}

/// The matrix as text (rows = calls, columns = states, one table per
/// kind), then one line per differing cell with both full answers; and
/// the number of differing cells.
pub fn table(
    cells: &[Cell],
    cpython: &HashMap<String, Vec<String>>,
    sockpit: &HashMap<String, Vec<String>>,
) -> (String, usize) {
    let none = Vec::new();
    let get =
        |map: &HashMap<String, Vec<String>>, name: &str| map.get(name).unwrap_or(&none).clone();
    let mut marks = HashMap::new();
    let mut details = String::new();
    for cell in cells {
        let (cp, sp) = (get(cpython, &cell.script.name), get(sockpit, &cell.script.name));
        let Some(m) = mark(cell, &cp, &sp) else { continue };
        marks.insert((cell.kind, cell.state, cell.call), m);
        let i = first_difference(&cp, &sp).unwrap_or(0);
        let step = cell.script.steps.get(i).map_or("", |s| s.text.as_str());
        let _ = writeln!(
            details,
            "  {:<36} line {} `{step}`: cpython {:?} | sockpit {:?}",
            cell.script.name,
            i + 1,
            line(&cp, i),
            line(&sp, i)
        );
    }
    let mut out = String::new();
    for &(kind, _, _) in KINDS {
        let mut rows = vec![
            std::iter::once(format!("{kind} call"))
                .chain(STATES.iter().map(std::string::ToString::to_string))
                .collect::<Vec<_>>(),
        ];
        for &(call, _) in CALLS {
            let mut row = vec![call.to_string()];
            for &state in STATES {
                row.push(marks.get(&(kind, state, call)).cloned().unwrap_or_else(|| "✓".into()));
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].width()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(text, &w)| format!("{text}{}", " ".repeat(w.saturating_sub(text.width()))))
                .collect();
            let _ = writeln!(out, "{}", cells.join(" ║ ").trim_end());
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "cells: {}, differing: {} (`cpython | sockpit`; `*`: the difference is in the state's prefix)",
        cells.len(),
        marks.len()
    );
    out.push_str(&details);
    (out, marks.len())
}
