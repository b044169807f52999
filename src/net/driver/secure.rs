//! The connection task's TLS half (`--tls`): the handshake with its `ssl`
//! lines, then records in and out through [`TlsLayer`] on the same socket
//! and readiness as the plain path (see `stream.rs`).

use std::io;
use std::os::fd::AsRawFd as _;
use std::time::Duration;

use bytes::Bytes;

use crate::net::CallError;
use crate::net::driver::conn::Conn;
use crate::net::driver::stream::{Connection, Progress};
use crate::net::event::{Call, CloseReason, DataRecord, Dir, EventKind, Returned, SockId};
use crate::net::session::ctx::Ctx;
use crate::net::socket::blocking::{self, CallGate, CallMode};
use crate::net::tls::layer::{self, Plain, TlsLayer};
use crate::net::tls::{Side, Tls, TlsCall, TlsEvent, TlsReturned};

/// Reads of records per wakeup before the task gives writes a turn.
const READS_PER_TURN: usize = 64;

/// `var = ctx.wrap_socket(of, ...)` on `stream` (a client's context lines
/// first: a server's are made once, at start) and the calls that look at
/// the result, all reported on socket `id`; the failure, reported too.
pub(crate) async fn wrap(
    ctx: &Ctx,
    (id, of, var): (SockId, &'static str, &'static str),
    tls: &Tls,
    stream: &mut Conn,
    timeout: Option<Duration>,
) -> Result<TlsLayer, CallError> {
    let report = |call, result: Result<TlsReturned, CallError>| {
        ctx.call(id, var, Call::Tls(call), result.map(Returned::Tls))
    };
    let fd = stream.as_raw_fd();
    if !tls.is_server() {
        for call in tls.context_calls() {
            ctx.call(id, of, Call::Tls(call.clone()), Ok(Returned::Tls(TlsReturned::Set))).await;
        }
    }
    let hostname = match tls.side() {
        Side::Client { sni, name, .. } => sni.clone().or_else(|| Some(name.to_str().into_owned())),
        Side::Server { .. } => None,
    };
    let wrap = TlsCall::Wrap { of, server_side: tls.is_server(), hostname };
    let Conn::Tcp(tcp) = stream else {
        let failed = CallError::from_errno(libc::EOPNOTSUPP);
        report(wrap, Err(failed.clone())).await;
        return Err(failed);
    };
    match layer::handshake(tls, tcp, id, timeout).await {
        Ok(shaken) => {
            let micros = shaken.info.handshake_micros;
            report(wrap, Ok(TlsReturned::Wrapped { fd, micros })).await;
            ctx.emit(EventKind::Tls(TlsEvent::Handshake(Box::new(shaken.info)))).await;
            for (call, returned) in shaken.calls {
                report(call, Ok(returned)).await;
            }
            Ok(shaken.layer)
        }
        Err(failed) => {
            report(wrap, Err(failed.clone())).await;
            Err(failed)
        }
    }
}

impl Connection {
    /// `tls = ctx.wrap_socket(...)` and the calls that look at the result;
    /// on failure, why the connection ends.
    pub(crate) async fn start_tls(&mut self, tls: &Tls) -> Result<TlsLayer, CloseReason> {
        let names = (self.id, self.var, "tls");
        let layer = wrap(&self.ctx, names, tls, &mut self.stream, self.timeout)
            .await
            .map_err(CloseReason::Failed)?;
        self.var = "tls";
        Ok(layer)
    }

    async fn tls_call(
        &self,
        var: &'static str,
        call: TlsCall,
        result: Result<TlsReturned, CallError>,
    ) {
        self.ctx.call(self.id, var, Call::Tls(call), result.map(Returned::Tls)).await;
    }

