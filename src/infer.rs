//! Inference: features in, integer score and decision out, in caller-owned scratch.

use crate::error::{Error, Result};
use crate::format::AFFINE_RECORD_LEN;
use crate::kernels::{dense_hidden, dense_output};
use crate::model::Model;
#[cfg(not(all(rarewatch_dsp, target_abi = "eabihf")))]
use crate::quant::quantize_feature;
use crate::tables::padded_width;

/// The result of one inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Prediction {
    /// The output layer's int32 accumulator (a scaled logit; see
    /// [`Model::probability`]).
    pub score: i32,
    /// `score >= threshold`: the model's decision at its operating point.
    pub alert: bool,
}

/// Word-aligned scratch memory with its size in the type: `Scratch<64>` is 64 bytes.
///
/// Size it with the model's [`Model::scratch_bytes`] (known from the model file, printed by
/// `rarewatch inspect`). It dereferences to `[i8]`, so `&mut scratch` can be passed to
/// [`Model::predict`].
#[repr(C, align(4))]
#[derive(Debug, Clone)]
pub struct Scratch<const N: usize>(pub [i8; N]);

impl<const N: usize> Scratch<N> {
    /// Zeroed scratch.
    pub const fn new() -> Self {
        Scratch([0; N])
    }
}

impl<const N: usize> Default for Scratch<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> core::ops::Deref for Scratch<N> {
    type Target = [i8];
    fn deref(&self) -> &[i8] {
        &self.0
    }
}

impl<const N: usize> core::ops::DerefMut for Scratch<N> {
    fn deref_mut(&mut self) -> &mut [i8] {
        &mut self.0
    }
}

/// Zeroes the (at most 3) padding activations after the features: padding weights, whatever
/// they hold, then add nothing. Three conditional stores: a loop would become a `memset` call
/// (and pull `memset` into the firmware) for at most 3 bytes.
#[inline(always)]
fn zero_padding(padding: &mut [i8]) {
    for index in 0..3 {
        if let Some(slot) = padding.get_mut(index) {
            *slot = 0;
        }
    }
}

