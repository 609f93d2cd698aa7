//! Hostile input (issue 14): random and mutated bytes fed to the feed reader (folders and zip
//! archives), and the limits (zip bomb, declared sizes, long rows, rejects, absurd values).
//!
//! Every case must end in `Ok` (counts reconciling, a scan running) or a `FeedError` naming the
//! feed, never a panic. The mutation runs are seeded and bounded (a few seconds in all); set
//! `NAVETTE_FUZZ_CASES` (cases per run, default 150) for a longer run, e.g.
//! `NAVETTE_FUZZ_CASES=20000 cargo test -p navette-transit --test hostile --release`. A panicking
//! input is saved under the temporary folder (the message says where): copy it to
//! `tests/corpus/gtfs/` so `corpus_replays` keeps it from coming back.

use std::io::{Cursor, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use navette_transit::gtfs::{MAX_REJECTS_PER_FILE, MAX_ROW_BYTES};
use navette_transit::{Access, Date, FeedError, LoadOptions, Loaded, Scanner, ServiceDay, load_feeds};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Covers the fixtures (2025) and Cairns (2014).
fn any_day() -> ServiceDay {
    ServiceDay::Representative {
        from: Date::parse_iso("2014-01-01").unwrap(),
        to: Date::parse_iso("2025-12-31").unwrap(),
    }
}

fn cases() -> u64 {
    std::env::var("NAVETTE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150)
}

/// The files of a fixture folder, by name.
fn fixture_files(name: &str) -> Vec<(String, Vec<u8>)> {
    let dir = manifest().join("tests/fixtures").join(name);
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (n, b) in files {
        std::fs::write(dir.join(n), b).unwrap();
    }
}

/// A zip archive of `files` (deflated), under `prefix/` when given.
fn zip_bytes(files: &[(String, Vec<u8>)], prefix: Option<&str>) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (n, b) in files {
        let name = prefix.map_or(n.clone(), |p| format!("{p}/{n}"));
        z.start_file(name, o).unwrap();
        z.write_all(b).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// Loads one feed, asserting the outcome is sound: `Ok` with reconciled counts (and a scan that
/// runs), or an error naming the feed.
fn load_checked(feed: &str, path: &Path) -> Result<Loaded, FeedError> {
    let r = load_feeds(&[(feed.to_owned(), path.to_owned())], any_day(), LoadOptions::default());
    match &r {
        Ok(l) => {
            for c in &l.report.counts {
                assert_eq!(c.rows, c.accepted + c.rejected, "{c:?}");
                let n = l.report.rejects.iter().filter(|r| r.feed == c.feed && r.file == c.file).count() as u64;
                assert_eq!(n, c.rejected, "{c:?}");
            }
            let net = &l.network;
            let mut sc = Scanner::new(net);
            for s in [0, net.stop_count() as u32 - 1] {
                let a = [Access { stop: s, walk_s: 60, walk_m: 75.0 }];
                sc.forward(&a, 6 * 3600, 30 * 3600);
                let _ = sc.journey(&a);
                sc.reverse(&a, 30 * 3600, 30 * 3600);
                let _ = sc.journey(&a);
            }
        }
        Err(e) => assert!(e.to_string().contains(feed), "the error does not name the feed: {e}"),
    }
    r
}

/// Runs `load_checked`, turning a panic into a failure that says where the input was saved.
fn run_case(what: &str, feed: &str, path: &Path, input: &[(String, Vec<u8>)]) {
    if catch_unwind(AssertUnwindSafe(|| load_checked(feed, path))).is_err() {
        let keep = std::env::temp_dir().join("navette-fuzz-crashes").join(what);
        write_dir(&keep, input);
        panic!("{what}: the reader panicked; input kept in {}", keep.display());
    }
}

/// 1 to 4 random edits: bit flips, random bytes (CSV specials and invalid UTF-8 among them),
/// deletions, duplications, truncation.
fn mutate(rng: &mut ChaCha8Rng, b: &mut Vec<u8>) {
    const SPECIAL: &[u8] = b"\",\n\r\t :0129-.\xff\xfe\xc3\x80\xef\xbb\xbf\0";
    for _ in 0..rng.random_range(1..=4) {
        let len = b.len();
        let at = if len == 0 { 0 } else { rng.random_range(0..len) };
        match rng.random_range(0..7) {
            0 if len > 0 => b[at] ^= 1 << rng.random_range(0..8),
            1 if len > 0 => b[at] = rng.random(),
            2 => {
                let n = rng.random_range(1..8);
                for _ in 0..n {
                    b.insert(at, SPECIAL[rng.random_range(0..SPECIAL.len())]);
                }
            }
            3 if len > 0 => {
                let n = rng.random_range(1..=(len - at).min(64));
                b.drain(at..at + n);
            }
            4 if len > 0 => {
                let n = rng.random_range(1..=(len - at).min(64));
                let chunk = b[at..at + n].to_vec();
                b.splice(at..at, chunk);
            }
            5 => b.truncate(at),
            _ if len > 0 => {
                let n = rng.random_range(1..=(len - at).min(16));
                rng.fill_bytes(&mut b[at..at + n]);
            }
            _ => b.push(rng.random()),
        }
    }
}

const FIXTURES: [&str; 4] = ["hand", "sncb_like", "broken", "minimal"];

#[test]
fn mutated_folders_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    for case in 0..cases() {
        let mut files = fixture_files(FIXTURES[case as usize % FIXTURES.len()]);
        for _ in 0..rng.random_range(1..=2) {
            let i = rng.random_range(0..files.len());
            mutate(&mut rng, &mut files[i].1);
        }
        let dir = tmp.path().join(format!("f{case}"));
        write_dir(&dir, &files);
        run_case(&format!("folder_{case}"), "fz", &dir, &files);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn mutated_zips_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(41);
    for case in 0..cases() {
        let files = fixture_files(FIXTURES[case as usize % FIXTURES.len()]);
        let mut z = zip_bytes(&files, (case % 3 == 0).then_some("feed"));
        mutate(&mut rng, &mut z);
        let p = tmp.path().join(format!("z{case}.zip"));
        std::fs::write(&p, &z).unwrap();
        run_case(&format!("zip_{case}"), "zz", &p, &[("feed.zip".into(), z)]);
    }
}

/// The real Cairns feed (400 KB) with a few bytes changed: mostly broken deflate streams and
/// checksums, sometimes the zip directory.
#[test]
fn mutated_cairns_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let cairns = std::fs::read(manifest().join("../../datasets/gtfs/cairns_gtfs.zip")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for case in 0..cases() / 10 {
        let mut z = cairns.clone();
        for _ in 0..rng.random_range(1..=3) {
            let at = rng.random_range(0..z.len());
            z[at] ^= 1 << rng.random_range(0..8);
        }
        let p = tmp.path().join(format!("c{case}.zip"));
        std::fs::write(&p, &z).unwrap();
        run_case(&format!("cairns_{case}"), "cairns", &p, &[("cairns.zip".into(), z)]);
    }
}

#[test]
fn random_bytes_are_an_error_naming_the_feed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for case in 0..cases() / 5 {
        let mut b = vec![0u8; rng.random_range(0..4096)];
        rng.fill_bytes(&mut b);
        if case % 2 == 0 {
            // A zip signature in front, so the archive reader goes further.
            b.splice(0..0, *b"PK\x03\x04");
        }
        let p = tmp.path().join(format!("r{case}.zip"));
        std::fs::write(&p, &b).unwrap();
        run_case(&format!("random_zip_{case}"), "rnd", &p, &[("feed.zip".into(), b.clone())]);
        // The same bytes as every file of a folder feed.
        let files: Vec<(String, Vec<u8>)> = ["stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt"]
            .map(|n| (n.into(), b.clone()))
            .into();
        let dir = tmp.path().join(format!("r{case}"));
        write_dir(&dir, &files);
        run_case(&format!("random_dir_{case}"), "rnd", &dir, &files);
    }
}

/// Every input in `tests/corpus/gtfs/` (one folder or zip per case) is replayed.
#[test]
fn corpus_replays() {
    let dir = manifest().join("tests/corpus/gtfs");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() || p.extension().is_some_and(|x| x == "zip") {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            run_case(&format!("corpus_{name}"), &name, &p, &[]);
            n += 1;
        }
    }
    assert!(n > 0, "no input in {}", dir.display());
}

/// A zip bomb: 40 MiB of blank lines deflated to about 120 KB. Refused by the inflation ratio
/// after ~25 MiB are read; nothing is allocated from the declared size.
#[test]
fn zip_bomb_is_refused() {
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stop_times.txt").unwrap();
    let mut blank = vec![b' '; 1000];
    blank.push(b'\n');
    st.1.extend(blank.iter().copied().cycle().take(40 << 20));
    let z = zip_bytes(&files, None);
    assert!(z.len() < 200_000, "the bomb is {} bytes", z.len());
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bomb.zip");
    std::fs::write(&p, &z).unwrap();
    let e = load_checked("bomb", &p).unwrap_err();
    assert!(matches!(e, FeedError::Limit { file: "stop_times.txt", .. }), "{e}");
    assert!(e.to_string().contains("zip bomb"), "{e}");
}

/// Sets the uncompressed size declared for `name` in the zip's central directory.
fn declare_size(z: &mut [u8], name: &str, size: u32) {
    let sig = b"PK\x01\x02";
    let at = (0..z.len() - 46)
        .find(|&i| &z[i..i + 4] == sig && z[i + 46..].starts_with(name.as_bytes()))
        .expect("central directory entry");
    z[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
}

/// A zip entry declaring more than the cap is refused before anything is read from it.
#[test]
fn declared_size_over_the_cap_is_refused() {
    let mut z = zip_bytes(&fixture_files("hand"), None);
    declare_size(&mut z, "stops.txt", 0xFFFF_FFF0);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("liar.zip");
    std::fs::write(&p, &z).unwrap();
    let e = load_checked("liar", &p).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GTFS feed liar: stops.txt declares 4294967280 bytes uncompressed, more than 512 MiB \
         (a navette limit against broken or hostile feeds)"
    );
}

/// An entry declaring a small size but inflating more still stops at the ratio or its cap.
#[test]
fn a_lying_small_declared_size_does_not_help() {
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    st.1.extend(b"X,X,50.0,4.0\n".iter().copied().cycle().take(30 << 20));
    let mut z = zip_bytes(&files, None);
    declare_size(&mut z, "stops.txt", 100);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("small_liar.zip");
    std::fs::write(&p, &z).unwrap();
    let e = load_checked("small_liar", &p).unwrap_err();
    assert!(e.to_string().contains("stops.txt"), "{e}");
}

/// A 100 MB line (compressed to ~100 KB) stops at the row cap, naming the line.
#[test]
fn a_100_mb_line_is_refused() {
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    st.1.extend(std::iter::repeat_n(b'a', 100_000_000));
    let z = zip_bytes(&files, None);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("long.zip");
    std::fs::write(&p, &z).unwrap();
    let e = load_checked("long", &p).unwrap_err();
    let row = 6; // header + 4 stops + the long line
    assert_eq!(
        e.to_string(),
        format!(
            "GTFS feed long: stops.txt has a row longer than 1 MiB (the row starting at line {row}) \
             (a navette limit against broken or hostile feeds)"
        )
    );
    assert_eq!(MAX_ROW_BYTES, 1 << 20);
}

/// A quoted field spanning many short lines is one row: the cap counts the row, not the line.
#[test]
fn a_long_quoted_field_over_many_lines_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    st.1.extend(b"Q,\"");
    st.1.extend(b"short line\n".iter().copied().cycle().take(2 << 20));
    st.1.extend(b"\",50.0,4.0\n");
    write_dir(tmp.path(), &files);
    let e = load_checked("quoted", tmp.path()).unwrap_err();
    assert!(e.to_string().contains("stops.txt has a row longer than 1 MiB (the row starting at line 6)"), "{e}");
}

