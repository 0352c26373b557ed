//! `rarewatch train`, `eval` and `inspect` on bad input, through the built binary: every
//! failure exits 1 with one `error:` line naming the file (and line and column where there is
//! one), never panics, writes no model file and leaves an existing one untouched.

mod common;

use common::{
    assert_clean_error, assert_success, csv, files_in, gzip, rarewatch, stderr, synthetic,
    temp_dir, train, write, CsvStyle, Table, LABEL,
};
use rarewatch_trainer::rng::Rng;
use std::path::Path;

/// Bytes standing for a model trained earlier.
const PREVIOUS_MODEL: &[u8] = b"a model from an earlier run";

/// The good table every case starts from: 3,000 rows; line `i + 2` of its CSV holds row `i`,
/// columns 1–6 are features (`x0`…`x4`, `amount`), column 7 the label.
fn table() -> Table {
    synthetic(3000, 11)
}

fn good_csv() -> String {
    csv(&table(), CsvStyle::default())
}

/// `text` with the cell at 1-based `line` and `column` replaced by `value`.
fn with_cell(text: &str, line: usize, column: usize, value: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut cells: Vec<&str> = lines[line - 1].split(',').collect();
    cells[column - 1] = value;
    lines[line - 1] = cells.join(",");
    lines.join("\n") + "\n"
}

/// `text` with 1-based `line` replaced by `bytes`.
fn with_line(text: &str, line: usize, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if i + 1 == line {
            out.extend_from_slice(bytes);
        } else {
            out.extend_from_slice(l.as_bytes());
        }
        out.push(b'\n');
    }
    out
}

/// Runs `train` on `bytes` (written as `name`) twice — into an empty output folder with a
/// report folder, then over an existing model without one — and checks both runs fail cleanly
/// with every needle (`{file}` stands for the data file's path) in the message, leave no model,
/// temporary file or report behind, and keep the existing model's bytes.
fn train_fails(name: &str, bytes: impl AsRef<[u8]>, label: &str, extra: &[&str], needles: &[&str]) {
    let dir = temp_dir();
    let data = write(dir.path(), name, bytes);
    train_fails_on(&data, dir.path(), label, extra, needles);
}

fn train_fails_on(data: &Path, dir: &Path, label: &str, extra: &[&str], needles: &[&str]) {
    let out_dir = dir.join("out");
    std::fs::create_dir(&out_dir).expect("output folder");
    let model = out_dir.join("model.rwm");
    let report = out_dir.join("report");
    let file = data.display().to_string();
    let needles: Vec<String> = needles.iter().map(|n| n.replace("{file}", &file)).collect();
    let needles: Vec<&str> = needles.iter().map(String::as_str).collect();

    let out = train(data, label, &model, Some(&report), extra);
    assert_clean_error(&out, &needles);
    assert_eq!(
        files_in(&out_dir),
        Vec::<String>::new(),
        "a failed run leaves nothing in the output folder"
    );

    std::fs::write(&model, PREVIOUS_MODEL).expect("earlier model");
    let out = train(data, label, &model, None, extra);
    assert_clean_error(&out, &needles);
    assert_eq!(
        std::fs::read(&model).expect("still there"),
        PREVIOUS_MODEL,
        "a failed run must not replace an existing model"
    );
    assert_eq!(files_in(&out_dir), vec!["model.rwm"]);
}

#[test]
fn missing_label_column() {
    train_fails(
        "data.csv",
        good_csv(),
        "Fraud",
        &[],
        &[
            "{file}:1: label column \"Fraud\" not found",
            "columns are: x0, x1, x2, x3, x4, amount, Class",
        ],
    );
}

#[test]
fn non_numeric_cells() {
    let text = good_csv();
    train_fails(
        "data.csv",
        with_cell(&text, 1234, 3, "abc"),
        LABEL,
        &[],
        &["{file}:1234:3: non-numeric value \"abc\" in column \"x2\""],
    );
    train_fails(
        "data.csv",
        with_cell(&text, 2, 6, "1,5"),
        LABEL,
        &[],
        &["{file}:2: 8 fields, expected 7 as in the header"],
    );
    train_fails(
        "data.csv",
        with_cell(&text, 3001, 1, "1.2.3"),
        LABEL,
        &[],
        &["{file}:3001:1: non-numeric value \"1.2.3\" in column \"x0\""],
    );
    train_fails(
        "data.csv",
        with_cell(&text, 40, 5, ""),
        LABEL,
        &[],
        &["{file}:40:5: empty value in column \"x4\""],
    );
    train_fails(
        "data.csv",
        with_cell(&text, 41, 2, "\"0.5"),
        LABEL,
        &[],
        &["{file}:41:2: quoted field has no closing quote"],
    );
}

