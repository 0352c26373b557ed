//! The labelled drop test alone, on simulated labelled bits, side by side with River's HDDM_W
//! (ported, `src/hddm_w.rs`, checked against River by `check_hddm_w.py`) on the same bits:
//! how each tuning and drift level trades false drifts against delay, and how rarewatch's
//! tunings compare with each HDDM_W setting at the same measured false-alarm rate. This is how
//! the default tuning was chosen.
//!
//!   cargo run --release --bin rarewatch-drift-tuning -- [--positives N] [--seeds S]
//!       [--threads T] [--tuning EROSION[+COLLAPSE[xFACTOR]]]... [--margin Z]
//!       [--levels FROM:TO:STEP]
//!
//! One bit per labelled event, as the monitor's recall stream sees positives (every one
//! labelled at once) and its precision stream sees alerts: a success with probability 0.8002
//! (the bench world's recall; its precision is 0.7996), against the bench model's baseline of
//! 1,600 of 2,000 (the erosion CUSUMs of the tunings given with `--tuning` sit `--margin`
//! standard errors below it; default 1). Without `--tuning`: the default and its erosion CUSUM
//! alone (what the collapse statistic adds). The default before this one, whose collapse
//! statistic was a CUSUM, is reproduced by `sr-screen --sr none` (same bits, same figures).
//! False drifts are counted over `N` stable events (default 20 M, i.e. 10 G rows at 0.2 %
//! prevalence; every detector sees the same bits) and quoted per 10 M rows (20,000 events);
//! the delays are medians over `S` seeds (default 2,000) of events from the change to the
//! drift, after 2,000 stable events: recall 0.8 → 0.5, 0.8 → 0.3, and 0.8 → 0.5 linearly over
//! 1,000 positives (500k rows), and precision 0.8 → 0.267 and 0.8 → 0.335 (the bench's alert
//! rate ×3 and key feature +2 IQR). Seed `s` of a scenario is the same bits for every
//! detector. A false drift during the warm-up is acknowledged (rarewatch's test is reset;
//! HDDM_W starts afresh by itself), so the change meets a watching detector. Drift levels in
//! steps of 1/16 nat by default: the rate moves in steps, as a CUSUM's statistic lives on a
//! lattice of LLR sums. A tie of the medians shows both means and the shares of seeds detected
//! within the median and one positive before it; the summary also counts the settings against
//! which every mean delay is lower.

#[path = "../gauss.rs"]
#[allow(dead_code)]
mod gauss;
#[path = "../hddm_w.rs"]
mod hddm_w;
#[path = "../recall_bits.rs"]
#[allow(dead_code)]
mod recall_bits;

use hddm_w::HddmW;
use rarewatch::monitor::drop_test::{DropTest, DropTuning};
use rarewatch::monitor::SignalState;
use recall_bits::{
    median, success_after_change, BASELINE, POSITIVES_PER_10M_ROWS, RECALL, SCENARIOS, WARM_UP,
};

const GIVE_UP: u32 = 100_000;
/// Scenarios.
const N: usize = SCENARIOS.len();

/// River's HDDM_W settings in the drift bench's sweep (`river_peer.py`), default first.
const HDDM_W_SETTINGS: [(f64, f64); 20] = [
    (0.05, 1e-3),
    (0.02, 1e-3),
    (0.02, 1e-4),
    (0.02, 1e-5),
    (0.05, 5e-4),
    (0.05, 2e-4),
    (0.05, 1e-4),
    (0.05, 1e-5),
    (0.05, 1e-6),
    (0.05, 1e-7),
    (0.05, 1e-8),
    (0.05, 1e-10),
    (0.1, 1e-3),
    (0.1, 5e-4),
    (0.1, 2e-4),
    (0.1, 1e-4),
    (0.1, 1e-5),
    (0.1, 1e-6),
    (0.2, 1e-3),
    (0.2, 1e-4),
];

/// A detector under test: rarewatch's drop test at a drift level, or an HDDM_W setting.
#[derive(Clone, Copy)]
enum Candidate {
    Drop { tuning: DropTuning, level: f32 },
    HddmW { lambda: f64, confidence: f64 },
}

enum Detector {
    Drop(DropTest),
    HddmW(HddmW),
}

impl Candidate {
    fn fresh(&self) -> Detector {
        match *self {
            Candidate::Drop { tuning, level } => Detector::Drop(
                DropTest::new(BASELINE.0, BASELINE.1, &tuning, (level / 2.0, level))
                    .expect("valid tuning"),
            ),
            Candidate::HddmW { lambda, confidence } => {
                Detector::HddmW(HddmW::new(lambda, confidence))
            }
        }
    }
}

impl Detector {
    /// Adds one outcome; true when it raised a drift (rarewatch: entered Drift; HDDM_W:
    /// reported one, after which it starts afresh).
    fn step(&mut self, caught: bool) -> bool {
        match self {
            Detector::Drop(test) => {
                let before = test.state();
                test.update(!caught);
                test.state() == SignalState::Drift && before != SignalState::Drift
            }
            Detector::HddmW(d) => d.update(!caught),
        }
    }
}

