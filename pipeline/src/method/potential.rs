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

use crate::input::ingest::Inputs;
use crate::method::estimate::{BandSource, estimate_leg};
use crate::method::factors::FactorSet;
use crate::method::impact::{LegError, round_leg};
use crate::schema::LegMethod;

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
            let office = round_leg(estimate_leg(e.home, e.office, e.commute_mode, bands));
            let (best, near) = inputs
                .sites
                .iter()
                .enumerate()
                .map(|(s, site)| (s, round_leg(estimate_leg(e.home, (site.lat, site.lon), e.center_mode, bands))))
                .min_by(|a, b| a.1.distance_m.total_cmp(&b.1.distance_m).then(a.0.cmp(&b.0)))
                .expect("sites is not empty");
            let fo = factors.person_km(e.commute_mode, e.car_fuel, e.car_size, e.commute_occupancy)?;
            let fc = factors.person_km(e.center_mode, e.car_fuel, e.car_size, e.center_occupancy)?;
            let (ok, nk) = (office.distance_m / 1000.0, near.distance_m / 1000.0);
            employee.push(i as u32);
            site.push(best as u32);
            office_km.push(ok);
            site_km.push(nk);
            office_h.push(office.duration_s / 3600.0);
            site_h.push(near.duration_s / 3600.0);
            km.push(2.0 * (ok - nk));
            hours.push(2.0 * (office.duration_s - near.duration_s) / 3600.0);
            ttw.push(2.0 * (ok * fo.ttw_kg_per_km - nk * fc.ttw_kg_per_km));
            wtw.push(2.0 * (ok * (fo.ttw_kg_per_km + fo.wtt_kg_per_km) - nk * (fc.ttw_kg_per_km + fc.wtt_kg_per_km)));
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
