//! Picks the mode for a plan and runs it: headless when asked or when stdin
//! or stdout is not a terminal, otherwise the TUI.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::cli::{self, Cli, Mode, Plan, Verbosity};
use crate::headless;
use crate::net::{Kind, limits};
use crate::netns::{self, Isolation};

/// Runs sockpit for a parsed command line; returns the process exit code.
#[must_use]
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Mode::Completions { shell }) => return cli::completions(shell),
        Some(Mode::Man) => return cli::man(),
        Some(Mode::Replay { file }) => return crate::replay::view::main(&file),
        _ => {}
    }
    // `sockpit learn N` runs the chapter's own command line with a lesson.
    let (cli, lesson) = match &cli.command {
        Some(Mode::Learn { chapter, lang }) => {
            match crate::course::open::open(chapter.as_deref(), *lang, cli.join) {
                Ok(opened) => opened,
                Err(code) => return code,
            }
        }
        _ => (cli, None),
    };
    // Namespaces come first: the kernel lets only a single-threaded process
    // enter one, and nothing below has started a thread yet.
    let joined = cli.join.is_some();
    if let Some(pid) = cli.join
        && let Err(message) = netns::join(pid)
    {
        eprintln!("sockpit: {message}");
        return ExitCode::FAILURE;
    }
    let mut plan = cli.plan();
    plan.lesson = lesson;
    // A server holding a thousand connections needs more than the default
    // soft limit of 1024 files; failing to raise it is not fatal.
    let _ = limits::raise_open_files();
    if let Some(message) = misuse(&plan) {
        return usage(message);
    }
    if let Err(error) = build_tls(&mut plan) {
        eprintln!("sockpit: {}", crate::sanitize::visible_text(error.to_string().as_bytes()));
        return ExitCode::FAILURE;
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    if plan.headless || !interactive {
        if plan.ends.iter().any(|e| e.config.step) {
            return usage(
                "--step needs the TUI: in step mode the student types each call, and headless \
                 nobody can (run it in a terminal, without --headless)",
            );
        }
        if plan.history_given {
            return usage(
                "--history and --history-bytes are for the TUI: headless keeps no history",
            );
        }
        if plan.lang_given && plan.record.export_py.is_none() {
            return usage(
                "--lang is for the TUI's explanations and the comments of --export-py: \
                 headless events are not explained",
            );
        }
        let Some(isolation) = isolate(&plan, joined) else { return ExitCode::FAILURE };
        return run_headless(&plan, &isolation);
    }
    if plan.events_given {
        return usage("--events needs --headless: the TUI shows events on screen");
    }
    if plan.stats.is_some() {
        return usage("--stats needs --headless: the TUI shows the figures live");
    }
    if plan.verbosity != Verbosity::Normal {
        return usage(
            "-q and -v need --headless: they choose the event lines on stderr, and the TUI \
             shows every call on screen",
        );
    }
    if plan.ends.iter().any(|e| e.source.is_some() || e.sink) {
        return usage(
            "--source and --sink need --headless: they move bytes nobody types or reads \
             (in the TUI, send a file with /file PATH)",
        );
    }
    let Some(isolation) = isolate(&plan, joined) else { return ExitCode::FAILURE };
    match crate::tui::run(plan, isolation) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("sockpit: {report:?}");
            ExitCode::FAILURE
        }
    }
}

/// What no session of this plan can do (Unix, relay and TLS limits), said
/// before anything starts; the lesson validator asks it of every chapter.
pub(crate) fn misuse(plan: &Plan) -> Option<&'static str> {
    unix_misuse(plan).or_else(|| relay_misuse(plan)).or_else(|| tls_misuse(plan))
}

/// What a Unix socket session cannot do, said before anything starts.
fn unix_misuse(plan: &Plan) -> Option<&'static str> {
    let end = plan.ends.first()?;
    let role = &end.config.role;
    if !role.is_unix() {
        return None;
    }
    if end.config.step && role.kind() != Kind::Stream {
        return Some(
            "--step teaches Unix stream sockets (and TCP, UDP): drop --dgram or --seqpacket",
        );
    }
    if plan.record.pcap.is_some() {
        return Some(
            "--pcap writes IP packets, and Unix sockets send none: use --log for their bytes",
        );
    }
    if plan.record.export_py.is_some() {
        return Some("--export-py writes TCP and UDP scripts: use --log for a Unix session");
    }
    if end.config.broker && role.kind() != Kind::Stream {
        return Some("--broker relays streams: drop --dgram or --seqpacket");
    }
    None
}

