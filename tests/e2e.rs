//! End-to-end tests: a tiny hand-made study whose every figure is checked against a hand
//! calculation, each kind of bad row, and the `navette` command line on the demo.

use std::path::{Path, PathBuf};
use std::process::Command;

use duckdb::Connection;

/// `navette plan` on hand-made studies.
mod plan;

/// Hostile input, concurrent and killed runs, hundreds of companies (issue 14).
mod hardening;

/// Mean Earth radius used by geo's Haversine (metres).
const R_M: f64 = 6_371_008.8;

/// Writes a study folder from (file, content) pairs.
fn study(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

const TINY_TOML: &str = r#"
[study]
name = "Tiny"
from = 2026-01-01
to = 2026-03-31
language = "en"
[inputs]
sites = "sites.csv"
companies = "companies.csv"
employees = "employees.csv"
cards = "cards.csv"
access_logs = ["logs/*.csv"]
[privacy]
k_anonymity = 2
pseudonym_key = "tiny-test-key"
"#;

/// Site S1 at 50.0°N; office 0.2° further north on the same meridian, so great-circle distances
/// are R × Δφ exactly. Employee E1 (car, diesel, average) lives at 50.05°N; E2 (train to the
/// office, bike to the center) at 50.1°N. E1: a full day and a 3-hour day; E2: one full day.
/// Every other row is bad in one way each.
fn tiny() -> tempfile::TempDir {
    tiny_with("")
}

/// The tiny study with more TOML appended to its config (e.g. `[[scenarios]]`).
fn tiny_with(extra_toml: &str) -> tempfile::TempDir {
    let toml = format!("{TINY_TOML}{extra_toml}");
    study(&[
        ("study.toml", toml.as_str()),
        ("sites.csv", "site_id,name,lat,lon\nS1,Centre,50.0,4.0\nS2,Bad,4.0,50.0\n"),
        ("companies.csv", "company_id;name;office_lat;office_lon;package_hours_per_quarter\nC1;Acme;50,2;4,0;20\n"),
        (
            "employees.csv",
            "employee_id,company_id,home_lat,home_lon,home_postcode,commute_mode,car_fuel,car_size,center_mode\n\
             E1,C1,50.05,4.0,,car,diesel,average,\n\
             E2,C1,50.1,4.0,,train,,,bike\n\
             E3,C9,50.1,4.0,,car,,,\n\
             E4,C1,,,0000,car,,,\n\
             E5,C1,50.1,4.0,,rocket,,,\n\
             E1,C1,50.1,4.0,,car,,,\n",
        ),
        ("cards.csv", "card_id,employee_id\nK1,E1\nK2,E2\nK3,E9\n"),
        (
            "logs/s1.csv",
            "timestamp,site_id,card_id,direction\n\
             2026-01-05T08:00:00,S1,K1,in\n\
             2026-01-05T16:30:00,S1,K1,out\n\
             2026-01-06T09:00:00,S1,K1,in\n\
             2026-01-06T12:00:00,S1,K1,out\n\
             2026-01-05T07:30:00Z,S1,K2,in\n\
             2026-01-05T16:00:00Z,S1,K2,out\n\
             2026-01-07T08:00:00,S1,K7,in\n\
             2026-01-07 25:00:00,S1,K1,in\n\
             2026-01-07T08:00:00,S9,K1,in\n\
             2026-01-07T08:00:00,S1,K1,sideways\n\
             2025-12-31T08:00:00,S1,K1,in\n\
             2026-01-08T08:00:00,S1\n",
        ),
    ])
}

fn run_study(dir: &Path, out: &Path) {
    let study = navette::config::Study::load(&dir.join("study.toml")).unwrap();
    let sources = navette::run::load_sources(&study).unwrap();
    navette::run::run(&study, &sources, out).unwrap();
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "{what}: got {a}, hand calculation {b}");
}

#[test]
fn tiny_study_matches_the_hand_calculation() {
    let dir = tiny();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();

    // Hand calculation. One-way great-circle distances on a meridian:
    let e1_office_km = R_M * 0.15_f64.to_radians() / 1000.0; // 16.68 km → car band ≥ 15 km
    let e1_center_km = R_M * 0.05_f64.to_radians() / 1000.0; // 5.56 km → car band 5–15 km
    let e2_office_km = R_M * 0.10_f64.to_radians() / 1000.0; // 11.12 km by train
    let e2_center_km = R_M * 0.10_f64.to_radians() / 1000.0; // 11.12 km by bike
    // Detours and speeds of the built-in bands: car 1.3 @ 62 km/h (≥ 15 km), 1.5 @ 45 km/h
    // (5–15 km); train 1.3 @ 35 km/h; bike 1.25 @ 15 km/h.
    // One-way distances are rounded to whole km (privacy): 21.68 → 22, 8.34 → 8, 14.46 → 14,
    // 13.90 → 14; times follow the rounded distance. (km, h) per round trip:
    let round_trip = |crow_km: f64, detour: f64, speed_kmh: f64| {
        let one_way = (crow_km * detour).round();
        (2.0 * one_way, 2.0 * one_way / speed_kmh)
    };
    let e1_office = round_trip(e1_office_km, 1.3, 62.0);
    let e1_center = round_trip(e1_center_km, 1.5, 45.0);
    let e2_office = round_trip(e2_office_km, 1.3, 35.0);
    let e2_center = round_trip(e2_center_km, 1.25, 15.0);
    assert_eq!((e1_office.0, e1_center.0, e2_office.0, e2_center.0), (44.0, 16.0, 28.0, 28.0));
    // Well-to-wheel factors of be-2025: diesel average car 0.17304 + 0.04146 kg/vkm (driver
    // alone); train 0.023 + 0.00897 kg/pkm; bike 0.
    let car = 0.17304 + 0.04146;
    let train = 0.023 + 0.00897;
    // Days: E1 Mon 8.5 h (replaces an office day), E1 Tue 3 h (does not: < 4 h, but the trip to
    // the center counts), E2 Mon 8.5 h (07:30Z = 08:30 local → 16:00Z = 17:00 local; replaces).
    let km_baseline = e1_office.0 + e2_office.0;
    let km_actual = 2.0 * e1_center.0 + e2_center.0;
    let co2_baseline = e1_office.0 * car + e2_office.0 * train;
    let co2_actual = 2.0 * e1_center.0 * car;
    let hours_avoided = e1_office.1 + e2_office.1 - 2.0 * e1_center.1 - e2_center.1;

    type Row = (String, i64, i64, i64, f64, f64, f64, f64, f64, f64, f64, f64, f64, f64);
    let row: Row = conn
        .query_row(
            "SELECT quarter, employees_active, center_days, office_days_replaced, center_hours, km_baseline, km_actual,
                    km_avoided, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided, package_hours, package_used_pct
             FROM company_quarter_impact WHERE company_id = 'C1'",
            [],
            |r| {
                Ok((
                    r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?,
                    r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?, r.get(13)?,
                ))
            },
        )
        .unwrap();
    assert_eq!((row.0.as_str(), row.1, row.2, row.3), ("2026-Q1", 2, 3, 2));
    close(row.4, 8.5 + 3.0 + 8.5, "center_hours");
    close(row.5, km_baseline, "km_baseline");
    close(row.6, km_actual, "km_actual");
    close(row.7, km_baseline - km_actual, "km_avoided");
    close(row.8, hours_avoided, "hours_avoided");
    close(row.9, co2_baseline, "co2e_kg_baseline");
    close(row.10, co2_actual, "co2e_kg_actual");
    close(row.11, co2_baseline - co2_actual, "co2e_kg_avoided");
    close(row.12, 20.0, "package_hours");
    close(row.13, 100.0 * 20.0 / 20.0, "package_used_pct");

    // The short day has a negative impact of its own, reported honestly.
    let short: f64 = conn
        .query_row("SELECT co2e_kg_avoided FROM day_impacts WHERE date = DATE '2026-01-06'", [], |r| r.get(0))
        .unwrap();
    close(short, -e1_center.0 * car, "short-day co2e_kg_avoided");

    // The network and site views agree with the company view.
    let (net, site): (f64, f64) = conn
        .query_row(
            "SELECT (SELECT co2e_kg_avoided FROM network_quarter_impact), (SELECT sum(co2e_kg_avoided) FROM site_quarter_impact)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    close(net, co2_baseline - co2_actual, "network view");
    close(site, co2_baseline - co2_actual, "site view");
}

#[test]
fn each_bad_row_is_rejected_with_file_line_and_reason_and_counts_reconcile() {
    let dir = tiny();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let got: Vec<(String, String, String)> = csv::Reader::from_reader(rejects.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].to_owned(), r[2].to_owned())
        })
        .collect();
    let expect = [
        ("sites.csv", "3", "bad_coordinates"),
        ("employees.csv", "4", "unknown_company"),
        ("employees.csv", "5", "unknown_postcode"),
        ("employees.csv", "6", "unknown_code"),
        ("employees.csv", "7", "duplicate_id"),
        ("cards.csv", "4", "unknown_employee"),
        ("logs/s1.csv", "8", "unknown_card"),
        ("logs/s1.csv", "9", "bad_timestamp"),
        ("logs/s1.csv", "10", "unknown_site"),
        ("logs/s1.csv", "11", "bad_direction"),
        ("logs/s1.csv", "12", "outside_period"),
        ("logs/s1.csv", "13", "malformed_row"),
    ];
    let expect: Vec<(String, String, String)> =
        expect.iter().map(|(f, l, r)| ((*f).to_owned(), (*l).to_owned(), (*r).to_owned())).collect();
    assert_eq!(got, expect);

    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let bad: i64 =
        conn.query_row("SELECT count(*) FROM data_quality_by_file WHERE NOT reconciles", [], |r| r.get(0)).unwrap();
    assert_eq!(bad, 0);
    let (read, accepted, rejected): (i64, i64, i64) = conn
        .query_row("SELECT sum(rows_read), sum(rows_accepted), sum(rows_rejected) FROM file_counts", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((read, accepted + rejected, rejected), (2 + 1 + 6 + 3 + 12, read, 12));
}

#[test]
fn warehouse_holds_no_hr_ids_or_home_coordinates() {
    let dir = tiny();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let mut tables =
        conn.prepare("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").unwrap();
    let tables: Vec<String> = tables.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(tables.len() >= 12, "{tables:?}");
    for t in tables {
        let dump: String = conn
            .query_row(&format!("SELECT coalesce(string_agg(CAST(x AS VARCHAR), '|'), '') FROM {t} AS x"), [], |r| {
                r.get(0)
            })
            .unwrap();
        for secret in ["E1", "E2", "K1", "K2", "50.05", "50.1,"] {
            assert!(!dump.contains(secret), "table {t} contains {secret:?}: {dump}");
        }
    }
}

