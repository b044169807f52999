//! The terminal front end: sets the terminal up, runs the event loop over
//! the engine sessions, and puts the terminal back however the program ends
//! (quit, error, panic, SIGTERM/SIGHUP).

mod clipboard;
mod compose;
mod event_loop;
mod export;
pub mod input;
mod learn;
pub(crate) mod record;
mod sessions;
pub mod terminal;
mod upload;
mod wire;

use std::process::ExitCode;

use tokio::sync::mpsc;

use crate::app::Clock;
use crate::app::wire::Status;
use crate::cli::Plan;
use crate::net::CHANNEL_DEPTH;
pub use compose::app_from_plan;
pub use event_loop::Exit;

/// What reaches the UI loop on its one channel: an engine event or a
/// captured segment, each tagged with its end.
#[derive(Debug)]
pub(crate) enum Incoming {
    Engine(usize, crate::net::Event),
    Segment(usize, crate::wire::Segment),
    /// How end `.0`'s `/file` goes, from the task streaming it.
    File(usize, crate::app::send::FileNews),
}

/// Runs the TUI for a parsed plan until the user quits. Builds its own
/// single-threaded runtime; the CLI must be parsed before (bad usage never
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
    let mut records = match Records::open(&plan) {
        Ok(records) => records,
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
    let clock = Clock::system(offset);
    let exit = runtime.block_on(drive(plan, isolation, clock, &mut records, || {
        Ok((terminal::setup()?, input::terminal()?))
    }));
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    if let Some(problem) = records.scripts.finish() {
        eprintln!("sockpit: {problem}");
    }
    Ok(match exit? {
        Exit::Quit => ExitCode::SUCCESS,
        Exit::Failure => ExitCode::FAILURE,
        Exit::Signal(sig) => ExitCode::from(u8::try_from(128 + sig).unwrap_or(1)),
    })
}

/// What the TUI writes besides the screen: `--log`/`--pcap`/F9 and the
/// Python scripts (F10, `--export-py`).
pub struct Records {
    recorder: record::Recorder,
    scripts: export::Scripts,
}

impl Records {
    /// Opens the plan's record files (before the terminal is taken).
    ///
    /// # Errors
    /// A message in the error grammar when a file cannot be created.
    pub fn open(plan: &Plan) -> Result<Self, crate::file_error::FileError> {
        // F9's in-memory capture and F10's script: an eighth of
        // --history-bytes each.
        let caps = plan.history_bytes / 8;
        let ends = plan.ends.len();
        let recorder = record::Recorder::open(&plan.record, ends, plan.demo, caps)?;
        let export = plan.record.export_py.as_deref();
        let scripts = export::Scripts::open(export, ends, plan.lang, plan.demo, caps)?;
        Ok(Self { recorder, scripts })
    }
}

/// The whole TUI on the current Tokio runtime: starts the plan's sessions,
/// calls `open` for a screen and its inputs once the captures are known
/// (so `--wire` can still fail on stderr), runs the UI loop until it ends
/// and closes the sessions after the screen is given back. `tui::run` opens
/// the real terminal; tests pass a `TestBackend` and keys of their own.
///
/// # Errors
/// When `open` fails or drawing fails.
pub async fn drive<S, I>(
    plan: Plan,
    isolation: crate::netns::Isolation,
    clock: Clock,
    records: &mut Records,
    open: impl FnOnce() -> std::io::Result<(S, I)>,
) -> color_eyre::Result<Exit>
where
    S: terminal::Screen,
    I: futures_util::Stream<Item = input::Input> + Unpin,
{
    let mut app = app_from_plan(&plan, clock);
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
        records.recorder.wire(end, &status);
        for tls in sessions.tls_configs(end) {
            records.recorder.tls_keys(end, &tls);
        }
        app.wire_status(end, status);
    }
    let (mut screen, input) = open()?;
    for end in sessions.start() {
        app.started(end);
    }
    let records = (&mut records.recorder, &mut records.scripts);
    let exit =
        event_loop::run(&mut screen, input, &mut app, &mut sessions, records, keeper, rx).await;
    // Give the shell its terminal back before waiting on sockets.
    drop(screen);
    sessions.shutdown().await;
    exit
}
