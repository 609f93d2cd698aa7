//! Train legs through real SNCB/NMBS stations (crate `navette-transit`, module `rail`) when the
//! study has no timetable: home → a station (walk, bike or car by distance) → rail → a station
//! near the office or site → on foot or by bus, with the documented and calibrated model of
//! `navette_transit::rail`. A train leg with no station near either end keeps the flat estimate
//! with the reason (`no_station_near_home`, `no_station_near_destination`, `same_station`).
//!
//! With GTFS feeds (`inputs.gtfs`) the timetables serve train legs instead, and this model is
//! not used.

use anyhow::{Context, Result};
use navette_transit::rail::{RailFallback, RailLeg, RailModel, Stations, parse_stations, rail_legs};

use crate::config::{RailStations, Study};
use crate::method::mode::Mode;
use crate::routing::LegRequest;

/// The shipped station list: iRail/stations (CC0), see `datasets/SOURCES.md`.
const STATIONS_CSV: &str = include_str!("../../../datasets/rail/stations.csv");

/// The station list and the model the study's train legs use.
pub struct RailRouting {
    /// Belgian passenger stations with their class.
    pub stations: Stations,
    /// The model's parameters (the documented defaults).
    pub model: RailModel,
}

/// Opens the station model for train legs when `method.rail.stations` is `builtin` and the study
/// has no GTFS feed; `None` otherwise (train legs then ride the timetables, or stay estimated).
pub fn open(study: &Study) -> Result<Option<RailRouting>> {
    if !study.config.inputs.gtfs.is_empty() || study.config.method.rail.stations == RailStations::Off {
        return Ok(None);
    }
    let (stations, _report) = parse_stations(STATIONS_CSV.as_bytes(), "datasets/rail/stations.csv")
        .context("the shipped station list (datasets/rail/stations.csv) cannot be read")?;
    Ok(Some(RailRouting { stations, model: RailModel::default() }))
}

/// Station legs for every train request; `None` for the other modes. Runs in parallel; the
/// result is in request order.
pub fn route(r: &RailRouting, requests: &[LegRequest]) -> Vec<Option<Result<RailLeg, RailFallback>>> {
    let train: Vec<usize> = (0..requests.len()).filter(|&i| requests[i].mode == Mode::Train).collect();
    let pairs: Vec<_> = train.iter().map(|&i| (requests[i].home, requests[i].dest)).collect();
    let mut out: Vec<Option<Result<RailLeg, RailFallback>>> = vec![None; requests.len()];
    for (i, leg) in train.into_iter().zip(rail_legs(&r.stations, &pairs, &r.model)) {
        out[i] = Some(leg);
    }
    out
}
