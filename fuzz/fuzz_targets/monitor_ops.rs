//! Any bytes as a sequence of monitor calls on the reference model: predictions with any
//! score, feature rows with any bits (NaN, infinities, subnormals), labels for any sequence
//! number, direct outcomes, snapshots. Nothing may panic; a refused label must leave the
//! monitor exactly as it was; every snapshot must fit the telemetry buffer and decode to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rarewatch::monitor::{Health, Monitor, MonitorConfig, HEALTH_MAX_BYTES};
use rarewatch::{Model, Prediction};

static MODEL: &[u8] = include_bytes!("../../examples/firmware/models/model.rwm");

fuzz_target!(|data: &[u8]| {
    let model = Model::from_bytes(MODEL).expect("the reference model validates");
    // A small pending buffer and window (16 predictions, 32 events) so that the fuzzer's
    // short inputs reach the ring's wrap-around and the too-old labels.
    let mut monitor: Monitor<'_, 1, 1> = Monitor::new(&model, &MonitorConfig::default());
    let mut features = [0f32; 64];
    for op in data.chunks_exact(5) {
        let v = u32::from_le_bytes([op[1], op[2], op[3], op[4]]);
        match op[0] % 6 {
            0 | 1 => {
                let seq = monitor.observe(&Prediction { score: v as i32, alert: op[0] & 0x80 != 0 });
                assert_eq!(seq.wrapping_add(1), monitor.next_seq());
            }
            2 => {
                let n = usize::from(op[0] >> 3) % features.len();
                features[n] = f32::from_bits(v);
                let out = monitor.observe_features(&features[..=n]);
                assert!(out as usize <= n + 1);
            }
            3 => {
                // Mostly recent sequence numbers (low byte: how far back), sometimes any.
                let seq = if op[0] & 0x40 == 0 {
                    monitor.next_seq().wrapping_sub(1 + (v & 0x3f))
                } else {
                    v
                };
                let before = monitor.clone();
                if monitor.label(seq, op[0] & 0x80 != 0).is_err() {
                    assert!(monitor == before, "a refused label changed the monitor");
                }
            }
            4 => monitor.record_outcome(op[0] & 0x40 != 0, op[0] & 0x80 != 0),
            _ => {
                let h = monitor.health();
                let mut buf = [0u8; HEALTH_MAX_BYTES];
                let used = h.to_postcard(&mut buf).expect("a snapshot fits its buffer").len();
                let back: Health = postcard::from_bytes(&buf[..used]).expect("a snapshot decodes");
                // Compare the encodings: a NaN field would make the snapshots unequal.
                let mut again = [0u8; HEALTH_MAX_BYTES];
                let used_again = back.to_postcard(&mut again).unwrap().len();
                assert_eq!(&buf[..used], &again[..used_again]);
            }
        }
    }
});
