//! The fast searches against the reference, on random networks and on real OSM extracts.

use std::path::PathBuf;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::graph::{self, Graph};
use crate::hierarchy;
use crate::osm::{OsmExtract, OsmNode, OsmWay, Restriction, read_pbf};
use crate::profile::{Profile, Tags, node_rule, way_rule};
use crate::reference::{RawGraph, check_rules_independently, every_edge_has_an_arc};
use crate::search::Searcher;
use crate::snap::Snap;
use crate::{Job, Phast, RoadNetwork, Sweep, Trees, Unrouted};

pub(crate) fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/osm").join(name)
}

/// A random street grid with every kind of way, oneways, signals, barriers and restrictions.
pub(crate) fn random_extract(seed: u64, n: usize) -> OsmExtract {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let id = |i: usize, j: usize| (i * n + j + 1) as i64;
    let mut node_ids = Vec::new();
    let mut nodes = Vec::new();
    for i in 0..n {
        for j in 0..n {
            node_ids.push(id(i, j));
            let mut t: Vec<(&str, &str)> = Vec::new();
            match rng.random_range(0..100) {
                0..=5 => t.push(("highway", "traffic_signals")),
                6..=7 => t.push(("barrier", "bollard")),
                8 => t.push(("highway", "stop")),
                9 => t.push(("barrier", "gate")),
                _ => {}
            }
            let tags = Tags::new(t);
            nodes.push(OsmNode {
                lat: 50.0 + i as f64 * 0.001 + rng.random_range(-0.0003..0.0003),
                lon: 4.0 + j as f64 * 0.0015 + rng.random_range(-0.0004..0.0004),
                rules: Profile::ALL.map(|p| node_rule(p, &tags)),
            });
        }
    }
    let highways = [
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "residential",
        "service",
        "footway",
        "cycleway",
        "motorway",
        "track",
    ];
    let mut ways = Vec::new();
    let mut next_way = 1000i64;
    let mut add_way = |refs: Vec<i64>, rng: &mut ChaCha8Rng| {
        let hw = highways[rng.random_range(0..highways.len())];
        let mut t: Vec<(&str, &str)> = vec![("highway", hw)];
        match rng.random_range(0..10) {
            0 => t.push(("oneway", "yes")),
            1 => t.push(("oneway", "-1")),
            2 => t.push(("maxspeed", "30")),
            3 => t.push(("access", "destination")),
            4 => t.push(("width", "2.5")),
            _ => {}
        }
        if rng.random_range(0..8) == 0 {
            t.push(("junction", "roundabout"));
        }
        let tags = Tags::new(t);
        let rules = Profile::ALL.map(|p| way_rule(p, &tags));
        if rules.iter().any(Option::is_some) {
            ways.push(OsmWay { id: next_way, refs, rules });
        }
        next_way += 1;
    };
    for i in 0..n {
        let mut j = 0;
        while j + 1 < n {
            let len = rng.random_range(2..6).min(n - j);
            add_way((j..j + len).map(|jj| id(i, jj)).collect(), &mut rng);
            j += len - 1;
        }
    }
    for j in 0..n {
        let mut i = 0;
        while i + 1 < n {
            let len = rng.random_range(2..6).min(n - i);
            add_way((i..i + len).map(|ii| id(ii, j)).collect(), &mut rng);
            i += len - 1;
        }
    }
    for _ in 0..n {
        let (i, j) = (rng.random_range(0..n - 1), rng.random_range(0..n - 1));
        add_way(vec![id(i, j), id(i + 1, j + 1)], &mut rng);
    }
    ways.sort_by_key(|w| w.id);
    // Restrictions at random nodes between ways that meet there.
    let mut restrictions = Vec::new();
    for _ in 0..n * 2 {
        let v = id(rng.random_range(0..n), rng.random_range(0..n));
        let at: Vec<i64> = ways.iter().filter(|w| w.refs.contains(&v)).map(|w| w.id).collect();
        if at.len() >= 2 {
            let (a, b) = (at[rng.random_range(0..at.len())], at[rng.random_range(0..at.len())]);
            restrictions.push(Restriction {
                from_way: a,
                via_node: v,
                to_way: b,
                only: rng.random_bool(0.3),
                profiles: 0b011,
            });
        }
    }
    restrictions.sort();
    OsmExtract { ways, node_ids, nodes, restrictions, restrictions_skipped: 0, missing_nodes: 0 }
}

