//! Unit tests of the synthesis: sequence and ack numbers stay consistent
//! through handshake, data, half-close and reset, and the file reads back
//! with the right timestamps. tshark's verdict is in `tests/pcap_tshark.rs`.

use std::net::SocketAddr;

use bytes::Bytes;
use etherparse::{SlicedPacket, TransportSlice};
use pcap_file::pcapng::{Block, PcapNgReader};

use super::*;
use crate::net::{
    Call, CallError, CallRecord, CloseReason, DataRecord, Dir, EventKind, Family, Kind, Returned,
    Shut,
};

const LOCAL: &str = "127.0.0.1:40000";
const PEER: &str = "127.0.0.1:8080";

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn ev(at: u64, kind: EventKind) -> Event {
    Event { at, kind }
}

fn call(sock: u32, call: Call, result: Returned) -> EventKind {
    EventKind::Call(CallRecord { sock, var: "client", call, result: Ok(result) })
}

fn data(sock: u32, dir: Dir, bytes: Vec<u8>) -> EventKind {
    let peer = Some(addr(PEER).into());
    EventKind::Data(DataRecord { sock, dir, peer, data: Bytes::from(bytes), offset: 0 })
}

fn client_session(sent: Vec<u8>, received: Vec<u8>) -> Vec<Event> {
    let socket = Call::Socket { family: Family::Inet, kind: Kind::Stream };
    vec![
        ev(1, call(1, socket, Returned::Socket { fd: 3 })),
        ev(
            2,
            EventKind::Connected {
                sock: 1,
                fd: 3,
                local: addr(LOCAL).into(),
                peer: addr(PEER).into(),
            },
        ),
        ev(3, data(1, Dir::Sent, sent)),
        ev(4, data(1, Dir::Received, received)),
        ev(5, call(1, Call::Shutdown(Shut::Write), Returned::Nothing)),
        ev(6, EventKind::PeerEof { sock: 1 }),
        ev(7, EventKind::Closed { sock: 1, reason: CloseReason::Local }),
    ]
}

/// A decoded TCP segment: (from us, flags "SAFRP", seq, ack, payload).
type Seg = (bool, String, u32, u32, Vec<u8>);

fn segments(events: &[Event]) -> Vec<Seg> {
    let mut synth = Synth::default();
    let mut frames = Vec::new();
    for event in events {
        synth.frames(event, &mut frames).unwrap();
    }
    frames
        .iter()
        .map(|f| {
            let p = SlicedPacket::from_ethernet(&f.data).unwrap();
            let Some(TransportSlice::Tcp(t)) = p.transport else { panic!("not tcp") };
            let flags: String = [(t.syn(), 'S'), (t.ack(), 'A'), (t.fin(), 'F'), (t.rst(), 'R')]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, c)| *c)
                .collect();
            let ours = t.source_port() == 40000;
            (ours, flags, t.sequence_number(), t.acknowledgment_number(), t.payload().to_vec())
        })
        .collect()
}

/// Replays segments as each side's receiver would: every segment starts at
/// the next expected number of its sender, and acks never run ahead.
fn check_consistent(segs: &[Seg]) {
    let (mut next_ours, mut next_theirs) = (None::<u32>, None::<u32>);
    for (ours, flags, seq, ack, payload) in segs {
        let (mine, other) =
            if *ours { (&mut next_ours, next_theirs) } else { (&mut next_theirs, next_ours) };
        if let Some(expected) = *mine {
            assert_eq!(*seq, expected, "sequence gap at {flags} {seq}");
        }
        if flags.contains('A') {
            assert_eq!(Some(*ack), other, "ack {ack} is not the other side's next");
        }
        let used = u32::try_from(payload.len()).unwrap()
            + u32::from(flags.contains('S') || flags.contains('F'));
        *mine = Some(seq.wrapping_add(used));
    }
}

