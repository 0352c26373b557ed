//! Choosing the decision threshold for the user's operating point, on the exact PR curve of
//! the **int8** model's validation scores, and measuring how stable that choice is.

use std::fmt;
use std::str::FromStr;

use crate::metrics::{f_beta, pr_curve, PrPoint, Score};
use crate::rng::Rng;

/// What the operating point should optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Objective {
    /// Highest F-beta (`f1`: β = 1, `f2`: β = 2).
    FBeta(f64),
    /// Highest recall with precision at least this.
    PrecisionAtLeast(f64),
    /// Highest precision with recall at least this.
    RecallAtLeast(f64),
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Objective::FBeta(beta) if *beta == 1.0 => f.write_str("f1"),
            Objective::FBeta(beta) if *beta == 2.0 => f.write_str("f2"),
            Objective::FBeta(beta) => write!(f, "f{beta}"),
            Objective::PrecisionAtLeast(p) => write!(f, "precision>={p}"),
            Objective::RecallAtLeast(r) => write!(f, "recall>={r}"),
        }
    }
}

impl FromStr for Objective {
    type Err = String;

    /// `f1`, `f2`, `fBETA` (e.g. `f0.5`), `precision>=P`, `recall>=R` with P, R in (0, 1].
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bound = |value: &str, what: &str| -> Result<f64, String> {
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| format!("objective {what}>=…: `{value}` is not a number"))?;
            if v > 0.0 && v <= 1.0 {
                Ok(v)
            } else {
                Err(format!(
                    "objective {what}>={v}: the bound must be in (0, 1]"
                ))
            }
        };
        if let Some(p) = text.strip_prefix("precision>=") {
            return Ok(Objective::PrecisionAtLeast(bound(p, "precision")?));
        }
        if let Some(r) = text.strip_prefix("recall>=") {
            return Ok(Objective::RecallAtLeast(bound(r, "recall")?));
        }
        if let Some(beta) = text.strip_prefix('f').and_then(|b| b.parse::<f64>().ok()) {
            if beta > 0.0 && beta.is_finite() {
                return Ok(Objective::FBeta(beta));
            }
        }
        Err(format!(
            "unknown objective `{text}`: use f1, f2, precision>=P or recall>=R (P, R in (0, 1])"
        ))
    }
}

/// The chosen operating point on validation (`S`: the int8 model's `i32` scores, or a float
/// model's logits).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint<S = i32> {
    /// Alert when the score is at least this.
    pub threshold: S,
    /// True alerts on validation.
    pub tp: usize,
    /// False alerts on validation.
    pub fp: usize,
    /// Validation precision.
    pub precision: f64,
    /// Validation recall.
    pub recall: f64,
    /// Validation F1.
    pub f1: f64,
    /// The objective's value (F-beta, or the recall / precision maximised).
    pub value: f64,
}

/// Why no threshold meets the objective.
#[derive(Debug, Clone, PartialEq)]
pub enum ThresholdError {
    /// Validation has no positive rows: no PR curve.
    NoPositives,
    /// No threshold reaches the bound; the best the model achieves is given.
    Unreachable {
        /// The objective asked for.
        objective: Objective,
        /// The best precision (for `precision>=`) reached at any threshold, with its recall.
        best: f64,
        /// The recall at that best point.
        recall_there: f64,
    },
}

impl fmt::Display for ThresholdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThresholdError::NoPositives => {
                f.write_str("validation has no positive rows: cannot choose a threshold")
            }
            ThresholdError::Unreachable { objective, best, recall_there } => write!(
                f,
                "no threshold meets {objective} on validation: the best precision reached is {best:.4} \
                 (at recall {recall_there:.4}); lower the bound or use --objective f1"
            ),
        }
    }
}

impl std::error::Error for ThresholdError {}

fn point<S: Copy>(p: &PrPoint<S>, value: f64) -> OperatingPoint<S> {
    OperatingPoint {
        threshold: p.threshold,
        tp: p.tp,
        fp: p.fp,
        precision: p.precision,
        recall: p.recall,
        f1: f_beta(p.precision, p.recall, 1.0),
        value,
    }
}

/// The objective's value at a curve point, or `None` where the point does not qualify.
fn value_at<S>(objective: Objective, p: &PrPoint<S>) -> Option<f64> {
    match objective {
        Objective::FBeta(beta) => Some(f_beta(p.precision, p.recall, beta)),
        Objective::PrecisionAtLeast(bound) => (p.precision >= bound).then_some(p.recall),
        Objective::RecallAtLeast(bound) => (p.recall >= bound).then_some(p.precision),
    }
}

