//! Site planning inputs: what a center day at each existing or candidate site would save each
//! employee against an office day, and what each employee was observed to do, for the solver of
//! `navette-plan`.
//!
//! The saving per day is [`office_day_saving`], the function that gives the potential of the
//! nearest site (`potential`): the office and site legs estimated and rounded as legs are, priced
//! with the same factors, in the study's boundary, less the study's rebound share. Planning has
//! no method of its own.

use chrono::{Datelike, NaiveDate, Weekday};
use navette_plan::{Demand, PlanError, Saving, UptakeObservation};
use polars::prelude::*;
use rayon::prelude::*;

use crate::config::Boundary;
use crate::input::ingest::Inputs;
use crate::method::estimate::{BandSource, crow_m};
use crate::method::factors::FactorSet;
use crate::method::impact::LegError;
use crate::method::potential::{office_day_saving, office_leg, site_leg};

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

/// One row per employee (input order, weight 1): every site of `sites` ((lat, lon); existing
/// sites first, then candidates: the ids are the indices) within the cutoff where a center day
/// saves kg CO2e, km or hours against an office day.
pub fn demand(
    inputs: &Inputs,
    sites: &[(f64, f64)],
    factors: &FactorSet,
    bands: &[BandSource],
    opt: SavingOptions,
) -> Result<Demand, PlanInputError> {
    let rows: Vec<Result<Vec<(u32, Saving)>, LegError>> = inputs
        .employees
        .par_iter()
        .map(|e| {
            let office = office_leg(e, bands);
            let mut row = Vec::new();
            for (j, &p) in sites.iter().enumerate() {
                if crow_m(e.home, p) > opt.cutoff_km * 1000.0 {
                    continue;
                }
                let d = office_day_saving(e, office, site_leg(e, p, bands), factors)?.with_rebound(opt.rebound_share);
                let co2e = d.co2e_kg(opt.boundary);
                if co2e > 0.0 || d.km > 0.0 || d.hours > 0.0 {
                    row.push((j as u32, Saving { co2e_kg: co2e as f32, km: d.km as f32, hours: d.hours as f32 }));
                }
            }
            Ok(row)
        })
        .collect();
    let mut demand = Demand::new(sites.len() as u32);
    for row in rows {
        demand.push_person(1.0, &row?)?;
    }
    Ok(demand)
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
