//! Hostile input and broken runs (issue 14): formulas in rejected rows, a second run into the same
//! folder, a run killed at any moment, a member base of hundreds of companies, a 100 MB log line, a
//! million unknown cards, a full disk and a read-only output folder.

use std::path::Path;

use super::{files_under, navette, run_study, study, tiny_with};

/// A cell a spreadsheet would run as a formula.
fn live_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[test]
fn rejects_csv_holds_no_live_formula_and_keeps_the_text() {
    let dir = tiny_with("");
    // Bad log rows whose fields a spreadsheet would evaluate.
    let log = dir.path().join("logs/s1.csv");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("=HYPERLINK(\"http://example.invalid\",\"open\"),S1,K1,in\n");
    text.push_str("2026-01-08T08:00:00,S1,@SUM(1+1),in\n");
    text.push_str("+1,S1,K1,in\n");
    std::fs::write(&log, text).unwrap();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let mut rows = csv::Reader::from_path(out.join("rejects.csv")).unwrap();
    let mut seen = 0;
    for r in rows.records() {
        let r = r.unwrap();
        for cell in r.iter() {
            assert!(!live_formula(cell), "live formula in rejects.csv: {cell:?}");
        }
        let raw = &r[4];
        if let Some(original) = ["=HYPERLINK(\"http://example.invalid\",\"open\"),S1,K1,in", "+1,S1,K1,in"]
            .into_iter()
            .find(|o| raw.ends_with(o))
        {
            // The raw text is all there, behind one quote that a reader can drop.
            assert_eq!(raw, format!("'{original}"));
            seen += 1;
        } else if raw.contains("@SUM(1+1)") {
            // Not at the start of its cell: harmless, and left as it is.
            assert_eq!(raw, "2026-01-08T08:00:00,S1,@SUM(1+1),in");
            seen += 1;
        }
    }
    assert_eq!(seen, 3, "the three hostile rows are rejected with their raw text");
}

#[test]
fn a_second_run_into_the_same_folder_is_refused_while_the_first_runs() {
    let dir = tiny_with("");
    let out = dir.path().join("out");
    // A run in progress: its lock holds a live process id (this test's).
    std::fs::write(dir.path().join(".out.lock"), std::process::id().to_string()).unwrap();
    let o = navette(&["run", "--config", "study.toml", "--out", "out"], dir.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("another navette run") && err.contains(&std::process::id().to_string()), "{err}");
    assert!(!out.exists(), "nothing written");
    // A lock left by a killed run (no such process) is taken over.
    std::fs::write(dir.path().join(".out.lock"), "999999999").unwrap();
    run_study(dir.path(), &out);
    assert!(out.join("run.json").is_file());
    assert!(!dir.path().join(".out.lock").exists(), "the lock is released");
}

