//! The byte syntaxes of the input line (docs/cli.md): `/hex 48 65 6c` and
//! `/esc GET / HTTP/1.0\r\n`. Plain text is sent literally, so these two are
//! the only ways to type bytes a keyboard cannot; they must never guess, and
//! a mistake must say where it is and how to write it instead.
//!
//! Hex: bytes are pairs of hex digits, either case. Whitespace between bytes
//! is optional (`48 65`, `4865`, `48\t65`), and each whitespace-separated
//! group may start with `0x` (`0x48 0x65`, `0x4865`), as people paste it from
//! C arrays or Wireshark. A group with an odd number of digits is an error,
//! never a silently padded byte: `4 8` is not `48`.
//!
//! Escapes (C's, so they read like the Python and C a student knows):
//! `\r \n \t \0 \\ \e` (ESC), `\a \b \f \v`, `\' \" \?`, `\xNN` (exactly
//! two hex digits), and octal `\N`, `\NN`, `\NNN` up to `\377`. Any other
//! character stands for its UTF-8 bytes.
//!
//! Errors are [`PayloadError`]s whose `Display` is a sentence for the user
//! with a 1-based column counted in characters of the argument; the input
//! line prefixes the command and argument: `/hex 4g: "g" at column 2 ...`.

use crate::file_error::FileError;

/// Why a `/hex` or `/esc` argument is not bytes; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct PayloadError {
    /// 1-based column (in characters) of the offending character.
    pub column: usize,
    pub problem: Problem,
}

/// What exactly is wrong at [`PayloadError::column`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `/hex`: a character that is neither a hex digit nor whitespace.
    NotHexDigit(char),
    /// `/hex`: a group with an odd number of digits; holds the lone digit.
    LoneDigit(char),
    /// `/hex`: `0x` with no digits after it.
    EmptyPrefix,
    /// `/esc`: a backslash followed by a character that is no escape.
    UnknownEscape(char),
    /// `/esc`: `\x` not followed by two hex digits; holds what followed.
    ShortHexEscape(String),
    /// `/esc`: an octal escape above `\377`.
    OctalTooBig(String),
    /// `/esc`: a backslash as the last character.
    TrailingBackslash,
}

impl PayloadError {
    fn at(column: usize, problem: Problem) -> Self {
        Self { column, problem }
    }

    fn sentence(&self) -> String {
        let col = self.column;
        match &self.problem {
            Problem::NotHexDigit(c) => {
                format!(
                    "{} at column {col} is not a hex digit; write pairs like 48 65 6c",
                    shown(*c)
                )
            }
            Problem::LoneDigit(c) => format!(
                "{} at column {col} is half a byte; write two digits per byte, like 0{c} or 48 65 6c",
                shown(*c)
            ),
            Problem::EmptyPrefix => {
                format!("0x at column {col} has no digits after it; write bytes like 0x48 or 48")
            }
            Problem::UnknownEscape(c) => format!(
                "\"\\{}\" at column {col} is not an escape; write \\\\ for a backslash \
                 (escapes: \\r \\n \\t \\0 \\e \\\\ \\xNN \\NNN)",
                c.escape_debug()
            ),
            Problem::ShortHexEscape(after) => format!(
                "\"\\x{}\" at column {col} needs two hex digits; write bytes like \\x1b or \\x0a",
                after.escape_debug()
            ),
            Problem::OctalTooBig(digits) => format!(
                "\"\\{digits}\" at column {col} is more than one byte; octal escapes go up to \\377"
            ),
            Problem::TrailingBackslash => {
                format!("the \\ at column {col} ends the line; write \\\\ for a backslash")
            }
        }
    }
}

/// A character quoted for an error message, control characters made visible.
fn shown(c: char) -> String {
    format!("\"{}\"", c.escape_debug())
}

/// Parses `/hex` syntax (see the module docs) into bytes. Empty or
/// all-whitespace input is no bytes; whether that may be sent is the caller's
/// choice.
///
/// # Errors
/// A [`PayloadError`] naming the first bad character.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, PayloadError> {
    let mut out = Vec::with_capacity(text.len() / 2);
    let mut chars = text.chars().enumerate().peekable();
    // Column of a pending high nibble, and the nibble.
    let mut high: Option<(usize, char, u8)> = None;
    let mut group_start = true;
    while let Some((i, c)) = chars.next() {
        let col = i + 1;
        if c.is_whitespace() {
            if let Some((hcol, hc, _)) = high {
                return Err(PayloadError::at(hcol, Problem::LoneDigit(hc)));
            }
            group_start = true;
            continue;
        }
        if group_start && c == '0' && matches!(chars.peek(), Some((_, 'x' | 'X'))) {
            chars.next();
            match chars.peek() {
                Some((_, d)) if d.is_ascii_hexdigit() => {}
                _ => return Err(PayloadError::at(col, Problem::EmptyPrefix)),
            }
            group_start = false;
            continue;
        }
        group_start = false;
        let Some(nibble) = c.to_digit(16) else {
            return Err(PayloadError::at(col, Problem::NotHexDigit(c)));
        };
        #[expect(clippy::cast_possible_truncation, reason = "a hex digit is below 16")]
        let nibble = nibble as u8;
        match high.take() {
            None => high = Some((col, c, nibble)),
            Some((_, _, h)) => out.push(h << 4 | nibble),
        }
    }
    if let Some((hcol, hc, _)) = high {
        return Err(PayloadError::at(hcol, Problem::LoneDigit(hc)));
    }
    Ok(out)
}

