//! The status bar: mode, address, state, EOL, pending bytes, key hints.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme;
use crate::app::App;
use crate::app::sockets::State;
use crate::net::Family;

/// The one-line bar at the bottom.
pub struct StatusBar<'a> {
    pub app: &'a App,
}

/// `demo tcp`, `tcp server`, `udp client`.
fn mode(app: &App) -> String {
    let end = app.end();
    let family = if end.role.is_unix() { Family::Unix } else { Family::Inet };
    let proto = end.kind.protocol(family).to_lowercase();
    let step = if end.step { " step" } else { "" };
    if app.demo {
        format!("demo {proto} {}{step}", end.name())
    } else {
        format!("{proto} {}{step}", end.name())
    }
}

/// The peer of the current connection, else where the end listens or
/// connects (local addresses are in the socket panel).
fn address(app: &App) -> String {
    let end = app.end();
    if let Some(s) = end.detailed() {
        if let Some(p) = &s.peer {
            return format!("peer {p}");
        }
        if let Some(l) = &s.local {
            return format!("on {l}");
        }
    }
    end.role.target().to_string()
}

fn state(app: &App) -> String {
    let end = app.end();
    if let Some(call) = end.blocked_in() {
        return format!("blocked in {call}()");
    }
    if end.fatal.is_some() && end.sockets.current().is_none() {
        return "FAILED".into();
    }
    match end.detailed() {
        Some(s) => s.state.label(s.kind).to_string(),
        None if end.started => State::Fresh.label(end.kind).to_string(),
        None => "waiting".into(),
    }
}

/// A server's send target (`→ 127.0.0.1:50512 (sock 3)`), in bold; else
/// the address.
fn target(app: &App) -> Span<'static> {
    let bar = theme::bar();
    match app.end().target_label() {
        Some(t) => Span::styled(t, bar.add_modifier(Modifier::BOLD)),
        None => Span::styled(address(app), bar),
    }
}

/// A server bound to more than loopback can be reached from other hosts:
/// said in yellow, first thing after the mode.
fn exposed(app: &App) -> Option<Span<'static>> {
    let local = app.end().listening.clone()?;
    if local.inet().is_none_or(|ip| ip.ip().is_loopback()) {
        return None;
    }
    let warn = theme::warn();
    Some(Span::styled(format!(" ⚠ {local} is reachable from other hosts "), warn))
}

/// ` │ file.bin 45% [####·····]` while a `/file` is being sent.
fn progress(app: &App) -> String {
    let Some(up) = &app.upload else { return String::new() };
    let pct = up.percent();
    let filled = usize::try_from(pct / 10).unwrap_or(10);
    let name = super::text::clip(&up.name, 20);
    format!(" │ {name} {pct}% [{}{}]", "#".repeat(filled), "·".repeat(10 - filled))
}

/// One piece of the bar; when the bar is too narrow the pieces with the
/// lowest `keep` go first, so what matters most is what stays.
struct Segment {
    spans: Vec<Span<'static>>,
    keep: u8,
}

impl Segment {
    fn width(&self) -> usize {
        self.spans.iter().map(Span::width).sum()
    }
}

/// Never dropped: the way to every other key.
const HELP: &str = "F1 help";

/// The segments in screen order, each with how much it is worth keeping.
fn segments(app: &App) -> Vec<Segment> {
    let bar = theme::bar();
    let bold = bar.add_modifier(Modifier::BOLD);
    let one = |text: String, style, keep| Segment { spans: vec![Span::styled(text, style)], keep };
    let mut out = vec![one(format!(" {}", mode(app)), bold, 90)];
    if let Some(warning) = exposed(app) {
        out.push(Segment { spans: vec![warning], keep: 95 });
    }
    out.push(one(state(app), bold, 80));
    out.push(Segment { spans: vec![target(app)], keep: 60 });
    // A relay's held chunks and faults, right after where it sends: what
    // makes its traffic differ from what its ends said.
    if let Some(relay) = app.end().relay.as_ref().and_then(crate::app::relay::RelayState::status) {
        out.push(one(relay, theme::warn().add_modifier(Modifier::BOLD), 85));
    }
    out.push(one(format!("EOL {}", app.eol.label()), bar, 30));
    out.push(one(format!("pending {} B", app.end().pending), bar, 20));
    let progress = progress(app);
    if !progress.is_empty() {
        out.push(one(progress, bar, 70));
    }
    out
}

