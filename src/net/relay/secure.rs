//! TLS on a relay's legs (`tcp relay --tls`, `--tls-upstream`), like
//! socat's `OPENSSL-LISTEN:` and `OPENSSL:` addresses: a leg that speaks
//! TLS is wrapped once connected, then both directions of the pair move
//! plaintext through its one rustls state. So holds, edits, injected lines,
//! faults and `--dump` see what the applications said, and a plain leg can
//! be bridged to a TLS one.
//!
//! Both pumps of a pair touch a TLS leg (one reads it, the other writes
//! it), in the same task: the state sits behind a mutex that is never held
//! across an `.await`. A plain leg takes none of these paths.

use std::io;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use crate::net::CallError;
use crate::net::driver::secure;
use crate::net::event::{Call, Returned};
use crate::net::relay::pump::Leg;
use crate::net::session::ctx::Ctx;
use crate::net::tls::layer::{Plain, TlsLayer};
use crate::net::tls::{Tls, TlsCall, TlsReturned};

/// A leg's TLS state, shared by the pair's two directions.
pub(crate) struct Secure(Mutex<TlsLayer>);

impl std::fmt::Debug for Secure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secure")
    }
}

impl Secure {
    fn lock(&self) -> MutexGuard<'_, TlsLayer> {
        // Plain data: still consistent after a panic elsewhere.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `var = ctx.wrap_socket(leg, ...)`: the handshake on `leg`, reported as
/// its `ssl` lines; the leg speaks TLS from then on, named `var`.
pub(crate) async fn wrap(
    ctx: &Ctx,
    leg: &mut Leg,
    tls: &Tls,
    var: &'static str,
    timeout: Option<Duration>,
) -> Result<(), CallError> {
    let layer = secure::wrap(ctx, (leg.id, leg.var, var), tls, &mut leg.conn, timeout).await?;
    leg.tls = Some(Secure(Mutex::new(layer)));
    leg.var = var;
    Ok(())
}

impl Leg {
    /// Waits until a read may find something (plaintext already decrypted
    /// counts: the socket may have nothing more).
    pub(crate) async fn readable(&self) -> io::Result<()> {
        let ready = self.tls.as_ref().is_some_and(|tls| tls.lock().has_plain());
        if ready {
            return Ok(());
        }
        self.conn.readable().await
    }

    /// One read of up to `size` plaintext bytes: a TLS leg's records are
    /// decrypted (`Ok(Some(empty))` at `close_notify` or EOF); `Ok(None)` when
    /// nothing is there yet. A plain leg is read by the pump itself.
    pub(crate) fn read_plain(&self, size: usize) -> io::Result<Option<Bytes>> {
        let Some(tls) = &self.tls else { return Ok(None) };
        let mut layer = tls.lock();
        let read = layer.read(&self.conn, size)?;
        // Reading may have queued records of our own (an alert, a key
        // update's answer): they go out when the socket takes them.
        if layer.wants_write() {
            match layer.flush(&self.conn) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(match read {
            Plain::Data(data) => Some(data),
            Plain::Eof => Some(Bytes::new()),
            Plain::Nothing => None,
        })
    }

    /// `sendall(data)`: every byte written to the socket (as TLS records on
    /// a TLS leg) before it returns.
    pub(crate) async fn write_all(&self, data: &[u8]) -> io::Result<()> {
        let mut left = data;
        let Some(tls) = &self.tls else {
            while !left.is_empty() {
                match self.conn.try_write(left) {
                    Ok(n) => left = &left[n..],
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.conn.writable().await?,
                    Err(e) => return Err(e),
                }
            }
            return Ok(());
        };
        loop {
            let flushed = {
                let mut layer = tls.lock();
                let taken = layer.write_plain(left)?;
                left = &left[taken..];
                layer.flush(&self.conn)?
            };
            match (flushed, left.is_empty()) {
                (true, true) => return Ok(()),
                // rustls took a buffer's worth and wrote it: more.
                (true, false) => {}
                (false, _) => self.conn.writable().await?,
            }
        }
    }

    /// Before passing a FIN on: `var.unwrap()`, `close_notify` written.
    pub(crate) async fn close_notify(&self, ctx: &Ctx) -> io::Result<()> {
        let Some(tls) = &self.tls else { return Ok(()) };
        tls.lock().close_notify();
        while !tls.lock().flush(&self.conn)? {
            self.conn.writable().await?;
        }
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.conn);
        let unwrapped = Ok(Returned::Tls(TlsReturned::Socket { fd }));
        ctx.call(self.id, self.var, Call::Tls(TlsCall::Unwrap), unwrapped).await;
        Ok(())
    }

    /// The leg's wire and plaintext counts, when they moved.
    pub(crate) fn tls_news(&self) -> Option<(u64, u64, u64, u64)> {
        self.tls.as_ref().and_then(|tls| tls.lock().wire_news())
    }
}
