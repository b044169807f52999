//! An idle connection costs little: until its first byte, command or hold
//! change, a connection's task is only this small wait, and the full
//! driver (its buffers, select arms, TLS and sampling state: ~10 KiB of
//! future) is allocated when something happens. A `--keep-open` server
//! holding 10,000 silent clients keeps 10,000 small tasks, not 10,000
//! large ones.

use crate::net::driver::stream::Connection;
use crate::net::session::ctx::{Out, SockInbox};

impl Connection {
    /// Runs the connection, lean while it is idle (when nothing needs the
    /// task before then: no sampling timer, no TLS handshake to start).
    pub(crate) async fn run_lean(self, mut inbox: SockInbox) {
        let first = if self.ctx.sample_every.is_none() && self.tls.is_none() {
            self.first_activity(&mut inbox).await
        } else {
            None
        };
        // Boxed: the large future exists only from here on.
        Box::pin(self.run(inbox, first)).await;
    }

    /// Waits for the first thing the full driver must handle; returns the
    /// command it took from the inbox, if that was it. A closed inbox or a
    /// hold that went away are left for the driver to find again.
    async fn first_activity(&self, inbox: &mut SockInbox) -> Option<Out> {
        loop {
            let out = tokio::select! {
                biased;
                _ = inbox.hold.changed() => return None,
                out = inbox.out.recv() => out,
                ready = self.stream.readable() => match ready.and_then(|()| self.stream.try_peek()) {
                    // Woken with nothing to read (readiness tokio had
                    // from before): cleared, wait again.
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    _ => return None,
                },
            };
            match out {
                // A headless `--keep-open` server whose stdin has ended
                // shuts every new connection's writing side at once: that
                // is no reason to wake the whole driver.
                Some(Out::Shutdown(how)) => Box::pin(self.shutdown_plain(how)).await,
                other => return other,
            }
        }
    }
}
