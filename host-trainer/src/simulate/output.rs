//! A run as JSON: one line per state change and a final summary line (`simulate --json`),
//! and the whole run as `simulate.json` in the report folder.

use std::io;
use std::path::Path;

use serde::Serialize;

use super::{Simulation, StateChange, Summary};
use crate::report::write_atomic;

/// One JSON line: `{"type": "change" | "summary", …fields}`.
#[derive(Serialize)]
struct Line<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// A state change as one JSON object: `{"type": "change", "row", "signal", "from", "to",
/// "statistic", "statistic_kind", "warning_level", "drift_level", "labels_fed"}`.
pub fn change_line(change: &StateChange) -> serde_json::Result<String> {
    serde_json::to_string(&Line {
        kind: "change",
        body: change,
    })
}

/// The summary as one JSON object: `{"type": "summary", "rows", "alerts", "labels": {…},
/// "first_drift": {…}, "final_states": {…}, "health": {…}, …}`.
pub fn summary_line(summary: &Summary) -> serde_json::Result<String> {
    serde_json::to_string(&Line {
        kind: "summary",
        body: summary,
    })
}

/// Every line `simulate --json` prints, in order (each without its newline).
pub fn json_lines(simulation: &Simulation) -> serde_json::Result<Vec<String>> {
    simulation
        .changes
        .iter()
        .map(change_line)
        .chain(std::iter::once(summary_line(&simulation.summary)))
        .collect()
}

/// Writes `simulate.json` (changes, trace and summary) and `signals.svg` and
/// `performance.svg` (see [`super::plot`]) into `dir`, created if needed; each file is
/// written atomically.
pub fn write_report(dir: &Path, simulation: &Simulation) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(simulation).map_err(io::Error::other)?;
    write_atomic(&dir.join("simulate.json"), json.as_bytes())?;
    let (signals, performance) = super::plot::charts(simulation);
    write_atomic(&dir.join("signals.svg"), signals.as_bytes())?;
    write_atomic(&dir.join("performance.svg"), performance.as_bytes())
}