/// The key hints after the segments, each droppable but F1.
fn hints(app: &App) -> Vec<(&'static str, u8)> {
    let mut hints = vec![(HELP, u8::MAX)];
    if app.ends.len() > 1 {
        hints.push(("F2 end", 50));
    }
    if app.end().step {
        hints.push(("F8 next call", 55));
    }
    hints.push(("F4 eol", 10));
    if !app.end().role.is_server() {
        hints.push(("F6 reconnect", 15));
    }
    hints.push(("^Q quit", 25));
    hints
}

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let bar = theme::bar();
        let mut parts = segments(app);
        let mut hints = hints(app);
        let sep_w = " │ ".chars().count();
        let width = |parts: &[Segment], hints: &[(&str, u8)]| {
            let segs: usize = parts.iter().map(|p| p.width() + sep_w).sum();
            let keys: usize = hints.iter().map(|(h, _)| h.chars().count() + 2).sum();
            // Hints are joined by two spaces: none after the last.
            segs + keys.saturating_sub(2)
        };
        // Drop the least worth keeping until the bar fits.
        while width(&parts, &hints) > usize::from(area.width) {
            let seg =
                parts.iter().enumerate().min_by_key(|(_, p)| p.keep).map(|(i, p)| (i, p.keep));
            let key = hints.iter().enumerate().min_by_key(|(_, h)| h.1).map(|(i, h)| (i, h.1));
            match (seg, key) {
                (Some((i, s)), Some((_, k))) if s <= k && parts.len() > 1 => {
                    parts.remove(i);
                }
                (_, Some((j, k))) if k < u8::MAX => {
                    hints.remove(j);
                }
                (Some((i, _)), _) if parts.len() > 1 => {
                    parts.remove(i);
                }
                _ => break,
            }
        }
        let fits = width(&parts, &hints) <= usize::from(area.width);
        let sep = Span::styled(" │ ", bar);
        let mut spans = Vec::new();
        for part in parts {
            spans.extend(part.spans);
            spans.push(sep.clone());
        }
        let keys: Vec<&str> = hints.iter().map(|(h, _)| *h).collect();
        spans.push(Span::styled(keys.join("  "), bar));
        Paragraph::new(Line::from(spans)).style(bar).render(area, buf);
        // Narrower than even the mode and F1: F1 still shows, at the right.
        let help_w = u16::try_from(HELP.len()).unwrap_or(u16::MAX);
        if !fits && area.width >= help_w {
            let at = Rect::new(area.right() - help_w, area.y, help_w, 1);
            Paragraph::new(HELP).style(bar).render(at, buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::StatusBar;
    use crate::app::{App, Caps, Clock};
    use crate::cli::Eol;
    use crate::net::{Role, Target};

    fn bar(listening: &str) -> String {
        let role = Role::TcpServer(Target::Addr(listening.parse().unwrap()));
        let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(0));
        app.ends[0].listening = Some(listening.parse().unwrap());
        let mut term = Terminal::new(TestBackend::new(160, 1)).unwrap();
        term.draw(|f| f.render_widget(StatusBar { app: &app }, f.area())).unwrap();
        term.backend().buffer().content.iter().map(ratatui::buffer::Cell::symbol).collect()
    }

    #[test]
    fn a_server_beyond_loopback_is_flagged() {
        assert!(bar("0.0.0.0:8080").contains("0.0.0.0:8080 is reachable from other hosts"));
        assert!(bar("[::]:8080").contains("reachable from other hosts"));
        assert!(!bar("127.0.0.1:8080").contains("reachable"));
        assert!(!bar("[::1]:8080").contains("reachable"));
    }

    fn draw(app: &App, width: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, 1)).unwrap();
        term.draw(|f| f.render_widget(StatusBar { app }, f.area())).unwrap();
        term.backend().buffer().content.iter().map(ratatui::buffer::Cell::symbol).collect()
    }

    #[test]
    fn f1_help_shows_at_80_columns_in_every_mode() {
        let v6: std::net::SocketAddr =
            "[2001:db8:1234:5678:9abc:def0:1234:5678]:65535".parse().unwrap();
        let roles = [
            vec![Role::TcpServer(Target::Addr("0.0.0.0:8080".parse().unwrap()))],
            vec![Role::TcpClient(Target::Addr(v6))],
            vec![Role::UdpServer(Target::Addr(v6))],
            vec![Role::UdpClient(Target::Addr(v6))],
            vec![
                Role::TcpServer(Target::Addr("127.0.0.1:0".parse().unwrap())),
                Role::TcpClient(Target::Addr("127.0.0.1:0".parse().unwrap())),
            ],
        ];
        for ends in roles {
            let demo = ends.len() > 1;
            let mut app = App::new(ends, demo, Eol::Crlf, Caps::default(), Clock::fixed(0));
            app.ends[0].listening = Some("[::]:65535".parse().unwrap());
            for step in [false, true] {
                app.ends[0].step = step;
                for width in [80, 60, 30, 8] {
                    let bar = draw(&app, width);
                    assert!(bar.contains("F1 help"), "{width} columns: {bar:?}");
                }
                // Wide enough, nothing is dropped.
                assert!(draw(&app, 250).contains("pending 0 B"));
            }
        }
    }
}
