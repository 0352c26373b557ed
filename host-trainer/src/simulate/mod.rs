//! Replays a table's rows, in order, through the device's inference and monitor, feeding
//! labels as configured, and records every change of a signal's state: what `rarewatch
//! simulate` (and the demo) show.
//!
//! Every row goes through [`rarewatch::Model::predict`], [`Monitor::observe`] and
//! [`Monitor::observe_features`] — the code the device runs, with the default `Monitor`
//! (512 pending predictions, 64-event windows). A seeded random `label_fraction` of the rows
//! get their label `label_delay` rows later through [`Monitor::label`]; a label that arrives
//! after its prediction left the pending buffer is recorded with the decision the replay kept
//! ([`Monitor::record_outcome`]), as a device that stores decisions with its transactions
//! would.
//!
//! After each row the six signal states are compared with the previous row's (six loads and
//! compares); a change is recorded with the signal's statistic. A state change involving
//! `unknown` is not recorded: `unknown` means the model's baseline cannot test the signal
//! (e.g. no validation positives), which holds for the whole run; such signals are listed in
//! [`Summary::untested`]. Every `trace_every` rows (a multiple of the monitor's chunk) a
//! [`TracePoint`] samples every statistic for plotting.

pub mod labels;
pub mod output;
pub mod plot;
pub mod signals;

use std::time::Instant;

use anyhow::{bail, ensure};
use rarewatch::monitor::pending::PendingLabels;
use rarewatch::monitor::{Health, Monitor, MonitorConfig, Signal, SignalState};
use serde::Serialize;

pub use labels::{LabelCounts, LabelFeed};
pub use signals::{levels, Levels, PerSignal, StatisticKind};

/// The monitor the simulation runs: the crate's default sizes, as on the device.
pub type DeviceMonitor<'a> = Monitor<'a>;

/// Predictions the default monitor holds for labelling by sequence number: a label arriving
/// more rows than this after its row is recorded with the kept decision instead.
pub const PENDING_CAPACITY: usize = PendingLabels::<32>::CAPACITY;

/// At most this many trace points per run (about 2,000: enough for a plot, small in JSON).
pub const MAX_TRACE_POINTS: usize = 2_000;

/// Rows between progress callbacks.
const PROGRESS_ROWS: usize = 1 << 16;

/// How labels arrive and how the monitor is tuned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulateOptions {
    /// Rows between a row and the arrival of its label (0: right after the row is observed).
    pub label_delay: usize,
    /// Share of rows whose label arrives, in `[0, 1]`, chosen at random with `seed`.
    pub label_fraction: f64,
    /// Seed of the choice of labelled rows.
    pub seed: u64,
    /// The monitor's sensitivities and levels.
    pub config: MonitorConfig,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        SimulateOptions {
            label_delay: 0,
            label_fraction: 1.0,
            seed: 0,
            config: MonitorConfig::default(),
        }
    }
}

/// One change of a signal's state.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StateChange {
    /// 0-based index of the data row after which the state changed (after the row was
    /// observed and the labels due then were fed).
    pub row: usize,
    /// The signal.
    pub signal: Signal,
    /// State before (`ok`, `warning` or `drift`).
    pub from: SignalState,
    /// State after.
    pub to: SignalState,
    /// The signal's statistic then (see `statistic_kind`).
    pub statistic: f32,
    /// What the statistic measures (`cusum_nats`, `psi`, `relative_deviation`).
    pub statistic_kind: StatisticKind,
    /// The signal's warning level, in the statistic's unit.
    pub warning_level: f32,
    /// The signal's drift level, in the statistic's unit.
    pub drift_level: f32,
    /// Labels the monitor had accepted by then.
    pub labels_fed: u64,
}

/// The signals sampled at one point of the stream, for plotting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TracePoint {
    /// Rows observed so far.
    pub rows: usize,
    /// Each signal's statistic (see [`StatisticKind`]).
    pub statistics: PerSignal<f32>,
    /// Each signal's state.
    pub states: PerSignal<SignalState>,
    /// Share of the rows since the previous point that alerted.
    pub alert_rate: f64,
    /// Recall over the monitor's window of labelled positives (`None` before the first).
    pub recall_window: Option<f32>,
    /// Precision over the monitor's window of labelled alerts (`None` before the first).
    pub precision_window: Option<f32>,
    /// Precision estimated without labels (CBPE, last chunks).
    pub estimated_precision: f32,
    /// Recall estimated without labels (CBPE, last chunks).
    pub estimated_recall: f32,
}

