//! `navette plan` end to end on hand-made studies whose answer is plain, checked against hand
//! calculations: the whole path (inputs → savings by the legs' method → solver → warehouse).

use std::path::Path;

use duckdb::Connection;

use super::{close, navette, study};

/// Office at 50.5°N, the one existing center S1 at 50.0°N, all on the 4°E meridian (great-circle
/// distances are R × Δφ). Car, diesel, average, alone: WTW 0.17304 + 0.04146 kg per km.
/// - Cluster A, 10 employees at 50.30°N: office 22.24 km crow × 1.3 = 28.9 → 29 km by car;
///   S1 is farther than the office. Candidate FAR stands on the cluster (0 km).
/// - Cluster B, 6 employees at 50.02°N, users of S1: office 53.37 km × 1.3 = 69.4 → 69 km;
///   S1 2.22 km × 1.55 = 3.4 → 3 km; candidate BESIDE (50.025°N) 0.56 × 1.55 → 1 km.
/// - Candidate OFFICE at 50.49°N, beside the office; candidate NOBODY at 49.5°N, over 40 km from
///   every home.
const PLAN_TOML: &str = r#"
[study]
name = "Plain plan"
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
pseudonym_key = "plan-test-key"
[plan]
add = 2
candidates = "candidates.csv"
uptake = "fixed"
fixed_days_per_year = 44
cutoff_km = 40
"#;

const WTW: f64 = 0.17304 + 0.04146;

fn plain_study(candidates: &str) -> tempfile::TempDir {
    let mut employees = String::from("employee_id,company_id,home_lat,home_lon,commute_mode,car_fuel,car_size\n");
    let mut cards = String::from("card_id,employee_id\n");
    let mut log = String::from("timestamp,site_id,card_id,direction\n");
    for i in 1..=10 {
        employees.push_str(&format!("A{i},C1,50.30,4.0,car,diesel,average\n"));
    }
    for i in 1..=6 {
        employees.push_str(&format!("B{i},C1,50.02,4.0,car,diesel,average\n"));
        cards.push_str(&format!("KB{i},B{i}\n"));
        // B1 comes 1 day, B2 2 days… B6 6 days: 21 full days at S1.
        for d in 0..i {
            log.push_str(&format!(
                "2026-01-{:02}T08:00:00,S1,KB{i},in\n2026-01-{:02}T16:00:00,S1,KB{i},out\n",
                5 + d,
                5 + d
            ));
        }
    }
    study(&[
        ("study.toml", PLAN_TOML),
        ("sites.csv", "site_id,name,lat,lon\nS1,Centre,50.0,4.0\n"),
        ("companies.csv", "company_id,name,office_lat,office_lon\nC1,Acme,50.5,4.0\n"),
        ("employees.csv", employees.as_str()),
        ("cards.csv", cards.as_str()),
        ("logs/s1.csv", log.as_str()),
        ("candidates.csv", candidates),
    ])
}

const CANDIDATES: &str = "candidate_id,name,lat,lon,workspaces\n\
    FAR,Far cluster,50.30,4.0,1\n\
    BESIDE,Beside S1,50.025,4.0,\n\
    OFFICE,Beside the office,50.49,4.0,\n\
    NOBODY,Nobody around,49.5,4.0,\n\
    FAR,Duplicate,50.1,4.0,\n\
    S1,Same id as a site,50.1,4.0,\n\
    SWAP,Swapped,4.0,50.1,\n\
    HALF,Half a desk,50.1,4.0,2.5\n";

type SiteRow = (String, bool, Option<u32>, f64, f64, f64, f64, f64, Option<f64>, bool, f64);