fn tuning_name(t: &DropTuning) -> String {
    let drops = match t.collapse {
        Some(c) => format!(
            "erosion {} + collapse SR {} (×{})",
            t.erosion, c, t.collapse_level_factor
        ),
        None => format!("one CUSUM {}", t.erosion),
    };
    if t.baseline_margin == 1.0 {
        drops
    } else {
        format!("{drops}, z = {}", t.baseline_margin)
    }
}

/// A candidate's measured false drifts and median delays.
struct Measured {
    candidate: Candidate,
    false_drifts: u64,
    medians: [f64; N],
    /// Mean delays, shown beside a tie of the medians.
    means: [f64; N],
    /// Every seed's delay, sorted, per scenario.
    delays: [Vec<u32>; N],
}

impl Measured {
    /// The share of seeds of `scenario` detected within `k` positives.
    fn within(&self, scenario: usize, k: f64) -> f64 {
        let d = &self.delays[scenario];
        d.partition_point(|&x| f64::from(x) <= k) as f64 / d.len().max(1) as f64
    }
}

impl Measured {
    fn rate(&self, positives: u64) -> f64 {
        self.false_drifts as f64 / positives as f64 * POSITIVES_PER_10M_ROWS
    }
}

fn measure(candidate: Candidate, positives: u64, seeds: u64) -> Measured {
    let mut rng = recall_bits::stable();
    let mut detector = candidate.fresh();
    let false_drifts = (0..positives)
        .filter(|_| detector.step(rng.bernoulli(RECALL)))
        .count() as u64;
    let delays = std::array::from_fn::<_, N, _>(|scenario| {
        (0..seeds)
            .map(|seed| {
                let mut rng = recall_bits::scenario(seed, scenario);
                let mut detector = candidate.fresh();
                for _ in 0..WARM_UP {
                    if detector.step(rng.bernoulli(RECALL)) {
                        // A false drift before the change: the operator acknowledges it (HDDM_W
                        // starts afresh by itself), so the change meets a watching detector.
                        detector = candidate.fresh();
                    }
                }
                (1..=GIVE_UP)
                    .find(|&k| detector.step(rng.bernoulli(success_after_change(scenario, k))))
                    .unwrap_or(GIVE_UP)
            })
            .collect::<Vec<u32>>()
    });
    let means = delays
        .each_ref()
        .map(|d| d.iter().map(|&x| f64::from(x)).sum::<f64>() / d.len().max(1) as f64);
    let delays = delays.map(|mut d| {
        d.sort_unstable();
        d
    });
    Measured {
        candidate,
        false_drifts,
        medians: delays.clone().map(median),
        means,
        delays,
    }
}

/// `EROSION`, `EROSION+COLLAPSE` (level factor 1.1) or `EROSION+COLLAPSExFACTOR`.
fn parse_tuning(s: &str) -> Option<DropTuning> {
    let (erosion, collapse) = match s.split_once('+') {
        None => return Some(DropTuning::single(s.parse().ok()?)),
        Some(parts) => parts,
    };
    let (collapse, factor) = collapse.split_once('x').unwrap_or((collapse, "1.1"));
    Some(DropTuning {
        erosion: erosion.parse().ok()?,
        collapse: Some(collapse.parse().ok()?),
        collapse_level_factor: factor.parse().ok()?,
        baseline_margin: DropTuning::DEFAULT.baseline_margin,
    })
}

fn parse_levels(s: &str) -> Option<Vec<f32>> {
    let mut parts = s.split(':').map(|p| p.parse::<f32>().ok());
    let (from, to, step) = (parts.next()??, parts.next()??, parts.next()??);
    if !(from > 0.0 && to >= from && step > 0.0) {
        return None;
    }
    let n = ((to - from) / step + 0.5) as usize;
    Some((0..=n).map(|k| from + step * k as f32).collect())
}

fn usage() -> ! {
    eprintln!(
        "usage: rarewatch-drift-tuning [--positives N] [--seeds S] [--threads T] \
         [--tuning EROSION[+COLLAPSE[xFACTOR]]]... [--margin Z] [--levels FROM:TO:STEP]"
    );
    std::process::exit(2)
}

