//! The tracker against what tshark 4.0 printed for the same segments
//! (`-e tcp.seq -e tcp.ack -e tcp.window_size`, captured on `lo`).

use super::*;

const C: &str = "127.0.0.1:40000";
const S: &str = "127.0.0.1:8080";

/// A segment from `src` to `dst` with raw numbers.
fn seg(src: &str, dst: &str, flags: &str, seq: u32, ack: u32, len: usize, win: u16) -> Segment {
    crate::wire::hand_made::tcp(src, dst, flags, (seq, ack), len, win)
}

/// Runs `segs` through a tracker: (seq, ack, window) of each.
fn relative(tracker: &mut Tracker, segs: Vec<Segment>) -> Vec<(u32, u32, u32)> {
    segs.into_iter()
        .map(|mut s| {
            tracker.annotate(&mut s);
            let Proto::Tcp(t) = s.proto else { panic!("TCP") };
            (t.seq, t.ack, t.win())
        })
        .collect()
}

#[test]
fn a_whole_connection_reads_as_tshark_shows_it() {
    let (c, s) = (763_030_347u32, 1_106_292_848u32);
    let mut t = Tracker::new();
    let got = relative(
        &mut t,
        vec![
            seg(C, S, "SYN", c, 0, 0, 65_495),
            seg(S, C, "SYN,ACK", s, c + 1, 0, 65_483),
            seg(C, S, "ACK", c + 1, s + 1, 0, 512),
            seg(C, S, "PSH,ACK", c + 1, s + 1, 6, 512),
            seg(S, C, "ACK", s + 1, c + 7, 0, 512),
            seg(S, C, "PSH,ACK", s + 1, c + 7, 3, 512),
            seg(C, S, "ACK", c + 7, s + 4, 0, 512),
            seg(C, S, "FIN,ACK", c + 7, s + 4, 0, 512),
            seg(S, C, "FIN,ACK", s + 4, c + 8, 0, 512),
        ],
    );
    let want = [
        (0, 0, 65_495),
        (0, 1, 65_483),
        (1, 1, 65_536),
        (1, 1, 65_536),
        (1, 7, 65_536),
        (1, 7, 65_536),
        (7, 4, 65_536),
        (7, 4, 65_536),
        (4, 8, 65_536),
    ];
    assert_eq!(got, want);
    assert!(!t.all_finished(), "the server's FIN is not acknowledged yet");
    assert_eq!(relative(&mut t, vec![seg(C, S, "ACK", c + 8, s + 5, 0, 512)]), [(8, 5, 65_536)]);
    assert!(t.all_finished());
}

#[test]
fn a_reset_from_a_closed_port_reads_seq_1_ack_1_unscaled() {
    let mut t = Tracker::new();
    let got = relative(
        &mut t,
        vec![
            seg(C, S, "SYN", 1_744_067_714, 0, 0, 65_495),
            seg(S, C, "RST,ACK", 0, 1_744_067_715, 0, 0),
        ],
    );
    assert_eq!(got, [(0, 0, 65_495), (1, 1, 0)]);
    assert!(t.all_finished());
}

#[test]
fn mid_stream_sides_start_at_1_and_windows_stay_raw() {
    let mut t = Tracker::new();
    let got = relative(
        &mut t,
        vec![seg(C, S, "PSH,ACK", 5000, 9000, 10, 512), seg(S, C, "ACK", 9000, 5010, 0, 300)],
    );
    assert_eq!(got, [(1, 1, 512), (1, 11, 300)]);
}

#[test]
fn a_syn_without_wscale_means_no_scaling_either_way() {
    let mut t = Tracker::new();
    let mut syn = seg(C, S, "SYN", 10, 0, 0, 1000);
    if let Proto::Tcp(tcp) = &mut syn.proto {
        tcp.options.retain(|o| !matches!(o, TcpOpt::WindowScale(_)));
    }
    let got = relative(
        &mut t,
        vec![syn, seg(S, C, "SYN,ACK", 20, 11, 0, 2000), seg(S, C, "ACK", 21, 11, 0, 2000)],
    );
    assert_eq!(got, [(0, 0, 1000), (0, 1, 2000), (1, 1, 2000)]);
}

#[test]
fn a_new_syn_on_the_same_addresses_starts_over_and_numbers_wrap() {
    let mut t = Tracker::new();
    let near_end = u32::MAX - 1;
    let got = relative(
        &mut t,
        vec![
            seg(C, S, "SYN", 100, 0, 0, 1),
            seg(C, S, "SYN", 100, 0, 0, 1),
            seg(C, S, "SYN", near_end, 0, 0, 1),
            seg(S, C, "SYN,ACK", 7, near_end.wrapping_add(1), 0, 1),
            seg(C, S, "ACK", near_end.wrapping_add(1), 8, 5, 1),
        ],
    );
    let seqs: Vec<(u32, u32)> = got.iter().map(|(s, a, _)| (*s, *a)).collect();
    assert_eq!(seqs, [(0, 0), (0, 0), (0, 0), (0, 1), (1, 1)]);
}
