//! Drop-test tunings the bench keeps beside the default, for reference.

use rarewatch::monitor::DropTuning;

/// The default before this one: erosion CUSUM 0.275 + collapse SR 0.7 at 1.3× the levels.
pub const EROSION_0_275_COLLAPSE_0_7: DropTuning = DropTuning {
    erosion: 0.275,
    collapse: Some(0.7),
    collapse_level_factor: 1.3,
    baseline_margin: 1.0,
};

/// The first default: one CUSUM tuned for a 0.375 drop, against the point estimate.
pub const SINGLE_AT_POINT_ESTIMATE: DropTuning = DropTuning {
    erosion: 0.375,
    collapse: None,
    collapse_level_factor: 1.0,
    baseline_margin: 0.0,
};
