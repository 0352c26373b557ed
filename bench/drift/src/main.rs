//! Drift benchmark (issue 4, item 7): seeded synthetic rare-event streams through the rarewatch
//! monitor, with the same labelled events written for the River peer (`river_peer.py`).
//!
//! ```text
//! cargo run --release -- [--quick] [--seeds-factor K] [--out DIR] [--threads N] [--only NAME]
//! ```
//!
//! Writes `DIR/ours.json` (per scenario, label policy and seed: false drifts before the change
//! and the first drift after it, per signal; and a sweep of the recall and precision drop
//! tests' tuning and drift level on the same events) and `DIR/streams/SCENARIO__POLICY.{bin,json}` (every
//! labelled event, in arrival order: arrival row u32, row u32, flags u8 — bit 0 positive,
//! bit 1 alert; per seed a header of seed u64 and event count u32; little-endian). The stable
//! scenario's seeds are one long stream: they run one after another through the same
//! detectors (see `Detectors`), and `river_peer.py` feeds them to River the same way.

mod gauss;
mod synth;
mod tunings;

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rarewatch::monitor::stream::LabelledStream;
use rarewatch::monitor::DropTuning;
use rarewatch::monitor::{Monitor, MonitorConfig, Signal, SignalState};
use rarewatch::{Model, Prediction};
use serde_json::{json, Value};

use gauss::Rng;
use synth::{Change, Stream, World};

/// Signal columns: the six signals, then "any signal" and "any label-free signal".
const COLUMNS: usize = 8;
const ANY: usize = 6;
const LABEL_FREE_ANY: usize = 7;
const COLUMN_NAMES: [&str; COLUMNS] = [
    "recall",
    "precision",
    "alert_rate",
    "score_distribution",
    "estimated",
    "feature_range",
    "any",
    "label_free_any",
];

/// Labelled drop-test sweep, on the recall and on the precision stream: tuning × drift level
/// (warning at half), every level from 5 to 16 nats in steps of 1/16 (the rate moves in
/// steps; coarser levels leave a matched rate well below the peer's; below 5 nats the rates
/// are above every River default's). The default; its erosion CUSUM alone (what the collapse
/// statistic adds); the default before it; and the first default, one CUSUM 0.375 against
/// the baseline's point estimate.
const SWEEP_TUNINGS: [DropTuning; 4] = [
    DropTuning::DEFAULT,
    DropTuning::single(DropTuning::DEFAULT.erosion),
    tunings::EROSION_0_275_COLLAPSE_0_7,
    tunings::SINGLE_AT_POINT_ESTIMATE,
];
const SWEEP_LEVELS: usize = 177;

fn sweep_level(k: usize) -> f32 {
    5.0 + 0.0625 * k as f32
}

fn sweep_cells() -> impl Iterator<Item = (DropTuning, f32)> {
    SWEEP_TUNINGS
        .iter()
        .flat_map(|&tuning| (0..SWEEP_LEVELS).map(move |k| (tuning, sweep_level(k))))
}

/// A tuning's name in the JSON and the tables: `0.25+0.7x1.2` (erosion + collapse × level
/// factor) or `0.375` (one CUSUM), with `/z0` when the reference is not one standard error
/// below the baseline but `z` of them.
fn tuning_name(t: &DropTuning) -> String {
    let drops = match t.collapse {
        Some(c) => format!("{}+{}x{}", t.erosion, c, t.collapse_level_factor),
        None => format!("{}", t.erosion),
    };
    if t.baseline_margin == 1.0 {
        drops
    } else {
        format!("{drops}/z{}", t.baseline_margin)
    }
}

/// How labels arrive.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Policy {
    /// Every positive and every alert labelled at once (through the pending buffer).
    Immediate,
    /// Each positive or alert labelled with probability `fraction`, `delay` rows later
    /// (through `record_outcome`: the delay is longer than the pending buffer).
    Delayed { fraction: f64, delay: u64 },
    /// No labels at all (label fraction 0).
    NoLabels,
}