/// The best point of an already computed curve (thresholds descending): the highest value,
/// and among equal values the highest threshold (fewest alerts).
pub fn choose_on_curve<S: Copy>(
    curve: &[PrPoint<S>],
    objective: Objective,
) -> Result<OperatingPoint<S>, ThresholdError> {
    if curve.last().is_none_or(|p| p.tp == 0) {
        return Err(ThresholdError::NoPositives);
    }
    let mut best: Option<(f64, &PrPoint<S>)> = None;
    for p in curve {
        if let Some(v) = value_at(objective, p) {
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, p));
            }
        }
    }
    match best {
        Some((v, p)) => Ok(point(p, v)),
        None => {
            let top = curve
                .iter()
                .filter(|p| p.tp > 0)
                .max_by(|a, b| {
                    a.precision
                        .total_cmp(&b.precision)
                        .then(a.recall.total_cmp(&b.recall))
                })
                .copied()
                .unwrap_or(curve[0]);
            Err(ThresholdError::Unreachable {
                objective,
                best: top.precision,
                recall_there: top.recall,
            })
        }
    }
}

/// Chooses the threshold on validation scores.
pub fn choose<S: Score>(
    scores: &[S],
    labels: &[u8],
    objective: Objective,
) -> Result<OperatingPoint<S>, ThresholdError> {
    choose_on_curve(&pr_curve(scores, labels), objective)
}

/// How much the choice would move with another draw of validation data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stability {
    /// Bootstrap rounds run.
    pub rounds: usize,
    /// 5th and 95th percentiles of the threshold chosen on each resample.
    pub threshold_interval: (i32, i32),
    /// 5th and 95th percentiles of the objective's metric at the chosen threshold on each
    /// resample (F-beta; or recall for `precision>=`; or precision for `recall>=`).
    pub metric_interval: (f64, f64),
    /// 5th and 95th percentiles of precision and recall at the chosen threshold.
    pub precision_interval: (f64, f64),
    /// See `precision_interval`.
    pub recall_interval: (f64, f64),
    /// The range of thresholds whose objective value on validation is within 2 % of the best:
    /// a wide plateau means the exact choice matters little.
    pub plateau: (i32, i32),
    /// Resamples on which the objective could not be met.
    pub unreachable_rounds: usize,
}

fn percentile<T: Copy + PartialOrd>(sorted: &[T], q: f64) -> Option<T> {
    let last = sorted.len().checked_sub(1)?;
    sorted.get(((last as f64) * q).round() as usize).copied()
}

