//! Per-signal values and what each signal's statistic means: its kind, unit and levels.

use rarewatch::monitor::{MonitorConfig, Signal};
use serde::Serialize;

/// One value per monitor signal; serialises as an object keyed by the signal names
/// (`recall`, `precision`, `alert_rate`, `score_distribution`, `estimated`,
/// `feature_range`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PerSignal<T> {
    /// Recall stream (labelled).
    pub recall: T,
    /// Precision stream (labelled).
    pub precision: T,
    /// Alert rate (label-free).
    pub alert_rate: T,
    /// Score distribution PSI (label-free).
    pub score_distribution: T,
    /// Estimated performance (label-free).
    pub estimated: T,
    /// Feature ranges (label-free).
    pub feature_range: T,
}

impl<T: Copy> PerSignal<T> {
    /// Each signal's value from `f`.
    pub fn from_fn(mut f: impl FnMut(Signal) -> T) -> Self {
        PerSignal {
            recall: f(Signal::Recall),
            precision: f(Signal::Precision),
            alert_rate: f(Signal::AlertRate),
            score_distribution: f(Signal::ScoreDistribution),
            estimated: f(Signal::Estimated),
            feature_range: f(Signal::FeatureRange),
        }
    }

    /// The value of `signal`.
    pub fn get(&self, signal: Signal) -> T {
        match signal {
            Signal::Recall => self.recall,
            Signal::Precision => self.precision,
            Signal::AlertRate => self.alert_rate,
            Signal::ScoreDistribution => self.score_distribution,
            Signal::Estimated => self.estimated,
            Signal::FeatureRange => self.feature_range,
        }
    }

    /// A mutable reference to the value of `signal`.
    pub fn get_mut(&mut self, signal: Signal) -> &mut T {
        match signal {
            Signal::Recall => &mut self.recall,
            Signal::Precision => &mut self.precision,
            Signal::AlertRate => &mut self.alert_rate,
            Signal::ScoreDistribution => &mut self.score_distribution,
            Signal::Estimated => &mut self.estimated,
            Signal::FeatureRange => &mut self.feature_range,
        }
    }
}

/// What a signal's statistic ([`rarewatch::monitor::Monitor::statistic`]) measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatisticKind {
    /// Log-likelihood-ratio statistic, nats: a Bernoulli CUSUM (alert rate, feature ranges),
    /// or for recall and precision the larger of the drop test's erosion CUSUM and its
    /// collapse Shiryaev–Roberts statistic (kept in logs). The name stays `cusum_nats` in the
    /// JSON output.
    CusumNats,
    /// Population stability index of the last chunk's score histogram (unitless).
    Psi,
    /// Relative deviation of the estimated precision or recall from the baseline (0.5 = half
    /// the baseline value away).
    RelativeDeviation,
}

impl StatisticKind {
    /// The statistic of `signal`.
    pub fn of(signal: Signal) -> Self {
        match signal {
            Signal::ScoreDistribution => StatisticKind::Psi,
            Signal::Estimated => StatisticKind::RelativeDeviation,
            Signal::Recall | Signal::Precision | Signal::AlertRate | Signal::FeatureRange => {
                StatisticKind::CusumNats
            }
        }
    }

    /// `value` as a short human phrase: `cusum 5.3 nats`, `psi 0.31`, `deviation 0.42`.
    pub fn describe(self, value: f32) -> String {
        match self {
            StatisticKind::CusumNats => format!("cusum {value:.1} nats"),
            StatisticKind::Psi => format!("psi {value:.3}"),
            StatisticKind::RelativeDeviation => format!("deviation {value:.2}"),
        }
    }
}

/// A signal's levels, in its statistic's unit.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Levels {
    /// `ok → warning` at this value.
    pub warning: f32,
    /// `→ drift` at this value.
    pub drift: f32,
}

/// The warning and drift levels of `signal` under `config`, in its statistic's unit.
pub fn levels(signal: Signal, config: &MonitorConfig) -> Levels {
    let (warning, drift) = match signal {
        Signal::Recall | Signal::Precision => config.labelled_levels,
        Signal::AlertRate => config.alert_rate_levels,
        Signal::ScoreDistribution => config.psi_levels,
        Signal::Estimated => config.estimate_levels,
        Signal::FeatureRange => config.out_of_range_levels,
    };
    Levels { warning, drift }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_signal_round_trips_every_signal() {
        let mut v = PerSignal::from_fn(|s| Signal::ALL.iter().position(|&a| a == s));
        for (k, &s) in Signal::ALL.iter().enumerate() {
            assert_eq!(v.get(s), Some(k));
            *v.get_mut(s) = None;
        }
        assert_eq!(v, PerSignal::default());
        let json = serde_json::to_value(PerSignal::from_fn(|s| s.name())).unwrap();
        for s in Signal::ALL {
            assert_eq!(json[s.name()], s.name());
        }
    }

    #[test]
    fn statistics_describe_themselves() {
        assert_eq!(
            StatisticKind::of(Signal::Recall).describe(5.31),
            "cusum 5.3 nats"
        );
        assert_eq!(
            StatisticKind::of(Signal::ScoreDistribution).describe(0.3),
            "psi 0.300"
        );
        let config = MonitorConfig::default();
        let l = levels(Signal::Estimated, &config);
        assert_eq!((l.warning, l.drift), config.estimate_levels);
    }
}
