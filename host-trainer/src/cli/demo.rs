//! `rarewatch demo [--out DIR]`: the whole loop on generated data.

use std::path::PathBuf;

use crate::demo::{run, DemoOptions, DemoSize};

/// Options of `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Folder for the table, the model, the report and the stream.
    #[arg(long, default_value = "rarewatch-demo")]
    pub out: PathBuf,
    /// Rows of the generated training table.
    #[arg(long, default_value_t = DemoSize::default().table_rows)]
    pub rows: usize,
    /// Rows of each of the stream's three segments.
    #[arg(long, default_value_t = DemoSize::default().segment_rows)]
    pub segment_rows: usize,
    /// Seed of the generated data and of training.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `demo` and prints the story.
pub fn demo(args: &DemoArgs) -> anyhow::Result<()> {
    if args.rows < 1_000 || args.segment_rows < 1_000 {
        anyhow::bail!("--rows and --segment-rows must be at least 1000");
    }
    let outcome = run(&DemoOptions {
        dir: args.out.clone(),
        size: DemoSize {
            table_rows: args.rows,
            segment_rows: args.segment_rows,
            ..DemoSize::default()
        },
        seed: args.seed,
        quiet: args.quiet,
    })?;
    if !args.quiet {
        println!();
        println!("What happened");
        print!("{}", outcome.story);
        println!(
            "Files: {} (table), {} (model), {} (open in a browser), {} (stream), {} (the \
             monitor's signals over the stream).",
            outcome.paths.data.display(),
            outcome.paths.model.display(),
            outcome.paths.report.join("report.html").display(),
            outcome.paths.stream.display(),
            outcome.paths.simulate.join("signals.svg").display()
        );
        println!("Demo finished in {:.1} s.", outcome.seconds);
    }
    Ok(())
}
