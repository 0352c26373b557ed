//! The integer path against an independent exact reference, on fixed and random models.

mod common;

use common::{random_model, TestRng};
use proptest::prelude::*;
use rarewatch::{Error, Model, Scratch};

fn features(rng: &mut TestRng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| match rng.next() % 10 {
            0 => 1e9,
            1 => -1e9,
            _ => (rng.unit() - 0.5) * 20.0,
        })
        .collect()
}

#[test]
fn known_tiny_model_scores() {
    // 2 features → 1 output, weights (3, −2), bias 5. Affine mul 1, add 128.5: q = round(x).
    let model = common::PlainModel {
        affine: vec![(1.0, 128.5), (1.0, 128.5)],
        layers: vec![common::PlainLayer {
            inputs: 2,
            outputs: 1,
            weights: vec![3, -2],
            bias: vec![5],
            multiplier: vec![0],
            shift: vec![0],
            zero_point: 0,
            relu: false,
        }],
        threshold: 10,
        names: String::new(),
    };
    let tables = model.tables();
    let bytes = tables.encode();
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.scratch_bytes(), 4);
    let mut scratch = Scratch::<4>::new();
    let p = model.predict(&[2.0, 1.0], &mut scratch).unwrap();
    assert_eq!((p.score, p.alert), (5 + 6 - 2, false));
    let p = model.predict(&[2.6, -1.4], &mut scratch).unwrap();
    assert_eq!((p.score, p.alert), (5 + 9 + 2, true));
    // Saturation: q clamps to 127 and −128.
    let p = model.predict(&[1e6, 1e6], &mut scratch).unwrap();
    assert_eq!(p.score, 5 + 3 * 127 - 2 * 127);
    let p = model.predict_quantized(&[-128, 127], &mut scratch).unwrap();
    assert_eq!(p.score, 5 - 384 - 254);
}

#[test]
fn hidden_layer_requantizes_with_one_rounding() {
    // 1 feature → 4 hidden (ReLU, zp −128, multiplier 0.5, shift 0; channels 1..4 inert)
    // → 1 output (weight 1 on channel 0).
    let model = common::PlainModel {
        affine: vec![(1.0, 128.5)],
        layers: vec![
            common::PlainLayer {
                inputs: 1,
                outputs: 4,
                weights: vec![1, 0, 0, 0],
                bias: vec![0; 4],
                multiplier: vec![1 << 30; 4],
                shift: vec![0; 4],
                zero_point: -128,
                relu: true,
            },
            common::PlainLayer {
                inputs: 4,
                outputs: 1,
                weights: vec![1, 0, 0, 0],
                bias: vec![0],
                multiplier: vec![0],
                shift: vec![0],
                zero_point: 0,
                relu: false,
            },
        ],
        threshold: 0,
        names: "only".into(),
    };
    let tables = model.tables();
    let bytes = tables.encode();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut scratch = [0i8; 8];
    // x = 5 → q 5 → acc 5 → 2.5 rounds half up to 3 → −128 + 3 = −125.
    assert_eq!(model.predict(&[5.0], &mut scratch).unwrap().score, -125);
    // x = −5 → acc −5 → −2.5 rounds to −2 → −130 clamps at the ReLU floor −128.
    assert_eq!(model.predict(&[-5.0], &mut scratch).unwrap().score, -128);
}

#[test]
fn argument_errors_are_precise() {
    let mut rng = TestRng(7);
    let plain = random_model(&mut rng, 5, &[8]);
    let tables = plain.tables();
    let bytes = tables.encode();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut scratch = vec![0i8; model.scratch_bytes()];
    assert_eq!(
        model.predict(&[0.0; 4], &mut scratch),
        Err(Error::FeatureCountMismatch {
            expected: 5,
            found: 4
        })
    );
    assert_eq!(
        model.predict(&[0.0, 1.0, f32::NAN, 0.0, 0.0], &mut scratch),
        Err(Error::NonFiniteFeature { index: 2 })
    );
    assert_eq!(
        model.predict(&[0.0, 1.0, 0.0, f32::NEG_INFINITY, 0.0], &mut scratch),
        Err(Error::NonFiniteFeature { index: 3 })
    );
    let short = model.scratch_bytes() - 1;
    assert_eq!(
        model.predict(&[0.0; 5], &mut scratch[..short]),
        Err(Error::CapacityExceeded {
            needed: model.scratch_bytes(),
            capacity: short
        })
    );
    assert_eq!(
        model.predict_quantized(&[0; 6], &mut scratch),
        Err(Error::FeatureCountMismatch {
            expected: 5,
            found: 6
        })
    );
}

#[test]
fn probability_is_calibrated_sigmoid() {
    let mut rng = TestRng(9);
    let tables = random_model(&mut rng, 3, &[]).tables();
    let bytes = tables.encode();
    let model = Model::from_bytes(&bytes).unwrap();
    // logit_scale 0.01, a 1, b −0.5 (see common): score 50 → sigmoid(0).
    assert!((model.probability(50) - 0.5).abs() < 1e-6);
    let expected = 1.0 / (1.0 + (-(2.0f32 - 0.5)).exp());
    assert!((model.probability(200) - expected).abs() < 1e-6);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every score equals the exact i128 reference, for random shapes, parameters and rows
    /// (outliers included), through both entry points.
    #[test]
    fn integer_path_matches_exact_reference(
        seed in any::<u64>(),
        n_features in 1usize..40,
        hidden in proptest::collection::vec((1usize..10).prop_map(|k| 4 * k), 0..4),
    ) {
        let mut rng = TestRng(seed | 1);
        let plain = random_model(&mut rng, n_features, &hidden);
        let tables = plain.tables();
        let bytes = tables.encode();
        let model = Model::from_bytes(&bytes).unwrap();
        let mut scratch = vec![0i8; model.scratch_bytes()];
        let mut q = vec![0i8; n_features];
        for _ in 0..8 {
            let x = features(&mut rng, n_features);
            let expected = plain.reference_score(&x);
            let p = model.predict(&x, &mut scratch).unwrap();
            prop_assert_eq!(p.score, expected);
            prop_assert_eq!(p.alert, expected >= plain.threshold);
            model.quantize_features(&x, &mut q).unwrap();
            prop_assert_eq!(model.predict_quantized(&q, &mut scratch).unwrap(), p);
        }
    }

    /// Requantization stays within half a step of the real-valued product (f64 check of the
    /// same arithmetic).
    #[test]
    fn requantize_is_within_half_a_step(
        acc in -(1i32 << 30)..(1i32 << 30),
        multiplier in (1i32 << 30)..i32::MAX,
        shift in -31i8..=30,
    ) {
        let real = f64::from(acc) * f64::from(multiplier) * 2f64.powi(i32::from(shift) - 31);
        let y = rarewatch::quant::requantize(acc, multiplier, shift, 0, i8::MIN);
        if real > -128.0 && real < 127.0 {
            prop_assert!((f64::from(y) - real).abs() <= 0.5 + 1e-9, "{} vs {}", y, real);
        } else {
            prop_assert!(y == 127 || y == -128 || (f64::from(y) - real).abs() <= 0.5 + 1e-9);
        }
    }
}