#[test]
fn non_finite_cells() {
    let text = good_csv();
    for (value, column, name) in [
        ("NaN", 2, "x1"),
        ("nan", 1, "x0"),
        ("inf", 6, "amount"),
        ("-inf", 4, "x3"),
        ("Infinity", 5, "x4"),
        ("1e39", 3, "x2"),
    ] {
        train_fails(
            "data.csv",
            with_cell(&text, 777, column, value),
            LABEL,
            &[],
            &[&format!(
                "{{file}}:777:{column}: non-finite value \"{value}\" in column \"{name}\""
            )],
        );
    }
}

#[test]
fn ragged_rows() {
    let text = good_csv();
    let longer = text.replace("\n", ",7\n");
    let mut longer_once: Vec<&str> = text.lines().collect();
    let extended = format!("{},9", longer_once[99]);
    longer_once[99] = &extended;
    train_fails(
        "data.csv",
        longer_once.join("\n") + "\n",
        LABEL,
        &[],
        &["{file}:100: 8 fields, expected 7 as in the header"],
    );
    // Every data row one field longer than the header: the first one is named.
    let header_kept = text.lines().next().expect("header").to_string()
        + "\n"
        + longer.split_once('\n').expect("rows").1;
    train_fails(
        "data.csv",
        header_kept,
        LABEL,
        &[],
        &["{file}:2: 8 fields, expected 7 as in the header"],
    );
    let short = with_line(&text, 2500, b"0.5,0.25,1");
    train_fails(
        "data.csv",
        short,
        LABEL,
        &[],
        &["{file}:2500: 3 fields, expected 7 as in the header"],
    );
}

#[test]
fn empty_and_header_only_files() {
    train_fails(
        "empty.csv",
        b"",
        LABEL,
        &[],
        &["{file}: empty file, expected a header line"],
    );
    train_fails(
        "header.csv",
        "x0,x1,Class\n\n",
        LABEL,
        &[],
        &["{file}: header only, no data rows"],
    );
    train_fails(
        "empty.csv.gz",
        gzip(b""),
        LABEL,
        &[],
        &["{file}: empty file, expected a header line"],
    );
}

#[test]
fn labels_other_than_0_and_1() {
    let text = good_csv();
    for value in ["2", "-1", "0.5", "yes", "\"2\"", "1e400"] {
        let shown = value.trim_matches('"');
        train_fails(
            "data.csv",
            with_cell(&text, 1500, 7, value),
            LABEL,
            &[],
            &[&format!(
                "{{file}}:1500:7: label \"{shown}\" in column \"Class\" is not 0 or 1"
            )],
        );
    }
}

#[test]
fn a_single_class() {
    let mut t = table();
    t.labels.iter_mut().for_each(|y| *y = 0);
    train_fails(
        "data.csv",
        csv(&t, CsvStyle::default()),
        LABEL,
        &[],
        &["{file}: all 3000 rows have label 0 in column \"Class\"; both classes (0 and 1) are needed"],
    );
    t.labels.iter_mut().for_each(|y| *y = 1);
    train_fails(
        "data.csv",
        csv(
            &t,
            CsvStyle {
                quoted: true,
                crlf: false,
            },
        ),
        LABEL,
        &[],
        &["{file}: all 3000 rows have label 1 in column \"Class\""],
    );
}

