//! Early stopping with patience and min-delta, remembering the best epoch.

use super::config::StopOn;

/// What one epoch's criterion value means for training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Better than the best so far by more than min-delta: the new best.
    Improved,
    /// Not better; patience not yet exhausted.
    Wait,
    /// `patience` epochs without improvement: stop.
    Stop,
}

/// Tracks the best criterion value.
#[derive(Debug, Clone)]
pub(crate) struct EarlyStopping {
    stop_on: StopOn,
    patience: usize,
    min_delta: f64,
    best: Option<f64>,
    waited: usize,
}

impl EarlyStopping {
    pub(crate) fn new(stop_on: StopOn, patience: usize, min_delta: f64) -> Self {
        EarlyStopping {
            stop_on,
            patience,
            min_delta,
            best: None,
            waited: 0,
        }
    }

    /// Takes one epoch's validation loss and AP; a NaN criterion never improves.
    pub(crate) fn update(&mut self, val_loss: f64, val_ap: f64) -> Verdict {
        let value = match self.stop_on {
            StopOn::ValLoss => -val_loss,
            StopOn::ValAp => val_ap,
        };
        let improved = value.is_finite() && self.best.is_none_or(|b| value > b + self.min_delta);
        if improved {
            self.best = Some(value);
            self.waited = 0;
            Verdict::Improved
        } else {
            self.waited += 1;
            if self.waited >= self.patience {
                Verdict::Stop
            } else {
                Verdict::Wait
            }
        }
    }
}

/// What early stopping on validation F1 at probability 0.5 would have done (Keras'
/// `EarlyStopping(monitor=f1, patience, restore_best_weights=True)`): the epoch it would have
/// kept. Tracked beside the real criterion to show users the difference; it never stops
/// training.
#[derive(Debug, Clone)]
pub(crate) struct ShadowF1Stop {
    patience: usize,
    best: Option<f64>,
    best_epoch: usize,
    waited: usize,
    stopped: bool,
}

impl ShadowF1Stop {
    pub(crate) fn new(patience: usize) -> Self {
        ShadowF1Stop {
            patience,
            best: None,
            best_epoch: 0,
            waited: 0,
            stopped: false,
        }
    }

    /// Takes one epoch's F1 at 0.5; returns true when this epoch becomes the one kept.
    pub(crate) fn update(&mut self, epoch: usize, f1_at_half: f64) -> bool {
        if self.stopped {
            return false;
        }
        if self.best.is_none_or(|b| f1_at_half > b) && f1_at_half.is_finite() {
            self.best = Some(f1_at_half);
            self.best_epoch = epoch;
            self.waited = 0;
            return true;
        }
        self.waited += 1;
        self.stopped = self.waited >= self.patience;
        false
    }

    /// The epoch F1-at-0.5 early stopping keeps, and whether it would have stopped by now.
    pub(crate) fn outcome(&self) -> (usize, bool) {
        (self.best_epoch, self.stopped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_f1_stop_keeps_the_best_f1_until_patience_runs_out() {
        let mut shadow = ShadowF1Stop::new(2);
        let f1 = [0.0, 0.4, 0.1, 0.2, 0.9, 0.95];
        let kept: Vec<bool> = f1
            .iter()
            .enumerate()
            .map(|(i, &f)| shadow.update(i + 1, f))
            .collect();
        // 0.4 at epoch 2, then two epochs without a better F1: stopped before seeing 0.9.
        assert_eq!(kept, [true, true, false, false, false, false]);
        assert_eq!(shadow.outcome(), (2, true));
    }

    #[test]
    fn ap_with_patience_and_min_delta() {
        let mut s = EarlyStopping::new(StopOn::ValAp, 2, 0.01);
        assert_eq!(s.update(9.0, 0.50), Verdict::Improved);
        assert_eq!(s.update(9.0, 0.505), Verdict::Wait); // within min-delta
        assert_eq!(s.update(9.0, 0.52), Verdict::Improved);
        assert_eq!(s.update(9.0, f64::NAN), Verdict::Wait);
        assert_eq!(s.update(9.0, 0.10), Verdict::Stop);
    }

    #[test]
    fn loss_is_minimised() {
        let mut s = EarlyStopping::new(StopOn::ValLoss, 1, 0.0);
        assert_eq!(s.update(0.5, 0.0), Verdict::Improved);
        assert_eq!(s.update(0.4, 0.0), Verdict::Improved);
        assert_eq!(s.update(0.45, 0.9), Verdict::Stop);
    }
}
