//! Forward and backward passes of the MLP over a chunk of rows, on `matrixmultiply`'s sgemm
//! with the bias, ReLU, loss and ReLU-mask passes fused around it.
//!
//! Every chunk computes its own gradient; the caller sums chunks in a fixed order, so the
//! result does not depend on which thread ran which chunk.

use super::config::Loss;
use super::layout::Layout;

/// `C = A·B + β·C` for an `m × k` by `k × n` product with element strides (row, column).
#[allow(clippy::too_many_arguments)]
fn gemm(
    (m, k, n): (usize, usize, usize),
    a: &[f32],
    (rsa, csa): (usize, usize),
    b: &[f32],
    (rsb, csb): (usize, usize),
    beta: f32,
    c: &mut [f32],
    (rsc, csc): (usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| {
        (rows.saturating_sub(1)) * rs + (cols.saturating_sub(1)) * cs
    };
    assert!(
        (k == 0 || (last(m, k, rsa, csa) < a.len() && last(k, n, rsb, csb) < b.len()))
            && last(m, n, rsc, csc) < c.len(),
        "gemm operands smaller than their shapes"
    );
    // SAFETY: the assertion above bounds every element sgemm reads or writes; `c` is a
    // unique borrow, disjoint from `a` and `b`.
    unsafe {
        matrixmultiply::sgemm(
            m,
            k,
            n,
            1.0,
            a.as_ptr(),
            rsa as isize,
            csa as isize,
            b.as_ptr(),
            rsb as isize,
            csb as isize,
            beta,
            c.as_mut_ptr(),
            rsc as isize,
            csc as isize,
        );
    }
}

/// Scratch for one chunk of at most `capacity` rows: activations, deltas and the chunk's
/// gradient.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    /// Post-ReLU outputs of each hidden layer, `rows × width`.
    acts: Vec<Vec<f32>>,
    /// Output logits, one per row.
    pub logits: Vec<f32>,
    delta: Vec<f32>,
    delta_prev: Vec<f32>,
    /// This chunk's gradient (flat, as the layout), valid after `backward`.
    pub grad: Vec<f32>,
    /// Sum of the unscaled per-row losses of the last `backward`.
    pub loss_sum: f64,
}

impl Workspace {
    /// Buffers for `capacity` rows.
    pub(crate) fn new(layout: &Layout, capacity: usize) -> Self {
        let hidden = &layout.layers[..layout.layers.len() - 1];
        Workspace {
            acts: hidden
                .iter()
                .map(|l| vec![0.0; capacity * l.outputs])
                .collect(),
            logits: vec![0.0; capacity],
            delta: vec![0.0; capacity * layout.max_width()],
            delta_prev: vec![0.0; capacity * layout.max_width()],
            grad: vec![0.0; layout.len],
            loss_sum: 0.0,
        }
    }

    /// Logits of the `rows` rows of `x` (row-major, `layout.layers[0].inputs` wide) into
    /// `self.logits[..rows]`, keeping hidden activations for `backward`.
    pub(crate) fn forward(&mut self, layout: &Layout, params: &[f32], x: &[f32], rows: usize) {
        let (hidden, output) = layout.layers.split_at(layout.layers.len() - 1);
        for (l, shape) in hidden.iter().enumerate() {
            let (before, rest) = self.acts.split_at_mut(l);
            let input: &[f32] = if l == 0 { x } else { &before[l - 1] };
            let out = &mut rest[0][..rows * shape.outputs];
            let bias = &params[shape.bias..shape.bias + shape.outputs];
            for row in out.chunks_exact_mut(shape.outputs) {
                row.copy_from_slice(bias);
            }
            gemm(
                (rows, shape.inputs, shape.outputs),
                input,
                (shape.inputs, 1),
                &params[shape.weights..shape.bias],
                (1, shape.inputs),
                1.0,
                out,
                (shape.outputs, 1),
            );
            for v in out.iter_mut() {
                *v = v.max(0.0);
            }
        }
        let last = &output[0];
        let input: &[f32] = if hidden.is_empty() {
            x
        } else {
            &self.acts[hidden.len() - 1]
        };
        let w = &params[last.weights..last.bias];
        let b = params[last.bias];
        for (logit, row) in self.logits[..rows]
            .iter_mut()
            .zip(input.chunks_exact(last.inputs))
        {
            *logit = b + row.iter().zip(w).map(|(a, w)| a * w).sum::<f32>();
        }
    }

