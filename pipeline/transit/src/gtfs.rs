//! GTFS reading: a feed (zip archive or folder) → checked tables with every bad row kept as a
//! [`Reject`] (file, line, reason). `stop_times.txt` is streamed row by row into flat arrays by
//! [`crate::network`]; nothing here holds per-trip string maps.
//!
//! Quirks taken in stride: UTF-8 BOM, quoted fields, spaces around fields and ids (ids are
//! trimmed, never otherwise altered: leading zeros stay), parent stations and platforms, services
//! only in `calendar_dates.txt`, times past 24:00:00, empty times at intermediate stops, extra
//! vendor files (never opened), missing optional files (`agency`, `calendar` or `calendar_dates`
//! but not both, `transfers`).

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::date::Date;
use crate::{FeedError, VehicleClass};

/// Largest `stop_times.txt` read (bytes, uncompressed, declared or actual): 4 GiB. The file is
/// streamed (only the service day's calls are kept), so this bounds time, not memory.
pub const MAX_STOP_TIMES_BYTES: u64 = 4 << 30;
/// Largest other GTFS file read (bytes, uncompressed, declared or actual): 512 MiB. Their rows are
/// kept in memory (ids, names).
pub const MAX_FILE_BYTES: u64 = 512 << 20;
/// Largest inflation of a zip entry (uncompressed bytes per compressed byte, past the first MiB):
/// GTFS text deflates 5–30×, a zip bomb about 1000×.
pub const MAX_INFLATE_RATIO: u64 = 200;
/// Longest row (bytes, quoted line breaks included): 1 MiB.
pub const MAX_ROW_BYTES: u64 = 1 << 20;
/// Most rejected rows kept for one file: past it the feed is refused (a million bad rows is not a
/// feed to study, and each reject is kept in memory).
pub const MAX_REJECTS_PER_FILE: u64 = 1_000_000;
/// Longest `raw` and `detail` text kept in a [`Reject`] (bytes; longer is cut, with `…`).
pub const MAX_REJECT_TEXT: usize = 256;

/// Longest `min_transfer_time` accepted (s): a day. Longer is a `bad_transfer_time` reject (an
/// absurd value would overflow the search's clock).
pub const MAX_TRANSFER_S: i32 = 86_400;

/// The cap on a file's uncompressed bytes.
fn max_bytes(file: &str) -> u64 {
    if file == "stop_times.txt" { MAX_STOP_TIMES_BYTES } else { MAX_FILE_BYTES }
}

/// Which limit a read went past; carried inside the `io::Error` the CSV reader returns.
#[derive(Debug)]
enum LimitHit {
    /// The file inflates past its cap.
    FileSize(u64),
    /// The file inflates more than [`MAX_INFLATE_RATIO`] × its compressed size.
    Ratio { compressed: u64 },
    /// A row is longer than [`MAX_ROW_BYTES`].
    Row,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitHit::FileSize(cap) => write!(f, "is larger than {} uncompressed", bytes(*cap)),
            LimitHit::Ratio { compressed } => write!(
                f,
                "inflates more than {MAX_INFLATE_RATIO} times its compressed size of {compressed} bytes (a zip bomb?)"
            ),
            LimitHit::Row => write!(f, "has a row longer than {}", bytes(MAX_ROW_BYTES)),
        }
    }
}

impl std::error::Error for LimitHit {}

