//! The named scripts, part three: `AF_UNIX` stream sockets, and what a
//! socket file outlives (format: scripts.rs). `./NAME` is a socket file in
//! the script's own directory; `os.unlink` is the student removing it.

/// A Unix server and client, the stale file, the paths that are not there.
pub const UNIX: &str = r"
== unix_server_lifecycle
s = socket unix
s.getsockname
s.bind ./srv.sock
s.getsockname
s.listen 5
peer.connect s
c, a = s.accept
c.getpeername
c.getsockname
peer.send hello
c.recv 1024
c.sendall 你好
peer.recv
peer.close
c.recv 1024
c.close
s.close
s.fileno

== unix_client_lifecycle
s = socket unix
s.bind ./srv.sock
s.listen 5
c = socket unix
c.connect ./srv.sock
c.getpeername
c.getsockname
k, a = s.accept
c.sendall ping
k.recv 1024
k.close
c.recv 1024
c.send after
c.close

== unix_bind_taken_by_a_live_server
s = socket unix
s.bind ./a.sock
s.listen 5
t = socket unix
t.bind ./a.sock
t.connect ./a.sock
t.getpeername

== unix_stale_file
s = socket unix
s.bind ./a.sock
s.listen 5
s.close
c = socket unix
c.connect ./a.sock
c.connect_ex ./a.sock
c.getpeername
t = socket unix
t.bind ./a.sock
os.unlink ./a.sock
t.bind ./a.sock
t.listen 5
c.connect ./a.sock
c.getpeername
k, a = t.accept

== unix_chapter_ten
s = socket unix
s.bind ./learn.sock
s.listen 5
peer.connect s
c, a = s.accept
peer.send hello\n
c.recv 1024
c.close
s.close
x = socket unix
x.connect ./learn.sock
x.bind ./learn.sock
os.unlink ./learn.sock
x.bind ./learn.sock
x.listen 5
peer.connect x
k, a = x.accept

== unix_missing_path
c = socket unix
c.connect ./none.sock
c.connect_ex ./none.sock
c.bind ./no/such/dir.sock
c.getsockname

== unix_calls_out_of_order
s = socket unix
s.listen 5
s.accept
s.recv 1024
s.send x
s.shutdown wr
s.getpeername
s.bind ./a.sock
s.bind ./b.sock
s.accept
s.close
s.bind ./a.sock
s.close
";
