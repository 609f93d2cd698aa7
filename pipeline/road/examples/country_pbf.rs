//! Writes a country-size `.osm.pbf` by tiling real extracts side by side (issue 13), so that
//! navette and OSRM read the very same file.
//!
//! ```text
//! cargo run --release -p navette-road --example country_pbf -- OUT.osm.pbf [GRID] [EXTRACT.osm.pbf ...]
//! ```
//! `GRID` (default 8) gives a `GRID × GRID` grid of tiles; the extracts (default Monaco,
//! Helsinki, Mons and Wavre from `datasets/osm/`) fill it in turn, so neighbouring tiles come from
//! different places. Each tile keeps its extract's road network as it is in the file:
//! - every way with a `highway` tag, all its tags, and the nodes it uses with their tags
//!   (signals, barriers, crossings…); other ways (buildings, land use…) and untagged-only
//!   nodes of them are left out, as a routing extract (`osmium tags-filter w/highway`) would;
//! - every `type=restriction` relation whose members are all kept, tags and roles as they are;
//! - ids renumbered densely, per type, with the tile's offset (1, 2, 3… over the whole file), and
//!   member ids remapped with them;
//! - coordinates shifted into the tile's cell of a grid laid over Belgium's latitudes (origin
//!   49.5° N, 2.5° E), the longitudes scaled by cos(source lat) / cos(cell lat) so that every
//!   road keeps its length in metres.
//!
//! Neighbouring tiles are joined by two-way `highway=primary` roads (tagged
//! `name=Tile link`): the 6 car-routable nodes of each tile's largest car component (undirected)
//! closest to the shared side, paired in order along that side. Each link is a way of 3 nodes
//! (the two ends and a new middle node), so the country is one connected car network.
//!
//! Output: an OSMHeader (`OsmSchema-V0.6`, `DenseNodes`, bounding box) then blocks of up to
//! 8,000 dense nodes, ways, relations, in that order, sorted by id, zlib-compressed (level 1),
//! encoded in parallel. Plain protobuf written by hand: only the fields above.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use navette_road::Profile;
use navette_road::profile::{Tags, way_rule};
use osmpbf::{Element, ElementReader, RelMemberType};
use rayon::prelude::*;

type TagList = Vec<(String, String)>;
/// A relation to write: id, members (type, id, role), tags.
type RelOut<'a> = (i64, Vec<(u8, i64, &'a str)>, &'a TagList);

struct Node {
    id: i64,
    lat: f64,
    lon: f64,
    tags: TagList,
}
struct Way {
    id: i64,
    refs: Vec<i64>,
    tags: TagList,
}
struct Relation {
    id: i64,
    members: Vec<(u8, i64, String)>, // (0 node | 1 way | 2 relation, id, role)
    tags: TagList,
}

/// One extract, filtered to its road network, ids renumbered 0.. per type (ranks).
struct Source {
    name: String,
    nodes: Vec<Node>,
    ways: Vec<Way>,
    relations: Vec<Relation>,
    lat0: f64,
    lat1: f64,
    lon0: f64,
    lon1: f64,
    /// Ranks of car-routable nodes of the largest car component, by side: S, N, W, E.
    border: [Vec<usize>; 4],
}

const LINKS: usize = 6;
const BLOCK: usize = 8000;

