//! The labelled streams' drift test: two statistics on the failure bits, a Bernoulli CUSUM
//! tuned for a slow erosion of the success rate and a Shiryaev–Roberts statistic tuned for a
//! collapse; the erosion CUSUM against a reference one standard error below the baseline.
//!
//! One CUSUM is optimal (in Lorden's sense) only for the shift it is tuned for: tuned for
//! recall 0.8 → 0.5 it is a positive or two slower on a drop to 0.3 than HDDM_W at λ = 0.1,
//! which reacts to large shifts, and tens of positives slower on a slow slide than HDDM_W at
//! λ = 0.02. Two statistics on the same bits, the larger compared with the levels, cover both
//! for a slightly higher level at the same false-alarm rate: the erosion CUSUM is tuned low
//! (0.8 → 0.68), so that it starts to gather evidence early in a slide, and the collapse
//! statistic at the large drop (0.8 → 0.3), which it also catches sooner than the erosion
//! CUSUM on a drop to 0.5.
//!
//! The collapse statistic is Shiryaev–Roberts, `R ← (1 + R)·Λ` (kept in logs), not a CUSUM,
//! `R ← max(1, R)·Λ`: SR minimises the delay to a change that comes after a long stable run
//! (Pollak & Tartakovsky 2009), which is how a deployed monitor meets one, where CUSUM
//! minimises the worst case. On a large drop it is about a positive sooner at the same
//! false-alarm rate. The erosion statistic stays a CUSUM: its steps are small, and an SR
//! statistic with small steps piles up evidence from the stable stream (its `R` grows like
//! the number of bits), so it needs a much higher level.
//!
//! The erosion CUSUM's reference is the baseline's Wilson lower bound at one standard error,
//! not its point estimate: the baseline is measured on a finite held-out set, and with a few
//! hundred labelled events it is a few points optimistic about as often as not. A CUSUM tuned
//! for a small drop against an optimistic baseline drifts on an ordinary stream; against the
//! lower bound it does so only when the baseline was optimistic by more than a standard error
//! (one model in six, and then by less). The collapse statistic's alternative is far from any
//! such error, so it keeps the point estimate, and with it its speed on large drops when the
//! held-out set is small (a hundred positives put the lower bound 0.04 below).
//!
//! On simulated recall bits at 0.2 % prevalence with the bench model's baseline (1,600 of
//! 2,000; `bench/drift`'s `rarewatch-drift-tuning`, BENCHMARKS.md), at the default 9.25-nat
//! drift level, the default tuning (erosion 0.15, collapse 0.625 at 1.35× the levels) raises
//! 0.11 false drifts per 10 M rows and detects recall 0.8 → 0.5 after a median 41
//! positives, 0.8 → 0.3 after 16 and a slide to 0.5 over 1,000 positives after 464. Against
//! each of 20 HDDM_W settings run on the same bits, at the same measured rate, it is faster
//! on every scenario against all 20 (2,000 seeds; the three recall drops and the bench's two
//! precision drops, the same bits with a true alert as the success). On 20,000 seeds it ties
//! one median, λ = 0.1, c = 10⁻³ on the smaller precision drop (15 vs 15 alerts, mean 16.2 vs
//! 18.1).

use crate::math::ln;
use crate::monitor::health::SignalState;
use crate::monitor::softplus::softplus_q16;
use crate::monitor::stats::{ratio, wilson_bounds};

/// One nat in the statistic's Q16 fixed point.
const Q16: f32 = 65_536.0;
/// One nat in the LLRs' Q11 fixed point (i16: up to ±16 nats, a failure at a baseline
/// failure rate of 10⁻⁷ — no held-out set is that large).
const Q11: f32 = 2_048.0;
/// Q11 → Q16.
const LLR_SHIFT: u32 = 5;
/// The SR statistic with no evidence (`R = 0`, so `ln R = −∞`), in Q16: −16 nats, where
/// `ln(1 + R)` is 0 to 2⁻¹⁶. An SR statistic never falls below it (an LLR is at least −16
/// nats), so no clamp is needed below.
const SR_EMPTY: i32 = -16 << 16;

