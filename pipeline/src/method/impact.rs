//! Legs and day impacts. For each center day: the **actual** round trip home ↔ main site by the
//! center mode and, when the day replaces an office day, the **baseline** round trip home ↔ office
//! by the commute mode; avoided = baseline − actual (negative when the center trip costs more).
//! The way back is taken equal to the way out.

use polars::prelude::*;

use crate::config::Boundary;
use crate::input::ingest::{Employee, Inputs};
use crate::method::estimate::{BandSource, LegEstimate, estimate_leg};
use crate::method::factors::{FactorError, FactorSet};
use crate::routing::{Answer, Engines, LegRequest};
use crate::schema::{LegKind, LegMethod};
use navette_transit::rail::RailLeg;

/// One-way legs: an `office` leg for every employee and a `center` leg for every (employee, site)
/// that is the main site of a center day. Columns: `employee, leg, site, mode, occupancy,
/// distance_m, duration_s, method, unrouted_reason, ttw_kg_per_km, wtt_kg_per_km, co2e_ttw_kg,
/// co2e_wtw_kg, factor_ttw_id, factor_wtt_id, transfers, in_vehicle_km_rail, in_vehicle_km_metro,
/// in_vehicle_km_tram, in_vehicle_km_bus, in_vehicle_km_coach, in_vehicle_km_other, access_km,
/// egress_km` (CO2e per person, one way; the last nine only for legs on the timetables).
///
/// With a road network, car, carpool, motorbike, bike, e-bike and walking legs are routed
/// (`method = routed`, one way = mean of the way there and back); a leg that cannot be routed
/// keeps the estimate with `unrouted_reason` saying why. With GTFS feeds, train, bus, tram and
/// metro legs are computed on the timetables (`method = routed`, mean of the morning journey
/// arriving by `arrive_by` and the evening one leaving at `depart_at`); their CO2e is the
/// in-vehicle km of each vehicle class × that class's factor plus the access km × the access
/// mode's factor, carried as the leg's distance-weighted factor (`factor_*_id`: the row of the
/// class with the most in-vehicle km).
///
/// One-way distances are rounded to the nearest kilometre ([`round_leg`]): exact distances from a
/// home to two or three public points (office, centers) would give the home's position back.
pub fn legs(
    inputs: &Inputs,
    days: &DataFrame,
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
) -> Result<DataFrame, LegError> {
    let pairs = center_pairs(days)?;

    // Every leg as (employee, site, mode, home, destination): office legs first, then center legs.
    let mut requests = Vec::with_capacity(inputs.employees.len() + pairs.len());
    let mut sites = Vec::with_capacity(requests.capacity());
    for e in &inputs.employees {
        requests.push(LegRequest { mode: e.commute_mode, home: e.home, dest: e.office });
        sites.push(None);
    }
    for (emp, site) in pairs {
        let e = &inputs.employees[emp as usize];
        let s = &inputs.sites[site as usize];
        requests.push(LegRequest { mode: e.center_mode, home: e.home, dest: (s.lat, s.lon) });
        sites.push(Some((emp, site)));
    }
    let answers = engines.route_showing_progress(&requests);

    let mut b = LegColumns::default();
    for (i, (q, answer)) in requests.iter().zip(answers).enumerate() {
        let (emp, site, kind) = match sites[i] {
            None => (i as u32, None, LegKind::Office),
            Some((emp, site)) => (emp, Some(site), LegKind::Center),
        };
        let e = &inputs.employees[emp as usize];
        let leg = resolve_leg(q, e, kind, answer, factors, bands, engines)?;
        b.push(emp, kind, site, q.mode.code(), &leg);
        match leg.stations.as_deref() {
            Some(r) => b.push_station_ride(Some(r)),
            None => b.push_transit(leg.transit.as_deref()),
        }
        b.push_stations(leg.stations.as_deref());
    }
    Ok(b.finish()?)
}

