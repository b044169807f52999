//! The filter's structure (its listing, beside `tcpdump -d`'s) and its
//! meaning: a small classic BPF machine runs it on frames built with
//! etherparse, as the kernel would. The same program is tested for real on
//! `lo` in `capture.rs` and in `tests/wire.rs`.

use etherparse::PacketBuilder;

use super::*;
use crate::wire::bpf::{Listing, op};

/// What the kernel knows about a frame besides its bytes.
#[derive(Clone, Copy)]
struct Seen {
    pkttype: u32,
    hatype: u32,
}

const LO_IN: Seen = Seen { pkttype: 0, hatype: ARPHRD_LOOPBACK };
const LO_OUT: Seen = Seen { pkttype: PACKET_OUTGOING, hatype: ARPHRD_LOOPBACK };
const ETH_OUT: Seen = Seen { pkttype: PACKET_OUTGOING, hatype: ARPHRD_ETHER };
/// `ARPHRD_NONE`: a tunnel, no Ethernet header.
const TUN_IN: Seen = Seen { pkttype: 0, hatype: 0xfffe };

/// Runs `prog` on `frame` as the kernel's classic BPF does: the bytes it
/// keeps (0 drops the frame); a load past the end drops it too.
#[expect(clippy::many_single_char_names, reason = "the BPF machine's own names: A, X, pc")]
fn run(prog: &[Insn], frame: &[u8], seen: Seen) -> u32 {
    let load = |at: u32, n: usize| -> Option<u32> {
        let at = at as usize;
        let bytes = frame.get(at..at.checked_add(n)?)?;
        Some(bytes.iter().fold(0, |acc, b| acc << 8 | u32::from(*b)))
    };
    let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
    loop {
        let Some(i) = prog.get(pc) else { return 0 };
        pc += 1;
        let value = match i.code {
            c if c == op::LD | op::W | op::ABS => match Ancillary::at(i.k) {
                Some(Ancillary::PktType) => Some(seen.pkttype),
                Some(Ancillary::HaType) => Some(seen.hatype),
                None => load(i.k, 4),
            },
            c if c == op::LD | op::H | op::ABS => load(i.k, 2),
            c if c == op::LD | op::B | op::ABS => load(i.k, 1),
            c if c == op::LD | op::H | op::IND => load(x + i.k, 2),
            c if c == op::LDX | op::B | op::MSH => {
                let Some(b) = load(i.k, 1) else { return 0 };
                x = 4 * (b & 0xf);
                continue;
            }
            c if c == op::JMP | op::JA => {
                pc += i.k as usize;
                continue;
            }
            c if c == op::JMP | op::JEQ | op::K || c == op::JMP | op::JSET | op::K => {
                let taken = if c & 0xf0 == op::JEQ { a == i.k } else { a & i.k != 0 };
                pc += usize::from(if taken { i.jt } else { i.jf });
                continue;
            }
            c if c == op::RET | op::K => return i.k,
            c => panic!("instruction {c:#x} not in this machine"),
        };
        let Some(value) = value else { return 0 };
        a = value;
    }
}

const MAC: [u8; 6] = [0; 6];

fn tcp4(src: u16, dst: u16) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(MAC, MAC).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
    frame!(b.tcp(src, dst, 1, 65_535).syn(), &[])
}

fn udp4(src: u16, dst: u16) -> Vec<u8> {
    let b = PacketBuilder::ethernet2(MAC, MAC).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
    frame!(b.udp(src, dst), b"hi")
}

fn tcp6(src: u16, dst: u16) -> Vec<u8> {
    let one = std::net::Ipv6Addr::LOCALHOST.octets();
    let b = PacketBuilder::ethernet2(MAC, MAC).ipv6(one, one, 64);
    frame!(b.tcp(src, dst, 1, 65_535), b"data")
}

fn udp6(src: u16, dst: u16) -> Vec<u8> {
    let one = std::net::Ipv6Addr::LOCALHOST.octets();
    frame!(PacketBuilder::ethernet2(MAC, MAC).ipv6(one, one, 64).udp(src, dst), b"x")
}

fn ports(local: &[u16], remote: &[u16]) -> Ports {
    let mut p = Ports::default();
    for l in local {
        _ = p.add_local(*l);
    }
    for r in remote {
        _ = p.add_remote(*r);
    }
    p
}

