//! Readers for the little-endian byte tables of a model file.
//!
//! Each reader walks whole records with `chunks_exact`, so it cannot read out of bounds; a
//! trailing partial record is ignored (validation rejects such tables up front).

use crate::format::{CHANNEL_RECORD_LEN, ROW_BLOCK};

/// `width` rounded up to a whole number of 4-byte words: the row stride of a weight table and
/// the length of an activation buffer.
pub const fn padded_width(width: usize) -> usize {
    width.div_ceil(ROW_BLOCK) * ROW_BLOCK
}

/// One output channel's record in a layer's channel table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Channel {
    /// Bias at scale `s_in·s_w`, input zero points folded in.
    pub bias: i32,
    /// Q31 requantization multiplier (hidden layers).
    pub multiplier: i32,
    /// Requantization shift, `-31..=30` (hidden layers).
    pub shift: i8,
}

impl Channel {
    /// Decodes one 9-byte record.
    #[inline(always)]
    pub fn from_record(record: &[u8; CHANNEL_RECORD_LEN]) -> Channel {
        let [b0, b1, b2, b3, m0, m1, m2, m3, shift] = *record;
        Channel {
            bias: i32::from_le_bytes([b0, b1, b2, b3]),
            multiplier: i32::from_le_bytes([m0, m1, m2, m3]),
            shift: shift as i8,
        }
    }

    /// Appends this channel's 9-byte record to `out` (host side).
    pub fn to_record(&self) -> [u8; CHANNEL_RECORD_LEN] {
        let [b0, b1, b2, b3] = self.bias.to_le_bytes();
        let [m0, m1, m2, m3] = self.multiplier.to_le_bytes();
        [b0, b1, b2, b3, m0, m1, m2, m3, self.shift as u8]
    }

    /// Every whole record of a channel table.
    pub fn records(table: &[u8]) -> impl Iterator<Item = Channel> + '_ {
        table.chunks_exact(CHANNEL_RECORD_LEN).map(|chunk| {
            let mut record = [0u8; CHANNEL_RECORD_LEN];
            record.copy_from_slice(chunk);
            Channel::from_record(&record)
        })
    }
}

/// The `(f32, f32)` pairs of an 8-byte-record table (input affine, feature ranges).
pub fn f32_pairs(table: &[u8]) -> impl Iterator<Item = (f32, f32)> + '_ {
    table.chunks_exact(8).map(|c| {
        (
            f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
            f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
        )
    })
}

/// The i32 values of a 4-byte-record table.
pub fn i32_values(table: &[u8]) -> impl Iterator<Item = i32> + '_ {
    table
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The u32 values of a 4-byte-record table.
pub fn u32_values(table: &[u8]) -> impl Iterator<Item = u32> + '_ {
    table
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}