/// The counts and final state of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Rows replayed.
    pub rows: usize,
    /// Rows the model alerted on.
    pub alerts: usize,
    /// Positive rows in the data (`None` when the run had no labels).
    pub positives: Option<usize>,
    /// Alerts on positive rows (`None` when the run had no labels).
    pub true_alerts: Option<usize>,
    /// Label delay, rows.
    pub label_delay: usize,
    /// Share of rows labelled.
    pub label_fraction: f64,
    /// Seed of the labelled rows.
    pub seed: u64,
    /// What happened to the labels.
    pub labels: LabelCounts,
    /// Predictions the monitor holds for labelling.
    pub pending_capacity: usize,
    /// State changes recorded.
    pub changes: usize,
    /// First row at which each signal reached `drift` (`None`: never).
    pub first_drift: PerSignal<Option<usize>>,
    /// First row at which each signal left `ok` (`None`: never).
    pub first_warning: PerSignal<Option<usize>>,
    /// States before the first row.
    pub initial_states: PerSignal<SignalState>,
    /// States after the last row.
    pub final_states: PerSignal<SignalState>,
    /// Signals the model's baseline cannot test (state `unknown` throughout).
    pub untested: Vec<Signal>,
    /// Each signal's warning and drift levels, in its statistic's unit.
    pub levels: PerSignal<Levels>,
    /// The monitor's final health snapshot.
    pub health: Health,
    /// Seconds spent replaying (inference, monitor and labels; not reading the data).
    pub seconds: f64,
    /// Rows replayed per second.
    pub rows_per_second: f64,
}

/// Everything a run found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Simulation {
    /// Every state change, in row order.
    pub changes: Vec<StateChange>,
    /// The statistics sampled along the stream.
    pub trace: Vec<TracePoint>,
    /// Counts and final state.
    pub summary: Summary,
}

/// Rows between trace points: whole monitor chunks, at most [`MAX_TRACE_POINTS`] points.
fn trace_every(rows: usize, chunk_rows: usize) -> usize {
    let chunks = rows.div_ceil(chunk_rows);
    chunk_rows * chunks.div_ceil(MAX_TRACE_POINTS).max(1)
}

/// Replays `features` (row-major, `model.features()` values per row, in the model's feature
/// order) through `model` and a fresh monitor, with labels from `labels` (0/1 per row;
/// `None`: no labels, whatever the fraction). `progress` is called with the rows done every
/// 65,536 rows and at the end.
///
/// Errors (never panics): a matrix that is not whole rows of the model's width, labels not
/// one per row, a label fraction outside `[0, 1]`, a zero chunk size, or a row the model
/// refuses (non-finite feature).
pub fn simulate(
    model: &rarewatch::Model<'_>,
    features: &[f32],
    labels: Option<&[u8]>,
    options: &SimulateOptions,
    progress: &mut dyn FnMut(usize),
) -> anyhow::Result<Simulation> {
    let width = model.features();
    ensure!(width > 0, "the model takes no features");
    if !features.len().is_multiple_of(width) {
        bail!(
            "{} feature values are not whole rows of the model's {width} features",
            features.len()
        );
    }
    let rows = features.len() / width;
    if let Some(labels) = labels {
        ensure!(
            labels.len() == rows,
            "{} labels for {rows} rows",
            labels.len()
        );
    }
    ensure!(
        (0.0..=1.0).contains(&options.label_fraction),
        "label fraction {} is not in [0, 1]",
        options.label_fraction
    );
    let chunk_rows = usize::from(options.config.chunk_rows);
    ensure!(chunk_rows > 0, "the monitor's chunk size is 0 rows");

    let start = Instant::now();
    let mut replay = Replay::new(model, labels, options, rows);
    for (row, x) in features.chunks_exact(width).enumerate() {
        replay
            .row(row, x)
            .map_err(|e| anyhow::anyhow!("row {row} (0-based): the model refuses it: {e}"))?;
        if (row + 1).is_multiple_of(PROGRESS_ROWS) {
            progress(row + 1);
        }
    }
    progress(rows);
    Ok(replay.finish(start.elapsed().as_secs_f64()))
}

