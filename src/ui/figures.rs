//! The kernel's figures of one socket, drawn from its latest [`Sample`]:
//! queues (or a listener's accept queue), `TCP_INFO`, options, and
//! sparklines of rtt and throughput. A value that changed since the previous
//! sample is highlighted, so a queue filling or a state changing catches the
//! eye. Only what applies is drawn: a listener has no queues, UDP has no
//! `TCP_INFO`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Sparkline, Widget};

use super::theme;
use crate::net::sample::{AcceptQueue, Linger, Options, Sample, TcpFigures};
use crate::net::{DiagSocket, Kind, TcpState, Whose};

/// One socket's figures: the latest sample, the one before it (to highlight
/// changes), and recent history for the sparklines (oldest first).
pub struct InspectView<'a> {
    pub sample: &'a Sample,
    pub previous: Option<&'a Sample>,
    /// Smoothed rtt in microseconds, one point per sample.
    pub rtt_us: &'a [u64],
    /// Bytes per second moved (both ways), one point per second.
    pub throughput: &'a [u64],
    /// The kernel's sockets without an fd that belong to this one.
    pub fd_less: &'a [DiagSocket],
    /// Microseconds since the sample was taken (the app's clock): the
    /// kernel's "last send/recv" ages grow by it between samples.
    pub since_us: u64,
}

/// A value that changed since the previous sample.
fn changed() -> Style {
    theme::changed()
}

/// `1023 B`, `64.0 K`, `2.5 M`: short enough for a narrow panel.
#[must_use]
pub fn bytes(n: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "one decimal shown")]
    let f = n as f64;
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} K", f / 1024.0),
        1_048_576..1_073_741_824 => format!("{:.1} M", f / 1_048_576.0),
        _ => format!("{:.1} G", f / 1_073_741_824.0),
    }
}

/// Microseconds as milliseconds with three decimals: `0.042`.
fn ms(us: u32) -> String {
    format!("{:.3}", f64::from(us) / 1000.0)
}

/// A milliseconds-ago figure in whole seconds, so it changes at most once
/// a second as it ticks: `<1 s`, `4 s`, `3 min`.
fn ago(ms: u64) -> String {
    match ms {
        0..1000 => "<1 s".to_string(),
        1000..60_000 => format!("{} s", ms / 1000),
        _ => format!("{} min", ms / 60_000),
    }
}

/// Whether the kernel lists `d` as a handshake still under way: the SYN
/// queue, not yet the accept queue.
fn handshaking(d: &DiagSocket) -> bool {
    matches!(d.state, TcpState::SynRecv | TcpState::NewSynRecv)
}

fn on_off(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "on",
        Some(false) => "off",
        None => "-",
    }
}

/// Builds one row of `label value` pairs, highlighting each value that
/// differs from the previous sample's.
struct Row {
    spans: Vec<Span<'static>>,
}

impl Row {
    fn new() -> Self {
        Self { spans: Vec::new() }
    }

    fn field(mut self, label: &str, now: String, before: Option<String>) -> Self {
        if !self.spans.is_empty() {
            self.spans.push(Span::raw("  "));
        }
        if !label.is_empty() {
            self.spans.push(Span::styled(format!("{label} "), theme::dim()));
        }
        let style = if before.is_some_and(|b| b != now) { changed() } else { Style::new() };
        self.spans.push(Span::styled(now, style));
        self
    }

    fn line(self) -> Line<'static> {
        Line::from(self.spans)
    }
}

