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

/// A cursor over the payload; every read is bounds-checked and fails with `Malformed`.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.bytes.len() {
            return Err(Error::Malformed);
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8> {
        let (&first, rest) = self.bytes.split_first().ok_or(Error::Malformed)?;
        self.bytes = rest;
        Ok(first)
    }

    /// An unsigned LEB128 varint of at most 5 bytes whose value fits in 32 bits.
    fn varint(&mut self) -> Result<u32> {
        let mut value = 0u32;
        for i in 0..5 {
            let byte = self.byte()?;
            let bits = u32::from(byte & 0x7F);
            if i == 4 && bits > 0x0F {
                return Err(Error::Malformed);
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::Malformed)
    }

    fn u16(&mut self) -> Result<u16> {
        u16::try_from(self.varint()?).map_err(|_| Error::Malformed)
    }

    fn i32(&mut self) -> Result<i32> {
        let zigzag = self.varint()?;
        Ok(((zigzag >> 1) as i32) ^ -((zigzag & 1) as i32))
    }

    fn i8(&mut self) -> Result<i8> {
        Ok(self.byte()? as i8)
    }

    fn bool(&mut self) -> Result<bool> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(Error::Malformed),
        }
    }

    fn f32(&mut self) -> Result<f32> {
        let b = self.take(4)?;
        Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn table(&mut self) -> Result<&'a [u8]> {
        let len = self.varint()? as usize;
        self.take(len)
    }
}

/// Decodes a payload into a description borrowing its tables, and returns the bytes left
/// over after it (the caller rejects any).
pub fn decode(payload: &[u8]) -> Result<(ModelRepr<'_>, &[u8])> {
    let mut r = Reader { bytes: payload };
    let input = InputRepr {
        features: r.u16()?,
        affine: r.table()?,
        names: r.table()?,
    };
    let count = r.varint()? as usize;
    if count > MAX_LAYERS {
        return Err(Error::Malformed);
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
        layers.push(layer).map_err(|_| Error::Malformed)?;
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
    Ok((
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
    use crate::error::Error;

    #[test]
    fn varints_and_zigzag() {
        let mut r = Reader {
            bytes: &[0x00, 0x7F, 0x80, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        };
        assert_eq!(r.varint(), Ok(0));
        assert_eq!(r.varint(), Ok(127));
        assert_eq!(r.varint(), Ok(128));
        assert_eq!(r.varint(), Ok(u32::MAX));
        assert_eq!(r.varint(), Err(Error::Malformed), "empty");
        let mut r = Reader {
            bytes: &[0xFF, 0xFF, 0xFF, 0xFF, 0x1F],
        };
        assert_eq!(r.varint(), Err(Error::Malformed), "33 bits");
        let mut r = Reader {
            bytes: &[0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        };
        assert_eq!(r.varint(), Err(Error::Malformed), "6 bytes");
        let mut r = Reader {
            bytes: &[
                0, 1, 2, 3, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F,
            ],
        };
        assert_eq!(
            [r.i32(), r.i32(), r.i32(), r.i32(), r.i32(), r.i32()],
            [Ok(0), Ok(-1), Ok(1), Ok(-2), Ok(i32::MAX), Ok(i32::MIN)]
        );
        let mut r = Reader {
            bytes: &[0xFF, 0xFF, 0x04],
        };
        assert_eq!(r.u16(), Err(Error::Malformed), "65536 is not a u16");
        let mut r = Reader { bytes: &[2] };
        assert_eq!(r.bool(), Err(Error::Malformed));
        let mut r = Reader { bytes: &[5, 1, 2] };
        assert_eq!(
            r.table(),
            Err(Error::Malformed),
            "table longer than the payload"
        );
    }
}
