//! Address families and names, inside private network namespaces
//! (`unshare -n -m`: only a loopback of our own, a private /etc/hosts and an
//! empty resolv.conf, so the host's resolver is never asked).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::netns::{Netns, Ran};

/// Runs `script` in a private namespace (lo up, empty resolv.conf) whose
/// /etc/hosts is `hosts`.
fn in_netns(hosts: &str, script: &str) -> Ran {
    Netns { hosts: hosts.into(), ..Netns::default() }.run(script)
}

/// A name with two addresses, the first closed: sockpit tries the first,
/// reports the refusal, and connects to the second — each attempt visible.
#[test]
fn a_name_with_two_addresses_is_tried_in_order() {
    let script = r#"
order=$(python3 -c "import socket; print(' '.join(a[4][0] for a in socket.getaddrinfo('dual.test', 7000, type=socket.SOCK_STREAM)))")
first=${order%% *}; second=${order##* }
[ "$first" != "$second" ] || { echo "resolver gave one address: $order"; exit 9; }
case $second in *:*) listen="[$second]:7000";; *) listen="$second:7000";; esac
python3 -c "
import socket,sys
fam = socket.AF_INET6 if ':' in '$second' else socket.AF_INET
s = socket.socket(fam); s.bind(('$second', 7000)); s.listen()
print('up', flush=True)
c, _ = s.accept(); c.sendall(c.recv(100)); c.close()
" > ns-listener.out &
for i in $(seq 200); do grep -q up ns-listener.out 2>/dev/null && break; sleep 0.05; done
printf 'ping' | $SOCKPIT tcp client dual.test:7000 --events json 2>events.jsonl
echo "first=$first second=$second"
cat events.jsonl >&2
"#;
    let out = in_netns("::1 dual.test\n127.0.0.1 dual.test\n", script);
    let all = out.show();
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ping"), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let connects: Vec<serde_json::Value> = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["ev"] == "call" && v["call"] == "connect")
        .collect();
    assert_eq!(connects.len(), 2, "{all}");
    assert_eq!(connects[0]["ok"], false, "{all}");
    assert_eq!(connects[0]["error"], "ECONNREFUSED", "{all}");
    assert_eq!(connects[1]["ok"], true, "{all}");
}

/// A name nobody knows: the resolver's EAI code, the error grammar (docs/errors.md), exit 1.
#[test]
fn an_unknown_name_is_a_resolution_error() {
    let out =
        in_netns("127.0.0.1 localhost\n", "$SOCKPIT tcp client nowhere.invalid:80 </dev/null");
    let all = out.show();
    assert_eq!(out.status.code(), Some(1), "{all}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("getaddrinfo nowhere.invalid:80 failed: EAI_"), "{all}");
    assert!(stderr.contains("the host name could not be resolved; try"), "{all}");
}

/// `[::]` is dual stack by default (an IPv4 client gets in) and IPv6 only
/// with `--ipv6-only` (the IPv4 client is refused).
#[test]
fn ipv6_listeners_are_dual_stack_unless_ipv6_only() {
    let script = r#"
serve() {
    $SOCKPIT tcp server "[::]:7001" --echo "$@" --events json 2>server.jsonl &
    for i in $(seq 200); do grep -q listening server.jsonl 2>/dev/null && break; sleep 0.05; done
}
serve
printf 'v4 hello' | $SOCKPIT tcp client 127.0.0.1:7001 > dual.out 2>/dev/null
wait
echo "dual: $(cat dual.out)"
serve --ipv6-only
set +e
printf 'v4 again' | $SOCKPIT tcp client 127.0.0.1:7001 >/dev/null 2>v4.err
echo "v6only-v4-exit: $?"
printf 'v6 hello' | $SOCKPIT tcp client "[::1]:7001" > v6.out 2>/dev/null
wait
echo "v6only-v6: $(cat v6.out)"
grep -o '"py":"server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)"' server.jsonl
"#;
    let out = in_netns("127.0.0.1 localhost\n", script);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let all = out.show();
    assert!(stdout.contains("dual: v4 hello"), "{all}");
    assert!(stdout.contains("v6only-v4-exit: 1"), "{all}");
    assert!(stdout.contains("v6only-v6: v6 hello"), "{all}");
    assert!(stdout.contains("IPV6_V6ONLY, 1"), "{all}");
}
