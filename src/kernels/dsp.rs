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
