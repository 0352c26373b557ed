//! # rarewatch
//!
//! The device half of rarewatch: runs rare-event binary classifiers (fraud at a terminal, a
//! failing bearing, an arrhythmia beat) on microcontrollers, `#![no_std]`, without an
//! allocator. The host half, `rarewatch-trainer`, trains the model and writes one model file;
//! this crate reads that file in place and scores rows with integer arithmetic that is
//! bit-exact with what the trainer measured.
//!
//! * [`Model::from_bytes`] checks the whole file once (header, CRC-32, every length,
//!   dimension, shift and bias bound). A file that validates is safe to run: no later call
//!   panics or reads out of bounds; one that does not gives a precise [`Error`].
//! * Nothing is copied: weights stay in flash, borrowed from the `&[u8]`.
//! * [`Model::predict`] takes f32 features and caller-owned scratch of
//!   [`Model::scratch_bytes`] bytes (64 for a 30-32-16-1 network); the decision is an integer
//!   comparison on the output accumulator. [`Model::probability`] gives the calibrated
//!   probability only when asked.
//! * On Cortex-M4/M7 the dot products use the DSP extension (`SXTB16` + `SMLAD`, 4 output
//!   rows per pass); elsewhere a portable loop. Both give identical bits.
//!
//! ```
//! use rarewatch::{Model, Scratch};
//!
//! // On a device: `static MODEL: Aligned = Aligned(*include_bytes!("model.rwm"));`
//! let bytes = include_bytes!("../examples/firmware/models/model.rwm");
//! let model = Model::from_bytes(bytes)?;
//! let mut scratch = Scratch::<64>::new();
//! assert!(model.scratch_bytes() <= 64);
//!
//! let features = [0.5f32; 30];
//! let prediction = model.predict(&features, &mut scratch)?;
//! if prediction.alert {
//!     let p = model.probability(prediction.score);
//!     assert!(p > 0.0 && p < 1.0);
//! }
//! // Bad input is an error, never a panic.
//! assert!(model.predict(&[f32::NAN; 30], &mut scratch).is_err());
//! assert!(Model::from_bytes(&bytes[..100]).is_err());
//! # Ok::<(), rarewatch::Error>(())
//! ```
//!
//! ## Cargo features
//!
//! * `libm` (default): float math for [`Model::probability`] through `libm`.
//! * `micromath`: the same through `micromath` (smaller, approximate).
//! * `defmt`: `defmt::Format` on the public types.
//! * `armv8m-dsp`: use the DSP kernels on ARMv8-M Mainline parts with the DSP extension
//!   (Cortex-M33/M35P/M55), built with `-C target-feature=+dsp`.
//!
//! ## Minimum supported Rust version
//!
//! Rust 1.95 (the pinned toolchain).

#![cfg_attr(not(test), no_std)]
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod decode;
pub mod error;
pub mod format;
pub mod golden;
pub mod infer;
pub mod kernels;
pub mod model;
pub mod monitor;
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
