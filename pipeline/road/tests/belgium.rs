//! Routing on two real Belgian extracts, Mons and Wavre (OpenStreetMap, January 2015; see
//! `datasets/SOURCES.md`), checked against facts read from the same files.
//!
//! Every place used below is looked up in the PBF by its OSM id, and its tags (name, `oneway`,
//! `highway`, `ref`) are asserted before it is used, so a test states where its coordinates come
//! from and fails loudly if the fixture changes. The ids were found by reading the extracts with
//! pyosmium (`osmium.SimpleHandler`, highway ways, named nodes, `highway=motorway_junction`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::LazyLock;

use navette_road::graph::{self, Graph};
use navette_road::osm::{OsmExtract, read_pbf};
use navette_road::{Job, Profile, RoadNetwork, RoundTrip, Unrouted};
use osmpbf::{Element, ElementReader};

/// The pipeline's default `method.routing.max_snap_m`.
const MAX_SNAP_M: f64 = 1000.0;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/osm").join(name)
}

/// What the tests read from a PBF: every node's position, the tags of named or tagged nodes, and
/// the tags and nodes of every way.
struct Data {
    coords: HashMap<i64, (f64, f64)>,
    node_tags: HashMap<i64, HashMap<String, String>>,
    ways: HashMap<i64, (Vec<i64>, HashMap<String, String>)>,
}

impl Data {
    fn read(name: &str) -> Data {
        let mut d = Data { coords: HashMap::new(), node_tags: HashMap::new(), ways: HashMap::new() };
        let tags = |it: &mut dyn Iterator<Item = (&str, &str)>| -> HashMap<String, String> {
            it.map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
        };
        ElementReader::from_path(fixture(name))
            .expect("fixture opens")
            .for_each(|e| match e {
                Element::DenseNode(n) => {
                    d.coords.insert(n.id(), (n.lat(), n.lon()));
                    let t = tags(&mut n.tags());
                    if !t.is_empty() {
                        d.node_tags.insert(n.id(), t);
                    }
                }
                Element::Node(n) => {
                    d.coords.insert(n.id(), (n.lat(), n.lon()));
                    let t = tags(&mut n.tags());
                    if !t.is_empty() {
                        d.node_tags.insert(n.id(), t);
                    }
                }
                Element::Way(w) => {
                    d.ways.insert(w.id(), (w.refs().collect(), tags(&mut w.tags())));
                }
                Element::Relation(_) => {}
            })
            .expect("fixture reads");
        d
    }

    fn node_tag(&self, id: i64, key: &str) -> Option<&str> {
        self.node_tags.get(&id)?.get(key).map(String::as_str)
    }

    fn way_tag(&self, id: i64, key: &str) -> Option<&str> {
        self.ways.get(&id)?.1.get(key).map(String::as_str)
    }

    /// Position of node `id`, after checking that its `key` tag is `value`.
    fn node_where(&self, id: i64, key: &str, value: &str) -> (f64, f64) {
        assert_eq!(self.node_tag(id, key), Some(value), "node {id} {key}");
        self.coords[&id]
    }

    /// Point at `share` of the way's segment `k` (from its node k to node k + 1).
    fn on_segment(&self, way: i64, k: usize, share: f64) -> (f64, f64) {
        let refs = &self.ways[&way].0;
        let (a, b) = (self.coords[&refs[k]], self.coords[&refs[k + 1]]);
        (a.0 + share * (b.0 - a.0), a.1 + share * (b.1 - a.1))
    }

    /// Ways whose `highway` tag is one of `values`.
    fn ways_with_highway(&self, values: &[&str]) -> HashSet<i64> {
        self.ways
            .iter()
            .filter(|(_, (_, t))| t.get("highway").is_some_and(|h| values.contains(&h.as_str())))
            .map(|(&id, _)| id)
            .collect()
    }
}

struct City {
    data: Data,
    extract: OsmExtract,
    net: RoadNetwork,
}

fn load(name: &str) -> City {
    let data = Data::read(name);
    let extract = read_pbf(&fixture(name)).expect("fixture reads");
    let (net, _) = RoadNetwork::from_pbf(&fixture(name)).expect("fixture builds");
    City { data, extract, net }
}

