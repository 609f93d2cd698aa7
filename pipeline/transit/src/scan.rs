//! Connection Scan with journey pointers.
//!
//! **Reverse scan** (`arrive by`): connections by decreasing arrival; for every stop the latest
//! time one can board a vehicle there and still reach the destination by `arrive_by`. A home
//! then takes the best of its nearby stops (latest boarding − walk).
//!
//! **Forward scan** (`depart at`): connections by increasing departure; for every stop the
//! earliest arrival by vehicle leaving the origin at `depart_at`.
//!
//! Model (the reference search in the tests uses the same): a journey is access walk, one or more
//! vehicle rides, and between two rides either a change at the same stop (`change_s` of the stop)
//! or one walk along a transfer link; then the egress walk. Only connections inside the time
//! window `[arrive_by − window, arrive_by]` (reverse) or `[depart_at, depart_at + window]`
//! (forward) are used. Every walk and change takes at least 1 s, which with the sort orders
//! (arrival, departure, id) makes one pass exact even with zero-duration connections.

use crate::VehicleClass;
use crate::network::{Access, Conn, Network};

const NO: u32 = u32::MAX;
const END: u32 = u32::MAX;

/// One vehicle ride of a journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Ride {
    /// Vehicle class of the trip.
    pub class: VehicleClass,
    /// Trip index in the network.
    pub trip: u32,
    /// Boarding stop.
    pub from_stop: u32,
    /// Alighting stop.
    pub to_stop: u32,
    /// Departure (s after midnight).
    pub board_s: i32,
    /// Arrival (s).
    pub alight_s: i32,
    /// In-vehicle distance (m).
    pub in_vehicle_m: f64,
}

/// A door-to-door journey.
#[derive(Debug, Clone, PartialEq)]
pub struct Journey {
    /// Leaving the door (s after midnight).
    pub depart_s: i32,
    /// Reaching the other door (s).
    pub arrive_s: i32,
    /// Access walk (s) and distance (m).
    pub access_s: i32,
    /// Access distance (m).
    pub access_m: f64,
    /// Egress walk (s).
    pub egress_s: i32,
    /// Egress distance (m).
    pub egress_m: f64,
    /// Rides in travel order.
    pub rides: Vec<Ride>,
    /// Walks between rides (s).
    pub transfer_walk_s: i32,
    /// Walks between rides (m): straight line × detour.
    pub transfer_walk_m: f64,
}

impl Journey {
    /// Door-to-door time (s).
    pub fn duration_s(&self) -> i32 {
        self.arrive_s - self.depart_s
    }
    /// Number of transfers (rides − 1).
    pub fn transfers(&self) -> usize {
        self.rides.len().saturating_sub(1)
    }
    /// Time in vehicles (s).
    pub fn in_vehicle_s(&self) -> i32 {
        self.rides.iter().map(|r| r.alight_s - r.board_s).sum()
    }
    /// Waiting at stops (s): what is left of the door-to-door time.
    pub fn wait_s(&self) -> i32 {
        self.duration_s() - self.access_s - self.egress_s - self.transfer_walk_s - self.in_vehicle_s()
    }
    /// In-vehicle distance (m) per [`VehicleClass`] (indexed by `class as usize`).
    pub fn in_vehicle_m_by_class(&self) -> [f64; 6] {
        let mut v = [0.0; 6];
        for r in &self.rides {
            v[r.class as usize] += r.in_vehicle_m;
        }
        v
    }
}

/// Label arrays for scans on one network, reused from one query to the next.
pub struct Scanner<'n> {
    net: &'n Network,
    /// Reverse: latest boarding at the stop; forward: earliest arrival by vehicle.
    veh: Vec<i32>,
    /// Connection (trip order) of `veh`.
    veh_ptr: Vec<u32>,
    /// Reverse: latest alighting at the stop; forward: earliest time ready to board there.
    link: Vec<i32>,
    /// The stop where the journey goes on from `link` (itself: change; other: walk) or `END`
    /// (egress in reverse, access in forward).
    link_ptr: Vec<u32>,
    /// Walk at the end of `link_ptr == END`: (s, m).
    end_walk: Vec<(i32, f64)>,
    /// Reverse: the connection where the trip is left; forward: where it is boarded.
    trip_mark: Vec<u32>,
    /// Last query: (forward?, time).
    last: Option<(bool, i32)>,
    /// Connections looked at by the last scan.
    pub scanned: usize,
}

