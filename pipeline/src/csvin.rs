//! Reading user CSV files as Belgian spreadsheets export them: UTF-8 with or without BOM, `,` or
//! `;` separated, decimal commas. Rows are handed out one by one with their line number and raw
//! text, so a bad row can be rejected precisely while the rest of the file is used.

use std::path::Path;

use sha2::{Digest, Sha256};

/// A whole input file in memory, with its checksum.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name used in messages and the rejects table (the path as configured).
    pub name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
}

impl SourceFile {
    /// Wraps bytes already in memory (embedded demo files, tests).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> SourceFile {
        let sha256 = hex(&Sha256::digest(&bytes));
        SourceFile { name: name.into(), bytes, sha256 }
    }

    /// Reads a file from disk.
    pub fn read(path: &Path, name: impl Into<String>) -> std::io::Result<SourceFile> {
        Ok(SourceFile::from_bytes(name, std::fs::read(path)?))
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A file that cannot be used at all (as opposed to a bad row, which is rejected).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// No header line.
    #[error("{file}: the file is empty: expected a header line with {expected}")]
    Empty {
        /// File name.
        file: String,
        /// The required columns.
        expected: String,
    },
    /// Required columns are missing from the header.
    #[error("{file}: missing column(s) {missing}; the header has {found}")]
    MissingColumns {
        /// File name.
        file: String,
        /// Missing columns.
        missing: String,
        /// Columns found.
        found: String,
    },
    /// The header itself cannot be parsed.
    #[error("{file}: unreadable header: {message}")]
    Header {
        /// File name.
        file: String,
        /// What went wrong.
        message: String,
    },
}

/// One data row, borrowed from the reader.
pub struct Row<'a> {
    /// 1-based line number of the row in its file.
    pub line: u64,
    record: &'a csv::ByteRecord,
    columns: &'a [Option<usize>],
    bytes: &'a [u8],
    start: usize,
}

impl<'a> Row<'a> {
    /// The trimmed value of the `i`-th requested column; `None` when absent or empty.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let idx = self.columns[i]?;
        let v = std::str::from_utf8(self.record.get(idx)?).ok()?.trim();
        if v.is_empty() { None } else { Some(v) }
    }

    /// The row's raw text as it stands in the file (first physical line).
    pub fn raw(&self) -> String {
        raw_line(self.bytes, self.start)
    }
}

fn raw_line(bytes: &[u8], start: usize) -> String {
    let rest = &bytes[start.min(bytes.len())..];
    let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end]).trim_end_matches('\r').to_owned()
}

/// Why a row could not even be split into fields.
pub struct BadRow {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong.
    pub reason: String,
    /// The raw text.
    pub raw: String,
}

/// Summary of a file read, for the data-quality report.
#[derive(Default)]
pub struct HeaderInfo {
    /// Rows that could not be split into fields or decoded, in file order.
    pub bad_rows: Vec<BadRow>,
    /// The detected separator.
    pub delimiter: char,
    /// Header columns that navette does not use.
    pub ignored_columns: Vec<String>,
}

