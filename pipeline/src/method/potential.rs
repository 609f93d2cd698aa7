//! Potential: what each employee — user of the centers or not — would save on a day worked at
//! the nearest site instead of the office. It answers "whose staff would gain most from a center
//! near them" without any badge data, with the same legs and factors as the run.
//!
//! For every employee: the site with the shortest one-way leg by their center mode, legs as the
//! run resolves them ([`resolve_leg`]: routed when the study has roads, timetables or stations,
//! else estimated; ties: the site listed first), both one-way distances rounded to whole km as
//! legs are, and the round-trip differences office − nearest site in km, hours and kg CO2e (both
//! boundaries). A positive value is a saving on each office day replaced; the occupancies are
//! those of the legs (declared for the commute, alone by car to a center).

use polars::prelude::*;

use crate::input::ingest::{Employee, Inputs};
use crate::method::estimate::BandSource;
use crate::method::factors::FactorSet;
use crate::method::impact::{Leg, LegError, resolve_leg};
use crate::routing::{Answer, Engines, LegRequest};
use crate::schema::{LegKind, LegMethod};

/// What one center day at a site saves against one office day (round trip, per person): the
/// potential of the nearest site and the savings of site planning (`method::plan`) both come from
/// here, so planning uses the method of the legs and nothing else.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DaySaving {
    /// One-way office distance, km (rounded as legs are).
    pub office_km: f64,
    /// One-way site distance, km (rounded as legs are).
    pub site_km: f64,
    /// One-way office time, hours.
    pub office_h: f64,
    /// One-way office trip, kg CO2e tank-to-wheel.
    pub office_co2e_ttw_kg: f64,
    /// One-way office trip, kg CO2e well-to-wheel.
    pub office_co2e_wtw_kg: f64,
    /// Person-km saved per day replaced (round trip).
    pub km: f64,
    /// Hours saved per day replaced (round trip).
    pub hours: f64,
    /// kg CO2e saved per day, tank-to-wheel.
    pub co2e_ttw_kg: f64,
    /// kg CO2e saved per day, well-to-wheel.
    pub co2e_wtw_kg: f64,
}

impl DaySaving {
    /// The kg CO2e saved within a boundary.
    pub fn co2e_kg(&self, boundary: crate::config::Boundary) -> f64 {
        match boundary {
            crate::config::Boundary::Ttw => self.co2e_ttw_kg,
            crate::config::Boundary::Wtw => self.co2e_wtw_kg,
        }
    }

    /// The saving once `method.rebound_share` of the office round trip is travelled anyway on
    /// the center day (`rebound::apply` on day impacts): each figure less share × office round trip.
    pub fn with_rebound(self, share: f64) -> DaySaving {
        DaySaving {
            km: self.km - share * 2.0 * self.office_km,
            hours: self.hours - share * 2.0 * self.office_h,
            co2e_ttw_kg: self.co2e_ttw_kg - share * 2.0 * self.office_co2e_ttw_kg,
            co2e_wtw_kg: self.co2e_wtw_kg - share * 2.0 * self.office_co2e_wtw_kg,
            ..self
        }
    }
}

/// An employee's one-way office leg (commute mode), estimated: [`resolve_leg`] with no engine.
pub fn office_leg(e: &Employee, factors: &FactorSet, bands: &[BandSource]) -> Result<Leg, LegError> {
    let q = LegRequest { mode: e.commute_mode, home: e.home, dest: e.office };
    Ok(resolve_leg(&q, e, LegKind::Office, Answer::default(), factors, bands, Engines::default())?)
}

/// An employee's one-way leg to a site at `site` (center mode), estimated: [`resolve_leg`] with
/// no engine.
pub fn site_leg(e: &Employee, site: (f64, f64), factors: &FactorSet, bands: &[BandSource]) -> Result<Leg, LegError> {
    let q = LegRequest { mode: e.center_mode, home: e.home, dest: site };
    Ok(resolve_leg(&q, e, LegKind::Center, Answer::default(), factors, bands, Engines::default())?)
}

