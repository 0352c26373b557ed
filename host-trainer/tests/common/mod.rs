//! Shared helpers of the CLI tests: seeded synthetic tables, CSV text, running the built
//! `rarewatch` binary, and checks on what a failed run leaves behind.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rarewatch_trainer::rng::Rng;

/// Name of the label column of [`synthetic`] tables.
pub const LABEL: &str = "Class";

/// A labelled table held in memory.
#[derive(Debug, Clone)]
pub struct Table {
    /// Feature column names.
    pub names: Vec<String>,
    /// One feature vector per row.
    pub rows: Vec<Vec<f32>>,
    /// One 0/1 label per row.
    pub labels: Vec<u8>,
}

impl Table {
    /// Rows labelled 1.
    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|&&y| y == 1).count()
    }

    /// The rows `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Table {
        Table {
            names: self.names.clone(),
            rows: indices.iter().map(|&i| self.rows[i].clone()).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }
}

/// A seeded rare-event table: `rows` rows of 6 features, about 5 % positives that overlap the
/// negatives (so a precision bound costs recall): `x0`, `x1` shifted by one standard
/// deviation for positives, `x2` heavy-tailed with a small shift, `x3` wider for positives,
/// `x4` pure noise, `amount` log-normal and uninformative.
pub fn synthetic(rows: usize, seed: u64) -> Table {
    let mut rng = Rng::new(seed);
    let mut table = Table {
        names: ["x0", "x1", "x2", "x3", "x4", "amount"]
            .map(String::from)
            .to_vec(),
        rows: Vec::with_capacity(rows),
        labels: Vec::with_capacity(rows),
    };
    for _ in 0..rows {
        let y = u8::from(rng.uniform() < 0.05);
        let shift = f64::from(y);
        let tail = rng.normal();
        let row = [
            rng.normal() + 1.0 * shift,
            rng.normal() + 1.0 * shift,
            tail * tail.abs() + 0.8 * shift,
            rng.normal() * (1.0 + shift),
            rng.normal(),
            (3.0 + rng.normal()).exp(),
        ];
        table.rows.push(row.iter().map(|&v| v as f32).collect());
        table.labels.push(y);
    }
    table
}

/// How [`csv`] writes the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvStyle {
    /// Labels (and header names) in double quotes, as in creditcard.csv.
    pub quoted: bool,
    /// `\r\n` line ends.
    pub crlf: bool,
}

/// The table as CSV text, the label column last; floats are written in their shortest form
/// that reads back to the same `f32`.
pub fn csv(table: &Table, style: CsvStyle) -> String {
    let end = if style.crlf { "\r\n" } else { "\n" };
    let q = |s: &str| {
        if style.quoted {
            format!("\"{s}\"")
        } else {
            s.to_string()
        }
    };
    let mut out: Vec<String> = table.names.iter().map(|n| q(n)).collect();
    out.push(q(LABEL));
    let mut text = out.join(",");
    text.push_str(end);
    for (row, &y) in table.rows.iter().zip(&table.labels) {
        for v in row {
            text.push_str(&format!("{v},"));
        }
        text.push_str(&q(&y.to_string()));
        text.push_str(end);
    }
    text
}

/// Gzip-compressed bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// Runs the built `rarewatch` binary with `args`.
pub fn rarewatch<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_rarewatch"))
        .args(args)
        .output()
        .expect("the rarewatch binary runs")
}

/// `rarewatch train DATA --label LABEL --out OUT [--report REPORT] -q EXTRA…`.
pub fn train(
    data: &Path,
    label: &str,
    out: &Path,
    report: Option<&Path>,
    extra: &[&str],
) -> Output {
    let mut args: Vec<&OsStr> = vec![
        "train".as_ref(),
        data.as_os_str(),
        "--label".as_ref(),
        label.as_ref(),
        "--out".as_ref(),
        out.as_os_str(),
        "-q".as_ref(),
    ];
    if let Some(dir) = report {
        args.extend(["--report".as_ref(), dir.as_os_str()]);
    }
    args.extend(extra.iter().map(OsStr::new));
    rarewatch(args)
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The run succeeded; shows stderr otherwise.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}, stderr:\n{}",
        out.status.code(),
        stderr(out)
    );
}

/// The run failed cleanly: exit code 1, stderr is exactly one line `error: …` holding every
/// needle, and no panic.
pub fn assert_clean_error(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    assert!(!err.contains("panicked"), "panic:\n{err}");
    assert!(!err.contains("RUST_BACKTRACE"), "panic:\n{err}");
    assert_eq!(err.lines().count(), 1, "one line expected:\n{err}");
    assert!(err.starts_with("error: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in:\n{err}");
    }
}

/// Names of the files in `dir` (sorted); empty when it does not exist.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| {
                e.expect("readable entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

/// A temporary folder, removed when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// Writes `bytes` to `dir/name`; returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// `metrics.json` of a report folder.
pub fn metrics(report: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(report.join("metrics.json")).expect("metrics.json");
    serde_json::from_str(&text).expect("metrics.json is JSON")
}

/// A number in a JSON value, by path (`["int8", "val", "precision"]`).
pub fn number(value: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = value;
    for key in path {
        v = &v[*key];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number: {v}"))
}

/// Scores rows through the `rarewatch` crate (the device's code).
pub fn int8_scores(model_bytes: &[u8], rows: &[Vec<f32>]) -> Vec<i32> {
    let model = rarewatch::Model::from_bytes(model_bytes).expect("valid model");
    let mut scratch = vec![0i8; model.scratch_bytes()];
    rows.iter()
        .map(|row| model.predict(row, &mut scratch).expect("predicts").score)
        .collect()
}
