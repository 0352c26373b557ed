//! Drop-test tunings the bench keeps beside the default, for reference.

use rarewatch::monitor::DropTuning;

/// The default before the erosion CUSUM's reference moved below the baseline: erosion 0.375 +
/// collapse 0.7 at 1.1× the levels, both against the baseline's point estimate.
pub const PAIR_AT_POINT_ESTIMATE: DropTuning = DropTuning {
    erosion: 0.375,
    collapse: Some(0.7),
    collapse_level_factor: 1.1,
    baseline_margin: 0.0,
};

/// The first default: one CUSUM tuned for a 0.375 drop, against the point estimate.
pub const SINGLE_AT_POINT_ESTIMATE: DropTuning = DropTuning {
    erosion: 0.375,
    collapse: None,
    collapse_level_factor: 1.0,
    baseline_margin: 0.0,
};
