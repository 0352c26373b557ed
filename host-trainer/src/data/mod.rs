//! Reading labelled tables: CSV or gzip-compressed CSV into a dense f32 matrix and u8 labels.
//!
//! The reader streams (one line in memory at a time, besides the growing matrix), detects gzip
//! by its magic bytes rather than the file name, and reports every problem with the file,
//! the 1-based line and the column — see [`DataError`].

mod dataset;
mod error;
mod fields;
mod prefetch;
mod read;

pub use dataset::Dataset;
pub use error::DataError;
pub use read::{read_csv, read_csv_from, read_table};

#[cfg(test)]
mod tests;