impl InspectView<'_> {
    /// The text rows, top to bottom.
    #[must_use]
    pub fn lines(&self) -> Vec<Line<'static>> {
        let (s, p) = (self.sample, self.previous);
        let mut out = Vec::new();
        if s.last {
            out.push(Line::styled("closed: figures from before close()", theme::dim()));
        }
        if let Some(q) = s.accept_queue {
            // Established, waiting for accept(), against listen()'s backlog;
            // handshakes still under way are the SYN queue, apart.
            let shown = |q: AcceptQueue| format!("{} / backlog {}", q.len, q.backlog);
            let before = p.and_then(|p| p.accept_queue).map(shown);
            out.push(Row::new().field("accept queue", shown(q), before).line());
            let syn = self.fd_less.iter().filter(|d| handshaking(d)).count();
            out.push(Row::new().field("SYN queue", syn.to_string(), None).line());
        }
        if !s.listening {
            let recv_label = if s.kind == Kind::Dgram { "next dgram" } else { "recv-q" };
            let q = |v: Option<u32>| v.map_or_else(|| "-".to_string(), |n| bytes(n.into()));
            let row = Row::new().field(recv_label, q(s.recv_q), p.map(|p| q(p.recv_q))).field(
                "send-q",
                q(s.send_q),
                p.map(|p| q(p.send_q)),
            );
            out.push(row.line());
        }
        if let Some(t) = &s.tcp {
            let since_ms = if s.last { 0 } else { self.since_us / 1000 };
            tcp_lines(&mut out, t, p.and_then(|p| p.tcp.as_ref()), (s.listening, since_ms));
        }
        option_lines(&mut out, &s.options, p.map(|p| &p.options));
        for d in self.fd_less {
            out.push(fd_less_line(d));
        }
        out
    }
}

/// `TCP_INFO` rows; a listener only shows its state (the rest is about data).
fn tcp_lines(
    out: &mut Vec<Line<'static>>,
    t: &TcpFigures,
    b: Option<&TcpFigures>,
    (listening, since_ms): (bool, u64),
) {
    let was = |f: &dyn Fn(&TcpFigures) -> String| b.map(f);
    out.push(
        Row::new()
            .field("tcp", t.state.name().to_string(), was(&|b| b.state.name().to_string()))
            .line(),
    );
    if listening || t.state == TcpState::Close {
        // A listener's figures are its handshakes'; an unconnected
        // socket's are nobody's.
        return;
    }
    let rtt = |t: &TcpFigures| format!("{}/{} ms", ms(t.rtt_us), ms(t.rttvar_us));
    out.push(Row::new().field("rtt", rtt(t), was(&rtt)).line());
    let ssthresh = |t: &TcpFigures| t.snd_ssthresh.map_or_else(|| "-".into(), |n| n.to_string());
    out.push(
        Row::new()
            .field("cwnd", t.snd_cwnd.to_string(), was(&|b| b.snd_cwnd.to_string()))
            .field("ssthresh", ssthresh(t), was(&ssthresh))
            .line(),
    );
    let retrans = |t: &TcpFigures| format!("{}/{}", t.retransmits, t.total_retrans);
    out.push(
        Row::new()
            .field("retrans", retrans(t), was(&retrans))
            .field("lost", t.lost.to_string(), was(&|b| b.lost.to_string()))
            .line(),
    );
    out.push(
        Row::new()
            .field("unacked", t.unacked.to_string(), was(&|b| b.unacked.to_string()))
            .field("pmtu", t.pmtu.to_string(), was(&|b| b.pmtu.to_string()))
            .line(),
    );
    out.push(
        Row::new()
            .field("rcv_space", bytes(t.rcv_space.into()), was(&|b| bytes(b.rcv_space.into())))
            .line(),
    );
    let opt = |v: Option<u64>| v.map_or_else(|| "-".to_string(), bytes);
    out.push(
        Row::new()
            .field("acked", opt(t.bytes_acked), was(&|b| opt(b.bytes_acked)))
            .field("rcvd", opt(t.bytes_received), was(&|b| opt(b.bytes_received)))
            .line(),
    );
    let count = |v: Option<u32>| v.map_or_else(|| "-".to_string(), |n| n.to_string());
    out.push(
        Row::new()
            .field("segs in", count(t.segs_in), was(&|b| count(b.segs_in)))
            .field("out", count(t.segs_out), was(&|b| count(b.segs_out)))
            .line(),
    );
    let rate =
        |t: &TcpFigures| t.delivery_rate.map_or_else(|| "-".into(), |r| format!("{}/s", bytes(r)));
    out.push(Row::new().field("delivery", rate(t), was(&rate)).line());
    // Ages grow by themselves (ticking from the sample on): never
    // highlighted.
    let age = |ms: u32| ago(u64::from(ms) + since_ms);
    out.push(
        Row::new()
            .field("last send", age(t.last_data_sent_ms), None)
            .field("recv", age(t.last_data_recv_ms), None)
            .line(),
    );
}