#[test]
fn binary_junk() {
    let mut rng = Rng::new(5);
    let junk: Vec<u8> = (0..8192).map(|_| rng.next_u64() as u8).collect();
    train_fails(
        "junk.csv",
        &junk,
        LABEL,
        &[],
        &["{file}:1: binary data (control bytes or invalid UTF-8); expected a CSV text file"],
    );
    // An executable (this test's own binary starts with "\x7fELF").
    let exe = std::fs::read(env!("CARGO_BIN_EXE_rarewatch")).expect("the binary");
    train_fails(
        "model.csv",
        &exe[..exe.len().min(1 << 16)],
        LABEL,
        &[],
        &["{file}:1: binary data"],
    );
    // A text file overwritten part-way with bytes that hold no NUL.
    let text = good_csv();
    train_fails(
        "data.csv",
        with_line(&text, 2000, b"\xc3\x28\xa0\xa1,\xe2\x82,\xff\xfe\xfd"),
        LABEL,
        &[],
        &["{file}:2000: binary data"],
    );
    train_fails(
        "data.csv",
        with_line(&text, 2001, b"1,2,3,4,5,6\x01\x02,0"),
        LABEL,
        &[],
        &["{file}:2001: binary data"],
    );
}

#[test]
fn truncated_and_corrupt_gzip() {
    let gz = gzip(good_csv().as_bytes());
    train_fails(
        "data.csv.gz",
        &gz[..gz.len() / 2],
        LABEL,
        &[],
        &["{file}: corrupt or truncated gzip data after line "],
    );
    train_fails(
        "data.csv.gz",
        &gz[..10],
        LABEL,
        &[],
        &["{file}: corrupt or truncated gzip data before the first line"],
    );
    // A flipped byte in the deflate stream: a bad block or a CRC mismatch at the end.
    let mut flipped = gz.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x55;
    train_fails(
        "data.csv.gz",
        &flipped,
        LABEL,
        &[],
        &["{file}: corrupt or truncated gzip data"],
    );
}

#[test]
fn nonexistent_file() {
    let dir = temp_dir();
    let data = dir.path().join("no-such-file.csv");
    train_fails_on(&data, dir.path(), LABEL, &[], &["{file}: cannot read: "]);
}

#[test]
fn quoted_labels_are_accepted() {
    let t = table();
    let dir = temp_dir();
    let data = write(
        dir.path(),
        "quoted.csv",
        csv(
            &t,
            CsvStyle {
                quoted: true,
                crlf: true,
            },
        ),
    );
    assert!(std::fs::read_to_string(&data)
        .expect("text")
        .starts_with("\"x0\",\"x1\""));
    let model = dir.path().join("model.rwm");
    let report = dir.path().join("report");
    let out = train(&data, LABEL, &model, Some(&report), &[]);
    assert_success(&out);
    let m = common::metrics(&report);
    assert_eq!(m["data"]["rows"], 3000);
    assert_eq!(m["data"]["positives"], t.positives());
    assert_eq!(m["data"]["features"], 6);
    assert_eq!(m["data"]["label"], LABEL);
    let bytes = std::fs::read(&model).expect("model written");
    assert_eq!(m["model_bytes"], bytes.len());
    // The temporary files were renamed into place.
    assert_eq!(
        files_in(dir.path()),
        vec!["model.rwm", "quoted.csv", "report"]
    );
    assert!(!files_in(&report).iter().any(|f| f.contains(".tmp-")));
}

/// Errors after the table is read (split, training, threshold, writing): same guarantees.
#[test]
fn a_part_without_positives() {
    let mut t = table();
    // No positives in the last 20 %: the time split's test part has none.
    for (i, y) in t.labels.iter_mut().enumerate() {
        if i >= 2400 {
            *y = 0;
        }
    }
    train_fails(
        "data.csv",
        csv(&t, CsvStyle::default()),
        LABEL,
        &[],
        &["the test part has no positive rows: positives per part train "],
    );
}

#[test]
fn constant_features_give_an_unusable_model_error() {
    let mut t = table();
    t.rows
        .iter_mut()
        .for_each(|r| r.iter_mut().for_each(|v| *v = 1.5));
    train_fails(
        "data.csv",
        csv(&t, CsvStyle::default()),
        LABEL,
        &["--max-epochs", "20"],
        &["the model is unusable: collapsed: every validation row gets the same score"],
    );
}

