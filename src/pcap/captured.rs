//! pcapng of what the capture really saw (`--wire` live): the frames as
//! the kernel handed them to the `AF_PACKET` socket, with nanosecond
//! timestamps and each frame's direction seen from this session
//! (`epb_flags` inbound/outbound). The synthesised writer
//! ([`super::PcapWriter`]) is only the fallback when nothing can be
//! captured.
//!
//! Kept small on purpose: a section header, one interface, then blocks.
//! [`CaptureWriter::write_block`] appends any other pcapng block (a TLS
//! Decryption Secrets Block, say) between the frames.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use pcap_file::Endianness;
use pcap_file::pcapng::PcapNgBlock;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::unknown::UnknownBlock;

use super::io_error;
use crate::net::Dir;
use crate::wire::Segment;

/// `epb_flags` bits 0-1: the frame's direction (pcapng §4.3.1).
const INBOUND: u32 = 0b01;
const OUTBOUND: u32 = 0b10;

/// pcapng's Decryption Secrets Block (§4.7), which pcap-file does not know.
pub const DECRYPTION_SECRETS_BLOCK: u32 = 0x0000_000A;

/// Its secrets type for TLS: NSS key-log lines ("TLSK").
pub const TLS_KEY_LOG: u32 = 0x544c_534b;

/// What the section header says about the file.
pub const COMMENT: &str =
    "captured by sockpit (AF_PACKET): the session's own frames as the kernel saw them";

/// Writes captured segments' frames as pcapng.
pub struct CaptureWriter<W: Write> {
    out: PcapNgWriter<W>,
    /// Frames written so far.
    pub frames: u64,
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the section header and the interface (`if_name`, e.g. `lo`).
    ///
    /// # Errors
    /// When `out` fails.
    pub fn new(out: W, if_name: &str) -> io::Result<Self> {
        // The filter lets only Ethernet-framed links (lo, Ethernet) through.
        let out = super::open(out, COMMENT, if_name)?;
        Ok(Self { out, frames: 0 })
    }

    /// Writes `seg`'s frame; a segment captured without its bytes (headers
    /// only) writes nothing and returns `false`.
    ///
    /// # Errors
    /// When writing fails.
    pub fn segment(&mut self, seg: &Segment) -> io::Result<bool> {
        let Some(raw) = &seg.raw else { return Ok(false) };
        let flags = match seg.dir {
            Dir::Sent => OUTBOUND,
            Dir::Received => INBOUND,
        };
        let block = EnhancedPacketBlock {
            interface_id: 0,
            timestamp: Duration::from_nanos(raw.at_nanos),
            original_len: u32::try_from(raw.wire_len).unwrap_or(u32::MAX),
            data: Cow::Borrowed(&raw.bytes),
            options: vec![EnhancedPacketOption::Flags(flags)],
        };
        self.write_block(block)?;
        self.frames += 1;
        Ok(true)
    }

    /// Appends any pcapng block (after the header and interface).
    ///
    /// # Errors
    /// When writing fails.
    pub fn write_block<'a, B: PcapNgBlock<'a>>(&mut self, block: B) -> io::Result<()> {
        self.out.write_pcapng_block(block).map(drop).map_err(io_error)
    }

    /// Writes a Decryption Secrets Block holding `lines` (NSS key-log
    /// lines, e.g. `CLIENT_TRAFFIC_SECRET_0 <random> <secret>\n`): a reader
    /// such as tshark decrypts with them the TLS records of the frames
    /// that follow, with no option. Nothing is written for no lines.
    ///
    /// # Errors
    /// When writing fails, or the lines are larger than a block can say.
    pub fn secrets(&mut self, lines: &str) -> io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let len = u32::try_from(lines.len()).map_err(io::Error::other)?;
        let little = self.out.section().endianness == Endianness::Little;
        let word = |n: u32| if little { n.to_le_bytes() } else { n.to_be_bytes() };
        // Secrets type, secrets length, the data; pcap-file pads the block
        // to 4 bytes, which pads the data as the format asks.
        let mut value = Vec::with_capacity(8 + lines.len());
        value.extend_from_slice(&word(TLS_KEY_LOG));
        value.extend_from_slice(&word(len));
        value.extend_from_slice(lines.as_bytes());
        let block =
            UnknownBlock { type_: DECRYPTION_SECRETS_BLOCK, length: 0, value: Cow::Owned(value) };
        self.write_block(block)
    }

    /// Flushes the underlying writer.
    ///
    /// # Errors
    /// When the flush fails.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.get_mut().flush()
    }

    /// The underlying writer (the bytes so far of an in-memory one).
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }
}

