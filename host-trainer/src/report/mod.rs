//! The training report: `metrics.json`, SVG charts and one self-contained `report.html`.

pub mod html;
pub mod metrics;
pub mod plots;
pub mod svg;

use std::io;
use std::path::Path;

use crate::metrics::pr_curve;
use crate::pipeline::{Chart, Trained};
use html::{Block, Page, Section};
use metrics::{Metrics, TrainReport};
use plots::EpochPoint;

/// The report's charts from the run's figures and validation scores.
pub fn charts(
    report: &TrainReport,
    val_scores: &[i32],
    val_labels: &[u8],
    float_val: &[f32],
) -> Vec<Chart> {
    let epochs: Vec<EpochPoint> = report
        .epochs
        .iter()
        .map(|e| EpochPoint {
            epoch: e.epoch,
            train_loss: e.train_loss,
            val_loss: e.val_loss,
            val_ap: e.val_ap,
            val_f1_at_0_5: e.val_f1_at_0_5,
            val_f1_at_best: e.val_f1_at_best,
        })
        .collect();
    let f1_stop = report.f1_at_0_5_stop.map(|s| s.epoch);
    let (losses, scores) = plots::training_curves(&epochs, report.best_epoch, f1_stop);
    let curve: Vec<(f64, f64)> = pr_curve(val_scores, val_labels)
        .iter()
        .map(|p| (p.recall, p.precision))
        .collect();
    let t = &report.threshold;
    let pr = plots::pr_curve(
        &curve,
        (t.val_recall, t.val_precision),
        "Precision–recall, int8 model (validation)",
    );
    let scale = report.calibration.logit_scale;
    let logit = |s: i32| f64::from(s) * scale;
    let (mut neg, mut pos) = (Vec::new(), Vec::new());
    for (&s, &y) in val_scores.iter().zip(val_labels) {
        if y == 1 {
            pos.push(logit(s))
        } else {
            neg.push(logit(s))
        }
    }
    let histograms =
        plots::score_histograms(&neg, &pos, logit(t.score), "int8 logit (score × scale)");
    // Every positive and an even sample of about 3,000 negatives.
    let step = (neg.len() / 3000).max(1);
    let (mut pairs_neg, mut pairs_pos) = (Vec::new(), Vec::new());
    let mut negatives_seen = 0;
    for ((&f, &s), &y) in float_val.iter().zip(val_scores).zip(val_labels) {
        if y == 1 {
            pairs_pos.push((f64::from(f), logit(s)));
        } else {
            if negatives_seen % step == 0 {
                pairs_neg.push((f64::from(f), logit(s)));
            }
            negatives_seen += 1;
        }
    }
    let scatter = plots::float_vs_int8(&pairs_neg, &pairs_pos);
    vec![
        Chart {
            file: "training_loss.svg",
            svg: losses,
        },
        Chart {
            file: "training_scores.svg",
            svg: scores,
        },
        Chart {
            file: "pr_curve.svg",
            svg: pr,
        },
        Chart {
            file: "score_histograms.svg",
            svg: histograms,
        },
        Chart {
            file: "float_vs_int8.svg",
            svg: scatter,
        },
    ]
}

fn fmt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.4}"))
}

fn metric_row(name: &str, m: &Metrics) -> Vec<String> {
    vec![
        name.to_string(),
        fmt(m.ap),
        fmt(m.roc_auc),
        format!("{:.4}", m.precision),
        format!("{:.4}", m.recall),
        format!("{:.4}", m.f1),
        format!("{} / {}", m.true_alerts, m.alerts),
        m.positives.to_string(),
    ]
}

