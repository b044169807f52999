//! `--export-py FILE`: a recorded session, written as a Python script and run
//! with python3 against a fresh peer of the same kind, moves the same bytes
//! each way as the recording (content and totals compared). The peers answer
//! each chunk as it comes, so TCP cutting the bytes differently on the replay
//! would break a script that replayed recv sizes naively.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;
mod recorded;

use std::path::Path;
use std::process::Command;

use common::*;
use recorded::temp_path;

/// A scripted server: a greeting with every byte value, each chunk received
/// sent back upper-cased, `bye` after the client's EOF. Prints its port
/// first and, at the end, the hex of all it received and sent.
const SERVER_PEER: &str = r"
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(60)
got, sent = b'', b''
def send(b):
    global sent
    conn.sendall(b)
    sent += b
send('welcome 你好\r\n'.encode('utf-8') + bytes(range(256)))
while True:
    data = conn.recv(4096)
    if not data:
        break
    got += data
    send(data.upper())
send(b'bye\n')
conn.close()
print('received', got.hex())
print('sent', sent.hex())
";

/// A scripted client: two messages, waiting for each echo, then EOF and
/// everything until the server closes. Prints the same hex lines.
const CLIENT_PEER: &str = r"
import socket, sys
c = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=60)
got, sent = b'', b''
def exchange(b):
    global got, sent
    c.sendall(b)
    sent += b
    want = len(got) + len(b)
    while len(got) < want:
        data = c.recv(4096)
        if not data:
            break
        got += data
exchange(b'ping 1\n')
exchange('ping 2 你好\n'.encode('utf-8') + bytes(range(256)))
c.shutdown(socket.SHUT_WR)
while True:
    data = c.recv(4096)
    if not data:
        break
    got += data
print('received', got.hex())
print('sent', sent.hex())
";

fn python_code(code: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg("-c").arg(code).args(args);
    cmd
}