static MONS: LazyLock<City> = LazyLock::new(|| load("mons.osm.pbf"));
static WAVRE: LazyLock<City> = LazyLock::new(|| load("wavre.osm.pbf"));

fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2) + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn trip(net: &RoadNetwork, p: Profile, home: (f64, f64), dest: (f64, f64)) -> RoundTrip {
    net.round_trips(p, &[Job { dest, homes: vec![home] }], MAX_SNAP_M)[0][0]
        .unwrap_or_else(|e| panic!("{p:?} {home:?} → {dest:?}: {e:?}"))
}

fn kmh(leg: &navette_road::Leg) -> f64 {
    leg.network.dm as f64 / 10.0 / (leg.network.duration_ds as f64 / 10.0) * 3.6
}

/// Mons: Grand-Place (bus stop node 3085641586 "Mons Grand-Place", on the square) to the railway
/// station (node 496951877, `railway=station`, name "Mons"), 550 m apart as the crow flies. The
/// node lies among the tracks of the 2015 temporary station ("Mons - Gare Provisoire", way
/// 157415760; footbridges such as ways 196991222 and 240040317): both engines snap it 13–17 m
/// away and go round by the boulevards (Winston Churchill, Charles Quint). OSRM 26.10 (PyPI
/// `osrm-bindings`, same extract, Route service): foot 1,914 m both ways; car 1,378 m there (Rue
/// d'Enghien, Place du Parc) and 2,374 m back (Place Léopold, Rue de Nimy: one-way streets).
#[test]
fn mons_grand_place_to_the_station() {
    let m = &*MONS;
    let place = m.data.node_where(3085641586, "name", "Mons Grand-Place");
    let station = m.data.node_where(496951877, "railway", "station");
    assert_eq!(m.data.node_tag(496951877, "name"), Some("Mons"));
    let crow = haversine_m(place, station);
    assert!((500.0..600.0).contains(&crow), "{crow}");
    let car = trip(&m.net, Profile::Car, place, station);
    let foot = trip(&m.net, Profile::Foot, place, station);
    let bike = trip(&m.net, Profile::Bike, place, station);
    let network_m = |leg: &navette_road::Leg| leg.network.dm as f64 / 10.0;
    // Within 2% of OSRM's distances.
    for (leg, osrm) in [(&foot.there, 1914.0), (&foot.back, 1914.0), (&car.there, 1377.6), (&car.back, 2374.3)] {
        let d = network_m(leg);
        assert!((d / osrm - 1.0).abs() < 0.02, "{d} m, OSRM {osrm} m: {leg:?}");
    }
    // Walking pace: 5 km/h on the network, plus traffic-signal waits.
    let walk = kmh(&foot.there);
    assert!((4.5..=5.0).contains(&walk), "{walk} km/h");
    // Town-centre driving: between 15 and 40 km/h (OSRM: 26.5 and 30.6 km/h).
    for leg in [&car.there, &car.back] {
        let v = kmh(leg);
        assert!((15.0..40.0).contains(&v), "{v} km/h");
    }
    assert!(car.there.duration_s() < bike.there.duration_s() && bike.there.duration_s() < foot.there.duration_s());
}

