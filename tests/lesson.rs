//! The lesson's acceptance: every call of the tutorial's reference table (plus
//! setsockopt and shutdown) has a timeline line and an explanation in
//! English and Chinese; results say why (EOF, `MSG_TRUNC`, the client's
//! address, a cut character); each error the lesson meets has its own cause
//! and hint in both languages; and the kernel's transitions are explained.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

use std::collections::HashSet;
use std::net::SocketAddr;

use bytes::Bytes;
use sockpit::lesson::{Explanation, Lang, explain, explain_state};
use sockpit::net::{
    Call, CallError, CallRecord, Family, Kind, Returned, Shut, SockOpt, TcpState, Transition, Whose,
};
use sockpit::python;

const LANGS: [Lang; 2] = [Lang::En, Lang::Zh];

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("address")
}

fn rec(var: &'static str, call: Call, result: Result<Returned, CallError>) -> CallRecord {
    CallRecord { sock: 1, var, call, result }
}

fn data(bytes: &'static [u8], from: Option<SocketAddr>, truncated: Option<usize>) -> Returned {
    Returned::Data { data: Bytes::from_static(bytes), from: from.map(Into::into), truncated }
}

fn has_cjk(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// One record per call of the tutorial's table, with a typical result.
fn seed_calls() -> Vec<CallRecord> {
    let server = addr("127.0.0.1:8080");
    let peer = addr("127.0.0.1:50512");
    vec![
        rec(
            "server",
            Call::Socket { family: Family::Inet, kind: Kind::Stream },
            Ok(Returned::Socket { fd: 7 }),
        ),
        rec("server", Call::SetSockOpt(SockOpt::ReuseAddr(true)), Ok(Returned::Nothing)),
        rec("server", Call::Bind(server.into()), Ok(Returned::Nothing)),
        rec("server", Call::Listen(5), Ok(Returned::Nothing)),
        rec("server", Call::SetBlocking(false), Ok(Returned::Nothing)),
        rec("server", Call::Accept, Ok(Returned::Accepted { sock: 2, fd: 8, peer: peer.into() })),
        rec("client", Call::Connect(server.into()), Ok(Returned::Nothing)),
        rec("client", Call::ConnectEx(server.into()), Ok(Returned::Int(0))),
        rec("sock", Call::Close, Ok(Returned::Nothing)),
        rec("sock", Call::Recv { bufsize: 1024 }, Ok(data(b"hello", None, None))),
        rec("server", Call::RecvFrom { bufsize: 1024 }, Ok(data(b"hello", Some(peer), None))),
        rec("sock", Call::Send { len: 5 }, Ok(Returned::Count(5))),
        rec("sock", Call::SendAll { len: 5 }, Ok(Returned::Nothing)),
        rec("server", Call::SendTo { len: 5, to: peer.into() }, Ok(Returned::Count(5))),
        rec("client", Call::SetTimeout(Some(5.0)), Ok(Returned::Nothing)),
        rec("sock", Call::GetPeerName, Ok(Returned::Addr(peer.into()))),
        rec("server", Call::GetSockName, Ok(Returned::Addr(server.into()))),
        rec("server", Call::Fileno, Ok(Returned::Int(7))),
        rec("sock", Call::Shutdown(Shut::Write), Ok(Returned::Nothing)),
    ]
}

#[test]
fn every_seed_call_has_a_line_and_an_explanation_in_both_languages() {
    let names: Vec<&str> = "socket setsockopt bind listen setblocking accept connect connect_ex \
                            close recv recvfrom send sendall sendto settimeout getpeername \
                            getsockname fileno shutdown"
        .split_whitespace()
        .collect();
    let calls = seed_calls();
    let covered: Vec<&str> = calls.iter().map(|r| r.call.name()).collect();
    assert_eq!(covered, names, "the table covers the tutorial's calls, in its order");
    let mut seen = [HashSet::new(), HashSet::new()];
    for record in &calls {
        let name = record.call.name();
        let line = python::line(record);
        assert!(line.contains(&format!("{name}(")), "{name}: timeline line {line:?}");
        let [en, zh] = LANGS.map(|lang| explain(record, lang));
        for (e, lang) in [(&en, "en"), (&zh, "zh")] {
            assert!(!e.what.trim().is_empty(), "{name} {lang}: no what");
            assert!(!e.result.trim().is_empty(), "{name} {lang}: no result");
        }
        assert!(!has_cjk(&en.what) && !has_cjk(&en.result), "{name}: English has Chinese");
        assert!(has_cjk(&zh.what) && has_cjk(&zh.result), "{name}: Chinese is not Chinese");
        // No call borrows another's explanation.
        assert!(seen[0].insert(en.what.clone()), "{name}: English what repeats another call's");
        assert!(seen[1].insert(zh.what.clone()), "{name}: Chinese what repeats another call's");
    }
}

#[test]
fn the_chinese_uses_the_seeds_own_words() {
    let words = [
        (Call::Accept, "接受连接并返回（conn,address）"),
        (Call::SetBlocking(false), "accept和recv时一旦无数据"),
        (Call::Listen(5), "开始监听传入连接"),
        (Call::GetPeerName, "返回连接套接字的远程地址"),
        (Call::SendAll { len: 5 }, "在返回之前会尝试发送所有数据"),
    ];
    for (call, phrase) in words {
        let zh = explain(&rec("server", call.clone(), Ok(Returned::Nothing)), Lang::Zh);
        assert!(zh.what.contains(phrase), "{}: {:?} lacks {phrase:?}", call.name(), zh.what);
    }
}

fn en_zh(record: &CallRecord) -> [Explanation; 2] {
    LANGS.map(|lang| explain(record, lang))
}

#[test]
fn results_say_why() {
    let [en, zh] = en_zh(&rec("sock", Call::Recv { bufsize: 1024 }, Ok(data(b"", None, None))));
    assert!(en.result.contains("EOF") && zh.result.contains("EOF"), "{en:?} {zh:?}");

    let cut = Call::RecvFrom { bufsize: 1024 };
    let long = vec![b'x'; 1024].leak();
    let truncated = data(long, Some(addr("127.0.0.1:5000")), Some(3000));
    let [en, zh] = en_zh(&rec("server", cut, Ok(truncated)));
    for e in [&en, &zh] {
        assert!(e.result.contains("MSG_TRUNC") && e.result.contains("1976"), "{e:?}");
        assert!(e.hint.as_deref().is_some_and(|h| h.contains("3000")), "{e:?}");
    }

    let peer = addr("127.0.0.1:50512");
    let accepted = Ok(Returned::Accepted { sock: 2, fd: 8, peer: peer.into() });
    for e in en_zh(&rec("server", Call::Accept, accepted)) {
        assert!(e.result.contains("('127.0.0.1', 50512)"), "{e:?}");
    }

    let four = &"你好世界".as_bytes()[..4];
    let split = Returned::Data { data: Bytes::copy_from_slice(four), from: None, truncated: None };
    let [en, zh] = en_zh(&rec("sock", Call::Recv { bufsize: 4 }, Ok(split)));
    assert!(en.result.contains("UTF-8 character"), "{en:?}");
    assert!(zh.result.contains("UTF-8字符"), "{zh:?}");

    let [en, _] = en_zh(&rec("sock", Call::Send { len: 10 }, Ok(Returned::Count(4))));
    assert!(en.result.contains("only 4 of 10"), "{en:?}");
    assert!(en.hint.is_some_and(|h| h.contains("sendall")));
}

#[test]
fn each_error_of_the_lesson_has_its_own_cause_and_hint() {
    let at = addr("127.0.0.1:9");
    let errno = CallError::from_errno;
    let cases = [
        (Call::Connect(at.into()), errno(libc::ECONNREFUSED)),
        (Call::Bind(at.into()), errno(libc::EADDRINUSE)),
        (Call::Bind(at.into()), errno(libc::EACCES)),
        (Call::Bind(at.into()), errno(libc::EADDRNOTAVAIL)),
        (Call::Connect(at.into()), errno(libc::ETIMEDOUT)),
        (Call::Recv { bufsize: 4 }, CallError::timeout()),
        (Call::Recv { bufsize: 4 }, errno(libc::ECONNRESET)),
        (Call::SendAll { len: 4 }, errno(libc::EPIPE)),
        (Call::Accept, errno(libc::EAGAIN)),
        (Call::Connect(at.into()), errno(libc::EINPROGRESS)),
        (Call::Accept, CallError::interrupted()),
        (Call::Recv { bufsize: 4 }, errno(libc::ENOTCONN)),
        (Call::Accept, errno(libc::EINVAL)),
        (Call::Recv { bufsize: 4 }, errno(libc::EBADF)),
        (Call::Connect(at.into()), CallError::resolve("EAI_NONAME", "Name or service not known")),
        (Call::Connect(at.into()), CallError::resolve("EAI_AGAIN", "Temporary failure")),
    ];
    let mut hints = [HashSet::new(), HashSet::new()];
    for (call, err) in cases {
        let what = format!("{} {}", call.name(), err.name);
        let [en, zh] = en_zh(&rec("client", call, Err(err.clone())));
        assert!(en.result.contains(&err.name), "{what}: {en:?}");
        assert!(zh.result.contains(&err.name) && has_cjk(&zh.result), "{what}: {zh:?}");
        // The catch-all sentences mean the error has no entry of its own.
        assert!(!en.result.contains("the system refused the call"), "{what}: {en:?}");
        assert!(!zh.result.contains("系统拒绝了这次调用"), "{what}: {zh:?}");
        let (en_hint, zh_hint) = (en.hint.expect("en hint"), zh.hint.expect("zh hint"));
        assert!(en_hint.starts_with("Try "), "{what}: {en_hint}");
        assert!(has_cjk(&zh_hint), "{what}: {zh_hint}");
        hints[0].insert(en_hint);
        hints[1].insert(zh_hint);
    }
    assert!(hints[0].len() >= 14 && hints[1].len() >= 14, "hints are not one-size: {hints:?}");
}

#[test]
fn english_says_what_the_error_messages_say() {
    // Where the lesson has nothing more specific, it uses errors.rs' words.
    let err = CallError::from_errno(libc::EMFILE);
    let [en, _] = en_zh(&rec("server", Call::Accept, Err(err.clone())));
    let (cause, hint) = sockpit::net::explain("accept", &err);
    assert!(en.result.contains(cause), "{en:?}");
    assert_eq!(en.hint.as_deref(), Some(format!("Try {hint}.").as_str()));
}

#[test]
fn the_kernels_transitions_are_explained() {
    let (local, peer) = (addr("127.0.0.1:8080"), addr("127.0.0.1:50512"));
    let states = [
        TcpState::SynRecv,
        TcpState::Established,
        TcpState::CloseWait,
        TcpState::LastAck,
        TcpState::FinWait1,
        TcpState::FinWait2,
        TcpState::TimeWait,
    ];
    let mut seen = HashSet::new();
    for state in states {
        let t =
            Transition { whose: Whose::Ours { sock: 2 }, local, peer, from: None, to: Some(state) };
        let [en, zh] = LANGS.map(|lang| explain_state(&t, lang));
        assert!(en.what.starts_with(state.name()), "{state}: {en:?}");
        assert!(zh.what.starts_with(state.name()) && has_cjk(&zh.what), "{state}: {zh:?}");
        assert!(en.result.contains("by itself") && zh.result.contains("内核自己"), "{state}");
        assert!(seen.insert(en.what), "{state} repeats another state's words");
    }
    let queued = Transition {
        whose: Whose::Queued { listener: 1 },
        local,
        peer,
        from: Some(TcpState::SynRecv),
        to: Some(TcpState::Established),
    };
    let [en, zh] = LANGS.map(|lang| explain_state(&queued, lang));
    assert!(en.what.contains("accept queue") && en.hint.is_some(), "{en:?}");
    assert!(zh.what.contains("accept队列"), "{zh:?}");
    assert!(en.result.contains("SYN_RECV to ESTABLISHED"), "{en:?}");
}