/// One socket without an fd: what it is, its state, and its address.
fn fd_less_line(d: &DiagSocket) -> Line<'static> {
    let state = Span::raw(d.state.name());
    let line = match d.whose {
        Whose::Queued { .. } if handshaking(d) => {
            vec![Span::styled("syn-q ", theme::dim()), Span::raw(format!("{} ", d.peer)), state]
        }
        Whose::Queued { .. } => {
            vec![Span::styled("queued ", theme::dim()), Span::raw(format!("{} ", d.peer)), state]
        }
        Whose::Remains { .. } => vec![Span::styled("after close ", theme::dim()), state],
        Whose::PeerEnd { .. } | Whose::Ours { .. } => {
            vec![Span::styled("peer's end ", theme::dim()), state]
        }
    };
    Line::from(line)
}

/// Options, short rows first: panes can be narrow (24 columns at 80x24).
fn option_lines(out: &mut Vec<Line<'static>>, o: &Options, b: Option<&Options>) {
    let size = |v: Option<usize>| v.map_or_else(|| "-".to_string(), |n| bytes(n as u64));
    out.push(
        Row::new()
            .field("rcvbuf", size(o.rcvbuf), b.map(|b| size(b.rcvbuf)))
            .field("sndbuf", size(o.sndbuf), b.map(|b| size(b.sndbuf)))
            .line(),
    );
    let flag = |f: fn(&Options) -> Option<bool>| {
        (on_off(f(o)).to_string(), b.map(|b| on_off(f(b)).to_string()))
    };
    let (reuse, was_reuse) = flag(|o| o.reuseaddr);
    let (keep, was_keep) = flag(|o| o.keepalive);
    out.push(Row::new().field("reuse", reuse, was_reuse).field("keepalive", keep, was_keep).line());
    let linger = |o: &Options| match o.linger {
        None => "-".to_string(),
        Some(Linger::Off) => "off".to_string(),
        Some(Linger::On(d)) => format!("{} s", d.as_secs()),
    };
    let mut row = Row::new();
    if o.nodelay.is_some() {
        let (nodelay, was) = flag(|o| o.nodelay);
        row = row.field("nodelay", nodelay, was);
    }
    out.push(row.field("linger", linger(o), b.map(linger)).line());
    // Unix sockets have no IP header, so no TTL worth a line.
    if o.ttl.is_some() {
        let ttl = |o: &Options| o.ttl.map_or_else(|| "-".to_string(), |n| n.to_string());
        out.push(Row::new().field("ttl", ttl(o), b.map(ttl)).line());
    }
}

/// A sparkline: its label, points, and how the newest point is shown.
type Graph<'a> = (&'static str, &'a [u64], fn(u64) -> String);

impl Widget for InspectView<'_> {
    /// Text rows first; the sparklines take two rows each (label, graph)
    /// from what is left at the bottom, rtt first.
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines = self.lines();
        let text_rows = u16::try_from(lines.len()).unwrap_or(u16::MAX).min(area.height);
        super::text::render_lines(&lines, Rect { height: text_rows, ..area }, buf);
        let mut y = area.y + text_rows;
        let bottom = area.y + area.height;
        let graphs: [Graph<'_>; 2] = [
            ("rtt", self.rtt_us, |v| format!("{} ms", ms(u32::try_from(v).unwrap_or(u32::MAX)))),
            ("throughput", self.throughput, |v| format!("{}/s", bytes(v))),
        ];
        for (label, data, show) in graphs {
            if data.is_empty() || y + 2 > bottom {
                continue;
            }
            let now = data.last().copied().map_or_else(String::new, show);
            Line::from(vec![Span::styled(format!("{label} "), theme::dim()), Span::raw(now)])
                .render(Rect { y, height: 1, ..area }, buf);
            // The newest points, as many as fit.
            let shown = &data[data.len().saturating_sub(usize::from(area.width))..];
            Sparkline::default().data(shown).render(Rect { y: y + 1, height: 1, ..area }, buf);
            y += 2;
        }
    }
}
