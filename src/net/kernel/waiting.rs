//! Reading what is waiting on a descriptor, for callers outside `net/`
//! (headless stdin): the one safe way in to `sys::read_spare` and
//! `sys::inq`, so nothing outside the engine reaches into its syscall
//! wrappers.

use std::io;
use std::os::fd::BorrowedFd;

use bytes::BytesMut;

use super::sys;

/// Reads from `fd` into the spare capacity of `buf` (reserve room first):
/// one `read(2)` of at most `first` bytes, which waits until something
/// comes (retried when a signal interrupts it), then more while `FIONREAD`
/// says bytes are already there, so it never waits again, until `buf`
/// holds `max`. Fewer, larger chunks when the writer runs ahead, and never
/// a wait for more when it does not.
///
/// Returns the bytes read: 0 only at end of input.
///
/// # Errors
/// The first read's error. An error after it ends the call with what was
/// read: the next call meets it again, first.
pub fn read_waiting(
    fd: BorrowedFd<'_>,
    buf: &mut BytesMut,
    first: usize,
    max: usize,
) -> io::Result<usize> {
    let mut read = loop {
        match sys::read_spare(fd, buf, first) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => break other?,
        }
    };
    if read == 0 {
        return Ok(0);
    }
    while buf.len() < max && sys::inq(fd).is_ok_and(|n| n > 0) {
        let room = max - buf.len();
        match sys::read_spare(fd, buf, room) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::fd::AsFd;

    use super::*;

    #[test]
    fn what_waits_is_read_at_once_up_to_max_and_eof_reads_zero() {
        let (reader, mut writer) = std::os::unix::net::UnixStream::pair().expect("pair");
        writer.write_all(&[7u8; 3000]).expect("write");
        let mut buf = BytesMut::with_capacity(4096);
        // The first read takes 1000; FIONREAD says 2000 more wait: up to max.
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 1000, 2500).expect("read"), 2500);
        assert_eq!(buf.len(), 2500);
        drop(writer);
        buf.clear();
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 1000, 2500).expect("read"), 500);
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 1000, 2500).expect("read"), 0);
    }
}
