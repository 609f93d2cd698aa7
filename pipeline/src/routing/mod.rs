//! Routing: legs routed on the study's road network (`roads`, crate `navette-road`) and
//! public-transport timetables (`transit`, crate `navette-transit`), and train legs through real
//! stations when there is no timetable (`rail`). A leg that cannot be routed keeps the estimate
//! of [`crate::method::estimate`] with a reason.

pub mod rail;
pub mod roads;
pub mod transit;

use navette_road::Unrouted;
use navette_transit::rail::{RailFallback, RailLeg};

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

/// What the engines said of one leg; each part `None` when the study lacks that engine or the
/// engine does not serve the leg's mode. The large answers are boxed: planning holds one per
/// person × site of a batch.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    /// Road network: the routed leg, or why it could not be routed.
    pub road: Option<Result<roads::RoutedLeg, Unrouted>>,
    /// Timetables: the leg, or why it could not be served.
    pub transit: Option<Result<Box<transit::TransitLeg>, transit::TransitUnrouted>>,
    /// Stations: the train leg, or why the train is of no use.
    pub rail: Option<Result<Box<RailLeg>, RailFallback>>,
}

impl Engines<'_> {
    /// Asks every engine the study has about every request, in request order. Each engine
    /// batches by destination (roads: one tree per profile and destination; timetables: one
    /// reverse and one forward scan per destination), so callers put all the legs of a
    /// destination in one call.
    pub fn route(&self, requests: &[LegRequest]) -> Vec<Answer> {
        self.route_in(requests, false)
    }

    /// [`Engines::route`] with the progress of road trees and timetable scans: a bar per profile
    /// and one for the scans on a terminal, log lines at tenths otherwise (for the run's legs;
    /// planning, which asks batch after batch, shows its own progress over sites).
    pub fn route_showing_progress(&self, requests: &[LegRequest]) -> Vec<Answer> {
        self.route_in(requests, true)
    }

    fn route_in(&self, requests: &[LegRequest], show_progress: bool) -> Vec<Answer> {
        let mut out = vec![Answer::default(); requests.len()];
        if let Some(r) = self.roads {
            for (a, leg) in out.iter_mut().zip(roads::route_with(r, requests, show_progress)) {
                a.road = leg;
            }
        }
        if let Some(t) = self.transit {
            for (a, leg) in out.iter_mut().zip(transit::route_with(t, requests, show_progress)) {
                a.transit = leg.map(|l| l.map(Box::new));
            }
        }
        if let Some(r) = self.rail {
            for (a, leg) in out.iter_mut().zip(rail::route(r, requests)) {
                a.rail = leg.map(|l| l.map(Box::new));
            }
        }
        out
    }
}
