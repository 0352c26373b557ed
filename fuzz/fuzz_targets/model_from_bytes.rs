//! Any bytes through `Model::from_bytes`; whatever validates is run with `predict`,
//! `predict_quantized` and `probability` on features taken from the rest of the input.
//!
//! Half of the runs wrap the fuzzer's bytes in a valid header (right length and CRC), so the
//! mutations reach the postcard decoder and the validator instead of stopping at the CRC.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rarewatch::format::Header;
use rarewatch::Model;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, data)) = data.split_first() else { return };
    let (model_bytes, feature_bytes) = data.split_at(data.len() * 3 / 4);
    let wrapped;
    let file: &[u8] = if mode & 1 == 0 {
        model_bytes
    } else {
        let Ok(header) = Header::for_payload(model_bytes) else { return };
        wrapped = [&header.to_bytes()[..], model_bytes].concat();
        &wrapped
    };
    let Ok(model) = Model::from_bytes(file) else { return };
    let mut scratch = vec![0i8; model.scratch_bytes()];
    let mut features: Vec<f32> = feature_bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    features.resize(model.features(), 0.25);
    if let Ok(p) = model.predict(&features, &mut scratch) {
        assert_eq!(p.alert, model.decide(p.score));
        let _ = model.probability(p.score);
    }
    let quantized: Vec<i8> = (0..model.features()).map(|i| feature_bytes.get(i).map_or(0, |&b| b as i8)).collect();
    let prediction = model.predict_quantized(&quantized, &mut scratch);
    assert!(prediction.is_ok(), "validated model failed on valid arguments: {prediction:?}");
    assert!(model.predict(&features, &mut scratch[..model.scratch_bytes().saturating_sub(1)]).is_err() || model.scratch_bytes() == 0);
});
