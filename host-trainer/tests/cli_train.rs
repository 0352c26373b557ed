//! `rarewatch train`, `eval` and `inspect` on good input, through the built binary:
//! reproducibility, the threshold objectives, and the agreement of `eval` and `inspect` with
//! `metrics.json`.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{
    assert_clean_error, assert_success, csv, gzip, int8_scores, metrics, number, rarewatch, stdout,
    synthetic, temp_dir, train, write, CsvStyle, Table, LABEL,
};
use rarewatch_trainer::metrics::{f_beta, pr_curve, PrPoint};
use rarewatch_trainer::split::{Split, SplitKind};
use serde_json::Value;

/// Trains on `table` (written as `data.csv` in `dir`) with `extra` arguments and a report
/// folder; returns the model's bytes and `metrics.json`.
fn train_table(dir: &Path, name: &str, table: &Table, extra: &[&str]) -> (Vec<u8>, Value, PathBuf) {
    let data = dir.join("data.csv");
    if !data.exists() {
        write(dir, "data.csv", csv(table, CsvStyle::default()));
    }
    let model = dir.join(format!("{name}.rwm"));
    let report = dir.join(format!("{name}-report"));
    assert_success(&train(&data, LABEL, &model, Some(&report), extra));
    let bytes = std::fs::read(&model).expect("model written");
    (bytes, metrics(&report), report)
}

/// `metrics.json` without its wall-clock fields.
fn without_timing(mut m: Value) -> Value {
    m.as_object_mut().expect("object").remove("train_seconds");
    for epoch in m["epochs"].as_array_mut().expect("epochs") {
        epoch.as_object_mut().expect("epoch").remove("seconds");
    }
    m
}

#[test]
fn same_seed_gives_the_same_model_and_report() {
    let t = synthetic(3000, 21);
    let dir = temp_dir();
    let args = ["--split", "stratified", "--seed", "7"];
    let (a, ma, ra) = train_table(dir.path(), "a", &t, &args);
    // The same run on one worker thread: the thread count must not change a bit either.
    let (b, mb, rb) = train_table(
        dir.path(),
        "b",
        &t,
        &["--split", "stratified", "--seed", "7", "--threads", "1"],
    );
    assert_eq!(a, b, "model files differ");
    assert!(ma["train_seconds"].is_f64() && ma["epochs"][0]["seconds"].is_f64());
    assert_eq!(without_timing(ma.clone()), without_timing(mb));
    let golden = |r: &Path| std::fs::read(r.join("golden.bin")).expect("golden vectors");
    assert_eq!(golden(&ra), golden(&rb));
    assert_eq!(ma["split"]["kind"], "stratified");
    assert_eq!(ma["split"]["seed"], 7);
    assert_eq!(ma["model_bytes"], a.len());
    // Another seed: other initial weights and batches, so another model.
    let (c, _, _) = train_table(
        dir.path(),
        "c",
        &t,
        &["--split", "stratified", "--seed", "8"],
    );
    assert_ne!(a, c);
}

/// Row indices of the table by the exact bits of their features.
fn row_index(table: &Table) -> HashMap<Vec<u32>, usize> {
    let index: HashMap<Vec<u32>, usize> = table
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.iter().map(|v| v.to_bits()).collect(), i))
        .collect();
    assert_eq!(index.len(), table.rows.len(), "rows are distinct");
    index
}

/// The table rows the golden vectors of a report hold (the trainer picks them from the test
/// part).
fn golden_rows(report: &Path, index: &HashMap<Vec<u32>, usize>) -> Vec<usize> {
    let bytes = std::fs::read(report.join("golden.bin")).expect("golden vectors");
    let golden = rarewatch::golden::GoldenVectors::from_bytes(&bytes).expect("valid golden file");
    assert!(golden.len() >= 32, "{} golden rows", golden.len());
    golden
        .iter()
        .map(|g| {
            let bits: Vec<u32> = g.features().map(f32::to_bits).collect();
            *index
                .get(&bits)
                .expect("a golden row is a row of the table")
        })
        .collect()
}

