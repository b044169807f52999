//! How one direction's faults shape its bytes: toxiproxy's toxics as they
//! are rolled for a connection (`WayFaults`), and a chunk passed through
//! them — dropped (`timeout`), cut (`limit_data`), delayed (`latency`),
//! sliced (`slicer`) and paced (`bandwidth`) on its way to the other leg.

use std::io;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::net::event::Call;
use crate::net::relay::fault::Toxic;
use crate::net::relay::pump::{Ended, Pump};

/// One direction's faults, decided once per connection (probabilities
/// rolled when it was accepted).
#[derive(Debug, Clone, Default)]
pub(crate) struct WayFaults {
    pub latency: Option<(Duration, Duration)>,
    /// Bytes per second.
    pub bandwidth: Option<u64>,
    pub slicer: Option<(usize, usize, Duration)>,
    pub limit: Option<u64>,
    /// `Some(None)`: never forward, never close.
    #[expect(clippy::option_option, reason = "unset, set without a time, set with one")]
    pub timeout: Option<Option<Duration>>,
    pub slow_close: Option<Duration>,
}

impl WayFaults {
    /// Adds one toxic.
    pub fn add(&mut self, toxic: Toxic) {
        match toxic {
            Toxic::Latency { delay, jitter } => self.latency = Some((delay, jitter)),
            Toxic::Bandwidth { kib_per_sec } => self.bandwidth = Some(kib_per_sec * 1024),
            Toxic::Slicer { size, variation, delay } => {
                self.slicer = Some((size, variation, delay));
            }
            Toxic::LimitData { bytes } => self.limit = Some(bytes),
            Toxic::Timeout { after } => self.timeout = Some(after),
            Toxic::SlowClose { delay } => self.slow_close = Some(delay),
            // The pair's own timer, not a direction's.
            Toxic::ResetPeer { .. } => {}
        }
    }

    /// Whether every chunk goes straight through.
    fn none(&self) -> bool {
        self.latency.is_none()
            && self.bandwidth.is_none()
            && self.slicer.is_none()
            && self.limit.is_none()
            && self.timeout.is_none()
    }
}

impl Pump<'_> {
    /// One chunk through this direction's faults; `Some` when that ends it.
    pub(super) async fn pass(&mut self, mut chunk: Bytes) -> Option<Ended> {
        if self.faults.timeout.is_some() {
            // toxiproxy's timeout: what arrives is dropped.
            return None;
        }
        let mut reached = false;
        if let Some(limit) = self.faults.limit {
            let room = limit.saturating_sub(self.written - self.counted_from);
            if chunk.len() as u64 >= room {
                chunk.truncate(usize::try_from(room).unwrap_or(usize::MAX));
                reached = true;
            }
        }
        if let Err(err) = self.forward(&chunk).await {
            let call = Call::SendAll { len: chunk.len() };
            return Some(Ended::Failed(self.to.id, self.to.var, call, err));
        }
        reached.then_some(Ended::Fault("limit_data"))
    }

    /// Writes `chunk` to the other leg through this direction's faults.
    async fn forward(&mut self, chunk: &Bytes) -> io::Result<()> {
        if self.faults.none() {
            return self.send(chunk.clone()).await;
        }
        if let Some((delay, jitter)) = self.faults.latency {
            // delay ± jitter, uniformly.
            let jitter_us = u64::try_from(jitter.as_micros()).unwrap_or(u64::MAX);
            let spread = Duration::from_micros(self.dice.upto(jitter_us.saturating_mul(2)));
            tokio::time::sleep(delay.saturating_sub(jitter) + spread).await;
        }
        let mut at = 0;
        while at < chunk.len() {
            let mut piece = chunk.len() - at;
            if let Some((size, variation, _)) = self.faults.slicer {
                let var =
                    usize::try_from(self.dice.upto(variation as u64 * 2)).unwrap_or(usize::MAX);
                piece = piece.min((size + var).saturating_sub(variation).max(1));
            }
            if let Some(rate) = self.faults.bandwidth {
                // Pieces of a tenth of a second keep the pace smooth.
                piece = piece.min(usize::try_from(rate / 10).unwrap_or(usize::MAX).max(1));
                let start = *self.paced_from.get_or_insert_with(Instant::now);
                let paced = self.written - self.counted_from;
                #[expect(clippy::cast_precision_loss, reason = "a pace, not a count")]
                let due = Duration::from_secs_f64(paced as f64 / rate as f64);
                tokio::time::sleep_until(start + due).await;
            }
            self.send(chunk.slice(at..at + piece)).await?;
            at += piece;
            if let (Some((_, _, delay)), true) = (self.faults.slicer, at < chunk.len()) {
                tokio::time::sleep(delay).await;
            }
        }
        Ok(())
    }
}
