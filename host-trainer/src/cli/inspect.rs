//! `rarewatch inspect MODEL [--json]`: what a model file holds and what it costs to run.

use std::path::Path;

use rarewatch::format::{Header, HEADER_LEN};
use rarewatch::monitor::DropTuning;
use rarewatch::tables::{i32_values, padded_width, u32_values, Channel};
use rarewatch::Model;
use serde::Serialize;

/// The JSON shape of `inspect --json`.
#[derive(Debug, Serialize)]
pub struct Inspection {
    /// Path of the file.
    pub file: String,
    /// Format version.
    pub format_version: u16,
    /// Bytes of the file (header + payload).
    pub model_bytes: usize,
    /// CRC-32 of the payload.
    pub crc32: String,
    /// Scratch RAM one inference needs, in bytes.
    pub scratch_bytes: usize,
    /// Multiply-accumulates per inference.
    pub macs: usize,
    /// Input features.
    pub features: Vec<FeatureInfo>,
    /// Dense layers.
    pub layers: Vec<LayerInfo>,
    /// Decision rule and calibration.
    pub decision: DecisionInfo,
    /// Monitoring baseline.
    pub baseline: BaselineInfo,
}

/// One input feature.
#[derive(Debug, Serialize)]
pub struct FeatureInfo {
    /// Name (or `#i` when the file carries none).
    pub name: String,
    /// Raw value quantized to −128 (centre of the lowest int8 level).
    pub quant_lo: f64,
    /// Raw value quantized to 127 (centre of the highest level); values beyond clip.
    pub quant_hi: f64,
    /// Lowest training value, if recorded.
    pub train_lo: Option<f32>,
    /// Highest training value, if recorded.
    pub train_hi: Option<f32>,
}

/// One dense layer.
#[derive(Debug, Serialize)]
pub struct LayerInfo {
    /// Input width.
    pub inputs: u16,
    /// Output width.
    pub outputs: u16,
    /// Fused ReLU.
    pub relu: bool,
    /// Output zero point (hidden layers).
    pub output_zero_point: i8,
    /// Weight bytes (rows padded to 4).
    pub weight_bytes: usize,
    /// Smallest and largest bias.
    pub bias_range: (i32, i32),
    /// Smallest and largest requantization shift (hidden layers).
    pub shift_range: Option<(i8, i8)>,
}

/// The decision rule.
#[derive(Debug, Serialize)]
pub struct DecisionInfo {
    /// Integer threshold on the score.
    pub threshold_score: i32,
    /// Real logit per score unit.
    pub logit_scale: f32,
    /// Platt slope.
    pub platt_a: f32,
    /// Platt intercept.
    pub platt_b: f32,
    /// Calibrated probability at the threshold.
    pub probability_at_threshold: f32,
}

/// The monitoring baseline (measured on the test part, which the threshold never saw).
#[derive(Debug, Serialize)]
pub struct BaselineInfo {
    /// Test-part rows.
    pub rows: u32,
    /// Test-part positives.
    pub positives: u32,
    /// Test-part alerts.
    pub alerts: u32,
    /// Test-part true alerts.
    pub true_alerts: u32,
    /// Test-part precision at the threshold.
    pub precision: Option<f64>,
    /// Test-part recall at the threshold.
    pub recall: Option<f64>,
    /// Expected share of rows that alert.
    pub alert_rate: Option<f64>,
    /// The recall the default monitor's erosion CUSUM compares with: one standard error
    /// below `recall` (its collapse statistic compares with `recall` itself).
    pub recall_reference: Option<f64>,
    /// The same for precision.
    pub precision_reference: Option<f64>,
    /// Score histogram edges.
    pub score_edges: Vec<i32>,
    /// Test-part rows per score bin.
    pub score_counts: Vec<u32>,
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| f64::from(num) / f64::from(den))
}