/// `n` bytes for people (GiB, MiB or bytes).
fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// A file's bytes, counted as they are read: past its cap (size, zip inflation ratio, or the
/// current row's length) reading fails with a [`LimitHit`] instead of going on. Nothing is
/// allocated from a declared size.
struct Bounded<R> {
    inner: R,
    read: u64,
    cap: u64,
    /// Compressed size of a zip entry (for the ratio cap).
    compressed: Option<u64>,
    /// Byte offset where the row being parsed starts (set by [`Table::next`]).
    row_start: Arc<AtomicU64>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let limit = |hit: LimitHit| Err(std::io::Error::new(std::io::ErrorKind::InvalidData, hit));
        // The CSV reader refills its buffer only once it has parsed all of it: everything read
        // since the row's start belongs to the row.
        if self.read.saturating_sub(self.row_start.load(Ordering::Relaxed)) > MAX_ROW_BYTES {
            return limit(LimitHit::Row);
        }
        // One byte past the cap tells "exactly the cap" from "more".
        let room = (self.cap + 1).saturating_sub(self.read).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        if self.read > self.cap {
            return limit(LimitHit::FileSize(self.cap));
        }
        if let Some(c) = self.compressed
            && self.read > (1 << 20) + c.saturating_mul(MAX_INFLATE_RATIO)
        {
            return limit(LimitHit::Ratio { compressed: c });
        }
        Ok(n)
    }
}

/// A bad row: which feed, file and line, a reason code and a detail for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Feed name (as given to the loader).
    pub feed: String,
    /// GTFS file, e.g. `stop_times.txt`.
    pub file: &'static str,
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// Reason code (`snake_case`).
    pub reason: &'static str,
    /// What was wrong, for people.
    pub detail: String,
    /// The row's raw fields joined with commas.
    pub raw: String,
}

/// Rows of one file: `rows = accepted + rejected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCount {
    /// Feed name.
    pub feed: String,
    /// GTFS file.
    pub file: &'static str,
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Rows kept.
    pub accepted: u64,
    /// Rows rejected.
    pub rejected: u64,
}

/// A feed's files: a zip archive or a folder.
pub(crate) enum Source {
    Zip(Box<zip::ZipArchive<File>>),
    Dir(PathBuf),
}

impl Source {
    pub(crate) fn open(feed: &str, path: &Path) -> Result<Source, FeedError> {
        if path.is_dir() {
            return Ok(Source::Dir(path.to_owned()));
        }
        let f = File::open(path).map_err(|e| FeedError::Open { feed: feed.into(), detail: e.to_string() })?;
        let z = zip::ZipArchive::new(f)
            .map_err(|e| FeedError::Open { feed: feed.into(), detail: format!("not a readable zip archive: {e}") })?;
        Ok(Source::Zip(Box::new(z)))
    }

    /// The file, or `None` when the feed does not have it, read through [`Bounded`] (its cap,
    /// the inflation ratio, the row length). In an archive the file may sit in one folder (some
    /// publishers zip the folder, not its content). A zip entry declaring more than the cap is
    /// refused before it is read.
    fn file(
        &mut self,
        feed: &str,
        name: &'static str,
        row_start: Arc<AtomicU64>,
    ) -> Result<Option<Box<dyn Read + '_>>, FeedError> {
        let io = |e: std::io::Error| FeedError::Open { feed: feed.into(), detail: format!("{name}: {e}") };
        let cap = max_bytes(name);
        match self {
            Source::Dir(d) => {
                let p = d.join(name);
                if !p.is_file() {
                    return Ok(None);
                }
                let f = File::open(p).map_err(io)?;
                Ok(Some(Box::new(Bounded { inner: f, read: 0, cap, compressed: None, row_start })))
            }
            Source::Zip(z) => {
                let suffix = format!("/{name}");
                let names: Vec<String> = z.file_names().filter_map(|n| n.ok().map(|n| n.into_owned())).collect();
                let found =
                    names.into_iter().find(|n| n == name || (n.ends_with(&suffix) && n.matches('/').count() == 1));
                let Some(found) = found else { return Ok(None) };
                let f = z
                    .by_name(&found)
                    .map_err(|e| FeedError::Open { feed: feed.into(), detail: format!("{name}: {e}") })?;
                if f.size() > cap {
                    return Err(FeedError::Limit {
                        feed: feed.into(),
                        file: name,
                        detail: format!("declares {} bytes uncompressed, more than {}", f.size(), bytes(cap)),
                    });
                }
                let compressed = Some(f.compressed_size());
                Ok(Some(Box::new(Bounded { inner: f, read: 0, cap, compressed, row_start })))
            }
        }
    }
}

