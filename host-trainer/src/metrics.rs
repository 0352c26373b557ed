//! Exact ranking and threshold metrics for binary scores: average precision (step-wise, as
//! scikit-learn defines it), ROC AUC, the PR curve over every distinct threshold, and
//! precision / recall / F-beta at a threshold.
//!
//! Scores may be float logits or the device's integer accumulators ([`Score`]); a row is
//! predicted positive when `score >= threshold`. Equal scores form one threshold (ties are
//! never split by row order).

use rayon::slice::ParallelSliceMut;
use std::cmp::Ordering;

/// A score type with a total order (floats use IEEE `total_cmp`, so NaN cannot panic a sort),
/// mapped onto unsigned keys for fast sorting.
pub trait Score: Copy {
    /// Significant bits of [`Score::sort_key`] (32 lets a key and a row index share a `u64`).
    const KEY_BITS: u32;
    /// A key whose unsigned order is the score's total order.
    fn sort_key(&self) -> u64;
    /// Total order on scores.
    fn total_order(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl Score for f32 {
    const KEY_BITS: u32 = 32;
    fn sort_key(&self) -> u64 {
        let bits = self.to_bits();
        u64::from(if bits >> 31 == 1 {
            !bits
        } else {
            bits | 1 << 31
        })
    }
}

impl Score for f64 {
    const KEY_BITS: u32 = 64;
    fn sort_key(&self) -> u64 {
        let bits = self.to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        }
    }
}

impl Score for i32 {
    const KEY_BITS: u32 = 32;
    fn sort_key(&self) -> u64 {
        u64::from((*self as u32) ^ (1 << 31))
    }
}

impl Score for i64 {
    const KEY_BITS: u32 = 64;
    fn sort_key(&self) -> u64 {
        (*self as u64) ^ (1 << 63)
    }
}

/// Rows from which sorting runs on the current rayon pool.
const PARALLEL_SORT_ROWS: usize = 16_384;

/// Row indices ordered by descending score (ties in any order). The packed keys are unique,
/// so a parallel sort gives the same order as a sequential one.
fn descending<S: Score>(scores: &[S]) -> Vec<usize> {
    if S::KEY_BITS <= 32 && u32::try_from(scores.len()).is_ok() {
        let mut packed: Vec<u64> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (s.sort_key() << 32) | i as u64)
            .collect();
        if packed.len() >= PARALLEL_SORT_ROWS {
            packed.par_sort_unstable_by(|a, b| b.cmp(a));
        } else {
            packed.sort_unstable_by(|a, b| b.cmp(a));
        }
        packed
            .into_iter()
            .map(|p| (p & 0xFFFF_FFFF) as usize)
            .collect()
    } else {
        let mut keyed: Vec<(u64, usize)> = scores.iter().map(|s| s.sort_key()).zip(0..).collect();
        keyed.sort_unstable_by_key(|k| std::cmp::Reverse(k.0));
        keyed.into_iter().map(|(_, i)| i).collect()
    }
}

/// Counts of a thresholded prediction against labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Confusion {
    /// Positives predicted positive.
    pub tp: usize,
    /// Negatives predicted positive.
    pub fp: usize,
    /// Negatives predicted negative.
    pub tn: usize,
    /// Positives predicted negative.
    pub fn_: usize,
}

impl Confusion {
    /// `tp / (tp + fp)`; 0 when nothing is predicted positive (scikit-learn's
    /// `zero_division=0`).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// `tp / (tp + fn)`; 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// F-beta of this confusion's precision and recall.
    pub fn f_beta(&self, beta: f64) -> f64 {
        f_beta(self.precision(), self.recall(), beta)
    }

