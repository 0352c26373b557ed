//! CBPE-style performance estimates without labels: if the calibrated probabilities are
//! right, the expected number of true alerts is the sum of the alerts' probabilities, and the
//! expected number of positives is the sum over all rows.
//!
//! Per row the probability comes from a 257-entry sigmoid table (linear interpolation,
//! error below 10⁻⁴) indexed by the logit in Q12 fixed point, not from `exp`: an update is one
//! integer multiply-shift, a table lookup and three adds, with no float (so it stays cheap on
//! parts without an FPU). Sums are taken per chunk and faded across chunks (each chunk keeps
//! 7/8 of the past), so the estimates follow the last ~8 chunks.

use crate::monitor::health::{EstimatedHealth, SignalState};

/// Steps per unit of logit in the sigmoid table.
const STEPS_PER_UNIT: f32 = 16.0;
/// The table covers logits `[-HALF_RANGE, HALF_RANGE]`; above, the end value; below, 0.
const HALF_RANGE: f32 = 8.0;
const TABLE_LEN: usize = 257;

/// `e^x` in const context: `(e^(x/256))^256`, with a 12-term series for the small argument.
const fn const_exp(x: f64) -> f64 {
    let y = x / 256.0;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1;
    while k < 12 {
        term = term * y / k as f64;
        sum += term;
        k += 1;
    }
    let mut i = 0;
    while i < 8 {
        sum *= sum;
        i += 1;
    }
    sum
}

/// `sigmoid(z)` in Q16 (65,535 = 1) at `z = −8 + k/16`.
const SIGMOID_Q16: [u16; TABLE_LEN] = {
    let mut table = [0u16; TABLE_LEN];
    let mut k = 0;
    while k < TABLE_LEN {
        let z = -(HALF_RANGE as f64) + k as f64 / STEPS_PER_UNIT as f64;
        let p = 1.0 / (1.0 + const_exp(-z));
        table[k] = (p * 65_535.0 + 0.5) as u16;
        k += 1;
    }
    table
};

/// One unit of logit in the Q12 fixed point of [`sigmoid_q16`].
pub const Z_ONE: i32 = 1 << 12;

/// `sigmoid(z)` in Q16 for a logit in Q12 (`z_q12 = z · 4096`), from the table: 256 table
/// steps of 1/16 over `[−8, 8]`, 256 interpolation steps within each; clamped above the
/// table, **0 below it**.
///
/// Below `−8` the probability is under `sigmoid(−8) ≈ 3.4·10⁻⁴` and is taken as 0 rather
/// than the table's end value: in a rare-event stream most rows sit there (95 % at 0.2 %
/// prevalence), and the end value summed over them added about 15 % to the expected
/// positives, so the estimated recall of a calibrated model read 0.69 instead of 0.80
/// (bench/drift). Taking 0 drops only the mass below the table (0.6 % of the expected
/// positives in that stream).
#[inline]
pub fn sigmoid_q16(z_q12: i32) -> u32 {
    let half_range = HALF_RANGE as i32 * Z_ONE;
    let t = z_q12.saturating_add(half_range);
    if t < 0 {
        return 0;
    }
    // 0 ..= 65,535: the top 8 bits pick the table step, the low 8 interpolate.
    let t = t.min(2 * half_range - 1) as u32;
    let index = (t >> 8) as usize;
    let frac = t & 0xFF;
    let lo = u32::from(SIGMOID_Q16.get(index).copied().unwrap_or(u16::MAX));
    let hi = u32::from(SIGMOID_Q16.get(index + 1).copied().unwrap_or(u16::MAX));
    // The table rises: hi ≥ lo.
    lo + ((hi.saturating_sub(lo) * frac) >> 8)
}

/// Chunked, faded sums of calibrated probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceEstimate {
    /// `z = slope · score + intercept` (Platt folded with the logit scale), in fixed point:
    /// `z_q12 = (score · slope_q28) >> 16 + intercept_q12`.
    slope_q28: i32,
    intercept_q12: i32,
    /// Scores beyond these give `|z| ≥ 8` (the table's ends): clamping the score first keeps
    /// the fixed-point product in range without 64-bit compares.
    score_lo: i32,
    score_hi: i32,
    /// This chunk's Q16 sums: all rows, alerted rows; and its alerts.
    chunk_p: u32,
    chunk_p_alerts: u32,
    chunk_alerts: u32,
    /// Faded sums over past chunks, in probability units and rows.
    faded_p: f32,
    faded_p_alerts: f32,
    faded_alerts: f32,
    faded_rows: f32,
    baseline_precision: f32,
    baseline_recall: f32,
    levels: (f32, f32),
    state: SignalState,
}

