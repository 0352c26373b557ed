//! Fixed-point arithmetic shared by every kernel: input quantization and requantization.
//!
//! These are the rules the host's golden vectors pin (**contract**); both are exact functions
//! of their integer (or IEEE f32) inputs, so the device and the host compute the same bits.

/// Quantizes one feature: `q = clamp(⌊x·mul + add⌋, 0, 255) − 128`.
///
/// `mul` and `add` come from the model (they fold scaling, clipping, the int8 scale, the
/// `+0.5` of round-half-up and the `+128` offset). The multiply and the add round separately
/// (Rust never fuses them). `as i32` truncates toward zero and saturates; for `u ≥ 0` that is
/// the floor, and every `u < 0` clamps to 0 either way, so the result is exactly the formula.
/// `x` must be finite (callers check); a non-finite `x` would still give a value in range.
#[inline(always)]
pub fn quantize_feature(x: f32, mul: f32, add: f32) -> i8 {
    let u = x * mul + add;
    ((u as i32).clamp(0, 255) - 128) as i8
}

/// Requantizes an int32 accumulator to int8 with one rounding:
/// `((acc·multiplier + 2^(30−shift)) >> (31−shift)) + zero_point`, clamped to `[min, 127]`.
///
/// `multiplier` is Q31 (`0..2³¹`) and `shift` is in `-31..=30` (validated on load), so
/// `|acc·multiplier| < 2⁶²` and the shift amount `31−shift` is in `1..=62`. `min` is the zero
/// point for a fused ReLU, `-128` otherwise.
///
/// Computed without the i64 rounding add: with `s = 30−shift`, the rule's
/// `⌊(p + 2^s) / 2^(s+1)⌋` equals `(⌊p / 2^s⌋ + 1) >> 1` (nested floors with integer divisors),
/// and for `s ≥ 32` (every `shift ≤ −2`, the usual case) `⌊p / 2^s⌋` is the product's high word
/// shifted by `s−32`: on Cortex-M4 one `SMULL`, two shifts, an add and the clamp. Smaller `s`
/// takes the i64 path, clamped to `[−256, 255]` first, which cannot change the final clamp since
/// `zero_point` is in `[−128, 127]`. [`requantize_reference`] is the formula as written; tests
/// compare the two. Out-of-range shifts give an unspecified value, never a panic.
#[inline(always)]
pub fn requantize(acc: i32, multiplier: i32, shift: i8, zero_point: i8, min: i8) -> i8 {
    let product = i64::from(acc) * i64::from(multiplier);
    // `s − 32 = −2 − shift`, in 0..32 exactly when s is in 32..64.
    let high_shift = (-2 - i32::from(shift)) as u32;
    let scaled = if high_shift < 32 {
        // |product >> 32| < 2³⁰: the add cannot overflow.
        let high = (product >> 32) as i32;
        ((high >> high_shift) + 1) >> 1
    } else {
        requantize_scaled_wide(product, shift)
    };
    // Saturate to int8 (one `SSAT` on ARMv7E-M), then the ReLU floor: the same as clamping to
    // `[min, 127]` because `min ≥ −128`.
    (scaled + i32::from(zero_point))
        .clamp(-128, 127)
        .max(i32::from(min)) as i8
}

/// [`requantize`] when the layer's parameters allow the short form: `shift` in `-31..=-2` and
/// a clamp that is plain int8 saturation (no ReLU, or ReLU at zero point −128, where the floor
/// is −128 anyway). No branch: one `SMULL`, two shifts, an add, the zero point and `SSAT` on
/// Cortex-M4. [`crate::Model`] checks once at load which layers qualify; for other shifts the
/// result is unspecified (never a panic).
#[inline(always)]
pub fn requantize_saturating(acc: i32, multiplier: i32, shift: i8, zero_point: i8) -> i8 {
    let high = ((i64::from(acc) * i64::from(multiplier)) >> 32) as i32;
    let high_shift = (-2 - i32::from(shift)) as u32 & 31;
    ((((high >> high_shift) + 1) >> 1) + i32::from(zero_point)).clamp(-128, 127) as i8
}

/// Whether [`requantize_saturating`] computes [`requantize`] for this shift, zero point and
/// ReLU choice.
pub fn saturating_form_applies(shift: i8, zero_point: i8, relu: bool) -> bool {
    (-31..=-2).contains(&shift) && (!relu || zero_point == i8::MIN)
}

/// `((product >> s) + 1) >> 1` clamped to `[−256, 255]`, `s = 30 − shift`, for `s < 32`
/// (`shift ≥ −1`); out of line so the common case falls through. Out-of-range shifts (which
/// validation rejects) give an unspecified value, not a panic.
#[cold]
#[inline(never)]
fn requantize_scaled_wide(product: i64, shift: i8) -> i32 {
    let s = (30 - i32::from(shift)) as u32;
    ((product.wrapping_shr(s) + 1) >> 1).clamp(-256, 255) as i32
}

