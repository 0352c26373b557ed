//! The labelled streams' drift test: two Bernoulli CUSUMs on the failure bits, one tuned for
//! a slow erosion of the success rate and one for a collapse.
//!
//! One CUSUM is optimal (in Lorden's sense) only for the shift it is tuned for: tuned for
//! recall 0.8 → 0.5 it is a positive or two slower on a drop to 0.3 than HDDM_W at λ = 0.1,
//! which reacts to large shifts. Two CUSUMs on the same bits, the larger statistic compared
//! with the levels, cover both for a slightly higher level at the same false-alarm rate. On
//! simulated recall bits at 0.2 % prevalence (`bench/drift`'s `rarewatch-drift-tuning`,
//! BENCHMARKS.md), at a 10-nat drift level, the default pair (erosion 0.375, collapse 0.7 at
//! 1.1× the levels) raises 0.13 false drifts per 10 M rows and detects 0.8 → 0.5 after a
//! median 37 positives, 0.8 → 0.3 after 16 and a slide over 1,000 positives after 529; the
//! erosion CUSUM alone, 0.08, 38, 18 and 530. Against HDDM_W at the same measured rate it wins
//! where the single CUSUM lost by a positive or two: the large drops.
//!
//! The erosion drop is not smaller because the baseline is measured on a finite held-out set:
//! with a few hundred labelled events it is a few points optimistic about as often as not, and
//! a CUSUM tuned for a small drop then drifts on an ordinary stream (0.3 did, on a generated
//! stream whose precision was 0.73 against a baseline of 0.77 from 183 alerts).

use crate::math::ln;
use crate::monitor::health::SignalState;

/// One nat in the statistic's Q16 fixed point.
const Q16: f32 = 65_536.0;
/// One nat in the LLRs' Q11 fixed point (i16: up to ±16 nats, a failure at a baseline
/// failure rate of 10⁻⁷ — no held-out set is that large).
const Q11: f32 = 2_048.0;
/// Q11 → Q16.
const LLR_SHIFT: u32 = 5;

/// What a labelled stream's test is tuned for: relative drops of the success rate (recall or
/// precision), e.g. 0.3 = recall 0.8 → 0.56.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropTuning {
    /// Relative drop the erosion CUSUM is tuned for (the slow, modest drift).
    pub erosion: f32,
    /// Relative drop the collapse CUSUM is tuned for; `None`: the erosion CUSUM alone.
    pub collapse: Option<f32>,
    /// The collapse CUSUM's levels as a multiple of the erosion CUSUM's. Its steps are
    /// larger, so at the same level it would raise more false alarms than the erosion
    /// CUSUM; at 1.1 the pair's rate is 0.13 false drifts per 10 M rows at 10 nats, against
    /// 0.08 for the erosion CUSUM alone.
    pub collapse_level_factor: f32,
}

impl DropTuning {
    /// The default of both labelled streams: erosion 0.375 (recall 0.8 → 0.5), collapse 0.7
    /// (0.8 → 0.24) at 1.1× the levels.
    pub const DEFAULT: DropTuning = DropTuning {
        erosion: 0.375,
        collapse: Some(0.7),
        collapse_level_factor: 1.1,
    };

    /// One CUSUM tuned for `drop`.
    pub const fn single(drop: f32) -> DropTuning {
        DropTuning {
            erosion: drop,
            collapse: None,
            collapse_level_factor: 1.0,
        }
    }
}

impl Default for DropTuning {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Two Bernoulli CUSUMs on one stream of failures (misses, false alerts), with shared
/// warning and drift levels and hysteresis.
///
/// Each adds `ln(p1/p0)` on a failure and `ln((1−p1)/(1−p0))` on a success, clamped to
/// `0..=drift + warning`; the test's value is the larger statistic. States: `Ok → Warning` at
/// the warning level, `→ Drift` at the drift level; `Drift → Warning` below the warning level
/// and `Warning → Ok` below half of it. The LLRs are computed once, in f32, and stored in
/// Q11 (the collapse CUSUM's already divided by its level factor), so an update is two
/// integer adds, clamps and compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropTest {
    /// Q11 LLRs `[on a failure, on a success]` of the erosion and the collapse CUSUM (all 0
    /// for a collapse CUSUM that is not used).
    llr: [[i16; 2]; 2],
    /// Q16 statistics, `0..=drift + warning`.
    statistic: [i32; 2],
    warning: i32,
    drift: i32,
    state: SignalState,
}

