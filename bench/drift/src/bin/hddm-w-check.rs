//! Feeds bit streams to the Rust port of River's HDDM_W (`src/hddm_w.rs`), for
//! `check_hddm_w.py`: each stdin line is `lambda drift_confidence bits` (bits as a string of
//! 0/1, 1 = failure); each stdout line the 0-based indices of the drifts, space-separated.

#[path = "../hddm_w.rs"]
mod hddm_w;

use std::io::BufRead;

fn main() {
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        let mut parts = line.split_whitespace();
        let (Some(lambda), Some(c), Some(bits)) = (parts.next(), parts.next(), parts.next()) else {
            eprintln!("expected: lambda drift_confidence bits");
            std::process::exit(2)
        };
        let (Ok(lambda), Ok(c)) = (lambda.parse::<f64>(), c.parse::<f64>()) else {
            eprintln!("lambda and drift_confidence must be numbers");
            std::process::exit(2)
        };
        let mut detector = hddm_w::HddmW::new(lambda, c);
        let drifts: Vec<String> = bits
            .bytes()
            .enumerate()
            .filter(|&(_, b)| detector.update(b == b'1'))
            .map(|(i, _)| i.to_string())
            .collect();
        println!("{}", drifts.join(" "));
    }
}
