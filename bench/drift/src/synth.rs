//! The synthetic rare-event world: a calibrated score, its model file, and drifting streams.
//!
//! A latent discriminant `z` is `N(0, 1)` for negatives and `N(d, 1)` for positives. The
//! model's score is the exact posterior log-odds at the baseline prevalence π₀,
//! `L(z) = ln(π₀/(1−π₀)) + d·z − d²/2`, in units of 1/256 nat (`logit_scale = 1/256`, Platt
//! identity), so the calibrated probabilities the monitor's CBPE estimate uses are right
//! under the baseline. The threshold `z_t` and `d` are solved so that recall is 0.8 and the
//! alert rate 0.2 % at π₀ = 0.2 % (false-positive rate 0.04 %, precision 0.8).
//!
//! One *key feature* `x` carries weight `w` of the score: `z = w·x + √(1−w²)·r` with `x`, `r`
//! unit-variance given the class (one of 16 equal-weight features: `w = 1/4`). Offsetting `x`
//! by `k` IQRs (IQR = 1.349) shifts `z` by `w·1.349·k`. The model carries the training range
//! `[-4, 4]` for `x`.

use rarewatch::schema::{BaselineRepr, DecisionRepr, InputRepr, LayerRepr, ModelRepr};

use crate::gauss::{phi, solve, upper, Rng};

/// Score units per nat.
pub const SCALE: f64 = 256.0;
/// IQR of a unit normal.
pub const IQR: f64 = 1.348_979_5;

/// The stable world's parameters.
#[derive(Debug, Clone, Copy)]
pub struct World {
    /// Baseline prevalence π₀.
    pub prevalence: f64,
    /// Class separation in `z`.
    pub d: f64,
    /// Alert threshold in score units.
    pub threshold: i32,
    /// `ln(π₀/(1−π₀)) − d²/2`.
    pub offset: f64,
    /// Weight of the key feature.
    pub w: f64,
    /// Recall and false-positive rate at the integer threshold (exact, from the CDF).
    pub recall: f64,
    pub fpr: f64,
}

impl World {
    pub fn new(prevalence: f64, recall: f64, precision: f64) -> Self {
        // Alerts = π·recall/precision; false alerts = alerts − π·recall.
        let true_alerts = prevalence * recall;
        let fpr0 = (true_alerts / precision - true_alerts) / (1.0 - prevalence);
        let z_t = solve(|z| -upper(z), -fpr0);
        let d = z_t - solve(phi, 1.0 - recall);
        let offset = (prevalence / (1.0 - prevalence)).ln() - d * d / 2.0;
        let threshold = (SCALE * (offset + d * z_t)).round() as i32;
        let mut w = World {
            prevalence,
            d,
            threshold,
            offset,
            w: 0.25,
            recall: 0.0,
            fpr: 0.0,
        };
        let zt = w.z_of_score_edge(threshold);
        w.recall = upper(zt - d);
        w.fpr = upper(zt);
        w
    }

    /// The score of a latent value.
    #[inline]
    pub fn score(&self, z: f64) -> i32 {
        (SCALE * (self.offset + self.d * z)).round() as i32
    }

    /// The `z` at which the score reaches `edge` (`score ≥ edge ⇔ z ≥ this`).
    pub fn z_of_score_edge(&self, edge: i32) -> f64 {
        ((f64::from(edge) - 0.5) / SCALE - self.offset) / self.d
    }

    /// Baseline mixture CDF in `z`.
    fn mixture_cdf(&self, z: f64) -> f64 {
        (1.0 - self.prevalence) * phi(z) + self.prevalence * phi(z - self.d)
    }

    /// Score edges: the threshold and mixture quantiles (deciles, 99 %, 99.7 %, 99.95 %).
    pub fn score_edges(&self) -> Vec<i32> {
        let mut edges: Vec<i32> = [
            0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 0.997, 0.9995,
        ]
        .iter()
        .map(|&q| self.score(solve(|z| self.mixture_cdf(z), q)))
        .collect();
        edges.push(self.threshold);
        edges.sort_unstable();
        edges.dedup();
        edges
    }

