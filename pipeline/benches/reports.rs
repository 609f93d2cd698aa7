//! Rendering benchmark: every report of the demo study (network and company × quarter, HTML and
//! PDF, index) from its warehouse. `cargo bench -p navette --bench reports` (`./dev bench-reports`)
//! prints the wall time of a whole rendering pass and per report; the goal is seconds for the demo.

use std::time::Instant;

use navette::config::Study;
use navette::run;
use navette::run::demo;

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
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
