//! The subcommands that describe sockpit rather than run a session:
//! shell completions and the manual page, both generated from the clap
//! definitions so they never drift from `--help`; and the version string.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

/// `--version`: the package version and the commit it was built from
/// (`build.rs`; "no git hash" when built outside a git checkout).
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("SOCKPIT_GIT_HASH"), ")");

/// `sockpit completions SHELL`: the completion script on stdout.
#[must_use]
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "sockpit", &mut std::io::stdout());
    ExitCode::SUCCESS
}

/// `sockpit man`: the manual page, roff on stdout, with a section per
/// subcommand so `man -l` shows every option.
#[must_use]
pub fn man() -> ExitCode {
    let mut out = Vec::new();
    match write_man(&mut out) {
        // A closed stdout (`sockpit man | head`) is not a failure.
        Ok(()) => {
            let _ = std::io::stdout().write_all(&out);
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("sockpit: cannot render the manual page: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The page: `clap_mangen`'s sections for the top command, then each
/// subcommand's options under its own heading.
fn write_man(out: &mut Vec<u8>) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    for sub in cmd.get_subcommands() {
        sub_sections(sub, &format!("sockpit {}", sub.get_name()), out)?;
    }
    examples(out)?;
    page.render_version_section(out)?;
    Ok(())
}

/// One subcommand's synopsis and options (and its own subcommands'),
/// headed with its full name.
fn sub_sections(cmd: &clap::Command, name: &str, out: &mut Vec<u8>) -> std::io::Result<()> {
    if cmd.get_name() == "help" {
        return Ok(());
    }
    if cmd.has_subcommands() {
        for sub in cmd.get_subcommands() {
            sub_sections(sub, &format!("{name} {}", sub.get_name()), out)?;
        }
        return Ok(());
    }
    writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
    let page = clap_mangen::Man::new(cmd.clone());
    // The usage line, with the positional arguments the options list lacks.
    let usage = cmd.clone().bin_name(name).render_usage().to_string();
    let usage = usage.trim_start_matches("Usage: ");
    writeln!(out, ".B {}\n.PP", roff_text(usage))?;
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        writeln!(out, "{}", roff_text(&about.to_string()))?;
    }
    let mut sub = Vec::new();
    page.render_options_section(&mut sub)?;
    // The options section comes with its own `.SH OPTIONS` heading: keep
    // it as a sub-heading of this subcommand.
    let text = String::from_utf8_lossy(&sub).replacen(".SH OPTIONS", ".SS Options", 1);
    out.write_all(text.as_bytes())
}

/// The examples of `--help`, kept as typed (no filling).
fn examples(out: &mut Vec<u8>) -> std::io::Result<()> {
    let text = super::EXAMPLES.strip_prefix("Examples:\n").unwrap_or(super::EXAMPLES);
    writeln!(out, ".SH EXAMPLES\n.nf\n{}\n.fi", roff_text(text))
}

/// Text for roff: a backslash is written `\e`, and a leading `.` or `'`
/// would be a request.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|l| if l.starts_with(['.', '\'']) { format!("\\&{l}") } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}
