//! Hostile peer bytes against the TUI's screen, on ratatui's
//! `TestBackend`: whatever a peer sends, the rendered buffer holds no ESC or
//! other control character, no bidirectional override or invisible
//! character, and every row is exactly as wide as the screen (a cell never
//! spills into the next pane); and the stand-ins for control characters are
//! what the user sees instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test and bench code: a panic is the failure report"
)]

mod common;

use common::events::{T0, addr, at, call};

use bytes::Bytes;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use sockpit::app::Eol;
use sockpit::app::{App, Caps, Clock};
use sockpit::net::{Call, DataRecord, Dir, EventKind, Family, Kind, Returned, Role, Target};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

const SERVER: &str = "127.0.0.1:8080";
const PEER: &str = "127.0.0.1:50512";

/// An app whose one end is connected (TCP client) or bound (UDP server).
fn connected(udp: bool) -> App {
    let role = if udp {
        Role::UdpServer(Target::Addr(addr(SERVER)))
    } else {
        Role::TcpClient(Target::Addr(addr(SERVER)))
    };
    let mut app = App::new(vec![role], false, Eol::Lf, Caps::default(), Clock::fixed(T0));
    app.started(0);
    let kind = if udp { Kind::Dgram } else { Kind::Stream };
    let socket = Call::Socket { family: Family::Inet, kind };
    app.on_engine(0, &call(0, 1, "s", socket, Returned::Socket { fd: 5 }));
    if udp {
        app.on_engine(0, &call(0, 1, "s", Call::Bind(addr(SERVER).into()), Returned::Nothing));
        let local = addr(SERVER);
        app.on_engine(
            0,
            &at(0, EventKind::Listening { sock: 1, fd: 5, local: local.into(), kind }),
        );
    } else {
        app.on_engine(0, &call(0, 1, "s", Call::Connect(addr(SERVER).into()), Returned::Nothing));
        let (local, peer) = (addr(PEER), addr(SERVER));
        app.on_engine(
            0,
            &at(0, EventKind::Connected { sock: 1, fd: 5, local: local.into(), peer: peer.into() }),
        );
    }
    app
}

/// Feeds `bytes` as the engine would: a recv (or send) call and its data
/// event per chunk.
fn feed(app: &mut App, udp: bool, dir: Dir, chunks: &[&[u8]]) {
    let peer = addr(if udp { PEER } else { SERVER });
    let mut offset = 0;
    for chunk in chunks {
        let data = Bytes::copy_from_slice(chunk);
        let made = match (dir, udp) {
            (Dir::Sent, false) => (Call::SendAll { len: data.len() }, Returned::Nothing),
            (Dir::Sent, true) => {
                (Call::SendTo { len: data.len(), to: peer.into() }, Returned::Count(data.len()))
            }
            (Dir::Received, false) => {
                let got = Returned::Data { data: data.clone(), from: None, truncated: None };
                (Call::Recv { bufsize: 1024 }, got)
            }
            (Dir::Received, true) => {
                let got =
                    Returned::Data { data: data.clone(), from: Some(peer.into()), truncated: None };
                (Call::RecvFrom { bufsize: 65_536 }, got)
            }
        };
        app.on_engine(0, &call(0, 1, "s", made.0, made.1));
        let record = DataRecord { sock: 1, dir, peer: Some(peer.into()), data, offset };
        app.on_engine(0, &at(0, EventKind::Data(record)));
        offset += chunk.len() as u64;
    }
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|f| sockpit::ui::draw(f, app)).expect("draw");
    terminal
}

/// Characters that must never reach the terminal raw: C0 and C1 controls,
/// DEL, bidirectional embeddings, overrides and isolates, zero-width and
/// other invisible format characters (the list is kept here rather than
/// taken from the code under test).
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            u32::from(c),
            0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xfeff
        )
}

/// Checks every cell and every row of `buf`; returns the screen as text.
fn check_screen(buf: &Buffer) -> Result<String, TestCaseError> {
    let (w, h) = (buf.area.width, buf.area.height);
    let mut screen = String::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let symbol = buf[(x, y)].symbol();
            let bad = symbol.chars().find(|&c| forbidden(c));
            prop_assert!(bad.is_none(), "{bad:?} in cell ({x}, {y}) {symbol:?}");
            // The columns ratatui keeps for the cell are the columns a
            // terminal advances: the sum of its characters' widths, none of
            // them wider than two.
            let width = symbol.width();
            let (sum, widest) = symbol
                .chars()
                .map(|c| c.width().unwrap_or(0))
                .fold((0, 0), |(sum, widest), w| (sum + w, widest.max(w)));
            prop_assert!(
                width >= 1 && width == sum && widest <= 2,
                "cell ({x}, {y}) {symbol:?} is {width} wide, its characters add up to {sum}"
            );
            screen.push_str(symbol);
            // A wide character covers the next cell, which must exist.
            x += u16::try_from(width).unwrap_or(u16::MAX);
        }
        prop_assert_eq!(x, w, "row {} is {} columns on a screen of {}", y, x, w);
        screen.push('\n');
    }
    Ok(screen)
}