/// Q11 LLRs of a failure-rate shift `p0 → p1`, divided by `scale`.
fn llrs(p0: f32, p1: f32, scale: f32) -> [i16; 2] {
    let q11 = |x: f32| (x / scale * Q11).clamp(i16::MIN as f32, i16::MAX as f32) as i16;
    [q11(ln(p1 / p0)), q11(ln((1.0 - p1) / (1.0 - p0)))]
}

impl DropTest {
    /// A test against the baseline success rate `baseline` with levels in nats. `None` when
    /// the baseline is not in `(0, 1)`, a drop is not in `(0, 1)` or the levels are not
    /// `0 < warning ≤ drift` (nothing to test: the signal is reported `Unknown`).
    pub fn new(baseline: f32, tuning: &DropTuning, levels: (f32, f32)) -> Option<Self> {
        let (warning, drift) = levels;
        let drop_ok = |d: f32| d > 0.0 && d < 1.0;
        let collapse_ok = tuning
            .collapse
            .is_none_or(|d| drop_ok(d) && tuning.collapse_level_factor > 0.0);
        if !(baseline > 0.0
            && baseline < 1.0
            && drop_ok(tuning.erosion)
            && collapse_ok
            && warning > 0.0
            && drift >= warning
            && drift < 16_000.0)
        {
            return None;
        }
        let p0 = 1.0 - baseline;
        let failure_rate = |drop: f32| 1.0 - baseline * (1.0 - drop);
        let q16 = |x: f32| (x * Q16) as i32;
        Some(DropTest {
            llr: [
                llrs(p0, failure_rate(tuning.erosion), 1.0),
                tuning.collapse.map_or([0, 0], |d| {
                    llrs(p0, failure_rate(d), tuning.collapse_level_factor)
                }),
            ],
            statistic: [0, 0],
            warning: q16(warning),
            drift: q16(drift),
            state: SignalState::Ok,
        })
    }

    /// Adds one outcome.
    #[inline]
    pub fn update(&mut self, failure: bool) {
        let column = usize::from(!failure);
        // Both levels are below 2³⁰ (16,000 nats in Q16), so the cap cannot overflow.
        let cap = self.drift + self.warning;
        let mut value = 0;
        for (statistic, llr) in self.statistic.iter_mut().zip(&self.llr) {
            let step = i32::from(llr[column]) << LLR_SHIFT;
            *statistic = (*statistic + step).clamp(0, cap);
            value = value.max(*statistic);
        }
        self.state = self
            .state
            .step(value, self.warning / 2, self.warning, self.drift);
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.state
    }

    /// The test's value in nats: the larger CUSUM statistic (the collapse CUSUM's in units
    /// of its scaled levels), to compare with the levels.
    pub fn statistic(&self) -> f32 {
        self.statistic[0].max(self.statistic[1]) as f32 / Q16
    }

