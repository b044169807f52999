//! What reaches the front of a connection's outbox besides data: queued
//! shutdowns and closes, and the calls typed by hand (step mode, the
//! input line's `/recv`, `/shutdown`, `/settimeout` ...), carried out in
//! their turn so they keep their order with the sends queued before them.

use bytes::Bytes;

use crate::net::CallError;
use crate::net::Shut;
use crate::net::driver::stream::{Connection, Progress};
use crate::net::event::{Call, CloseReason};
use crate::net::session::ctx::Out;
use crate::net::socket::blocking::{self, CallGate, CallMode};
use crate::net::socket::{ByHand, by_hand};

impl Connection {
    /// Carries out queued shutdowns, closes and manual calls that have
    /// reached the front of the outbox.
    pub(super) async fn run_control_steps(
        &self,
        st: &mut Progress,
        buf: &mut Vec<u8>,
        gate: &mut CallGate,
    ) -> Option<CloseReason> {
        while let Some(front) = st.outbox.front() {
            match front {
                Out::Data(_) => break,
                Out::DataTo(..) | Out::Broadcast(_) | Out::Source { .. } | Out::Relay(..) => {}
                Out::Close => {
                    // A TLS peer is told it got everything (close_notify).
                    let _ = self.end_tls(st, false).await;
                    return Some(CloseReason::Local);
                }
                Out::Shutdown(how) => {
                    let how = *how;
                    if how != Shut::Read {
                        if let Err(err) = self.end_tls(st, true).await {
                            let failed = CallError::from_io(&err);
                            let call = Call::Tls(crate::net::tls::TlsCall::Unwrap);
                            self.ctx.call(self.id, self.var, call, Err(failed.clone())).await;
                            return Some(CloseReason::Failed(failed));
                        }
                    }
                    self.shutdown_plain(how).await;
                }
                Out::Call(call) if matches!(**call, Call::Recv { .. }) => {
                    let Call::Recv { bufsize } = **call else { break };
                    buf.resize(self.recv_size.max(1), 0);
                    let bufsize = bufsize.clamp(1, buf.len());
                    st.outbox.pop_front();
                    let seq = gate.begin();
                    let read = match st.tls.as_mut() {
                        Some(layer) => {
                            self.manual_recv_tls(layer, bufsize, st.mode, (gate, seq)).await
                        }
                        None => self
                            .manual_recv(&mut buf[..bufsize], st.mode, (gate, seq))
                            .await
                            .map(|n| Bytes::copy_from_slice(&buf[..n])),
                    };
                    let failed = match read {
                        Ok(data) => match self.received(st, bufsize, Ok(data)).await {
                            Ok(()) => continue,
                            Err(err) => CallError::from_io(&err),
                        },
                        Err(failed) => failed,
                    };
                    let call = Call::Recv { bufsize };
                    self.ctx.call(self.id, self.var, call, Err(failed.clone())).await;
                    if failed.errno.is_none() || failed.is(libc::EAGAIN) {
                        // Timeout, Ctrl-C, would block: the socket lives on.
                        continue;
                    }
                    return Some(CloseReason::Failed(failed));
                }
                Out::Call(call) if st.tls.is_some() && matches!(**call, Call::Shutdown(_)) => {
                    // By hand too, `tls.unwrap()` (close_notify) comes first.
                    let Call::Shutdown(how) = **call else { break };
                    gate.begin();
                    st.outbox[0] = Out::Shutdown(how);
                    continue;
                }
                Out::Call(call) | Out::CallWith(call, _) => {
                    gate.begin();
                    match by_hand(&self.stream, self.kind, &mut st.mode, call) {
                        ByHand::Answer(result) => {
                            self.ctx.call(self.id, self.var, (**call).clone(), result).await;
                        }
                        ByHand::Close => {
                            let _ = self.end_tls(st, false).await;
                            return Some(CloseReason::Local);
                        }
                    }
                }
            }
            st.outbox.pop_front();
        }
        None
    }

    /// `recv(bufsize)` made by hand: one real read first, so a non-blocking
    /// call sees exactly what the kernel holds, then (blocking) tokio's
    /// readiness, whose `try_read` keeps its cache honest.
    async fn manual_recv(
        &self,
        buf: &mut [u8],
        mode: CallMode,
        gate: (&mut CallGate, u64),
    ) -> Result<usize, CallError> {
        let mut first = true;
        let size = buf.len();
        let mut attempt = || {
            if std::mem::take(&mut first) {
                use std::io::Read as _;
                (&*socket2::SockRef::from(&self.stream)).read(&mut buf[..size])
            } else {
                self.stream.try_read(&mut buf[..size])
            }
        };
        let ready = || async { self.stream.readable().await.map(|()| None) };
        blocking::call(mode, gate, &mut attempt, ready).await
    }
}
