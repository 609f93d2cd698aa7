//! `navette plan`: which smart work centers to open next. Reads and checks the study's inputs as
//! `run` does, builds the demand of every employee over the existing sites and the candidates
//! (`method::plan`), fits the uptake on the study's own badge logs (or takes a fixed one), solves
//! with `navette-plan`, and writes its own output folder atomically: `warehouse.duckdb` holding
//! the `plan_*` tables and views only (a run's tables stay in the run's folder), `parquet/`,
//! `rejects.csv`, `reports/plan/` and `plan.json`.

use std::path::Path;

use anyhow::{Context, Result, bail};
use navette_plan::{Measure, PlanConfig, Site, SiteKind, Uptake, UptakeFit};
use polars::prelude::*;
use serde::Serialize;

use crate::config::Study;
use crate::config::plan::{Generate, Objective, UptakeKind};
use crate::input::csvin::SourceFile;
use crate::input::ingest::{Candidate, SourceSet, read_candidates};
use crate::method::estimate::crow_m;
use crate::method::plan::{DemandLegs, SavingOptions, demand, observed_days, uptake_observations, weekdays};
use crate::output::warehouse;
use crate::privacy::pseudonym;
use crate::routing::Engines;
use crate::run::{Staging, Timings, compute, write_rejects};

const MUNICIPALITIES_CSV: &str = include_str!("../../../datasets/geo/be_municipalities.csv");

/// The views `navette plan` creates over its tables.
pub const PLAN_VIEWS_SQL: &str = include_str!("../output/plan_views.sql");

/// A candidate with where it came from.
#[derive(Debug, Clone)]
pub struct PlanCandidate {
    /// The candidate.
    pub candidate: Candidate,
    /// `csv` or `municipality`.
    pub source: &'static str,
}

