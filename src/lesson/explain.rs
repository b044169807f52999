//! A short plain explanation of one timeline entry: what the call does, what
//! it returned and why, and for errors what usually causes them and what to
//! try. Also the kernel's own state changes, which happen between calls.
//!
//! What an outcome *means* (EOF, a partial send, a truncated datagram, a
//! UTF-8 character cut in two) is worked out once here as a [`Fact`]; the
//! language files (`en.rs`, `zh.rs`) only put facts into words, so the two
//! languages can never disagree about what happened.

use crate::net::Addr;
use crate::python::Python as _;

use super::{Lang, en, zh};
use crate::net::{Call, CallError, CallRecord, Returned, Shut, Transition};

/// The three parts the explanation pane shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What the call (or the kernel's transition) does, in general.
    pub what: String,
    /// What it returned (or raised) this time, and why.
    pub result: String,
    /// What to try next, when there is something worth trying.
    pub hint: Option<String>,
}

/// What a successful call's result means, decided once for every language.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Fact {
    NewSocket {
        fd: i32,
    },
    /// `None` from a call that only changes a setting.
    Done,
    Bound(Addr),
    Listening(u32),
    Connected(Addr),
    Accepted {
        fd: i32,
        peer: Addr,
    },
    /// `sendall`: every byte handed to the kernel.
    SentAll(usize),
    /// `send`: `n` of `len` bytes taken (`n == len` when all of them).
    Sent {
        n: usize,
        len: usize,
    },
    /// `sendto`: one datagram of `n` bytes.
    SentDatagram {
        n: usize,
        to: Addr,
    },
    Fileno(i64),
    ConnectExOk,
    /// `connect_ex` returned an errno instead of raising it.
    ConnectExErr(CallError),
    OwnAddr(Addr),
    PeerAddr(Addr),
    /// `n` bytes of at most `bufsize`; `split` is how many bytes at the end
    /// begin a UTF-8 character whose rest has not arrived.
    Received {
        n: usize,
        bufsize: usize,
        from: Option<Addr>,
        split: usize,
    },
    /// `recv` returned `b''`: the peer closed its side (or, on UDP, an
    /// empty datagram).
    Eof,
    /// A datagram longer than the buffer: `kept` of `full` bytes.
    Truncated {
        kept: usize,
        full: usize,
        bufsize: usize,
        from: Option<Addr>,
    },
    Shut(Shut),
    Closed,
    /// A result this call does not normally give; Python's text of it.
    Other(String),
}

/// Explains one call of the timeline in `lang`.
#[must_use]
pub fn explain(record: &CallRecord, lang: Lang) -> Explanation {
    let call = &record.call;
    let what = what(call, lang);
    let (result, hint) = match &record.result {
        Ok(returned) => {
            let fact = fact(call, returned);
            match lang {
                Lang::En => en::returned(&fact),
                Lang::Zh => zh::returned(&fact),
            }
        }
        Err(err) => {
            let (cause, hint) = match lang {
                Lang::En => en::failed(call, err),
                Lang::Zh => zh::failed(call, err),
            };
            // `TimeoutError` and `KeyboardInterrupt` are their own names.
            let class = exception(err);
            let raised = match (lang, class == err.name) {
                (Lang::En, true) => format!("Raised {class}: {cause}."),
                (Lang::En, false) => format!("Raised {class} ({}): {cause}.", err.name),
                (Lang::Zh, true) => format!("抛出 {class}：{cause}。"),
                (Lang::Zh, false) => format!("抛出 {class}（{}）：{cause}。", err.name),
            };
            (raised, Some(hint))
        }
    };
    Explanation { what, result, hint }
}

/// What `call` does, in general: the first part of [`explain`], and the
/// comment above the call in an exported script.
#[must_use]
pub fn what(call: &Call, lang: Lang) -> String {
    match lang {
        Lang::En => en::what(call),
        Lang::Zh => zh::what(call),
    }
}

/// Explains a state change the kernel made by itself (no call did it).
#[must_use]
pub fn explain_state(t: &Transition, lang: Lang) -> Explanation {
    super::states::explain(t, lang)
}

/// The exception class Python raises, e.g. `ConnectionRefusedError`.
pub(super) fn exception(err: &CallError) -> String {
    let python = err.python();
    python.split(':').next().unwrap_or(&python).to_string()
}

/// What `returned` means for `call`.
pub(super) fn fact(call: &Call, returned: &Returned) -> Fact {
    match (call, returned) {
        (Call::Socket { .. }, Returned::Socket { fd }) => Fact::NewSocket { fd: *fd },
        (Call::Bind(addr), Returned::Nothing) => Fact::Bound(addr.clone()),
        (Call::Listen(backlog), Returned::Nothing) => Fact::Listening(*backlog),
        (Call::Connect(addr), Returned::Nothing) => Fact::Connected(addr.clone()),
        (Call::Accept, Returned::Accepted { fd, peer, .. }) => {
            Fact::Accepted { fd: *fd, peer: peer.clone() }
        }
        (Call::SendAll { len }, Returned::Nothing) => Fact::SentAll(*len),
        (Call::Send { len }, Returned::Count(n)) => Fact::Sent { n: *n, len: *len },
        (Call::SendTo { to, .. }, Returned::Count(n)) => {
            Fact::SentDatagram { n: *n, to: to.clone() }
        }
        (Call::Fileno, Returned::Int(fd)) => Fact::Fileno(*fd),
        (Call::ConnectEx(_), Returned::Int(0)) => Fact::ConnectExOk,
        (Call::ConnectEx(_), Returned::Int(errno)) => {
            Fact::ConnectExErr(CallError::from_errno(i32::try_from(*errno).unwrap_or(0)))
        }
        (Call::GetSockName, Returned::Addr(a)) => Fact::OwnAddr(a.clone()),
        (Call::GetPeerName, Returned::Addr(a)) => Fact::PeerAddr(a.clone()),
        (
            Call::Recv { bufsize } | Call::RecvFrom { bufsize },
            Returned::Data { data, from, truncated },
        ) => match truncated {
            Some(full) => Fact::Truncated {
                kept: data.len(),
                full: *full,
                bufsize: *bufsize,
                from: from.clone(),
            },
            None if data.is_empty() && from.is_none() => Fact::Eof,
            None => Fact::Received {
                n: data.len(),
                bufsize: *bufsize,
                from: from.clone(),
                split: utf8_split(data),
            },
        },
        (Call::Shutdown(how), Returned::Nothing) => Fact::Shut(*how),
        (Call::Close, Returned::Nothing) => Fact::Closed,
        (Call::SetSockOpt(_) | Call::SetTimeout(_) | Call::SetBlocking(_), Returned::Nothing) => {
            Fact::Done
        }
        _ => Fact::Other(crate::python::result_text(&CallRecord {
            sock: 0,
            var: "",
            call: call.clone(),
            result: Ok(returned.clone()),
        })),
    }
}

/// How many bytes at the end of `data` start a UTF-8 character that is not
/// complete yet (0 when the data is whole, or not UTF-8 text at all). The
/// the classic example: `recv(4)` of "你好世界" ends one byte into "好".
fn utf8_split(data: &[u8]) -> usize {
    match std::str::from_utf8(data) {
        Err(e) if e.error_len().is_none() => data.len() - e.valid_up_to(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_character_is_counted() {
        let four = &"你好世界".as_bytes()[..4];
        assert_eq!(utf8_split(four), 1);
        assert_eq!(utf8_split("你好".as_bytes()), 0);
        assert_eq!(utf8_split(b"\xff\xfe"), 0, "binary is not a cut character");
    }
}
