//! The sampling timer of a socket task (and of the session's kernel
//! watch): aligned ticks, backing off while nothing changes.

use std::time::Duration;

/// A socket task's sampling timer: ticks every `Ctx::sample_every`, or
/// never when sampling is off. Missed ticks are skipped, not bunched.
///
/// Every timer of one period ticks at the same instants (multiples of the
/// period since the first timer was made): a thousand sockets then wake
/// together once a tick, instead of a thousand times spread over it, which
/// keeps the runtime's threads asleep in between (measured: benches/sampling).
///
/// A timer whose ticks find nothing new backs off ([`Ticker::slower`]) to
/// [`MAX_SLOWDOWN`] times its period, and is back at its period as soon
/// as something happens ([`Ticker::reset`]): ten thousand idle connections
/// then cost a sixteenth of what they did, and one that talks is watched
/// as closely as before. The slower periods are multiples of the base one,
/// counted from the same instant, so backed-off timers still wake together.
pub(crate) struct Ticker {
    timer: Option<tokio::time::Interval>,
    period: Duration,
    /// The period now is `period * scale`.
    scale: u32,
}

/// How much slower than its period an idle timer may tick.
pub(crate) const MAX_SLOWDOWN: u32 = 16;

/// The instant the ticks of every period count from.
static EPOCH: std::sync::OnceLock<tokio::time::Instant> = std::sync::OnceLock::new();

/// A timer ticking every `period` at the multiples of it since [`EPOCH`].
fn aligned(period: Duration) -> tokio::time::Interval {
    let epoch = *EPOCH.get_or_init(tokio::time::Instant::now);
    let since = epoch.elapsed().as_nanos();
    let periods = u32::try_from(since / period.as_nanos() + 1).unwrap_or(u32::MAX);
    let mut timer = tokio::time::interval_at(epoch + period * periods, period);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    timer
}

impl Ticker {
    pub fn new(every: Option<Duration>) -> Self {
        let period = every.filter(|p| !p.is_zero());
        Self { timer: period.map(aligned), period: period.unwrap_or_default(), scale: 1 }
    }

    /// Waits for the next tick; cancel-safe, so it can sit in a `select!`.
    pub async fn tick(&mut self) {
        match &mut self.timer {
            Some(timer) => {
                timer.tick().await;
            }
            None => std::future::pending().await,
        }
    }

    /// Whether sampling is on at all (the closing sample is taken only then).
    pub fn on(&self) -> bool {
        self.timer.is_some()
    }

    /// Ticks [`MAX_SLOWDOWN`] times less often (the whole step at once:
    /// halving step by step took 15 s to get there, most of an idle
    /// crowd's cost).
    pub fn slower(&mut self) {
        if self.timer.is_some() && self.scale < MAX_SLOWDOWN {
            self.scale = MAX_SLOWDOWN;
            self.timer = Some(aligned(self.period * self.scale));
        }
    }

    /// Back to the period: something happened. Costs nothing when already
    /// there, so a busy socket may call it on every read.
    pub fn reset(&mut self) {
        if self.timer.is_some() && self.scale > 1 {
            self.scale = 1;
            self.timer = Some(aligned(self.period));
        }
    }

    /// How many periods a tick is apart now (1 when not backed off).
    #[cfg(test)]
    pub fn scale(&self) -> u32 {
        self.scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ticks of `ticker` within `span` of (paused, auto-advancing) time.
    async fn ticks_within(ticker: &mut Ticker, span: Duration) -> u32 {
        let end = tokio::time::Instant::now() + span;
        let mut n = 0;
        while tokio::time::timeout_at(end, ticker.tick()).await.is_ok() {
            n += 1;
        }
        n
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_timer_backs_off_and_is_back_at_once_when_stirred() {
        let period = Duration::from_millis(250);
        let mut ticker = Ticker::new(Some(period));
        let busy = ticks_within(&mut ticker, period * 16).await;
        assert!((15..=16).contains(&busy), "{busy} ticks in 16 periods");
        ticker.slower();
        assert_eq!(ticker.scale(), MAX_SLOWDOWN);
        let idle = ticks_within(&mut ticker, period * 32).await;
        assert!((1..=2).contains(&idle), "{idle} ticks in 32 periods backed off");
        ticker.reset();
        assert_eq!(ticker.scale(), 1);
        let again = ticks_within(&mut ticker, period * 4).await;
        assert!((3..=4).contains(&again), "{again} ticks in 4 periods after a reset");
    }

    #[tokio::test(start_paused = true)]
    async fn a_timer_that_is_off_stays_off() {
        let mut off = Ticker::new(None);
        off.slower();
        off.reset();
        assert!(!off.on());
        assert_eq!(ticks_within(&mut off, Duration::from_secs(10)).await, 0);
    }
}