    /// Expected validation rows per bin for `rows` rows (summing to `rows` exactly).
    pub fn score_counts(&self, edges: &[i32], rows: u32) -> Vec<u32> {
        let mut cdf: Vec<f64> = vec![0.0];
        cdf.extend(
            edges
                .iter()
                .map(|&e| self.mixture_cdf(self.z_of_score_edge(e))),
        );
        cdf.push(1.0);
        let mut counts: Vec<u32> = cdf
            .windows(2)
            .map(|p| ((p[1] - p[0]) * f64::from(rows)).round() as u32)
            .collect();
        let total: u32 = counts.iter().sum();
        let largest = (0..counts.len()).max_by_key(|&i| counts[i]).unwrap();
        counts[largest] = counts[largest] + rows - total;
        counts
    }

    /// The model file: one feature (the key feature, range [-4, 4]), a trivial 1→1 layer
    /// (the bench draws scores directly), threshold, calibration and the baseline of a
    /// 1,000,000-row validation set: 2,000 positives, 2,000 alerts, 1,600 true alerts.
    pub fn model_bytes(&self) -> Vec<u8> {
        let edges = self.score_edges();
        let counts = self.score_counts(&edges, 1_000_000);
        let edges: Vec<u8> = edges.iter().flat_map(|e| e.to_le_bytes()).collect();
        let counts: Vec<u8> = counts.iter().flat_map(|c| c.to_le_bytes()).collect();
        let ranges: Vec<u8> = [-4.0f32, 4.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let affine: Vec<u8> = [32.0f32, 128.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let weights = [1u8, 0, 0, 0];
        let channels = [0u8; 9];
        let mut layers = heapless::Vec::new();
        layers
            .push(LayerRepr {
                inputs: 1,
                outputs: 1,
                weights: &weights,
                channels: &channels,
                output_zero_point: 0,
                relu: false,
            })
            .unwrap();
        let repr = ModelRepr {
            input: InputRepr {
                features: 1,
                affine: &affine,
                names: b"key",
            },
            layers,
            decision: DecisionRepr {
                threshold: self.threshold,
                logit_scale: (1.0 / SCALE) as f32,
                platt_a: 1.0,
                platt_b: 0.0,
            },
            baseline: BaselineRepr {
                rows: 1_000_000,
                positives: 2_000,
                alerts: 2_000,
                true_alerts: 1_600,
                score_edges: &edges,
                score_counts: &counts,
                feature_ranges: &ranges,
            },
        };
        let mut out = vec![0u8; repr.encoded_len().expect("encodable")];
        let n = repr.encode(&mut out).expect("valid model");
        out.truncate(n);
        out
    }
}

/// What changes at the change point (each at full strength; a ramp scales it in).
#[derive(Debug, Clone, Copy)]
pub struct Change {
    /// Recall after the change (positives that look like negatives make up the difference).
    pub recall: Option<f64>,
    /// Prevalence multiplier (labels follow the new prevalence; the model is unchanged).
    pub prevalence_factor: f64,
    /// Alert-rate multiplier through false alerts (negatives that look like positives).
    pub alert_rate_factor: f64,
    /// Offset of the key feature, in IQRs.
    pub feature_offset_iqr: f64,
}

impl Change {
    pub const NONE: Change = Change {
        recall: None,
        prevalence_factor: 1.0,
        alert_rate_factor: 1.0,
        feature_offset_iqr: 0.0,
    };
}

/// Row-level parameters at one strength of the change.
#[derive(Debug, Clone, Copy)]
struct Params {
    prevalence: f64,
    /// Share of positives drawn from the negatives' distribution.
    pos_as_neg: f64,
    /// Share of negatives drawn from the positives' distribution.
    neg_as_pos: f64,
    /// Key-feature offset (raw units) and the latent shift it causes.
    x_offset: f64,
    z_shift: f64,
}

/// One generated row.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub positive: bool,
    pub score: i32,
    pub alert: bool,
    pub feature: f32,
}

/// A drifting stream.
pub struct Stream {
    world: World,
    change: Change,
    change_at: u64,
    ramp: u64,
    rng: Rng,
    params: Params,
    full: Params,
    stable: Params,
    ramp_s: f64,
}

impl Stream {
    pub fn new(world: World, change: Change, change_at: u64, ramp: u64, seed: u64) -> Self {
        let stable = Self::params_at(&world, &change, 0.0);
        Stream {
            world,
            change,
            change_at,
            ramp,
            rng: Rng::new(seed),
            params: stable,
            full: Self::params_at(&world, &change, 1.0),
            stable,
            ramp_s: 0.0,
        }
    }

