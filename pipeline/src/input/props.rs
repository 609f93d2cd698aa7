//! Property tests of the readers of outside bytes (issue 14): CSV dialects and rows (`csvin`),
//! log chunks, decimals and timestamps (`clock`). Whatever the bytes, no panic; and the
//! round trips hold: a field written by a CSV writer reads back as itself, an instant formatted
//! then parsed is the same instant. `NAVETTE_FUZZ_CASES` sets the cases (`./dev fuzz`).

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use chrono_tz::Europe::Brussels;
use proptest::prelude::*;

use super::clock::{StampError, StampParser, day_number, parse_stamp};
use super::csvin::{LogSource, MAX_ROW_BYTES, SourceFile, parse_decimal, read_rows};

/// (line, fields) of good rows and (line, reason) of bad ones.
type Read = (Vec<(u64, Vec<Option<String>>)>, Vec<(u64, String)>);

const COLS: [&str; 3] = ["a", "b", "c"];

fn read(bytes: &[u8], required: usize) -> Read {
    let file = SourceFile::from_bytes("fuzz.csv", bytes.to_vec());
    let mut ok = Vec::new();
    match read_rows(&file, &COLS, required, |r| {
        ok.push((r.line, (0..COLS.len()).map(|i| r.get(i).map(str::to_owned)).collect()))
    }) {
        Ok(info) => (ok, info.bad_rows.into_iter().map(|b| (b.line, b.reason)).collect()),
        Err(e) => {
            assert!(e.to_string().starts_with("fuzz.csv: "), "{e}");
            (ok, Vec::new())
        }
    }
}

/// Line ends as an editor counts them: `\n`, `\r\n` or a lone `\r`.
fn line_ends(bytes: &[u8]) -> u64 {
    bytes.iter().enumerate().filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))).count()
        as u64
}

/// Text of a CSV line without quotes: letters, both separators, spaces, é, a no-break space,
/// signs a spreadsheet likes.
fn plain_line() -> impl Strategy<Value = String> {
    "[ab1,; \u{e9}\u{a0}=+\t-]{0,14}"
}

fn config(default: u32) -> ProptestConfig {
    crate::fuzz_config(default)
}

