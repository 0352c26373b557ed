//! What a training run reports: one record per epoch, collapse, the result.

use crate::network::Mlp;
use std::fmt;

/// One epoch's figures. F1 values are logged so that users see them move with the threshold;
/// they are never the stopping criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochRecord {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean training loss per row over the epoch's batches (weights as they were then).
    pub train_loss: f64,
    /// Mean training loss per validation row at the end of the epoch.
    pub val_loss: f64,
    /// Exact validation average precision.
    pub val_ap: f64,
    /// Validation ROC AUC (ties ½).
    pub val_roc_auc: f64,
    /// Validation F1 at probability 0.5 (logit 0).
    pub val_f1_at_0_5: f64,
    /// Validation F1 at the threshold that maximises it this epoch.
    pub val_f1_at_best: f64,
    /// That threshold, as a logit.
    pub val_best_threshold: f32,
    /// Validation rows predicted positive at probability 0.5.
    pub val_predicted_positive_at_0_5: usize,
    /// Whether this epoch is the best so far by the stopping criterion.
    pub improved: bool,
    /// Wall time of the epoch's training pass (batches, gradients, Adam), seconds.
    pub train_pass_seconds: f64,
    /// Wall time of the whole epoch, validation included, seconds.
    pub seconds: f64,
}

/// A model that does not separate the classes on validation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Collapse {
    /// Every validation row gets the same score: nothing is ranked.
    ConstantScores,
    /// Validation ROC AUC at or below [`CHANCE_AUC`]: ranking no better than chance.
    ChanceRanking {
        /// The validation ROC AUC.
        roc_auc: f64,
    },
    /// At probability 0.5 every validation row is predicted as `class`.
    OneClass {
        /// The only class predicted.
        class: u8,
    },
}

/// ROC AUC at or below which the ranking counts as chance.
pub const CHANCE_AUC: f64 = 0.55;

impl fmt::Display for Collapse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Collapse::ConstantScores => write!(
                f,
                "collapsed: every validation row gets the same score, the model ranks nothing"
            ),
            Collapse::ChanceRanking { roc_auc } => write!(
                f,
                "collapsed: validation ROC AUC {roc_auc:.3} is no better than chance"
            ),
            Collapse::OneClass { class } => write!(
                f,
                "collapsed at probability 0.5: every validation row is predicted {class}"
            ),
        }
    }
}

/// The outcome of [`train`](super::train).
#[derive(Debug, Clone)]
pub struct TrainResult {
    /// The network of the best epoch (restored), or of the last epoch when none improved.
    pub model: Mlp,
    /// Every epoch run, in order.
    pub history: Vec<EpochRecord>,
    /// 1-based epoch whose weights `model` holds.
    pub best_epoch: usize,
    /// Whether patience ran out before `max_epochs`.
    pub stopped_early: bool,
    /// Wall time of the training loop (validation included, reading and scaling excluded),
    /// seconds.
    pub train_seconds: f64,
    /// Worker threads used.
    pub threads: usize,
    /// Positive rows drawn per epoch (more than the positives when they are reused so that
    /// every batch has one).
    pub positive_draws_per_epoch: usize,
    /// Set when the returned model does not separate the classes on validation.
    pub collapse: Option<Collapse>,
    /// The model early stopping on validation F1 at probability 0.5 would have kept (same
    /// patience, best F1 restored): what a Keras user watching F1 would have shipped.
    pub f1_at_half_stop: Option<F1StopModel>,
}

/// The epoch and weights F1-at-0.5 early stopping would have kept.
#[derive(Debug, Clone)]
pub struct F1StopModel {
    /// 1-based epoch of the best F1 at 0.5 before its patience ran out.
    pub epoch: usize,
    /// Whether its patience ran out within the epochs trained (else it would have trained on).
    pub would_have_stopped: bool,
    /// That epoch's weights.
    pub model: Mlp,
}

impl TrainResult {
    /// The record of the epoch whose weights `model` holds.
    pub fn best(&self) -> Option<&EpochRecord> {
        self.best_epoch
            .checked_sub(1)
            .and_then(|i| self.history.get(i))
    }
}
