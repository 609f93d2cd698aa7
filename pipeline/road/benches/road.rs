//! Road-routing benchmark: PBF → graphs → contraction hierarchies → every home's round trip to a
//! few destinations; and one-to-all trees alone, plain Dijkstra against PHAST (whose labels are
//! checked equal to Dijkstra's on every arc of every tree timed).
//!
//! ```text
//! cargo bench --profile dev -p navette-road --bench road            # Monaco, 10 destinations × 1,000 homes
//! NAVETTE_ROAD_PBF=datasets/osm/Helsinki.osm.pbf NAVETTE_ROAD_OUT=/tmp/h.json cargo bench ...
//! NAVETTE_ROAD_TILES=12 cargo bench ...   # the extract tiled 12 × 12 and stitched (country size)
//! NAVETTE_ROAD_PROFILES=car cargo bench ...   # some profiles only
//! NAVETTE_ROAD_PREPARED=/tmp/net cargo bench ...   # reuse the prepared network (saved on first run)
//! NAVETTE_ROAD_POINTS=random cargo bench ...   # homes anywhere in the bounding box, not on nodes
//! NAVETTE_ROAD_POINTS=near cargo bench ...   # homes and destinations at random points within
//!                                           # NAVETTE_ROAD_NEAR_M (100) m of a car road, the
//!                                           # same for every profile
//! NAVETTE_ROAD_FULL=1 cargo bench ...   # the same jobs again with full sweeps only (no RPHAST)
//! NAVETTE_ROAD_CHECK=10 cargo bench ...   # trees timed alone and checked against Dijkstra for
//!                                         # the first 10 destinations only (default: all)
//! ```
//! With `NAVETTE_ROAD_OUT`, writes the sampled points and every (home, destination) result as
//! JSON for `compare/osrm_compare.py`, which runs OSRM on the same points.

use std::path::PathBuf;
use std::time::Instant;

use navette_road::graph::{self, Graph};
use navette_road::hierarchy::{self, Hierarchy};
use navette_road::osm::{OsmExtract, OsmWay, read_pbf};
use navette_road::{Job, Phast, Profile, RoadNetwork, Searcher, Trees};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn env<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of the calling thread (s), from `/proc/thread-self/schedstat`: unlike wall time, it
/// does not grow when other processes take the cores.
fn thread_cpu_s() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()).map_or(0.0, |ns| ns / 1e9)
}

/// Copies an extract `n × n` times side by side (ids and coordinates offset) and joins
/// neighbouring tiles with two-way primary roads between nearby border nodes.
fn tile(x: &OsmExtract, n: usize) -> OsmExtract {
    let (lat0, lat1) = x.nodes.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.lat), b.max(p.lat)));
    let (lon0, lon1) = x.nodes.iter().fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.lon), b.max(p.lon)));
    let (dlat, dlon) = (lat1 - lat0, lon1 - lon0);
    let id_span = x.node_ids.iter().max().copied().unwrap_or(0) + 1;
    let way_span = x.ways.iter().map(|w| w.id).max().unwrap_or(0) + 1;
    let mut out = OsmExtract::default();
    for t in 0..n * n {
        let (ti, tj) = (t / n, t % n);
        let off = t as i64 * id_span;
        for (id, node) in x.node_ids.iter().zip(&x.nodes) {
            out.node_ids.push(id + off);
            let mut p = *node;
            p.lat += ti as f64 * dlat;
            p.lon += tj as f64 * dlon;
            out.nodes.push(p);
        }
        for w in &x.ways {
            out.ways.push(OsmWay {
                id: w.id + t as i64 * way_span,
                refs: w.refs.iter().map(|r| r + off).collect(),
                rules: w.rules,
            });
        }
    }
    // Stitches: for each pair of neighbouring tiles, join the nodes closest to the shared border.
    let primary = navette_road::profile::Tags::new([("highway", "primary")]);
    let rules = Profile::ALL.map(|p| navette_road::profile::way_rule(p, &primary));
    let used: Vec<i64> = {
        let mut v: Vec<i64> = x.ways.iter().filter(|w| w.rules[0].is_some()).flat_map(|w| w.refs.clone()).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let coord = |id: i64| x.nodes[x.node_index(id).expect("node")];
    let mut by_lat = used.clone();
    by_lat.sort_by(|a, b| coord(*a).lat.total_cmp(&coord(*b).lat));
    let mut by_lon = used.clone();
    by_lon.sort_by(|a, b| coord(*a).lon.total_cmp(&coord(*b).lon));
    let k = 8.min(used.len());
    let (south, north) = (&by_lat[..k], &by_lat[by_lat.len() - k..]);
    let (west, east) = (&by_lon[..k], &by_lon[by_lon.len() - k..]);
    let mut next = n as i64 * n as i64 * way_span;
    for t in 0..n * n {
        let (ti, tj) = (t / n, t % n);
        let off = |tt: usize| tt as i64 * id_span;
        if tj + 1 < n {
            for (a, b) in east.iter().zip(west) {
                out.ways.push(OsmWay { id: next, refs: vec![a + off(t), b + off(t + 1)], rules });
                next += 1;
            }
        }
        if ti + 1 < n {
            for (a, b) in north.iter().zip(south) {
                out.ways.push(OsmWay { id: next, refs: vec![a + off(t), b + off(t + n)], rules });
                next += 1;
            }
        }
    }
    out
}