#[test]
fn another_seed_gives_another_stratified_split() {
    let t = synthetic(3000, 22);
    let index = row_index(&t);
    let dir = temp_dir();
    let test_part = |seed: u64| {
        Split::new(&t.labels, SplitKind::Stratified { seed })
            .expect("split")
            .test
    };
    let (test1, test2) = (test_part(1), test_part(2));
    assert_eq!(test1.len(), test2.len());
    assert_ne!(test1, test2);
    let (_, m1, r1) = train_table(
        dir.path(),
        "s1",
        &t,
        &["--split", "stratified", "--seed", "1"],
    );
    let (_, m2, r2) = train_table(
        dir.path(),
        "s2",
        &t,
        &["--split", "stratified", "--seed", "2"],
    );
    // Per-class 60/20/20 either way: the counts match, the rows do not.
    assert_eq!(m1["split"]["test"], m2["split"]["test"]);
    assert_eq!(m1["split"]["seed"], 1);
    assert_eq!(m2["split"]["seed"], 2);
    let (g1, g2) = (golden_rows(&r1, &index), golden_rows(&r2, &index));
    assert!(
        g1.iter().all(|r| test1.binary_search(r).is_ok()),
        "seed 1 rows from its test part"
    );
    assert!(
        g2.iter().all(|r| test2.binary_search(r).is_ok()),
        "seed 2 rows from its test part"
    );
    let outside = g1
        .iter()
        .filter(|r| test2.binary_search(r).is_err())
        .count();
    assert!(
        outside > g1.len() / 2,
        "{outside} of {} rows outside seed 2's test part",
        g1.len()
    );
}

#[test]
fn plain_gzip_crlf_and_quoted_files_give_the_same_model() {
    let t = synthetic(3000, 23);
    let dir = temp_dir();
    let plain = csv(&t, CsvStyle::default());
    let quoted = csv(
        &t,
        CsvStyle {
            quoted: true,
            crlf: true,
        },
    );
    let files = [
        write(dir.path(), "plain.csv", &plain),
        write(dir.path(), "plain.csv.gz", gzip(plain.as_bytes())),
        // Gzip found by its magic bytes, not the name.
        write(dir.path(), "quoted-gzip.csv", gzip(quoted.as_bytes())),
        write(dir.path(), "quoted.csv", &quoted),
    ];
    let models: Vec<Vec<u8>> = files
        .iter()
        .enumerate()
        .map(|(i, data)| {
            let model = dir.path().join(format!("m{i}.rwm"));
            assert_success(&train(data, LABEL, &model, None, &[]));
            std::fs::read(model).expect("model")
        })
        .collect();
    assert!(models.iter().all(|m| *m == models[0]));
}

/// Int8 validation scores of a model trained with the time split, and the validation labels.
fn validation_scores(table: &Table, model: &[u8]) -> (Vec<i32>, Vec<u8>) {
    let split = Split::new(&table.labels, SplitKind::Time).expect("split");
    let val = table.select(&split.val);
    (int8_scores(model, &val.rows), val.labels)
}

/// The curve point at the model's threshold.
fn point_at(curve: &[PrPoint<i32>], threshold: i32) -> PrPoint<i32> {
    *curve
        .iter()
        .find(|p| p.threshold == threshold)
        .expect("the threshold is a validation score")
}

