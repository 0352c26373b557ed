//! `rarewatch demo`: the whole loop on generated data — write a rare-event table, train on
//! it with the default pipeline, export the model and report, then replay a drifting stream
//! through the device's monitor and tell the story.

pub mod story;
pub mod synth;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;

use crate::cli::train::TrainArgs;
use crate::pipeline::Trained;
use crate::report::write_atomic;
use crate::simulate::{simulate, SimulateOptions, Simulation};
use synth::Regime;

/// Rows between a streamed payment and the arrival of its label in the demo: confirmed
/// frauds and cleared alerts come back some hundreds of payments later.
pub const LABEL_DELAY_ROWS: usize = 500;

/// Sizes of the demo's data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoSize {
    /// Rows of the training table.
    pub table_rows: usize,
    /// Rows of each of the stream's three segments (stable, new fraud pattern, re-scaled
    /// risk score).
    pub segment_rows: usize,
    /// Share of positive rows.
    pub prevalence: f64,
}

impl Default for DemoSize {
    fn default() -> Self {
        DemoSize {
            table_rows: 200_000,
            segment_rows: 100_000,
            prevalence: 0.003,
        }
    }
}

/// The three regimes of the demo's stream, in order: the training distribution; then a new
/// fraud pattern the model never saw (70 % of frauds; recall drops); then the merchant risk
/// score re-scaled by a supplier (+3 IQR on every row, frauds back to normal).
pub fn stream_regimes(prevalence: f64) -> [Regime; 3] {
    [
        Regime::stable(prevalence),
        Regime {
            prevalence,
            new_pattern: 0.7,
            risk_offset_iqr: 0.0,
        },
        Regime {
            prevalence,
            new_pattern: 0.0,
            risk_offset_iqr: 3.0,
        },
    ]
}

/// Writes a table as CSV through a temporary file renamed into place.
pub fn write_table(path: &Path, data: &crate::data::Dataset) -> anyhow::Result<()> {
    let mut bytes = BufWriter::new(Vec::with_capacity(data.rows() * 120));
    synth::write_csv(data, &mut bytes)?;
    let bytes = bytes.into_inner().map_err(|e| e.into_error())?;
    write_atomic(path, &bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// Paths the demo writes under its folder.
#[derive(Debug, Clone)]
pub struct DemoPaths {
    /// The training table.
    pub data: PathBuf,
    /// The drifting stream.
    pub stream: PathBuf,
    /// The model file.
    pub model: PathBuf,
    /// The report folder.
    pub report: PathBuf,
    /// The replay's report folder (`simulate --report`).
    pub simulate: PathBuf,
}

impl DemoPaths {
    /// The demo's files under `dir`.
    pub fn new(dir: &Path) -> Self {
        DemoPaths {
            data: dir.join("data.csv"),
            stream: dir.join("stream.csv"),
            model: dir.join("model.rwm"),
            report: dir.join("report"),
            simulate: dir.join("simulate"),
        }
    }
}

/// Creates `dir` when missing; refuses a path that is a file.
pub fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("{} exists and is not a folder", dir.display());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // Unused handle: checks the folder is writable before any work.
    let probe = dir.join(".rarewatch-write-test");
    File::create(&probe).with_context(|| format!("cannot write into {}", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// What `demo` is asked to do.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Folder for every file the demo writes.
    pub dir: PathBuf,
    /// Table and stream sizes.
    pub size: DemoSize,
    /// Seed of the generated data and of training.
    pub seed: u64,
    /// Print nothing but errors.
    pub quiet: bool,
}

/// What a demo run produced.
#[derive(Debug, Clone)]
pub struct DemoOutcome {
    /// Where the files are.
    pub paths: DemoPaths,
    /// The training run.
    pub trained: Trained,
    /// The replay of the drifting stream through the device's monitor.
    pub simulation: Simulation,
    /// The story, as printed.
    pub story: String,
    /// Seconds from start to end.
    pub seconds: f64,
}

/// `train`'s arguments, parsed as the command line would (so the demo runs the defaults a
/// user gets).
#[derive(Parser)]
struct TrainCommand {
    #[command(flatten)]
    args: TrainArgs,
}

fn train_args(paths: &DemoPaths, seed: u64, quiet: bool) -> anyhow::Result<TrainArgs> {
    let mut argv: Vec<String> = vec![
        "rarewatch train".into(),
        paths.data.display().to_string(),
        "--label".into(),
        synth::LABEL.into(),
        "--out".into(),
        paths.model.display().to_string(),
        "--report".into(),
        paths.report.display().to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    if quiet {
        argv.push("--quiet".into());
    }
    Ok(TrainCommand::try_parse_from(argv)?.args)
}

/// Runs the demo: writes the table, trains on it, writes the drifting stream, replays it
/// through the monitor, and returns the story.
pub fn run(options: &DemoOptions) -> anyhow::Result<DemoOutcome> {
    let start = Instant::now();
    let say = |text: &str| {
        if !options.quiet {
            eprintln!("{text}");
        }
    };
    prepare_dir(&options.dir)?;
    let paths = DemoPaths::new(&options.dir);
    let size = options.size;

    say(&format!(
        "[1/4] generating {} payments ({:.1} % fraud, heavy tails, outliers) -> {}",
        size.table_rows,
        100.0 * size.prevalence,
        paths.data.display()
    ));
    let table = synth::table(size.table_rows, size.prevalence, options.seed);
    write_table(&paths.data, &table)?;

    say("[2/4] training with the default pipeline (rarewatch train)");
    let trained = crate::cli::train::train(&train_args(&paths, options.seed, options.quiet)?)?;

    let regimes = stream_regimes(size.prevalence);
    say(&format!(
        "[3/4] writing a drifting stream of {} rows -> {}",
        3 * size.segment_rows,
        paths.stream.display()
    ));
    let stream = synth::segments(
        &regimes.map(|r| (size.segment_rows, r)),
        options.seed.wrapping_add(1),
    );
    write_table(&paths.stream, &stream)?;

    say(&format!(
        "[4/4] replaying the stream through the device's inference and monitor (rarewatch \
         simulate, labels {LABEL_DELAY_ROWS} rows late) -> {}",
        paths.simulate.display()
    ));
    let simulation = {
        let model = rarewatch::Model::from_bytes(&trained.model_bytes)
            .map_err(|e| anyhow::anyhow!("the model just written does not validate: {e}"))?;
        let options = SimulateOptions {
            label_delay: LABEL_DELAY_ROWS,
            label_fraction: 1.0,
            seed: options.seed,
            ..SimulateOptions::default()
        };
        // The stream has the training table's columns, in the model's order.
        simulate(
            &model,
            &stream.features,
            Some(&stream.labels),
            &options,
            &mut |_| {},
        )?
    };
    crate::simulate::output::write_report(&paths.simulate, &simulation)
        .with_context(|| format!("cannot write {}", paths.simulate.display()))?;

    let segments = regimes.map(|r| (size.segment_rows, r));
    let mut story = story::training(&trained.report);
    story.push_str(&story::monitoring(
        &simulation,
        &segments,
        &stream.labels,
        LABEL_DELAY_ROWS,
    ));
    Ok(DemoOutcome {
        paths,
        trained,
        simulation,
        story,
        seconds: start.elapsed().as_secs_f64(),
    })
}
