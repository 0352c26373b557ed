//! `rarewatch`: train, evaluate, inspect and simulate rare-event classifiers for
//! microcontrollers.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rarewatch_trainer::cli;

#[derive(Parser)]
#[command(
    name = "rarewatch",
    version,
    about = "Rare-event classifiers for microcontrollers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what a model file holds: layers, sizes, threshold, calibration, baseline.
    Inspect {
        /// The model file (.rwm).
        model: PathBuf,
        /// Print one JSON object instead of the text report.
        #[arg(long)]
        json: bool,
    },
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect { model, json } => {
            let bytes = cli::read_file(&model)?;
            let parsed = rarewatch::Model::from_bytes(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: invalid model file: {e}", model.display()))?;
            let report = cli::inspect::inspect(&model, &bytes, &parsed);
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", cli::inspect::render(&report));
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
