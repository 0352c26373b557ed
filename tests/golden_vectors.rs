//! The firmware's golden vectors, checked on the host through the same no_std crate (portable
//! kernels here), and the portable 4-row kernel against the reference kernel.

use rarewatch::kernels::{block4_dot_portable, block_dot, reference};
use rarewatch::{GoldenVectors, Model, Scratch};

const MODEL: &[u8] = include_bytes!("../examples/firmware/models/model.rwm");
const GOLDEN: &[u8] = include_bytes!("../examples/firmware/models/golden.bin");

#[test]
fn reference_model_reproduces_every_golden_vector() {
    let model = Model::from_bytes(MODEL).expect("reference model loads");
    assert_eq!(model.macs(), 1488);
    assert_eq!(model.scratch_bytes(), 64);
    let golden = GoldenVectors::from_bytes(GOLDEN).expect("golden vectors load");
    assert_eq!(golden.len(), 64);
    let mut scratch = Scratch::<64>::new();
    let mut row = vec![0f32; golden.features()];
    let mut quantized = vec![0i8; golden.features()];
    for (index, vector) in golden.iter().enumerate() {
        vector.copy_features(&mut row);
        let got = model.predict(&row, &mut scratch).expect("predict");
        assert_eq!(got, vector.expected, "golden vector {index}");
        model
            .quantize_features(&row, &mut quantized)
            .expect("quantize");
        let got = model
            .predict_quantized(&quantized, &mut scratch)
            .expect("predict_quantized");
        assert_eq!(got, vector.expected, "golden vector {index}, pre-quantized");
    }
}

#[test]
fn non_finite_feature_is_reported_with_its_index() {
    let model = Model::from_bytes(MODEL).expect("reference model loads");
    let mut scratch = Scratch::<64>::new();
    let mut row = vec![0.5f32; model.features()];
    row[7] = f32::NAN;
    row[9] = f32::INFINITY;
    assert_eq!(
        model.predict(&row, &mut scratch),
        Err(rarewatch::Error::NonFiniteFeature { index: 7 })
    );
}

#[test]
fn portable_and_dispatched_kernels_match_the_reference() {
    let mut state = 0x9E37_79B9u32;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state
    };
    for _ in 0..2000 {
        let rows = 1 + (next() % 4) as usize;
        let len = 4 * (1 + (next() % 16) as usize);
        let extra = (next() % 2) as usize * 4;
        let block: Vec<u8> = (0..rows * (len + extra)).map(|_| next() as u8).collect();
        let input: Vec<i8> = (0..len + extra).map(|_| next() as i8).collect();
        let mut expected = [0i32; 4];
        for sum in &mut expected {
            *sum = (next() as i32) >> 11;
        }
        let mut dispatched = expected;
        reference::block_dot(&block, &input, &mut expected[..rows]);
        block_dot(&block, &input, &mut dispatched[..rows]);
        assert_eq!(dispatched, expected, "{rows} rows, {len} inputs");
        if rows == 4 {
            let biases = [1, -2, 3, -4];
            let mut portable = biases;
            let mut want = biases;
            reference::block_dot(&block, &input, &mut want);
            block4_dot_portable(&block, &input, &mut portable);
            assert_eq!(portable, want, "portable, {len} inputs");
        }
    }
}