/// Wavre: from the town centre (node 60284787, `place=town`, name "Wavre") onto the E411
/// southbound at exit 6 "Wavre" (junction node 248762584): the on-ramp is way 23053391
/// (`highway=motorway_link`, one-way, from the N238 Boulevard de l'Europe at node 248762365 to
/// the E411 at node 248762392). OSRM 26.10: 3,337 m there (Rue du Pont du Christ, Boulevard de
/// l'Europe), 3,645 m back (E411 to exit 7, Chaussée de Namur); the centre node is 30 m from
/// the nearest road.
#[test]
fn wavre_centre_to_the_e411_at_exit_6() {
    let w = &*WAVRE;
    let centre = w.data.node_where(60284787, "place", "town");
    assert_eq!(w.data.node_tag(60284787, "name"), Some("Wavre"));
    w.data.node_where(248762584, "highway", "motorway_junction");
    assert_eq!((w.data.node_tag(248762584, "name"), w.data.node_tag(248762584, "ref")), (Some("Wavre"), Some("6")));
    assert_eq!(w.data.way_tag(23053391, "highway"), Some("motorway_link"));
    assert_eq!(w.data.way_tag(23053391, "oneway"), Some("yes"));
    let refs = &w.data.ways[&23053391].0;
    assert_eq!((refs[0], *refs.last().unwrap()), (248762365, 248762392));
    let ramp = w.data.on_segment(23053391, 4, 0.5);
    let car = trip(&w.net, Profile::Car, centre, ramp);
    assert!(car.there.access_m < 35.0, "the ramp point is on the ramp, the centre node 30 m off a road");
    for (leg, osrm) in [(&car.there, 3337.2), (&car.back, 3645.1)] {
        let d = leg.network.dm as f64 / 10.0;
        assert!((d / osrm - 1.0).abs() < 0.03, "{d} m, OSRM {osrm} m: {leg:?}");
        let v = kmh(leg);
        assert!((35.0..80.0).contains(&v), "{v} km/h: boulevard and motorway");
    }
    // Cyclists and walkers may not use the ramp: the point snaps to another road.
    for p in [Profile::Bike, Profile::Foot] {
        let s = w.net.snap(p, ramp.0, ramp.1, MAX_SNAP_M).expect("near roads");
        assert!(s.offset_m > 5.0, "{p:?} snaps {} m away", s.offset_m);
    }
}

/// A one-way street from the extract, two points on it (on segment `a` and segment `b`, `a` < `b`
/// in the way's node order): by car only the way along the street is short; on foot both.
fn one_way_street(c: &City, way: i64, name: &str, a: usize, b: usize) {
    assert_eq!(c.data.way_tag(way, "name"), Some(name));
    assert_eq!(c.data.way_tag(way, "oneway"), Some("yes"));
    for k in ["oneway:bicycle", "cycleway", "oneway:foot", "access", "motor_vehicle"] {
        assert_eq!(c.data.way_tag(way, k), None, "{name}: {k}");
    }
    let (p, q) = (c.data.on_segment(way, a, 0.5), c.data.on_segment(way, b, 0.5));
    // Length along the street between the two points.
    let refs = &c.data.ways[&way].0;
    let pts: Vec<(f64, f64)> =
        std::iter::once(p).chain(refs[a + 1..=b].iter().map(|r| c.data.coords[r])).chain(std::iter::once(q)).collect();
    let along: f64 = pts.windows(2).map(|w| haversine_m(w[0], w[1])).sum();
    let car = trip(&c.net, Profile::Car, p, q);
    let foot = trip(&c.net, Profile::Foot, p, q);
    let bike = trip(&c.net, Profile::Bike, p, q);
    assert!(car.there.access_m < 1.0, "both points are on the street");
    // Along the one-way: straight down the street, to the decimetre.
    assert!((car.there.network.dm as f64 / 10.0 - along).abs() < 1.0, "{car:?} vs {along} m");
    // Against it: around the block.
    assert!(car.back.distance_m() > 2.0 * along + 100.0, "{car:?}");
    // On foot, both ways down the street.
    for leg in [&foot.there, &foot.back, &bike.there] {
        assert!((leg.network.dm as f64 / 10.0 - along).abs() < 1.0, "{leg:?} vs {along} m");
    }
    assert_eq!(foot.there.network.duration_ds, foot.back.network.duration_ds);
    // By bicycle, ridden along (15 km/h); against the one-way either pushed down the street at
    // 4 km/h or ridden round the block, whichever is faster: never slower than pushing.
    assert!((kmh(&bike.there) - 15.0).abs() < 0.2, "{bike:?}");
    let push_ds = along / (4.0 / 3.6) * 10.0;
    let back_ds = bike.back.network.duration_ds as f64;
    assert!(back_ds <= push_ds + 1.0 && back_ds > bike.there.network.duration_ds as f64, "{bike:?}");
}

/// Mons: Rue des Dominicains (way 23148837, `highway=residential`, `oneway=yes`, 6 nodes,
/// 210 m, from Rue de Nimy's side at node 250378404 northwards).
#[test]
fn mons_one_way_street() {
    one_way_street(&MONS, 23148837, "Rue des Dominicains", 0, 2);
}

/// Wavre: Rue Sainte Reine (way 36243671, `highway=residential`, `oneway=yes`, 9 nodes, 282 m,
/// eastwards from node 248763304).
#[test]
fn wavre_one_way_street() {
    one_way_street(&WAVRE, 36243671, "Rue Sainte Reine", 1, 6);
}

