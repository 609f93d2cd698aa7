//! Rendering benchmark: every report of the demo study (network and company × quarter, HTML and
//! PDF, index) from its warehouse. `cargo bench -p navette --bench reports` (`./dev bench-reports`)
//! prints the wall time of a whole rendering pass and per report; the goal is seconds for the demo.
//!
//! `NAVETTE_REPORTS_STUDY=/abs/study.toml NAVETTE_REPORTS_RUN=/abs/OUT` renders instead the
//! reports of a run already made (its `OUT/warehouse.duckdb`; the maps' roads from the study's
//! road network or OSM extract, as the run draws them) once, into a temporary folder: the reports
//! stage of a large study alone, to profile or compare (`perf record` on this binary). Absolute
//! paths: benches run in `pipeline/`.

use std::time::Instant;

use navette::config::Study;
use navette::run;
use navette::run::demo;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    if let (Ok(study), Ok(run)) = (std::env::var("NAVETTE_REPORTS_STUDY"), std::env::var("NAVETTE_REPORTS_RUN")) {
        return render_run(&study, &run);
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    let files: Vec<(String, String)> = demo::EMBEDDED.iter().map(|(n, c)| ((*n).to_owned(), (*c).to_owned())).collect();
    demo::write_study(tmp.path(), &files).expect("demo unpacked");
    let study = Study::load(&tmp.path().join("study.toml")).expect("demo config");
    let sources = run::load_sources(&study).expect("demo inputs");
    let out = tmp.path().join("out");
    let t = Instant::now();
    let summary = run::run(&study, &sources, &out).expect("demo run");
    println!("demo run (all stages): {:.2} s", t.elapsed().as_secs_f64());
    let db = out.join("warehouse.duckdb");
    let passes = if benching { 3 } else { 1 };
    let mut best = f64::INFINITY;
    for pass in 0..passes {
        let dir = tmp.path().join(format!("reports-{pass}"));
        let t = Instant::now();
        run::write_reports(&study, &db, &dir, &[]).expect("reports written");
        best = best.min(t.elapsed().as_secs_f64());
    }
    let count = std::fs::read_dir(tmp.path().join("reports-0/companies")).map(|d| d.count()).unwrap_or(0);
    let documents =
        summary.reports.len() + std::fs::read_dir(out.join("reports/network")).map(|d| d.count()).unwrap_or(0);
    println!(
        "reports: {documents} documents (HTML + PDF each) for {count} companies, best of {passes}: {best:.2} s, {:.0} ms per document",
        1000.0 * best / documents.max(1) as f64
    );
}

/// The reports of the run in `run` (a `navette run --out` folder) of the study `study`, rendered
/// once into a temporary folder.
fn render_run(study: &str, run: &str) {
    let study = Study::load(std::path::Path::new(study)).expect("study.toml");
    let t = Instant::now();
    let inputs = &study.config.inputs;
    let net = match (&inputs.road_network, &inputs.osm) {
        (Some(net), _) => Some(navette_road::RoadNetwork::load(&study.resolve(net)).expect("prepared road network")),
        (None, Some(pbf)) => Some(navette_road::RoadNetwork::from_pbf(&study.resolve(pbf)).expect("OSM extract").0),
        (None, None) => None,
    };
    let roads = net.as_ref().map(navette::routing::roads::map_lines).unwrap_or_default();
    println!("road network read, {} map lines: {:.2} s", roads.len(), t.elapsed().as_secs_f64());
    let tmp = tempfile::tempdir().expect("temporary folder");
    let t = Instant::now();
    let written = run::write_reports(&study, &std::path::Path::new(run).join("warehouse.duckdb"), tmp.path(), &roads)
        .expect("reports written");
    let seconds = t.elapsed().as_secs_f64();
    let networks = std::fs::read_dir(tmp.path().join("network")).map(|d| d.count()).unwrap_or(0);
    let documents = written.len() + networks;
    println!(
        "reports: {documents} documents (HTML + PDF each): {seconds:.2} s, {:.0} ms per document",
        1000.0 * seconds / documents.max(1) as f64
    );
}