    fn params_at(world: &World, change: &Change, s: f64) -> Params {
        let lerp = |a: f64, b: f64| a + s * (b - a);
        let recall = lerp(world.recall, change.recall.unwrap_or(world.recall));
        // recall = (1 − f)·r₀ + f·fpr₀.
        let pos_as_neg = (world.recall - recall) / (world.recall - world.fpr);
        let prevalence = world.prevalence * lerp(1.0, change.prevalence_factor);
        // Alert rate a = π·r₀ + (1 − π)·fpr, fpr = (1 − g)·fpr₀ + g·r₀ (positives unchanged).
        let a0 = world.prevalence * world.recall + (1.0 - world.prevalence) * world.fpr;
        let target = a0 * lerp(1.0, change.alert_rate_factor);
        let fpr = (target - world.prevalence * world.recall) / (1.0 - world.prevalence);
        let neg_as_pos = ((fpr - world.fpr) / (world.recall - world.fpr)).max(0.0);
        let x_offset = s * change.feature_offset_iqr * IQR;
        Params {
            prevalence,
            pos_as_neg,
            neg_as_pos,
            x_offset,
            z_shift: world.w * x_offset,
        }
    }

    /// Row `row` (rows must be drawn in order).
    #[inline]
    pub fn row(&mut self, row: u64) -> Row {
        if row >= self.change_at {
            if self.ramp == 0 || row >= self.change_at + self.ramp {
                self.params = self.full;
            } else {
                // Re-solve every 1,000 rows of the ramp (a step of 0.2 % of the change).
                let s = ((row - self.change_at) / 1000 * 1000) as f64 / self.ramp as f64;
                if s != self.ramp_s {
                    self.ramp_s = s;
                    self.params = Self::params_at(&self.world, &self.change, s);
                }
            }
        } else {
            self.params = self.stable;
        }
        let p = self.params;
        let w = &self.world;
        let positive = self.rng.uniform() < p.prevalence;
        let looks_positive = if positive {
            !self.rng.bernoulli(p.pos_as_neg)
        } else {
            self.rng.bernoulli(p.neg_as_pos)
        };
        let (n1, n2) = self.rng.normal_pair();
        let z0 = if looks_positive { w.d } else { 0.0 } + n1;
        let feature = w.w * z0 + (1.0 - w.w * w.w).sqrt() * n2 + p.x_offset;
        let score = w.score(z0 + p.z_shift);
        Row {
            positive,
            score,
            alert: score >= w.threshold,
            feature: feature as f32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_hits_the_operating_point() {
        let w = World::new(0.002, 0.8, 0.8);
        assert!((w.recall - 0.8).abs() < 1e-3, "{w:?}");
        assert!((w.fpr - 0.0004 / 0.998).abs() < 3e-6, "{w:?}");
        let model = w.model_bytes();
        rarewatch::Model::from_bytes(&model).unwrap();
    }

    #[test]
    fn streams_have_the_stated_rates() {
        let w = World::new(0.002, 0.8, 0.8);
        let n = 4_000_000u64;
        let rate = |change: Change| {
            let mut s = Stream::new(w, change, 0, 0, 9);
            let (mut pos, mut alerts, mut caught) = (0u64, 0u64, 0u64);
            for r in 0..n {
                let row = s.row(r);
                pos += u64::from(row.positive);
                alerts += u64::from(row.alert);
                caught += u64::from(row.positive && row.alert);
            }
            (
                pos as f64 / n as f64,
                alerts as f64 / n as f64,
                caught as f64 / pos as f64,
            )
        };
        let (p, a, r) = rate(Change::NONE);
        assert!(
            (p - 0.002).abs() < 1e-4 && (a - 0.002).abs() < 1e-4,
            "{p} {a}"
        );
        assert!((r - 0.8).abs() < 0.03, "{r}");
        let (_, _, r) = rate(Change {
            recall: Some(0.5),
            ..Change::NONE
        });
        assert!((r - 0.5).abs() < 0.03, "{r}");
        let (_, a, _) = rate(Change {
            alert_rate_factor: 3.0,
            ..Change::NONE
        });
        assert!((a - 0.006).abs() < 2e-4, "{a}");
        let (p, _, _) = rate(Change {
            prevalence_factor: 6.0,
            ..Change::NONE
        });
        assert!((p - 0.012).abs() < 3e-4, "{p}");
    }
}
