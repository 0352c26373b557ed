//! Proportions with Wilson score intervals.

use serde::{Deserialize, Serialize};

use crate::math::sqrt;

/// z for a two-sided 95 % interval.
pub const Z_95: f32 = 1.959_964;

/// A proportion `successes / trials` with its 95 % Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Proportion {
    /// Point estimate (0 when there are no trials).
    pub value: f32,
    /// Lower end of the 95 % Wilson interval.
    pub lo: f32,
    /// Upper end of the 95 % Wilson interval.
    pub hi: f32,
    /// Trials behind the estimate.
    pub trials: u32,
}

impl Proportion {
    /// The estimate and Wilson interval of `successes` in `trials` (`successes ≤ trials`).
    ///
    /// Wilson's interval stays inside `[0, 1]` and stays honest at the extremes where the
    /// normal approximation collapses (0 of 5 is not "0 ± 0"), which rare positives make the
    /// common case.
    pub fn wilson(successes: u32, trials: u32) -> Proportion {
        if trials == 0 {
            return Proportion {
                value: 0.0,
                lo: 0.0,
                hi: 1.0,
                trials: 0,
            };
        }
        let p = successes.min(trials) as f32 / trials as f32;
        let (lo, hi) = wilson_bounds(successes, trials, Z_95);
        Proportion {
            value: p,
            lo,
            hi,
            trials,
        }
    }
}

/// `successes / trials` (successes capped at trials); `None` without trials.
pub fn ratio(successes: u32, trials: u32) -> Option<f32> {
    (trials > 0).then(|| successes.min(trials) as f32 / trials as f32)
}

/// The Wilson score interval of `successes` in `trials` at `z` standard errors, clamped to
/// `[0, 1]`; `(0, 1)` without trials.
pub fn wilson_bounds(successes: u32, trials: u32, z: f32) -> (f32, f32) {
    if trials == 0 {
        return (0.0, 1.0);
    }
    let n = trials as f32;
    let p = successes.min(trials) as f32 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// F1 of a precision and a recall (0 when both are 0).
pub fn f1(precision: f32, recall: f32) -> f32 {
    let sum = precision + recall;
    if sum > 0.0 {
        2.0 * precision * recall / sum
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_known_values() {
        // 8 of 10: Wilson 95 % interval (0.4902, 0.9433).
        let p = Proportion::wilson(8, 10);
        assert!((p.value - 0.8).abs() < 1e-6);
        assert!(
            (p.lo - 0.4902).abs() < 1e-3 && (p.hi - 0.9433).abs() < 1e-3,
            "{p:?}"
        );
        // 0 of 5: (0, 0.4345).
        let p = Proportion::wilson(0, 5);
        assert!(p.lo == 0.0 && (p.hi - 0.4345).abs() < 1e-3, "{p:?}");
        assert_eq!(
            Proportion::wilson(0, 0),
            Proportion {
                value: 0.0,
                lo: 0.0,
                hi: 1.0,
                trials: 0
            }
        );
        // One standard error: 1,600 of 2,000 → (0.7909, 0.8087).
        let (lo, hi) = wilson_bounds(1_600, 2_000, 1.0);
        assert!(
            (lo - 0.790_91).abs() < 1e-4 && (hi - 0.808_79).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!(wilson_bounds(3, 0, 1.0), (0.0, 1.0));
        assert!((f1(0.5, 1.0) - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(f1(0.0, 0.0), 0.0);
    }
}