/// One CSV file being read: header lookup, row iteration with line numbers, counts and rejects.
pub(crate) struct Table<'a> {
    feed: String,
    file: &'static str,
    rdr: csv::Reader<Box<dyn Read + 'a>>,
    /// Where the row being read starts (bytes), for [`Bounded`]'s row cap.
    row_start: Arc<AtomicU64>,
    header: HashMap<String, usize>,
    bytes: csv::ByteRecord,
    /// The current row (valid after `next` returned true).
    pub rec: csv::StringRecord,
    /// The current row's line.
    pub line: u64,
    pub(crate) count: FileCount,
    pub(crate) rejects: Vec<Reject>,
}

impl<'a> Table<'a> {
    /// Opens `file`; `None` when the feed does not have it.
    pub(crate) fn open(src: &'a mut Source, feed: &str, file: &'static str) -> Result<Option<Table<'a>>, FeedError> {
        let row_start = Arc::new(AtomicU64::new(0));
        let Some(r) = src.file(feed, file, row_start.clone())? else { return Ok(None) };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).has_headers(true).from_reader(r);
        let head = rdr.byte_headers().map_err(|e| read_error(feed, file, 1, e))?.clone();
        let mut header = HashMap::new();
        for (i, h) in head.iter().enumerate() {
            let h = String::from_utf8_lossy(h);
            let h = h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
            header.entry(h).or_insert(i);
        }
        let count = FileCount { feed: feed.into(), file, rows: 0, accepted: 0, rejected: 0 };
        Ok(Some(Table {
            feed: feed.into(),
            file,
            rdr,
            row_start,
            header,
            bytes: csv::ByteRecord::new(),
            rec: csv::StringRecord::new(),
            line: 1,
            count,
            rejects: Vec::new(),
        }))
    }

    /// Column index, if the header has it.
    pub(crate) fn col(&self, name: &str) -> Option<usize> {
        self.header.get(name).copied()
    }

    /// Column index of a required column.
    pub(crate) fn need(&self, name: &'static str) -> Result<usize, FeedError> {
        self.col(name).ok_or(FeedError::MissingColumn { feed: self.feed.clone(), file: self.file, column: name })
    }

    /// Advances to the next row; rows that are not UTF-8 are rejected here and skipped.
    pub(crate) fn next(&mut self) -> Result<bool, FeedError> {
        loop {
            self.check_rejects()?;
            let pos = self.rdr.position().clone();
            self.row_start.store(pos.byte(), Ordering::Relaxed);
            let more = self
                .rdr
                .read_byte_record(&mut self.bytes)
                .map_err(|e| read_error(&self.feed, self.file, pos.line(), e))?;
            if !more {
                return Ok(false);
            }
            self.line = self.bytes.position().map_or(self.line + 1, |p| p.line());
            // A fully blank line is not a row.
            if self.bytes.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            self.count.rows += 1;
            match csv::StringRecord::from_byte_record(self.bytes.clone()) {
                Ok(r) => {
                    self.rec = r;
                    return Ok(true);
                }
                Err(_) => {
                    let raw =
                        String::from_utf8_lossy(&self.bytes.iter().collect::<Vec<_>>().join(&b","[..])).into_owned();
                    self.push_reject("invalid_utf8", "the row is not UTF-8 text".into(), raw);
                }
            }
        }
    }

    /// Field `i` of the current row, trimmed; empty when the column or the field is missing.
    pub(crate) fn get(&self, i: Option<usize>) -> &str {
        i.and_then(|i| self.rec.get(i)).unwrap_or("").trim()
    }

    pub(crate) fn accept(&mut self) {
        self.count.accepted += 1;
    }

    /// Rejects the current row.
    pub(crate) fn reject(&mut self, reason: &'static str, detail: String) {
        let raw = self.rec.iter().collect::<Vec<_>>().join(",");
        self.push_reject(reason, detail, raw);
    }

    fn push_reject(&mut self, reason: &'static str, detail: String, raw: String) {
        self.count.rejected += 1;
        let (detail, raw) = (cut(detail), cut(raw));
        self.rejects.push(Reject { feed: self.feed.clone(), file: self.file, line: self.line, reason, detail, raw });
    }

    /// Refuses the feed when the file has more rejected rows than [`MAX_REJECTS_PER_FILE`].
    fn check_rejects(&self) -> Result<(), FeedError> {
        too_many_rejects(&self.feed, self.file, self.count.rejected)
    }
}

