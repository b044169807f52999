//! The watch's classification and change detection, fed made-up listings.

use super::*;

fn a(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn entry(state: TcpState, local: &str, peer: &str, inode: u64) -> DiagEntry {
    DiagEntry { state, local: a(local), peer: a(peer), recv_q: 0, send_q: 0, inode }
}

fn watch() -> KernelWatch {
    let mut w = KernelWatch::new();
    w.known.insert(1, Known { local: a("127.0.0.1:80"), peer: None, inode: 11 });
    let conn = Known { local: a("127.0.0.1:80"), peer: Some(a("127.0.0.1:5000")), inode: 12 };
    w.known.insert(2, conn);
    w
}

#[test]
fn classifies_queued_peer_ends_and_remains() {
    let mut w = watch();
    let seen = w.observe(&[
        entry(TcpState::Listen, "127.0.0.1:80", "0.0.0.0:0", 11),
        entry(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", 12),
        entry(TcpState::Established, "127.0.0.1:5000", "127.0.0.1:80", 99),
        entry(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5001", 0),
        entry(TcpState::Established, "127.0.0.1:5001", "127.0.0.1:80", 98),
        entry(TcpState::Established, "127.0.0.1:22", "127.0.0.1:6000", 0),
    ]);
    let list = seen.list.unwrap();
    let whose: Vec<_> = list.iter().map(|d| (d.local.port(), d.whose)).collect();
    assert_eq!(
        whose,
        vec![
            (80, Whose::Queued { listener: 1 }),
            (5000, Whose::PeerEnd { sock: Some(2) }),
            (5001, Whose::PeerEnd { sock: None }),
        ],
        "our own fds and strangers are left out"
    );
    assert_eq!(seen.transitions.len(), 3, "three fd-less sockets appeared");
    assert!(seen.transitions.iter().all(|t| t.from.is_none()));
}

#[test]
fn close_turns_ours_into_remains_and_reports_each_change_once() {
    let mut w = watch();
    let ours = entry(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5000", 12);
    let first = w.observe(std::slice::from_ref(&ours));
    assert!(first.transitions.is_empty(), "our socket appearing is our own doing");
    assert_eq!(first.list, None, "still nothing without an fd");

    let wait = entry(TcpState::CloseWait, "127.0.0.1:80", "127.0.0.1:5000", 12);
    let seen = w.observe(std::slice::from_ref(&wait));
    let t = &seen.transitions[0];
    assert_eq!(
        (t.whose, t.from, t.to),
        (Whose::Ours { sock: 2 }, Some(TcpState::Established), Some(TcpState::CloseWait))
    );

    let gone = entry(TcpState::LastAck, "127.0.0.1:80", "127.0.0.1:5000", 0);
    let seen = w.observe(std::slice::from_ref(&gone));
    assert_eq!(seen.transitions[0].whose, Whose::Remains { sock: 2 });
    assert_eq!(seen.list.unwrap()[0].state, TcpState::LastAck);
    assert!(w.observe(std::slice::from_ref(&gone)).transitions.is_empty(), "no change, no event");

    let seen = w.observe(&[]);
    assert_eq!(seen.transitions[0].to, None, "the kernel forgot it");
    assert_eq!(seen.list, Some(vec![]));
    assert!(!w.known.contains_key(&2), "forgotten sockets are dropped");
}

#[test]
fn accept_is_not_the_kernels_doing() {
    let mut w = watch();
    let queued = entry(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5002", 0);
    w.observe(std::slice::from_ref(&queued));
    // accept() gave it an fd before the session registered it.
    let taken = entry(TcpState::Established, "127.0.0.1:80", "127.0.0.1:5002", 77);
    let seen = w.observe(std::slice::from_ref(&taken));
    assert!(seen.transitions.is_empty(), "{:?}", seen.transitions);
    assert_eq!(seen.list, Some(vec![]));
}
