//! The on-device monitor: class-conditional precision and recall from the labels that arrive,
//! and label-free health signals from every prediction, in fixed memory.
//!
//! Rare positives make the overall error rate useless — a model can miss every fraud and stay
//! 99.8 % accurate — so the labelled signals are class-conditional:
//!
//! * **recall stream**: one bit per labelled positive (caught or missed);
//! * **precision stream**: one bit per labelled alert (true or false);
//!
//! each with a window, cumulative and faded counts, Wilson intervals, and a drop test (a
//! Bernoulli CUSUM for a slow erosion and a Shiryaev–Roberts statistic for a collapse;
//! [`drop_test`]) against the baseline value the model carries (measured on held-out data).
//! Without labels:
//!
//! * **alert rate**: two-sided Bernoulli CUSUM against the baseline alert rate;
//! * **score distribution**: PSI of each chunk's score histogram against the baseline's;
//! * **estimated performance**: precision and recall from calibrated probabilities (CBPE);
//! * **feature ranges**: share of rows with a feature outside its training range.
//!
//! ```
//! use rarewatch::monitor::{Monitor, MonitorConfig, SignalState};
//! use rarewatch::{Model, Scratch};
//!
//! let bytes = include_bytes!("../../examples/firmware/models/model.rwm");
//! let model = Model::from_bytes(bytes)?;
//! let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());
//! let mut scratch = Scratch::<64>::new();
//!
//! let features = [0.5f32; 30];
//! let prediction = model.predict(&features, &mut scratch)?;
//! let seq = monitor.observe(&prediction);        // every prediction
//! monitor.observe_features(&features);           // optional: training-range check
//! // … later, when the truth is known (a chargeback, a technician's verdict):
//! monitor.label(seq, true)?;
//! let health = monitor.health();
//! assert_eq!(health.rows, 1);
//! assert!(health.overall() <= SignalState::Drift);
//! # Ok::<(), rarewatch::Error>(())
//! ```
//!
//! # Memory
//!
//! Everything is inline: `size_of::<Monitor<P, W>>()` is the whole cost. `P` words hold 16
//! pending predictions each (2 bits: alert, labelled); `W` words hold 32 outcomes of each
//! labelled window. The default `Monitor` (`P = 32`: 512 pending predictions; `W = 2`: the
//! last 64 positives and 64 alerts) is 512 bytes on 32-bit targets (checked at compile time).
//! Counters saturate; nothing allocates.
//!
//! # Cost
//!
//! [`Monitor::observe`] is integer work plus one f32 multiply-add and a table lookup for the
//! probability; once per chunk (2,048 rows by default) it computes the PSI and the estimates
//! (a few float logs). [`Monitor::observe_features`] is two compares per feature.

pub mod bits;
pub mod cusum;
pub mod drop_test;
pub mod estimate;
pub mod features;
pub mod health;
pub mod histogram;
pub mod pending;
pub mod replay;
pub mod softplus;
pub mod stats;
pub mod stream;

pub use drop_test::DropTuning;
pub use health::{Health, Signal, SignalState, HEALTH_MAX_BYTES};

use crate::error::Result;
use crate::infer::Prediction;
use crate::model::Model;
use cusum::BernoulliCusum;
use estimate::PerformanceEstimate;
use features::FeatureRanges;
use health::AlertRateHealth;
use histogram::ScoreHistogram;
use pending::PendingLabels;
use stats::{ratio, Proportion};
use stream::LabelledStream;