/// Bytes as `/hex` writes them: lowercase pairs separated by spaces
/// (`48 65 6c`); [`parse_hex`] reads it back.
#[must_use]
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        push_hex_byte(&mut out, *b);
    }
    out
}

fn push_hex_byte(out: &mut String, b: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push(char::from(DIGITS[usize::from(b >> 4)]));
    out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
}

/// Parses `/esc` syntax (see the module docs) into bytes.
///
/// # Errors
/// A [`PayloadError`] naming the first bad escape.
pub fn parse_escapes(text: &str) -> Result<Vec<u8>, PayloadError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            i += 1;
            continue;
        }
        let col = i + 1;
        let Some(&e) = chars.get(i + 1) else {
            return Err(PayloadError::at(col, Problem::TrailingBackslash));
        };
        i += 2;
        let byte = match e {
            'r' => b'\r',
            'n' => b'\n',
            't' => b'\t',
            'e' => 0x1b,
            'a' => 0x07,
            'b' => 0x08,
            'f' => 0x0c,
            'v' => 0x0b,
            '\\' => b'\\',
            '\'' => b'\'',
            '"' => b'"',
            '?' => b'?',
            'x' => {
                let (byte, used) = hex_escape(&chars[i..], col)?;
                i += used;
                byte
            }
            '0'..='7' => {
                let (byte, used) = octal_escape(&chars[i - 1..], col)?;
                i += used - 1;
                byte
            }
            other => return Err(PayloadError::at(col, Problem::UnknownEscape(other))),
        };
        out.push(byte);
    }
    Ok(out)
}

/// The two digits after `\x`; `col` is the backslash's column.
fn hex_escape(rest: &[char], col: usize) -> Result<(u8, usize), PayloadError> {
    let digits: Vec<u32> = rest.iter().take(2).map_while(|c| c.to_digit(16)).collect();
    if let [h, l] = digits[..] {
        #[expect(clippy::cast_possible_truncation, reason = "two hex digits are below 256")]
        return Ok(((h << 4 | l) as u8, 2));
    }
    let after: String = rest.iter().take(2).collect();
    Err(PayloadError::at(col, Problem::ShortHexEscape(after)))
}

/// One to three octal digits starting at `rest[0]`; `col` is the backslash's.
fn octal_escape(rest: &[char], col: usize) -> Result<(u8, usize), PayloadError> {
    let digits: Vec<char> = rest.iter().take(3).copied().take_while(|c| c.is_digit(8)).collect();
    let value = digits.iter().filter_map(|c| c.to_digit(8)).fold(0u32, |v, d| v * 8 + d);
    u8::try_from(value)
        .map(|b| (b, digits.len()))
        .map_err(|_| PayloadError::at(col, Problem::OctalTooBig(digits.iter().collect())))
}

/// `/file PATH`, opened (blocking: the TUI calls it on Tokio's blocking
/// pool) with its size; a directory is refused as `read` would refuse it.
///
/// # Errors
/// Why not: [`FileError::Read`], whose Display is the message in the
/// error grammar (`open PATH failed: ENOENT (...): nothing was sent; try ...`).
pub(crate) fn open_file(path: &std::path::Path) -> Result<(std::fs::File, u64), FileError> {
    let file = std::fs::File::open(path).map_err(|e| FileError::read(path, &e))?;
    let meta = file.metadata().map_err(|e| FileError::read(path, &e))?;
    if meta.is_dir() {
        return Err(FileError::read(path, &std::io::Error::from_raw_os_error(libc::EISDIR)));
    }
    Ok((file, meta.len()))
}

