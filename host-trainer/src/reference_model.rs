//! The seeded reference model 30 → 32 → 16 → 1 (1,488 MACs) used by the firmware example and
//! the MCU benchmark, and its golden vectors. Same seed, same bytes, on every machine.

use crate::golden::golden_vectors;
use crate::model_file::{BaselineTables, ModelTables};
use crate::network::Mlp;
use crate::quantize::quantize;
use crate::rng::Rng;
use crate::scale::RobustScaler;

/// Input features of the reference model.
pub const FEATURES: usize = 30;
/// Hidden widths of the reference model.
pub const HIDDEN: [usize; 2] = [32, 16];
/// Seed of the reference model.
pub const SEED: u64 = 2024;
/// Golden vectors written for the firmware.
pub const GOLDEN_ROWS: usize = 64;

/// A heavy-tailed raw feature value: a normal scaled by a random spread, with an occasional
/// large outlier, around a per-feature centre.
fn raw_value(rng: &mut Rng, centre: f32, spread: f32) -> f32 {
    let base = rng.normal() as f32 * spread;
    let outlier = if rng.uniform() < 0.02 {
        (rng.normal() * 50.0) as f32 * spread
    } else {
        0.0
    };
    centre + base + outlier
}

/// The reference model's tables and raw rows for golden vectors.
pub fn build() -> (ModelTables, Vec<Vec<f32>>) {
    let mut rng = Rng::new(SEED);
    let centres: Vec<f32> = (0..FEATURES)
        .map(|_| (rng.normal() * 10.0) as f32)
        .collect();
    let spreads: Vec<f32> = (0..FEATURES)
        .map(|_| (0.1 + rng.uniform() * 5.0) as f32)
        .collect();
    let scaler = RobustScaler {
        centre: centres.clone(),
        scale: spreads.iter().map(|s| s * 1.349).collect(),
        lo: vec![-4.0; FEATURES],
        hi: vec![4.0; FEATURES],
    };
    let mlp = Mlp::new(FEATURES, &HIDDEN, -3.0, &mut rng.fork(1));
    let draw_rows = |rng: &mut Rng, n: usize| -> Vec<Vec<f32>> {
        (0..n)
            .map(|_| {
                (0..FEATURES)
                    .map(|i| raw_value(rng, centres[i], spreads[i]))
                    .collect()
            })
            .collect()
    };
    let mut data_rng = rng.fork(2);
    let calibration_raw = draw_rows(&mut data_rng, 2048);
    let mut calibration = Vec::with_capacity(2048 * FEATURES);
    let mut z = vec![0.0; FEATURES];
    for row in &calibration_raw {
        scaler.transform_row(row, &mut z);
        calibration.extend_from_slice(&z);
    }
    let names: Vec<String> = (0..FEATURES).map(|i| format!("f{i}")).collect();
    let mut tables = quantize(&mlp, &scaler, &calibration, &names)
        .expect("reference model quantizes")
        .tables;
    // Threshold at the 95th percentile of calibration scores; baseline counts from the same
    // rows with labels drawn from the float model's probability.
    let score_rows = |tables: &ModelTables| -> Vec<rarewatch::Prediction> {
        let model = tables.model().expect("reference model validates");
        let mut scratch = vec![0i8; model.scratch_bytes()];
        calibration_raw
            .iter()
            .map(|r| model.predict(r, &mut scratch).expect("finite rows"))
            .collect()
    };
    let mut scores: Vec<i32> = score_rows(&tables).iter().map(|p| p.score).collect();
    scores.sort_unstable();
    tables.decision.threshold = scores[scores.len() * 95 / 100];
    let predictions = score_rows(&tables);
    let mut baseline = BaselineTables {
        score_edges: (1..8).map(|k| scores[scores.len() * k / 8]).collect(),
        feature_ranges: (0..FEATURES)
            .map(|i| {
                let column = calibration_raw.iter().map(|r| r[i]);
                (
                    column.clone().fold(f32::INFINITY, f32::min),
                    column.fold(f32::NEG_INFINITY, f32::max),
                )
            })
            .collect(),
        ..BaselineTables::default()
    };
    baseline.score_edges.dedup();
    baseline.score_counts = vec![0; baseline.score_edges.len() + 1];
    let mut label_rng = rng.fork(3);
    for (prediction, z_row) in predictions.iter().zip(calibration.chunks_exact(FEATURES)) {
        let p = 1.0 / (1.0 + (-mlp.logit(z_row)).exp());
        let positive = label_rng.uniform() < f64::from(p);
        baseline.rows += 1;
        baseline.positives += u32::from(positive);
        baseline.alerts += u32::from(prediction.alert);
        baseline.true_alerts += u32::from(positive && prediction.alert);
        let bin = baseline
            .score_edges
            .iter()
            .take_while(|&&e| e <= prediction.score)
            .count();
        baseline.score_counts[bin] += 1;
    }
    tables.set_baseline(baseline);
    let mut golden_rng = rng.fork(4);
    let mut golden = draw_rows(&mut golden_rng, GOLDEN_ROWS - 4);
    // Edge rows: all at the centre, far outliers both ways, exact clip bounds.
    golden.push(centres.clone());
    golden.push(centres.iter().map(|c| c + 1e30).collect());
    golden.push(centres.iter().map(|c| c - 1e30).collect());
    golden.push(
        (0..FEATURES)
            .map(|i| centres[i] + 4.0 * scaler.scale[i])
            .collect(),
    );
    (tables, golden)
}