/// The one-page HTML report.
pub fn html(report: &TrainReport, charts: &[Chart], model_name: &str) -> String {
    let svg = |file: &str| {
        charts
            .iter()
            .find(|c| c.file == file)
            .map(|c| c.svg.clone())
            .unwrap_or_default()
    };
    let t = &report.threshold;
    let mut headline = format!(
        "Kept epoch {} (stopping on {}). Int8 model on test: AP {}, F1 {:.3} at the chosen threshold (precision {:.3}, recall {:.3}).",
        report.best_epoch,
        report.stopped_on,
        fmt(report.int8.test.ap),
        report.int8.test.f1,
        report.int8.test.precision,
        report.int8.test.recall
    );
    if let Some(stop) = report.f1_at_0_5_stop {
        headline.push_str(&format!(
            " Early stopping on F1 at 0.5 would have kept epoch {} (validation F1@0.5 {:.3}); that model scores test F1 {:.3} at 0.5.",
            stop.epoch, stop.val_f1_at_0_5, stop.test_at_0_5.f1
        ));
    }
    let mut summary = vec![Block::Callout(headline)];
    for w in &report.warnings {
        summary.push(Block::Callout(format!("Warning: {w}")));
    }
    let header = [
        "model / part",
        "AP",
        "ROC AUC",
        "precision",
        "recall",
        "F1",
        "true / alerts",
        "positives",
    ]
    .map(String::from)
    .to_vec();
    summary.push(Block::Table {
        header,
        rows: vec![
            metric_row("int8, validation", &report.int8.val),
            metric_row("int8, test", &report.int8.test),
            metric_row("float, validation", &report.float.val),
            metric_row("float, test", &report.float.test),
        ],
    });
    let s = &report.split;
    let st = &t.stability;
    let page = Page {
        title: format!("rarewatch training report — {model_name}"),
        sections: vec![
            Section { heading: "Summary".into(), blocks: summary },
            Section {
                heading: "Data and split".into(),
                blocks: vec![Block::Table {
                    header: vec!["part".into(), "rows".into(), "positives".into(), "rate".into()],
                    rows: [("train", s.train), ("validation", s.validation), ("test", s.test)]
                        .iter()
                        .map(|(name, p)| {
                            vec![
                                name.to_string(),
                                p.rows.to_string(),
                                p.positives.to_string(),
                                format!("{:.3} %", 100.0 * p.positives as f64 / p.rows.max(1) as f64),
                            ]
                        })
                        .collect(),
                }],
            },
            Section {
                heading: "Training: why the epoch was chosen".into(),
                blocks: vec![
                    Block::Paragraph(format!(
                        "{} epochs in {:.2} s. Early stopping watches {} (threshold-free); F1 at a fixed 0.5 \
                         cut-off is only logged: with rare positives it swings from epoch to epoch while \
                         loss and AP move smoothly.",
                        report.epochs.len(),
                        report.train_seconds,
                        report.stopped_on
                    )),
                    Block::Charts(vec![svg("training_loss.svg"), svg("training_scores.svg")]),
                ],
            },
            Section {
                heading: "Operating point".into(),
                blocks: vec![
                    Block::Paragraph(format!(
                        "Objective {}: alert when the int8 score ≥ {} (logit {:.3}, calibrated probability {:.4}). \
                         Validation precision {:.4}, recall {:.4}, F1 {:.4}. Chosen on the exact PR curve of \
                         the int8 model's validation scores, computed by the device's own code.",
                        t.objective, t.score, t.logit, t.probability, t.val_precision, t.val_recall, t.val_f1
                    )),
                    Block::Paragraph(format!(
                        "Stability over {} bootstrap resamples: threshold {}–{} (5–95 %), metric {:.3}–{:.3}, \
                         precision {:.3}–{:.3}, recall {:.3}–{:.3}; thresholds within 2 % of the best: {}–{}.",
                        st.rounds,
                        st.threshold_interval.0,
                        st.threshold_interval.1,
                        st.metric_interval.0,
                        st.metric_interval.1,
                        st.precision_interval.0,
                        st.precision_interval.1,
                        st.recall_interval.0,
                        st.recall_interval.1,
                        st.plateau.0,
                        st.plateau.1
                    )),
                    Block::Charts(vec![svg("pr_curve.svg"), svg("score_histograms.svg")]),
                ],
            },
            Section {
                heading: "Int8 against float".into(),
                blocks: vec![
                    Block::Paragraph(format!(
                        "Validation AP: float {}, int8 {}. Model file {} bytes, {} MACs and {} bytes of scratch \
                         RAM per inference. Calibration: p = sigmoid({:.4} · logit + {:.4}).",
                        fmt(report.float.val.ap),
                        fmt(report.int8.val.ap),
                        report.model_bytes,
                        report.macs,
                        report.scratch_bytes,
                        report.calibration.platt_a,
                        report.calibration.platt_b
                    )),
                    Block::Charts(vec![svg("float_vs_int8.svg")]),
                ],
            },
        ],
    };
    page.render()
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file and a failure leaves no file behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `metrics.json`, the charts, `golden.bin` and `report.html` into `dir` (created if
/// needed).
pub fn write_report(dir: &Path, trained: &Trained, model_name: &str) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(&trained.report).map_err(io::Error::other)?;
    write_atomic(&dir.join("metrics.json"), json.as_bytes())?;
    for chart in &trained.charts {
        write_atomic(&dir.join(chart.file), chart.svg.as_bytes())?;
    }
    write_atomic(&dir.join("golden.bin"), &trained.golden)?;
    write_atomic(
        &dir.join("report.html"),
        html(&trained.report, &trained.charts, model_name).as_bytes(),
    )
}
