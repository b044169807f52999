//! `/file PATH` streamed: the file is opened and read on Tokio's blocking
//! pool (the UI loop never touches it) in blocks of [`BLOCK`] bytes, each cut
//! into the app's chunks and handed to the session with an awaited send, so
//! a socket slower than the disk slows the reading (backpressure: at most
//! the engine's channel of chunks is in memory, whatever the file's size).

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::Incoming;
use crate::app::send::FileNews;
use crate::net::{Command, To};

/// Bytes read from the file at a time: one trip to the blocking pool per
/// block, not per datagram.
const BLOCK: usize = 256 * 1024;

/// Where a stream's chunks and news go.
pub struct Upload {
    pub end: usize,
    pub path: String,
    pub to: To,
    /// Bytes per send command (a datagram's size over UDP).
    pub chunk: usize,
    /// The session's command channel.
    pub engine: mpsc::Sender<Command>,
    /// The loop's channel, for [`FileNews`].
    pub news: mpsc::Sender<Incoming>,
}

impl Upload {
    /// Opens, reads and sends the whole file, telling the loop how it goes.
    pub async fn run(self) {
        let path = PathBuf::from(&self.path);
        let opened = tokio::task::spawn_blocking(move || crate::payload::open_file(&path)).await;
        let (mut file, total) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(error)) => {
                let message = error.to_string();
                return self.tell(FileNews::Failed { message, read: 0 }).await;
            }
            Err(_) => return,
        };
        self.tell(FileNews::Opened { path: self.path.clone(), total }).await;
        let mut read = 0u64;
        // One buffer, allocated here and lent to each read: a buffer made
        // on a pool thread and freed on this one would leave holes in that
        // thread's malloc arena (megabytes of them over a large file).
        let mut buf = vec![0; BLOCK];
        while read < total {
            let want = usize::try_from(total - read).map_or(BLOCK, |left| left.min(BLOCK));
            let block = tokio::task::spawn_blocking(move || {
                let got = fill(&mut file, &mut buf[..want]);
                (file, buf, got)
            })
            .await;
            let Ok((back, lent, got)) = block else { return };
            (file, buf) = (back, lent);
            let got = match got {
                Ok(got) => got,
                Err(err) => {
                    let message = read_error(&self.path, &err, read);
                    return self.tell(FileNews::Failed { message, read }).await;
                }
            };
            if got == 0 {
                break; // the file shrank since it was opened
            }
            // Each chunk is a copy of its own: the history keeps the bytes
            // of the sends it shows, and a slice would pin the whole block.
            for data in buf[..got].chunks(self.chunk.max(1)) {
                let data = Bytes::copy_from_slice(data);
                let command = Command::Send { to: self.to.clone(), data };
                if self.engine.send(command).await.is_err() {
                    return; // the session is gone
                }
            }
            read += got as u64;
        }
        self.tell(FileNews::Finished { read }).await;
    }

    async fn tell(&self, news: FileNews) {
        let _ = self.news.send(Incoming::File(self.end, news)).await;
    }
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn fill(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(got)
}

/// A read that failed part-way, in the error grammar.
fn read_error(path: &str, err: &std::io::Error, read: u64) -> String {
    let call = crate::net::CallError::from_io(err);
    let shown = crate::sanitize::visible_str(path);
    format!("read {shown} failed: {call}: the first {read} B were sent; try the file again")
}
