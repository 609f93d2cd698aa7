//! Reading user CSV files as Belgian spreadsheets export them: UTF-8 with or without BOM, `,` or
//! `;` separated, decimal commas. Rows are handed out one by one with their line number and raw
//! text, so a bad row can be rejected precisely while the rest of the file is used.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The longest row read (bytes of one record, its line end excluded). A longer row is rejected
/// with its line number and the rest of the file is read; a log row holds about 60 bytes and a
/// spreadsheet row rarely 1 KiB. In an access log the excess is skipped as it is read, so memory
/// stays bounded however long the line.
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// The largest file read whole ([`SourceFile::read`]: sites, companies, employees, cards, factor
/// overrides, plan candidates). Access logs, the one input that grows with the study, are
/// streamed and have no size limit. 256 MiB is over a million employees at 200 bytes a row.
pub const MAX_TABLE_BYTES: u64 = 256 << 20;

/// The most of a rejected row's text kept in the rejects table (its start, then `…`).
pub const MAX_RAW_BYTES: usize = 4096;

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

    /// Reads a file from disk: at most [`MAX_TABLE_BYTES`] (an error past that names the limit).
    pub fn read(path: &Path, name: impl Into<String>) -> std::io::Result<SourceFile> {
        Ok(SourceFile::from_bytes(
            name,
            read_capped(path, MAX_TABLE_BYTES, "a table read whole (access logs are streamed)")?,
        ))
    }
}

/// A whole file, refused when it holds more than `limit` bytes (`what` says whose limit it is).
pub fn read_capped(path: &Path, limit: u64, what: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let too_large = |size: u64| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{} is {size} bytes, more than the {} MiB limit of {what}", path.display(), limit >> 20),
        )
    };
    let f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    if size > limit {
        return Err(too_large(size));
    }
    // The size can change under us (a file being written, a pipe): never read past the limit.
    let mut bytes = Vec::with_capacity(size as usize);
    f.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// An access log. Logs are the one input that grows with the number of events, so they are never
/// held whole in memory: [`LogChunks`] reads them in parts of whole lines while ingest parses,
/// and hashes them on the way.
#[derive(Debug, Clone)]
pub struct LogSource {
    /// The name used in messages and the rejects table (the path as configured).
    pub name: String,
    origin: LogOrigin,
    /// Hex SHA-256 of the file, known once it has been read through.
    sha256: std::sync::OnceLock<String>,
}

#[derive(Debug, Clone)]
enum LogOrigin {
    Path(std::path::PathBuf),
    Bytes(Vec<u8>),
}

impl LogSource {
    /// A log on disk; fails now if it cannot be opened.
    pub fn open(path: &Path, name: impl Into<String>) -> std::io::Result<LogSource> {
        std::fs::File::open(path)?;
        Ok(LogSource { name: name.into(), origin: LogOrigin::Path(path.to_owned()), sha256: Default::default() })
    }

    /// A log already in memory (tests, generated studies).
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> LogSource {
        LogSource { name: name.into(), origin: LogOrigin::Bytes(bytes), sha256: Default::default() }
    }

    /// Hex SHA-256 of the file, once [`LogChunks`] has read it to the end.
    pub fn sha256(&self) -> Option<&str> {
        self.sha256.get().map(String::as_str)
    }

    /// Reads the log in chunks of about `chunk_bytes`.
    pub fn chunks(&self, chunk_bytes: usize) -> Result<LogChunks<'_>, FileError> {
        let reader: Box<dyn std::io::Read + Send + '_> = match &self.origin {
            LogOrigin::Path(p) => Box::new(
                std::fs::File::open(p)
                    .map_err(|e| FileError::Io { file: self.name.clone(), message: e.to_string() })?,
            ),
            LogOrigin::Bytes(b) => Box::new(&b[..]),
        };
        Ok(LogChunks {
            log: self,
            reader,
            chunk_bytes: chunk_bytes.max(1),
            header: Vec::new(),
            carry: Vec::new(),
            lines_before: 0,
            started: false,
            eof: false,
            skipping: false,
            hasher: Sha256::new(),
        })
    }
}