fn plan_sites(conn: &Connection) -> Vec<SiteRow> {
    let mut stmt = conn
        .prepare(
            "SELECT candidate_id, chosen, open_order, marginal_co2e_kg_per_year, marginal_km_per_year,
                    marginal_hours_per_year, expected_users, expected_center_days_per_year, desk_use_pct,
                    over_capacity, taken_from_existing_co2e_kg_per_year
             FROM plan_sites ORDER BY candidate_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
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
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Relative closeness for figures that went through the solver's f32 savings.
fn near(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{what}: got {a}, hand calculation {b}");
}

#[test]
fn plan_opens_the_far_cluster_first_and_beside_an_existing_center_mostly_moves_people() {
    let dir = plain_study(CANDIDATES);
    let out = dir.path().join("out");
    let o = navette(&["plan", "--config", "study.toml", "--out", "out"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("1. Far cluster") && stdout.contains("2. Beside S1"), "{stdout}");
    assert!(stdout.contains("OVER CAPACITY"), "{stdout}");
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let rows = plan_sites(&conn);
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ids, ["BESIDE", "FAR", "NOBODY", "OFFICE"], "four accepted candidates");
    let (beside, far, nobody, office) = (&rows[0], &rows[1], &rows[2], &rows[3]);
    // FAR: 10 persons × 44 days × 2 × 29 km; hours at 62 km/h.
    assert_eq!((far.1, far.2), (true, Some(1)));
    near(far.3, 10.0 * 44.0 * 58.0 * WTW, "FAR marginal kg");
    near(far.4, 10.0 * 44.0 * 58.0, "FAR marginal km");
    near(far.5, 10.0 * 44.0 * 58.0 / 62.0, "FAR marginal hours");
    near(far.6, 10.0, "FAR users");
    near(far.7, 440.0, "FAR days");
    // One desk × 220 working days for 440 days of demand: 200 %, flagged.
    near(far.8.unwrap(), 200.0, "FAR desk use");
    assert!(far.9);
    near(far.10, 0.0, "FAR takes nothing from S1");
    // BESIDE: its 6 users saved 2 × 66 km at S1, now 2 × 68 km: adds 6 × 44 × 4 km.
    assert_eq!((beside.1, beside.2), (true, Some(2)));
    near(beside.3, 6.0 * 44.0 * 4.0 * WTW, "BESIDE marginal kg");
    near(beside.4, 6.0 * 44.0 * 4.0, "BESIDE marginal km");
    near(beside.5, 6.0 * 44.0 * 2.0 * (3.0 - 1.0) / 35.0, "BESIDE marginal hours");
    near(beside.10, 6.0 * 44.0 * 132.0 * WTW, "BESIDE takes S1's users' kg");
    assert!(beside.10 > 30.0 * beside.3, "it mostly moves people");
    // OFFICE: cluster A would save 2 × 2 km there, but FAR saves them more: nothing added.
    // NOBODY: no home within 40 km.
    for (r, what) in [(office, "OFFICE"), (nobody, "NOBODY")] {
        assert!(!r.1 && r.2.is_none(), "{what} not chosen");
        near(r.3, 0.0, what);
        near(r.6, 0.0, what);
    }
    // S1 loses its 6 users to BESIDE.
    let (before, after, kg_before): (f64, f64, f64) = conn
        .query_row("SELECT users_before, users_after, co2e_kg_per_year_before FROM plan_existing_sites", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    near(before, 6.0, "S1 users before");
    near(after, 0.0, "S1 users after");
    near(kg_before, 6.0 * 44.0 * 132.0 * WTW, "S1 kg before");
    // The opening curve adds up; the desk ceiling halves FAR in the capped total.
    let (cum, existing, plan, capped): (f64, f64, f64, f64) = conn
        .query_row(
            "SELECT (SELECT max(cumulative_co2e_kg_per_year) FROM plan_opening_curve), co2e_kg_per_year_existing,
                    co2e_kg_per_year_plan, co2e_kg_per_year_plan_capped FROM plan_summary",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    near(cum, far.3 + beside.3, "cumulative");
    near(plan, existing + cum, "plan = existing + openings");
    near(capped, plan - far.3 / 2.0, "capped");
    // Person table: pseudonymous ids only; 16 persons use a site.
    let (persons, hr_ids): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE employee_pid LIKE 'A%' OR employee_pid LIKE 'B%') FROM plan_person_use",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((persons, hr_ids), (16, 0));
    // Candidate rejects: file, line and reason, like every input.
    let rejects = std::fs::read_to_string(out.join("rejects.csv")).unwrap();
    for (line, reason) in [(6, "duplicate_id"), (7, "duplicate_id"), (8, "bad_coordinates"), (9, "out_of_range")] {
        assert!(rejects.contains(&format!("candidates.csv,{line},{reason}")), "line {line}: {rejects}");
    }
    // No road network, no timetable, no train leg: every leg is the estimate. Within 40 km: the
    // 10 of cluster A see S1, FAR, BESIDE and OFFICE, the 6 of cluster B see S1, FAR and BESIDE.
    let legs: (u64, u64, u64, u64) = conn
        .query_row(
            "SELECT office_legs_routed, office_legs_estimated, site_legs_routed, site_legs_estimated FROM plan_summary",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(legs, (0, 16, 0, 10 * 4 + 6 * 3));
    let json = std::fs::read_to_string(out.join("plan.json")).unwrap();
    assert!(json.contains("\"candidate_rejects\": 4"), "{json}");
    assert!(out.join("reports/plan/index.html").exists() && out.join("reports/plan/chosen_sites.csv").exists());
}

#[test]
fn plan_uptake_is_fitted_on_users_and_non_users_and_predicts_the_existing_center() {
    let dir = plain_study(CANDIDATES);
    let o = navette(&["plan", "--config", "study.toml", "--out", "out", "--set", "plan.uptake=fitted"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("uptake fitted on 16 employees") && stdout.contains("R²"), "{stdout}");
    let conn = Connection::open(dir.path().join("out/warehouse.duckdb")).unwrap();
    // 21 observed days at S1 over 64 weekdays (Jan 22, Feb 20, Mar 22), annualised × 220 / 64.
    // Every S1 user saves the same hours, so the fitted curve passes through their mean: the
    // predicted days at S1 equal the observed ones.
    let (observed, predicted): (f64, f64) = conn
        .query_row(
            "SELECT observed_center_days_per_year, predicted_center_days_per_year FROM plan_uptake_check",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    close(observed, 21.0 * 220.0 / 64.0, "observed days at S1");
    assert!((predicted - observed).abs() < 0.01 * observed, "predicted {predicted} vs observed {observed}");
    let (n, bins): (i64, i64) = conn
        .query_row("SELECT sum(employees), count(*) FROM plan_uptake_bins", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(n, 16, "users and non-users are all in the fit");
    assert!(bins >= 2);
}

#[test]
fn plan_config_errors_say_what_to_fix() {
    let dir = plain_study(CANDIDATES);
    let cases: [(&[&str], &str); 5] = [
        (&["--set", "plan.cutoff_km=0"], "plan.cutoff_km = 0"),
        (&["--set", "plan.cutof_km=30"], "cutof_km"),
        (&["--set", "plan.uptake=guess"], "guess"),
        (&["--add", "9"], "there are only 4 candidates"),
        (&["--candidates", "missing.csv"], "cannot read"),
    ];
    for (extra, want) in cases {
        let mut args = vec!["plan", "--config", "study.toml", "--out", "out"];
        args.extend_from_slice(extra);
        let o = navette(&args, dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{extra:?}: {err}");
    }
    assert!(!dir.path().join("out").exists(), "a failed plan leaves no output");
    // A candidates file without the required columns is an error naming them.
    std::fs::write(dir.path().join("bad.csv"), "id,name\nX,Y\n").unwrap();
    let o = navette(&["plan", "--config", "study.toml", "--out", "out", "--candidates", "bad.csv"], dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("candidate_id"), "{err}");
}

#[test]
fn plan_generates_municipality_candidates() {
    let dir = plain_study("candidate_id,name,lat,lon\n");
    let o = navette(
        &[
            "plan",
            "--config",
            "study.toml",
            "--out",
            "out",
            "--add",
            "1",
            "--set",
            "plan.generate=municipalities",
            "--set",
            "plan.regions=[\"WAL\"]",
            "--set",
            "plan.min_population=20000",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = Connection::open(Path::new(dir.path()).join("out/warehouse.duckdb")).unwrap();
    let (n, generated, chosen): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*), count(*) FILTER (WHERE source = 'municipality'), count(*) FILTER (WHERE chosen) FROM plan_sites",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(n > 50 && n == generated && chosen == 1, "{n} {generated} {chosen}");
}

/// The README's planning demo: the three announced towns plus the Walloon municipalities, with the
/// uptake fitted on the demo's badge logs and held against the observed use of its centers.
#[test]
fn demo_plan_fits_the_uptake_and_states_its_error() {
    let tmp = tempfile::tempdir().unwrap();
    let args = demo_plan_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = navette(&args, tmp.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A rerun into the same folder replaces it with the same bytes (on any number of threads).
    let first: Vec<Vec<u8>> = ["plan_sites", "plan_person_use", "plan_summary"]
        .iter()
        .map(|t| std::fs::read(tmp.path().join(format!("out/parquet/{t}.parquet"))).unwrap())
        .collect();
    let reports = ["plan_fr.html", "plan_nl.pdf", "plan_en.pdf", "plan_en.html"];
    let first_reports: Vec<Vec<u8>> =
        reports.iter().map(|f| std::fs::read(tmp.path().join("out/reports/plan").join(f)).unwrap()).collect();
    let mut again = std::process::Command::new(env!("CARGO_BIN_EXE_navette"));
    again.args(args).current_dir(tmp.path()).env("RAYON_NUM_THREADS", "1");
    assert!(again.output().unwrap().status.success());
    for (t, bytes) in ["plan_sites", "plan_person_use", "plan_summary"].iter().zip(&first) {
        assert!(std::fs::read(tmp.path().join(format!("out/parquet/{t}.parquet"))).unwrap() == *bytes, "{t} differs");
    }
    for (f, bytes) in reports.iter().zip(&first_reports) {
        assert!(std::fs::read(tmp.path().join("out/reports/plan").join(f)).unwrap() == *bytes, "{f} differs");
    }
    let conn = Connection::open(tmp.path().join("out/warehouse.duckdb")).unwrap();
    let (chosen, announced, csv): (i64, i64, i64) = conn
        .query_row(
            "SELECT count(*) FILTER (WHERE chosen), count(*) FILTER (WHERE chosen AND source = 'csv'),
                    count(*) FILTER (WHERE source = 'csv') FROM plan_sites",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((chosen, csv), (5, 3));
    assert!(announced >= 1, "at least one announced town is among the five");
    // Every employee is in the fit; the curve's error is stated and bounded.
    let (n, observed, predicted): (i64, f64, f64) = conn
        .query_row(
            "SELECT sum(employees), sum(employees * observed_days_per_year), sum(employees * predicted_days_per_year)
             FROM plan_uptake_bins",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(n, 1500);
    assert!((predicted / observed - 1.0).abs() < 0.15, "curve {predicted} vs observed {observed}");
    let (r2, rmse, gap): (f64, f64, f64) = conn
        .query_row("SELECT uptake_r2, uptake_rmse_days_per_year, max_gap_pct FROM plan_summary", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!((0.05..0.9).contains(&r2) && rmse > 0.0 && gap < 5.0, "r2 {r2} rmse {rmse} gap {gap}");
    // No road network or timetable: the train legs go through stations as in the run, the others
    // are estimated; every leg within the cutoff is counted, saving or not.
    let (routed, estimated, entries): (i64, i64, i64) = conn
        .query_row("SELECT site_legs_routed, site_legs_estimated, demand_entries FROM plan_summary", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!(routed > 0 && estimated > routed && routed + estimated > entries, "{routed} {estimated} {entries}");
    // Observed against predicted on each existing center.
    let sites: i64 = conn.query_row("SELECT count(*) FROM plan_uptake_check", [], |r| r.get(0)).unwrap();
    assert_eq!(sites, 8);
    // The opening curve is non-decreasing and ends at the plan's total.
    let (ok, last, total): (bool, f64, f64) = conn
        .query_row(
            "SELECT bool_and(marginal_co2e_kg_per_year >= 0), max(co2e_kg_per_year_after),
                    (SELECT co2e_kg_per_year_plan FROM plan_summary) FROM plan_opening_curve",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(ok);
    assert!((last - total).abs() < 1e-6 * total, "{last} vs {total}");
}

/// Planning on the routed Mons example (`datasets/examples/mons`, an OSM extract): the demand's
/// legs are the run's, routed on the extract's roads. Every saving of an EGI employee (office on
/// the map) who drives to work and to a center is checked against `roads::route` called directly:
/// office round trip − site round trip, each way rounded to whole km. A candidate off the extract
/// (Saint-Ghislain) keeps the estimate for every leg, counted with its reason.
#[test]
fn mons_plan_demand_is_routed_on_the_extract_and_off_it_falls_back_to_the_estimate() {
    use navette::method::mode::Mode;
    use navette::routing::LegRequest;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/examples/mons").canonicalize().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (on, off) = ((50.4546, 3.9520), (50.4497, 3.8186));
    let candidates = tmp.path().join("candidates.csv");
    std::fs::write(
        &candidates,
        format!(
            "candidate_id,name,lat,lon\nON,Grand-Place,{},{}\nOFF,Saint-Ghislain,{},{}\n",
            on.0, on.1, off.0, off.1
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let args = [
        "plan",
        "--config",
        "study.toml",
        "--candidates",
        candidates.to_str().unwrap(),
        "--add",
        "1",
        "--set",
        "plan.uptake=fixed",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = navette(&args, &root);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();

    // The employees, as the test reads them from employees.csv.
    let csv = std::fs::read_to_string(root.join("employees.csv")).unwrap();
    let people: Vec<Vec<String>> =
        csv.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect::<Vec<_>>()).collect();
    let n = people.len() as i64;
    let road = |m: &str| matches!(m, "car" | "bike" | "walk");
    let bxl_road_commuters = people.iter().filter(|p| p[1] == "BXL" && road(&p[4])).count() as i64;

    // Every home is within 40 km of MONS, ON and OFF: 3 legs a person, all road legs (the train
    // commuters reach a center by bike, car or on foot). OFF is off the extract: none routed.
    let (office_routed, office_estimated, site_routed, site_estimated): (i64, i64, i64, i64) = conn
        .query_row(
            "SELECT office_legs_routed, office_legs_estimated, site_legs_routed, site_legs_estimated FROM plan_summary",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!((office_routed + office_estimated, site_routed + site_estimated), (n, 3 * n));
    assert!(office_routed > 0 && site_routed >= 2 * n * 8 / 10, "{site_routed} of {} site legs routed", 3 * n);
    let legs = |id: &str| -> (i64, i64) {
        conn.query_row("SELECT legs_routed, legs_estimated FROM plan_sites WHERE candidate_id = ?", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    };
    assert_eq!(legs("OFF"), (0, n), "off the extract, every leg keeps the estimate");
    let (on_routed, on_estimated) = legs("ON");
    assert!(on_routed + on_estimated == n && on_routed >= n * 8 / 10, "ON: {on_routed} routed");
    let mons: (i64, i64) = conn
        .query_row("SELECT legs_routed, legs_estimated FROM plan_existing_sites", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(mons.0 + mons.1, n);
    // The reason is counted: OFF's legs and the Brussels office's road legs, off the map.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("plan.json")).unwrap()).unwrap();
    assert_eq!(json["demand_legs"]["site_routed"], site_routed);
    assert_eq!(json["demand_legs"]["unrouted_reasons"]["destination_off_network"], n + bxl_road_commuters);

    // The hand check: savings of EGI drivers against `roads::route` directly.
    let study = navette::config::Study::load(&root.join("study.toml")).unwrap();
    let roads = navette::routing::roads::open(&study).unwrap().expect("the example has an OSM extract");
    let office = (50.46330, 3.96060);
    let mons_site = (50.45380, 3.94150);
    let mut stmt = conn
        .prepare("SELECT employee_pid, site_id, center_days_per_year, km_per_year, hours_per_year FROM plan_person_use")
        .unwrap();
    let rows: Vec<(String, String, f64, f64, f64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut checked = 0;
    for p in people.iter().filter(|p| p[1] == "EGI" && p[4] == "car" && p[7].is_empty()) {
        let pid = navette::privacy::pseudonym::pseudonym(&study.config.privacy.pseudonym_key, &p[0]);
        let Some((_, site, days, km, hours)) = rows.iter().find(|r| r.0 == pid) else { continue };
        let dest = match site.as_str() {
            "MONS" => mons_site,
            "ON" => on,
            _ => continue,
        };
        let home: (f64, f64) = (p[2].parse().unwrap(), p[3].parse().unwrap());
        let requests = [LegRequest { mode: Mode::Car, home, dest: office }, LegRequest { mode: Mode::Car, home, dest }];
        let routed = navette::routing::roads::route(&roads, &requests);
        let (Some(Ok(o)), Some(Ok(s))) = (&routed[0], &routed[1]) else { continue };
        // Each way rounded to whole km, its time scaled alike (`round_leg`).
        let rounded = |d: f64, t: f64| ((d / 1000.0).round(), t * (d / 1000.0).round() * 1000.0 / d / 3600.0);
        let ((ok, oh), (sk, sh)) = (rounded(o.distance_m, o.duration_s), rounded(s.distance_m, s.duration_s));
        near(*km, days * 2.0 * (ok - sk), &format!("{} km/yr at {site}", p[0]));
        near(*hours, days * 2.0 * (oh - sh), &format!("{} h/yr at {site}", p[0]));
        checked += 1;
    }
    assert!(checked >= 3, "{checked} drivers checked by hand");
}

/// `navette plan` on the demo as the README runs it: the three announced towns and the Walloon
/// municipalities, five sites, into `out`.
fn demo_plan_args() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = |p: &str| root.join(p).to_str().unwrap().to_owned();
    let (config, candidates) = (path("datasets/demo/study.toml"), path("datasets/plan/walloon_announced.csv"));
    [
        "plan",
        "--config",
        &config,
        "--candidates",
        &candidates,
        "--add",
        "5",
        "--set",
        "plan.generate=municipalities",
        "--set",
        "plan.regions=[\"WAL\"]",
        "--out",
        "out",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn pdftotext(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext is missing: `./dev setup` installs it from Debian's packages");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // pdftotext may turn no-break spaces into plain ones.
    String::from_utf8(out.stdout).unwrap().replace(['\u{a0}', '\u{202f}'], " ")
}

/// The planner's report on the demo plan: three languages as HTML and PDF, its figures those of
/// the `plan_*` tables, and no catchment cell of fewer than k people on its map.
#[test]
fn demo_plan_report_in_three_languages_shows_the_tables_figures_and_no_small_cell() {
    use navette_reports::{Lang, format_number};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let tmp = tempfile::tempdir().unwrap();
    let args = demo_plan_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = navette(&args, tmp.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = tmp.path().join("out");
    let dir = out.join("reports/plan");
    for lang in ["fr", "nl", "en"] {
        for ext in ["html", "pdf"] {
            let f = dir.join(format!("plan_{lang}.{ext}"));
            assert!(f.metadata().is_ok_and(|m| m.len() > 10_000), "{} missing or empty", f.display());
        }
    }
    assert!(dir.join("chosen_sites.csv").exists() && dir.join("index.html").exists());
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(["plan_fr.html", "plan_nl.html", "plan_en.html", "plan_en.pdf"].iter().all(|f| index.contains(f)));

    // The figures: the first site's name and the cumulative total = sum of the chosen rows.
    let conn = Connection::open(out.join("warehouse.duckdb")).unwrap();
    let (first, total, persons): (String, f64, i64) = conn
        .query_row(
            "SELECT (SELECT name FROM plan_sites WHERE open_order = 1),
                    (SELECT sum(marginal_co2e_kg_per_year) FROM plan_sites WHERE chosen),
                    (SELECT count(*) FROM plan_person_use)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    for (lang, code) in [(Lang::En, "en"), (Lang::Fr, "fr"), (Lang::Nl, "nl")] {
        let text = pdftotext(&dir.join(format!("plan_{code}.pdf")));
        let total_text = format_number(total, 0, lang).replace('\u{202f}', " ");
        assert!(text.contains(&first), "{code}: {first} not in the PDF");
        assert!(text.contains(&format!("+{total_text} kg")), "{code}: +{total_text} kg not in the PDF:\n{text}");
        let html = std::fs::read_to_string(dir.join(format!("plan_{code}.html"))).unwrap();
        assert!(html.contains(&format_number(total, 0, lang)), "{code}: total not in the HTML");
    }
    // Cannibalisation per existing site (plan.json) adds up to each chosen site's total.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let mut stmt = conn
        .prepare("SELECT candidate_id, taken_from_existing_co2e_kg_per_year, taken_from_existing_users FROM plan_sites WHERE chosen")
        .unwrap();
    let chosen: Vec<(String, f64, f64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    let pairs = json["cannibalisation"].as_array().unwrap();
    assert!(!pairs.is_empty(), "the demo's new sites take from existing ones");
    for (id, kg, users) in &chosen {
        let mine = pairs.iter().filter(|p| p["candidate_id"] == id.as_str());
        let (k2, u2) = mine.fold((0.0, 0.0), |(k, u), p| {
            (k + p["co2e_kg_per_year"].as_f64().unwrap(), u + p["users"].as_f64().unwrap())
        });
        assert!((k2 - kg).abs() <= 1e-6 * kg.max(1.0), "{id}: {k2} vs {kg}");
        assert!((u2 - users).abs() < 1e-9, "{id}: {u2} vs {users} users");
    }

    // The map: every catchment cell holds at least k = 5 people, and together with the hidden
    // ones they are the people who use a site.
    let html = std::fs::read_to_string(dir.join("plan_en.html")).unwrap();
    let cells: Vec<u64> = html
        .split("<title>")
        .skip(1)
        .filter_map(|t| t.split_once(" km: ").and_then(|(_, rest)| rest.split(' ').next()?.parse().ok()))
        .collect();
    assert!(cells.len() > 10, "{} cells", cells.len());
    assert!(cells.iter().all(|&n| n >= 5), "a cell under k: {cells:?}");
    let note = html.split("cell(s) hidden (").nth(1).expect("the map note").split(' ').next().unwrap();
    let hidden: u64 = note.replace(',', "").parse().unwrap();
    assert_eq!(cells.iter().sum::<u64>() + hidden, persons as u64, "shown + hidden = users");
    assert!(hidden == 0 || hidden >= 5);
    // No home coordinate or HR id reaches the report.
    let employees = std::fs::read_to_string(root.join("datasets/demo/employees.csv")).unwrap();
    for line in employees.lines().skip(1).take(20) {
        let f: Vec<&str> = line.split(';').collect();
        assert!(!html.contains(&format!("\"{}\"", f[0])) && !html.contains(&format!(">{}<", f[0])), "an HR id");
        for coordinate in [f[2], f[3]].iter().filter(|c| !c.is_empty()) {
            assert!(!html.contains(&coordinate.replace(',', ".")), "a home coordinate in the report");
        }
    }
}
