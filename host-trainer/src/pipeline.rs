//! The whole `train` pipeline on a loaded table: split, scale, train, quantize, calibrate,
//! choose the threshold on the int8 model's scores, check int8 against float, and assemble the
//! model file, golden vectors and the report's figures. Writes nothing: the CLI (and the demo)
//! decide where the results go.

use std::fmt;

use crate::calibrate::Platt;
use crate::data::Dataset;
use crate::golden::golden_vectors;
use crate::input_clip::{choose_clip, clip_rows, ScaledColumns, CANDIDATE_QUANTILES};
use crate::metrics::{average_precision, confusion_at, roc_auc, Score};
use crate::model_file::{BaselineTables, ModelTables};
use crate::quantize::{check_shape, quantize, QuantizeError};
use crate::report::metrics::{
    EpochLog, F1StopReport, InputClipReport, Metrics, Parts, SplitReport, ThresholdReport,
    TrainReport,
};
use crate::rng::Rng;
use crate::scale::{RobustScaler, DEFAULT_CLIP_QUANTILE};
use crate::split::{Split, SplitError, SplitKind};
use crate::threshold::{choose, stability, Objective, ThresholdError};
use crate::train::{
    predict_logits, train, EpochRecord, Labelled, StopOn, TrainConfig, TrainError, TrainResult,
};

/// Everything `train` can be told.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// How rows become train / validation / test.
    pub split: SplitKind,
    /// The operating point the threshold is chosen for.
    pub objective: Objective,
    /// Network, optimiser, loss and early stopping.
    pub train: TrainConfig,
    /// Scaler clip quantile (0: clip at the training min/max).
    pub clip_quantile: f64,
    /// Largest validation AP the int8 model may lose against the float model before `train`
    /// refuses to export it.
    pub int8_tolerance: f64,
    /// Bootstrap resamples for the threshold's stability.
    pub bootstrap_rounds: usize,
    /// Bins of the score histogram the monitor compares against (at most 16).
    pub score_bins: usize,
    /// Training rows (a seeded sample, both classes as they come) for activation ranges.
    pub calibration_rows: usize,
    /// Golden vectors written for firmware tests.
    pub golden_rows: usize,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            split: SplitKind::Time,
            objective: Objective::FBeta(1.0),
            train: TrainConfig::default(),
            clip_quantile: DEFAULT_CLIP_QUANTILE,
            int8_tolerance: 0.01,
            bootstrap_rounds: 200,
            score_bins: 10,
            calibration_rows: 20_000,
            golden_rows: 64,
        }
    }
}

/// Why `train` produced no model.
#[derive(Debug)]
pub enum PipelineError {
    /// A part of the split lacks a class.
    Split(SplitError),
    /// Training failed (bad option, divergence).
    Train(TrainError),
    /// The model does not separate the classes on validation.
    Collapsed(String),
    /// The float model could not be quantized.
    Quantize(QuantizeError),
    /// No threshold meets the objective.
    Threshold(ThresholdError),
    /// The int8 model loses too much validation AP against the float model.
    Int8Loss {
        /// Float validation AP.
        float_ap: f64,
        /// Int8 validation AP.
        int8_ap: f64,
        /// The allowed loss.
        tolerance: f64,
    },
    /// The model file could not be built (a bug: the writer validates what it writes).
    Model(rarewatch::Error),
}

impl fmt::Display for PipelineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineError::Split(e) => write!(f, "{e}"),
            PipelineError::Train(e) => write!(f, "training failed: {e}"),
            PipelineError::Collapsed(why) => write!(f, "the model is unusable: {why}"),
            PipelineError::Quantize(e) => write!(f, "{e}"),
            PipelineError::Threshold(e) => write!(f, "{e}"),
            PipelineError::Int8Loss {
                float_ap,
                int8_ap,
                tolerance,
            } => write!(
                f,
                "the int8 model loses {:.4} validation AP against the float model ({int8_ap:.4} vs \
                 {float_ap:.4}; allowed {tolerance}): not exported. Try a wider network \
                 (--hidden), or allow the loss with --int8-tolerance",
                float_ap - int8_ap
            ),
            PipelineError::Model(e) => write!(f, "could not build the model file: {e}"),
        }
    }
}

impl std::error::Error for PipelineError {}

/// One chart of the report, as SVG.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File name in the report folder (`*.svg`).
    pub file: &'static str,
    /// The SVG document.
    pub svg: String,
}

