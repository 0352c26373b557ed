//! Synthetic rare-event tables for the demo: card-payment-like rows with heavy tails,
//! outliers, correlated features and overlapping classes, and a stream that drifts.
//!
//! The generator is seeded and uses only [`Rng`], so the same seed writes the same file on
//! every platform.
//!
//! Each row has ten features:
//!
//! | column | meaning | negatives | positives |
//! |---|---|---|---|
//! | `amount` | payment amount | log-normal, median 20 | log-normal, median 55, wider |
//! | `hour` | hour of day | day-heavy mixture | a third at night |
//! | `velocity` | payments in the last hour | `⌊e^{0.8 N}⌋` | more, heavier tail |
//! | `distance` | km from home | log-normal | pattern A: far |
//! | `merchant_risk` | merchant score | Student-t(3) | pattern A: high |
//! | `device_age` | days since the device was first seen | log-normal, median 300 | pattern B: under 30 |
//! | `pin_retries` | Student-t(4) around 0 | | pattern B: high |
//! | `v1`, `v2`, `v3` | anonymised components (Student-t(3), correlated through a latent factor) | | slight shifts |
//!
//! Positives come in two patterns (A and B) with generous overlap, and 10 % of positives
//! are drawn from the negative distribution (frauds that look exactly like normal
//! payments), so no model reaches recall 1. 0.2 % of rows of either class get one feature
//! multiplied by 20 (data-entry errors, sensor glitches).

use crate::data::Dataset;
use crate::rng::Rng;

/// Feature column names, in order.
pub const FEATURES: [&str; 10] = [
    "amount",
    "hour",
    "velocity",
    "distance",
    "merchant_risk",
    "device_age",
    "pin_retries",
    "v1",
    "v2",
    "v3",
];

/// Name of the label column.
pub const LABEL: &str = "label";

/// How a segment of rows is generated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Regime {
    /// Share of positive rows.
    pub prevalence: f64,
    /// Share of positives that follow the new pattern C (a fraud the training data never
    /// showed: it looks like a normal payment except in `v3`).
    pub new_pattern: f64,
    /// Added to `merchant_risk` on every row, in units of its interquartile range (a
    /// re-scaled risk score after a supplier update).
    pub risk_offset_iqr: f64,
}

impl Regime {
    /// The training distribution at `prevalence`.
    pub fn stable(prevalence: f64) -> Self {
        Regime {
            prevalence,
            new_pattern: 0.0,
            risk_offset_iqr: 0.0,
        }
    }

    /// Whether rows follow the training distribution (no new pattern, no offset).
    pub fn is_stable(&self) -> bool {
        self.new_pattern == 0.0 && self.risk_offset_iqr == 0.0
    }
}

/// Interquartile range of Student-t(3): 2 × 0.765.
const T3_IQR: f64 = 1.53;

/// Student-t with `df` degrees of freedom (`df` small: sums `df` squared normals).
fn student_t(rng: &mut Rng, df: u32) -> f64 {
    let z = rng.normal();
    let chi2: f64 = (0..df).map(|_| rng.normal().powi(2)).sum();
    z / (chi2 / f64::from(df)).sqrt().max(1e-3)
}

fn log_normal(rng: &mut Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * rng.normal()).exp()
}

/// Hour of day: daytime-heavy for most rows, a share `night` between 0 and 6 h.
fn hour(rng: &mut Rng, night: f64) -> f64 {
    if rng.uniform() < night {
        6.0 * rng.uniform()
    } else {
        (13.0 + 3.5 * rng.normal()).rem_euclid(24.0)
    }
}

/// One row's features into `out` (length [`FEATURES`]).
fn row(rng: &mut Rng, positive: bool, regime: &Regime, out: &mut [f32]) {
    // Which generator: normal payment, pattern A, B, or the new pattern C. A tenth of the
    // positives look exactly like normal payments.
    let kind = if !positive || rng.uniform() < 0.10 {
        0
    } else if rng.uniform() < regime.new_pattern {
        3
    } else if rng.uniform() < 0.55 {
        1
    } else {
        2
    };
    let latent = rng.normal();
    let fraud = kind == 1 || kind == 2;
    let amount = if fraud {
        log_normal(rng, 55.0, 1.4)
    } else {
        log_normal(rng, 20.0, 1.1)
    };
    let hour = hour(rng, if fraud { 0.35 } else { 0.06 });
    let velocity = if fraud {
        (1.2 * rng.normal() + 0.6).exp().floor()
    } else {
        (0.8 * rng.normal()).exp().floor()
    };
    let distance = if kind == 1 {
        log_normal(rng, 180.0, 1.3)
    } else {
        log_normal(rng, 8.0, 1.2)
    };
    let merchant_risk =
        student_t(rng, 3) + if kind == 1 { 2.2 } else { 0.0 } + regime.risk_offset_iqr * T3_IQR;
    // Pattern B uses devices seen for the first time in the last month. (A log-normal with a
    // wide spread here would hide the signal from any int8 model: ages of 3 and 40 days
    // would share one input level. Real tables with such features want a log transform.)
    let device_age = if kind == 2 {
        30.0 * rng.uniform()
    } else {
        log_normal(rng, 300.0, 0.6)
    };
    let pin_retries = 0.4 * student_t(rng, 4) + if kind == 2 { 1.1 } else { 0.0 };
    let v1 = student_t(rng, 3) + 0.6 * latent + if fraud { 0.7 } else { 0.0 };
    let v2 = student_t(rng, 3) - 0.5 * latent - if fraud { 0.5 } else { 0.0 };
    let v3 = student_t(rng, 3) + 0.3 * latent + if kind == 3 { 3.0 } else { 0.0 };
    let values = [
        amount,
        hour,
        velocity,
        distance,
        merchant_risk,
        device_age,
        pin_retries,
        v1,
        v2,
        v3,
    ];
    for (o, v) in out.iter_mut().zip(values) {
        *o = v as f32;
    }
    // Outliers: one feature of 0.2 % of rows multiplied by 20.
    if rng.uniform() < 0.002 {
        let j = rng.below(out.len());
        out[j] *= 20.0;
    }
}

