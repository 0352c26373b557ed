//! Tests on the shared real datasets (`../shared/datasets` beside the repository). They skip,
//! with a message, when that folder is absent (a fresh clone).
//!
//! The full-pipeline runs take about 15 s (creditcard) and 1 s (mammography) in the test
//! profile: the root Cargo.toml builds this crate and every dependency at opt-level 2 even
//! there.

use rarewatch_trainer::data::read_csv;
use rarewatch_trainer::metrics::average_precision;
use rarewatch_trainer::pipeline::{run, PipelineOptions, Trained};
use rarewatch_trainer::scale::{RobustScaler, DEFAULT_CLIP_QUANTILE};
use rarewatch_trainer::split::{Split, SplitKind};
use rarewatch_trainer::train::{predict_logits, train, Labelled, TrainConfig};
use std::path::PathBuf;

fn dataset(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/datasets")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        println!(
            "skipped: {} not found (shared datasets absent)",
            path.display()
        );
        None
    }
}

#[test]
fn creditcard_reads_every_row_with_quoted_labels() {
    let Some(path) = dataset("creditcard.csv.gz") else {
        return;
    };
    let data = read_csv(&path, "Class").expect("creditcard reads");
    assert_eq!(data.rows(), 284_807);
    assert_eq!(data.positives(), 492);
    assert_eq!(data.features(), 30);
    assert_eq!(data.feature_names[0], "Time");
    assert_eq!(data.feature_names[29], "Amount");
    assert_eq!(data.label_name, "Class");
    // First row: Time 0, V1 -1.3598071336738, Amount 149.62.
    assert_eq!(data.row(0)[0], 0.0);
    assert_eq!(data.row(0)[1], -1.359_807_1_f32);
    assert_eq!(data.row(0)[29], 149.62);
    let split = Split::new(&data.labels, SplitKind::Time).expect("both classes everywhere");
    let c = split.counts(&data.labels);
    assert_eq!(
        (c.train.rows, c.val.rows, c.test.rows),
        (170_884, 56_961, 56_962)
    );
    assert_eq!(c.train.positives + c.val.positives + c.test.positives, 492);
}

#[test]
fn mammography_stratified_beats_logistic_regression() {
    let Some(path) = dataset("mammography.csv") else {
        return;
    };
    let data = read_csv(&path, "label").expect("mammography reads");
    assert_eq!((data.rows(), data.positives()), (11_183, 260));
    let split = Split::new(&data.labels, SplitKind::Stratified { seed: 0 }).expect("split");
    let scaler = RobustScaler::fit(
        &data.features,
        data.features(),
        &split.train,
        DEFAULT_CLIP_QUANTILE,
    );
    let part = |rows: &[usize]| {
        (
            scaler.transform_rows(&data.features, rows),
            rows.iter().map(|&i| data.labels[i]).collect::<Vec<u8>>(),
        )
    };
    let ((tx, ty), (vx, vy), (sx, sy)) = (part(&split.train), part(&split.val), part(&split.test));
    let result = train(
        Labelled { x: &tx, y: &ty },
        Labelled { x: &vx, y: &vy },
        data.features(),
        &TrainConfig::default(),
        &mut |_| {},
    )
    .expect("trains");
    assert_eq!(result.collapse, None);
    let ap = average_precision(&predict_logits(&result.model, &sx), &sy).expect("positives");
    // Logistic regression: 0.558; scikit-learn's MLP collapses to 0.013.
    assert!(ap >= 0.56, "test AP {ap}");
}

/// The whole `train` pipeline (library, default options) on a dataset.
fn pipeline(path: &std::path::Path, label: &str, split: SplitKind) -> Trained {
    let data = read_csv(path, label).expect("dataset reads");
    let options = PipelineOptions {
        split,
        ..PipelineOptions::default()
    };
    let trained = run(&data, &options, &mut |_| {}).expect("pipeline runs");
    // What the pipeline reports is what the file holds.
    {
        let model = rarewatch::Model::from_bytes(&trained.model_bytes).expect("valid model file");
        assert_eq!(model.decision().threshold, trained.report.threshold.score);
        assert_eq!(model.features(), data.features());
    }
    assert_eq!(trained.report.model_bytes, trained.model_bytes.len());
    trained
}

#[test]
fn creditcard_time_split_full_pipeline() {
    let Some(path) = dataset("creditcard.csv.gz") else {
        return;
    };
    let trained = pipeline(&path, "Class", SplitKind::Time);
    let r = &trained.report;
    let (int8, float) = (&r.int8.test, &r.float.test);
    let ap = int8.ap.expect("test positives");
    let float_ap = float.ap.expect("test positives");
    println!(
        "creditcard: int8 test AP {ap:.4} F1 {:.4}, float test AP {float_ap:.4}, {} epochs",
        int8.f1,
        r.epochs.len()
    );
    assert_eq!((int8.rows, int8.positives), (56_962, 75));
    // PyTorch's MLP: test AP 0.792-0.802, F1 0.794-0.806 (ANCHORS.md).
    assert!(ap >= 0.80, "int8 test AP {ap}");
    assert!(int8.f1 >= 0.78, "int8 test F1 {}", int8.f1);
    assert!(
        (ap - float_ap).abs() <= 0.01,
        "int8 {ap} vs float {float_ap} test AP"
    );
    assert_eq!(r.threshold.objective, "f1");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn mammography_stratified_full_pipeline() {
    let Some(path) = dataset("mammography.csv") else {
        return;
    };
    let trained = pipeline(&path, "label", SplitKind::Stratified { seed: 0 });
    let r = &trained.report;
    let ap = r.int8.test.ap.expect("test positives");
    println!(
        "mammography: int8 test AP {ap:.4} F1 {:.4}, float test AP {:.4}",
        r.int8.test.f1,
        r.float.test.ap.unwrap_or(f64::NAN)
    );
    assert_eq!((r.split.test.rows, r.split.test.positives), (2236, 52));
    // Logistic regression: 0.558; scikit-learn's MLP collapses to 0.013.
    assert!(ap >= 0.56, "int8 test AP {ap}");
}
