//! Estimated legs: great-circle distance × a per-mode, per-distance-band detour factor (ISO 14083's
//! distance adjustment factor), and a door-to-door speed. They are the legs of studies without a
//! road network or timetable, and the fallback of a leg that cannot be routed (with its reason:
//! [`crate::routing`]); every leg records how it was obtained.

use geo::{Distance, Haversine, Point};
use serde::Serialize;

use crate::config::EstimateBand;
use crate::method::mode::Mode;

/// Where a band's values come from, for the method section of reports.
#[derive(Debug, Clone, Serialize)]
pub struct BandSource {
    /// The band.
    pub band: EstimateBand,
    /// Origin of the values.
    pub source: &'static str,
}

const OSRM_BE: &str = "OSRM 26.10 routes on Belgian OSM extracts (Antwerp, Kempen), navette routing reference";
const ASSUMED: &str = "navette assumption until timetable/road routing is available";

/// The built-in bands, with their sources.
pub fn default_bands() -> Vec<BandSource> {
    let b = |mode, from_km, detour, speed_kmh, source| BandSource {
        band: EstimateBand { mode, from_km, detour, speed_kmh },
        source,
    };
    let mut v = Vec::new();
    for m in [Mode::Car, Mode::Carpool, Mode::Motorbike] {
        // Median of the urban (Antwerp) and rural (Kempen) measurements per band.
        v.push(b(m, 0.0, 1.55, 35.0, OSRM_BE));
        v.push(b(m, 5.0, 1.50, 45.0, OSRM_BE));
        v.push(b(m, 15.0, 1.30, 62.0, OSRM_BE));
    }
    v.push(b(Mode::Walk, 0.0, 1.19, 5.0, OSRM_BE));
    v.push(b(Mode::Walk, 5.0, 1.16, 5.0, OSRM_BE));
    v.push(b(Mode::Bike, 0.0, 1.25, 15.0, ASSUMED));
    v.push(b(Mode::Ebike, 0.0, 1.25, 20.0, ASSUMED));
    v.push(b(Mode::Train, 0.0, 1.30, 35.0, ASSUMED));
    v.push(b(Mode::Bus, 0.0, 1.40, 18.0, ASSUMED));
    v.push(b(Mode::Tram, 0.0, 1.30, 14.0, ASSUMED));
    v.push(b(Mode::Metro, 0.0, 1.30, 22.0, ASSUMED));
    v
}

/// The bands in force: the built-in ones, with every mode named in `overrides` replaced whole.
pub fn effective_bands(overrides: &[EstimateBand]) -> Vec<BandSource> {
    let mut v: Vec<BandSource> =
        default_bands().into_iter().filter(|b| !overrides.iter().any(|o| o.mode == b.band.mode)).collect();
    v.extend(overrides.iter().map(|o| BandSource { band: o.clone(), source: "study.toml [method.estimate]" }));
    v.sort_by(|a, b| a.band.mode.cmp(&b.band.mode).then(a.band.from_km.total_cmp(&b.band.from_km)));
    v
}

/// One-way leg between two points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegEstimate {
    /// Great-circle distance.
    pub crow_m: f64,
    /// Detour factor applied.
    pub detour: f64,
    /// Estimated travel distance.
    pub distance_m: f64,
    /// Estimated door-to-door time.
    pub duration_s: f64,
}

/// Great-circle distance between two (lat, lon) points in degrees.
pub fn crow_m(from: (f64, f64), to: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(from.1, from.0), Point::new(to.1, to.0))
}

/// Estimates a one-way leg by `mode`. `bands` must hold at least one band starting at 0 km for
/// the mode (the built-in set does; config checks guarantee it for overrides).
pub fn estimate_leg(from: (f64, f64), to: (f64, f64), mode: Mode, bands: &[BandSource]) -> LegEstimate {
    let crow = crow_m(from, to);
    let km = crow / 1000.0;
    let band = bands
        .iter()
        .map(|b| &b.band)
        .filter(|b| b.mode == mode && b.from_km <= km)
        .max_by(|a, b| a.from_km.total_cmp(&b.from_km))
        .or_else(|| bands.iter().map(|b| &b.band).find(|b| b.mode == mode))
        .unwrap_or_else(|| panic!("no estimate band for mode {}", mode.code()));
    let distance_m = crow * band.detour;
    LegEstimate { crow_m: crow, detour: band.detour, distance_m, duration_s: distance_m / (band.speed_kmh / 3.6) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_hand_calculation() {
        // Louvain-la-Neuve → Brussels centre. Hand: Δφ = 0.18216° = 0.0031793 rad,
        // Δλ = −0.26565° = −0.0046365 rad, mean φ = 50.759°; at this length the equirectangular
        // formula is exact to the metre: 6371.0088 km × √(0.0031793² + (0.0046365 × cos 50.759°)²)
        // = 6371.0088 × √(1.01079e-5 + 8.6018e-6) = 27.558 km.
        let d = crow_m((50.66829, 4.61443), (50.85045, 4.34878));
        assert!((d - 27_558.0).abs() < 5.0, "{d}");
        assert_eq!(crow_m((50.0, 4.0), (50.0, 4.0)), 0.0);
    }

    #[test]
    fn bands_pick_by_great_circle_distance() {
        let bands = default_bands();
        // 0.1° of latitude ≈ 11.12 km: car band 5–15 km → detour 1.5 at 45 km/h.
        let leg = estimate_leg((50.0, 4.0), (50.1, 4.0), Mode::Car, &bands);
        assert!((leg.crow_m - 11_119.5).abs() < 1.0, "{}", leg.crow_m);
        assert_eq!(leg.detour, 1.5);
        assert!((leg.distance_m - leg.crow_m * 1.5).abs() < 1e-9);
        assert!((leg.duration_s - leg.distance_m / 12.5).abs() < 1e-9);
        let long = estimate_leg((50.0, 4.0), (50.3, 4.0), Mode::Car, &bands);
        assert_eq!(long.detour, 1.3);
    }

    #[test]
    fn overrides_replace_a_mode_whole() {
        let o = vec![EstimateBand { mode: Mode::Car, from_km: 0.0, detour: 1.2, speed_kmh: 60.0 }];
        let bands = effective_bands(&o);
        assert_eq!(bands.iter().filter(|b| b.band.mode == Mode::Car).count(), 1);
        assert_eq!(estimate_leg((50.0, 4.0), (50.3, 4.0), Mode::Car, &bands).detour, 1.2);
        assert_eq!(estimate_leg((50.0, 4.0), (50.3, 4.0), Mode::Carpool, &bands).detour, 1.3);
    }
}
