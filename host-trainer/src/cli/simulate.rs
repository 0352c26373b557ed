//! `rarewatch simulate MODEL DATA --label COL [--label-delay N] [--label-fraction F]
//! [--seed S] [--json] [--report DIR]`: replays a table's rows in order through the device's
//! inference and monitor (see [`crate::simulate`]) and prints the timeline of state changes.
//!
//! `--json` prints one object per state change, `{"type": "change", "row", "signal",
//! "from", "to", "statistic", "statistic_kind", "warning_level", "drift_level",
//! "labels_fed"}`, with `row` the 0-based data row and `from`/`to` one of `ok`, `warning`,
//! `drift`, then one `{"type": "summary", …}` object. Signals the model cannot test stay
//! `unknown`, produce no change lines and are listed in the summary's `untested`.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rarewatch::monitor::{Signal, SignalState};

use super::eval::model_columns;
use crate::data::{read_table, Dataset};
use crate::simulate::output::{json_lines, write_report};
use crate::simulate::{simulate, SimulateOptions, Simulation, StateChange, StatisticKind};

/// Options of `simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// The model file (.rwm).
    pub model: PathBuf,
    /// The rows to replay, in order (CSV or CSV.gz with a label column).
    pub data: PathBuf,
    /// Name of the label column (values 0/1, quotes allowed).
    #[arg(long)]
    pub label: String,
    /// Rows between a row and the arrival of its label (0: right after it). Labels arriving
    /// more than 512 rows late find their prediction gone from the monitor's pending buffer
    /// and are recorded with the decision kept with the row (`Monitor::record_outcome`).
    #[arg(long, default_value_t = 0)]
    pub label_delay: usize,
    /// Share of rows whose label arrives, 0 to 1 (chosen at random with --seed).
    #[arg(long, default_value_t = 1.0, value_parser = parse_fraction)]
    pub label_fraction: f64,
    /// Seed of the choice of labelled rows.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object per state change and a final summary object.
    #[arg(long)]
    pub json: bool,
    /// Folder for simulate.json and the charts signals.svg and performance.svg.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar or timing lines on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_fraction(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not in [0, 1]"))
    }
}

impl SimulateArgs {
    /// The engine options these arguments describe.
    pub fn options(&self) -> SimulateOptions {
        SimulateOptions {
            label_delay: self.label_delay,
            label_fraction: self.label_fraction,
            seed: self.seed,
            ..SimulateOptions::default()
        }
    }
}

/// The table's features in the model's order: borrowed when the columns already are, else
/// gathered.
fn model_matrix<'d>(data: &'d Dataset, columns: &[usize]) -> Cow<'d, [f32]> {
    if columns.len() == data.features() && columns.iter().enumerate().all(|(i, &c)| i == c) {
        return Cow::Borrowed(&data.features);
    }
    let mut x = Vec::with_capacity(data.rows() * columns.len());
    for r in 0..data.rows() {
        let row = data.row(r);
        // `model_columns` returns indices of this table's columns; NaN (refused by the model
        // with the row number) would only mark a bug.
        x.extend(
            columns
                .iter()
                .map(|&c| row.get(c).copied().unwrap_or(f32::NAN)),
        );
    }
    Cow::Owned(x)
}

