//! Potential: what each employee — user of the centers or not — would save on a day worked at
//! the nearest site instead of the office. It answers "whose staff would gain most from a center
//! near them" without any badge data, with the same estimates and factors as the legs.
//!
//! For every employee: the site with the shortest estimated one-way trip by their center mode
//! (ties: the site listed first), both one-way distances rounded to whole km as legs are, and the
//! round-trip differences office − nearest site in km, hours and kg CO2e (both boundaries). A
//! positive value is a saving on each office day replaced; the occupancies are those of the legs
//! (declared for the commute, alone by car to a center).

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

/// One row per employee (`employee, nearest_site, office_km, nearest_site_km, office_h,
/// nearest_site_h, potential_km, potential_h, potential_co2e_ttw_kg, potential_co2e_wtw_kg,
/// method`); `office_*` and `nearest_site_*` are one way, `potential_*` per office day replaced
/// (round trips). Empty when the study has no sites.
pub fn employee_potential(inputs: &Inputs, factors: &FactorSet, bands: &[BandSource]) -> Result<DataFrame, LegError> {
    let mut employee = Vec::new();
    let mut site = Vec::new();
    let (mut office_km, mut site_km, mut office_h, mut site_h) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut km, mut hours, mut ttw, mut wtw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if !inputs.sites.is_empty() {
        for (i, e) in inputs.employees.iter().enumerate() {
            let office = office_leg(e, factors, bands)?;
            let mut best: Option<(usize, Leg)> = None;
            for (s, site) in inputs.sites.iter().enumerate() {
                let leg = site_leg(e, (site.lat, site.lon), factors, bands)?;
                // Ties: the site listed first.
                if best.as_ref().is_none_or(|(_, b)| leg.est.distance_m < b.est.distance_m) {
                    best = Some((s, leg));
                }
            }
            let (best, near) = best.expect("sites is not empty");
            let d = office_day_saving(&office, &near);
            employee.push(i as u32);
            site.push(best as u32);
            office_km.push(d.office_km);
            site_km.push(d.site_km);
            office_h.push(office.est.duration_s / 3600.0);
            site_h.push(near.est.duration_s / 3600.0);
            km.push(d.km);
            hours.push(d.hours);
            ttw.push(d.co2e_ttw_kg);
            wtw.push(d.co2e_wtw_kg);
        }
    }
    let n = employee.len();
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
            Column::new("method".into(), vec![LegMethod::Estimated.code(); n]),
        ],
    )?)
}
