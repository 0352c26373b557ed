//! The streaming reader: bytes (plain or gzip) → lines → fields → [`Dataset`].

use super::dataset::Dataset;
use super::error::{shown, DataError};
use super::fields::{header_name, parse_label, parse_number, CellProblem, Fields};
use super::prefetch;
use flate2::read::MultiGzDecoder;
use memchr::memchr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Lines longer than this (bytes) are taken for binary data rather than buffered whole.
const MAX_LINE_BYTES: usize = 16 << 20;

/// Read buffer size, bytes.
const BUFFER_BYTES: usize = 1 << 20;

/// Reads the CSV (or gzip-compressed CSV) at `path`, with labels in the column named `label`,
/// for training: both classes must be present. Gzip is inflated on a second thread.
pub fn read_csv(path: impl AsRef<Path>, label: &str) -> Result<Dataset, DataError> {
    let path = path.as_ref();
    both_classes(read_table(path, label)?, &path.display().to_string(), label)
}

/// The dataset, or [`DataError::SingleClass`] when every row has the same label.
fn both_classes(data: Dataset, file: &str, label: &str) -> Result<Dataset, DataError> {
    let positives = data.positives();
    if positives == 0 || positives == data.rows() {
        return Err(DataError::SingleClass {
            file: file.to_string(),
            label: label.to_string(),
            class: u8::from(positives > 0),
            rows: data.rows(),
        });
    }
    Ok(data)
}

/// [`read_csv`] without the two-class requirement: for scoring and replaying rows (a stream
/// of normal rows only is a valid input to `eval` and `simulate`).
pub fn read_table(path: impl AsRef<Path>, label: &str) -> Result<Dataset, DataError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| DataError::Io {
        file: name.clone(),
        message: e.to_string(),
    })?;
    let mut plain = BufReader::with_capacity(BUFFER_BYTES, file);
    let head = plain.fill_buf().map_err(|e| DataError::Io {
        file: name.clone(),
        message: e.to_string(),
    })?;
    if !head.starts_with(&[0x1f, 0x8b]) {
        return parse(plain, &name, label, false);
    }
    // Inflate on a second thread while this one parses.
    let (blocks, prefetched) = prefetch::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || prefetch::produce(MultiGzDecoder::new(plain), blocks));
        parse(
            BufReader::with_capacity(BUFFER_BYTES, prefetched),
            &name,
            label,
            true,
        )
    })
}

