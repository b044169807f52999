//! Time as the views show it. The app never reads the system clock directly:
//! a [`Clock`] is injected, so snapshots and tests are stable, and times are
//! formatted from the events' own `at` with a fixed UTC offset.

use std::fmt;
use std::sync::Arc;

use crate::net::Micros;

/// Source of "now" plus the UTC offset used to show times.
#[derive(Clone)]
pub struct Clock {
    now: Arc<dyn Fn() -> Micros + Send + Sync>,
    /// Seconds east of UTC (0 shows UTC).
    pub offset_secs: i32,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock").field("offset_secs", &self.offset_secs).finish_non_exhaustive()
    }
}

impl Clock {
    /// The real clock, showing times at `offset_secs` from UTC.
    #[must_use]
    pub fn system(offset_secs: i32) -> Self {
        Self { now: Arc::new(crate::net::event::now_micros), offset_secs }
    }

    /// A clock stopped at `at`, in UTC (tests and snapshots).
    #[must_use]
    pub fn fixed(at: Micros) -> Self {
        Self { now: Arc::new(move || at), offset_secs: 0 }
    }

    #[must_use]
    pub fn now(&self) -> Micros {
        (self.now)()
    }

    /// `HH:MM:SS` of a time.
    #[must_use]
    pub fn hms(&self, at: Micros) -> String {
        let secs = i64::try_from(at / 1_000_000).unwrap_or(0) + i64::from(self.offset_secs);
        let day = secs.rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}", day / 3600, day % 3600 / 60, day % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_offset() {
        let at = (12 * 3600 + 34 * 60 + 56) * 1_000_000 + 999;
        let mut c = Clock::fixed(at);
        assert_eq!(c.hms(c.now()), "12:34:56");
        c.offset_secs = -13 * 3600;
        assert_eq!(c.hms(at), "23:34:56");
    }
}