#[test]
fn unwritable_report_folder_leaves_no_model() {
    let dir = temp_dir();
    let data = write(dir.path(), "data.csv", good_csv());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).expect("folder");
    // `--report` names an existing regular file.
    let report = write(&out_dir, "report", b"not a folder");
    let model = out_dir.join("model.rwm");
    let out = train(&data, LABEL, &model, Some(&report), &[]);
    assert_clean_error(
        &out,
        &[&format!(
            "cannot write the report into {}",
            report.display()
        )],
    );
    assert_eq!(files_in(&out_dir), vec!["report"]);
    std::fs::write(&model, PREVIOUS_MODEL).expect("earlier model");
    let out = train(&data, LABEL, &model, Some(&report), &[]);
    assert_clean_error(&out, &["cannot write the report into"]);
    assert_eq!(std::fs::read(&model).expect("kept"), PREVIOUS_MODEL);
    assert_eq!(files_in(&out_dir), vec!["model.rwm", "report"]);
}

#[test]
fn model_path_that_is_a_folder_leaves_no_temporary_file() {
    let dir = temp_dir();
    let data = write(dir.path(), "data.csv", good_csv());
    let out_dir = dir.path().join("out");
    let model = out_dir.join("model.rwm");
    std::fs::create_dir_all(model.join("inside")).expect("folders");
    let report = out_dir.join("report");
    let out = train(&data, LABEL, &model, Some(&report), &[]);
    assert_clean_error(&out, &[&format!("cannot write {}", model.display())]);
    // The temporary file written beside it was removed; the folder is untouched.
    assert_eq!(files_in(&out_dir), vec!["model.rwm", "report"]);
    assert_eq!(files_in(&model), vec!["inside"]);
    assert!(!files_in(&report).iter().any(|f| f.contains(".tmp-")));
}

#[test]
fn missing_output_folder() {
    let dir = temp_dir();
    let data = write(dir.path(), "data.csv", good_csv());
    let model = dir.path().join("missing").join("model.rwm");
    let out = train(&data, LABEL, &model, None, &[]);
    assert_clean_error(
        &out,
        &[&format!(
            "output folder {} does not exist",
            dir.path().join("missing").display()
        )],
    );
    assert!(!dir.path().join("missing").exists());
}

#[test]
fn bad_options_fail_before_training() {
    let text = good_csv();
    for (args, needle) in [
        (
            &["--int8-tolerance=nan"][..],
            "--int8-tolerance must be ≥ 0",
        ),
        (
            &["--int8-tolerance=-0.5"][..],
            "--int8-tolerance must be ≥ 0",
        ),
        (
            &["--hidden", "70000"][..],
            "hidden width 70000: the model format takes widths 1..=65532",
        ),
        (
            &["--hidden", "8,8,8,8,8,8,8,8"][..],
            "8 hidden layers, the model format allows at most 7",
        ),
        (
            &["--hidden", "5000,5000"][..],
            "need more than 16777216 weights",
        ),
        (&["--hidden", "0"][..], "hidden widths must be > 0"),
        (&["--threads", "100000"][..], "threads must be at most 1024"),
        (&["--lr", "nan"][..], "learning rate must be > 0"),
        (&["--max-epochs", "0"][..], "epochs must be > 0"),
        (&["--pos-weight=-1"][..], "positive weight must be > 0"),
    ] {
        train_fails("data.csv", &text, LABEL, args, &[needle]);
    }
}

#[test]
fn unparsable_options_are_usage_errors() {
    let dir = temp_dir();
    let data = write(dir.path(), "data.csv", good_csv());
    let model = dir.path().join("model.rwm");
    for (args, needle) in [
        (
            &["--objective", "precision>=1.5"][..],
            "the bound must be in (0, 1]",
        ),
        (
            &["--objective", "accuracy"][..],
            "unknown objective `accuracy`",
        ),
        (&["--split", "random"][..], "invalid value 'random'"),
        (&["--hidden", "32,x"][..], "invalid value 'x'"),
    ] {
        let out = train(&data, LABEL, &model, None, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!model.exists());
    }
}

/// A valid model trained on [`table`], in `dir`.
fn trained_model(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = write(dir, "data.csv", good_csv());
    let model = dir.join("model.rwm");
    assert_success(&train(&data, LABEL, &model, None, &[]));
    (data, model)
}

