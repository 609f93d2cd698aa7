//! Site planning inputs: what a center day at each existing or candidate site would save each
//! employee against an office day, and what each employee was observed to do, for the solver of
//! `navette-plan`.
//!
//! The saving per day is [`office_day_saving`], the function that gives the potential of the
//! nearest site (`potential`), over the office and site legs as the run computes them
//! ([`resolve_leg`]: routed on the study's roads, timetables or through stations when it has
//! them, estimated otherwise; rounded as legs are; priced with the same factors), in the study's
//! boundary, less the study's rebound share. Planning has no method of its own.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};
use navette_plan::{Demand, PlanError, Saving, UptakeObservation};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use crate::config::Boundary;
use crate::input::ingest::Inputs;
use crate::method::estimate::{BandSource, crow_m};
use crate::method::factors::{FactorError, FactorSet};
use crate::method::impact::{LegError, resolve_leg};
use crate::method::potential::{LEGS_PER_BATCH, office_day_saving, office_legs};
use crate::routing::{Engines, LegRequest};
use crate::schema::{LegKind, LegMethod};

/// Why the planning inputs cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum PlanInputError {
    /// A leg cannot be priced (a factor is missing).
    #[error(transparent)]
    Leg(#[from] LegError),
    /// The solver refused a row.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// A frame lacks a column.
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// How savings are computed.
#[derive(Debug, Clone, Copy)]
pub struct SavingOptions {
    /// CO2e boundary of the study.
    pub boundary: Boundary,
    /// `method.rebound_share`.
    pub rebound_share: f64,
    /// Sites farther than this from home (great circle, km) are left out of a person's row.
    pub cutoff_km: f64,
}

/// How the legs behind the demand were computed: person × site legs within the cutoff and
/// office legs, routed (on roads or timetables, or through stations) or estimated, and why legs
/// an engine could serve kept the estimate.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DemandLegs {
    /// Office legs (one per employee) routed or through stations.
    pub office_routed: u64,
    /// Office legs estimated.
    pub office_estimated: u64,
    /// Person × site legs within the cutoff routed or through stations.
    pub site_routed: u64,
    /// Person × site legs within the cutoff estimated.
    pub site_estimated: u64,
    /// Reason → legs (office and site) that kept the estimate for it, by reason code.
    pub unrouted_reasons: BTreeMap<&'static str, u64>,
    /// Per site (the ids of `demand`): its legs routed.
    #[serde(skip)]
    pub per_site_routed: Vec<u32>,
    /// Per site: its legs estimated.
    #[serde(skip)]
    pub per_site_estimated: Vec<u32>,
}

impl DemandLegs {
    fn count(&mut self, method: LegMethod, reason: Option<&'static str>, site: Option<usize>) {
        let routed = method != LegMethod::Estimated;
        match (site, routed) {
            (None, true) => self.office_routed += 1,
            (None, false) => self.office_estimated += 1,
            (Some(j), true) => {
                self.site_routed += 1;
                self.per_site_routed[j] += 1;
            }
            (Some(j), false) => {
                self.site_estimated += 1;
                self.per_site_estimated[j] += 1;
            }
        }
        if let Some(r) = reason {
            *self.unrouted_reasons.entry(r).or_default() += 1;
        }
    }
}

/// One row per employee (input order, weight 1): every site of `sites` ((lat, lon); existing
/// sites first, then candidates: the ids are the indices) within the cutoff where a center day
/// saves kg CO2e, km or hours against an office day.
///
/// The legs are the run's ([`resolve_leg`]): with the study's engines, the office legs and the
/// person × site legs are routed on its roads, timetables or through stations, the estimate
/// otherwise; the legs of a batch of whole sites are asked of the engines at once, so each site
/// is one tree per road profile and one pair of scans on the timetables, whatever its number of
/// people.
pub fn demand(
    inputs: &Inputs,
    sites: &[(f64, f64)],
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
    opt: SavingOptions,
) -> Result<(Demand, DemandLegs), PlanInputError> {
    demand_in(inputs, sites, factors, bands, engines, opt, LEGS_PER_BATCH)
}