impl<'n> Scanner<'n> {
    /// Allocates the labels.
    pub fn new(net: &'n Network) -> Scanner<'n> {
        let n = net.stops.len();
        Scanner {
            net,
            veh: vec![0; n],
            veh_ptr: vec![NO; n],
            link: vec![0; n],
            link_ptr: vec![END; n],
            end_walk: vec![(0, 0.0); n],
            trip_mark: vec![NO; net.trip_class.len()],
            last: None,
            scanned: 0,
        }
    }

    /// Reverse scan: latest boarding at every stop to arrive by `arrive_by` at the place the
    /// `egress` walks lead to, using connections within `[arrive_by − window_s, arrive_by]`.
    pub fn reverse(&mut self, egress: &[Access], arrive_by: i32, window_s: i32) {
        let net = self.net;
        self.veh.fill(i32::MIN);
        self.link.fill(i32::MIN);
        self.trip_mark.fill(NO);
        for a in egress {
            let v = arrive_by - a.walk_s;
            if v > self.link[a.stop as usize] {
                self.link[a.stop as usize] = v;
                self.link_ptr[a.stop as usize] = END;
                self.end_walk[a.stop as usize] = (a.walk_s, a.walk_m);
            }
        }
        let lower = arrive_by - window_s;
        let start = net.by_arr.partition_point(|c| c.arr > arrive_by);
        let mut scanned = 0;
        for c in &net.by_arr[start..] {
            scanned += 1;
            if c.arr < lower {
                break;
            }
            if c.dep < lower {
                continue;
            }
            let t = c.trip() as usize;
            if self.trip_mark[t] == NO {
                if !(c.can_alight() && c.arr <= self.link[c.arr_stop as usize]) {
                    continue;
                }
                self.trip_mark[t] = c.id;
            }
            let u = c.dep_stop as usize;
            if c.can_board() && c.dep > self.veh[u] {
                self.veh[u] = c.dep;
                self.veh_ptr[u] = c.id;
                let x = c.dep - net.change_s[u];
                if x > self.link[u] {
                    self.link[u] = x;
                    self.link_ptr[u] = u as u32;
                }
                for &(w, f) in &net.fp_in[net.fp_in_start[u] as usize..net.fp_in_start[u + 1] as usize] {
                    let x = c.dep - f;
                    if x > self.link[w as usize] {
                        self.link[w as usize] = x;
                        self.link_ptr[w as usize] = u as u32;
                    }
                }
            }
        }
        self.scanned = scanned;
        self.last = Some((false, arrive_by));
    }

    /// Forward scan: earliest arrival by vehicle at every stop leaving the place the `access`
    /// walks start from at `depart_at`, using connections within `[depart_at, depart_at + window_s]`.
    pub fn forward(&mut self, access: &[Access], depart_at: i32, window_s: i32) {
        let net = self.net;
        self.veh.fill(i32::MAX);
        self.link.fill(i32::MAX);
        self.trip_mark.fill(NO);
        for a in access {
            let v = depart_at + a.walk_s;
            if v < self.link[a.stop as usize] {
                self.link[a.stop as usize] = v;
                self.link_ptr[a.stop as usize] = END;
                self.end_walk[a.stop as usize] = (a.walk_s, a.walk_m);
            }
        }
        let upper = depart_at + window_s;
        let start = net.by_dep.partition_point(|c| c.dep < depart_at);
        let mut scanned = 0;
        for c in &net.by_dep[start..] {
            scanned += 1;
            if c.dep > upper {
                break;
            }
            if c.arr > upper {
                continue;
            }
            let t = c.trip() as usize;
            if self.trip_mark[t] == NO {
                if !(c.can_board() && c.dep >= self.link[c.dep_stop as usize]) {
                    continue;
                }
                self.trip_mark[t] = c.id;
            }
            let v = c.arr_stop as usize;
            if c.can_alight() && c.arr < self.veh[v] {
                self.veh[v] = c.arr;
                self.veh_ptr[v] = c.id;
                let x = c.arr + net.change_s[v];
                if x < self.link[v] {
                    self.link[v] = x;
                    self.link_ptr[v] = v as u32;
                }
                for &(w, f) in &net.fp_out[net.fp_out_start[v] as usize..net.fp_out_start[v + 1] as usize] {
                    let x = c.arr + f;
                    if x < self.link[w as usize] {
                        self.link[w as usize] = x;
                        self.link_ptr[w as usize] = v as u32;
                    }
                }
            }
        }
        self.scanned = scanned;
        self.last = Some((true, depart_at));
    }

    /// After [`Scanner::reverse`]: the latest boarding time at a stop, if any.
    /// After [`Scanner::forward`]: the earliest arrival by vehicle at a stop, if any.
    pub fn stop_label(&self, s: u32) -> Option<i32> {
        let v = self.veh[s as usize];
        (v != i32::MIN && v != i32::MAX).then_some(v)
    }

    /// The best journey for a home with these walks to stops (to board after a reverse scan, from
    /// the last vehicle after a forward scan); `None` when no stop of the list is served. Ties
    /// go to the first walk in the list.
    pub fn journey(&self, home: &[Access]) -> Option<Journey> {
        let (forward, _) = self.last?;
        let mut best: Option<(i32, Access)> = None;
        for a in home {
            let Some(l) = self.stop_label(a.stop) else { continue };
            let door = if forward { l + a.walk_s } else { l - a.walk_s };
            let better = match best {
                None => true,
                Some((b, _)) => (forward && door < b) || (!forward && door > b),
            };
            if better {
                best = Some((door, *a));
            }
        }
        let (door, a) = best?;
        Some(if forward { self.unpack_forward(door, a) } else { self.unpack_reverse(door, a) })
    }

    fn ride(&self, first: &Conn, last_id: u32) -> Ride {
        let net = self.net;
        let last = net.conns[last_id as usize];
        let in_vehicle_m = (first.id..=last_id).map(|i| net.conn_m[i as usize] as f64).sum();
        Ride {
            class: net.trip_class[first.trip() as usize],
            trip: first.trip(),
            from_stop: first.dep_stop,
            to_stop: last.arr_stop,
            board_s: first.dep,
            alight_s: last.arr,
            in_vehicle_m,
        }
    }

    fn walk_m(&self, a: u32, b: u32) -> f64 {
        crate::geo::haversine_m(self.net.stop_pos(a), self.net.stop_pos(b)) * self.net.options.walk_detour
    }

    fn unpack_reverse(&self, depart_s: i32, a: Access) -> Journey {
        let net = self.net;
        let mut j = Journey {
            depart_s,
            arrive_s: 0,
            access_s: a.walk_s,
            access_m: a.walk_m,
            egress_s: 0,
            egress_m: 0.0,
            rides: Vec::new(),
            transfer_walk_s: 0,
            transfer_walk_m: 0.0,
        };
        let mut u = a.stop;
        // Each ride boards strictly later than the previous one: the walk is bounded.
        for _ in 0..=net.trip_class.len() {
            let c = net.conns[self.veh_ptr[u as usize] as usize];
            let exit = self.trip_mark[c.trip() as usize];
            let r = self.ride(&c, exit);
            let (v, at) = (r.to_stop, r.alight_s);
            j.rides.push(r);
            match self.link_ptr[v as usize] {
                END => {
                    let (s, m) = self.end_walk[v as usize];
                    j.egress_s = s;
                    j.egress_m = m;
                    j.arrive_s = at + s;
                    return j;
                }
                w if w == v => u = v,
                w => {
                    j.transfer_walk_s += net.walk_s(v, w).expect("a walk pointer follows a walk");
                    j.transfer_walk_m += self.walk_m(v, w);
                    u = w;
                }
            }
        }
        unreachable!("journey pointers form a cycle")
    }

    fn unpack_forward(&self, arrive_s: i32, a: Access) -> Journey {
        let net = self.net;
        let mut j = Journey {
            depart_s: 0,
            arrive_s,
            access_s: 0,
            access_m: 0.0,
            egress_s: a.walk_s,
            egress_m: a.walk_m,
            rides: Vec::new(),
            transfer_walk_s: 0,
            transfer_walk_m: 0.0,
        };
        let mut v = a.stop;
        for _ in 0..=net.trip_class.len() {
            let e = net.conns[self.veh_ptr[v as usize] as usize];
            let entry = net.conns[self.trip_mark[e.trip() as usize] as usize];
            let r = self.ride(&entry, e.id);
            let (u, at) = (r.from_stop, r.board_s);
            j.rides.push(r);
            match self.link_ptr[u as usize] {
                END => {
                    let (s, m) = self.end_walk[u as usize];
                    j.access_s = s;
                    j.access_m = m;
                    // Leaving just in time for the first vehicle (as in the reverse scan, where
                    // the home is left at the latest time): waiting at the ends is not travel.
                    j.depart_s = at - s;
                    j.rides.reverse();
                    return j;
                }
                p if p == u => v = u,
                p => {
                    j.transfer_walk_s += net.walk_s(p, u).expect("a walk pointer follows a walk");
                    j.transfer_walk_m += self.walk_m(p, u);
                    v = p;
                }
            }
        }
        unreachable!("journey pointers form a cycle")
    }
}
