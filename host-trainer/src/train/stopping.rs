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

#[cfg(test)]
mod tests {
    use super::*;

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