/// Whole lines of a log, under its header, as a small [`SourceFile`] of their own.
pub struct LogChunk {
    /// The header line followed by whole lines of the log (the first chunk is the file's start).
    pub file: SourceFile,
    /// Add to a line number in the chunk to get the line in the log.
    pub line_offset: u64,
}

/// Reads a [`LogSource`] chunk by chunk. A quoted field holding a line break exactly at a cut
/// would be split into two malformed rows (rejected, never lost); access logs have no such fields.
pub struct LogChunks<'a> {
    log: &'a LogSource,
    reader: Box<dyn std::io::Read + Send + 'a>,
    chunk_bytes: usize,
    header: Vec<u8>,
    carry: Vec<u8>,
    /// Physical lines before the carried-over bytes.
    lines_before: u64,
    started: bool,
    eof: bool,
    /// Inside a line longer than [`MAX_ROW_BYTES`]: its first bytes are kept (the row is rejected
    /// as too long), the rest is dropped up to the line end.
    skipping: bool,
    hasher: Sha256,
}

impl LogChunks<'_> {
    /// Keeps the last (unfinished) line of `buf` within [`MAX_ROW_BYTES`] + 1 bytes: past that, the
    /// bytes read from `from` on are dropped up to the line's end.
    fn bound_line(&mut self, buf: &mut Vec<u8>, from: usize) {
        if self.skipping {
            match memchr::memchr(b'\n', &buf[from..]) {
                Some(i) => {
                    buf.drain(from..from + i);
                    self.skipping = false;
                }
                None => buf.truncate(from),
            }
        }
        let line_start = memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1);
        if buf.len() - line_start > MAX_ROW_BYTES + 1 {
            // No line end after `line_start`: all of the excess is this line's.
            buf.truncate(line_start + MAX_ROW_BYTES + 1);
            self.skipping = true;
        }
    }

    /// The next chunk, or `None` at the end (then the log's checksum is known). The first call
    /// always returns a chunk, even for an empty file, so that its header is checked.
    pub fn next_chunk(&mut self) -> Result<Option<LogChunk>, FileError> {
        let io = |e: std::io::Error, name: &str| FileError::Io { file: name.to_owned(), message: e.to_string() };
        let mut buf = std::mem::take(&mut self.carry);
        let mut want = self.chunk_bytes;
        let cut = loop {
            while buf.len() < want && !self.eof {
                let from = buf.len();
                buf.resize(want, 0);
                let n = loop {
                    match self.reader.read(&mut buf[from..]) {
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        r => break r.map_err(|e| io(e, &self.log.name))?,
                    }
                };
                buf.truncate(from + n);
                self.hasher.update(&buf[from..]);
                self.eof = n == 0;
                self.bound_line(&mut buf, from);
            }
            if self.eof {
                break buf.len();
            }
            // Cut after the last line end; a chunk without one (a huge line) reads on.
            match memchr::memrchr(b'\n', &buf) {
                Some(i) => break i + 1,
                None => want = buf.len() * 2,
            }
        };
        self.carry = buf.split_off(cut);
        if self.eof && self.carry.is_empty() && self.log.sha256.get().is_none() {
            let _ = self.log.sha256.set(hex(&std::mem::take(&mut self.hasher).finalize()));
        }
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64;
        if !self.started {
            self.started = true;
            let header_end = memchr::memchr(b'\n', &buf).map_or(buf.len(), |i| i + 1);
            self.header = buf[..header_end].to_vec();
            self.lines_before = lines;
            let file = SourceFile { name: self.log.name.clone(), bytes: buf, sha256: String::new() };
            return Ok(Some(LogChunk { file, line_offset: 0 }));
        }
        if buf.is_empty() {
            return Ok(None);
        }
        // The chunk's first line is its line 2 (after the header); in the log it is
        // `lines_before + 1`.
        let line_offset = self.lines_before - 1;
        self.lines_before += lines;
        let mut bytes = Vec::with_capacity(self.header.len() + buf.len());
        bytes.extend_from_slice(&self.header);
        bytes.extend_from_slice(&buf);
        Ok(Some(LogChunk {
            file: SourceFile { name: self.log.name.clone(), bytes, sha256: String::new() },
            line_offset,
        }))
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
    /// The file cannot be read (it vanished, a disk error…).
    #[error("{file}: cannot read: {message}")]
    Io {
        /// File name.
        file: String,
        /// What went wrong.
        message: String,
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
    /// The text the field ranges index: the line itself (plain rows) or the csv record's buffer.
    /// Validated once per row; fields end at ASCII separators, so slicing never splits a char.
    data: &'a str,
    /// Byte range of each field in `data`.
    fields: &'a [(u32, u32)],
    columns: &'a [Option<usize>],
    bytes: &'a [u8],
    start: usize,
}

impl<'a> Row<'a> {
    /// The trimmed value of the `i`-th requested column; `None` when absent or empty.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let &(from, to) = self.fields.get(self.columns[i]?)?;
        let v = self.data.get(from as usize..to as usize)?.trim_ascii();
        // Unicode spaces (a no-break space from a spreadsheet) are trimmed too; the ASCII trim
        // first keeps the common case fast.
        let v =
            if v.starts_with(|c: char| !c.is_ascii()) || v.ends_with(|c: char| !c.is_ascii()) { v.trim() } else { v };
        if v.is_empty() { None } else { Some(v) }
    }

    /// The row's raw text as it stands in the file (first physical line).
    pub fn raw(&self) -> String {
        raw_line(self.bytes, self.start)
    }
}

