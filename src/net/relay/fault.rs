//! Faults a relay injects, named after toxiproxy's toxics so users know
//! them: `latency`, `bandwidth`, `slicer`, `limit_data`, `timeout`,
//! `reset_peer`, `slow_close`. Each applies to one direction or both, and
//! to a connection with a probability (toxiproxy's "toxicity").
//!
//! Written as `[up:|down:]KIND[=VALUE][,KEY=VALUE...]`: `latency=200ms,jitter=50ms`,
//! `down:bandwidth=64`, `limit_data=10`, `timeout=2s`, `reset_peer`,
//! `slicer=16,delay=5ms`, `slow_close=1s`, `latency=1s,p=0.5`. A duration
//! without a unit is in milliseconds, as in toxiproxy.

use std::fmt;
use std::time::Duration;

/// Which way bytes go through a relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Way {
    /// Client → server (toxiproxy's "upstream").
    Up,
    /// Server → client ("downstream").
    Down,
}

impl Way {
    /// Both ways, up first.
    pub const BOTH: [Self; 2] = [Self::Up, Self::Down];

    /// How the dump and the status bar name it.
    #[must_use]
    pub fn arrow(self) -> &'static str {
        match self {
            Self::Up => "client → server",
            Self::Down => "server → client",
        }
    }

    /// The name in `--fault` and JSON.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }
}

/// One toxic with its figures.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Toxic {
    /// Each chunk waits `delay` ± `jitter` before it is forwarded.
    Latency { delay: Duration, jitter: Duration },
    /// At most this many KiB per second.
    Bandwidth { kib_per_sec: u64 },
    /// Chunks cut into pieces of `size` ± `variation` bytes, `delay` apart.
    Slicer { size: usize, variation: usize, delay: Duration },
    /// The connection closes once this many bytes went this way.
    LimitData { bytes: u64 },
    /// Nothing goes through; the connection closes after this (never when
    /// `None`).
    Timeout { after: Option<Duration> },
    /// Both legs are reset (RST, `SO_LINGER` 0) after this long.
    ResetPeer { after: Duration },
    /// The end of this direction (FIN) is passed on this much later.
    SlowClose { delay: Duration },
}

/// A toxic, where it applies, and how often.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    pub toxic: Toxic,
    /// `None`: both ways.
    pub way: Option<Way>,
    /// Chance, per connection, that the fault applies (0..=1).
    pub probability: f64,
}

impl Fault {
    /// Whether it applies to bytes going `way`.
    #[must_use]
    pub fn applies(&self, way: Way) -> bool {
        self.way.is_none_or(|w| w == way)
    }

    /// Parses `--fault`'s text.
    ///
    /// # Errors
    /// [`FaultError`]: its Display says what is wrong (bad usage: exit 2).
    pub fn parse(text: &str) -> Result<Self, FaultError> {
        let (way, rest) = match text.split_once(':') {
            Some(("up", rest)) => (Some(Way::Up), rest),
            Some(("down", rest)) => (Some(Way::Down), rest),
            Some((other, _)) => return Err(FaultError::Direction(other.to_string())),
            None => (None, text),
        };
        let mut parts = rest.split(',').map(str::trim);
        let first = parts.next().unwrap_or_default();
        let (kind, value) = match first.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (first, None),
        };
        let mut keys = Vec::new();
        for part in parts {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| FaultError::NotKeyValue(part.to_string(), text.to_string()))?;
            keys.push((k, v));
        }
        let mut probability = 1.0;
        let mut take = |name: &str| -> Option<&str> {
            let at = keys.iter().position(|(k, _)| *k == name)?;
            Some(keys.remove(at).1)
        };
        if let Some(p) = take("p").or_else(|| take("probability")) {
            probability = p
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=1.0).contains(p))
                .ok_or_else(|| FaultError::Probability(p.to_string()))?;
        }
        let toxic = toxic(kind, value, &mut take)?;
        if let Some((k, _)) = keys.first() {
            let (key, kind, text) = ((*k).to_string(), kind.to_string(), text.to_string());
            return Err(FaultError::Key { key, kind, text });
        }
        Ok(Self { toxic, way, probability })
    }
}

