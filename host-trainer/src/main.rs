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
    /// Run the whole loop on generated data: table, training, report, drifting stream,
    /// monitor.
    Demo(cli::demo::DemoArgs),
    /// Train a model on a labelled table and write the model file (and a report).
    Train(cli::train::TrainArgs),
    /// Metrics of a model on a labelled table, computed by the device's code.
    Eval {
        /// The model file (.rwm).
        model: std::path::PathBuf,
        /// The labelled table (CSV or CSV.gz).
        data: std::path::PathBuf,
        /// Name of the label column.
        #[arg(long)]
        label: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show what a model file holds: layers, sizes, threshold, calibration, baseline.
    Inspect {
        /// The model file (.rwm).
        model: PathBuf,
        /// Print one JSON object instead of the text report.
        #[arg(long)]
        json: bool,
    },
    /// Replay a table's rows in order through the device's inference and monitor, feeding
    /// labels as configured; print the timeline of health-state changes.
    Simulate(cli::simulate::SimulateArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo(args) => cli::demo::demo(&args)?,
        Command::Train(args) => {
            cli::train::train(&args)?;
        }
        Command::Eval {
            model,
            data,
            label,
            json,
        } => {
            cli::eval::eval(&model, &data, &label, json)?;
        }
        Command::Simulate(args) => {
            cli::simulate::run(&args)?;
        }
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
