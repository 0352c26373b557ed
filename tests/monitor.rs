//! The monitor on synthetic streams with a rare positive class: quiet when nothing changes,
//! and each signal flags the shift it is built for.

mod common;

use common::{rare_event_model_bytes as model_bytes, TestRng};
use rarewatch::monitor::{Monitor, MonitorConfig, Signal, SignalState};
use rarewatch::{Error, Model, Prediction};

/// A score in bin `b` of the edges (−100, 0, 100).
fn score_in_bin(rng: &mut TestRng, b: usize) -> i32 {
    [-150, -50, 50, 150][b] + rng.range(-40, 40) as i32
}

/// A score drawn with the baseline's bin shares 1:2:3:4.
fn baseline_score(rng: &mut TestRng) -> i32 {
    let u = rng.range(0, 9);
    let b = match u {
        0 => 0,
        1..=2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    score_in_bin(rng, b)
}

#[test]
fn labels_route_by_class_and_bad_sequence_numbers_are_errors() {
    let bytes = model_bytes();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut m: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let alert = m.observe(&Prediction {
        score: 500,
        alert: true,
    });
    let quiet = m.observe(&Prediction {
        score: -500,
        alert: false,
    });
    m.label(quiet, true).unwrap(); // a missed positive
    m.label(alert, false).unwrap(); // a false alert
    let h = m.health();
    assert_eq!(
        (h.recall.cumulative.trials, h.recall.cumulative.value),
        (1, 0.0)
    );
    assert_eq!(
        (h.precision.cumulative.trials, h.precision.cumulative.value),
        (1, 0.0)
    );
    assert_eq!(h.labels, 2);
    assert_eq!(
        m.label(alert, true),
        Err(Error::LabelDuplicate { seq: alert })
    );
    assert_eq!(m.label(7, true), Err(Error::LabelUnknown { seq: 7 }));
    for _ in 0..600 {
        m.observe(&Prediction {
            score: 0,
            alert: false,
        });
    }
    assert!(matches!(
        m.label(quiet, true),
        Err(Error::LabelTooOld { .. })
    ));
    assert_eq!(m.health().labels, 2, "rejected labels change nothing");
}

/// A stream at 0.2 % prevalence: recall `recall`, precision 0.8 (false alerts added to match),
/// every positive and every alert labelled at once. Returns the row of the first `Drift` of
/// `signal`, and the labelled positives seen from `change_at` until then.
fn run(
    rows: usize,
    change_at: usize,
    recall_after: f64,
    signal: Signal,
    seed: u64,
) -> (Option<usize>, usize) {
    let bytes = model_bytes();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut m: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let mut rng = TestRng(seed);
    let mut positives_after = 0;
    for row in 0..rows {
        let recall = if row >= change_at { recall_after } else { 0.8 };
        let positive = rng.next().is_multiple_of(500);
        let alert = if positive {
            (rng.unit() as f64) < recall
        } else {
            // False alerts at 0.04 % of negatives: precision ≈ 0.8 at recall 0.8.
            rng.next().is_multiple_of(2500)
        };
        let seq = m.observe(&Prediction {
            score: baseline_score(&mut rng),
            alert,
        });
        if positive || alert {
            m.label(seq, positive).unwrap();
        }
        if positive && row >= change_at {
            positives_after += 1;
        }
        if m.state(signal) == SignalState::Drift {
            return (Some(row), positives_after);
        }
    }
    (None, positives_after)
}

#[test]
fn stable_stream_raises_no_drift() {
    for seed in 1..4 {
        for signal in [Signal::Recall, Signal::Precision, Signal::ScoreDistribution] {
            let (drift, _) = run(300_000, usize::MAX, 0.8, signal, seed);
            assert_eq!(
                drift, None,
                "{signal:?} drifted on a stable stream (seed {seed})"
            );
        }
    }
}

#[test]
fn recall_drop_is_caught_within_60_positives() {
    let mut delays = Vec::new();
    for seed in 1..12 {
        let (drift, positives) = run(400_000, 100_000, 0.5, Signal::Recall, seed);
        assert!(
            drift.is_some_and(|row| row >= 100_000),
            "seed {seed}: {drift:?}"
        );
        delays.push(positives);
    }
    delays.sort_unstable();
    let median = delays[delays.len() / 2];
    assert!(median <= 60, "median delay {median} positives: {delays:?}");
}

#[test]
fn score_shift_is_caught_by_psi_without_labels() {
    let bytes = model_bytes();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut m: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let mut rng = TestRng(77);
    for _ in 0..20_000 {
        m.observe(&Prediction {
            score: baseline_score(&mut rng),
            alert: false,
        });
    }
    assert_eq!(m.state(Signal::ScoreDistribution), SignalState::Ok);
    let mut rows = 0;
    while m.state(Signal::ScoreDistribution) != SignalState::Drift {
        // Bins 2 and 3 only: the upper half of the scores.
        let b = 2 + (rng.next() % 2) as usize;
        m.observe(&Prediction {
            score: score_in_bin(&mut rng, b),
            alert: false,
        });
        rows += 1;
        assert!(rows < 10_000);
    }
    assert!(rows <= 2 * 2048, "{rows} rows");
    assert!(m.health().score.psi > 0.25);
    // The statistic the state is judged on: the PSI, past the drift level.
    assert_eq!(m.statistic(Signal::ScoreDistribution), m.health().score.psi);
    assert_eq!(m.statistic(Signal::Recall), 0.0, "no labels");
}

#[test]
fn alert_rate_rise_is_caught_without_labels() {
    let bytes = model_bytes();
    let model = Model::from_bytes(&bytes).unwrap();
    let mut m: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let mut rng = TestRng(5);
    for _ in 0..200_000 {
        m.observe(&Prediction {
            score: 0,
            alert: rng.next().is_multiple_of(500),
        });
    }
    assert_eq!(m.state(Signal::AlertRate), SignalState::Ok);
    let mut rows = 0;
    while m.state(Signal::AlertRate) != SignalState::Drift {
        m.observe(&Prediction {
            score: 0,
            alert: rng.next() % 500 < 6,
        });
        rows += 1;
        assert!(rows < 50_000);
    }
    assert!(rows < 5_000, "alert rate ×6 caught after {rows} rows");
    let h = m.health().alert_rate;
    let statistic = m.statistic(Signal::AlertRate);
    assert_eq!(statistic, h.cusum_up.max(h.cusum_down));
    assert!(statistic >= MonitorConfig::default().alert_rate_levels.1);
}