/// Every file under `root` with its bytes, but `run.json` (durations) and `warehouse.duckdb` (a
/// database file, not byte-stable; it is built from the Parquet files compared here).
fn contents(root: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    files_under(root)
        .into_iter()
        .filter(|p| p.file_name().is_none_or(|n| n != "run.json" && n != "warehouse.duckdb"))
        .map(|p| (p.strip_prefix(root).unwrap().to_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

#[test]
fn a_run_killed_at_any_moment_leaves_the_previous_outputs_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = navette(&["demo", "--out", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = contents(&out);
    // Kill -9 at several moments of a second run (reading, computing, writing, publishing).
    for delay_ms in [150u64, 600, 1200, 2000, 2800] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_navette"))
            .args(["demo", "--out", out.to_str().unwrap()])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever the moment, a reader finds the previous outputs or the new ones, whole: the
        // demo is deterministic, so both are these bytes. A killed run's staging folder is
        // hidden (`.out.staging-PID`) and swept by the next run.
        if out.exists() {
            assert!(contents(&out) == before, "killed after {delay_ms} ms: outputs differ");
        } else {
            let old: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(".out.old-"))
                .collect();
            assert_eq!(
                old.len(),
                1,
                "killed after {delay_ms} ms between the two renames: the previous outputs are aside"
            );
            assert!(contents(&old[0].path()) == before, "the previous outputs set aside differ");
        }
    }
    // The next run gives the same bytes and leaves no staging or old folder behind.
    let o = navette(&["demo", "--out", out.to_str().unwrap()], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(contents(&out) == before, "a rerun after the kills differs");
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn hundreds_of_member_companies_render() {
    // 300 companies of one employee each (small firms and freelancers), each with a center day:
    // every company report is withheld (k = 2) but typeset, as are the network report and the
    // index listing them all.
    let n = 300;
    let mut companies = String::from("company_id,name,office_lat,office_lon\n");
    let mut employees = String::from("employee_id,company_id,home_lat,home_lon,commute_mode\n");
    let mut cards = String::from("card_id,employee_id\n");
    let mut log = String::from("timestamp,site_id,card_id,direction\n");
    for i in 0..n {
        companies.push_str(&format!("C{i:04},Firme <{i}> & fils,50.85,4.35\n"));
        employees.push_str(&format!("E{i:04},C{i:04},50.6{:02},4.6,car\n", i % 100));
        cards.push_str(&format!("K{i:04},E{i:04}\n"));
        log.push_str(&format!("2026-01-05T08:00:00,S1,K{i:04},in\n2026-01-05T16:00:00,S1,K{i:04},out\n"));
    }
    let toml = "[study]\nname = \"Many\"\nfrom = 2026-01-01\nto = 2026-03-31\nlanguage = \"fr\"\n[inputs]\nsites = \"sites.csv\"\n\
                companies = \"companies.csv\"\nemployees = \"employees.csv\"\ncards = \"cards.csv\"\naccess_logs = [\"logs/*.csv\"]\n\
                [privacy]\nk_anonymity = 2\npseudonym_key = \"many-companies-test-key\"\n";
    let dir = study(&[
        ("study.toml", toml),
        ("sites.csv", "site_id,name,lat,lon\nS1,Louvain-la-Neuve,50.668,4.614\n"),
        ("companies.csv", &companies),
        ("employees.csv", &employees),
        ("cards.csv", &cards),
        ("logs/s1.csv", &log),
    ]);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let pdfs =
        files_under(&out.join("reports")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "pdf")).count();
    assert_eq!(pdfs, n + 1, "one PDF per company and the network report");
    let index = std::fs::read_to_string(out.join("reports/index.html")).unwrap();
    assert!(index.contains("Firme &lt;7&gt; &amp; fils") && !index.contains("Firme <7>"), "names escaped in HTML");
}

/// Runs `navette run` on the study in `dir` and watches its peak resident memory (`VmHWM`, read
/// every few milliseconds while it runs): (success, stderr, peak in MiB).
fn run_watching_memory(dir: &Path) -> (bool, String, u64) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_navette"))
        .args(["run", "--config", "study.toml", "--out", "out"])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        let hwm = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines().find_map(|l| l.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches(" kB").parse().ok()))
        });
        peak_kb = peak_kb.max(hwm.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned(), peak_kb / 1024)
}

/// (rows read, accepted, rejected) of a file, from the warehouse.
fn file_counts(out: &Path, file: &str) -> (u64, u64, u64) {
    let conn = duckdb::Connection::open(out.join("warehouse.duckdb")).unwrap();
    conn.query_row("SELECT rows_read, rows_accepted, rows_rejected FROM file_counts WHERE file = ?", [file], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .unwrap()
}

#[test]
fn a_hundred_megabyte_line_in_a_log_is_rejected_and_the_rest_is_read() {
    let dir = tiny_with("");
    let log = dir.path().join("logs/s1.csv");
    let read_before = std::fs::read_to_string(&log).unwrap().lines().count() as u64 - 1;
    // The same study without the long line, for the memory it takes anyway.
    let (ok, stderr, base_mib) = run_watching_memory(dir.path());
    assert!(ok, "{stderr}");
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    use std::io::Write;
    // A badge reader's line that never ends (100 MB), then two good swipes.
    f.write_all(b"2026-01-07T08:00:00,S1,K1,in").unwrap();
    let block = vec![b'x'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&block).unwrap();
    }
    f.write_all(b"\n2026-01-08T08:00:00,S1,K1,in\n2026-01-08T15:00:00,S1,K1,out\n").unwrap();
    drop(f);
    let long_line = read_before + 2;
    let (ok, stderr, peak_mib) = run_watching_memory(dir.path());
    assert!(ok, "{stderr}");
    let out = dir.path().join("out");
    // The line is rejected with file, line and reason, its text cut to its first 4 KiB.
    let mut rejects = csv::Reader::from_path(out.join("rejects.csv")).unwrap();
    let row = rejects
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == "logs/s1.csv" && r[1] == long_line.to_string())
        .expect("the long line is rejected");
    assert_eq!(&row[2], "malformed_row");
    assert!(row[3].contains("longer than 1 MiB"), "{}", &row[3]);
    assert!(row[4].starts_with("2026-01-07T08:00:00,S1,K1,inxxx") && row[4].len() < 4200, "{}", row[4].len());
    // The rest of the file is read: the two swipes after it are accepted.
    let (read, accepted, rejected) = file_counts(&out, "logs/s1.csv");
    assert_eq!(read, read_before + 3);
    assert_eq!(read, accepted + rejected);
    let conn = duckdb::Connection::open(out.join("warehouse.duckdb")).unwrap();
    let jan8: i64 = conn
        .query_row("SELECT count(*) FROM visits WHERE CAST(date AS VARCHAR) = '2026-01-08'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(jan8, 1, "the visit after the long line is there");
    // Memory stays bounded: the line is dropped as it is read (held whole, it would add 100 MiB
    // at the very least, more with the buffer doubling and the chunk's copy).
    eprintln!("a 100 MB log line: peak {peak_mib} MiB, {base_mib} MiB without it");
    assert!(peak_mib < base_mib + 48, "peak resident memory {peak_mib} MiB, {base_mib} MiB without the line");
}

