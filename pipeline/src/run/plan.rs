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
use crate::privacy::grid::{Cell, laea};
use crate::privacy::pseudonym;
use crate::privacy::suppression::{coarsen_members, hide, suppress_disjoint};
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

/// What a chosen site takes from one existing site: the kg CO2e per year its users avoided there
/// before the plan (cannibalisation, `plan.json` and the report).
#[derive(Debug, Clone, Serialize)]
pub struct Taken {
    /// The chosen site (candidate id).
    pub candidate_id: String,
    /// The existing site its users used before.
    pub existing_site_id: String,
    /// Its name.
    pub existing_name: String,
    /// kg CO2e per year those users avoided at the existing site before the plan.
    pub co2e_kg_per_year: f64,
    /// Those users.
    pub users: f64,
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
    /// Per chosen site (in opening order) and existing site, what it takes (largest first).
    pub cannibalisation: Vec<Taken>,
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
    // No memo: planning asks for each person × site leg once, and keeping them all would hold
    // millions of answers.
    let engines = Engines { roads: c.roads.as_ref(), transit: c.transit.as_ref(), rail: c.rail.as_ref(), memo: None };
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
        cannibalisation: timings.time("plan_cannibalisation", || -> Result<Vec<Taken>> {
            // Each person's saving at their existing site before the plan: the plan evaluated
            // with no new site (the same figure `taken_from_existing_*` sums per new site).
            let none = PlanConfig { bound_iterations: 0, max_swaps: 0, ..pc.clone() };
            let before = navette_plan::evaluate(&demand, &sites, &none, &[])?;
            let mut kg_before = vec![0.0f64; demand.n_persons()];
            for u in &before.persons {
                kg_before[u.person as usize] = u.co2e_kg_per_year;
            }
            let mut pairs: std::collections::BTreeMap<(u32, u32), (f64, f64)> = Default::default();
            for u in result.persons.iter().filter(|u| u.site as usize >= n_existing) {
                if let Some(b) = u.baseline_site {
                    let e = pairs.entry((u.site, b)).or_default();
                    e.0 += kg_before[u.person as usize];
                    e.1 += 1.0;
                }
            }
            let mut out: Vec<(u32, Taken)> = pairs
                .into_iter()
                .map(|((new, old), (kg, users))| {
                    let open = cs.iter().find(|o| o.site == new).and_then(|o| o.open_order).unwrap_or(u32::MAX);
                    (
                        open,
                        Taken {
                            candidate_id: cand_of(new).candidate.candidate_id.clone(),
                            existing_site_id: site_of(old).site_id.clone(),
                            existing_name: site_of(old).name.clone(),
                            co2e_kg_per_year: kg,
                            users,
                        },
                    )
                })
                .collect();
            out.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then(b.1.co2e_kg_per_year.total_cmp(&a.1.co2e_kg_per_year))
                    .then_with(|| a.1.existing_site_id.cmp(&b.1.existing_site_id))
            });
            Ok(out.into_iter().map(|(_, t)| t).collect())
        })?,
        timings: Timings::default(),
    };
    let open_order_of = |site: u32| cs.iter().find(|o| o.site == site).and_then(|o| o.open_order);
    let homes: Vec<(f64, f64)> = inputs.employees.iter().map(|e| e.home).collect();
    let k = cfg.privacy.k_anonymity;
    let report_inputs = ReportInputs {
        study,
        catchment: catchment(&result.persons, &homes, n_existing, open_order_of, k),
        existing_points: ex.iter().map(|o| (site_of(o.site).lat, site_of(o.site).lon)).collect(),
        observed_users: {
            let (employee, main_site, replaces) = (
                c.days.column("employee")?.u32()?,
                c.days.column("main_site")?.u32()?,
                c.days.column("replaces_office_day")?.bool()?,
            );
            let mut seen = std::collections::BTreeSet::new();
            for ((e, s), r) in employee.iter().zip(main_site.iter()).zip(replaces.iter()) {
                if let (Some(e), Some(s), Some(true)) = (e, s, r) {
                    seen.insert((s, e));
                }
            }
            ex.iter().map(|o| seen.range((o.site, 0)..=(o.site, u32::MAX)).count() as u64).collect()
        },
        roads: c.roads.as_ref().map(|r| crate::routing::roads::map_lines(&r.network)).unwrap_or_default(),
        factor_set: c.factors.version.clone(),
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
    timings.time("plan_report", || {
        write_plan_report(
            &dir.join("reports").join("plan"),
            &dir.join("warehouse.duckdb"),
            &report,
            &tables,
            &report_inputs,
        )
    })?;
    report.timings = timings;
    std::fs::write(dir.join("plan.json"), serde_json::to_vec_pretty(&report)?).context("cannot write plan.json")?;
    staging.publish(out)?;
    Ok(report)
}

