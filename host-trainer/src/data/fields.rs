//! Splitting one CSV line into fields (RFC 4180 quoting within a line) and parsing cells.

use memchr::memchr;

/// The 1-based column of a quoted field that has no closing quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnterminatedQuote(pub usize);

/// Fields of one line, left to right: the text inside the quotes for quoted fields (with `""`
/// escapes left as they are), the trimmed text for the others.
pub(crate) struct Fields<'a> {
    line: &'a [u8],
    pos: usize,
    column: usize,
    done: bool,
}

impl<'a> Fields<'a> {
    /// The fields of `line` (without its line terminator).
    pub(crate) fn new(line: &'a [u8]) -> Self {
        Fields {
            line,
            pos: 0,
            column: 0,
            done: false,
        }
    }
}

fn is_blank(b: &u8) -> bool {
    matches!(b, b' ' | b'\t')
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !is_blank(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_blank(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<&'a [u8], UnterminatedQuote>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.column += 1;
        let rest = &self.line[self.pos..];
        let start = rest.iter().position(|b| !is_blank(b)).unwrap_or(rest.len());
        if rest.get(start) != Some(&b'"') {
            return Some(Ok(match memchr(b',', rest) {
                Some(comma) => {
                    self.pos += comma + 1;
                    trim(&rest[..comma])
                }
                None => {
                    self.done = true;
                    trim(rest)
                }
            }));
        }
        let mut search = start + 1;
        let close = loop {
            match memchr(b'"', &rest[search..]) {
                None => {
                    self.done = true;
                    return Some(Err(UnterminatedQuote(self.column)));
                }
                Some(k) if rest.get(search + k + 1) == Some(&b'"') => search += k + 2,
                Some(k) => break search + k,
            }
        };
        let after = &rest[close + 1..];
        let tail_len = match memchr(b',', after) {
            Some(comma) => {
                self.pos += close + 1 + comma + 1;
                comma
            }
            None => {
                self.done = true;
                after.len()
            }
        };
        // Text after the closing quote (`"1"x`) makes the whole field the value, so that the
        // cell is reported as it is written.
        Some(Ok(if after[..tail_len].iter().all(is_blank) {
            &rest[start + 1..close]
        } else {
            trim(&rest[start..close + 1 + tail_len])
        }))
    }
}

/// A header name: quoted `""` escapes become `"`.
pub(crate) fn header_name(field: &[u8]) -> String {
    String::from_utf8_lossy(field).replace("\"\"", "\"")
}

/// What is wrong with a numeric cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellProblem {
    /// Empty.
    Missing,
    /// Not a number.
    NonNumeric,
    /// NaN, infinity, or beyond the f32 range.
    NonFinite,
}

/// Parses a feature cell as a finite f32 (correctly rounded).
pub(crate) fn parse_number(cell: &[u8]) -> Result<f32, CellProblem> {
    if cell.is_empty() {
        return Err(CellProblem::Missing);
    }
    match fast_float2::parse::<f32, _>(cell) {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(CellProblem::NonFinite),
        Err(_) => Err(CellProblem::NonNumeric),
    }
}

/// Parses a label cell: `0`, `1` (or a number equal to them, such as `1.0`).
pub(crate) fn parse_label(cell: &[u8]) -> Result<u8, CellProblem> {
    match cell {
        b"0" => Ok(0),
        b"1" => Ok(1),
        _ => {
            let v = parse_number(cell)?;
            if v == 0.0 {
                Ok(0)
            } else if v == 1.0 {
                Ok(1)
            } else {
                Err(CellProblem::NonNumeric)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Vec<Result<String, UnterminatedQuote>> {
        Fields::new(line.as_bytes())
            .map(|f| f.map(|b| String::from_utf8_lossy(b).into_owned()))
            .collect()
    }

    #[test]
    fn splits_plain_quoted_and_blank_fields() {
        let ok = |v: &[&str]| v.iter().map(|s| Ok(s.to_string())).collect::<Vec<_>>();
        assert_eq!(split("1, 2 ,3"), ok(&["1", "2", "3"]));
        assert_eq!(
            split("\"a,b\", \"1\" ,\"x\"\"y\""),
            ok(&["a,b", "1", "x\"\"y"])
        );
        assert_eq!(split("1,,"), ok(&["1", "", ""]));
        assert_eq!(split(""), ok(&[""]));
        assert_eq!(split("\"1\"x,2"), ok(&["\"1\"x", "2"]));
        assert_eq!(
            split("1,\"2"),
            vec![Ok("1".to_string()), Err(UnterminatedQuote(2))]
        );
    }

    #[test]
    fn parses_numbers_and_labels() {
        assert_eq!(parse_number(b"-1.5e3"), Ok(-1500.0));
        assert_eq!(parse_number(b"+.5"), Ok(0.5));
        assert_eq!(parse_number(b""), Err(CellProblem::Missing));
        assert_eq!(parse_number(b"1.2.3"), Err(CellProblem::NonNumeric));
        assert_eq!(parse_number(b"NaN"), Err(CellProblem::NonFinite));
        assert_eq!(parse_number(b"-inf"), Err(CellProblem::NonFinite));
        assert_eq!(parse_number(b"1e39"), Err(CellProblem::NonFinite));
        assert_eq!(parse_label(b"1.0"), Ok(1));
        assert_eq!(parse_label(b"0"), Ok(0));
        assert_eq!(parse_label(b"2"), Err(CellProblem::NonNumeric));
        assert_eq!(header_name(b"a\"\"b"), "a\"b");
    }
}
