//! Road routing on OpenStreetMap for navette.
//!
//! `.osm.pbf` → [`osm::read_pbf`] (what routing needs) → [`graph::build`] (one edge-based graph per
//! [`Profile`], with turn costs and restrictions) → [`hierarchy::build`] (a contraction hierarchy
//! on it) → [`RoadNetwork`] (graphs, hierarchies and snapping indexes, saved as an artifact) →
//! [`RoadNetwork::round_trips`] (one reverse and one forward PHAST one-to-all tree per
//! destination, in parallel over destinations, answering every home at once).
//!
//! Pure computation except [`osm::read_pbf`], [`store`] and [`RoadNetwork::open`]. The crate
//! neither prints nor logs: the long steps (PBF reading, graph building, contraction, trees)
//! report their [`Phase`]s to a caller's [`Progress`] (the `_with` variants; [`Silent`] otherwise).

pub mod graph;
pub mod hierarchy;
pub mod osm;
pub mod phast;
pub mod profile;
pub mod search;
pub mod snap;
pub mod store;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use std::cmp::Reverse;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::graph::NONE;
use sha2::{Digest, Sha256};

pub use graph::{BuildStats, Graph};
pub use hierarchy::Hierarchy;
use phast::Read;
pub use phast::{Phast, Selection, Trees};
pub use profile::Profile;
pub use search::{Cost, Searcher};
pub use snap::{Snap, Snapper};

/// A long step of a build or of a batch of trees, as reported to a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Reading the PBF: units are blobs, counted in both passes (ways, then nodes).
    Read,
    /// Building the profiles' graphs: units are profiles.
    Graphs,
    /// Contracting every profile's graph into its hierarchy: units are arcs of all the graphs,
    /// each counted twice (initial priority, then contraction). Far from equal in cost: the last
    /// arcs contracted, at the top of the hierarchy, take most of the time.
    Contract,
    /// Growing the trees of a profile: units are destinations.
    Trees(Profile),
}

/// Receives the progress of long steps, for a progress bar or log lines. Called from any thread,
/// at most about a hundred times per phase and profile (never per vertex), so a listener costs
/// nothing measurable; every method does nothing by default.
pub trait Progress: Sync {
    /// `phase` starts, with `total` units of work.
    fn start(&self, phase: Phase, total: u64) {
        let _ = (phase, total);
    }
    /// `n` more units of `phase` are done.
    fn advance(&self, phase: Phase, n: u64) {
        let _ = (phase, n);
    }
    /// `phase` is over (also when it stopped on an error).
    fn finish(&self, phase: Phase) {
        let _ = phase;
    }
}

/// The [`Progress`] nobody watches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// Trees of the same direction grown in one PHAST sweep by [`RoadNetwork::round_trips`] when
/// there are enough destinations (each edge is read once for all of them).
pub const TREE_LANES: usize = 4;

/// A job's trees are swept over the hierarchy's positions their homes need (RPHAST) when those
/// are at most this share (1/n) of all positions; a full sweep is cheaper beyond (it reads
/// memory in order, a restricted one jumps).
pub const RESTRICTED_SWEEP_SHARE: usize = 8;

/// How [`RoadNetwork::round_trips_sweeping`] sweeps (the same costs every way; tests compare
/// them, benchmarks time them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Restricted when the selection is small ([`RESTRICTED_SWEEP_SHARE`]), else full.
    Auto,
    /// Always the whole hierarchy (PHAST).
    Full,
    /// Always restricted to the homes' selection (RPHAST).
    Restricted,
}

/// Walking speed on the way between a point and the road it snaps to (m/s; 5 km/h).
pub const ACCESS_WALK_MPS: f64 = 5.0 / 3.6;