fn random_points(g: &Graph, rng: &mut ChaCha8Rng, k: usize) -> Vec<(f64, f64)> {
    let (lat0, lat1) = g.lat.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let (lon0, lon1) = g.lon.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    (0..k).map(|_| (rng.random_range(lat0..=lat1), rng.random_range(lon0..=lon1))).collect()
}

/// What [`check_against_reference`] compared.
#[derive(Debug, Clone, Copy, Default)]
struct Checked {
    /// (destination, home) pairs compared, both directions each.
    pairs: usize,
    /// Pairs routed both ways, there and back (the rest agree only in failing).
    routed: usize,
}

/// On every (dest, home) pair, in both directions: plain Dijkstra trees agree with the reference,
/// PHAST trees have exactly the Dijkstra trees' labels on every arc, and
/// [`RoadNetwork::round_trips`] returns exactly the tree costs.
fn check_against_reference(
    x: &OsmExtract,
    net: &RoadNetwork,
    p: Profile,
    seed: u64,
    dests: usize,
    homes: usize,
) -> Checked {
    let g = net.graph(p);
    let h = net.hierarchy(p);
    assert!(every_edge_has_an_arc(g));
    let raw = RawGraph::new(x, g);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let snap = |q: (f64, f64)| net.snap(p, q.0, q.1, 5_000.0).expect("inside the network");
    let home_points = random_points(g, &mut rng, homes);
    let dest_points = random_points(g, &mut rng, dests);
    let homes: Vec<Snap> = home_points.iter().copied().map(snap).collect();
    let jobs: Vec<Job> = dest_points.iter().map(|&dest| Job { dest, homes: home_points.clone() }).collect();
    let trips = net.round_trips(p, &jobs, 5_000.0);
    for sweep in [Sweep::Auto, Sweep::Full, Sweep::Restricted] {
        assert_eq!(
            net.round_trips_in::<1>(p, &jobs, 5_000.0, sweep, &crate::Silent),
            trips,
            "{p:?}: {sweep:?} sweeps, the same trips"
        );
        assert_eq!(
            net.round_trips_in::<4>(p, &jobs, 5_000.0, sweep, &crate::Silent),
            trips,
            "{p:?}: four trees per {sweep:?} sweep, the same trips"
        );
    }
    // One home a job: the restricted sweeps' selections are small, the costs the same.
    let single: Vec<Job> = jobs.iter().zip(&home_points).map(|(j, &h)| Job { dest: j.dest, homes: vec![h] }).collect();
    let single_want: Vec<_> = (0..single.len()).map(|i| vec![trips[i][i]]).collect();
    assert_eq!(
        net.round_trips_in::<4>(p, &single, 5_000.0, Sweep::Restricted, &crate::Silent),
        single_want,
        "{p:?}: one home a job"
    );
    // Four trees per sweep (with an empty lane) have the one-tree labels, lane by lane.
    let lanes: Vec<Option<Snap>> = dest_points.iter().take(3).map(|&q| Some(snap(q))).collect();
    let (mut to4, mut from4) = (Trees::<4>::new(h), Trees::<4>::new(h));
    to4.to_destinations(g, h, &lanes);
    from4.from_origins(g, h, &lanes);
    let (mut to, mut from) = (Searcher::new(g), Searcher::new(g));
    let (mut pto, mut pfrom) = (Phast::new(h), Phast::new(h));
    let mut checked = Checked::default();
    for (&dp, row) in dest_points.iter().zip(&trips) {
        let d = snap(dp);
        to.to_destination(g, &d);
        from.from_origin(g, &d);
        pto.to_destination(g, h, &d);
        pfrom.from_origin(g, h, &d);
        let lane = lanes.iter().position(|l| *l == Some(d));
        for a in 0..g.arc_count() as u32 {
            assert_eq!(pto.label(g, h, a), to.label(a), "{p:?} reverse tree to {d:?}, arc {a}");
            assert_eq!(pfrom.label(g, h, a), from.label(a), "{p:?} forward tree from {d:?}, arc {a}");
            if let Some(l) = lane {
                assert_eq!(to4.lane_label(g, h, l, a), to.label(a), "{p:?} lane {l} to {d:?}, arc {a}");
                assert_eq!(from4.lane_label(g, h, l, a), from.label(a), "{p:?} lane {l} from {d:?}, arc {a}");
            }
        }
        for (home, trip) in homes.iter().zip(row) {
            let there = to.cost_from(g, home);
            let want = raw.route(home, &d);
            assert_eq!(there.map(|c| (c.weight_ds, c.dm)), want.map(|c| (c.weight_ds, c.dm)), "{home:?} → {d:?}");
            assert_eq!(pto.cost_from(g, h, home), there, "{p:?} {home:?} → {d:?}");
            let back = from.cost_to(g, home);
            let want_back = raw.route(&d, home);
            assert_eq!(back.map(|c| (c.weight_ds, c.dm)), want_back.map(|c| (c.weight_ds, c.dm)), "{d:?} → {home:?}");
            assert_eq!(pfrom.cost_to(g, h, home), back, "{p:?} {d:?} → {home:?}");
            match (there, back) {
                (Some(there), Some(back)) => {
                    let t = trip.expect("routed both ways");
                    assert_eq!((t.there.network, t.back.network), (there, back));
                    checked.routed += 1;
                }
                _ => assert_eq!(*trip, Err(Unrouted::NoRoute)),
            }
            checked.pairs += 1;
        }
    }
    checked
}

