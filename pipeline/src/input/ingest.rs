//! Reading and checking every input table. Each row is either accepted into a typed table or
//! rejected with file, line, reason and raw text; per-file counts reconcile. A file that cannot be
//! used at all (missing, missing columns) is an error that stops the run.

use chrono::NaiveDate;
use polars::prelude::{PlHashMap, PlHashSet};
use rayon::prelude::*;

use crate::config::{MethodConfig, StudyArea};
use crate::input::clock::{self, StampError};
use crate::input::csvin::{FileError, LogChunk, LogSource, Row, SourceFile, parse_decimal, read_rows};
use crate::input::places::Postcodes;
use crate::input::quality::{FileCount, Ledger, Reject, RejectReason, add_capped};
use crate::method::mode::{CarSize, Fuel, Mode};

/// A smart work center.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Id as in the access logs.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Latitude (WGS84 degrees).
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
    /// Municipality, if given.
    pub municipality: Option<String>,
    /// Number of workspaces, if given (occupancy figures need it).
    pub workspaces: Option<u32>,
    /// Opening date, if given.
    pub opened_on: Option<NaiveDate>,
}

/// A member company.
#[derive(Debug, Clone, PartialEq)]
pub struct Company {
    /// Company id.
    pub company_id: String,
    /// Display name.
    pub name: String,
    /// Central office latitude.
    pub office_lat: f64,
    /// Central office longitude.
    pub office_lon: f64,
    /// Central office name, if given.
    pub office_name: Option<String>,
    /// Prepaid hours per quarter, if given.
    pub package_hours_per_quarter: Option<f64>,
}

/// Where a home point comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeSource {
    /// Coordinates given by HR.
    Coordinates,
    /// Population-weighted point of the postcode area.
    Postcode,
}

impl HomeSource {
    /// Code used in the warehouse.
    pub fn code(self) -> &'static str {
        match self {
            HomeSource::Coordinates => "coordinates",
            HomeSource::Postcode => "postcode",
        }
    }
}

/// An employee, with everything resolved (office, modes, occupancy).
#[derive(Debug, Clone, PartialEq)]
pub struct Employee {
    /// HR id (never leaves the pipeline: the warehouse gets a pseudonym).
    pub employee_id: String,
    /// Index into the companies table.
    pub company: usize,
    /// Home (lat, lon).
    pub home: (f64, f64),
    /// How the home point was obtained.
    pub home_source: HomeSource,
    /// Usual mode to the office.
    pub commute_mode: Mode,
    /// How they reach a center.
    pub center_mode: Mode,
    /// Car fuel (`unknown` when not given).
    pub car_fuel: Fuel,
    /// Car size (`average` when not given).
    pub car_size: CarSize,
    /// Occupants for the commute to the office (car-like modes only).
    pub commute_occupancy: f64,
    /// Occupants for the trip to a center (car-like modes only).
    pub center_occupancy: f64,
    /// `car_occupancy` as given in the employee row.
    pub declared_occupancy: Option<f64>,
    /// Office (lat, lon): the company's central office unless the row gives its own.
    pub office: (f64, f64),
    /// Whether the office came from the employee row.
    pub own_office: bool,
}

/// Occupants of the vehicle for a traveller. The declared occupancy describes the commute to the
/// office (pass `None` for a trip to a center): a trip to a center is made alone by car
/// (conservative: colleagues rarely share a center), shared by carpool (`carpool_occupancy` when
/// the row gives none).
pub fn occupancy_for(mode: Mode, declared: Option<f64>, carpool_occupancy: f64) -> f64 {
    match mode {
        Mode::Car => declared.unwrap_or(1.0),
        Mode::Carpool => declared.unwrap_or(carpool_occupancy),
        _ => 1.0,
    }
}

impl Employee {
    /// The same employee under another `method.carpool_occupancy`.
    pub fn with_carpool_occupancy(&self, carpool_occupancy: f64) -> Employee {
        Employee {
            commute_occupancy: occupancy_for(self.commute_mode, self.declared_occupancy, carpool_occupancy),
            center_occupancy: occupancy_for(self.center_mode, None, carpool_occupancy),
            ..self.clone()
        }
    }
}

/// One validity period of an access card.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// Card id as in the access logs.
    pub card_id: String,
    /// Index into the employees table.
    pub employee: usize,
    /// First valid day, inclusive.
    pub valid_from: Option<NaiveDate>,
    /// Last valid day, inclusive.
    pub valid_to: Option<NaiveDate>,
}

/// One accepted access event (40 bytes: pairing sorts and scans millions of them, so they are
/// kept as records rather than columns).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Event {
    /// Seconds since the Unix epoch, UTC.
    pub utc_s: i64,
    /// Index of the card's id in `card_ids`.
    pub card: u32,
    /// Index into the employees table.
    pub employee: u32,
    /// Index into the sites table.
    pub site: u32,
    /// Brussels local date (days since 1970-01-01).
    pub local_day: i32,
    /// Brussels local seconds since midnight.
    pub local_sod: u32,
    /// Index of the log file in `Inputs::log_files`.
    pub file: u32,
    /// Line in that file.
    pub line: u32,
    /// `true` for `in`.
    pub is_in: bool,
}