impl Policy {
    fn name(self) -> &'static str {
        match self {
            Policy::Immediate => "all",
            Policy::Delayed { .. } => "half_delayed",
            Policy::NoLabels => "none",
        }
    }

    fn describe(self) -> String {
        match self {
            Policy::Immediate => "every positive and every alert labelled at once".into(),
            Policy::Delayed { fraction, delay } => format!(
                "each positive or alert labelled with probability {fraction}, {delay} rows later"
            ),
            Policy::NoLabels => "no labels".into(),
        }
    }
}

const HALF_DELAYED: Policy = Policy::Delayed {
    fraction: 0.5,
    delay: 10_000,
};

struct Scenario {
    name: &'static str,
    title: &'static str,
    rows: u64,
    /// `rows` for a stable stream (no change).
    change_at: u64,
    ramp: u64,
    seeds: u64,
    change: Change,
    relevant: &'static [&'static str],
    policies: &'static [Policy],
}

/// The scenarios; `factor` multiplies every seed count (the medians' and the rates' noise falls
/// as its square root; seed `k` is the same stream at every factor).
fn scenarios(quick: bool, factor: u64) -> Vec<Scenario> {
    let (stable_rows, stable_seeds, seeds, drop_seeds) = if quick {
        (2_000_000, 4, 10, 10)
    } else {
        (10_000_000, 50, 50, 200)
    };
    let (stable_seeds, seeds, drop_seeds) =
        (stable_seeds * factor, seeds * factor, drop_seeds * factor);
    let labelled: &[Policy] = &[Policy::Immediate, HALF_DELAYED];
    let mixed: &[Policy] = &[Policy::Immediate, Policy::NoLabels];
    let recall = |r: f64| Change {
        recall: Some(r),
        ..Change::NONE
    };
    let shift = |k: f64| Change {
        feature_offset_iqr: k,
        ..Change::NONE
    };
    vec![
        Scenario {
            name: "stable",
            title: "(a) stable",
            rows: stable_rows,
            change_at: stable_rows,
            ramp: 0,
            seeds: stable_seeds,
            change: Change::NONE,
            relevant: &[],
            policies: labelled,
        },
        Scenario {
            name: "recall_abrupt_0.5",
            title: "(b) recall 0.8→0.5, abrupt",
            rows: 3_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds: drop_seeds,
            change: recall(0.5),
            relevant: &["recall"],
            policies: labelled,
        },
        Scenario {
            name: "recall_abrupt_0.3",
            title: "(b') recall 0.8→0.3, abrupt (anchor)",
            rows: 3_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds: drop_seeds,
            change: recall(0.3),
            relevant: &["recall"],
            policies: labelled,
        },
        Scenario {
            name: "recall_gradual_0.5",
            title: "(c) recall 0.8→0.5 over 500k rows",
            rows: 3_000_000,
            change_at: 1_000_000,
            ramp: 500_000,
            seeds: drop_seeds,
            change: recall(0.5),
            relevant: &["recall"],
            policies: labelled,
        },
        Scenario {
            name: "positives_x6",
            title: "(d) share of positives ×6",
            rows: 2_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds,
            change: Change {
                prevalence_factor: 6.0,
                ..Change::NONE
            },
            relevant: &["alert_rate", "label_free_any"],
            policies: mixed,
        },
        Scenario {
            name: "alert_rate_x3",
            title: "(d') alert rate ×3 (false alerts)",
            rows: 2_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds: drop_seeds,
            change: Change {
                alert_rate_factor: 3.0,
                ..Change::NONE
            },
            relevant: &["precision", "alert_rate", "label_free_any"],
            policies: mixed,
        },
        Scenario {
            name: "score_shift_1iqr",
            title: "(e) key feature +1 IQR (scores up 0.34σ)",
            rows: 2_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds,
            change: shift(1.0),
            relevant: &[
                "score_distribution",
                "alert_rate",
                "feature_range",
                "estimated",
                "label_free_any",
            ],
            policies: &[Policy::NoLabels],
        },
        Scenario {
            name: "score_shift_2iqr",
            title: "(e) key feature +2 IQR (scores up 0.67σ)",
            rows: 2_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds: drop_seeds,
            change: shift(2.0),
            relevant: &[
                "score_distribution",
                "alert_rate",
                "feature_range",
                "estimated",
                "label_free_any",
            ],
            policies: mixed,
        },
        Scenario {
            name: "score_shift_3iqr",
            title: "(e) key feature +3 IQR (scores up 1.01σ)",
            rows: 2_000_000,
            change_at: 1_000_000,
            ramp: 0,
            seeds,
            change: shift(3.0),
            relevant: &[
                "score_distribution",
                "alert_rate",
                "feature_range",
                "estimated",
                "label_free_any",
            ],
            policies: &[Policy::NoLabels],
        },
    ]
}