/// Road-routing failures that stop a run (a single unroutable leg is an [`Unrouted`], not this).
#[derive(Debug, thiserror::Error)]
pub enum RoadError {
    /// The PBF could not be read or decoded.
    #[error("{path}: not a readable OSM PBF file ({message}); pass an .osm.pbf extract")]
    Pbf {
        /// File.
        path: PathBuf,
        /// Decoder message.
        message: String,
    },
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// An artifact from another navette version.
    #[error("{path}: prepared network from another navette version; rebuild it with `navette network build`")]
    Stale {
        /// File.
        path: PathBuf,
    },
    /// An artifact that is not what [`store::save`] wrote: truncated, altered or forged.
    #[error("prepared network {path} is damaged: {reason}; rebuild it with `navette network build`")]
    Damaged {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An artifact prepared from another PBF.
    #[error("{path}: prepared from a different PBF (sha256 {found}, the study's file has {expected}); rebuild it")]
    OtherPbf {
        /// Artifact.
        path: PathBuf,
        /// Checksum in the artifact.
        found: String,
        /// Checksum of the study's PBF.
        expected: String,
    },
}

/// Why a leg could not be routed (it then falls back to the estimate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unrouted {
    /// The home is farther than the snap limit from any road of the profile.
    OriginOffNetwork,
    /// The destination is farther than the snap limit from any road of the profile.
    DestinationOffNetwork,
    /// No route in one direction or the other (turn restrictions, one-ways at the border).
    NoRoute,
}

impl Unrouted {
    /// Stable code for tables and reports.
    pub fn code(self) -> &'static str {
        match self {
            Unrouted::OriginOffNetwork => "home_off_network",
            Unrouted::DestinationOffNetwork => "destination_off_network",
            Unrouted::NoRoute => "no_route",
        }
    }
}

/// One way of a trip: on the network plus the walk between each end point and its road.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg {
    /// On-network part (what OSRM would report).
    pub network: Cost,
    /// Walk between the points and the roads they snap to (both ends).
    pub access_m: f64,
}

impl Leg {
    /// Door-to-door distance (m).
    pub fn distance_m(&self) -> f64 {
        self.network.dm as f64 / 10.0 + self.access_m
    }

    /// Door-to-door time (s).
    pub fn duration_s(&self) -> f64 {
        self.network.duration_ds as f64 / 10.0 + self.access_m / ACCESS_WALK_MPS
    }
}

/// The way there (home → destination) and back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundTrip {
    /// Home → destination.
    pub there: Leg,
    /// Destination → home.
    pub back: Leg,
}

/// All homes that travel to one destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Destination (lat, lon).
    pub dest: (f64, f64),
    /// Homes (lat, lon).
    pub homes: Vec<(f64, f64)>,
}

/// Prepared road network: one graph, one contraction hierarchy and one snapping index per profile.
#[derive(Debug)]
pub struct RoadNetwork {
    /// sha256 of the PBF the graphs come from.
    pub pbf_sha256: String,
    graphs: Vec<Graph>,
    hierarchies: Vec<Hierarchy>,
    snappers: Vec<Snapper>,
    /// Points already snapped by [`RoadNetwork::round_trips`], by (profile, latitude, longitude,
    /// snap limit) bits: the potential asks every home once per batch of sites, and a snap on a
    /// country's network costs microseconds (a few dozen bytes a point kept).
    snapped: std::sync::Mutex<HashMap<SnapKey, Option<Snap>>>,
}

/// A snap as [`RoadNetwork`] keeps it: profile, then the bits of latitude, longitude and limit.
type SnapKey = (Profile, u64, u64, u64);

/// Stage timings and counts of a build, for logs and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct BuildReport {
    /// sha256 of the PBF.
    pub pbf_sha256: String,
    /// Reading the PBF (both passes), seconds.
    pub read_s: f64,
    /// Building the three graphs one after the other (and, for [`RoadNetwork::build_file`],
    /// writing each aside), seconds.
    pub build_s: f64,
    /// Contracting the three graphs (their hierarchies), seconds.
    pub hierarchy_s: f64,
    /// Ways and nodes kept from the PBF.
    pub ways: usize,
    /// Nodes referenced by kept ways.
    pub nodes: usize,
    /// Usable turn restrictions, and skipped ones (via ways).
    pub restrictions: (usize, usize),
    /// Per profile.
    pub graphs: Vec<(Profile, BuildStats)>,
}

/// sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> Result<String, RoadError> {
    let mut f = std::fs::File::open(path).map_err(|e| RoadError::Io { path: path.to_owned(), source: e })?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| RoadError::Io { path: path.to_owned(), source: e })?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads `pbf` and builds every profile's graph (in [`Profile::ALL`] order) one after the
