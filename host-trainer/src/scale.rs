//! Robust input scaling: centre and spread per feature, then a clip to training quantiles.
//!
//! Median and interquartile range ignore outliers when centring and scaling, so a few extreme
//! rows cannot squash the informative range (the failure of min-max scaling on heavy-tailed
//! data); the clip bounds keep unseen values inside what training covered (the quantizer maps
//! `[lo, hi]` onto the 256 int8 levels).

/// Default clip quantile: 0, bounds at the training minimum and maximum.
///
/// Measured on creditcard (time split, seeds 0–4, default trainer): clipping at the
/// 0.1 %/99.9 % quantiles lowered float test AP from 0.78 to 0.76 and int8 test AP from
/// 0.80 to 0.77 — frauds are the extreme rows, and a quantile clip maps many of them onto
/// the same bound; 10⁻⁵ lay in between. Mammography was indifferent (int8 AP 0.666 either
/// way). Pass a positive quantile for data whose extremes are noise rather than signal.
pub const DEFAULT_CLIP_QUANTILE: f64 = 0.0;

/// `z = clamp((x − centre) / scale, lo, hi)` per feature; `lo`/`hi` are in scaled units.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustScaler {
    /// Per-feature centre (the training median).
    pub centre: Vec<f32>,
    /// Per-feature spread (the training IQR, or a fallback for constant features); > 0.
    pub scale: Vec<f32>,
    /// Per-feature lower clip bound, in scaled units.
    pub lo: Vec<f32>,
    /// Per-feature upper clip bound, in scaled units (`≥ lo`).
    pub hi: Vec<f32>,
}

/// The `q`-quantile of ascending `sorted` values, linearly interpolated (NumPy's default).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = position - below as f64;
    sorted[below] + (sorted[above] - sorted[below]) * fraction
}

/// Spread of one feature: the IQR; when that is 0 (over half the values equal), the mean
/// absolute deviation from the median; when that is 0 too (a constant feature), 1.
fn spread(sorted: &[f64], median: f64) -> f64 {
    let iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
    if iqr > 0.0 && iqr.is_finite() {
        return iqr;
    }
    let mad = sorted.iter().map(|v| (v - median).abs()).sum::<f64>() / sorted.len() as f64;
    if mad > 0.0 && mad.is_finite() {
        mad
    } else {
        1.0
    }
}

impl RobustScaler {
    /// Fits on rows `rows` of the row-major matrix `features` (`n_features` wide).
    ///
    /// Clip bounds are the `clip_quantile` and `1 − clip_quantile` training quantiles (clamped
    /// to `[0, 0.5]`), in scaled units. When those two coincide (more than
    /// `1 − 2·clip_quantile` of the rows share one value, as in a sparse indicator that is
    /// non-zero on rare rows only), the training minimum and maximum are used instead, so a
    /// feature that marks the rare class is not clipped away. Non-finite inputs are ignored;
    /// a feature without finite training values (or no rows at all) gets the identity
    /// scaling with bounds `[0, 0]`. Every value of the result is finite.
    pub fn fit(features: &[f32], n_features: usize, rows: &[usize], clip_quantile: f64) -> Self {
        let mut scaler = RobustScaler {
            centre: vec![0.0; n_features],
            scale: vec![1.0; n_features],
            lo: vec![0.0; n_features],
            hi: vec![0.0; n_features],
        };
        if rows.is_empty() {
            return scaler;
        }
        let clip = if clip_quantile.is_finite() {
            clip_quantile.clamp(0.0, 0.5)
        } else {
            DEFAULT_CLIP_QUANTILE
        };
        let mut column = Vec::with_capacity(rows.len());
        for j in 0..n_features {
            column.clear();
            column.extend(
                rows.iter()
                    .map(|&r| f64::from(features[r * n_features + j]))
                    .filter(|v| v.is_finite()),
            );
            if column.is_empty() {
                continue;
            }
            column.sort_unstable_by(f64::total_cmp);
            let median = quantile(&column, 0.5);
            let scale = spread(&column, median);
            let (mut lo, mut hi) = (quantile(&column, clip), quantile(&column, 1.0 - clip));
            if lo >= hi {
                (lo, hi) = (column[0], column[column.len() - 1]);
            }
            scaler.centre[j] = median as f32;
            scaler.scale[j] = scale as f32;
            scaler.lo[j] = ((lo - median) / scale) as f32;
            scaler.hi[j] = ((hi - median) / scale) as f32;
        }
        scaler
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.centre.len()
    }

