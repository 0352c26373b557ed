//! Training options and their defaults.

use std::fmt;

/// The per-row training loss on the output logit `z` (probability `p = σ(z)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Loss {
    /// Binary cross-entropy, positives weighted by `pos_weight`:
    /// `−(w·y·ln p + (1 − y)·ln(1 − p))` (PyTorch's `BCEWithLogitsLoss(pos_weight)`).
    Bce {
        /// Weight of a positive row relative to a negative one (1 = unweighted).
        pos_weight: f32,
    },
    /// Focal loss (Lin et al. 2017): `−α·y·(1 − p)^γ·ln p − (1 − α)·(1 − y)·p^γ·ln(1 − p)`;
    /// down-weights rows the model already gets right.
    Focal {
        /// Focusing exponent γ ≥ 0 (0 is weighted BCE).
        gamma: f32,
        /// Positive-class weight α in (0, 1).
        alpha: f32,
    },
}

/// What early stopping watches on the validation part (never F1, which flaps with the
/// threshold: it is logged only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopOn {
    /// Validation loss (the training loss on validation rows); lower is better.
    ValLoss,
    /// Exact validation average precision; higher is better.
    ValAp,
}

/// Everything that shapes a training run. Same options and seed → the same weights, bit for
/// bit, whatever the thread count.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Hidden layer widths, first to last (ReLU); the output is one logit.
    pub hidden: Vec<usize>,
    /// Adam step size.
    pub learning_rate: f32,
    /// Decoupled (AdamW) weight decay per step, on weights only (not biases); 0 = none.
    pub weight_decay: f32,
    /// Rows per mini-batch; 0 = automatic ([`TrainConfig::batch_rows`]).
    pub batch_size: usize,
    /// Upper bound on epochs (passes over the training rows).
    pub max_epochs: usize,
    /// Training loss.
    pub loss: Loss,
    /// Early-stopping criterion.
    pub stop_on: StopOn,
    /// Epochs without an improvement larger than `min_delta` before stopping.
    pub patience: usize,
    /// Smallest change of the criterion that counts as an improvement (loss or AP units).
    pub min_delta: f64,
    /// Seed of the initial weights and the batch order.
    pub seed: u64,
    /// Worker threads; 0 = all available cores. Does not change the result.
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: vec![32, 16],
            learning_rate: 1e-3,
            weight_decay: 0.0,
            batch_size: 0,
            max_epochs: 100,
            loss: Loss::Bce { pos_weight: 1.0 },
            stop_on: StopOn::ValAp,
            patience: 10,
            min_delta: 1e-4,
            seed: 0,
            threads: 0,
        }
    }
}

/// An option out of its range.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid training option: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Most worker threads a run may ask for: far beyond any core count, low enough that a typo
/// (`--threads 100000`) is an error rather than minutes spent starting threads.
pub const MAX_THREADS: usize = 1024;

/// Automatic batches give at least this many optimizer steps per epoch.
pub const AUTO_STEPS_PER_EPOCH: usize = 64;
/// Automatic batch size bounds, rows.
pub const AUTO_BATCH_RANGE: (usize, usize) = (64, 2048);

impl TrainConfig {
    /// Rows per batch for `train_rows` training rows: `batch_size`, or when that is 0,
    /// `train_rows / 64` rounded up to a power of two within 64..=2048 — 2048 for large tables
    /// (creditcard), smaller for small ones so that an epoch still takes enough Adam steps for
    /// patience counted in epochs to make sense (mammography's 6,710 rows: 128).
    pub fn batch_rows(&self, train_rows: usize) -> usize {
        if self.batch_size > 0 {
            return self.batch_size;
        }
        let (lo, hi) = AUTO_BATCH_RANGE;
        train_rows
            .div_ceil(AUTO_STEPS_PER_EPOCH)
            .next_power_of_two()
            .clamp(lo, hi)
    }

    /// Checks every option's range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |why: String| Err(ConfigError(why));
        if self.hidden.contains(&0) {
            return fail(format!("hidden widths must be > 0, got {:?}", self.hidden));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return fail(format!(
                "learning rate must be > 0, got {}",
                self.learning_rate
            ));
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            return fail(format!(
                "weight decay must be ≥ 0, got {}",
                self.weight_decay
            ));
        }
        if self.threads > MAX_THREADS {
            return fail(format!(
                "threads must be at most {MAX_THREADS} (0: all cores), got {}",
                self.threads
            ));
        }
        if self.max_epochs == 0 {
            return fail("epochs must be > 0".to_string());
        }
        if !(self.min_delta >= 0.0 && self.min_delta.is_finite()) {
            return fail(format!("min-delta must be ≥ 0, got {}", self.min_delta));
        }
        match self.loss {
            Loss::Bce { pos_weight } if !(pos_weight > 0.0 && pos_weight.is_finite()) => {
                fail(format!("positive weight must be > 0, got {pos_weight}"))
            }
            Loss::Focal { gamma, alpha }
                if !(gamma >= 0.0 && gamma.is_finite() && alpha > 0.0 && alpha < 1.0) =>
            {
                fail(format!(
                    "focal loss needs γ ≥ 0 and 0 < α < 1, got γ {gamma}, α {alpha}"
                ))
            }
            _ => Ok(()),
        }
    }
}
