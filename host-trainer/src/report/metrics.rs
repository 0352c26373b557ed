//! The figures of `metrics.json` (**contract**: the keys DESIGN.md's CLI section lists are
//! always present; more may be added).

use serde::Serialize;

use crate::split::{SplitCounts, SplitKind};
use crate::threshold::Stability;
use crate::train::EpochRecord;

/// Ranking and threshold metrics on one part (`M` in the design).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Average precision (step-wise, exact); `null` without positives.
    pub ap: Option<f64>,
    /// ROC AUC; `null` unless both classes are present.
    pub roc_auc: Option<f64>,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// Rows scored.
    pub rows: usize,
    /// Positive rows.
    pub positives: usize,
    /// Rows at or above the threshold.
    pub alerts: usize,
    /// Positive rows at or above the threshold.
    pub true_alerts: usize,
}

/// Validation and test metrics of one model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parts {
    /// Validation part.
    pub val: Metrics,
    /// Test part.
    pub test: Metrics,
}

/// Rows and positives of one part.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartReport {
    /// Rows.
    pub rows: usize,
    /// Positive rows.
    pub positives: usize,
}

/// The split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SplitReport {
    /// `"time"` or `"stratified"`.
    pub kind: &'static str,
    /// Shuffle seed of a stratified split.
    pub seed: Option<u64>,
    /// Training part.
    pub train: PartReport,
    /// Validation part.
    pub validation: PartReport,
    /// Test part.
    pub test: PartReport,
}

impl SplitReport {
    /// From the split kind and its counts.
    pub fn new(kind: SplitKind, counts: &SplitCounts) -> Self {
        let part = |p: crate::split::PartCounts| PartReport {
            rows: p.rows,
            positives: p.positives,
        };
        let (kind, seed) = match kind {
            SplitKind::Time => ("time", None),
            SplitKind::Stratified { seed } => ("stratified", Some(seed)),
        };
        SplitReport {
            kind,
            seed,
            train: part(counts.train),
            validation: part(counts.val),
            test: part(counts.test),
        }
    }
}

/// One epoch as `metrics.json` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpochLog {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss per row.
    pub train_loss: f64,
    /// Mean validation loss per row.
    pub val_loss: f64,
    /// Exact validation AP.
    pub val_ap: f64,
    /// Validation F1 at probability 0.5.
    pub val_f1_at_0_5: f64,
    /// Validation F1 at that epoch's best threshold.
    pub val_f1_at_best: f64,
    /// Validation ROC AUC.
    pub val_roc_auc: f64,
    /// Seconds of the epoch (training pass and validation).
    pub seconds: f64,
}

impl From<&EpochRecord> for EpochLog {
    fn from(e: &EpochRecord) -> Self {
        EpochLog {
            epoch: e.epoch,
            train_loss: e.train_loss,
            val_loss: e.val_loss,
            val_ap: e.val_ap,
            val_f1_at_0_5: e.val_f1_at_0_5,
            val_f1_at_best: e.val_f1_at_best,
            val_roc_auc: e.val_roc_auc,
            seconds: e.seconds,
        }
    }
}

/// The threshold's bootstrap stability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StabilityReport {
    /// Bootstrap resamples of the validation rows.
    pub rounds: usize,
    /// 5th–95th percentile of the threshold chosen on each resample.
    pub threshold_interval: (i32, i32),
    /// 5th–95th percentile of the objective's metric at the chosen threshold.
    pub metric_interval: (f64, f64),
    /// 5th–95th percentile of precision at the chosen threshold.
    pub precision_interval: (f64, f64),
    /// 5th–95th percentile of recall at the chosen threshold.
    pub recall_interval: (f64, f64),
    /// Thresholds whose objective value is within 2 % of the best.
    pub plateau: (i32, i32),
    /// Resamples where the objective could not be met.
    pub unreachable_rounds: usize,
}

impl From<Stability> for StabilityReport {
    fn from(s: Stability) -> Self {
        StabilityReport {
            rounds: s.rounds,
            threshold_interval: s.threshold_interval,
            metric_interval: s.metric_interval,
            precision_interval: s.precision_interval,
            recall_interval: s.recall_interval,
            plateau: s.plateau,
            unreachable_rounds: s.unreachable_rounds,
        }
    }
}

/// The chosen operating point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdReport {
    /// The objective, as given (`f1`, `precision>=0.9`, …).
    pub objective: String,
    /// Alert when the int8 score (output accumulator) is at least this.
    pub score: i32,
    /// The same threshold as a real logit (before calibration).
    pub logit: f64,
    /// The calibrated probability at the threshold.
    pub probability: f64,
    /// Validation precision at the threshold.
    pub val_precision: f64,
    /// Validation recall at the threshold.
    pub val_recall: f64,
    /// Validation F1 at the threshold.
    pub val_f1: f64,
    /// The objective's value on validation.
    pub objective_value: f64,
    /// Bootstrap stability.
    pub stability: StabilityReport,
}

/// Probability calibration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationReport {
    /// Platt slope.
    pub platt_a: f64,
    /// Platt intercept.
    pub platt_b: f64,
    /// Real logit per score unit.
    pub logit_scale: f64,
}

/// The model early stopping on F1 at 0.5 would have shipped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct F1StopReport {
    /// The epoch it keeps.
    pub epoch: usize,
    /// Whether its patience ran out within the epochs trained.
    pub would_have_stopped: bool,
    /// Its validation F1 at 0.5.
    pub val_f1_at_0_5: f64,
    /// Its float model on test, at probability 0.5.
    pub test_at_0_5: Metrics,
}

/// The table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataReport {
    /// Rows read.
    pub rows: usize,
    /// Feature columns.
    pub features: usize,
    /// Positive rows.
    pub positives: usize,
    /// Label column.
    pub label: String,
}

/// How the device's input ranges were chosen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputClipReport {
    /// Tail quantile of the chosen input bounds (0: training minimum and maximum).
    pub quantile: f64,
    /// `(quantile, int8 validation AP)` of every candidate, widest first.
    pub tried: Vec<(f64, f64)>,
}

/// `metrics.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// The table.
    pub data: DataReport,
    /// Rows and positives per part.
    pub split: SplitReport,
    /// The early-stopping criterion (`val_ap` or `val_loss`).
    pub stopped_on: &'static str,
    /// The epoch whose weights the model holds.
    pub best_epoch: usize,
    /// Whether patience ran out before the epoch limit.
    pub stopped_early: bool,
    /// Every epoch.
    pub epochs: Vec<EpochLog>,
    /// Wall time of the training loop (reading the file excluded), seconds.
    pub train_seconds: f64,
    /// The float model at its own threshold for the same objective.
    pub float: Parts,
    /// The int8 model (what the device computes) at the exported threshold.
    pub int8: Parts,
    /// The exported threshold.
    pub threshold: ThresholdReport,
    /// Calibration.
    pub calibration: CalibrationReport,
    /// The device's input clip: the tail quantile kept and the int8 validation AP of each
    /// tried (see `input_clip`).
    pub input_clip: InputClipReport,
    /// What stopping on F1 at 0.5 would have shipped.
    pub f1_at_0_5_stop: Option<F1StopReport>,
    /// Bytes of the model file.
    pub model_bytes: usize,
    /// Scratch RAM per inference, bytes.
    pub scratch_bytes: usize,
    /// Multiply-accumulates per inference.
    pub macs: usize,
    /// Set when the model does not separate the classes at probability 0.5.
    pub collapse: Option<String>,
    /// Things the user should know.
    pub warnings: Vec<String>,
}
