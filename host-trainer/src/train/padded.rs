//! The network in the kernels' layout: widths padded to a multiple of [`NR`] with zeros,
//! first-layer-style transposed weights for the forward pass, plus the gradient in the same
//! layout.
//!
//! Padding is exact: a padded unit has zero weights and bias, so its output is ReLU(0) = 0,
//! its ReLU mask is closed and every gradient through it is 0.

use super::layout::Layout;
use super::tile::NR;

/// `n` rounded up to a multiple of [`NR`].
pub(crate) fn padded(n: usize) -> usize {
    n.div_ceil(NR) * NR
}

/// Copies the row-major `x` (`features` wide) into rows of `width ≥ features` floats, the
/// extra columns zero — the layout the kernels read.
pub(crate) fn pad_rows(x: &[f32], features: usize, width: usize) -> Vec<f32> {
    let rows = x.len() / features.max(1);
    let mut out = vec![0.0; rows * width];
    for (slot, row) in out
        .chunks_exact_mut(width)
        .zip(x.chunks_exact(features.max(1)))
    {
        slot[..features].copy_from_slice(row);
    }
    out
}

/// One hidden layer, padded: `inputs × outputs` padded widths.
#[derive(Debug, Clone)]
pub(crate) struct PaddedLayer {
    pub inputs: usize,
    pub outputs: usize,
    /// Transposed weights, `inputs × outputs` (row `i` holds every unit's weight on input `i`).
    pub wt: Vec<f32>,
    /// Weights as stored, `outputs × inputs`.
    pub w: Vec<f32>,
    /// Biases, `outputs`.
    pub bias: Vec<f32>,
}

/// A network `inputs → hidden… → 1` in padded form.
#[derive(Debug, Clone)]
pub(crate) struct PaddedNet {
    pub hidden: Vec<PaddedLayer>,
    /// Output weights, padded width of the last hidden layer (or of the input).
    pub w_out: Vec<f32>,
    pub b_out: f32,
}

impl PaddedNet {
    /// Zero network of `layout`'s shape.
    pub(crate) fn new(layout: &Layout) -> Self {
        let hidden = layout.layers[..layout.layers.len() - 1]
            .iter()
            .map(|l| {
                let (inputs, outputs) = (padded(l.inputs), padded(l.outputs));
                PaddedLayer {
                    inputs,
                    outputs,
                    wt: vec![0.0; inputs * outputs],
                    w: vec![0.0; inputs * outputs],
                    bias: vec![0.0; outputs],
                }
            })
            .collect();
        let last = layout.layers[layout.layers.len() - 1];
        PaddedNet {
            hidden,
            w_out: vec![0.0; padded(last.inputs)],
            b_out: 0.0,
        }
    }

    /// Padded input width.
    pub(crate) fn input_width(&self) -> usize {
        self.hidden.first().map_or(self.w_out.len(), |l| l.inputs)
    }

    /// Copies the flat parameters `params` in.
    pub(crate) fn load(&mut self, layout: &Layout, params: &[f32]) {
        for (p, l) in self.hidden.iter_mut().zip(&layout.layers) {
            for o in 0..l.outputs {
                for i in 0..l.inputs {
                    let v = params[l.weights + o * l.inputs + i];
                    p.wt[i * p.outputs + o] = v;
                    p.w[o * p.inputs + i] = v;
                }
            }
            p.bias[..l.outputs].copy_from_slice(&params[l.bias..l.bias + l.outputs]);
        }
        let last = layout.layers[layout.layers.len() - 1];
        self.w_out[..last.inputs].copy_from_slice(&params[last.weights..last.bias]);
        self.b_out = params[last.bias];
    }
}

/// A gradient in padded form (weights transposed, as `PaddedLayer::wt`).
#[derive(Debug, Clone)]
pub(crate) struct PaddedGrad {
    pub wt: Vec<Vec<f32>>,
    pub bias: Vec<Vec<f32>>,
    pub w_out: Vec<f32>,
    pub b_out: f32,
}

impl PaddedGrad {
    /// Zero gradient for `net`'s shape.
    pub(crate) fn new(net: &PaddedNet) -> Self {
        PaddedGrad {
            wt: net.hidden.iter().map(|l| vec![0.0; l.wt.len()]).collect(),
            bias: net.hidden.iter().map(|l| vec![0.0; l.outputs]).collect(),
            w_out: vec![0.0; net.w_out.len()],
            b_out: 0.0,
        }
    }

    /// Adds this gradient into the flat gradient `flat` (layout order).
    pub(crate) fn add_to(&self, layout: &Layout, flat: &mut [f32]) {
        for ((wt, bias), l) in self.wt.iter().zip(&self.bias).zip(&layout.layers) {
            let width = padded(l.outputs);
            for o in 0..l.outputs {
                let row = &mut flat[l.weights + o * l.inputs..l.weights + (o + 1) * l.inputs];
                for (i, g) in row.iter_mut().enumerate() {
                    *g += wt[i * width + o];
                }
            }
            for (g, b) in flat[l.bias..l.bias + l.outputs].iter_mut().zip(bias) {
                *g += b;
            }
        }
        let last = layout.layers[layout.layers.len() - 1];
        for (g, w) in flat[last.weights..last.bias].iter_mut().zip(&self.w_out) {
            *g += w;
        }
        flat[last.bias] += self.b_out;
    }
}