fn navette(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_navette")).args(args).current_dir(cwd).output().unwrap()
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

/// The embedded demo study written to a temporary folder and run into its `out/`.
fn demo_run() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let files: Vec<(String, String)> =
        navette::run::demo::EMBEDDED.iter().map(|(n, c)| ((*n).to_owned(), (*c).to_owned())).collect();
    navette::run::demo::write_study(tmp.path(), &files).unwrap();
    let out = tmp.path().join("out");
    run_study(tmp.path(), &out);
    (tmp, out)
}

/// `site_day_peak`, now a table the run computes, has the rows of the view it was until session
/// 11 (its SQL here is the reference): on the demo, a year of visits at eight sites.
#[test]
fn site_day_peak_is_the_former_view() {
    let (_tmp, out) = demo_run();
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let reference = "WITH s AS (SELECT site_id, row_number() OVER (ORDER BY site_id) AS site_no FROM sites),
         v AS (
             SELECT ((s.site_no << 20) + (v.date - DATE '1970-01-01') + 524288) << 20 AS day_key,
                    v.start_local_sod AS t0, v.start_local_sod + v.duration_s AS t1
             FROM visits v JOIN s USING (site_id) WHERE v.duration_s > 0
         ), ev AS (
             SELECT day_key + 2 * t0 + 1 AS k, 1 AS delta FROM v
             UNION ALL
             SELECT day_key + 2 * t1, -1 FROM v
         ), running AS (
             SELECT k >> 20 AS day, sum(delta) OVER (ORDER BY k ROWS UNBOUNDED PRECEDING) AS present FROM ev
         ), peak AS (
             SELECT day, max(present) AS peak FROM running GROUP BY day
         )
         SELECT s.site_id, CAST(DATE '1970-01-01' + CAST((p.day & 1048575) - 524288 AS INTEGER) AS DATE) AS date,
                CAST(p.peak AS BIGINT) AS peak_occupancy
         FROM peak p JOIN s ON s.site_no = p.day >> 20";
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let rows = count("SELECT count(*) FROM site_day_peak");
    assert!(rows > 500, "{rows} site-days");
    assert!(count("SELECT count(*) FROM site_day_peak WHERE peak_occupancy > 1") > 100);
    assert_eq!(count(&format!("SELECT count(*) FROM ({reference})")), rows);
    let differ = format!(
        "SELECT count(*) FROM ((SELECT * FROM site_day_peak EXCEPT ALL ({reference})) UNION ALL (({reference}) EXCEPT ALL SELECT * FROM site_day_peak))"
    );
    assert_eq!(count(&differ), 0);
}

#[test]
fn demo_runs_end_to_end_and_reruns_byte_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let first = navette(&["demo", "--out", "a"], tmp.path());
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("reports"), "{stdout}");
    let a = tmp.path().join("a");
    for f in ["warehouse.duckdb", "rejects.csv", "run.json", "reports/index.html", "parquet/day_impacts.parquet"] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let reports: Vec<PathBuf> =
        files_under(&a.join("reports")).into_iter().filter(|p| p.ends_with("report.html")).collect();
    assert!(reports.len() >= 15, "{} reports", reports.len());

    // Rerun into a second folder, and over the first (atomic replace): identical bytes.
    let second = navette(&["demo", "--out", "b"], tmp.path());
    assert!(second.status.success());
    let again = navette(&["demo", "--out", "a"], tmp.path());
    assert!(again.status.success());
    let b = tmp.path().join("b");
    for sub in ["parquet", "reports"] {
        let fa = files_under(&a.join(sub));
        let fb = files_under(&b.join(sub));
        assert_eq!(fa.len(), fb.len());
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{} differs between runs", x.display());
        }
    }
    assert_eq!(std::fs::read(a.join("rejects.csv")).unwrap(), std::fs::read(b.join("rejects.csv")).unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 2, "staging folders left behind: {leftovers:?}");
}

#[test]
fn demo_data_quality_shows_and_reconciles() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(navette(&["demo", "--out", "o"], tmp.path()).status.success());
    let conn = Connection::open(tmp.path().join("o/warehouse.duckdb")).unwrap();
    let reasons: Vec<String> = conn
        .prepare("SELECT reason FROM rejects_by_reason")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for r in [
        "unknown_card",
        "bad_timestamp",
        "malformed_row",
        "nonexistent_local_time",
        "outside_period",
        "bad_coordinates",
    ] {
        assert!(reasons.iter().any(|x| x == r), "{r} not in {reasons:?}");
    }
    let rules: Vec<(String, i64)> = conn
        .prepare("SELECT rule, events FROM pairing_counts")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let get = |k: &str| rules.iter().find(|r| r.0 == k).unwrap().1;
    assert_eq!(get("events"), get("duplicate_swipes") + get("visit_ins") + get("visit_outs") + get("orphan_outs"));
    for k in ["duplicate_swipes", "missing_outs", "orphan_outs", "over_midnight"] {
        assert!(get(k) > 0, "{k} = 0");
    }
    // The smallest company has fewer than k active employees: its reports are withheld.
    let withheld: i64 = conn
        .query_row("SELECT count(*) FROM company_quarter_impact WHERE employees_active < 5", [], |r| r.get(0))
        .unwrap();
    assert!(withheld >= 1);
}

#[test]
fn validate_prints_counts_and_a_wrong_config_says_what_to_fix() {
    let dir = tiny();
    let ok = navette(&["validate", "--config", "study.toml"], dir.path());
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(text.contains("logs/s1.csv") && text.contains("unknown_card"), "{text}");

    std::fs::write(dir.path().join("bad.toml"), TINY_TOML.replace("k_anonymity = 2", "k_anonimity = 2")).unwrap();
    let bad = navette(&["run", "--config", "bad.toml", "--out", "o"], dir.path());
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.toml") && err.contains("k_anonimity"), "{err}");

    std::fs::write(dir.path().join("missing.toml"), TINY_TOML.replace("cards.csv", "cartes.csv")).unwrap();
    let missing = navette(&["run", "--config", "missing.toml", "--out", "o"], dir.path());
    assert!(!missing.status.success());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("inputs.cards") && err.contains("cartes.csv"), "{err}");
    assert!(!dir.path().join("o").exists(), "a failed run leaves no output");
}

#[test]
fn a_corrected_row_after_a_rejected_one_is_kept() {
    // Regression: the id of a rejected row must not block its corrected copy (and, through it,
    // the employee's cards and badge events).
    let dir = study(&[
        ("study.toml", TINY_TOML),
        ("sites.csv", "site_id,name,lat,lon\nS1,,50.0,4.0\nS1,Centre,50.0,4.0\n"),
        ("companies.csv", "company_id,name,office_lat,office_lon\nC1,Acme,50.2,4.0\n"),
        (
            "employees.csv",
            "employee_id,company_id,home_lat,home_lon,commute_mode\nE1,C9,50.1,4.0,car\nE1,C1,50.1,4.0,car\n",
        ),
        ("cards.csv", "card_id,employee_id\nK1,E1\n"),
        (
            "logs/s1.csv",
            "timestamp,site_id,card_id,direction\n2026-01-05T08:00:00,S1,K1,in\n2026-01-05T16:00:00,S1,K1,out\n",
        ),
    ]);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    assert_eq!(rejects.lines().count(), 3, "{rejects}");
    assert!(rejects.contains("sites.csv,2,missing_value") && rejects.contains("employees.csv,2,unknown_company"));
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let visits: i64 = conn.query_row("SELECT count(*) FROM visits", [], |r| r.get(0)).unwrap();
    assert_eq!(visits, 1);
}

#[test]
fn the_other_kinds_of_bad_rows() {
    let dir = study(&[
        ("study.toml", TINY_TOML),
        ("sites.csv", "site_id,name,lat,lon,workspaces\nS1,Centre,50.0,4.0,12\nS2,Other,50.1,4.1,twelve\n"),
        ("companies.csv", "company_id,name,office_lat,office_lon\nC1,Acme,50.2,4.0\n"),
        (
            "employees.csv",
            "employee_id,company_id,home_lat,home_lon,commute_mode,car_occupancy\n\
             E1,C1,50.1,4.0,car,\n\
             E2,C1,50.1,4.0,,\n\
             E3,C1,50.1,4.0,car,12\n\
             E4,C1,50.1,,car,\n",
        ),
        (
            "cards.csv",
            "card_id,employee_id,valid_from,valid_to\n\
             K1,E1,2026-01-01,2026-01-31\n\
             K1,E1,2026-01-15,\n\
             K2,E1,31/01/2026,\n",
        ),
        (
            "logs/s1.csv",
            "timestamp;site_id;card_id;direction\n\
             2026-02-02T08:00:00;S1;K1;in\n\
             2026-03-29T02:15:00;S1;K1;in\n\
             2026-01-05T08:00:00;S1;K1;in\n",
        ),
    ]);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let got: Vec<String> =
        rejects.lines().skip(1).map(|l| l.split(',').take(3).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(
        got,
        [
            "sites.csv,3,bad_number",
            "employees.csv,3,missing_value",
            "employees.csv,4,out_of_range",
            "employees.csv,5,missing_value",
            "cards.csv,3,duplicate_id",
            "cards.csv,4,bad_date",
            "logs/s1.csv,2,card_not_valid",
            "logs/s1.csv,3,nonexistent_local_time",
        ]
    );
}

/// (scenario, figure) pairs read from a scenario view.
fn scenario_figures(conn: &Connection, sql: &str) -> std::collections::BTreeMap<String, f64> {
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))).unwrap().map(Result::unwrap).collect()
}

const TINY_SCENARIOS: &str = r#"
[[scenarios]]
name = "ttw"
set = ["method.boundary=ttw"]
[[scenarios]]
name = "office_2h"
set = ["method.min_hours_office_day=2"]
[[scenarios]]
name = "office_9h"
set = ["method.min_hours_office_day=9"]
[[scenarios]]
name = "rebound_25"
set = ["method.rebound_share=0.25"]
"#;

