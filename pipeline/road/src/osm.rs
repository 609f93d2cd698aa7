//! Reading an `.osm.pbf` into what routing needs, and nothing more.
//!
//! Two parallel passes over the file's blobs (decoded by `osmpbf` on every core): the first keeps
//! the ways some profile may use, their node references and turn restrictions; the second keeps
//! the coordinates and tags (signals, barriers) of just the nodes those ways reference. OSM files
//! store nodes before ways, and a country holds ten times more nodes than routing needs, so two
//! passes cost less memory than keeping every node.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use osmpbf::{Blob, BlobDecode, BlobReader, RelMemberType};
use rayon::prelude::*;

use crate::profile::{NodeRule, Profile, Tags, WayRule, node_rule, way_rule};
use crate::{Phase, Progress, RoadError};

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

/// `BlobHeader`s must be smaller than this (bytes): OSM's own limit, 64 KiB.
pub const MAX_BLOB_HEADER_BYTES: u64 = 64 * 1024;
/// `Blob`s as stored must be smaller than this (bytes): OSM's own limit, 32 MiB. `osmpbf` also
/// stops inflating a blob's content at 32 MiB.
pub const MAX_BLOB_BYTES: u64 = 32 * 1024 * 1024;

/// Walks the file's blob frames (4-byte length, `BlobHeader`, `Blob`) without decoding the blobs:
/// a header of [`MAX_BLOB_HEADER_BYTES`] or more, a blob of [`MAX_BLOB_BYTES`] or more or past the end of the
/// file, a malformed header, or a file without blobs is an error saying which blob (by byte
/// offset), before `osmpbf` allocates or reads anything from a declared size. Returns the
/// number of blobs.
pub fn check_frames(path: &Path) -> Result<usize, RoadError> {
    let fail = |message: String| RoadError::Pbf { path: path.to_owned(), message };
    let f = File::open(path).map_err(|e| RoadError::Io { path: path.to_owned(), source: e })?;
    let len = f.metadata().map_err(|e| RoadError::Io { path: path.to_owned(), source: e })?.len();
    let mut r = BufReader::new(f);
    let (mut at, mut blobs) = (0u64, 0usize);
    let mut header = Vec::new();
    while at < len {
        if len - at < 4 {
            return Err(fail(format!("truncated: {} stray bytes after the last blob, at byte {at}", len - at)));
        }
        let mut n = [0u8; 4];
        r.read_exact(&mut n).map_err(|e| fail(format!("byte {at}: {e}")))?;
        let hlen = u64::from(u32::from_be_bytes(n));
        if hlen >= MAX_BLOB_HEADER_BYTES {
            return Err(fail(format!(
                "the blob header at byte {at} declares {hlen} bytes; OSM's limit is less than 64 KiB"
            )));
        }
        if at + 4 + hlen > len {
            return Err(fail(format!("truncated: the blob header at byte {at} ends past the end of the file")));
        }
        header.resize(hlen as usize, 0);
        r.read_exact(&mut header).map_err(|e| fail(format!("byte {at}: {e}")))?;
        let (kind, size) =
            blob_header(&header).map_err(|why| fail(format!("the blob header at byte {at} is malformed: {why}")))?;
        if !(0..MAX_BLOB_BYTES as i64).contains(&size) {
            return Err(fail(format!("the blob at byte {at} declares {size} bytes; OSM's limit is less than 32 MiB")));
        }
        let end = at + 4 + hlen + size as u64;
        if end > len {
            return Err(fail(format!(
                "truncated: the blob at byte {at} declares {size} bytes, the file ends {} bytes short",
                end - len
            )));
        }
        if blobs == 0 && kind != "OSMHeader" {
            return Err(fail(format!("the first blob is {kind:?}, not an OSMHeader")));
        }
        r.seek(SeekFrom::Start(end)).map_err(|e| fail(format!("byte {at}: {e}")))?;
        at = end;
        blobs += 1;
    }
    if blobs == 0 {
        return Err(fail("the file is empty".into()));
    }
    Ok(blobs)
}

/// The `type` and `datasize` of a `BlobHeader` message (protobuf: 1 string, 2 bytes, 3 int32).
fn blob_header(b: &[u8]) -> Result<(String, i64), &'static str> {
    fn varint(b: &[u8], i: &mut usize) -> Result<u64, &'static str> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let &byte = b.get(*i).ok_or("cut in a number")?;
            *i += 1;
            v |= u64::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number longer than 10 bytes")
    }
    let (mut i, mut kind, mut size) = (0usize, None, None);
    while i < b.len() {
        let key = varint(b, &mut i)?;
        let skip = match (key >> 3, key & 7) {
            (3, 0) => {
                // int32: negative values are sign-extended to 10 bytes.
                size = Some(varint(b, &mut i)? as i64);
                0
            }
            (_, 0) => {
                varint(b, &mut i)?;
                0
            }
            (_, 1) => 8,
            (field, 2) => {
                let n = varint(b, &mut i)?;
                let n =
                    usize::try_from(n).ok().filter(|&n| n <= b.len() - i).ok_or("a field longer than the header")?;
                if field == 1 {
                    kind = Some(String::from_utf8_lossy(&b[i..i + n]).into_owned());
                }
                n
            }
            (_, 5) => 4,
            _ => return Err("an unknown field type"),
        };
        i = i.checked_add(skip).filter(|&j| j <= b.len()).ok_or("a field longer than the header")?;
    }
    Ok((kind.ok_or("no type")?, size.ok_or("no datasize")?))
}

