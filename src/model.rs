//! The validated, zero-copy view of a model file.

use crate::error::{Error, Result};
use crate::format::Header;
use crate::quant::saturating_form_applies;
use crate::schema::{BaselineRepr, DecisionRepr, LayerRepr, ModelRepr};
use crate::tables::{f32_pairs, padded_width, Channel};
use crate::validate;

/// A model file checked once and read in place.
///
/// Build it with [`Model::from_bytes`]; every method afterwards is infallible or fails only on
/// the caller's arguments. It borrows the file's bytes (flash or RAM) and copies none of the
/// tables; its own size is `size_of::<Model>()` (layer descriptors and a few numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct Model<'a> {
    repr: ModelRepr<'a>,
    /// Length of the first scratch buffer: inputs of layers 0, 2, 4, …
    scratch_even: usize,
    /// Length of the second scratch buffer: inputs of layers 1, 3, 5, …
    scratch_odd: usize,
    /// Bit `i`: hidden layer `i` requantizes with the branch-free saturating form.
    saturating_layers: u8,
}

impl<'a> Model<'a> {
    /// Parses and validates a model file.
    ///
    /// Checks the header (magic, version, flags, length, CRC-32), decodes the postcard payload
    /// borrowing every table from `bytes`, and validates the whole description (see
    /// [`crate::validate`]). Bytes after the payload are ignored (flash padding).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self> {
        let (_, payload) = Header::parse(bytes)?;
        let (repr, rest) = crate::decode::decode(payload)?;
        if !rest.is_empty() {
            return Err(Error::TrailingBytes { count: rest.len() });
        }
        Self::from_repr(repr)
    }

    /// Validates a description that is already decoded (for example one built on the host).
    pub fn from_repr(repr: ModelRepr<'a>) -> Result<Self> {
        validate::check(&repr)?;
        let width = |layer: &LayerRepr<'_>| padded_width(usize::from(layer.inputs));
        let scratch_even = repr.layers.iter().step_by(2).map(width).max().unwrap_or(0);
        let scratch_odd = repr
            .layers
            .iter()
            .skip(1)
            .step_by(2)
            .map(width)
            .max()
            .unwrap_or(0);
        let saturating_layers = repr
            .layers
            .iter()
            .enumerate()
            .filter(|(_, layer)| {
                Channel::records(layer.channels)
                    .all(|c| saturating_form_applies(c.shift, layer.output_zero_point, layer.relu))
            })
            .fold(0u8, |mask, (index, _)| mask | (1 << index));
        Ok(Model {
            repr,
            scratch_even,
            scratch_odd,
            saturating_layers,
        })
    }

    /// The decoded description.
    pub fn repr(&self) -> &ModelRepr<'a> {
        &self.repr
    }

    /// Number of input features.
    pub fn features(&self) -> usize {
        usize::from(self.repr.input.features)
    }

    /// The dense layers, first to last.
    pub fn layers(&self) -> &[LayerRepr<'a>] {
        &self.repr.layers
    }

    /// Multiply-accumulates per inference over the real (unpadded) weights.
    pub fn macs(&self) -> usize {
        self.layers()
            .iter()
            .map(|l| usize::from(l.inputs) * usize::from(l.outputs))
            .sum()
    }

    /// Bytes of scratch RAM one inference needs: two activation buffers, each a whole number of
    /// 4-byte words. Pass at least this much to [`predict`](Self::predict).
    pub fn scratch_bytes(&self) -> usize {
        self.scratch_even + self.scratch_odd
    }

    /// The decision threshold and the calibration.
    pub fn decision(&self) -> &DecisionRepr {
        &self.repr.decision
    }

    /// The monitoring baseline.
    pub fn baseline(&self) -> &BaselineRepr<'a> {
        &self.repr.baseline
    }

    /// Feature names in input order (empty iterator if the file carries none; a name that is
    /// not UTF-8 reads as `"?"`).
    pub fn feature_names(&self) -> impl Iterator<Item = &'a str> + 'a {
        let names = self.repr.input.names;
        names
            .split(|&b| b == b'\n')
            .filter(move |_| !names.is_empty())
            .map(|name| core::str::from_utf8(name).unwrap_or("?"))
    }

    /// Per feature `(mul, add)` of the input quantization (see [`crate::schema`]).
    pub fn input_affine(&self) -> impl Iterator<Item = (f32, f32)> + 'a {
        f32_pairs(self.repr.input.affine)
    }

    /// Per feature `(lo, hi)` training range, if the file carries them.
    pub fn feature_ranges(&self) -> impl Iterator<Item = (f32, f32)> + 'a {
        f32_pairs(self.repr.baseline.feature_ranges)
    }

    /// Whether hidden layer `index` requantizes with the saturating form.
    pub(crate) fn saturating_layer(&self, index: usize) -> bool {
        self.saturating_layers & (1 << (index & 7)) != 0
    }

    /// The two scratch buffers' lengths, first (even layers' inputs) and second.
    pub(crate) fn scratch_split(&self) -> (usize, usize) {
        (self.scratch_even, self.scratch_odd)
    }
}
