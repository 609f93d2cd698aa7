//! The prepared network as a file (`navette network build`), so quarterly runs skip the PBF.
//!
//! A flat little-endian format: a header (magic, format version, the PBF's sha256) then each
//! graph's arrays and its contraction hierarchy's, each prefixed by its length, then a checksum of
//! everything before it. Written to a temporary name and renamed. An artifact of another format version is [`RoadError::Stale`]:
//! [`crate::RoadNetwork::open`] rebuilds it, [`crate::RoadNetwork::load`] says to rebuild it.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use crate::RoadError;
use crate::graph::{Graph, NONE, SegCost};
use crate::hierarchy::{ChEdge, Hierarchy};
use crate::profile::Profile;

const MAGIC: &[u8; 12] = b"NAVETTE-ROAD";
/// Bumped whenever the graph layout or the profiles change: an older artifact is rebuilt.
/// Version 2 adds the contraction hierarchies; version 3 the trailing checksum; version 4 the foot
/// and bike graphs that walk platforms and area outlines (same layout, other graphs).
pub const FORMAT_VERSION: u32 = 4;

/// Checksum of the artifact's bytes (the trailer): each 8-byte word (the tail zero-padded) is
/// mixed in by a bijection of the state, so any change to one word, a flipped byte say, changes
/// the sum. Cheap (about a cycle a byte) next to reading the file; it guards against damage, not
/// against a forger, whom [`check_graph`] and [`check_hierarchy`] stop from doing harm.
#[derive(Clone, Copy)]
struct Sum(u64);

impl Sum {
    fn new() -> Sum {
        Sum(0x6e61_7665_7474_6521)
    }
    fn update(&mut self, b: &[u8]) {
        let h = Sum::words(self.0, b);
        self.finish(h, b.len() as u64);
    }
    /// Mixes in the 8-byte words of `b` (zero-padded at its end): a piece read in blocks of a
    /// multiple of 8 bytes gives the same sum as read at once.
    fn words(mut h: u64, b: &[u8]) -> u64 {
        let mut words = b.chunks_exact(8);
        for w in &mut words {
            h = (h ^ u64::from_le_bytes(w.try_into().expect("8 bytes")))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(29);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        }
        h
    }
    /// Ends a piece of `len` bytes whose words gave `h`.
    fn finish(&mut self, h: u64, len: u64) {
        // The length of each piece is mixed in too (a piece's zero padding is not data).
        self.0 = (h ^ len).wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(31);
    }
}

struct W<T: Write> {
    out: T,
    sum: Sum,
    /// Byte lengths of the checksummed parts written, in order (an [`Early`] piece is copied
    /// part by part so that its checksum comes out the same).
    parts: Vec<u64>,
}

impl<T: Write> W<T> {
    fn new(out: T) -> W<T> {
        W { out, sum: Sum::new(), parts: Vec::new() }
    }
    fn put(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.sum.update(b);
        self.parts.push(b.len() as u64);
        self.out.write_all(b)
    }
    fn u32(&mut self, x: u32) -> std::io::Result<()> {
        self.put(&x.to_le_bytes())
    }
    fn u64(&mut self, x: u64) -> std::io::Result<()> {
        self.put(&x.to_le_bytes())
    }
    /// An array of `v.len() * per` numbers (that count first), each element encoded by `put`
    /// into `per` numbers, written in blocks: no copy of the whole array's bytes (a country
    /// network's largest arrays are half a gigabyte). The checksum is the same as for one piece.
    fn elements<E>(&mut self, v: &[E], per: usize, put: impl Fn(&E, &mut Vec<u8>)) -> std::io::Result<()> {
        /// Elements encoded at a time: an even count, so that every block but the last is a
        /// multiple of 8 bytes and splits no checksum word.
        const BLOCK: usize = 1 << 16;
        self.u64((v.len() * per) as u64)?;
        let (mut h, mut bytes) = (self.sum.0, 0u64);
        let mut buf = Vec::new();
        for chunk in v.chunks(BLOCK) {
            buf.clear();
            for e in chunk {
                put(e, &mut buf);
            }
            h = Sum::words(h, &buf);
            bytes += buf.len() as u64;
            self.out.write_all(&buf)?;
        }
        self.sum.finish(h, bytes);
        self.parts.push(bytes);
        Ok(())
    }
    fn u32s(&mut self, v: &[u32]) -> std::io::Result<()> {
        self.elements(v, 1, |x, b| b.extend_from_slice(&x.to_le_bytes()))
    }
    fn f64s(&mut self, v: &[f64]) -> std::io::Result<()> {
        self.elements(v, 1, |x, b| b.extend_from_slice(&x.to_le_bytes()))
    }
    fn i64s(&mut self, v: &[i64]) -> std::io::Result<()> {
        self.elements(v, 1, |x, b| b.extend_from_slice(&x.to_le_bytes()))
    }
    /// Elements of `K` numbers each, as `u32`s.
    fn tuples<const K: usize, E>(&mut self, v: &[E], split: impl Fn(&E) -> [u32; K]) -> std::io::Result<()> {
        self.elements(v, K, |e, b| {
            for x in split(e) {
                b.extend_from_slice(&x.to_le_bytes());
            }
        })
    }
    fn str(&mut self, s: &str) -> std::io::Result<()> {
        self.u64(s.len() as u64)?;
        self.put(s.as_bytes())
    }
}

/// Why an artifact cannot be read: the file itself failed, or its content is wrong.
enum Bad {
    Io(std::io::Error),
    Damaged(String),
}

impl From<std::io::Error> for Bad {
    fn from(e: std::io::Error) -> Bad {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Bad::Damaged("it ends too early (truncated)".to_owned())
        } else {
            Bad::Io(e)
        }
    }
}