/// The (employee, main site) pairs of center days, sorted, each once: the center legs a run needs.
pub fn center_pairs(days: &DataFrame) -> PolarsResult<Vec<(u32, u32)>> {
    let pairs = days
        .clone()
        .lazy()
        .select([col("employee"), col("main_site")])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort(["employee", "main_site"], SortMultipleOptions::default())
        .collect()?;
    let emp = pairs.column("employee")?.u32()?;
    let site = pairs.column("main_site")?.u32()?;
    Ok(emp.into_no_null_iter().zip(site.into_no_null_iter()).collect())
}

/// A one-way leg as the method computes it: distance and time rounded ([`round_leg`]), the
/// factor per person-km it is priced with, how it was computed and, when an engine could not
/// serve it, why.
#[derive(Debug, Clone)]
pub struct Leg {
    /// One-way distance and time, rounded to whole km as every leg is.
    pub est: LegEstimate,
    /// Occupancy (declared for the commute, `center_occupancy` to a center).
    pub occupancy: f64,
    /// kg CO2e per person-km (for legs on the timetables or through stations, the
    /// distance-weighted factor of their parts).
    pub factor: crate::method::factors::PersonKmFactor,
    /// Estimated, routed or through stations.
    pub method: LegMethod,
    /// Why a leg an engine could serve kept the estimate.
    pub reason: Option<&'static str>,
    /// The leg on the timetables, when it rode them.
    pub transit: Option<Box<crate::routing::transit::TransitLeg>>,
    /// The train leg through stations, when it went through them.
    pub stations: Option<Box<RailLeg>>,
}

/// How one leg is computed, for the run's legs, the scenarios and site planning alike (the one
/// place that decides it): a leg the timetables served rides them, else a train leg through
/// stations goes through them, else a leg the road network routed is routed; any other keeps
/// the estimate (with the engine's reason when an engine could not serve it). Occupancy and
/// factor follow the leg kind (declared for the commute, `center_occupancy` to a center).
pub fn resolve_leg(
    q: &LegRequest,
    e: &Employee,
    kind: LegKind,
    answer: Answer,
    factors: &FactorSet,
    bands: &[BandSource],
    engines: Engines<'_>,
) -> Result<Leg, FactorError> {
    let occupancy = if kind == LegKind::Office { e.commute_occupancy } else { e.center_occupancy };
    let f = factors.person_km(q.mode, e.car_fuel, e.car_size, occupancy)?;
    let est = estimate_leg(q.home, q.dest, q.mode, bands);
    let estimated = |reason: Option<&'static str>| Leg {
        est: round_leg(est),
        occupancy,
        factor: f,
        method: LegMethod::Estimated,
        reason,
        transit: None,
        stations: None,
    };
    if let Some(t) = answer.transit {
        return Ok(match t {
            Ok(leg) => {
                let access_mode = match engines.transit.map(|t| t.config.access_mode) {
                    Some(crate::config::AccessMode::Bike) => crate::method::mode::Mode::Bike,
                    _ => crate::method::mode::Mode::Walk,
                };
                Leg {
                    est: round_leg(LegEstimate { distance_m: leg.distance_m, duration_s: leg.duration_s, ..est }),
                    occupancy,
                    factor: transit_factor(&leg, q.mode, access_mode, e, occupancy, factors)?,
                    method: LegMethod::Routed,
                    reason: None,
                    transit: Some(leg),
                    stations: None,
                }
            }
            Err(why) => estimated(Some(why.code())),
        });
    }
    if let Some(r) = answer.rail {
        return Ok(match r {
            Ok(leg) => Leg {
                est: round_leg(LegEstimate { distance_m: leg.distance_m, duration_s: leg.duration_s, ..est }),
                occupancy,
                factor: station_factor(&leg, q.mode, e, occupancy, factors)?,
                method: LegMethod::Stations,
                reason: None,
                transit: None,
                stations: Some(leg),
            },
            Err(why) => estimated(Some(why.code())),
        });
    }
    Ok(match answer.road {
        Some(Ok(r)) => Leg {
            est: round_leg(LegEstimate { distance_m: r.distance_m, duration_s: r.duration_s, ..est }),
            method: LegMethod::Routed,
            ..estimated(None)
        },
        Some(Err(why)) => estimated(Some(why.code())),
        None => estimated(None),
    })
}