/// Snippets a hostile peer would send: sequences that move the cursor,
/// clear the screen, set the title, hide text, or reorder it.
const SNIPPETS: &[&str] = &[
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\x1b[H",
    "\x1b[31m",
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP+q\x1b\\",
    "\x1b[?1049h",
    "\u{9b}2J",
    "\u{202e}txt.exe",
    "\u{2066}iso\u{2069}",
    "a\u{200b}b\u{200d}c\u{feff}",
    "e\u{301}",
    "你好，世界",
    "👨‍👩‍👧",
    "❤️",
    "\r\r\t\x08\x7f",
    "\n",
];

fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 1..8),
        3 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        3 => select(SNIPPETS).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn peer_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(piece(), 0..16).prop_map(|pieces| pieces.concat())
}

/// Cuts `bytes` at the given points (TCP splits anywhere, even inside a
/// UTF-8 character).
fn split<'a>(bytes: &'a [u8], cuts: &[Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
    at.sort_unstable();
    at.dedup();
    let mut chunks = Vec::new();
    let mut from = 0;
    for cut in at.into_iter().chain([bytes.len()]) {
        if cut > from {
            chunks.push(&bytes[from..cut]);
            from = cut;
        }
    }
    chunks
}

/// How many bytes at the end of `bytes` begin a UTF-8 character that is not
/// complete yet (a stream's view waits for the rest before showing them).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let need = match bytes[bytes.len() - back] {
            0x80..=0xbf => continue,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return 0,
        };
        return if back < need { back } else { 0 };
    }
    0
}

/// The control-character pictures (`␛`, `␇`, ...) the history must show
/// for `chunks`: a message (a send, a datagram) is cut into lines alone, a
/// received stream as a whole (the start of a character still waiting for
/// its other bytes is not shown until EOF); line ends are not shown, nor a
/// `\r` ending a line (CRLF) or waiting for its `\n`.
fn pictures(chunks: &[&[u8]], messages: bool, eof: bool) -> Vec<char> {
    let mut whole = chunks.concat();
    if !eof {
        whole.truncate(whole.len() - incomplete_tail(&whole));
    }
    let units: Vec<&[u8]> = if messages { chunks.to_vec() } else { vec![&whole] };
    let mut want = Vec::new();
    for line in units.iter().flat_map(|u| u.split(|&b| b == b'\n')) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        for &b in line.iter().filter(|&&b| b < b' ' || b == 0x7f) {
            let code = if b == 0x7f { 0x2421 } else { 0x2400 + u32::from(b) };
            want.push(char::from_u32(code).expect("a control picture"));
        }
    }
    want.sort_unstable();
    want
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn hostile_bytes_never_reach_the_terminal_raw(
        bytes in peer_bytes(),
        cuts in prop::collection::vec(any::<Index>(), 0..4),
        udp in any::<bool>(),
        sent in prop::bool::weighted(0.2),
        eof in any::<bool>(),
        (w, h) in (1u16..120, 1u16..40),
    ) {
        let mut app = connected(udp);
        let dir = if sent { Dir::Sent } else { Dir::Received };
        let chunks = split(&bytes, &cuts);
        feed(&mut app, udp, dir, &chunks);
        let eof = eof && !udp;
        if eof {
            app.on_engine(0, &at(0, EventKind::PeerEof { sock: 1 }));
        }
        check_screen(draw(&app, w, h).backend().buffer())?;
        // On a big screen a short conversation is all visible: each control
        // character must be there as its picture, not silently dropped.
        let screen = check_screen(draw(&app, 160, 40).backend().buffer())?;
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        if bytes.len() <= 96 && lines <= 8 {
            let mut shown: Vec<char> =
                screen.chars().filter(|c| ('\u{2400}'..='\u{2421}').contains(c)).collect();
            shown.sort_unstable();
            for c in pictures(&chunks, udp || sent, eof) {
                let at = shown.binary_search(&c);
                prop_assert!(at.is_ok(), "{c:?} not shown for {bytes:?}:\n{screen}");
                shown.remove(at.unwrap_or_default());
            }
        }
    }
}

#[test]
fn the_title_sequence_is_shown_not_obeyed() {
    let mut app = connected(false);
    feed(&mut app, false, Dir::Received, &[b"before\n", b"\x1b]0;pwned\x07\x1b[2J after\n"]);
    let screen = check_screen(draw(&app, 100, 30).backend().buffer()).expect("a clean screen");
    assert!(screen.contains("␛]0;pwned␇␛[2J after"), "{screen}");
    assert!(screen.contains("before"), "{screen}");
}
