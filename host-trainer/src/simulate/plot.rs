//! Charts of a run over the rows: each signal's statistic against its drift level, and the
//! labelled and estimated precision and recall.

use rarewatch::monitor::{Signal, SignalState};

use super::{Simulation, TracePoint};
use crate::report::svg::{Chart, Series, Style, VLine};

/// A colour per signal, in [`Signal::ALL`] order.
const SIGNAL_COLORS: [&str; 6] = [
    "#d62728", "#9467bd", "#1f77b4", "#ff7f0e", "#2ca02c", "#8c564b",
];
const GREY: &str = "#555555";

fn color(signal: Signal) -> &'static str {
    Signal::ALL
        .iter()
        .position(|&s| s == signal)
        .and_then(|k| SIGNAL_COLORS.get(k))
        .copied()
        .unwrap_or(GREY)
}

/// `signals.svg` and `performance.svg` of a run.
pub fn charts(simulation: &Simulation) -> (String, String) {
    (
        signals(simulation).to_svg(),
        performance(simulation).to_svg(),
    )
}

/// Each tested signal's statistic divided by its drift level (1 = drift), with a rule at each
/// signal's first drift.
pub fn signals(simulation: &Simulation) -> Chart {
    let trace = &simulation.trace;
    let summary = &simulation.summary;
    let last_row = trace.last().map_or(1.0, |p| p.rows as f64);
    let mut series = Vec::new();
    let mut vlines = Vec::new();
    for signal in Signal::ALL {
        if summary.untested.contains(&signal) {
            continue;
        }
        let drift = summary.levels.get(signal).drift;
        series.push(Series {
            name: signal.name().replace('_', " "),
            color: color(signal),
            style: Style::Line,
            points: trace
                .iter()
                .map(|p| (p.rows as f64, f64::from(p.statistics.get(signal) / drift)))
                .collect(),
        });
        if let Some(row) = summary.first_drift.get(signal) {
            vlines.push(VLine {
                x: row as f64,
                label: format!("{} drift", signal.name().replace('_', " ")),
                color: color(signal),
            });
        }
    }
    series.push(Series {
        name: "drift level".into(),
        color: GREY,
        style: Style::Dashed,
        points: vec![(0.0, 1.0), (last_row, 1.0)],
    });
    Chart {
        title: "Monitor signals over the stream".into(),
        x_label: "rows observed".into(),
        y_label: "statistic / drift level".into(),
        x_range: Some((0.0, last_row.max(1.0))),
        series,
        vlines,
        ..Chart::default()
    }
}

/// Precision and recall over the stream: from the labels (the monitor's windows) and
/// estimated without labels, with the baseline values dashed.
pub fn performance(simulation: &Simulation) -> Chart {
    let trace = &simulation.trace;
    let health = &simulation.summary.health;
    let last_row = trace.last().map_or(1.0, |p| p.rows as f64);
    let line = |f: fn(&TracePoint) -> Option<f32>| -> Vec<(f64, f64)> {
        trace
            .iter()
            .filter_map(|p| f(p).map(|v| (p.rows as f64, f64::from(v))))
            .collect()
    };
    let flat = |v: f32| vec![(0.0, f64::from(v)), (last_row, f64::from(v))];
    let mut series = vec![
        Series {
            name: "recall (labels)".into(),
            color: color(Signal::Recall),
            style: Style::Line,
            points: line(|p| p.recall_window),
        },
        Series {
            name: "precision (labels)".into(),
            color: color(Signal::Precision),
            style: Style::Line,
            points: line(|p| p.precision_window),
        },
    ];
    if simulation.summary.initial_states.estimated != SignalState::Unknown {
        series.push(Series {
            name: "recall (estimated)".into(),
            color: "#e377c2",
            style: Style::Line,
            points: line(|p| Some(p.estimated_recall)),
        });
        series.push(Series {
            name: "precision (estimated)".into(),
            color: "#17becf",
            style: Style::Line,
            points: line(|p| Some(p.estimated_precision)),
        });
    }
    series.push(Series {
        name: "baseline recall".into(),
        color: color(Signal::Recall),
        style: Style::Dashed,
        points: flat(health.recall.baseline),
    });
    series.push(Series {
        name: "baseline precision".into(),
        color: color(Signal::Precision),
        style: Style::Dashed,
        points: flat(health.precision.baseline),
    });
    Chart {
        title: "Precision and recall over the stream".into(),
        x_label: "rows observed".into(),
        y_label: "value".into(),
        x_range: Some((0.0, last_row.max(1.0))),
        y_range: Some((0.0, 1.02)),
        series,
        ..Chart::default()
    }
}
