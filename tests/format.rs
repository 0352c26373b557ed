//! The model file: header bytes, the full encoding of a tiny model, round trips, and a
//! precise error for every way a file can be wrong.

mod common;

use common::{random_model, OwnedTables, PlainLayer, PlainModel, TestRng};
use proptest::prelude::*;
use rarewatch::format::{Header, HEADER_LEN, MAGIC, VERSION};
use rarewatch::{crc32, Error, Model};

fn tiny() -> PlainModel {
    PlainModel {
        affine: vec![(1.0, 128.5), (2.0, 100.0)],
        layers: vec![PlainLayer {
            inputs: 2,
            outputs: 1,
            weights: vec![3, -2],
            bias: vec![5],
            multiplier: vec![0],
            shift: vec![0],
            zero_point: 0,
            relu: false,
        }],
        threshold: 10,
        names: "a\nb".into(),
    }
}

/// Re-encodes `tables` after `edit`, bypassing the writer's validation: header + postcard.
fn raw_file<'a>(
    tables: &'a OwnedTables,
    edit: impl FnOnce(&mut rarewatch::ModelRepr<'a>),
) -> Vec<u8> {
    let mut repr = tables.repr();
    edit(&mut repr);
    let mut payload = vec![0u8; 1 << 16];
    let len = postcard::to_slice(&repr, &mut payload).unwrap().len();
    payload.truncate(len);
    with_header(&payload)
}

fn with_header(payload: &[u8]) -> Vec<u8> {
    let mut file = Header::for_payload(payload).unwrap().to_bytes().to_vec();
    file.extend_from_slice(payload);
    file
}

#[test]
fn header_bytes_are_pinned() {
    let header = Header {
        version: 1,
        flags: 0,
        payload_len: 0x0102,
        crc: 0xA1B2_C3D4,
    };
    assert_eq!(
        header.to_bytes(),
        [b'R', b'W', b'M', b'F', 1, 0, 0, 0, 0x02, 0x01, 0, 0, 0xD4, 0xC3, 0xB2, 0xA1]
    );
    assert_eq!(MAGIC, *b"RWMF");
    assert_eq!(VERSION, 1);
}

#[test]
fn tiny_model_file_is_pinned() {
    let bytes = tiny().tables().encode();
    #[rustfmt::skip]
    let payload: &[u8] = &[
        2,                                  // features
        16, 0, 0, 128, 63, 0, 128, 0, 67,   // affine: len 16, mul 1.0, add 128.5 …
        0, 0, 0, 64, 0, 0, 200, 66,         // … mul 2.0, add 100.0
        3, b'a', b'\n', b'b',               // names
        1,                                  // one layer
        2, 1,                               // inputs 2, outputs 1
        4, 3, 254, 0, 0,                    // weights, padded to 4
        9, 5, 0, 0, 0, 0, 0, 0, 0, 0,       // channel: bias 5, multiplier 0, shift 0
        0, 0,                               // zero point, relu
        20,                                 // threshold 10 (zigzag)
        10, 215, 35, 60,                    // logit scale 0.01
        0, 0, 128, 63, 0, 0, 0, 191,        // platt a 1.0, b −0.5
        10, 3, 4, 2,                        // rows, positives, alerts, true alerts
        12, 156, 255, 255, 255, 0, 0, 0, 0, 100, 0, 0, 0, // score edges −100, 0, 100
        16, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, // score counts
        16, 0, 0, 128, 191, 0, 0, 128, 63, 0, 0, 128, 191, 0, 0, 128, 63, // ranges
    ];
    assert_eq!(&bytes[HEADER_LEN..], payload);
    assert_eq!(bytes[..4], *b"RWMF");
    assert_eq!(
        u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize,
        payload.len()
    );
    assert_eq!(
        u32::from_le_bytes(bytes[12..16].try_into().unwrap()),
        crc32(payload)
    );
}