#[test]
fn a_million_unknown_cards_are_rejected_counted_and_reconciled() {
    let dir = tiny_with("");
    let log = dir.path().join("logs/s1.csv");
    let read_before = std::fs::read_to_string(&log).unwrap().lines().count() as u64 - 1;
    let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().append(true).open(&log).unwrap());
    use std::io::Write;
    let n = 1_000_000u64;
    for i in 0..n {
        writeln!(f, "2026-01-{:02}T08:{:02}:00,S1,X{i:07},in", 5 + i % 20, i % 60).unwrap();
    }
    drop(f);
    let t = std::time::Instant::now();
    let (ok, stderr, peak_mib) = run_watching_memory(dir.path());
    assert!(ok, "{stderr}");
    let out = dir.path().join("out");
    let (read, accepted, rejected) = file_counts(&out, "logs/s1.csv");
    assert_eq!(read, read_before + n);
    assert_eq!(read, accepted + rejected, "counts reconcile");
    assert!(rejected >= n);
    let conn = duckdb::Connection::open(out.join("warehouse.duckdb")).unwrap();
    // The first 10,000 are listed one by one, the others counted in one summary row: every
    // reject is accounted for, the table stays small.
    let (listed, unknown): (i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(rows)::BIGINT FROM rejects WHERE reason = 'unknown_card' AND file = 'logs/s1.csv'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(unknown as u64 >= n);
    assert_eq!(listed, 10_001, "10,000 listed and one summary row");
    let in_view: i64 = conn
        .query_row("SELECT rows_rejected FROM rejects_by_reason WHERE reason = 'unknown_card'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(in_view, unknown);
    let all: i64 = conn.query_row("SELECT sum(rows)::BIGINT FROM rejects", [], |r| r.get(0)).unwrap();
    assert_eq!(all as u64, rejected_total_of_files(&conn), "Σ rows = Σ rows_rejected of the files");
    assert!(peak_mib < 1024, "peak resident memory {peak_mib} MiB");
    let csv_rows = csv::Reader::from_path(out.join("rejects.csv")).unwrap().records().count() as u64;
    assert_eq!(csv_rows, rejected_total(&conn), "rejects.csv lists what the table lists");
    eprintln!("a million unknown cards: {:.1} s, peak {peak_mib} MiB", t.elapsed().as_secs_f64());
}

fn rejected_total_of_files(conn: &duckdb::Connection) -> u64 {
    conn.query_row("SELECT sum(rows_rejected)::BIGINT FROM file_counts", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

fn rejected_total(conn: &duckdb::Connection) -> u64 {
    conn.query_row("SELECT count(*) FROM rejects", [], |r| r.get::<_, i64>(0)).unwrap() as u64
}

/// A large access log is streamed: `NAVETTE_BIG_LOG_MB` (default 500) of swipes of two cards over
/// the quarter, run with the peak resident memory printed. Long (a minute or more): ignored in the
/// fast run, run by `./dev big-log` (figures in ARCHITECTURE.md).
#[test]
#[ignore = "long: ./dev big-log"]
fn a_large_log_is_streamed() {
    let mb: u64 = std::env::var("NAVETTE_BIG_LOG_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(500);
    let dir = tiny_with("");
    let log = dir.path().join("logs/big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&log).unwrap());
    use std::io::Write;
    f.write_all(b"timestamp,site_id,card_id,direction\n").unwrap();
    let (mut bytes, mut rows, mut s) = (0u64, 0u64, 0u64);
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    while bytes < mb << 20 {
        // Both cards swipe in and out every few seconds across the quarter.
        let t = start + chrono::Duration::seconds((s % (89 * 86_400)) as i64);
        let line = format!(
            "{},S1,K{},{}\n",
            t.format("%Y-%m-%dT%H:%M:%S"),
            1 + rows % 2,
            ["in", "out"][(rows / 2 % 2) as usize]
        );
        f.write_all(line.as_bytes()).unwrap();
        bytes += line.len() as u64;
        rows += 1;
        s += 3;
    }
    drop(f);
    let t = std::time::Instant::now();
    let (ok, stderr, peak_mib) = run_watching_memory(dir.path());
    assert!(ok, "{stderr}");
    let (read, accepted, rejected) = file_counts(&dir.path().join("out"), "logs/big.csv");
    assert_eq!((read, read), (rows, accepted + rejected));
    eprintln!(
        "log of {} MiB, {rows} rows: {:.1} s, peak resident memory {peak_mib} MiB",
        bytes >> 20,
        t.elapsed().as_secs_f64()
    );
}

/// A full disk and a read-only `--out`: the run stops with a message that names the cause, the
/// previous outputs stay byte for byte, and nothing is left behind (no staging folder, no lock that
/// would hold back the next run). The file system is a small tmpfs mounted in a private mount
/// namespace (`unshare -m`: needs root, as CI runs), filled to a few hundred kB, then remounted
/// read-only.
#[test]
fn a_full_disk_or_a_read_only_out_stops_with_a_message_and_keeps_the_previous_outputs() {
    let dir = tiny_with("");
    let t = dir.path();
    std::fs::create_dir(t.join("mnt")).unwrap();
    let bin = env!("CARGO_BIN_EXE_navette");
    let script = format!(
        r#"set -u
mount -t tmpfs -o size=16m tmpfs mnt || {{ echo "cannot mount a tmpfs (needs root)" > mount.err; exit 90; }}
run() {{ (cd mnt && "{bin}" run --config ../study.toml --out out) ; }}
sums() {{ (cd mnt && find out -type f | sort | xargs sha256sum) ; }}
run > first.out 2> first.err; echo $? > first.code
sums > before.txt
avail=$(df --output=avail -B1 mnt | tail -1)
head -c $((avail - 300000)) /dev/zero > mnt/fill
run > full.out 2> full.err; echo $? > full.code
sums > after_full.txt
ls -A mnt > after_full.ls
cat /dev/zero > mnt/fill0 2>/dev/null
run > zero.out 2> zero.err; echo $? > zero.code
ls -A mnt > after_zero.ls
rm mnt/fill mnt/fill0
mount -o remount,ro mnt
run > ro.out 2> ro.err; echo $? > ro.code
sums > after_ro.txt
ls -A mnt > after_ro.ls
"#
    );
    let status =
        std::process::Command::new("unshare").args(["-m", "sh", "-c", &script]).current_dir(t).status().unwrap();
    let read = |name: &str| std::fs::read_to_string(t.join(name)).unwrap_or_default();
    assert!(status.success(), "the namespace script failed ({status}): {}", read("mount.err"));
    assert_eq!(read("first.code").trim(), "0", "first run: {}", read("first.err"));
    let before = read("before.txt");
    assert!(before.contains("out/run.json") && before.contains("out/warehouse.duckdb"), "{before}");

    assert_ne!(read("full.code").trim(), "0", "a run on a full disk must fail");
    let err = read("full.err");
    assert!(err.contains("No space left on device"), "the message names the cause: {err}");
    assert_eq!(read("after_full.txt"), before, "previous outputs intact after a full disk");
    assert_eq!(read("after_full.ls").split_whitespace().collect::<Vec<_>>(), ["fill", "out"], "nothing left behind");
    // Not a byte free: even the lock cannot be written, and no empty lock is left to block the next run.
    assert_ne!(read("zero.code").trim(), "0");
    assert!(read("zero.err").contains("No space left on device"), "{}", read("zero.err"));
    assert_eq!(read("after_zero.ls").split_whitespace().collect::<Vec<_>>(), ["fill", "fill0", "out"]);

    assert_ne!(read("ro.code").trim(), "0", "a run into a read-only folder must fail");
    let err = read("ro.err");
    assert!(err.contains("Read-only file system") && err.contains("writable"), "the message names the cause: {err}");
    assert_eq!(read("after_ro.txt"), before, "previous outputs intact on a read-only file system");
    assert_eq!(read("after_ro.ls").split_whitespace().collect::<Vec<_>>(), ["out"]);
}
