//! Reading and checking every input table. Each row is either accepted into a typed table or
//! rejected with file, line, reason and raw text; per-file counts reconcile. A file that cannot be
//! used at all (missing, missing columns) is an error that stops the run.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use polars::prelude::PlHashMap;
use rayon::prelude::*;

use crate::clock::{self, StampError};
use crate::config::{MethodConfig, StudyArea};
use crate::csvin::{FileError, Row, SourceFile, parse_decimal, read_rows};
use crate::mode::{CarSize, Fuel, Mode};
use crate::places::Postcodes;
use crate::quality::{FileCount, Ledger, Reject, RejectReason};

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

/// Accepted access events, column by column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Events {
    /// Index of the card's id in `card_ids`.
    pub card: Vec<u32>,
    /// Index into the employees table.
    pub employee: Vec<u32>,
    /// Index into the sites table.
    pub site: Vec<u32>,
    /// Seconds since the Unix epoch, UTC.
    pub utc_s: Vec<i64>,
    /// Brussels local date (days since 1970-01-01).
    pub local_day: Vec<i32>,
    /// Brussels local seconds since midnight.
    pub local_sod: Vec<u32>,
    /// `true` for `in`.
    pub is_in: Vec<bool>,
    /// Index of the log file in `Inputs::log_files`.
    pub file: Vec<u32>,
    /// Line in that file.
    pub line: Vec<u32>,
    /// Events whose local time fell in the repeated October hour (earlier instant taken).
    pub ambiguous_local_times: u64,
}

impl Events {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.utc_s.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.utc_s.is_empty()
    }

    fn append(&mut self, mut o: Events) {
        self.card.append(&mut o.card);
        self.employee.append(&mut o.employee);
        self.site.append(&mut o.site);
        self.utc_s.append(&mut o.utc_s);
        self.local_day.append(&mut o.local_day);
        self.local_sod.append(&mut o.local_sod);
        self.is_in.append(&mut o.is_in);
        self.file.append(&mut o.file);
        self.line.append(&mut o.line);
        self.ambiguous_local_times += o.ambiguous_local_times;
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
    /// Access logs, in configured order (globs expanded and sorted).
    pub access_logs: Vec<SourceFile>,
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
    rows: Vec<(u64, T)>,
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
            Ok(t) => rows.push((row.line, t)),
            Err((reason, detail)) => {
                rejects.push(Reject { file: file.name.clone(), line: row.line, reason, detail, raw: row.raw() })
            }
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
        ledger.rejects.extend(self.rejects);
        ledger.files.push(self.count);
        self.rows.into_iter().map(|(_, t)| t).collect()
    }
}

fn required<'a>(row: &Row<'a>, i: usize, name: &str) -> RowResult<&'a str> {
    row.get(i).ok_or_else(|| (RejectReason::MissingValue, format!("{name} is empty")))
}

fn number(row: &Row<'_>, i: usize, name: &str) -> RowResult<Option<f64>> {
    match row.get(i) {
        None => Ok(None),
        Some(v) => parse_decimal(v)
            .map(Some)
            .ok_or_else(|| (RejectReason::BadNumber, format!("{name} = {v:?} is not a number"))),
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
    let lat = number(row, lat_i, &format!("{what}_lat"))?;
    let lon = number(row, lon_i, &format!("{what}_lon"))?;
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
fn not_seen<'a>(seen: &HashSet<String>, id: &'a str, name: &str) -> RowResult<&'a str> {
    if seen.contains(id) {
        Err((
            RejectReason::DuplicateId,
            format!("{name} {id:?} is already defined by an accepted row above, which is kept"),
        ))
    } else {
        Ok(id)
    }
}

/// Size of the pieces large access logs are cut into for parallel parsing.
const LOG_PIECE_BYTES: usize = 8 << 20;

/// A piece of an access log: the header line followed by whole lines of the body.
struct LogPiece {
    /// Header + lines, named and hashed as the whole file.
    file: SourceFile,
    /// Add to a line number of the piece to get the line in the whole file.
    line_offset: u64,
}