/// Sensitivities and levels.
///
/// The default levels, at 0.2 % prevalence, recall 0.8 and alert rate 0.2 %. The alert-rate
/// CUSUMs' figures are Markov-chain average run lengths (Brook and Evans); the labelled drop
/// test's are simulated on recall bits (`bench/drift`'s `rarewatch-drift-tuning`: 20 M stable
/// positives, medians over 2,000 seeds):
///
/// | test | drift level | false drifts | shift: delay |
/// |---|---|---|---|
/// | recall drop (baseline 1,600 of 2,000; erosion CUSUM miss 0.209 → 0.328 from the reference 0.791; collapse SR statistic 0.2 → 0.7 at 12.49 nats) | 9.25 nats | 0.11 per 10 M rows (one per ≈ 190,000 positives) | median 41 positives (0.8 → 0.5), 16 (0.8 → 0.3), 464 (0.8 → 0.5 over 1,000 positives) |
/// | alert rate ×3 up | 12 nats | one per 118 M rows | mean 4,350 rows (×3), 1,310 rows (×6) |
/// | alert rate ÷3 down | 12 nats | one per > 10¹¹ rows | mean 39,000 rows (÷3), 12,000 rows (no alerts) |
///
/// Another false-alarm budget is another drift level (`labelled_levels`, warning at half of
/// it). The same simulation, false drifts counted per million labelled events of the stream
/// (and per 10 M rows at 0.2 % prevalence, every positive labelled), median delays in
/// labelled positives:
///
/// | drift level | false drifts per 10⁶ labelled events | per 10 M rows | 0.8 → 0.5 | 0.8 → 0.3 | 0.8 → 0.5 over 1,000 |
/// |---|---|---|---|---|---|
/// | 7.5 nats | 56 | 1.12 | 28 | 12 | 409 |
/// | 8.5 nats | 14 | 0.27 | 35 | 14 | 444 |
/// | 9.25 nats (default) | 5.3 | 0.106 | 41 | 16 | 464 |
/// | 10.5 nats | 0.95 | 0.019 | 51 | 19 | 493 |
/// | 12 nats | 0.2 | 0.004 | 62 | 22 | 524 |
///
/// The precision test has the same tuning (one bit per labelled alert). `bench/drift`
/// measures every signal on simulated streams, beside River's detectors (BENCHMARKS.md).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitorConfig {
    /// Relative recall drops the recall test's two statistics are tuned for (erosion CUSUM
    /// 0.15: recall 0.8 → 0.68, from one standard error below the baseline; collapse
    /// Shiryaev–Roberts 0.625: 0.8 → 0.3, at 1.35× the levels).
    pub recall_drops: DropTuning,
    /// Relative precision drops the precision test is tuned for (the same by default).
    pub precision_drops: DropTuning,
    /// Warning and drift levels of the labelled drop tests, nats.
    pub labelled_levels: (f32, f32),
    /// Alert-rate change the alert-rate CUSUMs are tuned for (3: ×3 or ÷3).
    pub alert_rate_factor: f32,
    /// Warning and drift levels of the alert-rate CUSUMs, nats.
    pub alert_rate_levels: (f32, f32),
    /// Rows per chunk for the score PSI and the estimates.
    pub chunk_rows: u16,
    /// Warning and drift levels of the score PSI.
    pub psi_levels: (f32, f32),
    /// Warning and drift levels of the estimates' relative deviation from the baseline.
    pub estimate_levels: (f32, f32),
    /// Expected share of rows with a feature out of its training range.
    pub out_of_range_rate: f32,
    /// Change of that share the feature CUSUM is tuned for.
    pub out_of_range_factor: f32,
    /// Warning and drift levels of the feature CUSUM, nats.
    pub out_of_range_levels: (f32, f32),
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            recall_drops: DropTuning::DEFAULT,
            precision_drops: DropTuning::DEFAULT,
            labelled_levels: (4.625, 9.25),
            alert_rate_factor: 3.0,
            alert_rate_levels: (6.0, 12.0),
            chunk_rows: 2048,
            psi_levels: (0.1, 0.25),
            estimate_levels: (0.25, 0.5),
            out_of_range_rate: 0.002,
            out_of_range_factor: 10.0,
            out_of_range_levels: (6.0, 12.0),
        }
    }
}