/// [`FeedError::Limit`] when a file has more than [`MAX_REJECTS_PER_FILE`] rejected rows.
pub(crate) fn too_many_rejects(feed: &str, file: &'static str, rejected: u64) -> Result<(), FeedError> {
    if rejected > MAX_REJECTS_PER_FILE {
        return Err(FeedError::Limit {
            feed: feed.into(),
            file,
            detail: format!("has more than {MAX_REJECTS_PER_FILE} rejected rows; is it a GTFS file?"),
        });
    }
    Ok(())
}

/// `s` cut to [`MAX_REJECT_TEXT`] bytes (on a character boundary), with `…` when cut.
pub(crate) fn cut(mut s: String) -> String {
    if s.len() > MAX_REJECT_TEXT {
        let mut end = MAX_REJECT_TEXT;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// The error of a failed read: a [`FeedError::Limit`] when a cap was hit, else
/// [`FeedError::Csv`]. `line` is where the row being read starts.
fn read_error(feed: &str, file: &'static str, line: u64, e: csv::Error) -> FeedError {
    if let csv::ErrorKind::Io(io) = e.kind()
        && let Some(hit) = io.get_ref().and_then(|x| x.downcast_ref::<LimitHit>())
    {
        let at =
            if matches!(hit, LimitHit::Row) { format!(" (the row starting at line {line})") } else { String::new() };
        return FeedError::Limit { feed: feed.into(), file, detail: format!("{hit}{at}") };
    }
    FeedError::Csv { feed: feed.into(), file, detail: e.to_string() }
}

/// A stop, station or other location of `stops.txt`.
#[derive(Debug, Clone)]
pub(crate) struct StopRow {
    pub id: String,
    pub name: String,
    pub pos: (f64, f64),
    /// GTFS location_type (0 stop/platform, 1 station, 2 entrance, 3 node, 4 boarding area).
    pub location_type: u8,
    pub parent: String,
}

/// When a service runs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Service {
    pub weekdays: [bool; 7],
    pub range: Option<(Date, Date)>,
    pub added: Vec<Date>,
    pub removed: Vec<Date>,
}

impl Service {
    pub(crate) fn active(&self, d: Date) -> bool {
        if self.removed.contains(&d) {
            return false;
        }
        if self.added.contains(&d) {
            return true;
        }
        matches!(self.range, Some((a, b)) if a <= d && d <= b && self.weekdays[d.weekday()])
    }
}

/// A `transfers.txt` rule between two locations (stations expand to their platforms later).
#[derive(Debug, Clone)]
pub(crate) struct TransferRow {
    pub from: u32,
    pub to: u32,
    pub kind: u8,
    pub min_s: Option<i32>,
}

/// Every table of a feed but `stop_times.txt`.
pub(crate) struct FeedTables {
    pub name: String,
    pub stops: Vec<StopRow>,
    pub stop_by_id: HashMap<String, u32>,
    pub route_class: Vec<VehicleClass>,
    pub services: Vec<Service>,
    pub trip_route: Vec<u32>,
    pub trip_service: Vec<u32>,
    pub trip_by_id: HashMap<String, u32>,
    pub transfers: Vec<TransferRow>,
    /// Data rows of `frequencies.txt`, which is not applied (see the README).
    pub frequencies_rows: u64,
    pub counts: Vec<FileCount>,
    pub rejects: Vec<Reject>,
}

fn parse_coord(s: &str, lim: f64) -> Option<f64> {
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v.abs() <= lim).then_some(v)
}