/// Cuts a log into pieces of about `max_bytes` at line ends. A quoted field holding a line break
/// exactly at a cut would be split into two malformed rows (rejected, never lost); access logs
/// have no such fields.
fn split_log(file: &SourceFile, max_bytes: usize) -> Vec<LogPiece> {
    let bytes = &file.bytes;
    let whole = |f: &SourceFile| vec![LogPiece { file: f.clone(), line_offset: 0 }];
    let Some(header_end) = bytes.iter().position(|&b| b == b'\n').map(|i| i + 1) else { return whole(file) };
    if bytes.len() <= max_bytes {
        return whole(file);
    }
    let header = &bytes[..header_end];
    let mut pieces = Vec::new();
    let (mut start, mut lines_before) = (header_end, 1u64);
    while start < bytes.len() {
        let mut end = (start + max_bytes).min(bytes.len());
        if end < bytes.len() {
            end += bytes[end..].iter().position(|&b| b == b'\n').map_or(bytes.len() - end, |i| i + 1);
        }
        let mut piece = Vec::with_capacity(header.len() + end - start);
        piece.extend_from_slice(header);
        piece.extend_from_slice(&bytes[start..end]);
        // The piece's first data line is its line 2; in the file it is `lines_before + 1`.
        pieces.push(LogPiece {
            file: SourceFile { name: file.name.clone(), bytes: piece, sha256: file.sha256.clone() },
            line_offset: lines_before - 1,
        });
        lines_before += bytes[start..end].iter().filter(|&&b| b == b'\n').count() as u64;
        start = end;
    }
    pieces
}

