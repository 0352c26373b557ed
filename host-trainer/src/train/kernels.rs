//! Forward and backward passes of the MLP over a chunk of rows, on the [`tile`] micro-kernel
//! with bias, ReLU, loss, ReLU-mask and bias-gradient passes fused around it.
//!
//! Every chunk computes its own gradient; the trainer sums chunks in a fixed order, so the
//! result does not depend on which thread ran which chunk. On x86-64 with AVX2 and FMA
//! (detected at run time) the passes are compiled for those features and use fused
//! multiply-adds; elsewhere a portable build of the same code runs (results then differ in
//! the last bits, but are still reproducible on that machine).
//!
//! [`tile`]: super::tile

use super::config::Loss;
use super::padded::{PaddedGrad, PaddedNet};
use super::tile::{madd, product, Strided, MR, NR};

/// Scratch for one chunk of at most `capacity` rows: inputs, activations, deltas, logits and
/// the chunk's gradient.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    capacity: usize,
    /// Rows loaded.
    rows: usize,
    /// Inputs, `capacity × padded input width`, zero-padded.
    x: Vec<f32>,
    /// Labels of the loaded rows.
    y: Vec<u8>,
    /// Post-ReLU outputs of each hidden layer, `capacity × padded width`.
    acts: Vec<Vec<f32>>,
    delta: Vec<f32>,
    below: Vec<f32>,
    /// Output logits of the loaded rows (after `forward`).
    pub logits: Vec<f32>,
    /// This chunk's gradient, valid after `backward`.
    pub grad: PaddedGrad,
    /// Sum of the unscaled per-row losses of the last `backward`.
    pub loss_sum: f64,
}