/// The state of a run in progress.
struct Replay<'m, 'l> {
    model: &'m rarewatch::Model<'m>,
    scratch: Vec<i8>,
    monitor: DeviceMonitor<'m>,
    feed: LabelFeed<'l>,
    labels: Option<&'l [u8]>,
    options: SimulateOptions,
    states: [SignalState; Signal::ALL.len()],
    initial_states: PerSignal<SignalState>,
    changes: Vec<StateChange>,
    trace: Vec<TracePoint>,
    trace_every: usize,
    rows: usize,
    alerts: usize,
    true_alerts: usize,
    alerts_at_last_point: usize,
    rows_at_last_point: usize,
}

impl<'m, 'l> Replay<'m, 'l> {
    fn new(
        model: &'m rarewatch::Model<'m>,
        labels: Option<&'l [u8]>,
        options: &SimulateOptions,
        rows: usize,
    ) -> Self {
        let monitor = DeviceMonitor::new(model, &options.config);
        let states = Signal::ALL.map(|s| monitor.state(s));
        Replay {
            model,
            scratch: vec![0i8; model.scratch_bytes()],
            initial_states: PerSignal::from_fn(|s| monitor.state(s)),
            monitor,
            feed: LabelFeed::new(
                labels,
                options.label_delay,
                options.label_fraction,
                options.seed,
            ),
            labels,
            options: *options,
            states,
            changes: Vec::new(),
            trace: Vec::new(),
            trace_every: trace_every(rows, usize::from(options.config.chunk_rows)),
            rows: 0,
            alerts: 0,
            true_alerts: 0,
            alerts_at_last_point: 0,
            rows_at_last_point: 0,
        }
    }

    /// One row: inference, monitor, labels, state changes, trace.
    #[inline]
    fn row(&mut self, row: usize, x: &[f32]) -> Result<(), rarewatch::Error> {
        let prediction = self.model.predict(x, &mut self.scratch)?;
        let seq = self.monitor.observe(&prediction);
        self.monitor.observe_features(x);
        if prediction.alert {
            self.alerts += 1;
            let positive = self
                .labels
                .and_then(|l| l.get(row))
                .is_some_and(|&y| y != 0);
            self.true_alerts += usize::from(positive);
        }
        self.feed
            .after_row(row, seq, prediction.alert, &mut self.monitor);
        self.rows = row + 1;
        for (k, &signal) in Signal::ALL.iter().enumerate() {
            let now = self.monitor.state(signal);
            if let Some(before) = self.states.get_mut(k).filter(|s| **s != now) {
                let from = core::mem::replace(before, now);
                self.record(row, signal, from, now);
            }
        }
        if self.rows.is_multiple_of(self.trace_every) {
            self.sample();
        }
        Ok(())
    }

    #[cold]
    fn record(&mut self, row: usize, signal: Signal, from: SignalState, to: SignalState) {
        if from == SignalState::Unknown || to == SignalState::Unknown {
            return;
        }
        let Levels {
            warning: warning_level,
            drift: drift_level,
        } = levels(signal, &self.options.config);
        self.changes.push(StateChange {
            row,
            signal,
            from,
            to,
            statistic: self.monitor.statistic(signal),
            statistic_kind: StatisticKind::of(signal),
            warning_level,
            drift_level,
            labels_fed: self.feed.counts().fed,
        });
    }

    #[cold]
    fn sample(&mut self) {
        let health = self.monitor.health();
        let rows = self.rows - self.rows_at_last_point;
        let alerts = self.alerts - self.alerts_at_last_point;
        let window = |trials: u32, value: f32| (trials > 0).then_some(value);
        self.trace.push(TracePoint {
            rows: self.rows,
            statistics: PerSignal::from_fn(|s| self.monitor.statistic(s)),
            states: PerSignal::from_fn(|s| self.monitor.state(s)),
            alert_rate: alerts as f64 / rows.max(1) as f64,
            recall_window: window(health.recall.window.trials, health.recall.window.value),
            precision_window: window(
                health.precision.window.trials,
                health.precision.window.value,
            ),
            estimated_precision: health.estimated.precision,
            estimated_recall: health.estimated.recall,
        });
        self.rows_at_last_point = self.rows;
        self.alerts_at_last_point = self.alerts;
    }

