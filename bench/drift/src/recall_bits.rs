//! The simulated labelled bits that `rarewatch-drift-tuning`, `glr-screen` and `sr-screen`
//! feed their detectors: one bit per labelled event, a success (a caught positive, a true
//! alert) or a failure, the same bits for every detector. The bench world's recall and
//! precision streams are both such bits, with the same baseline (1,600 of 2,000) and about the
//! same stable rate (recall 0.8002, precision 0.7996); the recall drops and the two precision
//! drops of the bench's labelled scenarios are [`SCENARIOS`].

use crate::gauss::Rng;

/// The bench world's recall before any change.
pub const RECALL: f64 = 0.8002;
/// The baseline a drop test is given: the bench model's 1,600 true alerts of 2,000 positives
/// (reference 0.791 at the default one standard error below).
pub const BASELINE: (u32, u32) = (1_600, 2_000);
/// Labelled positives in 10 M rows at 0.2 % prevalence.
pub const POSITIVES_PER_10M_ROWS: f64 = 20_000.0;
/// Stable positives before each change.
pub const WARM_UP: u32 = 2_000;
/// Positives over which the gradual scenario slides.
pub const RAMP: f64 = 1_000.0;
/// The scenarios' names, in the order of [`success_after_change`]'s `scenario`: three recall
/// drops, then the precision of the bench's alert rate ×3 (false alerts; 0.8 → 0.267) and
/// key feature +2 IQR (0.8 → 0.335, every score shifted by 0.674 of `z`; `synth.rs`).
pub const SCENARIOS: [&str; 5] = [
    "0.8→0.5",
    "0.8→0.3",
    "0.8→0.5 over 1,000 positives",
    "precision, alerts ×3",
    "precision, key feature +2 IQR",
];
/// The precision after the bench's alert rate ×3: the true alerts stay, the alerts triple.
const PRECISION_ALERTS_X3: f64 = 0.2665;
/// The precision after the bench's key feature +2 IQR: recall 0.935, false-positive rate
/// 0.0037 (from 0.0004).
const PRECISION_KEY_FEATURE_2IQR: f64 = 0.3354;

/// The stable stream the false drifts are counted on.
pub fn stable() -> Rng {
    Rng::new(0x5ab1e)
}

/// Seed `seed` of `scenario`: the warm-up, then the change.
pub fn scenario(seed: u64, scenario: usize) -> Rng {
    Rng::new(seed * 7_919 + scenario as u64 * 1_000_003 + 99)
}

/// The success rate `k` events (1-based) after the change in `scenario`.
pub fn success_after_change(scenario: usize, k: u32) -> f64 {
    match scenario {
        0 => 0.5,
        1 => 0.3,
        2 => RECALL - (RECALL - 0.5) * (f64::from(k) / RAMP).min(1.0),
        3 => PRECISION_ALERTS_X3,
        _ => PRECISION_KEY_FEATURE_2IQR,
    }
}

/// The median (the mean of the middle two for an even count).
pub fn median(mut v: Vec<u32>) -> f64 {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
    }
}

/// A screen's detector run at every level of a list in one pass: its statistics do not depend
/// on the level, only their comparisons with it do.
pub trait LevelSweep {
    /// Adds one bit (true = a failure, a missed positive); calls `hit(i)` for each level `i`
    /// whose test enters Drift.
    fn step(&mut self, failure: bool, hit: impl FnMut(usize));
    /// Forgets level `i`'s evidence (a drift acknowledged).
    fn reset(&mut self, i: usize);
}

/// What [`sweep`] measured, per level.
pub struct Swept {
    /// False drifts over the stable positives.
    pub false_drifts: Vec<u64>,
    /// `delays[scenario][level]`: positives from the change to the drift, one per seed
    /// (`give_up` when it never came).
    pub delays: Vec<Vec<Vec<u32>>>,
}

/// False drifts over `positives` stable bits (in a thread of its own) and the delays on every
/// scenario and seed, for a detector made by `new` with `levels` levels. A false drift during
/// a seed's warm-up is acknowledged (as in `rarewatch-drift-tuning`), so the change meets a
/// watching detector.
pub fn sweep<M: LevelSweep>(
    new: impl Fn() -> M + Sync,
    levels: usize,
    positives: u64,
    seeds: u64,
    give_up: u32,
) -> Swept {
    std::thread::scope(|s| {
        let stable = s.spawn(|| {
            let mut rng = stable();
            let mut m = new();
            let mut counts = vec![0u64; levels];
            for _ in 0..positives {
                m.step(!rng.bernoulli(RECALL), |i| counts[i] += 1);
            }
            counts
        });
        let delays = (0..SCENARIOS.len())
            .map(|sc| {
                let mut per_level = vec![Vec::new(); levels];
                for seed in 0..seeds {
                    let mut rng = scenario(seed, sc);
                    let mut m = new();
                    for _ in 0..WARM_UP {
                        let mut raised = Vec::new();
                        m.step(!rng.bernoulli(RECALL), |i| raised.push(i));
                        for i in raised {
                            m.reset(i);
                        }
                    }
                    let mut got = vec![give_up; levels];
                    let mut left = levels;
                    for k in 1..=give_up {
                        m.step(!rng.bernoulli(success_after_change(sc, k)), |i| {
                            if got[i] == give_up {
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
        Swept {
            false_drifts: stable.join().expect("stable stream"),
            delays,
        }
    })
}

/// Prints one line per level: false drifts per 10 M rows (count), medians and means per
/// scenario, then `extra(level index)`.
pub fn print_sweep(
    levels: &[f64],
    swept: &Swept,
    positives: u64,
    seeds: u64,
    extra: impl Fn(usize) -> String,
) {
    for (i, h) in levels.iter().enumerate() {
        let rate = swept.false_drifts[i] as f64 / positives as f64 * POSITIVES_PER_10M_ROWS;
        let per: Vec<&Vec<u32>> = swept.delays.iter().map(|d| &d[i]).collect();
        let med: Vec<String> = per
            .iter()
            .map(|d| median((*d).clone()).to_string())
            .collect();
        let mean: Vec<String> = per
            .iter()
            .map(|d| {
                let m = d.iter().map(|&x| f64::from(x)).sum::<f64>() / seeds as f64;
                format!("{m:.1}")
            })
            .collect();
        println!(
            "{h:7.4} {rate:7.3} ({:5}) | {} | means {}{}",
            swept.false_drifts[i],
            med.join(" / "),
            mean.join(" / "),
            extra(i)
        );
    }
}

/// `FROM:TO:STEP` → the levels from `FROM` to `TO` in steps of `STEP`.
pub fn levels(spec: &str) -> Vec<f64> {
    let v: Vec<f64> = spec
        .split(':')
        .map(|x| x.parse().expect("--levels FROM:TO:STEP"))
        .collect();
    let (from, to, step) = (v[0], v[1], v[2]);
    (0..=((to - from) / step + 0.5) as usize)
        .map(|k| from + step * k as f64)
        .collect()
}

/// Moves a screen's level-`level` state with its value (warning at half the level, back to ok
/// below a quarter, as the crate's drop test does); true when it enters Drift.
pub fn enters_drift(state: &mut rarewatch::monitor::SignalState, value: f64, level: f64) -> bool {
    use rarewatch::monitor::SignalState;
    let before = *state;
    *state = before.step(value, level / 4.0, level / 2.0, level);
    *state == SignalState::Drift && before != SignalState::Drift
}

/// The value after `key` on the command line, or `default`.
pub fn arg(key: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == key)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.into())
}
