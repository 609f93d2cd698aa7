//! Road-routing benchmark: PBF → graphs → every home's round trip to a few destinations.
//!
//! ```text
//! cargo bench --profile dev -p navette-road --bench road            # Monaco, 10 destinations × 1,000 homes
//! NAVETTE_ROAD_PBF=datasets/osm/Helsinki.osm.pbf NAVETTE_ROAD_OUT=/tmp/h.json cargo bench ...
//! NAVETTE_ROAD_TILES=12 cargo bench ...   # the extract tiled 12 × 12 and stitched (country size)
//! NAVETTE_ROAD_POINTS=random cargo bench ...   # homes anywhere in the bounding box, not on nodes
//! ```
//! With `NAVETTE_ROAD_OUT`, writes the sampled points and every (home, destination) result as
//! JSON for `compare/osrm_compare.py`, which runs OSRM on the same points.

use std::path::PathBuf;
use std::time::Instant;

use navette_road::graph::{self, Graph};
use navette_road::osm::{OsmExtract, OsmWay, read_pbf};
use navette_road::{Job, Profile, RoadNetwork, Searcher};
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
    let out: Option<PathBuf> = std::env::var("NAVETTE_ROAD_OUT").ok().map(PathBuf::from);
    let random_homes = std::env::var("NAVETTE_ROAD_POINTS").is_ok_and(|v| v == "random");
    let threads = rayon::current_num_threads();
    eprintln!(
        "road bench: {} ({} threads), {dests} destinations × {homes} homes ({}), tiles {tiles}×{tiles}",
        pbf.display(),
        threads,
        if random_homes { "random points in the bounding box" } else { "graph nodes" }
    );

    let total = Instant::now();
    let t = Instant::now();
    let mut x = read_pbf(&pbf).expect("PBF reads");
    let read_s = t.elapsed().as_secs_f64();
    if tiles > 1 {
        x = tile(&x, tiles);
    }
    let t = Instant::now();
    use rayon::prelude::*;
    let built: Vec<(Graph, graph::BuildStats)> = Profile::ALL.par_iter().map(|&p| graph::build(&x, p)).collect();
    let build_s = t.elapsed().as_secs_f64();
    for (p, (_, s)) in Profile::ALL.iter().zip(&built) {
        eprintln!(
            "  {:4}: {} ways, {} junctions ({} dropped), {} edges, {} arcs, {} turns ({} restricted)",
            p.name(),
            s.ways,
            s.junctions,
            s.junctions_dropped,
            s.edges,
            s.arcs,
            s.turns,
            s.turns_restricted
        );
    }
    let net = RoadNetwork::from_graphs(String::new(), built.into_iter().map(|(g, _)| g).collect());
    drop(x);
    let prep_s = total.elapsed().as_secs_f64();

    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut json = String::from("{\"profiles\":{");
    let mut query_total_s = 0.0;
    for (pi, p) in Profile::ALL.iter().enumerate() {
        let g = net.graph(*p);
        let d = sample(g, &mut rng, dests);
        let h = if random_homes { sample_box(g, &mut rng, homes) } else { sample(g, &mut rng, homes) };
        let jobs: Vec<Job> = d.iter().map(|&dest| Job { dest, homes: h.clone() }).collect();
        let t = Instant::now();
        let res = net.round_trips(*p, &jobs, 1000.0);
        let q = t.elapsed().as_secs_f64();
        query_total_s += q;
        // One search alone, for the per-tree figure.
        let mut s = Searcher::new(g);
        let snap = net.snap(*p, d[0].0, d[0].1, 1000.0).expect("snaps");
        let t1 = Instant::now();
        s.to_destination(g, &snap);
        let tree_ms = t1.elapsed().as_secs_f64() * 1000.0;
        let ok = res.iter().flatten().filter(|r| r.is_ok()).count();
        eprintln!(
            "  {:4}: {} round trips in {:.3} s ({} routed); one reverse tree {:.1} ms over {} arcs",
            p.name(),
            dests * homes,
            q,
            ok,
            tree_ms,
            s.settled
        );
        if pi > 0 {
            json.push(',');
        }
        let pts = |v: &[(f64, f64)]| v.iter().map(|(a, b)| format!("[{a},{b}]")).collect::<Vec<_>>().join(",");
        // Where each home meets the road (lat, lon, offset m), to tell snapping differences apart.
        let snaps: Vec<String> = h
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
            snaps.join(",")
        ));
        let rows: Vec<String> = res
            .iter()
            .map(|row| {
                let cells: Vec<String> = row
                    .iter()
                    .map(|r| match r {
                        Ok(t) => format!(
                            "[{},{}]",
                            t.there.network.duration_ds as f64 / 10.0,
                            t.there.network.dm as f64 / 10.0
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
    let all_s = total.elapsed().as_secs_f64();
    json.push_str(&format!(
        "}},\"timings\":{{\"read_s\":{read_s},\"build_s\":{build_s},\"prepare_s\":{prep_s},\"query_s\":{query_total_s},\"total_s\":{all_s},\"threads\":{threads},\"random_homes\":{random_homes},\"peak_rss_mib\":{}}}}}",
        peak_rss_mib()
    ));
    eprintln!(
        "road bench: read {read_s:.2} s, build {build_s:.2} s, queries {query_total_s:.2} s, total {all_s:.2} s, peak RSS {:.0} MiB",
        peak_rss_mib()
    );
    if let Some(out) = out {
        std::fs::write(&out, json).expect("write results");
        eprintln!("results in {}", out.display());
    }
}