/// The graphs of every profile of an extract, as one network (with its hierarchies).
fn network_of(x: &OsmExtract) -> RoadNetwork {
    let graphs = Profile::ALL.iter().map(|&p| graph::build(x, p).0).collect();
    RoadNetwork::from_graphs(String::new(), graphs)
}

#[test]
fn fast_search_matches_reference_on_random_networks() {
    let mut total = Checked::default();
    for seed in 0..6 {
        let x = random_extract(seed, 14);
        let built: Vec<_> = Profile::ALL.iter().map(|&p| graph::build(&x, p)).collect();
        for (p, (g, stats)) in Profile::ALL.iter().zip(&built) {
            // Every profile of every grid is checked: a grid too small to route is a broken fixture.
            assert!(g.arc_count() >= 10, "seed {seed} {p:?}: {} arcs", g.arc_count());
            assert!(stats.junctions_dropped < stats.junctions, "{p:?}");
        }
        let net = RoadNetwork::from_graphs(String::new(), built.into_iter().map(|(g, _)| g).collect());
        for p in Profile::ALL {
            let c = check_against_reference(&x, &net, p, seed + 100, 6, 25);
            assert_eq!(c.pairs, 150);
            // Random restrictions, bollards and destination-only roads leave some car pairs without
            // a route (both sides agree); at least a quarter must route (the worst grid: 48 of 150).
            assert!(c.routed * 4 >= c.pairs, "seed {seed} {p:?}: only {c:?} routed");
            total.pairs += c.pairs;
            total.routed += c.routed;
        }
    }
    // No grid is skipped: 6 seeds × 3 profiles × 150 pairs; 2,451 of 2,700 route today (over 90 %).
    assert_eq!(total.pairs, 2_700);
    assert!(total.routed * 10 >= total.pairs * 9, "{total:?}");
}

/// Way tags of a PBF, for the independent profile check.
fn way_tags(file: &str) -> Vec<(i64, Vec<(String, String)>)> {
    let mut out = Vec::new();
    osmpbf::ElementReader::from_path(fixture(file))
        .expect("fixture opens")
        .for_each(|e| {
            if let osmpbf::Element::Way(w) = e {
                out.push((w.id(), w.tags().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()));
            }
        })
        .expect("fixture reads");
    out
}

/// The real extracts: Dijkstra trees against the reference, PHAST and four-tree labels against
/// Dijkstra on every arc, and `round_trips` against the tree costs, for every profile, with most
/// pairs routed on both sides; and the profile rules of their ways against the independent table.
fn check_extract(file: &str, seed: u64, min_table_checks: usize) {
    let x = read_pbf(&fixture(file)).expect("fixture reads");
    let compared = check_rules_independently(&x, &way_tags(file));
    assert!(compared >= min_table_checks, "{file}: {compared} (way, profile) rules compared with the table");
    let net = network_of(&x);
    for p in Profile::ALL {
        let c = check_against_reference(&x, &net, p, seed, 3, 20);
        assert_eq!(c.pairs, 60);
        // Random points in the bounding box snap inside the kept component, which is strongly
        // connected up to turn restrictions and barriers: nearly every pair routes (all 60 but
        // on Mons by bicycle and on foot, 57).
        assert!(c.routed >= 54, "{file} {p:?}: only {c:?} routed");
    }
}