/// Accepted access events in file and line order, kept in the pieces they were parsed in:
/// concatenating them would copy every event once more (and fault fresh pages for all of them)
/// only for [`crate::method::visits::sort_for_pairing`] to copy them again.
#[derive(Debug, Clone, Default)]
pub struct Events {
    pieces: Vec<Vec<Event>>,
    /// Events whose local time fell in the repeated October hour (earlier instant taken).
    pub ambiguous_local_times: u64,
}

impl Events {
    /// Events from one list.
    pub fn from_list(list: Vec<Event>) -> Events {
        Events { pieces: vec![list], ambiguous_local_times: 0 }
    }

    /// Adds an event after the others.
    pub fn push(&mut self, e: Event) {
        match self.pieces.last_mut() {
            Some(last) => last.push(e),
            None => self.pieces.push(vec![e]),
        }
    }

    /// The events in order.
    pub fn iter(&self) -> impl Iterator<Item = &Event> + Clone {
        self.pieces.iter().flatten()
    }

    /// The events as one slice, gathering the pieces once if there are several.
    pub fn make_contiguous(&mut self) -> &mut [Event] {
        if self.pieces.len() > 1 {
            self.pieces = vec![self.pieces.concat()];
        }
        match self.pieces.first_mut() {
            Some(list) => list,
            None => &mut [],
        }
    }

    /// The pieces, in order.
    pub(crate) fn pieces(&self) -> &[Vec<Event>] {
        &self.pieces
    }

    /// Replaces the events by `pieces`, in order.
    pub(crate) fn replace(&mut self, pieces: Vec<Vec<Event>>) {
        self.pieces = pieces;
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.pieces.iter().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pieces.iter().all(Vec::is_empty)
    }

    fn append(&mut self, o: Events) {
        self.pieces.extend(o.pieces.into_iter().filter(|p| !p.is_empty()));
        self.ambiguous_local_times += o.ambiguous_local_times;
    }
}

impl PartialEq for Events {
    /// Same events in the same order, however they are split.
    fn eq(&self, other: &Events) -> bool {
        self.ambiguous_local_times == other.ambiguous_local_times && self.iter().eq(other.iter())
    }
}

/// Everything read from a study's files.
#[derive(Debug)]
pub struct Inputs {
    /// Sites in file order.
    pub sites: Vec<Site>,
    /// Companies in file order.
    pub companies: Vec<Company>,
    /// Employees in file order.
    pub employees: Vec<Employee>,
    /// Card validity periods in file order.
    pub cards: Vec<Card>,
    /// Distinct card ids, indexed by `Events::card`.
    pub card_ids: Vec<String>,
    /// Access events, in file then line order.
    pub events: Events,
    /// Names of the access-log files, indexed by `Events::file`.
    pub log_files: Vec<String>,
    /// Rejects and per-file counts.
    pub ledger: Ledger,
}

/// The raw files of a study.
#[derive(Debug, Clone)]
pub struct SourceSet {
    /// `sites.csv`.
    pub sites: SourceFile,
    /// `companies.csv`.
    pub companies: SourceFile,
    /// `employees.csv`.
    pub employees: SourceFile,
    /// `cards.csv`.
    pub cards: SourceFile,
    /// Access logs, in configured order (globs expanded and sorted), read while ingested.
    pub access_logs: Vec<LogSource>,
    /// Optional factor overrides.
    pub factors: Option<SourceFile>,
    /// Other factor override files named by scenarios (`inputs.factors` in `[[scenarios]]`),
    /// each named by its path as written in the config.
    pub scenario_factors: Vec<SourceFile>,
}

type RowResult<T> = Result<T, (RejectReason, String)>;

/// A card's validity: (first day, last day, employee index), days as day numbers.
type CardSpan = (i32, i32, u32);

struct FileOutcome<T> {
    rows: Vec<T>,
    rejects: Vec<Reject>,
    count: FileCount,
}

/// Reads one file row by row with `parse`; counts and rejects are kept per file.
fn ingest_file<T>(
    file: &SourceFile,
    kind: &str,
    columns: &[&str],
    required: usize,
    mut parse: impl FnMut(&Row<'_>) -> RowResult<T>,
) -> Result<FileOutcome<T>, FileError> {
    let mut rows = Vec::new();
    let mut rejects = Vec::new();
    let mut read = 0u64;
    let mut header = read_rows(file, columns, required, |row| {
        read += 1;
        match parse(row) {
            Ok(t) => rows.push(t),
            Err((reason, detail)) => rejects.push(Reject {
                file: file.name.clone(),
                line: row.line,
                reason,
                detail,
                raw: row.raw(),
                rows: 1,
            }),
        }
    })?;
    for bad in std::mem::take(&mut header.bad_rows) {
        read += 1;
        rejects.push(Reject {
            file: file.name.clone(),
            line: bad.line,
            reason: RejectReason::MalformedRow,
            detail: bad.reason,
            raw: bad.raw,
            rows: 1,
        });
    }
    rejects.sort_by_key(|r| r.line);
    let count = FileCount {
        file: file.name.clone(),
        kind: kind.to_owned(),
        sha256: file.sha256.clone(),
        read,
        accepted: rows.len() as u64,
        rejected: rejects.len() as u64,
        delimiter: header.delimiter.to_string(),
        ignored_columns: header.ignored_columns,
    };
    debug_assert_eq!(count.read, count.accepted + count.rejected);
    Ok(FileOutcome { rows, rejects, count })
}

impl<T> FileOutcome<T> {
    fn into_rows(self, ledger: &mut Ledger) -> Vec<T> {
        ledger.extend(self.rejects);
        ledger.files.push(self.count);
        self.rows
    }
}

fn required<'a>(row: &Row<'a>, i: usize, name: &str) -> RowResult<&'a str> {
    row.get(i).ok_or_else(|| (RejectReason::MissingValue, format!("{name} is empty")))
}

