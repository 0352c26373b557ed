//! Batched float inference and the validation figures logged each epoch.

use super::config::Loss;
use super::kernels::Workspace;
use super::layout::Layout;
use super::padded::{pad_rows, PaddedNet};
use crate::metrics::{
    average_precision_of_curve, best_f_beta, confusion_at, pr_curve, roc_auc_of_curve,
};
use crate::network::Mlp;
use rayon::prelude::*;

/// Rows per parallel task (and per gradient chunk in training).
pub(crate) const CHUNK_ROWS: usize = 256;

/// Logits of every row of `x`, a row-major matrix already padded to the network's input
/// width (see [`pad_rows`]), in parallel on the current rayon pool; each row's value does
/// not depend on the chunking.
pub(crate) fn logits_padded(net: &PaddedNet, x: &[f32]) -> Vec<f32> {
    let width = net.input_width();
    let mut out = vec![0.0; x.len() / width];
    out.par_chunks_mut(CHUNK_ROWS)
        .zip(x.par_chunks(CHUNK_ROWS * width))
        .for_each_init(
            || Workspace::new(net, CHUNK_ROWS),
            |ws, (out, x)| {
                ws.load(x);
                ws.forward(net);
                out.copy_from_slice(&ws.logits[..out.len()]);
            },
        );
    out
}

/// Logits of `mlp` for every row of the row-major, already scaled matrix `x`, on all cores.
/// `x.len()` should be a multiple of `mlp.inputs()`; a trailing partial row is ignored.
pub fn predict_logits(mlp: &Mlp, x: &[f32]) -> Vec<f32> {
    let layout = Layout::new(mlp.inputs(), &mlp.hidden());
    let mut net = PaddedNet::new(&layout);
    net.load(&layout, &layout.flatten(mlp));
    let padded = pad_rows(x, mlp.inputs(), net.input_width());
    logits_padded(&net, &padded)
}

/// Validation figures of one set of logits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValFigures {
    pub loss: f64,
    pub ap: f64,
    pub roc_auc: f64,
    pub f1_at_half: f64,
    pub f1_at_best: f64,
    pub best_threshold: f32,
    pub predicted_positive_at_half: usize,
    pub constant: bool,
}

/// Mean loss, exact AP, AUC, F1 at probability ½ (logit 0) and at the best threshold; runs
/// on the current rayon pool.
pub(crate) fn val_figures(logits: &[f32], labels: &[u8], loss: &Loss) -> ValFigures {
    // Partial sums over fixed chunks, added in order: the same total on any thread count.
    let partial: Vec<f64> = logits
        .par_chunks(CHUNK_ROWS * 16)
        .zip(labels.par_chunks(CHUNK_ROWS * 16))
        .map(|(z, y)| {
            z.iter()
                .zip(y)
                .map(|(&z, &y)| f64::from(loss.value_and_gradient(z, y).0))
                .sum::<f64>()
        })
        .collect();
    let total: f64 = partial.iter().sum();
    let curve = pr_curve(logits, labels);
    let at_half = confusion_at(logits, labels, 0.0);
    let best = best_f_beta(&curve, 1.0);
    ValFigures {
        loss: total / labels.len().max(1) as f64,
        ap: average_precision_of_curve(&curve).unwrap_or(0.0),
        roc_auc: roc_auc_of_curve(&curve).unwrap_or(0.5),
        f1_at_half: at_half.f1(),
        f1_at_best: best.map_or(0.0, |p| p.f_beta(1.0)),
        best_threshold: best.map_or(0.0, |p| p.threshold),
        predicted_positive_at_half: at_half.tp + at_half.fp,
        constant: curve.len() <= 1,
    }
}
