//! Per-row loss values and their derivative with respect to the logit, numerically stable
//! for any logit (no `ln 0`, no overflow).

use super::config::Loss;

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f32) -> f32 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// `σ(x)` without overflow.
fn sigmoid(x: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

impl Loss {
    /// `(loss, ∂loss/∂z)` for one row with logit `z` and label `y` (0 or 1).
    #[inline]
    pub(crate) fn value_and_gradient(&self, z: f32, y: u8) -> (f32, f32) {
        let p = sigmoid(z);
        match *self {
            Loss::Bce { pos_weight } => {
                if y == 1 {
                    // −ln p = softplus(−z); d/dz = p − 1.
                    (pos_weight * softplus(-z), pos_weight * (p - 1.0))
                } else {
                    // −ln(1 − p) = softplus(z); d/dz = p.
                    (softplus(z), p)
                }
            }
            Loss::Focal { gamma, alpha } => {
                if y == 1 {
                    let q = 1.0 - p;
                    let ln_p = -softplus(-z);
                    let focus = q.powf(gamma);
                    (
                        -alpha * focus * ln_p,
                        alpha * focus * (gamma * p * ln_p - q),
                    )
                } else {
                    let ln_q = -softplus(z);
                    let focus = p.powf(gamma);
                    (
                        -(1.0 - alpha) * focus * ln_q,
                        (1.0 - alpha) * focus * (p - gamma * (1.0 - p) * ln_q),
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_gradient(loss: Loss, z: f32, y: u8) -> f32 {
        let h = 1e-2f64;
        let f = |z: f64| f64::from(loss.value_and_gradient(z as f32, y).0);
        ((f(f64::from(z) + h) - f(f64::from(z) - h)) / (2.0 * h)) as f32
    }

    #[test]
    fn gradients_match_finite_differences() {
        for loss in [
            Loss::Bce { pos_weight: 1.0 },
            Loss::Bce { pos_weight: 7.5 },
            Loss::Focal {
                gamma: 2.0,
                alpha: 0.25,
            },
            Loss::Focal {
                gamma: 0.0,
                alpha: 0.5,
            },
        ] {
            for z in [-6.0f32, -1.3, 0.0, 0.4, 3.0] {
                for y in [0u8, 1] {
                    let (_, g) = loss.value_and_gradient(z, y);
                    let n = numeric_gradient(loss, z, y);
                    assert!(
                        (g - n).abs() < 2e-3 * (1.0 + n.abs()),
                        "{loss:?} z {z} y {y}: {g} vs {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn bce_values_and_extremes() {
        let bce = Loss::Bce { pos_weight: 1.0 };
        let (l, g) = bce.value_and_gradient(0.0, 1);
        assert!((l - std::f32::consts::LN_2).abs() < 1e-6 && (g + 0.5).abs() < 1e-6);
        for z in [-1e4f32, 1e4] {
            for y in [0, 1] {
                let (l, g) = bce.value_and_gradient(z, y);
                assert!(l.is_finite() && g.is_finite());
            }
        }
        assert_eq!(bce.value_and_gradient(-1e4, 1).0, 1e4);
    }
}