/// other, giving each to `each` as soon as it is built, reporting [`Phase::Read`] and
/// [`Phase::Graphs`]; the report has everything but the hierarchies.
///
/// One graph at a time, so that only the extract and the graph being built are in memory beside
/// what `each` keeps (building the three at once on a country took 1.2 GiB more than the largest
/// contraction); the extract is freed before the last graph is given.
fn build_each<T>(
    pbf: &Path,
    progress: &dyn Progress,
    mut each: impl FnMut(Graph) -> Result<T, RoadError>,
) -> Result<(Vec<T>, BuildReport), RoadError> {
    let pbf_sha256 = sha256_file(pbf)?;
    let t = std::time::Instant::now();
    let x = osm::read_pbf_with(pbf, progress)?;
    let read_s = t.elapsed().as_secs_f64();
    let t = std::time::Instant::now();
    let (ways, nodes, restrictions) = (x.ways.len(), x.nodes.len(), (x.restrictions.len(), x.restrictions_skipped));
    progress.start(Phase::Graphs, Profile::ALL.len() as u64);
    let mut x = Some(x);
    let (mut kept, mut stats) = (Vec::new(), Vec::new());
    for (i, &p) in Profile::ALL.iter().enumerate() {
        let (g, s) = graph::build(x.as_ref().expect("freed after the last graph"), p);
        if i + 1 == Profile::ALL.len() {
            x = None;
        }
        progress.advance(Phase::Graphs, 1);
        stats.push(s);
        match each(g) {
            Ok(k) => kept.push(k),
            Err(e) => {
                progress.finish(Phase::Graphs);
                return Err(e);
            }
        }
    }
    progress.finish(Phase::Graphs);
    let build_s = t.elapsed().as_secs_f64();
    let report = BuildReport {
        pbf_sha256,
        read_s,
        build_s,
        hierarchy_s: 0.0,
        ways,
        nodes,
        restrictions,
        graphs: Profile::ALL.iter().copied().zip(stats).collect(),
    };
    Ok((kept, report))
}

/// A piece of the prepared-network file, as [`InOrder`] takes it.
enum Piece<'a> {
    /// A graph, already in its temporary file (it waited there while the others were built).
    Graph(store::Early),
    /// A hierarchy, freed by its owner once given.
    Hierarchy(&'a Hierarchy),
}

/// Writes the pieces of a prepared network in the file's order whatever order they come in
/// (piece `2i` is graph `i`, `2i + 1` its hierarchy), so that each is freed as soon as it is
/// given: a hierarchy whose turn has not come goes to a temporary file meanwhile
/// ([`store::Early`]) instead of waiting in memory, as every graph already has.
struct InOrder {
    /// The artifact's path (early pieces are written beside it).
    path: PathBuf,
    state: std::sync::Mutex<InOrderState>,
}

struct InOrderState {
    /// `None` once a write failed (the error went to whoever gave that piece).
    file: Option<store::Writer>,
    /// The piece the file needs next.
    next: usize,
    /// Pieces written early, by number.
    early: std::collections::BTreeMap<usize, store::Early>,
}

impl InOrder {
    fn new(path: &Path, file: store::Writer) -> InOrder {
        InOrder {
            path: path.to_owned(),
            state: std::sync::Mutex::new(InOrderState {
                file: Some(file),
                next: 0,
                early: std::collections::BTreeMap::new(),
            }),
        }
    }

    /// Gives piece `i`: writes it if its turn has come, else early; then appends the early pieces
    /// whose turn has come.
    fn put(&self, i: usize, piece: Piece<'_>) -> Result<(), RoadError> {
        let mut s = self.state.lock().expect("no panic while writing");
        if s.next != i {
            let early = match piece {
                Piece::Graph(early) => early,
                Piece::Hierarchy(h) => {
                    // Written early without holding the lock: the other lane keeps writing its pieces.
                    drop(s);
                    let early = store::Early::hierarchy(&self.path, i, h)?;
                    s = self.state.lock().expect("no panic while writing");
                    early
                }
            };
            s.early.insert(i, early);
        } else if let Some(file) = s.file.as_mut() {
            let written = match piece {
                Piece::Graph(early) => file.append(early),
                Piece::Hierarchy(h) => file.hierarchy(h),
            };
            if let Err(e) = written {
                s.file = None;
                return Err(e);
            }
            s.next += 1;
        }
        loop {
            let s = &mut *s;
            let Some(file) = s.file.as_mut() else {
                // An earlier write failed and said so: nothing more to write.
                s.early.clear();
                return Ok(());
            };
            let Some(early) = s.early.remove(&s.next) else { return Ok(()) };
            if let Err(e) = file.append(early) {
                s.file = None;
                return Err(e);
            }
            s.next += 1;
        }
    }

