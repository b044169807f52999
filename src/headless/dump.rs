//! A relay's `--dump`: every chunk of both directions on stderr, like
//! `socat -v` (text) and `socat -x` (hex): a header with the time, the
//! direction and the length, then the bytes. On a terminal the text is made
//! visible ([`crate::sanitize`]); into a file or pipe it is the bytes as
//! they passed, as socat writes them.

use std::collections::HashMap;
use std::io::Write;

use crate::cli::Dump;
use crate::hexdump;
use crate::net::relay::{RelayNote, Way};
use crate::net::{Dir, Event, EventKind, SockId};
use crate::sanitize;

/// Knows which leg is which, and writes the dump.
pub(super) struct Dumper {
    format: Dump,
    /// Sanitise the text (stderr is a terminal).
    terminal: bool,
    /// A leg's received bytes go this way.
    legs: HashMap<SockId, Way>,
}

impl Dumper {
    pub fn new(format: Dump, terminal: bool) -> Self {
        Self { format, terminal, legs: HashMap::new() }
    }

    /// Learns the legs from the relay's pairs; dumps received chunks.
    pub fn observe(&mut self, event: &Event) {
        match &event.kind {
            EventKind::Relay(RelayNote::Pair { client, server, .. }) => {
                self.legs.insert(*client, Way::Up);
                self.legs.insert(*server, Way::Down);
            }
            EventKind::Closed { sock, .. } => {
                self.legs.remove(sock);
            }
            EventKind::Data(record) if record.dir == Dir::Received => {
                if let Some(way) = self.legs.get(&record.sock) {
                    let text = self.chunk(event.at, *way, record.offset, &record.data);
                    // A closed stderr is no reason to stop relaying.
                    let _ = std::io::stderr().lock().write_all(&text);
                }
            }
            _ => {}
        }
    }

    /// One chunk: header line, then the bytes, ending with a newline.
    fn chunk(&self, at: u64, way: Way, offset: u64, data: &[u8]) -> Vec<u8> {
        let mark = if way == Way::Up { '>' } else { '<' };
        let secs = at / 1_000_000;
        let day = secs % 86_400;
        let end = offset + data.len() as u64;
        let header = format!(
            "{mark} {:02}:{:02}:{:02}.{:06}  length={} from={offset} to={}  {}\n",
            day / 3600,
            day % 3600 / 60,
            day % 60,
            at % 1_000_000,
            data.len(),
            end.saturating_sub(1),
            way.arrow(),
        );
        let mut out = header.into_bytes();
        match self.format {
            Dump::Hex => {
                for row in hexdump::rows(data, 0, hexdump::row_count(data.len())) {
                    out.extend_from_slice(row.as_bytes());
                    out.push(b'\n');
                }
            }
            Dump::Text if self.terminal => {
                out.extend_from_slice(sanitize::visible_text(data).as_bytes());
            }
            Dump::Text => out.extend_from_slice(data),
        }
        if out.last() != Some(&b'\n') {
            out.push(b'\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_say_time_direction_and_span() {
        let d = Dumper::new(Dump::Text, false);
        let at = (13 * 3600 + 5 * 60 + 7) * 1_000_000 + 42;
        let got = String::from_utf8(d.chunk(at, Way::Up, 10, b"GET /\r\n")).unwrap();
        assert_eq!(got, "> 13:05:07.000042  length=7 from=10 to=16  client → server\nGET /\r\n");
        let hex = Dumper::new(Dump::Hex, false);
        let got = String::from_utf8(hex.chunk(at, Way::Down, 0, b"hi")).unwrap();
        assert!(got.starts_with("< 13:05:07.000042  length=2 from=0 to=1  server → client\n"));
        assert!(got.ends_with("|hi|\n"), "{got}");
    }

    #[test]
    fn a_terminal_sees_no_escape_sequence() {
        let d = Dumper::new(Dump::Text, true);
        let got = d.chunk(0, Way::Down, 0, b"\x1b[2Jboom");
        assert!(!got.contains(&0x1b), "{got:?}");
    }
}