/// Reads every table but `stop_times.txt`.
pub(crate) fn read_tables(src: &mut Source, feed: &str) -> Result<FeedTables, FeedError> {
    let mut ledger = Ledger::default();
    // agency.txt: nothing in it is needed (times are the feed's local times); counted only.
    count_only(src, feed, "agency.txt", &mut ledger)?;
    let (stops, stop_by_id) = read_stops(src, feed, &mut ledger)?;
    let (route_class, route_by_id) = read_routes(src, feed, &mut ledger)?;
    let (services, service_by_id) = read_calendars(src, feed, &mut ledger)?;
    let trips = read_trips(src, feed, &mut ledger, &route_by_id, &service_by_id)?;
    let transfers = read_transfers(src, feed, &mut ledger, &stop_by_id)?;
    // frequencies.txt is not applied (see the README): counted, so the report can say so.
    let frequencies_rows = count_only(src, feed, "frequencies.txt", &mut ledger)?;
    Ok(FeedTables {
        name: feed.into(),
        stops,
        stop_by_id,
        route_class,
        services,
        trip_route: trips.route,
        trip_service: trips.service,
        trip_by_id: trips.by_id,
        transfers,
        frequencies_rows,
        counts: ledger.counts,
        rejects: ledger.rejects,
    })
}

/// `stops.txt`: the stops and their index by id.
fn read_stops(
    src: &mut Source,
    feed: &str,
    ledger: &mut Ledger,
) -> Result<(Vec<StopRow>, HashMap<String, u32>), FeedError> {
    let mut stops = Vec::new();
    let mut stop_by_id = HashMap::new();
    let mut t = Table::open(src, feed, "stops.txt")?.ok_or_else(|| missing(feed, "stops.txt"))?;
    let (c_id, c_name, c_lat, c_lon) = (t.need("stop_id")?, t.col("stop_name"), t.col("stop_lat"), t.col("stop_lon"));
    let (c_lt, c_parent) = (t.col("location_type"), t.col("parent_station"));
    while t.next()? {
        let id = t.get(Some(c_id)).to_owned();
        let lt = match t.get(c_lt) {
            "" => 0u8,
            s => match s.parse::<u8>() {
                Ok(v) if v <= 4 => v,
                _ => {
                    t.reject("bad_location_type", format!("location_type {s:?} is not 0-4"));
                    continue;
                }
            },
        };
        if id.is_empty() {
            t.reject("missing_field", "stop_id is empty".into());
            continue;
        }
        if stop_by_id.contains_key(&id) {
            t.reject("duplicate_id", format!("stop_id {id:?} already defined"));
            continue;
        }
        let (lat, lon) = (parse_coord(t.get(c_lat), 90.0), parse_coord(t.get(c_lon), 180.0));
        let pos = match (lat, lon) {
            (Some(a), Some(b)) if !(a == 0.0 && b == 0.0) => (a, b),
            // Entrances, nodes and boarding areas may have no position; they are not used.
            _ if lt >= 2 => (f64::NAN, f64::NAN),
            _ => {
                t.reject(
                    "bad_coordinate",
                    format!("stop {id:?}: stop_lat {:?} / stop_lon {:?} is not a position", t.get(c_lat), t.get(c_lon)),
                );
                continue;
            }
        };
        stop_by_id.insert(id.clone(), stops.len() as u32);
        let (name, parent) = (t.get(c_name).to_owned(), t.get(c_parent).to_owned());
        stops.push(StopRow { id, name, pos, location_type: lt, parent });
        t.accept();
    }
    ledger.finish(t);
    Ok((stops, stop_by_id))
}

