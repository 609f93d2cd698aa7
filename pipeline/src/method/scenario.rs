//! Scenarios: variants of the method computed on the same checked inputs, so that sensitivity is
//! a `GROUP BY scenario` in the warehouse rather than a rerun by hand.
//!
//! A scenario is the study with some `method.*` options (or `inputs.factors`) overridden. Inputs
//! are read and checked once; each variant recomputes only the stages its options touch:
//!
//! | option | recomputed from |
//! |---|---|
//! | `duplicate_window_s`, `max_visit_hours`, `open_visit_hours` | visit pairing (the events) |
//! | `min_hours_office_day` | center days |
//! | `carpool_occupancy` | employees' occupancies, then legs |
//! | `factor_set`, `inputs.factors`, `estimate` | legs (routed legs reuse the base run's network) |
//! | `boundary`, `rebound_share` | day impacts |
//!
//! Legs and day impacts are cheap and always recomputed; pairing and center days are reused
//! when the options they depend on are those of the base run. A run computes a scenario's day
//! impacts a slice of center days at a time ([`prepare`], [`Prepared::impacts`]), so that it never
//! holds a whole scenario's rows.

use std::borrow::Cow;
use std::ops::Range;

use polars::prelude::*;

use crate::config::MethodConfig;
use crate::input::ingest::{Events, Inputs};
use crate::method::estimate::effective_bands;
use crate::method::factors::FactorSet;
use crate::method::impact::{self, LegError};
use crate::method::{rebound, visits};

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Scenario name (the `scenario` column).
    pub name: String,
    /// The overrides, as given.
    pub sets: Vec<String>,
    /// The method options in force.
    pub method: MethodConfig,
    /// Version of the factor set used.
    pub factor_set_version: String,
    /// Day impacts, as `impact::day_impacts` then `rebound::apply` give them; empty when they were
    /// written as they were computed (`navette run`).
    pub impacts: DataFrame,
    /// Day-impact rows (also when `impacts` was written and freed).
    pub rows: usize,
}

/// What the base run computed that a scenario may reuse.
pub struct Base<'a> {
    /// The base run's method options.
    pub method: &'a MethodConfig,
    /// The accepted events, kept only when some scenario pairs visits differently.
    pub events: Option<&'a Events>,
    /// The base run's center days, in the order of `employee_order`.
    pub days: &'a DataFrame,
    /// The order of the rows of center days: each employee's rank (by employee index), the rows
    /// of one employee by day; `None`: by employee index, as `visits::center_days` gives them.
    /// Center days counted again are put in this order, and day impacts follow their days.
    pub employee_order: Option<&'a [u32]>,
    /// The base run's routing engines (their options included): legs computed again use them.
    pub engines: crate::routing::Engines<'a>,
    /// The base run's legs as day impacts join them, and the version of the factor set they were
    /// priced with: a scenario with the same occupancies, estimate bands and factors, whose center
    /// days are the base run's or go to the same (employee, site) pairs, has the same legs
    /// (boundary and rebound apply to day impacts only).
    pub legs: Option<(&'a impact::LegSides, &'a str)>,
}

/// A scenario could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Legs failed (a mode without a factor in the scenario's factor set).
    #[error(transparent)]
    Legs(#[from] LegError),
    /// Frame error (a bug).
    #[error(transparent)]
    Polars(#[from] PolarsError),
    /// The events were not kept although the scenario re-pairs visits (a bug).
    #[error("scenario needs the events to pair visits again, but they were not kept")]
    NoEvents,
}

/// Whether visits paired under `a` and `b` can differ.
pub fn pairing_differs(a: &MethodConfig, b: &MethodConfig) -> bool {
    a.duplicate_window_s != b.duplicate_window_s
        || a.max_visit_hours != b.max_visit_hours
        || a.open_visit_hours != b.open_visit_hours
}

/// Day impacts of the inputs under `method` and `factors`, reusing what `base` computed where the
/// options agree: [`prepare`], then the impacts of every center day.
pub fn day_impacts(
    base: &Base<'_>,
    inputs: &mut Inputs,
    method: &MethodConfig,
    factors: &FactorSet,
) -> Result<DataFrame, ScenarioError> {
    let prepared = prepare(base, inputs, method, factors)?;
    prepared.impacts(0..prepared.days.height())
}

/// A scenario's center days and legs, from which its day impacts are computed a slice of center
/// days at a time.
pub struct Prepared<'a> {
    /// The scenario's center days: the base run's, or counted again (in `Base::employee_order`).
    pub days: Cow<'a, DataFrame>,
    sides: impact::LegSides,
    boundary: crate::config::Boundary,
    rebound_share: f64,
}

impl Prepared<'_> {
    /// The day impacts of the center days `rows` (`impact::day_impacts` then `rebound::apply`), in
    /// their order. The impacts of consecutive slices, stacked, are those of all the days.
    pub fn impacts(&self, rows: Range<usize>) -> Result<DataFrame, ScenarioError> {
        let days = self.days.slice(rows.start as i64, rows.len());
        let impacts = impact::day_impacts_with(&days, &self.sides, self.boundary)?;
        Ok(rebound::apply(impacts, self.rebound_share)?)
    }
}

/// The center days and legs of the inputs under `method` and `factors`, reusing what `base`
/// computed where the options agree. `inputs` is borrowed mutably only to swap in the employees'
/// occupancies under a different `carpool_occupancy`; it is left as it was found.
pub fn prepare<'a>(
    base: &Base<'a>,
    inputs: &mut Inputs,
    method: &MethodConfig,
    factors: &FactorSet,
) -> Result<Prepared<'a>, ScenarioError> {
    let repair = pairing_differs(base.method, method);
    let days = if repair {
        let events = base.events.ok_or(ScenarioError::NoEvents)?;
        // The visits paired again are freed once their days are counted.
        let visits = visits::pair_visits(events, method)?.0;
        let recounted = visits::center_days(&visits, method)?;
        Cow::Owned(match base.employee_order {
            Some(rank) => visits::order_by_employee_rank(&recounted, rank)?,
            None => recounted,
        })
    } else if base.method.min_hours_office_day != method.min_hours_office_day {
        // The same days (in the base run's order), but for `replaces_office_day`.
        Cow::Owned(visits::with_office_day_threshold(base.days, method)?)
    } else {
        Cow::Borrowed(base.days)
    };
    // A leg depends on its employee (occupancies), its site, the bands and the factors alone: the
    // base run's legs serve center days counted again whose (employee, site) pairs it has.
    if let Some((sides, version)) = base.legs
        && base.method.carpool_occupancy == method.carpool_occupancy
        && base.method.estimate == method.estimate
        && factors.version == version
        && (matches!(days, Cow::Borrowed(_)) || sides.cover(&days)?)
    {
        return Ok(Prepared {
            days,
            sides: sides.clone(),
            boundary: method.boundary,
            rebound_share: method.rebound_share,
        });
    }
    let bands = effective_bands(&method.estimate);
    let original = (base.method.carpool_occupancy != method.carpool_occupancy).then(|| {
        let adjusted =
            inputs.employees.iter().map(|e| e.with_carpool_occupancy(method.carpool_occupancy)).collect::<Vec<_>>();
        std::mem::replace(&mut inputs.employees, adjusted)
    });
    let legs = impact::legs(inputs, &days, factors, &bands, base.engines);
    if let Some(original) = original {
        inputs.employees = original;
    }
    let sides = impact::LegSides::new(&legs?)?;
    Ok(Prepared { days, sides, boundary: method.boundary, rebound_share: method.rebound_share })
}
