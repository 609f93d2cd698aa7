//! The prepared network as a file (`navette network build`), so quarterly runs skip the PBF.
//!
//! A flat little-endian format: a header (magic, format version, the PBF's sha256) then each
//! graph's arrays and its contraction hierarchy's, each prefixed by its length. Written to a
//! temporary name and renamed. An artifact of another format version is [`RoadError::Stale`]:
//! [`crate::RoadNetwork::open`] rebuilds it, [`crate::RoadNetwork::load`] says to rebuild it.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::RoadError;
use crate::graph::{Graph, SegCost};
use crate::hierarchy::{ChEdge, Hierarchy};
use crate::profile::Profile;

const MAGIC: &[u8; 12] = b"NAVETTE-ROAD";
/// Bumped whenever the graph layout or the profiles change: an older artifact is rebuilt.
/// Version 2 adds the contraction hierarchies.
pub const FORMAT_VERSION: u32 = 2;

struct W<T: Write>(T);

impl<T: Write> W<T> {
    fn u32s(&mut self, v: &[u32]) -> std::io::Result<()> {
        self.0.write_all(&(v.len() as u64).to_le_bytes())?;
        for x in v {
            self.0.write_all(&x.to_le_bytes())?;
        }
        Ok(())
    }
    fn f64s(&mut self, v: &[f64]) -> std::io::Result<()> {
        self.0.write_all(&(v.len() as u64).to_le_bytes())?;
        for x in v {
            self.0.write_all(&x.to_le_bytes())?;
        }
        Ok(())
    }
    fn i64s(&mut self, v: &[i64]) -> std::io::Result<()> {
        self.0.write_all(&(v.len() as u64).to_le_bytes())?;
        for x in v {
            self.0.write_all(&x.to_le_bytes())?;
        }
        Ok(())
    }
    fn str(&mut self, s: &str) -> std::io::Result<()> {
        self.0.write_all(&(s.len() as u64).to_le_bytes())?;
        self.0.write_all(s.as_bytes())
    }
}

struct R<T: Read>(T);