#[test]
fn eval_and_inspect_reject_corrupt_model_files() {
    let dir = temp_dir();
    let (data, model) = trained_model(dir.path());
    let bytes = std::fs::read(&model).expect("model");
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 0x01;
    let mut version = bytes.clone();
    version[4] = 9;
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "half.rwm",
            bytes[..bytes.len() / 2].to_vec(),
            format!(
                "model file truncated: needs {} bytes, has {}",
                bytes.len(),
                bytes.len() / 2
            ),
        ),
        (
            "last-byte-lost.rwm",
            bytes[..bytes.len() - 1].to_vec(),
            format!("model file truncated: needs {} bytes", bytes.len()),
        ),
        (
            "header-only.rwm",
            bytes[..16].to_vec(),
            format!("model file truncated: needs {} bytes, has 16", bytes.len()),
        ),
        (
            "empty.rwm",
            Vec::new(),
            "model file truncated: needs 16 bytes, has 0".into(),
        ),
        (
            "flipped.rwm",
            flipped,
            "model payload CRC-32 mismatch".into(),
        ),
        (
            "version.rwm",
            version,
            "unsupported model format version 9".into(),
        ),
        (
            "table.rwm",
            good_csv().into_bytes(),
            "not a rarewatch model file (bad magic)".into(),
        ),
    ];
    for (name, corrupt, reason) in cases {
        let path = write(dir.path(), name, &corrupt);
        let prefix = format!("{}: invalid model file: {reason}", path.display());
        let out = rarewatch([
            "eval".as_ref(),
            path.as_os_str(),
            data.as_os_str(),
            "--label".as_ref(),
            LABEL.as_ref(),
            "--json".as_ref(),
        ]);
        assert_clean_error(&out, &[&prefix]);
        assert!(out.stdout.is_empty(), "{name}: no JSON on failure");
        for json in [true, false] {
            let mut args = vec!["inspect".as_ref(), path.as_os_str()];
            if json {
                args.push("--json".as_ref());
            }
            let out = rarewatch(args);
            assert_clean_error(&out, &[&prefix]);
            assert!(out.stdout.is_empty(), "{name}: no report on failure");
        }
    }
    let missing = dir.path().join("missing.rwm");
    let out = rarewatch(["inspect".as_ref(), missing.as_os_str()]);
    assert_clean_error(&out, &[&format!("cannot read {}", missing.display())]);
}

#[test]
fn eval_rejects_bad_tables() {
    let dir = temp_dir();
    let (_, model) = trained_model(dir.path());
    let eval = |data: &Path| {
        rarewatch([
            "eval".as_ref(),
            model.as_os_str(),
            data.as_os_str(),
            "--label".as_ref(),
            LABEL.as_ref(),
        ])
    };
    let text = good_csv();
    let bad = write(dir.path(), "bad.csv", with_cell(&text, 9, 4, "oops"));
    assert_clean_error(
        &eval(&bad),
        &[&format!(
            "{}:9:4: non-numeric value \"oops\" in column \"x3\"",
            bad.display()
        )],
    );
    // A table without one of the model's feature columns.
    let t = table();
    let mut narrow = t.clone();
    narrow.names.remove(3);
    narrow.rows.iter_mut().for_each(|r| {
        r.remove(3);
    });
    let narrow_path = write(dir.path(), "narrow.csv", csv(&narrow, CsvStyle::default()));
    assert_clean_error(
        &eval(&narrow_path),
        &[&format!(
            "{}: no column \"x3\", which the model takes as a feature",
            narrow_path.display()
        )],
    );
    let missing = dir.path().join("missing.csv");
    assert_clean_error(
        &eval(&missing),
        &[&format!("{}: cannot read: ", missing.display())],
    );
    let gz = gzip(text.as_bytes());
    let cut = write(dir.path(), "cut.csv.gz", &gz[..gz.len() / 3]);
    assert_clean_error(
        &eval(&cut),
        &[&format!(
            "{}: corrupt or truncated gzip data after line ",
            cut.display()
        )],
    );
    // A table of one class is fine for eval (a stream of normal rows).
    let mut negatives = t.clone();
    negatives.labels.iter_mut().for_each(|y| *y = 0);
    let path = write(
        dir.path(),
        "negatives.csv",
        csv(&negatives, CsvStyle::default()),
    );
    let out = rarewatch([
        "eval".as_ref(),
        model.as_os_str(),
        path.as_os_str(),
        "--label".as_ref(),
        LABEL.as_ref(),
        "--json".as_ref(),
    ]);
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (v["rows"].as_u64(), v["positives"].as_u64()),
        (Some(3000), Some(0))
    );
    assert!(v["ap"].is_null() && v["roc_auc"].is_null(), "{v}");
}
