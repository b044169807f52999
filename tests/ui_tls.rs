//! The socket panel's TLS section and the Lifecycle pane's `ssl` lines on
//! ratatui's `TestBackend`, from sessions recorded from the real engine
//! (`sockpit tcp server --tls --log` and `sockpit tcp client --tls --log`
//! against it, in `tests/fixtures/tls/`), replayed into `App`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod replay;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};
use sockpit::net::{Role, Target};
use sockpit::ui::LifecyclePane;
use sockpit::ui::SocketPanel;

/// The recorded session of `file` replayed into an app of `role`; the
/// clock stands a second after its last event.
fn app(file: &str) -> App {
    let events = replay::events(&format!("tls/{file}"));
    let last = events.last().map_or(0, |e| e.at);
    let target = Target::Addr("127.0.0.1:8443".parse().expect("address"));
    let role = if file.ends_with("server.jsonl") {
        Role::TcpServer(target)
    } else {
        Role::TcpClient(target)
    };
    let mut app =
        App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(last + 1_000_000));
    app.started(0);
    for ev in &events {
        app.on_engine(0, ev);
    }
    app
}

fn text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The socket panel alone, as wide as the real screen makes it (34).
fn panel(app: &App, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(34, height)).expect("terminal");
    terminal
        .draw(|f| {
            let end = &app.ends()[0];
            let now = app.clock().now();
            let pane = SocketPanel { end, title: "Socket".into(), now, focused: false };
            f.render_widget(pane, f.area());
        })
        .expect("draw");
    text(terminal.backend())
}

fn lifecycle(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| {
            let end = &app.ends()[0];
            let pane = LifecyclePane { end, clock: app.clock(), focused: false, explanation: None };
            f.render_widget(pane, f.area());
        })
        .expect("draw");
    text(terminal.backend())
}

#[test]
fn an_insecure_client_panel_says_not_verified_and_why() {
    let screen = panel(&app("insecure-client.jsonl"), 48);
    assert!(screen.contains("NOT VERIFIED (--insecure)"), "{screen}");
    assert!(screen.contains("unknown issuer"), "{screen}");
    assert!(screen.contains("ALPN h2"), "{screen}");
    assert!(screen.contains("(self-signed)"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_verified_client_panel_shows_sni_chain_and_wire_bytes() {
    let screen = panel(&app("verified-client.jsonl"), 48);
    assert!(screen.contains("certificate VERIFIED"), "{screen}");
    assert!(screen.contains("SNI sent localhost"), "{screen}");
    assert!(screen.contains("SAN DNS:localhost"), "{screen}");
    assert!(!screen.contains("NOT VERIFIED"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn a_server_panel_shows_the_sni_received_and_no_client_certificate() {
    let screen = panel(&app("verified-server.jsonl"), 40);
    assert!(screen.contains("SNI received localhost"), "{screen}");
    assert!(screen.contains("client certificate not asked"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn the_lifecycle_shows_the_clients_ssl_lines() {
    let screen = lifecycle(&app("verified-client.jsonl"), 120, 16);
    assert!(screen.contains("ctx = ssl.create_default_context(cafile="), "{screen}");
    assert!(
        screen.contains("tls = ctx.wrap_socket(client, server_hostname='localhost')"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn the_lifecycle_shows_the_servers_ssl_lines() {
    let screen = lifecycle(&app("insecure-server.jsonl"), 120, 18);
    assert!(screen.contains("ctx.load_cert_chain('cert.pem', 'key.pem')"), "{screen}");
    assert!(screen.contains("tls = ctx.wrap_socket(sock, server_side=True)"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn the_history_and_the_inspector_say_they_show_plaintext() {
    let mut app = app("insecure-client.jsonl");
    let h = &app.ends()[0].history;
    let received = (h.first_seq()..h.end_seq())
        .find(|&s| h.get(s).is_some_and(|e| e.kind == sockpit::app::EntryKind::Received))
        .expect("a received line");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    let screen = text(terminal.backend());
    assert!(screen.contains("History · TLS plaintext"), "{screen}");
    app.click(sockpit::app::Pane::History(0), Some(received));
    terminal.draw(|f| sockpit::ui::draw(f, &app)).expect("draw");
    let screen = text(terminal.backend());
    assert!(screen.contains("Inspector: ← received, TLS plaintext, 1 call, 19 B"), "{screen}");
    assert!(screen.contains("hi from the server"), "{screen}");
}