/// Events in the reference monitor replay.
pub const REPLAY_ROWS: usize = 12_000;
/// Row at which the replay's inputs shift (features 0..6 move up by 3 spreads).
pub const REPLAY_SHIFT_AT: usize = 6_000;

/// A monitor replay for the reference model: rows drawn like its calibration rows, scored by
/// the int8 model, labelled from its calibrated probability (every positive after a delay of
/// up to 300 rows, every alert after up to 100, one negative in 50 at once), with an input
/// shift half-way; and the health the host's monitor reaches on it.
pub fn monitor_replay(model_bytes: &[u8]) -> Vec<u8> {
    use rarewatch::monitor::replay::{replay, Event, Replay};
    use rarewatch::monitor::{Monitor, MonitorConfig, HEALTH_MAX_BYTES};
    let model = rarewatch::Model::from_bytes(model_bytes).expect("reference model reads back");
    let mut rng = Rng::new(SEED);
    let centres: Vec<f32> = (0..FEATURES)
        .map(|_| (rng.normal() * 10.0) as f32)
        .collect();
    let spreads: Vec<f32> = (0..FEATURES)
        .map(|_| (0.1 + rng.uniform() * 5.0) as f32)
        .collect();
    let mut rng = rng.fork(5);
    let mut scratch = vec![0i8; model.scratch_bytes()];
    // (due row, event) for labels; observes are emitted in row order.
    let mut pending: Vec<(usize, Event)> = Vec::new();
    let mut events = Vec::new();
    for row in 0..REPLAY_ROWS {
        let x: Vec<f32> = (0..FEATURES)
            .map(|i| {
                let shift = if row >= REPLAY_SHIFT_AT && i < 6 {
                    3.0 * spreads[i]
                } else {
                    0.0
                };
                raw_value(&mut rng, centres[i], spreads[i]) + shift
            })
            .collect();
        let prediction = model.predict(&x, &mut scratch).expect("finite rows");
        let seq = row as u32;
        events.push(Event::Observe(prediction));
        let positive = rng.uniform() < f64::from(model.probability(prediction.score));
        let delay = if positive {
            Some(rng.below(300))
        } else if prediction.alert {
            Some(rng.below(100))
        } else if rng.below(50) == 0 {
            Some(0)
        } else {
            None
        };
        if let Some(delay) = delay {
            pending.push((row + delay, Event::Label { seq, positive }));
        }
        pending.sort_by_key(|(due, _)| *due);
        while pending.first().is_some_and(|(due, _)| *due <= row) {
            events.push(pending.remove(0).1);
        }
    }
    events.extend(pending.into_iter().map(|(_, e)| e));
    let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let (health, rejected) = replay(&mut monitor, events.iter().copied());
    assert_eq!(
        rejected, 0,
        "every replay label is within the pending buffer"
    );
    let mut buf = [0u8; HEALTH_MAX_BYTES];
    let expected = health
        .to_postcard(&mut buf)
        .expect("health fits its buffer")
        .to_vec();
    let mut out = Replay::header(events.len() as u32, expected.len() as u32).to_vec();
    for event in &events {
        out.extend_from_slice(&event.to_bytes());
    }
    out.extend_from_slice(&expected);
    out
}

/// The reference model file and its golden-vector file.
pub fn files() -> (Vec<u8>, Vec<u8>) {
    let (tables, rows) = build();
    let model_bytes = tables.encode().expect("reference model encodes");
    let golden = {
        let model = rarewatch::Model::from_bytes(&model_bytes).expect("reference model reads back");
        golden_vectors(&model, &rows).expect("golden rows are finite")
    };
    (model_bytes, golden)
}
