//! The terminal front end: sets the terminal up, runs the event loop over
//! the engine sessions, and puts the terminal back however the program ends
//! (quit, error, panic, SIGTERM/SIGHUP).

mod clipboard;
mod event_loop;
mod export;
mod learn;
pub mod record;
mod sessions;
pub mod terminal;
mod wire;

use std::process::ExitCode;

use tokio::sync::mpsc;

use crate::app::wire::Status;
use crate::app::{App, Clock};
use crate::cli::Plan;
use crate::net::CHANNEL_DEPTH;
pub use event_loop::Exit;

/// What reaches the UI loop on its one channel: an engine event or a
/// captured segment, each tagged with its end.
#[derive(Debug)]
pub enum Incoming {
    Engine(usize, crate::net::Event),
    Segment(usize, crate::wire::Segment),
}

/// Runs the TUI for a parsed plan until the user quits. Builds its own
/// multi-threaded runtime; the CLI must be parsed before (bad usage never
/// touches the terminal).
///
/// # Errors
/// When the terminal cannot be set up or drawn to.
pub fn run(plan: Plan, isolation: crate::netns::Isolation) -> color_eyre::Result<ExitCode> {
    // Asked before any thread exists; the clock shows local times from it.
    let offset = terminal::local_offset();
    // run.rs may have installed it already; either way a report is printed.
    let _ = color_eyre::install();
    terminal::install_panic_hook();
    // The record files open before the terminal is touched: a bad path is
    // a plain message and exit 1.
    // F9's in-memory capture and F10's script: an eighth of --history-bytes each.
    let caps = plan.history_bytes / 8;
    let mut recorder = match record::Recorder::open(&plan.record, plan.ends.len(), plan.demo, caps)
    {
        Ok(recorder) => recorder,
        Err(message) => {
            eprintln!("sockpit: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let export = plan.record.export_py.as_deref();
    let opened = export::Scripts::open(export, plan.ends.len(), plan.lang, plan.demo, caps);
    let mut scripts = match opened {
        Ok(scripts) => scripts,
        Err(message) => {
            eprintln!("sockpit: {message}");
            return Ok(ExitCode::FAILURE);
        }
    };
    // One thread for the UI loop and the sessions: an event handed from a
    // socket task to the loop wakes no other thread (under a flood those
    // wake-ups were half the process's time), and every long-lived byte is
    // allocated where it is freed (worker threads' malloc arenas held ~13
    // MiB of holes under a flood). Nothing here blocks: DNS and files go to
    // tokio's blocking pool, drawing a frame takes about a millisecond.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let records = (&mut recorder, &mut scripts);
    let exit = runtime.block_on(async move {
        let mut app = App::from_plan(&plan, Clock::system(offset));
        app.isolation = isolation;
        let keeper = plan.lesson.and_then(|n| learn::Keeper::open(&mut app, n));
        let (tx, rx) = mpsc::channel(CHANNEL_DEPTH);
        let mut sessions = sessions::Sessions::new(plan.ends, plan.demo, tx);
        // The first ends' captures open before the terminal is taken, so
        // `--wire` (capture or nothing) can still say why on stderr.
        sessions.open_capture(0);
        let news = sessions.news();
        if plan.wire
            && let Some((_, Status::Unavailable(why))) =
                news.iter().find(|(_, s)| matches!(s, Status::Unavailable(_)))
        {
            eprintln!("sockpit: {why}");
            return Ok(Exit::Failure);
        }
        for (end, status) in news {
            records.0.wire(end, &status);
            for tls in sessions.tls_configs(end) {
                records.0.tls_keys(end, &tls);
            }
            app.wire_status(end, status);
        }
        let mut guard = terminal::setup()?;
        for end in sessions.start() {
            app.started(end);
        }
        let exit =
            event_loop::run(&mut guard.terminal, &mut app, &mut sessions, records, keeper, rx)
                .await;
        // Give the shell its terminal back before waiting on sockets.
        drop(guard);
        sessions.shutdown().await;
        exit
    });
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    if let Some(problem) = scripts.finish() {
        eprintln!("sockpit: {problem}");
    }
    Ok(match exit? {
        Exit::Quit => ExitCode::SUCCESS,
        Exit::Failure => ExitCode::FAILURE,
        Exit::Signal(sig) => ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)),
    })
}
