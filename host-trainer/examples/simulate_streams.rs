//! Streams for `rarewatch simulate` built from creditcard rows (BENCHMARKS.md, "simulate
//! speed (issue 4)").
//!
//! `cargo run --release -p rarewatch-trainer --example simulate_streams --
//!  ../shared/datasets/creditcard.csv.gz OUT_DIR [--seeds 0,1,2] [--big]`
//!
//! Writes into OUT_DIR:
//! * `creditcard-notime.csv`: every row without the `Time` column (a timestamp is never in
//!   its training range on later rows, which keeps the feature-range signal in drift);
//! * per seed `S`, 120,000 rows drawn with replacement from the rows after the time split's
//!   training part (rows 170,884 on: validation and test, never trained on), changed from
//!   row 60,000 on:
//!   `stable-S.csv` (no change), `v14-plus3iqr-S.csv` / `v14-minus3iqr-S.csv` (`V14` offset
//!   by ±3 of its IQR), `positives-x6-S.csv` (positives drawn 6 times as often);
//! * with `--big`, `creditcard-1.5M.csv`: the file's rows in order, repeated to 1,500,000.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rarewatch_trainer::data::{read_csv, Dataset};
use rarewatch_trainer::rng::Rng;

/// Rows of each drawn stream.
const STREAM_ROWS: usize = 120_000;
/// First changed row.
const CHANGE_ROW: usize = 60_000;
/// Rows of the big stream.
const BIG_ROWS: usize = 1_500_000;
/// First row after the time split's training part (60 % of 284,807).
const HOLDOUT_START: usize = 170_884;

fn write_rows(
    path: &Path,
    data: &Dataset,
    skip: Option<usize>,
    rows: impl Iterator<Item = (Vec<f32>, u8)>,
) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let names: Vec<&str> = data
        .feature_names
        .iter()
        .enumerate()
        .filter(|(j, _)| Some(*j) != skip)
        .map(|(_, n)| n.as_str())
        .collect();
    writeln!(out, "{},{}", names.join(","), data.label_name)?;
    for (x, y) in rows {
        for (j, v) in x.iter().enumerate() {
            if Some(j) != skip {
                write!(out, "{v},")?;
            }
        }
        writeln!(out, "{y}")?;
    }
    out.flush()
}

fn quantile(values: &mut [f32], q: f64) -> f32 {
    values.sort_by(f32::total_cmp);
    values[((values.len() - 1) as f64 * q).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(input), Some(out)) = (args.first(), args.get(1)) else {
        return Err(
            "usage: simulate_streams creditcard.csv.gz OUT_DIR [--seeds 0,1,2] [--big]".into(),
        );
    };
    let seeds: Vec<u64> = args
        .iter()
        .position(|a| a == "--seeds")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').filter_map(|v| v.parse().ok()).collect())
        .unwrap_or_else(|| vec![0, 1, 2]);
    let out = Path::new(out);
    std::fs::create_dir_all(out)?;
    let data = read_csv(input, "Class")?;
    let row = |r: usize| (data.row(r).to_vec(), data.labels[r]);
    let time = data.feature_names.iter().position(|n| n == "Time");
    let v14 = data
        .feature_names
        .iter()
        .position(|n| n == "V14")
        .ok_or("no V14 column")?;

    write_rows(
        &out.join("creditcard-notime.csv"),
        &data,
        time,
        (0..data.rows()).map(row),
    )?;

    let holdout: Vec<usize> = (HOLDOUT_START..data.rows()).collect();
    let positives: Vec<usize> = holdout
        .iter()
        .copied()
        .filter(|&r| data.labels[r] == 1)
        .collect();
    let negatives: Vec<usize> = holdout
        .iter()
        .copied()
        .filter(|&r| data.labels[r] == 0)
        .collect();
    let prevalence = positives.len() as f64 / holdout.len() as f64;
    let mut v14_values: Vec<f32> = holdout.iter().map(|&r| data.row(r)[v14]).collect();
    let iqr = quantile(&mut v14_values, 0.75) - quantile(&mut v14_values, 0.25);
    eprintln!(
        "holdout: {} rows, {} positives ({:.4} %); V14 IQR {iqr}",
        holdout.len(),
        positives.len(),
        100.0 * prevalence
    );

    for &seed in &seeds {
        // The same draws for every variant of a seed: only the change differs.
        let mut rng = Rng::new(seed);
        let draws: Vec<usize> = (0..STREAM_ROWS)
            .map(|_| holdout[rng.below(holdout.len())])
            .collect();
        let shifted = |delta: f32| {
            draws.iter().enumerate().map(move |(i, &r)| {
                let (mut x, y) = row(r);
                if i >= CHANGE_ROW {
                    x[v14] += delta;
                }
                (x, y)
            })
        };
        write_rows(
            &out.join(format!("stable-{seed}.csv")),
            &data,
            None,
            shifted(0.0),
        )?;
        write_rows(
            &out.join(format!("v14-plus3iqr-{seed}.csv")),
            &data,
            None,
            shifted(3.0 * iqr),
        )?;
        write_rows(
            &out.join(format!("v14-minus3iqr-{seed}.csv")),
            &data,
            None,
            shifted(-3.0 * iqr),
        )?;
        let mut rng = Rng::new(seed).fork(6);
        let x6 = draws.iter().enumerate().map(|(i, &r)| {
            if i < CHANGE_ROW {
                return row(r);
            }
            let pick = if rng.uniform() < 6.0 * prevalence {
                positives[rng.below(positives.len())]
            } else {
                negatives[rng.below(negatives.len())]
            };
            row(pick)
        });
        write_rows(
            &out.join(format!("positives-x6-{seed}.csv")),
            &data,
            None,
            x6,
        )?;
        eprintln!("seed {seed}: streams written");
    }

    if args.iter().any(|a| a == "--big") {
        write_rows(
            &out.join("creditcard-1.5M.csv"),
            &data,
            None,
            (0..BIG_ROWS).map(|i| row(i % data.rows())),
        )?;
        eprintln!("creditcard-1.5M.csv written");
    }
    Ok(())
}