    /// Gradient of `scale · Σ loss(logit_r, y_r)` after `forward` on the same `x`; stores it
    /// in `self.grad` and the unscaled loss sum in `self.loss_sum`.
    pub(crate) fn backward(
        &mut self,
        layout: &Layout,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        loss: &Loss,
        scale: f32,
    ) {
        let rows = labels.len();
        let (hidden, output) = layout.layers.split_at(layout.layers.len() - 1);
        let last = output[0];
        // Output layer: d loss / d logit, fused with the loss value.
        let mut loss_sum = 0.0f64;
        for (logit, &y) in self.logits[..rows].iter_mut().zip(labels) {
            let (value, gradient) = loss.value_and_gradient(*logit, y);
            loss_sum += f64::from(value);
            *logit = gradient * scale;
        }
        self.loss_sum = loss_sum;
        let dz = &self.logits[..rows];
        let input: &[f32] = if hidden.is_empty() {
            x
        } else {
            &self.acts[hidden.len() - 1]
        };
        let (gw, gb) = self.grad[last.weights..].split_at_mut(last.inputs);
        gw.iter_mut().for_each(|g| *g = 0.0);
        gb[0] = dz.iter().sum();
        for (&d, row) in dz.iter().zip(input.chunks_exact(last.inputs)) {
            for (g, a) in gw.iter_mut().zip(row) {
                *g += d * a;
            }
        }
        let Some(top) = hidden.last() else {
            return;
        };
        // δ of the last hidden layer: dz · w, through the ReLU.
        let w = &params[last.weights..last.bias];
        for ((delta, act), &d) in self.delta[..rows * top.outputs]
            .chunks_exact_mut(top.outputs)
            .zip(input.chunks_exact(top.outputs))
            .zip(dz)
        {
            for ((dv, &a), &wv) in delta.iter_mut().zip(act).zip(w) {
                *dv = if a > 0.0 { d * wv } else { 0.0 };
            }
        }
        for l in (0..hidden.len()).rev() {
            let shape = hidden[l];
            let input: &[f32] = if l == 0 { x } else { &self.acts[l - 1] };
            let delta = &self.delta[..rows * shape.outputs];
            gemm(
                (shape.outputs, rows, shape.inputs),
                delta,
                (1, shape.outputs),
                input,
                (shape.inputs, 1),
                0.0,
                &mut self.grad[shape.weights..shape.bias],
                (shape.inputs, 1),
            );
            let gb = &mut self.grad[shape.bias..shape.bias + shape.outputs];
            gb.iter_mut().for_each(|g| *g = 0.0);
            for row in delta.chunks_exact(shape.outputs) {
                for (g, d) in gb.iter_mut().zip(row) {
                    *g += d;
                }
            }
            if l == 0 {
                break;
            }
            let below = &mut self.delta_prev[..rows * shape.inputs];
            gemm(
                (rows, shape.outputs, shape.inputs),
                delta,
                (shape.outputs, 1),
                &params[shape.weights..shape.bias],
                (shape.inputs, 1),
                0.0,
                below,
                (shape.inputs, 1),
            );
            for (dv, &a) in below
                .iter_mut()
                .zip(&self.acts[l - 1][..rows * shape.inputs])
            {
                if a <= 0.0 {
                    *dv = 0.0;
                }
            }
            std::mem::swap(&mut self.delta, &mut self.delta_prev);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Mlp;
    use crate::rng::Rng;

    /// Total loss of `rows` rows at `params`, through the same forward pass.
    fn total_loss(layout: &Layout, params: &[f32], x: &[f32], y: &[u8], loss: &Loss) -> f64 {
        let mut ws = Workspace::new(layout, y.len());
        ws.forward(layout, params, x, y.len());
        ws.logits[..y.len()]
            .iter()
            .zip(y)
            .map(|(&z, &t)| f64::from(loss.value_and_gradient(z, t).0))
            .sum()
    }

    #[test]
    fn forward_matches_the_reference_network() {
        let mut rng = Rng::new(5);
        let mlp = Mlp::new(7, &[5, 3], -1.0, &mut rng);
        let layout = Layout::new(7, &[5, 3]);
        let params = layout.flatten(&mlp);
        let x: Vec<f32> = (0..7 * 9).map(|_| rng.normal() as f32).collect();
        let mut ws = Workspace::new(&layout, 9);
        ws.forward(&layout, &params, &x, 9);
        for r in 0..9 {
            let expected = mlp.logit(&x[r * 7..(r + 1) * 7]);
            assert!((ws.logits[r] - expected).abs() < 1e-5, "{r}");
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = Rng::new(9);
        for hidden in [vec![6, 4], vec![5], vec![]] {
            let layout = Layout::new(3, &hidden);
            let mlp = Mlp::new(3, &hidden, 0.2, &mut rng);
            let mut params = layout.flatten(&mlp);
            // Non-zero hidden biases: with zero biases a row whose inputs to a unit are all
            // zero sits exactly on the ReLU kink, where central differences see half a slope.
            for l in &layout.layers {
                for b in &mut params[l.bias..l.bias + l.outputs] {
                    *b = 0.1 + 0.3 * rng.uniform() as f32;
                }
            }
            let rows = 11;
            let x: Vec<f32> = (0..3 * rows).map(|_| rng.normal() as f32).collect();
            let y: Vec<u8> = (0..rows).map(|r| u8::from(r % 3 == 0)).collect();
            let loss = Loss::Focal {
                gamma: 1.5,
                alpha: 0.7,
            };
            let mut ws = Workspace::new(&layout, rows);
            ws.forward(&layout, &params, &x, rows);
            ws.backward(&layout, &params, &x, &y, &loss, 1.0);
            let analytic = ws.grad.clone();
            for i in 0..layout.len {
                let h = 1e-3;
                let keep = params[i];
                params[i] = keep + h;
                let up = total_loss(&layout, &params, &x, &y, &loss);
                params[i] = keep - h;
                let down = total_loss(&layout, &params, &x, &y, &loss);
                params[i] = keep;
                let numeric = ((up - down) / (2.0 * f64::from(h))) as f32;
                assert!(
                    (analytic[i] - numeric).abs() < 2e-2 * (1.0 + numeric.abs()),
                    "{hidden:?} parameter {i}: {} vs {numeric}",
                    analytic[i]
                );
            }
        }
    }
}