/// Bootstrap (`rounds` resamples of the validation rows, seeded) and plateau width of a choice.
pub fn stability(
    scores: &[i32],
    labels: &[u8],
    objective: Objective,
    chosen: &OperatingPoint,
    rounds: usize,
    seed: u64,
) -> Stability {
    let n = scores.len().min(labels.len());
    let curve = pr_curve(&scores[..n], &labels[..n]);
    let best = chosen.value;
    let near: Vec<i32> = curve
        .iter()
        .filter(|p| value_at(objective, p).is_some_and(|v| v >= best - 0.02 * best.abs()))
        .map(|p| p.threshold)
        .collect();
    let plateau = (
        near.iter().copied().min().unwrap_or(chosen.threshold),
        near.iter().copied().max().unwrap_or(chosen.threshold),
    );
    let mut rng = Rng::new(seed);
    let (mut thresholds, mut metrics, mut precisions, mut recalls) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut unreachable = 0;
    let (mut s, mut l) = (vec![0i32; n], vec![0u8; n]);
    for _ in 0..rounds {
        for i in 0..n {
            let j = rng.below(n);
            s[i] = scores[j];
            l[i] = labels[j];
        }
        let curve = pr_curve(&s, &l);
        match choose_on_curve(&curve, objective) {
            Ok(p) => thresholds.push(p.threshold),
            Err(_) => unreachable += 1,
        }
        // The chosen threshold on this resample: the curve point at or just above it.
        if let Some(p) = curve.iter().rev().find(|p| p.threshold >= chosen.threshold) {
            let metric = match objective {
                Objective::FBeta(beta) => f_beta(p.precision, p.recall, beta),
                Objective::PrecisionAtLeast(_) => p.recall,
                Objective::RecallAtLeast(_) => p.precision,
            };
            metrics.push(metric);
            precisions.push(p.precision);
            recalls.push(p.recall);
        }
    }
    thresholds.sort_unstable();
    for v in [&mut metrics, &mut precisions, &mut recalls] {
        v.sort_by(f64::total_cmp);
    }
    let interval_f = |v: &[f64]| {
        (
            percentile(v, 0.05).unwrap_or(f64::NAN),
            percentile(v, 0.95).unwrap_or(f64::NAN),
        )
    };
    Stability {
        rounds,
        threshold_interval: (
            percentile(&thresholds, 0.05).unwrap_or(chosen.threshold),
            percentile(&thresholds, 0.95).unwrap_or(chosen.threshold),
        ),
        metric_interval: interval_f(&metrics),
        precision_interval: interval_f(&precisions),
        recall_interval: interval_f(&recalls),
        plateau,
        unreachable_rounds: unreachable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores 10..1 with labels: 1 1 0 1 0 0 1 0 0 0 (4 positives).
    fn toy() -> (Vec<i32>, Vec<u8>) {
        ((1..=10).rev().collect(), vec![1, 1, 0, 1, 0, 0, 1, 0, 0, 0])
    }

    #[test]
    fn parses_objectives_and_rejects_nonsense() {
        assert_eq!("f1".parse(), Ok(Objective::FBeta(1.0)));
        assert_eq!("f2".parse(), Ok(Objective::FBeta(2.0)));
        assert_eq!(
            "precision>=0.9".parse(),
            Ok(Objective::PrecisionAtLeast(0.9))
        );
        assert_eq!("recall>=0.5".parse(), Ok(Objective::RecallAtLeast(0.5)));
        assert!("precision>=1.5"
            .parse::<Objective>()
            .unwrap_err()
            .contains("(0, 1]"));
        assert!("accuracy"
            .parse::<Objective>()
            .unwrap_err()
            .contains("unknown objective"));
        assert_eq!(
            Objective::PrecisionAtLeast(0.9).to_string(),
            "precision>=0.9"
        );
    }

    #[test]
    fn each_objective_picks_the_right_point() {
        let (s, l) = toy();
        // Points (threshold: tp fp P R): 10: 1 0 1 .25; 9: 2 0 1 .5; 8: 2 1 .667 .5;
        // 7: 3 1 .75 .75; 6: 3 2 .6 .75; 5: 3 3 .5 .75; 4: 4 3 .571 1; …
        let f1 = choose(&s, &l, Objective::FBeta(1.0)).unwrap();
        assert_eq!((f1.threshold, f1.tp, f1.fp), (7, 3, 1)); // F1 0.75
        let p = choose(&s, &l, Objective::PrecisionAtLeast(0.7)).unwrap();
        assert_eq!((p.threshold, p.recall), (7, 0.75));
        let p = choose(&s, &l, Objective::PrecisionAtLeast(1.0)).unwrap();
        assert_eq!((p.threshold, p.recall), (9, 0.5));
        let r = choose(&s, &l, Objective::RecallAtLeast(1.0)).unwrap();
        assert_eq!((r.threshold, r.tp, r.fp), (4, 4, 3));
        let r = choose(&s, &l, Objective::RecallAtLeast(0.5)).unwrap();
        assert_eq!(
            r.threshold, 9,
            "precision 1 at recall 0.5, highest threshold"
        );
    }

    #[test]
    fn unreachable_and_empty_are_errors_with_the_best_value() {
        let s = vec![5, 4, 3, 2];
        let l = vec![0, 1, 0, 1];
        match choose(&s, &l, Objective::PrecisionAtLeast(0.9)) {
            Err(ThresholdError::Unreachable {
                best, recall_there, ..
            }) => {
                assert!(
                    (best - 0.5).abs() < 1e-12 && (recall_there - 1.0).abs() < 1e-12,
                    "{best} {recall_there}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            choose(&s, &[0, 0, 0, 0], Objective::FBeta(1.0)),
            Err(ThresholdError::NoPositives)
        );
    }

    #[test]
    fn stability_brackets_the_choice() {
        let mut rng = Rng::new(4);
        let n = 20_000;
        let labels: Vec<u8> = (0..n).map(|_| u8::from(rng.uniform() < 0.01)).collect();
        let scores: Vec<i32> = labels
            .iter()
            .map(|&y| (rng.normal() * 100.0 + if y == 1 { 250.0 } else { 0.0 }) as i32)
            .collect();
        let chosen = choose(&scores, &labels, Objective::FBeta(1.0)).unwrap();
        let st = stability(&scores, &labels, Objective::FBeta(1.0), &chosen, 50, 9);
        assert!(
            st.threshold_interval.0 <= chosen.threshold
                && chosen.threshold <= st.threshold_interval.1,
            "{st:?} {chosen:?}"
        );
        assert!(
            st.metric_interval.0 <= chosen.value + 1e-9
                && chosen.value <= st.metric_interval.1 + 0.05,
            "{st:?}"
        );
        assert!(st.plateau.0 <= chosen.threshold && chosen.threshold <= st.plateau.1);
        assert_eq!(st.unreachable_rounds, 0);
    }
}