fn tags_of<'a>(it: impl Iterator<Item = (&'a str, &'a str)>) -> TagList {
    it.map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn load(path: &PathBuf) -> Source {
    let (mut nodes, mut ways, mut relations) = (Vec::new(), Vec::new(), Vec::new());
    ElementReader::from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .for_each(|el| match el {
            Element::Node(n) => nodes.push(Node { id: n.id(), lat: n.lat(), lon: n.lon(), tags: tags_of(n.tags()) }),
            Element::DenseNode(n) => {
                nodes.push(Node { id: n.id(), lat: n.lat(), lon: n.lon(), tags: tags_of(n.tags()) })
            }
            Element::Way(w) => {
                if w.tags().any(|(k, _)| k == "highway") {
                    ways.push(Way { id: w.id(), refs: w.refs().collect(), tags: tags_of(w.tags()) })
                }
            }
            Element::Relation(r) => {
                if r.tags().any(|(k, v)| k == "type" && v == "restriction") {
                    let members = r
                        .members()
                        .map(|m| {
                            let t = match m.member_type {
                                RelMemberType::Node => 0,
                                RelMemberType::Way => 1,
                                RelMemberType::Relation => 2,
                            };
                            (t, m.member_id, m.role().unwrap_or("").to_string())
                        })
                        .collect();
                    relations.push(Relation { id: r.id(), members, tags: tags_of(r.tags()) })
                }
            }
        })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    nodes.sort_by_key(|n| n.id);
    nodes.dedup_by_key(|n| n.id);
    ways.sort_by_key(|w| w.id);
    relations.sort_by_key(|r| r.id);
    // Keep the nodes the ways use; cut ways where nodes are missing from the extract (as
    // navette's reader does), each piece a way of its own; a restriction naming a cut way is
    // dropped (its pieces get new ids).
    let node_rank = |nodes: &[Node], id: i64| nodes.binary_search_by_key(&id, |n| n.id).ok();
    let mut next_id = ways.last().map_or(0, |w| w.id) + 1;
    let mut cut_ways = std::collections::HashSet::new();
    let mut pieces = Vec::new();
    for w in ways {
        let runs: Vec<Vec<i64>> = w
            .refs
            .split(|r| node_rank(&nodes, *r).is_none())
            .filter(|run| run.len() >= 2)
            .map(<[i64]>::to_vec)
            .collect();
        if runs.len() == 1 && runs[0].len() == w.refs.len() {
            pieces.push(w);
            continue;
        }
        cut_ways.insert(w.id);
        for refs in runs {
            pieces.push(Way { id: next_id, refs, tags: w.tags.clone() });
            next_id += 1;
        }
    }
    let mut ways = pieces;
    ways.sort_by_key(|w| w.id);
    relations.retain(|r| !r.members.iter().any(|(t, id, _)| *t == 1 && cut_ways.contains(id)));
    let mut used = vec![false; nodes.len()];
    for w in &ways {
        for r in &w.refs {
            used[node_rank(&nodes, *r).unwrap()] = true;
        }
    }
    let mut keep = used.iter();
    nodes.retain(|_| *keep.next().unwrap());
    // Renumber: ids become ranks.
    let nrank: HashMap<i64, i64> = nodes.iter().enumerate().map(|(i, n)| (n.id, i as i64)).collect();
    let wrank: HashMap<i64, i64> = ways.iter().enumerate().map(|(i, w)| (w.id, i as i64)).collect();
    relations.retain(|r| {
        r.members.iter().all(|(t, id, _)| match t {
            0 => nrank.contains_key(id),
            1 => wrank.contains_key(id),
            _ => false,
        })
    });
    for r in &mut relations {
        for m in &mut r.members {
            m.1 = if m.0 == 0 { nrank[&m.1] } else { wrank[&m.1] };
        }
    }
    for (i, r) in relations.iter_mut().enumerate() {
        r.id = i as i64;
    }
    for w in &mut ways {
        for r in &mut w.refs {
            *r = nrank[r];
        }
    }
    for (i, w) in ways.iter_mut().enumerate() {
        w.id = i as i64;
    }
    for (i, n) in nodes.iter_mut().enumerate() {
        n.id = i as i64;
    }
    // Largest undirected component of the car-routable ways.
    let mut parent: Vec<usize> = (0..nodes.len()).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut car = vec![false; nodes.len()];
    for w in &ways {
        let tags = Tags::new(w.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if way_rule(Profile::Car, &tags).is_none() {
            continue;
        }
        for pair in w.refs.windows(2) {
            let (a, b) = (find(&mut parent, pair[0] as usize), find(&mut parent, pair[1] as usize));
            parent[a] = b;
            car[pair[0] as usize] = true;
            car[pair[1] as usize] = true;
        }
    }
    let mut size: HashMap<usize, usize> = HashMap::new();
    for v in (0..nodes.len()).filter(|&v| car[v]) {
        *size.entry(find(&mut parent, v)).or_default() += 1;
    }
    let big = size.iter().max_by_key(|(_, s)| **s).map(|(r, _)| *r).expect("a car road");
    let main: Vec<usize> = (0..nodes.len()).filter(|&v| car[v] && find(&mut parent, v) == big).collect();
    let side = |key: &dyn Fn(&Node) -> f64| -> Vec<usize> {
        let mut v = main.clone();
        v.sort_by(|a, b| key(&nodes[*a]).total_cmp(&key(&nodes[*b])));
        v.truncate(LINKS);
        v
    };
    let mut border = [side(&|n| n.lat), side(&|n| -n.lat), side(&|n| n.lon), side(&|n| -n.lon)];
    // Pair the links in order along the side (west → east for S/N, south → north for W/E).
    border[0].sort_by(|a, b| nodes[*a].lon.total_cmp(&nodes[*b].lon));
    border[1].sort_by(|a, b| nodes[*a].lon.total_cmp(&nodes[*b].lon));
    border[2].sort_by(|a, b| nodes[*a].lat.total_cmp(&nodes[*b].lat));
    border[3].sort_by(|a, b| nodes[*a].lat.total_cmp(&nodes[*b].lat));
    let fold = |f: fn(&Node) -> f64| nodes.iter().fold((f64::MAX, f64::MIN), |(a, b), n| (a.min(f(n)), b.max(f(n))));
    let ((lat0, lat1), (lon0, lon1)) = (fold(|n| n.lat), fold(|n| n.lon));
    Source {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        nodes,
        ways,
        relations,
        lat0,
        lat1,
        lon0,
        lon1,
        border,
    }
}

// --- Protobuf -----------------------------------------------------------------------------------

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}
fn bytes(out: &mut Vec<u8>, field: u64, b: &[u8]) {
    varint(out, field << 3 | 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}
fn int(out: &mut Vec<u8>, field: u64, v: u64) {
    varint(out, field << 3);
    varint(out, v);
}
fn packed(out: &mut Vec<u8>, field: u64, vals: impl IntoIterator<Item = u64>) {
    let mut b = Vec::new();
    vals.into_iter().for_each(|v| varint(&mut b, v));
    bytes(out, field, &b);
}
fn deltas(vals: impl IntoIterator<Item = i64>) -> Vec<u64> {
    let mut last = 0;
    vals.into_iter()
        .map(|v| {
            let d = zigzag(v - last);
            last = v;
            d
        })
        .collect()
}

/// A block's string table: index 0 is the empty string.
#[derive(Default)]
struct Strings {
    index: HashMap<String, u64>,
    list: Vec<String>,
}
impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if self.list.is_empty() {
            self.list.push(String::new());
        }
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() as u64 - 1);
        self.list.len() as u64 - 1
    }
    fn encode(&self) -> Vec<u8> {
        let mut t = Vec::new();
        for s in &self.list {
            bytes(&mut t, 1, s.as_bytes());
        }
        t
    }
}

