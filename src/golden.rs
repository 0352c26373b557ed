//! Golden vectors: rows with the score and decision the host computed for them, so firmware can
//! prove it computes the same bits (`examples/firmware` checks every one under QEMU).
//!
//! ```text
//! offset  size  field
//!      0     4  magic b"RWGV"
//!      4     2  version, u16 LE (1)
//!      6     2  features per row, u16 LE
//!      8     4  rows, u32 LE
//!     12     4  reserved, 0
//!     16        rows × record: features × f32 LE, score i32 LE, alert u8, 3 zero bytes
//! ```

use crate::error::{Error, Result};
use crate::infer::Prediction;

/// First four bytes of a golden-vector file.
pub const GOLDEN_MAGIC: [u8; 4] = *b"RWGV";
/// Length of the golden-vector header in bytes.
pub const GOLDEN_HEADER_LEN: usize = 16;

/// Bytes of one record for `features` features.
pub const fn record_len(features: usize) -> usize {
    4 * features + 8
}

/// A checked view of a golden-vector file.
#[derive(Debug, Clone, Copy)]
pub struct GoldenVectors<'a> {
    features: usize,
    records: &'a [u8],
}

/// One golden row.
#[derive(Debug, Clone, Copy)]
pub struct GoldenVector<'a> {
    features: &'a [u8],
    /// The expected prediction.
    pub expected: Prediction,
}

impl<'a> GoldenVectors<'a> {
    /// Checks the header and that the file holds exactly the rows it states.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self> {
        let (head, records) =
            bytes
                .split_first_chunk::<GOLDEN_HEADER_LEN>()
                .ok_or(Error::Truncated {
                    needed: GOLDEN_HEADER_LEN,
                    available: bytes.len(),
                })?;
        if head[..4] != GOLDEN_MAGIC {
            return Err(Error::BadMagic);
        }
        let version = u16::from_le_bytes([head[4], head[5]]);
        if version != 1 {
            return Err(Error::UnsupportedVersion { found: version });
        }
        let features = usize::from(u16::from_le_bytes([head[6], head[7]]));
        let rows = u32::from_le_bytes([head[8], head[9], head[10], head[11]]) as usize;
        let needed = rows.saturating_mul(record_len(features));
        if records.len() != needed {
            return Err(Error::Truncated {
                needed: GOLDEN_HEADER_LEN.saturating_add(needed),
                available: bytes.len(),
            });
        }
        Ok(GoldenVectors { features, records })
    }

    /// Features per row.
    pub fn features(&self) -> usize {
        self.features
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.records.len() / record_len(self.features)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The rows in file order.
    pub fn iter(&self) -> impl Iterator<Item = GoldenVector<'a>> + 'a {
        let features = self.features;
        self.records
            .chunks_exact(record_len(features))
            .map(move |record| {
                let (inputs, tail) = record.split_at(4 * features);
                let score = i32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
                GoldenVector {
                    features: inputs,
                    expected: Prediction {
                        score,
                        alert: tail[4] != 0,
                    },
                }
            })
    }

    /// The header for `rows` rows of `features` features.
    pub fn header(features: u16, rows: u32) -> [u8; GOLDEN_HEADER_LEN] {
        let [m0, m1, m2, m3] = GOLDEN_MAGIC;
        let [f0, f1] = features.to_le_bytes();
        let [r0, r1, r2, r3] = rows.to_le_bytes();
        [m0, m1, m2, m3, 1, 0, f0, f1, r0, r1, r2, r3, 0, 0, 0, 0]
    }

    /// Writes one record into `out` (exactly [`record_len`] bytes); returns bytes written.
    pub fn write_record(features: &[f32], expected: Prediction, out: &mut [u8]) -> Result<usize> {
        let len = record_len(features.len());
        let capacity = out.len();
        let out = out.get_mut(..len).ok_or(Error::CapacityExceeded {
            needed: len,
            capacity,
        })?;
        let (inputs, tail) = out.split_at_mut(4 * features.len());
        for (slot, x) in inputs.chunks_exact_mut(4).zip(features) {
            slot.copy_from_slice(&x.to_le_bytes());
        }
        let [s0, s1, s2, s3] = expected.score.to_le_bytes();
        tail.copy_from_slice(&[s0, s1, s2, s3, u8::from(expected.alert), 0, 0, 0]);
        Ok(len)
    }
}

impl GoldenVector<'_> {
    /// The row's features.
    pub fn features(&self) -> impl Iterator<Item = f32> + '_ {
        self.features
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
    }

    /// Copies the features into `out`; returns how many were copied (all, if `out` is long
    /// enough).
    pub fn copy_features(&self, out: &mut [f32]) -> usize {
        out.iter_mut()
            .zip(self.features())
            .map(|(slot, x)| *slot = x)
            .count()
    }
}
