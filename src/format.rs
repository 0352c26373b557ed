//! The fixed header of a model file and the limits of format version 1.
//!
//! ```text
//! offset  size  field
//!      0     4  magic  b"RWMF"
//!      4     2  format version, u16 little-endian (1)
//!      6     2  flags, u16 little-endian (none defined in version 1: must be 0)
//!      8     4  payload length in bytes, u32 little-endian
//!     12     4  CRC-32 (IEEE) of the payload, u32 little-endian
//!     16     n  payload: postcard encoding of a `ModelRepr`
//! ```
//!
//! Bytes after the payload are ignored, so a model can sit in a flash region padded with `0xFF`.

use crate::crc::crc32;
use crate::error::{Error, Result};

/// First four bytes of every model file.
pub const MAGIC: [u8; 4] = *b"RWMF";
/// The format version this crate reads and writes.
pub const VERSION: u16 = 1;
/// Length of the fixed header in bytes.
pub const HEADER_LEN: usize = 16;
/// Most layers a model may have (hidden layers plus the output layer).
pub const MAX_LAYERS: usize = 8;
/// Most bins of the reference score histogram in the monitoring baseline.
pub const MAX_SCORE_BINS: usize = 16;
/// Bytes per output channel in a layer's channel table: bias `i32`, multiplier `i32`, shift `i8`.
pub const CHANNEL_RECORD_LEN: usize = 9;
/// Bytes per feature in the input affine table: `mul` `f32`, `add` `f32`.
pub const AFFINE_RECORD_LEN: usize = 8;
/// Bytes per feature in the training-range table: `lo` `f32`, `hi` `f32`.
pub const RANGE_RECORD_LEN: usize = 8;
/// Rows per weight block: the layout lets a kernel share each activation load across 4 rows.
pub const ROW_BLOCK: usize = 4;

/// The decoded fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Header {
    /// Format version.
    pub version: u16,
    /// Flag bits (none defined in version 1).
    pub flags: u16,
    /// Payload length in bytes.
    pub payload_len: u32,
    /// CRC-32 of the payload.
    pub crc: u32,
}

impl Header {
    /// Parses and checks the header, then returns it with the payload it covers.
    ///
    /// Checks, in order: length, magic, version, flags, payload length, CRC.
    pub fn parse(bytes: &[u8]) -> Result<(Header, &[u8])> {
        let (head, rest) = bytes
            .split_first_chunk::<HEADER_LEN>()
            .ok_or(Error::Truncated {
                needed: HEADER_LEN,
                available: bytes.len(),
            })?;
        // Constant indices into a fixed-size array: checked at compile time.
        if head[..4] != MAGIC {
            return Err(Error::BadMagic);
        }
        let header = Header {
            version: u16::from_le_bytes([head[4], head[5]]),
            flags: u16::from_le_bytes([head[6], head[7]]),
            payload_len: u32::from_le_bytes([head[8], head[9], head[10], head[11]]),
            crc: u32::from_le_bytes([head[12], head[13], head[14], head[15]]),
        };
        if header.version != VERSION {
            return Err(Error::UnsupportedVersion {
                found: header.version,
            });
        }
        if header.flags != 0 {
            return Err(Error::UnsupportedFlags {
                found: header.flags,
            });
        }
        let len = header.payload_len as usize;
        let payload = rest.get(..len).ok_or(Error::Truncated {
            needed: HEADER_LEN.saturating_add(len),
            available: bytes.len(),
        })?;
        let computed = crc32(payload);
        if computed != header.crc {
            return Err(Error::BadCrc {
                expected: header.crc,
                computed,
            });
        }
        Ok((header, payload))
    }

    /// The header's 16 bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let [m0, m1, m2, m3] = MAGIC;
        let [v0, v1] = self.version.to_le_bytes();
        let [f0, f1] = self.flags.to_le_bytes();
        let [l0, l1, l2, l3] = self.payload_len.to_le_bytes();
        let [c0, c1, c2, c3] = self.crc.to_le_bytes();
        [
            m0, m1, m2, m3, v0, v1, f0, f1, l0, l1, l2, l3, c0, c1, c2, c3,
        ]
    }

    /// The header for `payload` in the current version.
    pub fn for_payload(payload: &[u8]) -> Result<Header> {
        let payload_len = u32::try_from(payload.len()).map_err(|_| Error::CapacityExceeded {
            needed: payload.len(),
            capacity: u32::MAX as usize,
        })?;
        Ok(Header {
            version: VERSION,
            flags: 0,
            payload_len,
            crc: crc32(payload),
        })
    }
}
