//! Training speed on a CSV: seconds per epoch of the training pass (batches, gradients,
//! Adam) and of the whole epoch (with validation), for a fixed number of epochs.
//!
//! `cargo run --release -p rarewatch-trainer --example train_speed -- DATA.csv[.gz]
//!  [--label Class] [--epochs 10] [--threads 2] [--batch 2048]`
//!
//! Setup (the same as bench/train/torch_speed.py): time split 60/20/20, robust scaling,
//! MLP 30-32-16-1, Adam 1e-3, unweighted BCE, no early stopping.

use rarewatch_trainer::data::read_csv;
use rarewatch_trainer::scale::{RobustScaler, DEFAULT_CLIP_QUANTILE};
use rarewatch_trainer::split::{Split, SplitKind};
use rarewatch_trainer::train::{train, Labelled, Loss, TrainConfig};
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: train_speed DATA.csv[.gz] [--label COL] ...")?;
    let label: String = arg(&args, "--label", "Class".to_string());
    let epochs = arg(&args, "--epochs", 10usize);
    let threads = arg(&args, "--threads", 2usize);
    let batch = arg(&args, "--batch", 2048usize);

    let t = Instant::now();
    let data = read_csv(path, &label)?;
    let read_seconds = t.elapsed().as_secs_f64();
    let split = Split::new(&data.labels, SplitKind::Time)?;
    let scaler = RobustScaler::fit(
        &data.features,
        data.features(),
        &split.train,
        DEFAULT_CLIP_QUANTILE,
    );
    let tx = scaler.transform_rows(&data.features, &split.train);
    let ty: Vec<u8> = split.train.iter().map(|&i| data.labels[i]).collect();
    let vx = scaler.transform_rows(&data.features, &split.val);
    let vy: Vec<u8> = split.val.iter().map(|&i| data.labels[i]).collect();
    let config = TrainConfig {
        batch_size: batch,
        max_epochs: epochs,
        patience: usize::MAX,
        loss: Loss::Bce { pos_weight: 1.0 },
        threads,
        ..TrainConfig::default()
    };
    let result = train(
        Labelled { x: &tx, y: &ty },
        Labelled { x: &vx, y: &vy },
        data.features(),
        &config,
        &mut |_| {},
    )?;
    let pass = median(
        result
            .history
            .iter()
            .map(|r| r.train_pass_seconds)
            .collect(),
    );
    let whole = median(result.history.iter().map(|r| r.seconds).collect());
    println!(
        "rarewatch: read {:.3} s ({} rows); {} training rows, {} epochs, {} threads, batch {}",
        read_seconds,
        data.rows(),
        ty.len(),
        epochs,
        result.threads,
        batch
    );
    println!(
        "rarewatch: train pass {pass:.4} s/epoch (median); with validation {whole:.4} s/epoch"
    );
    if let Some(last) = result.history.last() {
        println!(
            "rarewatch: last epoch train loss {:.5}, val AP {:.4}",
            last.train_loss, last.val_ap
        );
    }
    Ok(())
}
