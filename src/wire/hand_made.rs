//! TCP segments written by hand for the unit tests of the tracker and of
//! the Wire pane: one builder, so both read the same numbers the same way.

use super::segment::{Flags, Proto, Segment, Tcp, TcpOpt};
use crate::net::Dir;

/// A TCP segment from `src` to `dst` with raw sequence, ack and window
/// numbers; `flags` is a comma list (`"SYN,ACK"`). A SYN carries MSS and
/// window scale 7, as Linux's on `lo` do.
pub(crate) fn tcp(
    src: &str,
    dst: &str,
    flags: &str,
    (seq, ack): (u32, u32),
    len: usize,
    win: u16,
) -> Segment {
    let mut f = Flags::default();
    for name in flags.split(',') {
        f = f.with(Flags::named(name).unwrap_or_else(|| panic!("flag {name}")));
    }
    let options = if f.has(Flags::SYN) {
        vec![TcpOpt::Mss(65_495), TcpOpt::Nop, TcpOpt::WindowScale(7)]
    } else {
        Vec::new()
    };
    Segment {
        at_micros: 0,
        dir: Dir::Sent,
        src: src.parse().unwrap_or_else(|_| panic!("address {src}")),
        dst: dst.parse().unwrap_or_else(|_| panic!("address {dst}")),
        len,
        proto: Proto::Tcp(Tcp {
            flags: f,
            seq: 0,
            ack: 0,
            seq_raw: seq,
            ack_raw: ack,
            win_raw: win,
            win_shift: None,
            options,
        }),
        raw: None,
    }
}