/// Municipality points as candidates: region, population and study area filters, left out when
/// within `min_spacing_km` of a point in `taken`; the most populous `max_generated` are kept, in
/// decreasing population (ties: REFNIS code).
pub fn municipality_candidates(study: &Study, taken: &[(f64, f64)]) -> Result<Vec<Candidate>> {
    let p = &study.config.plan;
    let area = &study.config.method.study_area;
    let mut r = csv::Reader::from_reader(MUNICIPALITIES_CSV.as_bytes());
    let mut out: Vec<(u64, String, Candidate)> = Vec::new();
    for rec in r.records() {
        let rec = rec.context("datasets/geo/be_municipalities.csv")?;
        let (refnis, fr, nl, region) = (&rec[0], &rec[1], &rec[2], &rec[5]);
        let population: u64 = rec[6].parse().unwrap_or(0);
        let (lat, lon): (f64, f64) = (rec[7].parse()?, rec[8].parse()?);
        if (!p.regions.is_empty() && !p.regions.iter().any(|x| x == region))
            || population < p.min_population
            || !(area.lat[0]..=area.lat[1]).contains(&lat)
            || !(area.lon[0]..=area.lon[1]).contains(&lon)
            || taken.iter().any(|&t| crow_m(t, (lat, lon)) < p.min_spacing_km * 1000.0)
        {
            continue;
        }
        let name = if fr.is_empty() { nl } else { fr };
        out.push((
            population,
            refnis.to_owned(),
            Candidate { candidate_id: format!("M{refnis}"), name: name.to_owned(), lat, lon, workspaces: None },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.truncate(p.max_generated);
    Ok(out.into_iter().map(|(_, _, c)| c).collect())
}

/// The uptake in force, as stated in `plan.json`.
#[derive(Debug, Clone, Serialize)]
pub struct UptakeSummary {
    /// `fitted` or `fixed`.
    pub kind: &'static str,
    /// Fixed: days per person and year.
    pub fixed_days_per_year: Option<f64>,
    /// Fitted `a` of `a · (1 − exp(−b·hours saved))`: days per person and year at saturation.
    pub max_days_per_year: Option<f64>,
    /// Fitted `b`, per hour saved per day.
    pub rate_per_hour: Option<f64>,
    /// Standard error of `a`.
    pub max_days_se: Option<f64>,
    /// Standard error of `b`.
    pub rate_se: Option<f64>,
    /// R² of the fit on individual employees.
    pub r2: Option<f64>,
    /// RMSE of individual predictions, days per year.
    pub rmse_days_per_year: Option<f64>,
    /// Employees in the fit (users and non-users).
    pub observations: usize,
    /// Observed center days per employee and year, mean over the observations.
    pub observed_mean_days_per_year: f64,
    /// Observed days annualised by working_days_per_year / weekdays of the study period.
    pub annualisation_factor: f64,
}

/// A chosen site in `plan.json`.
#[derive(Debug, Clone, Serialize)]
pub struct ChosenSite {
    /// 1 = opens first.
    pub open_order: u32,
    /// Candidate id.
    pub candidate_id: String,
    /// Name.
    pub name: String,
    /// kg CO2e per year it adds after the sites before it.
    pub marginal_co2e_kg_per_year: f64,
    /// Same, low-uptake variant (fitted uptake − 1 s.e.).
    pub marginal_co2e_kg_per_year_low: f64,
    /// Same, high-uptake variant (fitted uptake + 1 s.e.).
    pub marginal_co2e_kg_per_year_high: f64,
    /// Person-km per year it adds.
    pub marginal_km_per_year: f64,
    /// Hours per year it adds.
    pub marginal_hours_per_year: f64,
    /// Expected users with every chosen site open.
    pub expected_users: f64,
    /// Their center days per year.
    pub expected_center_days_per_year: f64,
    /// Demand / (desks × working days) × 100.
    pub desk_use_pct: Option<f64>,
    /// Demand above the ceiling (capped in the totals).
    pub over_capacity: bool,
    /// kg CO2e per year its users avoided at existing centers before.
    pub taken_from_existing_co2e_kg_per_year: f64,
}

/// What `navette plan` produced (`plan.json`, the CLI summary).
#[derive(Debug, Serialize)]
pub struct PlanReport {
    /// navette version.
    pub navette_version: &'static str,
    /// Study name.
    pub study: String,
    /// The `[plan]` options in force.
    pub options: crate::config::PlanSection,
    /// CO2e boundary of the savings.
    pub boundary: &'static str,
    /// Employees (demand rows).
    pub employees: usize,
    /// Existing sites (always open).
    pub existing_sites: usize,
    /// Candidates from the CSV file (accepted rows).
    pub candidates_csv: usize,
    /// Generated candidates.
    pub candidates_generated: usize,
    /// Rejected rows of the candidates file.
    pub candidate_rejects: usize,
    /// Stored (employee, site) savings.
    pub demand_entries: usize,
    /// How the legs behind the savings were computed: routed or estimated, with the reasons.
    pub demand_legs: DemandLegs,
    /// The uptake.
    pub uptake: UptakeSummary,
    /// Chosen sites in opening order.
    pub chosen: Vec<ChosenSite>,
    /// Objective value per year with the existing sites only.
    pub baseline_objective: f64,
    /// Objective value per year with the chosen sites.
    pub chosen_objective: f64,
    /// Upper bound on the best set of the same size.
    pub upper_bound: f64,
    /// The chosen set adds at least 100 − this % of what the best set could add.
    pub max_gap_pct: f64,
    /// Exchanges made by the swap pass.
    pub swaps: usize,
    /// kg CO2e per year avoided, existing sites only.
    pub co2e_kg_per_year_existing: f64,
    /// kg CO2e per year avoided with the plan (demand before the desk ceiling).
    pub co2e_kg_per_year_plan: f64,
    /// Same after the desk ceiling.
    pub co2e_kg_per_year_plan_capped: f64,
    /// With the plan, low-uptake variant (same opening order).
    pub co2e_kg_per_year_plan_low: f64,
    /// With the plan, high-uptake variant.
    pub co2e_kg_per_year_plan_high: f64,
    /// With the plan, the isotonic (model-free) uptake, when fitted.
    pub co2e_kg_per_year_plan_isotonic: Option<f64>,
    /// Sites over capacity with the plan.
    pub sites_over_capacity: usize,
    /// Stage durations.
    pub timings: Timings,
}

fn measure(o: Objective) -> Measure {
    match o {
        Objective::Co2e => Measure::Co2e,
        Objective::Km => Measure::Km,
        Objective::Hours => Measure::Hours,
    }
}

/// Plans the study into `out` (see the module doc).
pub fn plan(study: &Study, sources: &SourceSet, out: &Path) -> Result<PlanReport> {
    let cfg = &study.config;
    let p = &cfg.plan;
    let mut timings = Timings::default();
    let mut c = compute(study, sources, &mut timings)?;
    let inputs = &mut c.inputs;
    if inputs.employees.is_empty() {
        bail!("no employee was accepted: nothing to plan (see rejects with `navette validate`)");
    }
    // Candidates: the CSV file, then generated ones away from the sites and the CSV candidates.
    let site_ids: Vec<String> = inputs.sites.iter().map(|s| s.site_id.clone()).collect();
    let before = inputs.ledger.rejects.len();
    let mut candidates: Vec<PlanCandidate> = Vec::new();
    if let Some(rel) = p.candidates.as_deref() {
        let path = study.resolve(rel);
        let file = SourceFile::read(&path, rel).with_context(|| {
            format!(
                "plan.candidates in {}: cannot read {} (paths are relative to the folder of study.toml)",
                study.origin,
                path.display()
            )
        })?;
        let ids: Vec<&str> = site_ids.iter().map(String::as_str).collect();
        let rows = read_candidates(&file, &cfg.method.study_area, &ids, &mut inputs.ledger)
            .with_context(|| format!("plan.candidates in {}", study.origin))?;
        candidates.extend(rows.into_iter().map(|candidate| PlanCandidate { candidate, source: "csv" }));
    }
    let candidate_rejects = inputs.ledger.rejects.len() - before;
    let candidates_csv = candidates.len();
    if p.generate == Generate::Municipalities {
        let taken: Vec<(f64, f64)> = inputs
            .sites
            .iter()
            .map(|s| (s.lat, s.lon))
            .chain(candidates.iter().map(|c| (c.candidate.lat, c.candidate.lon)))
            .collect();
        let generated = municipality_candidates(study, &taken)?;
        // An id already used by a site or a file candidate is not reused.
        let used: Vec<String> = inputs
            .sites
            .iter()
            .map(|s| s.site_id.clone())
            .chain(candidates.iter().map(|c| c.candidate.candidate_id.clone()))
            .collect();
        candidates.extend(
            generated
                .into_iter()
                .filter(|g| !used.contains(&g.candidate_id))
                .map(|candidate| PlanCandidate { candidate, source: "municipality" }),
        );
    }
    let candidates_generated = candidates.len() - candidates_csv;
    if candidates.is_empty() {
        bail!(
            "no candidate: give a candidates file (--candidates FILE or plan.candidates) or set plan.generate = \"municipalities\""
        );
    }
    if p.add > candidates.len() {
        bail!(
            "plan.add = {}: there are only {} candidates: add fewer or give more candidates",
            p.add,
            candidates.len()
        );
    }
    let n_existing = inputs.sites.len();
    let points: Vec<(f64, f64)> = inputs
        .sites
        .iter()
        .map(|s| (s.lat, s.lon))
        .chain(candidates.iter().map(|c| (c.candidate.lat, c.candidate.lon)))
        .collect();
    let sites: Vec<Site> = inputs
        .sites
        .iter()
        .map(|s| Site { kind: SiteKind::Existing, desks: s.workspaces.filter(|w| *w > 0) })
        .chain(candidates.iter().map(|c| Site {
            kind: SiteKind::Candidate,
            desks: Some(c.candidate.workspaces.unwrap_or(p.desks_default)),
        }))
        .collect();
    let opt = SavingOptions {
        boundary: cfg.method.boundary,
        rebound_share: cfg.method.rebound_share,
        cutoff_km: p.cutoff_km,
    };
    let inputs = &c.inputs;
    // The legs of the run: routed on the study's roads, timetables or stations when it has them.
    let engines = Engines { roads: c.roads.as_ref(), transit: c.transit.as_ref(), rail: c.rail.as_ref() };
    let (demand, legs) = timings.time("plan_demand", || demand(inputs, &points, &c.factors, &c.bands, engines, opt))?;
    // Uptake: observed days per employee, annualised over the weekdays of the period.
    let (per_employee, per_site) = observed_days(&c.days, inputs.employees.len(), n_existing)?;
    let wd = weekdays(cfg.study.from, cfg.study.to).max(1);
    let per_year = p.working_days_per_year / wd as f64;
    let obs = uptake_observations(&demand, n_existing as u32, &per_employee, per_year);
    let observed_mean = obs.iter().map(|o| o.days_per_year).sum::<f64>() / obs.len().max(1) as f64;
    let fit: Option<UptakeFit> = match p.uptake {
        UptakeKind::Fitted => Some(
            timings
                .time("plan_uptake_fit", || navette_plan::fit_uptake(&obs, p.uptake_bins))
                .with_context(|| {
                    "the uptake cannot be fitted on the badge logs: set plan.uptake = \"fixed\" (and plan.fixed_days_per_year)"
                })?,
        ),
        UptakeKind::Fixed => None,
    };
    let uptake = fit.as_ref().map_or(Uptake::Fixed { days_per_year: p.fixed_days_per_year }, |f| f.model.clone());
    let mut pc = PlanConfig::new(p.add, uptake, p.working_days_per_year);
    pc.objective = measure(p.objective);
    let result = timings.time("plan_solve", || navette_plan::plan(&demand, &sites, &pc))?;
    let order: Vec<u32> = {
        let mut chosen: Vec<(u32, u32)> =
            result.candidates.iter().filter_map(|o| o.open_order.map(|k| (k, o.site))).collect();
        chosen.sort();
        chosen.into_iter().map(|(_, s)| s).collect()
    };
    let variant = |u: &Uptake| -> Result<navette_plan::Plan> {
        let cfg = PlanConfig { uptake: u.clone(), ..pc.clone() };
        Ok(navette_plan::evaluate(&demand, &sites, &cfg, &order)?)
    };
    let (low, high, iso) = timings.time("plan_spread", || -> Result<_> {
        Ok(match &fit {
            Some(f) => (Some(variant(&f.low)?), Some(variant(&f.high)?), Some(variant(&f.isotonic)?)),
            None => (None, None, None),
        })
    })?;

    // Tables.
    let key = &cfg.privacy.pseudonym_key;
    let cand_of = |site: u32| &candidates[site as usize - n_existing];
    let marginal = |v: &Option<navette_plan::Plan>, site: u32, own: f64| {
        v.as_ref()
            .map_or(own, |v| v.candidates.iter().find(|o| o.site == site).map_or(own, |o| o.marginal_co2e_kg_per_year))
    };
    let cs = &result.candidates;
    let plan_sites = df!(
        "candidate_id" => cs.iter().map(|o| cand_of(o.site).candidate.candidate_id.clone()).collect::<Vec<_>>(),
        "name" => cs.iter().map(|o| cand_of(o.site).candidate.name.clone()).collect::<Vec<_>>(),
        "source" => cs.iter().map(|o| cand_of(o.site).source).collect::<Vec<_>>(),
        "lat" => cs.iter().map(|o| cand_of(o.site).candidate.lat).collect::<Vec<_>>(),
        "lon" => cs.iter().map(|o| cand_of(o.site).candidate.lon).collect::<Vec<_>>(),
        "desks" => cs.iter().map(|o| sites[o.site as usize].desks).collect::<Vec<_>>(),
        "chosen" => cs.iter().map(|o| o.chosen).collect::<Vec<_>>(),
        "open_order" => cs.iter().map(|o| o.open_order).collect::<Vec<_>>(),
        "marginal_co2e_kg_per_year" => cs.iter().map(|o| o.marginal_co2e_kg_per_year).collect::<Vec<_>>(),
        "marginal_co2e_kg_per_year_low" => cs.iter().map(|o| marginal(&low, o.site, o.marginal_co2e_kg_per_year)).collect::<Vec<_>>(),
        "marginal_co2e_kg_per_year_high" => cs.iter().map(|o| marginal(&high, o.site, o.marginal_co2e_kg_per_year)).collect::<Vec<_>>(),
        "marginal_km_per_year" => cs.iter().map(|o| o.marginal_km_per_year).collect::<Vec<_>>(),
        "marginal_hours_per_year" => cs.iter().map(|o| o.marginal_hours_per_year).collect::<Vec<_>>(),
        "expected_users" => cs.iter().map(|o| o.expected_users).collect::<Vec<_>>(),
        "expected_center_days_per_year" => cs.iter().map(|o| o.expected_center_days_per_year).collect::<Vec<_>>(),
        "served_center_days_per_year" => cs.iter().map(|o| o.served_center_days_per_year).collect::<Vec<_>>(),
        "capacity_days_per_year" => cs.iter().map(|o| o.capacity_days_per_year).collect::<Vec<_>>(),
        "desk_use_pct" => cs.iter().map(|o| o.desk_use_pct).collect::<Vec<_>>(),
        "over_capacity" => cs.iter().map(|o| o.over_capacity).collect::<Vec<_>>(),
        "taken_from_existing_co2e_kg_per_year" => cs.iter().map(|o| o.taken_from_existing_co2e_kg_per_year).collect::<Vec<_>>(),
        "taken_from_existing_users" => cs.iter().map(|o| o.taken_from_existing_users).collect::<Vec<_>>(),
        "legs_routed" => cs.iter().map(|o| legs.per_site_routed[o.site as usize]).collect::<Vec<_>>(),
        "legs_estimated" => cs.iter().map(|o| legs.per_site_estimated[o.site as usize]).collect::<Vec<_>>(),
    )?;
    let ex = &result.existing;
    let site_of = |s: u32| &inputs.sites[s as usize];
    let plan_existing_sites = df!(
        "site_id" => ex.iter().map(|o| site_of(o.site).site_id.clone()).collect::<Vec<_>>(),
        "name" => ex.iter().map(|o| site_of(o.site).name.clone()).collect::<Vec<_>>(),
        "lat" => ex.iter().map(|o| site_of(o.site).lat).collect::<Vec<_>>(),
        "lon" => ex.iter().map(|o| site_of(o.site).lon).collect::<Vec<_>>(),
        "desks" => ex.iter().map(|o| sites[o.site as usize].desks).collect::<Vec<_>>(),
        "observed_center_days_per_year" => ex.iter().map(|o| per_site[o.site as usize] as f64 * per_year).collect::<Vec<_>>(),
        "users_before" => ex.iter().map(|o| o.users_before).collect::<Vec<_>>(),
        "users_after" => ex.iter().map(|o| o.users_after).collect::<Vec<_>>(),
        "center_days_before" => ex.iter().map(|o| o.center_days_before).collect::<Vec<_>>(),
        "center_days_after" => ex.iter().map(|o| o.center_days_after).collect::<Vec<_>>(),
        "co2e_kg_per_year_before" => ex.iter().map(|o| o.co2e_kg_per_year_before).collect::<Vec<_>>(),
        "co2e_kg_per_year_after" => ex.iter().map(|o| o.co2e_kg_per_year_after).collect::<Vec<_>>(),
        "capacity_days_per_year" => ex.iter().map(|o| o.capacity_days_per_year).collect::<Vec<_>>(),
        "desk_use_pct_after" => ex.iter().map(|o| o.desk_use_pct_after).collect::<Vec<_>>(),
        "over_capacity_after" => ex.iter().map(|o| o.over_capacity_after).collect::<Vec<_>>(),
        "legs_routed" => ex.iter().map(|o| legs.per_site_routed[o.site as usize]).collect::<Vec<_>>(),
        "legs_estimated" => ex.iter().map(|o| legs.per_site_estimated[o.site as usize]).collect::<Vec<_>>(),
    )?;
    let site_id = |s: u32| -> String {
        if (s as usize) < n_existing { site_of(s).site_id.clone() } else { cand_of(s).candidate.candidate_id.clone() }
    };
    let ps = &result.persons;
    let emp = |i: u32| &inputs.employees[i as usize];
    let plan_person_use = df!(
        "employee_pid" => ps.iter().map(|u| pseudonym::pseudonym(key, &emp(u.person).employee_id)).collect::<Vec<_>>(),
        "company_id" => ps.iter().map(|u| inputs.companies[emp(u.person).company].company_id.clone()).collect::<Vec<_>>(),
        "site_id" => ps.iter().map(|u| site_id(u.site)).collect::<Vec<_>>(),
        "site_is_new" => ps.iter().map(|u| u.site as usize >= n_existing).collect::<Vec<_>>(),
        "baseline_site_id" => ps.iter().map(|u| u.baseline_site.map(&site_id)).collect::<Vec<_>>(),
        "center_days_per_year" => ps.iter().map(|u| u.center_days_per_year).collect::<Vec<_>>(),
        "served_center_days_per_year" => ps.iter().map(|u| u.served_center_days_per_year).collect::<Vec<_>>(),
        "co2e_kg_per_year" => ps.iter().map(|u| u.co2e_kg_per_year).collect::<Vec<_>>(),
        "km_per_year" => ps.iter().map(|u| u.km_per_year).collect::<Vec<_>>(),
        "hours_per_year" => ps.iter().map(|u| u.hours_per_year).collect::<Vec<_>>(),
    )?;
    let bins = fit.as_ref().map(|f| f.bins.clone()).unwrap_or_default();
    let plan_uptake_bins = df!(
        "bin" => (1..=bins.len() as u32).collect::<Vec<_>>(),
        "hours_saved_min" => bins.iter().map(|b| b.saving_min).collect::<Vec<_>>(),
        "hours_saved_max" => bins.iter().map(|b| b.saving_max).collect::<Vec<_>>(),
        "employees" => bins.iter().map(|b| b.n as u32).collect::<Vec<_>>(),
        "hours_saved_mean" => bins.iter().map(|b| b.mean_saving).collect::<Vec<_>>(),
        "observed_days_per_year" => bins.iter().map(|b| b.observed_days_per_year).collect::<Vec<_>>(),
        "predicted_days_per_year" => bins.iter().map(|b| b.predicted_days_per_year).collect::<Vec<_>>(),
        "isotonic_days_per_year" => bins.iter().map(|b| b.isotonic_days_per_year).collect::<Vec<_>>(),
    )?;
    let s = &result.summary;
    let sum_plan = |v: &Option<navette_plan::Plan>| v.as_ref().map(|v| v.summary.co2e_kg_per_year_plan);
    let (sat_a, sat_b) = match fit.as_ref().map(|f| &f.model) {
        Some(Uptake::Saturating { max_days_per_year, rate }) => (Some(*max_days_per_year), Some(*rate)),
        _ => (None, None),
    };
    let uptake_summary = UptakeSummary {
        kind: if fit.is_some() { "fitted" } else { "fixed" },
        fixed_days_per_year: fit.is_none().then_some(p.fixed_days_per_year),
        max_days_per_year: sat_a,
        rate_per_hour: sat_b,
        max_days_se: fit.as_ref().map(|f| f.max_days_se),
        rate_se: fit.as_ref().map(|f| f.rate_se),
        r2: fit.as_ref().map(|f| f.r2),
        rmse_days_per_year: fit.as_ref().map(|f| f.rmse),
        observations: obs.len(),
        observed_mean_days_per_year: observed_mean,
        annualisation_factor: per_year,
    };
    let plan_summary = df!(
        "study" => [cfg.study.name.clone()],
        "objective" => [p.objective.code()],
        "boundary" => [cfg.method.boundary.code()],
        "add" => [p.add as u32],
        "employees" => [inputs.employees.len() as u32],
        "existing_sites" => [n_existing as u32],
        "candidates" => [candidates.len() as u32],
        "demand_entries" => [demand.nnz() as u64],
        "uptake" => [uptake_summary.kind],
        "uptake_max_days_per_year" => [sat_a],
        "uptake_rate_per_hour" => [sat_b],
        "uptake_r2" => [uptake_summary.r2],
        "uptake_rmse_days_per_year" => [uptake_summary.rmse_days_per_year],
        "fixed_days_per_year" => [uptake_summary.fixed_days_per_year],
        "baseline_objective" => [s.baseline_objective],
        "chosen_objective" => [s.chosen_objective],
        "upper_bound" => [s.upper_bound],
        "max_gap_pct" => [s.max_gap_pct],
        "swaps" => [s.swaps as u32],
        "co2e_kg_per_year_existing" => [s.co2e_kg_per_year_existing],
        "co2e_kg_per_year_plan" => [s.co2e_kg_per_year_plan],
        "co2e_kg_per_year_plan_capped" => [s.co2e_kg_per_year_plan_capped],
        "co2e_kg_per_year_plan_low" => [sum_plan(&low).unwrap_or(s.co2e_kg_per_year_plan)],
        "co2e_kg_per_year_plan_high" => [sum_plan(&high).unwrap_or(s.co2e_kg_per_year_plan)],
        "sites_over_capacity" => [s.sites_over_capacity as u32],
        "office_legs_routed" => [legs.office_routed],
        "office_legs_estimated" => [legs.office_estimated],
        "site_legs_routed" => [legs.site_routed],
        "site_legs_estimated" => [legs.site_estimated],
    )?;
    let mut tables: Vec<(&'static str, DataFrame)> = vec![
        ("plan_sites", plan_sites),
        ("plan_existing_sites", plan_existing_sites),
        ("plan_person_use", plan_person_use),
        ("plan_uptake_bins", plan_uptake_bins),
        ("plan_summary", plan_summary),
    ];
    debug_assert!(tables.iter().map(|t| t.0).eq(crate::schema::PLAN_TABLES.iter().map(|t| t.name)));

    let chosen: Vec<ChosenSite> = order
        .iter()
        .map(|&site| {
            let o = cs.iter().find(|o| o.site == site).expect("a chosen site is a candidate");
            ChosenSite {
                open_order: o.open_order.unwrap_or(0),
                candidate_id: cand_of(site).candidate.candidate_id.clone(),
                name: cand_of(site).candidate.name.clone(),
                marginal_co2e_kg_per_year: o.marginal_co2e_kg_per_year,
                marginal_co2e_kg_per_year_low: marginal(&low, site, o.marginal_co2e_kg_per_year),
                marginal_co2e_kg_per_year_high: marginal(&high, site, o.marginal_co2e_kg_per_year),
                marginal_km_per_year: o.marginal_km_per_year,
                marginal_hours_per_year: o.marginal_hours_per_year,
                expected_users: o.expected_users,
                expected_center_days_per_year: o.expected_center_days_per_year,
                desk_use_pct: o.desk_use_pct,
                over_capacity: o.over_capacity,
                taken_from_existing_co2e_kg_per_year: o.taken_from_existing_co2e_kg_per_year,
            }
        })
        .collect();
    let mut report = PlanReport {
        navette_version: env!("CARGO_PKG_VERSION"),
        study: cfg.study.name.clone(),
        options: p.clone(),
        boundary: cfg.method.boundary.code(),
        employees: inputs.employees.len(),
        existing_sites: n_existing,
        candidates_csv,
        candidates_generated,
        candidate_rejects,
        demand_entries: demand.nnz(),
        demand_legs: legs.clone(),
        uptake: uptake_summary,
        chosen,
        baseline_objective: s.baseline_objective,
        chosen_objective: s.chosen_objective,
        upper_bound: s.upper_bound,
        max_gap_pct: s.max_gap_pct,
        swaps: s.swaps,
        co2e_kg_per_year_existing: s.co2e_kg_per_year_existing,
        co2e_kg_per_year_plan: s.co2e_kg_per_year_plan,
        co2e_kg_per_year_plan_capped: s.co2e_kg_per_year_plan_capped,
        co2e_kg_per_year_plan_low: sum_plan(&low).unwrap_or(s.co2e_kg_per_year_plan),
        co2e_kg_per_year_plan_high: sum_plan(&high).unwrap_or(s.co2e_kg_per_year_plan),
        co2e_kg_per_year_plan_isotonic: sum_plan(&iso),
        sites_over_capacity: s.sites_over_capacity,
        timings: Timings::default(),
    };

    let staging = Staging::create(out, "plan.json")?;
    let dir = &staging.path;
    let parquet_dir = dir.join("parquet");
    timings.time("plan_parquet", || {
        warehouse::write_parquet(&parquet_dir, &mut tables, crate::config::ParquetLayout::Single)
    })?;
    timings.time("plan_warehouse", || {
        warehouse::build_duckdb_with(&dir.join("warehouse.duckdb"), &parquet_dir, &tables, PLAN_VIEWS_SQL)
    })?;
    write_rejects(&dir.join("rejects.csv"), &c.inputs)?;
    write_plan_report(&dir.join("reports").join("plan"), &report, &tables, cfg.privacy.k_anonymity)?;
    report.timings = timings;
    std::fs::write(dir.join("plan.json"), serde_json::to_vec_pretty(&report)?).context("cannot write plan.json")?;
    staging.publish(out)?;
    Ok(report)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A one-page HTML summary for planners (`reports/plan/index.html`) and the chosen sites as CSV
/// (`reports/plan/chosen_sites.csv`). Only site-level figures: no person appears, and a site's
/// expected users are shown only from `k` up (`privacy.k_anonymity`), like the reports' cells.
fn write_plan_report(dir: &Path, r: &PlanReport, tables: &[(&'static str, DataFrame)], k: u32) -> Result<()> {
    let users = |u: f64| if u >= k as f64 { format!("{u:.1}") } else { format!("< {k}") };
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut w = csv::Writer::from_path(dir.join("chosen_sites.csv"))?;
    w.write_record([
        "open_order",
        "candidate_id",
        "name",
        "marginal_co2e_kg_per_year",
        "marginal_co2e_kg_per_year_low",
        "marginal_co2e_kg_per_year_high",
        "marginal_km_per_year",
        "marginal_hours_per_year",
        "expected_users",
        "expected_center_days_per_year",
        "desk_use_pct",
        "taken_from_existing_co2e_kg_per_year",
    ])?;
    for c in &r.chosen {
        w.write_record([
            c.open_order.to_string(),
            c.candidate_id.clone(),
            c.name.clone(),
            format!("{:.1}", c.marginal_co2e_kg_per_year),
            format!("{:.1}", c.marginal_co2e_kg_per_year_low),
            format!("{:.1}", c.marginal_co2e_kg_per_year_high),
            format!("{:.1}", c.marginal_km_per_year),
            format!("{:.1}", c.marginal_hours_per_year),
            users(c.expected_users),
            format!("{:.1}", c.expected_center_days_per_year),
            c.desk_use_pct.map_or(String::new(), |d| format!("{d:.1}")),
            format!("{:.1}", c.taken_from_existing_co2e_kg_per_year),
        ])?;
    }
    w.flush()?;
    let mut h = String::new();
    h.push_str("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Site plan</title>");
    h.push_str("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}td,th{padding:.2rem .5rem;text-align:right}td:nth-child(2),th:nth-child(2){text-align:left}table{border-collapse:collapse}tr:nth-child(even){background:#f3f3f3}</style></head><body>");
    h.push_str(&format!("<h1>Where to open next: {}</h1>", esc(&r.study)));
    h.push_str(&format!(
        "<p>{} employees, {} existing sites, {} candidates ({} from the file, {} generated). Existing sites stay open; a person uses the best site for the objective ({}).</p>",
        r.employees,
        r.existing_sites,
        r.candidates_csv + r.candidates_generated,
        r.candidates_csv,
        r.candidates_generated,
        r.options.objective.code()
    ));
    h.push_str(&format!(
        "<p>kg CO2e avoided per year ({}): existing network {:.0}; with the plan {:.0} (after the desk ceiling {:.0}; low–high uptake {:.0}–{:.0}). The chosen set adds at least {:.1} % of what the best set of {} sites could add.</p>",
        r.boundary,
        r.co2e_kg_per_year_existing,
        r.co2e_kg_per_year_plan,
        r.co2e_kg_per_year_plan_capped,
        r.co2e_kg_per_year_plan_low,
        r.co2e_kg_per_year_plan_high,
        100.0 - r.max_gap_pct,
        r.chosen.len()
    ));
    h.push_str("<h2>Opening order</h2><table><tr><th>#</th><th>site</th><th>kg CO2e/yr</th><th>low</th><th>high</th><th>km/yr</th><th>hours/yr</th><th>users</th><th>days/yr</th><th>desk use %</th><th>taken from existing kg/yr</th></tr>");
    for c in &r.chosen {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td><td>{:.0}</td><td>{}</td><td>{:.0}</td><td>{}</td><td>{:.0}</td></tr>",
            c.open_order,
            esc(&c.name),
            c.marginal_co2e_kg_per_year,
            c.marginal_co2e_kg_per_year_low,
            c.marginal_co2e_kg_per_year_high,
            c.marginal_km_per_year,
            c.marginal_hours_per_year,
            users(c.expected_users),
            c.expected_center_days_per_year,
            c.desk_use_pct.map_or("–".into(), |d| format!("{d:.0}{}", if c.over_capacity { " (over)" } else { "" })),
            c.taken_from_existing_co2e_kg_per_year
        ));
    }
    h.push_str("</table>");
    let u = &r.uptake;
    h.push_str("<h2>Uptake</h2>");
    match u.kind {
        "fitted" => h.push_str(&format!(
            "<p>Center days per person and year = {:.1} (± {:.1}) × (1 − exp(−{:.3} (± {:.3}) × hours saved per day)), fitted on {} employees (users and non-users) of the study's badge logs: R² {:.3}, RMSE {:.1} days per person and year.</p>",
            u.max_days_per_year.unwrap_or(0.0),
            u.max_days_se.unwrap_or(0.0),
            u.rate_per_hour.unwrap_or(0.0),
            u.rate_se.unwrap_or(0.0),
            u.observations,
            u.r2.unwrap_or(0.0),
            u.rmse_days_per_year.unwrap_or(0.0)
        )),
        _ => h.push_str(&format!(
            "<p>Fixed: {:.0} center days per person and year wherever a site saves time.</p>",
            u.fixed_days_per_year.unwrap_or(0.0)
        )),
    }
    if let Some((_, bins)) = tables.iter().find(|t| t.0 == "plan_uptake_bins")
        && bins.height() > 0
    {
        h.push_str("<table><tr><th>bin</th><th>hours saved</th><th>employees</th><th>observed days/yr</th><th>predicted</th><th>isotonic</th></tr>");
        let f = |n: &str| -> Result<Vec<f64>> {
            Ok(bins.column(n)?.cast(&DataType::Float64)?.f64()?.into_no_null_iter().collect())
        };
        let (lo, hi, n, ob, pr, is) = (
            f("hours_saved_min")?,
            f("hours_saved_max")?,
            f("employees")?,
            f("observed_days_per_year")?,
            f("predicted_days_per_year")?,
            f("isotonic_days_per_year")?,
        );
        for k in 0..lo.len() {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{:.2}–{:.2}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td></tr>",
                k + 1,
                lo[k],
                hi[k],
                n[k],
                ob[k],
                pr[k],
                is[k]
            ));
        }
        h.push_str("</table>");
    }
    h.push_str(
        "<p>Method, tables and limits: docs/warehouse.md (plan_*) and pipeline/plan/README.md.</p></body></html>",
    );
    std::fs::write(dir.join("index.html"), h)?;
    Ok(())
}
