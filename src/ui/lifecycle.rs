//! The Lifecycle pane: the timeline of one end. Each call as Python with its
//! result (failed calls in red), the kernel's own state changes dim between
//! them, the selected entry highlighted; below, who waits in the accept
//! queue, and the selected entry's explanation. The timeline keeps records,
//! not text: each entry is put into words here ([`line_text`]), for the
//! rows on screen only.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget};

use super::text::{clip, render_lines, safe_spans, wrap};
use super::theme;
use crate::app::Clock;
use crate::app::end::EndState;
use crate::app::lifecycle::{LifeLine, Lifecycle, Note, What};
use crate::app::wire::Wire;
use crate::lesson::{self, Lang};
use crate::net::{TcpState, Transition, Whose};
use crate::wire::Proto;

/// An entry as the timeline shows it: the call as the line a student would
/// write with Python's result (`python::line`; it may quote peer bytes, so
/// it is sanitised when drawn), or `kernel: ...` for a transition; then
/// its note, if any.
#[must_use]
pub fn line_text(line: &LifeLine) -> String {
    let mut text = match &line.what {
        What::Call(rec) => crate::python::line(rec),
        What::Kernel(t) => transition_line(t),
    };
    if let Some(note) = line.note {
        text.push_str(note_text(note));
    }
    text
}

/// A note as the timeline writes it after its entry.
fn note_text(note: Note) -> &'static str {
    match note {
        Note::ReadsWaiting => "  # recv(65536): the auto driver reads what is waiting",
    }
}

/// How the timeline names a kernel transition:
/// `kernel: 127.0.0.1:50512 → ESTABLISHED (in the accept queue)`.
#[must_use]
pub fn transition_line(t: &Transition) -> String {
    let name = |s: Option<TcpState>| s.map_or("gone", TcpState::name);
    let handshake = matches!(t.to, Some(TcpState::SynRecv | TcpState::NewSynRecv));
    let (who, note) = match t.whose {
        // A handshake under way is in the SYN queue; once established, the
        // connection waits in the accept queue.
        Whose::Queued { .. } if handshake => (t.peer, "in the SYN queue".to_string()),
        Whose::Queued { .. } => (t.peer, "in the accept queue".to_string()),
        Whose::PeerEnd { .. } => (t.local, "the peer's end".to_string()),
        Whose::Remains { sock } => (t.peer, format!("closed sock {sock}, no fd")),
        Whose::Ours { sock } => (t.peer, format!("sock {sock}")),
    };
    let change = match t.from {
        Some(from) => format!("{} → {}", from.name(), name(t.to)),
        None => format!("→ {}", name(t.to)),
    };
    format!("  kernel: {who} {change} ({note})")
}

/// The timeline of one end.
pub struct LifecyclePane<'a> {
    pub end: &'a EndState,
    pub clock: &'a Clock,
    pub focused: bool,
    /// The selected entry's explanation, already put into words.
    pub explanation: Option<Vec<String>>,
}

/// The title; `below` is the lines after the last one shown (the pane
/// stopped following while scrolled back or on a selection).
fn title(end: &EndState, below: (u64, u64)) -> String {
    let l = &end.lifecycle;
    let calls = l.calls();
    let mut title = if calls == 1 {
        "Lifecycle (1 call)".to_string()
    } else {
        format!("Lifecycle ({calls} calls)")
    };
    if end.step {
        title.push_str(" · step");
    }
    if let Some(call) = end.blocked_in() {
        title.push_str(&format!(" · blocked in {call}()"));
    }
    match below {
        (0, 0) => {}
        (0, lines) => title.push_str(&format!(" · {lines} newer kernel lines ↓ (End follows)")),
        (1, _) => title.push_str(" · 1 newer call ↓ (End follows)"),
        (calls, _) => title.push_str(&format!(" · {calls} newer calls ↓ (End follows)")),
    }
    title
}

