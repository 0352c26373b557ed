//! `simulate` on generated streams with known changes: a model trained on generated data, then
//! streams that stay stable, lose recall, or shift an input at a known row. Checks that the
//! monitor's states change after the change row and not before, that labels arrive as
//! configured, and the `--json` line format of the binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rarewatch::monitor::Signal;
use rarewatch_trainer::data::Dataset;
use rarewatch_trainer::pipeline::{run, PipelineOptions};
use rarewatch_trainer::rng::Rng;
use rarewatch_trainer::simulate::output::json_lines;
use rarewatch_trainer::simulate::{simulate, SimulateOptions, Simulation, PENDING_CAPACITY};
use rarewatch_trainer::train::TrainConfig;

const FEATURES: usize = 4;
/// Share of positive rows.
const PREVALENCE: f64 = 0.02;
/// How far positives sit from negatives on the first two features (standard deviations).
const SEPARATION: f64 = 2.0;

/// What changes at the change row of a generated stream.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// Nothing.
    None,
    /// 60 % of positives look like negatives from then on (recall falls).
    PositivesHide,
    /// Feature 0 of every row is offset by `+delta`.
    Offset(f64),
}

/// `rows` rows; rows from `at` on are changed by `change`.
fn stream(rows: usize, at: usize, change: Change, seed: u64) -> (Vec<f32>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    let mut x = Vec::with_capacity(rows * FEATURES);
    let mut y = Vec::with_capacity(rows);
    for row in 0..rows {
        let changed = row >= at;
        let positive = rng.uniform() < PREVALENCE;
        let hidden = changed && change == Change::PositivesHide && rng.uniform() < 0.6;
        for j in 0..FEATURES {
            let mut v = rng.normal();
            if positive && !hidden && j < 2 {
                v += SEPARATION;
            }
            if let (true, Change::Offset(delta), 0) = (changed, change, j) {
                v += delta;
            }
            x.push(v as f32);
        }
        y.push(u8::from(positive));
    }
    (x, y)
}

fn names() -> Vec<String> {
    (0..FEATURES).map(|j| format!("f{j}")).collect()
}

/// A model trained once on a stable stream (time split, defaults but few epochs).
fn model_bytes() -> &'static [u8] {
    static MODEL: OnceLock<Vec<u8>> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (x, y) = stream(60_000, usize::MAX, Change::None, 1);
        let data = Dataset::new(names(), "y", x, y).expect("generated table");
        let options = PipelineOptions {
            train: TrainConfig {
                max_epochs: 6,
                patience: 3,
                ..TrainConfig::default()
            },
            bootstrap_rounds: 10,
            ..PipelineOptions::default()
        };
        run(&data, &options, &mut |_| {})
            .expect("trains on generated data")
            .model_bytes
    })
}

fn replay(x: &[f32], y: &[u8], options: &SimulateOptions) -> Simulation {
    let model = rarewatch::Model::from_bytes(model_bytes()).expect("valid model");
    simulate(&model, x, Some(y), options, &mut |_| {}).expect("simulates")
}

/// First row at which any signal reached drift.
fn first_drift(sim: &Simulation) -> Option<(usize, Signal)> {
    sim.changes
        .iter()
        .find(|c| c.to == rarewatch::monitor::SignalState::Drift)
        .map(|c| (c.row, c.signal))
}

#[test]
fn a_stable_stream_raises_no_drift() {
    let (x, y) = stream(200_000, usize::MAX, Change::None, 2);
    let sim = replay(&x, &y, &SimulateOptions::default());
    assert_eq!(first_drift(&sim), None, "{:?}", sim.changes);
    assert!(
        sim.summary.untested.is_empty(),
        "{:?}",
        sim.summary.untested
    );
    assert_eq!(sim.summary.rows, 200_000);
    assert_eq!(sim.summary.labels.fed, 200_000);
    assert_eq!(sim.trace.last().map(|p| p.rows), Some(200_000));
}

