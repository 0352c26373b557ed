//! The training loop: stratified batches, data-parallel gradients summed in a fixed order,
//! Adam, validation each epoch, early stopping with restore-best.

use super::adam::Adam;
use super::batches::epoch_batches;
use super::config::{ConfigError, TrainConfig};
use super::evaluate::{logits_padded, val_figures, CHUNK_ROWS};
use super::history::{Collapse, EpochRecord, F1StopModel, TrainResult, CHANCE_AUC};
use super::kernels::Workspace;
use super::layout::Layout;
use super::padded::{pad_rows, PaddedNet};
use super::stopping::{EarlyStopping, ShadowF1Stop, Verdict};
use crate::rng::Rng;
use rayon::prelude::*;
use std::fmt;
use std::time::Instant;

/// Scaled rows with labels: `x` row-major, `y.len()` rows.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    /// Features, `y.len() × features`, row-major, already scaled.
    pub x: &'a [f32],
    /// Labels, 0 or 1.
    pub y: &'a [u8],
}

/// Why training could not run or finish.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TrainError {
    /// An option out of range.
    Config(ConfigError),
    /// Inconsistent matrix and label sizes.
    Shape(String),
    /// A part lacks a class (`part` is `"training"` or `"validation"`).
    MissingClass { part: &'static str, class: u8 },
    /// The loss became NaN or infinite.
    Diverged { epoch: usize },
    /// The worker thread pool could not be started.
    Threads(String),
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(e) => write!(f, "{e}"),
            TrainError::Shape(why) => write!(f, "inconsistent training data: {why}"),
            TrainError::MissingClass { part, class } => {
                write!(f, "the {part} rows contain no row of class {class}")
            }
            TrainError::Diverged { epoch } => write!(
                f,
                "training diverged at epoch {epoch} (loss not finite); lower the learning rate"
            ),
            TrainError::Threads(why) => write!(f, "cannot start worker threads: {why}"),
        }
    }
}

impl std::error::Error for TrainError {}

fn check_part(part: Labelled<'_>, name: &'static str, width: usize) -> Result<(), TrainError> {
    if part.y.is_empty() || part.x.len() != part.y.len() * width {
        return Err(TrainError::Shape(format!(
            "{name}: {} values for {} rows of {width} features",
            part.x.len(),
            part.y.len()
        )));
    }
    if let Some(bad) = part.y.iter().find(|&&y| y > 1) {
        return Err(TrainError::Shape(format!(
            "{name}: label {bad} is not 0 or 1"
        )));
    }
    for class in [0, 1] {
        if !part.y.contains(&class) {
            return Err(TrainError::MissingClass { part: name, class });
        }
    }
    Ok(())
}

/// Trains an MLP on `train`, stopping early on `val`, and calls `progress` after every epoch.
/// The library prints nothing.
///
/// Reproducible: the same data, options and seed give the same weights bit for bit, with
/// any thread count — batches are cut into fixed 256-row chunks whose gradients
/// are summed in chunk order.
pub fn train(
    train: Labelled<'_>,
    val: Labelled<'_>,
    features: usize,
    config: &TrainConfig,
    progress: &mut dyn FnMut(&EpochRecord),
) -> Result<TrainResult, TrainError> {
    config.validate().map_err(TrainError::Config)?;
    if features == 0 {
        return Err(TrainError::Shape("no features".to_string()));
    }
    check_part(train, "training", features)?;
    check_part(val, "validation", features)?;
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| TrainError::Threads(e.to_string()))?;
    run(&pool, train, val, features, config, progress)
}

