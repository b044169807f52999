//! The README's key list is the keymap table itself: one table drives the
//! keys, the help overlay and this list, so the README cannot drift.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

#[test]
fn readme_key_list_is_the_keymap_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = "<!-- keys: generated from src/app/keymap.rs -->\n";
    let end = "<!-- keys end -->";
    let from = readme.find(start).expect("README has the keys start marker") + start.len();
    let to = readme[from..].find(end).expect("README has the keys end marker") + from;
    let table = sockpit::app::keys_markdown();
    assert_eq!(
        readme[from..to].trim(),
        table.trim(),
        "README's key list differs from keymap::markdown(); paste the new table"
    );
}

/// Every step-mode call is named in the README's step mode section.
#[test]
fn readme_names_every_step_call() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    for (name, _) in sockpit::app::STEP_COMMANDS {
        assert!(readme.contains(&format!("`/{name}")), "README does not name /{name}");
    }
}
