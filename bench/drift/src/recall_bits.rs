//! The simulated recall bits that `rarewatch-drift-tuning` and `glr-screen` feed their
//! detectors: one bit per labelled positive (caught = true), the same bits for every detector.

use crate::gauss::Rng;

/// The bench world's recall before any change.
pub const RECALL: f64 = 0.8002;
/// The baseline a drop test is given: the bench model's 1,600 true alerts of 2,000 positives
/// (reference 0.791 at the default one standard error below).
pub const BASELINE: (u32, u32) = (1_600, 2_000);
/// Labelled positives in 10 M rows at 0.2 % prevalence.
pub const POSITIVES_PER_10M_ROWS: f64 = 20_000.0;
/// Stable positives before each change.
pub const WARM_UP: u32 = 2_000;
/// Positives over which the gradual scenario slides.
pub const RAMP: f64 = 1_000.0;
/// The scenarios' names, in the order of [`recall_after_change`]'s `scenario`.
pub const SCENARIOS: [&str; 3] = ["0.8→0.5", "0.8→0.3", "0.8→0.5 over 1,000 positives"];

/// The stable stream the false drifts are counted on.
pub fn stable() -> Rng {
    Rng::new(0x5ab1e)
}

/// Seed `seed` of `scenario`: the warm-up, then the change.
pub fn scenario(seed: u64, scenario: usize) -> Rng {
    Rng::new(seed * 7_919 + scenario as u64 * 1_000_003 + 99)
}

/// The recall `k` positives (1-based) after the change in `scenario`.
pub fn recall_after_change(scenario: usize, k: u32) -> f64 {
    match scenario {
        0 => 0.5,
        1 => 0.3,
        _ => RECALL - (RECALL - 0.5) * (f64::from(k) / RAMP).min(1.0),
    }
}

/// The median (the mean of the middle two for an even count).
pub fn median(mut v: Vec<u32>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    }
}