/// What a successful run produced.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model file.
    pub model_bytes: Vec<u8>,
    /// Golden vectors (test rows scored through the `rarewatch` crate).
    pub golden: Vec<u8>,
    /// The figures of `metrics.json`.
    pub report: TrainReport,
    /// The report's charts.
    pub charts: Vec<Chart>,
}

/// Progress of a run, for a progress bar.
pub enum Progress<'a> {
    /// The data is split and scaled; training starts (`max_epochs` at most).
    Training {
        /// Epoch limit.
        max_epochs: usize,
    },
    /// One epoch finished.
    Epoch(&'a EpochRecord),
    /// Training ended; quantization, calibration and threshold selection run.
    Finishing,
}

fn part_rows(data: &Dataset, rows: &[usize]) -> (Vec<f32>, Vec<u8>) {
    let n = data.features();
    let mut x = Vec::with_capacity(rows.len() * n);
    for &r in rows {
        x.extend_from_slice(data.row(r));
    }
    (x, rows.iter().map(|&r| data.labels[r]).collect())
}

/// Ranking and threshold metrics of `scores` at `threshold`.
pub fn metrics_at<S: Score + PartialOrd>(scores: &[S], labels: &[u8], threshold: S) -> Metrics {
    let c = confusion_at(scores, labels, threshold);
    Metrics {
        ap: average_precision(scores, labels),
        roc_auc: roc_auc(scores, labels),
        precision: c.precision(),
        recall: c.recall(),
        f1: c.f1(),
        rows: scores.len(),
        positives: c.tp + c.fn_,
        alerts: c.tp + c.fp,
        true_alerts: c.tp,
    }
}

/// Scores raw rows through the `rarewatch` crate (what the device computes).
pub fn int8_scores(
    model: &rarewatch::Model<'_>,
    data: &Dataset,
    rows: &[usize],
) -> Result<Vec<i32>, rarewatch::Error> {
    let mut scratch = vec![0i8; model.scratch_bytes()];
    rows.iter()
        .map(|&r| model.predict(data.row(r), &mut scratch).map(|p| p.score))
        .collect()
}

/// The epoch F1 at 0.5 picks, per the trainer's shadow early stopping.
fn f1_story(result: &TrainResult, test_x: &[f32], test_y: &[u8]) -> Option<F1StopReport> {
    let stop = result.f1_at_half_stop.as_ref()?;
    let logits = predict_logits(&stop.model, test_x);
    let at_half = metrics_at(&logits, test_y, 0.0f32);
    Some(F1StopReport {
        epoch: stop.epoch,
        would_have_stopped: stop.would_have_stopped,
        val_f1_at_0_5: result
            .history
            .get(stop.epoch - 1)
            .map_or(0.0, |e| e.val_f1_at_0_5),
        test_at_0_5: at_half,
    })
}