#[test]
fn fast_search_matches_reference_on_monaco() {
    check_extract("monaco.osm.pbf", 1, 7_000);
}

#[test]
fn fast_search_matches_reference_on_helsinki() {
    check_extract("Helsinki.osm.pbf", 2, 1_800);
}

#[test]
fn fast_search_matches_reference_on_mons() {
    check_extract("mons.osm.pbf", 3, 5_000);
}

#[test]
fn fast_search_matches_reference_on_wavre() {
    check_extract("wavre.osm.pbf", 4, 2_500);
}

#[test]
fn hierarchy_is_deterministic_and_covers_every_arc() {
    let x = random_extract(3, 14);
    let (g, _) = graph::build(&x, Profile::Car);
    let h = hierarchy::build(&g);
    assert_eq!(hierarchy::build(&g), h, "contracting twice gives the same hierarchy");
    let mut seen = vec![false; g.arc_count()];
    for &p in &h.pos {
        assert!(!std::mem::replace(&mut seen[p as usize], true), "positions are a permutation");
    }
    // Up edges lead to smaller positions, down edges come from them: one sweep in order suffices.
    for p in 0..h.len() {
        assert!(h.up_of(p).iter().all(|e| (e.node as usize) < p));
        assert!(h.down_of(p).iter().all(|e| (e.node as usize) < p));
    }
}

#[test]
fn monaco_extract_has_the_expected_shape() {
    let x = read_pbf(&fixture("monaco.osm.pbf")).unwrap();
    let (car, cs) = graph::build(&x, Profile::Car);
    let (foot, _) = graph::build(&x, Profile::Foot);
    // Monaco's streets are dense and largely one-way; walking uses many more ways than driving.
    assert!(cs.ways > 1000 && cs.arcs > 2000, "{cs:?}");
    assert!(foot.arc_count() > car.arc_count());
    assert!(x.restrictions.len() > 10, "turn restrictions are read: {}", x.restrictions.len());
    // Every coordinate inside Monaco's bounding box (the extract is clipped around it).
    assert!(car.lat.iter().all(|&l| (43.5..43.9).contains(&l)));
    // Deterministic: building twice gives the same graph.
    assert_eq!(graph::build(&x, Profile::Car).0, car);
}