fn number(row: &Row<'_>, i: usize, name: &str) -> RowResult<Option<f64>> {
    number_named(row, i, || name.to_owned())
}

/// [`number`] with the column's name built only for the error message.
fn number_named(row: &Row<'_>, i: usize, name: impl FnOnce() -> String) -> RowResult<Option<f64>> {
    match row.get(i) {
        None => Ok(None),
        Some(v) => parse_decimal(v)
            .map(Some)
            .ok_or_else(|| (RejectReason::BadNumber, format!("{} = {v:?} is not a number", name()))),
    }
}

/// `1.500`, `12.000.000`: digits grouped by three with dots and nothing else.
fn looks_like_thousands(v: &str) -> bool {
    let mut groups = v.split('.');
    let first = groups.next().unwrap_or("");
    let rest: Vec<&str> = groups.collect();
    !rest.is_empty()
        && (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && rest.iter().all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// A point from two columns; it must fall in the study area (`method.study_area`): a point
/// outside is almost always a typo or a swapped lat/lon.
fn point(row: &Row<'_>, lat_i: usize, lon_i: usize, what: &str, area: &StudyArea) -> RowResult<Option<(f64, f64)>> {
    let lat = number_named(row, lat_i, || format!("{what}_lat"))?;
    let lon = number_named(row, lon_i, || format!("{what}_lon"))?;
    match (lat, lon) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => {
            let ([lat0, lat1], [lon0, lon1]) = (area.lat, area.lon);
            if (lat0..=lat1).contains(&lat) && (lon0..=lon1).contains(&lon) {
                Ok(Some((lat, lon)))
            } else if (lat0..=lat1).contains(&lon) && (lon0..=lon1).contains(&lat) {
                Err((RejectReason::BadCoordinates, format!("{what} ({lat}, {lon}) looks like lon/lat swapped")))
            } else {
                Err((
                    RejectReason::BadCoordinates,
                    format!("{what} ({lat}, {lon}) is outside the study area (lat {lat0}–{lat1}, lon {lon0}–{lon1})"),
                ))
            }
        }
        _ => Err((RejectReason::MissingValue, format!("{what}: give both latitude and longitude"))),
    }
}

fn date(row: &Row<'_>, i: usize, name: &str) -> RowResult<Option<NaiveDate>> {
    match row.get(i) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| (RejectReason::BadDate, format!("{name} = {v:?} is not a YYYY-MM-DD date"))),
    }
}

fn code<T>(
    row: &Row<'_>,
    i: usize,
    name: &str,
    parse: fn(&str) -> Option<T>,
    codes: fn() -> String,
) -> RowResult<Option<T>> {
    match row.get(i) {
        None => Ok(None),
        Some(v) => parse(v)
            .map(Some)
            .ok_or_else(|| (RejectReason::UnknownCode, format!("{name} = {v:?}: use one of {}", codes()))),
    }
}

/// Checks that no accepted row defined `id` yet. The caller records the id only once the whole
/// row is accepted, so a corrected row after a rejected one is still taken.
fn not_seen<'a>(seen: &PlHashSet<String>, id: &'a str, name: &str) -> RowResult<&'a str> {
    if seen.contains(id) {
        Err((
            RejectReason::DuplicateId,
            format!("{name} {id:?} is already defined by an accepted row above, which is kept"),
        ))
    } else {
        Ok(id)
    }
}

/// Card id → (card index, holder by date), looked up once per badge event, the hottest line of
/// ingest. Ids of up to 15 bytes (nearly all badge numbers) are packed with their length into one
/// `u128` key and the usual single holder sits next to it, so a lookup touches one table slot:
/// no string or span list elsewhere on the heap (with 100k cards, each of those was a cache miss).
struct CardIndex {
    short: PlHashMap<u128, CardEntry>,
    long: PlHashMap<String, CardEntry>,
    /// Validity spans of cards that changed hands (reissued), in cards.csv order.
    reissued: Vec<Vec<CardSpan>>,
    /// Card ids by index, in order of first appearance in cards.csv.
    ids: Vec<String>,
}

/// A card: its index and either its only validity span or, for a reissued card, where its spans
/// are in `CardIndex::reissued`. Packed in 16 bytes (one table slot per lookup): read it through
/// [`CardEntry::spans`], never through the raw fields.
#[derive(Clone, Copy)]
struct CardEntry {
    card: u32,
    from: i32,
    to: i32,
    employee: u32,
}

/// The validity of a card, as [`CardEntry`] packs it.
enum Spans {
    /// Held by one employee over one span.
    One(CardSpan),
    /// Reissued: the spans are `CardIndex::reissued[i]`.
    Reissued(usize),
}