/// The monitor. `PENDING_WORDS` and `WINDOW_WORDS` size its buffers (see the module docs);
/// it borrows the model file's baseline tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor<'a, const PENDING_WORDS: usize = 32, const WINDOW_WORDS: usize = 2> {
    pending: PendingLabels<PENDING_WORDS>,
    recall: LabelledStream<WINDOW_WORDS>,
    precision: LabelledStream<WINDOW_WORDS>,
    alerts_up: Option<BernoulliCusum>,
    alerts_down: Option<BernoulliCusum>,
    expected_alert_rate: f32,
    histogram: ScoreHistogram<'a>,
    estimate: PerformanceEstimate,
    features: FeatureRanges<'a>,
    /// Alerts in the chunks already closed (saturating); the open chunk's are in `estimate`.
    closed_alerts: u32,
    labels: u32,
}

impl<'a, const PENDING_WORDS: usize, const WINDOW_WORDS: usize>
    Monitor<'a, PENDING_WORDS, WINDOW_WORDS>
{
    /// A monitor for `model`, against the baseline it carries.
    pub fn new(model: &Model<'a>, config: &MonitorConfig) -> Self {
        let baseline = model.baseline();
        let recall = ratio(baseline.true_alerts, baseline.positives);
        let precision = ratio(baseline.true_alerts, baseline.alerts);
        let alert_rate = ratio(baseline.alerts, baseline.rows).unwrap_or(0.0);
        let (warning, drift) = config.alert_rate_levels;
        let decision = model.decision();
        Monitor {
            pending: PendingLabels::new(),
            recall: LabelledStream::new(
                baseline.true_alerts,
                baseline.positives,
                &config.recall_drops,
                config.labelled_levels,
            ),
            precision: LabelledStream::new(
                baseline.true_alerts,
                baseline.alerts,
                &config.precision_drops,
                config.labelled_levels,
            ),
            alerts_up: BernoulliCusum::new(
                alert_rate,
                (alert_rate * config.alert_rate_factor).min(0.5),
                warning,
                drift,
            ),
            alerts_down: BernoulliCusum::new(
                alert_rate,
                alert_rate / config.alert_rate_factor,
                warning,
                drift,
            ),
            expected_alert_rate: alert_rate,
            histogram: ScoreHistogram::new(
                baseline.score_edges,
                baseline.score_counts,
                config.chunk_rows,
                config.psi_levels,
            ),
            estimate: PerformanceEstimate::new(
                decision.platt_a * decision.logit_scale,
                decision.platt_b,
                precision.zip(recall),
                config.estimate_levels,
            ),
            features: FeatureRanges::new(
                baseline.feature_ranges,
                config.out_of_range_rate,
                config.out_of_range_factor,
                config.out_of_range_levels,
            ),
            closed_alerts: 0,
            labels: 0,
        }
    }

    /// Observes one prediction (label-free signals) and returns its sequence number, by which
    /// a label can be given later.
    #[inline]
    pub fn observe(&mut self, prediction: &Prediction) -> u32 {
        let alert = prediction.alert;
        if let Some(c) = &mut self.alerts_up {
            c.update(alert);
        }
        self.estimate.observe(prediction.score, alert);
        self.histogram.observe(prediction.score);
        if self.histogram.chunk_full() {
            self.close_chunk();
        }
        self.pending.record(alert)
    }

    /// Ends a chunk: PSI and the estimates. Out of line: once per chunk.
    #[cold]
    #[inline(never)]
    fn close_chunk(&mut self) {
        let rows = self.histogram.chunk_rows();
        // A falling alert rate is slow to show (tens of thousands of rows), so its CUSUM
        // takes the chunk's counts at once instead of costing every row.
        let alerts = self.estimate.chunk_alerts();
        self.closed_alerts = self.closed_alerts.saturating_add(alerts);
        if let Some(c) = &mut self.alerts_down {
            c.update_batch(alerts, u32::from(rows));
        }
        self.histogram.close_chunk();
        self.estimate.close_chunk(rows);
    }

    /// Checks one row's raw features against the training ranges; returns how many are out.
    pub fn observe_features(&mut self, features: &[f32]) -> u32 {
        self.features.observe(features)
    }

    /// The true class of prediction `seq`. A positive feeds the recall stream (caught if it
    /// alerted); a label on an alert feeds the precision stream. Errors if `seq` is unknown,
    /// older than the pending buffer, or already labelled; nothing changes then.
    pub fn label(&mut self, seq: u32, positive: bool) -> Result<()> {
        let alert = self.pending.take(seq)?;
        self.record_outcome(alert, positive);
        Ok(())
    }

    /// A labelled outcome known directly (the caller kept the decision), bypassing the
    /// pending buffer.
    pub fn record_outcome(&mut self, alert: bool, positive: bool) {
        self.labels = self.labels.saturating_add(1);
        if positive {
            self.recall.push(alert);
        }
        if alert {
            self.precision.push(positive);
        }
    }

    /// Predictions observed (saturating): closed chunks plus the open one, so the per-row
    /// path keeps no separate counter.
    pub fn rows(&self) -> u32 {
        self.histogram.rows_seen()
    }

    /// Sequence number the next prediction will get.
    pub fn next_seq(&self) -> u32 {
        self.pending.next_seq()
    }

    /// The state of one signal (cheaper than a whole [`health`](Self::health) snapshot).
    pub fn state(&self, signal: Signal) -> SignalState {
        match signal {
            Signal::Recall => self.recall.state(),
            Signal::Precision => self.precision.state(),
            Signal::AlertRate => self.alert_rate_state(),
            Signal::ScoreDistribution => self.histogram.state(),
            Signal::Estimated => self.estimate.state(),
            Signal::FeatureRange => self.features.state(),
        }
    }

    /// The value one signal's state is judged on: the statistic in nats (recall and
    /// precision: the larger of the drop test's two; feature ranges; for the alert rate the
    /// larger of the upward and downward CUSUMs), the last chunk's PSI (score distribution),
    /// or the larger relative deviation of the estimated precision and recall from the
    /// baseline (estimated). 0 for a signal that
    /// is not tested. Compare it with the levels in [`MonitorConfig`].
    pub fn statistic(&self, signal: Signal) -> f32 {
        let cusum = |c: &Option<BernoulliCusum>| c.as_ref().map_or(0.0, BernoulliCusum::statistic);
        match signal {
            Signal::Recall => self.recall.statistic(),
            Signal::Precision => self.precision.statistic(),
            Signal::AlertRate => cusum(&self.alerts_up).max(cusum(&self.alerts_down)),
            Signal::ScoreDistribution => self.histogram.health().psi,
            Signal::Estimated => self.estimate.deviation(),
            Signal::FeatureRange => self.features.statistic(),
        }
    }

    fn alert_rate_state(&self) -> SignalState {
        let up = self
            .alerts_up
            .as_ref()
            .map_or(SignalState::Unknown, BernoulliCusum::state);
        let down = self
            .alerts_down
            .as_ref()
            .map_or(SignalState::Unknown, BernoulliCusum::state);
        up.max(down)
    }

    /// A snapshot of every signal.
    pub fn health(&self) -> Health {
        let recall = self.recall.health();
        let precision = self.precision.health();
        Health {
            rows: self.rows(),
            labels: self.labels,
            recall,
            precision,
            f1: stats::f1(precision.window.value, recall.window.value),
            alert_rate: AlertRateHealth {
                state: self.alert_rate_state(),
                observed: Proportion::wilson(
                    self.closed_alerts
                        .saturating_add(self.estimate.chunk_alerts()),
                    self.rows(),
                ),
                expected: self.expected_alert_rate,
                cusum_up: self
                    .alerts_up
                    .as_ref()
                    .map_or(0.0, BernoulliCusum::statistic),
                cusum_down: self
                    .alerts_down
                    .as_ref()
                    .map_or(0.0, BernoulliCusum::statistic),
            },
            score: self.histogram.health(),
            estimated: self.estimate.health(),
            features: self.features.health(),
        }
    }
}

/// The documented size of the default monitor on 32-bit targets, checked at compile time.
#[cfg(target_pointer_width = "32")]
const _: [(); 512] = [(); core::mem::size_of::<Monitor<'static>>()];
