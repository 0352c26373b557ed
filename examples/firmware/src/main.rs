//! Checks the rarewatch runtime on the target: every golden vector through `Model::predict`
//! (score and alert bit for bit), and the target's dot-product kernel against the portable
//! reference kernel on pseudo-random blocks. Prints one summary line over semihosting and exits
//! 0, or exits 1 on any mismatch or load error.
//!
//! `cargo run --release` (Cortex-M4, QEMU mps2-an386) or
//! `cargo run --release --target thumbv6m-none-eabi` (Cortex-M0, QEMU microbit).

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use rarewatch::kernels::{self, reference};
use rarewatch::{GoldenVectors, Model, Scratch};
use rarewatch_firmware::{exit, Xorshift, GOLDEN, MODEL, REPLAY};

/// Widest input the firmware's feature buffer holds.
const MAX_FEATURES: usize = 64;
/// Scratch bytes reserved; the model's `scratch_bytes()` must fit (64 for the reference model).
const SCRATCH_BYTES: usize = 256;
/// Pseudo-random blocks compared between the target kernel and the reference kernel.
const CROSS_CHECK_BLOCKS: u32 = 500;
/// Longest input of a cross-check block, in int8 values (a multiple of 4).
const MAX_INPUTS: usize = 64;

#[entry]
fn main() -> ! {
    let model = match Model::from_bytes(&MODEL.0) {
        Ok(model) => model,
        Err(error) => {
            hprintln!("model load failed: {}", error);
            exit(false)
        }
    };
    let golden = match GoldenVectors::from_bytes(GOLDEN) {
        Ok(golden) => golden,
        Err(error) => {
            hprintln!("golden vectors load failed: {}", error);
            exit(false)
        }
    };
    let (golden_ok, golden_total) = check_golden(&model, &golden);
    let (kernel_ok, kernel_total) = cross_check_kernels();
    let (layer_ok, layer_total) = cross_check_layers();
    let (rejected_ok, rejected_total) = check_non_finite(&model);
    let replay_ok = check_replay(&model);
    hprintln!(
        "golden vectors: {}/{} match; kernel cross-check: {}/{} match; layer cross-check: {}/{} match; non-finite checks: {}/{} pass",
        golden_ok,
        golden_total,
        kernel_ok,
        kernel_total,
        layer_ok,
        layer_total,
        rejected_ok,
        rejected_total
    );
    exit(
        golden_total > 0
            && golden_ok == golden_total
            && kernel_ok == kernel_total
            && layer_ok == layer_total
            && rejected_ok == rejected_total
            && replay_ok,
    )
}

/// Replays the recorded predictions and labels through the monitor and compares its final
/// health, byte for byte (postcard), with the host's.
fn check_replay(model: &Model<'_>) -> bool {
    use rarewatch::monitor::replay::{replay, Replay};
    use rarewatch::monitor::{Monitor, MonitorConfig, Signal, HEALTH_MAX_BYTES};
    let file = match Replay::from_bytes(REPLAY) {
        Ok(file) => file,
        Err(error) => {
            hprintln!("monitor replay load failed: {}", error);
            return false;
        }
    };
    let mut monitor: Monitor = Monitor::new(model, &MonitorConfig::default());
    let (health, rejected) = replay(&mut monitor, file.events());
    let mut buf = [0u8; HEALTH_MAX_BYTES];
    let same = match health.to_postcard(&mut buf) {
        Ok(bytes) => *bytes == *file.expected_bytes() && rejected == 0,
        Err(_) => false,
    };
    let states = Signal::ALL.map(|s| health.state(s).name());
    hprintln!(
        "monitor replay: {} events, {} rows, {} labels, states {} {} {} {} {} {}: health {} the host's",
        file.len(),
        health.rows,
        health.labels,
        states[0],
        states[1],
        states[2],
        states[3],
        states[4],
        states[5],
        if same { "matches" } else { "DIFFERS from" }
    );
    same
}

/// Hidden layers compared between the target's layer driver and the reference arithmetic.
const CROSS_CHECK_LAYERS: u32 = 200;
/// Widest layer input and output in the layer cross-check.
const MAX_LAYER_INPUTS: usize = 64;
const MAX_LAYER_OUTPUTS: usize = 32;

