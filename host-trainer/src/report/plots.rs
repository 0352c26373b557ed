//! The report's charts, built from plain numbers.

use crate::report::svg::{Chart, Marker, Series, Style, VLine};

const BLUE: &str = "#1f77b4";
const ORANGE: &str = "#ff7f0e";
const GREEN: &str = "#2ca02c";
const RED: &str = "#d62728";
const PURPLE: &str = "#9467bd";
const GREY: &str = "#555555";

/// One epoch's logged values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochPoint {
    /// 1-based epoch.
    pub epoch: usize,
    /// Training loss.
    pub train_loss: f64,
    /// Validation loss.
    pub val_loss: f64,
    /// Validation average precision.
    pub val_ap: f64,
    /// Validation F1 at probability 0.5.
    pub val_f1_at_0_5: f64,
    /// Validation F1 at that epoch's best threshold.
    pub val_f1_at_best: f64,
}

/// Training curves: losses, and the threshold-free AP against the F1s that move with the
/// threshold. Marks the epoch kept and, if given, the epoch F1 at 0.5 would have stopped on.
pub fn training_curves(
    epochs: &[EpochPoint],
    best_epoch: usize,
    f1_stop_epoch: Option<usize>,
) -> (String, String) {
    let series = |f: fn(&EpochPoint) -> f64| {
        epochs
            .iter()
            .map(|e| (e.epoch as f64, f(e)))
            .collect::<Vec<_>>()
    };
    let mut vlines = vec![VLine {
        x: best_epoch as f64,
        label: format!("kept: epoch {best_epoch}"),
        color: GREEN,
    }];
    if let Some(stop) = f1_stop_epoch.filter(|&s| s != best_epoch) {
        vlines.push(VLine {
            x: stop as f64,
            label: format!("F1@0.5 would stop: {stop}"),
            color: RED,
        });
    }
    let losses = Chart {
        title: "Loss per epoch".into(),
        x_label: "epoch".into(),
        y_label: "loss (per row)".into(),
        series: vec![
            Series {
                name: "train loss".into(),
                color: BLUE,
                style: Style::Line,
                points: series(|e| e.train_loss),
            },
            Series {
                name: "validation loss".into(),
                color: ORANGE,
                style: Style::Line,
                points: series(|e| e.val_loss),
            },
        ],
        vlines: vlines.clone(),
        ..Chart::default()
    };
    let scores = Chart {
        title: "Validation AP is steady; F1 at a fixed cut-off flaps".into(),
        x_label: "epoch".into(),
        y_label: "validation score".into(),
        y_range: Some((0.0, 1.0)),
        series: vec![
            Series {
                name: "AP".into(),
                color: GREEN,
                style: Style::Line,
                points: series(|e| e.val_ap),
            },
            Series {
                name: "F1 @ 0.5".into(),
                color: RED,
                style: Style::Dashed,
                points: series(|e| e.val_f1_at_0_5),
            },
            Series {
                name: "F1 @ best".into(),
                color: PURPLE,
                style: Style::Line,
                points: series(|e| e.val_f1_at_best),
            },
        ],
        vlines,
        ..Chart::default()
    };
    (losses.to_svg(), scores.to_svg())
}

/// The PR curve with the chosen operating point.
pub fn pr_curve(points: &[(f64, f64)], chosen: (f64, f64), title: &str) -> String {
    Chart {
        title: title.into(),
        x_label: "recall".into(),
        y_label: "precision".into(),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.02)),
        series: vec![Series {
            name: "PR curve".into(),
            color: BLUE,
            style: Style::Line,
            points: points.to_vec(),
        }],
        markers: vec![Marker {
            at: chosen,
            label: format!("chosen: P {:.3}, R {:.3}", chosen.1, chosen.0),
            color: RED,
        }],
        ..Chart::default()
    }
    .to_svg()
}

