//! Alt-C / Alt-X: the clipboard through OSC 52, which works over ssh and in
//! tmux (with `set-clipboard on`). The bytes travel base64-encoded, so the
//! sequence never holds a raw peer byte; the app caps their size.

use std::io::{self, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The OSC 52 sequence that sets the clipboard to `bytes`.
#[must_use]
pub fn osc52(bytes: &[u8]) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(bytes))
}

/// Writes the sequence to the terminal.
///
/// # Errors
/// When stdout fails.
pub fn copy(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(osc52(bytes).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sequence_holds_only_base64() {
        let seq = super::osc52(b"\x1b[2J\x07hi");
        assert_eq!(seq, "\x1b]52;c;G1sySgdoaQ==\x07");
        let body = &seq[7..seq.len() - 1];
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)));
    }
}
