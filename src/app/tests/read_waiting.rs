//! Outside step mode the auto driver's recv reads what is waiting
//! (`recv(65536)`): the Lifecycle says why, once; in step mode the call is
//! the student's and nothing is added.

use super::*;

fn recv(app: &mut App, bufsize: usize) {
    let data = bytes::Bytes::from_static(b"hello");
    let result = Ok(Returned::Data { data, from: None, truncated: None });
    let rec = CallRecord { sock: 1, var: "client", call: Call::Recv { bufsize }, result };
    app.on_engine(0, &ev(EventKind::Call(rec)));
}

fn said(app: &App) -> usize {
    let note = Some(crate::app::lifecycle::Note::ReadsWaiting);
    app.end().lifecycle.lines.iter().filter(|l| l.note == note).count()
}

/// The newest entry's call, as `(var, bufsize)` of a `recv`.
fn last_recv(app: &App) -> Option<(&'static str, usize)> {
    match &app.end().lifecycle.lines.back()?.what {
        crate::app::lifecycle::What::Call(rec) => match rec.call {
            Call::Recv { bufsize } => Some((rec.var, bufsize)),
            _ => None,
        },
        crate::app::lifecycle::What::Kernel(_) => None,
    }
}

#[test]
fn the_lifecycle_says_once_that_the_auto_driver_reads_what_is_waiting() {
    let mut app = client();
    connect(&mut app, 0, 1);
    recv(&mut app, crate::net::READ_WAITING);
    assert_eq!(said(&app), 1);
    assert_eq!(last_recv(&app), Some(("client", 65536)));
    assert!(app.end().lifecycle.lines.back().is_some_and(|l| l.note.is_some()));
    recv(&mut app, crate::net::READ_WAITING);
    recv(&mut app, crate::net::READ_WAITING);
    assert_eq!(said(&app), 1, "said once, not at every recv");
}

#[test]
fn in_step_mode_a_recv_of_65536_is_the_students_and_gets_no_note() {
    let mut app = client();
    app.ends[0].step = true;
    connect(&mut app, 0, 1);
    recv(&mut app, crate::net::READ_WAITING);
    recv(&mut app, 4);
    assert_eq!(said(&app), 0);
    assert_eq!(last_recv(&app), Some(("client", 4)));
}

#[test]
fn a_flood_of_64_kib_recvs_keeps_the_lifecycle_within_its_bytes() {
    use crate::app::lifecycle::MAX_DATA_BYTES;
    let mut app = client();
    connect(&mut app, 0, 1);
    let chunk = bytes::Bytes::from(vec![b'x'; crate::net::READ_WAITING]);
    for _ in 0..200 {
        let result = Ok(Returned::Data { data: chunk.clone(), from: None, truncated: None });
        let call = Call::Recv { bufsize: crate::net::READ_WAITING };
        app.on_engine(0, &ev(EventKind::Call(CallRecord { sock: 1, var: "client", call, result })));
    }
    let lifecycle = &app.end().lifecycle;
    let held = lifecycle.lines.len() * crate::net::READ_WAITING;
    assert!(held <= MAX_DATA_BYTES + crate::net::READ_WAITING, "{held} bytes in lines");
    assert_eq!(lifecycle.end_seq(), lifecycle.first + lifecycle.lines.len() as u64);
    assert!(lifecycle.first > 0, "older lines scrolled away");
}