impl Model<'_> {
    /// Scores one row of f32 features.
    ///
    /// Each feature is scaled, clipped and quantized with one multiply-add and clamp (see
    /// [`crate::schema`]), then the integer network runs. Errors: wrong feature count, a NaN
    /// or infinite feature, or `scratch` shorter than [`scratch_bytes`](Self::scratch_bytes).
    pub fn predict(&self, features: &[f32], scratch: &mut [i8]) -> Result<Prediction> {
        let (slots, padding) = self.input_slots(features.len(), scratch)?;
        self.quantize_into(features, slots)?;
        zero_padding(padding);
        self.run(scratch)
    }

    /// Scores one row of features already quantized with [`quantize_features`]
    /// (for parts without an FPU, or features computed in fixed point).
    ///
    /// [`quantize_features`]: Self::quantize_features
    pub fn predict_quantized(&self, features: &[i8], scratch: &mut [i8]) -> Result<Prediction> {
        let (slots, padding) = self.input_slots(features.len(), scratch)?;
        slots.copy_from_slice(features);
        zero_padding(padding);
        self.run(scratch)
    }

    /// Quantizes f32 features into `out` (at least [`features`](Self::features) long; the rest
    /// of `out` is zeroed): what [`predict`](Self::predict) does before the network runs.
    ///
    /// One pass: each feature is checked for NaN/infinity and quantized in the same loop, so on
    /// a [`NonFiniteFeature`](Error::NonFiniteFeature) error the slots before it are already
    /// written (and `out` is otherwise unspecified).
    pub fn quantize_features(&self, features: &[f32], out: &mut [i8]) -> Result<()> {
        self.check_feature_count(features.len())?;
        let capacity = out.len();
        let (slots, rest) =
            out.split_at_mut_checked(features.len())
                .ok_or(Error::CapacityExceeded {
                    needed: features.len(),
                    capacity,
                })?;
        self.quantize_into(features, slots)?;
        rest.fill(0);
        Ok(())
    }

    /// Quantizes `features` into `slots` (same length, checked by the callers).
    #[inline(always)]
    fn quantize_into(&self, features: &[f32], slots: &mut [i8]) -> Result<()> {
        let (affine, _) = self.repr().input.affine.as_chunks::<AFFINE_RECORD_LEN>();
        #[cfg(all(rarewatch_dsp, target_abi = "eabihf"))]
        if let Some(index) = crate::kernels::dsp::quantize_features(features, affine, slots) {
            return Err(Error::NonFiniteFeature { index });
        }
        #[cfg(not(all(rarewatch_dsp, target_abi = "eabihf")))]
        for (index, ((slot, &x), record)) in slots.iter_mut().zip(features).zip(affine).enumerate()
        {
            if !x.is_finite() {
                return Err(Error::NonFiniteFeature { index });
            }
            let [m0, m1, m2, m3, a0, a1, a2, a3] = *record;
            let (mul, add) = (
                f32::from_le_bytes([m0, m1, m2, m3]),
                f32::from_le_bytes([a0, a1, a2, a3]),
            );
            *slot = quantize_feature(x, mul, add);
        }
        Ok(())
    }

    /// The first layer's input in scratch: `features` slots, then the padding up to the
    /// layer's 4-byte stride (at most 3 bytes). Checks the feature count and scratch size.
    fn input_slots<'s>(
        &self,
        features: usize,
        scratch: &'s mut [i8],
    ) -> Result<(&'s mut [i8], &'s mut [i8])> {
        self.check_feature_count(features)?;
        let (input, _) = self.split_scratch(scratch)?;
        let stride = padded_width(features).min(input.len());
        let input = input.get_mut(..stride).unwrap_or_default();
        Ok(input.split_at_mut(features.min(stride)))
    }

    /// The decision rule on a score: `score >= threshold`.
    pub fn decide(&self, score: i32) -> bool {
        score >= self.decision().threshold
    }

    /// The real-valued logit of a score, before calibration: `score · logit_scale`.
    pub fn logit(&self, score: i32) -> f32 {
        score as f32 * self.decision().logit_scale
    }

    /// The calibrated probability of the positive class for a score:
    /// `sigmoid(platt_a · logit + platt_b)`. Float math (libm, or micromath with that feature);
    /// the decision itself never needs it.
    pub fn probability(&self, score: i32) -> f32 {
        let d = self.decision();
        let z = d.platt_a * self.logit(score) + d.platt_b;
        1.0 / (1.0 + crate::math::exp(-z))
    }

    fn check_feature_count(&self, found: usize) -> Result<()> {
        if found == self.features() {
            Ok(())
        } else {
            Err(Error::FeatureCountMismatch {
                expected: self.features(),
                found,
            })
        }
    }

    /// The input buffer (first scratch buffer) and the rest, after checking the size.
    fn split_scratch<'s>(&self, scratch: &'s mut [i8]) -> Result<(&'s mut [i8], &'s mut [i8])> {
        let (even, _) = self.scratch_split();
        let needed = self.scratch_bytes();
        if scratch.len() < needed {
            return Err(Error::CapacityExceeded {
                needed,
                capacity: scratch.len(),
            });
        }
        Ok(scratch.split_at_mut(even))
    }

    /// Runs the network on the quantized input at the start of `scratch` (size checked).
    fn run(&self, scratch: &mut [i8]) -> Result<Prediction> {
        let (current, next) = self.split_scratch(scratch)?;
        let (mut current, mut next): (&mut [i8], &mut [i8]) = (current, next);
        let Some((output_layer, hidden)) = self.layers().split_last() else {
            return Err(Error::NoLayers);
        };
        for (index, layer) in hidden.iter().enumerate() {
            dense_hidden(layer, self.saturating_layer(index), current, next);
            core::mem::swap(&mut current, &mut next);
        }
        let score = dense_output(output_layer, current);
        Ok(Prediction {
            score,
            alert: self.decide(score),
        })
    }
}
