//! The firmware's committed model, golden vectors and monitor replay are exactly what the host
//! produces now: if the format, quantizer, kernels or the monitor's defaults change, this fails
//! until they are regenerated with
//! `cargo run -p rarewatch-trainer --example reference_model -- examples/firmware/models`.

use rarewatch::{GoldenVectors, Model};

#[test]
fn committed_reference_files_are_current() {
    let (model, golden) = rarewatch_trainer::reference_model::files();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/firmware/models");
    let committed_model = std::fs::read(dir.join("model.rwm")).unwrap();
    let committed_golden = std::fs::read(dir.join("golden.bin")).unwrap();
    assert!(
        committed_model == model,
        "examples/firmware/models/model.rwm is stale: regenerate it"
    );
    assert!(
        committed_golden == golden,
        "examples/firmware/models/golden.bin is stale: regenerate it"
    );
    // The replay carries the host's final health, so a change of the monitor's defaults
    // (tuning, levels) makes it stale too.
    let committed_replay = std::fs::read(dir.join("monitor.bin")).unwrap();
    assert!(
        committed_replay == rarewatch_trainer::reference_model::monitor_replay(&model),
        "examples/firmware/models/monitor.bin is stale: regenerate it"
    );
}

#[test]
fn monitor_replay_reaches_a_drift_and_replays_to_the_same_health() {
    use rarewatch::monitor::replay::{replay, Replay};
    use rarewatch::monitor::{Health, Monitor, MonitorConfig, Signal, SignalState};
    let (model_bytes, _) = rarewatch_trainer::reference_model::files();
    let bytes = rarewatch_trainer::reference_model::monitor_replay(&model_bytes);
    let file = Replay::from_bytes(&bytes).unwrap();
    let expected: Health = postcard::from_bytes(file.expected_bytes()).unwrap();
    assert_eq!(
        expected.rows as usize,
        rarewatch_trainer::reference_model::REPLAY_ROWS
    );
    assert!(expected.labels > 100, "{expected:?}");
    // The input shift half-way must show in the label-free signals.
    assert_eq!(
        expected.state(Signal::ScoreDistribution),
        SignalState::Drift,
        "{expected:?}"
    );
    let model = Model::from_bytes(&model_bytes).unwrap();
    let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());
    let (health, rejected) = replay(&mut monitor, file.events());
    assert_eq!((health, rejected), (expected, 0));
}

#[test]
fn reference_model_has_the_benchmark_shape() {
    let (bytes, golden) = rarewatch_trainer::reference_model::files();
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.macs(), 30 * 32 + 32 * 16 + 16);
    assert_eq!(model.macs(), 1_488);
    assert_eq!(model.scratch_bytes(), 64);
    let golden = GoldenVectors::from_bytes(&golden).unwrap();
    assert_eq!(golden.len(), 64);
    // The golden rows exercise both decisions, and the host agrees with itself.
    let alerts = golden.iter().filter(|g| g.expected.alert).count();
    assert!(alerts > 0 && alerts < 64, "{alerts} alerts of 64");
    let mut scratch = [0i8; 64];
    let mut x = [0f32; 30];
    for g in golden.iter() {
        g.copy_features(&mut x);
        assert_eq!(model.predict(&x, &mut scratch).unwrap(), g.expected);
    }
}
