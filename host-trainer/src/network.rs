//! The float MLP the trainer fits and the quantizer converts: plain row-major tables.

use crate::rng::Rng;

/// A dense layer: `y = act(W·x + b)` with `W` row-major `[outputs][inputs]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Input width.
    pub inputs: usize,
    /// Output width.
    pub outputs: usize,
    /// Row-major weights, `outputs × inputs`.
    pub weights: Vec<f32>,
    /// Biases, `outputs`.
    pub bias: Vec<f32>,
    /// ReLU after the affine map (hidden layers); the output layer is linear (a logit).
    pub relu: bool,
}

/// A multilayer perceptron ending in one logit.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// Layers, first to last; the last has one output and no ReLU.
    pub layers: Vec<Dense>,
}

impl Dense {
    /// Row `o` of the weights.
    pub fn row(&self, o: usize) -> &[f32] {
        &self.weights[o * self.inputs..(o + 1) * self.inputs]
    }

    /// Applies the layer to one input row, writing `outputs` values.
    pub fn forward(&self, x: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.extend((0..self.outputs).map(|o| {
            let pre = self.row(o).iter().zip(x).map(|(w, v)| w * v).sum::<f32>() + self.bias[o];
            if self.relu {
                pre.max(0.0)
            } else {
                pre
            }
        }));
    }
}

impl Mlp {
    /// A network `inputs → hidden… → 1` with He-normal weights, zero hidden biases and the
    /// output bias set to `output_bias` (the trainer passes `ln(pos/neg)`).
    pub fn new(inputs: usize, hidden: &[usize], output_bias: f32, rng: &mut Rng) -> Self {
        let mut widths = vec![inputs];
        widths.extend_from_slice(hidden);
        widths.push(1);
        let last = widths.len() - 2;
        let layers = widths
            .windows(2)
            .enumerate()
            .map(|(index, pair)| {
                let (fan_in, fan_out) = (pair[0], pair[1]);
                let std = (2.0 / fan_in as f64).sqrt();
                Dense {
                    inputs: fan_in,
                    outputs: fan_out,
                    weights: (0..fan_in * fan_out)
                        .map(|_| (rng.normal() * std) as f32)
                        .collect(),
                    bias: vec![if index == last { output_bias } else { 0.0 }; fan_out],
                    relu: index != last,
                }
            })
            .collect();
        Mlp { layers }
    }

    /// Input width.
    pub fn inputs(&self) -> usize {
        self.layers.first().map_or(0, |l| l.inputs)
    }

    /// Hidden widths.
    pub fn hidden(&self) -> Vec<usize> {
        self.layers
            .iter()
            .take(self.layers.len().saturating_sub(1))
            .map(|l| l.outputs)
            .collect()
    }

    /// The same function with every hidden width rounded up to a multiple of `block`: the
    /// extra channels have zero weights and bias (so ReLU gives 0) and the next layer gives
    /// them zero weights. The model format wants whole blocks of 4 rows per hidden layer.
    pub fn padded_hidden(&self, block: usize) -> Mlp {
        let mut layers = self.layers.clone();
        for index in 0..layers.len().saturating_sub(1) {
            let outputs = layers[index].outputs;
            let padded = outputs.div_ceil(block) * block;
            if padded == outputs {
                continue;
            }
            let layer = &mut layers[index];
            layer.weights.resize(padded * layer.inputs, 0.0);
            layer.bias.resize(padded, 0.0);
            layer.outputs = padded;
            let next = &mut layers[index + 1];
            let mut weights = Vec::with_capacity(next.outputs * padded);
            for o in 0..next.outputs {
                weights.extend_from_slice(next.row(o));
                weights.extend(std::iter::repeat_n(0.0, padded - outputs));
            }
            next.weights = weights;
            next.inputs = padded;
        }
        Mlp { layers }
    }

    /// The logit for one (scaled) input row.
    pub fn logit(&self, x: &[f32]) -> f32 {
        let mut current = x.to_vec();
        let mut next = Vec::new();
        for layer in &self.layers {
            layer.forward(&current, &mut next);
            std::mem::swap(&mut current, &mut next);
        }
        current.first().copied().unwrap_or(0.0)
    }

    /// Every hidden layer's outputs for one input row (the activations the quantizer needs
    /// ranges of).
    pub fn hidden_activations(&self, x: &[f32]) -> Vec<Vec<f32>> {
        let mut outputs = Vec::with_capacity(self.layers.len());
        let mut current = x.to_vec();
        for layer in &self.layers[..self.layers.len().saturating_sub(1)] {
            let mut next = Vec::new();
            layer.forward(&current, &mut next);
            outputs.push(next.clone());
            current = next;
        }
        outputs
    }
}