/// Runs `f` on one blob. A malformed block that makes the decoder panic (`osmpbf` 0.3.8 unwraps
/// a relation member's type, and its delta sums overflow in debug builds) becomes an error
/// naming the blob's byte offset, as does any decoding error.
fn per_blob<T>(blob: osmpbf::Result<Blob>, f: impl FnOnce(Blob) -> Result<T, String>) -> Result<T, String> {
    let blob = blob.map_err(|e| e.to_string())?;
    let at = blob.offset().map_or_else(|| "a blob".to_owned(), |o| format!("the blob at byte {}", o.0));
    match catch_unwind(AssertUnwindSafe(|| f(blob))) {
        Ok(r) => r.map_err(|e| format!("{at}: {e}")),
        Err(p) => {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("{at}: malformed block (the decoder failed: {why})"))
        }
    }
}

/// A way's node ids, from its deltas; an error when they overflow.
fn way_refs(way: &osmpbf::Way<'_>) -> Result<Vec<i64>, String> {
    let mut id = 0i64;
    way.raw_refs()
        .iter()
        .map(|&d| {
            id = id.checked_add(d).ok_or_else(|| format!("way {}: node references overflow", way.id()))?;
            Ok(id)
        })
        .collect()
}

/// A node's position, checked to be on the globe.
fn position(id: i64, lat: f64, lon: f64) -> Result<(f64, f64), String> {
    if lat.abs() <= 90.0 && lon.abs() <= 180.0 {
        Ok((lat, lon))
    } else {
        Err(format!("node {id} lies off the globe ({lat}, {lon})"))
    }
}

/// Reads the ways, restrictions and referenced nodes of a PBF file. The blob frames are checked
/// first ([`check_frames`]); every failure is a [`RoadError::Pbf`] naming the file.
pub fn read_pbf(path: &Path) -> Result<OsmExtract, RoadError> {
    read_pbf_with(path, &crate::Silent)
}

/// [`read_pbf`], reporting [`Phase::Read`] to `progress` (one unit a blob and pass).
pub(crate) fn read_pbf_with(path: &Path, progress: &dyn Progress) -> Result<OsmExtract, RoadError> {
    let blobs = check_frames(path)?;
    progress.start(Phase::Read, 2 * blobs as u64);
    let read = read_blobs(path, progress);
    progress.finish(Phase::Read);
    read
}

/// Both passes of [`read_pbf`], the frames checked.
fn read_blobs(path: &Path, progress: &dyn Progress) -> Result<OsmExtract, RoadError> {
    let open =
        || BlobReader::from_path(path).map_err(|e| RoadError::Pbf { path: path.to_owned(), message: e.to_string() });
    let pass = open()?
        .par_bridge()
        .map(|blob| -> Result<WayPass, String> {
            progress.advance(Phase::Read, 1);
            per_blob(blob, |blob| {
                let mut out = WayPass::default();
                if let BlobDecode::OsmData(block) = blob.decode().map_err(|e| e.to_string())? {
                    for group in block.groups() {
                        for way in group.ways() {
                            let tags = Tags::new(way.tags());
                            let rules = Profile::ALL.map(|p| way_rule(p, &tags));
                            if rules.iter().any(Option::is_some) {
                                out.ways.push(OsmWay { id: way.id(), refs: way_refs(&way)?, rules });
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
        })
        .try_reduce(WayPass::default, |mut a, b| {
            a.ways.extend(b.ways);
            a.restrictions.extend(b.restrictions);
            a.skipped += b.skipped;
            Ok(a)
        })
        .map_err(|message| RoadError::Pbf { path: path.to_owned(), message })?;
    let WayPass { mut ways, mut restrictions, skipped } = pass;
    // Blobs arrive in any order; sorting makes the graph independent of thread timing.
    ways.sort_unstable_by_key(|w| w.id);
    restrictions.sort_unstable();

    let mut node_ids: Vec<i64> = ways.iter().flat_map(|w| w.refs.iter().copied()).collect();
    node_ids.par_sort_unstable();
    node_ids.dedup();

    let found = open()?
        .par_bridge()
        .map(|blob| -> Result<Vec<(usize, OsmNode)>, String> {
            progress.advance(Phase::Read, 1);
            per_blob(blob, |blob| {
                let mut out = Vec::new();
                let mut cursor = 0usize;
                if let BlobDecode::OsmData(block) = blob.decode().map_err(|e| e.to_string())? {
                    for group in block.groups() {
                        for n in group.dense_nodes() {
                            if let Some(i) = find_from(&node_ids, &mut cursor, n.id()) {
                                let (lat, lon) = position(n.id(), n.lat(), n.lon())?;
                                out.push((i, OsmNode { lat, lon, rules: node_rules(n.tags()) }));
                            }
                        }
                        for n in group.nodes() {
                            if let Some(i) = find_from(&node_ids, &mut cursor, n.id()) {
                                let (lat, lon) = position(n.id(), n.lat(), n.lon())?;
                                out.push((i, OsmNode { lat, lon, rules: node_rules(n.tags()) }));
                            }
                        }
                    }
                }
                Ok(out)
            })
        })
        .try_reduce(Vec::new, |mut a, b| {
            a.extend(b);
            Ok(a)
        })
        .map_err(|message| RoadError::Pbf { path: path.to_owned(), message })?;

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