/// One labelled event as it reaches the monitor.
#[derive(Debug, Clone, Copy)]
struct Event {
    arrival: u32,
    row: u32,
    positive: bool,
    alert: bool,
}

/// A CUSUM of the sweep, or one signal column: false drifts before the change and the first
/// drift at or after it.
#[derive(Debug, Clone, Copy, Default)]
struct Tracker {
    previous_drift: bool,
    false_drifts: u32,
    /// `(delay in rows, labelled post-change positives, labelled post-change events)`.
    first: Option<(u64, u64, u64)>,
}

impl Tracker {
    /// The same detector state with this seed's counts cleared: a stable seed continues the
    /// stream of the one before (see [`Detectors`]).
    fn carried(self) -> Self {
        Tracker {
            previous_drift: self.previous_drift,
            ..Tracker::default()
        }
    }

    fn step(&mut self, drift: bool, row: u64, change_at: u64, positives: u64, labels: u64) {
        if drift && !self.previous_drift {
            if row < change_at {
                self.false_drifts += 1;
            } else if self.first.is_none() {
                self.first = Some((row + 1 - change_at, positives, labels));
            }
        }
        self.previous_drift = drift;
    }
}

struct SeedResult {
    seed: u64,
    columns: [Tracker; COLUMNS],
    /// The same columns at `Warning` or worse.
    warnings: [Tracker; COLUMNS],
    positives_after: u64,
    /// Post-change (whole stream if stable) truth: rows, positives, alerts, true alerts.
    truth: [u64; 4],
    /// Means over post-change chunks of the PSI and the CBPE precision, recall, prevalence.
    chunk_means: [f64; 4],
    /// Recall then precision sweep cells, in `sweep_cells` order.
    sweep: [Vec<Tracker>; 2],
    events: Vec<Event>,
}

fn seed_of(scenario: usize, index: u64) -> u64 {
    let mut r = Rng::new(((scenario as u64) << 32) ^ index ^ 0xD1F7);
    r.next()
}

/// Everything that watches a stream: the monitor, the sweep's drop tests and the trackers of
/// its signals. A drop scenario's seed starts with fresh ones; the stable scenario's seeds run
/// one after another through the same ones, as one long stream (one job in `main`), so that the
/// false-alarm rates are those of a device that has run for long (some detectors raise more
/// false drifts there than fresh ones, HDDM_W and PageHinkley, others fewer, DDM and HDDM_A;
/// BENCHMARKS.md), the regime `river_peer.py` measures River's detectors in too.
struct Detectors<'m> {
    monitor: Monitor<'m>,
    /// Recall then precision sweep cells, in `sweep_cells` order.
    sweep: [Vec<(LabelledStream<2>, Tracker)>; 2],
    columns: [Tracker; COLUMNS],
    warnings: [Tracker; COLUMNS],
    /// Rows the monitor has observed before this seed (its chunks close every
    /// `chunk_rows` rows of the whole stream).
    rows_before: u64,
}

impl<'m> Detectors<'m> {
    fn new(model: &'m Model<'m>, config: &MonitorConfig) -> Self {
        // The bench model's baseline (synth.rs): 1,600 true alerts of 2,000 positives and of
        // 2,000 alerts.
        let cells = |(successes, trials): (u32, u32)| -> Vec<(LabelledStream<2>, Tracker)> {
            sweep_cells()
                .map(|(tuning, h)| {
                    (
                        LabelledStream::new(successes, trials, &tuning, (h / 2.0, h)),
                        Tracker::default(),
                    )
                })
                .collect()
        };
        Detectors {
            monitor: Monitor::new(model, config),
            sweep: [cells((1_600, 2_000)), cells((1_600, 2_000))],
            columns: [Tracker::default(); COLUMNS],
            warnings: [Tracker::default(); COLUMNS],
            rows_before: 0,
        }
    }
}

