//! Train / validation / test splits (60 / 20 / 20): `time` keeps file order (no look-ahead for
//! data with a time axis), `stratified` shuffles each class separately with a seed so every
//! part gets its share of the rare positives.

use crate::rng::Rng;
use std::fmt;

/// Fraction of rows (of each class, for `Stratified`) in the training part.
pub const TRAIN_FRACTION: f64 = 0.6;
/// Fraction in the validation part; the test part takes the rest.
pub const VAL_FRACTION: f64 = 0.2;

/// How rows are assigned to parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitKind {
    /// First 60 % of rows train, next 20 % validate, last 20 % test.
    Time,
    /// 60 / 20 / 20 within each class, rows drawn by a seeded shuffle.
    Stratified {
        /// Shuffle seed.
        seed: u64,
    },
}

/// Row indices of each part, ascending within a part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Validation rows (early stopping, calibration, threshold).
    pub val: Vec<usize>,
    /// Test rows (reported only).
    pub test: Vec<usize>,
}

/// Rows and positives of one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartCounts {
    /// Rows.
    pub rows: usize,
    /// Rows labelled 1.
    pub positives: usize,
}

/// Rows and positives of each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitCounts {
    /// Training part.
    pub train: PartCounts,
    /// Validation part.
    pub val: PartCounts,
    /// Test part.
    pub test: PartCounts,
}

/// A split that leaves a part without one of the classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// `"train"`, `"validation"` or `"test"`.
    pub part: &'static str,
    /// The counts of every part.
    pub counts: SplitCounts,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        write!(
            f,
            "the {} part has no {}: positives per part train {}/{}, validation {}/{}, test {}/{} \
             (rows with label 1 / rows); more data or a stratified split is needed",
            self.part,
            if self.part_counts().positives == 0 {
                "positive rows"
            } else {
                "negative rows"
            },
            c.train.positives,
            c.train.rows,
            c.val.positives,
            c.val.rows,
            c.test.positives,
            c.test.rows
        )
    }
}

impl SplitError {
    fn part_counts(&self) -> PartCounts {
        match self.part {
            "train" => self.counts.train,
            "validation" => self.counts.val,
            _ => self.counts.test,
        }
    }
}

impl std::error::Error for SplitError {}

fn part_sizes(n: usize) -> (usize, usize) {
    let train = (n as f64 * TRAIN_FRACTION).round() as usize;
    let val = ((n as f64 * VAL_FRACTION).round() as usize).min(n - train);
    (train, val)
}

fn count(indices: &[usize], labels: &[u8]) -> PartCounts {
    PartCounts {
        rows: indices.len(),
        positives: indices.iter().filter(|&&i| labels[i] == 1).count(),
    }
}

impl Split {
    /// Splits rows `0..labels.len()`; an error when a part lacks either class (training and
    /// validation need both, and test metrics are meaningless without them).
    pub fn new(labels: &[u8], kind: SplitKind) -> Result<Split, SplitError> {
        let split = match kind {
            SplitKind::Time => {
                let (train, val) = part_sizes(labels.len());
                Split {
                    train: (0..train).collect(),
                    val: (train..train + val).collect(),
                    test: (train + val..labels.len()).collect(),
                }
            }
            SplitKind::Stratified { seed } => {
                let mut rng = Rng::new(seed);
                let mut split = Split {
                    train: Vec::new(),
                    val: Vec::new(),
                    test: Vec::new(),
                };
                for class in [0u8, 1] {
                    let mut rows: Vec<usize> =
                        (0..labels.len()).filter(|&i| labels[i] == class).collect();
                    rng.shuffle(&mut rows);
                    let (train, val) = part_sizes(rows.len());
                    split.train.extend_from_slice(&rows[..train]);
                    split.val.extend_from_slice(&rows[train..train + val]);
                    split.test.extend_from_slice(&rows[train + val..]);
                }
                split.train.sort_unstable();
                split.val.sort_unstable();
                split.test.sort_unstable();
                split
            }
        };
        let counts = split.counts(labels);
        for (part, c) in [
            ("train", counts.train),
            ("validation", counts.val),
            ("test", counts.test),
        ] {
            if c.positives == 0 || c.positives == c.rows {
                return Err(SplitError { part, counts });
            }
        }
        Ok(split)
    }

    /// Rows and positives of each part.
    pub fn counts(&self, labels: &[u8]) -> SplitCounts {
        SplitCounts {
            train: count(&self.train, labels),
            val: count(&self.val, labels),
            test: count(&self.test, labels),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(n: usize, every: usize) -> Vec<u8> {
        (0..n).map(|i| u8::from(i % every == 0)).collect()
    }

    #[test]
    fn time_split_keeps_file_order() {
        let y = labels(100, 10);
        let s = Split::new(&y, SplitKind::Time).expect("both classes");
        assert_eq!(s.train, (0..60).collect::<Vec<_>>());
        assert_eq!(s.val, (60..80).collect::<Vec<_>>());
        assert_eq!(s.test, (80..100).collect::<Vec<_>>());
        let c = s.counts(&y);
        assert_eq!(
            (c.train.positives, c.val.positives, c.test.positives),
            (6, 2, 2)
        );
    }

    #[test]
    fn stratified_split_is_per_class_and_seeded() {
        let y = labels(1000, 20); // 50 positives
        let a = Split::new(&y, SplitKind::Stratified { seed: 3 }).expect("ok");
        let b = Split::new(&y, SplitKind::Stratified { seed: 3 }).expect("ok");
        let other = Split::new(&y, SplitKind::Stratified { seed: 4 }).expect("ok");
        assert_eq!(a, b);
        assert_ne!(a, other);
        let c = a.counts(&y);
        assert_eq!(
            (c.train.positives, c.val.positives, c.test.positives),
            (30, 10, 10)
        );
        assert_eq!((c.train.rows, c.val.rows, c.test.rows), (600, 200, 200));
        let mut all: Vec<usize> = a
            .train
            .iter()
            .chain(&a.val)
            .chain(&a.test)
            .copied()
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn part_without_positives_is_an_error() {
        let mut y = vec![0u8; 100];
        y[10] = 1;
        y[70] = 1;
        let err = Split::new(&y, SplitKind::Time).expect_err("test part has none");
        assert_eq!(
            err.to_string(),
            "the test part has no positive rows: positives per part train 1/60, validation 1/20, \
             test 0/20 (rows with label 1 / rows); more data or a stratified split is needed"
        );
    }
}