fn damaged<T>(reason: impl Into<String>) -> Result<T, Bad> {
    Err(Bad::Damaged(reason.into()))
}

/// Reads the artifact, never past its end: every declared length is checked against the bytes
/// left in the file before anything is allocated.
struct R<T: Read> {
    inp: T,
    left: u64,
    sum: Sum,
}

impl<T: Read> R<T> {
    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, Bad> {
        if n > self.left {
            return damaged(format!("{what} declares {n} bytes where only {} are left", self.left));
        }
        let mut b = vec![0u8; n as usize];
        self.inp.read_exact(&mut b)?;
        self.left -= n;
        self.sum.update(&b);
        Ok(b)
    }
    fn u32(&mut self, what: &str) -> Result<u32, Bad> {
        Ok(u32::from_le_bytes(self.bytes(4, what)?.try_into().expect("4 bytes")))
    }
    fn u64(&mut self, what: &str) -> Result<u64, Bad> {
        Ok(u64::from_le_bytes(self.bytes(8, what)?.try_into().expect("8 bytes")))
    }
    /// An array's bytes: its declared length times `size`, within the file.
    fn array(&mut self, size: u64, what: &str) -> Result<Vec<u8>, Bad> {
        let n = self.u64(what)?;
        match n.checked_mul(size) {
            Some(bytes) => self.bytes(bytes, what),
            None => damaged(format!("{what} declares {n} entries")),
        }
    }
    /// An array of `count` numbers of `unit` bytes (its declared count first), read in blocks
    /// straight into the elements `parse` makes of each `per` numbers: no copy of the whole
    /// array's bytes (a country network is gigabytes).
    fn elements<E>(&mut self, unit: usize, per: usize, what: &str, parse: impl Fn(&[u8]) -> E) -> Result<Vec<E>, Bad> {
        /// Bytes read at a time: a multiple of every element's size (4 to 16 bytes) and of 8, so
        /// that blocks split neither an element nor a checksum word.
        const BLOCK: usize = 1 << 20;
        let n = self.u64(what)?;
        let Some(bytes) = n.checked_mul(unit as u64) else {
            return damaged(format!("{what} declares {n} entries"));
        };
        if bytes > self.left {
            return damaged(format!("{what} declares {bytes} bytes where only {} are left", self.left));
        }
        if n % per as u64 != 0 {
            return damaged(format!("{what} holds {n} numbers, not a multiple of {per}"));
        }
        let size = unit * per;
        let mut out = Vec::with_capacity((n / per as u64) as usize);
        let mut buf = vec![0u8; (bytes as usize).min(BLOCK)];
        let (mut left, mut h) = (bytes as usize, self.sum.0);
        while left > 0 {
            let b = &mut buf[..left.min(BLOCK)];
            self.inp.read_exact(b)?;
            h = Sum::words(h, b);
            out.extend(b.chunks_exact(size).map(&parse));
            left -= b.len();
        }
        self.sum.finish(h, bytes);
        self.left -= bytes;
        Ok(out)
    }
    fn u32s(&mut self, what: &str) -> Result<Vec<u32>, Bad> {
        self.elements(4, 1, what, |c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
    }
    fn f64s(&mut self, what: &str) -> Result<Vec<f64>, Bad> {
        self.elements(8, 1, what, |c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
    }
    fn i64s(&mut self, what: &str) -> Result<Vec<i64>, Bad> {
        self.elements(8, 1, what, |c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
    }
    /// `u32` pairs (or quadruples…), each made into an element by `make`: the count of `u32`s
    /// must be a multiple of `K`.
    fn tuples<const K: usize, E>(&mut self, what: &str, make: impl Fn([u32; K]) -> E) -> Result<Vec<E>, Bad> {
        self.elements(4, K, what, |c| {
            make(std::array::from_fn(|i| u32::from_le_bytes(c[4 * i..4 * i + 4].try_into().expect("4 bytes"))))
        })
    }
}

fn cost_numbers(c: &SegCost) -> [u32; 2] {
    [c.weight_ds, c.duration_ds]
}

fn edge_numbers(e: &ChEdge) -> [u32; 4] {
    [e.node, e.weight_ds, e.dm, e.duration_ds]
}

fn write_hierarchy<T: Write>(w: &mut W<T>, h: &Hierarchy) -> std::io::Result<()> {
    w.u32s(&h.pos)?;
    w.u32s(&h.up_first)?;
    w.tuples(&h.up, edge_numbers)?;
    w.u32s(&h.down_first)?;
    w.tuples(&h.down, edge_numbers)?;
    w.u64(h.shortcuts as u64)
}

fn cost([weight_ds, duration_ds]: [u32; 2]) -> SegCost {
    SegCost { weight_ds, duration_ds }
}

fn edge([node, weight_ds, dm, duration_ds]: [u32; 4]) -> ChEdge {
    ChEdge { node, weight_ds, dm, duration_ds }
}

fn read_hierarchy<T: Read>(r: &mut R<T>) -> Result<Hierarchy, Bad> {
    Ok(Hierarchy {
        pos: r.u32s("hierarchy positions")?,
        up_first: r.u32s("hierarchy upward index")?,
        up: r.tuples("hierarchy upward edges", edge)?,
        down_first: r.u32s("hierarchy downward index")?,
        down: r.tuples("hierarchy downward edges", edge)?,
        shortcuts: r.u64("shortcut count")? as usize,
    })
}

/// Writes the prepared network to `path` (through a temporary file renamed at the end).
pub fn save(path: &Path, pbf_sha256: &str, graphs: &[Graph], hierarchies: &[Hierarchy]) -> Result<(), RoadError> {
    assert_eq!(graphs.len(), hierarchies.len(), "one hierarchy per graph");
    let mut w = Writer::create(path, pbf_sha256, graphs.len())?;
    for (g, h) in graphs.iter().zip(hierarchies) {
        w.graph(g)?;
        w.hierarchy(h)?;
    }
    w.finish()
}

/// The artifact's bytes, as [`save`] writes them.
pub fn write(out: impl Write, pbf_sha256: &str, graphs: &[Graph], hierarchies: &[Hierarchy]) -> std::io::Result<()> {
    assert_eq!(graphs.len(), hierarchies.len(), "one hierarchy per graph");
    let mut w = W::new(out);
    write_header(&mut w, pbf_sha256, graphs.len())?;
    for (g, h) in graphs.iter().zip(hierarchies) {
        write_graph(&mut w, g)?;
        write_hierarchy(&mut w, h)?;
    }
    write_trailer(&mut w)
}

/// A prepared network written piece by piece, so that a build can drop each profile's graph and
/// hierarchy as soon as they are on disk instead of holding the whole network (a country's is
/// gigabytes) until the end. The pieces must come in the file's order: for each profile of
/// [`Profile::ALL`], its graph then its hierarchy; the bytes are those of [`save`].
pub struct Writer {
    w: W<BufWriter<File>>,
    path: std::path::PathBuf,
    tmp: std::path::PathBuf,
    /// Set once the file has its name: a writer dropped before (a build that failed) deletes
    /// its temporary file.
    named: bool,
}

impl Writer {
    /// Starts the file for `path` (under a temporary name until [`Writer::finish`]), for
    /// `graphs` graphs.
    pub fn create(path: &Path, pbf_sha256: &str, graphs: usize) -> Result<Writer, RoadError> {
        let tmp = path.with_extension("tmp");
        let file = File::create(&tmp).map_err(|e| RoadError::Io { path: path.to_owned(), source: e })?;
        let mut w = Writer { w: W::new(BufWriter::new(file)), path: path.to_owned(), tmp, named: false };
        write_header(&mut w.w, pbf_sha256, graphs).map_err(|e| w.io(e))?;
        Ok(w)
    }

    fn io(&self, e: std::io::Error) -> RoadError {
        RoadError::Io { path: self.path.clone(), source: e }
    }

    /// Appends a graph (the next profile's).
    pub fn graph(&mut self, g: &Graph) -> Result<(), RoadError> {
        write_graph(&mut self.w, g).map_err(|e| self.io(e))
    }

    /// Appends the hierarchy of the graph just written.
    pub fn hierarchy(&mut self, h: &Hierarchy) -> Result<(), RoadError> {
        write_hierarchy(&mut self.w, h).map_err(|e| self.io(e))
    }

    /// Appends a piece written early, in its turn (the same bytes and checksum as writing it
    /// now), and deletes its temporary file.
    pub fn append(&mut self, early: Early) -> Result<(), RoadError> {
        /// Bytes copied at a time: a multiple of 8, so that a block splits no checksum word.
        const BLOCK: usize = 1 << 20;
        let io = |e| RoadError::Io { path: early.path.clone(), source: e };
        let mut inp = BufReader::new(File::open(&early.path).map_err(io)?);
        let mut buf = vec![0u8; BLOCK];
        for &len in &early.parts {
            let (mut left, mut h) = (len as usize, self.w.sum.0);
            while left > 0 {
                let b = &mut buf[..left.min(BLOCK)];
                inp.read_exact(b).map_err(io)?;
                h = Sum::words(h, b);
                self.w.out.write_all(b).map_err(|e| self.io(e))?;
                left -= b.len();
            }
            self.w.sum.finish(h, len);
            self.w.parts.push(len);
        }
        Ok(())
    }

    /// Ends the file with its checksum and gives it its name.
    pub fn finish(mut self) -> Result<(), RoadError> {
        write_trailer(&mut self.w).map_err(|e| self.io(e))?;
        self.w.out.flush().map_err(|e| self.io(e))?;
        std::fs::rename(&self.tmp, &self.path).map_err(|e| self.io(e))?;
        self.named = true;
        Ok(())
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.named {
            // A half-written file is of no use; failing to delete it only wastes disk.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A piece of a prepared network written ahead of its turn by [`Early::graph`] or
/// [`Early::hierarchy`]; its temporary file is deleted when it is dropped.
pub struct Early {
    path: std::path::PathBuf,
    parts: Vec<u64>,
}

impl Early {
    /// Writes `g` to a temporary file beside the artifact at `artifact` (named after `tag`), so
    /// that a build can free it until its turn comes ([`Early::read_graph`] reads it back);
    /// [`Writer::append`] copies it in then.
    pub fn graph(artifact: &Path, tag: usize, g: &Graph) -> Result<Early, RoadError> {
        Early::write(artifact, tag, |w| write_graph(w, g))
    }

    /// [`Early::graph`] for a hierarchy.
    pub fn hierarchy(artifact: &Path, tag: usize, h: &Hierarchy) -> Result<Early, RoadError> {
        Early::write(artifact, tag, |w| write_hierarchy(w, h))
    }

    /// Reads back the graph [`Early::graph`] wrote, so that a build can free a graph while
    /// others are built and take it up again when its contraction starts. Damage (the file is
    /// the build's own, but a disk can fail) is an error, as for an artifact.
    pub fn read_graph(&self) -> Result<Graph, RoadError> {
        let io = |e| RoadError::Io { path: self.path.clone(), source: e };
        let f = File::open(&self.path).map_err(io)?;
        let size = f.metadata().map_err(io)?.len();
        let mut r = R { inp: BufReader::new(f), left: size, sum: Sum::new() };
        let read = (|| {
            let i = r.u32("a graph's profile")? as usize;
            let Some(&profile) = Profile::ALL.get(i) else { return damaged(format!("no profile number {i}")) };
            let g = read_graph(&mut r, profile)?;
            if r.left != 0 {
                return damaged(format!("{} bytes after the graph", r.left));
            }
            Ok(g)
        })();
        read.map_err(|bad| match bad {
            Bad::Io(e) => io(e),
            Bad::Damaged(reason) => RoadError::Damaged { path: self.path.clone(), reason },
        })
    }

    fn write(
        artifact: &Path,
        tag: usize,
        write: impl FnOnce(&mut W<BufWriter<File>>) -> std::io::Result<()>,
    ) -> Result<Early, RoadError> {
        let path = artifact.with_extension(format!("{tag}.tmp"));
        let io = |e| RoadError::Io { path: path.clone(), source: e };
        let file = File::create(&path).map_err(io)?;
        // From here on, dropping `early` deletes the file, on error too.
        let mut early = Early { path: path.clone(), parts: Vec::new() };
        let mut w = W::new(BufWriter::new(file));
        write(&mut w).map_err(io)?;
        w.out.flush().map_err(io)?;
        early.parts = w.parts;
        Ok(early)
    }
}

impl Drop for Early {
    fn drop(&mut self) {
        // A leftover temporary file would only waste disk: failing to delete it is no error.
        let _ = std::fs::remove_file(&self.path);
    }
}

fn write_header<T: Write>(w: &mut W<T>, pbf_sha256: &str, graphs: usize) -> std::io::Result<()> {
    w.put(MAGIC)?;
    w.u32(FORMAT_VERSION)?;
    w.str(pbf_sha256)?;
    w.u32(graphs as u32)
}

fn write_graph<T: Write>(w: &mut W<T>, g: &Graph) -> std::io::Result<()> {
    let p = g.profile.expect("built graphs name their profile");
    w.u32(p.index() as u32)?;
    w.f64s(&g.lat)?;
    w.f64s(&g.lon)?;
    w.i64s(&g.vertex_osm)?;
    w.u32s(&g.edge_first)?;
    w.u32s(&g.edge_vertex)?;
    w.u32s(&g.seg_dm)?;
    w.tuples(&g.seg_fwd, cost_numbers)?;
    w.tuples(&g.seg_bwd, cost_numbers)?;
    w.u32s(&g.vertex_delay_ds)?;
    w.tuples(&g.edge_arc, |a| *a)?;
    w.i64s(&g.edge_way)?;
    w.u32s(&g.arc_edge)?;
    w.tuples(&g.arc_backward, |&b| [b as u32])?;
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
    w.u32s(&g.in_duration_ds)
}

fn write_trailer<T: Write>(w: &mut W<T>) -> std::io::Result<()> {
    let sum = w.sum.0;
    w.out.write_all(&sum.to_le_bytes())
}

/// Reads an artifact written by [`save`]: the PBF checksum, the graphs and their hierarchies.
///
/// Nothing in the file is trusted: declared lengths are checked against the bytes left before
/// anything is allocated, the trailer checksum must match, and every index of every graph and
/// hierarchy must point inside its array ([`check_graph`], [`check_hierarchy`]), so that routing
/// on what is returned cannot go out of bounds. A file of another format version is
/// [`RoadError::Stale`]; anything else wrong is [`RoadError::Damaged`].
pub fn load(path: &Path) -> Result<(String, Vec<Graph>, Vec<Hierarchy>), RoadError> {
    let (sha, pieces) = load_with(path, |_, _| ())?;
    let (graphs, hierarchies) = pieces.into_iter().map(|(g, h, ())| (g, h)).unzip();
    Ok((sha, graphs, hierarchies))
}

/// [`load`], with `each` computed from every profile's graph and hierarchy as soon as they are
/// read and checked, on a thread of its own while the rest of the file is read (the snapping
/// index of a country's network takes seconds, reading the next profiles as long). Its results
/// are returned beside the pieces, in the file's order, once the whole file is read and its
/// checksum matches; `each` only ever sees pieces that passed [`check_graph`] and
/// [`check_hierarchy`].
pub fn load_with<X: Send>(path: &Path, each: impl Fn(&Graph, &Hierarchy) -> X + Sync) -> Result<Loaded<X>, RoadError> {
    let io = |e: std::io::Error| RoadError::Io { path: path.to_owned(), source: e };
    let f = File::open(path).map_err(io)?;
    let size = f.metadata().map_err(io)?.len();
    read_with(BufReader::new(f), size, path, each)
}

/// [`load`] from a reader of `size` bytes; `path` names it in errors.
pub fn read(inp: impl Read, size: u64, path: &Path) -> Result<(String, Vec<Graph>, Vec<Hierarchy>), RoadError> {
    let (sha, pieces) = read_with(inp, size, path, |_, _| ())?;
    let (graphs, hierarchies) = pieces.into_iter().map(|(g, h, ())| (g, h)).unzip();
    Ok((sha, graphs, hierarchies))
}

/// [`load_with`] from a reader of `size` bytes; `path` names it in errors.
fn read_with<X: Send>(
    inp: impl Read,
    size: u64,
    path: &Path,
    each: impl Fn(&Graph, &Hierarchy) -> X + Sync,
) -> Result<Loaded<X>, RoadError> {
    let io = |e: std::io::Error| RoadError::Io { path: path.to_owned(), source: e };
    let mut r = R { inp, left: size, sum: Sum::new() };
    match read_all(&mut r, &each) {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(RoadError::Stale { path: path.to_owned() }),
        Err(Bad::Io(e)) => Err(io(e)),
        Err(Bad::Damaged(reason)) => Err(RoadError::Damaged { path: path.to_owned(), reason }),
    }
}

/// What [`load_with`] returns: the PBF checksum, then each profile's graph, hierarchy and result.
pub type Loaded<X> = (String, Vec<(Graph, Hierarchy, X)>);

/// The artifact's content, `None` for another format version.
fn read_all<T: Read, X: Send>(
    r: &mut R<T>,
    each: &(impl Fn(&Graph, &Hierarchy) -> X + Sync),
) -> Result<Option<Loaded<X>>, Bad> {
    let magic = r.bytes(MAGIC.len() as u64, "the header")?;
    if magic != MAGIC {
        return damaged("it is not a prepared network (no NAVETTE-ROAD header)");
    }
    if r.u32("the format version")? != FORMAT_VERSION {
        return Ok(None);
    }
    let sha = String::from_utf8(r.array(1, "the PBF checksum")?)
        .map_err(|_| Bad::Damaged("the PBF checksum is not text".to_owned()))?;
    let n = r.u32("the graph count")? as usize;
    if n != Profile::ALL.len() {
        return damaged(format!("it holds {n} graphs, expected {}", Profile::ALL.len()));
    }
    // Each profile checked (and given to `each`) on a thread of its own as soon as it is read,
    // while the next ones are read; a damaged file is still told by its checksum first, as the
    // checks wait for it below.
    std::thread::scope(|scope| {
        let mut pieces = Vec::with_capacity(n);
        for (i, &profile) in Profile::ALL.iter().enumerate() {
            if r.u32("a graph's profile")? as usize != i {
                return damaged(format!("graph {i} is not the {profile:?} graph"));
            }
            let g = std::sync::Arc::new(read_graph(r, profile)?);
            let h = std::sync::Arc::new(read_hierarchy(r)?);
            let (gc, hc) = (std::sync::Arc::clone(&g), std::sync::Arc::clone(&h));
            let job = scope.spawn(move || -> Result<X, String> {
                check_graph(&gc).map_err(|e| format!("{profile:?} graph: {e}"))?;
                check_hierarchy(&hc, gc.arc_count()).map_err(|e| format!("{profile:?} hierarchy: {e}"))?;
                Ok(each(&gc, &hc))
            });
            pieces.push((g, h, job));
        }
        let expected = r.sum.0;
        let mut trailer = [0u8; 8];
        if r.left != 8 {
            return damaged(format!("{} bytes after the graphs where the 8-byte checksum should end the file", r.left));
        }
        r.inp.read_exact(&mut trailer)?;
        if u64::from_le_bytes(trailer) != expected {
            return damaged("its checksum does not match its content");
        }
        let mut out = Vec::with_capacity(n);
        for (g, h, job) in pieces {
            let x = match job.join() {
                Ok(x) => x.map_err(Bad::Damaged)?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            // The job's clones are dropped with it: each piece has one owner again.
            let g = std::sync::Arc::try_unwrap(g).unwrap_or_else(|_| unreachable!("the job is over"));
            let h = std::sync::Arc::try_unwrap(h).unwrap_or_else(|_| unreachable!("the job is over"));
            out.push((g, h, x));
        }
        Ok(Some((sha, out)))
    })
}

/// A graph's arrays, in the file's order (its profile number read before).
fn read_graph<T: Read>(r: &mut R<T>, profile: Profile) -> Result<Graph, Bad> {
    Ok(Graph {
        profile: Some(profile),
        lat: r.f64s("latitudes")?,
        lon: r.f64s("longitudes")?,
        vertex_osm: r.i64s("vertex ids")?,
        edge_first: r.u32s("edge index")?,
        edge_vertex: r.u32s("edge vertices")?,
        seg_dm: r.u32s("segment lengths")?,
        seg_fwd: r.tuples("forward segment costs", cost)?,
        seg_bwd: r.tuples("backward segment costs", cost)?,
        vertex_delay_ds: r.u32s("vertex delays")?,
        edge_arc: r.tuples("edge arcs", |c: [u32; 2]| c)?,
        edge_way: r.i64s("edge ways")?,
        arc_edge: r.u32s("arc edges")?,
        arc_backward: r.elements(4, 1, "arc directions", |c| c != [0; 4])?,
        arc_weight_ds: r.u32s("arc weights")?,
        arc_duration_ds: r.u32s("arc durations")?,
        arc_dm: r.u32s("arc lengths")?,
        out_first: r.u32s("outgoing turn index")?,
        out_to: r.u32s("outgoing turns")?,
        out_weight_ds: r.u32s("outgoing turn weights")?,
        out_duration_ds: r.u32s("outgoing turn durations")?,
        in_first: r.u32s("incoming turn index")?,
        in_from: r.u32s("incoming turns")?,
        in_weight_ds: r.u32s("incoming turn weights")?,
        in_duration_ds: r.u32s("incoming turn durations")?,
    })
}

/// A CSR index `first` over `items` entries, `rows` rows: starts at 0, never decreases, ends at
/// `items`.
fn check_index(first: &[u32], rows: usize, items: usize, what: &str) -> Result<(), String> {
    if first.len() != rows + 1 {
        return Err(format!("{what} has {} entries for {rows} rows", first.len()));
    }
    if first[0] != 0 || first[rows] as usize != items {
        return Err(format!("{what} does not span its {items} entries"));
    }
    if first.windows(2).any(|w| w[0] > w[1]) {
        return Err(format!("{what} goes backwards"));
    }
    Ok(())
}

fn check_len(len: usize, want: usize, what: &str) -> Result<(), String> {
    if len != want { Err(format!("{len} {what} where {want} are expected")) } else { Ok(()) }
}

fn check_below(v: &[u32], bound: usize, what: &str) -> Result<(), String> {
    match v.iter().position(|&x| x as usize >= bound) {
        Some(i) => Err(format!("{what} {i} points at {} but there are only {bound}", v[i])),
        None => Ok(()),
    }
}

/// Checks everything routing relies on in a graph: array lengths agree, every index is in range,
/// every edge has at least one segment, coordinates are finite degrees, and each arc's totals are
/// the sum of its segments (so a partial arc never costs more than the whole, and no label field
/// can overflow).
pub fn check_graph(g: &Graph) -> Result<(), String> {
    let v = g.lat.len();
    check_len(g.lon.len(), v, "longitudes")?;
    check_len(g.vertex_osm.len(), v, "vertex ids")?;
    if let Some(i) = (0..v).find(|&i| !(g.lat[i].abs() <= 90.0 && g.lon[i].abs() <= 180.0)) {
        return Err(format!("vertex {i} has coordinates ({}, {}) off the globe", g.lat[i], g.lon[i]));
    }
    let e = g.edge_arc.len();
    let positions = g.edge_vertex.len();
    check_len(g.edge_way.len(), e, "edge ways")?;
    check_index(&g.edge_first, e, positions, "the edge index")?;
    if let Some(i) = g.edge_first.windows(2).position(|w| w[1] - w[0] < 2) {
        return Err(format!("edge {i} has fewer than two vertices"));
    }
    check_below(&g.edge_vertex, v, "edge vertex")?;
    for (what, len) in [
        ("segment lengths", g.seg_dm.len()),
        ("forward segment costs", g.seg_fwd.len()),
        ("backward segment costs", g.seg_bwd.len()),
        ("vertex delays", g.vertex_delay_ds.len()),
    ] {
        check_len(len, positions, what)?;
    }
    let a = g.arc_edge.len();
    for (what, len) in [
        ("arc directions", g.arc_backward.len()),
        ("arc weights", g.arc_weight_ds.len()),
        ("arc durations", g.arc_duration_ds.len()),
        ("arc lengths", g.arc_dm.len()),
    ] {
        check_len(len, a, what)?;
    }
    check_below(&g.arc_edge, e, "arc edge")?;
    for (i, arcs) in g.edge_arc.iter().enumerate() {
        for (d, &arc) in arcs.iter().enumerate() {
            if arc != NONE
                && (arc as usize >= a
                    || g.arc_edge[arc as usize] as usize != i
                    || g.arc_backward[arc as usize] != (d == 1))
            {
                return Err(format!("edge {i} names arc {arc}, which is not its own"));
            }
        }
    }
    for arc in 0..a {
        let r = g.edge_range(g.arc_edge[arc]);
        let back = g.arc_backward[arc];
        let (mut w, mut d, mut dm) = (0u64, 0u64, 0u64);
        for k in r.start..r.end - 1 {
            let c = if back { g.seg_bwd[k] } else { g.seg_fwd[k] };
            (w, d, dm) = (w + c.weight_ds as u64, d + c.duration_ds as u64, dm + g.seg_dm[k] as u64);
        }
        for k in r.start + 1..r.end - 1 {
            (w, d) = (w + g.vertex_delay_ds[k] as u64, d + g.vertex_delay_ds[k] as u64);
        }
        if (w, d, dm) != (g.arc_weight_ds[arc] as u64, g.arc_duration_ds[arc] as u64, g.arc_dm[arc] as u64) {
            return Err(format!("arc {arc}'s totals are not the sum of its segments"));
        }
    }
    let turns = g.out_to.len();
    check_index(&g.out_first, a, turns, "the outgoing turn index")?;
    check_below(&g.out_to, a, "outgoing turn")?;
    check_len(g.out_weight_ds.len(), turns, "outgoing turn weights")?;
    check_len(g.out_duration_ds.len(), turns, "outgoing turn durations")?;
    check_index(&g.in_first, a, g.in_from.len(), "the incoming turn index")?;
    check_len(g.in_from.len(), turns, "incoming turns")?;
    check_below(&g.in_from, a, "incoming turn")?;
    check_len(g.in_weight_ds.len(), turns, "incoming turn weights")?;
    check_len(g.in_duration_ds.len(), turns, "incoming turn durations")?;
    Ok(())
}

/// Checks a hierarchy against its graph's `arcs`: positions are a permutation, the upward and
/// downward indexes span their edges, and every edge joins a position to a higher one (a smaller
/// position), which the PHAST sweep relies on.
pub fn check_hierarchy(h: &Hierarchy, arcs: usize) -> Result<(), String> {
    check_len(h.pos.len(), arcs, "positions")?;
    let mut seen = vec![false; arcs];
    for &p in &h.pos {
        match seen.get_mut(p as usize) {
            Some(s) if !*s => *s = true,
            _ => return Err(format!("position {p} is out of range or taken twice")),
        }
    }
    for (first, edges, what) in [(&h.up_first, &h.up, "upward"), (&h.down_first, &h.down, "downward")] {
        check_index(first, arcs, edges.len(), &format!("the {what} index"))?;
        for p in 0..arcs {
            let r = first[p] as usize..first[p + 1] as usize;
            if let Some(e) = edges[r].iter().find(|e| e.node as usize >= p) {
                return Err(format!("a {what} edge of position {p} joins position {}, not a higher one", e.node));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! Property tests of the artifact reader: whatever the bytes, an error naming the file or a
    //! network that routes without panicking. `NAVETTE_FUZZ_CASES` multiplies the cases
    //! (`./dev fuzz`).

    use std::path::Path;
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::tests::random_extract;
    use crate::{Job, RoadNetwork, graph};

    /// Cases per property: `default` in CI, `NAVETTE_FUZZ_CASES` when set (long runs).
    fn cases(default: u32) -> u32 {
        std::env::var("NAVETTE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
    }

    fn config(default: u32) -> ProptestConfig {
        ProptestConfig { cases: cases(default), ..ProptestConfig::default() }
    }

    fn parts(seed: u64, n: usize) -> (Vec<Graph>, Vec<Hierarchy>) {
        let graphs: Vec<Graph> = Profile::ALL.iter().map(|&p| graph::build(&random_extract(seed, n), p).0).collect();
        let hierarchies = graphs.iter().map(crate::hierarchy::build).collect();
        (graphs, hierarchies)
    }

    /// The bytes of the artifact of a small random grid.
    fn sample() -> &'static [u8] {
        static S: OnceLock<Vec<u8>> = OnceLock::new();
        S.get_or_init(|| {
            let (g, h) = parts(7, 6);
            bytes_of(&g, &h)
        })
    }

    /// Loads `bytes` written to a file of their own: an error must be a damaged or stale
    /// artifact naming the file and saying how to rebuild it.
    fn load_bytes(bytes: &[u8]) -> Result<(String, Vec<Graph>, Vec<Hierarchy>), String> {
        let path = Path::new("/studies/case.navette-road");
        read(bytes, bytes.len() as u64, path).map_err(|e| {
            assert!(matches!(e, RoadError::Damaged { .. } | RoadError::Stale { .. }), "{e:?}");
            let m = e.to_string();
            assert!(m.contains("/studies/case.navette-road") && m.contains("navette network build"), "{m}");
            m
        })
    }

    fn bytes_of(g: &[Graph], h: &[Hierarchy]) -> Vec<u8> {
        let mut b = Vec::new();
        write(&mut b, "abc", g, h).unwrap();
        b
    }

    /// Routing on a loaded network: every (home, destination) pair of a few points, no panic.
    fn route_everything(g: Vec<Graph>, h: Vec<Hierarchy>) {
        // Points near the vertices of the first graph (the forged one may have none).
        let points: Vec<(f64, f64)> =
            g.iter().flat_map(|g| g.lat.iter().zip(&g.lon).step_by(7).take(6)).map(|(&a, &o)| (a + 1e-5, o)).collect();
        let net = RoadNetwork::from_parts(String::new(), g, h);
        let jobs: Vec<Job> = points.iter().map(|&dest| Job { dest, homes: points.clone() }).collect();
        for p in Profile::ALL {
            net.round_trips(p, &jobs, 5_000.0);
        }
    }

    proptest! {
        #![proptest_config(config(12))]

        /// Written then read: the same graphs and hierarchies, on grids of any seed and size.
        #[test]
        fn a_written_network_reads_back_equal(seed in any::<u64>(), n in 2usize..9) {
            let (g, h) = parts(seed, n);
            let bytes = bytes_of(&g, &h);
            prop_assert_eq!(load_bytes(&bytes).unwrap(), ("abc".to_owned(), g, h));
        }
    }

    #[test]
    fn a_huge_declared_length_is_refused_before_allocating() {
        // A header then a latitude array "of 2^60 entries" in a 40-byte file.
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&3u32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&(1u64 << 60).to_le_bytes());
        let e = load_bytes(&b).unwrap_err();
        assert!(e.contains("latitudes declares"), "{e}");
        b.truncate(b.len() - 8);
        b.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(load_bytes(&b).unwrap_err().contains("latitudes declares"));
        // Not a prepared network at all.
        assert!(load_bytes(b"PK\x03\x04 a zip file").unwrap_err().contains("not a prepared network"));
    }

    #[test]
    fn an_array_written_in_blocks_sums_as_one_piece() {
        // More elements than a block, an odd count (the last block not a whole word): the bytes
        // and the checksum of writing the array at once.
        let v: Vec<u32> = (0..200_001u32).map(|i| i.wrapping_mul(2_654_435_761)).collect();
        let mut blocks = W::new(Vec::new());
        blocks.u32s(&v).unwrap();
        let mut once = W::new(Vec::new());
        once.u64(v.len() as u64).unwrap();
        once.put(&v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>()).unwrap();
        assert!(blocks.out == once.out);
        assert_eq!(blocks.sum.0, once.sum.0);
        assert_eq!(blocks.parts, once.parts);
    }

    #[test]
    fn pieces_written_early_give_the_same_file() {
        let (g, h) = parts(11, 5);
        let want = bytes_of(&g, &h);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.navette-road");
        // Every choice of pieces (graph i = 2i, hierarchy i = 2i + 1) written ahead of their turn.
        for early in 0u32..1 << (2 * g.len()) {
            let is_early = |piece: usize| early & (1 << piece) != 0;
            let mut w = Writer::create(&path, "abc", g.len()).unwrap();
            let mut ahead: Vec<Option<Early>> = (0..2 * g.len())
                .rev()
                .map(|piece| {
                    let (i, tag) = (piece / 2, piece);
                    is_early(piece).then(|| {
                        if piece % 2 == 0 {
                            Early::graph(&path, tag, &g[i])
                        } else {
                            Early::hierarchy(&path, tag, &h[i])
                        }
                        .unwrap()
                    })
                })
                .collect();
            ahead.reverse();
            for (piece, ahead) in ahead.into_iter().enumerate() {
                match ahead {
                    Some(e) => w.append(e).unwrap(),
                    None if piece % 2 == 0 => w.graph(&g[piece / 2]).unwrap(),
                    None => w.hierarchy(&h[piece / 2]).unwrap(),
                }
            }
            w.finish().unwrap();
            assert!(std::fs::read(&path).unwrap() == want, "early pieces {early:b}");
            // Only the artifact is left: every temporary file was deleted.
            assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        }
    }

    #[test]
    fn a_graph_written_early_reads_back_whole_and_damage_is_an_error() {
        let (g, _) = parts(5, 4);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.navette-road");
        for (i, g) in g.iter().enumerate() {
            let early = Early::graph(&path, 2 * i, g).unwrap();
            assert_eq!(&early.read_graph().unwrap(), g, "{:?}", g.profile);
        }
        let early = Early::graph(&path, 0, &g[2]).unwrap();
        let bytes = std::fs::read(&early.path).unwrap();
        // Cut short, one byte too many, another profile number: errors naming the file.
        for (bad, why) in [
            (bytes[..bytes.len() - 3].to_vec(), "are left"),
            ([&bytes[..], &[0]].concat(), "1 bytes after the graph"),
            ([&9u32.to_le_bytes()[..], &bytes[4..]].concat(), "no profile number 9"),
        ] {
            std::fs::write(&early.path, bad).unwrap();
            let e = early.read_graph().unwrap_err().to_string();
            assert!(e.contains("n.0.tmp") && e.contains(why), "{e}");
        }
        drop(early);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "dropped, deleted");
        // A file left unfinished (a build that failed half way) is deleted too.
        let mut w = Writer::create(&path, "abc", g.len()).unwrap();
        w.graph(&g[0]).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "unfinished, deleted");
    }

    #[test]
    fn a_saved_file_reads_back_and_truncations_of_it_are_errors() {
        let (g, h) = parts(4, 5);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.navette-road");
        save(&path, "sha", &g, &h).unwrap();
        assert_eq!(load(&path).unwrap(), ("sha".to_owned(), g, h));
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        let e = load(&path).unwrap_err().to_string();
        assert!(e.contains("n.navette-road is damaged") && e.contains("navette network build"), "{e}");
    }

    #[test]
    fn every_short_truncation_is_an_error() {
        // Every length through the header and first arrays, and every length near the end.
        let bytes = sample();
        for len in (0..bytes.len().min(400)).chain(bytes.len().saturating_sub(400)..bytes.len()) {
            let e = load_bytes(&bytes[..len]).expect_err("a truncated artifact");
            assert!(e.contains("is damaged"), "{len}: {e}");
        }
        assert!(load_bytes(bytes).is_ok());
    }

    proptest! {
        #![proptest_config(config(256))]

        /// Any truncation: an error.
        #[test]
        fn a_truncated_artifact_is_an_error(at in any::<prop::sample::Index>()) {
            let bytes = sample();
            prop_assert!(load_bytes(&bytes[..at.index(bytes.len())]).is_err());
        }

        /// Any byte flipped anywhere: an error (damaged, or stale when the version changes).
        #[test]
        fn a_flipped_byte_is_an_error(at in any::<prop::sample::Index>(), mask in 1u8..) {
            let mut bytes = sample().to_vec();
            let i = at.index(bytes.len());
            bytes[i] ^= mask;
            prop_assert!(load_bytes(&bytes).is_err());
        }

        /// Random bytes after a valid header: an error, never a panic or a huge allocation.
        #[test]
        fn random_bytes_after_the_header_are_an_error(tail in prop::collection::vec(any::<u8>(), 0..512)) {
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            bytes.extend_from_slice(&tail);
            prop_assert!(load_bytes(&bytes).is_err());
        }
    }

    proptest! {
        #![proptest_config(config(48))]

        /// A forged artifact (valid checksum, one number changed anywhere in the graphs or
        /// hierarchies): refused, or routable without a panic.
        #[test]
        fn a_forged_network_is_refused_or_routes_without_panic(
            which in 0usize..40, at in any::<prop::sample::Index>(), value in prop_oneof![
                Just(0u32), Just(1), Just(u32::MAX), Just(u32::MAX - 1), any::<u32>(), 0u32..64
            ],
        ) {
            let (_, mut graphs, mut hierarchies) = load_bytes(sample()).unwrap();
            let (g, h) = (&mut graphs[which % 3], &mut hierarchies[which % 3]);
            let slot: &mut [u32] = match which / 3 {
                0 => &mut g.edge_first,
                1 => &mut g.edge_vertex,
                2 => &mut g.seg_dm,
                3 => &mut g.vertex_delay_ds,
                4 => &mut g.arc_edge,
                5 => &mut g.arc_weight_ds,
                6 => &mut g.out_first,
                7 => &mut g.out_to,
                8 => &mut g.in_first,
                9 => &mut g.in_from,
                10 => &mut h.pos,
                11 => &mut h.up_first,
                12 => &mut h.down_first,
                _ => {
                    let edges = if which % 2 == 0 { &mut h.up } else { &mut h.down };
                    let k = at.index(edges.len().max(1));
                    if let Some(e) = edges.get_mut(k) {
                        match which % 4 { 0 | 1 => e.node = value, 2 => e.weight_ds = value, _ => e.dm = value }
                    }
                    &mut []
                }
            };
            if !slot.is_empty() {
                let i = at.index(slot.len());
                slot[i] = value;
            }
            if let Ok((_, g, h)) = load_bytes(&bytes_of(&graphs, &hierarchies)) {
                route_everything(g, h);
            }
        }
    }

    #[test]
    fn the_sample_routes() {
        let (_, g, h) = load_bytes(sample()).unwrap();
        route_everything(g, h);
    }
}