#[test]
fn round_trip_keeps_every_field() {
    let mut rng = TestRng(42);
    for hidden in [&[][..], &[4], &[32, 16], &[4, 8, 12]] {
        let plain = random_model(&mut rng, 30, hidden);
        let tables = plain.tables();
        let bytes = tables.encode();
        let model = Model::from_bytes(&bytes).unwrap();
        assert_eq!(model.repr(), &tables.repr());
        assert_eq!(model.features(), 30);
        assert_eq!(model.layers().len(), hidden.len() + 1);
        assert_eq!(model.feature_names().count(), 30);
        assert_eq!(model.feature_names().nth(3), Some("x3"));
        // The view borrows the file: no table is copied.
        let weights = model.layers()[0].weights;
        assert!(bytes.as_ptr_range().contains(&weights.as_ptr()));
    }
}

#[test]
fn flash_padding_after_the_payload_is_ignored() {
    let mut bytes = tiny().tables().encode();
    bytes.extend_from_slice(&[0xFF; 64]);
    assert!(Model::from_bytes(&bytes).is_ok());
}

#[test]
fn header_errors() {
    let good = tiny().tables().encode();
    assert_eq!(
        Model::from_bytes(&good[..10]),
        Err(Error::Truncated {
            needed: 16,
            available: 10
        })
    );
    let mut bad = good.clone();
    bad[0] = b'X';
    assert_eq!(Model::from_bytes(&bad), Err(Error::BadMagic));
    let mut bad = good.clone();
    bad[4] = 2;
    assert_eq!(
        Model::from_bytes(&bad),
        Err(Error::UnsupportedVersion { found: 2 })
    );
    let mut bad = good.clone();
    bad[6] = 1;
    assert_eq!(
        Model::from_bytes(&bad),
        Err(Error::UnsupportedFlags { found: 1 })
    );
    let cut = good.len() - 1;
    assert_eq!(
        Model::from_bytes(&good[..cut]),
        Err(Error::Truncated {
            needed: good.len(),
            available: cut
        })
    );
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x40;
    assert!(matches!(Model::from_bytes(&bad), Err(Error::BadCrc { .. })));
}

#[test]
fn payload_errors() {
    assert_eq!(
        Model::from_bytes(&with_header(&[0xFF; 8])),
        Err(Error::Malformed)
    );
    let tables = tiny().tables();
    let mut payload = tables.encode()[HEADER_LEN..].to_vec();
    payload.push(0);
    assert_eq!(
        Model::from_bytes(&with_header(&payload)),
        Err(Error::TrailingBytes { count: 1 })
    );
}

/// Validation result of `tables` with one edit applied to its description.
macro_rules! check {
    ($tables:expr, $edit:expr) => {
        Model::from_bytes(&raw_file($tables, $edit)).map(|_| ())
    };
}