/// `routes.txt`: the vehicle class of each route and the routes' index by id.
fn read_routes(
    src: &mut Source,
    feed: &str,
    ledger: &mut Ledger,
) -> Result<(Vec<VehicleClass>, HashMap<String, u32>), FeedError> {
    let mut route_class = Vec::new();
    let mut route_by_id: HashMap<String, u32> = HashMap::new();
    let mut t = Table::open(src, feed, "routes.txt")?.ok_or_else(|| missing(feed, "routes.txt"))?;
    let (c_id, c_type) = (t.need("route_id")?, t.need("route_type")?);
    while t.next()? {
        let id = t.get(Some(c_id)).to_owned();
        let rt = t.get(Some(c_type));
        let Some(class) = rt.parse::<i32>().ok().and_then(VehicleClass::from_route_type) else {
            t.reject("bad_route_type", format!("route {id:?}: route_type {rt:?} is not a GTFS route type"));
            continue;
        };
        if route_by_id.contains_key(&id) {
            t.reject("duplicate_id", format!("route_id {id:?} already defined"));
            continue;
        }
        route_by_id.insert(id, route_class.len() as u32);
        route_class.push(class);
        t.accept();
    }
    ledger.finish(t);
    Ok((route_class, route_by_id))
}

/// `calendar.txt` and `calendar_dates.txt` (at least one of them): the services and their index
/// by id. A service known only from `calendar_dates.txt` (the SNCB way) is created there.
fn read_calendars(
    src: &mut Source,
    feed: &str,
    ledger: &mut Ledger,
) -> Result<(Vec<Service>, HashMap<String, u32>), FeedError> {
    let mut services: Vec<Service> = Vec::new();
    let mut service_by_id: HashMap<String, u32> = HashMap::new();
    let mut has_calendar = false;
    if let Some(mut t) = Table::open(src, feed, "calendar.txt")? {
        has_calendar = true;
        const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
        let c_id = t.need("service_id")?;
        let mut c_days = [0usize; 7];
        for (i, d) in DAYS.iter().enumerate() {
            c_days[i] = t.need(d)?;
        }
        let (c_start, c_end) = (t.need("start_date")?, t.need("end_date")?);
        'rows: while t.next()? {
            let id = t.get(Some(c_id)).to_owned();
            let mut weekdays = [false; 7];
            for i in 0..7 {
                match t.get(Some(c_days[i])) {
                    "0" => {}
                    "1" => weekdays[i] = true,
                    s => {
                        t.reject("bad_flag", format!("service {id:?}: {} = {s:?}, expected 0 or 1", DAYS[i]));
                        continue 'rows;
                    }
                }
            }
            let (a, b) = (Date::parse_gtfs(t.get(Some(c_start))), Date::parse_gtfs(t.get(Some(c_end))));
            let (Some(a), Some(b)) = (a, b) else {
                t.reject("bad_date", format!("service {id:?}: start_date/end_date are not YYYYMMDD dates"));
                continue;
            };
            if id.is_empty() || service_by_id.contains_key(&id) {
                t.reject("duplicate_id", format!("service_id {id:?} is empty or already defined"));
                continue;
            }
            service_by_id.insert(id, services.len() as u32);
            services.push(Service { weekdays, range: Some((a, b)), ..Service::default() });
            t.accept();
        }
        ledger.finish(t);
    }
    let mut has_dates = false;
    if let Some(mut t) = Table::open(src, feed, "calendar_dates.txt")? {
        has_dates = true;
        let (c_id, c_date, c_ex) = (t.need("service_id")?, t.need("date")?, t.need("exception_type")?);
        while t.next()? {
            let id = t.get(Some(c_id)).to_owned();
            let Some(d) = Date::parse_gtfs(t.get(Some(c_date))) else {
                t.reject("bad_date", format!("service {id:?}: date {:?} is not YYYYMMDD", t.get(Some(c_date))));
                continue;
            };
            let ex = t.get(Some(c_ex));
            if ex != "1" && ex != "2" || id.is_empty() {
                t.reject("bad_exception_type", format!("service {id:?}: exception_type {ex:?}, expected 1 or 2"));
                continue;
            }
            // A service known only from calendar_dates.txt (the SNCB way) is created here.
            let n = services.len() as u32;
            let s = *service_by_id.entry(id).or_insert(n);
            if s == n {
                services.push(Service::default());
            }
            let svc = &mut services[s as usize];
            if ex == "1" {
                svc.added.push(d)
            } else {
                svc.removed.push(d)
            }
            t.accept();
        }
        ledger.finish(t);
    }
    if !has_calendar && !has_dates {
        return Err(missing(feed, "calendar.txt or calendar_dates.txt"));
    }
    Ok((services, service_by_id))
}

