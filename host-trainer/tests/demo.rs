//! `rarewatch demo` end to end on a smaller generated table: every file written, the model
//! valid, the story naming both stopping epochs with their test F1.

use rarewatch_trainer::demo::{run, DemoOptions, DemoSize};

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rarewatch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn demo_runs_end_to_end_on_a_small_table() {
    let dir = scratch_dir("demo");
    let outcome = run(&DemoOptions {
        dir: dir.clone(),
        size: DemoSize {
            table_rows: 40_000,
            segment_rows: 20_000,
            prevalence: 0.01,
        },
        seed: 0,
        quiet: true,
    })
    .expect("demo runs");

    // The files a user opens.
    for file in [
        "data.csv",
        "stream.csv",
        "model.rwm",
        "report/report.html",
        "report/metrics.json",
        "report/pr_curve.svg",
        "report/golden.bin",
    ] {
        let path = dir.join(file);
        let len = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .len();
        assert!(len > 0, "{} is empty", path.display());
    }
    let data = std::fs::read_to_string(dir.join("data.csv")).unwrap();
    assert_eq!(data.lines().count(), 40_001, "header + rows");
    assert!(data.starts_with("amount,hour,velocity,"));

    // The model file validates and matches the report.
    let bytes = std::fs::read(dir.join("model.rwm")).unwrap();
    let model = rarewatch::Model::from_bytes(&bytes).expect("valid model");
    assert_eq!(model.features(), 10);
    let report = &outcome.trained.report;
    assert_eq!(report.model_bytes, bytes.len());
    assert_eq!(model.decision().threshold, report.threshold.score);
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("report/metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["best_epoch"], report.best_epoch);
    // The generated table is learnable: far above the 1 % a random ranking gets.
    let ap = report.int8.test.ap.unwrap();
    assert!(ap > 0.3, "int8 test AP {ap}");

    // The story names both epochs and both test F1 values, as printed in the report.
    let story = &outcome.story;
    let f1_stop = report.f1_at_0_5_stop.as_ref().expect("F1@0.5 shadow run");
    assert!(
        story.contains(&format!("would have kept epoch {}", f1_stop.epoch)),
        "{story}"
    );
    assert!(story.contains(&format!("test F1 {:.3}", f1_stop.test_at_0_5.f1)));
    assert!(story.contains(&format!("kept epoch {}", report.best_epoch)));
    assert!(story.contains(&format!("int8 test F1 {:.3}", report.int8.test.f1)));
    assert!(story.contains(&format!("{} bytes", bytes.len())));

    // The stream went through the device's monitor; the story reports each drift it flagged
    // at the row the replay recorded.
    let sim = &outcome.simulation;
    assert_eq!(sim.summary.rows, 60_000);
    assert_eq!(
        sim.summary.labels.selected, 60_000,
        "every row's label comes"
    );
    for file in ["simulate/simulate.json", "simulate/signals.svg"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    assert!(story.contains("The stream: 60,000 rows"), "{story}");
    let drifts: Vec<_> = sim
        .changes
        .iter()
        .filter(|c| c.to == rarewatch::monitor::SignalState::Drift)
        .collect();
    assert!(
        drifts.iter().any(|c| c.row >= 20_000),
        "the changed segments are flagged: {drifts:?}"
    );
    let first_after_change = drifts.iter().find(|c| c.row >= 20_000).unwrap();
    assert!(
        story.contains(&format!(
            "{} at row {}",
            first_after_change.signal.name(),
            rarewatch_trainer::cli::simulate::thousands(first_after_change.row)
        )),
        "{story}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_refuses_a_file_as_its_folder() {
    let file = scratch_dir("demo-file");
    std::fs::write(&file, b"not a folder").unwrap();
    let error = run(&DemoOptions {
        dir: file.clone(),
        size: DemoSize::default(),
        seed: 0,
        quiet: true,
    })
    .unwrap_err();
    assert!(error.to_string().contains("is not a folder"), "{error}");
    let _ = std::fs::remove_file(&file);
}
