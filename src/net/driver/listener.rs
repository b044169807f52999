//! A listening socket (TCP, Unix stream or seqpacket) as a task: `accept()`
//! in a loop unless held, each new connection handed to the session.

use std::io;
use std::os::fd::AsRawFd;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::net::CallError;
use crate::net::driver::conn::{Conn, Listener};
use crate::net::event::{Call, CloseReason, Returned, SockId};
use crate::net::kernel::sample::Sampling;
use crate::net::session::ctx::{Ctx, Out, SockInbox};
use crate::net::sockaddr::Addr;
use crate::net::socket::blocking::{self, CallGate, CallMode};
use crate::net::socket::{ByHand, by_hand};

/// Waits between accept attempts while out of files (EMFILE, ENFILE).
const MIN_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// A connection the listener accepted, handed to the session to run.
pub(crate) struct Accepted {
    pub id: SockId,
    pub stream: Conn,
    /// The Python variable: `sock` for accepted, `client` for connected.
    pub var: &'static str,
    pub mode: CallMode,
    /// Its (local, peer) names when `accept()` already told them (a TCP
    /// listener bound to one address): no `getsockname`/`getpeername`.
    pub names: Option<(Addr, Addr)>,
}

/// Runs a listening socket: `accept()` in a loop unless held. With `single`
/// (like `nc -l`) the listener closes after its first connection.
pub(crate) async fn run_listener(
    ctx: Ctx,
    id: SockId,
    listener: Listener,
    mut inbox: SockInbox,
    accepted: mpsc::Sender<Accepted>,
    single: bool,
    mut mode: CallMode,
) {
    let mut sampling = Sampling::new(&ctx, listener.kind(), true);
    let mut backoff = MIN_BACKOFF;
    let accepted_local = listener.accepted_local();
    loop {
        let held = inbox.hold.borrow().accept;
        let result = tokio::select! {
            r = listener.accept(), if !held => r,
            out = inbox.out.recv() => match out {
                Some(Out::Call(call)) if matches!(*call, Call::Accept) => {
                    let seq = inbox.gate.begin();
                    match manual_accept(&listener, mode, (&mut inbox.gate, seq)).await {
                        Ok(pair) => Ok(pair),
                        Err(failed) => {
                            ctx.call(id, "server", Call::Accept, Err(failed)).await;
                            continue;
                        }
                    }
                }
                Some(Out::Call(call) | Out::CallWith(call, _)) => {
                    inbox.gate.begin();
                    match by_hand(&listener, listener.kind(), &mut mode, &call) {
                        ByHand::Answer(result) => ctx.call(id, "server", *call, result).await,
                        ByHand::Close => break,
                    }
                    continue;
                }
                Some(Out::Close) | None => break,
                Some(Out::Shutdown(how)) => {
                    let call = Call::Shutdown(how);
                    if let ByHand::Answer(result) = by_hand(&listener, listener.kind(), &mut mode, &call) {
                        ctx.call(id, "server", call, result).await;
                    }
                    continue;
                }
                // Data for a listener (by id): it has no peer to send to.
                Some(_) => continue,
            },
            changed = inbox.hold.changed() => {
                if changed.is_err() { break }
                continue;
            }
            () = sampling.tick() => {
                sampling.emit(&ctx, id, &listener).await;
                continue;
            }
        };
        match result {
            Ok((stream, peer)) => {
                backoff = MIN_BACKOFF;
                sampling.stir();
                let conn = ctx.new_id();
                let fd = stream.as_raw_fd();
                let names = accepted_local.clone().map(|local| (local, peer.clone()));
                let ok = Ok(Returned::Accepted { sock: conn, fd, peer });
                ctx.call(id, "server", Call::Accept, ok).await;
                if accepted
                    .send(Accepted {
                        id: conn,
                        stream,
                        var: "sock",
                        mode: CallMode::default(),
                        names,
                    })
                    .await
                    .is_err()
                    || single
                {
                    break;
                }
            }
            Err(err) => {
                let failed = CallError::from_io(&err);
                let starved = failed.is(libc::EMFILE) || failed.is(libc::ENFILE);
                ctx.call(id, "server", Call::Accept, Err(failed)).await;
                if starved {
                    // The waiting connection keeps the listener readable, so
                    // retrying at once would spin: back off instead, longer
                    // each time (up to 2 s) while no file comes free.
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
    sampling.last(&ctx, id, &listener).await;
    ctx.closed(id, "server", CloseReason::Local).await;
}

/// `accept()` made by hand: one real attempt first (so `setblocking(False)`
/// sees the queue as it is), then, if blocking, a wait for the next client.
async fn manual_accept(
    listener: &Listener,
    mode: CallMode,
    gate: (&mut CallGate, u64),
) -> Result<(Conn, Addr), CallError> {
    let attempt = || {
        let (socket, addr) = socket2::SockRef::from(listener).accept()?;
        let peer = Addr::from_sockaddr(&addr)
            .ok_or_else(|| io::Error::from_raw_os_error(libc::EAFNOSUPPORT))?;
        Ok((listener.adopt(socket)?, peer))
    };
    blocking::call(mode, gate, attempt, || async { listener.accept().await.map(Some) }).await
}