/// `trips.txt`: each trip's route and service (row numbers), and the trips' index by id.
fn read_trips(
    src: &mut Source,
    feed: &str,
    ledger: &mut Ledger,
    route_by_id: &HashMap<String, u32>,
    service_by_id: &HashMap<String, u32>,
) -> Result<Trips, FeedError> {
    let (mut trip_route, mut trip_service, mut trip_by_id) = (Vec::new(), Vec::new(), HashMap::new());
    let mut t = Table::open(src, feed, "trips.txt")?.ok_or_else(|| missing(feed, "trips.txt"))?;
    let (c_id, c_route, c_svc) = (t.need("trip_id")?, t.need("route_id")?, t.need("service_id")?);
    while t.next()? {
        let id = t.get(Some(c_id));
        if id.is_empty() || trip_by_id.contains_key(id) {
            t.reject("duplicate_id", format!("trip_id {id:?} is empty or already defined"));
            continue;
        }
        let Some(&r) = route_by_id.get(t.get(Some(c_route))) else {
            t.reject("unknown_route", format!("trip {id:?}: route_id {:?} is not in routes.txt", t.get(Some(c_route))));
            continue;
        };
        let Some(&s) = service_by_id.get(t.get(Some(c_svc))) else {
            t.reject(
                "unknown_service",
                format!("trip {id:?}: service_id {:?} is in neither calendar file", t.get(Some(c_svc))),
            );
            continue;
        };
        trip_by_id.insert(id.to_owned(), trip_route.len() as u32);
        trip_route.push(r);
        trip_service.push(s);
        t.accept();
    }
    ledger.finish(t);
    Ok(Trips { route: trip_route, service: trip_service, by_id: trip_by_id })
}

/// `transfers.txt` (optional). Rows naming trips or routes (GTFS extensions) are counted but not
/// applied: the search has stop-to-stop transfers only.
fn read_transfers(
    src: &mut Source,
    feed: &str,
    ledger: &mut Ledger,
    stop_by_id: &HashMap<String, u32>,
) -> Result<Vec<TransferRow>, FeedError> {
    let mut transfers = Vec::new();
    if let Some(mut t) = Table::open(src, feed, "transfers.txt")? {
        let (c_from, c_to, c_type, c_min) =
            (t.need("from_stop_id")?, t.need("to_stop_id")?, t.col("transfer_type"), t.col("min_transfer_time"));
        let c_specific = ["from_trip_id", "to_trip_id", "from_route_id", "to_route_id"].map(|c| t.col(c));
        while t.next()? {
            let (f, to) = (t.get(Some(c_from)), t.get(Some(c_to)));
            let (Some(&from), Some(&to)) = (stop_by_id.get(f), stop_by_id.get(to)) else {
                t.reject("unknown_stop", format!("transfer {f:?} -> {to:?}: a stop is not in stops.txt"));
                continue;
            };
            let kind = match t.get(c_type) {
                "" => 0u8,
                s => match s.parse::<u8>() {
                    Ok(v) if v <= 5 => v,
                    _ => {
                        t.reject("bad_transfer_type", format!("transfer_type {s:?} is not 0-5"));
                        continue;
                    }
                },
            };
            let min_s = match t.get(c_min) {
                "" => None,
                s => match s.parse::<i32>() {
                    Ok(v) if (0..=MAX_TRANSFER_S).contains(&v) => Some(v),
                    _ => {
                        t.reject("bad_transfer_time", format!("min_transfer_time {s:?} is not seconds (0 to a day)"));
                        continue;
                    }
                },
            };
            let specific = c_specific.iter().any(|&c| !t.get(c).is_empty());
            if !specific && kind <= 3 {
                transfers.push(TransferRow { from, to, kind, min_s });
            }
            t.accept();
        }
        ledger.finish(t);
    }
    Ok(transfers)
}