/// Where a table column is read by name: the report's figures come from the `plan_*` frames.
fn col_f64(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(df.column(name)?.cast(&DataType::Float64)?.f64()?.iter().collect())
}

fn col_str(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    Ok(df.column(name)?.str()?.iter().map(|v| v.unwrap_or_default().to_owned()).collect())
}

fn col_bool(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    Ok(df.column(name)?.bool()?.iter().map(|v| v.unwrap_or(false)).collect())
}

fn table<'a>(tables: &'a [(&'static str, DataFrame)], name: &str) -> Result<&'a DataFrame> {
    tables.iter().find(|t| t.0 == name).map(|t| &t.1).with_context(|| format!("table {name} missing"))
}

/// Candidates not chosen shown in the report ("runners-up"), best first.
const RUNNERS_UP: usize = 10;

/// Everything the planner's report needs beyond [`PlanReport`] and the `plan_*` tables.
struct ReportInputs<'a> {
    study: &'a Study,
    /// Published catchment cells, hidden cells, people in them.
    catchment: (Vec<navette_reports::CatchmentCell>, u64, u64),
    /// Existing sites' (lat, lon), in `plan_existing_sites` order.
    existing_points: Vec<(f64, f64)>,
    /// Distinct employees observed at each existing site (center days replacing an office day).
    observed_users: Vec<u64>,
    /// Main roads of the study's OpenStreetMap extract, (lat, lon) polylines.
    roads: Vec<Vec<(f64, f64)>>,
    factor_set: String,
}

/// The reports crate's model of the planner's report in `lang`, read from the `plan_*` tables and
/// `r`. Privacy: a site's expected users show only from k up, an existing site's observed days
/// only when at least k employees were observed there, cannibalisation rows (new × existing
/// site) go through primary and secondary suppression, map cells through `coarsen`.
fn report_model(
    lang: navette_reports::Lang,
    r: &PlanReport,
    tables: &[(&'static str, DataFrame)],
    curve: &std::collections::BTreeMap<String, navette_reports::PlanCumulative>,
    x: &ReportInputs,
) -> Result<navette_reports::PlanReport> {
    use navette_reports::{MapPoint, PlanExistingSite, PlanMap, PlanSite, PlanTaken, PlanUptake, PlanUptakeBin};
    let cfg = &x.study.config;
    let k = cfg.privacy.k_anonymity;
    let users = |u: f64| (u >= f64::from(k)).then_some(u);
    let sites = table(tables, "plan_sites")?;
    let (ids, names, sources) = (col_str(sites, "candidate_id")?, col_str(sites, "name")?, col_str(sites, "source")?);
    let (lat, lon, desks) = (col_f64(sites, "lat")?, col_f64(sites, "lon")?, col_f64(sites, "desks")?);
    let order = col_f64(sites, "open_order")?;
    let f = |n: &str| -> Result<Vec<f64>> { Ok(col_f64(sites, n)?.into_iter().map(|v| v.unwrap_or(0.0)).collect()) };
    let (kg, kg_low, kg_high, km, hours) = (
        f("marginal_co2e_kg_per_year")?,
        f("marginal_co2e_kg_per_year_low")?,
        f("marginal_co2e_kg_per_year_high")?,
        f("marginal_km_per_year")?,
        f("marginal_hours_per_year")?,
    );
    let (exp_users, exp_days, taken_kg, taken_users) = (
        f("expected_users")?,
        f("expected_center_days_per_year")?,
        f("taken_from_existing_co2e_kg_per_year")?,
        f("taken_from_existing_users")?,
    );
    let (capacity, desk_pct, over) =
        (col_f64(sites, "capacity_days_per_year")?, col_f64(sites, "desk_use_pct")?, col_bool(sites, "over_capacity")?);
    let site = |i: usize| PlanSite {
        open_order: order[i].map(|o| o as u32),
        candidate_id: ids[i].clone(),
        name: names[i].clone(),
        source: sources[i].clone(),
        desks: desks[i].map(|d| d as u64),
        marginal_co2e_kg_per_year: kg[i],
        marginal_co2e_kg_per_year_low: kg_low[i],
        marginal_co2e_kg_per_year_high: kg_high[i],
        marginal_km_per_year: km[i],
        marginal_hours_per_year: hours[i],
        cumulative: order[i].and_then(|_| curve.get(&ids[i]).cloned()),
        expected_users: users(exp_users[i]),
        expected_center_days_per_year: exp_days[i],
        capacity_days_per_year: capacity[i],
        desk_use_pct: desk_pct[i],
        over_capacity: over[i],
        taken_from_existing_co2e_kg_per_year: taken_kg[i],
        taken_from_existing_users: taken_users[i],
        taken_from: Vec::new(),
    };
    let mut chosen_rows: Vec<usize> = (0..ids.len()).filter(|&i| order[i].is_some()).collect();
    chosen_rows.sort_by(|&a, &b| order[a].partial_cmp(&order[b]).expect("orders are numbers"));
    let mut chosen: Vec<PlanSite> = chosen_rows.iter().map(|&i| site(i)).collect();
    // Cannibalisation per existing site: rows of one new site hold disjoint people.
    for s in &mut chosen {
        let rows: Vec<&Taken> = r.cannibalisation.iter().filter(|t| t.candidate_id == s.candidate_id).collect();
        let counts: Vec<u64> = rows.iter().map(|t| t.users.round() as u64).collect();
        let hidden = suppress_disjoint(&counts, k);
        s.taken_from = hide(
            rows.iter()
                .map(|t| PlanTaken {
                    existing_name: t.existing_name.clone(),
                    co2e_kg_per_year: t.co2e_kg_per_year,
                    users: t.users,
                })
                .collect(),
            hidden,
        );
    }
    let mut others: Vec<usize> = (0..ids.len()).filter(|&i| order[i].is_none()).collect();
    others.sort_by(|&a, &b| kg[b].total_cmp(&kg[a]).then_with(|| ids[a].cmp(&ids[b])));
    let runners_up = others.iter().take(RUNNERS_UP).map(|&i| site(i)).collect();

    let ex = table(tables, "plan_existing_sites")?;
    let g = |n: &str| -> Result<Vec<f64>> { Ok(col_f64(ex, n)?.into_iter().map(|v| v.unwrap_or(0.0)).collect()) };
    let ex_names = col_str(ex, "name")?;
    let (ex_desks, ex_pct, ex_over) =
        (col_f64(ex, "desks")?, col_f64(ex, "desk_use_pct_after")?, col_bool(ex, "over_capacity_after")?);
    let (observed, before, after, kg_before, kg_after) = (
        g("observed_center_days_per_year")?,
        g("center_days_before")?,
        g("center_days_after")?,
        g("co2e_kg_per_year_before")?,
        g("co2e_kg_per_year_after")?,
    );
    let existing = (0..ex_names.len())
        .map(|i| PlanExistingSite {
            name: ex_names[i].clone(),
            desks: ex_desks[i].map(|d| d as u64),
            observed_center_days_per_year: (x.observed_users[i] >= u64::from(k)).then_some(observed[i]),
            center_days_before: before[i],
            center_days_after: after[i],
            co2e_kg_per_year_before: kg_before[i],
            co2e_kg_per_year_after: kg_after[i],
            desk_use_pct_after: ex_pct[i],
            over_capacity_after: ex_over[i],
        })
        .collect();

    let bins = table(tables, "plan_uptake_bins")?;
    let h = |n: &str| -> Result<Vec<f64>> { Ok(col_f64(bins, n)?.into_iter().map(|v| v.unwrap_or(0.0)).collect()) };
    let (lo, hi, mean, n, ob, pr, is) = (
        h("hours_saved_min")?,
        h("hours_saved_max")?,
        h("hours_saved_mean")?,
        h("employees")?,
        h("observed_days_per_year")?,
        h("predicted_days_per_year")?,
        h("isotonic_days_per_year")?,
    );
    let u = &r.uptake;
    let uptake = PlanUptake {
        fitted: u.kind == "fitted",
        fixed_days_per_year: u.fixed_days_per_year,
        max_days_per_year: u.max_days_per_year,
        max_days_se: u.max_days_se,
        rate_per_hour: u.rate_per_hour,
        rate_se: u.rate_se,
        r2: u.r2,
        rmse_days_per_year: u.rmse_days_per_year,
        observations: u.observations as u64,
        observed_mean_days_per_year: u.observed_mean_days_per_year,
        // A bin of fewer than k employees is not published (the fit's bins are equal-count, so
        // only a tiny study has one).
        bins: (0..lo.len())
            .filter(|&i| n[i] >= f64::from(k))
            .map(|i| PlanUptakeBin {
                hours_saved_min: lo[i],
                hours_saved_max: hi[i],
                hours_saved_mean: mean[i],
                employees: n[i] as u64,
                observed_days_per_year: ob[i],
                predicted_days_per_year: pr[i],
                isotonic_days_per_year: is[i],
            })
            .collect(),
    };

    let point = |label: &str, (la, lo): (f64, f64)| {
        let (east_m, north_m) = laea(la, lo);
        MapPoint { label: label.to_owned(), east_m, north_m }
    };
    let at = |i: usize| (lat[i].unwrap_or(0.0), lon[i].unwrap_or(0.0));
    let background = crate::report::Background::belgium().with_roads(&x.roads);
    let map = PlanMap {
        existing: ex_names.iter().zip(&x.existing_points).map(|(n, &p)| point(n, p)).collect(),
        chosen: chosen_rows.iter().map(|&i| point(&names[i], at(i))).collect(),
        others: others.iter().map(|&i| laea(at(i).0, at(i).1)).collect(),
        background: background.0,
        cells: x.catchment.0.clone(),
        cells_hidden: x.catchment.1,
        employees_hidden: x.catchment.2,
    };
    Ok(navette_reports::PlanReport {
        lang,
        study_name: r.study.clone(),
        period_from: cfg.study.from.to_string(),
        period_to: cfg.study.to.to_string(),
        objective: r.options.objective.code().to_owned(),
        boundary: r.boundary.to_owned(),
        factor_set: x.factor_set.clone(),
        rebound_share: cfg.method.rebound_share,
        k_anonymity: k,
        employees: r.employees as u64,
        existing_sites: r.existing_sites as u64,
        candidates_csv: r.candidates_csv as u64,
        candidates_generated: r.candidates_generated as u64,
        candidate_rejects: r.candidate_rejects as u64,
        demand_entries: r.demand_entries as u64,
        cutoff_km: r.options.cutoff_km,
        working_days_per_year: r.options.working_days_per_year,
        desks_default: u64::from(r.options.desks_default),
        uptake,
        chosen,
        runners_up,
        existing,
        baseline_objective: r.baseline_objective,
        chosen_objective: r.chosen_objective,
        upper_bound: r.upper_bound,
        max_gap_pct: r.max_gap_pct,
        swaps: r.swaps as u64,
        co2e_kg_per_year_existing: r.co2e_kg_per_year_existing,
        co2e_kg_per_year_plan: r.co2e_kg_per_year_plan,
        co2e_kg_per_year_plan_capped: r.co2e_kg_per_year_plan_capped,
        co2e_kg_per_year_plan_low: r.co2e_kg_per_year_plan_low,
        co2e_kg_per_year_plan_high: r.co2e_kg_per_year_plan_high,
        co2e_kg_per_year_plan_isotonic: r.co2e_kg_per_year_plan_isotonic,
        sites_over_capacity: r.sites_over_capacity as u64,
        map: Some(map),
    })
}

/// The running totals of the chosen sites by candidate id, read from the view
/// `plan_opening_curve` of the plan's warehouse.
fn opening_curve(db: &Path) -> Result<std::collections::BTreeMap<String, navette_reports::PlanCumulative>> {
    let conn = duckdb::Connection::open(db).with_context(|| format!("cannot open {}", db.display()))?;
    // One thread: the running sums then add up in one order, so reruns give the same digits.
    conn.execute_batch("SET threads = 1;")?;
    let mut stmt = conn.prepare(
        "SELECT candidate_id, cumulative_co2e_kg_per_year, cumulative_co2e_kg_per_year_low,
                cumulative_co2e_kg_per_year_high, cumulative_km_per_year, cumulative_hours_per_year
         FROM plan_opening_curve ORDER BY open_order",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>("candidate_id")?,
            navette_reports::PlanCumulative {
                co2e_kg_per_year: r.get("cumulative_co2e_kg_per_year")?,
                co2e_kg_per_year_low: r.get("cumulative_co2e_kg_per_year_low")?,
                co2e_kg_per_year_high: r.get("cumulative_co2e_kg_per_year_high")?,
                km_per_year: r.get("cumulative_km_per_year")?,
                hours_per_year: r.get("cumulative_hours_per_year")?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The catchment cells of the plan: the people who would use a site with the plan, counted on
/// the 1 km grid by home, coarsened and suppressed like the reports' maps (`coarsen`), each
/// published cell described by its people's expected center days and the site most of those
/// days go to (`open_order` of a new site; `None`: an existing one). Ties: the lower site index.
fn catchment(
    persons: &[navette_plan::PersonUse],
    homes: &[(f64, f64)],
    n_existing: usize,
    open_order: impl Fn(u32) -> Option<u32>,
    k: u32,
) -> (Vec<navette_reports::CatchmentCell>, u64, u64) {
    use std::collections::BTreeMap;
    // Per 1 km cell (east, north): people, and their expected center days per site used.
    type Users = (u64, BTreeMap<u32, f64>);
    let mut by_cell: BTreeMap<(i64, i64), Users> = BTreeMap::new();
    for u in persons {
        let (la, lo) = homes[u.person as usize];
        let c = Cell::of(la, lo);
        let e = by_cell.entry((c.east_m, c.north_m)).or_default();
        e.0 += 1;
        *e.1.entry(u.site).or_default() += u.center_days_per_year;
    }
    let cells: Vec<((i64, i64), Users)> = by_cell.into_iter().collect();
    let counts: Vec<(i64, i64, u64)> = cells.iter().map(|((e, n), (c, _))| (*e, *n, *c)).collect();
    let (published, hidden, people) = coarsen_members(&counts, k);
    let out = published
        .into_iter()
        .map(|(cell, members)| {
            let mut days: BTreeMap<u32, f64> = BTreeMap::new();
            for i in members {
                for (&s, &d) in &cells[i].1.1 {
                    *days.entry(s).or_default() += d;
                }
            }
            let main = days.iter().fold(None, |best: Option<(u32, f64)>, (&s, &d)| match best {
                Some((_, bd)) if bd >= d => best,
                _ => Some((s, d)),
            });
            navette_reports::CatchmentCell {
                east_m: cell.east_m,
                north_m: cell.north_m,
                size_m: cell.size_m,
                employees: cell.employees,
                center_days_per_year: days.values().sum(),
                main_new_site: main.and_then(|(s, _)| if (s as usize) < n_existing { None } else { open_order(s) }),
            }
        })
        .collect();
    (out, hidden, people)
}

/// The planner's reports in `reports/plan/`: `plan_fr`, `plan_nl`, `plan_en` (`.html` and
/// `.pdf`), `index.html` listing them (in the study's language, first), and the chosen sites as
/// CSV (`chosen_sites.csv`). Only site-level figures and k-anonymous cells: no person appears.
fn write_plan_report(
    dir: &Path,
    db: &Path,
    r: &PlanReport,
    tables: &[(&'static str, DataFrame)],
    inputs: &ReportInputs,
) -> Result<()> {
    use navette_reports::Lang;
    use rayon::prelude::*;
    let k = inputs.study.config.privacy.k_anonymity;
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
    let study_lang = Lang::parse(&inputs.study.config.study.language).context("languages are checked at load")?;
    let mut langs = vec![study_lang];
    langs.extend([Lang::Fr, Lang::Nl, Lang::En].into_iter().filter(|l| *l != study_lang));
    let curve = opening_curve(db)?;
    let models: Vec<navette_reports::PlanReport> =
        langs.iter().map(|&l| report_model(l, r, tables, &curve, inputs)).collect::<Result<_>>()?;
    // Typesetting recurses as deep as a document nests: big stacks, as `run::write_reports`.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(super::RENDER_STACK_BYTES)
        .thread_name(|i| format!("navette-plan-render-{i}"))
        .build()
        .context("cannot start the report rendering threads")?;
    pool.install(|| {
        models
            .par_iter()
            .map(|m| -> Result<()> {
                let name = format!("plan_{}", m.lang.code());
                let html = navette_reports::render_plan_html(m).with_context(|| format!("rendering {name}.html"))?;
                let pdf = navette_reports::render_plan_pdf(m).with_context(|| format!("rendering {name}.pdf"))?;
                std::fs::write(dir.join(format!("{name}.html")), html)
                    .with_context(|| format!("cannot write {name}.html"))?;
                std::fs::write(dir.join(format!("{name}.pdf")), pdf)
                    .with_context(|| format!("cannot write {name}.pdf"))?;
                Ok(())
            })
            .collect::<Result<Vec<()>>>()
    })?;
    let entries: Vec<(Lang, String)> = langs.iter().map(|l| (*l, format!("plan_{}.html", l.code()))).collect();
    let index = navette_reports::render_plan_index_html(study_lang, &r.study, &entries)?;
    std::fs::write(dir.join("index.html"), index)?;
    Ok(())
}