/// The numbers of the lines shown in `height` rows: newest last while
/// following; scrolled back, or around the selection, otherwise.
fn window(l: &Lifecycle, height: u64) -> (u64, u64) {
    let mut end = l.end_seq().saturating_sub(l.scroll as u64).max(l.first);
    if let Some(sel) = l.selected {
        // Keep the selection in view.
        if sel >= end {
            end = sel + 1;
        } else if sel + height < end {
            end = sel + height;
        }
    }
    let start = end.saturating_sub(height).max(l.first);
    // Rows left empty at the bottom take the next lines.
    (start, end.max((start + height).min(l.end_seq())))
}

/// Calls and lines after line `end` (the newest shown).
fn below(l: &Lifecycle, end: u64) -> (u64, u64) {
    let lines = l.end_seq().saturating_sub(end);
    let calls = (end..l.end_seq()).filter(|s| l.get(*s).is_some_and(|x| !x.is_kernel())).count();
    (calls as u64, lines)
}

/// The selected entry explained in `lang` (`lesson::explain`): what it
/// does, what it returned and why, and what to try.
#[must_use]
pub fn explanation(end: &EndState, lang: Lang) -> Option<Vec<String>> {
    let line = end.lifecycle.selection()?;
    let e = match &line.what {
        What::Call(rec) => lesson::explain(rec, lang),
        What::Kernel(t) => lesson::explain_state(t, lang),
    };
    let mut lines = vec![e.what, e.result];
    lines.extend(e.hint);
    Some(lines)
}

/// `accept queue 2 (backlog 1): 127.0.0.1:40001 ... · SYN queue 1: ...
/// · SYN_SENT: ...`, or nothing when nobody waits.
#[must_use]
pub fn waiting_line(l: &Lifecycle) -> Option<String> {
    let w = l.waiting();
    let (queued, syn_sent) = (w.accept, w.syn_sent);
    if queued.is_empty() && w.syn.is_empty() && syn_sent.is_empty() {
        return None;
    }
    let mut text = format!("accept queue {}", queued.len());
    if let Some(backlog) = l.backlog() {
        text.push_str(&format!(" (backlog {backlog})"));
    }
    if !queued.is_empty() {
        let who: Vec<String> = queued.iter().map(|d| d.peer.to_string()).collect();
        text.push_str(&format!(": {} wait for accept()", who.join(" ")));
    }
    if !w.syn.is_empty() {
        let who: Vec<String> = w.syn.iter().map(|d| d.peer.to_string()).collect();
        text.push_str(&format!(" · SYN queue {}: {}", w.syn.len(), who.join(" ")));
    }
    if !syn_sent.is_empty() {
        let who: Vec<String> = syn_sent.iter().map(|d| d.local.to_string()).collect();
        text.push_str(&format!(" · SYN_SENT (queue full): {}", who.join(" ")));
    }
    Some(text)
}

/// The segments a call caused, as the Wire pane captured them:
/// `  ⇄ SYN · SYN,ACK · ACK`; empty when none.
fn segments(wire: &Wire, seq: u64) -> String {
    // A bulk send causes hundreds: the first few, then how many more.
    const SHOWN: usize = 4;
    if wire.rows.is_empty() {
        return String::new();
    }
    let flags: Vec<String> = wire
        .caused_by(seq)
        .map(|r| match &r.seg.proto {
            Proto::Tcp(t) => t.flags.to_string(),
            Proto::Udp => format!("UDP {}", r.seg.len),
        })
        .collect();
    match flags.len() {
        0 => String::new(),
        n if n <= SHOWN + 1 => format!("  ⇄ {}", flags.join(" · ")),
        n => format!("  ⇄ {} · … {} segments", flags[..SHOWN].join(" · "), n),
    }
}