/// Runs `simulate`: reads, replays, prints, writes the report.
pub fn run(args: &SimulateArgs) -> anyhow::Result<Simulation> {
    let bytes = super::read_file(&args.model)?;
    let model = rarewatch::Model::from_bytes(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: invalid model file: {e}", args.model.display()))?;
    let start = Instant::now();
    let data = read_table(&args.data, &args.label)?;
    if !args.quiet {
        eprintln!(
            "read {}: {} rows x {} features, {} positives in {:.2} s",
            args.data.display(),
            thousands(data.rows()),
            data.features(),
            thousands(data.positives()),
            start.elapsed().as_secs_f64()
        );
    }
    let columns = model_columns(&model, &data, &args.data)?;
    let features = model_matrix(&data, &columns);
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(data.rows() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("replaying [{bar:30}] {pos}/{len} rows {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let simulation = simulate(
        &model,
        &features,
        Some(&data.labels),
        &args.options(),
        &mut |rows| bar.set_position(rows as u64),
    )
    .with_context(|| format!("simulating {}", args.data.display()))?;
    bar.finish_and_clear();
    if args.json {
        for line in json_lines(&simulation)? {
            println!("{line}");
        }
    } else {
        print!("{}", render(&simulation));
    }
    if let Some(dir) = &args.report {
        write_report(dir, &simulation)
            .with_context(|| format!("cannot write the report into {}", dir.display()))?;
        if !args.quiet {
            eprintln!(
                "report: {}, {}",
                dir.join("simulate.json").display(),
                dir.join("signals.svg").display()
            );
        }
    }
    if !args.quiet {
        eprintln!("total {:.1} s", start.elapsed().as_secs_f64());
    }
    Ok(simulation)
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One timeline line: `row 123,456  recall  ok -> warning  (cusum 5.3 nats)`.
pub fn render_change(change: &StateChange) -> String {
    format!(
        "row {:>11}  {:<18}  {:>7} -> {:<7}  ({})",
        thousands(change.row),
        change.signal.name(),
        change.from.name(),
        change.to.name(),
        change.statistic_kind.describe(change.statistic)
    )
}

/// The human report: the timeline, then the summary.
pub fn render(simulation: &Simulation) -> String {
    let s = &simulation.summary;
    let mut out = String::new();
    if simulation.changes.is_empty() {
        out.push_str("no state changes\n");
    }
    for change in &simulation.changes {
        out.push_str(&render_change(change));
        out.push('\n');
    }
    out.push_str(&format!(
        "\nreplayed {} rows in {:.2} s ({} rows/s): {} alerts",
        thousands(s.rows),
        s.seconds,
        thousands(s.rows_per_second as usize),
        thousands(s.alerts)
    ));
    if let (Some(positives), Some(caught)) = (s.positives, s.true_alerts) {
        out.push_str(&format!(
            ", {} positives ({} alerted)",
            thousands(positives),
            thousands(caught)
        ));
    }
    out.push('\n');
    let l = &s.labels;
    out.push_str(&format!(
        "labels (fraction {}, delay {} rows): {} chosen, {} fed by sequence number, {} recorded \
         late (after the monitor's {} pending predictions), {} refused, {} still on their way \
         at the end\n",
        s.label_fraction,
        thousands(s.label_delay),
        thousands(l.selected as usize),
        thousands(l.fed as usize),
        thousands(l.late as usize),
        s.pending_capacity,
        thousands(l.dropped as usize),
        thousands(l.undelivered as usize)
    ));
    out.push_str(&format!(
        "  {:<18}  {:<7}  {:<22}  {:>13}  {:>13}\n",
        "signal", "state", "statistic now", "first warning", "first drift"
    ));
    let row = |r: Option<usize>| r.map_or_else(|| "-".to_string(), thousands);
    for signal in Signal::ALL {
        let state = s.final_states.get(signal);
        let statistic = if state == SignalState::Unknown {
            "not tested".to_string()
        } else {
            StatisticKind::of(signal).describe(statistic_of(simulation, signal))
        };
        out.push_str(&format!(
            "  {:<18}  {:<7}  {:<22}  {:>13}  {:>13}\n",
            signal.name(),
            state.name(),
            statistic,
            row(s.first_warning.get(signal)),
            row(s.first_drift.get(signal))
        ));
    }
    let h = &s.health;
    if h.recall.window.trials > 0 || h.precision.window.trials > 0 {
        out.push_str(&format!(
            "labelled: recall {:.3} over the last {} positives (baseline {:.3}), precision {:.3} \
             over the last {} alerts (baseline {:.3})\n",
            h.recall.window.value,
            h.recall.window.trials,
            h.recall.baseline,
            h.precision.window.value,
            h.precision.window.trials,
            h.precision.baseline
        ));
    }
    out.push_str(&format!(
        "estimated without labels: precision {:.3}, recall {:.3}; alert rate {:.5} (expected {:.5})\n",
        h.estimated.precision, h.estimated.recall, h.alert_rate.observed.value, h.alert_rate.expected
    ));
    out
}

/// A signal's statistic at the end of the run (the last trace point).
fn statistic_of(simulation: &Simulation, signal: Signal) -> f32 {
    simulation
        .trace
        .last()
        .map_or(0.0, |p| p.statistics.get(signal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(123_456), "123,456");
        assert_eq!(thousands(1_500_000), "1,500,000");
    }

    #[test]
    fn fractions_are_checked() {
        assert_eq!(parse_fraction("0.25"), Ok(0.25));
        assert!(parse_fraction("1.5").is_err());
        assert!(parse_fraction("-0.1").is_err());
        assert!(parse_fraction("NaN").is_err());
        assert!(parse_fraction("x").is_err());
    }
}