    /// Ends the file once every piece is written.
    fn finish(self) -> Result<(), RoadError> {
        let s = self.state.into_inner().expect("no panic while writing");
        assert!(s.early.is_empty(), "every piece was given");
        match s.file {
            Some(file) => file.finish(),
            // A failed write returned its error to its lane, which stopped the build first.
            None => unreachable!("a failed write stops the build before the file is finished"),
        }
    }
}

impl RoadNetwork {
    /// Builds every profile's graph from a PBF file.
    pub fn from_pbf(pbf: &Path) -> Result<(RoadNetwork, BuildReport), RoadError> {
        RoadNetwork::from_pbf_with(pbf, &Silent)
    }

    /// [`RoadNetwork::from_pbf`], reporting [`Phase::Read`], [`Phase::Graphs`] and
    /// [`Phase::Contract`] to `progress`.
    pub fn from_pbf_with(pbf: &Path, progress: &dyn Progress) -> Result<(RoadNetwork, BuildReport), RoadError> {
        let (graphs, mut report) = build_each(pbf, progress, Ok)?;
        let t = std::time::Instant::now();
        let arcs: u64 = graphs.iter().map(|g| g.arc_count() as u64).sum();
        progress.start(Phase::Contract, 2 * arcs);
        let hierarchies: Vec<Hierarchy> =
            graphs.par_iter().map(|g| hierarchy::build_counted(g, &|n| progress.advance(Phase::Contract, n))).collect();
        progress.finish(Phase::Contract);
        for ((_, s), h) in report.graphs.iter_mut().zip(&hierarchies) {
            s.shortcuts = h.shortcuts;
        }
        report.hierarchy_s = t.elapsed().as_secs_f64();
        Ok((RoadNetwork::from_parts(report.pbf_sha256.clone(), graphs, hierarchies), report))
    }

    /// Builds the prepared network of `pbf` straight into the file `path` (what
    /// [`RoadNetwork::save`] would write of [`RoadNetwork::from_pbf`]'s network, byte for byte),
    /// reporting the same phases as [`RoadNetwork::from_pbf_with`].
    ///
    /// Made for a country, where the whole network does not fit comfortably in memory (6 GB
    /// for the 32 × 32 map's three profiles). The graphs are built one after the other, each
    /// written to a temporary file beside `path` and freed before the next is built; the PBF's
    /// extract is freed once the last is built. Then at most two contractions run at once: the
    /// largest graph's alone (it takes longest, the others together less than it on the country
    /// maps) beside the others one after the other in the file's order. Each contraction reads
    /// its graph back, copies what it needs and frees it; the graph's file is copied into `path`
    /// in its turn, as is each hierarchy once contracted (a hierarchy whose turn has not come
    /// waits in a temporary file too). No snapping index is built. So memory holds the extract
    /// and one graph, then two contractions, never the whole network.
    pub fn build_file_with(pbf: &Path, path: &Path, progress: &dyn Progress) -> Result<BuildReport, RoadError> {
        let (written, mut report) = build_each(pbf, progress, |g| {
            let i = Profile::ALL.iter().position(|&p| g.profile == Some(p)).expect("a built graph has its profile");
            Ok((i, g.arc_count(), store::Early::graph(path, 2 * i, &g)?))
        })?;
        let t = std::time::Instant::now();
        let arcs: u64 = written.iter().map(|&(_, arcs, _)| arcs as u64).sum();
        let out = InOrder::new(path, store::Writer::create(path, &report.pbf_sha256, written.len())?);
        progress.start(Phase::Contract, 2 * arcs);
        let largest = written.iter().max_by_key(|&&(i, arcs, _)| (arcs, Reverse(i))).map(|&(i, _, _)| i);
        let (alone, others): (Vec<_>, Vec<_>) = written.into_iter().partition(|&(i, _, _)| Some(i) == largest);
        let contract = |(i, _, early): (usize, usize, store::Early)| -> Result<(usize, usize), RoadError> {
            let g = early.read_graph()?;
            let c = hierarchy::Contraction::new(&g);
            drop(g);
            out.put(2 * i, Piece::Graph(early))?;
            let h = c.run(&|n| progress.advance(Phase::Contract, n));
            out.put(2 * i + 1, Piece::Hierarchy(&h))?;
            Ok((i, h.shortcuts))
        };
        let (alone, others) = rayon::join(
            || alone.into_iter().map(contract).collect::<Result<Vec<_>, _>>(),
            || others.into_iter().map(contract).collect::<Result<Vec<_>, _>>(),
        );
        progress.finish(Phase::Contract);
        for (i, shortcuts) in alone?.into_iter().chain(others?) {
            report.graphs[i].1.shortcuts = shortcuts;
        }
        out.finish()?;
        report.hierarchy_s = t.elapsed().as_secs_f64();
        Ok(report)
    }