/// Office round trip − site round trip for one employee, from the two one-way legs as
/// [`resolve_leg`] computed them (rounded, each priced with its own factor: the occupancies of
/// the legs, declared for the commute, alone by car to a center).
pub fn office_day_saving(office: &Leg, site: &Leg) -> DaySaving {
    let (fo, fc) = (&office.factor, &site.factor);
    let (ok, nk) = (office.est.distance_m / 1000.0, site.est.distance_m / 1000.0);
    DaySaving {
        office_km: ok,
        site_km: nk,
        office_h: office.est.duration_s / 3600.0,
        office_co2e_ttw_kg: ok * fo.ttw_kg_per_km,
        office_co2e_wtw_kg: ok * (fo.ttw_kg_per_km + fo.wtt_kg_per_km),
        km: 2.0 * (ok - nk),
        hours: 2.0 * (office.est.duration_s - site.est.duration_s) / 3600.0,
        co2e_ttw_kg: 2.0 * (ok * fo.ttw_kg_per_km - nk * fc.ttw_kg_per_km),
        co2e_wtw_kg: 2.0 * (ok * (fo.ttw_kg_per_km + fo.wtt_kg_per_km) - nk * (fc.ttw_kg_per_km + fc.wtt_kg_per_km)),
    }
}

/// Person × site legs resolved at a time (the potential here, site planning in `plan`): whole
/// sites, so that each site costs one search per profile; bounds the engines' answers held at
/// once.
pub(crate) const LEGS_PER_BATCH: usize = 1 << 19;

/// Every employee's one-way office leg (commute mode), as the run computes it: asked of the
/// engines in one call (one tree per office and road profile), with progress on a terminal.
pub fn office_legs(
    inputs: &Inputs,
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
) -> Result<Vec<Leg>, LegError> {
    use rayon::prelude::*;
    let employees = &inputs.employees;
    let requests: Vec<LegRequest> =
        employees.iter().map(|e| LegRequest { mode: e.commute_mode, home: e.home, dest: e.office }).collect();
    Ok(requests
        .par_iter()
        .zip(employees.par_iter())
        .zip(engines.route_showing_progress(&requests).into_par_iter())
        .map(|((q, e), a)| resolve_leg(q, e, LegKind::Office, a, factors, bands, engines))
        .collect::<Result<_, _>>()?)
}

/// One row per employee (`employee, nearest_site, office_km, nearest_site_km, office_h,
/// nearest_site_h, potential_km, potential_h, potential_co2e_ttw_kg, potential_co2e_wtw_kg,
/// method, office_method, nearest_site_method`); `office_*` and `nearest_site_*` are one way,
/// `potential_*` per office day replaced (round trips). Empty when the study has no sites.
///
/// Legs are the run's ([`resolve_leg`] over `engines`): routed on the roads and timetables, or
/// through stations, when the study has them, else estimated. The nearest site is the one with
/// the shortest leg by the center mode (ties: the site listed first), so every employee's leg to
/// every site is asked, a batch of whole sites at a time (one tree per road profile per site).
/// `center_pairs` (sorted `(employee, site)`) are the legs the run's center days need: their
/// answers stay in the engines' memo for `impact::legs`. `method` is the less exact of the two
/// legs (`estimated` if either kept the estimate, else `stations` if either went through
/// stations, else `routed`).
pub fn employee_potential(
    inputs: &Inputs,
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
    center_pairs: &[(u32, u32)],
) -> Result<DataFrame, LegError> {
    use rayon::prelude::*;
    let employees = &inputs.employees;
    let sites: Vec<(f64, f64)> = inputs.sites.iter().map(|s| (s.lat, s.lon)).collect();
    if sites.is_empty() {
        return frame(Vec::new());
    }
    // The run's legs ask for every employee's office leg too: the memo keeps them all.
    let office = office_legs(inputs, factors, bands, engines)?;
    let mut best: Vec<Option<(u32, Leg)>> = vec![None; employees.len()];
    let per_site = employees.len().max(1);
    // Whole sites a batch, bounded by LEGS_PER_BATCH, but at least two rounds of
    // `navette_road::TREE_LANES` trees per thread, so that a batch's road trees share their
    // sweeps four sites at a time on every thread (a batch of a few sites grows one tree a
    // sweep); the batches of even size, so that the last is not a small one.
    let least = 2 * navette_road::TREE_LANES * rayon::current_num_threads();
    let batches = sites.len().div_ceil((LEGS_PER_BATCH / per_site).max(least));
    let sites_per_batch = sites.len().div_ceil(batches);
    let progress = crate::progress::Progress::new("potential legs", sites.len() as u64, 200);
    for first in (0..sites.len()).step_by(sites_per_batch) {
        let last = (first + sites_per_batch).min(sites.len());
        let n = last - first;
        // Employee by employee, the batch's sites in order: the pair of request k. (The engines
        // group requests by destination, so the order changes no answer.)
        let pair = |k: usize| ((k / n) as u32, (first + k % n) as u32);
        let requests: Vec<LegRequest> = employees
            .iter()
            .flat_map(|e| sites[first..last].iter().map(|&dest| LegRequest { mode: e.center_mode, home: e.home, dest }))
            .collect();
        let keep = |k| center_pairs.binary_search(&pair(k)).is_ok();
        let answers = engines.route_keeping(&requests, keep, true);
        // Each employee's legs resolved and compared as they come, never held for the batch.
        best.par_iter_mut()
            .zip(employees.par_iter())
            .zip(requests.par_chunks(n).zip(answers.into_par_iter().chunks(n)))
            .try_for_each(|((b, e), (requests, answers))| -> Result<(), LegError> {
                for (s, (q, a)) in requests.iter().zip(answers).enumerate() {
                    let leg = resolve_leg(q, e, LegKind::Center, a, factors, bands, engines)?;
                    // Ties: the site listed first (sites come in order, so only a shorter leg
                    // replaces).
                    if b.as_ref().is_none_or(|(_, l)| leg.est.distance_m < l.est.distance_m) {
                        *b = Some(((first + s) as u32, leg));
                    }
                }
                Ok(())
            })?;
        progress.inc(n as u64);
    }
    progress.finish();
    let rows = office
        .into_iter()
        .zip(best)
        .enumerate()
        .map(|(i, (o, b))| {
            let (j, near) = b.expect("sites is not empty");
            (i as u32, j, o, near)
        })
        .collect();
    frame(rows)
}

