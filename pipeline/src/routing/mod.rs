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
    /// Answers already computed in this run, reused instead of searching again (see [`Memo`]);
    /// `None`: every call searches.
    pub memo: Option<&'a Memo>,
}

/// What the engines answered for each request of a run, kept so that the legs, the potential
/// and every scenario ask the engines once: an answer depends on the request alone (mode, home,
/// destination) and the engines' options, which scenarios cannot change. A one-to-all tree per
/// destination is the cost (a country's tree takes tens of milliseconds); a scenario that routes
/// its legs again would pay for all its trees a second time.
///
/// Only the answers a caller asks to keep are kept ([`Engines::route_keeping`]): the potential
/// asks for every employee at every site, but only the legs of center days are asked for again.
#[derive(Default)]
pub struct Memo {
    answers: std::sync::Mutex<std::collections::HashMap<MemoKey, Answer>>,
}

/// A request as the memo knows it: mode, then the bits of home and destination.
type MemoKey = (Mode, [u64; 4]);

fn memo_key(q: &LegRequest) -> MemoKey {
    (q.mode, [q.home.0.to_bits(), q.home.1.to_bits(), q.dest.0.to_bits(), q.dest.1.to_bits()])
}

impl Memo {
    /// Number of answers kept.
    pub fn len(&self) -> usize {
        self.answers.lock().expect("no panic while holding the memo").len()
    }

    /// Whether no answer is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
    ///
    /// With a [`Memo`], answers it holds are taken from it and the others are searched and kept.
    pub fn route(&self, requests: &[LegRequest]) -> Vec<Answer> {
        self.route_keeping(requests, |_| true, false)
    }

    /// [`Engines::route`] with the progress of road trees and timetable scans: a bar per profile
    /// and one for the scans on a terminal, log lines at tenths otherwise (for the run's legs;
    /// planning, which asks batch after batch, shows its own progress over sites).
    pub fn route_showing_progress(&self, requests: &[LegRequest]) -> Vec<Answer> {
        self.route_keeping(requests, |_| true, true)
    }

    /// [`Engines::route`], keeping in the memo only the new answers of the requests `keep`
    /// selects (by index in `requests`), with progress when `show_progress`.
    pub fn route_keeping(
        &self,
        requests: &[LegRequest],
        keep: impl Fn(usize) -> bool,
        show_progress: bool,
    ) -> Vec<Answer> {
        if self.roads.is_none() && self.transit.is_none() && self.rail.is_none() {
            // No engine: nothing to search, nothing worth keeping.
            return vec![Answer::default(); requests.len()];
        }
        let Some(memo) = self.memo else { return self.search(requests, show_progress) };
        let mut out: Vec<Option<Answer>> = {
            let held = memo.answers.lock().expect("no panic while holding the memo");
            requests.iter().map(|q| held.get(&memo_key(q)).cloned()).collect()
        };
        let missing: Vec<usize> = (0..requests.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let asked: Vec<LegRequest> = missing.iter().map(|&i| requests[i]).collect();
            let found = self.search(&asked, show_progress);
            let mut held = memo.answers.lock().expect("no panic while holding the memo");
            for (&i, a) in missing.iter().zip(found) {
                if keep(i) {
                    held.insert(memo_key(&requests[i]), a.clone());
                }
                out[i] = Some(a);
            }
        }
        out.into_iter().map(|a| a.expect("every request answered")).collect()
    }

    /// Asks every engine, without the memo.
    fn search(&self, requests: &[LegRequest], show_progress: bool) -> Vec<Answer> {
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
