//! Which rows get a label, and when it arrives: a seeded random share of the rows, each
//! label `delay` rows after its row.

use std::collections::VecDeque;

use rarewatch::monitor::Monitor;
use serde::Serialize;

use crate::rng::Rng;

/// What happened to the labels of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LabelCounts {
    /// Rows whose label was chosen to arrive (`label_fraction` of the rows, at random).
    pub selected: u64,
    /// Labels the monitor accepted.
    pub fed: u64,
    /// Labels the monitor refused because their prediction had already left its pending
    /// buffer (the label came more than its capacity, 512 predictions, after the row).
    pub dropped: u64,
    /// Labels still on their way when the stream ended (due after the last row).
    pub undelivered: u64,
}

/// A label on its way: the row it is due after, the prediction's sequence number, the class.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    due: usize,
    seq: u32,
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

    /// After the monitor observed `row` as prediction `seq`: chooses whether its label will
    /// come, and feeds every label due now. Returns whether any label was fed (only then can
    /// the labelled signals change).
    #[inline]
    pub fn after_row<const P: usize, const W: usize>(
        &mut self,
        row: usize,
        seq: u32,
        monitor: &mut Monitor<'_, P, W>,
    ) -> bool {
        let Some(positive) = self.labels.and_then(|l| l.get(row)).map(|&y| y != 0) else {
            return false;
        };
        let selected =
            self.fraction >= 1.0 || (self.fraction > 0.0 && self.rng.uniform() < self.fraction);
        if selected {
            self.counts.selected += 1;
            if self.delay == 0 {
                self.feed(seq, positive, monitor);
                return true;
            }
            self.in_flight.push_back(InFlight {
                due: row.saturating_add(self.delay),
                seq,
                positive,
            });
        }
        let mut fed = false;
        while let Some(label) = self.in_flight.front().copied().filter(|l| l.due <= row) {
            self.in_flight.pop_front();
            self.feed(label.seq, label.positive, monitor);
            fed = true;
        }
        fed
    }

    fn feed<const P: usize, const W: usize>(
        &mut self,
        seq: u32,
        positive: bool,
        monitor: &mut Monitor<'_, P, W>,
    ) {
        // The only refusal a replay can meet is a label older than the pending buffer:
        // sequence numbers are issued here, once each.
        match monitor.label(seq, positive) {
            Ok(()) => self.counts.fed += 1,
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
            feed.after_row(row, seq, &mut monitor);
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
        // Delay 600 > the 512 pending predictions: every delivered label is too old.
        let c = run(&labels, 600, 1.0).0;
        assert_eq!((c.fed, c.dropped, c.undelivered), (0, 9_400, 600));
        // A quarter of the rows, seeded: about 2,500, the same on every run.
        let c = run(&labels, 0, 0.25).0;
        assert!((2_350..2_650).contains(&c.selected), "{c:?}");
        assert_eq!(c, run(&labels, 0, 0.25).0);
        assert_eq!(c.fed, c.selected);
        assert_eq!(run(&labels, 0, 0.0).0, LabelCounts::default());
    }
}