/// The network of `c` without the ways in `drop`.
fn without(c: &City, drop: &HashSet<i64>) -> RoadNetwork {
    let mut x = c.extract.clone();
    x.ways.retain(|w| !drop.contains(&w.id));
    RoadNetwork::from_graphs(String::new(), Profile::ALL.iter().map(|&p| graph::build(&x, p).0).collect())
}

fn ways_of(g: &Graph) -> HashSet<i64> {
    g.edge_way.iter().copied().collect()
}

/// Motorways, motorway links and trunks are in the car graph and never in the bicycle or foot
/// graphs (the extract's own `highway` tags).
fn fast_roads_are_for_cars(c: &City, min_car_ways: usize) {
    let fast = c.data.ways_with_highway(&["motorway", "motorway_link", "trunk", "trunk_link"]);
    let car = ways_of(c.net.graph(Profile::Car));
    let n = car.intersection(&fast).count();
    assert!(n >= min_car_ways, "{n} motorway/trunk ways in the car graph");
    for p in [Profile::Bike, Profile::Foot] {
        let used: Vec<i64> = ways_of(c.net.graph(p)).intersection(&fast).copied().collect();
        assert!(used.is_empty(), "{p:?} may use {used:?}");
    }
}

/// Bierges → Louvain-la-Neuve: from the Bierges-Walibi railway station (node 60284570,
/// `railway=station`) to Rue de Clairvaux in Louvain-la-Neuve (way 9294821, `highway=residential`),
/// 3.7 km south-east as the crow flies. OSRM 26.10 drives it on the E411 both ways (Boulevard de
/// l'Europe, E411 from exit 6 to exit 7, Chaussée de Namur; back northbound to exit 6): 6,852 m
/// in 467 s there, 6,892 m in 422 s back. Removing the ways tagged `highway=motorway`,
/// `ref=E411` makes navette's car trip slower both ways, with the same snapped ends: the
/// fastest route used them. Bicycles and walkers never have them in their graphs, so their
/// routes are the same with or without.
#[test]
fn bierges_to_louvain_la_neuve_takes_the_e411_by_car_only() {
    let w = &*WAVRE;
    fast_roads_are_for_cars(w, 50);
    let walibi = w.data.node_where(60284570, "railway", "station");
    assert_eq!(w.data.node_tag(60284570, "name"), Some("Bierges-Walibi"));
    assert_eq!(w.data.way_tag(9294821, "name"), Some("Rue de Clairvaux"));
    let lln = w.data.on_segment(9294821, 0, 0.5);
    let e411: HashSet<i64> = w
        .data
        .ways_with_highway(&["motorway"])
        .into_iter()
        .filter(|&id| w.data.way_tag(id, "ref") == Some("E411"))
        .collect();
    assert!(e411.len() >= 15, "{e411:?}");
    let slow = without(w, &e411);
    let car = trip(&w.net, Profile::Car, walibi, lln);
    let car_without = trip(&slow, Profile::Car, walibi, lln);
    for (with, wo, osrm_m) in [(&car.there, &car_without.there, 6852.3), (&car.back, &car_without.back, 6892.2)] {
        assert!((with.access_m - wo.access_m).abs() < 0.01, "same snapped ends");
        assert!(wo.network.weight_ds > with.network.weight_ds + 400, "{with:?} / {wo:?}");
        assert!(wo.duration_s() > with.duration_s() + 40.0, "{with:?} / {wo:?}");
        let d = with.network.dm as f64 / 10.0;
        assert!((d / osrm_m - 1.0).abs() < 0.02, "{d} m, OSRM {osrm_m} m");
        let v = kmh(with);
        assert!((45.0..75.0).contains(&v), "{v} km/h");
    }
    for p in [Profile::Bike, Profile::Foot] {
        let a = trip(&w.net, p, walibi, lln);
        let b = trip(&slow, p, walibi, lln);
        assert_eq!((a.there.network, a.back.network), (b.there.network, b.back.network), "{p:?}");
        assert!(a.there.network.dm < car.there.network.dm, "{p:?} takes the shorter local roads");
    }
}