/// The peer's `received` and `sent` lines, decoded.
fn peer_bytes(peer: &mut Proc) -> (Vec<u8>, Vec<u8>) {
    peer.expect_code(0, BULK);
    let out = String::from_utf8(peer.stdout_all()).expect("peer prints ASCII");
    let field = |name: &str| {
        let line = out.lines().find_map(|l| l.strip_prefix(name)).unwrap_or_else(|| {
            panic!("peer printed no {name:?} line: {out}");
        });
        unhex(line.trim())
    };
    (field("received "), field("sent "))
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

fn script_text(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the script was written")
}

#[test]
fn an_exported_client_replays_the_conversation() {
    let script = temp_path("client-export.py");
    let script_arg = script.to_str().expect("UTF-8 path");

    // The recording: sockpit as the client, lines typed one at a time.
    let mut peer = Proc::spawn(python_code(SERVER_PEER, &[]));
    let port = peer.port_line();
    let target = format!("127.0.0.1:{port}");
    let mut me = Proc::spawn(sockpit(&["tcp", "client", &target, "--export-py", script_arg]));
    let mut welcome = "welcome 你好\r\n".as_bytes().to_vec();
    welcome.extend((0..=255u8).collect::<Vec<_>>());
    me.wait_stdout(&format!("{} greeting bytes", welcome.len()), |b| b.len() >= welcome.len());
    me.write(b"hello\n");
    me.wait_stdout_has(b"HELLO\n");
    let second = "second line 第二行\n".as_bytes();
    me.write(second);
    me.wait_stdout_has(&second.to_ascii_uppercase());
    me.close_stdin();
    me.expect_code(0, BULK);
    let recorded_in = me.stdout_all();
    let (peer_got, peer_sent) = peer_bytes(&mut peer);
    assert_same("sockpit received what the peer sent", &recorded_in, &peer_sent);
    assert_same(
        "the peer received the typed lines",
        &peer_got,
        "hello\nsecond line 第二行\n".as_bytes(),
    );

    let text = script_text(&script);
    for line in [
        "import socket, sys",
        "client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "client.connect((HOST, PORT))",
        &format!("PORT = int(sys.argv[2]) if len(sys.argv) > 2 else {port}"),
        "client.shutdown(socket.SHUT_WR)",
        "client.close()",
    ] {
        assert!(text.contains(line), "no {line:?} in the script:\n{text}");
    }

    // The replay, against a fresh peer of the same kind.
    let mut peer2 = Proc::spawn(python_code(SERVER_PEER, &[]));
    let port2 = peer2.port_line().to_string();
    let mut replay = Proc::spawn(python_code(&text, &["127.0.0.1", &port2]));
    replay.expect_code(0, BULK);
    let replay_in = replay.stdout_all();
    let (peer2_got, peer2_sent) = peer_bytes(&mut peer2);
    assert_same("the replay sent the recorded bytes", &peer2_got, &peer_got);
    assert_same("the replay received the recorded bytes", &replay_in, &recorded_in);
    assert_same("the replay received all the peer sent", &replay_in, &peer2_sent);
    assert_eq!(
        (peer2_got.len(), replay_in.len()),
        (peer_got.len(), recorded_in.len()),
        "totals each way"
    );
    std::fs::remove_file(&script).expect("remove script");
}

#[test]
fn an_exported_server_replays_the_conversation() {
    let script = temp_path("server-export.py");
    let script_arg = script.to_str().expect("UTF-8 path");

    // The recording: sockpit as an echo server, the scripted client talking.
    let mut me = Proc::spawn(sockpit_json(&[
        "tcp",
        "server",
        "127.0.0.1:0",
        "--echo",
        "--export-py",
        script_arg,
        "--lang",
        "zh",
    ]));
    let addr = me.listening();
    let mut client = Proc::spawn(python_code(CLIENT_PEER, &[&addr.port().to_string()]));
    let (client_got, client_sent) = peer_bytes(&mut client);
    me.expect_code(0, BULK);
    let recorded_in = me.stdout_all();
    assert_same("sockpit received what the client sent", &recorded_in, &client_sent);
    assert_same("the echo came back whole", &client_got, &client_sent);

    let text = script_text(&script);
    for line in [
        "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
        "server.bind((HOST, PORT))",
        "server.listen(1024)",
        "sock, caddr = server.accept()",
        "sock.close()",
        // --lang zh: the tutorial's own words above the call.
        "# 接受连接并返回（conn,address）",
    ] {
        assert!(text.contains(line), "no {line:?} in the script:\n{text}");
    }

    // The replay listens on a free port (0 from argv) and says where.
    let mut replay = Proc::spawn(python_code(&text, &["127.0.0.1", "0"]));
    let line = replay.wait_line("listening on", |l| l.starts_with("listening on "));
    let port = port_in(&line).to_string();
    let mut client2 = Proc::spawn(python_code(CLIENT_PEER, &[&port]));
    let (client2_got, client2_sent) = peer_bytes(&mut client2);
    replay.expect_code(0, BULK);
    let replay_in = replay.stdout_all();
    assert_same("the client sent the same", &client2_sent, &client_sent);
    assert_same("the replay received the recorded bytes", &replay_in, &recorded_in);
    assert_same("the replay sent the recorded bytes", &client2_got, &client_got);
    std::fs::remove_file(&script).expect("remove script");
}

/// A UDP peer: answers `count` datagrams, each with its number and the
/// datagram upper-cased, then prints the same hex lines.
const UDP_PEER: &str = r"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
print(s.getsockname()[1], flush=True)
s.settimeout(60)
got, sent = b'', b''
for i in range(int(sys.argv[1])):
    data, addr = s.recvfrom(65536)
    got += data
    reply = b'#%d ' % i + data.upper()
    s.sendto(reply, addr)
    sent += reply
print('received', got.hex())
print('sent', sent.hex())
";

#[test]
fn an_exported_udp_client_replays_its_datagrams() {
    let script = temp_path("udp-export.py");
    let script_arg = script.to_str().expect("UTF-8 path");
    let lines = "one\ntwo 二\nthree\n".as_bytes();

    let mut peer = Proc::spawn(python_code(UDP_PEER, &["3"]));
    let target = format!("127.0.0.1:{}", peer.port_line());
    // --timeout: the client's silence after stdin ends before it exits.
    let args = ["udp", "client", &target, "--timeout", "2", "--export-py", script_arg];
    let mut me = Proc::spawn(sockpit(&args));
    me.feed(lines.to_vec()).join().expect("feeder");
    me.expect_code(0, BULK);
    let recorded_in = me.stdout_all();
    let (peer_got, peer_sent) = peer_bytes(&mut peer);
    assert_same("the peer got the lines", &peer_got, lines);
    assert_same("sockpit received the answers", &recorded_in, &peer_sent);

    let text = script_text(&script);
    for line in [
        "client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
        "client.connect((HOST, PORT))",
        "client.send(b'one\\n')",
        "client.send('two 二\\n'.encode('utf-8'))",
        "data = client.recv(65536)",
    ] {
        assert!(text.contains(line), "no {line:?} in the script:\n{text}");
    }
    assert!(!text.contains("recv_all"), "datagrams are never read in a loop:\n{text}");

    let mut peer2 = Proc::spawn(python_code(UDP_PEER, &["3"]));
    let port2 = peer2.port_line().to_string();
    let mut replay = Proc::spawn(python_code(&text, &["127.0.0.1", &port2]));
    replay.expect_code(0, BULK);
    let (peer2_got, _) = peer_bytes(&mut peer2);
    assert_same("the replay sent the same datagrams", &peer2_got, &peer_got);
    assert_same("the replay received the same answers", &replay.stdout_all(), &recorded_in);
    std::fs::remove_file(&script).expect("remove script");
}

#[test]
fn a_script_that_cannot_be_written_stops_the_run_before_it_starts() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = listener.local_addr().expect("addr").to_string();
    let path = std::env::temp_dir().join("sockpit-no-such-dir").join("x.py");
    let path_arg = path.to_str().expect("UTF-8 path");
    let mut me = Proc::spawn(sockpit(&["tcp", "client", &target, "--export-py", path_arg]));
    me.expect_code(1, SOON);
    let line = me.wait_line("the open error", |l| l.contains("--export-py"));
    assert!(line.contains("ENOENT") && line.contains("its directory does not exist"), "{line}");
    assert!(!me.stderr.iter().any(|l| l.contains("connect(")), "no call was made: {:?}", me.stderr);
}

#[test]
fn lang_without_an_export_means_nothing_headless() {
    let mut me = Proc::spawn(sockpit(&["tcp", "client", "127.0.0.1:9", "--lang", "zh"]));
    me.expect_code(2, SOON);
    me.wait_line("a usage error", |l| l.contains("--lang is for the TUI"));
}
