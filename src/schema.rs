//! The model description carried in the payload (**contract**): postcard-encoded (written
//! through serde, read by [`crate::decode`]), with every table borrowed zero-copy from the file
//! as little-endian bytes. Field order is the wire order.
//!
//! Tables are byte slices rather than typed slices because the file sits in flash at any
//! alignment: values are read with `from_le_bytes`, never by pointer cast.
//!
//! # Arithmetic the tables describe
//!
//! * **Input** (per feature `i`, `mul` and `add` from [`InputRepr::affine`]):
//!   `u = x·mul + add` in f32 (a multiply then an add, two roundings, never fused), then
//!   `q = clamp(⌊u⌋, 0, 255) − 128`. The affine folds the robust scaler, the clip to the
//!   training quantiles and the per-feature int8 quantization (with its `+0.5` rounding and
//!   `+128` offset) into one multiply-add: clipping is the int8 saturation itself.
//! * **Dense layer**: `acc[c] = bias[c] + Σ_i w[c,i]·q[i]` in i32 (the input zero points are
//!   already folded into `bias`). Hidden layers requantize with one rounding,
//!   `y = ((acc·mult + 2^(30−shift)) >> (31−shift)) + zero_point` in i64, clamped to
//!   `[zero_point, 127]` with ReLU or `[−128, 127]` without.
//! * **Output layer**: one channel; its accumulator is the *score*. The decision is
//!   `score >= threshold`; the calibrated probability is
//!   `sigmoid(platt_a · (score · logit_scale) + platt_b)`.
//!
//! # Weight layout
//!
//! Each row (output channel) has `stride = ⌈inputs/4⌉·4` bytes, zero-padded. Rows are grouped
//! in blocks of [`ROW_BLOCK`](crate::format::ROW_BLOCK) = 4 (the last block holds the
//! remaining `outputs % 4` rows, if any). Inside a block of `k` rows, the bytes go input group
//! by input group: for group `g` (inputs `4g..4g+4`), the 4 bytes of row 0, then of row 1, …
//! row `k−1`. So `w[c,i]` is at `block·4·stride + (i/4)·4k + (c%4)·4 + i%4`, where
//! `block = c/4`. A kernel walks the block with one pointer and loads each activation word
//! once for 4 rows.

use serde::Serialize;

use crate::format::MAX_LAYERS;

/// The whole model description: the postcard payload of a model file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRepr<'a> {
    /// Features and their quantization.
    pub input: InputRepr<'a>,
    /// Dense layers, first to last; the last has one output.
    pub layers: heapless::Vec<LayerRepr<'a>, MAX_LAYERS>,
    /// Decision threshold and probability calibration.
    pub decision: DecisionRepr,
    /// What the model looked like on held-out data, for the monitor.
    pub baseline: BaselineRepr<'a>,
}

/// Input features and how each becomes an int8 value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputRepr<'a> {
    /// Number of input features.
    pub features: u16,
    /// Per feature: `mul` (f32 LE) then `add` (f32 LE); 8 bytes each.
    pub affine: &'a [u8],
    /// Feature names (UTF-8) joined by `'\n'`, in input order; empty if unknown. Bytes
    /// rather than `&str` so the device never links a UTF-8 validator for names it does not
    /// read (same wire encoding).
    pub names: &'a [u8],
}

/// One dense layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerRepr<'a> {
    /// Input width.
    pub inputs: u16,
    /// Output width (number of channels).
    pub outputs: u16,
    /// int8 weights in the blocked layout of the module docs; `outputs · stride` bytes.
    pub weights: &'a [u8],
    /// Per channel: bias (i32 LE, input zero points folded in), multiplier (i32 LE, Q31),
    /// shift (i8); 9 bytes each. The output layer's multipliers and shifts are 0.
    pub channels: &'a [u8],
    /// Output zero point (hidden layers; 0 on the output layer).
    pub output_zero_point: i8,
    /// Whether the layer clamps at its zero point (fused ReLU).
    pub relu: bool,
}

/// The integer decision rule and the float calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DecisionRepr {
    /// Alert when the output accumulator (score) is at least this.
    pub threshold: i32,
    /// Real logit per unit of score (`s_in · s_w` of the output layer).
    pub logit_scale: f32,
    /// Platt scaling slope on the logit.
    pub platt_a: f32,
    /// Platt scaling intercept.
    pub platt_b: f32,
}

/// The held-out behaviour the monitor compares the field against: the trainer scores a part
/// of the data the threshold was not chosen on (`rarewatch train`: the test part).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRepr<'a> {
    /// Held-out rows scored.
    pub rows: u32,
    /// Positive rows among them.
    pub positives: u32,
    /// Rows that raised an alert at the threshold.
    pub alerts: u32,
    /// Alerts on positive rows (true positives).
    pub true_alerts: u32,
    /// Ascending score (accumulator) edges between histogram bins, i32 LE; `bins − 1` of them.
    /// A score `s` falls in the first bin whose upper edge is greater than `s`.
    pub score_edges: &'a [u8],
    /// Held-out rows per score bin, u32 LE; `bins` of them.
    pub score_counts: &'a [u8],
    /// Per feature: lowest and highest training value (f32 LE each); 8 bytes per feature.
    pub feature_ranges: &'a [u8],
}
