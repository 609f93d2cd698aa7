//! The run: inputs → tables → warehouse, Parquet, reports, rejects and run info, built in a
//! temporary folder and moved into place at the end, so an interrupted run leaves the previous
//! outputs intact.

pub mod demo;
pub mod plan;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{ScenarioVariant, Study};
use crate::input::csvin::{LogSource, SourceFile};
use crate::input::ingest::{Events, Inputs, SourceSet, ingest};
use crate::input::places::Postcodes;
use crate::input::quality::{FileCount, PairingCounts};
use crate::method::estimate::{BandSource, effective_bands};
use crate::method::factors::FactorSet;
use crate::method::scenario::{self, Scenario};
use crate::method::{impact, potential, rebound, visits};
use crate::output::warehouse;
use crate::privacy::pseudonym;
use crate::report;
use crate::routing::{Engines, Memo};

/// Reads every input file named by the study. A missing file or a glob matching nothing is an
/// error that names the config key and the path tried.
pub fn load_sources(study: &Study) -> Result<SourceSet> {
    let i = &study.config.inputs;
    let one = |key: &str, rel: &str| -> Result<SourceFile> {
        let path = study.resolve(rel);
        SourceFile::read(&path, rel).with_context(|| {
            format!(
                "inputs.{key} in {}: cannot read {} (paths are relative to the folder of study.toml)",
                study.origin,
                path.display()
            )
        })
    };
    let mut access_logs = Vec::new();
    for pattern in &i.access_logs {
        let matched = expand(study, pattern)?;
        if matched.is_empty() {
            bail!(
                "inputs.access_logs in {}: {pattern:?} matches no file in {}",
                study.origin,
                study.resolve(pattern).parent().unwrap_or(Path::new(".")).display()
            );
        }
        for rel in matched {
            let path = study.resolve(&rel);
            access_logs.push(LogSource::open(&path, &rel).with_context(|| {
                format!(
                    "inputs.access_logs in {}: cannot read {} (paths are relative to the folder of study.toml)",
                    study.origin,
                    path.display()
                )
            })?);
        }
    }
    let mut scenario_factors: Vec<SourceFile> = Vec::new();
    for ScenarioVariant { name, study: variant, .. } in study.scenarios()? {
        if let Some(rel) = variant.config.inputs.factors.as_deref()
            && i.factors.as_deref() != Some(rel)
            && !scenario_factors.iter().any(|f| f.name == rel)
        {
            let path = study.resolve(rel);
            scenario_factors.push(SourceFile::read(&path, rel).with_context(|| {
                format!(
                    "scenario {name:?} in {}: inputs.factors: cannot read {} (paths are relative to the folder of study.toml)",
                    study.origin,
                    path.display()
                )
            })?);
        }
    }
    Ok(SourceSet {
        sites: one("sites", &i.sites)?,
        companies: one("companies", &i.companies)?,
        employees: one("employees", &i.employees)?,
        cards: one("cards", &i.cards)?,
        access_logs,
        factors: i.factors.as_deref().map(|f| one("factors", f)).transpose()?,
        scenario_factors,
    })
}

/// Expands `*` and `?` in the file-name part of a relative pattern; returns relative paths, sorted.
fn expand(study: &Study, pattern: &str) -> Result<Vec<String>> {
    let (dir_part, name_part) = match pattern.rfind('/') {
        Some(i) => (&pattern[..i + 1], &pattern[i + 1..]),
        None => ("", pattern),
    };
    if !name_part.contains(['*', '?']) {
        return Ok(vec![pattern.to_owned()]);
    }
    let dir = study.resolve(if dir_part.is_empty() { "." } else { dir_part });
    let entries = std::fs::read_dir(&dir)
        .with_context(|| format!("inputs.access_logs in {}: cannot list {}", study.origin, dir.display()))?;
    let mut out: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|name| wildcard(name_part.as_bytes(), name.as_bytes()))
        .map(|name| format!("{dir_part}{name}"))
        .collect();
    out.sort();
    Ok(out)
}

fn wildcard(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wildcard(&p[1..], s) || (!s.is_empty() && wildcard(p, &s[1..])),
        (Some(b'?'), Some(_)) => wildcard(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => wildcard(&p[1..], &s[1..]),
        _ => false,
    }
}

/// Stage timings, in milliseconds.
#[derive(Debug, Default, Serialize)]
pub struct Timings {
    /// (stage, ms) in run order.
    pub stages: Vec<(String, u128)>,
    /// CPU time of the process (all threads, user + system) during each stage, in ms, when the
    /// platform tells it (Linux): wall time alone misleads on a busy machine.
    pub cpu_ms: Vec<Option<u128>>,
    /// Peak resident memory of the process during each stage, in KiB (Linux: the high-water mark
    /// is reset at the stage's start through `/proc/self/clear_refs`, read from `VmHWM` at its
    /// end; the peak since the process started when the reset is refused; `None` elsewhere).
    pub peak_rss_kib: Vec<Option<u64>>,
}

/// CPU time used by this process so far (Linux `/proc/self/stat`, 10 ms ticks).
fn process_cpu_ms() -> Option<u128> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start at state; utime and stime are
    // the 14th and 15th fields of the line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let ticks: u128 = fields.next()?.parse::<u128>().ok()? + fields.next()?.parse::<u128>().ok()?;
    Some(ticks * 10)
}

/// Resets the process's resident-memory high-water mark to its current size (Linux, writing 5
/// to `/proc/self/clear_refs`); false when refused or unavailable.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's resident-memory high-water mark (`VmHWM` of `/proc/self/status`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let v = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    v.trim().trim_end_matches("kB").trim().parse().ok()
}

impl Timings {
    fn time<T>(&mut self, stage: &str, f: impl FnOnce() -> T) -> T {
        reset_peak_rss();
        let t = Instant::now();
        let cpu = process_cpu_ms();
        let out = f();
        let ms = t.elapsed().as_millis();
        let cpu_ms = cpu.zip(process_cpu_ms()).map(|(a, b)| b - a);
        let peak = peak_rss_kib();
        self.stages.push((stage.to_owned(), ms));
        self.cpu_ms.push(cpu_ms);
        self.peak_rss_kib.push(peak);
        tracing::info!(
            stage,
            ms = ms as u64,
            cpu_ms = cpu_ms.map(|c| c as u64),
            peak_rss_mib = peak.map(|k| k / 1024),
            "stage done"
        );
        out
    }
}