proptest! {
    #![proptest_config(config(512))]

    /// Any bytes: rows or bad rows in line order, each line at most once, or a file error that
    /// names the file.
    #[test]
    fn any_bytes_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), required in 0usize..4) {
        let (ok, bad) = read(&bytes, required);
        let mut lines: Vec<u64> = ok.iter().map(|r| r.0).chain(bad.iter().map(|b| b.0)).collect();
        let n = lines.len();
        lines.sort_unstable();
        lines.dedup();
        prop_assert_eq!(lines.len(), n, "a line read twice");
        let physical = line_ends(&bytes) + 1;
        prop_assert!(lines.iter().all(|&l| (2..=physical).contains(&l)), "{:?} of {}", lines, physical);
    }

    /// CSV-looking text with quotes, separators and line ends in any order.
    #[test]
    fn csv_like_text_reads_without_panic(text in "(a|b|c)[,;](a|b|c)[,;]c\r?\n[ab\",;\r\n \u{feff}]{0,60}") {
        let _ = read(text.as_bytes(), 3);
    }

    /// Fields written by a CSV writer (quoting what needs it) read back as themselves (trimmed,
    /// empty as absent), on the lines they start on, with either separator and with a BOM.
    #[test]
    fn written_fields_read_back(
        rows in prop::collection::vec(prop::collection::vec("[ab,;\"\n\r \u{e9}\u{a0}=+-]{0,8}", 3), 0..12),
        semicolon in any::<bool>(), bom in any::<bool>(),
    ) {
        let sep = if semicolon { b';' } else { b',' };
        let mut w = csv::WriterBuilder::new().delimiter(sep).from_writer(Vec::new());
        w.write_record(COLS).unwrap();
        let mut expected = Vec::new();
        let mut line = 2u64;
        for r in &rows {
            w.flush().unwrap();
            let before = w.get_ref().len();
            w.write_record(r).unwrap();
            w.flush().unwrap();
            let written = w.get_ref()[before..].to_vec();
            let fields: Vec<Option<String>> =
                r.iter().map(|f| Some(f.trim().to_owned()).filter(|f| !f.is_empty())).collect();
            expected.push((line, fields));
            line += line_ends(&written);
        }
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(w.into_inner().unwrap());
        let (ok, bad) = read(&bytes, 3);
        prop_assert!(bad.is_empty(), "{:?}", bad);
        prop_assert_eq!(ok, expected);
    }

    /// Files without quotes take the fast splitter; the same lines with a quoted row added take
    /// the csv crate: both read the same rows, line numbers and bad rows.
    #[test]
    fn plain_and_quoted_paths_agree(
        lines in prop::collection::vec(plain_line(), 0..16), crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("a;b;c{eol}");
        for l in &lines {
            text.push_str(l);
            text.push_str(eol);
        }
        let plain = read(text.as_bytes(), 2);
        let quoted = read(format!("{text}\"q\";r;s{eol}").as_bytes(), 2);
        prop_assert_eq!(&plain.0[..], &quoted.0[..plain.0.len()]);
        prop_assert_eq!(plain.1, quoted.1);
    }

    /// A log read in chunks of any size gives the rows of the whole file, on the same lines.
    #[test]
    fn log_chunks_read_the_same_rows_as_the_whole_file(
        lines in prop::collection::vec(plain_line(), 0..24), chunk in 1usize..64, crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = format!("a,b,c{eol}");
        for l in &lines {
            text.push_str(l);
            text.push_str(eol);
        }
        let whole = read(text.as_bytes(), 2);
        let log = LogSource::from_bytes("fuzz.csv", text.clone().into_bytes());
        let mut chunks = log.chunks(chunk).unwrap();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        while let Some(c) = chunks.next_chunk().unwrap() {
            let (o, b) = read(&c.file.bytes, 2);
            ok.extend(o.into_iter().map(|(l, f)| (l + c.line_offset, f)));
            bad.extend(b.into_iter().map(|(l, r)| (l + c.line_offset, r)));
        }
        prop_assert_eq!((ok, bad), whole);
        let sha = super::csvin::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
        prop_assert_eq!(log.sha256(), Some(sha.as_str()));
    }

    /// Decimals: never a panic; a finite number written with `.` or `,` reads back exactly.
    #[test]
    fn decimals_read_back(v in any::<f64>(), junk in "[0-9 ,.'eE+-\u{a0}\u{202f}a]{0,12}") {
        let _ = parse_decimal(&junk);
        if v.is_finite() {
            prop_assert_eq!(parse_decimal(&v.to_string()), Some(v));
            let comma = v.to_string().replace('.', ",");
            prop_assert_eq!(parse_decimal(&comma), Some(v));
        }
    }

    /// Timestamps: any text parses or is refused, never a panic.
    #[test]
    fn any_text_is_a_stamp_or_refused(s in any::<String>(), t in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,]{2,12}[Zz+0-9:-]{0,7}") {
        let _ = parse_stamp(&s);
        let _ = parse_stamp(&t);
    }

    /// An instant written with any UTC offset (ISO 8601, with or without seconds' fraction)
    /// parses to the same instant, and its Brussels date and time are chrono-tz's.
    #[test]
    fn a_formatted_instant_parses_to_itself(
        utc_s in 0i64..4_102_444_800, offset_min in -14 * 60i32..=14 * 60, form in 0usize..4,
    ) {
        let t = Utc.timestamp_opt(utc_s, 0).unwrap();
        let with_offset = t.with_timezone(&FixedOffset::east_opt(offset_min * 60).unwrap());
        let text = match form {
            0 => with_offset.to_rfc3339(),
            1 => with_offset.format("%Y-%m-%d %H:%M:%S%z").to_string(),
            2 => with_offset.format("%Y-%m-%dT%H:%M:%S.250%:z").to_string(),
            _ => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        };
        let st = parse_stamp(&text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        prop_assert_eq!(st.utc_s, utc_s, "{}", text);
        let local = t.with_timezone(&Brussels).naive_local();
        prop_assert_eq!(st.local_day, day_number(local.date()));
        prop_assert_eq!(st.local_sod, chrono::Timelike::num_seconds_from_midnight(&local.time()));
    }

    /// Brussels wall-clock time without offset: the same instant, except in the October hour
    /// that happens twice (the earlier instant, flagged) and the March hour that never happens.
    #[test]
    fn a_brussels_local_time_parses_to_its_instant(utc_s in 0i64..4_102_444_800) {
        let t: DateTime<Utc> = Utc.timestamp_opt(utc_s, 0).unwrap();
        let local = t.with_timezone(&Brussels).naive_local();
        let text = local.format("%Y-%m-%dT%H:%M:%S").to_string();
        let st = parse_stamp(&text).unwrap();
        if st.ambiguous {
            prop_assert!(st.utc_s == utc_s || st.utc_s == utc_s - 3600, "{}", text);
        } else {
            prop_assert_eq!(st.utc_s, utc_s, "{}", text);
        }
        // One hour after a spring change's 02:00 never happened.
        let gap = local.date().and_hms_opt(2, 30, 0).unwrap();
        if matches!(Brussels.from_local_datetime(&gap), chrono::LocalResult::None) {
            prop_assert_eq!(parse_stamp(&gap.format("%Y-%m-%dT%H:%M:%S").to_string()), Err(StampError::Nonexistent));
        }
    }

    /// The caching parser agrees with the plain one on any sequence of stamps.
    #[test]
    fn the_cached_parser_agrees_with_the_plain_one(
        stamps in prop::collection::vec((1_700_000_000i64..1_900_000_000, any::<bool>()), 1..40),
    ) {
        let mut p = StampParser::default();
        for (s, zulu) in stamps {
            let t = Utc.timestamp_opt(s, 0).unwrap();
            let text = if zulu {
                t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                t.with_timezone(&Brussels).naive_local().format("%Y-%m-%d %H:%M").to_string()
            };
            prop_assert_eq!(p.parse(&text), parse_stamp(&text), "{}", text);
        }
    }
}

