//! No input panics: arbitrary lines (step calls with random floats, huge
//! numbers, unicode, empty arguments) through the step parser, the command
//! builder, and the whole app's Enter, for every role.

use proptest::prelude::*;

use super::*;
use crate::app::step::{COMMANDS, parse};

fn step_app(role: Role) -> App {
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    app.ends[0].step = true;
    app
}

/// One argument: a float as Rust prints it (`inf`, `NaN`, `1e300`), a big
/// whole number, something address-like, any printable text, or nothing.
fn arg() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|f| f.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9.:\\[\\]a-f]{0,12}",
        "\\PC{0,8}",
        Just(String::new()),
        Just("None".to_string()),
    ]
}

fn name() -> impl Strategy<Value = String> {
    let names: Vec<String> =
        COMMANDS.iter().map(|(n, _)| (*n).to_string()).chain([String::new(), "x".into()]).collect();
    prop_oneof![3 => prop::sample::select(names), 1 => "\\PC{0,6}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_step_line_gets_an_answer(name in name(), args in prop::collection::vec(arg(), 0..4)) {
        let line = std::iter::once(name).chain(args).collect::<Vec<_>>().join(" ");
        let roles = [
            Role::TcpServer(Target::Addr(addr("127.0.0.1:0"))),
            Role::TcpClient(Target::Addr(addr("[::1]:8080"))),
            Role::UdpServer(Target::Addr(addr("127.0.0.1:8888"))),
            Role::UdpClient(Target::Addr(addr("127.0.0.1:0"))),
        ];
        for role in roles {
            let mut app = step_app(role);
            if let Some(Ok(cmd)) = parse(&line) {
                let _ = cmd.command(app.end(), Some(addr("127.0.0.1:41000").into()));
                let _ = cmd.command(app.end(), None);
                if let crate::app::step::StepCmd::SetTimeout(Some(secs)) = cmd {
                    prop_assert!(std::time::Duration::try_from_secs_f64(secs).is_ok(), "{secs}");
                }
            }
            let before = texts(&app, 0).len();
            app.input.insert(&format!("/{line}"));
            let effects = app.on_key(key(KeyCode::Enter));
            prop_assert!(
                !effects.is_empty() || texts(&app, 0).len() > before,
                "no answer to /{}", line
            );
        }
    }
}
