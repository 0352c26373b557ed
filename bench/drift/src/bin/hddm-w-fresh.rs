//! Does a fresh HDDM_W raise fewer false drifts than one that has run for long? The drift
//! bench's stable streams were fresh 10 M-row seeds (20,000 recall bits each) until they were
//! chained into one long stream; the tuning tool's rate comes from one 20 M-bit stream. River's default setting (λ = 0.05, c = 10⁻³, ported in
//! `src/hddm_w.rs`) on stable recall bits (success 0.8002), both ways, the same number of bits:
//!
//!   cargo run --release --bin hddm-w-fresh -- [--seeds S] [--bits-per-seed B]
//!
//! Prints false drifts per 20,000 bits for one long stream and for `S` fresh streams of `B`
//! bits, and how many of the latter fell in the first half of their stream.
#[path = "../gauss.rs"]
#[allow(dead_code)]
mod gauss;
#[path = "../hddm_w.rs"]
mod hddm_w;
#[path = "../recall_bits.rs"]
#[allow(dead_code)]
mod recall_bits;

use hddm_w::HddmW;
use recall_bits::{arg, POSITIVES_PER_10M_ROWS, RECALL};

fn main() {
    let seeds: u64 = arg("--seeds", "2000").parse().expect("--seeds S");
    let per: u64 = arg("--bits-per-seed", "20000")
        .parse()
        .expect("--bits-per-seed B");
    let fresh_default = || HddmW::new(0.05, 1e-3);
    let mut rng = recall_bits::stable();
    let mut detector = fresh_default();
    let long = (0..seeds * per)
        .filter(|_| detector.update(!rng.bernoulli(RECALL)))
        .count();
    let (mut fresh, mut first_half) = (0u64, 0u64);
    for seed in 0..seeds {
        let mut rng = recall_bits::scenario(seed, 0);
        let mut detector = fresh_default();
        for k in 0..per {
            if detector.update(!rng.bernoulli(RECALL)) {
                fresh += 1;
                first_half += u64::from(k < per / 2);
            }
        }
    }
    let per_10m = |n: u64| n as f64 / (seeds * per) as f64 * POSITIVES_PER_10M_ROWS;
    println!(
        "{} bits: one stream {long} false drifts ({:.3} per 10 M rows); {seeds} fresh streams of \
         {per} bits {fresh} ({:.3} per 10 M rows), {first_half} of them in the first halves",
        seeds * per,
        per_10m(long as u64),
        per_10m(fresh)
    );
}