impl CardEntry {
    /// The `employee` value that marks a reissued card (`from` is then its index in `reissued`).
    const REISSUED: u32 = u32::MAX;

    fn one(card: u32, (from, to, employee): CardSpan) -> CardEntry {
        CardEntry { card, from, to, employee }
    }

    fn reissued(card: u32, i: usize) -> CardEntry {
        CardEntry { card, from: i as i32, to: 0, employee: Self::REISSUED }
    }

    fn spans(&self) -> Spans {
        if self.employee == Self::REISSUED {
            Spans::Reissued(self.from as usize)
        } else {
            Spans::One((self.from, self.to, self.employee))
        }
    }
}

/// Why an event's card resolves to nobody.
enum NoHolder {
    UnknownCard,
    NotValidThatDay,
}

impl CardIndex {
    fn key(id: &str) -> Option<u128> {
        let b = id.as_bytes();
        (b.len() < 16).then(|| {
            let mut k = [0u8; 16];
            k[..b.len()].copy_from_slice(b);
            k[15] = b.len() as u8;
            u128::from_le_bytes(k)
        })
    }

    fn new() -> CardIndex {
        CardIndex { short: PlHashMap::default(), long: PlHashMap::default(), reissued: Vec::new(), ids: Vec::new() }
    }

    /// Records that `span.2` holds card `id` from day `span.0` to day `span.1`. Refuses (false) a
    /// span overlapping one the card already has: who held it on those days would be ambiguous.
    /// Cards are numbered in order of first appearance.
    fn add(&mut self, id: &str, span: CardSpan) -> bool {
        let entry = match Self::key(id) {
            Some(k) => self.short.get_mut(&k),
            None => self.long.get_mut(id),
        };
        let overlaps = |s: &CardSpan| s.0 <= span.1 && span.0 <= s.1;
        let Some(e) = entry else {
            let entry = CardEntry::one(self.ids.len() as u32, span);
            match Self::key(id) {
                Some(k) => self.short.insert(k, entry),
                None => self.long.insert(id.to_owned(), entry),
            };
            self.ids.push(id.to_owned());
            return true;
        };
        match e.spans() {
            Spans::One(first) => {
                if overlaps(&first) {
                    return false;
                }
                *e = CardEntry::reissued(e.card, self.reissued.len());
                self.reissued.push(vec![first, span]);
            }
            Spans::Reissued(i) => {
                let spans = &mut self.reissued[i];
                if spans.iter().any(overlaps) {
                    return false;
                }
                spans.push(span);
            }
        }
        true
    }

    /// The card's index and who held it on local day `day`.
    fn holder(&self, id: &str, day: i32) -> Result<(u32, u32), NoHolder> {
        let entry = match Self::key(id) {
            Some(k) => self.short.get(&k),
            None => self.long.get(id),
        }
        .ok_or(NoHolder::UnknownCard)?;
        let employee = match entry.spans() {
            Spans::One((from, to, employee)) => (from <= day && day <= to).then_some(employee),
            Spans::Reissued(i) => self.reissued[i].iter().find(|s| s.0 <= day && day <= s.1).map(|s| s.2),
        };
        employee.map(|e| (entry.card, e)).ok_or(NoHolder::NotValidThatDay)
    }
}

/// Reads the chunks of several logs in order.
struct LogReader<'a> {
    logs: &'a [LogSource],
    chunk_bytes: usize,
    current: Option<(usize, crate::input::csvin::LogChunks<'a>)>,
    next_file: usize,
}

impl<'a> LogReader<'a> {
    fn new(logs: &'a [LogSource], chunk_bytes: usize) -> LogReader<'a> {
        LogReader { logs, chunk_bytes, current: None, next_file: 0 }
    }

    /// Up to `n` (file index, chunk) pairs; empty at the end of the last file.
    fn batch(&mut self, n: usize) -> Result<Vec<(usize, LogChunk)>, FileError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if self.current.is_none() {
                let Some(log) = self.logs.get(self.next_file) else { break };
                self.current = Some((self.next_file, log.chunks(self.chunk_bytes)?));
                self.next_file += 1;
            }
            let (idx, chunks) = self.current.as_mut().expect("a current log");
            match chunks.next_chunk()? {
                Some(c) => out.push((*idx, c)),
                None => self.current = None,
            }
        }
        Ok(out)
    }
}

/// Files a log's merged counts, with the checksum computed while it was read.
fn finish_log(log: &LogSource, mut outcome: FileOutcome<()>, ledger: &mut Ledger) {
    log.sha256().unwrap_or_default().clone_into(&mut outcome.count.sha256);
    outcome.into_rows(ledger);
}

/// Size of the chunks access logs are read and parsed in (in parallel, a few at a time).
const LOG_CHUNK_BYTES: usize = 4 << 20;

/// Declares the columns of an input table: an enum whose variants index `NAMES` (the header names
/// `ingest_file` maps, in the same order), so rows are read by column name, never by a bare
/// position.
macro_rules! csv_columns {
    ($(#[$m:meta])* $name:ident { $($var:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy)]
        enum $name {
            $($var),+
        }

        impl $name {
            /// Header names, in variant order.
            const NAMES: &'static [&'static str] = &[$($code),+];

            /// Position of the column in the rows `ingest_file` hands out.
            const fn at(self) -> usize {
                self as usize
            }
        }
    };
}