/// The factor of a train leg through stations, per person-km of its whole door-to-door distance:
/// rail km × the train factor, plus the access km × the access mode's factor (walk and bike 0; by
/// car, the employee's car driven alone) and the egress km × its mode's factor (walk 0, bus),
/// divided by the leg's km. Ids: the train rows.
fn station_factor(
    leg: &RailLeg,
    mode: crate::method::mode::Mode,
    e: &crate::input::ingest::Employee,
    occupancy: f64,
    factors: &FactorSet,
) -> Result<crate::method::factors::PersonKmFactor, FactorError> {
    use crate::method::mode::Mode;
    let main = factors.person_km(mode, e.car_fuel, e.car_size, occupancy)?;
    let (mut ttw_kg, mut wtt_kg) = (0.0, 0.0);
    for (code, m) in leg.mode_m() {
        let part_mode = Mode::parse(code).expect("the rail model's mode codes are navette modes");
        let occupants = if part_mode == mode { occupancy } else { 1.0 };
        let f = factors.person_km(part_mode, e.car_fuel, e.car_size, occupants)?;
        ttw_kg += m / 1000.0 * f.ttw_kg_per_km;
        wtt_kg += m / 1000.0 * f.wtt_kg_per_km;
    }
    let km = leg.distance_m / 1000.0;
    let per_km = |kg: f64| if km > 0.0 { kg / km } else { 0.0 };
    Ok(crate::method::factors::PersonKmFactor { ttw_kg_per_km: per_km(ttw_kg), wtt_kg_per_km: per_km(wtt_kg), ..main })
}

/// The factor of a leg on the timetables, per person-km of its whole door-to-door distance: the
/// in-vehicle km of each vehicle class × its factor, plus the access km × the access mode's
/// factor (walking 0), divided by the leg's km. Ids: the rows of the class with the most km.
fn transit_factor(
    leg: &crate::routing::transit::TransitLeg,
    mode: crate::method::mode::Mode,
    access_mode: crate::method::mode::Mode,
    e: &crate::input::ingest::Employee,
    occupancy: f64,
    factors: &FactorSet,
) -> Result<crate::method::factors::PersonKmFactor, FactorError> {
    let mut ttw_kg = 0.0;
    let mut wtt_kg = 0.0;
    let mut main: Option<(f64, crate::method::factors::PersonKmFactor)> = None;
    for class in navette_transit::VehicleClass::ALL {
        let km = leg.in_vehicle_m[class as usize] / 1000.0;
        if km <= 0.0 {
            continue;
        }
        let f =
            factors.person_km(crate::routing::transit::factor_mode(class, mode), e.car_fuel, e.car_size, occupancy)?;
        ttw_kg += km * f.ttw_kg_per_km;
        wtt_kg += km * f.wtt_kg_per_km;
        if main.as_ref().is_none_or(|(m, _)| km > *m) {
            main = Some((km, f));
        }
    }
    let a = factors.person_km(access_mode, e.car_fuel, e.car_size, 1.0)?;
    ttw_kg += leg.access_m / 1000.0 * a.ttw_kg_per_km;
    wtt_kg += leg.access_m / 1000.0 * a.wtt_kg_per_km;
    let main = match main {
        Some((_, f)) => f,
        None => factors.person_km(mode, e.car_fuel, e.car_size, occupancy)?,
    };
    let km = leg.distance_m / 1000.0;
    let per_km = |kg: f64| if km > 0.0 { kg / km } else { 0.0 };
    Ok(crate::method::factors::PersonKmFactor { ttw_kg_per_km: per_km(ttw_kg), wtt_kg_per_km: per_km(wtt_kg), ..main })
}

/// Rounds to 0.1 km (figures of legs on the timetables).
fn tenth_km(m: f64) -> f64 {
    (m / 100.0).round() / 10.0
}

