//! Float-model quality of the default trainer on a CSV, over several seeds: test AP, and test
//! F1 at the threshold that maximises F1 on validation.
//!
//! `cargo run --release -p rarewatch-trainer --example train_quality -- DATA.csv[.gz]
//!  [--label Class] [--split time|stratified] [--seeds 0,1,2]`
//! Tuning knobs (defaults: `TrainConfig::default()`): `--lr`, `--batch`, `--pos-weight`,
//! `--focal-gamma G --focal-alpha A`, `--weight-decay`, `--patience`, `--stop loss|ap`,
//! `--max-epochs`, `--hidden 32,16`, `--threads`, `--clip Q` (scaler clip quantile), `--drop NAME` (leave a feature out), `--int8` (also score the quantized model through the
//! no_std crate).

use rarewatch_trainer::data::read_csv;
use rarewatch_trainer::metrics::{average_precision, best_f_beta, confusion_at, pr_curve};
use rarewatch_trainer::quantize::quantize;
use rarewatch_trainer::scale::{RobustScaler, DEFAULT_CLIP_QUANTILE};
use rarewatch_trainer::split::{Split, SplitKind};
use rarewatch_trainer::train::{predict_logits, train, Labelled, Loss, StopOn, TrainConfig};
use std::time::Instant;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn parsed<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    arg(args, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn list(text: &str) -> Vec<u64> {
    text.split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// Test AP and F1 (threshold: validation max-F1) of the int8 model, scored by the no_std
/// crate on raw rows; calibration ranges from (up to 20,000) scaled training rows.
fn int8_figures(
    mlp: &rarewatch_trainer::network::Mlp,
    scaler: &RobustScaler,
    train_x: &[f32],
    data: &rarewatch_trainer::data::Dataset,
    split: &Split,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let n = data.features();
    let calibration = &train_x[..train_x.len().min(20_000 * n)];
    let tables = quantize(mlp, scaler, calibration, &data.feature_names)?.tables;
    let model = tables.model().map_err(|e| format!("{e:?}"))?;
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let mut scores = |rows: &[usize]| -> Result<(Vec<i32>, Vec<u8>), String> {
        let mut s = Vec::with_capacity(rows.len());
        for &r in rows {
            s.push(
                model
                    .predict(data.row(r), &mut scratch)
                    .map_err(|e| format!("{e:?}"))?
                    .score,
            );
        }
        Ok((s, rows.iter().map(|&r| data.labels[r]).collect()))
    };
    let (vs, vy) = scores(&split.val)?;
    let (ts, ty) = scores(&split.test)?;
    let threshold = best_f_beta(&pr_curve(&vs, &vy), 1.0).map_or(0, |p| p.threshold);
    Ok((
        average_precision(&ts, &ty).unwrap_or(0.0),
        confusion_at(&ts, &ty, threshold).f1(),
    ))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or("usage: train_quality DATA.csv[.gz] [--label COL] ...")?;
    let label = arg(&args, "--label").unwrap_or_else(|| "Class".to_string());
    let stratified = arg(&args, "--split").as_deref() == Some("stratified");
    let seeds = list(&arg(&args, "--seeds").unwrap_or_else(|| "0,1,2".to_string()));
    let defaults = TrainConfig::default();
    let mut config = TrainConfig {
        learning_rate: parsed(&args, "--lr", defaults.learning_rate),
        batch_size: parsed(&args, "--batch", defaults.batch_size),
        weight_decay: parsed(&args, "--weight-decay", defaults.weight_decay),
        patience: parsed(&args, "--patience", defaults.patience),
        max_epochs: parsed(&args, "--max-epochs", defaults.max_epochs),
        min_delta: parsed(&args, "--min-delta", defaults.min_delta),
        threads: parsed(&args, "--threads", defaults.threads),
        ..defaults.clone()
    };
    if let Some(w) = arg(&args, "--pos-weight") {
        config.loss = Loss::Bce {
            pos_weight: w.parse()?,
        };
    }
    if let Some(g) = arg(&args, "--focal-gamma") {
        config.loss = Loss::Focal {
            gamma: g.parse()?,
            alpha: parsed(&args, "--focal-alpha", 0.5),
        };
    }
    match arg(&args, "--stop").as_deref() {
        Some("loss") => config.stop_on = StopOn::ValLoss,
        Some("ap") => config.stop_on = StopOn::ValAp,
        _ => {}
    }
    if let Some(h) = arg(&args, "--hidden") {
        config.hidden = list(&h).into_iter().map(|v| v as usize).collect();
    }

    let clip = parsed(&args, "--clip", DEFAULT_CLIP_QUANTILE);
    let t = Instant::now();
    let mut data = read_csv(path, &label)?;
    if let Some(drop) = arg(&args, "--drop") {
        let keep: Vec<usize> = (0..data.features())
            .filter(|&j| data.feature_names[j] != drop)
            .collect();
        let n = data.features();
        data.features = data
            .features
            .chunks_exact(n)
            .flat_map(|row| keep.iter().map(move |&j| row[j]))
            .collect();
        data.feature_names = keep
            .iter()
            .map(|&j| data.feature_names[j].clone())
            .collect();
    }
    println!(
        "read {} rows × {} features in {:.2} s; {:?} {:?}",
        data.rows(),
        data.features(),
        t.elapsed().as_secs_f64(),
        config.loss,
        config.stop_on
    );
    let (mut aps, mut f1s) = (Vec::new(), Vec::new());
    for &seed in &seeds {
        let kind = if stratified {
            SplitKind::Stratified { seed }
        } else {
            SplitKind::Time
        };
        let split = Split::new(&data.labels, kind)?;
        let scaler = RobustScaler::fit(&data.features, data.features(), &split.train, clip);
        let part = |rows: &[usize]| {
            (
                scaler.transform_rows(&data.features, rows),
                rows.iter().map(|&i| data.labels[i]).collect::<Vec<u8>>(),
            )
        };
        let (tx, ty) = part(&split.train);
        let (vx, vy) = part(&split.val);
        let (sx, sy) = part(&split.test);
        let result = train(
            Labelled { x: &tx, y: &ty },
            Labelled { x: &vx, y: &vy },
            data.features(),
            &TrainConfig {
                seed,
                ..config.clone()
            },
            &mut |_| {},
        )?;
        let val_logits = predict_logits(&result.model, &vx);
        let test_logits = predict_logits(&result.model, &sx);
        let threshold = best_f_beta(&pr_curve(&val_logits, &vy), 1.0).map_or(0.0, |p| p.threshold);
        let test_ap = average_precision(&test_logits, &sy).unwrap_or(0.0);
        let test = confusion_at(&test_logits, &sy, threshold);
        let best = &result.history[result.best_epoch - 1];
        println!(
            "seed {seed}: epochs {} best {} | val AP {:.4} F1@best {:.4} | test AP {:.4} F1 {:.4} \
             (P {:.3} R {:.3}) | {:.2} s{}",
            result.history.len(),
            result.best_epoch,
            best.val_ap,
            best.val_f1_at_best,
            test_ap,
            test.f1(),
            test.precision(),
            test.recall(),
            result.train_seconds,
            result
                .collapse
                .map(|c| format!(" | {c}"))
                .unwrap_or_default()
        );
        if args.iter().any(|a| a == "--int8") {
            let (ap8, f18) = int8_figures(&result.model, &scaler, &tx, &data, &split)?;
            println!("        int8 (through the rarewatch crate): test AP {ap8:.4} F1 {f18:.4}");
        }
        aps.push(test_ap);
        f1s.push(test.f1());
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "test AP mean {:.4} min {:.4}; test F1 mean {:.4} min {:.4}",
        mean(&aps),
        min(&aps),
        mean(&f1s),
        min(&f1s)
    );
    Ok(())
}