fn block(strings: &Strings, group: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    let mut st = strings.encode();
    if st.is_empty() {
        bytes(&mut st, 1, b"");
    }
    bytes(&mut b, 1, &st);
    bytes(&mut b, 2, group);
    b
}

/// One file block: length, BlobHeader, Blob (zlib).
fn frame(kind: &str, content: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(content).unwrap();
    let z = z.finish().unwrap();
    let mut blob = Vec::new();
    int(&mut blob, 2, content.len() as u64);
    bytes(&mut blob, 3, &z);
    let mut header = Vec::new();
    bytes(&mut header, 1, kind.as_bytes());
    int(&mut header, 3, blob.len() as u64);
    let mut out = (header.len() as u32).to_be_bytes().to_vec();
    out.extend(header);
    out.extend(blob);
    out
}

/// Dense nodes: (id, lat, lon, tags).
fn node_block(nodes: &[(i64, f64, f64, &TagList)]) -> Vec<u8> {
    let mut s = Strings::default();
    let mut kv = Vec::new();
    for (_, _, _, tags) in nodes {
        for (k, v) in tags.iter() {
            kv.push(s.id(k));
            kv.push(s.id(v));
        }
        kv.push(0);
    }
    let mut dense = Vec::new();
    packed(&mut dense, 1, deltas(nodes.iter().map(|n| n.0)));
    packed(&mut dense, 8, deltas(nodes.iter().map(|n| (n.1 * 1e7).round() as i64)));
    packed(&mut dense, 9, deltas(nodes.iter().map(|n| (n.2 * 1e7).round() as i64)));
    packed(&mut dense, 10, kv);
    let mut group = Vec::new();
    bytes(&mut group, 2, &dense);
    frame("OSMData", &block(&s, &group))
}

