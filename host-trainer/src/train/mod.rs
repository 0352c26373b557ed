//! MLP training for rare events: Adam on class-weighted BCE or focal loss, output bias at
//! the class prior `ln(pos/neg)`, stratified mini-batches (every batch has positives),
//! data-parallel and bit-reproducible, early stopping on validation loss or exact AP with
//! patience, min-delta and restore-best; F1 is logged per epoch, never used to stop.

mod adam;
mod batches;
mod config;
mod evaluate;
mod history;
mod kernels;
mod layout;
mod loss;
mod padded;
mod stopping;
mod tile;
mod trainer;

pub use config::{
    ConfigError, Loss, StopOn, TrainConfig, AUTO_BATCH_RANGE, AUTO_STEPS_PER_EPOCH, MAX_THREADS,
};
pub use evaluate::predict_logits;
pub use history::{Collapse, EpochRecord, F1StopModel, TrainResult, CHANCE_AUC};
pub use trainer::{train, Labelled, TrainError};

#[cfg(test)]
mod tests;