csv_columns! {
    /// Columns of `sites.csv`.
    SiteCol {
        SiteId = "site_id",
        Name = "name",
        Lat = "lat",
        Lon = "lon",
        Municipality = "municipality",
        Workspaces = "workspaces",
        OpenedOn = "opened_on",
    }
}

csv_columns! {
    /// Columns of `companies.csv`.
    CompanyCol {
        CompanyId = "company_id",
        Name = "name",
        OfficeLat = "office_lat",
        OfficeLon = "office_lon",
        OfficeName = "office_name",
        PackageHoursPerQuarter = "package_hours_per_quarter",
    }
}

csv_columns! {
    /// Columns of `employees.csv`.
    EmployeeCol {
        EmployeeId = "employee_id",
        CompanyId = "company_id",
        CommuteMode = "commute_mode",
        HomeLat = "home_lat",
        HomeLon = "home_lon",
        HomePostcode = "home_postcode",
        CarFuel = "car_fuel",
        CarSize = "car_size",
        CarOccupancy = "car_occupancy",
        CenterMode = "center_mode",
        OfficeLat = "office_lat",
        OfficeLon = "office_lon",
    }
}

csv_columns! {
    /// Columns of `cards.csv`.
    CardCol {
        CardId = "card_id",
        EmployeeId = "employee_id",
        ValidFrom = "valid_from",
        ValidTo = "valid_to",
    }
}

csv_columns! {
    /// Columns of a candidates file (`navette plan --candidates`).
    CandidateCol {
        CandidateId = "candidate_id",
        Name = "name",
        Lat = "lat",
        Lon = "lon",
        Workspaces = "workspaces",
    }
}

/// A candidate site of a plan, from the candidates file.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Id, unique among candidates and distinct from every site id.
    pub candidate_id: String,
    /// Display name.
    pub name: String,
    /// Latitude (WGS84).
    pub lat: f64,
    /// Longitude (WGS84).
    pub lon: f64,
    /// Desks, when known.
    pub workspaces: Option<u32>,
}

/// Reads a candidates file (`candidate_id, name, lat, lon`, optional `workspaces`) like the other
/// inputs: a bad row is rejected into `ledger` with its line and reason (an id already used by a
/// site or an earlier candidate, a point outside the study area, a desk count that is not whole),
/// and the file's counts are recorded. A file without the required columns is an error.
pub fn read_candidates(
    file: &SourceFile,
    area: &StudyArea,
    site_ids: &[&str],
    ledger: &mut Ledger,
) -> Result<Vec<Candidate>, FileError> {
    let mut seen: PlHashSet<String> = PlHashSet::default();
    let outcome = ingest_file(file, "candidates", CandidateCol::NAMES, 4, |r| {
        let id = required(r, CandidateCol::CandidateId.at(), "candidate_id")?;
        if site_ids.contains(&id) {
            return Err((
                RejectReason::DuplicateId,
                format!(
                    "candidate_id {id:?} is the id of an existing site of sites.csv: give candidates their own ids"
                ),
            ));
        }
        let id = not_seen(&seen, id, "candidate_id")?;
        let (lat, lon) = point(r, CandidateCol::Lat.at(), CandidateCol::Lon.at(), "candidate", area)?
            .ok_or((RejectReason::MissingValue, "lat/lon are empty".into()))?;
        let workspaces = match number(r, CandidateCol::Workspaces.at(), "workspaces")? {
            Some(w) if w >= 1.0 && w.fract() == 0.0 && w < 100_000.0 => Some(w as u32),
            Some(w) => {
                return Err((RejectReason::OutOfRange, format!("workspaces = {w} is not a whole number of desks ≥ 1")));
            }
            None => None,
        };
        let name = required(r, CandidateCol::Name.at(), "name")?.to_owned();
        seen.insert(id.to_owned());
        Ok(Candidate { candidate_id: id.to_owned(), name, lat, lon, workspaces })
    })?;
    Ok(outcome.into_rows(ledger))
}

/// The reference tables, checked, and the card lookup the logs need.
struct Tables {
    sites: Vec<Site>,
    companies: Vec<Company>,
    employees: Vec<Employee>,
    cards: Vec<Card>,
    card_lookup: CardIndex,
    ledger: Ledger,
}

