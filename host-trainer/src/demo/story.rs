//! The demo's closing story: what F1 at 0.5 would have done, what rarewatch did, and what
//! the monitor saw — in numbers, from the run's own reports.

use rarewatch::monitor::{Signal, SignalState};

use crate::cli::simulate::thousands;
use crate::demo::synth::Regime;
use crate::report::metrics::{EpochLog, TrainReport};
use crate::simulate::{Simulation, StateChange};

/// Largest epoch-to-epoch change of `metric` over the epochs after the first `skip`.
fn largest_swing(epochs: &[EpochLog], skip: usize, metric: fn(&EpochLog) -> f64) -> f64 {
    epochs
        .windows(2)
        .skip(skip)
        .map(|w| (metric(&w[1]) - metric(&w[0])).abs())
        .fold(0.0, f64::max)
}

/// The training half of the story.
pub fn training(report: &TrainReport) -> String {
    let mut s = String::new();
    // The first epochs move everything; the swings that fool early stopping come later.
    let skip = 5.min(report.epochs.len().saturating_sub(2));
    let f1_swing = largest_swing(&report.epochs, skip, |e| e.val_f1_at_0_5);
    let ap_swing = largest_swing(&report.epochs, skip, |e| e.val_ap);
    s.push_str(&format!(
        "Validation F1 at a 0.5 cut-off jumped by up to {f1_swing:.3} from one epoch to the next \
         (after epoch {skip}); validation AP by at most {ap_swing:.3}.\n"
    ));
    if let Some(stop) = &report.f1_at_0_5_stop {
        s.push_str(&format!(
            "Early stopping on F1 at 0.5 would have kept epoch {} (val F1 {:.3}{}): test F1 {:.3} \
             (precision {:.3}, recall {:.3}).\n",
            stop.epoch,
            stop.val_f1_at_0_5,
            if stop.would_have_stopped {
                ", patience out"
            } else {
                ""
            },
            stop.test_at_0_5.f1,
            stop.test_at_0_5.precision,
            stop.test_at_0_5.recall
        ));
    }
    let best = report.epochs.get(report.best_epoch.saturating_sub(1));
    s.push_str(&format!(
        "rarewatch stopped on {} and kept epoch {}{}: int8 test F1 {:.3} (precision {:.3}, \
         recall {:.3}), test AP {:.3} at its calibrated threshold.\n",
        report.stopped_on.replace('_', " "),
        report.best_epoch,
        best.map(|b| format!(" (val AP {:.3})", b.val_ap))
            .unwrap_or_default(),
        report.int8.test.f1,
        report.int8.test.precision,
        report.int8.test.recall,
        report.int8.test.ap.unwrap_or(0.0),
    ));
    let t = &report.threshold;
    s.push_str(&format!(
        "Threshold for {}: alert when the int8 score is at least {} (calibrated probability \
         {:.3}, not 0.5); bootstrap 90 % interval of validation {} {:.3}..{:.3}.\n",
        t.objective,
        t.score,
        t.probability,
        t.objective,
        t.stability.metric_interval.0,
        t.stability.metric_interval.1,
    ));
    s.push_str(&format!(
        "The model file is {} bytes ({} multiply-accumulates and {} bytes of scratch per \
         inference); int8 test AP {:.3} vs float {:.3}.\n",
        report.model_bytes,
        report.macs,
        report.scratch_bytes,
        report.int8.test.ap.unwrap_or(0.0),
        report.float.test.ap.unwrap_or(0.0),
    ));
    s
}

/// What a stream segment is, in words.
fn describe(regime: &Regime) -> String {
    let mut parts = Vec::new();
    if regime.new_pattern > 0.0 {
        parts.push(format!(
            "a new fraud pattern the model never saw ({:.0} % of frauds)",
            100.0 * regime.new_pattern
        ));
    }
    if regime.risk_offset_iqr != 0.0 {
        parts.push(format!(
            "the merchant risk score re-scaled by a supplier ({:+} IQR on every row)",
            regime.risk_offset_iqr
        ));
    }
    if parts.is_empty() {
        "payments like the training data".into()
    } else {
        parts.join(" and ")
    }
}

/// The monitoring half of the story: for each segment of the stream (`(rows, regime)` in
/// order), the drifts the monitor flagged in it, with their delay after the segment began in
/// rows and, for recall, in labelled positives (labels arrive `delay` rows after their row;
/// `labels` are the stream's true classes).
pub fn monitoring(
    simulation: &Simulation,
    segments: &[(usize, Regime)],
    labels: &[u8],
    delay: usize,
) -> String {
    let mut s = format!(
        "The stream: {} rows replayed through the device's code (labels {} rows late):",
        thousands(simulation.summary.rows),
        thousands(delay)
    );
    let mut start = 0;
    for (k, (rows, regime)) in segments.iter().enumerate() {
        s.push_str(&format!(
            "{} from row {}, {}",
            if k == 0 { "" } else { ";" },
            thousands(start),
            describe(regime)
        ));
        start += rows;
    }
    s.push_str(".\n");

    let mut start = 0;
    for (rows, regime) in segments {
        let end = start + rows;
        let drifts: Vec<&StateChange> = simulation
            .changes
            .iter()
            .filter(|c| c.to == SignalState::Drift && (start..end).contains(&c.row))
            .collect();
        if regime.is_stable() {
            s.push_str(&if drifts.is_empty() {
                format!(
                    "Rows {}..{} (no change): no drift flagged by any signal.\n",
                    thousands(start),
                    thousands(end - 1)
                )
            } else {
                format!(
                    "Rows {}..{} (no change): {} false drift(s), the first on {} at row {}.\n",
                    thousands(start),
                    thousands(end - 1),
                    drifts.len(),
                    drifts[0].signal.name(),
                    thousands(drifts[0].row)
                )
            });
        } else if drifts.is_empty() {
            s.push_str(&format!(
                "From row {}: no signal reached drift within the segment's {} rows.\n",
                thousands(start),
                thousands(*rows)
            ));
        } else {
            // Each signal once, at its first drift in the segment.
            let mut seen = Vec::new();
            let flagged: Vec<String> = drifts
                .iter()
                .filter(|c| {
                    let new = !seen.contains(&c.signal);
                    seen.push(c.signal);
                    new
                })
                .map(|c| {
                    let after = c.row - start;
                    let how = match c.signal {
                        Signal::Recall => {
                            // Labels of rows start..=row−delay have arrived by row `row`.
                            let arrived = labels
                                .get(start..=c.row.saturating_sub(delay).max(start))
                                .map_or(0, |l| l.iter().filter(|&&y| y != 0).count());
                            format!("{arrived} labelled positives later")
                        }
                        Signal::Precision => "from the labels of its alerts".to_string(),
                        _ => "without labels".to_string(),
                    };
                    format!(
                        "{} at row {} (+{} rows, {how})",
                        c.signal.name(),
                        thousands(c.row),
                        thousands(after)
                    )
                })
                .collect();
            s.push_str(&format!(
                "From row {}: drift on {}.\n",
                thousands(start),
                flagged.join("; ")
            ));
        }
        start = end;
    }
    s
}