    /// Scales and clips one raw row into `out`.
    pub fn transform_row(&self, x: &[f32], out: &mut [f32]) {
        for (i, (slot, &v)) in out.iter_mut().zip(x).enumerate() {
            *slot = ((v - self.centre[i]) / self.scale[i]).clamp(self.lo[i], self.hi[i]);
        }
    }

    /// Scales and clips the rows `rows` of the row-major matrix `features` into a new
    /// row-major matrix (in the order of `rows`).
    pub fn transform_rows(&self, features: &[f32], rows: &[usize]) -> Vec<f32> {
        let n = self.features();
        let mut out = vec![0.0; rows.len() * n];
        for (slot, &r) in out.chunks_exact_mut(n.max(1)).zip(rows) {
            self.transform_row(&features[r * n..(r + 1) * n], slot);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_iqr_and_quantile_clip() {
        // One feature, values 0..=100: median 50, IQR 50, 10 %/90 % quantiles 10 and 90.
        let x: Vec<f32> = (0..=100).map(|v| v as f32).collect();
        let rows: Vec<usize> = (0..=100).collect();
        let s = RobustScaler::fit(&x, 1, &rows, 0.1);
        assert_eq!((s.centre[0], s.scale[0]), (50.0, 50.0));
        assert_eq!((s.lo[0], s.hi[0]), (-0.8, 0.8));
        let mut out = [0.0];
        s.transform_row(&[1000.0], &mut out);
        assert_eq!(out[0], 0.8);
        s.transform_row(&[75.0], &mut out);
        assert_eq!(out[0], 0.5);
    }

    #[test]
    fn constant_and_sparse_features_stay_finite() {
        // Feature 0 constant; feature 1 zero except on 2 of 100 rows.
        let mut x = Vec::new();
        for i in 0..100 {
            x.extend_from_slice(&[3.0, if i % 50 == 0 { 10.0 } else { 0.0 }]);
        }
        let rows: Vec<usize> = (0..100).collect();
        let s = RobustScaler::fit(&x, 2, &rows, DEFAULT_CLIP_QUANTILE);
        assert_eq!(
            (s.centre[0], s.scale[0], s.lo[0], s.hi[0]),
            (3.0, 1.0, 0.0, 0.0)
        );
        // IQR 0 → mean absolute deviation 20/100 = 0.2; quantiles 0.1 %/99.9 % are
        // interpolated (0 and 9.01), so the non-zero rows keep most of their range.
        assert_eq!((s.centre[1], s.scale[1]), (0.0, 0.2));
        assert!(s.hi[1] > 40.0, "{}", s.hi[1]);
        let mut out = [0.0; 2];
        s.transform_row(&[3.0, 10.0], &mut out);
        assert!(out.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn collapsed_quantiles_fall_back_to_min_max() {
        // 1 non-zero row in 10 000: both 0.1 % and 99.9 % quantiles are 0.
        let mut x = vec![0.0f32; 10_000];
        x[5] = 4.0;
        let rows: Vec<usize> = (0..10_000).collect();
        let s = RobustScaler::fit(&x, 1, &rows, DEFAULT_CLIP_QUANTILE);
        assert_eq!(s.centre[0], 0.0);
        assert_eq!(s.lo[0], 0.0);
        assert_eq!(s.hi[0] * s.scale[0], 4.0);
    }

    #[test]
    fn non_finite_training_values_are_ignored() {
        let x = [
            f32::NAN,
            1.0,
            f32::INFINITY,
            3.0,
            f32::NEG_INFINITY,
            f32::NAN,
        ];
        let s = RobustScaler::fit(&x, 2, &[0, 1, 2], 0.0);
        // Feature 0: no finite value → identity; feature 1: values 1 and 3.
        assert_eq!(
            (s.centre[0], s.scale[0], s.lo[0], s.hi[0]),
            (0.0, 1.0, 0.0, 0.0)
        );
        assert_eq!((s.centre[1], s.scale[1]), (2.0, 1.0));
        assert!(s.lo.iter().chain(&s.hi).all(|v| v.is_finite()));
    }

    #[test]
    fn transform_rows_selects_in_order() {
        let x = [0.0f32, 1.0, 2.0, 3.0];
        let s = RobustScaler::fit(&x, 1, &[0, 1, 2, 3], 0.0);
        // Median 1.5, IQR 1.5 (quartiles 0.75 and 2.25).
        assert_eq!(s.transform_rows(&x, &[3, 0]), vec![1.0, -1.0]);
    }
}