/// Bytes as `/esc` text that [`parse_escapes`] reads back exactly: printable
/// ASCII as is, `\\` for a backslash, `\r \n \t \e`, and `\xNN` for every
/// other byte (never `\0`, which a following digit would extend). The result
/// is plain ASCII, safe to show and to put back in the input line (F5).
#[must_use]
pub fn to_escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x1b => out.push_str("\\e"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                out.push_str("\\x");
                push_hex_byte(&mut out, b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_err(text: &str) -> String {
        parse_hex(text).unwrap_err().to_string()
    }

    fn esc_err(text: &str) -> String {
        parse_escapes(text).unwrap_err().to_string()
    }

    #[test]
    fn hex_accepts_spaced_packed_and_prefixed() {
        let hello = b"Hello".to_vec();
        assert_eq!(parse_hex("48 65 6c 6c 6f").unwrap(), hello);
        assert_eq!(parse_hex("48656c6c6f").unwrap(), hello);
        assert_eq!(parse_hex("  48 65\t6C6c  6F ").unwrap(), hello);
        assert_eq!(parse_hex("0x48 0X65 0x6c6c 6f").unwrap(), hello);
        assert_eq!(parse_hex("").unwrap(), Vec::<u8>::new());
        assert_eq!(parse_hex("00 ff").unwrap(), vec![0, 255]);
    }

    #[test]
    fn hex_errors_name_the_column_and_the_fix() {
        assert_eq!(
            hex_err("4g"),
            "\"g\" at column 2 is not a hex digit; write pairs like 48 65 6c"
        );
        assert_eq!(
            hex_err("48 6"),
            "\"6\" at column 4 is half a byte; write two digits per byte, like 06 or 48 65 6c"
        );
        assert!(hex_err("4 8").starts_with("\"4\" at column 1 is half a byte"));
        assert!(hex_err("0x").starts_with("0x at column 1 has no digits"));
        assert!(hex_err("48 0x zz").starts_with("0x at column 4"));
        assert!(hex_err("你好").starts_with("\"你\" at column 1 is not a hex digit"));
        assert!(hex_err("4\u{1b}").starts_with("\"\\u{1b}\" at column 2"));
        assert!(hex_err("48,65").starts_with("\",\" at column 3"));
    }

    #[test]
    fn to_hex_is_lowercase_pairs() {
        assert_eq!(to_hex(b"He\x00\xff"), "48 65 00 ff");
        assert_eq!(to_hex(b""), "");
    }

    #[test]
    fn escapes_are_cs() {
        assert_eq!(parse_escapes("GET / HTTP/1.0\\r\\n").unwrap(), b"GET / HTTP/1.0\r\n");
        assert_eq!(parse_escapes("\\t\\0\\\\\\e\\x1B\\x0a").unwrap(), b"\t\0\\\x1b\x1b\n");
        assert_eq!(parse_escapes("\\a\\b\\f\\v\\'\\\"\\?").unwrap(), b"\x07\x08\x0c\x0b'\"?");
        assert_eq!(parse_escapes("\\101\\0123\\7").unwrap(), b"A\n3\x07");
        assert_eq!(parse_escapes("\\377").unwrap(), b"\xff");
        assert_eq!(parse_escapes("你好\\n").unwrap(), "你好\n".as_bytes());
        assert_eq!(parse_escapes("").unwrap(), b"");
    }

    #[test]
    fn escape_errors_name_the_column_and_the_fix() {
        assert_eq!(
            esc_err("ab\\q"),
            "\"\\q\" at column 3 is not an escape; write \\\\ for a backslash \
             (escapes: \\r \\n \\t \\0 \\e \\\\ \\xNN \\NNN)"
        );
        assert_eq!(
            esc_err("\\x4g"),
            "\"\\x4g\" at column 1 needs two hex digits; write bytes like \\x1b or \\x0a"
        );
        assert!(esc_err("x\\x").starts_with("\"\\x\" at column 2 needs two hex digits"));
        assert!(esc_err("\\x4").starts_with("\"\\x4\" at column 1"));
        assert!(esc_err("\\400").starts_with("\"\\400\" at column 1 is more than one byte"));
        assert!(esc_err("ok\\").starts_with("the \\ at column 3 ends the line"));
        assert!(esc_err("你\\q").contains("column 2"));
    }

    #[test]
    fn files_open_with_their_size_or_are_explained() {
        let path = std::env::temp_dir().join(format!("sockpit-{}-file.bin", std::process::id()));
        std::fs::write(&path, b"\x00\xffbytes").unwrap();
        assert_eq!(open_file(&path).unwrap().1, 7);
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            open_file(std::path::Path::new("/nonexistent/a\x1b[2J")).unwrap_err().to_string(),
            "open /nonexistent/a␛[2J failed: ENOENT (no such file or directory): nothing was \
             sent; try a path that exists (relative ones start where sockpit started)"
        );
        let dir = open_file(&std::env::temp_dir()).unwrap_err().to_string();
        assert!(
            dir.contains("EISDIR") && dir.ends_with("try a file inside that directory"),
            "{dir}"
        );
    }

    #[test]
    fn to_escaped_is_ascii_and_reads_back() {
        let bytes = b"a\\b\r\n\t\x1b\x00\x01\xff ~";
        let text = to_escaped(bytes);
        assert_eq!(text, "a\\\\b\\r\\n\\t\\e\\x00\\x01\\xff ~");
        assert_eq!(parse_escapes(&text).unwrap(), bytes);
        // \0 followed by a digit would be octal: never written that way.
        assert_eq!(parse_escapes(&to_escaped(b"\x001")).unwrap(), b"\x001");
    }
}
