//! `rarewatch-trainer`: trains rare-event classifiers on the host and exports them as
//! `rarewatch` model files (see the `rarewatch` binary).

pub mod calibrate;
pub mod cli;
pub mod data;
pub mod demo;
pub mod golden;
pub mod input_clip;
pub mod metrics;
pub mod model_file;
pub mod network;
pub mod pipeline;
pub mod quantize;
pub mod reference_model;
pub mod report;
pub mod rng;
pub mod scale;
pub mod simulate;
pub mod split;
pub mod threshold;
pub mod train;
