//! The health snapshot: every signal's state and estimates, small enough to send as
//! telemetry.

use serde::{Deserialize, Serialize};

use crate::monitor::stats::Proportion;

/// The state of one signal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[serde(rename_all = "lowercase")]
pub enum SignalState {
    /// Not enough baseline to test (e.g. the model carries no positives), or switched off.
    #[default]
    Unknown,
    /// Consistent with the baseline.
    Ok,
    /// Evidence of a shift, not yet conclusive.
    Warning,
    /// A shift, at the configured false-alarm rate.
    Drift,
}

impl SignalState {
    /// The next state of a level-based signal (a CUSUM statistic, a PSI): `Warning` at
    /// `warning`, `Drift` at `drift`; `Drift` holds until the value falls below `warning`,
    /// and `Warning` until it falls below `warning_exit`. The gap is the hysteresis that stops
    /// a value hovering at a level from flapping.
    #[inline]
    pub fn step<T: PartialOrd>(
        self,
        value: T,
        warning_exit: T,
        warning: T,
        drift: T,
    ) -> SignalState {
        if value >= drift {
            return SignalState::Drift;
        }
        match self {
            SignalState::Drift if value >= warning => SignalState::Drift,
            SignalState::Warning | SignalState::Drift if value < warning_exit => SignalState::Ok,
            SignalState::Warning | SignalState::Drift => SignalState::Warning,
            _ if value >= warning => SignalState::Warning,
            _ => SignalState::Ok,
        }
    }

    /// Lower-case name (`"ok"`, `"warning"`, `"drift"`, `"unknown"`).
    pub fn name(self) -> &'static str {
        match self {
            SignalState::Unknown => "unknown",
            SignalState::Ok => "ok",
            SignalState::Warning => "warning",
            SignalState::Drift => "drift",
        }
    }
}

/// The signals a monitor tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Recall stream: one bit per labelled positive (caught or missed).
    Recall,
    /// Precision stream: one bit per labelled alert (true or false).
    Precision,
    /// Share of rows that alert, against the baseline rate (label-free).
    AlertRate,
    /// PSI of the score histogram against the baseline's (label-free).
    ScoreDistribution,
    /// CBPE-style precision and recall estimated from calibrated probabilities (label-free).
    Estimated,
    /// Rows with a feature outside its training range (label-free).
    FeatureRange,
}

impl Signal {
    /// Every signal, in report order.
    pub const ALL: [Signal; 6] = [
        Signal::Recall,
        Signal::Precision,
        Signal::AlertRate,
        Signal::ScoreDistribution,
        Signal::Estimated,
        Signal::FeatureRange,
    ];

    /// Snake-case name (`"recall"`, `"alert_rate"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Signal::Recall => "recall",
            Signal::Precision => "precision",
            Signal::AlertRate => "alert_rate",
            Signal::ScoreDistribution => "score_distribution",
            Signal::Estimated => "estimated",
            Signal::FeatureRange => "feature_range",
        }
    }
}

/// A labelled stream (recall or precision).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StreamHealth {
    /// Drop-test state against the baseline.
    pub state: SignalState,
    /// The last window's proportion (e.g. the last 64 labelled positives).
    pub window: Proportion,
    /// Every labelled event so far.
    pub cumulative: Proportion,
    /// Exponentially faded estimate (half-life about 44 events).
    pub faded: f32,
    /// The baseline value the model carries (held-out data).
    pub baseline: f32,
    /// Drop-test statistic, nats: the larger of its erosion CUSUM and its collapse SR
    /// statistic (see `drop_test`).
    pub cusum: f32,
}

/// The alert rate (label-free).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AlertRateHealth {
    /// State of the two-sided CUSUM.
    pub state: SignalState,
    /// Alerts among all rows observed.
    pub observed: Proportion,
    /// The baseline alert rate (held-out data).
    pub expected: f32,
    /// Upward CUSUM statistic, nats.
    pub cusum_up: f32,
    /// Downward CUSUM statistic, nats.
    pub cusum_down: f32,
}

/// The score distribution (label-free).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ScoreHealth {
    /// State of the PSI against its levels.
    pub state: SignalState,
    /// PSI of the last complete chunk against the baseline histogram.
    pub psi: f32,
    /// Chunks completed.
    pub chunks: u32,
}

/// Performance estimated without labels.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EstimatedHealth {
    /// State of the larger relative deviation from the baseline.
    pub state: SignalState,
    /// Estimated precision (mean calibrated probability over alerts).
    pub precision: f32,
    /// Estimated recall (expected true alerts over expected positives).
    pub recall: f32,
    /// Expected share of positives (mean calibrated probability).
    pub prevalence: f32,
}

