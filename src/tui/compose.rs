//! The composition root's one construction: the [`App`] a command line's
//! [`Plan`] asks for. It lives here, not in `app/`, so that `app/` knows
//! nothing of `cli/` (the dependency arrows point from `tui/` to both).

use crate::app::{App, Caps, Clock, relay};
use crate::cli::Plan;

/// The app for a command line's plan: its ends' roles, the demo, the EOL,
/// history caps, language and theme, and per end step mode, holds and the
/// relay's state.
#[must_use]
pub fn app_from_plan(plan: &Plan, clock: Clock) -> App {
    let roles = plan.ends.iter().map(|e| e.config.role.clone()).collect();
    let caps = Caps { entries: plan.history.max(1), bytes: plan.history_bytes };
    let mut app = App::new(roles, plan.demo, plan.eol, caps, clock);
    app.lang = plan.lang;
    app.theme = plan.theme;
    for (state, end) in app.ends.iter_mut().zip(&plan.ends) {
        state.step = end.config.step;
        state.holds = end.config.holds;
        if let Some(r) = &end.config.relay {
            state.relay = Some(relay::RelayState::new(r.upstream.to_string(), &r.faults));
        }
        if end.config.step {
            // Step mode holds accept and reads: each is a keypress.
            state.holds = crate::net::Holds { accept: true, reads: true };
        }
    }
    // The demo starts talking from the client's side.
    app.active = app.ends.len().saturating_sub(1);
    app
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::net::{Event, EventKind};

    const T0: crate::net::Micros = 1_700_000_000_000_000;

    #[test]
    fn plan_caps_reach_the_history() {
        let cli = crate::cli::Cli::parse_from(["sockpit", "demo", "--history", "2"]);
        let mut app = app_from_plan(&cli.plan(), Clock::fixed(T0));
        assert_eq!(app.active, 1, "the demo types from the client");
        for _ in 0..5 {
            let kind = EventKind::Dropped { len: 1, why: "test" };
            app.on_engine(0, &Event { at: T0, kind });
        }
        assert_eq!((app.ends[0].history.len(), app.ends[0].history.dropped), (2, 3));
    }

    #[test]
    fn theme_and_eol_reach_the_app() {
        let cli = crate::cli::Cli::parse_from([
            "sockpit",
            "tcp",
            "client",
            "127.0.0.1:9",
            "--theme",
            "mono",
            "--eol",
            "crlf",
        ]);
        let app = app_from_plan(&cli.plan(), Clock::fixed(T0));
        assert_eq!((app.theme, app.eol), (crate::app::ThemeName::Mono, crate::app::Eol::Crlf));
    }
}