impl<T: Read> R<T> {
    fn u64(&mut self) -> std::io::Result<u64> {
        let mut b = [0u8; 8];
        self.0.read_exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn len(&mut self) -> std::io::Result<usize> {
        let n = self.u64()?;
        if n > 1 << 34 {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "array length out of range"));
        }
        Ok(n as usize)
    }
    fn bytes(&mut self, n: usize) -> std::io::Result<Vec<u8>> {
        let mut b = vec![0u8; n];
        self.0.read_exact(&mut b)?;
        Ok(b)
    }
    fn u32s(&mut self) -> std::io::Result<Vec<u32>> {
        let n = self.len()?;
        let b = self.bytes(n * 4)?;
        Ok(b.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes"))).collect())
    }
    fn f64s(&mut self) -> std::io::Result<Vec<f64>> {
        let n = self.len()?;
        let b = self.bytes(n * 8)?;
        Ok(b.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
    fn i64s(&mut self) -> std::io::Result<Vec<i64>> {
        let n = self.len()?;
        let b = self.bytes(n * 8)?;
        Ok(b.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }
    fn str(&mut self) -> std::io::Result<String> {
        let n = self.len()?;
        String::from_utf8(self.bytes(n)?).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

fn costs_to_u32(v: &[SegCost]) -> Vec<u32> {
    v.iter().flat_map(|c| [c.weight_ds, c.duration_ds]).collect()
}

fn u32_to_costs(v: Vec<u32>) -> Vec<SegCost> {
    v.chunks_exact(2).map(|c| SegCost { weight_ds: c[0], duration_ds: c[1] }).collect()
}

fn edges_to_u32(v: &[ChEdge]) -> Vec<u32> {
    v.iter().flat_map(|e| [e.node, e.weight_ds, e.dm, e.duration_ds]).collect()
}

fn u32_to_edges(v: Vec<u32>) -> Vec<ChEdge> {
    v.chunks_exact(4).map(|c| ChEdge { node: c[0], weight_ds: c[1], dm: c[2], duration_ds: c[3] }).collect()
}

fn write_hierarchy<T: Write>(w: &mut W<T>, h: &Hierarchy) -> std::io::Result<()> {
    w.u32s(&h.pos)?;
    w.u32s(&h.up_first)?;
    w.u32s(&edges_to_u32(&h.up))?;
    w.u32s(&h.down_first)?;
    w.u32s(&edges_to_u32(&h.down))?;
    w.0.write_all(&(h.shortcuts as u64).to_le_bytes())
}

fn read_hierarchy<T: Read>(r: &mut R<T>, arcs: usize) -> std::io::Result<Hierarchy> {
    let h = Hierarchy {
        pos: r.u32s()?,
        up_first: r.u32s()?,
        up: u32_to_edges(r.u32s()?),
        down_first: r.u32s()?,
        down: u32_to_edges(r.u32s()?),
        shortcuts: r.u64()? as usize,
    };
    let n = h.pos.len();
    let ok = n == arcs
        && h.up_first.len() == n + 1
        && h.down_first.len() == n + 1
        && h.up_first.last().is_some_and(|&l| l as usize == h.up.len())
        && h.down_first.last().is_some_and(|&l| l as usize == h.down.len())
        && h.pos.iter().all(|&p| (p as usize) < n)
        && h.up.iter().chain(&h.down).all(|e| (e.node as usize) < n);
    if !ok {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "contraction hierarchy does not fit its graph",
        ));
    }
    Ok(h)
}

/// Writes graphs, their hierarchies and the PBF checksum they came from to `path` (atomically).
pub fn save(path: &Path, pbf_sha256: &str, graphs: &[Graph], hierarchies: &[Hierarchy]) -> Result<(), RoadError> {
    assert_eq!(graphs.len(), hierarchies.len(), "one hierarchy per graph");
    let io = |e: std::io::Error| RoadError::Io { path: path.to_owned(), source: e };
    let tmp = path.with_extension("tmp");
    {
        let mut w = W(BufWriter::new(File::create(&tmp).map_err(io)?));
        w.0.write_all(MAGIC).map_err(io)?;
        w.0.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(io)?;
        w.str(pbf_sha256).map_err(io)?;
        w.0.write_all(&(graphs.len() as u32).to_le_bytes()).map_err(io)?;
        for (g, h) in graphs.iter().zip(hierarchies) {
            let p = g.profile.expect("built graphs name their profile");
            w.0.write_all(&(p.index() as u32).to_le_bytes()).map_err(io)?;
            (|| -> std::io::Result<()> {
                w.f64s(&g.lat)?;
                w.f64s(&g.lon)?;
                w.i64s(&g.vertex_osm)?;
                w.u32s(&g.edge_first)?;
                w.u32s(&g.edge_vertex)?;
                w.u32s(&g.seg_dm)?;
                w.u32s(&costs_to_u32(&g.seg_fwd))?;
                w.u32s(&costs_to_u32(&g.seg_bwd))?;
                w.u32s(&g.vertex_delay_ds)?;
                w.u32s(&g.edge_arc.iter().flat_map(|a| *a).collect::<Vec<_>>())?;
                w.i64s(&g.edge_way)?;
                w.u32s(&g.arc_edge)?;
                w.u32s(&g.arc_backward.iter().map(|&b| b as u32).collect::<Vec<_>>())?;
                w.u32s(&g.arc_weight_ds)?;
                w.u32s(&g.arc_duration_ds)?;
                w.u32s(&g.arc_dm)?;
                w.u32s(&g.out_first)?;
                w.u32s(&g.out_to)?;
                w.u32s(&g.out_weight_ds)?;
                w.u32s(&g.out_duration_ds)?;
                w.u32s(&g.in_first)?;
                w.u32s(&g.in_from)?;
                w.u32s(&g.in_weight_ds)?;
                w.u32s(&g.in_duration_ds)?;
                write_hierarchy(&mut w, h)
            })()
            .map_err(io)?;
        }
        w.0.flush().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

/// Reads an artifact written by [`save`]: the PBF checksum, the graphs and their hierarchies.
pub fn load(path: &Path) -> Result<(String, Vec<Graph>, Vec<Hierarchy>), RoadError> {
    let io = |e: std::io::Error| RoadError::Io { path: path.to_owned(), source: e };
    let mut r = R(BufReader::new(File::open(path).map_err(io)?));
    let mut magic = [0u8; 12];
    r.0.read_exact(&mut magic).map_err(io)?;
    let mut v = [0u8; 4];
    r.0.read_exact(&mut v).map_err(io)?;
    if &magic != MAGIC || u32::from_le_bytes(v) != FORMAT_VERSION {
        return Err(RoadError::Stale { path: path.to_owned() });
    }
    let sha = r.str().map_err(io)?;
    r.0.read_exact(&mut v).map_err(io)?;
    let n = u32::from_le_bytes(v) as usize;
    let mut graphs = Vec::with_capacity(n);
    let mut hierarchies = Vec::with_capacity(n);
    for _ in 0..n {
        r.0.read_exact(&mut v).map_err(io)?;
        let profile = Profile::ALL.get(u32::from_le_bytes(v) as usize).copied();
        let g = (|| -> std::io::Result<Graph> {
            Ok(Graph {
                profile,
                lat: r.f64s()?,
                lon: r.f64s()?,
                vertex_osm: r.i64s()?,
                edge_first: r.u32s()?,
                edge_vertex: r.u32s()?,
                seg_dm: r.u32s()?,
                seg_fwd: u32_to_costs(r.u32s()?),
                seg_bwd: u32_to_costs(r.u32s()?),
                vertex_delay_ds: r.u32s()?,
                edge_arc: r.u32s()?.chunks_exact(2).map(|c| [c[0], c[1]]).collect(),
                edge_way: r.i64s()?,
                arc_edge: r.u32s()?,
                arc_backward: r.u32s()?.into_iter().map(|b| b != 0).collect(),
                arc_weight_ds: r.u32s()?,
                arc_duration_ds: r.u32s()?,
                arc_dm: r.u32s()?,
                out_first: r.u32s()?,
                out_to: r.u32s()?,
                out_weight_ds: r.u32s()?,
                out_duration_ds: r.u32s()?,
                in_first: r.u32s()?,
                in_from: r.u32s()?,
                in_weight_ds: r.u32s()?,
                in_duration_ds: r.u32s()?,
            })
        })()
        .map_err(io)?;
        hierarchies.push(read_hierarchy(&mut r, g.arc_count()).map_err(io)?);
        graphs.push(g);
    }
    Ok((sha, graphs, hierarchies))
}