    fn finish(mut self, seconds: f64) -> Simulation {
        if self.rows > self.rows_at_last_point {
            self.sample();
        }
        let mut first_drift: PerSignal<Option<usize>> = PerSignal::default();
        let mut first_warning: PerSignal<Option<usize>> = PerSignal::default();
        for c in &self.changes {
            if c.to == SignalState::Drift {
                first_drift.get_mut(c.signal).get_or_insert(c.row);
            }
            if c.from == SignalState::Ok {
                first_warning.get_mut(c.signal).get_or_insert(c.row);
            }
        }
        let final_states = PerSignal::from_fn(|s| self.monitor.state(s));
        let untested = Signal::ALL
            .into_iter()
            .filter(|&s| {
                self.initial_states.get(s) == SignalState::Unknown
                    && final_states.get(s) == SignalState::Unknown
            })
            .collect();
        let labelled = self.labels.is_some();
        let summary = Summary {
            rows: self.rows,
            alerts: self.alerts,
            positives: self.labels.map(|l| l.iter().filter(|&&y| y != 0).count()),
            true_alerts: labelled.then_some(self.true_alerts),
            label_delay: self.options.label_delay,
            label_fraction: self.options.label_fraction,
            seed: self.options.seed,
            labels: self.feed.counts(),
            pending_capacity: PENDING_CAPACITY,
            changes: self.changes.len(),
            first_drift,
            first_warning,
            initial_states: self.initial_states,
            final_states,
            untested,
            levels: PerSignal::from_fn(|s| levels(s, &self.options.config)),
            health: self.monitor.health(),
            seconds,
            rows_per_second: if seconds > 0.0 {
                self.rows as f64 / seconds
            } else {
                0.0
            },
        };
        Simulation {
            changes: self.changes,
            trace: self.trace,
            summary,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_points_are_whole_chunks_and_bounded() {
        assert_eq!(trace_every(10_000, 2048), 2048);
        assert_eq!(trace_every(0, 2048), 2048);
        let every = trace_every(10_000_000, 2048);
        assert_eq!(every % 2048, 0);
        assert!(10_000_000usize.div_ceil(every) <= MAX_TRACE_POINTS);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let (bytes, _) = crate::reference_model::files();
        let model = rarewatch::Model::from_bytes(&bytes).expect("valid");
        let n = model.features();
        let opts = SimulateOptions::default();
        let run = |x: &[f32], y: Option<&[u8]>, o: &SimulateOptions| {
            simulate(&model, x, y, o, &mut |_| {}).map_err(|e| e.to_string())
        };
        let rows = vec![0.5f32; 3 * n];
        assert!(run(&rows[..n + 1], None, &opts)
            .unwrap_err()
            .contains("not whole rows"));
        assert!(run(&rows, Some(&[0, 1]), &opts)
            .unwrap_err()
            .contains("2 labels for 3 rows"));
        let bad_fraction = SimulateOptions {
            label_fraction: 1.5,
            ..opts
        };
        assert!(run(&rows, None, &bad_fraction)
            .unwrap_err()
            .contains("not in [0, 1]"));
        let mut nan = rows.clone();
        nan[2 * n + 1] = f32::NAN;
        assert!(run(&nan, None, &opts).unwrap_err().contains("row 2"));
        let ok = run(&rows, Some(&[0, 1, 0]), &opts).expect("runs");
        assert_eq!((ok.summary.rows, ok.summary.labels.fed), (3, 3));
        assert_eq!(ok.trace.len(), 1, "the end of a short stream is sampled");
        let empty = run(&[], None, &opts).expect("an empty stream is valid");
        assert_eq!((empty.summary.rows, empty.trace.len()), (0, 0));
    }
}
