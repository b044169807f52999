//! TCP sockets as `NETLINK_SOCK_DIAG` lists them (what `ss` uses; no root),
//! including those with no fd: connections still in an accept queue,
//! `SYN_RECV`, `TIME_WAIT` and `FIN_WAIT2` after close, and on loopback the peer's
//! end of each connection. Sampling with getsockopt cannot see any of these.

use std::io;
use std::net::SocketAddr;

use crate::net::kernel::tcp_state::TcpState;

/// One TCP socket as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagEntry {
    pub state: TcpState,
    pub local: SocketAddr,
    pub peer: SocketAddr,
    /// LISTEN: accept-queue length; otherwise bytes waiting to be read.
    pub recv_q: u32,
    /// LISTEN: the backlog; otherwise bytes not yet acknowledged.
    pub send_q: u32,
    /// 0 for sockets that no fd refers to (queued, orphaned, `TIME_WAIT`).
    pub inode: u64,
}

/// An open `NETLINK_SOCK_DIAG` socket, reused for every dump.
#[cfg(target_os = "linux")]
pub struct Diag {
    socket: netlink_sys::Socket,
    buf: Vec<u8>,
    /// Whether the kernel refused a port filter (before Linux 4.17 there is
    /// no `INET_DIAG_BC_S_EQ`): then every socket is listed.
    unfiltered: bool,
}

/// Past this many ports the filter would cost the kernel more than it saves.
const MAX_FILTER_PORTS: usize = 256;

/// `INET_DIAG_REQ_BYTECODE`: the filter attribute of a dump request.
const INET_DIAG_REQ_BYTECODE: u16 = 1;
/// Filter ops (`linux/inet_diag.h`).
const INET_DIAG_BC_JMP: u8 = 1;
const INET_DIAG_BC_S_EQ: u8 = 11;
const INET_DIAG_BC_D_EQ: u8 = 12;

/// The filter "source or destination port is one of `ports`" as the
/// kernel's bytecode, built the way `ss` builds `sport = :P or dport = :P`:
/// a condition goes on to the next op when true and jumps past the end
/// (rejecting) when false; `A or B` is `A`, a jump to the end, then `B`, so
/// a false `A` lands on `B`. Each op is `{code: u8, yes: u8, no: u16}`; a
/// port comparison carries its port in the next op's `no`.
fn port_filter(ports: &[u16]) -> Vec<u8> {
    let op = |code: u8, yes: u8, no: u16| {
        let mut b = vec![code, yes];
        b.extend_from_slice(&no.to_ne_bytes());
        b
    };
    let conditions: Vec<(u8, u16)> =
        ports.iter().flat_map(|&p| [(INET_DIAG_BC_S_EQ, p), (INET_DIAG_BC_D_EQ, p)]).collect();
    let mut code = Vec::new();
    // Built from the last condition back, each wrapping what follows it.
    for (i, &(cmp, port)) in conditions.iter().enumerate().rev() {
        let mut this = op(cmp, 8, 12);
        this.extend(op(0, 0, port));
        if i + 1 < conditions.len() {
            let rest = u16::try_from(code.len() + 4).unwrap_or(u16::MAX);
            this.extend(op(INET_DIAG_BC_JMP, 4, rest));
        }
        this.extend(code);
        code = this;
    }
    code
}

#[cfg(target_os = "linux")]
impl Diag {
    /// Opens the netlink socket.
    pub fn open() -> io::Result<Self> {
        let mut socket = netlink_sys::Socket::new(netlink_sys::protocols::NETLINK_SOCK_DIAG)?;
        socket.bind_auto()?;
        socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
        Ok(Self { socket, buf: vec![0; 1 << 16], unfiltered: false })
    }