/// Compares `kernels::dense_hidden` (on Cortex-M4 the whole-layer assembly for saturating
/// layers, block kernels otherwise) with the reference kernel and the requantization rule as
/// written (`quant::requantize_reference`), on pseudo-random hidden layers: half with
/// parameters in the saturating form (shift −31..=−2, ReLU at −128 or no ReLU), half with any
/// valid shift, zero point and ReLU. Returns (matching, layers).
fn cross_check_layers() -> (u32, u32) {
    use rarewatch::format::CHANNEL_RECORD_LEN;
    use rarewatch::quant::{requantize_reference, saturating_form_applies};
    use rarewatch::tables::Channel;
    let mut rng = Xorshift::new(0x1A7E_2024);
    let mut weights = [0u8; MAX_LAYER_INPUTS * MAX_LAYER_OUTPUTS];
    let mut channels = [0u8; MAX_LAYER_OUTPUTS * CHANNEL_RECORD_LEN];
    let mut input = [0i8; MAX_LAYER_INPUTS];
    let mut matching = 0;
    for index in 0..CROSS_CHECK_LAYERS {
        let inputs = 4 * (1 + rng.below((MAX_LAYER_INPUTS / 4) as u32) as usize);
        let outputs = 4 * (1 + rng.below((MAX_LAYER_OUTPUTS / 4) as u32) as usize);
        let saturating = index % 2 == 0;
        let relu = rng.below(2) == 0;
        let zero_point = if saturating && relu {
            -128
        } else {
            rng.next_u32() as i8
        };
        for byte in weights.iter_mut() {
            *byte = rng.next_u32() as u8;
        }
        for value in input.iter_mut() {
            *value = rng.next_u32() as i8;
        }
        for record in channels.chunks_exact_mut(CHANNEL_RECORD_LEN) {
            let shift = if saturating {
                -2 - rng.below(30) as i8
            } else {
                rng.below(62) as i8 - 31
            };
            let channel = Channel {
                bias: (rng.next_u32() as i32) >> 11,
                multiplier: (1 << 30) + (rng.next_u32() >> 2) as i32,
                shift,
            };
            record.copy_from_slice(&channel.to_record());
        }
        let layer = rarewatch::LayerRepr {
            inputs: inputs as u16,
            outputs: outputs as u16,
            weights: &weights[..inputs * outputs],
            channels: &channels[..outputs * CHANNEL_RECORD_LEN],
            output_zero_point: zero_point,
            relu,
        };
        let all_saturating = Channel::records(layer.channels)
            .all(|c| saturating_form_applies(c.shift, zero_point, relu));
        let mut got = [0i8; MAX_LAYER_OUTPUTS];
        kernels::dense_hidden(
            &layer,
            all_saturating,
            &input[..inputs],
            &mut got[..outputs],
        );
        let min = if relu { zero_point } else { i8::MIN };
        let mut same = true;
        for (block, records) in layer
            .weights
            .chunks_exact(4 * inputs)
            .zip(layer.channels.chunks_exact(4 * CHANNEL_RECORD_LEN))
            .enumerate()
        {
            let mut acc = [0i32; 4];
            for (sum, c) in acc.iter_mut().zip(Channel::records(records.1)) {
                *sum = c.bias;
            }
            reference::block_dot(records.0, &input[..inputs], &mut acc);
            for (row, (sum, c)) in acc.iter().zip(Channel::records(records.1)).enumerate() {
                let expected = requantize_reference(*sum, c.multiplier, c.shift, zero_point, min);
                same &= got[4 * block + row] == expected;
            }
        }
        if same {
            matching += 1;
        } else if matching == index {
            hprintln!(
                "layer {} ({} -> {}, saturating {}, relu {}, zp {}) differs from the reference",
                index,
                inputs,
                outputs,
                all_saturating,
                relu,
                zero_point
            );
        }
    }
    (matching, CROSS_CHECK_LAYERS)
}

