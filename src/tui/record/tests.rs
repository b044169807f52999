//! The recorder's unit tests: what F9 saves, captured or synthesised, and its cap.

use super::*;
use crate::net::{DataRecord, Dir, EventKind, Kind};
use bytes::Bytes;

fn events() -> Vec<Event> {
    let (local, peer): (std::net::SocketAddr, std::net::SocketAddr) =
        ("127.0.0.1:8080".parse().unwrap(), "127.0.0.1:5000".parse().unwrap());
    let data = Bytes::from_static(b"hello\n");
    vec![
        Event {
            at: 1,
            kind: EventKind::Listening { sock: 1, fd: 3, local: local.into(), kind: Kind::Stream },
        },
        Event {
            at: 2,
            kind: EventKind::Connected { sock: 2, fd: 4, local: local.into(), peer: peer.into() },
        },
        Event {
            at: 3,
            kind: EventKind::Data(DataRecord {
                sock: 2,
                dir: Dir::Received,
                peer: Some(peer.into()),
                data,
                offset: 0,
            }),
        },
    ]
}

#[test]
fn f9_saves_what_a_whole_file_would_hold_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("sockpit-f9-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rec = Recorder::open(&Record::default(), 1, false, 1 << 20).unwrap();
    for ev in events() {
        assert_eq!(rec.event(0, &ev), None);
    }
    let said = rec.save(0, "server", &dir, 1234).unwrap();
    let first = dir.join("sockpit-1234.pcapng");
    assert!(said.contains(&first.display().to_string()), "{said}");
    let whole = dir.join("whole.pcapng");
    crate::pcap::write(&whole, &events()).unwrap();
    assert_eq!(std::fs::read(&first).unwrap(), std::fs::read(&whole).unwrap());
    let again = rec.save(0, "server", &dir, 1234).unwrap();
    assert!(again.contains("sockpit-1234-2.pcapng"), "{again}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn once_the_capture_is_live_f9_saves_the_captured_frames() {
    let dir = std::env::temp_dir().join(format!("sockpit-f9-live-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rec = Recorder::open(&Record::default(), 1, false, 1 << 20).unwrap();
    assert_eq!(rec.wire(0, &Status::Live { link: "lo" }), None);
    for ev in events() {
        rec.event(0, &ev);
    }
    let mut frame = Vec::new();
    etherparse::PacketBuilder::ethernet2([0; 6], [0; 6])
        .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
        .tcp(5000, 8080, 1, 512)
        .syn()
        .write(&mut frame, &[])
        .unwrap();
    let mut seg = crate::wire::segment::decode(&frame, 0).unwrap();
    let bytes = Bytes::from(frame.clone());
    seg.raw = Some(crate::wire::Raw { at_nanos: 1, bytes, wire_len: frame.len() });
    assert_eq!(rec.segment(0, &seg), None);
    let said = rec.save(0, "client", &dir, 99).unwrap();
    assert!(said.ends_with("(the captured frames)"), "{said}");
    let file = std::fs::read(dir.join("sockpit-99.pcapng")).unwrap();
    let comment = crate::pcap::captured::COMMENT.as_bytes();
    assert!(file.windows(comment.len()).any(|w| w == comment), "says it is a capture");
    assert!(file.windows(frame.len()).any(|w| w == frame), "holds the frame");
    assert!(!file.windows(6).any(|w| w == b"hello\n"), "no frame synthesised from the calls");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn without_a_capture_f9_says_the_file_is_synthesised() {
    let dir = std::env::temp_dir().join(format!("sockpit-f9-synth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rec = Recorder::open(&Record::default(), 1, false, 1 << 20).unwrap();
    rec.wire(0, &Status::Unavailable("socket AF_PACKET failed: EPERM".into()));
    for ev in events() {
        rec.event(0, &ev);
    }
    let said = rec.save(0, "client", &dir, 7).unwrap();
    assert!(said.contains("synthesised from the calls: no capture"), "{said}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_memory_capture_stops_at_the_cap() {
    let mut rec = Recorder::open(&Record::default(), 1, false, 0).unwrap();
    for ev in events() {
        rec.event(0, &ev);
    }
    assert!(rec.memory[0].full);
    let dir = std::env::temp_dir();
    let err = rec.save(0, "x", Path::new("/nonexistent-dir"), 1).unwrap_err();
    assert!(err.to_string().contains("ENOENT"), "{err}");
    let _ = dir;
}
