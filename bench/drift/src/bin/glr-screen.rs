//! Would a windowed Bernoulli GLR catch large drops sooner than the drop test's collapse
//! CUSUM? The erosion CUSUM (as in the drop test, against the baseline's lower bound) beside a
//! GLR over the last `--window` recall bits (against the point estimate), the larger compared
//! with the levels, on the same simulated recall bits and seeds as `rarewatch-drift-tuning`,
//! every level of `--levels` in one pass (the GLR does not depend on the level).
//!
//!   cargo run --release --bin glr-screen -- [--window W] [--factor F] [--qlo Q]
//!       [--erosion E] [--no-cusum] [--positives N] [--seeds S] [--levels FROM:TO:STEP]
//!
//! The GLR maximises the log-likelihood ratio of "the failure rate of the last m bits is their
//! share of failures" (at least `--qlo`) over m = 1..W, divided by `--factor`. It is the limit
//! of a union of CUSUMs for every drop, so it pays for the union in its level: in f64 here, as a
//! screen (BENCHMARKS.md has what it showed; it did not beat the CUSUM pair, so the crate has
//! none). Prints, per level, false drifts per 10 M rows and median / mean delays.
#[path = "../gauss.rs"]
#[allow(dead_code)]
mod gauss;
#[path = "../recall_bits.rs"]
mod recall_bits;
use rarewatch::monitor::drop_test::DropTuning;
use rarewatch::monitor::SignalState;
use recall_bits::{LevelSweep, BASELINE, SCENARIOS};

const GIVE_UP: u32 = 20_000;

#[derive(Clone, Copy)]
struct Params {
    window: usize,
    factor: f64,
    q_lo: f64,
    erosion: f64,
    no_cusum: bool,
}

struct Shared {
    nlnn: Vec<f64>,
    q0: f64,
    lq0: f64,
    l1q0: f64,
    cusum_llr: [f64; 2],
    p: Params,
}

impl Shared {
    fn new(p: Params) -> Self {
        let nlnn = (0..=p.window)
            .map(|n| {
                if n == 0 {
                    0.0
                } else {
                    n as f64 * (n as f64).ln()
                }
            })
            .collect();
        let q0 = 1.0 - f64::from(BASELINE.0) / f64::from(BASELINE.1);
        let r = f64::from(
            DropTuning::single(0.25)
                .reference(BASELINE.0, BASELINE.1)
                .unwrap(),
        );
        let (e0, e1) = (1.0 - r, 1.0 - r * (1.0 - p.erosion));
        Shared {
            nlnn,
            q0,
            lq0: q0.ln(),
            l1q0: (1.0 - q0).ln(),
            cusum_llr: [(e1 / e0).ln(), ((1.0 - e1) / (1.0 - e0)).ln()],
            p,
        }
    }
    /// GLR over suffixes of `bits` (true = failure), newest last.
    /// `out[m - 1]`: the GLR over the last 1..=m bits of `bits` (true = failure, newest last).
    fn glr(&self, bits: &std::collections::VecDeque<bool>, out: &mut Vec<f64>) {
        out.clear();
        let mut f = 0usize;
        let mut best = 0.0f64;
        for (i, &b) in bits.iter().rev().enumerate() {
            let m = i + 1;
            f += usize::from(b);
            let q = f as f64 / m as f64;
            if q <= self.q0 {
                out.push(best / self.p.factor);
                continue;
            }
            let g = if q >= self.p.q_lo {
                self.nlnn[f] + self.nlnn[m - f]
                    - self.nlnn[m]
                    - f as f64 * self.lq0
                    - (m - f) as f64 * self.l1q0
            } else {
                let ql = self.p.q_lo;
                f as f64 * (ql / self.q0).ln()
                    + (m - f) as f64 * ((1.0 - ql) / (1.0 - self.q0)).ln()
            };
            best = best.max(g);
            out.push(best / self.p.factor);
        }
    }
}

struct Multi<'a> {
    s: &'a Shared,
    bits: std::collections::VecDeque<bool>,
    levels: &'a [f64],
    cusum: Vec<f64>,
    state: Vec<SignalState>,
    /// Bits each level's test has seen since it was last reset (its GLR looks no further).
    since: Vec<usize>,
    prefix: Vec<f64>,
}

impl<'a> Multi<'a> {
    fn new(s: &'a Shared, levels: &'a [f64]) -> Self {
        Multi {
            s,
            bits: Default::default(),
            levels,
            cusum: vec![0.0; levels.len()],
            state: vec![SignalState::Ok; levels.len()],
            since: vec![0; levels.len()],
            prefix: Vec::new(),
        }
    }
}

impl LevelSweep for Multi<'_> {
    fn reset(&mut self, i: usize) {
        self.cusum[i] = 0.0;
        self.state[i] = SignalState::Ok;
        self.since[i] = 0;
    }
    fn step(&mut self, failure: bool, mut hit: impl FnMut(usize)) {
        if self.bits.len() == self.s.p.window {
            self.bits.pop_front();
        }
        self.bits.push_back(failure);
        self.s.glr(&self.bits, &mut self.prefix);
        let llr = self.s.cusum_llr[usize::from(!failure)];
        for (i, &h) in self.levels.iter().enumerate() {
            let c = if self.s.p.no_cusum {
                0.0
            } else {
                (self.cusum[i] + llr).clamp(0.0, 1.5 * h)
            };
            self.cusum[i] = c;
            self.since[i] = (self.since[i] + 1).min(self.s.p.window);
            let v = c.max(self.prefix[self.since[i] - 1]);
            if recall_bits::enters_drift(&mut self.state[i], v, h) {
                hit(i);
            }
        }
    }
}

fn main() {
    let get = recall_bits::arg;
    let p = Params {
        window: get("--window", "64").parse().unwrap(),
        factor: get("--factor", "1.0").parse().unwrap(),
        q_lo: get("--qlo", "0.0").parse().unwrap(),
        erosion: get("--erosion", "0.25").parse().unwrap(),
        no_cusum: std::env::args().any(|a| a == "--no-cusum"),
    };
    let positives: u64 = get("--positives", "20000000").parse().unwrap();
    let seeds: u64 = get("--seeds", "2000").parse().unwrap();
    let levels = recall_bits::levels(&get("--levels", "7:16:0.125"));
    let s = Shared::new(p);
    let started = std::time::Instant::now();
    let swept = recall_bits::sweep(
        || Multi::new(&s, &levels),
        levels.len(),
        positives,
        seeds,
        GIVE_UP,
    );
    println!(
        "window {} factor {} q_lo {} erosion {} cusum {} ({:.0} s)",
        p.window,
        p.factor,
        p.q_lo,
        p.erosion,
        !p.no_cusum,
        started.elapsed().as_secs_f64()
    );
    println!(
        "level, nats | false drifts / 10 M rows (count) | medians {} | means",
        SCENARIOS.join(" / ")
    );
    recall_bits::print_sweep(&levels, &swept, positives, seeds, |_| String::new());
}
