//! Predict from a model file on the host, through the same code the device runs.
//!
//! ```text
//! cargo run --example predict                                  # the committed reference model
//! cargo run --example predict -- model.rwm                     # your model, its golden rows
//! cargo run --example predict -- model.rwm 0.1,2.5,...,-1.0    # your model, one row
//! ```
//!
//! Without a row, it scores the golden vectors next to the model (`model.golden.bin`, or
//! `golden.bin` in the same folder, as `rarewatch train` writes them) and checks each score
//! against the one recorded when the model was exported.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rarewatch::golden::GoldenVectors;
use rarewatch::Model;

const REFERENCE: &str = "examples/firmware/models/model.rwm";

fn golden_next_to(model: &Path) -> Option<Vec<u8>> {
    let candidates = [
        model.with_extension("golden.bin"),
        model.with_file_name("golden.bin"),
        model.with_file_name("report").join("golden.bin"),
    ];
    candidates.iter().find_map(|p| std::fs::read(p).ok())
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().unwrap_or_else(|| REFERENCE.into()));
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // Validates everything once: after this, `predict` cannot panic.
    let model = Model::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut scratch = vec![0i8; model.scratch_bytes()];
    println!(
        "{}: {} features, {} layers, {} MACs, {} bytes of scratch, threshold {}",
        path.display(),
        model.features(),
        model.layers().len(),
        model.macs(),
        model.scratch_bytes(),
        model.decision().threshold
    );

    if let Some(row) = args.next() {
        let features = row
            .split(',')
            .map(|v| v.trim().parse::<f32>().map_err(|e| format!("{v:?}: {e}")))
            .collect::<Result<Vec<f32>, String>>()?;
        let p = model
            .predict(&features, &mut scratch)
            .map_err(|e| format!("cannot score that row: {e}"))?;
        println!(
            "score {} (calibrated probability {:.4}) -> {}",
            p.score,
            model.probability(p.score),
            if p.alert { "ALERT" } else { "no alert" }
        );
        return Ok(());
    }

    let golden = golden_next_to(&path).ok_or("no golden vectors next to the model; pass a row")?;
    let golden = GoldenVectors::from_bytes(&golden).map_err(|e| format!("golden vectors: {e}"))?;
    let mut features = vec![0f32; golden.features()];
    let (mut alerts, mut matches) = (0, 0);
    for (i, row) in golden.iter().enumerate() {
        row.copy_features(&mut features);
        let p = model
            .predict(&features, &mut scratch)
            .map_err(|e| format!("row {i}: {e}"))?;
        alerts += usize::from(p.alert);
        matches += usize::from(p == row.expected);
        if i < 5 {
            println!(
                "row {i}: score {:>7}  p {:.4}  {}",
                p.score,
                model.probability(p.score),
                if p.alert { "ALERT" } else { "-" }
            );
        }
    }
    println!(
        "{} golden rows: {alerts} alerts; {matches}/{} scores identical to the exporter's",
        golden.len(),
        golden.len()
    );
    if matches == golden.len() {
        Ok(())
    } else {
        Err("scores differ from the golden vectors".into())
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