fn run(
    pool: &rayon::ThreadPool,
    train: Labelled<'_>,
    val: Labelled<'_>,
    features: usize,
    config: &TrainConfig,
    progress: &mut dyn FnMut(&EpochRecord),
) -> Result<TrainResult, TrainError> {
    let threads = pool.current_num_threads();
    let start = Instant::now();
    let layout = Layout::new(features, &config.hidden);
    let mut pos: Vec<usize> = (0..train.y.len()).filter(|&i| train.y[i] == 1).collect();
    let mut neg: Vec<usize> = (0..train.y.len()).filter(|&i| train.y[i] == 0).collect();
    let root = Rng::new(config.seed);
    let mut init_rng = root.fork(1);
    let mut batch_rng = root.fork(2);
    let output_bias = (pos.len() as f64 / neg.len() as f64).ln() as f32;
    let mut params = layout.initial_params(output_bias, &mut init_rng);
    let mut best_params = params.clone();
    let batch_rows = config.batch_rows(train.y.len());
    let mut adam = Adam::new(layout.len);
    let decay_mask = layout.weight_mask();
    let mut grad = vec![0.0f32; layout.len];
    let mut net = PaddedNet::new(&layout);
    let train_x = pad_rows(train.x, features, net.input_width());
    let val_x = pad_rows(val.x, features, net.input_width());
    let mut chunks: Vec<Workspace> = Vec::new();
    let mut stopping = EarlyStopping::new(config.stop_on, config.patience, config.min_delta);
    let mut shadow = ShadowF1Stop::new(config.patience);
    let mut shadow_params = params.clone();
    let mut history = Vec::new();
    let (mut best_epoch, mut stopped_early, mut positive_draws) = (0, false, 0);

    for epoch in 1..=config.max_epochs {
        let epoch_start = Instant::now();
        let batches = epoch_batches(&mut pos, &mut neg, batch_rows, &mut batch_rng);
        positive_draws = batches.positive_draws;
        let mut loss_total = 0.0f64;
        for bounds in batches.bounds.windows(2) {
            let rows = &batches.rows[bounds[0]..bounds[1]];
            let used = rows.len().div_ceil(CHUNK_ROWS);
            while chunks.len() < used {
                chunks.push(Workspace::new(&net, CHUNK_ROWS));
            }
            let scale = 1.0 / rows.len() as f32;
            net.load(&layout, &params);
            let net_ref = &net;
            pool.install(|| {
                chunks[..used]
                    .par_iter_mut()
                    .zip(rows.par_chunks(CHUNK_ROWS))
                    .for_each(|(work, sub)| {
                        work.gather(&train_x, train.y, sub);
                        work.forward(net_ref);
                        work.backward(net_ref, &config.loss, scale);
                    })
            });
            grad.fill(0.0);
            for work in &chunks[..used] {
                work.grad.add_to(&layout, &mut grad);
                loss_total += work.loss_sum;
            }
            adam.step(
                &mut params,
                &grad,
                config.learning_rate,
                config.weight_decay,
                &decay_mask,
            );
        }
        let train_loss = loss_total / batches.rows.len() as f64;
        if !train_loss.is_finite() || params.iter().any(|p| !p.is_finite()) {
            return Err(TrainError::Diverged { epoch });
        }
        let train_pass_seconds = epoch_start.elapsed().as_secs_f64();
        net.load(&layout, &params);
        let figures =
            pool.install(|| val_figures(&logits_padded(&net, &val_x), val.y, &config.loss));
        let verdict = stopping.update(figures.loss, figures.ap);
        if verdict == Verdict::Improved {
            best_params.copy_from_slice(&params);
            best_epoch = epoch;
        }
        if shadow.update(epoch, figures.f1_at_half) {
            shadow_params.copy_from_slice(&params);
        }
        let record = EpochRecord {
            epoch,
            train_loss,
            val_loss: figures.loss,
            val_ap: figures.ap,
            val_roc_auc: figures.roc_auc,
            val_f1_at_0_5: figures.f1_at_half,
            val_f1_at_best: figures.f1_at_best,
            val_best_threshold: figures.best_threshold,
            val_predicted_positive_at_0_5: figures.predicted_positive_at_half,
            improved: verdict == Verdict::Improved,
            train_pass_seconds,
            seconds: epoch_start.elapsed().as_secs_f64(),
        };
        progress(&record);
        history.push(record);
        if verdict == Verdict::Stop {
            stopped_early = epoch < config.max_epochs;
            break;
        }
    }
    if best_epoch == 0 {
        best_params.copy_from_slice(&params);
        best_epoch = history.len();
    }
    net.load(&layout, &best_params);
    let figures = pool.install(|| val_figures(&logits_padded(&net, &val_x), val.y, &config.loss));
    let collapse = if figures.constant {
        Some(Collapse::ConstantScores)
    } else if figures.roc_auc <= CHANCE_AUC {
        Some(Collapse::ChanceRanking {
            roc_auc: figures.roc_auc,
        })
    } else if figures.predicted_positive_at_half == 0 {
        Some(Collapse::OneClass { class: 0 })
    } else if figures.predicted_positive_at_half == val.y.len() {
        Some(Collapse::OneClass { class: 1 })
    } else {
        None
    };
    let (f1_epoch, f1_stopped) = shadow.outcome();
    Ok(TrainResult {
        f1_at_half_stop: (f1_epoch > 0).then(|| F1StopModel {
            epoch: f1_epoch,
            would_have_stopped: f1_stopped,
            model: layout.to_mlp(&shadow_params),
        }),
        model: layout.to_mlp(&best_params),
        history,
        best_epoch,
        stopped_early,
        train_seconds: start.elapsed().as_secs_f64(),
        threads,
        positive_draws_per_epoch: positive_draws,
        collapse,
    })
}