/// Appends `rows` rows drawn under `regime` to `features` / `labels`.
pub fn append(
    rng: &mut Rng,
    rows: usize,
    regime: &Regime,
    features: &mut Vec<f32>,
    labels: &mut Vec<u8>,
) {
    let n = FEATURES.len();
    for _ in 0..rows {
        let positive = rng.uniform() < regime.prevalence;
        let start = features.len();
        features.resize(start + n, 0.0);
        row(rng, positive, regime, &mut features[start..]);
        labels.push(u8::from(positive));
    }
}

/// A table of `rows` rows from the training distribution at `prevalence`.
pub fn table(rows: usize, prevalence: f64, seed: u64) -> Dataset {
    segments(&[(rows, Regime::stable(prevalence))], seed)
}

/// Consecutive segments of `(rows, regime)`.
pub fn segments(parts: &[(usize, Regime)], seed: u64) -> Dataset {
    let mut rng = Rng::new(seed);
    let total: usize = parts.iter().map(|p| p.0).sum();
    let mut features = Vec::with_capacity(total * FEATURES.len());
    let mut labels = Vec::with_capacity(total);
    for (rows, regime) in parts {
        append(&mut rng, *rows, regime, &mut features, &mut labels);
    }
    let names = FEATURES.iter().map(|s| s.to_string()).collect();
    Dataset::new(names, LABEL, features, labels).expect("sizes match by construction")
}

/// Writes `data` as CSV (header, then one line per row; the label last).
pub fn write_csv(data: &Dataset, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let mut line = String::new();
    line.push_str(&data.feature_names.join(","));
    line.push(',');
    line.push_str(&data.label_name);
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for r in 0..data.rows() {
        line.clear();
        for x in data.row(r) {
            // Five significant digits: the file stays small and parses back to nearly the
            // same f32.
            line.push_str(&format!("{x:.5e},"));
        }
        line.push(if data.labels[r] == 1 { '1' } else { '0' });
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_table() {
        assert_eq!(table(2_000, 0.01, 7), table(2_000, 0.01, 7));
        assert_ne!(table(2_000, 0.01, 7), table(2_000, 0.01, 8));
    }

    #[test]
    fn prevalence_and_heavy_tails() {
        let data = table(200_000, 0.003, 1);
        let share = data.positives() as f64 / data.rows() as f64;
        assert!((0.0025..0.0035).contains(&share), "{share}");
        // Heavy tails: the largest amount is far beyond the 99th percentile.
        let mut amounts: Vec<f32> = (0..data.rows()).map(|r| data.row(r)[0]).collect();
        amounts.sort_by(f32::total_cmp);
        let p99 = amounts[amounts.len() * 99 / 100];
        assert!(amounts[amounts.len() - 1] > 10.0 * p99);
        assert!(data.features.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn csv_round_trips_through_the_reader() {
        let data = table(500, 0.05, 3);
        let mut bytes = Vec::new();
        write_csv(&data, &mut bytes).unwrap();
        let back = crate::data::read_csv_from(&bytes[..], "mem.csv", LABEL).unwrap();
        assert_eq!(back.labels, data.labels);
        assert_eq!(back.feature_names, data.feature_names);
        for (a, b) in back.features.iter().zip(&data.features) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1e-30), "{a} vs {b}");
        }
    }

    #[test]
    fn new_pattern_and_offset_change_the_rows() {
        let base = segments(&[(20_000, Regime::stable(0.05))], 5);
        let shifted = segments(
            &[(
                20_000,
                Regime {
                    prevalence: 0.05,
                    new_pattern: 1.0,
                    risk_offset_iqr: 3.0,
                },
            )],
            5,
        );
        let median = |d: &Dataset, j: usize| {
            let mut v: Vec<f32> = (0..d.rows()).map(|r| d.row(r)[j]).collect();
            v.sort_by(f32::total_cmp);
            v[v.len() / 2]
        };
        let shift = median(&shifted, 4) - median(&base, 4);
        assert!((shift - 4.59).abs() < 0.3, "{shift}");
    }
}