/// What a run produced, for the CLI summary and `run.json`.
#[derive(Debug, Serialize)]
pub struct RunSummary {
    /// Warehouse schema version.
    pub schema_version: u32,
    /// navette version.
    pub navette_version: &'static str,
    /// Study name.
    pub study: String,
    /// Per-file counts (read = accepted + rejected).
    pub inputs: Vec<FileCount>,
    /// Rows per output table.
    pub tables: Vec<(String, usize)>,
    /// Visit-pairing rule counts.
    pub pairing: PairingCounts,
    /// Access events whose local time was ambiguous (October change; earlier instant taken).
    pub ambiguous_local_times: u64,
    /// Factor set version.
    pub factor_set_version: String,
    /// The method options in force.
    pub options: crate::config::MethodConfig,
    /// Scenarios computed beside the base run.
    pub scenarios: Vec<ScenarioSummary>,
    /// Parquet layout (`single` or `hive`).
    pub parquet_layout: &'static str,
    /// Company reports written.
    pub reports: Vec<ReportWritten>,
    /// Stage durations.
    pub timings: Timings,
    /// The GTFS feeds (sha256) and the service day, when legs ride the timetables.
    pub transit: Option<crate::routing::transit::TransitSummary>,
}

/// One scenario in `run.json`.
#[derive(Debug, Serialize)]
pub struct ScenarioSummary {
    /// Scenario name.
    pub name: String,
    /// Its overrides.
    pub overrides: Vec<String>,
    /// Factor set version in force.
    pub factor_set_version: String,
    /// Day-impact rows.
    pub day_impacts: usize,
}

/// The tabular result of a study, before anything is written.
pub struct Computed {
    /// Checked inputs.
    pub inputs: Inputs,
    /// Factor set in force.
    pub factors: FactorSet,
    /// Estimate bands in force.
    pub bands: Vec<BandSource>,
    /// Visits.
    pub visits: DataFrame,
    /// Center days.
    pub days: DataFrame,
    /// Legs.
    pub legs: DataFrame,
    /// Day impacts.
    pub impacts: DataFrame,
    /// Pairing counts.
    pub pairing: PairingCounts,
    /// Per-employee potential of the nearest site (`potential`).
    pub potential: DataFrame,
    /// The road network, when the study routes legs (`inputs.osm`); scenarios reuse it.
    pub roads: Option<crate::routing::roads::RoadRouting>,
    /// The timetables, when the study names GTFS feeds (`inputs.gtfs`); scenarios reuse them.
    pub transit: Option<crate::routing::transit::TransitRouting>,
    /// The stations of train legs without timetables (`method.rail`); scenarios reuse them.
    pub rail: Option<crate::routing::rail::RailRouting>,
    /// The engines' answers for the legs of center days (and every office leg), which scenarios
    /// reuse instead of searching again.
    pub memo: Memo,
    /// The accepted events, kept only when a scenario pairs visits with other options.
    pub events: Option<Events>,
    /// Scenarios, once [`compute_scenarios`] has run.
    pub scenarios: Vec<Scenario>,
}

