//! The labelled drop test alone, on simulated recall bits: how its tuning and drift level
//! trade false drifts against delay. This is how the default tuning was chosen.
//!
//!   cargo run --release --bin rarewatch-drift-tuning -- [--positives N] [--seeds S] [--threads T]
//!
//! One bit per labelled positive, as the monitor's recall stream sees them (every positive
//! labelled at once): caught with probability 0.8002 (the bench world's recall), against a
//! baseline of 0.8. False drifts are counted over `N` stable positives (default 20 M, i.e.
//! 10 G rows at 0.2 % prevalence) and quoted per 10 M rows (20,000 positives); the delays are
//! medians over `S` seeds (default 2,000) of positives from the change to the drift, after
//! 2,000 stable positives: recall 0.8 → 0.5, 0.8 → 0.3, and 0.8 → 0.5 linearly over 1,000
//! positives (500k rows). Rows here are positives × 500.

#[path = "../gauss.rs"]
#[allow(dead_code)]
mod gauss;

use gauss::Rng;
use rarewatch::monitor::drop_test::{DropTest, DropTuning};
use rarewatch::monitor::SignalState;

const RECALL: f64 = 0.8002;
const BASELINE: f32 = 0.8;
const POSITIVES_PER_10M_ROWS: f64 = 20_000.0;
const WARM_UP: u32 = 2_000;
const RAMP: f64 = 1_000.0;
const GIVE_UP: u32 = 100_000;

/// True when the test entered Drift with this outcome.
fn step(test: &mut DropTest, caught: bool) -> bool {
    let before = test.state();
    test.update(!caught);
    test.state() == SignalState::Drift && before != SignalState::Drift
}

fn median(mut v: Vec<u32>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    }
}

struct Row {
    name: String,
    level: f32,
    false_drifts: u64,
    medians: [f64; 3],
}

fn run(tuning: &DropTuning, level: f32, positives: u64, seeds: u64, salt: u64) -> Row {
    let fresh = || DropTest::new(BASELINE, tuning, (level / 2.0, level)).expect("valid tuning");
    let mut rng = Rng::new(0x5ab1e ^ salt);
    let mut test = fresh();
    let false_drifts = (0..positives)
        .filter(|_| step(&mut test, rng.bernoulli(RECALL)))
        .count() as u64;
    let medians = [0usize, 1, 2].map(|scenario| {
        let delays = (0..seeds)
            .map(|seed| {
                let mut rng = Rng::new(seed * 7_919 + scenario as u64 * 1_000_003 + 99);
                let mut test = fresh();
                for _ in 0..WARM_UP {
                    step(&mut test, rng.bernoulli(RECALL));
                }
                (1..=GIVE_UP)
                    .find(|&k| {
                        let recall = match scenario {
                            0 => 0.5,
                            1 => 0.3,
                            _ => RECALL - (RECALL - 0.5) * (f64::from(k) / RAMP).min(1.0),
                        };
                        step(&mut test, rng.bernoulli(recall))
                    })
                    .unwrap_or(GIVE_UP)
            })
            .collect();
        median(delays)
    });
    let name = match tuning.collapse {
        Some(c) => format!(
            "erosion {} + collapse {} (×{})",
            tuning.erosion, c, tuning.collapse_level_factor
        ),
        None => format!("one CUSUM {}", tuning.erosion),
    };
    Row {
        name,
        level,
        false_drifts,
        medians,
    }
}

fn main() {
    let mut positives: u64 = 20_000_000;
    let mut seeds: u64 = 2_000;
    let mut threads: usize = 2;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || -> u64 {
            args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                eprintln!("{a} needs a number");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--positives" => positives = value(),
            "--seeds" => seeds = value(),
            "--threads" => threads = value().max(1) as usize,
            _ => {
                eprintln!(
                    "usage: rarewatch-drift-tuning [--positives N] [--seeds S] [--threads T]"
                );
                std::process::exit(2)
            }
        }
    }
    let tunings = [
        DropTuning::DEFAULT,
        DropTuning::single(0.375),
        DropTuning::single(0.7),
        DropTuning {
            erosion: 0.3,
            collapse: Some(0.625),
            collapse_level_factor: 1.1,
        },
    ];
    let cells: Vec<(DropTuning, f32)> = tunings
        .iter()
        .flat_map(|&t| (0..=16).map(move |k| (t, 8.0 + 0.25 * k as f32)))
        .collect();
    let started = std::time::Instant::now();
    let mut rows: Vec<(usize, Row)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let cells = &cells;
                s.spawn(move || {
                    cells
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % threads == t)
                        .map(|(i, (tuning, level))| {
                            (i, run(tuning, *level, positives, seeds, i as u64))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    rows.sort_by_key(|(i, _)| *i);
    println!(
        "Drop test alone on simulated recall bits: {positives} stable positives, {seeds} seeds per scenario, {:.0} s.\n",
        started.elapsed().as_secs_f64()
    );
    println!("| tuning | warning / drift level, nats | false drifts / 10 M rows (count) | 0.8→0.5 | 0.8→0.3 | 0.8→0.5 over 1,000 positives |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (_, r) in rows {
        println!(
            "| {} | {} / {} | {:.3} ({}) | {} | {} | {} |",
            r.name,
            r.level / 2.0,
            r.level,
            r.false_drifts as f64 / positives as f64 * POSITIVES_PER_10M_ROWS,
            r.false_drifts,
            r.medians[0],
            r.medians[1],
            r.medians[2]
        );
    }
}