    /// [`RoadNetwork::build_file_with`], watched by nobody.
    pub fn build_file(pbf: &Path, path: &Path) -> Result<BuildReport, RoadError> {
        RoadNetwork::build_file_with(pbf, path, &Silent)
    }

    /// Wraps built graphs (in [`Profile::ALL`] order), contracting each into its hierarchy.
    pub fn from_graphs(pbf_sha256: String, graphs: Vec<Graph>) -> RoadNetwork {
        let hierarchies = graphs.par_iter().map(hierarchy::build).collect();
        RoadNetwork::from_parts(pbf_sha256, graphs, hierarchies)
    }

    /// Wraps built graphs and their hierarchies (in [`Profile::ALL`] order).
    pub fn from_parts(pbf_sha256: String, graphs: Vec<Graph>, hierarchies: Vec<Hierarchy>) -> RoadNetwork {
        assert_eq!(graphs.len(), hierarchies.len(), "one hierarchy per graph");
        let snappers = graphs.par_iter().zip(&hierarchies).map(|(g, h)| Snapper::with_hierarchy(g, h)).collect();
        RoadNetwork { pbf_sha256, graphs, hierarchies, snappers, snapped: Default::default() }
    }

    /// Writes the prepared network to `path`.
    pub fn save(&self, path: &Path) -> Result<(), RoadError> {
        store::save(path, &self.pbf_sha256, &self.graphs, &self.hierarchies)
    }

    /// Reads a prepared network.
    pub fn load(path: &Path) -> Result<RoadNetwork, RoadError> {
        let (sha, pieces) = store::load_with(path, Snapper::with_hierarchy)?;
        Ok(RoadNetwork::from_indexed(sha, pieces))
    }

    /// Wraps read graphs with their hierarchies and snapping indexes (each profile's built while
    /// the next ones were read, [`store::load_with`]).
    fn from_indexed(pbf_sha256: String, pieces: Vec<(Graph, Hierarchy, Snapper)>) -> RoadNetwork {
        let (mut graphs, mut hierarchies, mut snappers) = (Vec::new(), Vec::new(), Vec::new());
        for (g, h, s) in pieces {
            graphs.push(g);
            hierarchies.push(h);
            snappers.push(s);
        }
        RoadNetwork { pbf_sha256, graphs, hierarchies, snappers, snapped: Default::default() }
    }

    /// The network of `pbf`: from the artifact at `artifact` when it was prepared from the same
    /// file (same sha256), else built from the PBF and saved there. Returns whether it was reused.
    pub fn open(pbf: &Path, artifact: &Path) -> Result<(RoadNetwork, bool), RoadError> {
        RoadNetwork::open_with(pbf, artifact, &Silent)
    }

