//! Reading an `.osm.pbf` into what routing needs, and nothing more.
//!
//! Two parallel passes over the file's blobs (decoded by `osmpbf` on every core): the first keeps
//! the ways some profile may use, their node references and turn restrictions; the second keeps
//! the coordinates and tags (signals, barriers) of just the nodes those ways reference. OSM files
//! store nodes before ways, and a country holds ten times more nodes than routing needs, so two
//! passes cost less memory than keeping every node.

use std::path::Path;

use osmpbf::{BlobDecode, BlobReader, RelMemberType};
use rayon::prelude::*;

use crate::RoadError;
use crate::profile::{NodeRule, Profile, Tags, WayRule, node_rule, way_rule};

/// A way kept for routing: its nodes and each profile's rule.
#[derive(Debug, Clone)]
pub struct OsmWay {
    /// OSM way id.
    pub id: i64,
    /// Referenced OSM node ids, in way order.
    pub refs: Vec<i64>,
    /// Rule per profile (indexed by [`Profile::index`]); `None` where the profile may not use it.
    pub rules: [Option<WayRule>; 3],
}

/// A node referenced by a kept way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OsmNode {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Rule per profile (signals, barriers).
    pub rules: [NodeRule; 3],
}

/// A turn restriction with a via node (`type=restriction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Restriction {
    /// The way the turn comes from.
    pub from_way: i64,
    /// The junction.
    pub via_node: i64,
    /// The way the turn goes to.
    pub to_way: i64,
    /// `only_*` (every other turn from `from_way` at `via_node` is forbidden) or `no_*`.
    pub only: bool,
    /// Profiles it binds, as a bit mask of [`Profile::index`].
    pub profiles: u8,
}

/// What routing keeps of an OSM extract. Ways sorted by id, nodes sorted by id.
#[derive(Debug, Default, Clone)]
pub struct OsmExtract {
    /// Ways some profile may use.
    pub ways: Vec<OsmWay>,
    /// Sorted ids of the nodes those ways reference.
    pub node_ids: Vec<i64>,
    /// The nodes, parallel to `node_ids`.
    pub nodes: Vec<OsmNode>,
    /// Turn restrictions with a via node.
    pub restrictions: Vec<Restriction>,
    /// Restrictions that could not be used (via way, missing members), counted for the record.
    pub restrictions_skipped: usize,
    /// Node ids referenced by a way but absent from the file (clipped extracts).
    pub missing_nodes: usize,
}

impl OsmExtract {
    /// Index of an OSM node id in `nodes`.
    pub fn node_index(&self, id: i64) -> Option<usize> {
        self.node_ids.binary_search(&id).ok()
    }
}

#[derive(Default)]
struct WayPass {
    ways: Vec<OsmWay>,
    restrictions: Vec<Restriction>,
    skipped: usize,
}

/// Reads the ways, restrictions and referenced nodes of a PBF file.
pub fn read_pbf(path: &Path) -> Result<OsmExtract, RoadError> {
    let open =
        || BlobReader::from_path(path).map_err(|e| RoadError::Pbf { path: path.to_owned(), message: e.to_string() });
    let pass = open()?
        .par_bridge()
        .map(|blob| -> Result<WayPass, osmpbf::Error> {
            let mut out = WayPass::default();
            if let BlobDecode::OsmData(block) = blob?.decode()? {
                for group in block.groups() {
                    for way in group.ways() {
                        let tags = Tags::new(way.tags());
                        let rules = Profile::ALL.map(|p| way_rule(p, &tags));
                        if rules.iter().any(Option::is_some) {
                            out.ways.push(OsmWay { id: way.id(), refs: way.refs().collect(), rules });
                        }
                    }
                    for rel in group.relations() {
                        let tags = Tags::new(rel.tags());
                        match restriction(&tags, rel.members()) {
                            Some(Ok(r)) => out.restrictions.push(r),
                            Some(Err(())) => out.skipped += 1,
                            None => {}
                        }
                    }
                }
            }
            Ok(out)
        })
        .try_reduce(WayPass::default, |mut a, b| {
            a.ways.extend(b.ways);
            a.restrictions.extend(b.restrictions);
            a.skipped += b.skipped;
            Ok(a)
        })
        .map_err(|e| RoadError::Pbf { path: path.to_owned(), message: e.to_string() })?;
    let WayPass { mut ways, mut restrictions, skipped } = pass;
    // Blobs arrive in any order; sorting makes the graph independent of thread timing.
    ways.sort_unstable_by_key(|w| w.id);
    restrictions.sort_unstable();

    let mut node_ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    node_ids.par_sort_unstable();
    node_ids.dedup();

    let found = open()?
        .par_bridge()
        .map(|blob| -> Result<Vec<(usize, OsmNode)>, osmpbf::Error> {
            let mut out = Vec::new();
            let mut cursor = 0usize;
            if let BlobDecode::OsmData(block) = blob?.decode()? {
                for group in block.groups() {
                    for n in group.dense_nodes() {
                        if let Some(i) = find_from(&node_ids, &mut cursor, n.id()) {
                            out.push((i, OsmNode { lat: n.lat(), lon: n.lon(), rules: node_rules(n.tags()) }));
                        }
                    }
                    for n in group.nodes() {
                        if let Some(i) = find_from(&node_ids, &mut cursor, n.id()) {
                            out.push((i, OsmNode { lat: n.lat(), lon: n.lon(), rules: node_rules(n.tags()) }));
                        }
                    }
                }
            }
            Ok(out)
        })
        .try_reduce(Vec::new, |mut a, b| {
            a.extend(b);
            Ok(a)
        })
        .map_err(|e| RoadError::Pbf { path: path.to_owned(), message: e.to_string() })?;

    let mut nodes: Vec<Option<OsmNode>> = vec![None; node_ids.len()];
    for (i, n) in found {
        nodes[i] = Some(n);
    }
    // Ways clipped by the extract's border reference nodes the file lacks: cut them there.
    let missing = nodes.iter().filter(|n| n.is_none()).count();
    let (node_ids, nodes, ways) = if missing > 0 {
        drop_missing(node_ids, nodes, ways)
    } else {
        (node_ids, nodes.into_iter().map(|n| n.expect("all found")).collect(), ways)
    };
    Ok(OsmExtract { ways, node_ids, nodes, restrictions, restrictions_skipped: skipped, missing_nodes: missing })
}

