//! The firmware's committed model and golden vectors are exactly what the host produces now:
//! if the format, quantizer or kernels change, this fails until they are regenerated with
//! `cargo run -p rarewatch-trainer --example reference_model -- examples/firmware/models`.

use rarewatch::{GoldenVectors, Model};

#[test]
fn committed_reference_files_are_current() {
    let (model, golden) = rarewatch_trainer::reference_model::files();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/firmware/models");
    let committed_model = std::fs::read(dir.join("model.rwm")).unwrap();
    let committed_golden = std::fs::read(dir.join("golden.bin")).unwrap();
    assert!(
        committed_model == model,
        "examples/firmware/models/model.rwm is stale: regenerate it"
    );
    assert!(
        committed_golden == golden,
        "examples/firmware/models/golden.bin is stale: regenerate it"
    );
}

#[test]
fn reference_model_has_the_benchmark_shape() {
    let (bytes, golden) = rarewatch_trainer::reference_model::files();
    let model = Model::from_bytes(&bytes).unwrap();
    assert_eq!(model.macs(), 30 * 32 + 32 * 16 + 16);
    assert_eq!(model.macs(), 1_488);
    assert_eq!(model.scratch_bytes(), 64);
    let golden = GoldenVectors::from_bytes(&golden).unwrap();
    assert_eq!(golden.len(), 64);
    // The golden rows exercise both decisions, and the host agrees with itself.
    let alerts = golden.iter().filter(|g| g.expected.alert).count();
    assert!(alerts > 0 && alerts < 64, "{alerts} alerts of 64");
    let mut scratch = [0i8; 64];
    let mut x = [0f32; 30];
    for g in golden.iter() {
        g.copy_features(&mut x);
        assert_eq!(model.predict(&x, &mut scratch).unwrap(), g.expected);
    }
}
