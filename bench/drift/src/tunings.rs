//! Drop-test tunings the bench keeps beside the default, for reference.

use rarewatch::monitor::DropTuning;

/// The first default: one CUSUM tuned for a 0.375 drop, against the point estimate.
pub const SINGLE_AT_POINT_ESTIMATE: DropTuning = DropTuning {
    erosion: 0.375,
    collapse: None,
    collapse_level_factor: 1.0,
    baseline_margin: 0.0,
};
