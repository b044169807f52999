//! Build step: the git commit sockpit is built from, for `--version`.
//! Outside a git checkout (a source tarball) it says so instead.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

fn main() {
    let hash = git(&["rev-parse", "--short=12", "HEAD"]);
    // Uncommitted changes are not flagged: the build script reruns only
    // when HEAD moves, so such a flag would go stale.
    let label = hash.map_or_else(|| "no git hash".to_string(), |h| format!("git {h}"));
    println!("cargo:rustc-env=SOCKPIT_GIT_HASH={label}");
    // Rebuild when HEAD moves (a commit, checkout or merge); worktrees keep
    // their HEAD and reflog outside `.git/`, so ask git where they are.
    for path in ["HEAD", "logs/HEAD"] {
        if let Some(p) = git(&["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={p}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