/// Runs the pipeline on a loaded table.
pub fn run(
    data: &Dataset,
    options: &PipelineOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Trained, PipelineError> {
    let n = data.features();
    // A shape the model file cannot hold fails now, not after training.
    check_shape(n, &options.train.hidden).map_err(PipelineError::Quantize)?;
    let split = Split::new(&data.labels, options.split).map_err(PipelineError::Split)?;
    let counts = split.counts(&data.labels);
    let scaler = RobustScaler::fit(&data.features, n, &split.train, options.clip_quantile);
    let (train_x, train_y) = (
        scaler.transform_rows(&data.features, &split.train),
        part_rows(data, &split.train).1,
    );
    let (val_x, val_y) = (
        scaler.transform_rows(&data.features, &split.val),
        part_rows(data, &split.val).1,
    );
    let (test_x, test_y) = (
        scaler.transform_rows(&data.features, &split.test),
        part_rows(data, &split.test).1,
    );

    progress(Progress::Training {
        max_epochs: options.train.max_epochs,
    });
    let result = train(
        Labelled {
            x: &train_x,
            y: &train_y,
        },
        Labelled {
            x: &val_x,
            y: &val_y,
        },
        n,
        &options.train,
        &mut |record| progress(Progress::Epoch(record)),
    )
    .map_err(PipelineError::Train)?;
    progress(Progress::Finishing);
    let mut warnings = Vec::new();
    match result.collapse {
        Some(
            c @ (crate::train::Collapse::ConstantScores
            | crate::train::Collapse::ChanceRanking { .. }),
        ) => {
            return Err(PipelineError::Collapsed(c.to_string()));
        }
        Some(c) => warnings.push(format!(
            "{c} — F1 at a fixed 0.5 cut-off would be 0 here; rarewatch chooses the threshold on \
             the PR curve instead"
        )),
        None => {}
    }

    // Float model: its own threshold for the same objective, on its validation logits. It is
    // only reported beside the int8 model, so whether the objective can be met is decided on
    // the int8 scores below, not here.
    let float_val = predict_logits(&result.model, &val_x);
    let float_test = predict_logits(&result.model, &test_x);
    let float_threshold = float_threshold(&float_val, &val_y, options.objective, &mut warnings)?;
    let float = Parts {
        val: metrics_at(&float_val, &val_y, float_threshold),
        test: metrics_at(&float_test, &test_y, float_threshold),
    };

    // Quantize with activation ranges from a seeded sample of training rows, in the classes'
    // own proportions.
    let mut rng = Rng::new(options.train.seed ^ 0xCA11_B8A7E);
    let mut sample: Vec<usize> = (0..train_y.len()).collect();
    rng.shuffle(&mut sample);
    sample.truncate(options.calibration_rows);
    let mut calibration = Vec::with_capacity(sample.len() * n);
    for i in sample {
        calibration.extend_from_slice(&train_x[i * n..(i + 1) * n]);
    }
    let (mut tables, input_clip, val_scores) = quantize_best_clip(
        &result.model,
        &scaler,
        &train_x,
        &calibration,
        data,
        &split.val,
        float.val.ap.unwrap_or(0.0) - options.int8_tolerance,
    )?;

    // Int8 scores through the device's code; calibration and threshold on them.
    let test_scores = {
        let model = tables.model().map_err(PipelineError::Model)?;
        int8_scores(&model, data, &split.test).map_err(PipelineError::Model)?
    };
    let logit_scale = f64::from(tables.decision.logit_scale);
    let val_logits: Vec<f64> = val_scores
        .iter()
        .map(|&s| f64::from(s) * logit_scale)
        .collect();
    let platt = Platt::fit(&val_logits, &val_y);
    tables.decision.platt_a = platt.a as f32;
    tables.decision.platt_b = platt.b as f32;
    let point = choose(&val_scores, &val_y, options.objective).map_err(PipelineError::Threshold)?;
    if point.tp + point.fp == 0 {
        return Err(PipelineError::Collapsed(
            "the chosen threshold raises no alert on validation".into(),
        ));
    }
    let stable = stability(
        &val_scores,
        &val_y,
        options.objective,
        &point,
        options.bootstrap_rounds,
        options.train.seed,
    );
    tables.decision.threshold = point.threshold;
    let int8 = Parts {
        val: metrics_at(&val_scores, &val_y, point.threshold),
        test: metrics_at(&test_scores, &test_y, point.threshold),
    };
    let (float_ap, int8_ap) = (float.val.ap.unwrap_or(0.0), int8.val.ap.unwrap_or(0.0));
    if float_ap - int8_ap > options.int8_tolerance {
        return Err(PipelineError::Int8Loss {
            float_ap,
            int8_ap,
            tolerance: options.int8_tolerance,
        });
    }
    if int8.test.alerts == 0 {
        warnings
            .push("the int8 model raises no alert on the test part at the chosen threshold".into());
    }

    tables.set_baseline(baseline(
        &test_scores,
        &test_y,
        point.threshold,
        options.score_bins,
        data,
        &split.train,
    ));
    let model_bytes = tables.encode().map_err(PipelineError::Model)?;
    let (golden, probability, scratch_bytes, macs) = {
        let model = rarewatch::Model::from_bytes(&model_bytes).map_err(PipelineError::Model)?;
        let rows = golden_rows(data, &split.test, &test_scores, options.golden_rows);
        let golden = golden_vectors(&model, &rows).map_err(PipelineError::Model)?;
        (
            golden,
            f64::from(model.probability(point.threshold)),
            model.scratch_bytes(),
            model.macs(),
        )
    };
    let report = TrainReport {
        data: crate::report::metrics::DataReport {
            rows: data.rows(),
            features: n,
            positives: data.positives(),
            label: data.label_name.clone(),
        },
        split: SplitReport::new(options.split, &counts),
        stopped_on: match options.train.stop_on {
            StopOn::ValAp => "val_ap",
            StopOn::ValLoss => "val_loss",
        },
        best_epoch: result.best_epoch,
        stopped_early: result.stopped_early,
        epochs: result.history.iter().map(EpochLog::from).collect(),
        train_seconds: result.train_seconds,
        float,
        int8,
        threshold: ThresholdReport {
            objective: options.objective.to_string(),
            score: point.threshold,
            logit: f64::from(point.threshold) * logit_scale,
            probability,
            val_precision: point.precision,
            val_recall: point.recall,
            val_f1: point.f1,
            objective_value: point.value,
            stability: stable.into(),
        },
        calibration: crate::report::metrics::CalibrationReport {
            platt_a: platt.a,
            platt_b: platt.b,
            logit_scale,
        },
        input_clip,
        f1_at_0_5_stop: f1_story(&result, &test_x, &test_y),
        model_bytes: model_bytes.len(),
        scratch_bytes,
        macs,
        collapse: result.collapse.map(|c| c.to_string()),
        warnings,
    };
    let charts = crate::report::charts(&report, &val_scores, &val_y, &float_val);
    Ok(Trained {
        model_bytes,
        golden,
        report,
        charts,
    })
}

/// Quantizes `mlp` once per candidate input clip ([`CANDIDATE_QUANTILES`]) and keeps the
/// one whose int8 model ranks validation best, as [`choose_clip`] decides (validation AP at
/// least `floor`, the export check's bound, then the widest clip within
/// [`MIN_CLIP_GAIN`](crate::input_clip::MIN_CLIP_GAIN) of the best): the tables, the choice,
/// and the kept model's validation scores.
fn quantize_best_clip(
    mlp: &crate::network::Mlp,
    scaler: &RobustScaler,
    train_x: &[f32],
    calibration: &[f32],
    data: &Dataset,
    val_rows: &[usize],
    floor: f64,
) -> Result<(ModelTables, InputClipReport, Vec<i32>), PipelineError> {
    let columns = ScaledColumns::new(train_x, scaler.features());
    let val_y: Vec<u8> = val_rows.iter().map(|&r| data.labels[r]).collect();
    let mut candidates = Vec::with_capacity(CANDIDATE_QUANTILES.len());
    let mut tried = Vec::with_capacity(CANDIDATE_QUANTILES.len());
    for q in CANDIDATE_QUANTILES {
        let clipped = columns.tighten(scaler, q);
        let mut rows = calibration.to_vec();
        clip_rows(&clipped, &mut rows);
        let tables = quantize(mlp, &clipped, &rows, &data.feature_names)
            .map_err(PipelineError::Quantize)?
            .tables;
        let scores = {
            let model = tables.model().map_err(PipelineError::Model)?;
            int8_scores(&model, data, val_rows).map_err(PipelineError::Model)?
        };
        tried.push((q, average_precision(&scores, &val_y).unwrap_or(0.0)));
        candidates.push((tables, scores));
    }
    let aps: Vec<f64> = tried.iter().map(|t| t.1).collect();
    let chosen = choose_clip(&aps, floor).ok_or_else(|| {
        PipelineError::Collapsed("no input clip candidate could be quantized".into())
    })?;
    let quantile = tried[chosen].0;
    let (tables, scores) = candidates.swap_remove(chosen);
    Ok((tables, InputClipReport { quantile, tried }, scores))
}

/// The float model's threshold for the objective on its validation logits. The float model is
/// only reported beside the exported int8 one, so a precision bound it cannot meet (when the
/// int8 model can) is a warning, and its figures are given at its most precise threshold.
fn float_threshold(
    logits: &[f32],
    labels: &[u8],
    objective: Objective,
    warnings: &mut Vec<String>,
) -> Result<f32, PipelineError> {
    match choose(logits, labels, objective) {
        Ok(p) => Ok(p.threshold),
        Err(ThresholdError::Unreachable { best, .. }) => {
            warnings.push(format!(
                "the float model does not meet {objective} on validation (best precision \
                 {best:.4}); its figures are at its most precise threshold"
            ));
            choose(logits, labels, Objective::PrecisionAtLeast(best))
                .map(|p| p.threshold)
                .map_err(PipelineError::Threshold)
        }
        Err(e) => Err(PipelineError::Threshold(e)),
    }
}

/// The monitoring baseline: each feature's training range, and from the *test* part
/// (`scores`, `labels`) the score histogram at its quantiles and the alert, precision and
/// recall counts at the threshold.
///
/// The test part is the one the threshold never saw: validation precision and recall at a
/// threshold chosen on validation are optimistic (the demo's table: validation recall 0.64,
/// test 0.55), and the device's CUSUMs, tuned to catch a drop from the baseline, then flag
/// the ordinary stream as drifting (`simulate` saw a false recall drift 49,000 rows into a
/// stable stream). With `--split time` it is also the latest data, the closest to what the
/// device will see first.
fn baseline(
    scores: &[i32],
    labels: &[u8],
    threshold: i32,
    bins: usize,
    data: &Dataset,
    train_rows: &[usize],
) -> BaselineTables {
    let bins = bins.clamp(2, rarewatch::format::MAX_SCORE_BINS);
    let mut sorted = scores.to_vec();
    sorted.sort_unstable();
    let mut edges: Vec<i32> = (1..bins)
        .filter_map(|k| sorted.get(sorted.len() * k / bins).copied())
        .collect();
    edges.dedup();
    let mut counts = vec![0u32; edges.len() + 1];
    for &s in scores {
        counts[edges.partition_point(|&e| e <= s)] += 1;
    }
    let c = confusion_at(scores, labels, threshold);
    let n = data.features();
    let mut ranges = vec![(f32::INFINITY, f32::NEG_INFINITY); n];
    for &r in train_rows {
        for (range, &x) in ranges.iter_mut().zip(data.row(r)) {
            range.0 = range.0.min(x);
            range.1 = range.1.max(x);
        }
    }
    BaselineTables {
        rows: scores.len() as u32,
        positives: (c.tp + c.fn_) as u32,
        alerts: (c.tp + c.fp) as u32,
        true_alerts: c.tp as u32,
        score_edges: edges,
        score_counts: counts,
        feature_ranges: ranges,
    }
}

/// Test rows for golden vectors: the highest scores, positives, and an even spread of the rest.
fn golden_rows(data: &Dataset, test: &[usize], scores: &[i32], count: usize) -> Vec<Vec<f32>> {
    let mut order: Vec<usize> = (0..test.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(scores[i]));
    let mut picked: Vec<usize> = order.iter().take(count / 4).copied().collect();
    picked.extend(
        (0..test.len())
            .filter(|&i| data.labels[test[i]] == 1)
            .take(count / 4),
    );
    let step = (test.len() / (count / 2).max(1)).max(1);
    picked.extend((0..test.len()).step_by(step).take(count / 2));
    picked.sort_unstable();
    picked.dedup();
    picked.truncate(count);
    picked.iter().map(|&i| data.row(test[i]).to_vec()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_threshold_falls_back_to_the_most_precise_point() {
        // Logits 6..1 with labels 1 0 1 1 0 0: precision 1 at 6, 0.75 at 3, never 0.9 below.
        let logits = [6.0f32, 5.0, 4.0, 3.0, 2.0, 1.0];
        let labels = [1u8, 0, 1, 1, 0, 0];
        let mut warnings = Vec::new();
        let f1 = float_threshold(&logits, &labels, Objective::FBeta(1.0), &mut warnings);
        assert_eq!(f1.ok(), Some(3.0));
        assert!(warnings.is_empty());
        // Precision 1 is met at 6 (recall 1/3); 0.8 is met there too, and nowhere further.
        let p = float_threshold(
            &logits,
            &labels,
            Objective::PrecisionAtLeast(0.8),
            &mut warnings,
        );
        assert_eq!(p.ok(), Some(6.0));
        assert!(warnings.is_empty());
        // A top row that is negative caps precision below 1: the bound is unreachable for the
        // float model, which is then reported at its most precise point with a warning.
        let labels = [0u8, 1, 1, 1, 0, 0];
        let p = float_threshold(
            &logits,
            &labels,
            Objective::PrecisionAtLeast(0.9),
            &mut warnings,
        );
        assert_eq!(p.ok(), Some(3.0), "precision 0.75 at 3 is the best reached");
        assert_eq!(
            warnings,
            vec![
                "the float model does not meet precision>=0.9 on validation (best precision \
                 0.7500); its figures are at its most precise threshold"
                    .to_string()
            ]
        );
        // No positives is still an error.
        let none = float_threshold(&logits, &[0; 6], Objective::FBeta(1.0), &mut warnings);
        assert!(matches!(
            none,
            Err(PipelineError::Threshold(ThresholdError::NoPositives))
        ));
    }
}