/// What a labelled stream's test is tuned for: relative drops of the success rate (recall or
/// precision) from the reference, e.g. 0.25 = recall 0.8 → 0.6, and where the reference sits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropTuning {
    /// Relative drop the erosion CUSUM is tuned for (the slow, modest drift).
    pub erosion: f32,
    /// Relative drop the collapse statistic (Shiryaev–Roberts) is tuned for; `None`: the
    /// erosion CUSUM alone.
    pub collapse: Option<f32>,
    /// The collapse statistic's levels as a multiple of the erosion CUSUM's. Its steps are
    /// larger, so at the same level it would raise more false alarms than the erosion
    /// CUSUM.
    pub collapse_level_factor: f32,
    /// Standard errors of the baseline the erosion CUSUM's reference sits below it (the
    /// Wilson lower bound at this `z`); 0: the baseline's point estimate. The collapse
    /// statistic always compares with the point estimate.
    pub baseline_margin: f32,
}

impl DropTuning {
    /// The default of both labelled streams: erosion 0.15 (recall 0.8 → 0.68, the start of
    /// a slow slide) from one standard error below the baseline, collapse 0.625 (0.8 → 0.3,
    /// a large drop) at 1.35× the levels.
    pub const DEFAULT: DropTuning = DropTuning {
        erosion: 0.15,
        collapse: Some(0.625),
        collapse_level_factor: 1.35,
        baseline_margin: 1.0,
    };

    /// One CUSUM tuned for `drop`, one standard error below the baseline.
    pub const fn single(drop: f32) -> DropTuning {
        DropTuning {
            erosion: drop,
            collapse: None,
            collapse_level_factor: 1.0,
            baseline_margin: 1.0,
        }
    }

    /// The success rate the erosion CUSUM compares with: `successes / trials` of the
    /// baseline, less `baseline_margin` standard errors (Wilson). `None` without a baseline.
    pub fn reference(&self, successes: u32, trials: u32) -> Option<f32> {
        if trials == 0 || self.baseline_margin.is_nan() || self.baseline_margin < 0.0 {
            return None;
        }
        Some(wilson_bounds(successes, trials, self.baseline_margin).0)
    }
}