/// Legs could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum LegError {
    /// A mode has no factor.
    #[error(transparent)]
    Factor(#[from] FactorError),
    /// Frame error (a bug).
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// Rounds a leg's distance to the nearest 1000 m and scales its time alike. The error is at most
/// ±500 m per leg and averages out over many legs; what it buys is that distances kept per
/// employee no longer locate a home more precisely than about a square kilometre.
pub fn round_leg(est: crate::method::estimate::LegEstimate) -> crate::method::estimate::LegEstimate {
    let distance_m = (est.distance_m / 1000.0).round() * 1000.0;
    let duration_s = if est.distance_m > 0.0 { est.duration_s * distance_m / est.distance_m } else { 0.0 };
    crate::method::estimate::LegEstimate { distance_m, duration_s, ..est }
}

#[derive(Default)]
struct LegColumns {
    employee: Vec<u32>,
    leg: Vec<&'static str>,
    site: Vec<Option<u32>>,
    mode: Vec<&'static str>,
    occupancy: Vec<f64>,
    distance_m: Vec<f64>,
    duration_s: Vec<f64>,
    ttw: Vec<f64>,
    wtt: Vec<f64>,
    ttw_id: Vec<u32>,
    wtt_id: Vec<u32>,
    method: Vec<&'static str>,
    reason: Vec<Option<&'static str>>,
    transfers: Vec<Option<f64>>,
    in_vehicle_km: [Vec<Option<f64>>; 6],
    access_km: Vec<Option<f64>>,
    egress_km: Vec<Option<f64>>,
    board_station: Vec<Option<String>>,
    alight_station: Vec<Option<String>>,
    station_access_mode: Vec<Option<&'static str>>,
    station_egress_mode: Vec<Option<&'static str>>,
}

impl LegColumns {
    fn push(&mut self, employee: u32, kind: LegKind, site: Option<u32>, mode: &'static str, leg: &Leg) {
        let f = &leg.factor;
        self.employee.push(employee);
        self.leg.push(kind.code());
        self.site.push(site);
        self.mode.push(mode);
        self.occupancy.push(leg.occupancy);
        self.distance_m.push(leg.est.distance_m);
        self.duration_s.push(leg.est.duration_s);
        self.ttw.push(f.ttw_kg_per_km);
        self.wtt.push(f.wtt_kg_per_km);
        self.ttw_id.push(f.ttw_row as u32);
        self.wtt_id.push(f.wtt_row as u32);
        self.method.push(leg.method.code());
        self.reason.push(leg.reason);
    }

    fn push_transit(&mut self, leg: Option<&crate::routing::transit::TransitLeg>) {
        self.transfers.push(leg.map(|l| l.transfers));
        for (k, col) in self.in_vehicle_km.iter_mut().enumerate() {
            col.push(leg.map(|l| tenth_km(l.in_vehicle_m[k])));
        }
        self.access_km.push(leg.map(|l| tenth_km(l.access_m)));
        self.egress_km.push(leg.map(|l| tenth_km(l.egress_m)));
    }

    /// The ride columns of a train leg through stations (`None`: not one): its changes, its rail
    /// km as in-vehicle km of the rail class, its access and egress km.
    fn push_station_ride(&mut self, leg: Option<&RailLeg>) {
        self.transfers.push(leg.map(|l| f64::from(l.ride.transfers)));
        for (k, col) in self.in_vehicle_km.iter_mut().enumerate() {
            let rail = k == navette_transit::VehicleClass::Rail as usize;
            col.push(leg.map(|l| if rail { tenth_km(l.ride.rail_m) } else { 0.0 }));
        }
        self.access_km.push(leg.map(|l| tenth_km(l.access_m)));
        self.egress_km.push(leg.map(|l| tenth_km(l.egress_m)));
    }

    /// The stations a train leg went through and how it reached them (`None`: not such a leg).
    fn push_stations(&mut self, leg: Option<&RailLeg>) {
        self.board_station.push(leg.map(|l| l.board.name.clone()));
        self.alight_station.push(leg.map(|l| l.alight.name.clone()));
        self.station_access_mode.push(leg.map(|l| l.access_mode.code()));
        self.station_egress_mode.push(leg.map(|l| l.egress_mode.code()));
    }

    fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.employee.len();
        let km: Vec<f64> = self.distance_m.iter().map(|d| d / 1000.0).collect();
        let co2e_ttw: Vec<f64> = km.iter().zip(&self.ttw).map(|(k, f)| k * f).collect();
        let co2e_wtw: Vec<f64> = km.iter().zip(self.ttw.iter().zip(&self.wtt)).map(|(k, (t, w))| k * (t + w)).collect();
        DataFrame::new(
            n,
            vec![
                Column::new("employee".into(), self.employee),
                Column::new("leg".into(), self.leg),
                Column::new("site".into(), self.site),
                Column::new("mode".into(), self.mode),
                Column::new("occupancy".into(), self.occupancy),
                Column::new("distance_m".into(), self.distance_m),
                Column::new("duration_s".into(), self.duration_s),
                Column::new("method".into(), self.method),
                Column::new("unrouted_reason".into(), self.reason),
                Column::new("ttw_kg_per_km".into(), self.ttw),
                Column::new("wtt_kg_per_km".into(), self.wtt),
                Column::new("co2e_ttw_kg".into(), co2e_ttw),
                Column::new("co2e_wtw_kg".into(), co2e_wtw),
                Column::new("factor_ttw_id".into(), self.ttw_id),
                Column::new("factor_wtt_id".into(), self.wtt_id),
                Column::new("transfers".into(), self.transfers),
                Column::new("in_vehicle_km_rail".into(), self.in_vehicle_km[0].clone()),
                Column::new("in_vehicle_km_metro".into(), self.in_vehicle_km[1].clone()),
                Column::new("in_vehicle_km_tram".into(), self.in_vehicle_km[2].clone()),
                Column::new("in_vehicle_km_bus".into(), self.in_vehicle_km[3].clone()),
                Column::new("in_vehicle_km_coach".into(), self.in_vehicle_km[4].clone()),
                Column::new("in_vehicle_km_other".into(), self.in_vehicle_km[5].clone()),
                Column::new("access_km".into(), self.access_km),
                Column::new("egress_km".into(), self.egress_km),
                Column::new("board_station".into(), self.board_station),
                Column::new("alight_station".into(), self.alight_station),
                Column::new("station_access_mode".into(), self.station_access_mode),
                Column::new("station_egress_mode".into(), self.station_egress_mode),
            ],
        )
    }
}

