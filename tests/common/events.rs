//! Engine events built by hand for the app and UI tests, in one time unit:
//! **milliseconds after [`T0`]** (events carry microseconds since the epoch;
//! every builder here takes `ms` and converts once). Also the two things
//! every such test does with them: feed an end, draw a frame.
//!
//! Prefer a recorded fixture (`tests/fixtures/`, replayed with
//! [`super::load`]) where the engine's own events matter; these builders are
//! for a state the engine cannot be asked to reach on a test machine (a
//! hostile peer's bytes, ten thousand sockets, a kernel state at one
//! instant).

use std::net::SocketAddr;

use bytes::Bytes;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sockpit::app::App;
use sockpit::net::{CallError, CallRecord, DataRecord, Dir, Event, EventKind, Returned};

pub use sockpit::net::Call;

/// The clock of every hand-built session: 2023-11-14 22:13:20 UTC, in
/// microseconds (the app's clock and events count microseconds).
pub const T0: u64 = 1_700_000_000_000_000;

/// `ms` milliseconds after [`T0`], in the events' microseconds.
#[must_use]
pub const fn us(ms: u64) -> u64 {
    T0 + ms * 1000
}

/// A literal `IP:PORT`.
#[must_use]
pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

/// An event `ms` milliseconds after [`T0`].
#[must_use]
pub fn at(ms: u64, kind: EventKind) -> Event {
    Event { at: us(ms), kind }
}

/// A call on socket `sock` (Python variable `var`) that returned `result`.
#[must_use]
pub fn call(ms: u64, sock: u32, var: &'static str, call: Call, result: Returned) -> Event {
    at(ms, EventKind::Call(CallRecord { sock, var, call, result: Ok(result) }))
}

/// A call that raised `err`.
#[must_use]
pub fn failed(ms: u64, sock: u32, var: &'static str, call: Call, err: CallError) -> Event {
    at(ms, EventKind::Call(CallRecord { sock, var, call, result: Err(err) }))
}

/// Bytes that crossed socket `sock` to or from `peer` (`IP:PORT`), at
/// stream offset `offset` (a datagram's number on UDP).
#[must_use]
pub fn data(ms: u64, sock: u32, dir: Dir, peer: &str, bytes: &[u8], offset: u64) -> Event {
    let data = Bytes::copy_from_slice(bytes);
    at(ms, EventKind::Data(DataRecord { sock, dir, peer: Some(addr(peer).into()), data, offset }))
}

/// What a recv returned: `bytes`, from no address, not truncated.
#[must_use]
pub fn received(bytes: &[u8]) -> Returned {
    Returned::Data { data: Bytes::copy_from_slice(bytes), from: None, truncated: None }
}

/// Every event to end `end` of `app`, in order.
pub fn feed(app: &mut App, end: usize, events: impl IntoIterator<Item = Event>) {
    for ev in events {
        app.on_engine(end, &ev);
    }
}

/// One frame of the whole screen at `w`×`h` (a test that only checks that
/// drawing does not panic drops it).
pub fn draw(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    terminal.backend().clone()
}
