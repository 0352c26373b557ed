//! Training on generated data: learning, reproducibility, collapse, errors.

use super::*;
use crate::metrics::average_precision;
use crate::rng::Rng;

/// `rows` rows of `features` standard-normal features; about 3 % positives whose first two
/// features are shifted by +1.5 (a signal a small MLP finds).
fn rare_data(rows: usize, features: usize, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let mut x = Vec::with_capacity(rows * features);
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let positive = rng.uniform() < 0.03;
        for j in 0..features {
            let shift = if positive && j < 2 { 1.5 } else { 0.0 };
            x.push((rng.normal() + shift) as f32);
        }
        y.push(u8::from(positive));
    }
    (x, y)
}

fn quick(seed: u64) -> TrainConfig {
    TrainConfig {
        max_epochs: 8,
        patience: 4,
        seed,
        ..TrainConfig::default()
    }
}

fn run(
    train_xy: &(Vec<f32>, Vec<u8>),
    val_xy: &(Vec<f32>, Vec<u8>),
    features: usize,
    config: &TrainConfig,
) -> Result<TrainResult, TrainError> {
    train(
        Labelled {
            x: &train_xy.0,
            y: &train_xy.1,
        },
        Labelled {
            x: &val_xy.0,
            y: &val_xy.1,
        },
        features,
        config,
        &mut |_| {},
    )
}

fn bits(mlp: &crate::network::Mlp) -> Vec<u32> {
    mlp.layers
        .iter()
        .flat_map(|l| l.weights.iter().chain(&l.bias))
        .map(|v| v.to_bits())
        .collect()
}

#[test]
fn learns_a_rare_signal_and_reports_every_epoch() {
    let (tr, va) = (rare_data(6000, 5, 1), rare_data(3000, 5, 2));
    let mut seen = Vec::new();
    let result = train(
        Labelled { x: &tr.0, y: &tr.1 },
        Labelled { x: &va.0, y: &va.1 },
        5,
        &quick(3),
        &mut |r| seen.push((r.epoch, r.val_ap)),
    )
    .expect("trains");
    assert_eq!(seen.len(), result.history.len());
    assert!(seen.iter().enumerate().all(|(i, (e, _))| *e == i + 1));
    assert!((1..=result.history.len()).contains(&result.best_epoch));
    let logits = predict_logits(&result.model, &va.0);
    let ap = average_precision(&logits, &va.1).expect("positives");
    // Prevalence is 0.03; two features shifted by 1.5σ give an AP well above it.
    assert!(ap > 0.3, "val AP {ap}");
    assert_eq!(Some(ap), result.best().map(|b| b.val_ap));
    let r = &result.history[0];
    assert!(r.train_loss.is_finite() && r.val_loss.is_finite());
    assert!((0.0..=1.0).contains(&r.val_f1_at_0_5) && r.val_f1_at_best >= r.val_f1_at_0_5);
    assert!(result.train_seconds > 0.0);
}

#[test]
fn same_seed_same_weights_bit_for_bit_with_any_thread_count() {
    let (tr, va) = (rare_data(5000, 6, 4), rare_data(2000, 6, 5));
    let one = run(
        &tr,
        &va,
        6,
        &TrainConfig {
            threads: 1,
            ..quick(11)
        },
    )
    .expect("trains");
    let two = run(
        &tr,
        &va,
        6,
        &TrainConfig {
            threads: 2,
            ..quick(11)
        },
    )
    .expect("trains");
    let again = run(
        &tr,
        &va,
        6,
        &TrainConfig {
            threads: 2,
            ..quick(11)
        },
    )
    .expect("trains");
    assert_eq!(bits(&one.model), bits(&two.model));
    assert_eq!(bits(&two.model), bits(&again.model));
    assert_eq!(one.history.len(), two.history.len());
    let other = run(
        &tr,
        &va,
        6,
        &TrainConfig {
            threads: 2,
            ..quick(12)
        },
    )
    .expect("trains");
    assert_ne!(bits(&one.model), bits(&other.model));
}

#[test]
fn focal_loss_and_loss_stopping_train_too() {
    let (tr, va) = (rare_data(5000, 4, 6), rare_data(2000, 4, 7));
    let config = TrainConfig {
        loss: Loss::Focal {
            gamma: 2.0,
            alpha: 0.75,
        },
        stop_on: StopOn::ValLoss,
        ..quick(1)
    };
    let result = run(&tr, &va, 4, &config).expect("trains");
    let best = &result.history[result.best_epoch - 1];
    assert!(best.val_ap > 0.3, "{}", best.val_ap);
    let lowest = result
        .history
        .iter()
        .map(|r| r.val_loss)
        .fold(f64::INFINITY, f64::min);
    assert!(best.val_loss <= lowest + config.min_delta);
}

#[test]
fn constant_inputs_are_reported_as_collapse() {
    let y: Vec<u8> = (0..3000).map(|i| u8::from(i % 40 == 0)).collect();
    let x = vec![0.0f32; y.len() * 3];
    let result = run(&(x.clone(), y.clone()), &(x, y), 3, &quick(0)).expect("trains");
    assert_eq!(result.collapse, Some(Collapse::ConstantScores));
    assert_eq!(
        Collapse::ConstantScores.to_string(),
        "collapsed: every validation row gets the same score, the model ranks nothing"
    );
}

#[test]
fn no_hidden_layer_is_logistic_regression() {
    let (tr, va) = (rare_data(4000, 3, 8), rare_data(2000, 3, 9));
    let config = TrainConfig {
        hidden: vec![],
        ..quick(2)
    };
    let result = run(&tr, &va, 3, &config).expect("trains");
    assert_eq!(result.model.layers.len(), 1);
    assert!(result.history[result.best_epoch - 1].val_ap > 0.3);
}

#[test]
fn bad_inputs_are_errors() {
    let (tr, va) = (rare_data(1000, 3, 1), rare_data(500, 3, 2));
    let short = (tr.0[..10].to_vec(), tr.1.clone());
    assert_eq!(
        run(&short, &va, 3, &quick(0))
            .expect_err("shape")
            .to_string(),
        "inconsistent training data: training: 10 values for 1000 rows of 3 features"
    );
    let no_pos = (va.0.clone(), vec![0u8; va.1.len()]);
    assert_eq!(
        run(&tr, &no_pos, 3, &quick(0))
            .expect_err("class")
            .to_string(),
        "the validation rows contain no row of class 1"
    );
    let bad = TrainConfig {
        learning_rate: 0.0,
        ..quick(0)
    };
    assert_eq!(
        run(&tr, &va, 3, &bad).expect_err("config").to_string(),
        "invalid training option: learning rate must be > 0, got 0"
    );
    let bad = TrainConfig {
        hidden: vec![4, 0],
        ..quick(0)
    };
    assert!(matches!(run(&tr, &va, 3, &bad), Err(TrainError::Config(_))));
}

#[test]
fn automatic_batch_size() {
    let c = TrainConfig::default();
    assert_eq!(c.batch_rows(170_884), 2048);
    assert_eq!(c.batch_rows(6_710), 128);
    assert_eq!(c.batch_rows(100), 64);
    assert_eq!(
        TrainConfig {
            batch_size: 300,
            ..c
        }
        .batch_rows(6_710),
        300
    );
}
