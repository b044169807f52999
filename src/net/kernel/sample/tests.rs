//! Samples of real sockets on loopback: what the kernel reports for each
//! kind and state.

use std::net::{TcpListener, TcpStream, UdpSocket};

use super::figures::INFINITE_SSTHRESH;
use super::*;
use crate::net::kernel::tcp_state::TcpState;

#[test]
fn connection_listener_and_udp_samples() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    client.set_nodelay(true).unwrap();
    let mut on_listener = Sampler::new(Kind::Stream, true);
    let queued = on_listener.sample(&listener, false);
    assert_eq!(queued.accept_queue.map(|q| q.len), Some(1));
    assert_eq!(queued.recv_q, None, "SIOCINQ means nothing on a listener");
    let (server, _) = listener.accept().unwrap();
    let mut on_client = Sampler::new(Kind::Stream, false);
    let s = on_client.sample(&client, false);
    assert_eq!(s.local, Some(client.local_addr().unwrap().into()));
    assert_eq!(s.peer, Some(server.local_addr().unwrap().into()));
    assert_eq!(s.options.nodelay, Some(true));
    assert_eq!(s.nonblocking, Some(false));
    assert_eq!(s.tcp.as_ref().map(|t| t.state), Some(TcpState::Established));
    assert_eq!(s.recv_q, Some(0));

    let udp = UdpSocket::bind("[::1]:0").unwrap();
    let u = Sampler::new(Kind::Dgram, false).sample(&udp, true);
    assert_eq!(u.family, Family::Inet6);
    assert!(u.options.ttl.is_some(), "IPV6_UNICAST_HOPS");
    assert_eq!((u.tcp, u.peer, u.last), (None, None, true));
}

#[test]
fn infinite_ssthresh_is_absent() {
    let info = sys::TcpInfo { snd_ssthresh: INFINITE_SSTHRESH, ..Default::default() };
    let short = TcpFigures::from_info(&info, sys::TCP_INFO_BASE_LEN);
    assert_eq!(short.snd_ssthresh, None);
    assert_eq!(short.bytes_acked, None, "not filled by an old kernel");
    let info = sys::TcpInfo { snd_ssthresh: 7, bytes_acked: 9, ..Default::default() };
    let full = TcpFigures::from_info(&info, sys::TCP_INFO_RATE_LEN);
    assert_eq!((full.snd_ssthresh, full.bytes_acked), (Some(7), Some(9)));
}