fn way_block(ways: &[(i64, Vec<i64>, &TagList)]) -> Vec<u8> {
    let mut s = Strings::default();
    let mut group = Vec::new();
    for (id, refs, tags) in ways {
        let mut w = Vec::new();
        int(&mut w, 1, *id as u64);
        packed(&mut w, 2, tags.iter().map(|(k, _)| s.id(k)).collect::<Vec<_>>());
        packed(&mut w, 3, tags.iter().map(|(_, v)| s.id(v)).collect::<Vec<_>>());
        packed(&mut w, 8, deltas(refs.iter().copied()));
        bytes(&mut group, 3, &w);
    }
    frame("OSMData", &block(&s, &group))
}

fn relation_block(rels: &[RelOut]) -> Vec<u8> {
    let mut s = Strings::default();
    let mut group = Vec::new();
    for (id, members, tags) in rels {
        let mut r = Vec::new();
        int(&mut r, 1, *id as u64);
        packed(&mut r, 2, tags.iter().map(|(k, _)| s.id(k)).collect::<Vec<_>>());
        packed(&mut r, 3, tags.iter().map(|(_, v)| s.id(v)).collect::<Vec<_>>());
        packed(&mut r, 8, members.iter().map(|m| s.id(m.2)).collect::<Vec<_>>());
        packed(&mut r, 9, deltas(members.iter().map(|m| m.1)));
        packed(&mut r, 10, members.iter().map(|m| u64::from(m.0)).collect::<Vec<_>>());
        bytes(&mut group, 4, &r);
    }
    frame("OSMData", &block(&s, &group))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(args.first().expect("usage: country_pbf OUT.osm.pbf [GRID] [EXTRACT.osm.pbf ...]"));
    let grid: usize = args.get(1).map_or(8, |g| g.parse().expect("GRID is a number"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/osm");
    let paths: Vec<PathBuf> = if args.len() > 2 {
        args[2..].iter().map(PathBuf::from).collect()
    } else {
        ["monaco", "Helsinki", "mons", "wavre"].iter().map(|n| root.join(format!("{n}.osm.pbf"))).collect()
    };
    write(&out, grid, &paths);
}

/// Writes the `grid × grid` tiling of `paths` to `out`.
fn write(out: &PathBuf, grid: usize, paths: &[PathBuf]) {
    let t = Instant::now();
    let sources: Vec<Source> = paths.par_iter().map(load).collect();
    for s in &sources {
        eprintln!(
            "{}: {} nodes, {} highway ways, {} restrictions kept; {:.3}° × {:.3}°",
            s.name,
            s.nodes.len(),
            s.ways.len(),
            s.relations.len(),
            s.lat1 - s.lat0,
            s.lon1 - s.lon0
        );
    }
    // The grid: cells as tall as the tallest extract and as wide (in metres) as the widest, with
    // a 1 km gap.
    let (lat_origin, lon_origin) = (49.5_f64, 2.5_f64);
    let gap_deg = 1000.0 / 111_320.0;
    let cell_h = sources.iter().map(|s| s.lat1 - s.lat0).fold(0.0, f64::max) + gap_deg;
    let width_m = sources
        .iter()
        .map(|s| (s.lon1 - s.lon0) * ((s.lat0 + s.lat1) / 2.0).to_radians().cos() * 111_320.0)
        .fold(0.0, f64::max)
        + 1000.0;
    let top = lat_origin + grid as f64 * cell_h;
    let cell_w = width_m / (111_320.0 * top.to_radians().cos());
    let tiles = grid * grid;
    let src_of = |t: usize| {
        let (i, j) = (t / grid, t % grid);
        // Rows shifted by two, so vertical neighbours differ too when there are 3+ extracts.
        &sources[(j + 2 * i) % sources.len()]
    };
    // Offsets per tile (ids are 1-based: 0 is not a valid OSM id).
    let mut node_base = vec![1i64; tiles + 1];
    let mut way_base = vec![1i64; tiles + 1];
    let mut rel_base = vec![1i64; tiles + 1];
    for t in 0..tiles {
        let s = src_of(t);
        node_base[t + 1] = node_base[t] + s.nodes.len() as i64;
        way_base[t + 1] = way_base[t] + s.ways.len() as i64;
        rel_base[t + 1] = rel_base[t] + s.relations.len() as i64;
    }
    let place = |t: usize, lat: f64, lon: f64| -> (f64, f64) {
        let s = src_of(t);
        let (i, j) = (t / grid, t % grid);
        let (clat, clon) = (lat_origin + i as f64 * cell_h, lon_origin + j as f64 * cell_w);
        let y = clat + (lat - s.lat0);
        let scale = ((s.lat0 + s.lat1) / 2.0).to_radians().cos() / ((clat + cell_h / 2.0).to_radians().cos());
        (y, clon + (lon - s.lon0) * scale)
    };
    // Links: (tile a, rank in a, tile b, rank in b).
    let mut links: Vec<(usize, usize, usize, usize)> = Vec::new();
    for t in 0..tiles {
        let (i, j) = (t / grid, t % grid);
        if j + 1 < grid {
            let (a, b) = (&src_of(t).border[3], &src_of(t + 1).border[2]);
            links.extend(a.iter().zip(b).map(|(x, y)| (t, *x, t + 1, *y)));
        }
        if i + 1 < grid {
            let (a, b) = (&src_of(t).border[1], &src_of(t + grid).border[0]);
            links.extend(a.iter().zip(b).map(|(x, y)| (t, *x, t + grid, *y)));
        }
    }
    let link_tags: TagList =
        [("highway", "primary"), ("name", "Tile link")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let no_tags: TagList = Vec::new();
    let mut file = BufWriter::with_capacity(1 << 22, File::create(out).expect("create output"));
    // Header.
    let mut header = Vec::new();
    let mut bbox = Vec::new();
    int(&mut bbox, 1, zigzag((lon_origin * 1e9) as i64));
    int(&mut bbox, 2, zigzag(((lon_origin + grid as f64 * cell_w) * 1e9) as i64));
    int(&mut bbox, 3, zigzag((top * 1e9) as i64));
    int(&mut bbox, 4, zigzag((lat_origin * 1e9) as i64));
    bytes(&mut header, 1, &bbox);
    bytes(&mut header, 4, b"OsmSchema-V0.6");
    bytes(&mut header, 4, b"DenseNodes");
    bytes(&mut header, 16, b"navette-road country_pbf");
    file.write_all(&frame("OSMHeader", &header)).unwrap();
    let mut written = 0usize;
    let mut emit = |frames: Vec<Vec<u8>>, file: &mut BufWriter<File>| {
        for f in frames {
            written += f.len();
            file.write_all(&f).unwrap();
        }
    };
    // Nodes, tile by tile (ids ascending), then the links' middle nodes.
    let batch = 32;
    for chunk in (0..tiles).collect::<Vec<_>>().chunks(batch) {
        let frames: Vec<Vec<u8>> = chunk
            .par_iter()
            .flat_map_iter(|&t| {
                let s = src_of(t);
                let all: Vec<(i64, f64, f64, &TagList)> = s
                    .nodes
                    .iter()
                    .map(|n| {
                        let (lat, lon) = place(t, n.lat, n.lon);
                        (node_base[t] + n.id, lat, lon, &n.tags)
                    })
                    .collect();
                all.chunks(BLOCK).map(node_block).collect::<Vec<_>>()
            })
            .collect();
        emit(frames, &mut file);
    }
    let mid: Vec<(i64, f64, f64, &TagList)> = links
        .iter()
        .enumerate()
        .map(|(k, &(ta, a, tb, b))| {
            let (na, nb) = (&src_of(ta).nodes[a], &src_of(tb).nodes[b]);
            let (pa, pb) = (place(ta, na.lat, na.lon), place(tb, nb.lat, nb.lon));
            (node_base[tiles] + k as i64, (pa.0 + pb.0) / 2.0, (pa.1 + pb.1) / 2.0, &no_tags)
        })
        .collect();
    emit(mid.chunks(BLOCK).map(node_block).collect(), &mut file);
    // Ways.
    for chunk in (0..tiles).collect::<Vec<_>>().chunks(batch) {
        let frames: Vec<Vec<u8>> = chunk
            .par_iter()
            .flat_map_iter(|&t| {
                let s = src_of(t);
                let all: Vec<(i64, Vec<i64>, &TagList)> = s
                    .ways
                    .iter()
                    .map(|w| (way_base[t] + w.id, w.refs.iter().map(|r| node_base[t] + r).collect(), &w.tags))
                    .collect();
                all.chunks(BLOCK).map(way_block).collect::<Vec<_>>()
            })
            .collect();
        emit(frames, &mut file);
    }
    let link_ways: Vec<(i64, Vec<i64>, &TagList)> = links
        .iter()
        .enumerate()
        .map(|(k, &(ta, a, tb, b))| {
            (
                way_base[tiles] + k as i64,
                vec![node_base[ta] + a as i64, node_base[tiles] + k as i64, node_base[tb] + b as i64],
                &link_tags,
            )
        })
        .collect();
    emit(link_ways.chunks(BLOCK).map(way_block).collect(), &mut file);
    // Relations.
    let (nb, wb, rb) = (&node_base, &way_base, &rel_base);
    let rels: Vec<RelOut> = (0..tiles)
        .flat_map(|t| {
            let s = src_of(t);
            s.relations.iter().map(move |r| {
                let members = r
                    .members
                    .iter()
                    .map(|(ty, id, role)| (*ty, if *ty == 0 { nb[t] + id } else { wb[t] + id }, role.as_str()))
                    .collect();
                (rb[t] + r.id, members, &r.tags)
            })
        })
        .collect();
    let frames: Vec<Vec<u8>> = rels.par_chunks(BLOCK).map(relation_block).collect();
    emit(frames, &mut file);
    file.flush().unwrap();
    eprintln!(
        "{}: {grid} × {grid} tiles, {} nodes, {} ways ({} tile links), {} restrictions, {:.0} MB, in {:.1} s",
        out.display(),
        node_base[tiles] - 1 + links.len() as i64,
        way_base[tiles] - 1 + links.len() as i64,
        links.len(),
        rel_base[tiles] - 1,
        written as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
}

#[cfg(test)]
mod tests {
    use navette_road::graph;
    use navette_road::osm::read_pbf;

    use super::*;

    fn extract(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets/osm").join(name)
    }

    /// One tile of one extract is the same car network as the extract itself: same junctions,
    /// edges, turns and restricted turns (ids renumbered, coordinates moved, lengths kept).
    #[test]
    fn one_tile_is_the_extract() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("one.osm.pbf");
        write(&out, 1, &[extract("mons.osm.pbf")]);
        let (a, b) = (read_pbf(&extract("mons.osm.pbf")).unwrap(), read_pbf(&out).unwrap());
        assert_eq!(a.restrictions.len(), b.restrictions.len());
        let ((ga, sa), (gb, sb)) = (graph::build(&a, Profile::Car), graph::build(&b, Profile::Car));
        assert_eq!(
            (sa.ways, sa.junctions, sa.junctions_dropped, sa.edges, sa.arcs, sa.turns, sa.turns_restricted),
            (sb.ways, sb.junctions, sb.junctions_dropped, sb.edges, sb.arcs, sb.turns, sb.turns_restricted)
        );
        assert!(sa.turns_restricted > 0);
        // Lengths in metres within 0.5% (the longitudes are rescaled to another latitude).
        let len = |g: &graph::Graph| g.seg_dm.iter().map(|&d| f64::from(d)).sum::<f64>();
        let (la, lb) = (len(&ga), len(&gb));
        assert!((la - lb).abs() / la < 0.005, "{la} dm against {lb} dm");
    }

    /// Four different extracts in a 2 × 2 grid: one car network, with every tile's junctions.
    #[test]
    fn tiles_are_joined_into_one_network() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("four.osm.pbf");
        let names = ["monaco.osm.pbf", "Helsinki.osm.pbf", "mons.osm.pbf", "wavre.osm.pbf"];
        write(&out, 2, &names.map(extract));
        let kept: usize = names
            .iter()
            .map(|n| {
                let s = graph::build(&read_pbf(&extract(n)).unwrap(), Profile::Car).1;
                s.junctions - s.junctions_dropped
            })
            .sum();
        let s = graph::build(&read_pbf(&out).unwrap(), Profile::Car).1;
        // Every tile's own largest component survives in the joined one.
        assert!(s.junctions - s.junctions_dropped >= kept, "{} < {kept}", s.junctions - s.junctions_dropped);
    }
}