/// Excel for Mac's "CSV (Macintosh)" ends lines with a lone `\r`: rows and rejects on their lines.
#[test]
fn carriage_return_line_ends_count_as_lines() {
    let (ok, bad) = read(b"a;b;c\r1;2;3\r4\r\r5;6;7\r", 3);
    assert_eq!(ok.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 5]);
    assert_eq!(bad.iter().map(|r| r.0).collect::<Vec<_>>(), vec![3]);
    let f = SourceFile::from_bytes("m.csv", b"a;b;c\r1;2\r".to_vec());
    let info = read_rows(&f, &COLS, 3, |_| {}).unwrap();
    assert_eq!(info.bad_rows[0].raw, "1;2");
}

/// A line of several MiB in a log: rejected with its line number, the rest of the log read, and
/// no chunk much larger than the row limit.
#[test]
fn an_overlong_log_line_is_rejected_and_skipped_as_it_is_read() {
    let mut text = b"a,b,c\n1,2,3\n".to_vec();
    text.extend(std::iter::repeat_n(b'x', 3 * MAX_ROW_BYTES + 17));
    text.extend_from_slice(b"\n4,5,6\n");
    text.extend_from_slice(b"1,2,");
    text.extend(std::iter::repeat_n(b'y', MAX_ROW_BYTES - 4));
    text.extend_from_slice(b"\n7,8,9\n");
    text.extend(std::iter::repeat_n(b'z', 2 * MAX_ROW_BYTES));
    for chunk in [1000, 64 << 10, 4 << 20] {
        let log = LogSource::from_bytes("big.csv", text.clone());
        let mut chunks = log.chunks(chunk).unwrap();
        let (mut ok, mut bad, mut largest) = (Vec::new(), Vec::new(), 0);
        while let Some(c) = chunks.next_chunk().unwrap() {
            largest = largest.max(c.file.bytes.len());
            let (o, b) = read(&c.file.bytes, 3);
            ok.extend(o.into_iter().map(|(l, _)| l + c.line_offset));
            bad.extend(b.into_iter().map(|(l, r)| (l + c.line_offset, r)));
        }
        assert_eq!(ok, vec![2, 4, 5, 6], "chunk {chunk}");
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![3, 7], "chunk {chunk}: {bad:?}");
        assert!(bad[0].1.contains("longer than 1 MiB"), "{}", bad[0].1);
        assert!(largest <= chunk.max(2 * MAX_ROW_BYTES) + 2 * MAX_ROW_BYTES, "chunk {chunk}: {largest} bytes");
        assert!(log.sha256().is_some());
    }
    // The whole-file reader says the same; a line of exactly the limit is a row.
    let (ok, bad) = read(&text, 3);
    assert_eq!((ok.len(), bad.iter().map(|b| b.0).collect::<Vec<_>>()), (4, vec![3, 7]));
}

/// A table read whole is refused past its limit, naming the file and the limit.
#[test]
fn a_table_past_the_size_limit_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("employees.csv");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(super::csvin::MAX_TABLE_BYTES + 1).unwrap();
    let e = SourceFile::read(&path, "employees.csv").unwrap_err().to_string();
    assert!(e.contains("employees.csv") && e.contains("256 MiB limit"), "{e}");
}
