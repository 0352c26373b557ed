//! A labelled Bernoulli stream (recall or precision): window, cumulative and faded counts,
//! and a drop test (an erosion CUSUM and a collapse Shiryaev–Roberts statistic) against the
//! baseline.

use crate::monitor::bits::BitWindow;
use crate::monitor::drop_test::{DropTest, DropTuning};
use crate::monitor::health::{SignalState, StreamHealth};
use crate::monitor::stats::{ratio, Proportion};

/// Fade shift for the faded counts: each event keeps `1 − 2⁻⁶` of the past (half-life ≈ 44
/// events).
const FADE_SHIFT: u32 = 6;
/// One event in the faded counts' Q16 fixed point.
const ONE: u32 = 1 << 16;

/// Successes and trials of one labelled stream.
///
/// For recall a success is a caught positive; for precision, a true alert. The drop test
/// watches failures (misses, false alerts) rising from the baseline failure rate.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledStream<const WORDS: usize> {
    window: BitWindow<WORDS>,
    successes: u32,
    trials: u32,
    /// Q16 faded successes and trials.
    faded_successes: u32,
    faded_trials: u32,
    test: Option<DropTest>,
    baseline: f32,
}

impl<const WORDS: usize> LabelledStream<WORDS> {
    /// A stream whose baseline is `successes` in `trials` (e.g. held-out true alerts in
    /// positives, for recall); its drop test looks for the rate falling by the relative drops
    /// of `tuning` from a reference a little below it, with `levels` (nats). No baseline
    /// (`trials` 0, or nothing to test): counts only, state `Unknown`.
    pub fn new(successes: u32, trials: u32, tuning: &DropTuning, levels: (f32, f32)) -> Self {
        let test = DropTest::new(successes, trials, tuning, levels);
        let baseline = ratio(successes, trials).unwrap_or(0.0);
        LabelledStream {
            window: BitWindow::new(),
            successes: 0,
            trials: 0,
            faded_successes: 0,
            faded_trials: 0,
            test,
            baseline,
        }
    }

    /// Adds one labelled outcome.
    pub fn push(&mut self, success: bool) {
        self.window.push(success);
        self.trials = self.trials.saturating_add(1);
        self.successes = self.successes.saturating_add(u32::from(success));
        self.faded_trials = self.faded_trials - (self.faded_trials >> FADE_SHIFT) + ONE;
        self.faded_successes = self.faded_successes - (self.faded_successes >> FADE_SHIFT)
            + if success { ONE } else { 0 };
        if let Some(test) = &mut self.test {
            test.update(!success);
        }
    }

    /// The drop test's state (`Unknown` without a baseline).
    pub fn state(&self) -> SignalState {
        self.test
            .as_ref()
            .map_or(SignalState::Unknown, DropTest::state)
    }

    /// The drop test's statistic in nats (0 without a baseline).
    pub fn statistic(&self) -> f32 {
        self.test.as_ref().map_or(0.0, DropTest::statistic)
    }

    /// The snapshot.
    pub fn health(&self) -> StreamHealth {
        let window = Proportion::wilson(self.window.ones() as u32, self.window.len() as u32);
        StreamHealth {
            state: self.state(),
            window,
            cumulative: Proportion::wilson(self.successes, self.trials),
            faded: if self.faded_trials > 0 {
                self.faded_successes as f32 / self.faded_trials as f32
            } else {
                0.0
            },
            baseline: self.baseline,
            cusum: self.statistic(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_saturate_and_the_faded_counts_stay_bounded() {
        let mut s = LabelledStream::<2>::new(80, 100, &DropTuning::DEFAULT, (3.0, 6.0));
        (s.successes, s.trials) = (u32::MAX - 2, u32::MAX - 1);
        for _ in 0..3 {
            s.push(true);
        }
        assert_eq!((s.successes, s.trials), (u32::MAX, u32::MAX));
        let h = s.health();
        assert_eq!(h.cumulative.trials, u32::MAX);
        assert_eq!(h.cumulative.value, 1.0);
        assert!(h.cumulative.lo > 0.999 && h.cumulative.hi == 1.0);
        // Each event keeps 63/64 of the past: the Q16 faded trials approach 64 events from
        // below and never pass them, far from u32::MAX.
        for i in 0..10_000 {
            s.push(i % 4 != 0);
            assert!(s.faded_trials <= ONE << FADE_SHIFT);
            assert!(s.faded_successes <= s.faded_trials);
        }
        assert!(s.faded_trials > (ONE << FADE_SHIFT) - ONE);
        assert!((s.health().faded - 0.75).abs() < 0.05);
    }

    #[test]
    fn counts_and_detects_a_recall_drop() {
        let mut s = LabelledStream::<2>::new(80, 100, &DropTuning::DEFAULT, (3.0, 6.0));
        for i in 0..100 {
            s.push(i % 5 != 0); // recall 0.8
        }
        let h = s.health();
        assert_eq!((h.cumulative.trials, h.window.trials), (100, 64));
        assert!((h.cumulative.value - 0.8).abs() < 1e-6);
        assert!((h.faded - 0.8).abs() < 0.05, "{}", h.faded);
        assert_eq!(h.state, SignalState::Ok);
        let mut delay = 0;
        while s.state() != SignalState::Drift {
            s.push(delay % 2 == 0); // recall 0.5
            delay += 1;
            assert!(delay < 200);
        }
        assert!(delay < 60, "{delay} positives to detect 0.8 → 0.5");
        assert_eq!(
            h.baseline, 0.8,
            "the baseline reported is the point estimate"
        );
        assert_eq!(
            LabelledStream::<1>::new(0, 0, &DropTuning::DEFAULT, (3.0, 6.0)).state(),
            SignalState::Unknown
        );
    }
}
