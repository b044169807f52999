//! The wire: this session's own TCP segments and UDP datagrams, captured
//! live beside the calls that caused them. An event source of its own next
//! to `net/` (which knows nothing of it): an `AF_PACKET` socket with a
//! classic BPF filter for the session's ports, read by a tokio task,
//! decoded with etherparse, numbered as tshark numbers them.
//!
//! - `bpf`: classic BPF instructions with labels, and their listing;
//! - `filter`: the session's program (ports, no loopback duplicates);
//! - `segment`: a frame decoded into a [`Segment`];
//! - `track`: relative seq/ack and window scaling per connection;
//! - `render`: a segment as one tcpdump-like line;
//! - `capture`: the socket and its task.

/// Tests: the bytes of a frame an etherparse `PacketBuilder` step makes.
#[cfg(test)]
macro_rules! frame {
    ($step:expr, $payload:expr) => {{
        let mut bytes = Vec::new();
        $step.write(&mut bytes, $payload).unwrap();
        bytes
    }};
}

pub(crate) mod bpf;
pub(crate) mod capture;
pub(crate) mod describe;
pub(crate) mod filter;
#[cfg(test)]
pub(crate) mod hand_made;
pub(crate) mod render;
pub(crate) mod segment;
mod sys;
pub(crate) mod track;

pub use capture::{CLOSE_LINGER, Capture, Link, Summary, Watch, WireError};
pub use filter::{Ports, SNAP_HEADERS, SNAP_WHOLE};
pub use segment::{Flags, Proto, Raw, Segment, Tcp, TcpOpt};
