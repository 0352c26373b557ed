//! Platt scaling: `p = sigmoid(a·logit + b)` fitted on held-out rows.
//!
//! Class weights and focal loss shift and stretch the trained logits (a positive weight `w`
//! moves them by about `ln w`); Platt's two parameters undo both, so the calibrated
//! probability estimates the real frequency of positives. Fitted by Newton's method with
//! backtracking on Platt's smoothed targets (`(N₊+1)/(N₊+2)` and `1/(N₋+2)`), which keeps `a`
//! and `b` finite even when validation separates perfectly (Lin, Lin and Weng, 2007).

/// Fitted Platt parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Platt {
    /// Slope on the logit.
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl Platt {
    /// The calibrated probability of a logit.
    pub fn probability(&self, logit: f64) -> f64 {
        sigmoid(self.a * logit + self.b)
    }

    /// Fits `a` and `b` to `logits` with 0/1 `labels`. With one class only (or no rows) it
    /// returns the identity `a = 1, b = 0`: there is nothing to calibrate against.
    pub fn fit(logits: &[f64], labels: &[u8]) -> Platt {
        let positives = labels.iter().filter(|&&y| y != 0).count() as f64;
        let negatives = labels.len() as f64 - positives;
        if positives == 0.0 || negatives == 0.0 {
            return Platt { a: 1.0, b: 0.0 };
        }
        let hi = (positives + 1.0) / (positives + 2.0);
        let lo = 1.0 / (negatives + 2.0);
        let targets: Vec<f64> = labels
            .iter()
            .map(|&y| if y != 0 { hi } else { lo })
            .collect();
        let mut a = 1.0;
        let mut b = ((positives + 1.0) / (negatives + 1.0)).ln();
        let mut loss = nll(logits, &targets, a, b);
        for _ in 0..100 {
            // Gradient and Hessian of the NLL in (a, b), with a small ridge for stability.
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-12, 0.0, 1e-12);
            for (&f, &t) in logits.iter().zip(&targets) {
                let p = sigmoid(a * f + b);
                let d = p - t;
                let w = p * (1.0 - p);
                ga += d * f;
                gb += d;
                haa += w * f * f;
                hab += w * f;
                hbb += w;
            }
            if ga.abs() < 1e-9 && gb.abs() < 1e-9 {
                break;
            }
            let det = haa * hbb - hab * hab;
            if det <= 0.0 || !det.is_finite() {
                break;
            }
            let da = -(hbb * ga - hab * gb) / det;
            let db = -(haa * gb - hab * ga) / det;
            let mut step = 1.0;
            let mut improved = false;
            while step > 1e-10 {
                let (na, nb) = (a + step * da, b + step * db);
                let new_loss = nll(logits, &targets, na, nb);
                if new_loss < loss + 1e-4 * step * (ga * da + gb * db) {
                    a = na;
                    b = nb;
                    loss = new_loss;
                    improved = true;
                    break;
                }
                step /= 2.0;
            }
            if !improved {
                break;
            }
        }
        Platt { a, b }
    }
}

/// `1 / (1 + e^(−z))`, stable for large `|z|`.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Cross-entropy of `sigmoid(a·f + b)` against soft targets, computed from the logit so that
/// it stays finite: `softplus(z) − t·z`.
fn nll(logits: &[f64], targets: &[f64], a: f64, b: f64) -> f64 {
    logits
        .iter()
        .zip(targets)
        .map(|(&f, &t)| {
            let z = a * f + b;
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            softplus - t * z
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn recovers_a_known_shift_and_scale() {
        // Labels drawn from sigmoid(0.5·f − 3): Platt must find a ≈ 0.5, b ≈ −3.
        let mut rng = Rng::new(11);
        let logits: Vec<f64> = (0..200_000).map(|_| rng.normal() * 4.0).collect();
        let labels: Vec<u8> = logits
            .iter()
            .map(|&f| u8::from(rng.uniform() < sigmoid(0.5 * f - 3.0)))
            .collect();
        let platt = Platt::fit(&logits, &labels);
        assert!((platt.a - 0.5).abs() < 0.03, "{platt:?}");
        assert!((platt.b + 3.0).abs() < 0.1, "{platt:?}");
    }

    #[test]
    fn separable_data_stays_finite_and_one_class_is_identity() {
        let logits = [-2.0, -1.0, 1.0, 2.0];
        let platt = Platt::fit(&logits, &[0, 0, 1, 1]);
        assert!(
            platt.a.is_finite() && platt.b.is_finite() && platt.a > 0.0,
            "{platt:?}"
        );
        assert_eq!(Platt::fit(&logits, &[0, 0, 0, 0]), Platt { a: 1.0, b: 0.0 });
        assert_eq!(Platt::fit(&[], &[]), Platt { a: 1.0, b: 0.0 });
    }

    #[test]
    fn sigmoid_is_stable() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-1000.0) >= 0.0 && sigmoid(1000.0) <= 1.0);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
    }
}