#[test]
fn a_recall_drop_is_flagged_after_the_change_row() {
    let at = 100_000;
    let (x, y) = stream(200_000, at, Change::PositivesHide, 3);
    let sim = replay(&x, &y, &SimulateOptions::default());
    assert!(
        sim.changes
            .iter()
            .all(|c| c.row >= at || c.to != rarewatch::monitor::SignalState::Drift),
        "{:?}",
        sim.changes
    );
    let row = sim
        .summary
        .first_drift
        .recall
        .expect("recall drift flagged");
    // 2 % positives: 100 positives per 5,000 rows; the recall drop test needs a few dozen.
    assert!(
        (at..at + 10_000).contains(&row),
        "recall drift at row {row}"
    );
    let change = sim
        .changes
        .iter()
        .find(|c| c.signal == Signal::Recall && c.row == row)
        .expect("recorded");
    assert!(change.statistic >= change.drift_level, "{change:?}");
}

#[test]
fn an_input_shift_is_flagged_without_labels() {
    let at = 50_000;
    let (x, y) = stream(100_000, at, Change::Offset(3.0), 4);
    let options = SimulateOptions {
        label_fraction: 0.0,
        ..SimulateOptions::default()
    };
    let sim = replay(&x, &y, &options);
    assert_eq!(sim.summary.labels.selected, 0);
    assert_eq!(sim.summary.health.labels, 0);
    let (row, signal) = first_drift(&sim).expect("drift flagged");
    assert!(
        (at..at + 5_000).contains(&row),
        "{signal:?} drift at row {row}: {:?}",
        sim.changes
    );
    assert!(
        !matches!(signal, Signal::Recall | Signal::Precision),
        "label-free signal"
    );
}

#[test]
fn delayed_and_partial_labels_are_counted() {
    let (x, y) = stream(20_000, usize::MAX, Change::None, 5);
    let half = SimulateOptions {
        label_delay: 100,
        label_fraction: 0.5,
        seed: 9,
        ..SimulateOptions::default()
    };
    let l = replay(&x, &y, &half).summary.labels;
    assert!((9_500..10_500).contains(&l.selected), "{l:?}");
    assert_eq!(l.fed + l.undelivered, l.selected, "{l:?}");
    assert_eq!((l.late, l.dropped), (0, 0));
    assert!(
        (30..70).contains(&l.undelivered),
        "about half of the last 100 rows: {l:?}"
    );
    let late = SimulateOptions {
        label_delay: PENDING_CAPACITY + 1,
        ..SimulateOptions::default()
    };
    let l = replay(&x, &y, &late).summary.labels;
    assert_eq!(
        (l.fed, l.late, l.dropped, l.undelivered),
        (0, 20_000 - 513, 0, 513),
        "every label older than the pending buffer is recorded late"
    );
}

#[test]
fn json_lines_carry_the_required_keys() {
    let (x, y) = stream(60_000, 30_000, Change::Offset(3.0), 6);
    let sim = replay(&x, &y, &SimulateOptions::default());
    let lines = json_lines(&sim).expect("serialises");
    assert_eq!(lines.len(), sim.changes.len() + 1);
    assert!(!sim.changes.is_empty());
    check_json_lines(lines.iter().map(String::as_str));
}

