//! Cortex-M DSP-extension kernels (ARMv7E-M: Cortex-M4/M7; ARMv8-M Mainline with DSP).
//!
//! Each 32-bit load brings 4 int8 values; `SXTB16` widens bytes 0,2 (and, rotated, 1,3) to
//! two int16 lanes; `SMLAD` multiplies both lane pairs and adds them to an accumulator. The
//! 4-row kernel widens each activation word once and uses it for the 4 rows of a weight
//! block, so 16 MACs cost 23 instructions plus loop control (unrolled twice). Lane order
//! does not matter: weights and activations are widened the same way and the sum is exact.
//!
//! All loads are single-word `LDR`, which ARMv7E-M and ARMv8-M Mainline allow at any
//! alignment (the model sits in flash at whatever offset postcard gave it).

#![allow(unsafe_code)] // inline assembly: the reason this module exists

use core::arch::asm;

/// One group of 4 inputs against the 4 rows of a block: 23 instructions, 16 MACs.
macro_rules! group_of_4_rows {
    () => {
        concat!(
            "ldr {x}, [{xp}], #4\n",
            "sxtb16 {x02}, {x}\n",
            "sxtb16 {x}, {x}, ror #8\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a0}, {t}, {x02}, {a0}\n",
            "smlad {a0}, {w}, {x}, {a0}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a1}, {t}, {x02}, {a1}\n",
            "smlad {a1}, {w}, {x}, {a1}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a2}, {t}, {x02}, {a2}\n",
            "smlad {a2}, {w}, {x}, {a2}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a3}, {t}, {x02}, {a3}\n",
            "smlad {a3}, {w}, {x}, {a3}\n",
        )
    };
}

/// One group of 4 inputs against one contiguous row: 8 instructions, 4 MACs.
macro_rules! group_of_1_row {
    () => {
        concat!(
            "ldr {x}, [{xp}], #4\n",
            "sxtb16 {x02}, {x}\n",
            "sxtb16 {x}, {x}, ror #8\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a0}, {t}, {x02}, {a0}\n",
            "smlad {a0}, {w}, {x}, {a0}\n",
        )
    };
}

/// Accumulates a full 4-row block; same result as
/// [`reference::block_dot`](super::reference::block_dot) with 4 accumulators.
#[inline]
pub fn block4_dot(block: &[u8], input: &[i8], acc: &mut [i32; 4]) {
    // Whole groups available on both sides: the loads below never pass either slice's end.
    let groups = core::cmp::min(input.len() / 4, block.len() / 16);
    if groups == 0 {
        return;
    }
    let [mut a0, mut a1, mut a2, mut a3] = *acc;
    let mut xp = input.as_ptr();
    let mut wp = block.as_ptr();
    if groups % 2 == 1 {
        // SAFETY: reads 4 bytes at `xp` and 16 at `wp`, within `groups ≥ 1` whole groups.
        unsafe {
            asm!(
                group_of_4_rows!(),
                xp = inout(reg) xp, wp = inout(reg) wp,
                a0 = inout(reg) a0, a1 = inout(reg) a1, a2 = inout(reg) a2, a3 = inout(reg) a3,
                x = out(reg) _, x02 = out(reg) _, w = out(reg) _, t = out(reg) _,
                options(nostack, readonly),
            );
        }
    }
    if groups >= 2 {
        // SAFETY: `xend` is `groups − groups % 2` words past the start of `input`, an even
        // number of words after `xp`; every iteration advances `xp` by 2 words and `wp` by 8,
        // so the loop reads exactly the remaining whole groups of both slices.
        unsafe {
            let xend = input.as_ptr().add(4 * groups);
            asm!(
                "2:",
                group_of_4_rows!(),
                group_of_4_rows!(),
                "cmp {xp}, {xend}",
                "bne 2b",
                xp = inout(reg) xp => _, wp = inout(reg) wp => _, xend = in(reg) xend,
                a0 = inout(reg) a0, a1 = inout(reg) a1, a2 = inout(reg) a2, a3 = inout(reg) a3,
                x = out(reg) _, x02 = out(reg) _, w = out(reg) _, t = out(reg) _,
                options(nostack, readonly),
            );
        }
    }
    *acc = [a0, a1, a2, a3];
}