/// Runs the tabular stages (no output written). Bad rows are rejected, never fatal; an unusable
/// file or factor set is an error.
pub fn compute(study: &Study, sources: &SourceSet, timings: &mut Timings) -> Result<Computed> {
    // The road network is opened on a thread of its own from the start: a country's prepared
    // network is gigabytes (12–20 s to read, check and index), and nothing needs it before the
    // potential, so it loads while the inputs are read and paired and the timetables loaded. The
    // stage `road_network` is then the wait for it, and the stages it overlaps count its CPU time
    // and memory. Only a network already prepared is opened so: one built from the PBF takes
    // minutes and shows its own progress, and an input error found meanwhile would wait for it.
    let i = &study.config.inputs;
    let prepared = i.osm.is_some() && i.road_network.as_deref().is_some_and(|a| study.resolve(a).is_file());
    if !prepared {
        return compute_with(study, sources, timings, || crate::routing::roads::open(study));
    }
    std::thread::scope(|scope| {
        let opening = scope.spawn(|| crate::routing::roads::open(study));
        compute_with(study, sources, timings, || match opening.join() {
            Ok(roads) => roads,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    })
}

/// [`compute`], with the road network from `roads` (called once, when the potential needs it).
fn compute_with(
    study: &Study,
    sources: &SourceSet,
    timings: &mut Timings,
    roads: impl FnOnce() -> Result<Option<crate::routing::roads::RoadRouting>>,
) -> Result<Computed> {
    let c = &study.config;
    let postcodes = Postcodes::builtin();
    let mut inputs = timings
        .time("ingest", || ingest(sources, &c.method, (c.study.from, c.study.to), &postcodes))
        .context("an input file cannot be used")?;
    let factors = FactorSet::load(&c.method.factor_set, sources.factors.as_ref(), &mut inputs.ledger)
        .with_context(|| format!("method.factor_set / inputs.factors in {}", study.origin))?;
    let bands = effective_bands(&c.method.estimate);
    // The events are dropped once paired, unless a scenario pairs them with other options.
    let mut events = std::mem::take(&mut inputs.events);
    inputs.events.ambiguous_local_times = events.ambiguous_local_times;
    let keep_events = study.scenarios()?.iter().any(|v| scenario::pairing_differs(&c.method, &v.study.config.method));
    let (visits, pairing) = timings.time("pair_visits", || {
        visits::sort_for_pairing(&mut events);
        visits::pair_visits(&events, &c.method)
    })?;
    let kept = keep_events.then_some(events);
    let days = timings.time("center_days", || visits::center_days(&visits, &c.method))?;
    let transit = timings.time("transit_network", || crate::routing::transit::open(study))?;
    let roads = timings.time("road_network", roads)?;
    if let Some(t) = &transit {
        t.add_to_ledger(&mut inputs.ledger);
    }
    let rail = timings.time("rail_stations", || crate::routing::rail::open(study))?;
    let memo = Memo::default();
    let engines = Engines { roads: roads.as_ref(), transit: transit.as_ref(), rail: rail.as_ref(), memo: Some(&memo) };
    // The potential first: it asks for every employee's leg to every site, a site at a time,
    // and keeps in the memo the answers the legs of center days need, so that no site's tree is
    // searched twice.
    let potential = timings.time("potential", || -> Result<_> {
        let pairs = impact::center_pairs(&days)?;
        Ok(potential::employee_potential(&inputs, &factors, &bands, engines, &pairs)?)
    })?;
    let legs = timings.time("legs", || impact::legs(&inputs, &days, &factors, &bands, engines))?;
    let impacts = timings.time("day_impacts", || -> Result<_> {
        let impacts = impact::day_impacts(&days, &legs, c.method.boundary)?;
        Ok(rebound::apply(impacts, c.method.rebound_share)?)
    })?;
    Ok(Computed {
        inputs,
        factors,
        bands,
        visits,
        days,
        legs,
        impacts,
        pairing,
        potential,
        roads,
        transit,
        rail,
        memo,
        events: kept,
        scenarios: Vec::new(),
    })
}

/// Computes the study's `[[scenarios]]` on the inputs `compute` checked (see `scenario`), each
/// one's day impacts kept in `Scenario::impacts`. Factor files that only scenarios use are counted
/// (and their bad rows rejected) like the others. The events and the base run's visits are freed.
pub fn compute_scenarios(
    study: &Study,
    sources: &SourceSet,
    computed: &mut Computed,
    timings: &mut Timings,
) -> Result<()> {
    let factors = prepare_scenarios(study, sources, computed)?;
    let whole = |rows: usize| if rows == 0 { Vec::new() } else { std::iter::once(0..rows).collect() };
    let legs = impact::LegSides::new(&computed.legs)?;
    let base = ScenarioBase { order: None, legs: Some(&legs) };
    compute_prepared_scenarios(study, computed, &factors, base, &whole, timings, &mut |_, impacts, _| Ok(Some(impacts)))
}

/// What the scenarios reuse of the base run beside `Computed`: the order of its center days (see
/// `scenario::Base::employee_order`) and its legs as day impacts join them.
struct ScenarioBase<'a> {
    order: Option<&'a [u32]>,
    legs: Option<&'a impact::LegSides>,
}

/// What becomes of a scenario's day impacts, a slice of its center days at a time (its name, the
/// day impacts, whether they are its last): `Some(frame)` to keep them in `Scenario::impacts`,
/// `None` once written elsewhere.
type ScenarioSink<'a> = dyn FnMut(&str, DataFrame, bool) -> Result<Option<DataFrame>> + 'a;

/// The first half of [`compute_scenarios`]: reads the scenarios' factor files (counted, and their
/// bad rows rejected, in the order of `study.toml`) and lists the scenarios in
/// `computed.scenarios` with no rows yet. Returns each scenario's factor set, in that order.
/// After it the ledger is complete: the tables of the base run can be written.
fn prepare_scenarios(study: &Study, sources: &SourceSet, computed: &mut Computed) -> Result<Vec<FactorSet>> {
    let base_method = &study.config.method;
    let base_factors = study.config.inputs.factors.as_deref();
    let mut sets: Vec<(String, Option<String>, FactorSet)> = Vec::new();
    let mut scenarios = Vec::new();
    let mut factor_sets = Vec::new();
    for ScenarioVariant { name, overrides, study: variant } in study.scenarios()? {
        let m = &variant.config.method;
        let file = variant.config.inputs.factors.clone();
        let factors = if m.factor_set == base_method.factor_set && file.as_deref() == base_factors {
            computed.factors.clone()
        } else if let Some((_, _, set)) = sets.iter().find(|(n, f, _)| *n == m.factor_set && *f == file) {
            set.clone()
        } else {
            let source = match file.as_deref() {
                None => None,
                Some(rel) if Some(rel) == base_factors => sources.factors.as_ref(),
                Some(rel) => Some(
                    sources
                        .scenario_factors
                        .iter()
                        .find(|f| f.name == rel)
                        .with_context(|| format!("scenario {name:?}: factor file {rel} was not loaded"))?,
                ),
            };
            // A file already counted (base or another scenario) is not counted twice.
            let counted = source.is_some_and(|s| computed.inputs.ledger.files.iter().any(|f| f.file == s.name));
            let mut scratch = crate::input::quality::Ledger::default();
            let ledger = if counted { &mut scratch } else { &mut computed.inputs.ledger };
            let set = FactorSet::load(&m.factor_set, source, ledger).with_context(|| {
                format!("scenario {name:?}: method.factor_set / inputs.factors in {}", study.origin)
            })?;
            sets.push((m.factor_set.clone(), file.clone(), set.clone()));
            set
        };
        scenarios.push(Scenario {
            name,
            sets: overrides,
            method: variant.config.method,
            factor_set_version: factors.version.clone(),
            impacts: DataFrame::empty(),
            rows: 0,
        });
        factor_sets.push(factors);
    }
    computed.scenarios = scenarios;
    Ok(factor_sets)
}

/// The second half of [`compute_scenarios`]: computes the scenarios [`prepare_scenarios`] listed
/// (`factors`: their factor sets) and hands each one's day impacts to `sink` a slice of center days
/// at a time, the slices `slices` cuts a scenario's days in (ranges of rows, in order), so a run
/// holds a slice of a scenario's rows at a time. `reused`: the order of the base run's center days
/// (and of every scenario's) and its legs. The scenarios are computed in
/// name order (the order of `scenario_day_impacts`); `computed.scenarios` keeps the order of
/// `study.toml`. The base run's visits are freed, the events once no scenario left needs them.
fn compute_prepared_scenarios(
    study: &Study,
    computed: &mut Computed,
    factors: &[FactorSet],
    reused: ScenarioBase<'_>,
    slices: &dyn Fn(usize) -> Vec<std::ops::Range<usize>>,
    timings: &mut Timings,
    sink: &mut ScenarioSink<'_>,
) -> Result<()> {
    let base_method = &study.config.method;
    let mut by_name: Vec<usize> = (0..computed.scenarios.len()).collect();
    by_name.sort_by(|a, b| computed.scenarios[*a].name.cmp(&computed.scenarios[*b].name));
    // Which scenarios pair the events again. No scenario reads the base run's visits (one that
    // moves the office-day threshold sets it again on the base run's center days): freed here.
    let repairs = |i: usize| scenario::pairing_differs(base_method, &computed.scenarios[i].method);
    let last_repair = by_name.iter().rposition(|i| repairs(*i));
    let mut events = computed.events.take();
    computed.visits = DataFrame::empty();
    for (at, &i) in by_name.iter().enumerate() {
        let name = computed.scenarios[i].name.clone();
        let method = computed.scenarios[i].method.clone();
        let base = scenario::Base {
            method: base_method,
            events: events.as_ref(),
            days: &computed.days,
            employee_order: reused.order,
            legs: reused.legs.map(|legs| (legs, computed.factors.version.as_str())),
            // Field by field: the inputs are borrowed mutably beside them.
            engines: Engines {
                roads: computed.roads.as_ref(),
                transit: computed.transit.as_ref(),
                rail: computed.rail.as_ref(),
                memo: Some(&computed.memo),
            },
        };
        let inputs = &mut computed.inputs;
        let (rows, kept) = timings
            .time(&format!("scenario:{name}"), || -> Result<(usize, Vec<DataFrame>)> {
                let started = Instant::now();
                let prepared = scenario::prepare(&base, inputs, &method, &factors[i])?;
                let prepared_ms = started.elapsed().as_millis() as u64;
                let ranges = slices(prepared.days.height());
                let mut kept = Vec::new();
                let (mut computing, mut handing) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
                for (k, rows) in ranges.iter().enumerate() {
                    let t = Instant::now();
                    let impacts = prepared.impacts(rows.clone())?;
                    computing += t.elapsed();
                    let t = Instant::now();
                    kept.extend(sink(&name, impacts, k + 1 == ranges.len())?);
                    handing += t.elapsed();
                }
                tracing::debug!(
                    scenario = name,
                    prepared_ms,
                    impacts_ms = computing.as_millis() as u64,
                    // The ids taken and the wait for the writer thread.
                    handed_ms = handing.as_millis() as u64,
                    "scenario computed"
                );
                Ok((prepared.days.height(), kept))
            })
            .with_context(|| format!("scenario {name:?} in {}", study.origin))?;
        let mut kept = kept.into_iter();
        let mut impacts = kept.next().unwrap_or_default();
        for more in kept {
            impacts.vstack_mut_owned(more)?;
        }
        computed.scenarios[i].rows = rows;
        computed.scenarios[i].impacts = impacts;
        // Freed once the last scenario that pairs them again is computed.
        if last_repair.is_none_or(|last| at >= last) {
            events = None;
        }
    }
    Ok(())
}

fn run_info(study: &Study, factors: &FactorSet, sources: &SourceSet) -> PolarsResult<DataFrame> {
    let c = &study.config;
    let m = &c.method;
    let mut all = vec![&sources.sites, &sources.companies, &sources.employees, &sources.cards];
    all.extend(&sources.factors);
    all.extend(&sources.scenario_factors);
    let mut named: Vec<(&str, &str)> = all.iter().map(|f| (f.sha256.as_str(), f.name.as_str())).collect();
    // Logs are hashed while ingest reads them; the order of the lines is that of earlier versions.
    named.splice(4..4, sources.access_logs.iter().map(|l| (l.sha256().unwrap_or_default(), l.name.as_str())));
    let combined: String = named.iter().map(|(sha, name)| format!("{sha} {name}\n")).collect();
    let inputs_sha256 = crate::input::csvin::SourceFile::from_bytes("", combined.into_bytes()).sha256;
    df!(
        "schema_version" => [warehouse::SCHEMA_VERSION],
        "navette_version" => [env!("CARGO_PKG_VERSION")],
        "study_name" => [c.study.name.as_str()],
        "period_from" => [c.study.from.to_string()],
        "period_to" => [c.study.to.to_string()],
        "language" => [c.study.language.as_str()],
        "boundary" => [m.boundary.code()],
        "factor_set" => [factors.name.as_str()],
        "factor_set_version" => [factors.version.as_str()],
        "min_hours_office_day" => [m.min_hours_office_day],
        "max_visit_hours" => [m.max_visit_hours],
        "duplicate_window_s" => [m.duplicate_window_s],
        "open_visit_hours" => [m.open_visit_hours],
        "carpool_occupancy" => [m.carpool_occupancy],
        "rebound_share" => [m.rebound_share],
        "k_anonymity" => [c.privacy.k_anonymity],
        "inputs_sha256" => [inputs_sha256],
        "parquet_layout" => [c.output.parquet_layout.code()],
        "scenarios" => [study.config.scenarios.len() as u32],
    )
}

fn bands_frame(bands: &[BandSource]) -> PolarsResult<DataFrame> {
    df!(
        "mode" => bands.iter().map(|b| b.band.mode.code()).collect::<Vec<_>>(),
        "from_km" => bands.iter().map(|b| b.band.from_km).collect::<Vec<_>>(),
        "detour" => bands.iter().map(|b| b.band.detour).collect::<Vec<_>>(),
        "speed_kmh" => bands.iter().map(|b| b.band.speed_kmh).collect::<Vec<_>>(),
        "source" => bands.iter().map(|b| b.source).collect::<Vec<_>>(),
    )
}

/// Runs a whole study into `out`: `warehouse.duckdb`, `parquet/`, `rejects.csv`,
/// `reports/`, `run.json`.
pub fn run(study: &Study, sources: &SourceSet, out: &Path) -> Result<RunSummary> {
    // Taken first: a second run into the same folder is refused at once, not after its work.
    let _lock = OutLock::take(out)?;
    let mut timings = Timings::default();
    let mut computed = compute(study, sources, &mut timings)?;
    let staging = Staging::create(out, "run.json")?;
    let factors = prepare_scenarios(study, sources, &mut computed)?;
    let mut summary = write_outputs(study, sources, &mut computed, &factors, &staging.path, &mut timings)?;
    summary.timings = timings;
    let json = serde_json::to_vec_pretty(&summary)?;
    std::fs::write(staging.path.join("run.json"), json).context("cannot write run.json")?;
    staging.publish(out)?;
    Ok(summary)
}

/// Writes the outputs, computing the scenarios ([`prepare_scenarios`] has listed them, with their
/// `factors`) on the way: the tables of the base run first (their frames then freed, but the
/// visits and center days the scenarios start from), then each scenario's rows of
/// `scenario_day_impacts` as it is computed (issue 13: memory holds the base run's frames or one
/// scenario's rows, not all of them), then DuckDB and the reports.
fn write_outputs(
    study: &Study,
    sources: &SourceSet,
    c: &mut Computed,
    factors: &[FactorSet],
    dir: &Path,
    timings: &mut Timings,
) -> Result<RunSummary> {
    let cfg = &study.config;
    let key = &cfg.privacy.pseudonym_key;
    let pids: Vec<String> = c.inputs.employees.iter().map(|e| pseudonym::pseudonym(key, &e.employee_id)).collect();
    let ids = warehouse::Ids::new(&c.inputs, &pids);
    // Homes leave the pipeline only as 1 km cell counts (reports' maps).
    let home_cells = crate::privacy::grid::home_cells(&c.inputs, &c.visits)?;
    // Scenarios with the base run's center days and legs reuse its legs.
    let base_legs = impact::LegSides::new(&c.legs)?;
    let tables = warehouse::Tables {
        inputs: &c.inputs,
        pids: &pids,
        visits: &c.visits,
        days: &c.days,
        // Freed once their tables are built; the center days stay for the scenarios.
        legs: std::mem::take(&mut c.legs),
        impacts: std::mem::take(&mut c.impacts),
        potential: std::mem::take(&mut c.potential),
        factors: &c.factors,
        pairing: &c.pairing,
        method: &cfg.method,
        scenarios: &c.scenarios,
        energy: &cfg.energy,
        run_info: run_info(study, &c.factors, sources)?,
        bands: bands_frame(&c.bands)?,
    };
    let parquet_dir = dir.join("parquet");
    let layout = cfg.output.parquet_layout;
    const SCENARIO_ROWS: &str = "scenario_day_impacts";
    const SCENARIO_TOTALS: &str = "scenario_totals";
    // DuckDB loads each table once its Parquet file is written, on threads of its own, while the
    // next tables are built and the scenarios computed; it needs only the tables' columns.
    let db_path = dir.join("warehouse.duckdb");
    let mut load = warehouse::WarehouseLoad::open(&db_path, &parquet_dir)?;
    // Built and written one at a time; `scenario_day_impacts` comes out of it with no rows: they
    // are written below.
    let (written, base_pages) = timings.time("tables", || {
        warehouse::write_tables(
            tables,
            &ids,
            &c.inputs.ledger.rejects,
            home_cells,
            (&parquet_dir, layout),
            &mut |name, columns| load.load(name, columns),
        )
    })?;
    let mut table_rows: Vec<(String, usize)> = written.iter().map(|(n, _, rows)| ((*n).to_owned(), *rows)).collect();
    let mut out_tables: Vec<(&'static str, DataFrame)> = written.into_iter().map(|(n, df, _)| (n, df)).collect();
    // The scenarios' rows come in the table's order, by pseudonym and day: the center days they
    // are computed from are put in that order (the day impacts follow their days), so no
    // scenario's rows are sorted.
    let ranks = ids.pid_ranks().to_vec();
    c.days = crate::method::visits::order_by_employee_rank(&std::mem::take(&mut c.days), &ranks)?;
    // Each scenario's rows are computed a row group at a time and written as Parquet (on a thread
    // of their own) as soon as computed, then freed.
    let mut scenario_rows = warehouse::ScenarioRows::new(&parquet_dir, layout, ids, base_pages)?;
    compute_prepared_scenarios(
        study,
        c,
        factors,
        ScenarioBase { order: Some(&ranks), legs: Some(&base_legs) },
        &warehouse::row_groups,
        timings,
        &mut |name, impacts, last| {
            scenario_rows.write(name, impacts, last)?;
            Ok(None)
        },
    )?;
    drop((ranks, base_legs));
    c.days = DataFrame::empty();
    // The wait for the last scenario's rows.
    let written = timings.time("scenario_parquet", || scenario_rows.finish())?;
    let at = out_tables.iter().position(|(n, _)| *n == SCENARIO_ROWS).expect("output_tables lists every table");
    match written.rows {
        Some((columns, rows)) => {
            out_tables[at].1 = columns;
            table_rows[at].1 = rows;
        }
        // No scenario rows: the table is written empty, as the others.
        None => warehouse::write_parquet(&parquet_dir, &mut out_tables[at..=at], layout)?,
    }
    // The scenario rows stay in Parquet (the table macro `scenario_impact_base` reads them):
    // DuckDB gets what the `scenario_*` views show, `scenario_totals`, added up as they were
    // written.
    let at = out_tables.iter().position(|(n, _)| *n == SCENARIO_TOTALS).expect("output_tables lists every table");
    table_rows[at].1 = written.totals.height();
    out_tables[at].1 = written.totals;
    warehouse::write_parquet(&parquet_dir, &mut out_tables[at..=at], layout)?;
    load.load(SCENARIO_TOTALS, &out_tables[at].1)?;
    drop(out_tables);
    let c = &*c;
    // The wait for the last loads, then the views.
    let views = format!("{}\n{}", warehouse::VIEWS_SQL, warehouse::scenario_days_macro(layout));
    timings.time("warehouse", || load.finish(&views))?;
    timings.time("rejects_csv", || write_rejects(&dir.join("rejects.csv"), &c.inputs))?;
    let reports = timings.time("reports", || {
        let roads = c.roads.as_ref().map(|r| crate::routing::roads::map_lines(&r.network)).unwrap_or_default();
        write_reports(study, &db_path, &dir.join("reports"), &roads)
    })?;
    Ok(RunSummary {
        schema_version: warehouse::SCHEMA_VERSION,
        navette_version: env!("CARGO_PKG_VERSION"),
        study: cfg.study.name.clone(),
        inputs: c.inputs.ledger.files.clone(),
        tables: table_rows,
        pairing: c.pairing.clone(),
        ambiguous_local_times: c.inputs.events.ambiguous_local_times,
        factor_set_version: c.factors.version.clone(),
        options: cfg.method.clone(),
        scenarios: c
            .scenarios
            .iter()
            .map(|sc| ScenarioSummary {
                name: sc.name.clone(),
                overrides: sc.sets.clone(),
                factor_set_version: sc.factor_set_version.clone(),
                day_impacts: sc.rows,
            })
            .collect(),
        parquet_layout: layout.code(),
        reports,
        timings: Timings::default(),
        transit: c.transit.as_ref().map(|t| t.summary()),
    })
}

/// `rejects.csv`, for people who open it in a spreadsheet: every cell that a spreadsheet would
/// read as a formula is made inert ([`spreadsheet_inert`]).
pub(crate) fn write_rejects(path: &Path, inputs: &Inputs) -> Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot create {}", path.display()))?;
    w.write_record(["file", "line", "reason", "detail", "raw", "rows"])?;
    for r in &inputs.ledger.rejects {
        let cells = [r.file.as_str(), &r.line.to_string(), r.reason.code(), &r.detail, &r.raw, &r.rows.to_string()];
        w.write_record(cells.map(|c| spreadsheet_inert(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// A CSV cell that a spreadsheet will not run: a cell beginning with `=`, `+`, `-`, `@`, a tab or
/// a carriage return (OWASP, CSV injection) gets a leading `'`, which spreadsheets show as text;
/// so does a cell already beginning with `'`, so the rule can be undone: whoever reads the file as
/// data drops one leading `'` when it is followed by one of those characters or by `'`.
pub fn spreadsheet_inert(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Longest folder name a report folder gets (longer ids are cut and hashed).
const MAX_FOLDER_NAME: usize = 64;

/// Folder names for ids: the id itself when it is a plain, unambiguous name; otherwise a cleaned
/// form with a hash of the id, so two ids never share a folder (also on case-insensitive file
/// systems) and no id can leave the reports folder.
fn folder_names(ids: &[&str]) -> Vec<String> {
    let clean = |id: &str| -> String {
        id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') { c } else { '_' }).collect()
    };
    let plain: Vec<String> = ids.iter().map(|id| clean(id)).collect();
    // Names Windows reserves whatever the extension, and names too long for some file systems or
    // archive tools once the quarter and file name are added.
    let reserved = |p: &str| {
        let stem = p.split('.').next().unwrap_or(p).to_ascii_uppercase();
        matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || ((stem.starts_with("COM") || stem.starts_with("LPT"))
                && stem.len() == 4
                && stem.as_bytes()[3].is_ascii_digit())
    };
    ids.iter()
        .zip(&plain)
        .map(|(id, p)| {
            let clashes = plain.iter().filter(|q| q.eq_ignore_ascii_case(p)).count() > 1;
            if p == id && !clashes && !reserved(p) && p.len() <= MAX_FOLDER_NAME && !p.is_empty() {
                p.clone()
            } else {
                let short: String = clean(id).chars().take(MAX_FOLDER_NAME - 9).collect();
                format!("{short}-{}", &SourceFile::from_bytes("", id.as_bytes().to_vec()).sha256[..8])
            }
        })
        .collect()
}

/// Stack of a report-rendering thread (see `write_reports`).
const RENDER_STACK_BYTES: usize = 256 << 20;

/// Reports rendered at a time (in parallel), then dropped.
const RENDER_BATCH: usize = 32;

/// A company report written by [`write_reports`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportWritten {
    /// Company id, as in `companies.csv`.
    pub company_id: String,
    /// Quarter, `2026-Q1`.
    pub quarter: String,
    /// Withheld for k-anonymity (the document says so instead of showing figures).
    pub withheld: bool,
}

/// Writes every report (network and company × quarter, HTML and PDF) and `index.html` into `dir`
/// from a built warehouse; `roads` (polylines of (lat, lon), [`crate::routing::roads::map_lines`]) are
/// drawn under the maps. Returns the company reports written.
pub fn write_reports(
    study: &Study,
    db_path: &Path,
    dir: &Path,
    roads: &[Vec<(f64, f64)>],
) -> Result<Vec<ReportWritten>> {
    let cfg = &study.config;
    let lang_of = |code: &str| navette_reports::Lang::parse(code).context("languages are checked at load");
    let lang = lang_of(&cfg.study.language)?;
    let k = cfg.privacy.k_anonymity;
    let conn = duckdb::Connection::open(db_path)?;
    // One thread a query (a setting of the whole database, so of both connections below):
    // floating-point sums then add up in one order, so reruns give the same digits.
    conn.execute_batch("SET threads = 1;")?;
    conn.execute_batch(&format!("SET memory_limit = '{}';", warehouse::DUCKDB_MEMORY_LIMIT))?;
    // The network reports are read on a second connection, on a thread of their own: their views
    // (the sites' occupancy is the costliest view of the reports) are computed beside the company
    // reports' views, on the other core, instead of after them (issue 13). Temporary tables belong
    // to the connection that made them.
    let network_conn = conn.try_clone()?;
    // Each report asks the same dozen or so queries with other parameters: parsed and planned
    // once (`report` prepares them cached).
    conn.set_prepared_statement_cache_capacity(32);
    let quarters = report::network_quarters(&conn)?;
    let keys = report::report_keys(&conn)?;
    let background = report::Background::belgium().with_roads(roads);
    let mut index = Vec::new();
    let mut written = Vec::new();
    // The figures come from the warehouse one report at a time (one connection each for the
    // company and the network reports); the documents are rendered in parallel, a batch at a time
    // (reading the warehouse is now most of the time).
    enum Report {
        Network(Box<navette_reports::NetworkReport>),
        Company(Box<navette_reports::CompanyReport>),
    }
    // The rendering threads keep stacks larger than the 2 MiB default (address space only: pages
    // are used as they are reached). typst, which set the PDF until session 10, recursed as deep
    // as a document nested (a table of a thousand rows); the crate's own layout is iterative,
    // the margin stays for the HTML templates' nesting.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(RENDER_STACK_BYTES)
        .thread_name(|i| format!("navette-render-{i}"))
        .build()
        .context("cannot start the report rendering threads")?;
    let progress = crate::progress::Progress::new("reports", (keys.len() + quarters.len()) as u64, 50);
    // Documents are rendered a batch at a time and then dropped: each holds its map's
    // background (a country's roads), so holding all of a study's 2,000 reports at once grew
    // memory by gigabytes (issue 13).
    let render_batch = |docs: Vec<(String, Report)>| -> Result<()> {
        pool.install(|| {
            docs.par_iter()
                .map(|(rel, doc)| -> Result<()> {
                    // One document (its charts and map drawn once) for both renderings.
                    let doc = match doc {
                        Report::Network(r) => navette_reports::network_doc(r),
                        Report::Company(r) => navette_reports::company_doc(r),
                    }
                    .with_context(|| format!("rendering {rel}"))?;
                    let html = navette_reports::render_doc_html(&doc).with_context(|| format!("rendering {rel}"))?;
                    let pdf =
                        navette_reports::render_doc_pdf(&doc).with_context(|| format!("rendering {rel} as PDF"))?;
                    let path = dir.join(rel);
                    std::fs::create_dir_all(path.parent().expect("report path has a parent"))?;
                    std::fs::write(&path, html).with_context(|| format!("cannot write {}", path.display()))?;
                    let pdf_path = path.with_extension("pdf");
                    std::fs::write(&pdf_path, pdf).with_context(|| format!("cannot write {}", pdf_path.display()))?;
                    progress.inc(1);
                    Ok(())
                })
                .collect::<Result<Vec<()>>>()
        })?;
        Ok(())
    };
    // Sends the documents read so far when they make a batch (or when `last`). A closed channel
    // means the renderer stopped on an error, which its join gives.
    let send = |batches: &std::sync::mpsc::SyncSender<Vec<(String, Report)>>,
                docs: &mut Vec<(String, Report)>,
                last: bool|
     -> Result<()> {
        if docs.is_empty() || (docs.len() < RENDER_BATCH && !last) {
            return Ok(());
        }
        batches.send(std::mem::take(docs)).map_err(|_| anyhow::anyhow!("report rendering stopped"))
    };
    // The documents are typeset on the render threads while the two reading threads read the
    // next batches' figures from the warehouse; at most one batch waits in between.
    let (batches, inbox) = std::sync::mpsc::sync_channel::<Vec<(String, Report)>>(1);
    let network_index = std::thread::scope(|scope| -> Result<Vec<navette_reports::IndexEntry>> {
        let renderer = scope.spawn(move || -> Result<()> {
            for docs in inbox {
                render_batch(docs)?;
            }
            Ok(())
        });
        let network_batches = batches.clone();
        let (quarters, background) = (&quarters, &background);
        let network = scope.spawn(move || -> Result<Vec<navette_reports::IndexEntry>> {
            let conn = network_conn;
            // Aggregated once, not once a report (issue 13).
            report::materialise_report_views(&conn, report::NETWORK_REPORT_VIEWS)?;
            let appendix = report::appendix(&conn, k)?;
            let network_map = report::map(&conn, None, k, background)?;
            let mut docs = Vec::new();
            let mut entries = Vec::new();
            for quarter in quarters {
                let report = report::network_report(
                    &conn,
                    quarters,
                    quarter,
                    lang,
                    &cfg.study.name,
                    &appendix,
                    Some(network_map.clone()),
                )?;
                let rel = format!("network/{quarter}/report.html");
                entries.push(navette_reports::IndexEntry {
                    kind: navette_reports::ReportKind::Network,
                    name: String::new(),
                    quarter: quarter.clone(),
                    href: rel.clone(),
                    withheld: report.current.is_none(),
                });
                docs.push((rel, Report::Network(Box::new(report))));
                send(&network_batches, &mut docs, false)?;
            }
            send(&network_batches, &mut docs, true)?;
            Ok(entries)
        });
        let read = (|| -> Result<()> {
            // Aggregated once, not once a report (issue 13).
            report::materialise_report_views(&conn, report::COMPANY_REPORT_SHARED_VIEWS)?;
            let appendix = report::appendix(&conn, k)?;
            // Read once for every company-quarter, not a dozen queries a report (issue 13).
            let mut figures = report::CompanyFigures::read(&conn)?;
            let mut docs = Vec::new();
            let mut companies: Vec<&str> = keys.iter().map(|k| k.company_id.as_str()).collect();
            companies.dedup();
            let folders = folder_names(&companies);
            // The map of the company at hand (keys come company by company).
            let mut company_map: Option<(String, navette_reports::MapData)> = None;
            for key in &keys {
                let company_lang = match cfg.study.company_languages.get(&key.company_id) {
                    Some(code) => lang_of(code)?,
                    None => lang,
                };
                // One map per company: the same cells in every quarter's report (no quarter can be
                // subtracted from another).
                let map = match &company_map {
                    Some((company, m)) if *company == key.company_id => m.clone(),
                    _ => {
                        let m = figures.company_map(&key.company_id, k, background);
                        company_map = Some((key.company_id.clone(), m.clone()));
                        m
                    }
                };
                let report = figures.report(&conn, key, company_lang, &cfg.study.name, &appendix, Some(map))?;
                let folder = &folders[companies.iter().position(|c| *c == key.company_id).expect("company listed")];
                let rel = format!("companies/{folder}/{}/report.html", key.quarter);
                let withheld = report.headline.is_none();
                index.push(navette_reports::IndexEntry {
                    kind: navette_reports::ReportKind::Company,
                    name: key.company_name.clone(),
                    quarter: key.quarter.clone(),
                    href: rel.clone(),
                    withheld,
                });
                written.push(ReportWritten {
                    company_id: key.company_id.clone(),
                    quarter: key.quarter.clone(),
                    withheld,
                });
                docs.push((rel, Report::Company(Box::new(report))));
                send(&batches, &mut docs, false)?;
            }
            send(&batches, &mut docs, true)
        })();
        drop(batches);
        let network = network.join().map_err(|_| anyhow::anyhow!("the network reports' reading thread panicked"))?;
        renderer.join().map_err(|_| anyhow::anyhow!("a report rendering thread panicked"))??;
        read?;
        network
    })?;
    progress.finish();
    std::fs::create_dir_all(dir)?;
    // The network reports first, then the companies'.
    let index: Vec<_> = network_index.into_iter().chain(index).collect();
    let html = navette_reports::render_index_html(lang, &cfg.study.name, &index)?;
    std::fs::write(dir.join("index.html"), html)?;
    Ok(written)
}

/// A staging folder next to `out` (same file system, so the final rename is atomic). It is
/// removed when dropped unless published, also when the run fails half-way or panics.
pub(crate) struct Staging {
    pub(crate) path: PathBuf,
    published: bool,
}

impl Staging {
    /// `marker` is the file every output folder of this command holds (`run.json`, `plan.json`):
    /// a non-empty folder without it is refused, so no other folder is ever replaced.
    pub(crate) fn create(out: &Path, marker: &str) -> Result<Staging> {
        if out.exists() && !out.is_dir() {
            bail!("--out {} is a file: give a folder", out.display());
        }
        if out.is_dir() && std::fs::read_dir(out)?.next().is_some() && !out.join(marker).exists() {
            bail!(
                "--out {} is a non-empty folder that holds no navette outputs of this command (no {marker}): give a new or empty folder",
                out.display()
            );
        }
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = out.file_name().and_then(|n| n.to_str()).context("--out must end in a folder name")?;
        // Leftovers of runs killed before they could clean up (their process is gone). A run
        // killed between moving the previous outputs aside and moving the new ones in left no
        // `out` but the previous outputs, whole, in `.name.old-PID`: they come back.
        for entry in std::fs::read_dir(parent)?.flatten() {
            let file = entry.file_name();
            let Some(file) = file.to_str() else { continue };
            let dead = |prefix: String| file.strip_prefix(prefix.as_str()).is_some_and(|pid| !process_alive(pid));
            if dead(format!(".{name}.old-")) && !out.exists() {
                std::fs::rename(entry.path(), out).with_context(|| {
                    format!("cannot restore the previous outputs of {} from {}", out.display(), entry.path().display())
                })?;
            } else if dead(format!(".{name}.staging-")) || dead(format!(".{name}.old-")) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let path = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Staging { path, published: false })
    }

    /// Swaps the staging folder into place; the previous outputs stay until the new ones are
    /// complete, and come back if the swap fails.
    pub(crate) fn publish(mut self, out: &Path) -> Result<()> {
        let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let old = self.path.with_file_name(format!(".{name}.old-{}", std::process::id()));
        let had_old = out.exists();
        if had_old {
            std::fs::rename(out, &old).with_context(|| format!("cannot move the previous {} aside", out.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.path, out) {
            if had_old {
                let _ = std::fs::rename(&old, out);
            }
            return Err(e).with_context(|| format!("cannot move the outputs into {}", out.display()));
        }
        self.published = true;
        if had_old {
            std::fs::remove_dir_all(&old).with_context(|| format!("cannot remove {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A lock on an output folder, held for the whole run: `.NAME.lock` beside it, holding the PID of
/// the run. A second run into the same folder is refused with a message; a lock left by a run
/// that was killed (its process is gone) is taken over. Removed when dropped.
struct OutLock {
    path: PathBuf,
}

impl OutLock {
    fn take(out: &Path) -> Result<OutLock> {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = out.file_name().and_then(|n| n.to_str()).context("--out must end in a folder name")?;
        let path = parent.join(format!(".{name}.lock"));
        for _ in 0..2 {
            match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    use std::io::Write as _;
                    if let Err(e) = write!(f, "{}", std::process::id()).and_then(|()| f.sync_all()) {
                        // An empty lock would hold back the next run: leave none (disk full).
                        drop(f);
                        let _ = std::fs::remove_file(&path);
                        return Err(e).with_context(|| format!("cannot write {} (is the disk full?)", path.display()));
                    }
                    return Ok(OutLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path).unwrap_or_default();
                    if process_alive(pid.trim()) {
                        bail!(
                            "another navette run (process {}) is writing into {}: wait for it to finish, or give another --out",
                            pid.trim(),
                            out.display()
                        );
                    }
                    // Left by a run that was killed: take it over.
                    if let Err(e) = std::fs::remove_file(&path) {
                        return Err(e).with_context(|| {
                            format!(
                                "cannot take over the lock {} left by a run that is gone (is the folder of --out writable?)",
                                path.display()
                            )
                        });
                    }
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot create {} (is the folder of --out writable?)", path.display())
                    });
                }
            }
        }
        bail!("cannot take the lock {}: remove it if no navette run is going on", path.display())
    }
}

impl Drop for OutLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn process_alive(pid: &str) -> bool {
    pid.parse::<u32>().is_ok_and(|pid| Path::new(&format!("/proc/{pid}")).exists())
}

#[cfg(test)]
mod tests {
    use super::{Staging, folder_names, spreadsheet_inert, wildcard};

    #[test]
    fn spreadsheet_cells_are_inert_and_can_be_undone() {
        for (cell, want) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+32 2 123", "'+32 2 123"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'quoted", "''quoted"),
            ("plain, text", "plain, text"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_inert(cell), want);
            // A reader drops one leading quote when a trigger character or a quote follows it.
            let back = want
                .strip_prefix('\'')
                .filter(|r| r.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']))
                .unwrap_or(want);
            assert_eq!(back, cell);
        }
    }

    #[test]
    fn report_folders_avoid_reserved_and_overlong_names() {
        let long = "x".repeat(300);
        let f = folder_names(&["CON", "nul.txt", "Com1", "LPT9", "lpt", long.as_str(), ""]);
        for (name, id) in f.iter().zip(["CON", "nul.txt", "Com1", "LPT9"]) {
            assert_ne!(name.to_ascii_uppercase(), id.to_ascii_uppercase(), "{f:?}");
            assert!(name.contains('-'), "hashed: {f:?}");
        }
        assert_eq!(f[4], "lpt");
        assert!(f[5].len() <= 64 && f[5].starts_with("xxxx"), "{}", f[5]);
        assert!(!f[6].is_empty(), "{f:?}");
    }

    #[test]
    fn the_previous_outputs_set_aside_by_a_killed_run_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        // A run killed between moving `out` aside and moving its new outputs in (no such process).
        let old = dir.path().join(".out.old-999999999");
        std::fs::create_dir_all(old.join("reports")).unwrap();
        std::fs::write(old.join("run.json"), "{}").unwrap();
        std::fs::write(old.join("reports/index.html"), "previous").unwrap();
        let stale = dir.path().join(".out.staging-999999998");
        std::fs::create_dir_all(&stale).unwrap();
        let staging = Staging::create(&out, "run.json").unwrap();
        assert_eq!(std::fs::read_to_string(out.join("reports/index.html")).unwrap(), "previous");
        assert!(!old.exists() && !stale.exists());
        drop(staging);
        assert!(out.join("run.json").is_file(), "dropping an unpublished staging keeps the outputs");
    }

    #[test]
    fn report_folders_never_collide_or_escape() {
        let f = folder_names(&["C01", "ACME SA", "ACME_SA", "acme_sa", "..", "Dupont/Fils"]);
        assert_eq!(f[0], "C01");
        let mut unique = f.clone();
        unique.sort_by_key(|s| s.to_lowercase());
        unique.dedup_by_key(|s| s.to_lowercase());
        assert_eq!(unique.len(), f.len(), "{f:?}");
        assert!(f.iter().all(|s| !s.contains('/') && !s.starts_with('.')), "{f:?}");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard(b"*.csv", b"site-1.csv"));
        assert!(wildcard(b"site-?.csv", b"site-1.csv"));
        assert!(!wildcard(b"*.csv", b"site-1.csv.bak"));
        assert!(wildcard(b"*", b""));
    }
}
