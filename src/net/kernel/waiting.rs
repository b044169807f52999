//! Reading what is waiting on a descriptor, for callers outside `net/`
//! (headless stdin): the one safe way in to `sys::read_spare`, so nothing
//! outside the engine reaches into its syscall wrappers.

use std::io;
use std::os::fd::BorrowedFd;

use bytes::BytesMut;

use super::sys;

/// Reads from `fd` into the spare capacity of `buf` (reserve room first):
/// one `read(2)` of at most `max` bytes, which waits until something comes
/// (retried when a signal interrupts it). A pipe or socket read returns
/// what is there without waiting for more, a file read what is asked: one
/// large read already takes what waits, so no `FIONREAD` after it (that
/// was one more syscall per read, and found little a read had not).
///
/// Returns the bytes read: 0 only at end of input.
///
/// # Errors
/// The read's error.
pub fn read_waiting(fd: BorrowedFd<'_>, buf: &mut BytesMut, max: usize) -> io::Result<usize> {
    loop {
        match sys::read_spare(fd, buf, max) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
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
        // One read takes what waits, up to max.
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 2500).expect("read"), 2500);
        assert_eq!(buf.len(), 2500);
        drop(writer);
        buf.clear();
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 2500).expect("read"), 500);
        assert_eq!(read_waiting(reader.as_fd(), &mut buf, 2500).expect("read"), 0);
    }
}