/// Day impacts: center days joined with their legs. Adds `*_actual` and `*_baseline` round-trip
/// figures (`km_`, `hours_`, `co2e_ttw_kg_`, `co2e_wtw_kg_`, `co2e_kg_` in the configured boundary),
/// the `*_avoided` differences and the legs' modes and methods.
pub fn day_impacts(days: &DataFrame, legs: &DataFrame, boundary: Boundary) -> PolarsResult<DataFrame> {
    day_impacts_with(days, &LegSides::new(legs)?, boundary)
}

/// (employee, site) packed in one u64: a one-column join is much faster than a two-column one.
fn pair_key(site: &str) -> Expr {
    (col("employee").cast(DataType::UInt64) * lit(1u64 << 32)) + col(site).cast(DataType::UInt64)
}

/// The legs as [`day_impacts`] joins them: center legs by (employee, site), office legs by
/// employee. Made once for the day impacts of many slices of center days (a clone shares the
/// columns).
#[derive(Clone)]
pub struct LegSides {
    center: DataFrame,
    office: DataFrame,
    /// The (employee, site) keys of the center legs, sorted.
    pairs: std::sync::Arc<Vec<u64>>,
}

impl LegSides {
    /// The sides of `legs` (from [`legs`]).
    pub fn new(legs: &DataFrame) -> PolarsResult<LegSides> {
        let side = |leg: LegKind, prefix: &str| {
            let mut keep = vec![col("employee")];
            if leg == LegKind::Center {
                keep = vec![pair_key("site").alias("pair_key")];
            }
            keep.extend([
                col("distance_m").alias(format!("{prefix}_distance_m")),
                col("duration_s").alias(format!("{prefix}_duration_s")),
                col("co2e_ttw_kg").alias(format!("{prefix}_ttw_kg")),
                col("co2e_wtw_kg").alias(format!("{prefix}_wtw_kg")),
                col("mode").alias(format!("{prefix}_mode")),
                col("method").alias(format!("{prefix}_method")),
            ]);
            legs.clone().lazy().filter(col("leg").eq(lit(leg.code()))).select(keep).collect()
        };
        let center = side(LegKind::Center, "c")?;
        let mut pairs: Vec<u64> = center.column("pair_key")?.u64()?.into_no_null_iter().collect();
        pairs.sort_unstable();
        Ok(LegSides { center, office: side(LegKind::Office, "o")?, pairs: std::sync::Arc::new(pairs) })
    }