/// Accumulates a one-row block (a contiguous row); same result as
/// [`reference::block_dot`](super::reference::block_dot) with 1 accumulator.
#[inline]
pub fn row_dot(row: &[u8], input: &[i8], acc: &mut i32) {
    let groups = core::cmp::min(input.len() / 4, row.len() / 4);
    if groups == 0 {
        return;
    }
    let mut a0 = *acc;
    // SAFETY: reads `groups` words from each slice, advancing one word per iteration until
    // `xp` reaches `xend`, `groups ≥ 1` words past the start of `input`.
    unsafe {
        let xend = input.as_ptr().add(4 * groups);
        asm!(
            "2:",
            group_of_1_row!(),
            "cmp {xp}, {xend}",
            "bne 2b",
            xp = inout(reg) input.as_ptr() => _, wp = inout(reg) row.as_ptr() => _,
            xend = in(reg) xend, a0 = inout(reg) a0,
            x = out(reg) _, x02 = out(reg) _, w = out(reg) _, t = out(reg) _,
            options(nostack, readonly),
        );
    }
    *acc = a0;
}

/// Largest padded layer input, in bytes, that [`Widened`] holds (its buffer is on the stack:
/// `2 · WIDEN_MAX` bytes). Wider layers use [`block4_dot`], which widens per block.
pub const WIDEN_MAX: usize = 64;

/// One group of 4 pre-widened inputs (2 words) against the 4 rows of a block: 21 instructions
/// for 16 MACs (the activation `LDRD` replaces an `LDR` and two `SXTB16`s).
macro_rules! widened_group_of_4_rows {
    () => {
        concat!(
            "ldrd {x02}, {x13}, [{xp}], #8\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a0}, {t}, {x02}, {a0}\n",
            "smlad {a0}, {w}, {x13}, {a0}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a1}, {t}, {x02}, {a1}\n",
            "smlad {a1}, {w}, {x13}, {a1}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a2}, {t}, {x02}, {a2}\n",
            "smlad {a2}, {w}, {x13}, {a2}\n",
            "ldr {w}, [{wp}], #4\n",
            "sxtb16 {t}, {w}\n",
            "sxtb16 {w}, {w}, ror #8\n",
            "smlad {a3}, {t}, {x02}, {a3}\n",
            "smlad {a3}, {w}, {x13}, {a3}\n",
        )
    };
}

/// Widens a layer's input activations once, for all of the layer's blocks: per group of 4
/// int8 values, the two words `SXTB16` makes of it (lanes 0,2 and lanes 1,3), written to
/// `buffer` and returned as the initialized words. Each block then loads its activations with
/// one `LDRD` instead of re-widening them: 2 of 23 instructions per 16 MACs saved on every
/// block. `None` (nothing written) unless `input` is a whole number of groups, at most
/// [`WIDEN_MAX`] bytes.
#[inline]
pub fn widen<'b>(
    input: &[i8],
    buffer: &'b mut [core::mem::MaybeUninit<u32>; WIDEN_MAX / 2],
) -> Option<&'b [u32]> {
    if input.len() > WIDEN_MAX || input.len() % 4 != 0 || input.is_empty() {
        return None;
    }
    let words = input.len() / 2;
    // SAFETY: reads `input.len() / 4` words of `input` and writes 2 words per group, `words ≤
    // WIDEN_MAX / 2` in all, one group per iteration until `ip` reaches the end of `input`.
    // The first `words` words are then initialized, which the returned slice covers.
    unsafe {
        let iend = input.as_ptr().add(input.len());
        asm!(
            "2:",
            "ldr {x}, [{ip}], #4",
            "sxtb16 {a}, {x}",
            "sxtb16 {b}, {x}, ror #8",
            "strd {a}, {b}, [{op}], #8",
            "cmp {ip}, {iend}",
            "bne 2b",
            ip = inout(reg) input.as_ptr() => _, iend = in(reg) iend,
            op = inout(reg) buffer.as_mut_ptr() => _,
            x = out(reg) _, a = out(reg) _, b = out(reg) _,
            options(nostack),
        );
        Some(core::slice::from_raw_parts(
            buffer.as_ptr().cast::<u32>(),
            words,
        ))
    }
}