fn node_rules<'t>(tags: impl Iterator<Item = (&'t str, &'t str)>) -> [NodeRule; 3] {
    let tags = Tags::new(tags);
    Profile::ALL.map(|p| node_rule(p, &tags))
}

/// Finds `id` in sorted `ids`, searching forward from `cursor` first: nodes in a PBF block come
/// in ascending id order, so the next match is usually just ahead.
fn find_from(ids: &[i64], cursor: &mut usize, id: i64) -> Option<usize> {
    let n = ids.len();
    let start = if *cursor < n && ids[*cursor] <= id { *cursor } else { 0 };
    // Gallop ahead until the bracket [lo, hi] holds `id`, then binary search it.
    let (mut lo, mut hi, mut step) = (start, start, 1usize);
    while hi < n && ids[hi] < id {
        lo = hi;
        hi = (hi + step).min(n);
        step *= 2;
    }
    let end = (hi + 1).min(n);
    match ids[lo..end].binary_search(&id) {
        Ok(off) => {
            *cursor = lo + off;
            Some(lo + off)
        }
        Err(_) => None,
    }
}

/// Removes nodes absent from the file: each way is cut into the runs of nodes that exist (a way
/// keeps its id on every piece, so restrictions still find it).
fn drop_missing(
    node_ids: Vec<i64>,
    nodes: Vec<Option<OsmNode>>,
    ways: Vec<OsmWay>,
) -> (Vec<i64>, Vec<OsmNode>, Vec<OsmWay>) {
    let present = |id: i64| node_ids.binary_search(&id).map(|i| nodes[i].is_some()).unwrap_or(false);
    let mut out = Vec::with_capacity(ways.len());
    for w in ways {
        let mut run: Vec<i64> = Vec::new();
        for &r in &w.refs {
            if present(r) {
                run.push(r);
            } else {
                if run.len() >= 2 {
                    out.push(OsmWay { id: w.id, refs: std::mem::take(&mut run), rules: w.rules });
                }
                run.clear();
            }
        }
        if run.len() >= 2 {
            out.push(OsmWay { id: w.id, refs: run, rules: w.rules });
        }
    }
    let (ids, ns): (Vec<i64>, Vec<OsmNode>) =
        node_ids.into_iter().zip(nodes).filter_map(|(id, n)| n.map(|n| (id, n))).unzip();
    (ids, ns, out)
}

/// Reads a `type=restriction` relation; `Some(Err)` for restrictions we cannot apply (via way).
fn restriction<'a>(
    tags: &Tags,
    members: impl Iterator<Item = osmpbf::RelMember<'a>>,
) -> Option<Result<Restriction, ()>> {
    if tags.get("type") != Some("restriction") {
        return None;
    }
    // `restriction` binds every vehicle; `restriction:motorcar` only cars, and so on. Walking is
    // not bound by turn restrictions (OSRM's foot profile ignores them).
    let mut profiles = 0u8;
    let mut value = None;
    if let Some(v) = tags.get("restriction") {
        value = Some(v);
        profiles = (1 << Profile::Car.index()) | (1 << Profile::Bike.index());
    }
    for (key, p) in [
        ("restriction:motorcar", Profile::Car),
        ("restriction:motor_vehicle", Profile::Car),
        ("restriction:bicycle", Profile::Bike),
    ] {
        if let Some(v) = tags.get(key) {
            value = Some(v);
            profiles |= 1 << p.index();
        }
    }
    let value = value?;
    if let Some(except) = tags.get("except") {
        for e in except.split(';') {
            match e.trim() {
                "motorcar" | "motor_vehicle" | "vehicle" => profiles &= !(1 << Profile::Car.index()),
                "bicycle" => profiles &= !(1 << Profile::Bike.index()),
                _ => {}
            }
        }
    }
    let only = if value.starts_with("only_") {
        true
    } else if value.starts_with("no_") {
        false
    } else {
        return Some(Err(()));
    };
    let (mut from, mut via, mut to) = (None, None, None);
    for m in members {
        match (m.role().unwrap_or(""), m.member_type) {
            ("from", RelMemberType::Way) => from = Some(m.member_id),
            ("to", RelMemberType::Way) => to = Some(m.member_id),
            ("via", RelMemberType::Node) => via = Some(m.member_id),
            ("via", RelMemberType::Way) => return Some(Err(())),
            _ => {}
        }
    }
    match (from, via, to) {
        (Some(from_way), Some(via_node), Some(to_way)) if profiles != 0 => {
            Some(Ok(Restriction { from_way, via_node, to_way, only, profiles }))
        }
        _ => Some(Err(())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_from_matches_binary_search() {
        let ids: Vec<i64> = (0..1000).map(|i| i * 10 + (i % 7)).collect();
        let mut cursor = 0;
        for probe in [0i64, 5, 6, 11, 300, 299, 301, 2000, 9996, 10010, 1, 2] {
            let want = ids.binary_search(&probe).ok();
            assert_eq!(find_from(&ids, &mut cursor, probe), want, "probe {probe}");
        }
        let mut cursor = 0;
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(find_from(&ids, &mut cursor, id), Some(i));
        }
    }
}