/// Fraction of the past kept at each chunk boundary.
const FADE: f32 = 7.0 / 8.0;
/// Faded alerts needed before the estimates get a state.
const MIN_ALERTS: f32 = 10.0;

impl PerformanceEstimate {
    /// Estimates against a baseline precision and recall; `levels` are relative deviations
    /// (e.g. 0.25 and 0.5). `Unknown` state when the baseline has no alerts or positives.
    pub fn new(
        slope: f32,
        intercept: f32,
        baseline: Option<(f32, f32)>,
        levels: (f32, f32),
    ) -> Self {
        let (baseline_precision, baseline_recall) = baseline.unwrap_or((0.0, 0.0));
        // Scores where z = slope·score + intercept reaches ±8 (`as` saturates at i32's ends),
        // widened by one so a clamped score still lands beyond the table (0 below it).
        let (score_lo, score_hi) = if slope == 0.0 {
            (0, 0)
        } else {
            let a = (-HALF_RANGE - intercept) / slope;
            let b = (HALF_RANGE - intercept) / slope;
            (
                (a.min(b) as i32).saturating_sub(1),
                (a.max(b) as i32).saturating_add(1),
            )
        };
        PerformanceEstimate {
            // `as` saturates: a slope beyond ±8 per score unit (never seen: scores are
            // accumulators of thousands) would clip, not wrap.
            slope_q28: (slope * (1u32 << 28) as f32) as i32,
            intercept_q12: (intercept * Z_ONE as f32) as i32,
            score_lo,
            score_hi,
            chunk_p: 0,
            chunk_p_alerts: 0,
            chunk_alerts: 0,
            faded_p: 0.0,
            faded_p_alerts: 0.0,
            faded_alerts: 0.0,
            faded_rows: 0.0,
            baseline_precision,
            baseline_recall,
            levels,
            state: if baseline_precision > 0.0 && baseline_recall > 0.0 {
                SignalState::Ok
            } else {
                SignalState::Unknown
            },
        }
    }

    /// Adds one prediction.
    #[inline]
    pub fn observe(&mut self, score: i32, alert: bool) {
        let score = score.max(self.score_lo).min(self.score_hi);
        // After the clamp |score · slope| ≤ 8 + |slope| + |intercept|: the Q12 logit fits in 32 bits.
        let z_q12 = ((i64::from(score) * i64::from(self.slope_q28)) >> 16) as i32;
        let p = sigmoid_q16(z_q12.saturating_add(self.intercept_q12));
        self.chunk_p = self.chunk_p.saturating_add(p);
        if alert {
            self.chunk_p_alerts = self.chunk_p_alerts.saturating_add(p);
            self.chunk_alerts += 1;
        }
    }

    /// Alerts in the current chunk so far.
    pub fn chunk_alerts(&self) -> u32 {
        self.chunk_alerts
    }

    /// Folds the chunk of `rows` rows into the faded sums and updates the state.
    #[cold]
    #[inline(never)]
    pub fn close_chunk(&mut self, rows: u16) {
        const ONE: f32 = 65_535.0;
        self.faded_p = self.faded_p * FADE + self.chunk_p as f32 / ONE;
        self.faded_p_alerts = self.faded_p_alerts * FADE + self.chunk_p_alerts as f32 / ONE;
        self.faded_alerts = self.faded_alerts * FADE + self.chunk_alerts as f32;
        self.faded_rows = self.faded_rows * FADE + f32::from(rows);
        self.chunk_p = 0;
        self.chunk_p_alerts = 0;
        self.chunk_alerts = 0;
        if self.state == SignalState::Unknown || self.faded_alerts < MIN_ALERTS {
            return;
        }
        let deviation = self.deviation();
        let (warning, drift) = self.levels;
        self.state = self.state.step(deviation, warning / 2.0, warning, drift);
    }

