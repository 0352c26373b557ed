//! The demo's closing story: what F1 at 0.5 would have done, what rarewatch did, and what
//! the monitor saw — in numbers, from the run's own reports.

use crate::report::metrics::{EpochLog, TrainReport};

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