impl Default for DropTuning {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A Bernoulli CUSUM and a Shiryaev–Roberts statistic on one stream of failures (misses,
/// false alerts), with shared warning and drift levels and hysteresis.
///
/// Each adds `ln(p1/p0)` on a failure and `ln((1−p1)/(1−p0))` on a success: the CUSUM to its
/// statistic clamped to `0..=drift + warning`, the SR statistic (in logs) to `ln(1 + e^S)`,
/// capped at `drift + warning`; the test's value is the larger. States: `Ok → Warning` at the
/// warning level, `→ Drift` at the drift level; `Drift → Warning` below the warning level and
/// `Warning → Ok` below half of it. The LLRs are computed once, in f32, and stored in Q11 (the
/// collapse statistic's already divided by its level factor), so an update is integer adds,
/// clamps and compares, and one interpolated table look-up ([`softplus_q16`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropTest {
    /// Q11 LLRs `[on a failure, on a success]` of the erosion CUSUM and the collapse
    /// statistic (all 0 for a collapse statistic that is not used; never 0 otherwise).
    llr: [[i16; 2]; 2],
    /// Q16 nats: the erosion CUSUM, `0..=drift + warning`, and the collapse SR statistic's
    /// logarithm, `SR_EMPTY..=drift + warning`.
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
    /// A test against a baseline of `successes` in `trials` (the erosion CUSUM's reference
    /// is [`DropTuning::reference`]) with levels in nats. `None` when the reference is not in
    /// `(0, 1)` (no trials, no successes), a drop is not in `(0, 1)`, the collapse level
    /// factor is so large that its LLRs round to 0, or the levels are not `0 < warning ≤
    /// drift` (nothing to test: the signal is reported `Unknown`).
    pub fn new(
        successes: u32,
        trials: u32,
        tuning: &DropTuning,
        levels: (f32, f32),
    ) -> Option<Self> {
        let baseline = tuning.reference(successes, trials)?;
        // The collapse statistic's alternative is far from any error a held-out set leaves in the
        // baseline, so it compares with the point estimate; with the erosion's reference when
        // that is 1 (a failure rate of 0 has no likelihood ratio).
        let point = ratio(successes, trials)?;
        let collapse_baseline = if point < 1.0 { point } else { baseline };
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
        // Failure rates: `[reference, tuned]` of a CUSUM for `drop` against `baseline`.
        let rates = |baseline: f32, drop: f32| (1.0 - baseline, 1.0 - baseline * (1.0 - drop));
        let q16 = |x: f32| (x * Q16) as i32;
        let (p0, p1) = rates(baseline, tuning.erosion);
        let collapse = tuning.collapse.map_or([0, 0], |d| {
            let (p0, p1) = rates(collapse_baseline, d);
            llrs(p0, p1, tuning.collapse_level_factor)
        });
        // An SR statistic whose LLRs are 0 would count every bit as evidence.
        if tuning.collapse.is_some() && collapse.contains(&0) {
            return None;
        }
        Some(DropTest {
            llr: [llrs(p0, p1, 1.0), collapse],
            statistic: [0, SR_EMPTY],
            warning: q16(warning),
            drift: q16(drift),
            state: SignalState::Ok,
        })
    }

    /// Adds one outcome.
    #[inline]
    pub fn update(&mut self, failure: bool) {
        let column = usize::from(!failure);
        // Both levels are below 2³⁰ (16,000 nats in Q16), so the cap cannot overflow, and
        // the SR statistic stays within −16 nats and the cap + 17 nats before it is capped.
        let cap = self.drift + self.warning;
        let [erosion, collapse] = self.llr.map(|llr| i32::from(llr[column]) << LLR_SHIFT);
        self.statistic[0] = (self.statistic[0] + erosion).clamp(0, cap);
        if collapse != 0 {
            self.statistic[1] = (softplus_q16(self.statistic[1]) + collapse).min(cap);
        }
        let value = self.statistic[0].max(self.statistic[1]);
        self.state = self
            .state
            .step(value, self.warning / 2, self.warning, self.drift);
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.state
    }

    /// The test's value in nats: the larger statistic (the collapse statistic's in units of
    /// its scaled levels), to compare with the levels; never below 0.
    pub fn statistic(&self) -> f32 {
        self.statistic[0].max(self.statistic[1]) as f32 / Q16
    }

    /// Forgets all evidence (after the operator acknowledged a drift, or a model update).
    pub fn reset(&mut self) {
        self.statistic = [0, SR_EMPTY];
        self.state = SignalState::Ok;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tuning` against the baseline's point estimate, so the LLRs are round numbers.
    fn exact(tuning: DropTuning) -> DropTuning {
        DropTuning {
            baseline_margin: 0.0,
            ..tuning
        }
    }

    /// A baseline of 0.8 (1,600 of 2,000).
    fn test(tuning: DropTuning, levels: (f32, f32)) -> DropTest {
        DropTest::new(1_600, 2_000, &tuning, levels).unwrap()
    }

    #[test]
    fn llrs_are_the_bernoulli_log_ratios_in_q11() {
        let t = test(exact(DropTuning::DEFAULT), (5.0, 10.0));
        // Erosion: failure rate 0.2 → 0.32; collapse: 0.2 → 0.7, divided by 1.35.
        assert_eq!(
            t.llr[0],
            [(ln(1.6) * 2048.0) as i16, (ln(0.85) * 2048.0) as i16]
        );
        assert_eq!(
            t.llr[1],
            [
                (ln(3.5) / 1.35 * 2048.0) as i16,
                (ln(0.375) / 1.35 * 2048.0) as i16
            ]
        );
        assert_eq!(t.llr, [[962, -332], [1900, -1487]]);
        let single = test(exact(DropTuning::single(0.375)), (5.0, 10.0));
        assert_eq!(single.llr, [[1876, -962], [0, 0]]);
        for (successes, trials, tuning, levels) in [
            (0, 2_000, DropTuning::DEFAULT, (5.0, 10.0)),
            (0, 0, DropTuning::DEFAULT, (5.0, 10.0)),
            (1_600, 2_000, DropTuning::single(1.0), (5.0, 10.0)),
            (1_600, 2_000, DropTuning::DEFAULT, (10.0, 5.0)),
            (2_000, 2_000, exact(DropTuning::DEFAULT), (5.0, 10.0)),
            (
                1_600,
                2_000,
                DropTuning {
                    baseline_margin: f32::NAN,
                    ..DropTuning::DEFAULT
                },
                (5.0, 10.0),
            ),
        ] {
            assert!(DropTest::new(successes, trials, &tuning, levels).is_none());
        }
        // A collapse level factor so large that its LLRs round to 0: an SR statistic would
        // count every bit as evidence.
        let flat = DropTuning {
            collapse_level_factor: 1e5,
            ..DropTuning::DEFAULT
        };
        assert!(DropTest::new(1_600, 2_000, &flat, (5.0, 10.0)).is_none());
    }

    #[test]
    fn the_reference_is_one_standard_error_below_the_baseline() {
        let tuning = DropTuning::DEFAULT;
        // Wilson at z = 1: 1,600 of 2,000 → 0.7909; 80 of 100 → 0.7571.
        assert!((tuning.reference(1_600, 2_000).unwrap() - 0.790_91).abs() < 1e-4);
        assert!((tuning.reference(80, 100).unwrap() - 0.757_1).abs() < 1e-3);
        assert_eq!(exact(tuning).reference(80, 100), Some(0.8));
        assert_eq!(tuning.reference(0, 0), None);
        // A baseline that caught every positive is still tested (against 0.98 for 50 of 50).
        let perfect = DropTest::new(50, 50, &tuning, (5.0, 10.0)).unwrap();
        let reference = tuning.reference(50, 50).unwrap();
        assert!(reference > 0.97 && reference < 0.99, "{reference}");
        // The erosion LLR on a miss is ln(p1 / p0) for failure rates against that reference;
        // the collapse statistic's too, as the point estimate 1 has no failures to compare with.
        let p0 = 1.0 - reference;
        let p1 = 1.0 - reference * 0.85;
        assert_eq!(perfect.llr[0][0], (ln(p1 / p0) * 2048.0) as i16);
        let p1 = 1.0 - reference * 0.375;
        assert_eq!(perfect.llr[1][0], (ln(p1 / p0) / 1.35 * 2048.0) as i16);
        // 80 of 100: erosion against 0.757, collapse against 0.8.
        let t = DropTest::new(80, 100, &tuning, (5.0, 10.0)).unwrap();
        let r = tuning.reference(80, 100).unwrap();
        assert_eq!(
            t.llr[0][0],
            (ln((1.0 - r * 0.85) / (1.0 - r)) * 2048.0) as i16
        );
        assert_eq!(t.llr[1][0], (ln(0.7 / 0.2) / 1.35 * 2048.0) as i16);
    }

    #[test]
    fn walks_through_the_states_with_hysteresis() {
        // Erosion alone, recall 0.8 → 0.5: a miss adds ln 2.5 ≈ 0.916 nats, a catch ln 0.625
        // ≈ −0.47.
        let mut t = test(exact(DropTuning::single(0.375)), (2.0, 5.0));
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

    /// The collapse statistic after `n` failures from none, in f64: `S ← ln(1 + e^S) + llr`
    /// from `S = −∞`, with the stored Q11 LLR.
    fn shiryaev_roberts(llr_q11: i16, n: usize) -> f64 {
        let llr = f64::from(llr_q11) / 2048.0;
        (0..n).fold(f64::NEG_INFINITY, |s, _| {
            s.max(0.0) + (-s.abs()).exp().ln_1p() + llr
        })
    }

    #[test]
    fn the_collapse_statistic_fires_first_on_a_run_of_misses() {
        // A miss adds ln 1.6 ≈ 0.470 nats to the erosion CUSUM and ln 3.5 / 1.35 ≈ 0.928 to
        // the collapse SR statistic, which also carries ln(1 + e^−S) (0.33 after the first
        // miss, 0.50 in all after eleven): after 10 misses 4.70 and 9.78 (warning), after 11
        // 5.17 and 10.71 — drift, where the erosion CUSUM alone has just reached warning.
        let mut t = test(exact(DropTuning::DEFAULT), (5.0, 10.0));
        let mut erosion = test(exact(DropTuning::single(0.15)), (5.0, 10.0));
        for _ in 0..10 {
            t.update(true);
            erosion.update(true);
        }
        assert_eq!(t.state(), SignalState::Warning);
        assert_eq!(erosion.state(), SignalState::Ok);
        assert!((f64::from(t.statistic()) - 9.780).abs() < 2e-3);
        t.update(true);
        erosion.update(true);
        assert_eq!(t.state(), SignalState::Drift);
        assert_eq!(erosion.state(), SignalState::Warning);
        assert!((erosion.statistic() - 11.0 * ln(1.6)).abs() < 1e-2);
        let sr = shiryaev_roberts(t.llr[1][0], 11);
        assert!((sr - 10.708).abs() < 1e-3, "{sr}");
        assert!(
            (f64::from(t.statistic()) - sr).abs() < 2e-3,
            "{}",
            t.statistic()
        );
    }

    #[test]
    fn the_collapse_statistic_is_shiryaev_roberts_in_fixed_point() {
        // Any mix of outcomes: the Q16 statistic follows the f64 recursion within 10⁻³ nats
        // per 100 updates (the table's interpolation error), until the cap.
        let mut t = test(exact(DropTuning::DEFAULT), (50.0, 100.0));
        let [fail, pass] = t.llr[1].map(|l| f64::from(l) / 2048.0);
        let mut s = f64::NEG_INFINITY;
        let mut x = 0x2545_f491_u32;
        for i in 0..300 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            // Failures with probability 1/2: the statistic climbs (0.05 nats a bit on average).
            let failure = x & 1 == 0;
            t.update(failure);
            s = s.max(0.0) + (-s.abs()).exp().ln_1p() + if failure { fail } else { pass };
            let got = f64::from(t.statistic[1]) / 65_536.0;
            assert!(
                (got - s).abs() < 1e-3 * (1.0 + f64::from(i) / 100.0),
                "{got} vs {s} at {i}"
            );
        }
        assert!(s > 5.0 && s < 50.0, "{s}");
    }

    #[test]
    fn a_long_stable_stream_stays_near_zero_and_a_reset_forgets() {
        let mut t = test(exact(DropTuning::DEFAULT), (5.0, 10.0));
        // Recall exactly 0.8, misses evenly spread: the erosion CUSUM stays within one miss
        // (0.470 nats; four catches take 0.65 off) and the SR statistic cycles below 1.711
        // (a miss, 0.928, on top of ln(1 + e^S) ≈ 0.78 at the cycle's low of 0.17).
        let mut peak = 0.0f32;
        for i in 0..10_000 {
            t.update(i % 5 == 0);
            assert!(t.statistic() < 1.72, "{} at {i}", t.statistic());
            peak = peak.max(t.statistic());
        }
        assert!(peak > 1.70, "{peak}");
        assert_eq!(t.state(), SignalState::Ok);
        for _ in 0..20 {
            t.update(true);
        }
        assert_eq!(t.state(), SignalState::Drift);
        t.reset();
        assert_eq!((t.state(), t.statistic()), (SignalState::Ok, 0.0));
    }
}
