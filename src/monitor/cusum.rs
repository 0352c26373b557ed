//! Bernoulli CUSUM: the log-likelihood-ratio test for a rate moving from `p0` to `p1`.
//!
//! Used by the label-free signals (alert rate, feature ranges); the labelled streams use two
//! of these in [`drop_test`](super::drop_test), with compact LLRs. Each observation adds
//! `ln(p1/p0)` when the watched event happens (an alert, a row out of range) and
//! `ln((1−p1)/(1−p0))` when it does not; the statistic is clamped
//! at 0, so it only accumulates evidence for the shift. The LLRs are computed once, in f32,
//! when the monitor is built, and stored in Q16 fixed point: every update is an integer add,
//! a clamp and two compares.

use crate::math::ln;
use crate::monitor::health::SignalState;

/// One in Q16 fixed point.
const Q16: f32 = 65_536.0;

/// A Bernoulli CUSUM with warning and drift levels and hysteresis.
///
/// States: `Ok → Warning` at the warning level, `→ Drift` at the drift level;
/// `Drift → Warning` once the statistic falls below the warning level and
/// `Warning → Ok` below half of it. The statistic is capped at `drift + warning`, so once a
/// shift ends the state recovers in bounded time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BernoulliCusum {
    /// Q16 LLR added on an event.
    llr_event: i32,
    /// Q16 LLR added on a non-event (negative for an upward shift).
    llr_quiet: i32,
    /// Q16 statistic, `0..=cap`.
    statistic: i32,
    warning: i32,
    drift: i32,
    state: SignalState,
}

impl BernoulliCusum {
    /// A test for a rate shift `p0 → p1` with levels in nats. `None` when the rates are not
    /// both in `(0, 1)` or are equal (nothing to test: the signal is reported `Unknown`).
    pub fn new(p0: f32, p1: f32, warning_nats: f32, drift_nats: f32) -> Option<Self> {
        let valid = |p: f32| p > 0.0 && p < 1.0;
        if !(valid(p0) && valid(p1) && p0 != p1 && warning_nats > 0.0 && drift_nats >= warning_nats)
        {
            return None;
        }
        let q16 = |x: f32| (x * Q16) as i32;
        Some(BernoulliCusum {
            llr_event: q16(ln(p1 / p0)),
            llr_quiet: q16(ln((1.0 - p1) / (1.0 - p0))),
            statistic: 0,
            warning: q16(warning_nats),
            drift: q16(drift_nats),
            state: SignalState::Ok,
        })
    }

    /// Adds one observation.
    #[inline]
    pub fn update(&mut self, event: bool) {
        let llr = if event {
            self.llr_event
        } else {
            self.llr_quiet
        };
        // Both levels are positive and below 2³⁰ (nats in Q16), so the cap cannot overflow.
        let cap = self.drift.wrapping_add(self.warning);
        let statistic = self.statistic.saturating_add(llr).max(0).min(cap);
        self.statistic = statistic;
        // Below the warning level in state Ok nothing changes: the usual case, two compares.
        if statistic >= self.warning || self.state != SignalState::Ok {
            self.state = self
                .state
                .step(statistic, self.warning / 2, self.warning, self.drift);
        }
    }

    /// Adds `trials` observations at once, `events` of them events (`events ≤ trials`): the
    /// CUSUM of batch sums, clamped at 0 once per batch. Used for slow signals (the alert rate
    /// falling) that need not cost anything per row.
    pub fn update_batch(&mut self, events: u32, trials: u32) {
        let quiet = trials.saturating_sub(events);
        let llr = i64::from(events) * i64::from(self.llr_event)
            + i64::from(quiet) * i64::from(self.llr_quiet);
        let cap = self.drift.wrapping_add(self.warning);
        let statistic = (i64::from(self.statistic) + llr).clamp(0, i64::from(cap)) as i32;
        self.statistic = statistic;
        self.state = self
            .state
            .step(statistic, self.warning / 2, self.warning, self.drift);
    }

    /// The current state.
    pub fn state(&self) -> SignalState {
        self.state
    }

    /// The statistic in nats.
    pub fn statistic(&self) -> f32 {
        self.statistic as f32 / Q16
    }

    /// Forgets all evidence (after the operator acknowledged a drift, or a model update).
    pub fn reset(&mut self) {
        self.statistic = 0;
        self.state = SignalState::Ok;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llrs_are_the_bernoulli_log_ratios() {
        let c = BernoulliCusum::new(0.2, 0.5, 2.0, 5.0).unwrap();
        assert_eq!(c.llr_event, (ln(2.5) * 65536.0) as i32);
        assert_eq!(c.llr_quiet, (ln(0.5 / 0.8) * 65536.0) as i32);
        assert!(BernoulliCusum::new(0.0, 0.5, 2.0, 5.0).is_none());
        assert!(BernoulliCusum::new(0.3, 0.3, 2.0, 5.0).is_none());
        assert!(BernoulliCusum::new(0.3, 0.5, 5.0, 2.0).is_none());
    }

    #[test]
    fn walks_through_the_states_with_hysteresis() {
        // Each event adds ln 2.5 ≈ 0.916 nats; each quiet step ln(0.625) ≈ −0.47.
        let mut c = BernoulliCusum::new(0.2, 0.5, 2.0, 5.0).unwrap();
        c.update(true);
        c.update(true);
        assert_eq!(c.state(), SignalState::Ok); // 1.83 < 2
        c.update(true);
        assert_eq!(c.state(), SignalState::Warning); // 2.75
        for _ in 0..3 {
            c.update(true);
        }
        assert_eq!(c.state(), SignalState::Drift); // 5.5
        for _ in 0..10 {
            c.update(true);
        }
        assert!(
            (c.statistic() - 7.0).abs() < 1e-3,
            "capped at drift + warning"
        );
        // 7.0 − 0.47k: still ≥ 2 for k ≤ 10 → drift holds; below 2 → warning; below 1 → ok.
        for _ in 0..10 {
            c.update(false);
        }
        assert_eq!(c.state(), SignalState::Drift);
        c.update(false);
        assert_eq!(c.state(), SignalState::Warning); // 1.83
        c.update(false);
        c.update(false);
        assert_eq!(c.state(), SignalState::Ok); // 0.89 < 1
        for _ in 0..100 {
            c.update(false);
        }
        assert_eq!(c.statistic(), 0.0);
    }

    #[test]
    fn a_batch_adds_the_same_evidence_as_its_rows() {
        let mut rows = BernoulliCusum::new(0.2, 0.5, 5.0, 10.0).unwrap();
        let mut batch = rows.clone();
        // 6 events in 10 trials, events first: the per-row statistic never touches 0.
        for i in 0..10 {
            rows.update(i < 6);
        }
        batch.update_batch(6, 10);
        assert_eq!(rows.statistic, batch.statistic);
        // The rows passed the warning level on the way (5.5 nats after 6 events) and stay in
        // Warning by hysteresis; the batch only sees its end value (3.6 nats).
        assert_eq!(
            (rows.state(), batch.state()),
            (SignalState::Warning, SignalState::Ok)
        );
    }
}
