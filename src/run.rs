//! Picks the mode for a plan and runs it.

use std::process::ExitCode;

use crate::cli::Cli;

/// Runs sockpit for a parsed command line; returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> ExitCode {
    let _plan = cli.plan();
    ExitCode::SUCCESS
}
