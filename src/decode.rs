//! Reading the postcard payload without serde: a small cursor over the bytes.
//!
//! The payload is the postcard encoding of [`ModelRepr`] (the host writes it through serde,
//! [`ModelRepr::encode`]). Decoding it by hand keeps serde's generic deserializer out of the
//! firmware (about 3 KB of flash on Cortex-M4) while reading the same wire format: varints for
//! `u16`/`u32`, zigzag varints for `i32`, one byte for `i8`/`bool`, little-endian `f32`, and a
//! varint length before each byte table and before the layer list. The byte-level golden test
//! and the round-trip tests pin the two directions to each other.

use crate::error::{Error, Result};
use crate::format::MAX_LAYERS;
use crate::schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};

/// A cursor over the payload. Reads return `None` past the end or on an invalid value; the
/// one caller turns that into [`Error::Malformed`]. The multi-byte readers are out of line:
/// the decoder calls them about 25 times and flash matters more than a few cycles at load.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(first)
    }

    /// An unsigned LEB128 varint of at most 5 bytes whose value fits in 32 bits.
    #[inline(never)]
    fn varint(&mut self) -> Option<u32> {
        let mut value = 0u32;
        for i in 0..5 {
            let byte = self.byte()?;
            let bits = u32::from(byte & 0x7F);
            if i == 4 && bits > 0x0F {
                return None;
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    #[inline(never)]
    fn u16(&mut self) -> Option<u16> {
        u16::try_from(self.varint()?).ok()
    }

    #[inline(never)]
    fn i32(&mut self) -> Option<i32> {
        let zigzag = self.varint()?;
        Some(((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32))
    }

    fn i8(&mut self) -> Option<i8> {
        Some(self.byte()? as i8)
    }

    fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    #[inline(never)]
    fn f32(&mut self) -> Option<f32> {
        let (head, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(f32::from_le_bytes(*head))
    }

    /// A varint length, then that many bytes, borrowed.
    #[inline(never)]
    fn table(&mut self) -> Option<&'a [u8]> {
        let len = self.varint()? as usize;
        let (head, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        Some(head)
    }
}

/// Decodes a payload into a description borrowing its tables, and returns the bytes left
/// over after it (the caller rejects any).
pub fn decode(payload: &[u8]) -> Result<(ModelRepr<'_>, &[u8])> {
    read(&mut Reader { bytes: payload }).ok_or(Error::Malformed)
}

fn read<'a>(r: &mut Reader<'a>) -> Option<(ModelRepr<'a>, &'a [u8])> {
    let input = InputRepr {
        features: r.u16()?,
        affine: r.table()?,
        names: r.table()?,
    };
    let count = r.varint()? as usize;
    if count > MAX_LAYERS {
        return None;
    }
    let mut layers = heapless::Vec::new();
    for _ in 0..count {
        let layer = LayerRepr {
            inputs: r.u16()?,
            outputs: r.u16()?,
            weights: r.table()?,
            channels: r.table()?,
            output_zero_point: r.i8()?,
            relu: r.bool()?,
        };
        layers.push(layer).ok()?;
    }
    let decision = DecisionRepr {
        threshold: r.i32()?,
        logit_scale: r.f32()?,
        platt_a: r.f32()?,
        platt_b: r.f32()?,
    };
    let baseline = BaselineRepr {
        rows: r.varint()?,
        positives: r.varint()?,
        alerts: r.varint()?,
        true_alerts: r.varint()?,
        score_edges: r.table()?,
        score_counts: r.table()?,
        feature_ranges: r.table()?,
    };
    Some((
        ModelRepr {
            input,
            layers,
            decision,
            baseline,
        },
        r.bytes,
    ))
}

#[cfg(test)]
mod tests {
    use super::Reader;

    #[test]
    fn varints_and_zigzag() {
        let mut r = Reader {
            bytes: &[0x00, 0x7F, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        };
        assert_eq!(r.varint(), Some(0));
        assert_eq!(r.varint(), Some(127));
        assert_eq!(r.varint(), Some(128));
        assert_eq!(r.varint(), Some(u32::MAX));
        assert_eq!(r.varint(), None, "empty");
        let mut r = Reader {
            bytes: &[0xFF, 0xFF, 0xFF, 0xFF, 0x1F],
        };
        assert_eq!(r.varint(), None, "33 bits");
        let mut r = Reader {
            bytes: &[0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        };
        assert_eq!(r.varint(), None, "6 bytes");
        let mut r = Reader {
            bytes: &[
                0, 1, 2, 3, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F,
            ],
        };
        assert_eq!(
            [r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32()],
            [
                Some(0),
                Some(-1),
                Some(1),
                Some(-2),
                Some(i32::MAX),
                Some(i32::MIN)
            ]
        );
        let mut r = Reader {
            bytes: &[0xFF, 0xFF, 0x04],
        };
        assert_eq!(r.u16(), None, "65536 is not a u16");
        let mut r = Reader { bytes: &[2] };
        assert_eq!(r.bool(), None);
        let mut r = Reader { bytes: &[5, 1, 2] };
        assert_eq!(r.table(), None, "table longer than the payload");
    }
}