#[test]
fn objectives_are_met_on_validation_by_the_int8_model() {
    let t = synthetic(6000, 24);
    let dir = temp_dir();
    let mut chosen = HashMap::new();
    for objective in ["f1", "f2", "precision>=0.9", "recall>=0.8"] {
        let (model, m, _) = train_table(
            dir.path(),
            &objective.replace(">=", "-"),
            &t,
            &["--objective", objective],
        );
        assert_eq!(m["threshold"]["objective"], objective);
        let threshold = m["threshold"]["score"].as_i64().expect("score") as i32;
        let parsed = rarewatch::Model::from_bytes(&model).expect("valid");
        assert_eq!(
            parsed.decision().threshold,
            threshold,
            "file and report agree"
        );
        // The figures metrics.json reports are those of the device's scores at that threshold.
        let (scores, labels) = validation_scores(&t, &model);
        let curve = pr_curve(&scores, &labels);
        let p = point_at(&curve, threshold);
        assert_eq!(number(&m, &["int8", "val", "precision"]), p.precision);
        assert_eq!(number(&m, &["int8", "val", "recall"]), p.recall);
        assert_eq!(number(&m, &["threshold", "val_precision"]), p.precision);
        assert_eq!(number(&m, &["threshold", "val_recall"]), p.recall);
        assert_eq!(m["int8"]["val"]["true_alerts"], p.tp);
        assert_eq!(m["int8"]["val"]["alerts"], p.tp + p.fp);
        let best = |value: &dyn Fn(&PrPoint<i32>) -> Option<f64>| {
            curve
                .iter()
                .filter_map(value)
                .fold(f64::NEG_INFINITY, f64::max)
        };
        match objective {
            "f1" | "f2" => {
                let beta = if objective == "f1" { 1.0 } else { 2.0 };
                let f = f_beta(p.precision, p.recall, beta);
                assert_eq!(f, best(&|q| Some(f_beta(q.precision, q.recall, beta))));
                assert_eq!(number(&m, &["threshold", "objective_value"]), f);
            }
            "precision>=0.9" => {
                assert!(p.precision >= 0.9, "precision {}", p.precision);
                let most = best(&|q| (q.precision >= 0.9).then_some(q.recall));
                assert_eq!(p.recall, most, "highest recall at that precision");
            }
            _ => {
                assert!(p.recall >= 0.8, "recall {}", p.recall);
                let most = best(&|q| (q.recall >= 0.8).then_some(q.precision));
                assert_eq!(p.precision, most, "highest precision at that recall");
            }
        }
        chosen.insert(objective, (threshold, p));
    }
    // The objectives differ on this data: the bounds bind, and F2 favours recall.
    let (f1, f2) = (chosen["f1"].1, chosen["f2"].1);
    assert!(f1.precision < 0.9, "F1 point precision {}", f1.precision);
    assert!(f1.recall < 0.8, "F1 point recall {}", f1.recall);
    assert!(f2.recall >= f1.recall && chosen["f2"].0 <= chosen["f1"].0);
    assert!(chosen["precision>=0.9"].0 > chosen["f1"].0);
    assert!(chosen["recall>=0.8"].0 < chosen["f1"].0);
}

/// Every row twice, positives with a negative twin: no threshold has precision above 1/2.
fn twins(table: &Table) -> Table {
    let mut out = Table {
        names: table.names.clone(),
        rows: Vec::new(),
        labels: Vec::new(),
    };
    for (row, &y) in table.rows.iter().zip(&table.labels) {
        out.rows.extend([row.clone(), row.clone()]);
        out.labels.extend([y, 0]);
    }
    out
}