fn demand_in(
    inputs: &Inputs,
    sites: &[(f64, f64)],
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
    opt: SavingOptions,
    legs_per_batch: usize,
) -> Result<(Demand, DemandLegs), PlanInputError> {
    let employees = &inputs.employees;
    let mut counts = DemandLegs {
        per_site_routed: vec![0; sites.len()],
        per_site_estimated: vec![0; sites.len()],
        ..DemandLegs::default()
    };
    // Office legs, as the run computes them.
    let office = office_legs(inputs, factors, bands, engines)?;
    for leg in &office {
        counts.count(leg.method, leg.reason, None);
    }
    // The employees within the cutoff of each site, in employee order.
    let cutoff_m = opt.cutoff_km * 1000.0;
    let near: Vec<Vec<u32>> = employees
        .par_iter()
        .map(|e| (0..sites.len() as u32).filter(|&j| crow_m(e.home, sites[j as usize]) <= cutoff_m).collect())
        .collect();
    let mut by_site: Vec<Vec<u32>> = vec![Vec::new(); sites.len()];
    for (i, js) in near.into_iter().enumerate() {
        for j in js {
            by_site[j as usize].push(i as u32);
        }
    }
    let mut rows: Vec<Vec<(u32, Saving)>> = vec![Vec::new(); employees.len()];
    // Sites done (a bar on a terminal: 2,000 candidates on a country take a while).
    let progress = crate::progress::Progress::new("plan legs", sites.len() as u64, 200);
    let mut first = 0;
    while first < sites.len() {
        // Whole sites, in site order, up to `legs_per_batch` legs (at least one site).
        let (mut last, mut n) = (first, 0);
        while last < sites.len() && (last == first || n + by_site[last].len() <= legs_per_batch) {
            n += by_site[last].len();
            last += 1;
        }
        let pairs: Vec<(u32, u32)> =
            (first..last).flat_map(|j| by_site[j].iter().map(move |&i| (i, j as u32))).collect();
        let requests: Vec<LegRequest> = pairs
            .iter()
            .map(|&(i, j)| {
                let e = &employees[i as usize];
                LegRequest { mode: e.center_mode, home: e.home, dest: sites[j as usize] }
            })
            .collect();
        let answers = engines.route(&requests);
        let priced: Vec<(LegMethod, Option<&'static str>, Option<Saving>)> = pairs
            .par_iter()
            .zip(requests.par_iter())
            .zip(answers.into_par_iter())
            .map(|((&(i, _), q), a)| -> Result<_, FactorError> {
                let e = &employees[i as usize];
                let leg = resolve_leg(q, e, LegKind::Center, a, factors, bands, engines)?;
                let d = office_day_saving(&office[i as usize], &leg).with_rebound(opt.rebound_share);
                let co2e = d.co2e_kg(opt.boundary);
                let saving = (co2e > 0.0 || d.km > 0.0 || d.hours > 0.0).then_some(Saving {
                    co2e_kg: co2e as f32,
                    km: d.km as f32,
                    hours: d.hours as f32,
                });
                Ok((leg.method, leg.reason, saving))
            })
            .collect::<Result<_, _>>()
            .map_err(LegError::from)?;
        for (&(i, j), (method, reason, saving)) in pairs.iter().zip(priced) {
            counts.count(method, reason, Some(j as usize));
            if let Some(s) = saving {
                rows[i as usize].push((j, s));
            }
        }
        progress.inc((last - first) as u64);
        first = last;
    }
    progress.finish();
    let mut demand = Demand::new(sites.len() as u32);
    for row in rows {
        demand.push_person(1.0, &row)?;
    }
    Ok((demand, counts))
}

/// Monday to Friday days from `from` to `to` inclusive.
pub fn weekdays(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days().take_while(|d| *d <= to).filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)).count()
        as u32
}

/// Observed center days that replace an office day, per employee and per site (main site of the
/// day), from the center-days frame.
pub fn observed_days(days: &DataFrame, n_employees: usize, n_sites: usize) -> PolarsResult<(Vec<u32>, Vec<u32>)> {
    let employee = days.column("employee")?.u32()?;
    let site = days.column("main_site")?.u32()?;
    let replaces = days.column("replaces_office_day")?.bool()?;
    let (mut per_employee, mut per_site) = (vec![0u32; n_employees], vec![0u32; n_sites]);
    let (employee, site): (Vec<u32>, Vec<u32>) =
        (employee.into_no_null_iter().collect(), site.into_no_null_iter().collect());
    for (i, (&e, &s)) in employee.iter().zip(&site).enumerate() {
        if replaces.get(i) == Some(true) {
            per_employee[e as usize] += 1;
            per_site[s as usize] += 1;
        }
    }
    Ok((per_employee, per_site))
}