    /// `tls.recv(bufsize)` typed by hand (F7 on a live session): the
    /// plaintext rustls holds, else the next records' (waiting as the
    /// call's mode says), never the raw socket's bytes.
    pub(crate) async fn manual_recv_tls(
        &self,
        layer: &mut TlsLayer,
        bufsize: usize,
        mode: CallMode,
        gate: (&mut CallGate, u64),
    ) -> Result<Bytes, CallError> {
        let stream = &self.stream;
        let server_side = layer.server_side;
        let buffered = layer.has_plain();
        let mut attempt = || match layer.read(stream, bufsize)? {
            Plain::Data(data) => Ok(data),
            Plain::Eof => Ok(Bytes::new()),
            Plain::Nothing => Err(io::ErrorKind::WouldBlock.into()),
        };
        if buffered {
            // Plaintext already decrypted: no wait, whatever the socket says.
            return attempt().map_err(|e| crate::net::tls::errors::data(&e, server_side));
        }
        let ready = || async { stream.readable().await.map(|()| None) };
        blocking::call(mode, gate, &mut attempt, ready).await
    }

    /// Records in: each run of plaintext is one `tls.recv(bufsize)`.
    pub(crate) async fn read_tls(&self, st: &mut Progress) -> Result<(), (Call, io::Error)> {
        let size = self.recv_size.max(1);
        let recv = |e| (Call::Recv { bufsize: size }, e);
        for _ in 0..READS_PER_TURN {
            let Some(layer) = st.tls.as_mut() else { return Ok(()) };
            match layer.read(&self.stream, size).map_err(recv)? {
                Plain::Nothing => return Ok(()),
                Plain::Data(data) => {
                    if let Some(counter) = &mut st.sink {
                        counter.add(data.len());
                        continue;
                    }
                    self.received(st, size, Ok(data)).await.map_err(recv)?;
                }
                Plain::Eof => {
                    if let Some(counter) = &mut st.sink {
                        self.ctx.emit(EventKind::Totals(counter.take())).await;
                    }
                    return self.received(st, size, Ok(Bytes::new())).await.map_err(recv);
                }
            }
        }
        Ok(())
    }

    /// Records out: what rustls holds first, then the next plaintext.
    pub(crate) async fn write_tls(&self, st: &mut Progress) -> Result<(), (Call, io::Error)> {
        let Some(layer) = st.tls.as_mut() else { return Ok(()) };
        let len = match st.outbox.front() {
            Some(crate::net::session::ctx::Out::Data(d)) => d.len(),
            _ => 0,
        };
        let send = |e| (Call::SendAll { len }, e);
        if !layer.flush(&self.stream).map_err(send)? {
            return Ok(());
        }
        let Some(crate::net::session::ctx::Out::Data(data)) = st.outbox.front() else {
            return Ok(());
        };
        let data = data.clone();
        st.front_written += layer.write_plain(&data[st.front_written..]).map_err(send)?;
        layer.flush(&self.stream).map_err(send)?;
        if st.front_written < data.len() {
            return Ok(());
        }
        self.sent_all(st, data).await;
        Ok(())
    }

    /// Before `shutdown` or `close`: what waits is written, then
    /// `close_notify` (`tls.unwrap()` before a shutdown).
    pub(crate) async fn end_tls(&self, st: &mut Progress, unwrap: bool) -> io::Result<()> {
        let Some(layer) = st.tls.as_mut() else { return Ok(()) };
        layer.close_notify();
        while !layer.flush(&self.stream)? {
            self.stream.writable().await?;
        }
        if unwrap {
            let fd = self.stream.as_raw_fd();
            self.tls_call("tls", TlsCall::Unwrap, Ok(TlsReturned::Socket { fd })).await;
        }
        Ok(())
    }

    /// The wire counts, when they moved (on the sampling timer, and last).
    pub(crate) async fn tls_wire(&self, st: &mut Progress) {
        let Some(layer) = st.tls.as_mut() else { return };
        if let Some((sent, received, plain_sent, plain_received)) = layer.wire_news() {
            let wire = TlsEvent::Wire { sock: self.id, sent, received, plain_sent, plain_received };
            self.ctx.emit(EventKind::Tls(wire)).await;
        }
    }

    /// A plain connection whose first bytes are a TLS `ClientHello`.
    pub(crate) async fn notice_client_hello(&self, record: &DataRecord) {
        if record.dir == Dir::Received
            && record.offset == 0
            && crate::net::tls::errors::looks_like_client_hello(&record.data)
        {
            self.ctx.emit(EventKind::Tls(TlsEvent::ClientHello { sock: self.id })).await;
        }
    }
}