/// NaN and ±infinity in a row give `NonFiniteFeature` with the right index, through the
/// target's feature quantization (the FPU routine on Cortex-M4F). Returns (rejected, cases).
fn check_non_finite(model: &Model<'_>) -> (u32, u32) {
    let mut scratch = Scratch::<SCRATCH_BYTES>::new();
    let n = model.features();
    let cases = [
        (0, f32::NEG_INFINITY),
        (7 % n, f32::NAN),
        (n - 1, f32::INFINITY),
    ];
    let mut rejected = 0;
    for (index, value) in cases {
        let mut row = [0.5f32; MAX_FEATURES];
        row[index] = value;
        match model.predict(&row[..n], &mut scratch) {
            Err(rarewatch::Error::NonFiniteFeature { index: got }) if got == index => rejected += 1,
            other => hprintln!(
                "feature {} = {}: expected NonFiniteFeature, got {:?}",
                index,
                value,
                other.map(|p| p.score)
            ),
        }
    }
    // A huge but finite value is not an error: it saturates.
    let mut row = [0.5f32; MAX_FEATURES];
    row[0] = f32::MAX;
    if model.predict(&row[..n], &mut scratch).is_ok() {
        rejected += 1;
    } else {
        hprintln!("feature 0 = f32::MAX was rejected");
    }
    (rejected, cases.len() as u32 + 1)
}

/// Runs every golden vector; returns (matching rows, rows). Prints the first mismatch.
fn check_golden(model: &Model<'_>, golden: &GoldenVectors<'_>) -> (usize, usize) {
    let features = golden.features();
    if features != model.features() || features > MAX_FEATURES {
        hprintln!(
            "golden vectors have {} features, model {} (firmware holds {})",
            features,
            model.features(),
            MAX_FEATURES
        );
        return (0, golden.len());
    }
    if model.scratch_bytes() > SCRATCH_BYTES {
        hprintln!(
            "model needs {} scratch bytes, firmware reserves {}",
            model.scratch_bytes(),
            SCRATCH_BYTES
        );
        return (0, golden.len());
    }
    let mut scratch = Scratch::<SCRATCH_BYTES>::new();
    let mut row = [0f32; MAX_FEATURES];
    let mut matching = 0;
    for (index, vector) in golden.iter().enumerate() {
        let n = vector.copy_features(&mut row);
        match model.predict(&row[..n], &mut scratch) {
            Ok(got) if got == vector.expected => matching += 1,
            Ok(got) => {
                if matching == index {
                    hprintln!(
                        "golden vector {}: expected score {} alert {}, got score {} alert {}",
                        index,
                        vector.expected.score,
                        vector.expected.alert,
                        got.score,
                        got.alert
                    );
                }
            }
            Err(error) => hprintln!("golden vector {}: predict failed: {}", index, error),
        }
    }
    (matching, golden.len())
}

/// Compares `kernels::block_dot` (SMLAD on Cortex-M4, portable elsewhere) with
/// `kernels::reference::block_dot` on pseudo-random blocks of 1 to 4 rows and 4 to 64 inputs,
/// at every byte misalignment, sometimes with extra trailing bytes; returns (matching, blocks).
fn cross_check_kernels() -> (u32, u32) {
    let mut rng = Xorshift::new(0x5EED_2024);
    let mut weights = [0u8; 4 * MAX_INPUTS + 16 + 3];
    let mut inputs = [0i8; MAX_INPUTS + 4 + 3];
    let mut matching = 0;
    for index in 0..CROSS_CHECK_BLOCKS {
        let rows = 1 + rng.below(4) as usize;
        let len = 4 * (1 + rng.below((MAX_INPUTS / 4) as u32) as usize);
        let extra = if rng.below(4) == 0 { 4 } else { 0 };
        let (w_offset, x_offset) = (rng.below(4) as usize, rng.below(4) as usize);
        for byte in weights.iter_mut() {
            *byte = rng.next_u32() as u8;
        }
        for value in inputs.iter_mut() {
            *value = rng.next_u32() as i8;
        }
        let block = &weights[w_offset..w_offset + rows * len + extra * rows];
        let input = &inputs[x_offset..x_offset + len + extra];
        let mut expected = [0i32; 4];
        for sum in expected.iter_mut() {
            *sum = (rng.next_u32() as i32) >> 11; // biases within ±2^20
        }
        let mut got = expected;
        reference::block_dot(block, input, &mut expected[..rows]);
        kernels::block_dot(block, input, &mut got[..rows]);
        if got == expected {
            matching += 1;
        } else if matching == index {
            hprintln!(
                "kernel block {} ({} rows, {} inputs, offsets {}/{}): expected {} {} {} {}, got {} {} {} {}",
                index, rows, len, w_offset, x_offset,
                expected[0], expected[1], expected[2], expected[3],
                got[0], got[1], got[2], got[3]
            );
        }
    }
    (matching, CROSS_CHECK_BLOCKS)
}
