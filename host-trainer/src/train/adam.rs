//! Adam (Kingma & Ba) with optional decoupled weight decay (AdamW), over a flat parameter
//! vector. β₁ = 0.9, β₂ = 0.999, ε = 1e-8, as in PyTorch.

const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-8;

/// Optimizer state: first and second moment per parameter, and the step count.
#[derive(Debug, Clone)]
pub(crate) struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    step: i32,
}

impl Adam {
    /// Zero state for `len` parameters.
    pub(crate) fn new(len: usize) -> Self {
        Adam {
            m: vec![0.0; len],
            v: vec![0.0; len],
            step: 0,
        }
    }

    /// One step: `params -= lr · m̂ / (√v̂ + ε)`, then `params -= lr · decay · params` where
    /// `decays[i]` (weights, not biases).
    pub(crate) fn step(
        &mut self,
        params: &mut [f32],
        grad: &[f32],
        lr: f32,
        weight_decay: f32,
        decays: &[bool],
    ) {
        self.step = self.step.saturating_add(1);
        let c1 = 1.0 - BETA1.powi(self.step);
        let c2 = 1.0 - BETA2.powi(self.step);
        let step_size = lr / c1;
        let c2_sqrt = c2.sqrt();
        let shrink = 1.0 - lr * weight_decay;
        for ((((p, &g), m), v), &decay) in params
            .iter_mut()
            .zip(grad)
            .zip(&mut self.m)
            .zip(&mut self.v)
            .zip(decays)
        {
            if decay {
                *p *= shrink;
            }
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *p -= step_size * *m / (v.sqrt() / c2_sqrt + EPSILON);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Adam;

    #[test]
    fn first_step_moves_by_lr_against_the_gradient_sign() {
        let mut adam = Adam::new(3);
        let mut p = vec![1.0f32, 1.0, 1.0];
        adam.step(&mut p, &[0.5, -2.0, 0.0], 0.1, 0.0, &[true; 3]);
        assert!((p[0] - 0.9).abs() < 1e-6 && (p[1] - 1.1).abs() < 1e-6 && p[2] == 1.0);
    }

    #[test]
    fn minimises_a_quadratic() {
        let mut adam = Adam::new(1);
        let mut p = vec![5.0f32];
        for _ in 0..2000 {
            let g = [2.0 * (p[0] - 3.0)];
            adam.step(&mut p, &g, 0.05, 0.0, &[false]);
        }
        assert!((p[0] - 3.0).abs() < 1e-2, "{}", p[0]);
    }
}
