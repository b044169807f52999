//! The named scripts, part two: errors and what follows them, timeouts,
//! non-blocking calls, Ctrl-C, peer close and reset, bytes, UDP (format:
//! scripts.rs).

/// Errors, timeouts, data, UDP.
pub const MORE: &str = r#"
== refused_then_retry
peer.listen
s = socket tcp
s.connect REFUSED
s.getpeername
s.getsockname
s.fileno
s.connect PEER
s.getpeername
peer.accept

== connect_ex_codes
peer.listen
s = socket tcp
s.connect_ex REFUSED
s.connect_ex PEER
s.connect_ex PEER
s.connect PEER

== nonblocking_connect_ex
peer.listen
s = socket tcp
s.setblocking False
s.connect_ex PEER
peer.accept

== timeout_accept
s = socket tcp
s.bind ZERO
s.listen 5
s.settimeout 0.2
c, a = s.accept

== timeout_recv_then_data
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.settimeout 0.2
s.recv 1024
peer.send late
s.recv 1024

== nonblocking_accept
s = socket tcp
s.bind ZERO
s.listen 5
s.setblocking False
c, a = s.accept
peer.connect s
s.setblocking True
c, a = s.accept

== nonblocking_recv
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.setblocking False
s.recv 1024
s.send x
peer.recv

== recv_after_peer_close
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send bye
peer.close
s.recv 1024
s.recv 1024
s.recv 1024

== send_after_peer_close
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.close
s.recv 1024
s.send hello
s.recv 1024 # the RST has come back: b'' or an error
s.send again
s.sendall again

== recv_after_peer_reset
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.reset
s.recv 1024
s.recv 1024
s.send x
s.getpeername

== recv4_splits_utf8
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send 你好世界
s.recv 4
s.recv 1024

== two_peer_sends_one_recv
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send ab
peer.send cd
s.recv 1024

== tricky_bytes
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send it's \x00\xff\\ "q"\r\n\t\x7f
s.recv 1024
s.send don't
peer.recv

== tcp_recvfrom_and_sendto_connected
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send hi
s.recvfrom 1024
s.sendto PEER x
peer.recv

== accept_after_peer_left
s = socket tcp
s.bind ZERO
s.listen 5
peer.connect s
peer.send last words
peer.close
c, a = s.accept
c.recv 1024
c.recv 1024

== listen_backlog
s = socket tcp
s.bind ZERO
s.listen 1
s.listen 128
peer.connect s
c, a = s.accept
c.getpeername

== listen_unbound_autobinds
s = socket tcp
s.listen 5
s.getsockname

== bind_twice
s = socket tcp
s.bind ZERO
s.bind ZERO

== bind_in_use
peer.listen
s = socket tcp
s.bind PEER

== accept_before_listen
s = socket tcp
s.bind ZERO
c, a = s.accept

== recv_on_listener
s = socket tcp
s.bind ZERO
s.listen 5
s.recv 1024
s.send x

== connect_listener
peer.listen
s = socket tcp
s.bind ZERO
s.listen 5
s.connect PEER

== tcp_queries_by_state
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
t.fileno

== udp_sendto_recvfrom
peer.udp
s = socket udp
s.sendto PEER hello
s.getsockname
peer.recvfrom
peer.sendto s back
s.recvfrom 1024

== udp_sendto_port_zero
s = socket udp
s.sendto ZERO x
s.getsockname

== udp_listen
s = socket udp
s.bind ZERO
s.listen 5

== udp_accept
s = socket udp
s.bind ZERO
c, a = s.accept

== udp_connected_send_recv
peer.udp
s = socket udp
s.connect PEER
s.getpeername
s.send hi
peer.recvfrom
peer.sendto s yo
s.recv 1024

== udp_truncation
peer.udp
s = socket udp
s.bind ZERO
peer.sendto s 0123456789
s.recvfrom 4
s.settimeout 0.2
s.recv 1024

== udp_connected_refused
s = socket udp
s.settimeout 0.2
s.connect REFUSED
s.send x
s.recv 1024
s.recv 1024
s.send y
s.send z

== udp_nonblocking_recv
s = socket udp
s.bind ZERO
s.setblocking False
s.recv 1024
s.recvfrom 1024

== udp_queries_by_state
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
s.shutdown rdwr

== udp_tcp_only_calls
s = socket udp
s.send x
s.sendall x
s.shutdown wr

== interrupt_accept
s = socket tcp
s.bind ZERO
s.listen 5
c, a = s.accept ^C
peer.connect s
c, a = s.accept
c.getpeername

== interrupt_recv
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.recv 1024 ^C
peer.send after
s.recv 1024

== interrupt_udp_recvfrom
s = socket udp
s.bind ZERO
s.recvfrom 1024 ^C
peer.udp
peer.sendto s x
s.recvfrom 1024

== timeout_zero_is_nonblocking
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.settimeout 0
s.recv 1024
s.settimeout None
peer.send x
s.recv 1024

== blocking_recv_with_data_ready
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.send ready
s.recv 1024

== accepted_outlives_listener
s = socket tcp
s.bind ZERO
s.listen 5
peer.connect s
c, a = s.accept
s.close
peer.send hi
c.recv 1024
c.send back
peer.recv
s.fileno
c.fileno

== udp_reconnect
peer.udp
s = socket udp
s.connect REFUSED
s.connect PEER
s.getpeername
s.send x
peer.recv

== udp_sendto_while_connected
peer.udp
s = socket udp
s.connect PEER
s.sendto PEER x
peer.recv
s.sendto REFUSED y

== udp_recvfrom_unbound
s = socket udp
s.settimeout 0.2
s.recvfrom 1024
s.getsockname
"#;