/// The toxic named `kind`, its figures from `value` and the keys.
fn toxic<'a>(
    kind: &str,
    value: Option<&'a str>,
    take: &mut impl FnMut(&str) -> Option<&'a str>,
) -> Result<Toxic, FaultError> {
    let need = |example: &'static str| FaultError::NeedsValue { kind: kind.to_string(), example };
    Ok(match kind {
        "latency" => Toxic::Latency {
            delay: duration(value.ok_or_else(|| need("200ms"))?)?,
            jitter: take("jitter").map(duration).transpose()?.unwrap_or_default(),
        },
        "bandwidth" => {
            let rate = count(value.ok_or_else(|| need("64 (KiB/s)"))?)?;
            if rate == 0 {
                return Err(FaultError::ZeroBandwidth);
            }
            Toxic::Bandwidth { kib_per_sec: rate }
        }
        "slicer" => {
            let size = value.or_else(|| take("average_size")).map_or(Ok(64), count)?;
            let variation = take("size_variation").or_else(|| take("variation"));
            Toxic::Slicer {
                size: usize::try_from(size.max(1)).unwrap_or(usize::MAX),
                variation: usize::try_from(variation.map_or(Ok(0), count)?).unwrap_or(0),
                delay: take("delay").map_or(Ok(Duration::from_millis(10)), duration)?,
            }
        }
        "limit_data" => Toxic::LimitData { bytes: count(value.ok_or_else(|| need("1024"))?)? },
        "timeout" => {
            let after = value.map_or(Ok(Duration::ZERO), duration)?;
            Toxic::Timeout { after: (!after.is_zero()).then_some(after) }
        }
        "reset_peer" => Toxic::ResetPeer { after: value.map_or(Ok(Duration::ZERO), duration)? },
        "slow_close" => Toxic::SlowClose { delay: duration(value.ok_or_else(|| need("1s"))?)? },
        other => return Err(FaultError::Unknown(other.to_string())),
    })
}

/// `200ms`, `2s`, `1.5s`, `500us`; a bare number is milliseconds.
fn duration(text: &str) -> Result<Duration, FaultError> {
    let t = text.trim();
    let (digits, scale) = if let Some(d) = t.strip_suffix("ms") {
        (d, 1e-3)
    } else if let Some(d) = t.strip_suffix("us") {
        (d, 1e-6)
    } else if let Some(d) = t.strip_suffix('s') {
        (d, 1.0)
    } else {
        (t, 1e-3)
    };
    let n: f64 = digits.parse().map_err(|_| FaultError::Duration(text.to_string()))?;
    Duration::try_from_secs_f64(n * scale).map_err(|_| FaultError::DurationRange(text.to_string()))
}

fn count(text: &str) -> Result<u64, FaultError> {
    text.trim().parse().map_err(|_| FaultError::Count(text.to_string()))
}

/// Why a `--fault` (or `/fault`) spec is not a fault: each says what is
/// wrong and how to write it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FaultError {
    #[error("{0:?} is not a direction: write up: or down: (or none for both)")]
    Direction(String),
    /// A part after the first, and the whole spec.
    #[error("{0:?} in --fault {1:?}: write KEY=VALUE")]
    NotKeyValue(String, String),
    #[error("probability {0:?}: write a number from 0 to 1")]
    Probability(String),
    #[error("{key:?} means nothing to {kind} in --fault {text:?}")]
    Key { key: String, kind: String, text: String },
    #[error("{kind} needs a value: {kind}={example}")]
    NeedsValue { kind: String, example: &'static str },
    #[error("bandwidth=0 would stop everything: use timeout=0")]
    ZeroBandwidth,
    #[error(
        "{0:?} is not a fault: latency, bandwidth, slicer, limit_data, timeout, reset_peer or \
         slow_close"
    )]
    Unknown(String),
    #[error("{0:?} is not a duration like 200ms")]
    Duration(String),
    #[error("{0:?} is not a usable duration")]
    DurationRange(String),
    #[error("{0:?} is not a whole number")]
    Count(String),
}

