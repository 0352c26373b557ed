//! River 0.26.1's `drift.binary.HDDMW` (one-sided, the default), ported line by line so the
//! tuning tool can run it on the same simulated bits as rarewatch's drop test, at 2,000 seeds
//! and 20 M stable positives — ten times what the Python peer can afford. Only the drift
//! decision is kept (the warning level does not change when River reports a drift), and the
//! decrement statistics are left out: they only serve the two-sided test.
//!
//! `check_hddm_w.py` compares this port with River on random streams (every drift at the
//! same index).

/// River's `SampleInfo`: an EWMA of the bits and its independent bound condition.
#[derive(Clone, Copy)]
struct SampleInfo {
    /// `None` before the first bit (River's `EWMean` starts at its first value).
    ewma: Option<f64>,
    /// Σ weights², for McDiarmid's bound.
    ibc: f64,
}

impl SampleInfo {
    const fn new() -> Self {
        SampleInfo {
            ewma: None,
            ibc: 1.0,
        }
    }

    fn update(&mut self, x: f64, lambda: f64) {
        self.ewma = Some(match self.ewma {
            None => x,
            Some(m) => lambda * x + (1.0 - lambda) * m,
        });
        self.ibc = lambda * lambda + (1.0 - lambda) * (1.0 - lambda) * self.ibc;
    }
}

/// HDDM_W with drift confidence `c` and weight `lambda`.
pub struct HddmW {
    lambda: f64,
    /// `ln(1/c) / 2`, the bound's constant.
    log_term: f64,
    total: SampleInfo,
    s1: SampleInfo,
    s2: SampleInfo,
    cutpoint: f64,
    drift: bool,
}

impl HddmW {
    pub fn new(lambda: f64, drift_confidence: f64) -> Self {
        HddmW {
            lambda,
            log_term: (1.0 / drift_confidence).ln() / 2.0,
            total: SampleInfo::new(),
            s1: SampleInfo::new(),
            s2: SampleInfo::new(),
            cutpoint: f64::INFINITY,
            drift: false,
        }
    }

    fn bound(&self, ibc: f64) -> f64 {
        (ibc * self.log_term).sqrt()
    }

    /// Adds one bit (`true` = failure); true when River would report a drift on it. The next
    /// bit starts afresh, as River's detector resets itself after a drift.
    pub fn update(&mut self, failure: bool) -> bool {
        if self.drift {
            self.total = SampleInfo::new();
            self.s1 = SampleInfo::new();
            self.s2 = SampleInfo::new();
            self.cutpoint = f64::INFINITY;
        }
        let x = f64::from(u8::from(failure));
        self.total.update(x, self.lambda);
        // `_update_incr_stats`: a new low of mean + bound restarts the recent sample.
        let ewma = self.total.ewma.unwrap_or(0.0);
        let eps = self.bound(self.total.ibc);
        if ewma + eps < self.cutpoint {
            self.cutpoint = ewma + eps;
            self.s1 = self.total;
            self.s2 = SampleInfo::new();
        } else {
            self.s2.update(x, self.lambda);
        }
        // `_detect_mean_incr`: the recent EWMA above the old one by more than the bound.
        self.drift = match (self.s1.ewma, self.s2.ewma) {
            (Some(old), Some(recent)) => recent - old > self.bound(self.s1.ibc + self.s2.ibc),
            _ => false,
        };
        self.drift
    }
}