#[test]
fn tiny_scenarios_match_the_hand_calculation() {
    let dir = tiny_with(TINY_SCENARIOS);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    // From the hand calculation above: round trips E1 office 44 km (car, diesel), E1 center 16 km
    // (car), E2 office 28 km (train), E2 center 28 km (bike). Days: E1 8.5 h and 3 h, E2 8.5 h.
    let (car_ttw, car_wtt, train_ttw, train_wtt) = (0.17304, 0.04146, 0.023, 0.00897);
    let q = |figure: &str| {
        scenario_figures(
            &conn,
            &format!("SELECT scenario, CAST({figure} AS DOUBLE) FROM scenario_network_quarter_impact"),
        )
    };
    let names: Vec<String> = q("center_days").into_keys().collect();
    assert_eq!(names, ["base", "office_2h", "office_9h", "rebound_25", "ttw"]);

    // Center days and hours never depend on the office-day rule, the boundary or the rebound.
    for (name, v) in q("center_days") {
        assert_eq!(v, 3.0, "{name} center_days");
    }
    for (name, v) in q("center_hours") {
        close(v, 20.0, &format!("{name} center_hours"));
    }
    // The office-day threshold moves the replaced days: 2 h lets E1's 3-hour day replace one too,
    // 9 h lets no day of 8.5 h replace any.
    let replaced = q("office_days_replaced");
    assert_eq!((replaced["base"], replaced["office_2h"], replaced["office_9h"]), (2.0, 3.0, 0.0));
    let km_baseline = q("km_baseline");
    close(km_baseline["base"], 44.0 + 28.0, "base km_baseline");
    close(km_baseline["office_2h"], 2.0 * 44.0 + 28.0, "office_2h km_baseline");
    close(km_baseline["office_9h"], 0.0, "office_9h km_baseline");
    // The actual trips do not move with the threshold.
    let km_actual = q("km_actual");
    for name in ["base", "office_2h", "office_9h", "ttw"] {
        close(km_actual[name], 2.0 * 16.0 + 28.0, &format!("{name} km_actual"));
    }

    // Boundary: same km, lower CO2e (TTW = WTW − WTT).
    let co2_baseline = q("co2e_kg_baseline");
    close(co2_baseline["base"], 44.0 * (car_ttw + car_wtt) + 28.0 * (train_ttw + train_wtt), "wtw baseline");
    close(co2_baseline["ttw"], 44.0 * car_ttw + 28.0 * train_ttw, "ttw baseline");
    close(q("co2e_kg_actual")["ttw"], 2.0 * 16.0 * car_ttw, "ttw actual");
    close(q("km_avoided")["ttw"], q("km_avoided")["base"], "ttw km_avoided");

    // Rebound: a quarter of each avoided office round trip is travelled anyway, by the commute
    // mode: 0.25 × 72 km and 0.25 × the baseline CO2e, added to the actual figures.
    close(q("km_rebound")["rebound_25"], 18.0, "rebound km");
    close(q("km_rebound")["base"], 0.0, "no rebound in base");
    close(q("km_avoided")["rebound_25"], q("km_avoided")["base"] - 18.0, "km avoided net of rebound");
    close(q("co2e_kg_rebound")["rebound_25"], 0.25 * co2_baseline["base"], "rebound co2e");
    close(q("co2e_kg_avoided")["rebound_25"], q("co2e_kg_avoided")["base"] - 0.25 * co2_baseline["base"], "net co2e");
    close(q("km_actual")["rebound_25"], km_actual["base"] + 18.0, "rebound is actual travel");

    // The scenarios table records each variant's options; sensitivity is one query.
    let (boundary, hours, share): (String, f64, f64) = conn
        .query_row(
            "SELECT boundary, min_hours_office_day, rebound_share FROM scenarios WHERE scenario = 'office_2h'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((boundary.as_str(), hours, share), ("wtw", 2.0, 0.0));
    let pct: f64 = conn
        .query_row("SELECT co2e_kg_avoided_change_pct FROM scenario_vs_base WHERE scenario = 'ttw'", [], |r| r.get(0))
        .unwrap();
    let (b, t) = (q("co2e_kg_avoided")["base"], q("co2e_kg_avoided")["ttw"]);
    close(pct, 100.0 * (t - b) / b.abs(), "change vs base");
    // The base rows of the scenario views are the base run's own figures.
    let base_view: f64 =
        conn.query_row("SELECT co2e_kg_avoided FROM network_quarter_impact", [], |r| r.get(0)).unwrap();
    close(q("co2e_kg_avoided")["base"], base_view, "base scenario = network view");

    // Scenarios leave the base run alone: same tables and reports as a run without them.
    let plain = tiny();
    let plain_out = plain.path().join("out");
    run_study(plain.path(), &plain_out);
    for table in ["visits", "center_days", "legs", "day_impacts", "employee_potential"] {
        let f = format!("parquet/{table}.parquet");
        assert_eq!(std::fs::read(out.join(&f)).unwrap(), std::fs::read(plain_out.join(&f)).unwrap(), "{f}");
    }
    let (a, b) = (files_under(&out.join("reports")), files_under(&plain_out.join("reports")));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{}", x.display());
    }
}

#[test]
fn demo_scenarios_differ_exactly_where_their_option_acts() {
    let tmp = tempfile::tempdir().unwrap();
    let run = navette(&["demo", "--out", "o"], tmp.path());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let conn = Connection::open(tmp.path().join("o/warehouse.duckdb")).unwrap();
    // scenario × commute mode × center mode figures, as (scenario, commute, center) → values.
    type Key = (String, String, String);
    let rows = |scenario: &str| -> std::collections::BTreeMap<Key, [f64; 8]> {
        let mut stmt = conn
            .prepare(
                "SELECT scenario, commute_mode, center_mode, center_days, office_days_replaced, center_hours,
                        km_baseline, km_actual, co2e_kg_baseline, co2e_kg_actual, co2e_kg_avoided
                 FROM scenario_mode_impact WHERE scenario = ?",
            )
            .unwrap();
        stmt.query_map([scenario], |r| {
            let mut v = [0.0; 8];
            for (i, x) in v.iter_mut().enumerate() {
                *x = r.get::<_, f64>(3 + i)?;
            }
            Ok(((r.get(0)?, r.get(1)?, r.get(2)?), v))
        })
        .unwrap()
        .map(Result::unwrap)
        .map(|((_, a, b), v): (Key, [f64; 8])| ((String::new(), a, b), v))
        .collect()
    };
    let base = rows("base");
    assert!(base.len() >= 5, "{base:?}");
    let combustion = ["car", "carpool", "motorbike", "bus"];
    let zero_emission = ["walk", "bike", "ebike"];

    // TTW: km and days identical; CO2e strictly lower for every combustion mode (and for train,
    // whose supply chain counts in WTW), identical (zero) for walking and cycling.
    let ttw = rows("ttw");
    assert_eq!(ttw.keys().collect::<Vec<_>>(), base.keys().collect::<Vec<_>>());
    for (k, b) in &base {
        let t = &ttw[k];
        assert_eq!(t[..5], b[..5], "{k:?}: days, hours and km move with the boundary");
        let (commute, center) = (k.1.as_str(), k.2.as_str());
        if combustion.contains(&commute) || commute == "train" {
            assert!(t[5] < b[5], "{k:?}: TTW baseline {} not below WTW {}", t[5], b[5]);
        }
        if combustion.contains(&center) || center == "train" {
            assert!(t[6] < b[6], "{k:?}: TTW actual {} not below WTW {}", t[6], b[6]);
        }
        if zero_emission.contains(&center) {
            assert_eq!((t[6], b[6]), (0.0, 0.0), "{k:?}: walking and cycling emit nothing in either boundary");
        }
    }
    assert!(base.keys().any(|k| zero_emission.contains(&k.2.as_str())), "the demo has walkers or cyclists");

    // UK grid instead of the Belgian one: only grid-powered modes move (electric and plug-in cars
    // are among `car`/`carpool`, trams and metros by name), each the way its factor moved (the
    // UK grid is dirtier, so their CO2e grows); days, hours and km never move.
    let uk = rows("uk_grid");
    let grid = ["car", "carpool", "tram", "metro"];
    let (mut moved, mut uk_total, mut be_total) = (0, 0.0, 0.0);
    for (k, b) in &base {
        let v = &uk[k];
        assert_eq!(v[..5], b[..5], "uk_grid {k:?}: days, hours and km");
        let (commute, center) = (k.1.as_str(), k.2.as_str());
        if grid.contains(&commute) {
            assert!(v[5] >= b[5], "uk_grid {k:?}: baseline {} below {}", v[5], b[5]);
        } else {
            assert_eq!(v[5], b[5], "uk_grid {k:?}: a baseline without grid electricity moved");
        }
        if grid.contains(&center) {
            assert!(v[6] >= b[6], "uk_grid {k:?}");
        } else {
            assert_eq!(v[6], b[6], "uk_grid {k:?}: center trips without grid electricity moved");
        }
        moved += usize::from(v[5] != b[5] || v[6] != b[6]);
        (uk_total, be_total) = (uk_total + v[7], be_total + b[7]);
    }
    assert!(moved > 0, "the demo's electric and plug-in cars move with the grid");
    // Below 2 % of the total: 9 % of the demo's cars are electric, few are plug-ins.
    assert!((uk_total - be_total).abs() < 0.02 * be_total, "uk {uk_total} against be {be_total}");

    // Office-day threshold: fewer replaced days at 6 h, more at 2 h; center days, hours and the
    // actual trips unchanged.
    for (name, fewer) in [("office_day_6h", true), ("office_day_2h", false)] {
        let s = rows(name);
        let (mut rs, mut rb) = (0.0, 0.0);
        for (k, b) in &base {
            let v = &s[k];
            assert_eq!((v[0], v[2], v[4]), (b[0], b[2], b[4]), "{name} {k:?}: days, hours, actual km");
            assert!(if fewer { v[1] <= b[1] } else { v[1] >= b[1] }, "{name} {k:?}");
            rs += v[1];
            rb += b[1];
        }
        assert!(if fewer { rs < rb } else { rs > rb }, "{name}: {rs} vs {rb} replaced days");
    }

    // Carpool occupancy acts on carpool legs only.
    let s = rows("carpool_3");
    for (k, b) in &base {
        let v = &s[k];
        assert_eq!(v[..5], b[..5], "carpool_3 {k:?}");
        let carpool = (k.1 == "carpool", k.2 == "carpool");
        if carpool.0 {
            assert!(v[5] < b[5], "carpool_3 {k:?} baseline")
        } else {
            assert_eq!(v[5], b[5], "carpool_3 {k:?}")
        }
        if carpool.1 {
            assert!(v[6] < b[6], "carpool_3 {k:?} actual")
        } else {
            assert_eq!(v[6], b[6], "carpool_3 {k:?}")
        }
    }

    // The train factor stress test (TTW × 2) acts on the train part of train legs only: baseline
    // CO2e of train commuters up by one more train TTW on their rail km (through stations: the
    // rail part of the leg, `in_vehicle_km_rail`; estimated legs: all of it), replaced days only.
    let s = rows("train_factor_x2");
    let mut stmt = conn
        .prepare(
            "SELECT d.center_mode, sum(2 * (l.distance_m / 1000.0)
                        * coalesce(l.in_vehicle_km_rail / nullif(l.in_vehicle_km_rail + l.access_km + l.egress_km, 0), 1)
                        * f.value_kg) AS extra
             FROM day_impacts d JOIN legs l ON l.employee_pid = d.employee_pid AND l.leg = 'office'
             JOIN factors f ON f.mode = 'train' AND f.component = 'ttw'
             WHERE d.commute_mode = 'train' AND d.replaces_office_day GROUP BY ALL",
        )
        .unwrap();
    let train_extra: std::collections::BTreeMap<String, f64> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    for (k, b) in &base {
        let v = &s[k];
        if k.1 == "train" {
            // Rail, access and egress km are stored to 0.1 km: the rail share is that close.
            let want = train_extra[&k.2];
            assert!(
                ((v[5] - b[5]) - want).abs() <= 0.005 * want,
                "train_factor_x2 {k:?}: extra {} against one more train TTW {want}",
                v[5] - b[5]
            );
        } else {
            assert_eq!(v[5], b[5], "train_factor_x2 {k:?}");
        }
        if k.2 != "train" {
            assert_eq!(v[6], b[6], "train_factor_x2 {k:?}");
        }
    }

    // Crediting open visits 4 h adds hours (and can turn short days into office days) but no day.
    let s = rows("open_visit_4h");
    let sum = |m: &std::collections::BTreeMap<Key, [f64; 8]>, i: usize| m.values().map(|v| v[i]).sum::<f64>();
    assert_eq!(sum(&s, 0), sum(&base, 0));
    assert!(sum(&s, 2) > sum(&base, 2) && sum(&s, 1) >= sum(&base, 1));

    // Every scenario is in the scenario table with its overrides; run.json lists them.
    let n: i64 = conn.query_row("SELECT count(*) FROM scenarios", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 9);
    let run_json = std::fs::read_to_string(tmp.path().join("o/run.json")).unwrap();
    assert!(run_json.contains("\"schema_version\": 7") && run_json.contains("train_factor_x2"), "{run_json}");
    let v: u32 = conn.query_row("SELECT schema_version FROM run_info", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 7);
}

