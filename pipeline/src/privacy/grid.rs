//! Homes aggregated to the Eurostat GEOSTAT 1 km grid (ETRS89-LAEA, EPSG:3035), inside the
//! pipeline: only cell counts leave it, never a home point.
//!
//! The projection is the ellipsoidal Lambert azimuthal equal-area of EPSG Guidance Note 7-2
//! (§ 1.3.11) on GRS80, with the EPSG:3035 parameters (52° N, 10° E, false easting 4 321 000 m,
//! false northing 3 210 000 m). Cell ids follow the INSPIRE/GEOSTAT convention
//! `CRS3035RES1000mN{northing}E{easting}` of the cell's south-west corner in metres.

use std::collections::BTreeMap;

use polars::prelude::*;

use crate::input::ingest::Inputs;

const A_M: f64 = 6_378_137.0;
const INV_F: f64 = 298.257_222_101;
const LAT0_DEG: f64 = 52.0;
const LON0_DEG: f64 = 10.0;
const FALSE_EASTING_M: f64 = 4_321_000.0;
const FALSE_NORTHING_M: f64 = 3_210_000.0;

fn q(e: f64, sin_phi: f64) -> f64 {
    let e2 = e * e;
    (1.0 - e2)
        * (sin_phi / (1.0 - e2 * sin_phi * sin_phi)
            - (1.0 / (2.0 * e)) * ((1.0 - e * sin_phi) / (1.0 + e * sin_phi)).ln())
}

/// Projects WGS84/ETRS89 (lat, lon) in degrees to EPSG:3035 (easting, northing) in metres.
pub fn laea(lat_deg: f64, lon_deg: f64) -> (f64, f64) {
    let f = 1.0 / INV_F;
    let e = (2.0 * f - f * f).sqrt();
    let e2 = e * e;
    let (phi, lam) = (lat_deg.to_radians(), lon_deg.to_radians());
    let (phi0, lam0) = (LAT0_DEG.to_radians(), LON0_DEG.to_radians());
    let qp = q(e, 1.0);
    let q0 = q(e, phi0.sin());
    let qq = q(e, phi.sin());
    let beta = (qq / qp).asin();
    let beta0 = (q0 / qp).asin();
    let rq = A_M * (qp / 2.0).sqrt();
    let d = A_M * (phi0.cos() / (1.0 - e2 * phi0.sin().powi(2)).sqrt()) / (rq * beta0.cos());
    let dl = lam - lam0;
    let b = rq * (2.0 / (1.0 + beta0.sin() * beta.sin() + beta0.cos() * beta.cos() * dl.cos())).sqrt();
    let easting = FALSE_EASTING_M + b * d * beta.cos() * dl.sin();
    let northing = FALSE_NORTHING_M + (b / d) * (beta0.cos() * beta.sin() - beta0.sin() * beta.cos() * dl.cos());
    (easting, northing)
}

/// A 1 km cell of the grid: its south-west corner in EPSG:3035 metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    /// Northing of the south-west corner (m, a multiple of 1000).
    pub north_m: i64,
    /// Easting of the south-west corner (m, a multiple of 1000).
    pub east_m: i64,
}

impl Cell {
    /// The cell holding a (lat, lon) point.
    pub fn of(lat_deg: f64, lon_deg: f64) -> Cell {
        let (e, n) = laea(lat_deg, lon_deg);
        Cell { north_m: (n / 1000.0).floor() as i64 * 1000, east_m: (e / 1000.0).floor() as i64 * 1000 }
    }

    /// The GEOSTAT/INSPIRE cell id, e.g. `CRS3035RES1000mN2999000E3962000`.
    pub fn id(&self) -> String {
        format!("CRS3035RES1000mN{}E{}", self.north_m, self.east_m)
    }
}

/// Table `home_cells`: company × 1 km cell, the number of the company's center users (employees
/// with at least one visit in the study) whose home lies in the cell. Sorted by company id, then
/// cell id. No home point, no person id.
pub fn home_cells(inputs: &Inputs, visits: &DataFrame) -> PolarsResult<DataFrame> {
    let mut user = vec![false; inputs.employees.len()];
    for e in visits.column("employee")?.u32()?.into_no_null_iter() {
        user[e as usize] = true;
    }
    let mut counts: BTreeMap<(&str, Cell), u32> = BTreeMap::new();
    for (e, _) in inputs.employees.iter().zip(&user).filter(|(_, u)| **u) {
        let company = inputs.companies[e.company].company_id.as_str();
        *counts.entry((company, Cell::of(e.home.0, e.home.1))).or_default() += 1;
    }
    let mut rows: Vec<(&str, String, i64, i64, u32)> =
        counts.into_iter().map(|((c, cell), n)| (c, cell.id(), cell.north_m, cell.east_m, n)).collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    df!(
        "company_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "cell_id" => rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "cell_north_m" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        "cell_east_m" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "employees" => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_epsg_guidance_note_example() {
        // EPSG Guidance Note 7-2, ETRS89 / LAEA Europe: 50° N, 5° E -> E 3 962 799.45, N 2 999 718.85.
        let (e, n) = laea(50.0, 5.0);
        assert!((e - 3_962_799.45).abs() < 0.01, "{e}");
        assert!((n - 2_999_718.85).abs() < 0.01, "{n}");
        // The projection's origin maps to the false origin.
        let (e, n) = laea(52.0, 10.0);
        assert!((e - 4_321_000.0).abs() < 1e-6 && (n - 3_210_000.0).abs() < 1e-6);
    }

    #[test]
    fn cell_ids_name_the_south_west_corner() {
        let c = Cell::of(50.0, 5.0);
        assert_eq!(c.id(), "CRS3035RES1000mN2999000E3962000");
        // 1 km further north-east lands in the next cells.
        let (e, n) = laea(50.0, 5.0);
        assert!(n - 2_999_000.0 < 1000.0 && e - 3_962_000.0 < 1000.0);
    }
}