/// The rows of the timeline from `start` to `end` (numbers), drawn and
/// wrapped (a long Python line or error continues under its text), then cut
/// to `height` rows: the oldest go, unless that would hide the selection.
fn rows(
    pane: &LifecyclePane<'_>,
    range: (u64, u64),
    width: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let l = &pane.end.lifecycle;
    let mut out: Vec<(bool, Line<'static>)> = Vec::new();
    for (seq, line) in (range.0..range.1).filter_map(|seq| l.get(seq).map(|line| (seq, line))) {
        let selected = l.selected == Some(seq);
        for row in wrap(&entry(pane, seq, line), width, 9) {
            out.push((selected, row));
        }
    }
    if out.len() > height {
        let first_selected = out.iter().position(|(s, _)| *s);
        let cut = (out.len() - height).min(first_selected.unwrap_or(usize::MAX));
        out.drain(..cut);
        out.truncate(height);
    }
    out.into_iter().map(|(_, row)| row).collect()
}

/// One timeline line as spans: time, then the text in its style.
fn entry(pane: &LifecyclePane<'_>, seq: u64, line: &LifeLine) -> Vec<Span<'static>> {
    let mut style = if line.failed() {
        theme::error()
    } else if line.is_kernel() {
        theme::dim()
    } else {
        Style::new()
    };
    if pane.end.lifecycle.selected == Some(seq) {
        style = style.add_modifier(Modifier::REVERSED);
    }
    let time = Span::styled(format!("{} ", pane.clock.hms(line.at)), theme::dim());
    let mut spans = vec![time];
    spans.extend(safe_spans(line_text(line).as_bytes(), style));
    // The segments this call caused, as the Wire pane captured them.
    let wire = segments(&pane.end.wire, seq);
    if !wire.is_empty() {
        spans.push(Span::styled(wire, theme::sent()));
    }
    spans
}

impl Widget for LifecyclePane<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let l = &self.end.lifecycle;
        let inner = Block::bordered().inner(area);
        let waiting = waiting_line(&self.end.lifecycle);
        let explain = self.explanation.as_ref().filter(|_| inner.height >= 6);
        let explain_h = if explain.is_some() { (inner.height / 2).min(6) } else { 0 };
        let [body, queue, about] = Layout::vertical([
            Constraint::Fill(1),
            Constraint::Length(u16::from(waiting.is_some() && inner.height >= 3)),
            Constraint::Length(explain_h),
        ])
        .areas(inner);
        let (start, end) = window(l, u64::from(body.height));
        let block = Block::bordered()
            .title(title(self.end, below(l, end)))
            .border_style(theme::border(self.focused));
        block.render(area, buf);
        let (width, height) = (usize::from(body.width), usize::from(body.height));
        render_lines(&rows(&self, (start, end), width, height), body, buf);
        if let Some(text) = waiting {
            let style = theme::waiting();
            Paragraph::new(Line::styled(clip(&text, usize::from(queue.width)), style))
                .render(queue, buf);
        }
        if let Some(lines) = explain {
            // Wrapped here: a wide character never straddles the border.
            let width = usize::from(about.width);
            let text: Vec<Line<'static>> = lines
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    let style = if i == 0 { theme::explain() } else { Style::new() };
                    wrap(&safe_spans(t.as_bytes(), style), width, 0)
                })
                .collect();
            Paragraph::new(text).render(about, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handshake_is_in_the_syn_queue_not_the_accept_queue() {
        let t = |to| Transition {
            whose: Whose::Queued { listener: 1 },
            local: "127.0.0.1:8080".parse().expect("addr"),
            peer: "127.0.0.1:50001".parse().expect("addr"),
            from: None,
            to: Some(to),
        };
        assert!(transition_line(&t(TcpState::NewSynRecv)).ends_with("(in the SYN queue)"));
        assert!(transition_line(&t(TcpState::SynRecv)).ends_with("(in the SYN queue)"));
        assert!(transition_line(&t(TcpState::Established)).ends_with("(in the accept queue)"));
    }

    #[test]
    fn a_call_is_drawn_as_python_with_its_note_after_it() {
        use crate::net::{Call, CallRecord, Returned};
        let data = bytes::Bytes::from_static(b"hello");
        let result = Ok(Returned::Data { data, from: None, truncated: None });
        let rec =
            CallRecord { sock: 1, var: "client", call: Call::Recv { bufsize: 65536 }, result };
        let mut line = LifeLine { at: 0, sock: 1, what: What::Call(Box::new(rec)), note: None };
        assert_eq!(line_text(&line), "client.recv(65536)  -> b'hello'");
        line.note = Some(Note::ReadsWaiting);
        assert_eq!(
            line_text(&line),
            "client.recv(65536)  -> b'hello'  # recv(65536): the auto driver reads what is waiting"
        );
    }
}
