//! The one-time checks that make every later call on a [`Model`](crate::Model) panic-free.
//!
//! After [`check`] succeeds:
//! * every table has exactly the length its dimensions imply, so kernels can walk them with
//!   `chunks_exact` and never index out of bounds;
//! * the dimension chain is consistent and ends in one output;
//! * no int32 accumulator can overflow for any int8 input (`|bias| + stride·128·128 < 2³¹`),
//!   and every requantization shift keeps the i64 arithmetic in range;
//! * every float the device reads is finite.

use crate::error::{Error, Result};
use crate::format::{
    AFFINE_RECORD_LEN, CHANNEL_RECORD_LEN, MAX_SCORE_BINS, RANGE_RECORD_LEN, ROW_BLOCK,
};
use crate::schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};
use crate::tables::{f32_pairs, i32_values, padded_width, u32_values, Channel};

/// Smallest and largest requantization shift: keeps `31 − shift` in `1..=62`.
pub const SHIFT_RANGE: core::ops::RangeInclusive<i8> = -31..=30;

/// Checks the whole description.
pub fn check(repr: &ModelRepr<'_>) -> Result<()> {
    check_input(&repr.input)?;
    check_layers(usize::from(repr.input.features), &repr.layers)?;
    check_decision(&repr.decision)?;
    check_baseline(usize::from(repr.input.features), &repr.baseline)
}

fn check_input(input: &InputRepr<'_>) -> Result<()> {
    let n = usize::from(input.features);
    if n == 0 {
        return Err(Error::NoFeatures);
    }
    table_len(
        "input affine",
        input.affine.len(),
        n * AFFINE_RECORD_LEN,
        AFFINE_RECORD_LEN,
    )?;
    for (feature, (mul, add)) in f32_pairs(input.affine).enumerate() {
        if !mul.is_finite() || !add.is_finite() {
            return Err(Error::InvalidFeatureParameter { feature });
        }
    }
    if !input.names.is_empty() {
        let found = input.names.split(|&b| b == b'\n').count();
        if found != n {
            return Err(Error::FeatureTableLength {
                table: "feature names",
                expected: n,
                found,
            });
        }
    }
    Ok(())
}

fn check_layers(features: usize, layers: &[LayerRepr<'_>]) -> Result<()> {
    let Some((last, hidden)) = layers.split_last() else {
        return Err(Error::NoLayers);
    };
    let mut width = features;
    for (index, layer) in layers.iter().enumerate() {
        if usize::from(layer.inputs) != width || layer.outputs == 0 {
            return Err(Error::DimensionMismatch { layer: index });
        }
        width = usize::from(layer.outputs);
        check_tables(index, layer)?;
    }
    for (index, layer) in hidden.iter().enumerate() {
        if !usize::from(layer.outputs).is_multiple_of(ROW_BLOCK) {
            return Err(Error::HiddenWidth { layer: index });
        }
        check_requantization(index, layer)?;
    }
    let output_is_plain = last.outputs == 1
        && !last.relu
        && last.output_zero_point == 0
        && Channel::records(last.channels).all(|c| c.multiplier == 0 && c.shift == 0);
    if !output_is_plain {
        return Err(Error::BadOutputLayer);
    }
    Ok(())
}

/// Table lengths and the accumulator bound of one layer.
fn check_tables(index: usize, layer: &LayerRepr<'_>) -> Result<()> {
    let stride = padded_width(usize::from(layer.inputs));
    let outputs = usize::from(layer.outputs);
    let expected = outputs * stride;
    if layer.weights.len() != expected {
        return Err(Error::LayerTableLength {
            layer: index,
            expected,
            found: layer.weights.len(),
        });
    }
    let expected = outputs * CHANNEL_RECORD_LEN;
    if layer.channels.len() != expected {
        return Err(Error::LayerTableLength {
            layer: index,
            expected,
            found: layer.channels.len(),
        });
    }
    // Largest |Σ w·q| over int8 weights and inputs; stride ≤ 65,536 keeps this ≤ 2³⁰.
    let dot_bound = (stride as i64) * 128 * 128;
    for (channel, record) in Channel::records(layer.channels).enumerate() {
        if i64::from(record.bias).abs() + dot_bound > i64::from(i32::MAX) {
            return Err(Error::AccumulatorOverflow {
                layer: index,
                channel,
            });
        }
    }
    Ok(())
}

fn check_requantization(index: usize, layer: &LayerRepr<'_>) -> Result<()> {
    for (channel, record) in Channel::records(layer.channels).enumerate() {
        if record.multiplier < 0 || !SHIFT_RANGE.contains(&record.shift) {
            return Err(Error::RequantizationOutOfRange {
                layer: index,
                channel,
            });
        }
    }
    Ok(())
}

fn check_decision(decision: &DecisionRepr) -> Result<()> {
    let finite = decision.logit_scale.is_finite()
        && decision.platt_a.is_finite()
        && decision.platt_b.is_finite();
    if finite {
        Ok(())
    } else {
        Err(Error::InvalidCalibration)
    }
}

fn check_baseline(features: usize, baseline: &BaselineRepr<'_>) -> Result<()> {
    let bad = |reason| Err(Error::InvalidBaseline { reason });
    if baseline.positives > baseline.rows || baseline.alerts > baseline.rows {
        return bad("more positives or alerts than rows");
    }
    if baseline.true_alerts > baseline.alerts || baseline.true_alerts > baseline.positives {
        return bad("more true alerts than alerts or positives");
    }
    if !baseline.score_edges.len().is_multiple_of(4)
        || !baseline.score_counts.len().is_multiple_of(4)
    {
        return bad("score histogram tables are not whole 4-byte values");
    }
    let bins = baseline.score_counts.len() / 4;
    if bins > MAX_SCORE_BINS {
        return bad("too many score bins");
    }
    if bins > 0 && baseline.score_edges.len() / 4 != bins - 1 {
        return bad("score edges are not one fewer than score bins");
    }
    if bins == 0 && !baseline.score_edges.is_empty() {
        return bad("score edges without score bins");
    }
    let mut edges = i32_values(baseline.score_edges);
    if let Some(mut previous) = edges.next() {
        for edge in edges {
            if edge <= previous {
                return bad("score edges are not strictly ascending");
            }
            previous = edge;
        }
    }
    let total = u32_values(baseline.score_counts).fold(0u64, |sum, c| sum + u64::from(c));
    if bins > 0 && total != u64::from(baseline.rows) {
        return bad("score histogram does not count every baseline row");
    }
    if !baseline.feature_ranges.is_empty() {
        table_len(
            "feature ranges",
            baseline.feature_ranges.len(),
            features * RANGE_RECORD_LEN,
            RANGE_RECORD_LEN,
        )?;
        for (feature, (lo, hi)) in f32_pairs(baseline.feature_ranges).enumerate() {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(Error::InvalidFeatureParameter { feature });
            }
        }
    }
    Ok(())
}

/// Checks a per-feature table's byte length, reporting entries rather than bytes.
fn table_len(
    table: &'static str,
    found_bytes: usize,
    expected_bytes: usize,
    record: usize,
) -> Result<()> {
    if found_bytes == expected_bytes {
        Ok(())
    } else {
        Err(Error::FeatureTableLength {
            table,
            expected: expected_bytes / record,
            found: found_bytes / record,
        })
    }
}