/// Every line but the last is a change with `row`, `signal`, `from`, `to` (ok / warning /
/// drift) and a numeric `statistic`; the last is the summary.
fn check_json_lines<'a>(lines: impl Iterator<Item = &'a str>) -> serde_json::Value {
    let values: Vec<serde_json::Value> = lines
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let (summary, changes) = values.split_last().expect("a summary line");
    let states = ["ok", "warning", "drift"];
    let signals: Vec<&str> = Signal::ALL.iter().map(|s| s.name()).collect();
    let mut last_row = 0;
    for c in changes {
        assert_eq!(c["type"], "change", "{c}");
        let row = c["row"].as_u64().expect("row") as usize;
        assert!(row >= last_row, "rows in order");
        last_row = row;
        assert!(
            signals.contains(&c["signal"].as_str().expect("signal")),
            "{c}"
        );
        assert!(states.contains(&c["from"].as_str().expect("from")), "{c}");
        assert!(states.contains(&c["to"].as_str().expect("to")), "{c}");
        assert_ne!(c["from"], c["to"]);
        assert!(c["statistic"].is_f64(), "{c}");
        assert!(c["statistic_kind"].is_string(), "{c}");
    }
    assert_eq!(summary["type"], "summary");
    assert!(summary["rows"].is_u64() && summary["labels"]["fed"].is_u64());
    assert!(summary["final_states"]["recall"].is_string());
    summary.clone()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("rarewatch-simulate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Writes a CSV with the given feature columns (a subset of f0..f3, by index) and `label`.
fn write_csv(path: &Path, x: &[f32], y: &[u8], columns: &[usize]) {
    let mut text = String::new();
    for &c in columns {
        text.push_str(&format!("f{c},"));
    }
    text.push_str("label\n");
    for (row, &label) in x.chunks_exact(FEATURES).zip(y) {
        for &c in columns {
            text.push_str(&format!("{},", row[c]));
        }
        text.push_str(&format!("\"{label}\"\n"));
    }
    std::fs::write(path, text).expect("writes csv");
}

#[test]
fn the_binary_prints_json_lines_and_writes_the_report() {
    let dir = temp_dir("cli");
    let model = dir.join("model.rwm");
    std::fs::write(&model, model_bytes()).expect("writes model");
    let (x, y) = stream(40_000, 20_000, Change::Offset(3.0), 7);
    let data = dir.join("stream.csv");
    // Columns in another order than the model's: matched by name.
    write_csv(&data, &x, &y, &[3, 1, 0, 2]);
    let report = dir.join("report");
    let out = Command::new(env!("CARGO_BIN_EXE_rarewatch"))
        .args([
            "simulate",
            "-q",
            "--json",
            "--label",
            "label",
            "--label-fraction",
            "0",
        ])
        .arg(&model)
        .arg(&data)
        .arg("--report")
        .arg(&report)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let summary = check_json_lines(stdout.lines());
    assert_eq!(summary["rows"], 40_000);
    assert_eq!(summary["labels"]["selected"], 0);
    let drift_rows: Vec<u64> = stdout
        .lines()
        .filter(|l| l.contains(r#""to":"drift""#))
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["row"].as_u64())
        .collect();
    assert!(
        drift_rows.first().is_some_and(|&r| r >= 20_000),
        "{drift_rows:?}"
    );
    let saved: serde_json::Value = serde_json::from_slice(
        &std::fs::read(report.join("simulate.json")).expect("simulate.json written"),
    )
    .expect("valid JSON");
    assert_eq!(saved["summary"]["rows"], 40_000);
    for svg in ["signals.svg", "performance.svg"] {
        let text = std::fs::read_to_string(report.join(svg)).expect("chart written");
        assert!(
            text.starts_with("<svg") && text.ends_with("</svg>"),
            "{svg}"
        );
    }

    // Human output: a timeline line per change and the summary.
    let out = Command::new(env!("CARGO_BIN_EXE_rarewatch"))
        .args(["simulate", "-q", "--label", "label"])
        .arg(&model)
        .arg(&data)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(" -> ") && text.contains("replayed 40,000 rows"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_table_without_a_model_feature_is_an_error() {
    let dir = temp_dir("mismatch");
    let model = dir.join("model.rwm");
    std::fs::write(&model, model_bytes()).expect("writes model");
    let (x, y) = stream(100, usize::MAX, Change::None, 8);
    let data = dir.join("three.csv");
    write_csv(&data, &x, &y, &[0, 1, 2]);
    let out = Command::new(env!("CARGO_BIN_EXE_rarewatch"))
        .args(["simulate", "-q", "--label", "label"])
        .arg(&model)
        .arg(&data)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no column \"f3\""), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // Through the library: a matrix that is not whole rows of the model's width.
    let m = rarewatch::Model::from_bytes(model_bytes()).expect("valid");
    let err = simulate(
        &m,
        &x[..FEATURES * 3 - 1],
        None,
        &SimulateOptions::default(),
        &mut |_| {},
    )
    .expect_err("not whole rows")
    .to_string();
    assert!(
        err.contains("not whole rows of the model's 4 features"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