    /// Whether every center day of `days` has its center leg here (its employee's office leg is
    /// here whenever the legs are every employee's, as [`legs`] makes them): the legs of any other
    /// days then add nothing to their day impacts.
    pub fn cover(&self, days: &DataFrame) -> PolarsResult<bool> {
        let employee = days.column("employee")?.u32()?;
        let site = days.column("main_site")?.u32()?;
        let mut last = None;
        for (e, s) in employee.iter().zip(site.iter()) {
            let (Some(e), Some(s)) = (e, s) else { return Ok(false) };
            let key = (u64::from(e) << 32) + u64::from(s);
            if last != Some(key) {
                if self.pairs.binary_search(&key).is_err() {
                    return Ok(false);
                }
                last = Some(key);
            }
        }
        Ok(true)
    }
}

/// [`day_impacts`] with the legs' [`LegSides`]: a row per center day, in the order of `days`.
pub fn day_impacts_with(days: &DataFrame, sides: &LegSides, boundary: Boundary) -> PolarsResult<DataFrame> {
    let boundary_col = |prefix: &str| match boundary {
        Boundary::Ttw => col(format!("co2e_ttw_kg_{prefix}")),
        Boundary::Wtw => col(format!("co2e_wtw_kg_{prefix}")),
    };
    let replaced = col("replaces_office_day").cast(DataType::Float64);
    // Center days come sorted by employee and day (`visits::center_days`); joins that keep the
    // left order save sorting millions of rows again.
    let left_join = JoinArgs { maintain_order: MaintainOrderJoin::Left, ..JoinArgs::new(JoinType::Left) };
    days.clone()
        .lazy()
        .with_column(pair_key("main_site").alias("pair_key"))
        .join(sides.center.clone().lazy(), [col("pair_key")], [col("pair_key")], left_join.clone())
        .join(sides.office.clone().lazy(), [col("employee")], [col("employee")], left_join)
        .with_columns([
            (lit(2.0) * col("c_distance_m") / lit(1000.0)).alias("km_actual"),
            (lit(2.0) * col("c_duration_s") / lit(3600.0)).alias("hours_actual"),
            (lit(2.0) * col("c_ttw_kg")).alias("co2e_ttw_kg_actual"),
            (lit(2.0) * col("c_wtw_kg")).alias("co2e_wtw_kg_actual"),
            (replaced.clone() * lit(2.0) * col("o_distance_m") / lit(1000.0)).alias("km_baseline"),
            (replaced.clone() * lit(2.0) * col("o_duration_s") / lit(3600.0)).alias("hours_baseline"),
            (replaced.clone() * lit(2.0) * col("o_ttw_kg")).alias("co2e_ttw_kg_baseline"),
            (replaced * lit(2.0) * col("o_wtw_kg")).alias("co2e_wtw_kg_baseline"),
            col("c_mode").alias("center_mode"),
            col("o_mode").alias("commute_mode"),
            col("c_method").alias("actual_method"),
            col("o_method").alias("baseline_method"),
        ])
        .with_columns([
            boundary_col("actual").alias("co2e_kg_actual"),
            boundary_col("baseline").alias("co2e_kg_baseline"),
        ])
        .with_columns([
            (col("km_baseline") - col("km_actual")).alias("km_avoided"),
            (col("hours_baseline") - col("hours_actual")).alias("hours_avoided"),
            (col("co2e_kg_baseline") - col("co2e_kg_actual")).alias("co2e_kg_avoided"),
            (col("co2e_ttw_kg_baseline") - col("co2e_ttw_kg_actual")).alias("co2e_ttw_kg_avoided"),
            (col("co2e_wtw_kg_baseline") - col("co2e_wtw_kg_actual")).alias("co2e_wtw_kg_avoided"),
        ])
        .select([
            col("employee"),
            col("local_day"),
            col("main_site"),
            col("presence_s"),
            col("replaces_office_day"),
            col("commute_mode"),
            col("center_mode"),
            col("km_baseline"),
            col("hours_baseline"),
            col("co2e_kg_baseline"),
            col("co2e_ttw_kg_baseline"),
            col("co2e_wtw_kg_baseline"),
            col("km_actual"),
            col("hours_actual"),
            col("co2e_kg_actual"),
            col("co2e_ttw_kg_actual"),
            col("co2e_wtw_kg_actual"),
            col("km_avoided"),
            col("hours_avoided"),
            col("co2e_kg_avoided"),
            col("co2e_ttw_kg_avoided"),
            col("co2e_wtw_kg_avoided"),
            col("baseline_method"),
            col("actual_method"),
        ])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ingest::HomeSource;
    use crate::input::quality::Ledger;
    use crate::method::estimate::default_bands;
    use crate::method::mode::{CarSize, Fuel, Mode};
    use crate::routing::roads::RoutedLeg;

    fn driver() -> Employee {
        Employee {
            employee_id: "E1".into(),
            company: 0,
            home: (50.30, 4.0),
            home_source: HomeSource::Coordinates,
            commute_mode: Mode::Car,
            center_mode: Mode::Car,
            car_fuel: Fuel::Diesel,
            car_size: CarSize::Average,
            commute_occupancy: 2.0,
            center_occupancy: 1.0,
            declared_occupancy: Some(2.0),
            office: (50.5, 4.0),
            own_office: false,
        }
    }

    /// A routed answer replaces the estimate (rounded as every leg); an engine's refusal keeps the
    /// estimate with its reason; no answer keeps it without one. Occupancy and factor follow the
    /// leg kind.
    #[test]
    fn a_leg_is_routed_when_an_engine_answers_and_estimated_with_a_reason_otherwise() {
        let (e, bands) = (driver(), default_bands());
        let factors = FactorSet::load("be-2025", None, &mut Ledger::default()).unwrap();
        let q = LegRequest { mode: Mode::Car, home: e.home, dest: e.office };
        let resolve = |kind: LegKind, road: Option<Result<RoutedLeg, navette_road::Unrouted>>| {
            let answer = Answer { road, ..Answer::default() };
            resolve_leg(&q, &e, kind, answer, &factors, &bands, Engines::default()).unwrap()
        };
        let routed = resolve(LegKind::Office, Some(Ok(RoutedLeg { distance_m: 27_400.0, duration_s: 1_644.0 })));
        assert_eq!((routed.method, routed.reason), (LegMethod::Routed, None));
        assert_eq!(routed.est.distance_m, 27_000.0);
        assert!((routed.est.duration_s - 1_644.0 * 27_000.0 / 27_400.0).abs() < 1e-9);
        assert_eq!(routed.occupancy, 2.0);
        let alone = factors.person_km(Mode::Car, Fuel::Diesel, CarSize::Average, 1.0).unwrap();
        let shared = factors.person_km(Mode::Car, Fuel::Diesel, CarSize::Average, 2.0).unwrap();
        assert_eq!(routed.factor, shared);
        let estimate = round_leg(estimate_leg(q.home, q.dest, q.mode, &bands));
        let off = resolve(LegKind::Center, Some(Err(navette_road::Unrouted::DestinationOffNetwork)));
        assert_eq!((off.method, off.reason), (LegMethod::Estimated, Some("destination_off_network")));
        assert_eq!((off.est, off.occupancy, off.factor), (estimate, 1.0, alone));
        let none = resolve(LegKind::Center, None);
        assert_eq!((none.method, none.reason, none.est), (LegMethod::Estimated, None, estimate));
    }
}
