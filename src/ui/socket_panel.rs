//! The Socket panel: a server's socket or peer list (`socket_list.rs`) on
//! top, then the selected socket of one end, from `app::sockets::SocketInfo`,
//! and the kernel's figures below these rows.

use crate::python::Python as _;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Widget};

use super::figures::InspectView;
use super::theme;
use crate::app::EndState;
use crate::app::sockets::SocketInfo;

fn count(n: u64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

fn addr(a: Option<&crate::net::Addr>) -> String {
    a.map_or_else(|| "-".to_string(), ToString::to_string)
}

/// A timeout as Python prints `gettimeout()`: `None`, `0.0`, `2.5`.
fn python_float(t: Option<f64>) -> String {
    match t {
        None => "None".into(),
        Some(t) if t.fract() == 0.0 && t.abs() < 1e16 => format!("{t:.1}"),
        Some(t) => format!("{t}"),
    }
}

fn rows(s: &SocketInfo, end: &EndState, width: usize) -> Vec<Line<'static>> {
    let fd = s.fd.map_or_else(|| "-".into(), |fd| fd.to_string());
    let state = s.state.label(s.kind);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut out = vec![
        Line::from(vec![
            Span::raw(format!(
                "fd {fd}  {}  ",
                s.kind.protocol(s.family.unwrap_or(crate::net::Family::Inet))
            )),
            Span::styled(state.to_string(), bold),
        ]),
        Line::styled(
            format!(
                "{} {}",
                s.family.map_or_else(|| "AF_?".into(), |f| f.python()),
                s.kind.python()
            ),
            theme::dim(),
        ),
        Line::raw(format!("local {}", addr(s.local.as_ref()))),
        Line::raw(format!("peer  {}", addr(s.peer.as_ref()))),
    ];
    // Python's view (gettimeout, getblocking), then the fd's own flag (why
    // it is set under `blocking True` is said once, in the history).
    let timeout = [Span::styled("timeout ", theme::dim()), Span::raw(python_float(s.timeout))];
    let blocking = [
        Span::styled("blocking ", theme::dim()),
        Span::raw(if s.blocking() { "True" } else { "False" }),
    ];
    if width >= 27 {
        out.push(Line::from([&timeout[..], &[Span::raw("  ")], &blocking[..]].concat()));
    } else {
        out.extend([Line::from(timeout.to_vec()), Line::from(blocking.to_vec())]);
    }
    let flag = if s.nonblock { "set" } else { "clear" };
    out.push(Line::from(vec![Span::styled("O_NONBLOCK ", theme::dim()), Span::raw(flag)]));
    out.extend([
        Line::raw(format!("sent {} B / {}", s.bytes_sent, count(s.calls_sent, "call"))),
        Line::raw(format!("recv {} B / {}", s.bytes_received, count(s.calls_received, "call"))),
    ]);
    if end.role.is_server() && end.kind.is_connected() {
        let (_, conns) = end.connection_counts();
        out.push(Line::raw(format!("connections {conns}")));
    }
    if let Some(facts) = end.tls.of(s.id) {
        out.extend(super::tls_panel::lines(facts, width));
    }
    out
}

/// The panel of one end.
pub struct SocketPanel<'a> {
    pub end: &'a EndState,
    pub title: String,
    /// The end's clock now, for ages in the list.
    pub now: crate::net::Micros,
    /// The pane has the keyboard (Up/Down select in the list).
    pub focused: bool,
}

impl Widget for SocketPanel<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let block = Block::bordered().title(self.title).border_style(theme::border(self.focused));
        let mut inner = block.inner(area);
        block.render(area, buf);
        // A server's connections or peers on top; the selected one below.
        let list = super::socket_list::height(self.end, inner);
        if list > 0 {
            let top = Rect { height: list, ..inner };
            let (end, now, focused) = (self.end, self.now, self.focused);
            super::socket_list::SocketList { end, now, focused }.render(top, buf);
            inner = Rect { y: inner.y + list, height: inner.height - list, ..inner };
        }
        let lines = match self.end.detailed() {
            Some(s) => rows(s, self.end, usize::from(inner.width)),
            None if self.end.started => vec![Line::styled("no socket yet", theme::dim())],
            None => vec![Line::styled("waiting for the server", theme::dim())],
        };
        let used = u16::try_from(lines.len()).unwrap_or(u16::MAX).min(inner.height);
        super::text::render_lines(&lines, inner, buf);
        // Below the rows: the kernel's own figures, once sampled.
        let shown = self.end.detailed();
        let inspection = &self.end.inspection;
        let Some((s, f)) = shown.and_then(|s| Some((s, inspection.figures(s.id)?))) else {
            return;
        };
        let Some(sample) = &f.latest else { return };
        let (rtt_us, throughput) = (Vec::from(f.rtt_us.clone()), Vec::from(f.throughput.clone()));
        let fd_less = inspection.fd_less(s.id);
        let rest = Rect { y: inner.y + used, height: inner.height - used, ..inner };
        let view = InspectView {
            sample,
            previous: f.previous.as_ref(),
            rtt_us: &rtt_us,
            throughput: &throughput,
            fd_less: &fd_less,
            since_us: self.now.saturating_sub(f.sampled_at),
        };
        view.render(rest, buf);
    }
}