/// Line ends in `bytes[range]`: `\n`, and a `\r` not followed by `\n` (the line end of Excel's
/// "CSV (Macintosh)", which the csv crate honours too).
fn line_ends(bytes: &[u8], range: std::ops::Range<usize>) -> u64 {
    let from = range.start;
    memchr::memchr2_iter(b'\n', b'\r', &bytes[range])
        .filter(|&i| bytes[from + i] == b'\n' || bytes.get(from + i + 1) != Some(&b'\n'))
        .count() as u64
}

fn raw_line(bytes: &[u8], start: usize) -> String {
    let rest = &bytes[start.min(bytes.len())..];
    let end = memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    if end > MAX_RAW_BYTES {
        let mut s = String::from_utf8_lossy(&rest[..MAX_RAW_BYTES]).into_owned();
        s.push('…');
        return s;
    }
    String::from_utf8_lossy(&rest[..end]).into_owned()
}

fn too_long() -> String {
    format!("row longer than {} MiB, the limit for one row (the rest of the file is read)", MAX_ROW_BYTES >> 20)
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
    /// Rows that could not be split or decoded, in file order.
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
    let all = &file.bytes[..];
    let bom = if all.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let first_line = all[bom..].split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = sniff_delimiter(first_line);
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(&all[bom..]);
    let mut header = csv::ByteRecord::new();
    let header_read = reader
        .read_byte_record(&mut header)
        .map_err(|e| FileError::Header { file: file.name.clone(), message: e.to_string() })?;
    if !header_read || header.is_empty() || (header.len() == 1 && header[0].iter().all(u8::is_ascii_whitespace)) {
        return Err(FileError::Empty { file: file.name.clone(), expected: columns[..required].join(", ") });
    }
    // The csv crate stops after the `\r` of a `\r\n` header end.
    let mut header_end = bom + reader.position().byte() as usize;
    if all[..header_end].ends_with(b"\r") && all.get(header_end) == Some(&b'\n') {
        header_end += 1;
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
    let body = Body {
        all,
        start: header_end,
        lines_before: line_ends(all, 0..header_end),
        delimiter,
        width: names.len(),
        // A row must reach its last required column; trailing optional fields may be left out.
        min_width: index[..required].iter().flatten().max().map_or(0, |i| i + 1),
        index: &index,
    };
    let body_bytes = &all[header_end..];
    // Exports without quotes or bare carriage returns (most machine logs) are split with memchr;
    // anything else goes through the csv crate.
    let plain = memchr::memchr(b'"', body_bytes).is_none()
        && memchr::memchr_iter(b'\r', body_bytes).all(|i| body_bytes.get(i + 1).is_none_or(|&b| b == b'\n'));
    let bad_rows = if plain { body.plain(&mut on_row) } else { body.quoted(&mut on_row) };
    Ok(HeaderInfo { bad_rows, delimiter: delimiter as char, ignored_columns })
}

/// The body of a file being read.
struct Body<'a> {
    all: &'a [u8],
    /// Where the rows start (after the header), and the physical lines before that.
    start: usize,
    lines_before: u64,
    delimiter: u8,
    width: usize,
    min_width: usize,
    index: &'a [Option<usize>],
}