    /// F1.
    pub fn f1(&self) -> f64 {
        self.f_beta(1.0)
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

/// `(1 + β²)·P·R / (β²·P + R)`; 0 when both are 0.
pub fn f_beta(precision: f64, recall: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    let den = b2 * precision + recall;
    if den <= 0.0 {
        0.0
    } else {
        (1.0 + b2) * precision * recall / den
    }
}

/// Confusion counts when rows with `score >= threshold` are predicted positive.
pub fn confusion_at<S: Score>(scores: &[S], labels: &[u8], threshold: S) -> Confusion {
    let mut c = Confusion::default();
    for (s, &y) in scores.iter().zip(labels) {
        let predicted = s.total_order(&threshold) != Ordering::Less;
        match (predicted, y == 1) {
            (true, true) => c.tp += 1,
            (true, false) => c.fp += 1,
            (false, false) => c.tn += 1,
            (false, true) => c.fn_ += 1,
        }
    }
    c
}

/// One point of the PR curve: predicting `score >= threshold` positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrPoint<S> {
    /// The threshold (one of the scores).
    pub threshold: S,
    /// Positives at or above the threshold.
    pub tp: usize,
    /// Negatives at or above the threshold.
    pub fp: usize,
    /// `tp / (tp + fp)`.
    pub precision: f64,
    /// `tp / positives`.
    pub recall: f64,
}

impl<S> PrPoint<S> {
    /// F-beta at this point.
    pub fn f_beta(&self, beta: f64) -> f64 {
        f_beta(self.precision, self.recall, beta)
    }
}

/// The exact PR curve: one point per distinct score, thresholds decreasing (recall rising).
/// Empty when `scores` is empty. Lengths of `scores` and `labels` must match (extra entries of
/// the longer one are ignored).
pub fn pr_curve<S: Score>(scores: &[S], labels: &[u8]) -> Vec<PrPoint<S>> {
    let n = scores.len().min(labels.len());
    let positives = labels[..n].iter().filter(|&&y| y == 1).count();
    let order = descending(&scores[..n]);
    let mut curve = Vec::new();
    let (mut tp, mut fp) = (0, 0);
    let mut i = 0;
    while i < n {
        let threshold = scores[order[i]];
        while i < n && scores[order[i]].total_order(&threshold) == Ordering::Equal {
            if labels[order[i]] == 1 {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        curve.push(PrPoint {
            threshold,
            tp,
            fp,
            precision: ratio(tp, tp + fp),
            recall: ratio(tp, positives),
        });
    }
    curve
}

/// Average precision `Σₙ (Rₙ − Rₙ₋₁)·Pₙ` over the distinct thresholds (no interpolation);
/// `None` without positives.
pub fn average_precision<S: Score>(scores: &[S], labels: &[u8]) -> Option<f64> {
    average_precision_of_curve(&pr_curve(scores, labels))
}

/// Average precision of an already computed PR curve; `None` when it reaches no positive.
pub fn average_precision_of_curve<S>(curve: &[PrPoint<S>]) -> Option<f64> {
    let last = curve.last()?;
    if last.tp == 0 {
        return None;
    }
    let mut previous_recall = 0.0;
    let mut ap = 0.0;
    for p in curve {
        ap += (p.recall - previous_recall) * p.precision;
        previous_recall = p.recall;
    }
    Some(ap)
}

/// The point of highest F-beta (the highest threshold among equals); `None` for an empty curve.
pub fn best_f_beta<S: Copy>(curve: &[PrPoint<S>], beta: f64) -> Option<PrPoint<S>> {
    let mut best: Option<(f64, PrPoint<S>)> = None;
    for p in curve {
        let f = p.f_beta(beta);
        if best.is_none_or(|(b, _)| f > b) {
            best = Some((f, *p));
        }
    }
    best.map(|(_, p)| p)
}

/// ROC AUC: the probability that a random positive scores above a random negative, ties
/// counting ½; `None` unless both classes are present.
pub fn roc_auc<S: Score>(scores: &[S], labels: &[u8]) -> Option<f64> {
    roc_auc_of_curve(&pr_curve(scores, labels))
}

/// ROC AUC of an already computed PR curve (which holds the cumulative counts it needs).
pub fn roc_auc_of_curve<S>(curve: &[PrPoint<S>]) -> Option<f64> {
    let last = curve.last()?;
    let (positives, negatives) = (last.tp, last.fp);
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut pairs, mut tp_above, mut fp_above) = (0.0f64, 0usize, 0usize);
    for p in curve {
        let (group_tp, group_fp) = (p.tp - tp_above, p.fp - fp_above);
        pairs += group_fp as f64 * (tp_above as f64 + 0.5 * group_tp as f64);
        tp_above = p.tp;
        fp_above = p.fp;
    }
    Some(pairs / (positives as f64 * negatives as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn ap_and_auc_hand_example() {
        // Descending: 0.8(+) 0.4(−) 0.35(+) 0.1(−).
        // AP = 0.5·1 + 0·½ + 0.5·⅔ = 5/6; AUC: 0.8 beats both negatives, 0.35 beats one → ¾.
        let s = [0.1f32, 0.4, 0.35, 0.8];
        let y = [0, 0, 1, 1];
        assert!(close(
            average_precision(&s, &y).expect("positives"),
            5.0 / 6.0
        ));
        assert!(close(roc_auc(&s, &y).expect("both"), 0.75));
    }

    #[test]
    fn ties_form_one_threshold() {
        // All three 1s are one threshold: P = ⅔ at R = 1 → AP = ⅔, whatever the row order.
        // AUC: each positive ties one negative (½) and beats the other (1) → 3/4.
        let y = [1, 0, 1, 0];
        let s = [1i32, 1, 1, 0];
        assert!(close(
            average_precision(&s, &y).expect("positives"),
            2.0 / 3.0
        ));
        assert!(close(roc_auc(&s, &y).expect("both"), 0.75));
        let reordered = [0, 1, 0, 1];
        let s2 = [1i32, 1, 0, 1];
        assert!(close(
            average_precision(&s2, &reordered).expect("pos"),
            2.0 / 3.0
        ));
        let curve = pr_curve(&s, &y);
        assert_eq!(curve.len(), 2);
        assert_eq!((curve[0].threshold, curve[0].tp, curve[0].fp), (1, 2, 1));
        assert_eq!((curve[1].threshold, curve[1].tp, curve[1].fp), (0, 2, 2));
    }

    #[test]
    fn perfect_worst_and_degenerate() {
        let y = [0, 1, 0, 1, 0];
        let perfect = [0.0f64, 2.0, 0.5, 3.0, 1.0];
        assert!(close(average_precision(&perfect, &y).expect("pos"), 1.0));
        assert!(close(roc_auc(&perfect, &y).expect("both"), 1.0));
        let worst = perfect.map(|v| -v);
        // Descending: − − − + +, so P = ¼ at R = ½ and P = ⅖ at R = 1:
        // ½·¼ + ½·⅖ = 1/8 + 1/5 = 0.325.
        assert!(close(average_precision(&worst, &y).expect("pos"), 0.325));
        assert!(close(roc_auc(&worst, &y).expect("both"), 0.0));
        let constant = [7i32; 5];
        assert!(close(average_precision(&constant, &y).expect("pos"), 0.4));
        assert!(close(roc_auc(&constant, &y).expect("both"), 0.5));
        assert_eq!(average_precision(&[1.0f32, 2.0], &[0, 0]), None);
        assert_eq!(roc_auc(&[1.0f32, 2.0], &[1, 1]), None);
        assert_eq!(average_precision::<f32>(&[], &[]), None);
    }

    #[test]
    fn sort_keys_follow_the_total_order() {
        let floats = [
            f32::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-30,
            3.0,
            f32::INFINITY,
            f32::NAN,
        ];
        for w in floats.windows(2) {
            assert!(w[0].sort_key() < w[1].sort_key(), "{} {}", w[0], w[1]);
        }
        let ints = [i32::MIN, -5, -1, 0, 1, i32::MAX];
        for w in ints.windows(2) {
            assert!(w[0].sort_key() < w[1].sort_key());
        }
        let doubles = [-1e300f64, -1.0, 0.0, 2.0];
        for w in doubles.windows(2) {
            assert!(w[0].sort_key() < w[1].sort_key());
        }
        assert!((-3i64).sort_key() < 7i64.sort_key());
        assert_eq!(descending(&[0.5f32, 2.0, -1.0]), vec![1, 0, 2]);
        assert_eq!(descending(&[0.5f64, 2.0, -1.0]), vec![1, 0, 2]);
    }

    #[test]
    fn nan_scores_do_not_panic() {
        let s = [f32::NAN, 1.0, 0.0, f32::NAN];
        let y = [1, 0, 1, 0];
        assert!(average_precision(&s, &y).is_some());
        assert!(roc_auc(&s, &y).is_some());
    }

    #[test]
    fn threshold_metrics() {
        let s = [0.1f32, 0.4, 0.35, 0.8];
        let y = [0, 0, 1, 1];
        let c = confusion_at(&s, &y, 0.35);
        assert_eq!(
            c,
            Confusion {
                tp: 2,
                fp: 1,
                tn: 1,
                fn_: 0
            }
        );
        assert!(close(c.precision(), 2.0 / 3.0));
        assert!(close(c.recall(), 1.0));
        assert!(close(c.f1(), 0.8));
        // F2 = 5·P·R / (4P + R) = 5·⅔ / (8/3 + 1) = 10/11.
        assert!(close(c.f_beta(2.0), 10.0 / 11.0));
        assert_eq!(confusion_at(&s, &y, 0.9).precision(), 0.0);
        assert_eq!(f_beta(0.0, 0.0, 1.0), 0.0);
        let best = best_f_beta(&pr_curve(&s, &y), 1.0).expect("non-empty");
        // Thresholds: 0.8 → F1 ⅔; 0.4 → ½; 0.35 → 0.8; 0.1 → ⅔.
        assert_eq!(best.threshold, 0.35);
        assert!(close(best.f_beta(1.0), 0.8));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// AUC by counting every (positive, negative) pair.
        fn brute_auc(s: &[i32], y: &[u8]) -> Option<f64> {
            let (mut pairs, mut wins) = (0.0, 0.0);
            for (a, &ya) in s.iter().zip(y) {
                for (b, &yb) in s.iter().zip(y) {
                    if ya == 1 && yb == 0 {
                        pairs += 1.0;
                        wins += if a > b {
                            1.0
                        } else if a == b {
                            0.5
                        } else {
                            0.0
                        };
                    }
                }
            }
            (pairs > 0.0).then(|| wins / pairs)
        }

        /// AP from its definition: at each distinct threshold t (descending), the precision
        /// of `score ≥ t` times the recall it adds.
        fn brute_ap(s: &[i32], y: &[u8]) -> Option<f64> {
            let positives = y.iter().filter(|&&v| v == 1).count() as f64;
            if positives == 0.0 {
                return None;
            }
            let mut thresholds: Vec<i32> = s.to_vec();
            thresholds.sort_unstable_by(|a, b| b.cmp(a));
            thresholds.dedup();
            let (mut ap, mut previous) = (0.0, 0.0);
            for t in thresholds {
                let c = confusion_at(s, y, t);
                ap += (c.recall() - previous) * c.precision();
                previous = c.recall();
            }
            Some(ap)
        }

        proptest! {
            #[test]
            fn match_brute_force_and_survive_monotone_maps(
                rows in proptest::collection::vec((-5i32..5, 0u8..2), 0..40)
            ) {
                let (s, y): (Vec<i32>, Vec<u8>) = rows.into_iter().unzip();
                let ap = average_precision(&s, &y);
                let auc = roc_auc(&s, &y);
                match (ap, brute_ap(&s, &y)) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
                    (a, b) => prop_assert_eq!(a, b),
                }
                match (auc, brute_auc(&s, &y)) {
                    (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12),
                    (a, b) => prop_assert_eq!(a, b),
                }
                // A strictly increasing map to floats keeps every rank and tie.
                let f: Vec<f32> = s.iter().map(|&v| (v as f32) * 0.37 - 1.0).collect();
                prop_assert_eq!(average_precision(&f, &y), ap);
                prop_assert_eq!(roc_auc(&f, &y), auc);
                if let Some(a) = ap {
                    prop_assert!((0.0..=1.0 + 1e-12).contains(&a));
                }
            }
        }
    }
}