/// Reads and checks every input table, in dependency order.
pub fn ingest(
    src: &SourceSet,
    method: &MethodConfig,
    period: (NaiveDate, NaiveDate),
    postcodes: &Postcodes,
) -> Result<Inputs, FileError> {
    let mut ledger = Ledger::default();
    let area = &method.study_area;

    let mut seen = HashSet::new();
    let sites = ingest_file(
        &src.sites,
        "sites",
        &["site_id", "name", "lat", "lon", "municipality", "workspaces", "opened_on"],
        4,
        |r| {
            let site_id = not_seen(&seen, required(r, 0, "site_id")?, "site_id")?;
            let (lat, lon) =
                point(r, 2, 3, "site", area)?.ok_or((RejectReason::MissingValue, "lat/lon are empty".into()))?;
            let workspaces = match number(r, 5, "workspaces")? {
                Some(w) if w >= 0.0 && w.fract() == 0.0 && w < 100_000.0 => Some(w as u32),
                Some(w) => {
                    return Err((RejectReason::OutOfRange, format!("workspaces = {w} is not a whole number of desks")));
                }
                None => None,
            };
            let opened_on = date(r, 6, "opened_on")?;
            let name = required(r, 1, "name")?.to_owned();
            seen.insert(site_id.to_owned());
            Ok(Site {
                site_id: site_id.to_owned(),
                name,
                lat,
                lon,
                municipality: r.get(4).map(str::to_owned),
                workspaces,
                opened_on,
            })
        },
    )?
    .into_rows(&mut ledger);

    let mut seen = HashSet::new();
    let companies = ingest_file(
        &src.companies,
        "companies",
        &["company_id", "name", "office_lat", "office_lon", "office_name", "package_hours_per_quarter"],
        4,
        |r| {
            let company_id = not_seen(&seen, required(r, 0, "company_id")?, "company_id")?;
            let (office_lat, office_lon) = point(r, 2, 3, "office", area)?
                .ok_or((RejectReason::MissingValue, "office_lat/office_lon are empty".into()))?;
            // `1.500` is 1500 hours to a Belgian reader and 1.5 to a parser: refuse to guess.
            if let Some(v) = r.get(5).filter(|v| looks_like_thousands(v)) {
                return Err((
                    RejectReason::BadNumber,
                    format!(
                        "package_hours_per_quarter = {v:?} is ambiguous: write {} or use a decimal comma",
                        v.replace('.', "")
                    ),
                ));
            }
            let package = number(r, 5, "package_hours_per_quarter")?;
            if package.is_some_and(|h| h < 0.0) {
                return Err((RejectReason::OutOfRange, "package_hours_per_quarter is negative".into()));
            }
            let name = required(r, 1, "name")?.to_owned();
            seen.insert(company_id.to_owned());
            Ok(Company {
                company_id: company_id.to_owned(),
                name,
                office_lat,
                office_lon,
                office_name: r.get(4).map(str::to_owned),
                package_hours_per_quarter: package,
            })
        },
    )?
    .into_rows(&mut ledger);
    let company_index: HashMap<&str, usize> =
        companies.iter().enumerate().map(|(i, c)| (c.company_id.as_str(), i)).collect();

    let mut seen = HashSet::new();
    let employees = ingest_file(
        &src.employees,
        "employees",
        &[
            "employee_id",
            "company_id",
            "commute_mode",
            "home_lat",
            "home_lon",
            "home_postcode",
            "car_fuel",
            "car_size",
            "car_occupancy",
            "center_mode",
            "office_lat",
            "office_lon",
        ],
        3,
        |r| {
            let employee_id = not_seen(&seen, required(r, 0, "employee_id")?, "employee_id")?;
            let company_id = required(r, 1, "company_id")?;
            let company = *company_index.get(company_id).ok_or_else(|| {
                (
                    RejectReason::UnknownCompany,
                    format!("company_id {company_id:?} is not an accepted company of companies.csv"),
                )
            })?;
            let commute_mode = code(r, 2, "commute_mode", Mode::parse, Mode::codes)?
                .ok_or((RejectReason::MissingValue, "commute_mode is empty".into()))?;
            let (home, home_source) = match (point(r, 3, 4, "home", area)?, r.get(5)) {
                (Some(p), _) => (p, HomeSource::Coordinates),
                (None, Some(pc)) => {
                    let p = postcodes.point(pc).ok_or_else(|| {
                        (RejectReason::UnknownPostcode, format!("home_postcode {pc:?} is not a Belgian postcode"))
                    })?;
                    (p, HomeSource::Postcode)
                }
                (None, None) => {
                    return Err((
                        RejectReason::MissingValue,
                        "no home: give home_lat/home_lon or home_postcode".into(),
                    ));
                }
            };
            let car_fuel = code(r, 6, "car_fuel", Fuel::parse, Fuel::codes)?.unwrap_or(Fuel::Unknown);
            let car_size = code(r, 7, "car_size", CarSize::parse, CarSize::codes)?.unwrap_or(CarSize::Average);
            let occupancy = number(r, 8, "car_occupancy")?;
            if occupancy.is_some_and(|o| !(1.0..=9.0).contains(&o)) {
                return Err((RejectReason::OutOfRange, "car_occupancy must be between 1 and 9".into()));
            }
            let center_mode = code(r, 9, "center_mode", Mode::parse, Mode::codes)?.unwrap_or(commute_mode);
            let c = &companies[company];
            let own_office = point(r, 10, 11, "office", area)?;
            let occupancy_for =
                |mode: Mode, declared: Option<f64>| occupancy_for(mode, declared, method.carpool_occupancy);
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
        },
    )?
    .into_rows(&mut ledger);
    let employee_index: HashMap<&str, usize> =
        employees.iter().enumerate().map(|(i, e)| (e.employee_id.as_str(), i)).collect();

    let mut periods: HashMap<String, Vec<(i32, i32)>> = HashMap::new();
    let cards = ingest_file(&src.cards, "cards", &["card_id", "employee_id", "valid_from", "valid_to"], 2, |r| {
        let card_id = required(r, 0, "card_id")?;
        let employee_id = required(r, 1, "employee_id")?;
        let employee = *employee_index.get(employee_id).ok_or_else(|| {
            (
                RejectReason::UnknownEmployee,
                format!("employee_id {employee_id:?} is not an accepted row of employees.csv"),
            )
        })?;
        let (valid_from, valid_to) = (date(r, 2, "valid_from")?, date(r, 3, "valid_to")?);
        let span = (valid_from.map_or(i32::MIN, clock::day_number), valid_to.map_or(i32::MAX, clock::day_number));
        if span.0 > span.1 {
            return Err((RejectReason::OutOfRange, "valid_from is after valid_to".into()));
        }
        let spans = periods.entry(card_id.to_owned()).or_default();
        if spans.iter().any(|s| s.0 <= span.1 && span.0 <= s.1) {
            return Err((
                RejectReason::DuplicateId,
                format!("card {card_id:?} is already assigned over an overlapping period; the first row is kept"),
            ));
        }
        spans.push(span);
        Ok(Card { card_id: card_id.to_owned(), employee, valid_from, valid_to })
    })?
    .into_rows(&mut ledger);

    // Card id → (index, validity spans). Events resolve their holder by local date.
    let mut card_ids: Vec<String> = Vec::new();
    // Looked up once per badge event: polars' fast hasher rather than SipHash.
    let mut card_lookup: PlHashMap<&str, (u32, Vec<CardSpan>)> = PlHashMap::default();
    for c in &cards {
        let entry = card_lookup.entry(c.card_id.as_str()).or_insert_with(|| {
            card_ids.push(c.card_id.clone());
            ((card_ids.len() - 1) as u32, Vec::new())
        });
        entry.1.push((
            c.valid_from.map_or(i32::MIN, clock::day_number),
            c.valid_to.map_or(i32::MAX, clock::day_number),
            c.employee as u32,
        ));
    }
    let site_index: PlHashMap<&str, u32> =
        sites.iter().enumerate().map(|(i, s)| (s.site_id.as_str(), i as u32)).collect();
    let (first_day, last_day) = (clock::day_number(period.0), clock::day_number(period.1));

    // Large logs are cut into pieces at line ends so that both cores work even when one site's
    // export dwarfs the others; pieces are put back together in file and line order.
    let pieces: Vec<(usize, LogPiece)> = src
        .access_logs
        .iter()
        .enumerate()
        .flat_map(|(file_idx, file)| split_log(file, LOG_PIECE_BYTES).into_iter().map(move |p| (file_idx, p)))
        .collect();
    type Parsed = Result<(usize, Events, FileOutcome<()>), FileError>;
    let per_piece: Vec<Parsed> = pieces
        .par_iter()
        .map(|(file_idx, piece)| {
            let (file_idx, line_offset) = (*file_idx, piece.line_offset);
            let mut ev = Events::default();
            let mut clock = clock::StampParser::default();
            let mut outcome =
                ingest_file(&piece.file, "access_log", &["timestamp", "site_id", "card_id", "direction"], 4, |r| {
                    let ts = required(r, 0, "timestamp")?;
                    let stamp = clock.parse(ts).map_err(|e| match e {
                        StampError::Malformed => {
                            (RejectReason::BadTimestamp, format!("timestamp {ts:?} is not ISO 8601"))
                        }
                        StampError::Nonexistent => (
                            RejectReason::NonexistentLocalTime,
                            format!(
                                "timestamp {ts:?} falls in the spring-forward gap: that Brussels time never happened"
                            ),
                        ),
                    })?;
                    let site_id = required(r, 1, "site_id")?;
                    let site = *site_index.get(site_id).ok_or_else(|| {
                        (RejectReason::UnknownSite, format!("site_id {site_id:?} is not an accepted site of sites.csv"))
                    })?;
                    let card_id = required(r, 2, "card_id")?;
                    let (card, spans) = card_lookup.get(card_id).ok_or_else(|| {
                        (RejectReason::UnknownCard, format!("card_id {card_id:?} is not an accepted card of cards.csv"))
                    })?;
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
                    let employee = spans
                        .iter()
                        .find(|s| s.0 <= stamp.local_day && stamp.local_day <= s.1)
                        .map(|s| s.2)
                        .ok_or_else(|| {
                            (
                                RejectReason::CardNotValid,
                                format!("card {card_id:?} has no validity period covering {ts}"),
                            )
                        })?;
                    ev.card.push(*card);
                    ev.employee.push(employee);
                    ev.site.push(site);
                    ev.utc_s.push(stamp.utc_s);
                    ev.local_day.push(stamp.local_day);
                    ev.local_sod.push(stamp.local_sod);
                    ev.is_in.push(is_in);
                    ev.file.push(file_idx as u32);
                    ev.line.push((r.line + line_offset) as u32);
                    ev.ambiguous_local_times += u64::from(stamp.ambiguous);
                    Ok(())
                })?;
            for reject in &mut outcome.rejects {
                reject.line += line_offset;
            }
            Ok((file_idx, ev, outcome))
        })
        .collect();
    let mut events = Events::default();
    let mut merged: Option<(usize, FileOutcome<()>)> = None;
    for result in per_piece {
        let (file_idx, ev, outcome) = result?;
        events.append(ev);
        match &mut merged {
            Some((idx, m)) if *idx == file_idx => {
                m.rejects.extend(outcome.rejects);
                m.count.read += outcome.count.read;
                m.count.accepted += outcome.count.accepted;
                m.count.rejected += outcome.count.rejected;
            }
            _ => {
                if let Some((_, done)) = merged.take() {
                    done.into_rows(&mut ledger);
                }
                merged = Some((file_idx, outcome));
            }
        }
    }
    if let Some((_, done)) = merged {
        done.into_rows(&mut ledger);
    }

    // The lookups borrow the tables they index; end the borrows before the tables move.
    drop(site_index);
    drop(card_lookup);
    Ok(Inputs {
        sites,
        companies,
        employees,
        cards,
        card_ids,
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
    fn log_pieces_keep_every_line_and_its_number() {
        let mut text = String::from("timestamp,site_id,card_id,direction\n");
        for i in 0..100 {
            text.push_str(&format!("2026-01-05T08:{:02}:00,S1,K{i},in\n", i % 60));
        }
        let file = SourceFile::from_bytes("log.csv", text.into_bytes());
        let pieces = split_log(&file, 300);
        assert!(pieces.len() > 5);
        let mut seen = Vec::new();
        for p in &pieces {
            crate::csvin::read_rows(&p.file, &["card_id"], 1, |r| {
                seen.push((r.line + p.line_offset, r.get(0).unwrap().to_owned()))
            })
            .unwrap();
        }
        let expect: Vec<(u64, String)> = (0..100).map(|i| (i as u64 + 2, format!("K{i}"))).collect();
        assert_eq!(seen, expect);
    }
}
