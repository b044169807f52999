//! The filter a capture attaches: IPv4/IPv6 TCP/UDP frames to or from one
//! of the session's ports, and never the loopback's outgoing copy.
//!
//! On `lo` every frame reaches a packet socket twice, first as
//! `PACKET_OUTGOING` then as `PACKET_HOST`; libpcap drops the first in user
//! space, we drop it in the kernel. On an Ethernet interface the outgoing
//! copy is the only copy of what we send, so only loopback-type links
//! (`ARPHRD_LOOPBACK`) lose it. Frames of other link types (tunnels, PPP)
//! are dropped: the offsets below assume the 14-byte Ethernet header that
//! both Ethernet and `lo` frames carry.
//!
//! The port tests follow `tcpdump -d 'tcp port 8080 or udp port 8080'`:
//! IPv4 fragments after the first carry no ports and are dropped, and IPv6
//! is matched when TCP/UDP is the first next header (no extension headers),
//! as libpcap does.

use std::collections::BTreeSet;

use super::bpf::{Ancillary, BpfError, Insn, Label, Program, To};
use crate::net::Dir;

/// Bytes of the Ethernet header (also on `lo`, all zeros).
const ETH: u32 = 14;
const ETHERTYPE_AT: u32 = 12;
const ETH_P_IP: u32 = 0x0800;
const ETH_P_IPV6: u32 = 0x86dd;
const IPPROTO_TCP: u32 = 6;
const IPPROTO_UDP: u32 = 17;
/// IPv4's fragment offset bits (in the 16-bit word at byte 6).
const FRAGMENT_OFFSET: u32 = 0x1fff;
const IPV6_HEADER: u32 = 40;
const ARPHRD_ETHER: u32 = 1;
const ARPHRD_LOOPBACK: u32 = 772;
const PACKET_OUTGOING: u32 = 4;

/// Bytes kept of each frame to keep all of it (a loopback frame is at most
/// 64 KiB plus headers; libpcap's default snapshot length is the same).
pub const SNAP_WHOLE: u32 = 256 * 1024;

/// Bytes kept of each frame to read its headers: Ethernet (14), IPv4 with
/// options (60) or IPv6 (40), and TCP with options (60). Copying 64 KiB
/// frames to read 100 bytes of them would cost more than the session.
pub const SNAP_HEADERS: u32 = 256;

/// The ports a capture keeps: the session's own (a listener's port, a
/// connection's local port) and the ports it talks to before its own is
/// known (a client's server port: the SYN leaves before `connect()` says
/// which local port it got). Direction is decided by them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ports {
    local: BTreeSet<u16>,
    remote: BTreeSet<u16>,
}

impl Ports {
    /// Adds one of the session's own ports; whether the set changed.
    pub fn add_local(&mut self, port: u16) -> bool {
        port != 0 && self.local.insert(port)
    }

    /// Adds a port the session talks to; whether the set changed.
    pub fn add_remote(&mut self, port: u16) -> bool {
        port != 0 && self.remote.insert(port)
    }

    /// Every port the filter keeps, each once.
    #[must_use]
    pub fn all(&self) -> BTreeSet<u16> {
        self.local.union(&self.remote).copied().collect()
    }

    /// Which way a segment between these ports goes, seen from the session:
    /// from one of its own ports is sent; to one of them is received; with
    /// neither known, towards a remote port is sent.
    #[must_use]
    pub fn dir(&self, src: u16, dst: u16) -> Dir {
        if self.local.contains(&src) {
            Dir::Sent
        } else if self.local.contains(&dst) {
            Dir::Received
        } else if self.remote.contains(&dst) {
            Dir::Sent
        } else {
            Dir::Received
        }
    }
}

/// The program that keeps `ports`' frames, each cut to `snap` bytes.
///
/// # Errors
/// When the ports are too many for classic BPF's short jumps (about 60).
pub fn program(ports: &Ports, snap: u32) -> Result<Vec<Insn>, BpfError> {
    let ports: Vec<u32> = ports.all().into_iter().map(u32::from).collect();
    let mut p = Program::new();
    let (keep, drop) = (p.label(), p.label());
    if ports.is_empty() {
        p.ret(0);
        return p.finish();
    }
    ethernet_framed_without_outgoing_copy(&mut p, drop);
    let (v4, v6) = (p.label(), p.label());
    p.ldh(ETHERTYPE_AT);
    p.jeq(ETH_P_IP, To::L(v4), To::Next);
    p.jeq(ETH_P_IPV6, To::L(v6), To::L(drop));

    p.place(v4);
    p.ldb(ETH + 9);
    tcp_or_udp(&mut p, drop);
    p.ldh(ETH + 6);
    p.jset(FRAGMENT_OFFSET, To::L(drop), To::Next);
    p.ldx_ip_header_len(ETH);
    p.ldh_x(ETH);
    any_of(&mut p, &ports, keep, To::Next);
    p.ldh_x(ETH + 2);
    any_of(&mut p, &ports, keep, To::L(drop));

    p.place(v6);
    p.ldb(ETH + 6);
    tcp_or_udp(&mut p, drop);
    p.ldh(ETH + IPV6_HEADER);
    any_of(&mut p, &ports, keep, To::Next);
    p.ldh(ETH + IPV6_HEADER + 2);
    any_of(&mut p, &ports, keep, To::L(drop));

    p.place(keep);
    p.ret(snap);
    p.place(drop);
    p.ret(0);
    p.finish()
}

/// Keeps Ethernet and loopback links only, and drops a loopback's
/// `PACKET_OUTGOING` copy (`ld [type]; jeq #4`).
fn ethernet_framed_without_outgoing_copy(p: &mut Program, drop: Label) {
    let (ether, loopback) = (p.label(), p.label());
    p.ld_ancillary(Ancillary::HaType);
    p.jeq(ARPHRD_ETHER, To::L(ether), To::Next);
    p.jeq(ARPHRD_LOOPBACK, To::L(loopback), To::L(drop));
    p.place(loopback);
    p.ld_ancillary(Ancillary::PktType);
    p.jeq(PACKET_OUTGOING, To::L(drop), To::Next);
    p.place(ether);
}

/// With the IP protocol in A: on for TCP or UDP, else to `drop`.
fn tcp_or_udp(p: &mut Program, drop: Label) {
    let ours = p.label();
    p.jeq(IPPROTO_TCP, To::L(ours), To::Next);
    p.jeq(IPPROTO_UDP, To::L(ours), To::L(drop));
    p.place(ours);
}

/// With a port in A: to `hit` when it is one of `ports`, else to `miss`.
fn any_of(p: &mut Program, ports: &[u32], hit: Label, miss: To) {
    for (i, port) in ports.iter().enumerate() {
        let last = i + 1 == ports.len();
        p.jeq(*port, To::L(hit), if last { miss } else { To::Next });
    }
}

#[cfg(test)]
mod tests;
