//! `rarewatch train DATA --label COL --out MODEL [--report DIR] …`

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};

use crate::data::read_csv;
use crate::pipeline::{run, PipelineOptions, Progress, Trained};
use crate::report::metrics::Metrics;
use crate::report::{write_atomic, write_report};
use crate::split::SplitKind;
use crate::threshold::Objective;
use crate::train::{Loss, StopOn, TrainConfig};

/// Options of `train`.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// The labelled table (CSV, or CSV compressed with gzip).
    pub data: PathBuf,
    /// Name of the label column (values 0/1, quotes allowed).
    #[arg(long)]
    pub label: String,
    /// Where to write the model file.
    #[arg(long)]
    pub out: PathBuf,
    /// Folder for metrics.json, charts, golden vectors and report.html.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// How rows are split 60/20/20: `time` (file order) or `stratified` (per class, seeded).
    #[arg(long, default_value = "time", value_parser = ["time", "stratified"])]
    pub split: String,
    /// Seed of the stratified split, the initial weights and the batch order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Operating point: `f1`, `f2`, `precision>=P` (highest recall with that precision) or
    /// `recall>=R` (highest precision with that recall).
    #[arg(long, default_value = "f1")]
    pub objective: Objective,
    /// Hidden layer widths.
    #[arg(long, default_value = "32,16", value_delimiter = ',')]
    pub hidden: Vec<usize>,
    /// Early-stopping criterion: `ap` (exact validation average precision) or `loss`.
    #[arg(long, default_value = "ap", value_parser = ["ap", "loss"])]
    pub stop_on: String,
    /// Epochs without improvement before stopping.
    #[arg(long, default_value_t = 10)]
    pub patience: usize,
    /// Epoch limit.
    #[arg(long, default_value_t = 100)]
    pub max_epochs: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f32,
    /// Rows per batch (default: chosen for at least 64 steps per epoch, 64..2048).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Weight of positive rows in the BCE loss.
    #[arg(long)]
    pub pos_weight: Option<f32>,
    /// Use focal loss with this gamma (instead of BCE).
    #[arg(long)]
    pub focal_gamma: Option<f32>,
    /// Largest validation AP the int8 model may lose against the float model.
    #[arg(long, default_value_t = 0.01)]
    pub int8_tolerance: f64,
    /// Worker threads (0: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
}

impl TrainArgs {
    /// The pipeline options these arguments describe.
    pub fn options(&self) -> anyhow::Result<PipelineOptions> {
        let mut train = TrainConfig {
            hidden: self.hidden.clone(),
            learning_rate: self.lr,
            max_epochs: self.max_epochs,
            patience: self.patience,
            stop_on: if self.stop_on == "loss" {
                StopOn::ValLoss
            } else {
                StopOn::ValAp
            },
            seed: self.seed,
            threads: self.threads,
            batch_size: self.batch.unwrap_or(0),
            ..TrainConfig::default()
        };
        if let Some(pos_weight) = self.pos_weight {
            train.loss = Loss::Bce { pos_weight };
        }
        if let Some(gamma) = self.focal_gamma {
            train.loss = Loss::Focal { gamma, alpha: 0.5 };
        }
        train.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::quantize::check_hidden(&train.hidden)
            .map_err(|e| anyhow::anyhow!("--hidden: {e}"))?;
        if self.int8_tolerance.is_nan() || self.int8_tolerance < 0.0 {
            bail!(
                "--int8-tolerance must be ≥ 0 (validation AP the int8 model may lose), got {}",
                self.int8_tolerance
            );
        }
        Ok(PipelineOptions {
            split: if self.split == "stratified" {
                SplitKind::Stratified { seed: self.seed }
            } else {
                SplitKind::Time
            },
            objective: self.objective,
            train,
            int8_tolerance: self.int8_tolerance,
            ..PipelineOptions::default()
        })
    }
}

/// Column names of the per-epoch log (`*`: the kept model improved).
const EPOCH_HEADER: &str = "epoch  train loss    val loss  val AP  F1@0.5  F1@best";

/// A progress bar over epochs (hidden when quiet or not on a terminal).
struct EpochBar {
    bar: Option<ProgressBar>,
}

impl EpochBar {
    fn new(quiet: bool) -> Self {
        EpochBar {
            bar: (!quiet).then(ProgressBar::hidden),
        }
    }

    /// A line above the bar (or plain on stderr when the bar cannot draw).
    fn log(&self, bar: &ProgressBar, line: &str) {
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    }

    fn on(&mut self, progress: Progress<'_>) {
        let Some(bar) = &self.bar else { return };
        match progress {
            Progress::Training { max_epochs } => {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_length(max_epochs as u64);
                bar.set_style(
                    ProgressStyle::with_template("training [{bar:30}] epoch {pos}/{len}")
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                );
            }
            Progress::Epoch(e) => {
                if e.epoch == 1 {
                    self.log(bar, EPOCH_HEADER);
                }
                self.log(
                    bar,
                    &format!(
                        "{:>5}  {:>10.6}  {:>10.6}  {:>6.4}  {:>7.3}  {:>8.3}{}",
                        e.epoch,
                        e.train_loss,
                        e.val_loss,
                        e.val_ap,
                        e.val_f1_at_0_5,
                        e.val_f1_at_best,
                        if e.improved { "  *" } else { "" }
                    ),
                );
                bar.set_position(e.epoch as u64);
            }
            Progress::Finishing => {
                bar.finish_and_clear();
                eprintln!("quantizing, calibrating and choosing the threshold on the int8 model…");
            }
        }
    }
}

