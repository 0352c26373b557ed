//! Why a table could not be read: one variant per problem, each naming the file, the 1-based
//! line and, where there is one, the 1-based column and its header name.

use std::fmt;

/// A problem reading a labelled table. `file` is the name given to the reader (the path).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be opened or read.
    Io { file: String, message: String },
    /// The gzip stream is corrupt or ends early (a truncated download).
    Gzip {
        file: String,
        /// Last complete line before the failure.
        line: usize,
        message: String,
    },
    /// The file has no header line.
    Empty { file: String },
    /// The file has a header but no data rows.
    NoRows { file: String },
    /// A NUL or other control byte, or invalid UTF-8: not a text CSV file.
    Binary { file: String, line: usize },
    /// A quoted field has no closing quote on its line.
    UnterminatedQuote {
        file: String,
        line: usize,
        column: usize,
    },
    /// The label column named by the user is not in the header.
    MissingLabel {
        file: String,
        label: String,
        columns: Vec<String>,
    },
    /// Two header columns have the same name.
    DuplicateColumn {
        file: String,
        name: String,
        first: usize,
        second: usize,
    },
    /// The header has no column besides the label.
    NoFeatures { file: String },
    /// A row has a different number of fields than the header.
    Ragged {
        file: String,
        line: usize,
        expected: usize,
        found: usize,
    },
    /// An empty cell.
    MissingValue {
        file: String,
        line: usize,
        column: usize,
        name: String,
    },
    /// A cell that is not a number.
    NonNumeric {
        file: String,
        line: usize,
        column: usize,
        name: String,
        value: String,
    },
    /// A cell that parses to NaN or ±infinity (or overflows f32).
    NonFinite {
        file: String,
        line: usize,
        column: usize,
        name: String,
        value: String,
    },
    /// A label other than 0 or 1.
    BadLabel {
        file: String,
        line: usize,
        column: usize,
        name: String,
        value: String,
    },
    /// Every row has the same label: nothing to learn.
    SingleClass {
        file: String,
        label: String,
        class: u8,
        rows: usize,
    },
}

/// At most this many characters of a bad cell are quoted back to the user.
const SHOWN_CHARS: usize = 40;

/// A cell's text for an error message: lossy UTF-8, shortened to [`SHOWN_CHARS`].
pub(crate) fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    if text.chars().count() > SHOWN_CHARS {
        let head: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{head}…")
    } else {
        text.into_owned()
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { file, message } => write!(f, "{file}: cannot read: {message}"),
            DataError::Gzip {
                file,
                line,
                message,
            } if *line == 0 => write!(
                f,
                "{file}: corrupt or truncated gzip data before the first line: {message}"
            ),
            DataError::Gzip {
                file,
                line,
                message,
            } => write!(
                f,
                "{file}: corrupt or truncated gzip data after line {line}: {message}"
            ),
            DataError::Empty { file } => write!(f, "{file}: empty file, expected a header line"),
            DataError::NoRows { file } => write!(f, "{file}: header only, no data rows"),
            DataError::Binary { file, line } => write!(
                f,
                "{file}:{line}: binary data (control bytes or invalid UTF-8); expected a CSV text file"
            ),
            DataError::UnterminatedQuote { file, line, column } => {
                write!(
                    f,
                    "{file}:{line}:{column}: quoted field has no closing quote"
                )
            }
            DataError::MissingLabel {
                file,
                label,
                columns,
            } => {
                let list: Vec<&str> = columns.iter().take(12).map(String::as_str).collect();
                let more = if columns.len() > 12 { ", …" } else { "" };
                write!(
                    f,
                    "{file}:1: label column \"{label}\" not found; columns are: {}{more}",
                    list.join(", ")
                )
            }
            DataError::DuplicateColumn {
                file,
                name,
                first,
                second,
            } => write!(
                f,
                "{file}:1: column name \"{name}\" appears twice (columns {first} and {second})"
            ),
            DataError::NoFeatures { file } => {
                write!(f, "{file}:1: no feature columns besides the label")
            }
            DataError::Ragged {
                file,
                line,
                expected,
                found,
            } => write!(
                f,
                "{file}:{line}: {found} fields, expected {expected} as in the header"
            ),
            DataError::MissingValue {
                file,
                line,
                column,
                name,
            } => write!(
                f,
                "{file}:{line}:{column}: empty value in column \"{name}\""
            ),
            DataError::NonNumeric {
                file,
                line,
                column,
                name,
                value,
            } => write!(
                f,
                "{file}:{line}:{column}: non-numeric value \"{value}\" in column \"{name}\""
            ),
            DataError::NonFinite {
                file,
                line,
                column,
                name,
                value,
            } => write!(
                f,
                "{file}:{line}:{column}: non-finite value \"{value}\" in column \"{name}\""
            ),
            DataError::BadLabel {
                file,
                line,
                column,
                name,
                value,
            } => write!(
                f,
                "{file}:{line}:{column}: label \"{value}\" in column \"{name}\" is not 0 or 1"
            ),
            DataError::SingleClass {
                file,
                label,
                class,
                rows,
            } => write!(
                f,
                "{file}: all {rows} rows have label {class} in column \"{label}\"; \
                 both classes (0 and 1) are needed"
            ),
        }
    }
}

impl std::error::Error for DataError {}