impl fmt::Display for Fault {
    /// Short, for the status bar and the events: `down:latency 200ms±50ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(way) = self.way {
            write!(f, "{}:", way.name())?;
        }
        let ms = |d: Duration| d.as_millis();
        match self.toxic {
            Toxic::Latency { delay, jitter } if jitter.is_zero() => {
                write!(f, "latency {}ms", ms(delay))
            }
            Toxic::Latency { delay, jitter } => {
                write!(f, "latency {}ms±{}ms", ms(delay), ms(jitter))
            }
            Toxic::Bandwidth { kib_per_sec } => write!(f, "bandwidth {kib_per_sec}KiB/s"),
            Toxic::Slicer { size, delay, .. } => write!(f, "slicer {size}B/{}ms", ms(delay)),
            Toxic::LimitData { bytes } => write!(f, "limit_data {bytes}B"),
            Toxic::Timeout { after: Some(t) } => write!(f, "timeout {}ms", ms(t)),
            Toxic::Timeout { after: None } => write!(f, "timeout never"),
            Toxic::ResetPeer { after } => write!(f, "reset_peer {}ms", ms(after)),
            Toxic::SlowClose { delay } => write!(f, "slow_close {}ms", ms(delay)),
        }?;
        if self.probability < 1.0 {
            write!(f, " p={}", self.probability)?;
        }
        Ok(())
    }
}

/// A small random source for jitter, slice sizes and probabilities: no
/// crate needed for numbers nobody relies on being unpredictable.
#[derive(Debug, Clone)]
pub(crate) struct Dice(u64);

impl Dice {
    /// Seeded from the clock and `salt` (the socket id).
    pub fn new(salt: u32) -> Self {
        let now = crate::net::event::now_micros();
        Self(now ^ (u64::from(salt) << 32) | 1)
    }

    /// The next number (xorshift64*).
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..=n`.
    pub fn upto(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % (n + 1) }
    }

    /// True with probability `p`.
    #[expect(clippy::cast_precision_loss, reason = "a probability")]
    pub fn chance(&mut self, p: f64) -> bool {
        p >= 1.0 || ((self.next() >> 11) as f64 / ((1u64 << 53) as f64)) < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_issue_examples() {
        let f = Fault::parse("latency=200ms,jitter=50ms").unwrap();
        assert_eq!(
            f.toxic,
            Toxic::Latency { delay: Duration::from_millis(200), jitter: Duration::from_millis(50) }
        );
        assert_eq!(f.way, None);
        let f = Fault::parse("down:bandwidth=64").unwrap();
        assert_eq!((f.toxic, f.way), (Toxic::Bandwidth { kib_per_sec: 64 }, Some(Way::Down)));
        assert_eq!(Fault::parse("limit_data=10").unwrap().toxic, Toxic::LimitData { bytes: 10 });
        assert_eq!(Fault::parse("timeout").unwrap().toxic, Toxic::Timeout { after: None });
        assert_eq!(
            Fault::parse("up:timeout=2s").unwrap().toxic,
            Toxic::Timeout { after: Some(Duration::from_secs(2)) }
        );
        let f = Fault::parse("reset_peer,p=0.25").unwrap();
        assert_eq!((f.toxic, f.probability), (Toxic::ResetPeer { after: Duration::ZERO }, 0.25));
        assert_eq!(
            Fault::parse("slicer=16,delay=5").unwrap().toxic,
            Toxic::Slicer { size: 16, variation: 0, delay: Duration::from_millis(5) }
        );
        assert_eq!(f.to_string(), "reset_peer 0ms p=0.25");
    }

    #[test]
    fn refuses_what_means_nothing() {
        for bad in [
            "latency",
            "sideways:latency=1",
            "bandwidth=0",
            "lag=5",
            "latency=fast",
            "latency=1,p=2",
            "limit_data=10,jitter=5",
        ] {
            assert!(Fault::parse(bad).is_err(), "{bad} parsed");
        }
    }

    #[test]
    fn dice_stay_in_range() {
        let mut d = Dice::new(7);
        assert!((0..1000).all(|_| d.upto(10) <= 10));
        assert!(!(0..1000).any(|_| d.chance(0.0)));
        assert!((0..1000).all(|_| d.chance(1.0)));
    }
}