#[test]
fn a_client_session_is_a_clean_tcp_flow() {
    let segs = segments(&client_session(b"hello".to_vec(), b"world\n".to_vec()));
    let shape: Vec<(bool, &str, usize)> =
        segs.iter().map(|(o, f, _, _, p)| (*o, f.as_str(), p.len())).collect();
    assert_eq!(
        shape,
        [
            (true, "S", 0),
            (false, "SA", 0),
            (true, "A", 0),
            (true, "A", 5),
            (false, "A", 0),
            (false, "A", 6),
            (true, "A", 0),
            (true, "AF", 0),
            (false, "A", 0),
            (false, "AF", 0),
            (true, "A", 0),
        ]
    );
    check_consistent(&segs);
}

#[test]
fn big_sends_split_at_the_mss_and_an_accepted_peer_opens() {
    let big = vec![7u8; 3 * frame::MSS + 10];
    let mut events = client_session(big.clone(), Vec::new());
    // As a server: the connection came from accept(), so the peer sends SYN.
    let accepted = Returned::Accepted { sock: 1, fd: 3, peer: addr(PEER).into() };
    events[0] = ev(1, call(9, Call::Accept, accepted));
    let segs = segments(&events);
    assert_eq!((segs[0].0, segs[0].1.as_str()), (false, "S"));
    let sent: Vec<u8> = segs.iter().filter(|s| s.0).flat_map(|s| s.4.iter().copied()).collect();
    assert_eq!(sent, big);
    assert!(segs.iter().all(|s| s.4.len() <= frame::MSS));
    check_consistent(&segs);
}

#[test]
fn a_reset_is_the_peers_rst() {
    let mut events = client_session(b"x".to_vec(), Vec::new());
    events.truncate(3);
    let reset = CloseReason::Failed(CallError::from_errno(libc::ECONNRESET));
    events.push(ev(9, EventKind::Closed { sock: 1, reason: reset }));
    let segs = segments(&events);
    let last = segs.last().unwrap();
    assert_eq!((last.0, last.1.as_str()), (false, "AR"));
    check_consistent(&segs);
}

#[test]
fn udp_datagrams_go_between_the_bound_address_and_the_peer() {
    let events = [
        ev(
            1,
            EventKind::Listening { sock: 1, fd: 3, local: addr(LOCAL).into(), kind: Kind::Dgram },
        ),
        ev(2, data(1, Dir::Received, b"ping".to_vec())),
        ev(3, data(1, Dir::Sent, b"pong".to_vec())),
    ];
    let mut synth = Synth::default();
    let mut frames = Vec::new();
    for event in &events {
        synth.frames(event, &mut frames).unwrap();
    }
    let ports: Vec<(u16, u16, Vec<u8>)> = frames
        .iter()
        .map(|f| {
            let p = SlicedPacket::from_ethernet(&f.data).unwrap();
            let Some(TransportSlice::Udp(u)) = p.transport else { panic!("not udp") };
            (u.source_port(), u.destination_port(), u.payload().to_vec())
        })
        .collect();
    assert_eq!(ports, [(8080, 40000, b"ping".to_vec()), (40000, 8080, b"pong".to_vec())]);
}

#[test]
fn the_file_reads_back_with_microsecond_times() {
    let path = std::env::temp_dir().join(format!("sockpit-{}-unit.pcapng", std::process::id()));
    let mut events = client_session(b"hi".to_vec(), b"yo".to_vec());
    for (i, e) in events.iter_mut().enumerate() {
        e.at = 1_700_000_000_123_456 + i as u64;
    }
    write(&path, &events).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    let mut reader = PcapNgReader::new(file).unwrap();
    let mut times = Vec::new();
    while let Some(block) = reader.next_block() {
        if let Block::EnhancedPacket(p) = block.unwrap() {
            times.push(p.timestamp);
        }
    }
    std::fs::remove_file(&path).unwrap();
    assert_eq!(times.len(), 11);
    assert_eq!(times[0], Duration::from_micros(1_700_000_000_123_457));
    let tsresol = reader.interfaces()[0]
        .options
        .contains(&InterfaceDescriptionOption::IfTsResol(TS_RESOL_NANOS));
    assert!(tsresol, "if_tsresol=9 must be declared");
}
