//! Routing: legs routed on the study's road network (`roads`, crate `navette-road`) and
//! public-transport timetables (`transit`, crate `navette-transit`). A leg that cannot be routed
//! keeps the estimate of [`crate::method::estimate`] with a reason.

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
