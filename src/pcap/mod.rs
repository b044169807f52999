//! pcapng export (`--pcap FILE`, F9 in the TUI): the conversation as frames
//! Wireshark and tshark open without warnings, and whose "Follow TCP stream"
//! shows exactly the bytes of the session.
//!
//! When the session's segments are captured (`--wire`, or the TUI when it
//! may open `AF_PACKET`), [`captured`] writes the real frames. Otherwise,
//! as the fallback, nothing is sniffed: [`synth`] derives Ethernet +
//! IPv4/IPv6 + TCP/UDP frames from one end's [`Event`]s, [`frame`] builds
//! them with etherparse, and this module writes pcapng blocks with
//! pcap-file. pcap-file's writer is used as is, with one thing to get right:
//! it always writes Enhanced Packet Block timestamps in nanoseconds, while a
//! pcapng reader assumes microseconds unless the interface says otherwise,
//! so the Interface Description Block must carry `if_tsresol = 9` (without
//! it tshark shows dates a thousand times too far in the future).
//!
//! One writer takes one end's events. In the demo both ends see the same
//! connections, and their socket ids overlap, so export one end at a time.

pub(crate) mod captured;
mod frame;
pub(crate) mod keys;
mod synth;

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::DataLink;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};

use crate::net::Event;
use synth::{Frame, Synth};

/// Timestamp resolution of every packet: 10^-9 s, what pcap-file writes.
pub(crate) const TS_RESOL_NANOS: u8 = 9;

/// Largest frame Wireshark accepts on Ethernet; ours are at most ~64 KiB.
pub(crate) const SNAPLEN: u32 = 262_144;

/// What a synthesised file says of itself: the fallback when the session's
/// segments cannot be captured (no `CAP_NET_RAW`); see [`captured`].
pub const SYNTH_COMMENT: &str = "synthesised by sockpit from its socket calls and their bytes, not \
     captured: the fallback when the session's segments are not captured (--wire, CAP_NET_RAW)";

/// Streams one end's events into a pcapng file as they happen (headless
/// `--pcap`), or all at once ([`write`], F9).
pub struct PcapWriter<W: Write> {
    out: PcapNgWriter<W>,
    synth: Synth,
    frames: Vec<Frame>,
}

pub(crate) fn io_error(err: pcap_file::PcapError) -> io::Error {
    match err {
        pcap_file::PcapError::IoError(err) => err,
        other => io::Error::other(other.to_string()),
    }
}

/// A pcapng stream with sockpit's section header (its version and
/// `comment`, saying where the frames come from) and one Ethernet
/// interface named `if_name` with nanosecond timestamps: the start the
/// synthesised and the captured files share.
///
/// # Errors
/// When `out` fails.
pub(crate) fn open<W: Write>(out: W, comment: &str, if_name: &str) -> io::Result<PcapNgWriter<W>> {
    let section = SectionHeaderBlock {
        options: vec![
            SectionHeaderOption::UserApplication(Cow::Owned(format!(
                "sockpit {}",
                env!("CARGO_PKG_VERSION")
            ))),
            SectionHeaderOption::Comment(Cow::Owned(comment.to_string())),
        ],
        ..SectionHeaderBlock::default()
    };
    let mut out = PcapNgWriter::with_section_header(out, section).map_err(io_error)?;
    // Every frame starts with a 14-byte Ethernet header (on `lo` too).
    let interface = InterfaceDescriptionBlock {
        linktype: DataLink::ETHERNET,
        snaplen: SNAPLEN,
        options: vec![
            InterfaceDescriptionOption::IfName(Cow::Owned(if_name.to_string())),
            InterfaceDescriptionOption::IfTsResol(TS_RESOL_NANOS),
        ],
    };
    out.write_pcapng_block(interface).map_err(io_error)?;
    Ok(out)
}

impl<W: Write> PcapWriter<W> {
    /// Writes the section header and the one interface to `out`.
    ///
    /// # Errors
    /// When `out` fails.
    pub fn new(out: W) -> io::Result<Self> {
        let out = open(out, SYNTH_COMMENT, "sockpit")?;
        Ok(Self { out, synth: Synth::default(), frames: Vec::new() })
    }

    /// Writes the frames `event` stands for (often none: most calls put
    /// nothing on the wire).
    ///
    /// # Errors
    /// When writing fails or a frame cannot be built.
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        self.frames.clear();
        self.synth.frames(event, &mut self.frames)?;
        for frame in &self.frames {
            let len = u32::try_from(frame.data.len()).unwrap_or(u32::MAX);
            let block = EnhancedPacketBlock {
                interface_id: 0,
                timestamp: Duration::from_micros(frame.at),
                original_len: len,
                data: Cow::Borrowed(&frame.data),
                options: Vec::new(),
            };
            self.out.write_pcapng_block(block).map_err(io_error)?;
        }
        Ok(())
    }

    /// Flushes the underlying writer (headless does so after every event,
    /// so a killed process leaves every whole packet so far on disk).
    ///
    /// # Errors
    /// When the flush fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.get_mut().flush()
    }

    /// The underlying writer, e.g. the bytes so far of a `PcapWriter<Vec<u8>>`
    /// that a view keeps per end and saves on F9.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    /// The underlying writer.
    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.out.into_inner()
    }
}

impl PcapWriter<BufWriter<File>> {
    /// Creates (truncates) `path` and writes the file's header.
    ///
    /// # Errors
    /// When the file cannot be created or written.
    pub fn create(path: &Path) -> io::Result<Self> {
        Self::new(BufWriter::new(File::create(path)?))
    }
}

/// A capture written to a file as events come, with the file's path.
pub type LiveCapture = (PcapWriter<BufWriter<File>>, PathBuf);

/// `--pcap`'s live capture when the flag was given, with its path, opened
/// before anything runs; a bad path is a message in the error grammar (docs/errors.md).
///
/// # Errors
/// When the file cannot be created.
pub fn open_flag(
    path: Option<&PathBuf>,
) -> Result<Option<LiveCapture>, crate::file_error::FileError> {
    let open = |p: &PathBuf| {
        PcapWriter::create(p)
            .map(|w| (w, p.clone()))
            .map_err(|e| crate::transcript::open_error("capture (--pcap)", p, &e))
    };
    path.map(open).transpose()
}

/// Writes one end's `events` as a pcapng file at `path` (the TUI's F9).
///
/// # Errors
/// When the file cannot be created or written.
#[cfg(test)]
pub fn write<'a>(path: &Path, events: impl IntoIterator<Item = &'a Event>) -> io::Result<()> {
    let mut writer = PcapWriter::create(path)?;
    for event in events {
        writer.event(event)?;
    }
    writer.into_inner().into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
}

#[cfg(test)]
mod tests;
