//! The named scripts, part one: lifecycles, close and shutdown in every
//! state, calls after close (part two: `scripts_more.rs`). Expected answers
//! are never written here: the `CPython` run is the oracle. A call that could
//! block has a timeout, something to return, or `^C` (Ctrl-C after 0.2 s),
//! so both runners always finish.
//!
//! Format: `== name` starts a script; then one call a line (script.rs).

use super::script::Script;
use super::{scripts_more, scripts_unix};

/// Lifecycles, close, shutdown.
const LIFECYCLE: &str = r"
== tcp_server_lifecycle
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
s.close

== tcp_client_lifecycle
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
s.close

== close_fresh
s = socket tcp
s.close
s.fileno

== close_bound
s = socket tcp
s.bind ZERO
s.close
s.fileno

== close_listening
s = socket tcp
s.bind ZERO
s.listen 5
s.close
s.fileno

== close_connected
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.close
peer.recv

== close_accepted
s = socket tcp
s.bind ZERO
s.listen 5
peer.connect s
c, a = s.accept
c.close
peer.recv
s.close

== close_peer_closed
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.close
s.close
s.fileno

== close_after_refused
s = socket tcp
s.connect REFUSED
s.close
s.fileno

== close_udp
s = socket udp
s.bind ZERO
s.close
s.fileno
s.close

== double_close
s = socket tcp
s.close
s.close
s.fileno

== calls_after_close_tcp
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
s.close

== calls_after_close_udp
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
s.close

== shutdown_fresh
s = socket tcp
s.shutdown rdwr
s.shutdown wr

== shutdown_bound
s = socket tcp
s.bind ZERO
s.shutdown rd

== shutdown_listening_rdwr
s = socket tcp
s.bind ZERO
s.listen 5
s.shutdown rdwr
s.settimeout 0.2
c, a = s.accept

== shutdown_listening_wr
s = socket tcp
s.bind ZERO
s.listen 5
s.shutdown wr

== shutdown_after_refused
s = socket tcp
s.connect REFUSED
s.shutdown rdwr

== shutdown_wr_peer_sees_eof_then_recv
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.shutdown wr
peer.recv
peer.send still here
s.recv 1024
s.send late

== shutdown_rd_then_recv
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.shutdown rd
s.recv 1024
s.send ok
peer.recv

== shutdown_twice
peer.listen
s = socket tcp
s.connect PEER
peer.accept
s.shutdown rdwr
s.shutdown rdwr
s.getpeername

== shutdown_after_peer_closed
peer.listen
s = socket tcp
s.connect PEER
peer.accept
peer.close
s.recv 1024
s.shutdown wr
s.close
";

/// Every named script, parsed (names unique: the test checks).
pub fn all() -> Vec<Script> {
    [LIFECYCLE, scripts_more::MORE, scripts_unix::UNIX]
        .iter()
        .flat_map(|blob| parse(blob))
        .collect()
}

/// The scripts of one blob: `== name` headers, each followed by its lines.
///
/// # Panics
/// On lines before the first header, or a line that does not parse.
fn parse(blob: &str) -> Vec<Script> {
    let mut scripts = Vec::new();
    let mut current: Option<(&str, String)> = None;
    for line in blob.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            scripts.extend(current.take().map(|(n, text)| Script::parse(n, &text)));
            current = Some((name.trim(), String::new()));
        } else if let Some((_, text)) = &mut current {
            text.push_str(line);
            text.push('\n');
        } else {
            assert!(line.trim().is_empty(), "a line before the first `== name`: {line:?}");
        }
    }
    scripts.extend(current.map(|(n, text)| Script::parse(n, &text)));
    scripts
}
