//! Would Shiryaev–Roberts statistics detect sooner than the drop test's CUSUMs at the same
//! false-alarm rate? CUSUM is optimal for the worst-case delay (Lorden); Shiryaev–Roberts for
//! the delay after a long stable run (Pollak & Tartakovsky 2009), which is how a deployed
//! monitor meets a change. The erosion and the collapse statistic of the drop test, each a
//! CUSUM or an SR statistic, on the same simulated recall bits and seeds as
//! `rarewatch-drift-tuning`, every level of `--levels` in one pass, in f64 (a screen).
//!
//!   cargo run --release --bin sr-screen -- [--erosion E] [--collapse C] [--factor F]
//!       [--sr erosion|collapse|both|none] [--positives N] [--seeds S] [--levels FROM:TO:STEP]
//!
//! CUSUM: `S = max(0, S) + llr`; SR in logs: `S = ln(1 + e^S) + llr` (the softplus instead of
//! the max: a statistic near 0 counts a little more evidence). Both clamped above at 1.5× the
//! drift level, as in the crate. Prints, per level, false drifts per 10 M rows and median /
//! mean delays, and the share of seeds detected within 14 positives on 0.8→0.3.
#[path = "../gauss.rs"]
#[allow(dead_code)]
mod gauss;
#[path = "../recall_bits.rs"]
mod recall_bits;
use rarewatch::monitor::drop_test::DropTuning;
use rarewatch::monitor::SignalState;
use recall_bits::{LevelSweep, BASELINE, SCENARIOS};

const GIVE_UP: u32 = 20_000;

/// One statistic's LLRs `[on a failure, on a success]` and whether it is an SR statistic.
#[derive(Clone, Copy)]
struct Stat {
    llr: [f64; 2],
    sr: bool,
}

impl Stat {
    fn new(p0: f64, p1: f64, scale: f64, sr: bool) -> Self {
        Stat {
            llr: [
                (p1 / p0).ln() / scale,
                ((1.0 - p1) / (1.0 - p0)).ln() / scale,
            ],
            sr,
        }
    }
    fn step(&self, s: f64, failure: bool, cap: f64) -> f64 {
        let llr = self.llr[usize::from(!failure)];
        let carried = if self.sr {
            // ln(1 + e^s), computed without overflow.
            s.max(0.0) + (-s.abs()).exp().ln_1p()
        } else {
            s.max(0.0)
        };
        (carried + llr).min(cap)
    }
}

struct Multi<'a> {
    stats: &'a [Stat],
    levels: &'a [f64],
    value: Vec<[f64; 2]>,
    state: Vec<SignalState>,
}

impl<'a> Multi<'a> {
    fn new(stats: &'a [Stat], levels: &'a [f64]) -> Self {
        Multi {
            stats,
            levels,
            value: vec![[f64::NEG_INFINITY; 2]; levels.len()],
            state: vec![SignalState::Ok; levels.len()],
        }
    }
}

impl LevelSweep for Multi<'_> {
    fn reset(&mut self, i: usize) {
        self.value[i] = [f64::NEG_INFINITY; 2];
        self.state[i] = SignalState::Ok;
    }
    fn step(&mut self, failure: bool, mut hit: impl FnMut(usize)) {
        for (i, &h) in self.levels.iter().enumerate() {
            let mut v = f64::NEG_INFINITY;
            for (s, stat) in self.value[i].iter_mut().zip(self.stats) {
                *s = stat.step(*s, failure, 1.5 * h);
                v = v.max(*s);
            }
            if recall_bits::enters_drift(&mut self.state[i], v.max(0.0), h) {
                hit(i);
            }
        }
    }
}

fn main() {
    let get = recall_bits::arg;
    let erosion: f64 = get("--erosion", "0.25").parse().unwrap();
    let collapse: f64 = get("--collapse", "0.7").parse().unwrap();
    let factor: f64 = get("--factor", "1.3").parse().unwrap();
    let sr = get("--sr", "both");
    let positives: u64 = get("--positives", "20000000").parse().unwrap();
    let seeds: u64 = get("--seeds", "2000").parse().unwrap();
    let levels = recall_bits::levels(&get("--levels", "7:11:0.0625"));
    let point = f64::from(BASELINE.0) / f64::from(BASELINE.1);
    let lower = f64::from(
        DropTuning::single(erosion as f32)
            .reference(BASELINE.0, BASELINE.1)
            .unwrap(),
    );
    let rates = |b: f64, d: f64| (1.0 - b, 1.0 - b * (1.0 - d));
    let (e0, e1) = rates(lower, erosion);
    let (c0, c1) = rates(point, collapse);
    let stats = [
        Stat::new(e0, e1, 1.0, sr == "erosion" || sr == "both"),
        Stat::new(c0, c1, factor, sr == "collapse" || sr == "both"),
    ];
    let started = std::time::Instant::now();
    let swept = recall_bits::sweep(
        || Multi::new(&stats, &levels),
        levels.len(),
        positives,
        seeds,
        GIVE_UP,
    );
    println!(
        "erosion {erosion} + collapse {collapse} (×{factor}), SR: {sr} ({:.0} s)",
        started.elapsed().as_secs_f64()
    );
    println!(
        "level, nats | false drifts / 10 M rows (count) | medians {} | means | within 14 on 0.8→0.3",
        SCENARIOS.join(" / ")
    );
    recall_bits::print_sweep(&levels, &swept, positives, seeds, |i| {
        let within = swept.delays[1][i].iter().filter(|&&d| d <= 14).count();
        format!(" | {:.3}", within as f64 / seeds as f64)
    });
}