fn keeps(prog: &[Insn], frame: &[u8], seen: Seen) -> bool {
    run(prog, frame, seen) == SNAP_WHOLE
}

/// `tcpdump -i lo -d 'tcp port 8080 or udp port 8080'` (tcpdump 4.99.3,
/// libpcap 1.10): the oracle for the port tests.
const TCPDUMP: &str = "\
(000) ldh      [12]
(001) jeq      #0x86dd          jt 2\tjf 9
(002) ldb      [20]
(003) jeq      #0x6             jt 5\tjf 4
(004) jeq      #0x11            jt 5\tjf 21
(005) ldh      [54]
(006) jeq      #0x1f90          jt 20\tjf 7
(007) ldh      [56]
(008) jeq      #0x1f90          jt 20\tjf 21
(009) jeq      #0x800           jt 10\tjf 21
(010) ldb      [23]
(011) jeq      #0x6             jt 13\tjf 12
(012) jeq      #0x11            jt 13\tjf 21
(013) ldh      [20]
(014) jset     #0x1fff          jt 21\tjf 15
(015) ldxb     4*([14]&0xf)
(016) ldh      [x + 14]
(017) jeq      #0x1f90          jt 20\tjf 18
(018) ldh      [x + 16]
(019) jeq      #0x1f90          jt 20\tjf 21
(020) ret      #262144
(021) ret      #0
";

/// Lines `from..=to` of a listing without their numbers and jump targets.
fn ops(listing: &str, from: usize, to: usize) -> Vec<String> {
    let lines = listing.lines().skip(from).take(to + 1 - from);
    lines.map(|l| l[6..].split(" jt ").next().unwrap_or("").trim().to_string()).collect()
}

#[test]
fn listing_reads_like_tcpdump_d() {
    let prog = program(&ports(&[8080], &[]), SNAP_WHOLE).unwrap();
    let listing = Listing(&prog).to_string();
    // 000-004 keep Ethernet and loopback links and drop the loopback's
    // outgoing copy; then tcpdump's tests, IPv4 first.
    let want = "\
(000) ld       [hatype]
(001) jeq      #0x1             jt 5\tjf 2
(002) jeq      #0x304           jt 3\tjf 26
(003) ld       [type]
(004) jeq      #0x4             jt 26\tjf 5
(005) ldh      [12]
(006) jeq      #0x800           jt 8\tjf 7
(007) jeq      #0x86dd          jt 18\tjf 26
(008) ldb      [23]
(009) jeq      #0x6             jt 11\tjf 10
(010) jeq      #0x11            jt 11\tjf 26
(011) ldh      [20]
(012) jset     #0x1fff          jt 26\tjf 13
(013) ldxb     4*([14]&0xf)
(014) ldh      [x + 14]
(015) jeq      #0x1f90          jt 25\tjf 16
(016) ldh      [x + 16]
(017) jeq      #0x1f90          jt 25\tjf 26
(018) ldb      [20]
(019) jeq      #0x6             jt 21\tjf 20
(020) jeq      #0x11            jt 21\tjf 26
(021) ldh      [54]
(022) jeq      #0x1f90          jt 25\tjf 23
(023) ldh      [56]
(024) jeq      #0x1f90          jt 25\tjf 26
(025) ret      #262144
(026) ret      #0
";
    assert_eq!(listing, want);
    assert_eq!(ops(&listing, 8, 17), ops(TCPDUMP, 10, 19), "the IPv4 block is libpcap's");
    assert_eq!(ops(&listing, 18, 24), ops(TCPDUMP, 2, 8), "the IPv6 block is libpcap's");
    assert_eq!(ops(&listing, 25, 26), ops(TCPDUMP, 20, 21), "and so are the returns");
}

#[test]
fn keeps_the_ports_both_ways_tcp_and_udp_v4_and_v6() {
    let prog = program(&ports(&[8080], &[]), SNAP_WHOLE).unwrap();
    for frame in [tcp4(8080, 40_000), tcp4(40_000, 8080), udp4(8080, 1), udp4(1, 8080)] {
        assert!(keeps(&prog, &frame, LO_IN));
    }
    for frame in [tcp6(8080, 40_000), tcp6(40_000, 8080), udp6(8080, 9), udp6(9, 8080)] {
        assert!(keeps(&prog, &frame, LO_IN));
    }
    for frame in [tcp4(8081, 40_000), udp4(1, 2), tcp6(80, 443), udp6(53, 5353)] {
        assert_eq!(run(&prog, &frame, LO_IN), 0);
    }
}

