//! Python's blocking semantics, emulated on sockets that are non-blocking
//! underneath (as tokio needs, and as Python's own are once a timeout is
//! set): a blocking call waits for readiness with `settimeout` as its
//! deadline, a non-blocking one is one real attempt, and Ctrl-C interrupts.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::net::CallError;
use crate::net::event::Call;

/// How calls on one socket wait, as `settimeout`/`setblocking` set it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CallMode {
    /// `settimeout(x)`: `None` blocks forever, `Some(0)` never blocks.
    pub timeout: Option<Duration>,
}

impl CallMode {
    /// Updates the mode for `settimeout`/`setblocking` (other calls leave
    /// it alone). A timeout no `Duration` can hold (negative, NaN, 1e300)
    /// is EINVAL and changes nothing: it never reaches a panic.
    ///
    /// # Errors
    /// EINVAL for a timeout out of range.
    pub fn apply(&mut self, call: &Call) -> io::Result<()> {
        match call {
            Call::SetTimeout(secs) => {
                self.timeout = match secs {
                    None => None,
                    Some(s) => Some(
                        Duration::try_from_secs_f64(*s)
                            .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?,
                    ),
                };
            }
            Call::SetBlocking(on) => {
                self.timeout = if *on { None } else { Some(Duration::ZERO) };
            }
            _ => {}
        }
        Ok(())
    }

    /// When a call begun now must give up (`None`: never); a timeout too
    /// far ahead to represent is the same as none.
    #[must_use]
    pub fn deadline(self) -> Option<tokio::time::Instant> {
        self.timeout.and_then(|t| tokio::time::Instant::now().checked_add(t))
    }

    /// Whether a call is one attempt only (`setblocking(False)`).
    #[must_use]
    pub fn non_blocking(self) -> bool {
        self.timeout == Some(Duration::ZERO)
    }
}

/// Ctrl-C, sequenced with the calls. The session counts the calls it hands
/// a socket and an interrupt carries that count, so it stops the call in
/// progress (and any queued behind it) but never a later one. The session's
/// shutdown token ends every call too: a blocked `accept()` must not keep
/// its port once the session is gone.
pub(crate) struct CallGate {
    interrupts: watch::Receiver<u64>,
    begun: u64,
    shutdown: CancellationToken,
}

impl CallGate {
    pub(crate) fn new(interrupts: watch::Receiver<u64>, shutdown: CancellationToken) -> Self {
        Self { interrupts, begun: 0, shutdown }
    }

    /// A call handed over by the session begins: its number.
    pub(crate) fn begin(&mut self) -> u64 {
        self.begun += 1;
        self.begun
    }

    /// Resolves when call `seq` is interrupted, or when the session is over
    /// (its token cancelled, or the interrupting end dropped).
    pub(crate) async fn interrupted(&mut self, seq: u64) {
        tokio::select! {
            _ = self.interrupts.wait_for(|&upto| upto >= seq) => {}
            () = self.shutdown.cancelled() => {}
        }
    }
}

/// Makes one Python-level call: `attempt` is a real system call on the
/// non-blocking socket; a call that waits waits on `ready` (bounded by the
/// mode's timeout, cut short by Ctrl-C) — which either completes the call
/// itself (`Some`) or says to attempt again — and a non-blocking call
/// raises `BlockingIOError` at once.
pub(crate) async fn call<T, F, R>(
    mode: CallMode,
    (gate, seq): (&mut CallGate, u64),
    mut attempt: impl FnMut() -> io::Result<T>,
    mut ready: F,
) -> Result<T, CallError>
where
    F: FnMut() -> R,
    R: Future<Output = io::Result<Option<T>>>,
{
    let deadline = mode.deadline();
    // Under a timeout CPython waits for readiness *before* each attempt
    // (`sock_call_ex`), so a call that can never succeed there (recv on a
    // listener) times out instead of failing; blocking or not, it attempts
    // at once.
    let mut wait_first = mode.timeout.is_some_and(|t| !t.is_zero());
    loop {
        if wait_first {
            let wait = async {
                match deadline {
                    Some(at) => tokio::time::timeout_at(at, ready()).await.ok(),
                    None => Some(ready().await),
                }
            };
            tokio::select! {
                waited = wait => match waited {
                    None => return Err(CallError::timeout()),
                    Some(Err(e)) => return Err(CallError::from_io(&e)),
                    Some(Ok(Some(done))) => return Ok(done),
                    Some(Ok(None)) => {}
                },
                () = gate.interrupted(seq) => return Err(CallError::interrupted()),
            }
        }
        match attempt() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            other => return other.map_err(|e| CallError::from_io(&e)),
        }
        if mode.non_blocking() {
            return Err(CallError::from_errno(libc::EAGAIN));
        }
        wait_first = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_timeout_semantics() {
        let mut mode = CallMode::default();
        assert!(!mode.non_blocking());
        mode.apply(&Call::SetBlocking(false)).unwrap();
        assert!(mode.non_blocking());
        mode.apply(&Call::SetTimeout(Some(2.5))).unwrap();
        assert_eq!(mode.timeout, Some(Duration::from_millis(2500)));
        mode.apply(&Call::SetTimeout(None)).unwrap();
        assert_eq!(mode, CallMode::default());
        for absurd in [1e300, -1.0, f64::NAN, f64::INFINITY] {
            let err = mode.apply(&Call::SetTimeout(Some(absurd))).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EINVAL), "{absurd}");
        }
        assert_eq!(mode, CallMode::default(), "a refused timeout changes nothing");
        let huge = CallMode { timeout: Some(Duration::MAX) };
        assert_eq!(huge.deadline(), None, "too far ahead is no deadline, not a panic");
    }

    #[tokio::test]
    async fn non_blocking_is_one_attempt() {
        let (_tx, rx) = watch::channel(0);
        let mut gate = CallGate::new(rx, CancellationToken::new());
        let seq = gate.begin();
        let mode = CallMode { timeout: Some(Duration::ZERO) };
        let mut attempts = 0;
        let got: Result<(), _> = call(
            mode,
            (&mut gate, seq),
            || {
                attempts += 1;
                Err(io::ErrorKind::WouldBlock.into())
            },
            || async { Ok(None) },
        )
        .await;
        assert_eq!(got.unwrap_err(), CallError::from_errno(libc::EAGAIN));
        assert_eq!(attempts, 1);
    }

    #[tokio::test]
    async fn a_timeout_raises_timeout_error_and_cancel_keyboard_interrupt() {
        let (tx, rx) = watch::channel(0);
        let mut gate = CallGate::new(rx, CancellationToken::new());
        let mode = CallMode { timeout: Some(Duration::from_millis(20)) };
        let never = || std::future::pending::<io::Result<Option<()>>>();
        let first = gate.begin();
        let got: Result<(), _> =
            call(mode, (&mut gate, first), || Err(io::ErrorKind::WouldBlock.into()), never).await;
        assert_eq!(got.unwrap_err(), CallError::timeout());

        let forever = CallMode::default();
        let second = gate.begin();
        let interrupt = async {
            tokio::task::yield_now().await;
            tx.send_replace(second);
        };
        let would_block = || Err(io::ErrorKind::WouldBlock.into());
        let blocked = call::<(), _, _>(forever, (&mut gate, second), would_block, never);
        let (got, ()) = tokio::join!(blocked, interrupt);
        assert_eq!(got.unwrap_err(), CallError::interrupted());
    }
}
