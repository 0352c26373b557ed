//! The monitor under arbitrary sequences of calls — any score, any feature values (NaN and
//! infinities too), labels for predictions that are unknown, too old, already labelled or
//! from the future — checked against a plain reference of what it must have counted: it
//! never panics, a refused label changes nothing, every accepted label lands in the right
//! stream, and the telemetry message always fits its buffer and decodes to the same snapshot.

mod common;

use common::rare_event_model_bytes;
use proptest::prelude::*;
use rarewatch::monitor::{Health, Monitor, MonitorConfig, HEALTH_MAX_BYTES};
use rarewatch::{Error, Model, Prediction};

/// Predictions the default monitor holds for labelling (`PENDING_WORDS` = 32, 2 bits each).
const PENDING: u32 = 512;
/// Labelled events in the default monitor's windows (`WINDOW_WORDS` = 2).
const WINDOW: u32 = 64;

#[derive(Debug, Clone)]
enum Op {
    Observe {
        score: i32,
        alert: bool,
    },
    Features(Vec<f32>),
    /// A label for the prediction `back` predictions before the next one (0: the latest).
    LabelRecent {
        back: u32,
        positive: bool,
    },
    /// A label for an arbitrary sequence number (mostly unknown: from the future).
    LabelAny {
        seq: u32,
        positive: bool,
    },
    Outcome {
        alert: bool,
        positive: bool,
    },
}

fn feature() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -10.0f32..10.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => any::<f32>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let score = prop_oneof![
        8 => -400i32..400,
        1 => Just(i32::MIN),
        1 => Just(i32::MAX),
        1 => any::<i32>(),
    ];
    prop_oneof![
        12 => (score, prop::bool::weighted(0.2)).prop_map(|(score, alert)| Op::Observe { score, alert }),
        3 => prop::collection::vec(feature(), 0..7).prop_map(Op::Features),
        4 => (0u32..700, any::<bool>()).prop_map(|(back, positive)| Op::LabelRecent { back, positive }),
        1 => (any::<u32>(), any::<bool>()).prop_map(|(seq, positive)| Op::LabelAny { seq, positive }),
        1 => (any::<bool>(), any::<bool>()).prop_map(|(alert, positive)| Op::Outcome { alert, positive }),
    ]
}

/// What the monitor must have counted.
#[derive(Default)]
struct Reference {
    /// Each observed prediction's alert and whether it has been labelled.
    predictions: Vec<(bool, bool)>,
    labels: u32,
    /// (caught, labelled positives), (true, labelled alerts).
    recall: (u32, u32),
    precision: (u32, u32),
}

impl Reference {
    /// The monitor's answer to a label for `seq`, by the documented rules.
    fn label(&mut self, seq: u32, positive: bool) -> Result<(), Error> {
        let next = self.predictions.len() as u32;
        let age = next.wrapping_sub(seq);
        if age == 0 || age > u32::MAX / 2 {
            return Err(Error::LabelUnknown { seq });
        }
        let held = next.min(PENDING);
        if age > held {
            return Err(Error::LabelTooOld {
                seq,
                oldest: next - held,
            });
        }
        let (alert, labelled) = &mut self.predictions[seq as usize];
        if *labelled {
            return Err(Error::LabelDuplicate { seq });
        }
        *labelled = true;
        let alert = *alert;
        self.outcome(alert, positive);
        Ok(())
    }

    fn outcome(&mut self, alert: bool, positive: bool) {
        self.labels += 1;
        if positive {
            self.recall.0 += u32::from(alert);
            self.recall.1 += 1;
        }
        if alert {
            self.precision.0 += u32::from(positive);
            self.precision.1 += 1;
        }
    }
}

/// Every float of the snapshot is finite (a NaN would also break the decode comparison).
fn floats(h: &Health) -> [f32; 23] {
    let (r, p, a, e) = (&h.recall, &h.precision, &h.alert_rate, &h.estimated);
    [
        r.window.value,
        r.window.lo,
        r.window.hi,
        r.cumulative.value,
        r.faded,
        r.cusum,
        p.window.value,
        p.window.lo,
        p.window.hi,
        p.cumulative.value,
        p.faded,
        p.cusum,
        h.f1,
        a.observed.value,
        a.expected,
        a.cusum_up,
        a.cusum_down,
        h.score.psi,
        e.precision,
        e.recall,
        e.prevalence,
        r.baseline,
        p.baseline,
    ]
}

/// Labels prediction `seq` on both; the monitor must answer as the reference does and, when
/// it refuses, stay exactly as it was.
fn check_label(
    m: &mut Monitor<'_>,
    reference: &mut Reference,
    seq: u32,
    positive: bool,
) -> Result<(), TestCaseError> {
    let before = m.clone();
    let got = m.label(seq, positive);
    prop_assert_eq!(got, reference.label(seq, positive));
    if got.is_err() {
        prop_assert!(*m == before, "a refused label changed the monitor");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_call_sequence_keeps_the_books(ops in prop::collection::vec(op(), 0..1500)) {
        let bytes = rare_event_model_bytes();
        let model = Model::from_bytes(&bytes).unwrap();
        let mut m: Monitor = Monitor::new(&model, &MonitorConfig::default());
        let mut reference = Reference::default();
        for op in ops {
            match op {
                Op::Observe { score, alert } => {
                    let seq = m.observe(&Prediction { score, alert });
                    prop_assert_eq!(seq as usize, reference.predictions.len());
                    reference.predictions.push((alert, false));
                }
                Op::Features(x) => {
                    let out = m.observe_features(&x);
                    prop_assert!(out as usize <= x.len().min(4));
                    let bad = x.iter().take(4).filter(|v| !v.is_finite()).count();
                    prop_assert!(out as usize >= bad, "{} non-finite, {} out of range", bad, out);
                }
                Op::LabelRecent { back, positive } => {
                    let seq = m.next_seq().wrapping_sub(1).wrapping_sub(back);
                    check_label(&mut m, &mut reference, seq, positive)?;
                }
                Op::LabelAny { seq, positive } => check_label(&mut m, &mut reference, seq, positive)?,
                Op::Outcome { alert, positive } => {
                    m.record_outcome(alert, positive);
                    reference.outcome(alert, positive);
                }
            }
        }
        let h = m.health();
        prop_assert_eq!(h.rows as usize, reference.predictions.len());
        prop_assert_eq!(h.labels, reference.labels);
        for (stream, (successes, trials)) in [(&h.recall, reference.recall), (&h.precision, reference.precision)] {
            prop_assert_eq!(stream.cumulative.trials, trials);
            prop_assert_eq!(stream.window.trials, trials.min(WINDOW));
            if trials > 0 {
                let counted = stream.cumulative.value * trials as f32;
                prop_assert!((counted - successes as f32).abs() < 0.01, "{} vs {}", counted, successes);
            }
            prop_assert!(stream.window.lo <= stream.window.value && stream.window.value <= stream.window.hi);
        }
        for (i, v) in floats(&h).iter().enumerate() {
            prop_assert!(v.is_finite(), "float {} of the snapshot is {}", i, v);
        }
        let mut buf = [0u8; HEALTH_MAX_BYTES];
        let used = h.to_postcard(&mut buf).unwrap().len();
        let back: Health = postcard::from_bytes(&buf[..used]).unwrap();
        prop_assert_eq!(back, h);
    }
}