/// One seed of `scenario` through `detectors`; the result holds this seed's counts only.
fn run_seed(
    world: &World,
    config: &MonitorConfig,
    scenario: &Scenario,
    scenario_index: usize,
    policy: Policy,
    index: u64,
    detectors: &mut Detectors<'_>,
) -> SeedResult {
    let seed = seed_of(scenario_index, index);
    let mut stream = Stream::new(
        *world,
        scenario.change,
        scenario.change_at,
        scenario.ramp,
        seed,
    );
    let mut label_rng = Rng::new(seed ^ 0x1abe1);
    let Detectors {
        monitor,
        sweep,
        columns,
        warnings,
        rows_before,
    } = detectors;
    for t in sweep.iter_mut().flatten().map(|(_, t)| t) {
        *t = t.carried();
    }
    for t in columns.iter_mut().chain(warnings.iter_mut()) {
        *t = t.carried();
    }
    let change_at = scenario.change_at;
    let mut truth = [0u64; 4];
    let (mut chunk_sums, mut chunks) = ([0f64; 4], 0u32);
    let truth_from = if change_at >= scenario.rows {
        0
    } else {
        change_at
    };
    let mut pending: VecDeque<Event> = VecDeque::new();
    let mut events = Vec::new();
    let (mut positives_after, mut labels_after) = (0u64, 0u64);
    for r in 0..scenario.rows {
        let row = stream.row(r);
        let seq = monitor.observe(&Prediction {
            score: row.score,
            alert: row.alert,
        });
        monitor.observe_features(&[row.feature]);
        if row.positive || row.alert {
            let event = Event {
                arrival: r as u32,
                row: r as u32,
                positive: row.positive,
                alert: row.alert,
            };
            match policy {
                Policy::Immediate => {
                    monitor.label(seq, row.positive).expect("fresh label");
                    pending.push_back(event);
                }
                Policy::Delayed { fraction, delay } => {
                    if label_rng.bernoulli(fraction) {
                        pending.push_back(Event {
                            arrival: (r + delay) as u32,
                            ..event
                        });
                    }
                }
                Policy::NoLabels => {}
            }
        }
        while let Some(&event) = pending.front() {
            if u64::from(event.arrival) != r {
                break;
            }
            pending.pop_front();
            if policy != Policy::Immediate {
                monitor.record_outcome(event.alert, event.positive);
            }
            let after = u64::from(event.row) >= change_at;
            labels_after += u64::from(after);
            positives_after += u64::from(after && event.positive);
            // Recall cells see positives (success: caught); precision cells see alerts
            // (success: true alert), as the monitor's own streams do.
            let [recall_cells, precision_cells] = &mut *sweep;
            for (cells, watched, success) in [
                (recall_cells, event.positive, event.alert),
                (precision_cells, event.alert, event.positive),
            ] {
                if !watched {
                    continue;
                }
                for (s, t) in cells.iter_mut() {
                    s.push(success);
                    t.step(
                        s.state() == SignalState::Drift,
                        r,
                        change_at,
                        positives_after,
                        labels_after,
                    );
                }
            }
            events.push(event);
        }
        let states = Signal::ALL.map(|s| monitor.state(s));
        let any = states.iter().copied().max().unwrap_or_default();
        let label_free = states[2..].iter().copied().max().unwrap_or_default();
        for (i, (t, w)) in columns.iter_mut().zip(warnings.iter_mut()).enumerate() {
            let state = match i {
                ANY => any,
                LABEL_FREE_ANY => label_free,
                _ => states[i],
            };
            t.step(
                state == SignalState::Drift,
                r,
                change_at,
                positives_after,
                labels_after,
            );
            w.step(
                state >= SignalState::Warning,
                r,
                change_at,
                positives_after,
                labels_after,
            );
        }
        if r >= truth_from {
            truth[0] += 1;
            truth[1] += u64::from(row.positive);
            truth[2] += u64::from(row.alert);
            truth[3] += u64::from(row.positive && row.alert);
            // Chunks close every `chunk_rows` rows from the monitor's first row.
            if (*rows_before + r + 1).is_multiple_of(u64::from(config.chunk_rows)) {
                let h = monitor.health();
                let e = h.estimated;
                for (sum, v) in
                    chunk_sums
                        .iter_mut()
                        .zip([h.score.psi, e.precision, e.recall, e.prevalence])
                {
                    *sum += f64::from(v);
                }
                chunks += 1;
            }
        }
    }
    *rows_before += scenario.rows;
    // The sweep's default cells are the monitor's own CUSUMs: same events, same results.
    for (cells, column, tuning) in [
        (&sweep[0], 0, config.recall_drops),
        (&sweep[1], 1, config.precision_drops),
    ] {
        let default = sweep_cells().position(|c| c == (tuning, config.labelled_levels.1));
        if let Some(k) = default {
            let (t, m) = (cells[k].1, columns[column]);
            assert_eq!(
                (t.false_drifts, t.first),
                (m.false_drifts, m.first),
                "sweep cell disagrees with the monitor ({})",
                COLUMN_NAMES[column]
            );
        }
    }
    SeedResult {
        seed,
        positives_after,
        truth,
        chunk_means: chunk_sums.map(|v| v / f64::from(chunks.max(1))),
        sweep: [0, 1].map(|k| sweep[k].iter().map(|(_, t)| *t).collect()),
        columns: *columns,
        warnings: *warnings,
        events,
    }
}

