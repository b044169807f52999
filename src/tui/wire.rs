//! The capture behind the Wire pane: one per TCP/UDP end, opened before
//! that end's first socket (so a client's SYN is seen), its segments
//! tagged with the end and sent into the loop's one channel beside the
//! engine's events. `net/` knows nothing of it.
//!
//! Without `CAP_NET_RAW` nothing else changes: the end's capture is
//! [`Status::Unavailable`] with the reason, and the pane says it.

use tokio::sync::mpsc;

use super::Incoming;
use crate::app::wire::Status;
use crate::net::{Event, EventKind, Role, Target};
use crate::wire::{Capture, Link, Ports, SNAP_WHOLE, Watch};

/// Segments waiting between the capture's thread and the loop's channel.
/// Each holds its whole frame (up to 64 KiB on `lo`): past this the kernel
/// queue fills and drops frames rather than the TUI's memory growing.
const DEPTH: usize = 64;

/// One end's capture.
enum Tap {
    /// Not opened yet (the demo's client waits for the server's port).
    Closed,
    Live(Watch),
    /// Nothing to capture (Unix sockets), or opening failed.
    Off,
}

/// Every end's capture.
pub struct Taps {
    taps: Vec<Tap>,
    events: mpsc::Sender<Incoming>,
}

impl Taps {
    #[must_use]
    pub fn new(ends: usize, events: mpsc::Sender<Incoming>) -> Self {
        Self { taps: (0..ends).map(|_| Tap::Closed).collect(), events }
    }

    /// Opens end `i`'s capture for `role` unless it was opened before; the
    /// status to show, `None` when nothing changed. Call inside the runtime,
    /// before the end's session starts.
    pub fn open(&mut self, i: usize, role: &Role) -> Option<Status> {
        let tap = self.taps.get_mut(i)?;
        if !matches!(tap, Tap::Closed) {
            return None;
        }
        let Some((link, ports)) = session_ports(role) else {
            *tap = Tap::Off;
            return Some(Status::Off);
        };
        let opened = Capture::open(link, ports, SNAP_WHOLE).and_then(|capture| {
            let (tx, mut rx) = mpsc::channel(DEPTH);
            let watch = capture.spawn(tx)?;
            let events = self.events.clone();
            tokio::spawn(async move {
                while let Some(seg) = rx.recv().await {
                    if events.send(Incoming::Segment(i, seg)).await.is_err() {
                        break;
                    }
                }
            });
            Ok(watch)
        });
        match opened {
            Ok(watch) => {
                *tap = Tap::Live(watch);
                Some(Status::Live { link: link.name() })
            }
            Err(err) => {
                *tap = Tap::Off;
                Some(Status::Unavailable(err.0))
            }
        }
    }

    /// Watches the port an engine event of end `i` announces (a server on
    /// port 0, a client's local port); call before the event is shown.
    pub fn observe(&mut self, i: usize, event: &Event) {
        let Some(Tap::Live(watch)) = self.taps.get_mut(i) else { return };
        let (EventKind::Listening { local, .. } | EventKind::Connected { local, .. }) = &event.kind
        else {
            return;
        };
        if let Some(addr) = local.inet() {
            // A refused filter leaves the old one: the pane misses this
            // port's segments rather than the session stopping.
            let _ = watch.add_local(addr.port());
        }
    }

    /// Stops every capture (the program is ending).
    pub fn stop(&mut self) {
        for tap in &mut self.taps {
            if let Tap::Live(watch) = tap {
                watch.stop(std::time::Duration::ZERO);
            }
        }
    }
}

/// The link and the ports to watch for `role`: a server's own port, or
/// the port a client connects to; `None` for Unix sockets.
#[must_use]
pub fn session_ports(role: &Role) -> Option<(Link, Ports)> {
    let (ip, port) = match role.target() {
        Target::Addr(addr) => (Some(addr.ip()), addr.port()),
        Target::Host(_, port) => (None, port),
        Target::Unix(_) => return None,
    };
    let mut ports = Ports::default();
    if role.is_server() {
        ports.add_local(port);
    } else {
        ports.add_remote(port);
    }
    Some((Link::for_ip(ip), ports))
}
