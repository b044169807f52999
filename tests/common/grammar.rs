//! The one error grammar (docs/errors.md), `CALL TARGET failed: NAME (text):
//! sentence; try ...`, taken apart so tests can check each piece, and the
//! failed `call` event of `--events json` that goes with it.

use serde_json::Value;

/// One error message, in pieces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorMessage {
    /// The whole message, without the `sockpit: ` prefix.
    pub full: String,
    pub call: String,
    pub target: String,
    /// Errno name, `EAI_*` code or `TimeoutError`.
    pub name: String,
    pub text: String,
    pub sentence: String,
    pub hint: String,
}

/// Parses a message in the grammar; `None` when any piece is missing.
pub fn parse_error(message: &str) -> Option<ErrorMessage> {
    let full = message.strip_prefix("sockpit: ").unwrap_or(message).to_string();
    let (head, rest) = full.split_once(" failed: ")?;
    let (call, target) = head.split_once(' ').unwrap_or((head, ""));
    let (name, rest) = rest.split_once(" (")?;
    let (text, rest) = rest.split_once("): ")?;
    let (sentence, hint) = rest.split_once("; try ")?;
    let pieces = [call, name, text, sentence, hint];
    if pieces.iter().any(|p| p.trim().is_empty()) || name.contains(' ') {
        return None;
    }
    Some(ErrorMessage {
        call: call.into(),
        target: target.into(),
        name: name.into(),
        text: text.into(),
        sentence: sentence.into(),
        hint: hint.into(),
        full,
    })
}

/// The `sockpit: CALL TARGET failed: ...` line on stderr, parsed; panics
/// with all of stderr when there is none or it breaks the grammar.
pub fn error_line(stderr: &str, call: &str, target: &str) -> ErrorMessage {
    let prefix = format!("sockpit: {call} {target} failed: ");
    let line = stderr
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} on stderr:\n{stderr}"));
    parse_error(line).unwrap_or_else(|| panic!("breaks the error grammar: {line:?}"))
}

/// Checks a parsed message names `name` and explains with `sentence`.
pub fn assert_explains(msg: &ErrorMessage, name: &str, sentence: &str) {
    assert_eq!(msg.name, name, "errno name in {:?}", msg.full);
    assert!(
        msg.sentence.contains(sentence),
        "sentence {:?} should say {sentence:?} (in {:?})",
        msg.sentence,
        msg.full
    );
}

/// Every stderr line parsed as JSON (panics on one that is not).
pub fn json_events(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
        .collect()
}

/// The failed `call` event for `call`, checked: `ok` false, `error` is
/// `name`, `errno` as given, and `result` is how Python raises it (starting
/// with `python`).
pub fn failed_call<'a>(
    events: &'a [Value],
    call: &str,
    name: &str,
    errno: Option<i64>,
    python: &str,
) -> &'a Value {
    let ev = events
        .iter()
        .find(|v| v["ev"] == "call" && v["call"] == call && v["ok"] == false)
        .unwrap_or_else(|| panic!("no failed {call} call among {events:#?}"));
    assert_eq!(ev["error"], name, "{ev}");
    assert_eq!(ev["errno"].as_i64(), errno, "{ev}");
    let result = ev["result"].as_str().unwrap_or_default();
    assert!(result.starts_with(python), "result {result:?} should start {python:?}");
    let message = ev["message"].as_str().unwrap_or_else(|| panic!("no message in {ev}"));
    let parsed = parse_error(message).unwrap_or_else(|| panic!("breaks the grammar: {message:?}"));
    assert_eq!(parsed.name, name, "{message}");
    assert!(message.starts_with(&format!("{call} ")), "{message}");
    ev
}

/// The `fatal` event's message, which must be the same message text mode
/// printed.
pub fn assert_fatal_is(events: &[Value], text_mode: &ErrorMessage) {
    let fatal = events
        .iter()
        .find(|v| v["ev"] == "fatal")
        .unwrap_or_else(|| panic!("no fatal event among {events:#?}"));
    assert_eq!(fatal["message"].as_str(), Some(text_mode.full.as_str()), "{fatal}");
}
