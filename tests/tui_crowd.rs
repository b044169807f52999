//! A TUI server holding a crowd samples what is on screen: past
//! `sample::CROWD` sockets it sends `Command::Watch` for the rows around the
//! selection, and a connection brought into view by moving the selection
//! (its timer parked until then) shows its figures change when its peer
//! sends.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use std::io::Write;
use std::net::TcpStream;

use common::tmux::*;

/// Connections held: over three times `sample::CROWD` (64), so most rows
/// are out of view and out of the watched set.
const CONNS: usize = 200;

/// The peer port of the selected row (`▸ 101 127.0.0.1:PORT ESTABLISHED`),
/// read from the Socket pane's part of the screen line.
fn selected_peer_port(screen: &str) -> Option<u16> {
    let line = screen.lines().find_map(|l| Some(&l[l.find('▸')?..]))?;
    let at = line.find("127.0.0.1:")? + "127.0.0.1:".len();
    line[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

/// Writes 3000 bytes from the client whose local port is `port` and waits
/// for the panel's `rcvd` figure to show them.
fn talk_and_see(t: &Tmux, clients: &[TcpStream], port: u16, what: &str) {
    let mut client = clients
        .iter()
        .find(|c| c.local_addr().unwrap().port() == port)
        .unwrap_or_else(|| panic!("no client on port {port}"));
    client.write_all(&[b'x'; 3000]).unwrap();
    t.wait_for("server", what, |s| line_with(s, &["rcvd 2.9 K"]));
}

#[test]
fn a_crowded_server_samples_the_rows_in_view_and_wakes_a_row_brought_into_view() {
    let t = Tmux::new();
    t.shell("server");
    t.run(&["resize-window", "-t", "server", "-x", "160", "-y", "90"]);
    t.sockpit("server", "tcp server 127.0.0.1:0 --keep-open --max-conns 1000");
    let port = t.port("server");
    let clients: Vec<TcpStream> =
        (0..CONNS).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let all = format!("{CONNS} conns, {CONNS} live");
    let screen = t.wait_for("server", "every connection", |s| s.contains(&all));

    // The newest connection is selected and in view: its figures follow.
    let newest = selected_peer_port(&screen).expect("a selected row");
    talk_and_see(&t, &clients, newest, "the newest connection's 3000 bytes");

    // Shift-Tab to the Socket pane, then 120 rows up: a connection that has
    // been out of the watched set (more than a screen away) for a while.
    t.keys("server", &["BTab"]);
    t.run(&["send-keys", "-t", "server", "-N", "120", "Up"]);
    let rule = format!("── sock {} ", CONNS + 1 - 120);
    let screen = t.wait_for("server", "the row 120 up selected", |s| s.contains(&rule));
    let earlier = selected_peer_port(&screen).expect("a selected row");
    assert_ne!(earlier, newest);
    // The panel now details that connection: rcvd is 0 until its peer sends.
    t.wait_for("server", "its figures", |s| line_with(s, &["rcvd 0 B"]));
    talk_and_see(&t, &clients, earlier, "the earlier connection's 3000 bytes");

    t.keys("server", &["C-q"]);
    t.assert_shell_back("server");
}
