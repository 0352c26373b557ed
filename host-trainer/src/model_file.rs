//! Owned tables of a model file on the host: build them, borrow them as a
//! [`ModelRepr`], evaluate them through the `rarewatch` crate, and encode them.

use rarewatch::format::ROW_BLOCK;
use rarewatch::schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};
use rarewatch::tables::padded_width;
use rarewatch::Model;

/// One dense layer's tables.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerTables {
    /// Input width.
    pub inputs: u16,
    /// Output width.
    pub outputs: u16,
    /// int8 weights in the blocked layout (see `rarewatch::schema`).
    pub weights: Vec<u8>,
    /// 9-byte channel records (bias, multiplier, shift).
    pub channels: Vec<u8>,
    /// Output zero point.
    pub output_zero_point: i8,
    /// Fused ReLU.
    pub relu: bool,
}

/// The monitoring baseline's tables.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BaselineTables {
    /// Validation rows.
    pub rows: u32,
    /// Validation positives.
    pub positives: u32,
    /// Validation alerts at the threshold.
    pub alerts: u32,
    /// Validation true alerts.
    pub true_alerts: u32,
    /// Score bin edges (ascending), `bins − 1`.
    pub score_edges: Vec<i32>,
    /// Validation rows per score bin.
    pub score_counts: Vec<u32>,
    /// Per-feature training range `(lo, hi)`.
    pub feature_ranges: Vec<(f32, f32)>,
}

/// Everything a model file holds, owned.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelTables {
    /// Number of features.
    pub features: u16,
    /// Per-feature `(mul, add)` as f32 LE bytes.
    pub affine: Vec<u8>,
    /// Feature names joined by `'\n'`.
    pub names: String,
    /// Layers.
    pub layers: Vec<LayerTables>,
    /// Threshold and calibration.
    pub decision: DecisionRepr,
    /// Monitoring baseline (set with [`set_baseline`](Self::set_baseline)).
    baseline: BaselineTables,
    /// The baseline as the byte tables the file borrows.
    baseline_bytes: BaselineBytes,
}

#[derive(Debug, Clone, PartialEq, Default)]
struct BaselineBytes {
    score_edges: Vec<u8>,
    score_counts: Vec<u8>,
    feature_ranges: Vec<u8>,
}

impl ModelTables {
    /// Tables with the given input and layers, threshold 0, identity calibration and an empty
    /// baseline.
    pub fn new(
        affine: &[(f32, f32)],
        names: &[String],
        layers: Vec<LayerTables>,
        logit_scale: f32,
    ) -> Self {
        let mut tables = ModelTables {
            features: affine.len() as u16,
            affine: affine
                .iter()
                .flat_map(|(m, a)| m.to_le_bytes().into_iter().chain(a.to_le_bytes()))
                .collect(),
            names: names.join("\n"),
            layers,
            decision: DecisionRepr {
                threshold: 0,
                logit_scale,
                platt_a: 1.0,
                platt_b: 0.0,
            },
            baseline: BaselineTables::default(),
            baseline_bytes: BaselineBytes::default(),
        };
        tables.set_baseline(BaselineTables::default());
        tables
    }

    /// The monitoring baseline.
    pub fn baseline(&self) -> &BaselineTables {
        &self.baseline
    }

    /// Replaces the monitoring baseline.
    pub fn set_baseline(&mut self, baseline: BaselineTables) {
        self.baseline_bytes = BaselineBytes {
            score_edges: baseline
                .score_edges
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            score_counts: baseline
                .score_counts
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            feature_ranges: baseline
                .feature_ranges
                .iter()
                .flat_map(|(lo, hi)| lo.to_le_bytes().into_iter().chain(hi.to_le_bytes()))
                .collect(),
        };
        self.baseline = baseline;
    }

    /// The tables as the description the `rarewatch` crate reads.
    pub fn repr(&self) -> ModelRepr<'_> {
        let mut layers = heapless::Vec::new();
        for l in &self.layers {
            // More layers than the format allows are dropped here and rejected by validation
            // in `model`/`encode` (the dimension chain no longer ends in one output).
            let _ = layers.push(LayerRepr {
                inputs: l.inputs,
                outputs: l.outputs,
                weights: &l.weights,
                channels: &l.channels,
                output_zero_point: l.output_zero_point,
                relu: l.relu,
            });
        }
        ModelRepr {
            input: InputRepr {
                features: self.features,
                affine: &self.affine,
                names: self.names.as_bytes(),
            },
            layers,
            decision: self.decision,
            baseline: BaselineRepr {
                rows: self.baseline.rows,
                positives: self.baseline.positives,
                alerts: self.baseline.alerts,
                true_alerts: self.baseline.true_alerts,
                score_edges: &self.baseline_bytes.score_edges,
                score_counts: &self.baseline_bytes.score_counts,
                feature_ranges: &self.baseline_bytes.feature_ranges,
            },
        }
    }

    /// The validated model, for evaluation through the device's own code.
    pub fn model(&self) -> Result<Model<'_>, rarewatch::Error> {
        if self.layers.len() > rarewatch::format::MAX_LAYERS {
            return Err(rarewatch::Error::Malformed);
        }
        Model::from_repr(self.repr())
    }

    /// The model file's bytes (validated before writing).
    pub fn encode(&self) -> Result<Vec<u8>, rarewatch::Error> {
        self.model()?;
        let repr = self.repr();
        let mut out = vec![0u8; repr.encoded_len()?];
        let len = repr.encode(&mut out)?;
        out.truncate(len);
        Ok(out)
    }
}

/// Lays out a row-major `outputs × inputs` int8 matrix in the blocked layout: rows padded to
/// a multiple of 4 bytes, blocks of 4 rows interleaved by 4-input groups.
pub fn block_weights(weights: &[i8], outputs: usize, inputs: usize) -> Vec<u8> {
    let stride = padded_width(inputs);
    let mut out = Vec::with_capacity(outputs * stride);
    for block_start in (0..outputs).step_by(ROW_BLOCK) {
        let rows = (outputs - block_start).min(ROW_BLOCK);
        for group in 0..stride / 4 {
            for r in 0..rows {
                let row = &weights[(block_start + r) * inputs..(block_start + r + 1) * inputs];
                for j in 0..4 {
                    let i = group * 4 + j;
                    out.push(row.get(i).map_or(0, |&w| w as u8));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::block_weights;

    #[test]
    fn blocked_layout_matches_the_documented_formula() {
        let (outputs, inputs) = (6, 5);
        let weights: Vec<i8> = (0..(outputs * inputs) as i8).collect();
        let blocked = block_weights(&weights, outputs, inputs);
        let stride = 8;
        assert_eq!(blocked.len(), outputs * stride);
        for c in 0..outputs {
            let k = if c < 4 { 4 } else { 2 };
            for i in 0..stride {
                let at = (c / 4) * 4 * stride + (i / 4) * 4 * k + (c % 4) * 4 + i % 4;
                let expected = if i < inputs {
                    weights[c * inputs + i] as u8
                } else {
                    0
                };
                assert_eq!(blocked[at], expected, "c={c} i={i}");
            }
        }
    }
}