/// Reads sites, companies, employees and cards, in that order: each file's rows refer to the
/// accepted rows of the one before.
fn read_tables(src: &SourceSet, method: &MethodConfig, postcodes: &Postcodes) -> Result<Tables, FileError> {
    let mut ledger = Ledger::default();
    let area = &method.study_area;

    let mut seen = PlHashSet::default();
    let sites = ingest_file(&src.sites, "sites", SiteCol::NAMES, 4, |r| {
        let site_id = not_seen(&seen, required(r, SiteCol::SiteId.at(), "site_id")?, "site_id")?;
        let (lat, lon) = point(r, SiteCol::Lat.at(), SiteCol::Lon.at(), "site", area)?
            .ok_or((RejectReason::MissingValue, "lat/lon are empty".into()))?;
        let workspaces = match number(r, SiteCol::Workspaces.at(), "workspaces")? {
            Some(w) if w >= 0.0 && w.fract() == 0.0 && w < 100_000.0 => Some(w as u32),
            Some(w) => {
                return Err((RejectReason::OutOfRange, format!("workspaces = {w} is not a whole number of desks")));
            }
            None => None,
        };
        let opened_on = date(r, SiteCol::OpenedOn.at(), "opened_on")?;
        let name = required(r, SiteCol::Name.at(), "name")?.to_owned();
        seen.insert(site_id.to_owned());
        Ok(Site {
            site_id: site_id.to_owned(),
            name,
            lat,
            lon,
            municipality: r.get(SiteCol::Municipality.at()).map(str::to_owned),
            workspaces,
            opened_on,
        })
    })?
    .into_rows(&mut ledger);

    let mut seen = PlHashSet::default();
    let companies = ingest_file(&src.companies, "companies", CompanyCol::NAMES, 4, |r| {
        let company_id = not_seen(&seen, required(r, CompanyCol::CompanyId.at(), "company_id")?, "company_id")?;
        let (office_lat, office_lon) =
            point(r, CompanyCol::OfficeLat.at(), CompanyCol::OfficeLon.at(), "office", area)?
                .ok_or((RejectReason::MissingValue, "office_lat/office_lon are empty".into()))?;
        // `1.500` is 1500 hours to a Belgian reader and 1.5 to a parser: refuse to guess.
        if let Some(v) = r.get(CompanyCol::PackageHoursPerQuarter.at()).filter(|v| looks_like_thousands(v)) {
            return Err((
                RejectReason::BadNumber,
                format!(
                    "package_hours_per_quarter = {v:?} is ambiguous: write {} or use a decimal comma",
                    v.replace('.', "")
                ),
            ));
        }
        let package = number(r, CompanyCol::PackageHoursPerQuarter.at(), "package_hours_per_quarter")?;
        if package.is_some_and(|h| h < 0.0) {
            return Err((RejectReason::OutOfRange, "package_hours_per_quarter is negative".into()));
        }
        let name = required(r, CompanyCol::Name.at(), "name")?.to_owned();
        seen.insert(company_id.to_owned());
        Ok(Company {
            company_id: company_id.to_owned(),
            name,
            office_lat,
            office_lon,
            office_name: r.get(CompanyCol::OfficeName.at()).map(str::to_owned),
            package_hours_per_quarter: package,
        })
    })?
    .into_rows(&mut ledger);
    let company_index: PlHashMap<&str, usize> =
        companies.iter().enumerate().map(|(i, c)| (c.company_id.as_str(), i)).collect();

    let mut seen = PlHashSet::default();
    let employees = ingest_file(&src.employees, "employees", EmployeeCol::NAMES, 3, |r| {
        let employee_id = not_seen(&seen, required(r, EmployeeCol::EmployeeId.at(), "employee_id")?, "employee_id")?;
        let company_id = required(r, EmployeeCol::CompanyId.at(), "company_id")?;
        let company = *company_index.get(company_id).ok_or_else(|| {
            (
                RejectReason::UnknownCompany,
                format!("company_id {company_id:?} is not an accepted company of companies.csv"),
            )
        })?;
        let commute_mode = code(r, EmployeeCol::CommuteMode.at(), "commute_mode", Mode::parse, Mode::codes)?
            .ok_or((RejectReason::MissingValue, "commute_mode is empty".into()))?;
        let (home, home_source) = match (
            point(r, EmployeeCol::HomeLat.at(), EmployeeCol::HomeLon.at(), "home", area)?,
            r.get(EmployeeCol::HomePostcode.at()),
        ) {
            (Some(p), _) => (p, HomeSource::Coordinates),
            (None, Some(pc)) => {
                let p = postcodes.point(pc).ok_or_else(|| {
                    (RejectReason::UnknownPostcode, format!("home_postcode {pc:?} is not a Belgian postcode"))
                })?;
                (p, HomeSource::Postcode)
            }
            (None, None) => {
                return Err((RejectReason::MissingValue, "no home: give home_lat/home_lon or home_postcode".into()));
            }
        };
        let car_fuel =
            code(r, EmployeeCol::CarFuel.at(), "car_fuel", Fuel::parse, Fuel::codes)?.unwrap_or(Fuel::Unknown);
        let car_size =
            code(r, EmployeeCol::CarSize.at(), "car_size", CarSize::parse, CarSize::codes)?.unwrap_or(CarSize::Average);
        let occupancy = number(r, EmployeeCol::CarOccupancy.at(), "car_occupancy")?;
        if occupancy.is_some_and(|o| !(1.0..=9.0).contains(&o)) {
            return Err((RejectReason::OutOfRange, "car_occupancy must be between 1 and 9".into()));
        }
        let center_mode =
            code(r, EmployeeCol::CenterMode.at(), "center_mode", Mode::parse, Mode::codes)?.unwrap_or(commute_mode);
        let c = &companies[company];
        let own_office = point(r, EmployeeCol::OfficeLat.at(), EmployeeCol::OfficeLon.at(), "office", area)?;
        let occupancy_for = |mode: Mode, declared: Option<f64>| occupancy_for(mode, declared, method.carpool_occupancy);
        seen.insert(employee_id.to_owned());
        Ok(Employee {
            employee_id: employee_id.to_owned(),
            company,
            home,
            home_source,
            commute_mode,
            center_mode,
            car_fuel,
            car_size,
            commute_occupancy: occupancy_for(commute_mode, occupancy),
            center_occupancy: occupancy_for(center_mode, None),
            declared_occupancy: occupancy,
            office: own_office.unwrap_or((c.office_lat, c.office_lon)),
            own_office: own_office.is_some(),
        })
    })?
    .into_rows(&mut ledger);
    let employee_index: PlHashMap<&str, usize> =
        employees.iter().enumerate().map(|(i, e)| (e.employee_id.as_str(), i)).collect();

    // Events resolve their card's holder by local date.
    let mut card_lookup = CardIndex::new();
    let cards = ingest_file(&src.cards, "cards", CardCol::NAMES, 2, |r| {
        let card_id = required(r, CardCol::CardId.at(), "card_id")?;
        let employee_id = required(r, CardCol::EmployeeId.at(), "employee_id")?;
        let employee = *employee_index.get(employee_id).ok_or_else(|| {
            (
                RejectReason::UnknownEmployee,
                format!("employee_id {employee_id:?} is not an accepted row of employees.csv"),
            )
        })?;
        let (valid_from, valid_to) =
            (date(r, CardCol::ValidFrom.at(), "valid_from")?, date(r, CardCol::ValidTo.at(), "valid_to")?);
        let span = (valid_from.map_or(i32::MIN, clock::day_number), valid_to.map_or(i32::MAX, clock::day_number));
        if span.0 > span.1 {
            return Err((RejectReason::OutOfRange, "valid_from is after valid_to".into()));
        }
        if !card_lookup.add(card_id, (span.0, span.1, employee as u32)) {
            return Err((
                RejectReason::DuplicateId,
                format!("card {card_id:?} is already assigned over an overlapping period; the first row is kept"),
            ));
        }
        Ok(Card { card_id: card_id.to_owned(), employee, valid_from, valid_to })
    })?
    .into_rows(&mut ledger);
    // The id lookups borrow the tables they index; end the borrows before the tables move.
    drop((company_index, employee_index));
    Ok(Tables { sites, companies, employees, cards, card_lookup, ledger })
}

