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
use recall_bits::{
    median, recall_after_change, BASELINE, POSITIVES_PER_10M_ROWS, RECALL, SCENARIOS, WARM_UP,
};

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

    /// Forgets level `i`'s evidence (a drift acknowledged).
    fn reset(&mut self, i: usize) {
        self.cusum[i] = 0.0;
        self.state[i] = SignalState::Ok;
        self.since[i] = 0;
    }
    /// Adds one bit; calls `hit(level index)` for each level that enters Drift.
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
            let before = self.state[i];
            let after = before.step(v, h / 4.0, h / 2.0, h);
            self.state[i] = after;
            if after == SignalState::Drift && before != SignalState::Drift {
                hit(i);
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str, d: &str| -> String {
        args.iter()
            .position(|a| a == k)
            .map(|i| args[i + 1].clone())
            .unwrap_or(d.into())
    };
    let p = Params {
        window: get("--window", "64").parse().unwrap(),
        factor: get("--factor", "1.0").parse().unwrap(),
        q_lo: get("--qlo", "0.0").parse().unwrap(),
        erosion: get("--erosion", "0.25").parse().unwrap(),
        no_cusum: args.iter().any(|a| a == "--no-cusum"),
    };
    let positives: u64 = get("--positives", "20000000").parse().unwrap();
    let seeds: u64 = get("--seeds", "2000").parse().unwrap();
    let (from, to, step): (f64, f64, f64) = {
        let v: Vec<f64> = get("--levels", "7:16:0.125")
            .split(':')
            .map(|x| x.parse().unwrap())
            .collect();
        (v[0], v[1], v[2])
    };
    let levels: Vec<f64> = (0..=((to - from) / step + 0.5) as usize)
        .map(|k| from + step * k as f64)
        .collect();
    let s = Shared::new(p);
    let started = std::time::Instant::now();
    let (fa, delays) = std::thread::scope(|sc| {
        let fa = sc.spawn(|| {
            let mut rng = recall_bits::stable();
            let mut m = Multi::new(&s, &levels);
            let mut counts = vec![0u64; levels.len()];
            for _ in 0..positives {
                m.step(!rng.bernoulli(RECALL), |i| counts[i] += 1);
            }
            counts
        });
        let delays: Vec<Vec<Vec<u32>>> = (0..3usize)
            .map(|scenario| {
                let mut per_level = vec![Vec::new(); levels.len()];
                for seed in 0..seeds {
                    let mut rng = recall_bits::scenario(seed, scenario);
                    let mut m = Multi::new(&s, &levels);
                    for _ in 0..WARM_UP {
                        // A false drift before the change is acknowledged (as in
                        // rarewatch-drift-tuning).
                        let mut raised = Vec::new();
                        m.step(!rng.bernoulli(RECALL), |i| raised.push(i));
                        for i in raised {
                            m.reset(i);
                        }
                    }
                    let mut got = vec![GIVE_UP; levels.len()];
                    let mut left = levels.len();
                    for k in 1..=GIVE_UP {
                        let recall = recall_after_change(scenario, k);
                        m.step(!rng.bernoulli(recall), |i| {
                            if got[i] == GIVE_UP {
                                got[i] = k;
                                left -= 1;
                            }
                        });
                        if left == 0 {
                            break;
                        }
                    }
                    for (i, g) in got.into_iter().enumerate() {
                        per_level[i].push(g);
                    }
                }
                per_level
            })
            .collect();
        (fa.join().unwrap(), delays)
    });
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
    for (i, h) in levels.iter().enumerate() {
        let rate = fa[i] as f64 / positives as f64 * POSITIVES_PER_10M_ROWS;
        let med: Vec<f64> = (0..3).map(|sc| median(delays[sc][i].clone())).collect();
        let mean: Vec<f64> = (0..3)
            .map(|sc| delays[sc][i].iter().map(|&x| f64::from(x)).sum::<f64>() / seeds as f64)
            .collect();
        println!(
            "{h:6.3} {rate:7.3} ({:5}) | {} / {} / {} | means {:.1} / {:.1} / {:.1}",
            fa[i], med[0], med[1], med[2], mean[0], mean[1], mean[2]
        );
    }
}
