//! `rarewatch eval MODEL DATA --label COL [--json]`: a model's metrics on a table, computed
//! through the `rarewatch` crate (what the device computes).

use std::path::Path;

use anyhow::{bail, Context};
use serde::Serialize;

use crate::data::{read_table, Dataset};
use crate::pipeline::metrics_at;
use crate::report::metrics::Metrics;

/// `eval --json`: the model's metrics at its own threshold.
#[derive(Debug, Serialize)]
pub struct Evaluation {
    /// The metrics (`M`).
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The model's score threshold.
    pub threshold: i32,
}

/// The table's columns in the model's feature order: by name when the model carries names,
/// else all feature columns in file order (their count must match).
pub fn model_columns(
    model: &rarewatch::Model<'_>,
    data: &Dataset,
    file: &Path,
) -> anyhow::Result<Vec<usize>> {
    let names: Vec<&str> = model.feature_names().collect();
    if names.is_empty() {
        if data.features() != model.features() {
            bail!(
                "{}: {} feature columns, the model takes {}",
                file.display(),
                data.features(),
                model.features()
            );
        }
        return Ok((0..data.features()).collect());
    }
    names
        .iter()
        .map(|name| {
            data.feature_names
                .iter()
                .position(|c| c == name)
                .with_context(|| {
                    format!(
                        "{}: no column \"{name}\", which the model takes as a feature",
                        file.display()
                    )
                })
        })
        .collect()
}

/// Scores every row through the crate; returns the scores.
pub fn score_rows(
    model: &rarewatch::Model<'_>,
    data: &Dataset,
    columns: &[usize],
) -> anyhow::Result<Vec<i32>> {
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let mut x = vec![0f32; columns.len()];
    (0..data.rows())
        .map(|r| {
            let row = data.row(r);
            for (slot, &c) in x.iter_mut().zip(columns) {
                *slot = row[c];
            }
            model
                .predict(&x, &mut scratch)
                .map(|p| p.score)
                .map_err(|e| anyhow::anyhow!("row {}: {e}", r + 1))
        })
        .collect()
}

/// Runs `eval`.
pub fn eval(
    model_path: &Path,
    data_path: &Path,
    label: &str,
    json: bool,
) -> anyhow::Result<Evaluation> {
    let bytes = super::read_file(model_path)?;
    let model = rarewatch::Model::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: invalid model file: {e}", model_path.display()))?;
    let data = read_table(data_path, label)?;
    let columns = model_columns(&model, &data, data_path)?;
    let scores = score_rows(&model, &data, &columns)?;
    let threshold = model.decision().threshold;
    let evaluation = Evaluation {
        metrics: metrics_at(&scores, &data.labels, threshold),
        threshold,
    };
    if json {
        println!("{}", serde_json::to_string(&evaluation)?);
    } else {
        let m = &evaluation.metrics;
        let f = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"));
        println!(
            "{} on {}: {} rows, {} positives; AP {}, ROC AUC {}; at score >= {}: precision {:.4}, recall {:.4}, F1 {:.4} ({} alerts, {} true)",
            model_path.display(),
            data_path.display(),
            m.rows,
            m.positives,
            f(m.ap),
            f(m.roc_auc),
            threshold,
            m.precision,
            m.recall,
            m.f1,
            m.alerts,
            m.true_alerts
        );
    }
    Ok(evaluation)
}