fn main() {
    let mut positives: u64 = 20_000_000;
    let mut seeds: u64 = 2_000;
    let mut threads: usize = 2;
    let mut tunings: Vec<DropTuning> = Vec::new();
    let mut levels: Vec<f32> = parse_levels("6:16:0.0625").expect("default levels");
    let mut margin: f32 = DropTuning::DEFAULT.baseline_margin;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        let number = || value.parse::<u64>().unwrap_or_else(|_| usage());
        match a.as_str() {
            "--positives" => positives = number(),
            "--seeds" => seeds = number(),
            "--threads" => threads = number().max(1) as usize,
            "--tuning" => tunings.push(parse_tuning(&value).unwrap_or_else(|| usage())),
            "--levels" => levels = parse_levels(&value).unwrap_or_else(|| usage()),
            "--margin" => margin = value.parse::<f32>().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if tunings.is_empty() {
        tunings = vec![
            DropTuning::DEFAULT,
            DropTuning::single(DropTuning::DEFAULT.erosion),
        ];
    } else {
        for t in &mut tunings {
            t.baseline_margin = margin;
        }
    }
    let mut cells: Vec<Candidate> = HDDM_W_SETTINGS
        .iter()
        .map(|&(lambda, confidence)| Candidate::HddmW { lambda, confidence })
        .collect();
    for &tuning in &tunings {
        cells.extend(
            levels
                .iter()
                .map(|&level| Candidate::Drop { tuning, level }),
        );
    }
    let started = std::time::Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut measured: Vec<(usize, Measured)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&cell) = cells.get(i) else { break out };
                        out.push((i, measure(cell, positives, seeds)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    measured.sort_by_key(|(i, _)| *i);
    let measured: Vec<Measured> = measured.into_iter().map(|(_, m)| m).collect();
    print_report(
        &measured,
        &tunings,
        positives,
        seeds,
        started.elapsed().as_secs_f64(),
    );
}

fn print_report(
    measured: &[Measured],
    tunings: &[DropTuning],
    positives: u64,
    seeds: u64,
    seconds: f64,
) {
    println!(
        "Drop test and HDDM_W on the same simulated labelled bits: {positives} stable positives, \
         {seeds} seeds per scenario, {seconds:.0} s. Median delays in labelled positives.\n"
    );
    println!(
        "| detector | drift level, nats | false drifts / 10 M rows (count) | {} |",
        SCENARIOS.join(" | ")
    );
    println!("|---|---:|---:|{}", "---:|".repeat(N));
    for m in measured {
        let (name, level) = match &m.candidate {
            Candidate::Drop { tuning, level } => (tuning_name(tuning), format!("{level}")),
            Candidate::HddmW { lambda, confidence } => {
                (format!("HDDM_W λ={lambda} c={confidence:e}"), "—".into())
            }
        };
        println!(
            "| {name} | {level} | {:.3} ({}) | {} |",
            m.rate(positives),
            m.false_drifts,
            m.medians.map(|x| x.to_string()).join(" | ")
        );
    }
    for tuning in tunings {
        compare(measured, tuning, positives);
    }
}

/// Each HDDM_W setting against `tuning` at its lowest tested level whose measured rate is no
/// higher.
fn compare(measured: &[Measured], tuning: &DropTuning, positives: u64) {
    let ours: Vec<(f32, &Measured)> = measured
        .iter()
        .filter_map(|m| match m.candidate {
            Candidate::Drop { tuning: t, level } if t == *tuning => Some((level, m)),
            _ => None,
        })
        .collect();
    println!(
        "\n{} against each HDDM_W setting, at its lowest level whose rate is no higher:\n",
        tuning_name(tuning)
    );
    println!("| HDDM_W setting | false drifts / 10 M rows | medians | level | false drifts / 10 M rows | medians | |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    let mut wins = 0;
    let mut mean_wins = 0;
    let mut settings = 0;
    for m in measured {
        let Candidate::HddmW { lambda, confidence } = m.candidate else {
            continue;
        };
        settings += 1;
        let fmt = |x: &[f64; N]| x.map(|v| v.to_string()).join(" / ");
        let Some((level, r)) = ours.iter().find(|(_, r)| r.false_drifts <= m.false_drifts) else {
            println!(
                "| λ={lambda} c={confidence:e} | {:.3} | {} | — | — | — | no tested level that low |",
                m.rate(positives),
                fmt(&m.medians)
            );
            continue;
        };
        let verdict: Vec<String> = (0..N)
            .filter_map(|s| match r.medians[s].partial_cmp(&m.medians[s]) {
                Some(std::cmp::Ordering::Less) => None,
                Some(std::cmp::Ordering::Equal) => Some(format!(
                    "tie on {} (means {:.1} vs {:.1}; within {}: {:.3} vs {:.3}, within {}: {:.3} vs {:.3})",
                    SCENARIOS[s],
                    r.means[s],
                    m.means[s],
                    r.medians[s] - 1.0,
                    r.within(s, r.medians[s] - 1.0),
                    m.within(s, r.medians[s] - 1.0),
                    r.medians[s],
                    r.within(s, r.medians[s]),
                    m.within(s, r.medians[s]),
                )),
                _ => Some(format!("slower on {}", SCENARIOS[s])),
            })
            .collect();
        if verdict.is_empty() {
            wins += 1;
        }
        if (0..N).all(|s| r.means[s] < m.means[s]) {
            mean_wins += 1;
        }
        println!(
            "| λ={lambda} c={confidence:e} | {:.3} | {} | {level} | {:.3} | {} | {} |",
            m.rate(positives),
            fmt(&m.medians),
            r.rate(positives),
            fmt(&r.medians),
            if verdict.is_empty() {
                "**faster on all**".to_string()
            } else {
                verdict.join("; ")
            }
        );
    }
    println!("\nFaster on every scenario against {wins} of {settings} settings (medians); a lower mean delay on every scenario against {mean_wins}.");
}
