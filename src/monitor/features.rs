//! Features outside their training ranges.

use crate::monitor::cusum::BernoulliCusum;
use crate::monitor::health::{FeatureHealth, SignalState};
use crate::tables::f32_pairs;

/// Checks rows against the per-feature training ranges the model carries; a CUSUM watches the
/// share of rows with any feature out of range.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureRanges<'a> {
    ranges: &'a [u8],
    cusum: Option<BernoulliCusum>,
    rows: u32,
    rows_out: u32,
    seen: u64,
}

impl<'a> FeatureRanges<'a> {
    /// Ranges from the model (8 bytes per feature); the CUSUM tests the out-of-range share
    /// moving from `expected` to `expected · factor`. `Unknown` without ranges.
    pub fn new(ranges: &'a [u8], expected: f32, factor: f32, levels: (f32, f32)) -> Self {
        let cusum = if ranges.is_empty() {
            None
        } else {
            BernoulliCusum::new(expected, (expected * factor).min(0.5), levels.0, levels.1)
        };
        FeatureRanges {
            ranges,
            cusum,
            rows: 0,
            rows_out: 0,
            seen: 0,
        }
    }

    /// Checks one row of raw features; returns how many are outside their range. NaN counts
    /// as outside.
    pub fn observe(&mut self, features: &[f32]) -> u32 {
        let mut out = 0;
        for (i, (&x, (lo, hi))) in features.iter().zip(f32_pairs(self.ranges)).enumerate() {
            if !(x >= lo && x <= hi) {
                out += 1;
                if i < 64 {
                    self.seen |= 1 << i;
                }
            }
        }
        self.rows = self.rows.saturating_add(1);
        self.rows_out = self.rows_out.saturating_add(u32::from(out > 0));
        if let Some(cusum) = &mut self.cusum {
            cusum.update(out > 0);
        }
        out
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.cusum
            .as_ref()
            .map_or(SignalState::Unknown, BernoulliCusum::state)
    }

    /// The CUSUM statistic in nats (0 without ranges).
    pub fn statistic(&self) -> f32 {
        self.cusum.as_ref().map_or(0.0, BernoulliCusum::statistic)
    }

    /// The snapshot.
    pub fn health(&self) -> FeatureHealth {
        FeatureHealth {
            state: self.state(),
            rows: self.rows,
            rows_out_of_range: self.rows_out,
            features_seen: self.seen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_are_out_of_range_and_counts_saturate() {
        let ranges: std::vec::Vec<u8> = [-1.0f32, 1.0, 0.0, 10.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let mut f = FeatureRanges::new(&ranges, 0.001, 10.0, (6.0, 12.0));
        assert_eq!(f.observe(&[0.5, 5.0]), 0);
        assert_eq!(f.observe(&[f32::NAN, f32::INFINITY]), 2);
        assert_eq!(f.observe(&[f32::NEG_INFINITY, 10.0]), 1);
        // Bounds are inclusive; features past the model's are not checked.
        assert_eq!(f.observe(&[-1.0, 0.0, f32::NAN]), 0);
        let h = f.health();
        assert_eq!((h.rows, h.rows_out_of_range, h.features_seen), (4, 2, 0b11));
        (f.rows, f.rows_out) = (u32::MAX, u32::MAX);
        f.observe(&[f32::NAN]);
        let h = f.health();
        assert_eq!((h.rows, h.rows_out_of_range), (u32::MAX, u32::MAX));
    }
}