/// Rows that are not UTF-8 (in a field, in an id) are rejected, the rest of the feed is read.
#[test]
fn invalid_utf8_rows_are_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    st.1.extend(b"\xff\xfe,Caf\xe9,50.0,4.0\nZ,\"\xc3\",50.0,4.0\n");
    write_dir(tmp.path(), &files);
    let l = load_checked("utf8", tmp.path()).unwrap();
    let bad: Vec<_> = l.report.rejects.iter().filter(|r| r.reason == "invalid_utf8").collect();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad.iter().all(|r| r.file == "stops.txt"));
}

/// A `min_transfer_time` of 2^31 - 1 s used to overflow the forward scan's clock (a panic in
/// debug builds, a wrapped time in release): now a `bad_transfer_time` reject.
#[test]
fn absurd_transfer_times_are_rejects() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = fixture_files("hand");
    let tr = files.iter_mut().find(|f| f.0 == "transfers.txt").unwrap();
    tr.1.extend(b"A,A,2,2147483647\nA,B,2,86401\nB,A,2,86400\n");
    write_dir(tmp.path(), &files);
    let l = load_checked("transfer", tmp.path()).unwrap();
    let bad: Vec<_> = l.report.rejects.iter().filter(|r| r.reason == "bad_transfer_time").map(|r| r.line).collect();
    assert_eq!(bad, [3, 4]);
}

/// Past a million rejected rows in one file the feed is refused; reject texts are cut.
#[test]
fn a_million_bad_rows_is_refused_and_texts_are_cut() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = fixture_files("hand");
    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    let long = "x".repeat(10_000);
    st.1.extend(format!("{long},n,99,99\n").as_bytes());
    write_dir(tmp.path(), &files);
    let l = load_checked("cut", tmp.path()).unwrap();
    let r = l.report.rejects.iter().find(|r| r.file == "stops.txt").unwrap();
    assert!(r.raw.len() <= 256 + 3 && r.raw.ends_with('…'), "{}", r.raw.len());
    assert!(r.detail.len() <= 256 + 3 && r.detail.ends_with('…'), "{}", r.detail.len());

    let st = files.iter_mut().find(|f| f.0 == "stops.txt").unwrap();
    st.1 = b"stop_id,location_type\n".to_vec();
    st.1.extend(b"a,b\n".iter().copied().cycle().take(4 * (MAX_REJECTS_PER_FILE as usize + 1)));
    write_dir(tmp.path(), &files);
    let e = load_checked("many", tmp.path()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GTFS feed many: stops.txt has more than 1000000 rejected rows; is it a GTFS file? \
         (a navette limit against broken or hostile feeds)"
    );
}