fn row(name: &str, m: &Metrics) -> String {
    let f = |v: Option<f64>| v.map_or_else(|| "   n/a".to_string(), |v| format!("{v:6.4}"));
    format!(
        "  {name:<16} {}  {}  {:9.4}  {:6.4}  {:6.4}  {:>6}/{:<6} {:>6}",
        f(m.ap),
        f(m.roc_auc),
        m.precision,
        m.recall,
        m.f1,
        m.true_alerts,
        m.alerts,
        m.positives
    )
}

/// The terminal summary of a run.
pub fn summary(trained: &Trained, out: &Path) -> String {
    let r = &trained.report;
    let mut s = String::new();
    let s_ = &r.split;
    s.push_str(&format!(
        "split {}: train {} rows ({} positives), validation {} ({}), test {} ({})\n",
        s_.kind,
        s_.train.rows,
        s_.train.positives,
        s_.validation.rows,
        s_.validation.positives,
        s_.test.rows,
        s_.test.positives
    ));
    let best = r.epochs.get(r.best_epoch.saturating_sub(1));
    s.push_str(&format!(
        "trained {} epochs in {:.2} s; kept epoch {} (stopping on {}{})\n",
        r.epochs.len(),
        r.train_seconds,
        r.best_epoch,
        r.stopped_on,
        best.map(|b| format!(": val AP {:.4}, val loss {:.4}", b.val_ap, b.val_loss))
            .unwrap_or_default()
    ));
    if let Some(stop) = r.f1_at_0_5_stop {
        s.push_str(&format!(
            "F1 at 0.5 would have stopped on epoch {} (val F1@0.5 {:.3}); that model gets test F1 {:.3} at 0.5\n",
            stop.epoch, stop.val_f1_at_0_5, stop.test_at_0_5.f1
        ));
    }
    s.push_str(
        "  model / part         AP  ROC AUC  precision  recall      F1   true/alerts  positives\n",
    );
    s.push_str(&row("int8 validation", &r.int8.val));
    s.push('\n');
    s.push_str(&row("int8 test", &r.int8.test));
    s.push('\n');
    s.push_str(&row("float validation", &r.float.val));
    s.push('\n');
    s.push_str(&row("float test", &r.float.test));
    s.push('\n');
    let t = &r.threshold;
    s.push_str(&format!(
        "threshold ({}): alert when score >= {} (calibrated p {:.4}); bootstrap 5-95 %: threshold {}..{}, metric {:.3}..{:.3}\n",
        t.objective,
        t.score,
        t.probability,
        t.stability.threshold_interval.0,
        t.stability.threshold_interval.1,
        t.stability.metric_interval.0,
        t.stability.metric_interval.1
    ));
    s.push_str(&format!(
        "{}: {} bytes, {} MACs, {} bytes of scratch per inference\n",
        out.display(),
        r.model_bytes,
        r.macs,
        r.scratch_bytes
    ));
    for w in &r.warnings {
        s.push_str(&format!("warning: {w}\n"));
    }
    s
}

/// Runs `train`: reads, trains, writes the model (and report), prints the summary.
pub fn train(args: &TrainArgs) -> anyhow::Result<Trained> {
    let options = args.options()?;
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.is_dir() {
            bail!("output folder {} does not exist", parent.display());
        }
    }
    let start = Instant::now();
    let data = read_csv(&args.data, &args.label)?;
    if !args.quiet {
        eprintln!(
            "read {}: {} rows x {} features, {} positives ({:.3} %) in {:.2} s",
            args.data.display(),
            data.rows(),
            data.features(),
            data.positives(),
            100.0 * data.positives() as f64 / data.rows() as f64,
            start.elapsed().as_secs_f64()
        );
    }
    let mut bar = EpochBar::new(args.quiet);
    let trained = run(&data, &options, &mut |p| bar.on(p))?;
    let model_name = args
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The model file goes last: a run that fails (here, an unwritable report folder) leaves no
    // model behind, and an existing one untouched.
    match &args.report {
        Some(dir) => write_report(dir, &trained, &model_name)
            .with_context(|| format!("cannot write the report into {}", dir.display()))?,
        None => {
            let golden = args.out.with_extension("golden.bin");
            write_atomic(&golden, &trained.golden)
                .with_context(|| format!("cannot write {}", golden.display()))?;
        }
    }
    write_atomic(&args.out, &trained.model_bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    if !args.quiet {
        print!("{}", summary(&trained, &args.out));
        if let Some(dir) = &args.report {
            println!("report: {}", dir.join("report.html").display());
        }
        println!("total {:.1} s", start.elapsed().as_secs_f64());
    }
    Ok(trained)
}