/// Requantizes accumulator `a` of row `r` with the saturating form (shift in `-31..=-2`):
/// multiplier at record offset `9r + 4`, shift byte at `9r + 8`. With `u` the shift byte
/// (`256 + shift`), `254 − u = −2 − shift`; then `SMMUL` (the high word of acc·multiplier),
/// the arithmetic shift, `+1`, the halving folded into the zero-point add, and `SSAT`.
macro_rules! requantize_row {
    ($a:literal, $mult:literal, $shift:literal) => {
        concat!(
            "ldr {w}, [{t}, #",
            $mult,
            "]\n",
            "ldrb {x02}, [{t}, #",
            $shift,
            "]\n",
            "smmul {",
            $a,
            "}, {",
            $a,
            "}, {w}\n",
            "rsb {x02}, {x02}, #254\n",
            "asr {",
            $a,
            "}, {",
            $a,
            "}, {x02}\n",
            "adds {",
            $a,
            "}, #1\n",
            "add {",
            $a,
            "}, {x13}, {",
            $a,
            "}, asr #1\n",
            "ssat {",
            $a,
            "}, #8, {",
            $a,
            "}\n",
        )
    };
}

/// The whole-layer kernel for the usual case: every full block of a hidden layer whose
/// requantization is the saturating form ([`crate::quant::requantize_saturating`]), against
/// widened activations, in one assembly routine. Per block: the 4 biases, the group loop,
/// requantization of the 4 rows and a 4-byte store; the routine keeps its own state (channel
/// and output pointers, blocks left, zero point, activation start) in a 24-byte stack frame so
/// the loop has all 11 allocatable registers. `out` receives 4 int8 outputs per block;
/// computes `min(records, out, weights / (16 · groups))` blocks.
#[inline(always)]
pub fn saturating_layer(
    weights: &[u8],
    widened: &[u32],
    records: &[[u8; 36]],
    out: &mut [[i8; 4]],
    zero_point: i8,
) {
    let groups = widened.len() / 2;
    if groups == 0 {
        return;
    }
    let blocks = records
        .len()
        .min(out.len())
        .min(weights.len() / (16 * groups));
    if blocks == 0 {
        return;
    }
    let xstart = widened.as_ptr();
    // SAFETY: `widened` holds `2 · groups` words.
    let xend = unsafe { xstart.add(2 * groups) };
    macro_rules! layer_asm {
        ($($group:tt)*) => {
            // SAFETY: `blocks ≥ 1` passes; each reads the `2 · groups` widened words, the
            // block's `16 · groups` weight bytes (within `weights` by the bound on `blocks`),
            // one 36-byte record (within `records`) and writes 4 bytes of `out` (within
            // `out`). The routine's stack frame is released before it ends.
            unsafe {
                asm!(
                    "sub sp, sp, #24",
                    "str {a0}, [sp, #0]",
                    "str {a1}, [sp, #4]",
                    "str {a2}, [sp, #8]",
                    "str {a3}, [sp, #12]",
                    "str {xp}, [sp, #16]",
                    "3:",
                    "ldr {t}, [sp, #0]",
                    "ldr {a0}, [{t}, #0]",
                    "ldr {a1}, [{t}, #9]",
                    "ldr {a2}, [{t}, #18]",
                    "ldr {a3}, [{t}, #27]",
                    "ldr {xp}, [sp, #16]",
                    "2:",
                    $($group)*
                    "cmp {xp}, {xend}",
                    "bne 2b",
                    "ldr {t}, [sp, #0]",
                    "ldr {x13}, [sp, #12]",
                    requantize_row!("a0", "4", "8"),
                    requantize_row!("a1", "13", "17"),
                    requantize_row!("a2", "22", "26"),
                    requantize_row!("a3", "31", "35"),
                    "ldr {w}, [sp, #4]",
                    "strb {a0}, [{w}, #0]",
                    "strb {a1}, [{w}, #1]",
                    "strb {a2}, [{w}, #2]",
                    "strb {a3}, [{w}, #3]",
                    "add {w}, {w}, #4",
                    "str {w}, [sp, #4]",
                    "add {t}, {t}, #36",
                    "str {t}, [sp, #0]",
                    "ldr {w}, [sp, #8]",
                    "subs {w}, {w}, #1",
                    "str {w}, [sp, #8]",
                    "bne 3b",
                    "add sp, sp, #24",
                    a0 = inout(reg) records.as_ptr() => _,
                    a1 = inout(reg) out.as_mut_ptr() => _,
                    a2 = inout(reg) blocks => _,
                    a3 = inout(reg) i32::from(zero_point) => _,
                    xp = inout(reg) xstart => _,
                    xend = in(reg) xend,
                    wp = inout(reg) weights.as_ptr() => _,
                    x02 = out(reg) _, x13 = out(reg) _, w = out(reg) _, t = out(reg) _,
                );
            }
        };
    }
    if groups % 2 == 0 {
        layer_asm!(widened_group_of_4_rows!(), widened_group_of_4_rows!(),);
    } else {
        layer_asm!(widened_group_of_4_rows!(),);
    }
}