/// One observation per employee for the uptake fit: the hours a day at their best existing site
/// (ids `< n_existing`) saves (0 when none within the cutoff saves time) and their observed days,
/// annualised by `per_year` (working days per year / weekdays of the study period). Employees who
/// never badged are in, with 0 days: otherwise the curve describes users only.
pub fn uptake_observations(
    demand: &Demand,
    n_existing: u32,
    observed: &[u32],
    per_year: f64,
) -> Vec<UptakeObservation> {
    (0..demand.n_persons() as u32)
        .map(|i| {
            let (sites, savings) = demand.row(i);
            let best = sites
                .iter()
                .zip(savings)
                .filter(|(s, _)| **s < n_existing)
                .map(|(_, v)| v.hours as f64)
                .fold(0.0f64, f64::max);
            UptakeObservation { saving: best, days_per_year: observed[i as usize] as f64 * per_year }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_of_a_period() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // 2026-01-01 is a Thursday: Thu, Fri, (Sat, Sun), Mon–Fri = 7 weekdays in 11 days.
        assert_eq!(weekdays(d("2026-01-01"), d("2026-01-11")), 7);
        assert_eq!(weekdays(d("2026-01-03"), d("2026-01-04")), 0);
        // First half of 2026: 181 days, 26 weeks minus one day: 129 weekdays.
        assert_eq!(weekdays(d("2026-01-01"), d("2026-06-30")), 129);
    }

    /// Without engines every leg is the estimate, whatever the batches: each row holds the sites
    /// within the cutoff that save something, in site order, with the saving of the potential's
    /// function; the legs are counted as estimated, per site too.
    #[test]
    fn demand_without_engines_prices_estimated_legs_in_any_batches() {
        use crate::input::ingest::{Employee, HomeSource};
        use crate::input::quality::Ledger;
        use crate::method::estimate::default_bands;
        use crate::method::mode::{CarSize, Fuel, Mode};
        use crate::method::potential::{office_leg, site_leg};
        let person = |id: &str, lat: f64, mode: Mode| Employee {
            employee_id: id.into(),
            company: 0,
            home: (lat, 4.0),
            home_source: HomeSource::Coordinates,
            commute_mode: mode,
            center_mode: mode,
            car_fuel: Fuel::Diesel,
            car_size: CarSize::Average,
            commute_occupancy: 1.0,
            center_occupancy: 1.0,
            declared_occupancy: None,
            office: (50.5, 4.0),
            own_office: false,
        };
        let inputs = Inputs {
            sites: Vec::new(),
            companies: Vec::new(),
            employees: vec![
                person("A", 50.30, Mode::Car),
                person("B", 50.02, Mode::Bike),
                person("C", 50.49, Mode::Car),
            ],
            cards: Vec::new(),
            card_ids: Vec::new(),
            events: Default::default(),
            log_files: Vec::new(),
            ledger: Ledger::default(),
        };
        let sites = [(50.0, 4.0), (50.30, 4.0), (50.025, 4.0), (49.5, 4.0)];
        let factors = FactorSet::load("be-2025", None, &mut Ledger::default()).unwrap();
        let bands = default_bands();
        let opt = SavingOptions { boundary: Boundary::Wtw, rebound_share: 0.25, cutoff_km: 40.0 };
        let (d, legs) = demand(&inputs, &sites, &factors, &bands, Engines::default(), opt).unwrap();
        for batch in [1, 2, 5] {
            let (again, legs_again) =
                demand_in(&inputs, &sites, &factors, &bands, Engines::default(), opt, batch).unwrap();
            assert_eq!(legs_again, legs, "batch {batch}");
            for i in 0..3 {
                assert_eq!(again.row(i), d.row(i), "batch {batch}, person {i}");
            }
        }
        // Within 40 km: A → sites 0, 1, 2 (site 3 is 89 km away), B → 0, 1, 2, C → 1.
        assert_eq!((legs.office_routed, legs.office_estimated, legs.site_routed, legs.site_estimated), (0, 3, 0, 7));
        assert_eq!(
            (legs.per_site_estimated.as_slice(), legs.per_site_routed.as_slice()),
            (&[2, 3, 2, 0][..], &[0; 4][..])
        );
        assert!(legs.unrouted_reasons.is_empty());
        for (i, e) in inputs.employees.iter().enumerate() {
            let office = office_leg(e, &factors, &bands).unwrap();
            let mut want = Vec::new();
            for (j, &p) in sites.iter().enumerate() {
                if crow_m(e.home, p) > 40_000.0 {
                    continue;
                }
                let s = office_day_saving(&office, &site_leg(e, p, &factors, &bands).unwrap()).with_rebound(0.25);
                if s.co2e_wtw_kg > 0.0 || s.km > 0.0 || s.hours > 0.0 {
                    want.push((
                        j as u32,
                        Saving { co2e_kg: s.co2e_wtw_kg as f32, km: s.km as f32, hours: s.hours as f32 },
                    ));
                }
            }
            let (js, savings) = d.row(i as u32);
            let got: Vec<(u32, Saving)> = js.iter().copied().zip(savings.iter().copied()).collect();
            assert_eq!(got, want, "person {i}");
        }
        // A saves at the site on the cluster (0 km there), C (beside the office) nowhere.
        assert!(d.row(0).0.contains(&1) && d.row(2).0.is_empty());
    }

    #[test]
    fn observations_take_the_best_existing_site_and_keep_non_users() {
        let s = |h: f32| Saving { co2e_kg: 1.0, km: 1.0, hours: h };
        let mut d = Demand::new(3);
        d.push_person(1.0, &[(0, s(0.5)), (1, s(0.8)), (2, s(2.0))]).unwrap();
        d.push_person(1.0, &[(2, s(1.0))]).unwrap();
        let obs = uptake_observations(&d, 2, &[10, 0], 2.0);
        assert_eq!(obs[0], UptakeObservation { saving: 0.800000011920929, days_per_year: 20.0 });
        assert_eq!(obs[1], UptakeObservation { saving: 0.0, days_per_year: 0.0 });
    }
}
