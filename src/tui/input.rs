//! What drives the UI loop from outside the program: the terminal's events
//! and the signals that end it, merged into one stream of [`Input`]. The
//! loop takes any such stream, so a test drives the whole loop with keys of
//! its own; the real one is built here by [`terminal`].

use std::pin::Pin;

use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::signal::unix::{SignalKind, signal};

/// One thing from outside for the UI loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key, paste, mouse event or resize.
    Term(TermEvent),
    /// SIGTERM or SIGHUP, by number: the loop ends with it.
    Signal(i32),
    /// The terminal is gone (its reader failed): the loop ends as a quit.
    Lost,
}

/// A stream of inputs the loop can hold across `.await`s.
pub type Inputs = Pin<Box<dyn Stream<Item = Input> + Send>>;

/// The real inputs: crossterm's event stream, SIGTERM and SIGHUP. Must be
/// called inside the Tokio runtime (the signal handlers register with it).
///
/// # Errors
/// When the signal handlers cannot be installed.
pub fn terminal() -> std::io::Result<Inputs> {
    // crossterm's stream ending (no terminal left) ends the loop too.
    let events = EventStream::new()
        .map(|ev| ev.map_or(Input::Lost, Input::Term))
        .chain(stream::once(std::future::ready(Input::Lost)));
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let signals = stream::poll_fn(move |cx| {
        if term.poll_recv(cx).is_ready() {
            return std::task::Poll::Ready(Some(Input::Signal(libc::SIGTERM)));
        }
        hup.poll_recv(cx).map(|_| Some(Input::Signal(libc::SIGHUP)))
    });
    Ok(Box::pin(stream::select(events, signals)))
}
