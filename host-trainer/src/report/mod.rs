//! The training report: `metrics.json`, SVG plots and one self-contained `report.html`.

pub mod html;
pub mod plots;
pub mod svg;