/// The requantization rule exactly as the contract states it, in i64:
/// `((acc·multiplier + 2^(30−shift)) >> (31−shift)) + zero_point`, clamped to `[min, 127]`.
/// The definition [`requantize`] must match for every validated `shift` (`-31..=30`).
pub fn requantize_reference(acc: i32, multiplier: i32, shift: i8, zero_point: i8, min: i8) -> i8 {
    let right = (31 - i32::from(shift)) as u32;
    let rounding = 1i64 << (right - 1);
    let scaled = (i64::from(acc) * i64::from(multiplier) + rounding) >> right;
    (scaled + i64::from(zero_point)).clamp(i64::from(min), 127) as i8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_feature_rounds_half_up_and_saturates() {
        // mul 1, add 128.5: q = round_half_up(x).
        assert_eq!(quantize_feature(0.0, 1.0, 128.5), 0);
        assert_eq!(quantize_feature(0.5, 1.0, 128.5), 1);
        assert_eq!(quantize_feature(-0.5, 1.0, 128.5), 0);
        assert_eq!(quantize_feature(-0.51, 1.0, 128.5), -1);
        assert_eq!(quantize_feature(-1.2, 1.0, 128.5), -1);
        assert_eq!(quantize_feature(127.4, 1.0, 128.5), 127);
        assert_eq!(quantize_feature(1e30, 1.0, 128.5), 127);
        assert_eq!(quantize_feature(-128.6, 1.0, 128.5), -128);
        assert_eq!(quantize_feature(-1e30, 1.0, 128.5), -128);
    }

    #[test]
    fn requantize_known_values() {
        // multiplier 2^30 (0.5) with shift 0: y = round(acc / 2), ties up.
        let half = 1 << 30;
        assert_eq!(requantize(10, half, 0, 0, -128), 5);
        assert_eq!(requantize(11, half, 0, 0, -128), 6);
        assert_eq!(requantize(-11, half, 0, 0, -128), -5);
        assert_eq!(requantize(-12, half, 0, 0, -128), -6);
        // shift -3: another factor 1/8.
        assert_eq!(requantize(160, half, -3, 0, -128), 10);
        // Zero point and ReLU clamp.
        assert_eq!(requantize(-100, half, 0, -20, -20), -20);
        assert_eq!(requantize(100, half, 0, -20, -20), 30);
        assert_eq!(requantize(10_000, half, 0, 0, -128), 127);
        assert_eq!(requantize(-10_000, half, 0, 0, -128), -128);
        // Extremes of the validated ranges do not overflow.
        assert_eq!(requantize(i32::MAX, i32::MAX, 30, 0, -128), 127);
        assert_eq!(requantize(i32::MIN, i32::MAX, -31, 0, -128), -1);
    }

    /// Every validated shift, zero point and ReLU choice, against the formula as written, on
    /// pseudo-random and extreme accumulators and multipliers.
    #[test]
    fn requantize_matches_reference_formula() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let extremes = [
            0,
            1,
            -1,
            2,
            -2,
            127,
            -128,
            1 << 20,
            -(1 << 20),
            i32::MAX,
            i32::MIN,
        ];
        let multipliers = [0, 1, 1 << 30, (1 << 30) + 1, i32::MAX, i32::MAX - 1];
        for shift in -31..=30i8 {
            for zero_point in [-128i8, -77, -1, 0, 5, 127] {
                for min in [-128i8, zero_point] {
                    let relu = min == zero_point;
                    let check = |acc: i32, mult: i32| {
                        let expected = requantize_reference(acc, mult, shift, zero_point, min);
                        assert_eq!(
                            requantize(acc, mult, shift, zero_point, min),
                            expected,
                            "acc {acc} mult {mult} shift {shift} zp {zero_point} min {min}"
                        );
                        if saturating_form_applies(shift, zero_point, relu) {
                            assert_eq!(
                                requantize_saturating(acc, mult, shift, zero_point),
                                expected,
                                "saturating form: acc {acc} mult {mult} shift {shift} zp {zero_point}"
                            );
                        }
                    };
                    for &acc in &extremes {
                        for &mult in &multipliers {
                            check(acc, mult);
                        }
                    }
                    for _ in 0..300 {
                        let r = next();
                        // Accumulators of every magnitude: shift a random word right by 0..31.
                        let acc = (r as i32) >> ((r >> 32) % 32);
                        let mult = ((r >> 37) as i32) & i32::MAX;
                        check(acc, mult);
                    }
                }
            }
        }
    }
}