/// Describes a validated model.
pub fn inspect(path: &Path, bytes: &[u8], model: &Model<'_>) -> Inspection {
    let header = Header::parse(bytes).map(|(h, _)| h).ok();
    let names: Vec<&str> = model.feature_names().collect();
    let ranges: Vec<(f32, f32)> = model.feature_ranges().collect();
    let features = model
        .input_affine()
        .enumerate()
        .map(|(i, (mul, add))| {
            let (mul, add) = (f64::from(mul), f64::from(add));
            let at = |u: f64| {
                if mul != 0.0 {
                    (u - add) / mul
                } else {
                    f64::NAN
                }
            };
            FeatureInfo {
                name: names
                    .get(i)
                    .map_or_else(|| format!("#{i}"), |n| n.to_string()),
                quant_lo: at(0.5),
                quant_hi: at(255.5),
                train_lo: ranges.get(i).map(|r| r.0),
                train_hi: ranges.get(i).map(|r| r.1),
            }
        })
        .collect();
    let last = model.layers().len().saturating_sub(1);
    let layers = model
        .layers()
        .iter()
        .enumerate()
        .map(|(index, l)| {
            let channels: Vec<Channel> = Channel::records(l.channels).collect();
            let biases = channels.iter().map(|c| c.bias);
            let shifts = channels.iter().map(|c| c.shift);
            LayerInfo {
                inputs: l.inputs,
                outputs: l.outputs,
                relu: l.relu,
                output_zero_point: l.output_zero_point,
                weight_bytes: l.weights.len(),
                bias_range: (biases.clone().min().unwrap_or(0), biases.max().unwrap_or(0)),
                shift_range: (index != last)
                    .then(|| (shifts.clone().min().unwrap_or(0), shifts.max().unwrap_or(0))),
            }
        })
        .collect();
    let d = model.decision();
    let b = model.baseline();
    Inspection {
        file: path.display().to_string(),
        format_version: header.map_or(0, |h| h.version),
        model_bytes: header.map_or(bytes.len(), |h| HEADER_LEN + h.payload_len as usize),
        crc32: header.map_or_else(String::new, |h| format!("{:#010x}", h.crc)),
        scratch_bytes: model.scratch_bytes(),
        macs: model.macs(),
        features,
        layers,
        decision: DecisionInfo {
            threshold_score: d.threshold,
            logit_scale: d.logit_scale,
            platt_a: d.platt_a,
            platt_b: d.platt_b,
            probability_at_threshold: model.probability(d.threshold),
        },
        baseline: BaselineInfo {
            rows: b.rows,
            positives: b.positives,
            alerts: b.alerts,
            true_alerts: b.true_alerts,
            precision: ratio(b.true_alerts, b.alerts),
            recall: ratio(b.true_alerts, b.positives),
            alert_rate: ratio(b.alerts, b.rows),
            recall_reference: DropTuning::DEFAULT
                .reference(b.true_alerts, b.positives)
                .map(f64::from),
            precision_reference: DropTuning::DEFAULT
                .reference(b.true_alerts, b.alerts)
                .map(f64::from),
            score_edges: i32_values(b.score_edges).collect(),
            score_counts: u32_values(b.score_counts).collect(),
        },
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.4}"))
}

/// The human-readable report.
pub fn render(i: &Inspection) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "{}: rarewatch model, format v{}, {} bytes, payload CRC-32 {}",
        i.file, i.format_version, i.model_bytes, i.crc32
    ));
    line(format!(
        "inference: {} MACs, {} bytes of scratch RAM (caller-owned)",
        i.macs, i.scratch_bytes
    ));
    line(format!("features: {}", i.features.len()));
    for f in &i.features {
        let train = match (f.train_lo, f.train_hi) {
            (Some(lo), Some(hi)) => format!("  training range [{lo}, {hi}]"),
            _ => String::new(),
        };
        line(format!(
            "  {:<16} int8 covers [{:.6}, {:.6}]{train}",
            f.name, f.quant_lo, f.quant_hi
        ));
    }
    line("layers:".into());
    let last = i.layers.len().saturating_sub(1);
    for (index, l) in i.layers.iter().enumerate() {
        let kind = if index == last {
            "score (int32 accumulator)".to_string()
        } else {
            format!(
                "{} zp {}",
                if l.relu { "ReLU" } else { "linear" },
                l.output_zero_point
            )
        };
        line(format!(
            "  {index}: dense {:>4} -> {:<4} {kind}; {} weight bytes (rows padded to {}), bias [{}, {}]",
            l.inputs,
            l.outputs,
            l.weight_bytes,
            padded_width(usize::from(l.inputs)),
            l.bias_range.0,
            l.bias_range.1
        ));
    }
    let d = &i.decision;
    line(format!(
        "decision: alert when score >= {} (calibrated probability there {:.4})",
        d.threshold_score, d.probability_at_threshold
    ));
    line(format!(
        "calibration: logit = score x {:e}; p = sigmoid({} * logit + {})",
        d.logit_scale, d.platt_a, d.platt_b
    ));
    let b = &i.baseline;
    line(format!(
        "baseline: {} test rows, {} positives, {} alerts ({} true); precision {}, recall {}, alert rate {}",
        b.rows,
        b.positives,
        b.alerts,
        b.true_alerts,
        opt(b.precision),
        opt(b.recall),
        opt(b.alert_rate)
    ));
    if let (Some(r), Some(p)) = (b.recall_reference, b.precision_reference) {
        line(format!(
            "labelled drift tests (default monitor): slow erosion judged against recall {r:.4}, \
             precision {p:.4} (one standard error below the baseline, which was measured on \
             {} positives and {} alerts); collapse against the baseline itself",
            b.positives, b.alerts
        ));
    }
    if !b.score_counts.is_empty() {
        line(format!(
            "score histogram: edges {:?}, rows per bin {:?}",
            b.score_edges, b.score_counts
        ));
    }
    out
}
