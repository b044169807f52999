//! The status bar: mode, address, state, EOL, pending bytes, key hints.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

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
    let bar = Style::new().bg(Color::Blue).fg(Color::White);
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
    let warn = Style::new().bg(Color::Yellow).fg(Color::Black).add_modifier(Modifier::BOLD);
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

impl Widget for StatusBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let app = self.app;
        let bar = Style::new().bg(Color::Blue).fg(Color::White);
        let bold = bar.add_modifier(Modifier::BOLD);
        let sep = Span::styled(" │ ", bar);
        let mut hints = String::from("F1 help");
        if app.ends.len() > 1 {
            hints.push_str("  F2 end");
        }
        if app.end().step {
            hints.push_str("  F8 next call");
        }
        hints.push_str("  F4 eol");
        if !app.end().role.is_server() {
            hints.push_str("  F6 reconnect");
        }
        hints.push_str("  ^Q quit");
        let mut spans = vec![Span::styled(format!(" {}", mode(app)), bold), sep.clone()];
        if let Some(warning) = exposed(app) {
            spans.extend([warning, sep.clone()]);
        }
        spans.extend([Span::styled(state(app), bold), sep.clone(), target(app), sep.clone()]);
        // A relay's held chunks and faults, right after where it sends:
        // what makes its traffic differ from what its ends said.
        if let Some(relay) = app.end().relay.as_ref().and_then(|r| r.status()) {
            let loud =
                Style::new().bg(Color::Magenta).fg(Color::White).add_modifier(Modifier::BOLD);
            spans.extend([Span::styled(relay, loud), sep.clone()]);
        }
        spans.extend([
            Span::styled(format!("EOL {}", app.eol.label()), bar),
            sep.clone(),
            Span::styled(format!("pending {} B", app.end().pending), bar),
            Span::styled(progress(app), bar),
            sep,
            Span::styled(hints, bar),
        ]);
        Paragraph::new(Line::from(spans)).style(bar).render(area, buf);
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
}
