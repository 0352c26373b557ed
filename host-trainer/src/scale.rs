//! Robust input scaling: centre and spread per feature, then a clip to training quantiles.

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

impl RobustScaler {
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
}
