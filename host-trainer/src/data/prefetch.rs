//! Decompression on a second thread: a producer reads blocks from the gzip decoder while the
//! parser consumes the previous ones, so reading a `.csv.gz` costs about the larger of
//! inflating and parsing rather than their sum.

use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes per block handed over.
const BLOCK_BYTES: usize = 1 << 20;
/// Blocks in flight between the threads.
const BLOCKS_IN_FLIGHT: usize = 4;

/// The consuming end: a `Read` over the blocks the producer sends.
pub(crate) struct Prefetched {
    blocks: Receiver<io::Result<Vec<u8>>>,
    current: Vec<u8>,
    pos: usize,
}

/// Creates the channel; run [`produce`] with the sender on another thread.
pub(crate) fn channel() -> (SyncSender<io::Result<Vec<u8>>>, Prefetched) {
    let (tx, rx) = sync_channel(BLOCKS_IN_FLIGHT);
    (
        tx,
        Prefetched {
            blocks: rx,
            current: Vec::new(),
            pos: 0,
        },
    )
}

/// Reads `source` to the end in blocks, sending each (and a read error, if any, last). Stops
/// early when the consumer has gone.
pub(crate) fn produce(mut source: impl Read, blocks: SyncSender<io::Result<Vec<u8>>>) {
    loop {
        let mut block = vec![0u8; BLOCK_BYTES];
        let mut filled = 0;
        let result = loop {
            match source.read(&mut block[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == block.len() {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        block.truncate(filled);
        let end = filled < BLOCK_BYTES;
        if filled > 0 && blocks.send(Ok(block)).is_err() {
            return;
        }
        if let Err(e) = result {
            let _ = blocks.send(Err(e));
            return;
        }
        if end {
            return;
        }
    }
}

impl Read for Prefetched {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            match self.blocks.recv() {
                Ok(Ok(block)) => {
                    self.current = block;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_every_byte_and_the_error() {
        let data: Vec<u8> = (0..3 * BLOCK_BYTES + 17).map(|i| (i % 251) as u8).collect();
        let (tx, mut rx) = channel();
        let source = data.clone();
        let producer = std::thread::spawn(move || produce(&source[..], tx));
        let mut got = Vec::new();
        rx.read_to_end(&mut got).expect("no error");
        producer.join().expect("producer");
        assert_eq!(got, data);

        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 == 0 {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut"));
                }
                let n = out.len().min(self.0);
                out[..n].fill(1);
                self.0 -= n;
                Ok(n)
            }
        }
        let (tx, mut rx) = channel();
        let producer = std::thread::spawn(move || produce(Failing(10), tx));
        let mut got = Vec::new();
        let err = rx.read_to_end(&mut got).expect_err("error passed on");
        producer.join().expect("producer");
        assert_eq!((got.len(), err.to_string()), (10, "cut".to_string()));
    }
}