#[test]
fn an_unreachable_precision_is_an_error_with_the_best_value() {
    let t = twins(&synthetic(1500, 25));
    let dir = temp_dir();
    let data = write(dir.path(), "data.csv", csv(&t, CsvStyle::default()));
    let model = dir.path().join("model.rwm");
    let out = train(
        &data,
        LABEL,
        &model,
        None,
        &["--objective", "precision>=0.999999"],
    );
    assert_clean_error(
        &out,
        &["no threshold meets precision>=0.999999 on validation: the best precision reached is "],
    );
    assert!(!model.exists());
    let err = common::stderr(&out);
    let reached: f64 = err
        .split("the best precision reached is ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("a number");
    // The best value reported is that of the int8 model the run would have exported: train
    // the same model (same seed; the objective only moves the threshold) and compare.
    assert_success(&train(&data, LABEL, &model, None, &[]));
    let (scores, labels) = validation_scores(&t, &std::fs::read(&model).expect("model"));
    let top = pr_curve(&scores, &labels)
        .iter()
        .filter(|p| p.tp > 0)
        .map(|p| p.precision)
        .fold(0.0, f64::max);
    assert!(top <= 0.5, "twins cap precision at 1/2, got {top}");
    assert_eq!(reached, (top * 1e4).round() / 1e4, "{err}");
}

#[test]
fn eval_json_reproduces_the_int8_figures_of_metrics_json() {
    let t = synthetic(3000, 26);
    let dir = temp_dir();
    let (model_bytes, m, _) = train_table(
        dir.path(),
        "model",
        &t,
        &["--split", "stratified", "--seed", "3"],
    );
    let model = dir.path().join("model.rwm");
    let split = Split::new(&t.labels, SplitKind::Stratified { seed: 3 }).expect("split");
    for (part, rows) in [("test", &split.test), ("val", &split.val)] {
        let data = write(
            dir.path(),
            &format!("{part}.csv"),
            csv(&t.select(rows), CsvStyle::default()),
        );
        let out = rarewatch([
            "eval".as_ref(),
            model.as_os_str(),
            data.as_os_str(),
            "--label".as_ref(),
            LABEL.as_ref(),
            "--json".as_ref(),
        ]);
        assert_success(&out);
        let text = stdout(&out);
        assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
        let e: Value = serde_json::from_str(&text).expect("eval --json prints JSON");
        for key in [
            "ap",
            "roc_auc",
            "precision",
            "recall",
            "f1",
            "rows",
            "positives",
            "alerts",
            "true_alerts",
        ] {
            assert!(e[key].is_number(), "{key} in {e}");
            assert_eq!(e[key], m["int8"][part][key], "{part} {key}");
        }
        assert_eq!(e["threshold"], m["threshold"]["score"]);
        assert_eq!(e["rows"], rows.len());
    }
    assert_eq!(m["model_bytes"], model_bytes.len());
    // The text form says the same.
    let out = rarewatch([
        "eval".as_ref(),
        model.as_os_str(),
        dir.path().join("test.csv").as_os_str(),
        "--label".as_ref(),
        LABEL.as_ref(),
    ]);
    assert_success(&out);
    let ap = number(&m, &["int8", "test", "ap"]);
    assert!(
        stdout(&out).contains(&format!("AP {ap:.4}")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn inspect_json_describes_the_written_file() {
    let t = synthetic(3000, 27);
    let dir = temp_dir();
    let (bytes, m, _) = train_table(dir.path(), "model", &t, &["--hidden", "12,8"]);
    let model = dir.path().join("model.rwm");
    let out = rarewatch(["inspect".as_ref(), model.as_os_str(), "--json".as_ref()]);
    assert_success(&out);
    let i: Value = serde_json::from_str(&stdout(&out)).expect("inspect --json prints JSON");
    let file_size = std::fs::metadata(&model).expect("model").len();
    assert_eq!(i["model_bytes"], file_size);
    assert_eq!(i["model_bytes"], bytes.len());
    assert_eq!(i["model_bytes"], m["model_bytes"]);
    assert_eq!(i["scratch_bytes"], m["scratch_bytes"]);
    assert_eq!(i["macs"], m["macs"]);
    assert_eq!(i["file"], model.display().to_string());
    assert_eq!(i["format_version"], 1);
    let names: Vec<&str> = i["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, t.names);
    // 6 → 12 → 8 → 1.
    let widths: Vec<(u64, u64)> = i["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .map(|l| {
            (
                l["inputs"].as_u64().expect("in"),
                l["outputs"].as_u64().expect("out"),
            )
        })
        .collect();
    assert_eq!(widths, vec![(6, 12), (12, 8), (8, 1)]);
    assert_eq!(m["macs"], 6 * 12 + 12 * 8 + 8);
    assert_eq!(i["decision"]["threshold_score"], m["threshold"]["score"]);
    // The monitoring baseline's counts are the test part at the threshold (the part the
    // threshold never saw).
    let b = &i["baseline"];
    assert_eq!(b["rows"], m["split"]["test"]["rows"]);
    assert_eq!(b["positives"], m["split"]["test"]["positives"]);
    assert_eq!(b["alerts"], m["int8"]["test"]["alerts"]);
    assert_eq!(b["true_alerts"], m["int8"]["test"]["true_alerts"]);
    // The erosion CUSUMs' references: Wilson's lower bound at one standard error, below the
    // point estimates.
    let count = |k: &str| b[k].as_u64().expect("count") as f64;
    let (hits, positives, alerts) = (count("true_alerts"), count("positives"), count("alerts"));
    let wilson_lower = |s: f64, n: f64| {
        let p = s / n;
        let centre = (p + 1.0 / (2.0 * n)) / (1.0 + 1.0 / n);
        centre - (p * (1.0 - p) / n + 1.0 / (4.0 * n * n)).sqrt() / (1.0 + 1.0 / n)
    };
    for (key, point, n) in [
        ("recall_reference", "recall", positives),
        ("precision_reference", "precision", alerts),
    ] {
        let reference = b[key].as_f64().expect("reference");
        assert!(
            (reference - wilson_lower(hits, n)).abs() < 1e-5,
            "{key} {reference}"
        );
        assert!(reference < b[point].as_f64().expect("point"), "{key}");
    }
    // The text form names the file and its size.
    let out = rarewatch(["inspect".as_ref(), model.as_os_str()]);
    assert_success(&out);
    assert!(stdout(&out).starts_with(&format!(
        "{}: rarewatch model, format v1, {file_size} bytes",
        model.display()
    )));
    assert!(
        stdout(&out).contains(&format!(
            "slow erosion judged against recall {:.4}",
            b["recall_reference"].as_f64().expect("reference")
        )),
        "{}",
        stdout(&out)
    );
}