/// Mons. The E19/E42 crosses only the extract's north-west corner, with exit 24 "Mons"
/// (junction nodes 618973 and 358020727) inside: its carriageways run off the extract to the
/// north and west, so they are one-way dead ends and the strongly-connected-component filter
/// drops them: no trip inside the extract can use the motorway. The fast road of trips across
/// Mons is the one-way ring R50 (`highway=trunk`, `ref=R50`, the boulevards round the old town,
/// 70 km/h where signed). From Cuesmes station (node 1146307245, "Gare de Cuesmes") to Nimy
/// station (node 388918151, "Nimy"), 4.0 km apart, OSRM 26.10 takes 1.8 km of the R50 both
/// ways: 5,418 m in 426 s there, 5,732 m in 442 s back. Removing the R50 makes navette's car
/// trip slower both ways, with the same snapped ends: the fastest route used it. Bicycles and
/// walkers never have it.
#[test]
fn mons_ring_r50_by_car_only() {
    let m = &*MONS;
    fast_roads_are_for_cars(m, 20);
    for id in [618973, 358020727] {
        m.data.node_where(id, "highway", "motorway_junction");
        assert_eq!((m.data.node_tag(id, "name"), m.data.node_tag(id, "ref")), (Some("Mons"), Some("24")));
    }
    let e19 = m.data.ways_with_highway(&["motorway"]);
    assert!(e19.len() >= 20);
    let kept = ways_of(m.net.graph(Profile::Car));
    assert!(kept.is_disjoint(&e19), "clipped motorway carriageways are dead ends");
    let r50: HashSet<i64> = m
        .data
        .ways_with_highway(&["trunk"])
        .into_iter()
        .filter(|&id| m.data.way_tag(id, "ref") == Some("R50"))
        .collect();
    assert!(r50.len() >= 15 && r50.is_subset(&kept), "{r50:?}");
    let cuesmes = m.data.node_where(1146307245, "railway", "station");
    assert_eq!(m.data.node_tag(1146307245, "name"), Some("Gare de Cuesmes"));
    let nimy = m.data.node_where(388918151, "railway", "station");
    assert_eq!(m.data.node_tag(388918151, "name"), Some("Nimy"));
    let slow = without(m, &r50);
    let car = trip(&m.net, Profile::Car, cuesmes, nimy);
    let car_without = trip(&slow, Profile::Car, cuesmes, nimy);
    for (with, wo, osrm_m, osrm_s) in
        [(&car.there, &car_without.there, 5417.7, 426.0), (&car.back, &car_without.back, 5731.6, 442.0)]
    {
        assert!((with.access_m - wo.access_m).abs() < 0.01, "same snapped ends");
        assert!(wo.duration_s() > with.duration_s() + 60.0, "{with:?} / {wo:?}");
        let (d, t) = (with.network.dm as f64 / 10.0, with.network.duration_ds as f64 / 10.0);
        assert!((d / osrm_m - 1.0).abs() < 0.02, "{d} m, OSRM {osrm_m} m");
        assert!((t / osrm_s - 1.0).abs() < 0.05, "{t} s, OSRM {osrm_s} s");
        let v = kmh(with);
        assert!((35.0..60.0).contains(&v), "{v} km/h");
    }
    for p in [Profile::Bike, Profile::Foot] {
        let a = trip(&m.net, p, cuesmes, nimy);
        let b = trip(&slow, p, cuesmes, nimy);
        assert_eq!((a.there.network, a.back.network), (b.there.network, b.back.network), "{p:?}");
    }
}

