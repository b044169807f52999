//! Line-for-line comparison of two transcripts and the side-by-side table
//! printed for the named scripts.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use super::render::is_stall;
use super::script::Script;

/// What a transcript shows for a step it never reached.
pub const NOT_RUN: &str = "(not run)";

/// The line `i` of a transcript, or [`NOT_RUN`].
pub fn line(lines: &[String], i: usize) -> &str {
    lines.get(i).map_or(NOT_RUN, String::as_str)
}

/// The index of the first line that differs (a stall on either side always
/// counts as a difference: it means nobody answered), or `None`.
pub fn first_difference(cpython: &[String], sockpit: &[String]) -> Option<usize> {
    (0..cpython.len().max(sockpit.len())).find(|&i| {
        let (a, b) = (line(cpython, i), line(sockpit, i));
        a != b || is_stall(a) || is_stall(b)
    })
}

/// `text` padded with spaces to `width` terminal columns.
fn pad(text: &str, width: usize) -> String {
    let mut out = text.to_string();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(text.width())));
    out
}

/// One script side by side: step, `CPython`'s line, sockpit's line; the first
/// differing line is marked `>>`.
pub fn side_by_side(script: &Script, cpython: &[String], sockpit: &[String]) -> String {
    let first = first_difference(cpython, sockpit);
    let rows = cpython.len().max(sockpit.len()).max(script.steps.len());
    let step = |i: usize| script.steps.get(i).map_or("", |s| s.text.as_str());
    let width = |f: &dyn Fn(usize) -> String| (0..rows).map(|i| f(i).width()).max().unwrap_or(0);
    let w_step = width(&|i| step(i).to_string()).max(6);
    let w_cp = width(&|i| line(cpython, i).to_string()).max(7);
    let verdict = match first {
        Some(i) => format!("DIFFERS at line {}", i + 1),
        None => "same".to_string(),
    };
    let mut out = format!("== {}  ({verdict})\n", script.name);
    let _ =
        writeln!(out, "     # | {} | {} | sockpit", pad("script", w_step), pad("cpython", w_cp));
    for i in 0..rows {
        let mark = if Some(i) == first { ">>" } else { "  " };
        let _ = writeln!(
            out,
            "{mark} {:>3} | {} | {} | {}",
            i + 1,
            pad(step(i), w_step),
            pad(line(cpython, i), w_cp),
            line(sockpit, i)
        );
    }
    out
}