    /// The larger relative deviation of the estimated precision and recall from the
    /// baseline's (0.5: half the baseline value away), as of the last closed chunk: what the
    /// state is judged on. 0 without a baseline, and while the faded sums hold too few alerts
    /// for a verdict.
    pub fn deviation(&self) -> f32 {
        if self.baseline_precision <= 0.0
            || self.baseline_recall <= 0.0
            || self.faded_alerts < MIN_ALERTS
        {
            return 0.0;
        }
        let (precision, recall) = (self.precision(), self.recall());
        ((precision - self.baseline_precision) / self.baseline_precision)
            .abs()
            .max(((recall - self.baseline_recall) / self.baseline_recall).abs())
    }

    fn precision(&self) -> f32 {
        if self.faded_alerts > 0.0 {
            self.faded_p_alerts / self.faded_alerts
        } else {
            0.0
        }
    }

    fn recall(&self) -> f32 {
        if self.faded_p > 0.0 {
            self.faded_p_alerts / self.faded_p
        } else {
            0.0
        }
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.state
    }

    /// The snapshot (as of the last closed chunk).
    pub fn health(&self) -> EstimatedHealth {
        EstimatedHealth {
            state: self.state,
            precision: self.precision(),
            recall: self.recall(),
            prevalence: if self.faded_rows > 0.0 {
                self.faded_p / self.faded_rows
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_sigmoid() {
        for k in -1000..=1000 {
            let z = k as f64 / 100.0;
            let exact = 1.0 / (1.0 + (-z).exp());
            let got = f64::from(sigmoid_q16((z * f64::from(Z_ONE)).round() as i32)) / 65_535.0;
            let tolerance = if z.abs() <= 8.0 { 1e-4 } else { 4e-4 };
            assert!((got - exact).abs() < tolerance, "z {z}: {got} vs {exact}");
        }
        assert_eq!(sigmoid_q16(-8 * Z_ONE), u32::from(SIGMOID_Q16[0]));
        assert_eq!(
            sigmoid_q16(-8 * Z_ONE - 1),
            0,
            "below the table: 0, not the end value"
        );
        assert_eq!(sigmoid_q16(-100 * Z_ONE), 0);
        assert_eq!(sigmoid_q16(i32::MIN), 0);
        let top = u32::from(SIGMOID_Q16[TABLE_LEN - 1]);
        assert!(sigmoid_q16(100 * Z_ONE).abs_diff(top) <= 1);
        assert!(sigmoid_q16(i32::MAX).abs_diff(top) <= 1);
    }

    #[test]
    fn rows_far_below_the_table_add_no_expected_positives() {
        // A rare-event chunk: 10,000 rows at logit −12 (p 6·10⁻⁶) and 4 alerts at logit 3.
        // The table's end value (3.4·10⁻⁴) on each quiet row would add 3.4 expected positives
        // and read recall 0.53; taking 0 reads 1.0, the exact value being 0.98.
        let mut e = PerformanceEstimate::new(1.0, 0.0, Some((0.9, 0.9)), (0.25, 0.5));
        for _ in 0..10_000 {
            e.observe(-12, false);
        }
        for _ in 0..4 {
            e.observe(3, true);
        }
        e.close_chunk(10_004);
        let recall = e.health().recall;
        assert!(recall > 0.99, "{recall}");
    }

    #[test]
    fn estimates_are_probability_sums() {
        // slope 1, intercept 0: score is the logit. Two alerts at z = 2 (p 0.881), eight
        // quiet rows at z = −4 (p 0.018).
        let mut e = PerformanceEstimate::new(1.0, 0.0, Some((0.8, 0.9)), (0.25, 0.5));
        for _ in 0..2 {
            e.observe(2, true);
        }
        for _ in 0..8 {
            e.observe(-4, false);
        }
        e.close_chunk(10);
        let h = e.health();
        let (p2, p4) = (0.880_797, 0.017_986);
        assert!((h.precision - p2).abs() < 1e-3, "{h:?}");
        assert!(
            (h.recall - 2.0 * p2 / (2.0 * p2 + 8.0 * p4)).abs() < 1e-3,
            "{h:?}"
        );
        assert!(
            (h.prevalence - (2.0 * p2 + 8.0 * p4) / 10.0).abs() < 1e-3,
            "{h:?}"
        );
        assert_eq!(h.state, SignalState::Ok, "too few alerts for a verdict");
    }
}
