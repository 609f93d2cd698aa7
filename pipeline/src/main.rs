//! The `navette` command line: a thin layer over the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use navette::config::Study;
use navette::run::demo::{self, DemoOptions};
use navette::run::{self, RunSummary};

#[derive(Parser)]
#[command(
    name = "navette",
    version,
    about = "Commuting impact of smart work centers: badge logs → km, hours and CO2e avoided"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the embedded demo study (Walloon network, two quarters of 2026).
    Demo {
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Override a config value of the demo study, e.g. `--set output.parquet_layout=hive`.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Run a study described by a study.toml.
    Run {
        /// The study configuration.
        #[arg(long)]
        config: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Override a config value, e.g. `--set method.boundary=ttw` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Run a study with method variants side by side: the base run plus the config's
    /// `[[scenarios]]` plus the ones given here, all in one warehouse (`scenario_*` views).
    Scenario {
        /// The study configuration.
        #[arg(long)]
        config: PathBuf,
        /// Output folder.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// An override of one more scenario, e.g. `--set method.boundary=ttw` (repeatable; only
        /// `method.*` keys and `inputs.factors`).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// Name of the scenario the `--set` overrides make (default: from the overrides).
        #[arg(long, requires = "sets")]
        name: Option<String>,
        /// More scenarios, `NAME:KEY=VALUE[,KEY=VALUE…]` (repeatable), e.g.
        /// `--scenario office6h:method.min_hours_office_day=6`.
        #[arg(long = "scenario", value_name = "NAME:KEY=VALUE,…")]
        scenarios: Vec<String>,
    },
    /// Which sites to open next: reads the study as `run` does, fits the uptake on its badge logs,
    /// and writes the plan (tables plan_*, views, reports/plan/, plan.json) into OUT.
    Plan {
        /// The study configuration (its `[plan]` table, if any, sets the defaults).
        #[arg(long)]
        config: PathBuf,
        /// Output folder (its own warehouse: plan tables and views only).
        #[arg(long, default_value = "out-plan")]
        out: PathBuf,
        /// Candidates CSV (`candidate_id, name, lat, lon`, optional `workspaces`); same as
        /// `--set plan.candidates=FILE` but relative to the current folder.
        #[arg(long)]
        candidates: Option<PathBuf>,
        /// Number of sites to open (`plan.add`).
        #[arg(long)]
        add: Option<usize>,
        /// Override a config value, e.g. `--set plan.generate=municipalities` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Read and check every input, print a data-quality summary; exit 1 when a file cannot be used.
    Validate {
        /// The study configuration.
        #[arg(long)]
        config: PathBuf,
    },
    /// Generate a synthetic study (the demo at default options; larger ones for benchmarks).
    Generate {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Number of employees.
        #[arg(long, default_value_t = 1500)]
        employees: usize,
        /// RNG seed.
        #[arg(long, default_value_t = DemoOptions::default().seed)]
        seed: u64,
        /// First day (YYYY-MM-DD).
        #[arg(long, default_value = "2026-01-01")]
        from: chrono::NaiveDate,
        /// Last day (YYYY-MM-DD).
        #[arg(long, default_value = "2026-06-30")]
        to: chrono::NaiveDate,
        /// Multiplier of center use (1 = demo).
        #[arg(long, default_value_t = 1.0)]
        usage_scale: f64,
        /// Leave out the injected data-quality faults.
        #[arg(long)]
        no_faults: bool,
        /// Companies (one office each): the 10 real ones, more at Belgian places beyond.
        #[arg(long, default_value_t = 10)]
        offices: usize,
        /// Centers: the 8 real ones, more at Belgian places beyond (at least 2).
        #[arg(long, default_value_t = 8)]
        sites: usize,
        /// Multiplier of every center's desks (the daily cap on its users).
        #[arg(long, default_value_t = 1.0)]
        workspaces_scale: f64,
        /// Multiplier of every center user's days a week (at most 5).
        #[arg(long, default_value_t = 1.0)]
        days_scale: f64,
        /// Place offices, centers and homes on this map (homes at random points 5–100 m from a
        /// car-routable node), and route the study on it (`inputs.osm`).
        #[arg(long, value_name = "FILE.osm.pbf")]
        on_map: Option<PathBuf>,
        /// `inputs.road_network` of the study (the prepared network of the map).
        #[arg(long, value_name = "FILE")]
        road_network: Option<PathBuf>,
        /// `inputs.gtfs` of the study (a feed, zip or folder; repeatable).
        #[arg(long, value_name = "FEED")]
        gtfs: Vec<PathBuf>,
        /// Leave out the demo's method variants (`[[scenarios]]`).
        #[arg(long)]
        no_scenarios: bool,
    },
    /// Prepare road networks from OpenStreetMap.
    Network {
        #[command(subcommand)]
        action: NetworkAction,
    },
}

#[derive(Subcommand)]
enum NetworkAction {
    /// Build the car, bike and foot graphs of an `.osm.pbf` into OUT/network.navette-road; point
    /// `inputs.road_network` at that file so runs skip the PBF while it is unchanged.
    Build {
        /// The OpenStreetMap extract.
        #[arg(long)]
        osm: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colours on a terminal only: a log file or a CI log gets plain lines.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("NAVETTE_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    match real_main(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            print_error(&e);
            ExitCode::from(2)
        }
    }
}

fn print_error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}

fn real_main(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo { out, sets } => {
            let dir = std::env::temp_dir().join(format!("navette-demo-{}", std::process::id()));
            let files: Vec<(String, String)> =
                demo::EMBEDDED.iter().map(|(n, c)| ((*n).to_owned(), (*c).to_owned())).collect();
            demo::write_study(&dir, &files)
                .with_context(|| format!("cannot unpack the demo into {}", dir.display()))?;
            let result = run_study(&dir.join("study.toml"), &out, &sets);
            let _ = std::fs::remove_dir_all(&dir);
            result
        }
        Command::Run { config, out, sets } => run_study(&config, &out, &sets),
        Command::Plan { config, out, candidates, add, mut sets } => {
            if let Some(n) = add {
                sets.push(format!("plan.add={n}"));
            }
            if let Some(file) = candidates {
                let abs = std::path::absolute(&file)
                    .with_context(|| format!("--candidates {}: cannot resolve the path", file.display()))?;
                let text = abs.to_str().context("--candidates: the path is not UTF-8")?;
                sets.push(format!("plan.candidates={}", toml_string(text)));
            }
            let study = Study::load(&config)?.with_overrides(&sets)?;
            let sources = run::load_sources(&study)?;
            let t = std::time::Instant::now();
            let report = run::plan::plan(&study, &sources, &out)?;
            print_plan(&report, &out, t.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenario { config, out, sets, name, scenarios } => {
            let mut study = Study::load(&config)?;
            if !sets.is_empty() {
                let name = name.unwrap_or_else(|| scenario_name(&sets));
                study = study.with_scenario(&name, &sets)?;
            }
            for spec in &scenarios {
                let (name, overrides) = spec.split_once(':').with_context(|| {
                    format!("--scenario {spec:?}: write NAME:KEY=VALUE[,KEY=VALUE…], e.g. ttw:method.boundary=ttw")
                })?;
                let overrides: Vec<String> = overrides.split(',').map(|o| o.trim().to_owned()).collect();
                study = study.with_scenario(name.trim(), &overrides)?;
            }
            if study.config.scenarios.is_empty() {
                anyhow::bail!(
                    "no scenario: add [[scenarios]] to {} or give --set KEY=VALUE or --scenario NAME:KEY=VALUE",
                    config.display()
                );
            }
            let sources = run::load_sources(&study)?;
            let summary = run::run(&study, &sources, &out)?;
            print_summary(&summary, &out);
            Ok(ExitCode::SUCCESS)
        }
        // Any input problem is exit 1 here, so scripts can tell "fix the data" from a crash.
        Command::Validate { config } => Ok(validate(&config).unwrap_or_else(|e| {
            print_error(&e);
            ExitCode::from(1)
        })),
        Command::Generate {
            out,
            employees,
            seed,
            from,
            to,
            usage_scale,
            no_faults,
            offices,
            sites,
            workspaces_scale,
            days_scale,
            on_map,
            road_network,
            gtfs,
            no_scenarios,
        } => {
            if sites < 2
                || offices < 1
                || workspaces_scale.is_nan()
                || workspaces_scale <= 0.0
                || days_scale.is_nan()
                || days_scale <= 0.0
            {
                anyhow::bail!(
                    "--sites must be at least 2, --offices at least 1, --workspaces-scale and --days-scale above 0"
                );
            }
            // Paths in study.toml are relative to its folder: written absolute.
            let absolute = |p: &PathBuf| -> Result<String> {
                Ok(std::path::absolute(p)
                    .with_context(|| format!("cannot resolve {}", p.display()))?
                    .display()
                    .to_string())
            };
            let map = match &on_map {
                Some(pbf) => Some(
                    demo::MapPoints::from_pbf(pbf)
                        .with_context(|| format!("--on-map: cannot read the car network of {}", pbf.display()))?,
                ),
                None => None,
            };
            let opt = DemoOptions {
                seed,
                employees,
                from,
                to,
                usage_scale,
                faults: !no_faults,
                offices,
                sites,
                workspaces_scale,
                days_scale,
                map,
                osm: on_map.as_ref().map(absolute).transpose()?,
                road_network: road_network.as_ref().map(absolute).transpose()?,
                gtfs: gtfs.iter().map(absolute).collect::<Result<_>>()?,
                scenarios: !no_scenarios,
            };
            let files = demo::generate(&opt);
            demo::write_study(&out, &files).with_context(|| format!("cannot write into {}", out.display()))?;
            let rows = |prefix: &str| -> usize {
                files
                    .iter()
                    .filter(|(n, _)| n.starts_with(prefix))
                    .map(|(_, t)| t.lines().count().saturating_sub(1))
                    .sum()
            };
            println!(
                "wrote {} files into {}: {} employees, {} companies, {} sites, {} badge rows",
                files.len(),
                out.display(),
                rows("employees.csv"),
                rows("companies.csv"),
                rows("sites.csv"),
                rows("logs/")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Network { action: NetworkAction::Build { osm, out } } => {
            let progress = navette::routing::roads::RoadProgress::default();
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let file = out.join("network.navette-road");
            // Straight to the file, each profile freed once written: the whole network of a
            // country would not fit in memory beside the contractions.
            let r = navette_road::RoadNetwork::build_file_with(&osm, &file, &progress).with_context(|| {
                format!("cannot prepare the road network of {} into {}", osm.display(), file.display())
            })?;
            println!(
                "{}: {} ways, {} nodes, {} turn restrictions ({} with a via way left out); read {:.1} s, built {:.1} s",
                osm.display(),
                r.ways,
                r.nodes,
                r.restrictions.0,
                r.restrictions.1,
                r.read_s,
                r.build_s
            );
            for (p, s) in &r.graphs {
                println!(
                    "  {:4} {:>9} edges {:>9} arcs {:>10} turns ({} junctions outside the main component dropped)",
                    p.name(),
                    s.edges,
                    s.arcs,
                    s.turns,
                    s.junctions_dropped
                );
            }
            println!("wrote {} (sha256 of the PBF {})", file.display(), &r.pbf_sha256[..12]);
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_study(config: &Path, out: &Path, sets: &[String]) -> Result<ExitCode> {
    let study = Study::load(config)?.with_overrides(sets)?;
    let sources = run::load_sources(&study)?;
    let summary = run::run(&study, &sources, out)?;
    print_summary(&summary, out);
    Ok(ExitCode::SUCCESS)
}

/// A scenario name made from its overrides: `method.min_hours_office_day=6` → `min_hours_office_day_6`.
fn scenario_name(sets: &[String]) -> String {
    let parts: Vec<String> = sets
        .iter()
        .map(|s| {
            let s = s.trim().strip_prefix("method.").unwrap_or(s.trim());
            s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect::<String>()
        })
        .collect();
    let name = parts.join("__");
    name.chars().take(40).collect::<String>().trim_end_matches('_').to_owned()
}

fn print_summary(s: &RunSummary, out: &Path) {
    let read: u64 = s.inputs.iter().map(|f| f.read).sum();
    let rejected: u64 = s.inputs.iter().map(|f| f.rejected).sum();
    let table = |name: &str| s.tables.iter().find(|t| t.0 == name).map_or(0, |t| t.1);
    println!("{}", s.study);
    println!("  input rows: {read} read, {} accepted, {rejected} rejected (see rejects.csv)", read - rejected);
    println!(
        "  {} visits, {} center days, {} day impacts; factor set {}",
        table("visits"),
        table("center_days"),
        table("day_impacts"),
        s.factor_set_version
    );
    if !s.scenarios.is_empty() {
        let names: Vec<&str> = s.scenarios.iter().map(|sc| sc.name.as_str()).collect();
        println!("  scenarios beside base: {} (views scenario_*)", names.join(", "));
    }
    let withheld = s.reports.iter().filter(|r| r.withheld).count();
    println!("  {} reports ({withheld} withheld for k-anonymity)", s.reports.len());
    println!("  outputs in {}: warehouse.duckdb, parquet/, reports/index.html, rejects.csv, run.json", out.display());
}

/// A TOML basic string (for `--set` values built from paths).
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn print_plan(r: &run::plan::PlanReport, out: &Path, seconds: f64) {
    println!("{}", r.study);
    println!(
        "  {} employees, {} existing sites, {} candidates ({} from the file, {} generated; {} rejected rows), {} savings within {} km",
        r.employees,
        r.existing_sites,
        r.candidates_csv + r.candidates_generated,
        r.candidates_csv,
        r.candidates_generated,
        r.candidate_rejects,
        r.demand_entries,
        r.options.cutoff_km
    );
    let l = &r.demand_legs;
    let reasons: Vec<String> = l.unrouted_reasons.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!(
        "  legs: {} of {} person × site legs and {} of {} office legs routed (roads, timetables or stations), the others estimated{}",
        l.site_routed,
        l.site_routed + l.site_estimated,
        l.office_routed,
        l.office_routed + l.office_estimated,
        if reasons.is_empty() { String::new() } else { format!(" (kept the estimate: {})", reasons.join(", ")) }
    );
    let u = &r.uptake;
    match (u.max_days_per_year, u.rate_per_hour) {
        (Some(a), Some(b)) => println!(
            "  uptake fitted on {} employees: days/yr = {:.1} ± {:.1} × (1 − exp(−{:.3} ± {:.3} × hours saved)); R² {:.3}, RMSE {:.1} days/yr",
            u.observations,
            a,
            u.max_days_se.unwrap_or(0.0),
            b,
            u.rate_se.unwrap_or(0.0),
            u.r2.unwrap_or(0.0),
            u.rmse_days_per_year.unwrap_or(0.0)
        ),
        _ => println!("  uptake fixed: {:.0} days per person and year", u.fixed_days_per_year.unwrap_or(0.0)),
    }
    println!("  open, in order ({} objective):", r.options.objective.code());
    for c in &r.chosen {
        println!(
            "  {:>3}. {:<28} +{:>8.0} kg CO2e/yr ({:.0}–{:.0}), +{:>8.0} km/yr, +{:>6.0} h/yr, {:>5.1} users, desks {}{}, takes {:.0} kg/yr from existing",
            c.open_order,
            c.name,
            c.marginal_co2e_kg_per_year,
            c.marginal_co2e_kg_per_year_low,
            c.marginal_co2e_kg_per_year_high,
            c.marginal_km_per_year,
            c.marginal_hours_per_year,
            c.expected_users,
            c.desk_use_pct.map_or("–".into(), |d| format!("{d:.0} %")),
            if c.over_capacity { " OVER CAPACITY" } else { "" },
            c.taken_from_existing_co2e_kg_per_year
        );
    }
    println!(
        "  kg CO2e/yr avoided ({}): existing {:.0} → with the plan {:.0} (capped {:.0}; low–high uptake {:.0}–{:.0})",
        r.boundary,
        r.co2e_kg_per_year_existing,
        r.co2e_kg_per_year_plan,
        r.co2e_kg_per_year_plan_capped,
        r.co2e_kg_per_year_plan_low,
        r.co2e_kg_per_year_plan_high
    );
    println!(
        "  sites over capacity with the plan: {} (existing or new; see plan_existing_sites, plan_sites)",
        r.sites_over_capacity
    );
    println!("  max gap to the best set of {} sites: {:.2} % ({} swaps)", r.chosen.len(), r.max_gap_pct, r.swaps);
    println!(
        "  outputs in {}: warehouse.duckdb (plan_*), parquet/, reports/plan/ (plan_fr, plan_nl, plan_en: HTML and PDF), rejects.csv, plan.json ({seconds:.1} s)",
        out.display()
    );
}

fn validate(config: &Path) -> Result<ExitCode> {
    let study = Study::load(config)?;
    let sources = run::load_sources(&study)?;
    let mut timings = run::Timings::default();
    let mut computed = run::compute(&study, &sources, &mut timings)?;
    run::compute_scenarios(&study, &sources, &mut computed, &mut timings)?;
    let ledger = &computed.inputs.ledger;
    println!("{:<28} {:>9} {:>9} {:>9}  sep", "file", "read", "accepted", "rejected");
    for f in &ledger.files {
        println!("{:<28} {:>9} {:>9} {:>9}  {}", f.file, f.read, f.accepted, f.rejected, f.delimiter);
        if !f.ignored_columns.is_empty() {
            println!("  ignored columns: {}", f.ignored_columns.join(", "));
        }
    }
    println!("\ntop reject reasons:");
    for (reason, n) in ledger.reasons().iter().take(8) {
        let example = ledger.rejects.iter().find(|r| r.reason == *reason).expect("a reject of that reason");
        println!("  {:<24} {:>7}   e.g. {}:{}: {}", reason.code(), n, example.file, example.line, example.detail);
    }
    let p = &computed.pairing;
    println!(
        "\nbadge events: {} → {} visits ({} without badge-out, {} over midnight, {} capped), {} duplicate swipes, {} orphan badge-outs",
        p.events, p.visit_ins, p.missing_outs, p.over_midnight, p.over_cap, p.duplicate_swipes, p.orphan_outs
    );
    Ok(ExitCode::SUCCESS)
}