#[test]
fn artifact_round_trips_and_checks_its_source() {
    let pbf = fixture("monaco.osm.pbf");
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("monaco.navette-road");
    let (built, reused) = RoadNetwork::open(&pbf, &art).unwrap();
    assert!(!reused);
    let (loaded, reused) = RoadNetwork::open(&pbf, &art).unwrap();
    assert!(reused, "same PBF: the artifact is reused");
    for p in Profile::ALL {
        assert_eq!(built.graph(p), loaded.graph(p));
        assert_eq!(built.hierarchy(p), loaded.hierarchy(p));
        assert!(loaded.hierarchy(p).len() == loaded.graph(p).arc_count());
    }
    // Preparing twice gives the same bytes (graphs and hierarchies are deterministic).
    let again = dir.path().join("again.navette-road");
    RoadNetwork::from_pbf(&pbf).unwrap().0.save(&again).unwrap();
    assert!(std::fs::read(&again).unwrap() == std::fs::read(&art).unwrap(), "same PBF, same artifact bytes");
    // Built straight into the file (`navette network build`): the same bytes, no temporary
    // file left behind (every graph waits in one until its contraction and its turn).
    let streamed = dir.path().join("streamed.navette-road");
    let report = RoadNetwork::build_file(&pbf, &streamed).unwrap();
    assert!(std::fs::read(&streamed).unwrap() == std::fs::read(&art).unwrap(), "streamed, same artifact bytes");
    assert_eq!(report.pbf_sha256, built.pbf_sha256);
    for (p, s) in &report.graphs {
        assert_eq!(s.shortcuts, built.hierarchy(*p).shortcuts, "{p:?}");
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    files.sort();
    assert_eq!(files, ["again.navette-road", "monaco.navette-road", "streamed.navette-road"]);
    // Another PBF at the same artifact path: rebuilt, not reused.
    let (_, reused) = RoadNetwork::open(&fixture("Helsinki.osm.pbf"), &art).unwrap();
    assert!(!reused);
    // An artifact of the previous format (no hierarchies): `load` says to rebuild, `open` rebuilds.
    let mut old = std::fs::read(&art).unwrap();
    old[12..16].copy_from_slice(&1u32.to_le_bytes());
    std::fs::write(&art, &old).unwrap();
    let e = RoadNetwork::load(&art).unwrap_err().to_string();
    assert!(e.contains("another navette version") && e.contains("navette network build"), "{e}");
    let (_, reused) = RoadNetwork::open(&fixture("Helsinki.osm.pbf"), &art).unwrap();
    assert!(!reused, "an old format is rebuilt");
    assert!(RoadNetwork::load(&art).is_ok());
    // A truncated artifact is an error that names the file.
    let mut truncated = b"NAVETTE-ROAD".to_vec();
    truncated.extend_from_slice(&crate::store::FORMAT_VERSION.to_le_bytes());
    truncated.push(0xff);
    std::fs::write(&art, truncated).unwrap();
    let e = RoadNetwork::load(&art).unwrap_err().to_string();
    assert!(
        e.contains("monaco.navette-road") && e.contains("is damaged") && e.contains("navette network build"),
        "{e}"
    );
}

#[test]
fn monaco_routes_known_trips_and_flags_what_it_cannot() {
    let (net, _) = RoadNetwork::from_pbf(&fixture("monaco.osm.pbf")).unwrap();
    // Monaco-Ville (Place du Palais) → Monte-Carlo Casino; and a point at sea, and one in Nice.
    let palace = (43.73148, 7.42015);
    let casino = (43.73939, 7.42804);
    let sea = (43.7200, 7.4500);
    let nice = (43.7000, 7.2700);
    let jobs = vec![Job { dest: casino, homes: vec![palace, sea, nice] }, Job { dest: nice, homes: vec![palace] }];
    let out = net.round_trips(Profile::Car, &jobs, 500.0);
    let trip = out[0][0].expect("palace → casino routes");
    // Great circle ≈ 1.09 km; by road through the tunnels and hairpins, about 2–3 km.
    let km = trip.there.distance_m() / 1000.0;
    assert!((1.2..4.0).contains(&km), "{km} km");
    let min = trip.there.duration_s() / 60.0;
    assert!((1.5..12.0).contains(&min), "{min} min");
    // One-way streets: the way back differs from the way there.
    assert_ne!(trip.there.network, trip.back.network);
    assert_eq!(out[0][1], Err(Unrouted::OriginOffNetwork), "1.8 km out at sea");
    assert_eq!(out[0][2], Err(Unrouted::OriginOffNetwork), "outside the extract");
    assert_eq!(out[1][0], Err(Unrouted::DestinationOffNetwork));
    // The snap limit is honoured: a point 300 m off the coast snaps at 500 m, not at 100 m.
    let near = (43.7285, 7.4270);
    let s500 = net.snap(Profile::Car, near.0, near.1, 500.0);
    if let Some(s) = s500 {
        assert!(s.offset_m <= 500.0);
        assert!(net.snap(Profile::Car, near.0, near.1, s.offset_m - 1.0).is_none());
    }
    // Walking the same trip is slower.
    let walk = net.round_trips(Profile::Foot, &jobs[..1], 500.0)[0][0].expect("walkable");
    assert!(walk.there.duration_s() > trip.there.duration_s());
}

/// Records what a build reports: (phase, total, advanced, finished), in the order phases start.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<(crate::Phase, u64, u64, bool)>>);

impl crate::Progress for Recorder {
    fn start(&self, phase: crate::Phase, total: u64) {
        self.0.lock().unwrap().push((phase, total, 0, false));
    }
    fn advance(&self, phase: crate::Phase, n: u64) {
        let mut v = self.0.lock().unwrap();
        let last = v.last_mut().expect("advance after start");
        assert!(last.0 == phase && !last.3, "{phase:?} advances while it runs");
        last.2 += n;
    }
    fn finish(&self, phase: crate::Phase) {
        let mut v = self.0.lock().unwrap();
        let last = v.last_mut().expect("finish after start");
        assert_eq!(last.0, phase);
        last.3 = true;
    }
}

#[test]
fn progress_adds_up_to_each_phase_total_and_changes_nothing() {
    use crate::Phase;
    let pbf = fixture("monaco.osm.pbf");
    let seen = Recorder::default();
    let (net, _) = RoadNetwork::from_pbf_with(&pbf, &seen).unwrap();
    let (quiet, _) = RoadNetwork::from_pbf(&pbf).unwrap();
    let arcs: u64 = Profile::ALL.iter().map(|&p| net.graph(p).arc_count() as u64).sum();
    let blobs = crate::osm::check_frames(&pbf).unwrap() as u64;
    let phases = std::mem::take(&mut *seen.0.lock().unwrap());
    assert_eq!(
        phases,
        vec![
            (Phase::Read, 2 * blobs, 2 * blobs, true),
            (Phase::Graphs, 3, 3, true),
            (Phase::Contract, 2 * arcs, 2 * arcs, true)
        ]
    );
    for p in Profile::ALL {
        assert_eq!(net.graph(p), quiet.graph(p));
        assert_eq!(net.hierarchy(p), quiet.hierarchy(p), "{p:?}: the same hierarchy, watched or not");
    }
    // Trees: one unit a destination, one lane or four per sweep.
    let dest = (43.73939, 7.42804);
    for n in [3usize, 40] {
        let jobs = vec![Job { dest, homes: vec![(43.73148, 7.42015)] }; n];
        let trips = net.round_trips_with(Profile::Foot, &jobs, 500.0, &seen);
        assert_eq!(trips, net.round_trips(Profile::Foot, &jobs, 500.0));
        let phases = std::mem::take(&mut *seen.0.lock().unwrap());
        assert_eq!(phases, vec![(Phase::Trees(Profile::Foot), n as u64, n as u64, true)]);
    }
}

/// The routable edges read from the hierarchy are those of the turn graph's largest strongly
/// connected component, on random grids and real extracts, every profile.
#[test]
fn routable_edges_from_the_hierarchy_are_the_components() {
    let grids = (0..6).map(|seed| random_extract(seed, 14));
    let extracts = ["monaco.osm.pbf", "mons.osm.pbf"].map(|f| read_pbf(&fixture(f)).expect("fixture reads"));
    let mut unroutable = 0;
    for (i, x) in grids.chain(extracts).enumerate() {
        let net = network_of(&x);
        for p in Profile::ALL {
            let (g, h) = (net.graph(p), net.hierarchy(p));
            let want = graph::routable_edges(g);
            assert_eq!(graph::routable_edges_in(g, h), want, "grid/extract {i} {p:?}");
            unroutable += want.iter().filter(|r| !**r).count();
        }
    }
    assert!(unroutable > 0, "some edges lead nowhere, so the comparison means something");
}

/// The snap index against a scan of every segment: the same nearest segment (the smallest
/// position among equally near ones) and distance, for random points, for points exactly on
/// junctions (where segments tie) and on segments' midpoints, on random grids and the four real
/// extracts, every profile.
#[test]
fn snaps_match_a_scan_of_every_segment() {
    let (mut compared, mut ties) = (0, 0);
    let grids = (0..3).map(|seed| random_extract(seed, 14));
    let extracts = ["monaco.osm.pbf", "Helsinki.osm.pbf", "mons.osm.pbf", "wavre.osm.pbf"]
        .map(|f| read_pbf(&fixture(f)).expect("fixture reads"));
    for (i, x) in grids.chain(extracts).enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(40 + i as u64);
        for p in Profile::ALL {
            let (g, _) = graph::build(&x, p);
            let snapper = crate::Snapper::new(&g);
            let mut points = random_points(&g, &mut rng, 150);
            let segs = snapper.segments();
            for k in (0..segs.len()).step_by((segs.len() / 60).max(1)) {
                let (a, b) = (g.edge_vertex[segs[k] as usize] as usize, g.edge_vertex[segs[k] as usize + 1] as usize);
                points.push((g.lat[a], g.lon[a]));
                points.push(((g.lat[a] + g.lat[b]) / 2.0, (g.lon[a] + g.lon[b]) / 2.0));
            }
            for (lat, lon) in points {
                let want = snapper.nearest_by_scan(&g, lat, lon);
                assert_eq!(snapper.nearest_of(&g, lat, lon), want, "grid/extract {i} {p:?} at ({lat}, {lon})");
                // A point on a junction lies on every segment meeting there: a tie.
                ties += usize::from(want.is_some_and(|(_, d2)| d2 == 0.0));
                compared += 1;
            }
        }
    }
    assert!(compared > 5_000, "{compared} points compared");
    assert!(ties > 100, "only {ties} points on the network: the tie rule went untested");
}