/// Reads a CSV from any byte stream; gzip is recognised by its magic bytes. `file` names the
/// source in error messages.
pub fn read_csv_from(reader: impl Read, file: &str, label: &str) -> Result<Dataset, DataError> {
    let mut plain = BufReader::with_capacity(BUFFER_BYTES, reader);
    let head = plain.fill_buf().map_err(|e| DataError::Io {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    let data = if head.starts_with(&[0x1f, 0x8b]) {
        let gz = BufReader::with_capacity(BUFFER_BYTES, MultiGzDecoder::new(plain));
        parse(gz, file, label, true)?
    } else {
        parse(plain, file, label, false)?
    };
    both_classes(data, file, label)
}

/// Why the next line could not be had.
enum LineError {
    Io(io::Error),
    TooLong,
}

/// Reads the next line without its `\n` / `\r\n` into `line`; `Ok(false)` at the end.
fn next_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool, LineError> {
    line.clear();
    loop {
        let buf = reader.fill_buf().map_err(LineError::Io)?;
        if buf.is_empty() {
            break;
        }
        match memchr(b'\n', buf) {
            Some(i) => {
                line.extend_from_slice(&buf[..i]);
                reader.consume(i + 1);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(true);
            }
            None => {
                let n = buf.len();
                line.extend_from_slice(buf);
                reader.consume(n);
                if line.len() > MAX_LINE_BYTES {
                    return Err(LineError::TooLong);
                }
            }
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(!line.is_empty())
}

/// Whether a line is not text: a NUL or other control byte (tab, line feed, vertical tab, form
/// feed and carriage return are text) or invalid UTF-8. Checked on the header, and on a data
/// line only once one of its cells fails to parse, so valid files pay nothing for it.
fn is_binary(line: &[u8]) -> bool {
    line.iter()
        .any(|&b| matches!(b, 0..=0x08 | 0x0e..=0x1f | 0x7f))
        || std::str::from_utf8(line).is_err()
}

/// Where the reader is, for error messages.
struct Position<'a> {
    file: &'a str,
    line: usize,
    gzip: bool,
}

impl Position<'_> {
    fn read_error(&self, e: LineError) -> DataError {
        let file = self.file.to_string();
        match e {
            LineError::TooLong => DataError::Binary {
                file,
                line: self.line + 1,
            },
            LineError::Io(e) if self.gzip => DataError::Gzip {
                file,
                line: self.line,
                message: e.to_string(),
            },
            LineError::Io(e) => DataError::Io {
                file,
                message: e.to_string(),
            },
        }
    }
}

/// The header: column names and which one holds the label.
struct Header {
    names: Vec<String>,
    label: usize,
}

fn parse_header(line: &[u8], pos: &Position, label: &str) -> Result<Header, DataError> {
    let file = pos.file.to_string();
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    if is_binary(line) {
        return Err(DataError::Binary { file, line: 1 });
    }
    let mut names = Vec::new();
    for field in Fields::new(line) {
        match field {
            Ok(text) => names.push(header_name(text)),
            Err(q) => {
                return Err(DataError::UnterminatedQuote {
                    file,
                    line: 1,
                    column: q.0,
                })
            }
        }
    }
    for (second, name) in names.iter().enumerate() {
        if let Some(first) = names[..second].iter().position(|n| n == name) {
            return Err(DataError::DuplicateColumn {
                file,
                name: name.clone(),
                first: first + 1,
                second: second + 1,
            });
        }
    }
    let Some(label_index) = names.iter().position(|n| n == label) else {
        return Err(DataError::MissingLabel {
            file,
            label: label.to_string(),
            columns: names,
        });
    };
    if names.len() < 2 {
        return Err(DataError::NoFeatures { file });
    }
    Ok(Header {
        names,
        label: label_index,
    })
}

/// Counts a line's fields, or finds an unterminated quote.
fn count_fields(line: &[u8], pos: &Position) -> Result<usize, DataError> {
    if memchr(b'"', line).is_none() {
        return Ok(memchr::memchr_iter(b',', line).count() + 1);
    }
    let mut n = 0;
    for field in Fields::new(line) {
        field.map_err(|q| DataError::UnterminatedQuote {
            file: pos.file.to_string(),
            line: pos.line,
            column: q.0,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Parses one data row, appending its features and label. A row that fails and is not text
/// (a binary file, or one overwritten part-way) is reported as binary data, rather than as
/// ragged or as a "non-numeric value" of replacement characters.
fn parse_row(
    line: &[u8],
    header: &Header,
    pos: &Position,
    features: &mut Vec<f32>,
    labels: &mut Vec<u8>,
) -> Result<(), DataError> {
    parse_fields(line, header, pos, features, labels).map_err(|e| {
        if is_binary(line) {
            DataError::Binary {
                file: pos.file.to_string(),
                line: pos.line,
            }
        } else {
            e
        }
    })
}

fn parse_fields(
    line: &[u8],
    header: &Header,
    pos: &Position,
    features: &mut Vec<f32>,
    labels: &mut Vec<u8>,
) -> Result<(), DataError> {
    let file = || pos.file.to_string();
    if memchr(0, line).is_some() {
        return Err(DataError::Binary {
            file: file(),
            line: pos.line,
        });
    }
    let found = count_fields(line, pos)?;
    if found != header.names.len() {
        return Err(DataError::Ragged {
            file: file(),
            line: pos.line,
            expected: header.names.len(),
            found,
        });
    }
    for (index, cell) in Fields::new(line).enumerate() {
        // Quotes were checked by `count_fields`.
        let cell = cell.unwrap_or_default();
        let cell_error = |problem: CellProblem, is_label: bool| {
            let (file, line, column) = (file(), pos.line, index + 1);
            let name = header.names[index].clone();
            let value = shown(cell);
            match problem {
                CellProblem::Missing => DataError::MissingValue {
                    file,
                    line,
                    column,
                    name,
                },
                _ if is_label => DataError::BadLabel {
                    file,
                    line,
                    column,
                    name,
                    value,
                },
                CellProblem::NonNumeric => DataError::NonNumeric {
                    file,
                    line,
                    column,
                    name,
                    value,
                },
                CellProblem::NonFinite => DataError::NonFinite {
                    file,
                    line,
                    column,
                    name,
                    value,
                },
            }
        };
        if index == header.label {
            labels.push(parse_label(cell).map_err(|p| cell_error(p, true))?);
        } else {
            features.push(parse_number(cell).map_err(|p| cell_error(p, false))?);
        }
    }
    Ok(())
}

/// `error`, unless the input is gzip whose remaining data fails to inflate. Corrupt deflate
/// data can inflate to garbage for a while before the decoder notices (at the latest at the
/// CRC-32 at the end), so a line that does not parse may be the first sign of a corrupt file:
/// the rest is read to tell, and the corruption is reported rather than the garbage. Costs
/// nothing unless a line fails.
fn unless_corrupt(error: DataError, reader: &mut impl BufRead, pos: &Position) -> DataError {
    if !pos.gzip {
        return error;
    }
    match io::copy(reader, &mut io::sink()) {
        Ok(_) => error,
        Err(e) => DataError::Gzip {
            file: pos.file.to_string(),
            line: pos.line.saturating_sub(1),
            message: e.to_string(),
        },
    }
}

fn parse(
    mut reader: impl BufRead,
    file: &str,
    label: &str,
    gzip: bool,
) -> Result<Dataset, DataError> {
    let mut pos = Position {
        file,
        line: 0,
        gzip,
    };
    let mut line = Vec::new();
    let header = match next_line(&mut reader, &mut line) {
        Err(e) => return Err(pos.read_error(e)),
        Ok(false) => {
            return Err(DataError::Empty {
                file: file.to_string(),
            })
        }
        Ok(true) => {
            pos.line += 1;
            parse_header(&line, &pos, label).map_err(|e| unless_corrupt(e, &mut reader, &pos))?
        }
    };
    let mut features = Vec::new();
    let mut labels = Vec::new();
    loop {
        match next_line(&mut reader, &mut line) {
            Err(e) => return Err(pos.read_error(e)),
            Ok(false) => break,
            Ok(true) => {
                pos.line += 1;
                if line.iter().all(|b| matches!(b, b' ' | b'\t')) {
                    continue;
                }
                parse_row(&line, &header, &pos, &mut features, &mut labels)
                    .map_err(|e| unless_corrupt(e, &mut reader, &pos))?;
            }
        }
    }
    if labels.is_empty() {
        return Err(DataError::NoRows {
            file: file.to_string(),
        });
    }
    let Header { mut names, label } = header;
    let label_name = names.remove(label);
    Ok(Dataset {
        feature_names: names,
        label_name,
        features,
        labels,
    })
}
