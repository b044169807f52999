//! docs/ is the contract users and maintainers read, so it is checked
//! against the code: the key and command tables are generated from the
//! tables the program uses, every event kind and field the JSON writers
//! emit is on the schema page, and the README links the pages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::collections::BTreeSet;
use std::path::Path;

fn read(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Where the text between `<!-- NAME: generated ... -->` and
/// `<!-- NAME end -->` is.
fn block(page: &str, name: &str) -> std::ops::Range<usize> {
    let start = page.find(&format!("<!-- {name}: generated")).expect("start marker");
    let from = start + page[start..].find("-->").expect("marker end") + 3;
    let to = page[from..].find(&format!("<!-- {name} end -->")).expect("end marker") + from;
    from..to
}

/// The text of a generated block, trimmed.
fn generated<'a>(page: &'a str, name: &str) -> &'a str {
    page[block(page, name)].trim()
}

/// `SOCKPIT_UPDATE_DOCS=1 cargo test --test docs` rewrites the generated
/// blocks of `path` from the tables (review the diff); without it the test
/// only compares.
fn refresh(path: &str, blocks: &[(&str, String)]) {
    if std::env::var_os("SOCKPIT_UPDATE_DOCS").is_none() {
        return;
    }
    let mut page = read(path);
    for (name, table) in blocks {
        let range = block(&page, name);
        page.replace_range(range, &format!("\n{}\n", table.trim()));
    }
    std::fs::write(Path::new(env!("CARGO_MANIFEST_DIR")).join(path), page).expect("write");
}

#[test]
fn keys_page_is_the_keymap_and_the_command_table() {
    refresh(
        "docs/keys.md",
        &[("keys", sockpit::app::keys_markdown()), ("commands", sockpit::app::commands_markdown())],
    );
    let page = read("docs/keys.md");
    let keys = sockpit::app::keys_markdown();
    assert_eq!(generated(&page, "keys"), keys.trim(), "paste keymap::markdown() into docs/keys.md");
    let commands = sockpit::app::commands_markdown();
    assert_eq!(
        generated(&page, "commands"),
        commands.trim(),
        "paste commands::markdown() into docs/keys.md"
    );
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The quoted word after `"ev": ` or `["ev"] = json!(` in Rust source.
fn kinds_in(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for pat in ["\"ev\": \"", "\"ev\":\"", "[\"ev\"] = json!(\""] {
        for (at, _) in src.match_indices(pat) {
            let rest = &src[at + pat.len()..];
            let word: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !word.is_empty() && rest[word.len()..].starts_with('"') {
                out.push(word);
            }
        }
    }
    out
}

/// Object keys written by the JSON builders: `"key":` inside `json!` and
/// `v["key"] =` assignments.
fn keys_in(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let word = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    for (at, _) in src.match_indices("[\"") {
        let w = word(&src[at + 2..]);
        if !w.is_empty() && src[at + 2 + w.len()..].starts_with("\"] = ") {
            out.insert(w);
        }
    }
    for (at, _) in src.match_indices('"') {
        let w = word(&src[at + 1..]);
        let after = &src[at + 1 + w.len()..];
        if !w.is_empty() && (after.starts_with("\": ") || after.starts_with("\":")) {
            out.insert(w);
        }
    }
    out
}

#[test]
fn every_event_kind_and_field_is_on_the_schema_page() {
    let page = read("docs/events.md");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let mut kinds = BTreeSet::new();
    for f in &files {
        let src = std::fs::read_to_string(f).expect("source");
        for k in kinds_in(&src) {
            kinds.insert(k);
        }
    }
    for known in ["call", "data", "listening", "connected", "eof", "closed", "fatal", "totals"] {
        assert!(kinds.contains(known), "the scan missed {known}: {kinds:?}");
    }
    for kind in &kinds {
        assert!(
            page.contains(&format!("| `{kind}` |")),
            "event kind {kind:?} is emitted but has no row in docs/events.md"
        );
    }
    // The fields, from the files that build the JSON lines.
    let mut writers = vec![root.join("src/json.rs"), root.join("src/transcript.rs")];
    sources(&root.join("src/json"), &mut writers);
    let mut fields = BTreeSet::new();
    for f in &writers {
        fields.extend(keys_in(&std::fs::read_to_string(f).expect("source")));
    }
    assert!(fields.contains("truncated_from") && fields.contains("rtt_us"), "{fields:?}");
    for field in &fields {
        assert!(
            page.contains(&format!("`{field}`")),
            "field {field:?} is written but docs/events.md does not name it"
        );
    }
}

#[test]
fn readme_links_every_docs_page() {
    let readme = read("README.md");
    let index = read("docs/README.md");
    for entry in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")).expect("docs/")
    {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        if name == "README.md" {
            assert!(readme.contains("(docs/README.md)"), "README links docs/README.md");
            continue;
        }
        assert!(index.contains(&format!("]({name})")), "docs/README.md links {name}");
    }
    assert!(readme.contains("cargo install --path ."), "README says how to install");
}

#[test]
fn nothing_user_facing_names_internal_documents() {
    for page in [
        "README.md",
        "docs/README.md",
        "docs/cli.md",
        "docs/headless.md",
        "docs/errors.md",
        "docs/events.md",
        "docs/keys.md",
        "docs/architecture.md",
    ] {
        let text = read(page).to_lowercase();
        for word in ["design.md", "the seed", "seed's", "issue "] {
            assert!(!text.contains(word), "{page} names {word:?}");
        }
    }
}