/// Counts the rows of an optional file none of whose content is used; its number of rows.
fn count_only(src: &mut Source, feed: &str, file: &'static str, ledger: &mut Ledger) -> Result<u64, FeedError> {
    let mut rows = 0;
    if let Some(mut t) = Table::open(src, feed, file)? {
        while t.next()? {
            t.accept();
            rows += 1;
        }
        ledger.finish(t);
    }
    Ok(rows)
}

/// The counts and rejects of a feed's files, as they are read.
#[derive(Default)]
struct Ledger {
    counts: Vec<FileCount>,
    rejects: Vec<Reject>,
}

impl Ledger {
    fn finish(&mut self, t: Table<'_>) {
        self.counts.push(t.count);
        self.rejects.extend(t.rejects);
    }
}

/// The rows of `trips.txt`, by row number.
struct Trips {
    route: Vec<u32>,
    service: Vec<u32>,
    by_id: HashMap<String, u32>,
}

fn missing(feed: &str, file: &'static str) -> FeedError {
    FeedError::MissingFile { feed: feed.into(), file }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader over `data`; `rows` false turns the row cap off (as if every byte began a row).
    fn bounded(data: &[u8], cap: u64, compressed: Option<u64>, rows: bool) -> Bounded<&[u8]> {
        let start = if rows { 0 } else { u64::MAX };
        Bounded { inner: data, read: 0, cap, compressed, row_start: Arc::new(AtomicU64::new(start)) }
    }

    fn hit(r: std::io::Result<Vec<u8>>) -> String {
        let e = r.unwrap_err();
        e.get_ref().and_then(|x| x.downcast_ref::<LimitHit>()).expect("a LimitHit").to_string()
    }

    fn read_all(mut b: Bounded<&[u8]>) -> std::io::Result<Vec<u8>> {
        let mut v = Vec::new();
        b.read_to_end(&mut v).map(|_| v)
    }

    /// The actual-size cap (the real caps are too large for a test): exactly the cap reads, one
    /// byte more fails, without reading further.
    #[test]
    fn bounded_reader_caps_size_ratio_and_row() {
        let data = vec![b'\n'; 100];
        assert_eq!(read_all(bounded(&data, 100, None, false)).unwrap().len(), 100);
        assert_eq!(hit(read_all(bounded(&data, 99, None, false))), "is larger than 99 bytes uncompressed");
        // Ratio: 200 × 1 compressed byte past the first MiB.
        let big = vec![b'\n'; (1 << 20) + 201];
        assert_eq!(
            hit(read_all(bounded(&big, u64::MAX - 1, Some(1), false))),
            "inflates more than 200 times its compressed size of 1 bytes (a zip bomb?)"
        );
        assert!(read_all(bounded(&big[..(1 << 20) + 200], u64::MAX - 1, Some(1), false)).is_ok());
        // Row: the row starts at 0 and never ends.
        let row = vec![b'a'; (MAX_ROW_BYTES + 10) as usize];
        assert_eq!(hit(read_all(bounded(&row, u64::MAX - 1, None, true))), "has a row longer than 1 MiB");
        assert_eq!(bytes(4 << 30), "4 GiB");
        assert_eq!(bytes(512 << 20), "512 MiB");
        assert_eq!(cut("é".repeat(200)).len(), 256 + "…".len());
    }
}