/// Streams the rows of a CSV file. `columns` lists the column names the caller reads (the first
/// `required` of them must be present); rows are passed to `on_row` in file order. Rows that
/// cannot be split or decoded are returned in `HeaderInfo::bad_rows`.
pub fn read_rows(
    file: &SourceFile,
    columns: &[&str],
    required: usize,
    mut on_row: impl FnMut(&Row<'_>),
) -> Result<HeaderInfo, FileError> {
    let mut bad_rows = Vec::new();
    let mut on_bad = |b: BadRow| bad_rows.push(b);
    let bytes = strip_bom(&file.bytes);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = sniff_delimiter(first_line);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| FileError::Header { file: file.name.clone(), message: e.to_string() })?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].iter().all(u8::is_ascii_whitespace)) {
        return Err(FileError::Empty { file: file.name.clone(), expected: columns[..required].join(", ") });
    }
    let names: Vec<String> =
        header.iter().map(|h| String::from_utf8_lossy(h).trim().trim_matches('"').to_ascii_lowercase()).collect();
    let index: Vec<Option<usize>> = columns.iter().map(|c| names.iter().position(|n| n == c)).collect();
    let missing: Vec<&str> =
        columns[..required].iter().zip(&index).filter(|(_, i)| i.is_none()).map(|(c, _)| *c).collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            file: file.name.clone(),
            missing: missing.join(", "),
            found: names.join(", "),
        });
    }
    let ignored_columns = names.iter().filter(|n| !columns.contains(&n.as_str()) && !n.is_empty()).cloned().collect();
    // A row must reach its last required column; trailing optional fields may be left out.
    let min_width = index[..required].iter().flatten().max().map_or(0, |i| i + 1);
    let mut record = csv::ByteRecord::new();
    let width = names.len();
    // Physical line numbers are counted from the bytes: the csv crate's own counter skips blank
    // lines. (byte offset, line) of the last record seen:
    let mut last = (0usize, 1u64);
    let mut line_of = |start: usize| {
        // A record's position can point at blank lines skipped before it.
        let start = start + bytes[start.min(bytes.len())..].iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
        let (from, line) = last;
        let start = start.max(from);
        let n = memchr::memchr_iter(b'\n', &bytes[from..start]).count() as u64;
        last = (start, line + n);
        (line + n, start)
    };
    loop {
        let pos_before = reader.position().clone();
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let pos = record.position().expect("records read from a reader have a position");
                let (line, start) = line_of(pos.byte() as usize);
                if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                    continue; // blank line
                }
                if record.len() < min_width {
                    on_bad(BadRow {
                        line,
                        reason: format!("{} field(s) where the header has {width}", record.len()),
                        raw: raw_line(bytes, start),
                    });
                    continue;
                }
                if record.iter().skip(width).any(|f| !f.iter().all(u8::is_ascii_whitespace)) {
                    on_bad(BadRow {
                        line,
                        reason: format!(
                            "{} fields where the header has {width} (an unquoted decimal comma in a ,-separated file?)",
                            record.len()
                        ),
                        raw: raw_line(bytes, start),
                    });
                    continue;
                }
                if std::str::from_utf8(record.as_slice()).is_err() {
                    on_bad(BadRow { line, reason: "not valid UTF-8".into(), raw: raw_line(bytes, start) });
                    continue;
                }
                on_row(&Row { line, record: &record, columns: &index, bytes, start });
            }
            Err(e) => {
                let (line, start) = line_of(pos_before.byte() as usize);
                on_bad(BadRow { line, reason: format!("unreadable row: {e}"), raw: raw_line(bytes, start) });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    Ok(HeaderInfo { bad_rows, delimiter: delimiter as char, ignored_columns })
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// `;` when the header has more semicolons than commas (Belgian/French spreadsheet exports).
fn sniff_delimiter(header: &[u8]) -> u8 {
    let semi = header.iter().filter(|&&b| b == b';').count();
    let comma = header.iter().filter(|&&b| b == b',').count();
    if semi > comma { b';' } else { b',' }
}

/// Parses a decimal number written with `.` or `,` as the decimal separator (`50,668`,
/// `1 234,5`, `1.234,5`, `1,234.5`). Returns `None` for anything else, including NaN and
/// infinities.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let t: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')).collect();
    let normalised = match (t.rfind('.'), t.rfind(',')) {
        (Some(d), Some(c)) if c > d => t.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => t.replace(',', ""),
        (None, Some(_)) if t.matches(',').count() == 1 => t.replace(',', "."),
        (None, Some(_)) => return None,
        _ => t,
    };
    let v: f64 = normalised.parse().ok()?;
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (line, fields) of good rows; (line, raw text) of bad ones.
    type Read = (Vec<(u64, Vec<Option<String>>)>, Vec<(u64, String)>);

    fn rows(text: &str, cols: &[&str], required: usize) -> Read {
        let f = SourceFile::from_bytes("t.csv", text.as_bytes().to_vec());
        let mut ok = Vec::new();
        let info = read_rows(&f, cols, required, |r| {
            ok.push((r.line, (0..cols.len()).map(|i| r.get(i).map(str::to_owned)).collect()))
        })
        .unwrap();
        (ok, info.bad_rows.into_iter().map(|b| (b.line, b.raw)).collect())
    }

    #[test]
    fn semicolons_bom_and_decimal_commas() {
        let (ok, bad) = rows("\u{feff}Site_ID;Name;Lat;Lon\nS1;Tournai;50,60715;3,38932\n", &["site_id", "lat"], 2);
        assert!(bad.is_empty());
        assert_eq!(ok, vec![(2, vec![Some("S1".into()), Some("50,60715".into())])]);
        assert_eq!(parse_decimal("50,60715"), Some(50.60715));
    }

    #[test]
    fn short_rows_are_bad_with_their_line_and_raw_text() {
        let (ok, bad) = rows("a,b\n1,2\n3\n\n4,5\n50,6,4\n", &["a", "b"], 2);
        assert_eq!(ok.len(), 2);
        assert_eq!(bad, vec![(3, "3".to_owned()), (6, "50,6,4".to_owned())]);
        assert_eq!(ok[1].0, 5);
        // Trailing optional columns may be left out; an empty extra field is harmless.
        let (ok, bad) = rows("a,b,c\n1,2\n3,4,5,\n", &["a", "b", "c"], 2);
        assert_eq!((ok.len(), bad.len()), (2, 0));
    }

    #[test]
    fn missing_required_column_names_it() {
        let f = SourceFile::from_bytes("sites.csv", b"site_id,lat\n".to_vec());
        let err = read_rows(&f, &["site_id", "lat", "lon"], 3, |_| {}).err().unwrap().to_string();
        assert!(err.contains("sites.csv") && err.contains("lon"), "{err}");
    }

    #[test]
    fn decimals() {
        for (s, v) in
            [("1 234,5", Some(1234.5)), ("1.234,5", Some(1234.5)), ("1,234.5", Some(1234.5)), ("4", Some(4.0))]
        {
            assert_eq!(parse_decimal(s), v, "{s}");
        }
        for s in ["", "abc", "1,2,3", "NaN", "inf"] {
            assert_eq!(parse_decimal(s), None, "{s}");
        }
    }
}