impl Body<'_> {
    /// Checks a split row; `Err` is the reason it is bad.
    fn check(&self, fields: &[(u32, u32)], data: &[u8]) -> Result<(), String> {
        if fields.len() < self.min_width {
            return Err(format!("{} field(s) where the header has {}", fields.len(), self.width));
        }
        if fields[self.width.min(fields.len())..]
            .iter()
            .any(|&(a, b)| !data[a as usize..b as usize].iter().all(u8::is_ascii_whitespace))
        {
            return Err(format!(
                "{} fields where the header has {} (an unquoted decimal comma in a ,-separated file?)",
                fields.len(),
                self.width
            ));
        }
        Ok(())
    }

    /// Rows with no quoting: one physical line each.
    fn plain(&self, on_row: &mut impl FnMut(&Row<'_>)) -> Vec<BadRow> {
        let mut bad = Vec::new();
        let mut fields: Vec<(u32, u32)> = Vec::with_capacity(self.width + 1);
        let (mut pos, mut line) = (self.start, self.lines_before);
        while pos < self.all.len() {
            line += 1;
            let rest = &self.all[pos..];
            let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            let start = pos;
            pos += len + 1;
            let text = rest[..len].strip_suffix(b"\r").unwrap_or(&rest[..len]);
            if text.len() > MAX_ROW_BYTES {
                bad.push(BadRow { line, reason: too_long(), raw: raw_line(self.all, start) });
                continue;
            }
            fields.clear();
            let mut from = 0u32;
            for d in memchr::memchr_iter(self.delimiter, text) {
                fields.push((from, d as u32));
                from = d as u32 + 1;
            }
            fields.push((from, text.len() as u32));
            if fields.len() == 1 && text.iter().all(u8::is_ascii_whitespace) {
                continue; // blank line
            }
            let verdict = self
                .check(&fields, text)
                .and_then(|()| std::str::from_utf8(text).map_err(|_| "not valid UTF-8".to_owned()));
            match verdict {
                Ok(data) => on_row(&Row { line, data, fields: &fields, columns: self.index, bytes: self.all, start }),
                Err(reason) => bad.push(BadRow { line, reason, raw: raw_line(self.all, start) }),
            }
        }
        bad
    }

    /// Rows that may hold quoted fields (even over several lines): the csv crate splits them.
    fn quoted(&self, on_row: &mut impl FnMut(&Row<'_>)) -> Vec<BadRow> {
        let mut bad = Vec::new();
        let body = &self.all[self.start..];
        let mut reader =
            csv::ReaderBuilder::new().delimiter(self.delimiter).flexible(true).has_headers(false).from_reader(body);
        let mut record = csv::ByteRecord::new();
        let mut fields: Vec<(u32, u32)> = Vec::with_capacity(self.width + 1);
        // Physical line numbers are counted from the bytes: the csv crate's own counter skips
        // blank lines. (byte offset in the body, line) of the last record seen:
        let mut last = (0usize, self.lines_before + 1);
        let mut line_of = |start: usize| {
            // A record's position can point at blank lines skipped before it.
            let start = start + body[start.min(body.len())..].iter().take_while(|b| matches!(b, b'\n' | b'\r')).count();
            let (from, line) = last;
            let start = start.max(from);
            let n = line_ends(body, from..start);
            last = (start, line + n);
            (line + n, self.start + start)
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
                    if record.as_slice().len() > MAX_ROW_BYTES {
                        bad.push(BadRow { line, reason: too_long(), raw: raw_line(self.all, start) });
                        continue;
                    }
                    fields.clear();
                    fields.extend(
                        (0..record.len()).filter_map(|i| record.range(i)).map(|r| (r.start as u32, r.end as u32)),
                    );
                    let data = record.as_slice();
                    let verdict = self
                        .check(&fields, data)
                        .and_then(|()| std::str::from_utf8(data).map_err(|_| "not valid UTF-8".to_owned()));
                    match verdict {
                        Ok(data) => {
                            on_row(&Row { line, data, fields: &fields, columns: self.index, bytes: self.all, start })
                        }
                        Err(reason) => bad.push(BadRow { line, reason, raw: raw_line(self.all, start) }),
                    }
                }
                Err(e) => {
                    let (line, start) = line_of(pos_before.byte() as usize);
                    bad.push(BadRow { line, reason: format!("unreadable row: {e}"), raw: raw_line(self.all, start) });
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        break;
                    }
                }
            }
        }
        bad
    }
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
    // Most values are plain (`50.8503`, `-4`): parsed as they are, without a copy.
    if s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return s.parse::<f64>().ok().filter(|v| v.is_finite());
    }
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

    #[test]
    fn plain_and_quoted_paths_read_the_same_rows() {
        // The same content with and without a quoted field somewhere: the quoted version goes
        // through the csv crate, the other through the memchr splitter.
        let body =
            "a;b;c\r\n1;2;3\r\n\r\n  ;  \r\n4;5\r\n6\r\n7;8;9;10\r\n7;8;9; \r\n\u{e9}t\u{e9};x;y\r\nz;z;z".to_owned();
        let cols = ["a", "b", "c"];
        let plain = rows(&body, &cols, 1);
        let quoted = rows(&(body.clone() + "\r\n\"q\";r;s"), &cols, 1);
        assert_eq!(plain.0[..], quoted.0[..plain.0.len()]);
        assert_eq!(plain.1, quoted.1);
        assert_eq!(quoted.0.last().unwrap(), &(11, vec![Some("q".into()), Some("r".into()), Some("s".into())]));
        let lines: Vec<u64> = plain.0.iter().map(|r| r.0).collect();
        assert_eq!(lines, vec![2, 4, 5, 6, 8, 9, 10]);
        assert_eq!(plain.1, vec![(7, "7;8;9;10".to_owned())]);
        // A bare carriage return ends a record for the csv crate: such a body is not "plain".
        let (ok, _) = rows("a,b\n1,2\r3,4\n", &["a", "b"], 1);
        assert_eq!(ok.len(), 2);
    }

    #[test]
    fn invalid_utf8_is_a_bad_row_on_both_paths() {
        for extra in ["", "\n\"q\",r"] {
            let mut bytes = b"a,b\n1,\xff\n2,3".to_vec();
            bytes.extend_from_slice(extra.as_bytes());
            let f = SourceFile::from_bytes("t.csv", bytes);
            let mut ok = Vec::new();
            let info = read_rows(&f, &["a", "b"], 2, |r| ok.push(r.line)).unwrap();
            assert_eq!(ok[0], 3);
            assert_eq!(
                info.bad_rows.iter().map(|b| (b.line, b.reason.as_str())).collect::<Vec<_>>(),
                vec![(2, "not valid UTF-8")]
            );
        }
    }
}