/// What a relay cannot do, said before anything starts.
fn relay_misuse(plan: &Plan) -> Option<&'static str> {
    let end = plan.ends.first().filter(|e| e.config.relay.is_some())?;
    if end.config.step {
        return Some("--step teaches one end's calls; a relay makes them for two: run it without");
    }
    if plan.record.export_py.is_some() {
        return Some("--export-py writes one end's script; a relay is two: use --log or --pcap");
    }
    let faults = end.config.relay.as_ref().is_some_and(|r| !r.faults.is_empty());
    if faults && end.config.role.kind() == crate::net::Kind::Dgram {
        return Some(
            "--fault acts on streams (tcp and unix relays); a udp relay passes datagrams as they come",
        );
    }
    None
}

/// What `--tls` cannot be combined with, said before anything starts.
fn tls_misuse(plan: &Plan) -> Option<&'static str> {
    let end = plan.ends.iter().find(|e| e.tls.is_some() || e.tls_upstream.is_some())?;
    let options = end.tls.as_ref().or(end.tls_upstream.as_ref())?;
    if end.config.step {
        return Some("--tls with --step is not taught yet: step mode shows the socket calls only");
    }
    if let (Some(min), Some(max)) = (options.min, options.max) {
        if min > max {
            return Some("--tls-min is newer than --tls-max: no version is left");
        }
    }
    let unix_target = end
        .config
        .relay
        .as_ref()
        .is_some_and(|r| matches!(r.upstream, crate::net::Target::Unix(_)));
    if end.tls_upstream.is_some() && unix_target {
        return Some("--tls-upstream speaks TLS over TCP, and TARGET is a Unix socket");
    }
    None
}

/// Builds each end's TLS configuration (files are read here: a failure is
/// a runtime error, exit 1).
fn build_tls(plan: &mut Plan) -> Result<(), crate::net::SetupError> {
    for end in &mut plan.ends {
        let Some(options) = end.tls.clone() else { continue };
        let built = if end.config.role.is_server() {
            crate::net::tls::Tls::server(options)?
        } else {
            let host = match end.config.role.target() {
                crate::net::Target::Addr(a) => a.ip().to_string(),
                crate::net::Target::Host(host, _) => host,
                crate::net::Target::Unix(_) => String::new(),
            };
            crate::net::tls::Tls::client(options, &host)?
        };
        end.config.tls = Some(built);
    }
    for end in &mut plan.ends {
        let (Some(options), Some(relay)) = (end.tls_upstream.clone(), end.config.relay.as_mut())
        else {
            continue;
        };
        let host = match &relay.upstream {
            crate::net::Target::Addr(a) => a.ip().to_string(),
            crate::net::Target::Host(host, _) => host.clone(),
            crate::net::Target::Unix(_) => String::new(),
        };
        relay.upstream_tls = Some(crate::net::tls::Tls::client(options, &host)?);
    }
    Ok(())
}

fn run_headless(plan: &Plan, isolation: &Isolation) -> ExitCode {
    if plan.demo { headless::demo(plan, isolation) } else { headless::run(plan) }
}

/// The demo's own network, unless `--no-netns` or `--join`; `None` when
/// it was entered and could not be set up (said on stderr: exit 1).
fn isolate(plan: &Plan, joined: bool) -> Option<Isolation> {
    if !plan.demo || !plan.netns || joined {
        return Some(Isolation::Host);
    }
    match netns::isolate() {
        Ok(isolation) => Some(isolation),
        Err(problem) => {
            eprintln!("sockpit: {problem}");
            None
        }
    }
}

/// Bad usage found after parsing: a message like clap's, and exit 2.
fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}\n\nFor more information, try '--help'.");
    ExitCode::from(2)
}