impl CaptureWriter<BufWriter<File>> {
    /// Creates (truncates) `path` and writes the file's header.
    ///
    /// # Errors
    /// When the file cannot be created or written.
    pub fn create(path: &Path, if_name: &str) -> io::Result<Self> {
        Self::new(BufWriter::new(File::create(path)?), if_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Raw;
    use pcap_file::pcapng::{Block, PcapNgReader};

    #[test]
    fn frames_keep_their_bytes_nanoseconds_and_direction() {
        let b = etherparse::PacketBuilder::ethernet2([0; 6], [0; 6])
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(40_000, 8080, 5, 512)
            .syn();
        let mut frame = Vec::new();
        b.write(&mut frame, &[]).unwrap();
        let mut seg = crate::wire::segment::decode(&frame, 0).unwrap();
        seg.dir = Dir::Sent;
        let mut w = CaptureWriter::new(Vec::new(), "lo").unwrap();
        assert!(!w.segment(&seg).unwrap(), "no bytes, no frame");
        let bytes = bytes::Bytes::from(frame.clone());
        seg.raw = Some(Raw { at_nanos: 1_700_000_000_123_456_789, bytes, wire_len: frame.len() });
        assert!(w.segment(&seg).unwrap());
        let file = w.get_ref().clone();
        let mut reader = PcapNgReader::new(&file[..]).unwrap();
        let mut packets = Vec::new();
        while let Some(block) = reader.next_block() {
            if let Block::EnhancedPacket(p) = block.unwrap() {
                packets.push(p.into_owned());
            }
        }
        assert_eq!(packets.len(), 1);
        assert_eq!(packets[0].data.as_ref(), &frame[..]);
        assert_eq!(packets[0].timestamp.as_nanos(), 1_700_000_000_123_456_789);
        assert_eq!(packets[0].options, vec![EnhancedPacketOption::Flags(OUTBOUND)]);
    }

    #[test]
    fn secrets_make_a_padded_decryption_secrets_block() {
        let mut w = CaptureWriter::new(Vec::new(), "lo").unwrap();
        let start = w.get_ref().len();
        w.secrets("").unwrap();
        assert_eq!(w.get_ref().len(), start, "no lines, no block");
        let lines = "CLIENT_RANDOM 0a0b 0c\n"; // 22 bytes: 2 of padding
        w.secrets(lines).unwrap();
        let file = w.get_ref().clone();
        let block = &file[start..];
        let word = |at: usize| u32::from_be_bytes(block[at..at + 4].try_into().unwrap());
        let total = 12 + 8 + 24;
        assert_eq!(block.len(), total);
        assert_eq!(
            (word(0), word(4), word(total - 4)),
            (0x0A, u32::try_from(total).unwrap(), u32::try_from(total).unwrap())
        );
        assert_eq!((word(8), word(12)), (TLS_KEY_LOG, 22));
        assert_eq!(&block[16..38], lines.as_bytes());
        assert_eq!(&block[38..40], &[0, 0]);
        // A reader walks past it to the next block.
        let mut reader = PcapNgReader::new(&file[..]).unwrap();
        let mut kinds = Vec::new();
        while let Some(block) = reader.next_block() {
            if let Block::Unknown(u) = block.unwrap() {
                kinds.push(u.type_);
            }
        }
        assert_eq!(kinds, vec![DECRYPTION_SECRETS_BLOCK]);
    }
}
