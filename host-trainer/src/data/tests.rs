//! Reader tests: every error with its exact message, quoting, gzip.

use super::{read_csv, read_csv_from, DataError};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;

fn read(text: &[u8]) -> Result<super::Dataset, DataError> {
    read_csv_from(text, "t.csv", "y")
}

fn message(text: &[u8]) -> String {
    match read(text) {
        Ok(d) => panic!("expected an error, read {} rows", d.rows()),
        Err(e) => e.to_string(),
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).expect("in memory");
    enc.finish().expect("in memory")
}

#[test]
fn reads_quoted_labels_and_quoted_header() {
    let d = read(b"\"a\",\"b\",\"y\"\r\n1,2.5,\"0\"\r\n-3,4e-1,\"1\"\r\n\r\n").expect("valid");
    assert_eq!(d.feature_names, vec!["a", "b"]);
    assert_eq!(d.label_name, "y");
    assert_eq!(d.features, vec![1.0, 2.5, -3.0, 0.4]);
    assert_eq!(d.labels, vec![0, 1]);
}

#[test]
fn label_column_anywhere_and_unquoted() {
    let d = read(b"y,a\n1,7\n0,8\n").expect("valid");
    assert_eq!(d.feature_names, vec!["a"]);
    assert_eq!(d.features, vec![7.0, 8.0]);
    assert_eq!(d.labels, vec![1, 0]);
}

#[test]
fn reads_gzip_by_magic_bytes() {
    let d = read_csv_from(&gzip(b"a,y\n1,0\n2,1\n")[..], "t.csv.gz", "y").expect("valid");
    assert_eq!(d.features, vec![1.0, 2.0]);
    assert_eq!(d.labels, vec![0, 1]);
}