#[test]
fn validation_errors() {
    let mut rng = TestRng(5);
    let tables = random_model(&mut rng, 3, &[4]).tables();
    let nan = f32::NAN.to_le_bytes();
    let nan_affine: Vec<u8> = nan
        .iter()
        .chain(&[0u8; 4])
        .chain(&[0u8; 16])
        .copied()
        .collect();
    let reversed: Vec<u8> = [1.0f32, -1.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .chain([0u8; 16])
        .collect();
    let big_bias: Vec<u8> = [i32::MAX.to_le_bytes(), [0; 4]]
        .concat()
        .into_iter()
        .chain([0u8])
        .collect();
    let bad_shift: Vec<u8> = {
        let mut c = tables.layers[0].3.clone();
        c[8] = 31;
        c
    };
    let negative_multiplier: Vec<u8> = {
        let mut c = tables.layers[0].3.clone();
        c[4..8].copy_from_slice(&(-5i32).to_le_bytes());
        c
    };
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r
            .input
            .features =
            0),
        Err(Error::NoFeatures)
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.input.affine =
            &r.input.affine[..16]),
        Err(Error::FeatureTableLength {
            table: "input affine",
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.input.affine =
            &nan_affine),
        Err(Error::InvalidFeatureParameter { feature: 0 })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.input.names =
            b"a\nb"),
        Err(Error::FeatureTableLength {
            table: "feature names",
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers.clear()),
        Err(Error::NoLayers)
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[1]
            .inputs = 3),
        Err(Error::DimensionMismatch { layer: 1 })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[0]
            .weights =
            &r.layers[0].weights[1..]),
        Err(Error::LayerTableLength {
            layer: 0,
            expected: 16,
            found: 15
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[0]
            .channels =
            &r.layers[0].channels[..9]),
        Err(Error::LayerTableLength {
            layer: 0,
            expected: 36,
            found: 9
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[0]
            .channels =
            &bad_shift),
        Err(Error::RequantizationOutOfRange {
            layer: 0,
            channel: 0
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[0]
            .channels =
            &negative_multiplier),
        Err(Error::RequantizationOutOfRange {
            layer: 0,
            channel: 0
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[1]
            .channels =
            &big_bias),
        Err(Error::AccumulatorOverflow {
            layer: 1,
            channel: 0
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r.layers[1]
            .relu = true),
        Err(Error::BadOutputLayer)
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r
            .decision
            .platt_a =
            f32::INFINITY),
        Err(Error::InvalidCalibration)
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r
            .baseline
            .true_alerts =
            4),
        Err(Error::InvalidBaseline {
            reason: "more true alerts than alerts or positives"
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r
            .baseline
            .score_edges =
            &r.baseline.score_edges[..8]),
        Err(Error::InvalidBaseline {
            reason: "score edges are not one fewer than score bins"
        })
    );
    assert_eq!(
        check!(&tables, |r: &mut rarewatch::ModelRepr<'_>| r
            .baseline
            .feature_ranges =
            &reversed[..24]),
        Err(Error::InvalidFeatureParameter { feature: 0 })
    );
    // The writer refuses what the reader would refuse.
    let mut repr = tables.repr();
    repr.layers[1].relu = true;
    assert_eq!(repr.encode(&mut [0u8; 4096]), Err(Error::BadOutputLayer));
}

#[test]
fn hidden_widths_are_whole_blocks() {
    let mut plain = random_model(&mut TestRng(8), 3, &[4]);
    // Drop the hidden layer to 3 channels (and the output layer's matching input).
    let hidden = &mut plain.layers[0];
    hidden.outputs = 3;
    hidden.weights.truncate(3 * 3);
    hidden.bias.truncate(3);
    hidden.multiplier.truncate(3);
    hidden.shift.truncate(3);
    let output = &mut plain.layers[1];
    output.inputs = 3;
    output.weights.truncate(3);
    let tables = plain.tables();
    assert_eq!(
        Model::from_bytes(&raw_file(&tables, |_| {})).map(|_| ()),
        Err(Error::HiddenWidth { layer: 0 })
    );
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = random_model(&mut TestRng(11), 30, &[32, 16])
        .tables()
        .encode();
    for len in 0..bytes.len() {
        assert!(
            Model::from_bytes(&bytes[..len]).is_err(),
            "prefix of {len} bytes accepted"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Random payload edits under a *valid* CRC reach the validator; whatever it accepts is
    /// safe to run. Nothing panics.
    #[test]
    fn edited_payloads_never_panic(seed in any::<u64>(), edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let bytes = random_model(&mut TestRng(seed | 1), 7, &[8]).tables().encode();
        let mut payload = bytes[HEADER_LEN..].to_vec();
        for (at, value) in edits {
            let i = at % payload.len();
            payload[i] = value;
        }
        let file = with_header(&payload);
        if let Ok(model) = Model::from_bytes(&file) {
            let mut scratch = vec![0i8; model.scratch_bytes()];
            let x = vec![0.5f32; model.features()];
            prop_assert!(model.predict(&x, &mut scratch).is_ok());
            let _ = model.probability(i32::MAX);
        };
    }

    /// Arbitrary bytes behind a valid header never panic.
    #[test]
    fn random_payloads_never_panic(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Model::from_bytes(&with_header(&payload));
    }
}