    /// [`RoadNetwork::open`], reporting the phases of a build (if it builds) to `progress`.
    pub fn open_with(pbf: &Path, artifact: &Path, progress: &dyn Progress) -> Result<(RoadNetwork, bool), RoadError> {
        let sha = sha256_file(pbf)?;
        if artifact.exists() {
            match store::load_with(artifact, Snapper::with_hierarchy) {
                Ok((found, pieces)) if found == sha => return Ok((RoadNetwork::from_indexed(found, pieces), true)),
                // Stale or damaged: it is only a cache of the PBF, rebuilt over.
                Ok(_) | Err(RoadError::Stale { .. } | RoadError::Damaged { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let (net, _) = RoadNetwork::from_pbf_with(pbf, progress)?;
        if let Some(dir) = artifact.parent() {
            std::fs::create_dir_all(dir).map_err(|e| RoadError::Io { path: dir.to_owned(), source: e })?;
        }
        net.save(artifact)?;
        Ok((net, false))
    }

    /// The graph of a profile.
    pub fn graph(&self, p: Profile) -> &Graph {
        &self.graphs[p.index()]
    }

    /// The contraction hierarchy of a profile's graph.
    pub fn hierarchy(&self, p: Profile) -> &Hierarchy {
        &self.hierarchies[p.index()]
    }

    /// Snaps a point for a profile.
    pub fn snap(&self, p: Profile, lat: f64, lon: f64, max_snap_m: f64) -> Option<Snap> {
        self.snappers[p.index()].snap(&self.graphs[p.index()], lat, lon, max_snap_m)
    }

    /// Round trips from every home of every job to its destination, by profile `p`. Two
    /// one-to-all PHAST trees per job (reverse for the way there, forward for the way back), jobs
    /// in parallel; results in job and home order. The same results as plain Dijkstra trees.
    /// With enough jobs to keep every thread busy, [`TREE_LANES`] destinations share each sweep.
    /// When the homes are few (an office's staff on a country's network), each sweep labels only
    /// the part of the hierarchy their costs read ([`Selection`], RPHAST): the same costs, for
    /// the price of the homes' search spaces instead of the whole graph.
    pub fn round_trips(&self, p: Profile, jobs: &[Job], max_snap_m: f64) -> Vec<Vec<Result<RoundTrip, Unrouted>>> {
        self.round_trips_with(p, jobs, max_snap_m, &Silent)
    }

    /// [`RoadNetwork::round_trips`], reporting [`Phase::Trees`] of `p` (one unit a job) to
    /// `progress`.
    pub fn round_trips_with(
        &self,
        p: Profile,
        jobs: &[Job],
        max_snap_m: f64,
        progress: &dyn Progress,
    ) -> Vec<Vec<Result<RoundTrip, Unrouted>>> {
        self.round_trips_sweeping(p, jobs, max_snap_m, Sweep::Auto, progress)
    }

    /// [`RoadNetwork::round_trips_with`], sweeping as `sweep` says (benchmarks compare them).
    pub fn round_trips_sweeping(
        &self,
        p: Profile,
        jobs: &[Job],
        max_snap_m: f64,
        sweep: Sweep,
        progress: &dyn Progress,
    ) -> Vec<Vec<Result<RoundTrip, Unrouted>>> {
        progress.start(Phase::Trees(p), jobs.len() as u64);
        let out = if jobs.len() >= TREE_LANES * rayon::current_num_threads() {
            self.round_trips_in::<TREE_LANES>(p, jobs, max_snap_m, sweep, progress)
        } else {
            self.round_trips_in::<1>(p, jobs, max_snap_m, sweep, progress)
        };
        progress.finish(Phase::Trees(p));
        out
    }

    /// Every distinct point of `jobs` (destinations and homes, keyed by their coordinates' bits)
    /// snapped once, in parallel, with the [`Read`]s of its costs after reverse and forward trees
    /// (the part of a home's cost that no tree changes, computed once per point instead of once
    /// per tree).
    fn snap_distinct(&self, p: Profile, jobs: &[Job], max_snap_m: f64) -> Snapped {
        let (g, h) = (self.graph(p), self.hierarchy(p));
        let mut keys: Vec<(u64, u64)> = jobs
            .iter()
            .flat_map(|j| std::iter::once(j.dest).chain(j.homes.iter().copied()))
            .map(|(lat, lon)| (lat.to_bits(), lon.to_bits()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        // Snapped once per network: points it has not seen yet are snapped in parallel.
        let key = |&(lat, lon): &(u64, u64)| (p, lat, lon, max_snap_m.to_bits());
        let known: Vec<Option<Option<Snap>>> = {
            let held = self.snapped.lock().expect("no panic while holding the snaps");
            keys.iter().map(|k| held.get(&key(k)).copied()).collect()
        };
        let fresh: Vec<(usize, Option<Snap>)> = (0..keys.len())
            .into_par_iter()
            .filter(|&i| known[i].is_none())
            .map(|i| (i, self.snap(p, f64::from_bits(keys[i].0), f64::from_bits(keys[i].1), max_snap_m)))
            .collect();
        let mut snaps: Vec<Option<Snap>> = known.into_iter().map(Option::flatten).collect();
        {
            let mut held = self.snapped.lock().expect("no panic while holding the snaps");
            for &(i, s) in &fresh {
                snaps[i] = s;
                held.insert(key(&keys[i]), s);
            }
        }
        let points: Vec<Point> = snaps
            .into_par_iter()
            .map(|snap| {
                let (mut from, mut to) = (Vec::new(), Vec::new());
                if let Some(s) = &snap {
                    search::ends_from(g, s, &mut from);
                    search::ends_to(g, s, &mut to);
                }
                let read = |ends: Vec<search::End>| ends.into_iter().map(|e| Read::new(g, h, e)).collect();
                Point { snap, from: read(from), to: read(to) }
            })
            .collect();
        Snapped { keys, points }
    }

    /// [`RoadNetwork::round_trips`] with `L` destinations per sweep, sweeping as `sweep` says.
    pub(crate) fn round_trips_in<const L: usize>(
        &self,
        p: Profile,
        jobs: &[Job],
        max_snap_m: f64,
        sweep: Sweep,
        progress: &dyn Progress,
    ) -> Vec<Vec<Result<RoundTrip, Unrouted>>> {
        let g = self.graph(p);
        let h = self.hierarchy(p);
        let limit = match sweep {
            Sweep::Auto => h.len() / RESTRICTED_SWEEP_SHARE,
            Sweep::Full => 0,
            Sweep::Restricted => usize::MAX,
        };
        // Label arrays are large (64 bytes an arc with four lanes): reused through a pool, so that
        // there are at most as many as threads (rayon's `map_init` may make one per work split).
        type Scratch<const L: usize> = (Trees<L>, Trees<L>, Selection);
        // Every distinct point snapped once: the potential asks each home once per site.
        let snapped = self.snap_distinct(p, jobs, max_snap_m);
        // The positions a restricted sweep needs depend on the homes only: when every job has the
        // same homes (the potential: every employee to each site), both selections are made
        // once for all jobs instead of once per sweep.
        let same_homes = jobs.windows(2).all(|w| {
            w[0].homes.len() == w[1].homes.len()
                && w[0]
                    .homes
                    .iter()
                    .zip(&w[1].homes)
                    .all(|(a, b)| a.0.to_bits() == b.0.to_bits() && a.1.to_bits() == b.1.to_bits())
        });
        let shared = (same_homes && !jobs.is_empty()).then(|| {
            let homes: Vec<&Point> = jobs[0].homes.iter().map(|&q| snapped.get(q)).collect();
            let select = |forward: bool| {
                let mut sel = Selection::new(h);
                let restricted = sel.select(h, forward, home_arcs(g, &homes, forward), limit);
                (sel, restricted)
            };
            let selections = rayon::join(|| select(false), || select(true));
            (homes, selections)
        });
        let pool: std::sync::Mutex<Vec<Scratch<L>>> = std::sync::Mutex::new(Vec::new());
        let per_chunk: Vec<Vec<Vec<Result<RoundTrip, Unrouted>>>> = jobs
            .par_chunks(L)
            .map(|chunk| {
                let taken = pool.lock().expect("no panic while holding the pool").pop();
                let (mut to, mut from, mut sel) =
                    taken.unwrap_or_else(|| (Trees::<L>::new(h), Trees::<L>::new(h), Selection::new(h)));
                let out = {
                    let dests: Vec<Option<Snap>> = chunk.iter().map(|j| snapped.get(j.dest).snap).collect();
                    // Every lane's homes, looked up once for all chunks when they are the same.
                    let homes: Vec<Vec<&Point>> = match &shared {
                        Some(_) => Vec::new(),
                        None => chunk.iter().map(|j| j.homes.iter().map(|&q| snapped.get(q)).collect()).collect(),
                    };
                    match &shared {
                        Some((_, ((sel_to, to_restricted), (sel_from, from_restricted)))) => {
                            to.to_destinations_in(g, h, &dests, to_restricted.then_some(sel_to));
                            from.from_origins_in(g, h, &dests, from_restricted.then_some(sel_from));
                        }
                        None => {
                            let all: Vec<&Point> = homes.iter().flatten().copied().collect();
                            let restricted = sel.select(h, false, home_arcs(g, &all, false), limit);
                            to.to_destinations_in(g, h, &dests, restricted.then_some(&sel));
                            let restricted = sel.select(h, true, home_arcs(g, &all, true), limit);
                            from.from_origins_in(g, h, &dests, restricted.then_some(&sel));
                        }
                    }
                    let cost = |home: &Point| -> LaneCosts<L> {
                        match &home.snap {
                            Some(s) => (to.lanes_cost(g, s, &home.from), from.lanes_cost(g, s, &home.to)),
                            None => ([None; L], [None; L]),
                        }
                    };
                    let round_trip = |lane: usize, dest: &Snap, home: &Point, (there, back): &LaneCosts<L>| {
                        let s = home.snap.as_ref().ok_or(Unrouted::OriginOffNetwork)?;
                        let access_m = s.offset_m + dest.offset_m;
                        let there = there[lane].ok_or(Unrouted::NoRoute)?;
                        let back = back[lane].ok_or(Unrouted::NoRoute)?;
                        Ok(RoundTrip { there: Leg { network: there, access_m }, back: Leg { network: back, access_m } })
                    };
                    if let Some((homes, _)) = &shared {
                        // The same homes in every lane: each home's labels are read once for all.
                        let costs: Vec<LaneCosts<L>> = homes.iter().map(|q| cost(q)).collect();
                        dests
                            .iter()
                            .enumerate()
                            .map(|(lane, dest)| {
                                let Some(dest) = dest else {
                                    return vec![Err(Unrouted::DestinationOffNetwork); homes.len()];
                                };
                                homes.iter().zip(&costs).map(|(home, c)| round_trip(lane, dest, home, c)).collect()
                            })
                            .collect()
                    } else {
                        homes
                            .iter()
                            .zip(&dests)
                            .enumerate()
                            .map(|(lane, (homes, dest))| {
                                let Some(dest) = dest else {
                                    return vec![Err(Unrouted::DestinationOffNetwork); homes.len()];
                                };
                                homes.iter().map(|home| round_trip(lane, dest, home, &cost(home))).collect()
                            })
                            .collect()
                    }
                };
                pool.lock().expect("no panic while holding the pool").push((to, from, sel));
                progress.advance(Phase::Trees(p), chunk.len() as u64);
                out
            })
            .collect();
        per_chunk.into_iter().flatten().collect()
    }
}

/// A point of a batch of round trips: its snap and the [`Read`]s of its costs after reverse trees
/// (`from`, the way there) and forward trees (`to`, the way back); both empty when off the network.
struct Point {
    snap: Option<Snap>,
    from: Vec<Read>,
    to: Vec<Read>,
}

/// A home's costs in every lane of a batch of trees: the way there (reverse trees) and back
/// (forward trees).
type LaneCosts<const L: usize> = ([Option<Cost>; L], [Option<Cost>; L]);

/// The distinct points of a batch, by their coordinates' bits.
struct Snapped {
    /// The points' (latitude, longitude) bits, in increasing order.
    keys: Vec<(u64, u64)>,
    /// The points, in the order of `keys`.
    points: Vec<Point>,
}

impl Snapped {
    /// The point at `q` (one of the batch's).
    fn get(&self, (lat, lon): (f64, f64)) -> &Point {
        let i = self.keys.binary_search(&(lat.to_bits(), lon.to_bits())).expect("every point of the batch is snapped");
        &self.points[i]
    }
}

/// The arcs whose labels the homes' costs read (`search::ends_from` and `ends_to`): the turns out
/// of (reverse trees, the way there) or into (forward trees, the way back) the arcs of their edges.
fn home_arcs(g: &Graph, homes: &[&Point], forward: bool) -> Vec<u32> {
    let mut arcs = Vec::new();
    for s in homes.iter().filter_map(|p| p.snap.as_ref()) {
        for b in g.edge_arc[s.edge as usize].into_iter().filter(|&a| a != NONE) {
            let b = b as usize;
            if forward {
                arcs.extend_from_slice(&g.in_from[g.in_first[b] as usize..g.in_first[b + 1] as usize]);
            } else {
                arcs.extend_from_slice(&g.out_to[g.out_first[b] as usize..g.out_first[b + 1] as usize]);
            }
        }
    }
    arcs
}
