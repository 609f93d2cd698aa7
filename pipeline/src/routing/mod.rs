//! Routing: legs routed on the study's road network (`roads`, crate `navette-road`) and
//! public-transport timetables (`transit`, crate `navette-transit`), and train legs through real
//! stations when there is no timetable (`rail`). A leg that cannot be routed keeps the estimate
//! of [`crate::method::estimate`] with a reason.

pub mod rail;
pub mod roads;
pub mod transit;

use crate::method::mode::Mode;

/// One leg to route, by any engine: mode, home and destination (lat, lon).
#[derive(Debug, Clone, Copy)]
pub struct LegRequest {
    /// Travel mode.
    pub mode: Mode,
    /// Home.
    pub home: (f64, f64),
    /// Office or site.
    pub dest: (f64, f64),
}

/// The engines a study's legs may use, each present only when the study has its data.
#[derive(Clone, Copy, Default)]
pub struct Engines<'a> {
    /// Road network (`inputs.osm`).
    pub roads: Option<&'a roads::RoadRouting>,
    /// Timetables (`inputs.gtfs`).
    pub transit: Option<&'a transit::TransitRouting>,
    /// Stations, for train legs without timetables (`method.rail`).
    pub rail: Option<&'a rail::RailRouting>,
}