    /// The TCP sockets of the families asked for, in every state, whose
    /// source or destination port is one of `ports`: the kernel filters, so
    /// a host with many thousands of sockets costs us only ours (an idle
    /// TUI beside 10,000 `TIME_WAIT` sockets went from 5 % of a core to
    /// nothing). No ports, or too many, lists every socket.
    pub fn dump_tcp(&mut self, v4: bool, v6: bool, ports: &[u16]) -> io::Result<Vec<DiagEntry>> {
        use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6};
        let use_filter = !self.unfiltered && !ports.is_empty() && ports.len() <= MAX_FILTER_PORTS;
        let filter = if use_filter { port_filter(ports) } else { Vec::new() };
        let mut all = Vec::new();
        for (wanted, family) in [(v4, AF_INET), (v6, AF_INET6)] {
            if !wanted {
                continue;
            }
            match self.dump(family, &filter) {
                Ok(entries) => all.extend(entries),
                Err(_) if !filter.is_empty() => {
                    self.unfiltered = true;
                    all.extend(self.dump(family, &[])?);
                }
                Err(err) => return Err(err),
            }
        }
        Ok(all)
    }

    fn dump(&mut self, family: u8, filter: &[u8]) -> io::Result<Vec<DiagEntry>> {
        use netlink_packet_core::{NLM_F_DUMP, NLM_F_REQUEST, NetlinkMessage, NetlinkPayload};
        use netlink_packet_sock_diag::SockDiagMessage;
        use netlink_packet_sock_diag::constants::{AF_INET, IPPROTO_TCP};
        use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};

        let socket_id = if family == AF_INET { SocketId::new_v4() } else { SocketId::new_v6() };
        let request = SockDiagMessage::InetRequest(InetRequest {
            family,
            protocol: IPPROTO_TCP,
            extensions: ExtensionFlags::empty(),
            states: StateFlags::all(),
            socket_id,
        });
        let mut packet = NetlinkMessage::from(request);
        packet.header.flags = NLM_F_REQUEST | NLM_F_DUMP;
        packet.finalize();
        let mut out = vec![0; packet.buffer_len()];
        packet.serialize(&mut out);
        if !filter.is_empty() {
            // The crate has no bytecode attribute: append the rtattr and
            // grow the message's length to match.
            let attr_len = u16::try_from(4 + filter.len())
                .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
            out.extend_from_slice(&attr_len.to_ne_bytes());
            out.extend_from_slice(&INET_DIAG_REQ_BYTECODE.to_ne_bytes());
            out.extend_from_slice(filter);
            let total = u32::try_from(out.len()).unwrap_or(u32::MAX);
            out[..4].copy_from_slice(&total.to_ne_bytes());
        }
        self.socket.send(&out, 0)?;

        let mut entries = Vec::new();
        loop {
            let size = self.socket.recv(&mut &mut self.buf[..], 0)?;
            let mut offset = 0;
            while offset < size {
                let message =
                    NetlinkMessage::<SockDiagMessage>::deserialize(&self.buf[offset..size])
                        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                let len = message.header.length as usize;
                match message.payload {
                    NetlinkPayload::Done(_) => return Ok(entries),
                    NetlinkPayload::Error(err) => return Err(err.to_io()),
                    NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) => {
                        let h = &r.header;
                        let id = &h.socket_id;
                        entries.push(DiagEntry {
                            state: TcpState::from_kernel(h.state),
                            local: SocketAddr::new(id.source_address, id.source_port),
                            peer: SocketAddr::new(id.destination_address, id.destination_port),
                            recv_q: h.recv_queue,
                            send_q: h.send_queue,
                            inode: u64::from(h.inode),
                        });
                    }
                    _ => {}
                }
                if len == 0 {
                    break;
                }
                // Netlink messages are 4-byte aligned within a datagram.
                offset += len.next_multiple_of(4);
            }
        }
    }
}

/// NETLINK_SOCK_DIAG is Linux's: elsewhere there is nothing to list.
#[cfg(not(target_os = "linux"))]
pub struct Diag;

#[cfg(not(target_os = "linux"))]
impl Diag {
    pub fn open() -> io::Result<Self> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub fn dump_tcp(&mut self, _v4: bool, _v6: bool, _ports: &[u16]) -> io::Result<Vec<DiagEntry>> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, TcpStream};
    use std::os::fd::AsFd;

    use super::*;

    #[test]
    fn lists_a_listener_its_queue_and_both_ends() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = other.local_addr().unwrap();
        let mut diag = Diag::open().unwrap();
        let every = diag.dump_tcp(true, true, &[]).unwrap();
        assert!(every.iter().any(|e| e.local == other), "no ports: every socket");
        let all = diag.dump_tcp(true, true, &[addr.port()]).unwrap();
        assert!(!diag.unfiltered, "this kernel takes the port filter");
        assert!(all.iter().all(|e| e.local != other), "the filter leaves other ports out");
        assert!(all.iter().all(|e| e.local.port() == addr.port() || e.peer.port() == addr.port()));
        let listen = all.iter().find(|e| e.local == addr && e.state == TcpState::Listen).unwrap();
        assert_eq!((listen.recv_q, listen.send_q), (1, 128), "queue 1 of backlog 128");
        assert_eq!(listen.inode, crate::net::sys::inode(listener.as_fd()).unwrap());
        let queued =
            all.iter().find(|e| e.local == addr && e.peer == client.local_addr().unwrap()).unwrap();
        assert_eq!((queued.state, queued.inode), (TcpState::Established, 0));
        let ours = all.iter().find(|e| e.local == client.local_addr().unwrap()).unwrap();
        assert_eq!(ours.inode, crate::net::sys::inode(client.as_fd()).unwrap());
    }
}
