//! F8's next call: read off the timeline, the call the seed's program would
//! make next. Server: socket → setsockopt(SO_REUSEADDR) → bind → listen(5)
//! → accept → recv(1024) → send → recv ... → close on `b''` → accept the
//! next client. Client: socket → connect → send → recv(1024) → ... UDP the
//! same without listen/accept/connect.

use super::end::EndState;
use super::lifecycle::What;
use crate::net::{Call, CallRecord, Returned, SockId, SockOpt};

/// What the client says and the server answers when F8 sends.
const HELLO: &str = "/send hello";
const REPLY: &str = "/send hi";
const RECV: &str = "/recv 1024";

/// The calls of the timeline, oldest first.
fn calls(end: &EndState) -> Vec<&CallRecord> {
    end.lifecycle
        .lines
        .iter()
        .filter_map(|l| match &l.what {
            What::Call(rec) => Some(&**rec),
            What::Kernel(_) => None,
        })
        .collect()
}

fn ok_on(calls: &[&CallRecord], sock: SockId, want: impl Fn(&Call) -> bool) -> bool {
    calls.iter().any(|r| r.sock == sock && r.result.is_ok() && want(&r.call))
}

/// The step command F8 runs next for `end`, as typed (`/listen 5`).
#[must_use]
pub fn next(end: &EndState) -> String {
    let calls = calls(end);
    // The newest socket made by hand that is still open.
    let made = calls.iter().rev().find_map(|r| match (&r.call, &r.result) {
        (Call::Socket { .. }, Ok(_)) => Some(r.sock),
        _ => None,
    });
    let Some(sock) = made.filter(|s| !ok_on(&calls, *s, |c| *c == Call::Close)) else {
        return "/socket".into();
    };
    let server = end.role.is_server();
    let stream = end.kind.is_connected();
    if server && stream {
        // Never back: a step the student skipped stays skipped.
        let listening = ok_on(&calls, sock, |c| matches!(c, Call::Listen(_)));
        let bound = listening || ok_on(&calls, sock, |c| matches!(c, Call::Bind(_)));
        let reuse = |c: &Call| matches!(c, Call::SetSockOpt(SockOpt::ReuseAddr(true)));
        if !bound && !ok_on(&calls, sock, reuse) {
            return "/setsockopt reuseaddr 1".into();
        }
        if !bound {
            return "/bind".into();
        }
        if !listening {
            return "/listen 5".into();
        }
        let accepted = calls.iter().rev().find_map(|r| match &r.result {
            Ok(Returned::Accepted { sock: conn, .. }) if r.sock == sock => Some(*conn),
            _ => None,
        });
        return match accepted.filter(|c| !ok_on(&calls, *c, |call| *call == Call::Close)) {
            Some(conn) => conversation(&calls, conn, true),
            None => "/accept".into(),
        };
    }
    if server && !ok_on(&calls, sock, |c| matches!(c, Call::Bind(_))) {
        return "/bind".into();
    }
    if !server && stream {
        let connected = calls.iter().any(|r| {
            r.sock == sock
                && matches!(
                    (&r.call, &r.result),
                    (Call::Connect(_), Ok(_)) | (Call::ConnectEx(_), Ok(Returned::Int(0)))
                )
        });
        if !connected {
            return "/connect".into();
        }
    }
    conversation(&calls, sock, server)
}

/// On a socket that carries data: answer after a message (a server) or
/// wait for the answer (a client), close once the peer has.
fn conversation(calls: &[&CallRecord], sock: SockId, server: bool) -> String {
    let last = calls.iter().rev().find(|r| r.sock == sock && r.call.moves_data());
    let Some(last) = last else {
        return if server { RECV.into() } else { HELLO.into() };
    };
    match (&last.call, &last.result) {
        (Call::Recv { .. } | Call::RecvFrom { .. }, Ok(Returned::Data { data, from, .. })) => {
            if data.is_empty() && from.is_none() {
                "/close".into()
            } else if server {
                REPLY.into()
            } else {
                HELLO.into()
            }
        }
        // A failed recv (timeout, BlockingIOError, Ctrl-C): try it again.
        (Call::Recv { .. } | Call::RecvFrom { .. }, Err(_)) => RECV.into(),
        _ => RECV.into(),
    }
}