#[test]
fn truncated_gzip() {
    let mut text = b"a,y\n".to_vec();
    for i in 0..2000 {
        text.extend_from_slice(format!("{i},{}\n", i % 2).as_bytes());
    }
    let gz = gzip(&text);
    let err = read_csv_from(&gz[..gz.len() / 2], "t.csv.gz", "y").expect_err("truncated");
    assert!(matches!(err, DataError::Gzip { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("t.csv.gz: corrupt or truncated gzip data after line "),
        "{err}"
    );
}

#[test]
fn corrupt_gzip_that_inflates_to_garbage() {
    let mut text = b"a,b,y\n".to_vec();
    for i in 0..20_000 {
        text.extend_from_slice(format!("{i},{},{}\n", i * 7 % 13, i % 2).as_bytes());
    }
    let gz = gzip(&text);
    // Flipped bits in the middle of the deflate stream: whatever the garbage is, the error
    // is the corruption, not a bad cell.
    for (at, mask) in [
        (gz.len() / 2, 0x55),
        (gz.len() / 3, 0x01),
        (gz.len() - 12, 0x80),
    ] {
        let mut bad = gz.clone();
        bad[at] ^= mask;
        let err = read_csv_from(&bad[..], "t.csv.gz", "y").expect_err("corrupt");
        assert!(matches!(err, DataError::Gzip { .. }), "byte {at}: {err}");
    }
    // A bad cell in an intact gzip file is still reported as such.
    let mut bad_cell = text.clone();
    bad_cell.extend_from_slice(b"x,1,0\n");
    let err = read_csv_from(&gzip(&bad_cell)[..], "t.csv.gz", "y").expect_err("bad cell");
    assert_eq!(
        err.to_string(),
        "t.csv.gz:20002:1: non-numeric value \"x\" in column \"a\""
    );
}

#[test]
fn missing_file() {
    let err = read_csv("/nonexistent/rarewatch.csv", "y").expect_err("no file");
    assert!(
        err.to_string()
            .starts_with("/nonexistent/rarewatch.csv: cannot read: "),
        "{err}"
    );
}

#[test]
fn empty_and_header_only() {
    assert_eq!(message(b""), "t.csv: empty file, expected a header line");
    assert_eq!(message(b"a,y\n"), "t.csv: header only, no data rows");
    assert_eq!(message(b"a,y\n\n  \n"), "t.csv: header only, no data rows");
}

#[test]
fn missing_label_column() {
    assert_eq!(
        message(b"a,b,Class\n1,2,0\n"),
        "t.csv:1: label column \"y\" not found; columns are: a, b, Class"
    );
}

#[test]
fn duplicate_and_no_feature_columns() {
    assert_eq!(
        message(b"a,y,a\n1,0,2\n"),
        "t.csv:1: column name \"a\" appears twice (columns 1 and 3)"
    );
    assert_eq!(
        message(b"y\n0\n1\n"),
        "t.csv:1: no feature columns besides the label"
    );
}

#[test]
fn non_numeric_cell() {
    assert_eq!(
        message(b"a,b,y\n1,2,0\n3,abc,1\n"),
        "t.csv:3:2: non-numeric value \"abc\" in column \"b\""
    );
}

#[test]
fn non_finite_cells() {
    assert_eq!(
        message(b"a,b,y\n1,NaN,0\n"),
        "t.csv:2:2: non-finite value \"NaN\" in column \"b\""
    );
    assert_eq!(
        message(b"a,b,y\n1,2,0\n-inf,2,1\n"),
        "t.csv:3:1: non-finite value \"-inf\" in column \"a\""
    );
}

#[test]
fn missing_value() {
    assert_eq!(
        message(b"a,b,y\n1,,0\n"),
        "t.csv:2:2: empty value in column \"b\""
    );
    assert_eq!(
        message(b"a,b,y\n1,2,\"\"\n"),
        "t.csv:2:3: empty value in column \"y\""
    );
}

#[test]
fn ragged_rows() {
    assert_eq!(
        message(b"a,b,y\n1,2,0\n1,0\n"),
        "t.csv:3: 2 fields, expected 3 as in the header"
    );
    assert_eq!(
        message(b"a,b,y\n1,2,0,9\n"),
        "t.csv:2: 4 fields, expected 3 as in the header"
    );
}

#[test]
fn bad_labels() {
    assert_eq!(
        message(b"a,y\n1,\"2\"\n"),
        "t.csv:2:2: label \"2\" in column \"y\" is not 0 or 1"
    );
    assert_eq!(
        message(b"a,y\n1,yes\n"),
        "t.csv:2:2: label \"yes\" in column \"y\" is not 0 or 1"
    );
    assert_eq!(
        message(b"a,y\n1,nan\n"),
        "t.csv:2:2: label \"nan\" in column \"y\" is not 0 or 1"
    );
}

#[test]
fn single_class() {
    assert_eq!(
        message(b"a,y\n1,\"0\"\n2,0\n"),
        "t.csv: all 2 rows have label 0 in column \"y\"; both classes (0 and 1) are needed"
    );
    assert_eq!(
        message(b"a,y\n1,1\n"),
        "t.csv: all 1 rows have label 1 in column \"y\"; both classes (0 and 1) are needed"
    );
}

#[test]
fn binary_junk() {
    let expected =
        "t.csv:1: binary data (control bytes or invalid UTF-8); expected a CSV text file";
    assert_eq!(message(b"a\0b,y\n1,0\n"), expected);
    assert_eq!(message(b"\xff\xfe\x00a,y\n"), expected);
    assert_eq!(
        message(b"a,y\n1,0\n\x00\x01\x02,1\n"),
        "t.csv:3: binary data (control bytes or invalid UTF-8); expected a CSV text file"
    );
    // Junk without NUL bytes: invalid UTF-8 or control bytes in a cell, a control byte in
    // the header.
    assert_eq!(
        message(b"a,y\n1,0\n\xff\xfe,1\n"),
        "t.csv:3: binary data (control bytes or invalid UTF-8); expected a CSV text file"
    );
    assert_eq!(
        message(b"a,y\n1,0\n2,\x01\n"),
        "t.csv:3: binary data (control bytes or invalid UTF-8); expected a CSV text file"
    );
    assert_eq!(message(b"\x1f,y\n1,0\n"), expected);
    // A text cell that is merely not a number is still reported as such.
    assert_eq!(
        message(b"a,y\n1,0\nx\xc3\xa9,1\n"),
        "t.csv:3:1: non-numeric value \"x\u{e9}\" in column \"a\""
    );
    // Junk that happens to start like gzip.
    let err = read(b"\x1f\x8bjunkjunkjunk").expect_err("junk");
    assert!(matches!(err, DataError::Gzip { line: 0, .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("t.csv: corrupt or truncated gzip data before the first line: "),
        "{err}"
    );
}

#[test]
fn unterminated_quote() {
    assert_eq!(
        message(b"a,y\n1,\"0\n"),
        "t.csv:2:2: quoted field has no closing quote"
    );
}

#[test]
fn long_bad_values_are_shortened() {
    let mut text = b"a,y\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 100));
    text.extend_from_slice(b",0\n");
    let shown = format!("\"{}…\"", "x".repeat(40));
    assert_eq!(
        message(&text),
        format!("t.csv:2:1: non-numeric value {shown} in column \"a\"")
    );
}

mod arbitrary_input {
    use super::super::read_csv_from;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any bytes give a dataset or an error, never a panic.
        #[test]
        fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_csv_from(&bytes[..], "t.csv", "y");
        }

        /// CSV-shaped text built from troublesome pieces never panics either, and a result
        /// always has a consistent shape.
        #[test]
        fn never_panics_on_csv_like_text(
            cells in proptest::collection::vec(
                prop_oneof![
                    Just("1"), Just("0"), Just("\"1\""), Just("-2.5e3"), Just(""), Just("nan"),
                    Just("\""), Just("\"\"\""), Just(","), Just("\n"), Just("\r\n"), Just("x"),
                    Just("y"), Just("\u{0}"), Just(" "), Just("inf"),
                ],
                0..60,
            )
        ) {
            let text: String = cells.concat();
            if let Ok(d) = read_csv_from(text.as_bytes(), "t.csv", "y") {
                prop_assert_eq!(d.features.len(), d.rows() * d.features());
                prop_assert!(d.labels.iter().all(|&l| l <= 1));
            }
        }
    }
}

#[test]
fn gzip_files_read_on_two_threads_with_the_same_errors() {
    let dir = std::env::temp_dir().join(format!("rarewatch-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut text = b"a,\"y\"\n".to_vec();
    for i in 0..50_000 {
        text.extend_from_slice(format!("{i},\"{}\"\n", i % 2).as_bytes());
    }
    let gz = gzip(&text);
    let whole = dir.join("whole.csv.gz");
    std::fs::write(&whole, &gz).expect("write");
    let d = read_csv(&whole, "y").expect("valid");
    assert_eq!((d.rows(), d.positives()), (50_000, 25_000));
    assert_eq!(d.row(49_999), &[49_999.0]);
    let cut = dir.join("cut.csv.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).expect("write");
    let err = read_csv(&cut, "y").expect_err("truncated");
    assert!(
        matches!(err, DataError::Gzip { line, .. } if line > 1000),
        "{err}"
    );
    let plain = dir.join("plain.csv");
    std::fs::write(&plain, &text).expect("write");
    assert_eq!(read_csv(&plain, "y").expect("valid"), d);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