/// Features outside their training ranges (label-free).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FeatureHealth {
    /// CUSUM state of the share of rows with any feature out of range.
    pub state: SignalState,
    /// Rows checked.
    pub rows: u32,
    /// Rows with at least one feature out of range.
    pub rows_out_of_range: u32,
    /// Bit `i` set: feature `i` (< 64) has been out of range.
    pub features_seen: u64,
}

/// One snapshot of everything the monitor knows.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Health {
    /// Predictions observed (saturating).
    pub rows: u32,
    /// Labels received (saturating).
    pub labels: u32,
    /// Recall stream.
    pub recall: StreamHealth,
    /// Precision stream.
    pub precision: StreamHealth,
    /// F1 of the windowed precision and recall.
    pub f1: f32,
    /// Alert rate.
    pub alert_rate: AlertRateHealth,
    /// Score distribution.
    pub score: ScoreHealth,
    /// Estimated performance.
    pub estimated: EstimatedHealth,
    /// Feature ranges.
    pub features: FeatureHealth,
}

/// Largest postcard encoding of a [`Health`], in bytes: a telemetry buffer of this size
/// always suffices (checked by a test against a snapshot with every field at its widest).
pub const HEALTH_MAX_BYTES: usize = 200;

impl Health {
    /// The state of one signal.
    pub fn state(&self, signal: Signal) -> SignalState {
        match signal {
            Signal::Recall => self.recall.state,
            Signal::Precision => self.precision.state,
            Signal::AlertRate => self.alert_rate.state,
            Signal::ScoreDistribution => self.score.state,
            Signal::Estimated => self.estimated.state,
            Signal::FeatureRange => self.features.state,
        }
    }

    /// The worst state over all signals.
    pub fn overall(&self) -> SignalState {
        Signal::ALL
            .iter()
            .map(|&s| self.state(s))
            .max()
            .unwrap_or_default()
    }

    /// Encodes the snapshot with postcard into `buf` (telemetry); returns the bytes used.
    pub fn to_postcard<'b>(
        &self,
        buf: &'b mut [u8; HEALTH_MAX_BYTES],
    ) -> crate::Result<&'b mut [u8]> {
        postcard::to_slice(self, buf).map_err(|_| crate::Error::CapacityExceeded {
            needed: HEALTH_MAX_BYTES + 1,
            capacity: HEALTH_MAX_BYTES,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_has_hysteresis() {
        use SignalState::*;
        let step = |s: SignalState, v: f32| s.step(v, 0.05, 0.1, 0.25);
        assert_eq!(step(Ok, 0.09), Ok);
        assert_eq!(step(Ok, 0.1), Warning);
        assert_eq!(step(Warning, 0.06), Warning);
        assert_eq!(step(Warning, 0.04), Ok);
        assert_eq!(step(Warning, 0.3), Drift);
        assert_eq!(step(Drift, 0.12), Drift);
        assert_eq!(step(Drift, 0.08), Warning);
        assert_eq!(step(Drift, 0.01), Ok);
        assert_eq!(step(Unknown, 0.01), Ok);
    }

    #[test]
    fn widest_snapshot_fits_the_telemetry_buffer() {
        let p = Proportion {
            value: f32::MAX,
            lo: f32::MAX,
            hi: f32::MAX,
            trials: u32::MAX,
        };
        let s = StreamHealth {
            state: SignalState::Drift,
            window: p,
            cumulative: p,
            faded: 1.0,
            baseline: 1.0,
            cusum: 1.0,
        };
        let h = Health {
            rows: u32::MAX,
            labels: u32::MAX,
            recall: s,
            precision: s,
            f1: 1.0,
            alert_rate: AlertRateHealth {
                state: SignalState::Drift,
                observed: p,
                expected: 1.0,
                cusum_up: 1.0,
                cusum_down: 1.0,
            },
            score: ScoreHealth {
                state: SignalState::Drift,
                psi: 1.0,
                chunks: u32::MAX,
            },
            estimated: EstimatedHealth {
                state: SignalState::Drift,
                precision: 1.0,
                recall: 1.0,
                prevalence: 1.0,
            },
            features: FeatureHealth {
                state: SignalState::Drift,
                rows: u32::MAX,
                rows_out_of_range: u32::MAX,
                features_seen: u64::MAX,
            },
        };
        let mut buf = [0u8; HEALTH_MAX_BYTES];
        let used = h.to_postcard(&mut buf).unwrap().len();
        assert!(
            used <= HEALTH_MAX_BYTES && used > HEALTH_MAX_BYTES - 40,
            "{used} bytes"
        );
        let back: Health = postcard::from_bytes(&buf[..used]).unwrap();
        assert_eq!(back, h);
    }
}