/// Uniform random points in the bounding box of the graph's vertices (homes as a study has them:
/// anywhere, snapped to the nearest road within the snap limit).
fn sample_box(g: &Graph, rng: &mut ChaCha8Rng, k: usize) -> Vec<(f64, f64)> {
    let (lat0, lat1) = g.lat.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    let (lon0, lon1) = g.lon.iter().fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    (0..k).map(|_| (rng.random_range(lat0..=lat1), rng.random_range(lon0..=lon1))).collect()
}

/// Uniform random points of the bounding box that lie within `near_m` of a road of the car graph
/// (rejection sampling): where addresses are. The car graph, so that every profile gets the same
/// homes, and homes are not put along footpaths in parks or woods.
fn sample_near(net: &RoadNetwork, rng: &mut ChaCha8Rng, k: usize, near_m: f64) -> Vec<(f64, f64)> {
    let g = net.graph(Profile::Car);
    let mut out = Vec::with_capacity(k);
    for _ in 0..k * 10_000 {
        if out.len() == k {
            break;
        }
        let p = sample_box(g, rng, 1)[0];
        if net.snap(Profile::Car, p.0, p.1, near_m).is_some() {
            out.push(p);
        }
    }
    out
}

fn sample(g: &Graph, rng: &mut ChaCha8Rng, k: usize) -> Vec<(f64, f64)> {
    (0..k)
        .map(|_| {
            let v = rng.random_range(0..g.lat.len());
            (g.lat[v], g.lon[v])
        })
        .collect()
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pbf: PathBuf =
        std::env::var("NAVETTE_ROAD_PBF").map(PathBuf::from).unwrap_or(root.join("datasets/osm/monaco.osm.pbf"));
    let dests: usize = env("NAVETTE_ROAD_DESTS", 10);
    let homes: usize = env("NAVETTE_ROAD_HOMES", 1000);
    let tiles: usize = env("NAVETTE_ROAD_TILES", 1);
    let profiles: String = env("NAVETTE_ROAD_PROFILES", "car,bike,foot".to_string());
    let selected = |p: &Profile| profiles.split(',').any(|n| n == p.name());
    let out: Option<PathBuf> = std::env::var("NAVETTE_ROAD_OUT").ok().map(PathBuf::from);
    let points: String = env("NAVETTE_ROAD_POINTS", "nodes".to_string());
    let random_homes = points == "random";
    let near_m: Option<f64> = (points == "near").then(|| env("NAVETTE_ROAD_NEAR_M", 100.0));
    let check: usize = env("NAVETTE_ROAD_CHECK", usize::MAX);
    let threads = rayon::current_num_threads();
    eprintln!(
        "road bench: {} ({} threads), {dests} destinations × {homes} homes ({}), tiles {tiles}×{tiles}",
        pbf.display(),
        threads,
        match near_m {
            Some(m) => format!("random points within {m} m of a car road"),
            None if random_homes => "random points in the bounding box".into(),
            None => "graph nodes".into(),
        }
    );

    let total = Instant::now();
    // With NAVETTE_ROAD_PREPARED, the network is loaded from that file when it exists (only the
    // queries are timed), else built and saved there.
    let prepared: Option<PathBuf> = std::env::var("NAVETTE_ROAD_PREPARED").ok().map(PathBuf::from);
    let (net, read_s, build_s, hierarchy_s, ch_s, rss_graphs) = match prepared.as_ref().filter(|f| f.exists()) {
        Some(f) => {
            let net = RoadNetwork::load(f).expect("prepared network loads");
            eprintln!("  loaded {} in {:.2} s", f.display(), total.elapsed().as_secs_f64());
            (net, 0.0, 0.0, 0.0, vec![0.0; 3], 0.0)
        }
        None => {
            let t = Instant::now();
            let mut x = read_pbf(&pbf).expect("PBF reads");
            let read_s = t.elapsed().as_secs_f64();
            if tiles > 1 {
                x = tile(&x, tiles);
            }
            let t = Instant::now();
            use rayon::prelude::*;
            // A profile left out of NAVETTE_ROAD_PROFILES gets an empty graph (built from an
            // empty extract, so that a saved network with it loads again).
            let empty = OsmExtract::default();
            let built: Vec<(Graph, graph::BuildStats)> =
                Profile::ALL.par_iter().map(|&p| graph::build(if selected(&p) { &x } else { &empty }, p)).collect();
            let build_s = t.elapsed().as_secs_f64();
            drop(x);
            let rss_graphs = peak_rss_mib();
            // Hierarchies one profile at a time, so each time is one core's.
            let mut hierarchies: Vec<Hierarchy> = Vec::new();
            let mut ch_s = Vec::new();
            for (p, (g, s)) in Profile::ALL.iter().zip(&built) {
                if !selected(p) {
                    hierarchies.push(hierarchy::build(g));
                    ch_s.push(0.0);
                    continue;
                }
                let (t, c) = (Instant::now(), thread_cpu_s());
                let h = hierarchy::build(g);
                ch_s.push(t.elapsed().as_secs_f64());
                let ch_cpu = thread_cpu_s() - c;
                eprintln!(
                    "  {:4}: {} ways, {} junctions ({} dropped), {} edges, {} arcs, {} turns ({} restricted); hierarchy {:.2} s ({:.2} s CPU), {} shortcuts, {} up + {} down edges",
                    p.name(),
                    s.ways,
                    s.junctions,
                    s.junctions_dropped,
                    s.edges,
                    s.arcs,
                    s.turns,
                    s.turns_restricted,
                    ch_s.last().unwrap(),
                    ch_cpu,
                    h.shortcuts,
                    h.up.len(),
                    h.down.len()
                );
                hierarchies.push(h);
            }
            let hierarchy_s: f64 = ch_s.iter().sum();
            let net = RoadNetwork::from_parts(String::new(), built.into_iter().map(|(g, _)| g).collect(), hierarchies);
            if let Some(f) = &prepared {
                net.save(f).expect("prepared network saves");
            }
            (net, read_s, build_s, hierarchy_s, ch_s, rss_graphs)
        }
    };
    let prep_s = total.elapsed().as_secs_f64();
    let rss_prepared = peak_rss_mib();

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // With homes near roads, destinations are sampled the same way (offices have addresses too;
    // a point exactly on a junction belongs to every street meeting there, and which one the snap
    // keeps changes the turn costs: see README), the same points for every profile.
    type Points = Vec<(f64, f64)>;
    let shared: Option<(Points, Points)> = near_m.map(|m| {
        let d = sample_near(&net, &mut rng, dests, m);
        (d, sample_near(&net, &mut rng, homes, m))
    });
    let mut json = String::from("{\"profiles\":{");
    let mut query_total_s = 0.0;
    let mut tree_json: Vec<String> = Vec::new();
    // Time spent on the tree comparisons, left out of the whole job's time.
    let mut trees_s = 0.0;
    for (pi, p) in Profile::ALL.iter().enumerate().filter(|(_, p)| selected(p)) {
        let g = net.graph(*p);
        let (d, h) = match &shared {
            Some((d, h)) => (d.clone(), h.clone()),
            None => {
                let d = sample(g, &mut rng, dests);
                let h = if random_homes { sample_box(g, &mut rng, homes) } else { sample(g, &mut rng, homes) };
                (d, h)
            }
        };
        let jobs: Vec<Job> = d.iter().map(|&dest| Job { dest, homes: h.clone() }).collect();
        let t = Instant::now();
        let res = net.round_trips(*p, &jobs, 1000.0);
        let q = t.elapsed().as_secs_f64();
        // NAVETTE_ROAD_FULL=1: the same jobs with full sweeps only (PHAST without the homes'
        // selections), for the ratio; the costs must be the same.
        if env("NAVETTE_ROAD_FULL", 0) == 1 {
            let t = Instant::now();
            let full = net.round_trips_sweeping(*p, &jobs, 1000.0, navette_road::Sweep::Full, &navette_road::Silent);
            let f = t.elapsed().as_secs_f64();
            assert!(full == res, "{}: full sweeps give other costs", p.name());
            eprintln!("  {}: round trips {q:.2} s (full sweeps only: {f:.2} s, {:.1}×)", p.name(), f / q);
        }
        query_total_s += q;
        let ok = res.iter().flatten().filter(|r| r.is_ok()).count();
        let trees_t = Instant::now();
        // Trees alone, one thread: plain Dijkstra against PHAST, both directions, every destination.
        let ch = net.hierarchy(*p);
        let (mut dij, mut ph) = (Searcher::new(g), Phast::new(ch));
        let (mut dij_s, mut ph_s, mut up_settled, mut trees) = (0.0, 0.0, 0usize, 0usize);
        for snap in d.iter().take(check).filter_map(|&(lat, lon)| net.snap(*p, lat, lon, 1000.0)) {
            for forward in [false, true] {
                let t1 = Instant::now();
                if forward {
                    dij.from_origin(g, &snap)
                } else {
                    dij.to_destination(g, &snap)
                }
                dij_s += t1.elapsed().as_secs_f64();
                let t1 = Instant::now();
                if forward {
                    ph.from_origin(g, ch, &snap)
                } else {
                    ph.to_destination(g, ch, &snap)
                }
                ph_s += t1.elapsed().as_secs_f64();
                up_settled += ph.settled;
                trees += 1;
                for a in 0..g.arc_count() as u32 {
                    assert_eq!(ph.label(g, ch, a), dij.label(a), "{} tree {trees}, arc {a}", p.name());
                }
            }
        }
        // CPU time of the same trees in blocks, repeated for at least 0.3 s of CPU (the thread's
        // CPU clock ticks too coarsely for one small tree).
        let snaps: Vec<_> = d.iter().take(check).filter_map(|&(lat, lon)| net.snap(*p, lat, lon, 1000.0)).collect();
        let cpu_per_tree = |run: &mut dyn FnMut(&navette_road::Snap)| -> f64 {
            let (c1, mut blocks) = (thread_cpu_s(), 0usize);
            while blocks == 0 || thread_cpu_s() - c1 < 0.3 {
                snaps.iter().for_each(&mut *run);
                blocks += 1;
            }
            (thread_cpu_s() - c1) / (blocks * 2 * snaps.len().max(1)) as f64
        };
        let dij_cpu = cpu_per_tree(&mut |snap| {
            dij.to_destination(g, snap);
            dij.from_origin(g, snap);
        });
        let ph_cpu = cpu_per_tree(&mut |snap| {
            ph.to_destination(g, ch, snap);
            ph.from_origin(g, ch, snap);
        });
        // Four trees per sweep, as round_trips does with many destinations.
        let mut ph4 = Trees::<4>::new(ch);
        let lanes: Vec<Vec<Option<navette_road::Snap>>> =
            snaps.chunks(4).map(|c| c.iter().copied().map(Some).collect()).collect();
        let (c1, mut blocks) = (thread_cpu_s(), 0usize);
        while blocks == 0 || thread_cpu_s() - c1 < 0.3 {
            for l in &lanes {
                ph4.to_destinations(g, ch, l);
                ph4.from_origins(g, ch, l);
            }
            blocks += 1;
        }
        let ph4_cpu = (thread_cpu_s() - c1) / (blocks * 2 * snaps.len().max(1)) as f64;
        trees_s += trees_t.elapsed().as_secs_f64();
        let per = |s: f64| s * 1000.0 / trees.max(1) as f64;
        eprintln!(
            "  {:4}: {} round trips in {:.3} s ({} routed, {:.1} trees/s on {threads} threads); one tree: Dijkstra {:.1} ms ({:.1} CPU), PHAST {:.2} ms ({:.2} CPU; {} upward arcs; same labels on all {} trees), 4 per sweep {:.2} ms CPU each",
            p.name(),
            dests * homes,
            q,
            ok,
            2.0 * dests as f64 / q,
            per(dij_s),
            dij_cpu * 1000.0,
            per(ph_s),
            ph_cpu * 1000.0,
            up_settled / trees.max(1),
            trees,
            ph4_cpu * 1000.0
        );
        tree_json.push(format!(
            "\"{}\":{{\"dijkstra_ms\":{},\"dijkstra_cpu_ms\":{},\"phast_ms\":{},\"phast_cpu_ms\":{},\"phast4_cpu_ms\":{},\"hierarchy_s\":{},\"round_trips_s\":{q}}}",
            p.name(),
            per(dij_s),
            dij_cpu * 1000.0,
            per(ph_s),
            ph_cpu * 1000.0,
            ph4_cpu * 1000.0,
            ch_s[pi]
        ));
        if !json.ends_with('{') {
            json.push(',');
        }
        let pts = |v: &[(f64, f64)]| v.iter().map(|(a, b)| format!("[{a},{b}]")).collect::<Vec<_>>().join(",");
        // Where each home meets the road (lat, lon, offset m), to tell snapping differences apart.
        let home_snaps: Vec<String> = h
            .iter()
            .map(|&(lat, lon)| match net.snap(*p, lat, lon, 1000.0) {
                Some(s) => {
                    let (a, b) = (g.edge_vertex[s.pos as usize] as usize, g.edge_vertex[s.pos as usize + 1] as usize);
                    let (la, lo) =
                        (g.lat[a] + s.frac * (g.lat[b] - g.lat[a]), g.lon[a] + s.frac * (g.lon[b] - g.lon[a]));
                    format!("[{la},{lo},{}]", s.offset_m)
                }
                None => "null".into(),
            })
            .collect();
        json.push_str(&format!(
            "\"{}\":{{\"dests\":[{}],\"homes\":[{}],\"home_snaps\":[{}],\"there\":[",
            p.name(),
            pts(&d),
            pts(&h),
            home_snaps.join(",")
        ));
        let rows: Vec<String> = res
            .iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .map(|r| match r {
                        Ok(t) => format!(
                            "[{},{},{}]",
                            t.there.network.duration_ds as f64 / 10.0,
                            t.there.network.dm as f64 / 10.0,
                            t.there.access_m
                        ),
                        Err(_) => "null".into(),
                    })
                    .collect();
                format!("[{}]", cells.join(","))
            })
            .collect();
        json.push_str(&rows.join(","));
        json.push_str("]}");
    }
    let all_s = total.elapsed().as_secs_f64() - trees_s;
    json.push_str(&format!(
        "}},\"trees\":{{{}}},\"timings\":{{\"read_s\":{read_s},\"build_s\":{build_s},\"hierarchy_s\":{hierarchy_s},\"prepare_s\":{prep_s},\"query_s\":{query_total_s},\"total_s\":{all_s},\"threads\":{threads},\"random_homes\":{random_homes},\"points\":\"{points}\",\"near_m\":{},\"peak_rss_mib\":{}}}}}",
        tree_json.join(","),
        near_m.unwrap_or(0.0),
        peak_rss_mib()
    ));
    eprintln!(
        "road bench: read {read_s:.2} s, build {build_s:.2} s, hierarchies {hierarchy_s:.2} s, queries {query_total_s:.2} s, total {all_s:.2} s; peak RSS {rss_graphs:.0} MiB after the graphs, {rss_prepared:.0} MiB after the hierarchies, {:.0} MiB at the end",
        peak_rss_mib()
    );
    if let Some(out) = out {
        std::fs::write(&out, json).expect("write results");
        eprintln!("results in {}", out.display());
    }
}
