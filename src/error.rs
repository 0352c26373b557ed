//! The crate's one error type.

use core::fmt;

/// Everything that can go wrong when reading, writing or running a model.
///
/// Loading errors come from [`Model::from_bytes`](crate::Model::from_bytes), which checks the
/// whole file once; inference errors are only about the caller's arguments (feature count,
/// non-finite values, scratch size), never about the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error {
    /// Fewer bytes than the fixed header, or than the payload length the header states.
    Truncated {
        /// Bytes the header (or the header's payload length) requires.
        needed: usize,
        /// Bytes actually available.
        available: usize,
    },
    /// The file does not start with [`MAGIC`](crate::format::MAGIC).
    BadMagic,
    /// The format version is not one this crate reads.
    UnsupportedVersion {
        /// Version found in the header.
        found: u16,
    },
    /// The header sets flag bits this crate does not know.
    UnsupportedFlags {
        /// Flags found in the header.
        found: u16,
    },
    /// The payload's CRC-32 differs from the header's.
    BadCrc {
        /// CRC-32 stated in the header.
        expected: u32,
        /// CRC-32 computed over the payload.
        computed: u32,
    },
    /// The payload is not a valid postcard encoding of the model description (this includes
    /// more than [`MAX_LAYERS`](crate::format::MAX_LAYERS) layers).
    Malformed,
    /// The payload has bytes after the model description.
    TrailingBytes {
        /// Number of unread payload bytes.
        count: usize,
    },
    /// The model has no input features.
    NoFeatures,
    /// A per-feature table has the wrong length for the feature count.
    FeatureTableLength {
        /// Which table (`"input affine"`, `"feature ranges"`, `"feature names"`).
        table: &'static str,
        /// Entries (or bytes) required.
        expected: usize,
        /// Entries (or bytes) found.
        found: usize,
    },
    /// A per-feature number is not finite, or a range is reversed.
    InvalidFeatureParameter {
        /// 0-based feature index.
        feature: usize,
    },
    /// The model has no layers.
    NoLayers,
    /// A layer's input width differs from the previous layer's output width (or, for the
    /// first layer, from the feature count), or a width is zero.
    DimensionMismatch {
        /// 0-based layer index.
        layer: usize,
    },
    /// A hidden layer's width is not a multiple of 4 (every hidden layer is whole blocks of 4
    /// rows; the trainer pads narrower widths with inert channels).
    HiddenWidth {
        /// 0-based layer index.
        layer: usize,
    },
    /// A layer's weight or channel table has the wrong byte length for its dimensions.
    LayerTableLength {
        /// 0-based layer index.
        layer: usize,
        /// Bytes required.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// A requantization multiplier is negative or a shift is outside `-31..=30`.
    RequantizationOutOfRange {
        /// 0-based layer index.
        layer: usize,
        /// 0-based output channel.
        channel: usize,
    },
    /// A bias is so large that the int32 accumulator could overflow for some input.
    AccumulatorOverflow {
        /// 0-based layer index.
        layer: usize,
        /// 0-based output channel.
        channel: usize,
    },
    /// The last layer must have one output, no ReLU, and no requantization.
    BadOutputLayer,
    /// A calibration number (logit scale, Platt `a` or `b`) is not finite.
    InvalidCalibration,
    /// The monitoring baseline is inconsistent (counts, histogram edges or bins).
    InvalidBaseline {
        /// What is wrong, in a few words.
        reason: &'static str,
    },
    /// The caller passed a different number of features than the model takes.
    FeatureCountMismatch {
        /// Features the model takes.
        expected: usize,
        /// Features passed.
        found: usize,
    },
    /// A feature passed to `predict` is NaN or infinite.
    NonFiniteFeature {
        /// 0-based feature index.
        index: usize,
    },
    /// A label names a prediction that has not been made yet.
    LabelUnknown {
        /// The sequence number given.
        seq: u32,
    },
    /// A label names a prediction older than the monitor's pending buffer holds.
    LabelTooOld {
        /// The sequence number given.
        seq: u32,
        /// The oldest sequence number still held.
        oldest: u32,
    },
    /// A label names a prediction that was already labelled.
    LabelDuplicate {
        /// The sequence number given.
        seq: u32,
    },
    /// A caller-owned buffer is too small.
    CapacityExceeded {
        /// Bytes needed.
        needed: usize,
        /// Bytes given.
        capacity: usize,
    },
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Truncated { needed, available } => {
                write!(f, "model file truncated: needs {needed} bytes, has {available}")
            }
            Error::BadMagic => f.write_str("not a rarewatch model file (bad magic)"),
            Error::UnsupportedVersion { found } => {
                write!(f, "unsupported model format version {found}")
            }
            Error::UnsupportedFlags { found } => {
                write!(f, "unsupported model flags {found:#06x}")
            }
            Error::BadCrc { expected, computed } => write!(
                f,
                "model payload CRC-32 mismatch: header says {expected:#010x}, payload has {computed:#010x}"
            ),
            Error::Malformed => f.write_str("model payload is not a valid model description"),
            Error::TrailingBytes { count } => {
                write!(f, "model payload has {count} unexpected trailing bytes")
            }
            Error::NoFeatures => f.write_str("model has no input features"),
            Error::FeatureTableLength { table, expected, found } => {
                write!(f, "model {table} table has {found} entries, expected {expected}")
            }
            Error::InvalidFeatureParameter { feature } => {
                write!(f, "model parameter of feature {feature} is not finite or is reversed")
            }
            Error::NoLayers => f.write_str("model has no layers"),
            Error::DimensionMismatch { layer } => {
                write!(f, "layer {layer} input width does not match the previous output")
            }
            Error::HiddenWidth { layer } => {
                write!(f, "hidden layer {layer} width is not a multiple of 4")
            }
            Error::LayerTableLength { layer, expected, found } => {
                write!(f, "layer {layer} table has {found} bytes, expected {expected}")
            }
            Error::RequantizationOutOfRange { layer, channel } => write!(
                f,
                "layer {layer} channel {channel}: requantization multiplier or shift out of range"
            ),
            Error::AccumulatorOverflow { layer, channel } => write!(
                f,
                "layer {layer} channel {channel}: bias could overflow the int32 accumulator"
            ),
            Error::BadOutputLayer => f.write_str(
                "last layer must have one output, no ReLU and no requantization parameters",
            ),
            Error::InvalidCalibration => f.write_str("model calibration numbers are not finite"),
            Error::InvalidBaseline { reason } => write!(f, "model monitoring baseline: {reason}"),
            Error::FeatureCountMismatch { expected, found } => {
                write!(f, "model takes {expected} features, got {found}")
            }
            Error::NonFiniteFeature { index } => {
                write!(f, "feature {index} is NaN or infinite")
            }
            Error::LabelUnknown { seq } => write!(f, "label for prediction {seq}, which has not been made"),
            Error::LabelTooOld { seq, oldest } => write!(
                f,
                "label for prediction {seq} is too old: the oldest held is {oldest}"
            ),
            Error::LabelDuplicate { seq } => write!(f, "prediction {seq} was already labelled"),
            Error::CapacityExceeded { needed, capacity } => {
                write!(f, "buffer too small: needs {needed} bytes, has {capacity}")
            }
        }
    }
}

impl core::error::Error for Error {}