/// Reads and checks every input table, in dependency order.
pub fn ingest(
    src: &SourceSet,
    method: &MethodConfig,
    period: (NaiveDate, NaiveDate),
    postcodes: &Postcodes,
) -> Result<Inputs, FileError> {
    let batch_len = 2 * rayon::current_num_threads().max(1);
    let mut reader = LogReader::new(&src.access_logs, LOG_CHUNK_BYTES);
    // The tables are checked on one thread while the other reads and hashes a first, larger batch
    // of log chunks (64 MiB on 2 threads): the tables take long enough for that.
    let (tables, first_batch) = rayon::join(|| read_tables(src, method, postcodes), || reader.batch(4 * batch_len));
    let Tables { sites, companies, employees, cards, card_lookup, mut ledger } = tables?;

    let site_index: PlHashMap<&str, u32> =
        sites.iter().enumerate().map(|(i, s)| (s.site_id.as_str(), i as u32)).collect();
    let (first_day, last_day) = (clock::day_number(period.0), clock::day_number(period.1));

    // Logs are read in chunks of whole lines, a batch of chunks at a time: the batch is parsed in
    // parallel while the next one is read and hashed, so memory holds a few chunks, not the logs.
    // Chunks may span files; results are put back together in file and line order.
    let parse_chunk = |file_idx: usize, chunk: &LogChunk| -> Result<(Events, FileOutcome<()>), FileError> {
        let mut ev = Events::from_list(Vec::with_capacity(chunk.file.bytes.len() / 32));
        let mut clock = clock::StampParser::default();
        let columns = ["timestamp", "site_id", "card_id", "direction"];
        // Each site exports its own log: the site of the previous row is nearly always right.
        let mut last_site: Option<(&str, u32)> = None;
        let mut outcome = ingest_file(&chunk.file, "access_log", &columns, 4, |r| {
            let ts = required(r, 0, "timestamp")?;
            let stamp = clock.parse(ts).map_err(|e| match e {
                StampError::Malformed => (RejectReason::BadTimestamp, format!("timestamp {ts:?} is not ISO 8601")),
                StampError::Nonexistent => (
                    RejectReason::NonexistentLocalTime,
                    format!("timestamp {ts:?} falls in the spring-forward gap: that Brussels time never happened"),
                ),
            })?;
            let site_id = required(r, 1, "site_id")?;
            let site = match last_site {
                Some((id, k)) if id == site_id => k,
                _ => {
                    let (id, k) = site_index.get_key_value(site_id).ok_or_else(|| {
                        (RejectReason::UnknownSite, format!("site_id {site_id:?} is not an accepted site of sites.csv"))
                    })?;
                    last_site = Some((id, *k));
                    *k
                }
            };
            let card_id = required(r, 2, "card_id")?;
            let holder = card_lookup.holder(card_id, stamp.local_day);
            if let Err(NoHolder::UnknownCard) = holder {
                return Err((
                    RejectReason::UnknownCard,
                    format!("card_id {card_id:?} is not an accepted card of cards.csv"),
                ));
            }
            let direction = required(r, 3, "direction")?;
            let is_in = if direction.eq_ignore_ascii_case("in") || direction.eq_ignore_ascii_case("entry") {
                true
            } else if direction.eq_ignore_ascii_case("out") || direction.eq_ignore_ascii_case("exit") {
                false
            } else {
                return Err((RejectReason::BadDirection, format!("direction {direction:?}: use in or out")));
            };
            if stamp.local_day < first_day || stamp.local_day > last_day {
                return Err((RejectReason::OutsidePeriod, format!("{ts} is outside the study period")));
            }
            let (card, employee) = holder.map_err(|_| {
                (RejectReason::CardNotValid, format!("card {card_id:?} has no validity period covering {ts}"))
            })?;
            ev.push(Event {
                utc_s: stamp.utc_s,
                card,
                employee,
                site,
                local_day: stamp.local_day,
                local_sod: stamp.local_sod,
                file: file_idx as u32,
                line: (r.line + chunk.line_offset) as u32,
                is_in,
            });
            ev.ambiguous_local_times += u64::from(stamp.ambiguous);
            Ok(())
        })?;
        for reject in &mut outcome.rejects {
            reject.line += chunk.line_offset;
        }
        Ok((ev, outcome))
    };
    let mut events = Events::default();
    let mut merged: Option<(usize, FileOutcome<()>)> = None;
    let mut batch = first_batch?;
    while !batch.is_empty() {
        let (parsed, next) = rayon::join(
            || batch.par_iter().map(|(f, c)| parse_chunk(*f, c).map(|r| (*f, r))).collect::<Vec<_>>(),
            || reader.batch(batch_len),
        );
        for result in parsed {
            let (file_idx, (ev, outcome)) = result?;
            events.append(ev);
            match &mut merged {
                Some((idx, m)) if *idx == file_idx => {
                    add_capped(&mut m.rejects, outcome.rejects);
                    m.count.read += outcome.count.read;
                    m.count.accepted += outcome.count.accepted;
                    m.count.rejected += outcome.count.rejected;
                }
                _ => {
                    if let Some((idx, done)) = merged.take() {
                        finish_log(&src.access_logs[idx], done, &mut ledger);
                    }
                    merged = Some((file_idx, outcome));
                }
            }
        }
        batch = next?;
    }
    if let Some((idx, done)) = merged {
        finish_log(&src.access_logs[idx], done, &mut ledger);
    }

    // The site lookup borrows the table it indexes; end the borrow before the table moves.
    drop(site_index);
    Ok(Inputs {
        sites,
        companies,
        employees,
        cards,
        card_ids: card_lookup.ids,
        events,
        log_files: src.access_logs.iter().map(|f| f.name.clone()).collect(),
        ledger,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators_are_recognised() {
        for v in ["1.500", "12.000", "1.000.000"] {
            assert!(looks_like_thousands(v), "{v}");
        }
        for v in ["1500", "1.5", "1.50", "1,500", "1.5000", ".500", "1234.567"] {
            assert!(!looks_like_thousands(v), "{v}");
        }
    }

    #[test]
    fn log_chunks_keep_every_line_and_its_number() {
        let mut text = String::from("\u{feff}timestamp;site_id;card_id;direction\r\n");
        for i in 0..100 {
            text.push_str(&format!("2026-01-05T08:{:02}:00;S1;K{i};in\r\n", i % 60));
            if i % 17 == 0 {
                text.push_str("\r\n"); // blank lines count as lines
            }
        }
        let bytes = text.into_bytes();
        let log = LogSource::from_bytes("log.csv", bytes.clone());
        let mut chunks = log.chunks(300).unwrap();
        let mut seen = Vec::new();
        let mut n = 0;
        while let Some(c) = chunks.next_chunk().unwrap() {
            n += 1;
            read_rows(&c.file, &["card_id"], 1, |r| seen.push((r.line + c.line_offset, r.get(0).unwrap().to_owned())))
                .unwrap();
        }
        assert!(n > 5, "{n} chunks");
        let mut whole = Vec::new();
        read_rows(&SourceFile::from_bytes("log.csv", bytes.clone()), &["card_id"], 1, |r| {
            whole.push((r.line, r.get(0).unwrap().to_owned()))
        })
        .unwrap();
        assert_eq!(seen, whole);
        assert_eq!(seen.len(), 100);
        assert_eq!(seen[1], (4, "K1".to_owned()), "line 3 is blank");
        assert_eq!(log.sha256(), Some(SourceFile::from_bytes("", bytes).sha256.as_str()));
    }

    #[test]
    fn an_empty_log_is_read_once_and_named() {
        let log = LogSource::from_bytes("empty.csv", Vec::new());
        let mut chunks = log.chunks(300).unwrap();
        let c = chunks.next_chunk().unwrap().expect("one chunk, so the header is checked");
        assert!(c.file.bytes.is_empty());
        assert!(chunks.next_chunk().unwrap().is_none());
        assert!(log.sha256().is_some());
    }
}