/// [`crate::quant::quantize_feature`] over a row, on the FPU of Cortex-M4F/M7F/M33F: per
/// feature, an integer load of `x` and a finiteness test on its bits (exponent not all ones),
/// the two affine words moved to the FPU in one `VMOV`, `VMLA` (chained multiply-add: two
/// roundings, as in Rust), `VCVT` (truncating, saturating), `USAT` to `0..=255` and the
/// `−128` as an `EOR`. 15 instructions per feature; the portable loop takes 19.
///
/// Quantizes `min(features, affine records, out)` features. Returns the index of the first
/// non-finite feature (the slots before it are written), or `None`.
#[cfg(target_abi = "eabihf")]
#[inline]
pub fn quantize_features(features: &[f32], affine: &[[u8; 8]], out: &mut [i8]) -> Option<usize> {
    let n = features.len().min(affine.len()).min(out.len());
    if n == 0 {
        return None;
    }
    let start = features.as_ptr();
    let mut xp = start;
    let stopped: u32;
    // SAFETY: reads `n` floats from `features`, `n` 8-byte records from `affine` and writes `n`
    // bytes of `out`, one per iteration until `xp` reaches `xend` or a non-finite feature
    // ends the loop early (leaving `xp` just past it). Uses s0–s3, declared clobbered.
    unsafe {
        let xend = start.add(n);
        asm!(
            "2:",
            "ldr {x}, [{xp}], #4",
            "lsl {t}, {x}, #1",
            "cmp {t}, #0xFF000000",
            "bhs 3f",
            "ldr {m}, [{ap}], #4",
            "ldr {a}, [{ap}], #4",
            "vmov s0, {x}",
            "vmov s2, s3, {m}, {a}",
            "vmla.f32 s3, s0, s2",
            "vcvt.s32.f32 s3, s3",
            "vmov {t}, s3",
            "usat {t}, #8, {t}",
            "eor {t}, {t}, #0x80",
            "strb {t}, [{qp}], #1",
            "cmp {xp}, {xend}",
            "bne 2b",
            "movs {x}, #0",
            "3:",
            xp = inout(reg) xp, xend = in(reg) xend,
            ap = inout(reg) affine.as_ptr() => _, qp = inout(reg) out.as_mut_ptr() => _,
            x = out(reg) stopped, t = out(reg) _, m = out(reg) _, a = out(reg) _,
            out("s0") _, out("s1") _, out("s2") _, out("s3") _,
            options(nostack),
        );
        // Finished: `stopped` is 0. Stopped early: it holds the non-finite feature's bits
        // (never 0: the exponent is all ones) and `xp` is one past that feature.
        (stopped != 0).then(|| (xp.offset_from(start) as usize).saturating_sub(1))
    }
}
