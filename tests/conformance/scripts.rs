//! The named scripts: lifecycles, close and shutdown in every state, calls
//! after close, errors and what follows them, timeouts, non-blocking calls,
//! peer close and reset, UDP. Expected answers are never written here: the
//! CPython run is the oracle. Calls that could block have a timeout (or
//! something to return) so both runners always finish.

use super::script::Script;

/// `(name, script)`; names are unique.
const SCRIPTS: &[(&str, &str)] = &[
    (
        "tcp_server_lifecycle",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 5
        s.getsockname
        peer.connect s
        c, a = s.accept
        c.getsockname
        c.getpeername
        peer.send hello
        c.recv 1024
        c.send world
        peer.recv
        peer.close
        c.recv 1024
        c.close
        s.close",
    ),
    (
        "tcp_client_lifecycle",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.getpeername
        s.sendall hi
        peer.recv
        peer.send there
        s.recv 1024
        s.shutdown wr
        peer.recv
        peer.close
        s.recv 1024
        s.close",
    ),
    ("close_fresh", "s = socket tcp\ns.close\ns.fileno"),
    ("close_bound", "s = socket tcp\ns.bind ZERO\ns.close\ns.fileno"),
    ("close_listening", "s = socket tcp\ns.bind ZERO\ns.listen 5\ns.close\ns.fileno"),
    (
        "close_connected",
        "peer.listen\ns = socket tcp\ns.connect PEER\npeer.accept\ns.close\npeer.recv",
    ),
    (
        "close_accepted",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 5
        peer.connect s
        c, a = s.accept
        c.close
        peer.recv
        s.close",
    ),
    (
        "close_peer_closed",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.close
        s.close
        s.fileno",
    ),
    ("close_after_refused", "s = socket tcp\ns.connect REFUSED\ns.close\ns.fileno"),
    ("close_udp", "s = socket udp\ns.bind ZERO\ns.close\ns.fileno\ns.close"),
    ("double_close", "s = socket tcp\ns.close\ns.close\ns.fileno"),
    (
        "calls_after_close_tcp",
        "
        peer.listen
        s = socket tcp
        s.bind ZERO
        s.close
        s.fileno
        s.getsockname
        s.getpeername
        s.bind ZERO
        s.listen 5
        c, a = s.accept
        s.connect PEER
        s.connect_ex PEER
        s.send x
        s.sendall x
        s.sendto PEER x
        s.recv 10
        s.recvfrom 10
        s.settimeout 1
        s.setblocking False
        s.shutdown rdwr
        s.close",
    ),
    (
        "calls_after_close_udp",
        "
        peer.udp
        s = socket udp
        s.connect PEER
        s.close
        s.fileno
        s.getsockname
        s.getpeername
        s.send x
        s.sendto PEER x
        s.recv 10
        s.recvfrom 10
        s.close",
    ),
    ("shutdown_fresh", "s = socket tcp\ns.shutdown rdwr\ns.shutdown wr"),
    ("shutdown_bound", "s = socket tcp\ns.bind ZERO\ns.shutdown rd"),
    (
        "shutdown_listening_rdwr",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 5
        s.shutdown rdwr
        s.settimeout 0.2
        c, a = s.accept",
    ),
    ("shutdown_listening_wr", "s = socket tcp\ns.bind ZERO\ns.listen 5\ns.shutdown wr"),
    ("shutdown_after_refused", "s = socket tcp\ns.connect REFUSED\ns.shutdown rdwr"),
    (
        "shutdown_wr_peer_sees_eof_then_recv",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.shutdown wr
        peer.recv
        peer.send still here
        s.recv 1024
        s.send late",
    ),
    (
        "shutdown_rd_then_recv",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.shutdown rd
        s.recv 1024
        s.send ok
        peer.recv",
    ),
    (
        "shutdown_twice",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.shutdown rdwr
        s.shutdown rdwr
        s.getpeername",
    ),
    (
        "shutdown_after_peer_closed",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.close
        s.recv 1024
        s.shutdown wr
        s.close",
    ),
    (
        "refused_then_retry",
        "
        peer.listen
        s = socket tcp
        s.connect REFUSED
        s.getpeername
        s.getsockname
        s.fileno
        s.connect PEER
        s.getpeername
        peer.accept",
    ),
    (
        "connect_ex_codes",
        "
        peer.listen
        s = socket tcp
        s.connect_ex REFUSED
        s.connect_ex PEER
        s.connect_ex PEER
        s.connect PEER",
    ),
    (
        "nonblocking_connect_ex",
        "
        peer.listen
        s = socket tcp
        s.setblocking False
        s.connect_ex PEER
        peer.accept",
    ),
    (
        "timeout_accept",
        "s = socket tcp\ns.bind ZERO\ns.listen 5\ns.settimeout 0.2\nc, a = s.accept",
    ),
    (
        "timeout_recv_then_data",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.settimeout 0.2
        s.recv 1024
        peer.send late
        s.recv 1024",
    ),
    (
        "nonblocking_accept",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 5
        s.setblocking False
        c, a = s.accept
        peer.connect s
        s.setblocking True
        c, a = s.accept",
    ),
    (
        "nonblocking_recv",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        s.setblocking False
        s.recv 1024
        s.send x
        peer.recv",
    ),
    (
        "recv_after_peer_close",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.send bye
        peer.close
        s.recv 1024
        s.recv 1024
        s.recv 1024",
    ),
    (
        "send_after_peer_close",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.close
        s.recv 1024
        s.send hello
        s.recv 1024 # the RST has come back: b'' or an error
        s.send again
        s.sendall again",
    ),
    (
        "recv_after_peer_reset",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.reset
        s.recv 1024
        s.recv 1024
        s.send x
        s.getpeername",
    ),
    (
        "recv4_splits_utf8",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.send 你好世界
        s.recv 4
        s.recv 1024",
    ),
    (
        "two_peer_sends_one_recv",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.send ab
        peer.send cd
        s.recv 1024",
    ),
    (
        "tricky_bytes",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.send it's \\x00\\xff\\\\ \"q\"\\r\\n\\t\\x7f
        s.recv 1024
        s.send don't
        peer.recv",
    ),
    (
        "tcp_recvfrom_and_sendto_connected",
        "
        peer.listen
        s = socket tcp
        s.connect PEER
        peer.accept
        peer.send hi
        s.recvfrom 1024
        s.sendto PEER x
        peer.recv",
    ),
    (
        "accept_after_peer_left",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 5
        peer.connect s
        peer.send last words
        peer.close
        c, a = s.accept
        c.recv 1024
        c.recv 1024",
    ),
    (
        "listen_backlog",
        "
        s = socket tcp
        s.bind ZERO
        s.listen 1
        s.listen 128
        peer.connect s
        c, a = s.accept
        c.getpeername",
    ),
    ("listen_unbound_autobinds", "s = socket tcp\ns.listen 5\ns.getsockname"),
    ("bind_twice", "s = socket tcp\ns.bind ZERO\ns.bind ZERO"),
    ("bind_in_use", "peer.listen\ns = socket tcp\ns.bind PEER"),
    ("accept_before_listen", "s = socket tcp\ns.bind ZERO\nc, a = s.accept"),
    ("recv_on_listener", "s = socket tcp\ns.bind ZERO\ns.listen 5\ns.recv 1024\ns.send x"),
    ("connect_listener", "peer.listen\ns = socket tcp\ns.bind ZERO\ns.listen 5\ns.connect PEER"),
    (
        "tcp_queries_by_state",
        "
        peer.listen
        s = socket tcp
        s.getsockname
        s.getpeername
        s.fileno
        s.bind ZERO
        s.getsockname
        s.getpeername
        s.listen 5
        s.getpeername
        t = socket tcp
        t.connect PEER
        t.getsockname
        t.getpeername
        t.fileno",
    ),
    (
        "udp_sendto_recvfrom",
        "
        peer.udp
        s = socket udp
        s.sendto PEER hello
        s.getsockname
        peer.recvfrom
        peer.sendto s back
        s.recvfrom 1024",
    ),
    ("udp_sendto_port_zero", "s = socket udp\ns.sendto ZERO x\ns.getsockname"),
    ("udp_listen", "s = socket udp\ns.bind ZERO\ns.listen 5"),
    ("udp_accept", "s = socket udp\ns.bind ZERO\nc, a = s.accept"),
    (
        "udp_connected_send_recv",
        "
        peer.udp
        s = socket udp
        s.connect PEER
        s.getpeername
        s.send hi
        peer.recvfrom
        peer.sendto s yo
        s.recv 1024",
    ),
    (
        "udp_truncation",
        "
        peer.udp
        s = socket udp
        s.bind ZERO
        peer.sendto s 0123456789
        s.recvfrom 4
        s.settimeout 0.2
        s.recv 1024",
    ),
    (
        "udp_connected_refused",
        "
        s = socket udp
        s.settimeout 0.2
        s.connect REFUSED
        s.send x
        s.recv 1024
        s.recv 1024
        s.send y
        s.send z",
    ),
    (
        "udp_nonblocking_recv",
        "s = socket udp\ns.bind ZERO\ns.setblocking False\ns.recv 1024\ns.recvfrom 1024",
    ),
    (
        "udp_queries_by_state",
        "
        peer.udp
        s = socket udp
        s.getsockname
        s.getpeername
        s.fileno
        s.bind ZERO
        s.getsockname
        s.getpeername
        s.connect PEER
        s.getpeername
        s.send x
        s.shutdown rdwr",
    ),
    ("udp_tcp_only_calls", "s = socket udp\ns.send x\ns.sendall x\ns.shutdown wr"),
];

/// Every named script, parsed.
pub fn all() -> Vec<Script> {
    SCRIPTS.iter().map(|(name, text)| Script::parse(name, text)).collect()
}