#[test]
fn drops_the_loopback_outgoing_copy_but_not_ethernet_sends() {
    let prog = program(&ports(&[8080], &[]), SNAP_WHOLE).unwrap();
    let frame = tcp4(40_000, 8080);
    assert!(keeps(&prog, &frame, LO_IN));
    assert_eq!(run(&prog, &frame, LO_OUT), 0);
    assert!(keeps(&prog, &frame, ETH_OUT), "on Ethernet the outgoing copy is the only one");
    assert_eq!(run(&prog, &frame, TUN_IN), 0, "no Ethernet header to read ports at");
}

#[test]
fn reads_ports_past_ipv4_options_and_skips_later_fragments() {
    let prog = program(&ports(&[8080], &[]), SNAP_WHOLE).unwrap();
    let mut with_options = tcp4(40_000, 8080);
    with_options.splice(14 + 20..14 + 20, [1, 1, 1, 1]); // four NOPs
    with_options[14] = 0x46; // IHL 6 words
    assert!(keeps(&prog, &with_options, LO_IN));
    // Without the options the same bytes would put the ports elsewhere.
    with_options[14] = 0x45;
    assert_eq!(run(&prog, &with_options, LO_IN), 0);
    let mut fragment = tcp4(40_000, 8080);
    fragment[14 + 6..14 + 8].copy_from_slice(&100u16.to_be_bytes());
    assert_eq!(run(&prog, &fragment, LO_IN), 0);
}

#[test]
fn other_protocols_are_dropped() {
    let prog = program(&ports(&[8080], &[]), SNAP_WHOLE).unwrap();
    let b = PacketBuilder::ethernet2(MAC, MAC).ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64);
    let icmp = frame!(b.icmpv4_echo_request(0x1f90, 0x1f90), &[]);
    assert_eq!(run(&prog, &icmp, LO_IN), 0);
    let mut arp = tcp4(8080, 8080);
    arp[12..14].copy_from_slice(&0x0806u16.to_be_bytes());
    assert_eq!(run(&prog, &arp, LO_IN), 0);
    assert_eq!(run(&prog, &[0u8; 10], LO_IN), 0, "a runt frame is dropped, not misread");
}

#[test]
fn every_port_of_the_set_is_kept_and_none_means_nothing() {
    let prog = program(&ports(&[8080], &[9000, 8080]), SNAP_WHOLE).unwrap();
    assert!(keeps(&prog, &tcp4(40_000, 9000), LO_IN));
    assert!(keeps(&prog, &udp6(8080, 1), LO_IN));
    let none = program(&Ports::default(), SNAP_WHOLE).unwrap();
    assert_eq!(Listing(&none).to_string(), "(000) ret      #0\n");
    assert_eq!(run(&none, &tcp4(8080, 8080), LO_IN), 0);
}

#[test]
fn too_many_ports_is_an_error_not_a_wrong_program() {
    let many: Vec<u16> = (1000..1100).collect();
    assert!(matches!(program(&ports(&many, &[]), SNAP_WHOLE), Err(BpfError::TooFar(_))));
    let enough: Vec<u16> = (1000..1040).collect();
    let prog = program(&ports(&enough, &[]), SNAP_WHOLE).unwrap();
    assert!(keeps(&prog, &tcp6(1039, 1), LO_IN));
}

#[test]
fn direction_from_own_ports_then_remote_ones() {
    let p = ports(&[40_000], &[8080]);
    assert_eq!(p.dir(40_000, 8080), Dir::Sent);
    assert_eq!(p.dir(8080, 40_000), Dir::Received);
    // Before the local port is known, towards the server is sent.
    let early = ports(&[], &[8080]);
    assert_eq!(early.dir(40_000, 8080), Dir::Sent);
    assert_eq!(early.dir(8080, 40_000), Dir::Received);
    let server = ports(&[8080], &[]);
    assert_eq!(server.dir(8080, 40_000), Dir::Sent);
    assert!(!ports(&[0], &[]).all().contains(&0), "port 0 is never a port to watch");
}
