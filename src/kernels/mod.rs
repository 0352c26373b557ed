//! Dense int8 layers: the layer drivers and the dot-product kernels beneath them.
//!
//! A kernel accumulates the rows of one weight block (see the layout in [`crate::schema`])
//! into accumulators pre-loaded with the biases. [`mod@reference`] is the portable definition;
//! on Cortex-M4/M7 (and ARMv8-M with the `armv8m-dsp` feature) `dsp` computes the same sums
//! with `SXTB16`/`SMLAD`, sharing each activation load across 4 rows. Integer addition is
//! exact (validation rules out overflow), so every kernel gives identical bits: the host's
//! golden vectors, checked on the device, prove it.

#[cfg(rarewatch_dsp)]
pub mod dsp;
pub mod reference;

use crate::format::{CHANNEL_RECORD_LEN, ROW_BLOCK};
use crate::quant::{requantize, requantize_saturating};
use crate::schema::LayerRepr;
use crate::tables::{padded_width, Channel};

/// Accumulates one weight block of `acc.len()` rows (1 to 4) into `acc`.
///
/// `block` holds `acc.len() · input.len()` bytes in the blocked layout and `input.len()` is a
/// multiple of 4. Extra bytes on either side are ignored; a short block computes less.
#[inline(always)]
pub fn block_dot(block: &[u8], input: &[i8], acc: &mut [i32]) {
    if let Ok(acc4) = <&mut [i32; ROW_BLOCK]>::try_from(&mut *acc) {
        return block4_dot(block, input, acc4);
    }
    #[cfg(rarewatch_dsp)]
    if let Ok(acc1) = <&mut [i32; 1]>::try_from(&mut *acc) {
        return dsp::row_dot(block, input, &mut acc1[0]);
    }
    reference::block_dot(block, input, acc)
}

/// Accumulates a full 4-row block: `dsp::block4_dot` on DSP targets, else
/// [`block4_dot_portable`]. Same contract as [`block_dot`] with 4 rows.
#[inline(always)]
pub fn block4_dot(block: &[u8], input: &[i8], acc: &mut [i32; ROW_BLOCK]) {
    #[cfg(rarewatch_dsp)]
    dsp::block4_dot(block, input, acc);
    #[cfg(not(rarewatch_dsp))]
    block4_dot_portable(block, input, acc);
}

/// The portable 4-row kernel (Cortex-M0/M3, RISC-V, hosts): [`reference::block_dot`] with the
/// row count fixed at 4, so the 16-byte groups are walked as arrays (no division, no bounds
/// checks) and each activation is loaded once for the 4 rows.
#[inline]
pub fn block4_dot_portable(block: &[u8], input: &[i8], acc: &mut [i32; ROW_BLOCK]) {
    let (groups, _) = block.as_chunks::<16>();
    let (inputs, _) = input.as_chunks::<4>();
    let [mut a0, mut a1, mut a2, mut a3] = *acc;
    for (w, x) in groups.iter().zip(inputs) {
        let x = x.map(i32::from);
        let w = w.map(|b| i32::from(b as i8));
        a0 += w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3] * x[3];
        a1 += w[4] * x[0] + w[5] * x[1] + w[6] * x[2] + w[7] * x[3];
        a2 += w[8] * x[0] + w[9] * x[1] + w[10] * x[2] + w[11] * x[3];
        a3 += w[12] * x[0] + w[13] * x[1] + w[14] * x[2] + w[15] * x[3];
    }
    *acc = [a0, a1, a2, a3];
}

/// The biases of a block's 4 channel records.
#[inline(always)]
fn biases(records: &[u8; ROW_BLOCK * CHANNEL_RECORD_LEN]) -> [i32; ROW_BLOCK] {
    let (records, _) = records.as_chunks::<CHANNEL_RECORD_LEN>();
    let mut acc = [0i32; ROW_BLOCK];
    for (sum, record) in acc.iter_mut().zip(records) {
        *sum = Channel::from_record(record).bias;
    }
    acc
}

/// Runs a hidden layer: `input` holds `padded_width(inputs)` activations, `output` receives
/// the layer's `outputs` activations (a multiple of 4 for hidden layers, which validation
/// enforces, so every block is a full block of 4 rows). If either buffer is short, nothing
/// is computed (validation rules that out).
///
/// `saturating_requant` says the layer's requantization is plain int8 saturation with every
/// shift in `-31..=-2` ([`requantize_saturating`]); [`crate::Model`] works it out once at
/// load. Such layers run entirely in `dsp::saturating_layer` on DSP targets; others go
/// block by block through [`block4_dot`] and the general [`requantize`].
pub fn dense_hidden(
    layer: &LayerRepr<'_>,
    saturating_requant: bool,
    input: &[i8],
    output: &mut [i8],
) {
    let stride = padded_width(usize::from(layer.inputs));
    let (Some(input), Some(output)) = (
        input.get(..stride),
        output.get_mut(..usize::from(layer.outputs)),
    ) else {
        return;
    };
    let zero_point = layer.output_zero_point;
    let (records, _) = layer
        .channels
        .as_chunks::<{ ROW_BLOCK * CHANNEL_RECORD_LEN }>();
    let (outputs, _) = output.as_chunks_mut::<ROW_BLOCK>();
    #[cfg(rarewatch_dsp)]
    if saturating_requant {
        let mut buffer = [const { core::mem::MaybeUninit::uninit() }; dsp::WIDEN_MAX / 2];
        if let Some(widened) = dsp::widen(input, &mut buffer) {
            return dsp::saturating_layer(layer.weights, widened, records, outputs, zero_point);
        }
    }
    let min = if layer.relu { zero_point } else { i8::MIN };
    if stride == 0 {
        return;
    }
    let blocks = layer.weights.chunks_exact(ROW_BLOCK * stride);
    for ((block, records), out) in blocks.zip(records).zip(outputs) {
        let mut acc = biases(records);
        block4_dot(block, input, &mut acc);
        let (records, _) = records.as_chunks::<CHANNEL_RECORD_LEN>();
        for ((out, &sum), record) in out.iter_mut().zip(&acc).zip(records) {
            let c = Channel::from_record(record);
            *out = if saturating_requant {
                requantize_saturating(sum, c.multiplier, c.shift, zero_point)
            } else {
                requantize(sum, c.multiplier, c.shift, zero_point, min)
            };
        }
    }
}

/// Runs the one-channel output layer and returns its accumulator: the score.
pub fn dense_output(layer: &LayerRepr<'_>, input: &[i8]) -> i32 {
    let stride = padded_width(usize::from(layer.inputs));
    let mut acc = [0i32; 1];
    load_biases(layer.channels, &mut acc);
    if let Some(input) = input.get(..stride) {
        block_dot(layer.weights, input, &mut acc);
    }
    acc[0]
}

/// Copies the biases of up to `acc.len()` channel records into `acc`; returns how many.
#[inline(always)]
fn load_biases(channels: &[u8], acc: &mut [i32]) -> usize {
    let (records, _) = channels.as_chunks::<CHANNEL_RECORD_LEN>();
    let mut rows = 0;
    for (sum, record) in acc.iter_mut().zip(records) {
        *sum = Channel::from_record(record).bias;
        rows += 1;
    }
    rows
}
