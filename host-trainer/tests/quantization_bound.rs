//! The int8 model against the float model it came from: the logit difference stays inside the
//! worst-case bound propagated from the quantization steps, on random networks and rows.

use proptest::prelude::*;
use rarewatch_trainer::network::Mlp;
use rarewatch_trainer::quantize::{quantize, Quantized};
use rarewatch_trainer::rng::Rng;
use rarewatch_trainer::scale::RobustScaler;

/// Worst-case |int8 logit − float logit| for one scaled row `z`, layer by layer:
/// `e_out ≤ Σ|W|·e_in + (s_acc/2)·Σ|x̂|/σ + s_acc/2`, then `+ s_out/2` for the requantization
/// rounding (ReLU and the clamp to the calibrated range are non-expansive).
fn error_bound(mlp: &Mlp, q: &Quantized, z: &[f32]) -> f64 {
    let mut x: Vec<f64> = z.iter().map(|&v| f64::from(v)).collect();
    let mut e: Vec<f64> = q
        .input_steps
        .iter()
        .map(|s| s / 2.0 + 1e-4 * s.max(1e-3))
        .collect();
    let mut sigma = q.input_steps.clone();
    let mut bound = 0.0;
    for (layer, scales) in mlp.layers.iter().zip(&q.layers) {
        let mut next_x = Vec::with_capacity(layer.outputs);
        let mut next_e = Vec::with_capacity(layer.outputs);
        for c in 0..layer.outputs {
            let row = layer.row(c);
            let s_acc = scales.acc_scale[c];
            let mut pre = f64::from(layer.bias[c]);
            let mut err = s_acc / 2.0;
            for j in 0..layer.inputs {
                pre += f64::from(row[j]) * x[j];
                err += f64::from(row[j]).abs() * e[j];
                if sigma[j] > 0.0 {
                    err += s_acc / 2.0 * (x[j].abs() + e[j]) / sigma[j];
                }
            }
            match scales.output {
                Some(out) => {
                    next_x.push(if layer.relu { pre.max(0.0) } else { pre });
                    next_e.push(err * (1.0 + 1e-6) + out.scale / 2.0);
                }
                None => bound = err,
            }
        }
        if let Some(out) = scales.output {
            sigma = vec![out.scale; layer.outputs];
        }
        x = next_x;
        e = next_e;
    }
    bound
}

fn setup(seed: u64, features: usize, hidden: &[usize]) -> (Mlp, RobustScaler, Vec<Vec<f32>>) {
    let mut rng = Rng::new(seed);
    let mlp = Mlp::new(features, hidden, -2.0, &mut rng);
    let scaler = RobustScaler {
        centre: (0..features).map(|_| rng.normal() as f32).collect(),
        scale: (0..features).map(|_| 0.5 + rng.uniform() as f32).collect(),
        lo: (0..features).map(|_| -3.0 - rng.uniform() as f32).collect(),
        hi: (0..features)
            .map(|i| {
                if i == 0 {
                    -3.0 - 0.0
                } else {
                    3.0 + rng.uniform() as f32
                }
            })
            .collect(),
    };
    let rows = (0..300)
        .map(|_| (0..features).map(|_| (rng.normal() * 3.0) as f32).collect())
        .collect();
    (mlp, scaler, rows)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn int8_logit_is_within_the_propagated_bound(
        seed in any::<u64>(),
        features in 2usize..24,
        hidden in proptest::collection::vec(2usize..24, 0..3),
    ) {
        let (mut mlp, mut scaler, rows) = setup(seed, features, &hidden);
        // Feature 0 is made constant after clipping to exercise that path.
        scaler.hi[0] = scaler.lo[0];
        mlp.layers[0].bias[0] += 0.25;
        let mut z = vec![0f32; features];
        let mut calibration = Vec::new();
        for row in &rows {
            scaler.transform_row(row, &mut z);
            calibration.extend_from_slice(&z);
        }
        let names: Vec<String> = (0..features).map(|i| format!("f{i}")).collect();
        let q = quantize(&mlp, &scaler, &calibration, &names).unwrap();
        let model = q.tables.model().unwrap();
        let mut scratch = vec![0i8; model.scratch_bytes()];
        let mut worst = 0.0f64;
        for row in &rows {
            scaler.transform_row(row, &mut z);
            let float = f64::from(mlp.logit(&z));
            let int = f64::from(model.logit(model.predict(row, &mut scratch).unwrap().score));
            let bound = error_bound(&mlp, &q, &z);
            prop_assert!((int - float).abs() <= bound + 1e-4, "int {} float {} bound {}", int, float, bound);
            worst = worst.max((int - float).abs());
        }
        prop_assert!(worst.is_finite());
    }
}

#[test]
fn reference_shape_error_is_small_in_practice() {
    // 30-32-16-1 on rows inside the calibration range: the mean error is a small fraction of
    // the logit spread (the bound above is worst-case; this is typical).
    let (mlp, scaler, rows) = setup(3, 30, &[32, 16]);
    let mut z = vec![0f32; 30];
    let mut calibration = Vec::new();
    for row in &rows {
        scaler.transform_row(row, &mut z);
        calibration.extend_from_slice(&z);
    }
    let names: Vec<String> = (0..30).map(|i| format!("f{i}")).collect();
    let q = quantize(&mlp, &scaler, &calibration, &names).unwrap();
    let model = q.tables.model().unwrap();
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let (mut sum_err, mut logits) = (0.0, Vec::new());
    for row in &rows {
        scaler.transform_row(row, &mut z);
        let float = f64::from(mlp.logit(&z));
        let int = f64::from(model.logit(model.predict(row, &mut scratch).unwrap().score));
        sum_err += (int - float).abs();
        logits.push(float);
    }
    let mean = logits.iter().sum::<f64>() / logits.len() as f64;
    let std = (logits.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / logits.len() as f64).sqrt();
    let mean_err = sum_err / rows.len() as f64;
    assert!(
        mean_err < 0.05 * std,
        "mean |error| {mean_err} vs logit std {std}"
    );
}
