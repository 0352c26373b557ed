#![no_std]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod format;
pub mod golden;
pub mod infer;
pub mod kernels;
pub mod model;
pub mod quant;
pub mod schema;
pub mod tables;
pub mod validate;

mod crc;
mod encode;
mod math;

pub use crc::crc32;
pub use error::{Error, Result};
pub use golden::{GoldenVector, GoldenVectors};
pub use infer::{Prediction, Scratch};
pub use model::Model;
pub use schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};
