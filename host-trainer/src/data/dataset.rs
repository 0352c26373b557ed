//! The in-memory table: a row-major f32 feature matrix and 0/1 labels.

/// A labelled table with `rows()` rows of `features()` f32 values each.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Feature column names, in file order (the label column removed).
    pub feature_names: Vec<String>,
    /// Name of the label column.
    pub label_name: String,
    /// Row-major features, `rows × features`.
    pub features: Vec<f32>,
    /// One label per row, 0 or 1.
    pub labels: Vec<u8>,
}

impl Dataset {
    /// A dataset from parts; `None` when the matrix size is not `labels.len() × names.len()`,
    /// a label is not 0/1, or there are no feature columns.
    pub fn new(
        feature_names: Vec<String>,
        label_name: impl Into<String>,
        features: Vec<f32>,
        labels: Vec<u8>,
    ) -> Option<Self> {
        let ok = !feature_names.is_empty()
            && features.len() == labels.len() * feature_names.len()
            && labels.iter().all(|&y| y <= 1);
        ok.then(|| Dataset {
            feature_names,
            label_name: label_name.into(),
            features,
            labels,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.labels.len()
    }

    /// Number of feature columns.
    pub fn features(&self) -> usize {
        self.feature_names.len()
    }

    /// Features of row `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        let n = self.features();
        &self.features[i * n..(i + 1) * n]
    }

    /// Number of rows labelled 1.
    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1).count()
    }

    /// A new dataset holding rows `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let mut features = Vec::with_capacity(indices.len() * self.features());
        for &i in indices {
            features.extend_from_slice(self.row(i));
        }
        Dataset {
            feature_names: self.feature_names.clone(),
            label_name: self.label_name.clone(),
            features,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Dataset;

    #[test]
    fn new_checks_shape_and_labels() {
        let names = vec!["a".to_string(), "b".to_string()];
        assert!(Dataset::new(names.clone(), "y", vec![1.0; 4], vec![0, 1]).is_some());
        assert!(Dataset::new(names.clone(), "y", vec![1.0; 3], vec![0, 1]).is_none());
        assert!(Dataset::new(names, "y", vec![1.0; 4], vec![0, 2]).is_none());
        assert!(Dataset::new(vec![], "y", vec![], vec![]).is_none());
    }

    #[test]
    fn select_keeps_rows_in_given_order() {
        let names = vec!["a".to_string(), "b".to_string()];
        let d = Dataset::new(
            names,
            "y",
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            vec![0, 1, 0],
        )
        .expect("valid");
        let s = d.select(&[2, 0]);
        assert_eq!(s.features, vec![5.0, 6.0, 1.0, 2.0]);
        assert_eq!(s.labels, vec![0, 0]);
        assert_eq!(d.positives(), 1);
        assert_eq!(d.row(1), &[3.0, 4.0]);
    }
}