/// Points in a field or far outside the extract are not routed, with the reason.
fn unrouted(c: &City, field: (f64, f64), far: (f64, f64), inside: (f64, f64)) {
    for p in Profile::ALL {
        // The field point is more than 250 m from any road of any profile (pyosmium: 290–310 m
        // from the nearest `highway=*` segment): not snapped at 200 m, snapped at the default.
        assert!(c.net.snap(p, field.0, field.1, 200.0).is_none(), "{p:?}");
        let s = c.net.snap(p, field.0, field.1, MAX_SNAP_M).expect("within 1 km of a road");
        assert!(s.offset_m > 250.0, "{p:?}: {}", s.offset_m);
        let jobs = [Job { dest: inside, homes: vec![field, far, inside] }, Job { dest: field, homes: vec![inside] }];
        let out = c.net.round_trips(p, &jobs, 200.0);
        assert_eq!(out[0][0], Err(Unrouted::OriginOffNetwork), "{p:?}");
        assert_eq!(out[0][1], Err(Unrouted::OriginOffNetwork), "{p:?}");
        assert!(out[0][2].is_ok(), "{p:?}");
        assert_eq!(out[1][0], Err(Unrouted::DestinationOffNetwork), "{p:?}");
        // With the pipeline's default limit the field point routes, the walk to the road counted.
        let ok = c.net.round_trips(p, &jobs[1..], MAX_SNAP_M)[0][0].expect("routes at 1 km");
        assert!(ok.there.access_m > 250.0);
        assert!(ok.there.duration_s() > ok.there.network.duration_ds as f64 / 10.0 + 180.0);
    }
}

/// Mons: a field in Cuesmes (50.4433, 3.9328; 312 m from the nearest `highway=*` segment) and
/// Brussels-Central (50.8454, 4.3571), 54 km away.
#[test]
fn mons_unrouted_points() {
    let m = &*MONS;
    let station = m.data.node_where(496951877, "railway", "station");
    unrouted(m, (50.4433, 3.9328), (50.8454, 4.3571), station);
}

/// Wavre: a field north of Louvain-la-Neuve (50.6818, 4.6319; 293 m from the nearest `highway=*`
/// segment) and Namur (50.4674, 4.8720), 29 km away.
#[test]
fn wavre_unrouted_points() {
    let w = &*WAVRE;
    let centre = w.data.node_where(60284787, "place", "town");
    unrouted(w, (50.6818, 4.6319), (50.4674, 4.8720), centre);
}

/// Issue 13: a home on a car-graph edge that leads nowhere (kept by the junction-level component
/// filter, but cut off by a barrier or by turns) snaps to the nearest edge that routes, as OSRM
/// prefers its big components; before, it snapped onto the dead piece and every leg was
/// `no_route` (the car pairs "only OSRM routes" of `compare/run.sh`).
fn snaps_past_a_dead_piece(c: &City, way: i64, k: usize, dest: (f64, f64)) {
    let g = c.net.graph(Profile::Car);
    assert!(g.edge_way.contains(&way), "way {way} is in the car graph");
    let home = c.data.on_segment(way, k, 0.5);
    let s = c.net.snap(Profile::Car, home.0, home.1, MAX_SNAP_M).expect("snaps");
    let refs = &c.data.ways[&way].0;
    let seg = (
        g.vertex_osm[g.edge_vertex[s.pos as usize] as usize],
        g.vertex_osm[g.edge_vertex[s.pos as usize + 1] as usize],
    );
    assert!(seg != (refs[k], refs[k + 1]) && seg != (refs[k + 1], refs[k]), "snapped onto the dead piece");
    assert!(s.offset_m > 1.0, "the home lies on way {way}, {} m from its snap", s.offset_m);
    let t = trip(&c.net, Profile::Car, home, dest);
    assert!(t.there.network.dm > 0 && t.back.network.dm > 0);
}

/// Mons: driveway 242990497 (`highway=service`, `access=designated`) behind node 2508819408
/// (`barrier=yes`, closed to cars), off Rue sans Coron.
#[test]
fn mons_home_behind_a_barrier_snaps_to_a_road_that_routes() {
    let m = &*MONS;
    assert_eq!(m.data.way_tag(242990497, "service"), Some("driveway"));
    assert_eq!(m.data.node_tag(2508819408, "barrier"), Some("yes"));
    let station = m.data.node_where(496951877, "railway", "station");
    snaps_past_a_dead_piece(m, 242990497, 0, station);
}

/// Wavre: service way 128644850 in the Bois des Quéwées, south of Bierges, beyond the bollard
/// (node 292128941) on Allée du Bois des Quéwées.
#[test]
fn wavre_home_behind_a_bollard_snaps_to_a_road_that_routes() {
    let w = &*WAVRE;
    assert_eq!(w.data.way_tag(128644850, "highway"), Some("service"));
    assert_eq!(w.data.node_tag(292128941, "barrier"), Some("bollard"));
    let centre = w.data.node_where(60284787, "place", "town");
    snaps_past_a_dead_piece(w, 128644850, 0, centre);
}

