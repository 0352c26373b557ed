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
use crate::quant::requantize;
use crate::schema::LayerRepr;
use crate::tables::{padded_width, Channel};

/// Accumulates one weight block of `acc.len()` rows (1 to 4) into `acc`.
///
/// `block` holds `acc.len() · input.len()` bytes in the blocked layout and `input.len()` is a
/// multiple of 4. Extra bytes on either side are ignored; a short block computes less.
#[inline(always)]
pub fn block_dot(block: &[u8], input: &[i8], acc: &mut [i32]) {
    #[cfg(rarewatch_dsp)]
    {
        if let Ok(acc4) = <&mut [i32; ROW_BLOCK]>::try_from(&mut *acc) {
            return dsp::block4_dot(block, input, acc4);
        }
        if let Ok(acc1) = <&mut [i32; 1]>::try_from(&mut *acc) {
            return dsp::row_dot(block, input, &mut acc1[0]);
        }
    }
    reference::block_dot(block, input, acc)
}

/// Runs a hidden layer: `input` holds `padded_width(inputs)` activations, `output` receives
/// `outputs` activations followed by zeros up to `padded_width(outputs)`. The model's
/// validation guarantees both buffers are long enough; if not, nothing is computed.
pub fn dense_hidden(layer: &LayerRepr<'_>, input: &[i8], output: &mut [i8]) {
    let stride = padded_width(usize::from(layer.inputs));
    let Some(input) = input.get(..stride) else {
        return;
    };
    let Some(output) = output.get_mut(..padded_width(usize::from(layer.outputs))) else {
        return;
    };
    let zero_point = layer.output_zero_point;
    let min = if layer.relu { zero_point } else { i8::MIN };
    let mut outputs = output.iter_mut();
    let blocks = layer.weights.chunks(ROW_BLOCK * stride);
    let channels = layer.channels.chunks(ROW_BLOCK * CHANNEL_RECORD_LEN);
    for (block, block_channels) in blocks.zip(channels) {
        let mut acc = [0i32; ROW_BLOCK];
        let rows = load_biases(block_channels, &mut acc);
        block_dot(block, input, &mut acc[..rows]);
        for (sum, channel) in acc.iter().zip(Channel::records(block_channels)) {
            if let Some(out) = outputs.next() {
                *out = requantize(*sum, channel.multiplier, channel.shift, zero_point, min);
            }
        }
    }
    // Padding activations are zero so that padding weights, whatever they hold, add nothing.
    for out in outputs {
        *out = 0;
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
    let mut rows = 0;
    for (sum, channel) in acc.iter_mut().zip(Channel::records(channels)) {
        *sum = channel.bias;
        rows += 1;
    }
    rows
}