/// Whether the AVX2 + FMA build can run here.
fn fma_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl Workspace {
    /// Buffers for chunks of up to `capacity` rows of `net`'s shape.
    pub(crate) fn new(net: &PaddedNet, capacity: usize) -> Self {
        let capacity = capacity.div_ceil(MR) * MR;
        let widest = net
            .hidden
            .iter()
            .map(|l| l.inputs.max(l.outputs))
            .max()
            .unwrap_or(NR);
        Workspace {
            capacity,
            rows: 0,
            x: vec![0.0; capacity * net.input_width()],
            y: vec![0; capacity],
            acts: net
                .hidden
                .iter()
                .map(|l| vec![0.0; capacity * l.outputs])
                .collect(),
            delta: vec![0.0; capacity * widest],
            below: vec![0.0; capacity * widest],
            logits: vec![0.0; capacity],
            grad: PaddedGrad::new(net),
            loss_sum: 0.0,
        }
    }

    /// Padded input width, floats per row.
    pub(crate) fn width(&self) -> usize {
        self.x.len() / self.capacity
    }

    /// Loads rows `rows` (at most `capacity`) of `x`, a row-major matrix already padded to
    /// [`Self::width`] (see [`pad_rows`](super::padded::pad_rows)), and their labels `y`.
    /// Rows are copied in `NR`-float blocks, which compile to vector moves rather than a
    /// `memcpy` call per row.
    pub(crate) fn gather(&mut self, x: &[f32], y: &[u8], rows: &[usize]) {
        let width = self.width();
        self.rows = rows.len().min(self.capacity);
        for (slot, &r) in self.x.chunks_exact_mut(width).zip(&rows[..self.rows]) {
            let source = &x[r * width..(r + 1) * width];
            for (d, s) in slot.chunks_exact_mut(NR).zip(source.chunks_exact(NR)) {
                if let (Ok(d), Ok(s)) = (<&mut [f32; NR]>::try_from(d), <&[f32; NR]>::try_from(s)) {
                    *d = *s;
                }
            }
        }
        self.clear_padding_rows(width);
        for (slot, &r) in self.y.iter_mut().zip(&rows[..self.rows]) {
            *slot = y[r];
        }
    }

    /// Loads consecutive rows of `x`, already padded to [`Self::width`] (at most
    /// `capacity` rows).
    pub(crate) fn load(&mut self, x: &[f32]) {
        let width = self.width();
        self.rows = (x.len() / width).min(self.capacity);
        self.x[..self.rows * width].copy_from_slice(&x[..self.rows * width]);
        self.clear_padding_rows(width);
    }

    fn clear_padding_rows(&mut self, width: usize) {
        let padded_rows = self.rows.div_ceil(MR) * MR;
        self.x[self.rows * width..padded_rows * width].fill(0.0);
    }

    /// Logits of the loaded rows into `self.logits[..rows]`, keeping activations for
    /// `backward`.
    pub(crate) fn forward(&mut self, net: &PaddedNet) {
        #[cfg(target_arch = "x86_64")]
        if fma_available() {
            // SAFETY: the CPU has AVX2 and FMA (checked at run time just above).
            unsafe { forward_fma(self, net) };
            return;
        }
        forward_body::<false>(self, net);
    }

    /// Gradient of `scale · Σ loss(logit_r, y_r)` over the loaded rows after `forward`;
    /// stores it in `self.grad` and the unscaled loss sum in `self.loss_sum`.
    pub(crate) fn backward(&mut self, net: &PaddedNet, loss: &Loss, scale: f32) {
        #[cfg(target_arch = "x86_64")]
        if fma_available() {
            // SAFETY: the CPU has AVX2 and FMA (checked at run time just above).
            unsafe { backward_fma(self, net, loss, scale) };
            return;
        }
        backward_body::<false>(self, net, loss, scale);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn forward_fma(ws: &mut Workspace, net: &PaddedNet) {
    forward_body::<true>(ws, net);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn backward_fma(ws: &mut Workspace, net: &PaddedNet, loss: &Loss, scale: f32) {
    backward_body::<true>(ws, net, loss, scale);
}

/// `Σ a·b` of two slices whose length is a multiple of [`NR`], in `NR` lanes.
#[inline(always)]
fn dot<const FMA: bool>(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; NR];
    for (ca, cb) in a.chunks_exact(NR).zip(b.chunks_exact(NR)) {
        for t in 0..NR {
            lanes[t] = madd::<FMA>(ca[t], cb[t], lanes[t]);
        }
    }
    lanes.iter().sum()
}

#[inline(always)]
fn forward_body<const FMA: bool>(ws: &mut Workspace, net: &PaddedNet) {
    let padded_rows = ws.rows.div_ceil(MR) * MR;
    let Workspace {
        x, acts, logits, ..
    } = ws;
    for (l, layer) in net.hidden.iter().enumerate() {
        let (before, rest) = acts.split_at_mut(l);
        let input: &[f32] = if l == 0 { x } else { &before[l - 1] };
        product::<FMA>(
            (padded_rows, layer.inputs, layer.outputs),
            Strided {
                data: input,
                row_stride: layer.inputs,
                col_stride: 1,
            },
            &layer.wt,
            &layer.bias,
            &mut rest[0][..padded_rows * layer.outputs],
            |_, _, row| row.iter_mut().for_each(|v| *v = v.max(0.0)),
        );
    }
    let top: &[f32] = acts.last().map_or(&x[..], |a| &a[..]);
    let width = net.w_out.len();
    for (logit, row) in logits[..ws.rows].iter_mut().zip(top.chunks_exact(width)) {
        *logit = net.b_out + dot::<FMA>(row, &net.w_out);
    }
}

#[inline(always)]
fn backward_body<const FMA: bool>(ws: &mut Workspace, net: &PaddedNet, loss: &Loss, scale: f32) {
    let rows = ws.rows;
    let padded_rows = rows.div_ceil(MR) * MR;
    let Workspace {
        x,
        y,
        acts,
        delta,
        below,
        logits,
        grad,
        loss_sum,
        ..
    } = ws;
    let top: &[f32] = acts.last().map_or(&x[..], |a| &a[..]);
    let width = net.w_out.len();
    // Output layer: loss and d loss / d logit, output-weight gradient and the top delta.
    grad.w_out.fill(0.0);
    grad.b_out = 0.0;
    let mut total = 0.0f64;
    let has_hidden = !net.hidden.is_empty();
    for r in 0..rows {
        let (value, gradient) = loss.value_and_gradient(logits[r], y[r]);
        total += f64::from(value);
        let dz = gradient * scale;
        grad.b_out += dz;
        let act = &top[r * width..(r + 1) * width];
        for (g, &a) in grad.w_out.iter_mut().zip(act) {
            *g = madd::<FMA>(dz, a, *g);
        }
        if has_hidden {
            let d = &mut delta[r * width..(r + 1) * width];
            for ((dv, &a), &w) in d.iter_mut().zip(act).zip(&net.w_out) {
                *dv = if a > 0.0 { dz * w } else { 0.0 };
            }
        }
    }
    *loss_sum = total;
    if has_hidden {
        delta[rows * width..padded_rows * width].fill(0.0);
    }
    for l in (0..net.hidden.len()).rev() {
        let layer = &net.hidden[l];
        let input: &[f32] = if l == 0 { x } else { &acts[l - 1] };
        let d = &delta[..padded_rows * layer.outputs];
        // Weights: dWᵀ[i][o] = Σ_r input[r][i] · δ[r][o].
        product::<FMA>(
            (layer.inputs, rows, layer.outputs),
            Strided {
                data: input,
                row_stride: 1,
                col_stride: layer.inputs,
            },
            d,
            &[],
            &mut grad.wt[l],
            |_, _, _| {},
        );
        let gb = &mut grad.bias[l];
        gb.fill(0.0);
        for row in d.chunks_exact(layer.outputs) {
            for (g, v) in gb.iter_mut().zip(row) {
                *g += v;
            }
        }
        if l == 0 {
            break;
        }
        // δ below = (δ · W) through the ReLU of the layer below.
        let mask = &acts[l - 1];
        product::<FMA>(
            (padded_rows, layer.outputs, layer.inputs),
            Strided {
                data: d,
                row_stride: layer.outputs,
                col_stride: 1,
            },
            &layer.w,
            &[],
            &mut below[..padded_rows * layer.inputs],
            |r, n0, row| {
                let act = &mask[r * layer.inputs + n0..r * layer.inputs + n0 + NR];
                for (v, &a) in row.iter_mut().zip(act) {
                    if a <= 0.0 {
                        *v = 0.0;
                    }
                }
            },
        );
        std::mem::swap(delta, below);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Mlp;
    use crate::rng::Rng;
    use crate::train::layout::Layout;
    use crate::train::padded::pad_rows;

    /// Logits, loss sum and flat gradient of `rows` rows through the kernels.
    fn run(
        layout: &Layout,
        params: &[f32],
        x: &[f32],
        y: &[u8],
        loss: &Loss,
    ) -> (Vec<f32>, f64, Vec<f32>) {
        let features = layout.layers[0].inputs;
        let mut net = PaddedNet::new(layout);
        net.load(layout, params);
        let mut ws = Workspace::new(&net, y.len());
        let rows: Vec<usize> = (0..y.len()).collect();
        ws.gather(&pad_rows(x, features, ws.width()), y, &rows);
        ws.forward(&net);
        let logits = ws.logits[..y.len()].to_vec();
        ws.backward(&net, loss, 1.0);
        let mut flat = vec![0.0; layout.len];
        ws.grad.add_to(layout, &mut flat);
        (logits, ws.loss_sum, flat)
    }

    #[test]
    fn forward_matches_the_reference_network() {
        let mut rng = Rng::new(5);
        let mlp = Mlp::new(7, &[5, 3], -1.0, &mut rng);
        let layout = Layout::new(7, &[5, 3]);
        let params = layout.flatten(&mlp);
        let x: Vec<f32> = (0..7 * 9).map(|_| rng.normal() as f32).collect();
        let (logits, _, _) = run(
            &layout,
            &params,
            &x,
            &[0; 9],
            &Loss::Bce { pos_weight: 1.0 },
        );
        for (r, logit) in logits.iter().enumerate() {
            let expected = mlp.logit(&x[r * 7..(r + 1) * 7]);
            assert!((logit - expected).abs() < 1e-5, "{r}");
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let mut rng = Rng::new(9);
        for hidden in [vec![6, 4], vec![17, 5, 3], vec![5], vec![]] {
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
            let (_, _, analytic) = run(&layout, &params, &x, &y, &loss);
            for i in 0..layout.len {
                let h = 1e-3;
                let keep = params[i];
                params[i] = keep + h;
                let up = run(&layout, &params, &x, &y, &loss).1;
                params[i] = keep - h;
                let down = run(&layout, &params, &x, &y, &loss).1;
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

    #[test]
    fn portable_and_fma_builds_agree() {
        if !fma_available() {
            println!("skipped: no AVX2+FMA on this CPU");
            return;
        }
        let mut rng = Rng::new(21);
        let layout = Layout::new(30, &[32, 16]);
        let mlp = Mlp::new(30, &[32, 16], -2.0, &mut rng);
        let params = layout.flatten(&mlp);
        let mut net = PaddedNet::new(&layout);
        net.load(&layout, &params);
        let rows = 37;
        let x: Vec<f32> = (0..30 * rows).map(|_| rng.normal() as f32).collect();
        let y: Vec<u8> = (0..rows).map(|r| u8::from(r % 5 == 0)).collect();
        let index: Vec<usize> = (0..rows).collect();
        let loss = Loss::Bce { pos_weight: 2.0 };
        let mut portable = Workspace::new(&net, rows);
        let x = pad_rows(&x, 30, portable.width());
        portable.gather(&x, &y, &index);
        forward_body::<false>(&mut portable, &net);
        let logits = portable.logits.clone();
        backward_body::<false>(&mut portable, &net, &loss, 0.1);
        let mut fused = Workspace::new(&net, rows);
        fused.gather(&x, &y, &index);
        fused.forward(&net);
        for (a, b) in logits.iter().zip(&fused.logits) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} {b}");
        }
        fused.backward(&net, &loss, 0.1);
        let (mut ga, mut gb) = (vec![0.0; layout.len], vec![0.0; layout.len]);
        portable.grad.add_to(&layout, &mut ga);
        fused.grad.add_to(&layout, &mut gb);
        for (a, b) in ga.iter().zip(&gb) {
            assert!((a - b).abs() <= 1e-5 * (1.0 + a.abs()), "{a} {b}");
        }
    }
}