/// Issue 13: foot.lua walks railway platforms and car park outlines that carry no `highway`
/// tag, and OSRM snaps homes onto them; navette left them out and snapped such homes up to
/// 100 m further, onto another street (Mons station: +300% on the walk to the Grand-Place).
/// Now they are walked, by foot only.
fn walked_not_driven(c: &City, way: i64, k: usize, dest: (f64, f64)) {
    let home = c.data.on_segment(way, k, 0.5);
    let foot = c.net.snap(Profile::Foot, home.0, home.1, MAX_SNAP_M).expect("snaps");
    assert_eq!(c.net.graph(Profile::Foot).edge_way[foot.edge as usize], way);
    assert!(foot.offset_m < 0.5, "{}", foot.offset_m);
    for p in [Profile::Car, Profile::Bike] {
        assert!(!c.net.graph(p).edge_way.contains(&way), "{p:?}");
    }
    let t = trip(&c.net, Profile::Foot, home, dest);
    assert!((kmh(&t.there) - 5.0).abs() < 0.1, "{}", kmh(&t.there));
}

/// Mons station, platform way 212665232 ("Quai 4 - Voies 6 et 7", `railway=platform`), to the
/// Grand-Place.
#[test]
fn mons_station_platform_is_walked() {
    let m = &*MONS;
    assert_eq!(m.data.way_tag(212665232, "railway"), Some("platform"));
    assert_eq!(m.data.way_tag(212665232, "highway"), None);
    let grand_place = m.data.node_where(3085641586, "name", "Mons Grand-Place");
    walked_not_driven(m, 212665232, 0, grand_place);
}

/// Wavre: platform way 72884208 (`railway=platform`) at the station, and the outline of car park
/// 37739504 (`amenity=parking`) on Avenue Désiré Yerniaux, to the town centre.
#[test]
fn wavre_platform_and_car_park_are_walked() {
    let w = &*WAVRE;
    assert_eq!(w.data.way_tag(72884208, "railway"), Some("platform"));
    assert_eq!(w.data.way_tag(37739504, "amenity"), Some("parking"));
    let centre = w.data.node_where(60284787, "place", "town");
    walked_not_driven(w, 72884208, 1, centre);
    walked_not_driven(w, 37739504, 2, centre);
}

/// Issue 13: driveway 259797312 (`highway=service`) near the Bois de Mons meets the rest of
/// the network only at the outline of way 259797313 (`highway=residential`, `area=yes`), and track
/// 225565467 only at that of way 163826580 (the same tags). foot.lua and bicycle.lua walk and
/// ride such outlines (car.lua avoids areas); navette dropped every area highway, so both fell
/// out of the kept component and a home between them snapped 61 m away, onto another street
/// (OSRM: 23.9 m, onto the driveway; navette 30% faster to the nearest destinations). Now the
/// outlines are walked and ridden and the home snaps where OSRM does.
#[test]
fn mons_ways_behind_area_highways_are_walked() {
    let m = &*MONS;
    assert_eq!(m.data.way_tag(259797312, "service"), Some("driveway"));
    assert_eq!(m.data.way_tag(225565467, "highway"), Some("track"));
    for area in [259797313, 163826580] {
        assert_eq!(m.data.way_tag(area, "area"), Some("yes"));
        assert_eq!(m.data.way_tag(area, "highway"), Some("residential"));
        assert!(!m.net.graph(Profile::Car).edge_way.contains(&area));
    }
    let station = m.data.node_where(496951877, "railway", "station");
    let home = (50.4511185617741, 3.9675510289539853);
    for p in [Profile::Foot, Profile::Bike] {
        let g = m.net.graph(p);
        for way in [259797313, 163826580, 259797312, 225565467] {
            assert!(g.edge_way.contains(&way), "{p:?}: way {way} is in the graph");
        }
        let s = m.net.snap(p, home.0, home.1, MAX_SNAP_M).expect("snaps");
        assert_eq!(g.edge_way[s.edge as usize], 259797312, "{p:?}");
        assert!((s.offset_m - 23.9).abs() < 0.5, "{p:?}: {}", s.offset_m);
        trip(&m.net, p, home, station);
    }
}
