//! Reading logs: bad lines by number, unknown kinds as steps, and the app
//! rebuilt at any step.

use super::*;

const LOG: &str = concat!(
    r#"{"v":1,"t":1000,"ev":"listening","sock":1,"fd":7,"local":"127.0.0.1:8080","type":"tcp"}"#,
    "\n",
    "{\"v\":1,\"t\":2000,\"ev\":\"call\"\n",
    r#"{"v":1,"t":3000,"ev":"hologram","sock":1}"#,
    "\n",
    "\n",
    r#"{"v":9,"t":4000,"ev":"call","sock":1}"#,
    "\n",
    r#"[1,2]"#,
    "\n",
    r#"{"v":1,"t":5000,"ev":"eof","sock":1}"#,
    "\n",
    r#"{"v":1,"ev":"eof"}"#,
    "\n",
);

#[test]
fn bad_lines_are_reported_by_number_and_reading_goes_on() {
    let log = Log::parse(LOG);
    let lines: Vec<usize> = log.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 6, 8], "{:?}", log.problems);
    assert!(log.problems[0].to_string().starts_with("line 2: not a whole JSON event"));
    let steps: Vec<(usize, &str, bool)> =
        log.steps.iter().map(|s| (s.line, s.ev.as_str(), s.event.is_ok())).collect();
    assert_eq!(
        steps,
        [(1, "listening", true), (3, "hologram", false), (5, "call", false), (7, "eof", true)]
    );
    let newer = log.steps[2].event.as_ref().unwrap_err();
    assert!(newer.contains("schema version 9 is newer"), "{newer}");
}

#[test]
fn the_app_at_a_step_shows_what_happened_until_then_and_names_the_rest() {
    let log = Log::parse(LOG);
    assert_eq!(log.roles().len(), 1);
    assert!(log.roles()[0].is_server(), "a log that listens is a server's");
    let texts = |app: &App| -> Vec<String> {
        let h = &app.ends[0].history;
        (h.first_seq()..h.end_seq())
            .filter_map(|s| h.get(s))
            .map(|e| String::from_utf8_lossy(&e.text).into_owned())
            .collect()
    };
    let start = log.app_at(0, Clock::fixed(0));
    assert!(start.ends[0].listening.is_none());
    let one = log.app_at(1, Clock::fixed(0));
    assert!(one.ends[0].listening.is_some(), "the listening line was replayed");
    let two = texts(&log.app_at(2, Clock::fixed(0)));
    assert!(two.iter().any(|t| t.starts_with("line 2: not a whole JSON event")), "{two:?}");
    assert!(
        two.iter().any(|t| t.starts_with("line 3: \"hologram\" not replayed: no replay for")),
        "{two:?}"
    );
    let all = texts(&log.app_at(usize::MAX, Clock::fixed(0)));
    assert!(all.iter().any(|t| t.starts_with("line 8: no \"t\" or \"ev\"")), "{all:?}");
}