    /// Forgets all evidence (after the operator acknowledged a drift, or a model update).
    pub fn reset(&mut self) {
        self.statistic = [0, 0];
        self.state = SignalState::Ok;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llrs_are_the_bernoulli_log_ratios_in_q11() {
        let t = DropTest::new(0.8, &DropTuning::DEFAULT, (5.0, 10.0)).unwrap();
        // Erosion: failure rate 0.2 → 0.5; collapse: 0.2 → 0.76, divided by 1.1.
        assert_eq!(
            t.llr[0],
            [(ln(2.5) * 2048.0) as i16, (ln(0.625) * 2048.0) as i16]
        );
        assert_eq!(
            t.llr[1],
            [
                (ln(3.8) / 1.1 * 2048.0) as i16,
                (ln(0.3) / 1.1 * 2048.0) as i16
            ]
        );
        assert_eq!(t.llr, [[1876, -962], [2485, -2241]]);
        let single = DropTest::new(0.8, &DropTuning::single(0.375), (5.0, 10.0)).unwrap();
        assert_eq!(single.llr[1], [0, 0]);
        for (baseline, tuning, levels) in [
            (1.0, DropTuning::DEFAULT, (5.0, 10.0)),
            (0.0, DropTuning::DEFAULT, (5.0, 10.0)),
            (0.8, DropTuning::single(1.0), (5.0, 10.0)),
            (0.8, DropTuning::DEFAULT, (10.0, 5.0)),
            (f32::NAN, DropTuning::DEFAULT, (5.0, 10.0)),
        ] {
            assert!(DropTest::new(baseline, &tuning, levels).is_none());
        }
    }

    #[test]
    fn walks_through_the_states_with_hysteresis() {
        // Erosion alone, recall 0.8 → 0.5: a miss adds ln 2.5 ≈ 0.916 nats, a catch ln 0.625
        // ≈ −0.47.
        let mut t = DropTest::new(0.8, &DropTuning::single(0.375), (2.0, 5.0)).unwrap();
        t.update(true);
        t.update(true);
        assert_eq!(t.state(), SignalState::Ok); // 1.83 < 2
        t.update(true);
        assert_eq!(t.state(), SignalState::Warning); // 2.75
        for _ in 0..3 {
            t.update(true);
        }
        assert_eq!(t.state(), SignalState::Drift); // 5.5
        for _ in 0..10 {
            t.update(true);
        }
        assert!(
            (t.statistic() - 7.0).abs() < 1e-3,
            "capped at drift + warning"
        );
        // 7.0 − 0.47k: ≥ 2 for k ≤ 10 → drift holds; below 2 → warning; below 1 → ok.
        for _ in 0..10 {
            t.update(false);
        }
        assert_eq!(t.state(), SignalState::Drift);
        t.update(false);
        assert_eq!(t.state(), SignalState::Warning);
        t.update(false);
        t.update(false);
        assert_eq!(t.state(), SignalState::Ok);
        for _ in 0..100 {
            t.update(false);
        }
        assert_eq!(t.statistic(), 0.0);
    }

    #[test]
    fn the_collapse_cusum_fires_first_on_a_run_of_misses() {
        // A miss adds ln 2.5 ≈ 0.916 nats to the erosion CUSUM and ln 3.8 / 1.1 ≈ 1.214 to
        // the collapse CUSUM: after 8 misses 7.3 and 9.7 (warning), after 9 8.2 and 10.9 —
        // drift, where the erosion CUSUM alone is still in warning.
        let mut t = DropTest::new(0.8, &DropTuning::DEFAULT, (5.0, 10.0)).unwrap();
        let mut erosion = DropTest::new(0.8, &DropTuning::single(0.375), (5.0, 10.0)).unwrap();
        for _ in 0..8 {
            t.update(true);
            erosion.update(true);
        }
        assert_eq!(t.state(), SignalState::Warning);
        t.update(true);
        erosion.update(true);
        assert_eq!(t.state(), SignalState::Drift);
        assert_eq!(erosion.state(), SignalState::Warning);
        assert!((erosion.statistic() - 9.0 * ln(2.5)).abs() < 1e-2);
        assert!((t.statistic() - 9.0 * ln(3.8) / 1.1).abs() < 1e-2);
    }

    #[test]
    fn a_long_stable_stream_stays_near_zero_and_a_reset_forgets() {
        let mut t = DropTest::new(0.8, &DropTuning::DEFAULT, (5.0, 10.0)).unwrap();
        // Recall exactly 0.8, misses evenly spread: both statistics stay within one miss
        // (at most 1.214 nats).
        for i in 0..10_000 {
            t.update(i % 5 == 0);
            assert!(t.statistic() < 1.22, "{} at {i}", t.statistic());
        }
        assert_eq!(t.state(), SignalState::Ok);
        for _ in 0..20 {
            t.update(true);
        }
        assert_eq!(t.state(), SignalState::Drift);
        t.reset();
        assert_eq!((t.state(), t.statistic()), (SignalState::Ok, 0.0));
    }
}