fn tracker_json(t: &Tracker) -> Value {
    json!({
        "false": t.false_drifts,
        "first": t.first.map(|(rows, pos, labels)| json!([rows, pos, labels])),
    })
}

/// Nearest-rank percentile of delays, undetected (`None`) ranking last; `None` if it lands
/// on an undetected seed.
fn percentile(delays: &[Option<u64>], q: f64) -> Option<u64> {
    let mut v: Vec<u64> = delays.iter().map(|d| d.unwrap_or(u64::MAX)).collect();
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    let x = v[rank - 1];
    (x != u64::MAX).then_some(x)
}

fn show(x: Option<u64>) -> String {
    x.map_or("—".into(), |v| v.to_string())
}

fn write_streams(dir: &Path, scenario: &Scenario, policy: Policy, results: &[&SeedResult]) {
    let stem = format!("{}__{}", scenario.name, policy.name());
    let mut bin = std::io::BufWriter::new(
        std::fs::File::create(dir.join(format!("{stem}.bin"))).expect("create stream file"),
    );
    for r in results {
        bin.write_all(&r.seed.to_le_bytes()).unwrap();
        bin.write_all(&(r.events.len() as u32).to_le_bytes())
            .unwrap();
        for e in &r.events {
            bin.write_all(&e.arrival.to_le_bytes()).unwrap();
            bin.write_all(&e.row.to_le_bytes()).unwrap();
            bin.write_all(&[u8::from(e.positive) | (u8::from(e.alert) << 1)])
                .unwrap();
        }
    }
    bin.flush().unwrap();
    let meta = json!({
        "scenario": scenario.name,
        "title": scenario.title,
        "policy": policy.name(),
        "policy_description": policy.describe(),
        "rows": scenario.rows,
        "change_at": scenario.change_at,
        "ramp": scenario.ramp,
        "seeds": results.len(),
        "relevant": scenario.relevant,
        // Rows absent from the file are negatives that did not alert (correct, unlabelled).
        "complete_positives_and_alerts": policy == Policy::Immediate,
    });
    std::fs::write(
        dir.join(format!("{stem}.json")),
        serde_json::to_string_pretty(&meta).unwrap(),
    )
    .unwrap();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut quick = false;
    let mut seeds_factor = 1u64;
    let mut out = PathBuf::from("out");
    let mut threads = 2usize;
    let mut only: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--seeds-factor" => {
                seeds_factor = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .filter(|&k| k >= 1)
                    .expect("--seeds-factor K (at least 1)")
            }
            "--out" => out = PathBuf::from(args.next().expect("--out DIR")),
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|t| t.parse().ok())
                    .expect("--threads N")
            }
            "--only" => only = args.next(),
            other => panic!("unknown argument {other}"),
        }
    }
    let streams_dir = out.join("streams");
    std::fs::create_dir_all(&streams_dir).expect("create output directory");

    let world = World::new(0.002, 0.8, 0.8);
    let bytes = world.model_bytes();
    Model::from_bytes(&bytes).expect("valid model");
    let config = MonitorConfig::default();
    eprintln!(
        "world: prevalence {}, d {:.4}, threshold {} (score units of 1/256 nat), recall {:.4}, fpr {:.6}, score edges {:?}",
        world.prevalence,
        world.d,
        world.threshold,
        world.recall,
        world.fpr,
        world.score_edges()
    );

    let all = scenarios(quick, seeds_factor);
    // A job is a run of seeds through one set of detectors: every stable seed of a label
    // policy in one chain (one long stream, first: the longest jobs), each seed of a drop
    // scenario alone.
    let mut jobs: Vec<(usize, Policy, std::ops::Range<u64>)> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| only.as_deref().is_none_or(|o| s.name.contains(o)))
        .flat_map(|(i, s)| {
            s.policies.iter().flat_map(move |&p| {
                let chained = s.change_at >= s.rows;
                let step = if chained { s.seeds.max(1) } else { 1 };
                (0..s.seeds)
                    .step_by(step as usize)
                    .map(move |k| (i, p, k..(k + step).min(s.seeds)))
            })
        })
        .collect();
    jobs.sort_by_key(|(i, _, ks)| std::cmp::Reverse(all[*i].rows * (ks.end - ks.start)));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, &'static str, u64, SeedResult)>> = Mutex::new(Vec::new());
    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                let model = Model::from_bytes(&bytes).expect("valid model");
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some((i, policy, seeds)) = jobs.get(j).cloned() else {
                        break;
                    };
                    let mut detectors = Detectors::new(&model, &config);
                    for k in seeds {
                        let r = run_seed(&world, &config, &all[i], i, policy, k, &mut detectors);
                        results.lock().unwrap().push((i, policy.name(), k, r));
                    }
                    if j.is_multiple_of(25) {
                        eprintln!(
                            "  {}/{} runs, {:.0} s",
                            j + 1,
                            jobs.len(),
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, p, k, _)| (*i, *p, *k));

    let mut report = Vec::new();
    println!(
        "{:<44} {:<13} {:<19} {:>9} {:>11} {:>10} {:>10} {:>13}",
        "scenario",
        "labels",
        "signal",
        "detected",
        "median rows",
        "median pos",
        "p90 pos",
        "false/10M pre"
    );
    for (i, scenario) in all.iter().enumerate() {
        for &policy in scenario.policies {
            let seeds: Vec<&SeedResult> = results
                .iter()
                .filter(|(j, p, _, _)| *j == i && *p == policy.name())
                .map(|(_, _, _, r)| r)
                .collect();
            if seeds.is_empty() {
                continue;
            }
            if policy != Policy::NoLabels {
                write_streams(&streams_dir, scenario, policy, &seeds);
            }
            let pre_rows = scenario.change_at as f64 * seeds.len() as f64;
            let shown: Vec<usize> = if scenario.relevant.is_empty() {
                (0..COLUMNS).collect()
            } else {
                scenario
                    .relevant
                    .iter()
                    .map(|n| COLUMN_NAMES.iter().position(|c| c == n).unwrap())
                    .chain([ANY])
                    .collect()
            };
            for c in shown {
                let rows: Vec<Option<u64>> = seeds
                    .iter()
                    .map(|s| s.columns[c].first.map(|f| f.0))
                    .collect();
                let pos: Vec<Option<u64>> = seeds
                    .iter()
                    .map(|s| s.columns[c].first.map(|f| f.1))
                    .collect();
                let false_drifts: u32 = seeds.iter().map(|s| s.columns[c].false_drifts).sum();
                let detected = rows.iter().flatten().count();
                println!(
                    "{:<44} {:<13} {:<19} {:>9} {:>11} {:>10} {:>10} {:>13.3}",
                    scenario.title,
                    policy.name(),
                    COLUMN_NAMES[c],
                    if scenario.relevant.is_empty() {
                        "-".into()
                    } else {
                        format!("{detected}/{}", seeds.len())
                    },
                    show(percentile(&rows, 0.5)),
                    show(percentile(&pos, 0.5)),
                    show(percentile(&pos, 0.9)),
                    f64::from(false_drifts) / pre_rows * 1e7
                );
            }
            let sweep = |which: usize| -> Value {
                sweep_cells()
                    .enumerate()
                    .map(|(k, (tuning, level))| {
                        json!({
                            "drop": tuning_name(&tuning),
                            "level": level,
                            "false": seeds.iter().map(|s| s.sweep[which][k].false_drifts).sum::<u32>(),
                            "first": seeds
                                .iter()
                                .map(|s| s.sweep[which][k].first.map(|(rows, pos, labels)| json!([rows, pos, labels])))
                                .collect::<Vec<_>>(),
                        })
                    })
                    .collect()
            };
            report.push(json!({
                "scenario": scenario.name,
                "title": scenario.title,
                "policy": policy.name(),
                "policy_description": policy.describe(),
                "rows": scenario.rows,
                "change_at": scenario.change_at,
                "ramp": scenario.ramp,
                "relevant": scenario.relevant,
                "seeds": seeds.iter().map(|s| json!({
                    "seed": s.seed,
                    "positives_after": s.positives_after,
                    "columns": s.columns.iter().map(tracker_json).collect::<Vec<_>>(),
                    "warnings": s.warnings.iter().map(tracker_json).collect::<Vec<_>>(),
                    "truth": {"rows": s.truth[0], "positives": s.truth[1], "alerts": s.truth[2], "true_alerts": s.truth[3]},
                    "chunk_means": {"psi": s.chunk_means[0], "cbpe_precision": s.chunk_means[1], "cbpe_recall": s.chunk_means[2], "cbpe_prevalence": s.chunk_means[3]},
                })).collect::<Vec<_>>(),
                "sweep": if policy == Policy::NoLabels {
                    Value::Null
                } else {
                    json!({"recall": sweep(0), "precision": sweep(1)})
                },
            }));
        }
    }
    let doc = json!({
        "world": {
            "prevalence": world.prevalence,
            "d": world.d,
            "threshold": world.threshold,
            "recall": world.recall,
            "fpr": world.fpr,
            "key_feature_weight": world.w,
            "score_edges": world.score_edges(),
            "score_counts": world.score_counts(&world.score_edges(), 1_000_000),
            "logit_scale": 1.0 / synth::SCALE,
        },
        "config": {
            "recall_drop": tuning_name(&config.recall_drops),
            "precision_drop": tuning_name(&config.precision_drops),
            "labelled_levels": [config.labelled_levels.0, config.labelled_levels.1],
            "alert_rate_factor": config.alert_rate_factor,
            "alert_rate_levels": [config.alert_rate_levels.0, config.alert_rate_levels.1],
            "chunk_rows": config.chunk_rows,
            "psi_levels": [config.psi_levels.0, config.psi_levels.1],
            "estimate_levels": [config.estimate_levels.0, config.estimate_levels.1],
        },
        "columns": COLUMN_NAMES,
        "quick": quick,
        "seeds_factor": seeds_factor,
        "seconds": started.elapsed().as_secs_f64(),
        "scenarios": report,
    });
    std::fs::write(out.join("ours.json"), serde_json::to_string(&doc).unwrap())
        .expect("write ours.json");
    eprintln!(
        "wrote {} and {} ({:.0} s)",
        out.join("ours.json").display(),
        streams_dir.display(),
        started.elapsed().as_secs_f64()
    );
}
