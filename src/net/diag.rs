//! TCP sockets as NETLINK_SOCK_DIAG lists them (what `ss` uses; no root),
//! including those with no fd: connections still in an accept queue,
//! SYN_RECV, TIME_WAIT and FIN_WAIT2 after close, and on loopback the peer's
//! end of each connection. Sampling with getsockopt cannot see any of these.

use std::io;
use std::net::SocketAddr;

use super::tcp_state::TcpState;

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
    /// 0 for sockets that no fd refers to (queued, orphaned, TIME_WAIT).
    pub inode: u64,
}

/// An open NETLINK_SOCK_DIAG socket, reused for every dump.
#[cfg(target_os = "linux")]
pub struct Diag {
    socket: netlink_sys::Socket,
    buf: Vec<u8>,
}

#[cfg(target_os = "linux")]
impl Diag {
    /// Opens the netlink socket.
    pub fn open() -> io::Result<Self> {
        let mut socket = netlink_sys::Socket::new(netlink_sys::protocols::NETLINK_SOCK_DIAG)?;
        socket.bind_auto()?;
        socket.connect(&netlink_sys::SocketAddr::new(0, 0))?;
        Ok(Self { socket, buf: vec![0; 1 << 16] })
    }

    /// Every TCP socket of the families asked for, in every state.
    pub fn dump_tcp(&mut self, v4: bool, v6: bool) -> io::Result<Vec<DiagEntry>> {
        use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6};
        let mut all = if v4 { self.dump(AF_INET)? } else { Vec::new() };
        if v6 {
            all.extend(self.dump(AF_INET6)?);
        }
        Ok(all)
    }

    fn dump(&mut self, family: u8) -> io::Result<Vec<DiagEntry>> {
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

    pub fn dump_tcp(&mut self, _v4: bool, _v6: bool) -> io::Result<Vec<DiagEntry>> {
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
        let mut diag = Diag::open().unwrap();
        let all = diag.dump_tcp(true, true).unwrap();
        let listen = all.iter().find(|e| e.local == addr && e.state == TcpState::Listen).unwrap();
        assert_eq!((listen.recv_q, listen.send_q), (1, 128), "queue 1 of backlog 128");
        assert_eq!(listen.inode, super::super::sys::inode(listener.as_fd()).unwrap());
        let queued =
            all.iter().find(|e| e.local == addr && e.peer == client.local_addr().unwrap()).unwrap();
        assert_eq!((queued.state, queued.inode), (TcpState::Established, 0));
        let ours = all.iter().find(|e| e.local == client.local_addr().unwrap()).unwrap();
        assert_eq!(ours.inode, super::super::sys::inode(client.as_fd()).unwrap());
    }
}