/// Histogram of values as `(bin start, share)` steps over shared edges, closed by a final
/// zero step.
fn histogram(values: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<(f64, f64)> {
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in values {
        let b = (((v - lo) / width) as isize).clamp(0, bins as isize - 1) as usize;
        counts[b] += 1;
    }
    let total = values.len().max(1) as f64;
    let mut steps: Vec<(f64, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (lo + i as f64 * width, c as f64 / total))
        .collect();
    steps.push((hi, 0.0));
    steps
}

/// Score distributions per class (each class's share per bin, log scale) with the threshold.
pub fn score_histograms(
    negatives: &[f64],
    positives: &[f64],
    threshold: f64,
    x_label: &str,
) -> String {
    let all = negatives.iter().chain(positives);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
        (l.min(v), h.max(v))
    });
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    Chart {
        title: "Score distribution per class (validation)".into(),
        x_label: x_label.into(),
        y_label: "share of the class (log)".into(),
        log_y: true,
        series: vec![
            Series {
                name: format!("negatives ({})", negatives.len()),
                color: BLUE,
                style: Style::Steps,
                points: histogram(negatives, lo, hi, 60),
            },
            Series {
                name: format!("positives ({})", positives.len()),
                color: RED,
                style: Style::Steps,
                points: histogram(positives, lo, hi, 60),
            },
        ],
        vlines: vec![VLine {
            x: threshold,
            label: "threshold".into(),
            color: GREY,
        }],
        ..Chart::default()
    }
    .to_svg()
}

/// Float logits against the int8 model's logits, positives and a sample of negatives, with the
/// diagonal.
pub fn float_vs_int8(pairs_negative: &[(f64, f64)], pairs_positive: &[(f64, f64)]) -> String {
    let all = pairs_negative.iter().chain(pairs_positive);
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &(a, b)| {
        (l.min(a.min(b)), h.max(a.max(b)))
    });
    let (lo, hi) = if lo < hi { (lo, hi) } else { (-1.0, 1.0) };
    Chart {
        title: "Float model vs int8 model (validation logits)".into(),
        x_label: "float logit".into(),
        y_label: "int8 logit (score × scale)".into(),
        series: vec![
            Series {
                name: "negatives".into(),
                color: BLUE,
                style: Style::Points,
                points: pairs_negative.to_vec(),
            },
            Series {
                name: "positives".into(),
                color: RED,
                style: Style::Points,
                points: pairs_positive.to_vec(),
            },
            Series {
                name: "y = x".into(),
                color: GREY,
                style: Style::Dashed,
                points: vec![(lo, lo), (hi, hi)],
            },
        ],
        ..Chart::default()
    }
    .to_svg()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_shares_sum_to_one() {
        let h = histogram(&[0.0, 0.1, 0.9, 1.0, 5.0, -3.0], 0.0, 1.0, 4);
        assert_eq!(h.len(), 5);
        let total: f64 = h.iter().map(|p| p.1).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(h[0], (0.0, 3.0 / 6.0), "0.0, 0.1 and the clamped −3");
        assert_eq!(h[3].1, 3.0 / 6.0, "0.9, 1.0 and the clamped 5");
    }

    #[test]
    fn charts_mark_the_kept_epoch_and_the_f1_stop() {
        let epochs: Vec<EpochPoint> = (1..=5)
            .map(|e| EpochPoint {
                epoch: e,
                train_loss: 1.0 / e as f64,
                val_loss: 1.1 / e as f64,
                val_ap: 0.5 + 0.05 * e as f64,
                val_f1_at_0_5: if e % 2 == 0 { 0.2 } else { 0.6 },
                val_f1_at_best: 0.7,
            })
            .collect();
        let (loss, scores) = training_curves(&epochs, 4, Some(1));
        assert!(loss.contains("kept: epoch 4") && scores.contains("F1@0.5 would stop: 1"));
        let (_, same) = training_curves(&epochs, 4, Some(4));
        assert!(!same.contains("would stop"));
    }
}
