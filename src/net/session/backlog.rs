//! What waits for a connection whose peer does not read. A server with many
//! clients never waits on one of them: what does not fit in the socket's
//! channel waits here, in order, up to a cap; past the cap more data for that
//! peer is refused (and reported), so one stuck peer stalls neither the
//! other connections nor the screen.

use std::collections::{BTreeMap, HashMap, VecDeque};

use tokio::sync::mpsc::error::TrySendError;

use crate::net::event::SockId;
use crate::net::session::ctx::{Out, SockHandle};

/// Bytes that may wait for one connection beyond its own queues.
pub(crate) const CAP: usize = 8 << 20;

/// Why data past [`CAP`] was not sent; the size in it is [`CAP`]'s (a unit
/// test holds the two together).
pub(crate) const REFUSED: &str =
    "the peer does not read and 8 MiB already wait for it; this was not sent";

/// The bytes an item carries.
fn size(out: &Out) -> usize {
    match out {
        Out::Data(b) | Out::DataTo(_, b) | Out::Broadcast(b) => b.len(),
        _ => 0,
    }
}

/// Items waiting per connection, oldest first.
#[derive(Default)]
pub(crate) struct Backlogs {
    queues: HashMap<SockId, (VecDeque<Out>, usize)>,
}

impl Backlogs {
    /// Hands `out` to socket `id` without waiting: into its channel when
    /// there is room and nothing waits before it, else behind what waits.
    /// Gives `out` back when that connection's backlog is full.
    pub(crate) fn offer(&mut self, id: SockId, handle: &SockHandle, out: Out) -> Result<(), Out> {
        let waiting = self.queues.get(&id).is_some_and(|(q, _)| !q.is_empty());
        let out = if waiting {
            out
        } else {
            match handle.out.try_send(out) {
                Ok(()) | Err(TrySendError::Closed(_)) => return Ok(()),
                Err(TrySendError::Full(out)) => out,
            }
        };
        let (queue, bytes) = self.queues.entry(id).or_default();
        if *bytes + size(&out) > CAP {
            return Err(out);
        }
        *bytes += size(&out);
        queue.push_back(out);
        Ok(())
    }

    /// Moves waiting items into channels that have room again, in order;
    /// forgets connections that are gone.
    pub(crate) fn drain(&mut self, handles: &BTreeMap<SockId, SockHandle>) {
        self.queues.retain(|id, (queue, bytes)| {
            let Some(handle) = handles.get(id) else { return false };
            while let Some(out) = queue.pop_front() {
                let len = size(&out);
                match handle.out.try_send(out) {
                    Ok(()) => *bytes -= len,
                    Err(TrySendError::Closed(_)) => return false,
                    Err(TrySendError::Full(out)) => {
                        queue.push_front(out);
                        break;
                    }
                }
            }
            !queue.is_empty()
        });
    }

    /// Whether anything waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }
}

#[cfg(test)]
mod cap_tests {
    #[test]
    fn the_refusal_names_the_cap() {
        let mib = super::CAP >> 20;
        assert!(super::REFUSED.contains(&format!(" {mib} MiB ")), "{}", super::REFUSED);
    }
}
