//! Monitor a stream with delayed labels: what a device does between inferences.
//!
//! ```text
//! cargo run --release --example monitor                 # rarewatch-demo/model.rwm, or a quick model
//! cargo run --release --example monitor -- model.rwm    # a model trained on the demo's table
//! ```
//!
//! Payments from the demo's generator go through the device's inference and monitor. For
//! 100,000 rows they look like the training data; then a new fraud pattern appears that the
//! model never saw, and it catches far fewer frauds.
//!
//! Labels arrive as they do at a payment terminal:
//! * every alert is investigated within 200 rows: `Monitor::label` with the prediction's
//!   sequence number (the monitor remembers the last 512 decisions);
//! * a missed fraud comes back as a chargeback 20,000 rows later, long after its prediction
//!   left that buffer, so the device records the outcome directly with
//!   `Monitor::record_outcome` (it knows it did not alert).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rarewatch::monitor::{Monitor, MonitorConfig, Signal, SignalState};
use rarewatch::Model;
use rarewatch_trainer::demo::{stream_regimes, synth};
use rarewatch_trainer::pipeline::{run as train, PipelineOptions};

const DEMO_MODEL: &str = "rarewatch-demo/model.rwm";
const SEGMENT_ROWS: usize = 100_000;
const PREVALENCE: f64 = 0.003;
const INVESTIGATION_DELAY: usize = 200;
const CHARGEBACK_DELAY: usize = 20_000;

fn model_bytes() -> Result<Vec<u8>, String> {
    let path = std::env::args().nth(1).map(PathBuf::from).or_else(|| {
        Path::new(DEMO_MODEL)
            .exists()
            .then(|| PathBuf::from(DEMO_MODEL))
    });
    if let Some(path) = path {
        println!("model: {}", path.display());
        return std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()));
    }
    println!("model: none given and no {DEMO_MODEL}; training one on 100,000 generated rows");
    let table = synth::table(100_000, PREVALENCE, 0);
    let trained = train(&table, &PipelineOptions::default(), &mut |_| {})
        .map_err(|e| format!("training failed: {e}"))?;
    Ok(trained.model_bytes)
}

fn run() -> Result<(), String> {
    let bytes = model_bytes()?;
    let model = Model::from_bytes(&bytes).map_err(|e| format!("invalid model: {e}"))?;
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());

    let [stable, new_pattern, _] = stream_regimes(PREVALENCE);
    let stream = synth::segments(
        &[(SEGMENT_ROWS, stable), (2 * SEGMENT_ROWS, new_pattern)],
        9,
    );
    println!(
        "{} rows, {:.1} % fraud; a new fraud pattern from row {SEGMENT_ROWS}",
        stream.rows(),
        100.0 * PREVALENCE
    );

    // (due row, sequence number, truth) of alerts under investigation; due rows of
    // chargebacks for missed frauds.
    let mut investigations: VecDeque<(usize, u32, bool)> = VecDeque::new();
    let mut chargebacks: VecDeque<usize> = VecDeque::new();
    let mut states = [SignalState::Unknown; Signal::ALL.len()];
    let mut first_drift = None;
    let mut frauds_since_change = 0;
    for row in 0..stream.rows() {
        let features = stream.row(row);
        let positive = stream.labels[row] == 1;
        let prediction = model
            .predict(features, &mut scratch)
            .map_err(|e| format!("row {row}: {e}"))?;
        let seq = monitor.observe(&prediction);
        monitor.observe_features(features);
        if prediction.alert {
            investigations.push_back((row + INVESTIGATION_DELAY, seq, positive));
        } else if positive {
            chargebacks.push_back(row + CHARGEBACK_DELAY);
        }
        if row >= SEGMENT_ROWS && positive {
            frauds_since_change += 1;
        }
        while let Some(&(_, seq, truth)) = investigations.front().filter(|i| i.0 <= row) {
            investigations.pop_front();
            monitor
                .label(seq, truth)
                .map_err(|e| format!("label for prediction {seq}: {e}"))?;
        }
        while chargebacks.front().is_some_and(|&due| due <= row) {
            chargebacks.pop_front();
            monitor.record_outcome(false, true);
        }
        // Print state changes (a device would send `health()` as telemetry instead).
        for (signal, state) in Signal::ALL.into_iter().zip(&mut states) {
            let now = monitor.state(signal);
            if now != *state && *state != SignalState::Unknown {
                println!(
                    "row {row:>7}: {:<18} {} -> {}",
                    signal.name(),
                    state.name(),
                    now.name()
                );
                if now == SignalState::Drift && row >= SEGMENT_ROWS && first_drift.is_none() {
                    first_drift = Some((row, frauds_since_change));
                }
            }
            *state = now;
        }
    }

    let h = monitor.health();
    println!(
        "after {} rows and {} labels: recall {:.2} [{:.2}, {:.2}] over the last {} labelled \
         frauds (baseline {:.2}), precision {:.2}; overall {}",
        h.rows,
        h.labels,
        h.recall.window.value,
        h.recall.window.lo,
        h.recall.window.hi,
        h.recall.window.trials,
        h.recall.baseline,
        h.precision.window.value,
        h.overall().name()
    );
    let mut telemetry = [0u8; rarewatch::monitor::HEALTH_MAX_BYTES];
    let sent = h
        .to_postcard(&mut telemetry)
        .map_err(|e| format!("telemetry: {e}"))?;
    println!("health telemetry message: {} bytes", sent.len());
    match first_drift {
        Some((row, frauds)) => println!(
            "first drift {} rows after the change ({frauds} frauds into it; chargebacks arrive \
             {CHARGEBACK_DELAY} rows late)",
            row - SEGMENT_ROWS
        ),
        None => println!("no drift flagged after the change"),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
