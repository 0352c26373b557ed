//! Writes the seeded reference model (30-32-16-1) and its golden vectors:
//! `cargo run -p rarewatch-trainer --example reference_model -- DIR`
//! (the firmware example embeds `DIR/model.rwm` and `DIR/golden.bin`).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let (model, golden) = rarewatch_trainer::reference_model::files();
    std::fs::write(dir.join("model.rwm"), &model)?;
    std::fs::write(dir.join("golden.bin"), &golden)?;
    let replay = rarewatch_trainer::reference_model::monitor_replay(&model);
    std::fs::write(dir.join("monitor.bin"), &replay)?;
    println!(
        "wrote {} ({} bytes), {} ({} bytes) and {} ({} bytes)",
        dir.join("model.rwm").display(),
        model.len(),
        dir.join("golden.bin").display(),
        golden.len(),
        dir.join("monitor.bin").display(),
        replay.len()
    );
    Ok(())
}