/// The less exact of two legs' methods: estimated, then through stations, then routed.
fn least_exact(a: LegMethod, b: LegMethod) -> LegMethod {
    let rank = |m: LegMethod| match m {
        LegMethod::Estimated => 0,
        LegMethod::Stations => 1,
        LegMethod::Routed => 2,
    };
    if rank(b) < rank(a) { b } else { a }
}

/// The potential's frame from (employee, nearest site, office leg, nearest-site leg).
fn frame(rows: Vec<(u32, u32, Leg, Leg)>) -> Result<DataFrame, LegError> {
    let n = rows.len();
    let mut employee = Vec::with_capacity(n);
    let mut site = Vec::with_capacity(n);
    let (mut office_km, mut site_km, mut office_h, mut site_h) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut km, mut hours, mut ttw, mut wtw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut method, mut office_method, mut site_method) = (Vec::new(), Vec::new(), Vec::new());
    for (i, j, office, near) in rows {
        let d = office_day_saving(&office, &near);
        employee.push(i);
        site.push(j);
        office_km.push(d.office_km);
        site_km.push(d.site_km);
        office_h.push(office.est.duration_s / 3600.0);
        site_h.push(near.est.duration_s / 3600.0);
        km.push(d.km);
        hours.push(d.hours);
        ttw.push(d.co2e_ttw_kg);
        wtw.push(d.co2e_wtw_kg);
        method.push(least_exact(office.method, near.method).code());
        office_method.push(office.method.code());
        site_method.push(near.method.code());
    }
    Ok(DataFrame::new(
        n,
        vec![
            Column::new("employee".into(), employee),
            Column::new("site".into(), site),
            Column::new("office_km".into(), office_km),
            Column::new("nearest_site_km".into(), site_km),
            Column::new("office_h".into(), office_h),
            Column::new("nearest_site_h".into(), site_h),
            Column::new("potential_km".into(), km),
            Column::new("potential_h".into(), hours),
            Column::new("potential_co2e_ttw_kg".into(), ttw),
            Column::new("potential_co2e_wtw_kg".into(), wtw),
            Column::new("method".into(), method),
            Column::new("office_method".into(), office_method),
            Column::new("nearest_site_method".into(), site_method),
        ],
    )?)
}
