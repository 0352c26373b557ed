//! Which rows get a label, and when it arrives: a seeded random share of the rows, each
//! label `delay` rows after its row.
//!
//! A label that arrives within the monitor's pending buffer (512 predictions) goes through
//! [`Monitor::label`] by sequence number. One that arrives later — a chargeback weeks after
//! the payment — is recorded with [`Monitor::record_outcome`] and the decision the replay
//! kept, as a device does that stores its decision with the transaction.

use std::collections::VecDeque;

use rarewatch::monitor::Monitor;
use serde::Serialize;

use crate::rng::Rng;

/// What happened to the labels of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LabelCounts {
    /// Rows whose label was chosen to arrive (`label_fraction` of the rows, at random).
    pub selected: u64,
    /// Labels the monitor accepted by sequence number ([`Monitor::label`]).
    pub fed: u64,
    /// Labels that came after their prediction left the pending buffer (more than 512
    /// predictions after the row), recorded with the kept decision
    /// ([`Monitor::record_outcome`]).
    pub late: u64,
    /// Labels the monitor refused otherwise (none in a replay: sequence numbers are issued
    /// once each).
    pub dropped: u64,
    /// Labels still on their way when the stream ended (due after the last row).
    pub undelivered: u64,
}

/// A label on its way: the row it is due after, the prediction's sequence number and
/// decision, the class.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    due: usize,
    seq: u32,
    alert: bool,
    positive: bool,
}

/// Chooses the labelled rows and delivers their labels to the monitor after the delay.
#[derive(Debug, Clone)]
pub struct LabelFeed<'a> {
    labels: Option<&'a [u8]>,
    delay: usize,
    fraction: f64,
    rng: Rng,
    in_flight: VecDeque<InFlight>,
    counts: LabelCounts,
}

impl<'a> LabelFeed<'a> {
    /// Labels from `labels` (0/1 per row; `None`: no labels at all), for a `fraction` of the
    /// rows chosen with `seed`, each arriving `delay` rows after its row (0: right after it).
    pub fn new(labels: Option<&'a [u8]>, delay: usize, fraction: f64, seed: u64) -> Self {
        LabelFeed {
            labels,
            delay,
            fraction,
            rng: Rng::new(seed),
            in_flight: VecDeque::new(),
            counts: LabelCounts::default(),
        }
    }

    /// After the monitor observed `row` as prediction `seq` with decision `alert`: chooses
    /// whether its label will come, and feeds every label due now. Returns whether any label
    /// was fed (only then can the labelled signals change).
    #[inline]
    pub fn after_row<const P: usize, const W: usize>(
        &mut self,
        row: usize,
        seq: u32,
        alert: bool,
        monitor: &mut Monitor<'_, P, W>,
    ) -> bool {
        let Some(positive) = self.labels.and_then(|l| l.get(row)).map(|&y| y != 0) else {
            return false;
        };
        let selected =
            self.fraction >= 1.0 || (self.fraction > 0.0 && self.rng.uniform() < self.fraction);
        if selected {
            self.counts.selected += 1;
            let label = InFlight {
                due: row.saturating_add(self.delay),
                seq,
                alert,
                positive,
            };
            if self.delay == 0 {
                self.feed(label, monitor);
                return true;
            }
            self.in_flight.push_back(label);
        }
        let mut fed = false;
        while let Some(label) = self.in_flight.front().copied().filter(|l| l.due <= row) {
            self.in_flight.pop_front();
            self.feed(label, monitor);
            fed = true;
        }
        fed
    }

    fn feed<const P: usize, const W: usize>(
        &mut self,
        label: InFlight,
        monitor: &mut Monitor<'_, P, W>,
    ) {
        match monitor.label(label.seq, label.positive) {
            Ok(()) => self.counts.fed += 1,
            Err(rarewatch::Error::LabelTooOld { .. }) => {
                monitor.record_outcome(label.alert, label.positive);
                self.counts.late += 1;
            }
            Err(_) => self.counts.dropped += 1,
        }
    }

    /// Counts so far, with the labels still in flight as undelivered.
    pub fn counts(&self) -> LabelCounts {
        LabelCounts {
            undelivered: self.in_flight.len() as u64,
            ..self.counts
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rarewatch::monitor::MonitorConfig;
    use rarewatch::Prediction;

    fn run(labels: &[u8], delay: usize, fraction: f64) -> (LabelCounts, u32) {
        let (bytes, _) = crate::reference_model::files();
        let model = rarewatch::Model::from_bytes(&bytes).expect("valid");
        let mut monitor: Monitor = Monitor::new(&model, &MonitorConfig::default());
        let mut feed = LabelFeed::new(Some(labels), delay, fraction, 7);
        for row in 0..labels.len() {
            let seq = monitor.observe(&Prediction {
                score: 0,
                alert: false,
            });
            feed.after_row(row, seq, false, &mut monitor);
        }
        (feed.counts(), monitor.health().labels)
    }

    #[test]
    fn delay_and_fraction_decide_what_arrives() {
        let labels = vec![0u8; 10_000];
        let (c, fed) = run(&labels, 0, 1.0);
        assert_eq!(
            (c.selected, c.fed, c.dropped, c.undelivered),
            (10_000, 10_000, 0, 0)
        );
        assert_eq!(fed, 10_000);
        // Delay 100: the last 100 labels are still in flight at the end.
        let c = run(&labels, 100, 1.0).0;
        assert_eq!((c.fed, c.dropped, c.undelivered), (9_900, 0, 100));
        // Delay 600 > the 512 pending predictions: every delivered label is recorded late.
        let (c, fed) = run(&labels, 600, 1.0);
        assert_eq!(
            (c.fed, c.late, c.dropped, c.undelivered),
            (0, 9_400, 0, 600)
        );
        assert_eq!(fed, 9_400, "late outcomes reach the monitor");
        // A quarter of the rows, seeded: about 2,500, the same on every run.
        let c = run(&labels, 0, 0.25).0;
        assert!((2_350..2_650).contains(&c.selected), "{c:?}");
        assert_eq!(c, run(&labels, 0, 0.25).0);
        assert_eq!(c.fed, c.selected);
        assert_eq!(run(&labels, 0, 0.0).0, LabelCounts::default());
    }
}