#[test]
fn scenario_command_adds_variants_and_refuses_what_cannot_vary() {
    let dir = tiny();
    let ok = navette(
        &[
            "scenario",
            "--config",
            "study.toml",
            "--out",
            "o",
            "--set",
            "method.boundary=ttw",
            "--scenario",
            "office2:method.min_hours_office_day=2,method.rebound_share=0.1",
        ],
        dir.path(),
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let conn = Connection::open(dir.path().join("o/warehouse.duckdb")).unwrap();
    let mut stmt = conn.prepare("SELECT scenario, overrides FROM scenarios ORDER BY scenario").unwrap();
    let got: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let want = [
        ("base", ""),
        ("boundary_ttw", "method.boundary=ttw"),
        ("office2", "method.min_hours_office_day=2; method.rebound_share=0.1"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));

    for (args, expect) in [
        (vec!["--set", "privacy.k_anonymity=2"], "cannot vary in a scenario"),
        (vec!["--set", "method.boundary=wtt"], "scenario \"boundary_wtt\""),
        (vec!["--scenario", "base:method.boundary=ttw"], "`base` is the run itself"),
        (vec!["--scenario", "no colon"], "NAME:KEY=VALUE"),
        (vec![], "no scenario"),
    ] {
        let mut all = vec!["scenario", "--config", "study.toml", "--out", "bad"];
        all.extend(args.iter().copied());
        let o = navette(&all, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(expect), "{args:?}: {err}");
        assert!(!dir.path().join("bad").exists());
    }
}

#[test]
fn hive_layout_reads_back_whole_and_builds_the_same_warehouse() {
    let tmp = tempfile::tempdir().unwrap();
    for (out, layout) in [("single", "single"), ("hive", "hive"), ("hive2", "hive")] {
        let run = navette(&["demo", "--out", out, "--set", &format!("output.parquet_layout={layout}")], tmp.path());
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    let hive = tmp.path().join("hive/parquet");
    assert!(hive.join("day_impacts/quarter=2026-Q1/company_id=C01/part-0.parquet").exists());
    assert!(hive.join("scenario_day_impacts/scenario=ttw/quarter=2026-Q2/company_id=C10/part-0.parquet").exists());
    assert!(hive.join("legs/company_id=C05/part-0.parquet").exists());
    assert!(hive.join("sites.parquet").exists() && !hive.join("day_impacts.parquet").exists());

    let conn = Connection::open(tmp.path().join("single/warehouse.duckdb")).unwrap();
    // The scenario rows stay in Parquet (schema 7): a view of the single file stands for the table.
    let single = tmp.path().join("single/parquet");
    conn.execute_batch(&format!(
        "CREATE TEMP VIEW scenario_day_impacts AS SELECT * FROM read_parquet('{}')",
        single.join("scenario_day_impacts.parquet").display()
    ))
    .unwrap();
    for table in ["visits", "center_days", "legs", "day_impacts", "scenario_day_impacts"] {
        let glob = hive.join(table).join("**").join("*.parquet");
        let (rows, parts, files): (i64, i64, i64) = conn
            .query_row(
                &format!(
                    "SELECT (SELECT count(*) FROM read_parquet('{}', hive_partitioning = true)),
                            (SELECT count(*) FROM {table}),
                            (SELECT count(*) FROM glob('{}'))",
                    glob.display(),
                    glob.display()
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(rows, parts, "{table}: rows read back through the Hive partitions");
        assert!(files > 1, "{table}: {files} files");
        // Same columns (partition keys come back from the folder names) and same rows as the table.
        let columns: String = conn
            .query_row(
                "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = ?",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        let keys = match table {
            "legs" => "{'company_id': VARCHAR}",
            "scenario_day_impacts" => "{'scenario': VARCHAR, 'quarter': VARCHAR, 'company_id': VARCHAR}",
            _ => "{'quarter': VARCHAR, 'company_id': VARCHAR}",
        };
        let missing: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM (SELECT * FROM {table} EXCEPT ALL
                     SELECT {columns} FROM read_parquet('{}', hive_partitioning = true, hive_types = {keys}))",
                    glob.display()
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(missing, 0, "{table}: rows differ between layouts");
    }
    // Both layouts build the same warehouse: identical reports; reruns give identical bytes.
    for sub in ["reports"] {
        let a = files_under(&tmp.path().join("single").join(sub));
        let b = files_under(&tmp.path().join("hive").join(sub));
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{} differs between layouts", x.display());
        }
    }
    let a = files_under(&hive);
    let b = files_under(&tmp.path().join("hive2/parquet"));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{} differs between runs", x.display());
    }
    let h = Connection::open(tmp.path().join("hive/warehouse.duckdb")).unwrap();
    let layout: String = h.query_row("SELECT parquet_layout FROM run_info", [], |r| r.get(0)).unwrap();
    assert_eq!(layout, "hive");
    // Both layouts give every scenario's day rows through the macro, base and variants, and they
    // add up to the scenario views' figures.
    let days = |c: &Connection, dir: &Path| -> (i64, i64, f64) {
        c.query_row(
            &format!(
                "SELECT count(*), count(*) FILTER (WHERE scenario = 'base'), sum(co2e_kg_avoided)
                 FROM scenario_impact_base('{}')",
                dir.display()
            ),
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    let (a, b) = (days(&conn, &single), days(&h, &hive));
    assert_eq!((a.0, a.1), (b.0, b.1), "scenario day rows differ between layouts");
    let (day_rows, variant_rows): (i64, i64) = conn
        .query_row("SELECT (SELECT count(*) FROM day_impacts), (SELECT count(*) FROM scenario_day_impacts)", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((a.0, a.1), (day_rows + variant_rows, day_rows));
    let (view_days, view_co2e): (i64, f64) = conn
        .query_row("SELECT sum(center_days), sum(co2e_kg_avoided) FROM scenario_vs_base", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(view_days, a.0);
    assert!((view_co2e - a.2).abs() <= 1e-9 * a.2.abs().max(1.0), "{view_co2e} against {}", a.2);
    assert!((a.2 - b.2).abs() <= 1e-9 * a.2.abs().max(1.0), "{} against {}", a.2, b.2);
    // The scenario views read `scenario_totals`, added up by the run: the same figures, to the
    // last digit, as the views' former definition over the day rows (summed on one thread, in the
    // rows' order, as DuckDB did).
    conn.execute_batch("SET threads = 1").unwrap();
    let sums = |cols: &str| cols.split(' ').map(|c| format!("sum({c})")).collect::<Vec<_>>().join(", ");
    let counts = "count(*), count(*) FILTER (WHERE replaces_office_day), sum(presence_h)";
    for (view, keys, distinct, figures) in [
        (
            "scenario_network_quarter_impact",
            "quarter",
            "count(DISTINCT employee_pid), count(DISTINCT company_id)",
            "km_baseline km_actual km_rebound km_avoided hours_avoided co2e_kg_baseline co2e_kg_actual co2e_kg_rebound co2e_kg_avoided co2e_ttw_kg_avoided co2e_wtw_kg_avoided",
        ),
        (
            "scenario_company_quarter_impact",
            "company_id, quarter",
            "count(DISTINCT employee_pid)",
            "km_avoided hours_avoided co2e_kg_baseline co2e_kg_actual co2e_kg_avoided",
        ),
        (
            "scenario_site_quarter_impact",
            "site_id, quarter",
            "count(DISTINCT employee_pid), count(DISTINCT company_id)",
            "km_avoided co2e_kg_avoided",
        ),
        (
            "scenario_mode_impact",
            "commute_mode, center_mode",
            "count(DISTINCT employee_pid)",
            "km_baseline km_actual km_avoided co2e_kg_baseline co2e_kg_actual co2e_kg_avoided co2e_ttw_kg_baseline co2e_wtw_kg_baseline co2e_ttw_kg_actual co2e_wtw_kg_actual",
        ),
    ] {
        let former = format!(
            "SELECT scenario, {keys}, {distinct}, {counts}, {} FROM scenario_impact_base('{}') GROUP BY scenario, {keys}",
            sums(figures),
            single.display()
        );
        let (rows, differ): (i64, i64) = conn
            .query_row(
                &format!(
                    "SELECT (SELECT count(*) FROM {view}),
                            (SELECT count(*) FROM (({former}) EXCEPT ALL (SELECT * FROM {view})))"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert!(rows > 9, "{view}: {rows} rows");
        assert_eq!(differ, 0, "{view}: rows differ from the day rows added up");
    }
}

#[test]
fn nearest_site_potential_matches_the_hand_calculation() {
    let dir = tiny();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT nearest_site_id, office_km, nearest_site_km, potential_km, potential_co2e_ttw_kg, potential_co2e_wtw_kg
             FROM employee_potential ORDER BY office_km DESC",
        )
        .unwrap();
    let rows: Vec<(String, f64, f64, f64, f64, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    // E1 (car): office 22 km one way, S1 8 km: 28 km and 28 × the car factor saved per office day.
    let (car_ttw, car_wtw) = (0.17304, 0.17304 + 0.04146);
    let e1 = &rows[0];
    assert_eq!((e1.0.as_str(), e1.1, e1.2, e1.3), ("S1", 22.0, 8.0, 28.0));
    close(e1.4, 28.0 * car_ttw, "E1 ttw potential");
    close(e1.5, 28.0 * car_wtw, "E1 wtw potential");
    // E2: 14 km by train to the office, 14 km by bike to S1: no km saved, the train's CO2e is.
    let e2 = &rows[1];
    assert_eq!((e2.1, e2.2, e2.3), (14.0, 14.0, 0.0));
    close(e2.5, 28.0 * (0.023 + 0.00897), "E2 wtw potential");
    let (employees, users, savers): (i64, i64, i64) = conn
        .query_row(
            "SELECT employees, employees_using_centers, employees_who_would_save FROM company_potential",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((employees, users, savers), (2, 2, 2));
}

/// `navette network build` as a user runs it, its log piped: the artifact (and nothing else) in
/// the folder, byte for byte what `from_pbf` + `save` write; a line per profile on stdout; with
/// `NAVETTE_LOG=info`, plain progress lines on stderr (no terminal colour codes); a PBF that is
/// not one stops with a message naming it and leaves no file behind.
#[test]
fn network_build_writes_the_artifact_and_plain_progress_lines() {
    let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/osm/monaco.osm.pbf").canonicalize().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_navette"))
        .args(["network", "build", "--osm", pbf.to_str().unwrap(), "--out", "graph"])
        .env("NAVETTE_LOG", "info")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for p in ["car", "bike", "foot"] {
        assert!(stdout.lines().any(|l| l.trim_start().starts_with(p) && l.contains(" arcs ")), "{stdout}");
    }
    for stage in ["read pbf", "graphs", "contract"] {
        assert!(stderr.contains(&format!("progress stage=\"{stage}\"")), "{stderr}");
    }
    assert!(!stderr.contains('\u{1b}'), "colour codes in a piped log: {stderr:?}");
    let files: Vec<_> = std::fs::read_dir(dir.path().join("graph")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files, ["network.navette-road"]);
    let saved = dir.path().join("saved.navette-road");
    navette_road::RoadNetwork::from_pbf(&pbf).unwrap().0.save(&saved).unwrap();
    assert!(std::fs::read(dir.path().join("graph/network.navette-road")).unwrap() == std::fs::read(&saved).unwrap());
    // Not a PBF: an error naming the file, nothing written.
    std::fs::write(dir.path().join("bad.osm.pbf"), b"not a pbf at all").unwrap();
    let bad = navette(&["network", "build", "--osm", "bad.osm.pbf", "--out", "bad"], dir.path());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success() && stderr.contains("bad.osm.pbf"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path().join("bad")).map_or(0, |d| d.count()), 0);
}

/// A study in Monaco routed on the real OSM extract (`datasets/osm/monaco.osm.pbf`): car, foot
/// and bike legs are routed; a home at sea falls back to the estimate with its reason; train legs
/// stay estimated; the prepared network is saved and reused.
#[test]
fn legs_are_routed_on_osm_and_unroutable_ones_fall_back_with_a_reason() {
    let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/osm/monaco.osm.pbf").canonicalize().unwrap();
    let toml = format!(
        "{}osm = {:?}\nroad_network = \"graph/monaco.navette-road\"\n[method.routing]\nmax_snap_m = 300\n\
         [method.study_area]\nlat = [43.5, 44.0]\nlon = [7.2, 7.7]\n",
        TINY_TOML.replace("[privacy]\nk_anonymity = 2\npseudonym_key = \"tiny-test-key\"\n", ""),
        pbf.display().to_string()
    ) + "[privacy]\nk_anonymity = 2\npseudonym_key = \"tiny-test-key\"\n";
    // Casino (site), Palace (office); homes in Larvotto, La Condamine, Fontvieille and at sea.
    let dir = study(&[
        ("study.toml", &toml),
        ("sites.csv", "site_id,name,lat,lon\nS1,Casino,43.73939,7.42804\n"),
        ("companies.csv", "company_id,name,office_lat,office_lon\nC1,Palais,43.73148,7.42015\n"),
        (
            "employees.csv",
            "employee_id,company_id,home_lat,home_lon,commute_mode,car_fuel,center_mode\n\
             E1,C1,43.7450,7.4340,car,petrol,car\n\
             E2,C1,43.7350,7.4210,walk,,walk\n\
             E3,C1,43.7280,7.4160,train,,bike\n\
             E4,C1,43.7200,7.4500,car,diesel,car\n",
        ),
        ("cards.csv", "card_id,employee_id\nK1,E1\nK2,E2\nK3,E3\nK4,E4\n"),
        (
            "logs/s1.csv",
            "timestamp,site_id,card_id,direction\n\
             2026-01-05T08:00:00,S1,K1,in\n2026-01-05T16:30:00,S1,K1,out\n\
             2026-01-05T08:00:00,S1,K2,in\n2026-01-05T16:30:00,S1,K2,out\n\
             2026-01-05T08:00:00,S1,K3,in\n2026-01-05T16:30:00,S1,K3,out\n\
             2026-01-05T08:00:00,S1,K4,in\n2026-01-05T16:30:00,S1,K4,out\n",
        ),
    ]);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    assert!(dir.path().join("graph/monaco.navette-road").is_file(), "prepared network saved");

    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT 0::BIGINT, leg, mode, method, coalesce(unrouted_reason, '-'), distance_m FROM legs \
             ORDER BY mode, leg, method",
        )
        .unwrap();
    let rows: Vec<(i64, String, String, String, String, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let summary: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            ("center", "bike", "routed", "-"),
            ("center", "car", "estimated", "home_off_network"),
            ("center", "car", "routed", "-"),
            ("office", "car", "estimated", "home_off_network"),
            ("office", "car", "routed", "-"),
            // No SNCB station near Monaco: the flat estimate, with the reason.
            ("office", "train", "estimated", "no_station_near_home"),
            ("center", "walk", "routed", "-"),
            ("office", "walk", "routed", "-"),
        ],
        "{rows:?}"
    );

    // The routed car office leg is the mean of the way there and back, walks to and from the road
    // included, in whole km. Checked independently with OSRM 26.10 (car profile, same extract,
    // Route service of osrm-bindings): there 3,937.7 m and back 2,231.2 m on the road (one-ways
    // around the Palace), plus 164.5 m from the home to the road and 5.2 m at the office: mean
    // 3,254 m one way → 3 km.
    let car_office = rows.iter().find(|r| r.1 == "office" && r.2 == "car" && r.3 == "routed").unwrap();
    assert_eq!(car_office.5, 3000.0, "{car_office:?}");
    let (net, _) = navette_road::RoadNetwork::from_pbf(&pbf).unwrap();

    let routed_share: f64 = conn
        .query_row("SELECT sum(share_pct) FROM leg_routing_by_mode WHERE leg = 'office' AND mode = 'car' AND method = 'routed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(routed_share, 50.0);

    // The reports' maps draw the extract's main roads, with the ODbL attribution.
    let html = std::fs::read_to_string(out.join("reports/companies/C1/2026-Q1/report.html")).unwrap();
    assert!(road_lines_drawn(&html) > 10, "roads drawn");
    assert!(html.contains("OpenStreetMap"), "attribution");
    let lines = navette::routing::roads::map_lines(&net);
    let points: usize = lines.iter().map(Vec::len).sum();
    assert!(lines.len() > 10 && points > lines.len() * 2, "{} lines, {points} points", lines.len());

    // A second run reuses the prepared network and gives the same legs.
    let out2 = dir.path().join("out2");
    run_study(dir.path(), &out2);
    assert_eq!(
        std::fs::read(out.join("parquet/legs.parquet")).unwrap(),
        std::fs::read(out2.join("parquet/legs.parquet")).unwrap()
    );
}

/// How many road lines a report's map draws: the subpaths of its one roads path.
fn road_lines_drawn(html: &str) -> usize {
    html.split("<path class=\"roads\" d=\"")
        .nth(1)
        .map_or(0, |d| d[..d.find('"').unwrap_or(d.len())].matches('M').count())
}

/// The report views on the tiny study, by hand: year to date, package projection, distribution
/// bands, home cells and the uncertainty range.
#[test]
fn report_views_match_the_hand_calculation() {
    let dir = tiny();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let car = 0.17304 + 0.04146;
    let train = 0.023 + 0.00897;
    // Round trips (km) of the hand calculation above: E1 office 44, E1 center 16 (two days), E2
    // office 28 by train, E2 center by bike (0 kg).
    let (b1, a1, b2) = (44.0 * car, 16.0 * car, 28.0 * train);

    // Uncertainty: systematic errors, one unknown factor per mode and one detour error for every
    // estimated distance. Car factors from small (0.14322) to large (0.22678) over average
    // (0.16725); train from SNCB 0.023 (central) up to DESNZ 0.03546; estimated distances p10/p90
    // of the detour over its median: 1.14/1.30 and 1.46/1.30. Net saving per mode: car
    // d·(B1 − 2·A1) = d·12 km of car (> 0), train d·B2 (> 0), bike 0: low takes the low factor
    // and the low distance end of both, high the high ends.
    let (cl, ch) = (0.14322 / 0.16725, 0.22678 / 0.16725);
    let th = 0.03546 / 0.023;
    let (dl, dh) = (1.14 / 1.30, 1.46 / 1.30);
    let low = dl * ((b1 - 2.0 * a1) * cl + b2);
    let high = dh * ((b1 - 2.0 * a1) * ch + b2 * th);
    let central = b1 - 2.0 * a1 + b2;
    let u: (f64, f64, f64, f64, f64) = conn
        .query_row(
            "SELECT co2e_kg_avoided_low, co2e_kg_avoided, co2e_kg_avoided_high, co2e_kg_avoided_gross,
                    co2e_kg_avoided_after_ademe_rebound FROM company_quarter_uncertainty",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    close(u.0, low, "uncertainty low");
    close(u.1, central, "uncertainty central");
    close(u.2, high, "uncertainty high");
    assert!(u.0 < u.1 && u.1 < u.2);
    close(u.3, central, "gross (no rebound in the run)");
    close(u.4, 0.69 * central, "after ADEME's 31 % rebound");

    // Year to date = the only quarter.
    let ytd: (i64, i64, i64, f64) = conn
        .query_row(
            "SELECT quarters, min_quarter_employees, center_days, co2e_kg_avoided FROM company_ytd_impact",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((ytd.0, ytd.1, ytd.2), (1, 2, 3));
    close(ytd.3, central, "ytd co2e");

    // Bands: E1 saves 44 − 32 = 12 km of car (2.574 kg), E2 0.895 kg: both in 0–10 kg; E1 has
    // two center days, E2 one: both in 1–2 days.
    let bands: Vec<(String, i64, i64)> = conn
        .prepare("SELECT measure, band, employees FROM company_quarter_employee_bands ORDER BY measure, band")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(bands, vec![("center_days".into(), 0, 2), ("co2e_kg_avoided".into(), 1, 2)]);

    // Home cells: E1 and E2 live 0.05° apart on the meridian: two 1 km cells of one user each.
    let cells: Vec<(String, i64)> = conn
        .prepare("SELECT cell_id, CAST(employees AS BIGINT) FROM home_cells ORDER BY cell_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // Cell ids computed independently with PROJ 9.5.1 (pyproj 3.7.2, EPSG:4326 → EPSG:3035):
    // (50.05° N, 4.0° E) → E 3 891 776.7, N 3 010 634.0; (50.1° N, 4.0° E) → E 3 892 225.8,
    // N 3 016 179.6; each cell is named by its south-west corner.
    let want =
        vec![("CRS3035RES1000mN3010000E3891000".to_owned(), 1), ("CRS3035RES1000mN3016000E3892000".to_owned(), 1)];
    assert_eq!(cells, want);

    // Complete quarter: the projection is the use.
    let p: (i64, i64, f64, f64) = conn
        .query_row(
            "SELECT working_days_observed, working_days_remaining, center_hours_used, center_hours_projected FROM company_package_quarter",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    // Q1 2026 working days: January 22, February 20, March 22.
    assert_eq!((p.0, p.1), (64, 0));
    close(p.2, 20.0, "hours used");
    close(p.3, 20.0, "hours projected");
}

#[test]
fn package_projection_is_linear_on_working_days() {
    let dir = tiny();
    let toml = std::fs::read_to_string(dir.path().join("study.toml")).unwrap();
    std::fs::write(dir.path().join("study.toml"), toml.replace("to = 2026-03-31", "to = 2026-01-07")).unwrap();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let p: (String, i64, i64, f64, f64, f64) = conn
        .query_row(
            "SELECT CAST(as_of AS VARCHAR), working_days_observed, working_days_remaining, center_hours_used,
                    center_hours_projected, package_projected_pct FROM company_package_quarter",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    // Observed: Thu 1, Fri 2, Mon 5, Tue 6, Wed 7 January = 5 working days; 64 − 5 = 59 to come.
    assert_eq!((p.0.as_str(), p.1, p.2), ("2026-01-07", 5, 59));
    close(p.3, 20.0, "used");
    close(p.4, 20.0 + 20.0 / 5.0 * 59.0, "projected");
    close(p.5, 100.0 * 256.0 / 20.0, "projected % of the 20 h package");
}

fn tiny_docs(k_toml: &str) -> (navette_reports::Doc, navette_reports::Doc) {
    let dir = tiny();
    if !k_toml.is_empty() {
        let toml = std::fs::read_to_string(dir.path().join("study.toml")).unwrap();
        std::fs::write(dir.path().join("study.toml"), toml.replace("k_anonymity = 2", k_toml)).unwrap();
    }
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    conn.execute_batch("SET threads = 1;").unwrap();
    let k: u32 = conn.query_row("SELECT k_anonymity FROM run_info", [], |r| r.get(0)).unwrap();
    let appendix = navette::report::appendix(&conn, k).unwrap();
    let keys = navette::report::report_keys(&conn).unwrap();
    let map = navette::report::map(&conn, Some("C1"), k, &navette::report::Background::default()).unwrap();
    let company =
        navette::report::company_report(&conn, &keys[0], navette_reports::Lang::En, "Tiny", &appendix, Some(map))
            .unwrap();
    let quarters = navette::report::network_quarters(&conn).unwrap();
    let map = navette::report::map(&conn, None, k, &navette::report::Background::default()).unwrap();
    let network = navette::report::network_report(
        &conn,
        &quarters,
        &quarters[0],
        navette_reports::Lang::Fr,
        "Tiny",
        &appendix,
        Some(map),
    )
    .unwrap();
    (navette_reports::company_doc(&company).unwrap(), navette_reports::network_doc(&network).unwrap())
}

/// Snapshots of the text and tables of the tiny study's reports (company in English, network in
/// French): every figure there is checked by hand in the tests above.
#[test]
fn tiny_reports_text_snapshots() {
    let (company, network) = tiny_docs("");
    insta::assert_snapshot!("tiny_company_en", company.text());
    insta::assert_snapshot!("tiny_network_fr", network.text());
    // With k = 3 the two users are fewer than k: both reports are withheld, nothing but the method.
    let (company, network) = tiny_docs("k_anonymity = 3");
    assert!(company.text().contains("Fewer than 3 employees"), "{}", company.text());
    assert!(network.text().contains("Moins de 3 employés"), "{}", network.text());
    for doc in [&company, &network] {
        assert!(doc.charts.is_empty() && !doc.text().contains("km avoided |"));
    }
}

/// The numbers of a table column, or of a row, labelled with the employees label.
fn employee_counts(doc: &navette_reports::Doc) -> Vec<u64> {
    let label = match doc.lang {
        "fr" => "Employés actifs",
        "nl" => "Actieve werknemers",
        _ => "Active employees",
    };
    let parse = |s: &str| -> Option<u64> {
        let digits: String = s.chars().filter(|c| !matches!(c, '\u{202f}' | '\u{a0}' | '.' | ',' | ' ')).collect();
        digits.parse().ok()
    };
    let mut out = Vec::new();
    for b in &doc.blocks {
        if let navette_reports::Block::Table { header, rows } = b {
            if let Some(col) = header.iter().position(|h| h == label) {
                out.extend(rows.iter().filter_map(|r| r.get(col).and_then(|c| parse(c))));
            }
            for r in rows.iter().filter(|r| r.first().is_some_and(|c| c == label)) {
                out.extend(r[1..].iter().filter_map(|c| parse(c)));
            }
        }
    }
    out
}

/// No published group anywhere in the demo's reports has fewer than k employees: tables, map
/// cells, and the hidden remainder of disjoint breakdowns (0 or at least k, so it cannot single
/// anyone out); the files on disk are exactly the checked documents, in HTML and in PDF.
#[test]
fn demo_reports_publish_no_cell_below_k() {
    let (tmp, out) = demo_run();
    let study = navette::config::Study::load(&tmp.path().join("study.toml")).unwrap();
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    conn.execute_batch("SET threads = 1;").unwrap();
    let k = 5u64;
    let appendix = navette::report::appendix(&conn, k as u32).unwrap();
    let background = navette::report::Background::belgium();
    let folder = |id: &str| id.to_owned(); // demo ids are plain folder names
    let mut docs = Vec::new();
    let mut checked_hidden = 0;
    for key in navette::report::report_keys(&conn).unwrap() {
        let lang = navette_reports::Lang::parse(
            study.config.study.company_languages.get(&key.company_id).map_or("fr", |s| s.as_str()),
        )
        .unwrap();
        let map = navette::report::map(&conn, Some(key.company_id.as_str()), k as u32, &background).unwrap();
        let r =
            navette::report::company_report(&conn, &key, lang, &study.config.study.name, &appendix, Some(map)).unwrap();
        if let Some(h) = &r.headline {
            assert!(h.employees_active >= k);
            for m in r.modes.iter().flatten() {
                assert!(m.employees_active >= k);
            }
            let shown: u64 = r.modes.iter().flatten().map(|m| m.employees_active).sum();
            let hidden = h.employees_active - shown;
            assert!(hidden == 0 || hidden >= k, "{} {}: {hidden} hidden by mode", key.company_id, key.quarter);
            for bands in [&r.co2e_bands, &r.day_bands] {
                let shown: u64 = bands.iter().flatten().map(|b| b.employees).sum();
                assert!(bands.iter().flatten().all(|b| b.employees >= k));
                let hidden = h.employees_active - shown;
                assert!(hidden == 0 || hidden >= k, "{} {}: {hidden} hidden in bands", key.company_id, key.quarter);
                checked_hidden += usize::from(hidden > 0);
            }
            assert!(r.sites.iter().flatten().all(|s| s.employees_active >= k));
            // The figures read for every company-quarter at once are this company-quarter's.
            let by_key = |sql: &str| -> Vec<(String, i64)> {
                let mut stmt = conn.prepare(sql).unwrap();
                stmt.query_map([&key.company_id, &key.quarter], |r| Ok((r.get(0)?, r.get(1)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            };
            let days =
                by_key("SELECT quarter, center_days FROM company_quarter_impact WHERE company_id = ? AND quarter = ?");
            assert_eq!(days, vec![(key.quarter.clone(), h.center_days as i64)]);
            let sites = by_key(
                "SELECT s.name, v.center_days FROM company_site_quarter_impact v JOIN sites s USING (site_id)
                 WHERE v.company_id = ? AND v.quarter = ? ORDER BY v.center_days DESC, v.site_id",
            );
            assert_eq!(sites.len(), r.sites.len());
            for (row, (name, days)) in r.sites.iter().zip(&sites) {
                if let Some(row) = row {
                    assert_eq!((&row.site_name, row.center_days as i64), (name, *days));
                }
            }
            assert!(r.months.iter().filter_map(|m| m.1.as_ref()).all(|m| m.employees_active >= k));
            assert_ne!(r.sites.iter().filter(|s| s.is_none()).count(), 1, "a lone hidden site");
            let m = r.map.as_ref().unwrap();
            assert!(m.cells.iter().all(|c| c.employees >= k));
            assert!(m.employees_hidden == 0 || m.employees_hidden >= k);
        } else {
            assert!(r.ytd.is_none() && r.sites.is_empty() && r.map.is_none() && r.months.is_empty());
        }
        let rel = format!("reports/companies/{}/{}/report", folder(&key.company_id), key.quarter);
        docs.push((rel, navette_reports::company_doc(&r).unwrap()));
    }
    assert!(checked_hidden > 0, "the demo should exercise a hidden band");
    let quarters = navette::report::network_quarters(&conn).unwrap();
    let map = navette::report::map(&conn, None, k as u32, &background).unwrap();
    for q in &quarters {
        let r = navette::report::network_report(
            &conn,
            &quarters,
            q,
            navette_reports::Lang::Fr,
            &study.config.study.name,
            &appendix,
            Some(map.clone()),
        )
        .unwrap();
        assert!(r.sites.iter().flatten().all(|s| s.employees_active >= k));
        docs.push((format!("reports/network/{q}/report"), navette_reports::network_doc(&r).unwrap()));
    }
    for (rel, doc) in &docs {
        let counts = employee_counts(doc);
        assert!(counts.iter().all(|&n| n >= k), "{rel}: a published count below {k}: {counts:?}");
        for svg in doc.charts.iter().filter(|s| s.contains("ETRS89-LAEA")) {
            for part in svg.split("<title>").skip(1) {
                // "<size> km: <people>"
                let title = part.split("</title>").next().unwrap();
                let n: u64 = title.rsplit(": ").next().unwrap().parse().unwrap();
                assert!(n >= k, "{rel}: a map cell of {n}");
            }
        }
        // The files are these documents, byte for byte.
        let html = std::fs::read_to_string(out.join(format!("{rel}.html"))).unwrap();
        assert_eq!(html, navette_reports::render_doc_html(doc).unwrap(), "{rel}.html");
        let pdf = std::fs::read(out.join(format!("{rel}.pdf"))).unwrap();
        assert_eq!(pdf, navette_reports::render_doc_pdf(doc).unwrap(), "{rel}.pdf");
    }
    // No home coordinate or HR id in any report (the demo's homes have 5 decimals).
    let employees = std::fs::read_to_string(tmp.path().join("employees.csv")).unwrap();
    let line = employees.lines().nth(1).unwrap();
    let fields: Vec<&str> = line.split(';').collect();
    for (rel, _) in &docs {
        let html = std::fs::read_to_string(out.join(format!("{rel}.html"))).unwrap();
        for needle in [fields[0], fields[2], fields[3]] {
            assert!(!html.contains(needle), "{rel}: {needle} leaked");
        }
    }
}

/// A study in Cairns on the real GTFS feed (`datasets/gtfs/cairns_gtfs.zip`, a Tuesday of June
/// 2014): E1's bus commute rides the timetable (figures checked by hand against the feed's rows);
/// E1's center is out of reach of any stop, E2 lives far from any stop, E3's only stop has no
/// morning service: each keeps the estimate with its reason. Car and walking legs stay estimated.
#[test]
fn transit_legs_ride_the_gtfs_timetable_and_fall_back_with_a_reason() {
    let feed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/gtfs/cairns_gtfs.zip").canonicalize().unwrap();
    let toml = format!(
        "{}gtfs = [{:?}]\n[method.transit]\nservice_date = \"2014-06-10\"\nmax_access_m = 200\nmax_egress_m = 200\n\
         [method.study_area]\nlat = [-17.5, -16.0]\nlon = [145.0, 146.5]\n",
        TINY_TOML.replace("[privacy]\nk_anonymity = 2\npseudonym_key = \"tiny-test-key\"\n", ""),
        feed.display().to_string()
    ) + "[privacy]\nk_anonymity = 2\npseudonym_key = \"tiny-test-key\"\n";
    // Office at The Pier Cairns terminus (stop E); S1 beside it, S2 at sea off Palm Cove.
    // E1 halfway between Mt Milman Dr N67 (750054) and Mount Milman Dr hail-and-ride (750362),
    // 13.92 m from each; E2 inland, 40 km from any stop; E3 150 m beyond Farmer St (750403),
    // served on weekdays only from 19:04, and 213 m from its twin 750402 (beyond 200 m).
    let dir = study(&[
        ("study.toml", &toml),
        ("sites.csv", "site_id,name,lat,lon\nS1,Pier,-16.9209,145.7790\nS2,Sea,-16.75,145.95\n"),
        ("companies.csv", "company_id,name,office_lat,office_lon\nC1,Pier Co,-16.920876,145.779259\n"),
        (
            "employees.csv",
            "employee_id,company_id,home_lat,home_lon,commute_mode,car_fuel,center_mode\n\
             E1,C1,-16.837212,145.6951015,bus,,bus\n\
             E2,C1,-17.3,145.3,train,,car\n\
             E3,C1,-17.035088,145.741578,bus,,walk\n",
        ),
        ("cards.csv", "card_id,employee_id\nK1,E1\nK2,E2\nK3,E3\n"),
        (
            "logs/s.csv",
            "timestamp,site_id,card_id,direction\n\
             2026-01-05T08:00:00,S2,K1,in\n2026-01-05T16:30:00,S2,K1,out\n\
             2026-01-05T08:00:00,S1,K2,in\n2026-01-05T16:30:00,S1,K2,out\n\
             2026-01-05T08:00:00,S1,K3,in\n2026-01-05T16:30:00,S1,K3,out\n",
        ),
    ]);
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT leg, mode, method, coalesce(unrouted_reason, '-'), transfers FROM legs ORDER BY mode, leg, method, 4",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, Option<f64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let summary: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (r.0.as_str(), r.1.as_str(), r.2.as_str(), r.3.as_str())).collect();
    assert_eq!(
        summary,
        vec![
            ("center", "bus", "estimated", "no_stop_near_destination"),
            ("office", "bus", "estimated", "no_connection"),
            ("office", "bus", "routed", "-"),
            ("center", "car", "estimated", "-"),
            ("office", "train", "estimated", "no_stop_near_home"),
            ("center", "walk", "estimated", "-"),
        ],
        "{rows:?}"
    );
    assert!(rows.iter().all(|r| r.4.is_some() == (r.2 == "routed")), "transit columns only on routed transit legs");

    // E1's office leg, by hand from the feed's rows (see HAND below).
    let (dist_m, dur_s, transfers, bus_km, rail_km, access_km, egress_km, ttw, wtt, co2_ttw, co2_wtw): (
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
        f64,
    ) = conn
        .query_row(
            "SELECT distance_m, duration_s, transfers, in_vehicle_km_bus, in_vehicle_km_rail, access_km, egress_km, \
             ttw_kg_per_km, wtt_kg_per_km, co2e_ttw_kg, co2e_wtw_kg FROM legs WHERE method = 'routed'",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            },
        )
        .unwrap();
    // HAND, from the feed's rows (Tuesday 10 June 2014, service CNS2014-CNS_MUL-Weekday-00):
    // Morning, arrive by 09:00 at the Pier. The latest departure: walk 13.92 m × 1.3 = 18.10 m
    // (15 s at 1.25 m/s) to 750362, route 120 trip 4166400 07:49 → Smithfield N228 (750053) 07:51
    // (great circle 348.10 m), route 110 trip 4165882 08:22 → Pier stop E (750449) 08:50
    // (13 711.15 m), the office is at stop E (0 m, 1 s). Leave 07:48:45, arrive 08:50:01:
    // 3676 s, 1 transfer (the 07:35 direct bus leaves earlier, so it is not the answer).
    // Evening, leave at 17:30: walk 89.94 m × 1.3 = 116.92 m (94 s) to Pier stop A (750450),
    // route 110 trip 4165929 17:40 → Smithfield N229 (750073) 18:09 (13 567.93 m), walk 361.99 m
    // × 1.3 = 470.59 m (377 s) to N228, route 120 trip 4166396 18:34 → Mt Milman N67
    // (750054) 18:35 (375.01 m), walk 18.10 m (15 s). Leave 17:38:26, home 18:35:15: 3409 s.
    // One way = mean: (14 077.34 + 14 548.55) / 2 = 14 312.95 m → 14 km; (3676 + 3409) / 2 =
    // 3542.5 s, scaled like the distance: × 14 000 / 14 312.95 = 3465.04 s. Bus km (348.10 +
    // 13 711.15 + 13 567.93 + 375.01) / 2 = 14 001.09 m → 14.0; access (18.10 + 18.10) / 2 → 0.0 km;
    // egress (0 + 116.92) / 2 = 58.46 m → 0.1 km. CO2e: bus 0.10385 (TTW) and 0.02649 (WTT)
    // kg/pkm on 14.00109 of the 14.31295 km (walks 0): per km 0.1015873 and 0.0259128; × 14 km.
    let bus_exact_km = 14.001_091;
    let leg_exact_km = 14.312_946;
    close(dist_m, 14_000.0, "distance");
    assert_eq!((transfers, bus_km, rail_km, access_km, egress_km), (1.0, 14.0, 0.0, 0.0, 0.1));
    assert!((dur_s - 3542.5 * 14.0 / leg_exact_km).abs() < 0.01, "duration {dur_s}");
    assert!((ttw - 0.10385 * bus_exact_km / leg_exact_km).abs() < 1e-6, "ttw/km {ttw}");
    assert!((wtt - 0.02649 * bus_exact_km / leg_exact_km).abs() < 1e-6, "wtt/km {wtt}");
    assert!((co2_ttw - 14.0 * 0.10385 * bus_exact_km / leg_exact_km).abs() < 1e-5, "co2e ttw {co2_ttw}");
    assert!((co2_wtw - 14.0 * (0.10385 + 0.02649) * bus_exact_km / leg_exact_km).abs() < 1e-5, "co2e wtw {co2_wtw}");

    // Feed counts, sha256 and service day in run.json; the feed's files in file_counts.
    let run: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["transit"]["service_date"], "2014-06-10");
    assert_eq!(run["transit"]["service_day_rule"], "fixed");
    assert_eq!(
        run["transit"]["feeds"][0]["sha256"],
        "ff39d3763a105ae9cdb7a819d3c3350195d2e34ee95e322652e516a1d3d037cc"
    );
    let (files, rows_read, rejected): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), sum(rows_read), sum(rows_rejected) FROM file_counts WHERE kind = 'gtfs'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((files, rejected), (7, 0), "agency, stops, routes, calendar, calendar_dates, trips, stop_times");
    assert_eq!(rows_read, 39_581, "data rows of the 7 files");
}

/// A GTFS feed with bad rows: each lands in `rejects.csv` and the `rejects` table with the feed's
/// file and line, counts reconcile in `file_counts`; the run goes on. A feed that cannot be used
/// stops the run with a message naming it.
#[test]
fn gtfs_rejects_reach_rejects_csv_and_an_unusable_feed_stops_the_run() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline/transit/tests/fixtures").canonicalize().unwrap();
    let broken = fixtures.join("broken").display().to_string();
    let dir = tiny_with("");
    let toml = std::fs::read_to_string(dir.path().join("study.toml")).unwrap().replace(
        "access_logs = [\"logs/*.csv\"]\n",
        &format!(
            "access_logs = [\"logs/*.csv\"]\ngtfs = [{broken:?}]\n[method.transit]\nservice_date = \"2025-06-03\"\n"
        ),
    );
    std::fs::write(dir.path().join("study.toml"), toml).unwrap();
    let out = dir.path().join("out");
    run_study(dir.path(), &out);
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    let gtfs: Vec<&str> = rejects.lines().filter(|l| l.starts_with(&broken)).collect();
    assert_eq!(gtfs.len(), 14, "{rejects}");
    let st = format!("{broken}/stop_times.txt");
    for (line, reason, code) in [
        (3, "bad_timestamp", "bad_time"),
        (5, "unknown_reference", "unknown_stop"),
        (8, "inconsistent_timetable", "duplicate_sequence"),
        (11, "inconsistent_timetable", "time_goes_back"),
    ] {
        let want = format!("{st},{line},{reason},");
        assert!(gtfs.iter().any(|l| l.starts_with(&want) && l.contains(&format!("{code}: "))), "{want} in {gtfs:?}");
    }
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let (read, accepted, rejected): (i64, i64, i64) = conn
        .query_row("SELECT rows_read, rows_accepted, rows_rejected FROM file_counts WHERE file = ?", [&st], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((read, accepted, rejected), (11, 4, 7));
    let in_table: i64 = conn
        .query_row("SELECT count(*) FROM rejects WHERE file LIKE ?", [format!("{broken}/%")], |r| r.get(0))
        .unwrap();
    assert_eq!(in_table, 14);

    // A feed without stop_times.txt: the run stops, naming the key, the feed and the file.
    let no_st = fixtures.join("no_stop_times").display().to_string();
    let toml = std::fs::read_to_string(dir.path().join("study.toml")).unwrap().replace(&broken, &no_st);
    std::fs::write(dir.path().join("study.toml"), toml).unwrap();
    let study = navette::config::Study::load(&dir.path().join("study.toml")).unwrap();
    let sources = navette::run::load_sources(&study).unwrap();
    let err = format!("{:#}", navette::run::run(&study, &sources, &dir.path().join("out2")).unwrap_err());
    assert!(err.contains("inputs.gtfs") && err.contains("stop_times.txt is missing"), "{err}");
}

/// The routed example on a real Walloon map (`datasets/examples/mons`): center legs routed on the
/// Mons extract, the Brussels office off the map (the estimate, with its reason), train commuters
/// through stations, reports with the extract's roads.
#[test]
fn the_mons_example_is_routed_on_belgian_roads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/examples/mons").canonicalize().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = navette(&["run", "--config", "study.toml", "--out", out.path().join("o").to_str().unwrap()], &root);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = Connection::open(out.path().join("o/warehouse.duckdb")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let center = count("SELECT count(*) FROM legs WHERE leg = 'center'");
    let center_routed = count("SELECT count(*) FROM legs WHERE leg = 'center' AND method = 'routed'");
    assert!(center_routed * 10 >= center * 8, "{center_routed} of {center} center legs routed");
    // Assurances Bruxelloises' office is in Brussels, far off the extract.
    assert_eq!(
        count(
            "SELECT count(*) FROM legs WHERE leg = 'office' AND company_id = 'BXL' AND mode = 'car' AND method = 'routed'"
        ),
        0
    );
    assert!(count("SELECT count(*) FROM legs WHERE unrouted_reason = 'destination_off_network'") > 0);
    assert!(count("SELECT count(*) FROM legs WHERE method = 'stations' AND board_station IS NOT NULL") > 0);
    for c in ["BXL", "EGI"] {
        let html =
            std::fs::read_to_string(out.path().join(format!("o/reports/companies/{c}/2026-Q1/report.html"))).unwrap();
        assert!(road_lines_drawn(&html) > 100 && html.contains("OpenStreetMap"), "{c}: roads drawn");
    }
}

/// The potential over routed legs (schema 6): the Mons example with a second site at the
/// Grand-Place. Every employee's office leg in `employee_potential` is the run's office leg
/// (`legs`), and for every driver the nearest site and its distance are those of `roads::route`
/// called directly on both sites (each way rounded to whole km, ties to the site listed first);
/// the run's center legs, answered from the memo the potential filled, equal `roads::route` too.
#[test]
fn the_potential_takes_the_nearest_site_by_routed_legs() {
    use navette::method::mode::Mode;
    use navette::routing::LegRequest;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/examples/mons").canonicalize().unwrap();
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap();
    let pbf = root.join("../../osm/mons.osm.pbf").canonicalize().unwrap();
    let toml = read("study.toml").replace("\"../../osm/mons.osm.pbf\"", &format!("{:?}", pbf.display().to_string()));
    let grand_place = (50.4546, 3.9520);
    let sites = format!("{}GP,Grand-Place,Mons,{},{},10,2025-09-01\n", read("sites.csv"), grand_place.0, grand_place.1);
    let mut files = vec![
        ("study.toml".to_owned(), toml),
        ("sites.csv".to_owned(), sites),
        ("companies.csv".to_owned(), read("companies.csv")),
        ("employees.csv".to_owned(), read("employees.csv")),
        ("cards.csv".to_owned(), read("cards.csv")),
    ];
    for e in std::fs::read_dir(root.join("logs")).unwrap() {
        let e = e.unwrap();
        files.push((format!("logs/{}", e.file_name().to_str().unwrap()), std::fs::read_to_string(e.path()).unwrap()));
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, c)| (n.as_str(), c.as_str())).collect();
    let dir = study(&refs);
    let o = navette(&["run", "--config", "study.toml", "--out", "o"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = Connection::open(dir.path().join("o/warehouse.duckdb")).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM employee_potential"), 40);
    // The office leg of the potential is the run's.
    assert_eq!(
        count(
            "SELECT count(*) FROM employee_potential p JOIN legs l ON l.employee_pid = p.employee_pid AND l.leg = 'office'
             WHERE p.office_km <> l.distance_m / 1000 OR p.office_method <> l.method"
        ),
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM employee_potential
             WHERE method <> CASE WHEN 'estimated' IN (office_method, nearest_site_method) THEN 'estimated'
                                  WHEN 'stations' IN (office_method, nearest_site_method) THEN 'stations'
                                  ELSE 'routed' END"
        ),
        0
    );

    let study_ = navette::config::Study::load(&dir.path().join("study.toml")).unwrap();
    let roads = navette::routing::roads::open(&study_).unwrap().expect("the example has an OSM extract");
    let mons_site = (50.45380, 3.94150);
    let rounded_km = |m: f64| (m / 1000.0).round();
    let people: Vec<Vec<String>> =
        read("employees.csv").lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect();
    let mut potential = conn
        .prepare("SELECT nearest_site_id, nearest_site_km, nearest_site_method FROM employee_potential WHERE employee_pid = ?")
        .unwrap();
    let mut center = conn
        .prepare("SELECT distance_m FROM legs WHERE employee_pid = ? AND leg = 'center' AND site_id = 'MONS'")
        .unwrap();
    let (mut at_mons, mut at_gp, mut center_checked) = (0, 0, 0);
    for p in people.iter().filter(|p| p[4] == "car" && p[7].is_empty()) {
        let home: (f64, f64) = (p[2].parse().unwrap(), p[3].parse().unwrap());
        let q = |dest| LegRequest { mode: Mode::Car, home, dest };
        let routed = navette::routing::roads::route(&roads, &[q(mons_site), q(grand_place)]);
        let (Some(Ok(m)), Some(Ok(g))) = (&routed[0], &routed[1]) else { continue };
        let (mk, gk) = (rounded_km(m.distance_m), rounded_km(g.distance_m));
        let want = if gk < mk { ("GP", gk) } else { ("MONS", mk) };
        let pid = navette::privacy::pseudonym::pseudonym(&study_.config.privacy.pseudonym_key, &p[0]);
        let got: (String, f64, String) =
            potential.query_row([&pid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        assert_eq!((got.0.as_str(), got.1, got.2.as_str()), (want.0, want.1, "routed"), "{}", p[0]);
        if want.0 == "GP" {
            at_gp += 1
        } else {
            at_mons += 1
        }
        if let Ok(d) = center.query_row([&pid], |r| r.get::<_, f64>(0)) {
            assert_eq!(d, mk * 1000.0, "{}: the run's center leg", p[0]);
            center_checked += 1;
        }
    }
    assert!(at_mons >= 2 && at_gp >= 2, "{at_mons} drivers nearest to MONS, {at_gp} to GP");
    assert!(center_checked >= 3, "{center_checked} center legs checked");
}

/// The energy lines (`[energy]`): off, the views are empty and no report shows them; on, each
/// company quarter equals the hand-priced hours of its center days with the documented defaults,
/// the office saves only the replaced days' hours and only when the study says it shrinks, and
/// the reports show the lines beside (not inside) the commute figures.
#[test]
fn energy_lines_are_off_by_default_and_priced_by_hand_when_on() {
    let off = tiny();
    let run = navette(&["run", "--config", "study.toml", "--out", "o"], off.path());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let conn = Connection::open(off.path().join("o/warehouse.duckdb")).unwrap();
    let n: i64 = conn.query_row("SELECT count(*) FROM company_quarter_energy", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "energy lines appear only when [energy] enabled = true");
    let enabled: f64 =
        conn.query_row("SELECT value FROM energy_parameters WHERE name = 'enabled'", [], |r| r.get(0)).unwrap();
    assert_eq!(enabled, 0.0);

    let on = tiny_with("\n[energy]\nenabled = true\noffice_shrinks = true\n");
    let run = navette(&["run", "--config", "study.toml", "--out", "o"], on.path());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let conn = Connection::open(on.path().join("o/warehouse.duckdb")).unwrap();
    // Hand prices of the defaults (method::energy): 50.8 kWh/m² electricity and 15.0 m³/m² gas
    // (CBS, small offices) and 76.1 kWh/m², 10.7 m³/m² (larger offices), × 9.6 m²/desk ÷ 2,000 h,
    // gas at 31.65 MJ/m³; 0.138 kg/kWh electricity, 0.20196 kg/kWh gas, 0.33378 kg per home hour.
    let desk = |per_m2: f64| per_m2 * 9.6 / 2000.0;
    let gas = 31.65 / 3.6;
    let center_kg_per_h = desk(50.8) * 0.138 + desk(15.0 * gas) * 0.20196;
    let office_kg_per_h = desk(76.1) * 0.138 + desk(10.7 * gas) * 0.20196;
    let (hours, replaced_hours): (f64, f64) = conn
        .query_row(
            "SELECT sum(presence_s) / 3600.0, sum(presence_s) FILTER (WHERE replaces_office_day) / 3600.0
             FROM center_days WHERE company_id = 'C1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(hours > replaced_hours && replaced_hours > 0.0, "{hours} {replaced_hours}");
    let (center_kg, office_kg, home_kg, commute_kg, avoided): (f64, f64, f64, f64, f64) = conn
        .query_row(
            "SELECT e.center_co2e_kg, e.office_co2e_kg_saved, e.home_co2e_kg_alternative, e.commute_co2e_kg_avoided,
                    i.co2e_kg_avoided
             FROM company_quarter_energy e JOIN company_quarter_impact i USING (company_id, quarter)
             WHERE company_id = 'C1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert!((center_kg - hours * center_kg_per_h).abs() < 1e-6, "{center_kg} vs {}", hours * center_kg_per_h);
    assert!((office_kg - replaced_hours * office_kg_per_h).abs() < 1e-6, "{office_kg}");
    assert!((home_kg - hours * 0.33378).abs() < 1e-6, "{home_kg}");
    // Beside, never netted: the commute figure is the impact view's, untouched.
    assert_eq!(commute_kg, avoided);
    let off_conn = Connection::open(off.path().join("o/warehouse.duckdb")).unwrap();
    let avoided_off: f64 = off_conn
        .query_row("SELECT co2e_kg_avoided FROM company_quarter_impact WHERE company_id = 'C1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(avoided, avoided_off, "enabling the energy lines changes no commute figure");
    // Every parameter carries a source.
    let unsourced: i64 = conn
        .query_row("SELECT count(*) FROM energy_parameters WHERE source IS NULL OR source = ''", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unsourced, 0);
}
