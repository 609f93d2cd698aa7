//! `study.toml`: what a study reads and how it computes.
//!
//! Parsing is strict (`deny_unknown_fields`): a misspelt key stops the run instead of being
//! silently ignored, and every check returns a message that says what to fix.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::method::mode::Mode;

pub mod plan;

pub use plan::PlanSection;

/// Errors in a study configuration. Each message names the key and what a valid value looks like.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}")]
    Read {
        /// The config path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown key or wrong type.
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The config path.
        path: String,
        /// The parser's message (names the key and line).
        message: String,
    },
    /// A value is syntactically fine but unusable.
    #[error("invalid config {path}: {message}")]
    Invalid {
        /// The config path.
        path: String,
        /// What to fix.
        message: String,
    },
}

/// The largest `study.toml` read (a real one is a few KiB).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The whole `study.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyConfig {
    /// Name and period.
    pub study: StudySection,
    /// Input files, relative to the config file.
    pub inputs: InputsSection,
    /// Method options; every field has a documented default.
    #[serde(default)]
    pub method: MethodConfig,
    /// Privacy options.
    pub privacy: PrivacyConfig,
    /// Output options.
    #[serde(default)]
    pub output: OutputConfig,
    /// Site planning (`navette plan`): every key has a default.
    #[serde(default)]
    pub plan: PlanSection,
    /// The energy of the places of work (optional, off by default): every key has a default.
    #[serde(default)]
    pub energy: crate::method::energy::EnergyConfig,
    /// Variants of the method computed beside the base run (`[[scenarios]]`).
    #[serde(default)]
    pub scenarios: Vec<ScenarioConfig>,
}

/// `[output]`
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// How the Parquet copy of the warehouse is laid out.
    pub parquet_layout: ParquetLayout,
}

/// Layout of `parquet/`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParquetLayout {
    /// One file per table: `parquet/<table>.parquet`.
    #[default]
    Single,
    /// The large tables as Hive-partitioned folders: `parquet/<table>/quarter=…/company_id=…/part-0.parquet`.
    Hive,
}

impl ParquetLayout {
    /// Lower-case code as used in the config and in `run_info`.
    pub fn code(self) -> &'static str {
        match self {
            ParquetLayout::Single => "single",
            ParquetLayout::Hive => "hive",
        }
    }
}

/// One `[[scenarios]]` entry: a name and `key=value` overrides, as `--set` takes them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Name (letters, digits, `_`, `-`; not `base`), the value of the `scenario` column.
    pub name: String,
    /// Overrides of `method.*` keys or `inputs.factors`, e.g. `["method.boundary=ttw"]`.
    pub set: Vec<String>,
}

/// `[study]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudySection {
    /// Human-readable name, shown in reports.
    pub name: String,
    /// First day of the study period (inclusive, Europe/Brussels local date).
    #[serde(deserialize_with = "de_date")]
    pub from: NaiveDate,
    /// Last day of the study period (inclusive).
    #[serde(deserialize_with = "de_date")]
    pub to: NaiveDate,
    /// Report language: `fr` (default), `nl` or `en`.
    #[serde(default = "default_language")]
    pub language: String,
    /// Report language per company id, overriding `language` for that company's reports
    /// (`company_languages = { C02 = "nl" }`).
    #[serde(default)]
    pub company_languages: std::collections::BTreeMap<String, String>,
}

/// Accepts a TOML date (`from = 2026-01-01`) or a string (`from = "2026-01-01"`).
fn de_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Toml(dt) => dt.to_string(),
        Raw::Text(s) => s,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|_| serde::de::Error::custom(format!("{text:?} is not a date like 2026-01-01")))
}

fn default_language() -> String {
    "fr".to_owned()
}

/// `[inputs]`: paths relative to the directory holding `study.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsSection {
    /// `sites.csv`.
    pub sites: String,
    /// `companies.csv`.
    pub companies: String,
    /// `employees.csv`.
    pub employees: String,
    /// `cards.csv`.
    pub cards: String,
    /// Access-log files or globs (`*` and `?` in the file name).
    pub access_logs: Vec<String>,
    /// Optional emission-factor overrides (same columns as the shipped factor set).
    #[serde(default)]
    pub factors: Option<String>,
    /// Optional OpenStreetMap extract (`.osm.pbf`): car, bike and walking legs are then routed.
    #[serde(default)]
    pub osm: Option<String>,
    /// Optional file of the prepared road network (`navette network build`): reused when it was
    /// prepared from the same `osm` file (same sha256), else rebuilt and written there.
    #[serde(default)]
    pub road_network: Option<String>,
    /// Optional GTFS feeds (zip archives or folders): train, bus, tram and metro legs are then
    /// computed on the timetables (`[method.transit]`).
    #[serde(default)]
    pub gtfs: Vec<String>,
}

/// Which part of the fuel chain CO2e covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    /// Tank-to-wheel: combustion (and grid generation for electric modes).
    Ttw,
    /// Well-to-wheel: tank-to-wheel plus the fuel or electricity supply chain.
    Wtw,
}

impl Boundary {
    /// Lower-case code as used in files and SQL.
    pub fn code(self) -> &'static str {
        match self {
            Boundary::Ttw => "ttw",
            Boundary::Wtw => "wtw",
        }
    }
}

/// One distance band of the great-circle estimate for a mode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateBand {
    /// The mode this band applies to.
    pub mode: Mode,
    /// The band applies from this great-circle distance (km) up to the next band of the mode.
    pub from_km: f64,
    /// Routed distance ÷ great-circle distance (ISO 14083 distance adjustment factor).
    pub detour: f64,
    /// Door-to-door speed over the routed distance.
    pub speed_kmh: f64,
}

/// `[method]`: every option of the calculation. Defaults are the documented method.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MethodConfig {
    /// `ttw` or `wtw` (default `wtw`, as ISO 14083).
    pub boundary: Boundary,
    /// Shipped factor set (`be-2025`).
    pub factor_set: String,
    /// Presence that makes a center day replace an office day (hours).
    pub min_hours_office_day: f64,
    /// Longest credible visit; longer ones are capped and flagged (hours).
    pub max_visit_hours: f64,
    /// A swipe repeating the previous one (same card, site, direction) within this window is a
    /// duplicate (seconds).
    pub duplicate_window_s: u32,
    /// Duration credited to an `in` without a matching `out` (hours). The default 0 is
    /// conservative: the trip counts, no hours are billed and no office day is replaced by it.
    pub open_visit_hours: f64,
    /// Occupants of a car for mode `carpool` when the employee row gives none.
    pub carpool_occupancy: f64,
    /// Rebound: share (0–1) of the avoided office round trip that is travelled anyway on a
    /// replaced office day (errands, school runs…), by the commute mode. A user assumption;
    /// default 0 (no rebound).
    pub rebound_share: f64,
    /// Replacements for the built-in estimate bands: giving any band for a mode replaces all the
    /// built-in bands of that mode.
    pub estimate: Vec<EstimateBand>,
    /// Road routing options (used when `inputs.osm` is set).
    pub routing: RoutingConfig,
    /// Box every home, site and office must fall in; a point outside is rejected as a typo or a
    /// swapped lat/lon. Default: Belgium and its neighbours' border regions.
    pub study_area: StudyArea,
    /// Public-transport options (used when `inputs.gtfs` is set).
    pub transit: TransitConfig,
    /// Train legs through real stations when there is no GTFS feed.
    pub rail: RailConfig,
}

/// `[method.rail]`: train legs without timetables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RailConfig {
    /// `builtin` (default): train legs go through the shipped SNCB/NMBS stations when the study
    /// has no GTFS feed; `off`: they keep the flat estimate.
    pub stations: RailStations,
}

impl Default for RailConfig {
    fn default() -> Self {
        RailConfig { stations: RailStations::Builtin }
    }
}

/// Which stations train legs without timetables go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RailStations {
    /// The shipped iRail list of Belgian stations (`datasets/rail/stations.csv`).
    Builtin,
    /// None: train legs keep the flat estimate.
    Off,
}

/// How a home reaches its stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    /// On foot (no emissions).
    Walk,
    /// By bike (the `bike` factor, 0 in `be-2025`).
    Bike,
}

/// `[method.transit]`: public transport on the GTFS timetables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransitConfig {
    /// Arrival at the office or site in the morning (`HH:MM`, local time of the feeds).
    pub arrive_by: String,
    /// Departure from the office or site in the evening (`HH:MM`).
    pub depart_at: String,
    /// The timetable day (`YYYY-MM-DD`); default: the weekday of the study period with the most
    /// trips running (ties: earliest).
    pub service_date: Option<String>,
    /// Journeys use vehicles within this many hours before `arrive_by` / after `depart_at`.
    pub window_h: f64,
    /// How homes reach stops: `walk` or `bike`.
    pub access_mode: AccessMode,
    /// Access speed from home (km/h); default 4.5 for walk, 15 for bike.
    pub access_speed_kmh: Option<f64>,
    /// Farthest stop from a home (straight line, m).
    pub max_access_m: f64,
    /// Farthest stop from an office or site (straight line, m), walked.
    pub max_egress_m: f64,
    /// Walking speed at the office end and between stops (km/h).
    pub walk_speed_kmh: f64,
    /// Walked or ridden distance ÷ straight line.
    pub detour: f64,
    /// Stops closer than this (straight line, m) are linked by a walking transfer.
    pub transfer_radius_m: f64,
    /// Time to change vehicles at one stop when `transfers.txt` does not say (s).
    pub min_change_s: u32,
}

impl Default for TransitConfig {
    fn default() -> Self {
        TransitConfig {
            arrive_by: "09:00".into(),
            depart_at: "17:30".into(),
            service_date: None,
            window_h: 3.0,
            access_mode: AccessMode::Walk,
            access_speed_kmh: None,
            max_access_m: 1000.0,
            max_egress_m: 1000.0,
            walk_speed_kmh: 4.5,
            detour: 1.3,
            transfer_radius_m: 400.0,
            min_change_s: 60,
        }
    }
}

impl TransitConfig {
    /// Seconds after midnight of an `HH:MM` time.
    pub fn seconds(hhmm: &str) -> Option<i32> {
        let (h, m) = hhmm.trim().split_once(':')?;
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        ((0..=30).contains(&h) && (0..60).contains(&m)).then_some(h * 3600 + m * 60)
    }

    /// The home-end speed (km/h).
    pub fn access_kmh(&self) -> f64 {
        self.access_speed_kmh.unwrap_or(match self.access_mode {
            AccessMode::Walk => self.walk_speed_kmh,
            AccessMode::Bike => 15.0,
        })
    }

    fn check(&self) -> Result<(), String> {
        for (key, v) in [("arrive_by", &self.arrive_by), ("depart_at", &self.depart_at)] {
            if TransitConfig::seconds(v).is_none() {
                return Err(format!("method.transit.{key} = {v:?}: give a time as \"HH:MM\" (e.g. \"09:00\")"));
            }
        }
        if let Some(d) = &self.service_date
            && navette_transit::Date::parse_iso(d).is_none()
        {
            return Err(format!("method.transit.service_date = {d:?}: give a date as \"YYYY-MM-DD\""));
        }
        let range = |key: &str, v: f64, lo: f64, hi: f64, unit: &str| -> Result<(), String> {
            if v.is_finite() && v >= lo && v <= hi {
                Ok(())
            } else {
                Err(format!("method.transit.{key} = {v}: use {unit} between {lo} and {hi}"))
            }
        };
        range("window_h", self.window_h, 0.5, 12.0, "hours")?;
        range("access_speed_kmh", self.access_kmh(), 1.0, 40.0, "km/h")?;
        range("walk_speed_kmh", self.walk_speed_kmh, 1.0, 10.0, "km/h")?;
        range("max_access_m", self.max_access_m, 50.0, 20_000.0, "metres")?;
        range("max_egress_m", self.max_egress_m, 50.0, 5_000.0, "metres")?;
        range("detour", self.detour, 1.0, 3.0, "a factor")?;
        range("transfer_radius_m", self.transfer_radius_m, 0.0, 2_000.0, "metres")?;
        range("min_change_s", self.min_change_s as f64, 0.0, 1_800.0, "seconds")?;
        Ok(())
    }
}

/// `[method.study_area]`: a latitude/longitude box (degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyArea {
    /// Southern and northern bounds.
    pub lat: [f64; 2],
    /// Western and eastern bounds.
    pub lon: [f64; 2],
}

impl Default for StudyArea {
    fn default() -> Self {
        StudyArea { lat: [49.0, 52.0], lon: [2.0, 7.0] }
    }
}

/// `[method.routing]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingConfig {
    /// Farthest a home, site or office may be from a road of the mode (m); farther legs fall back
    /// to the estimate, flagged `home_off_network` or `destination_off_network`.
    pub max_snap_m: f64,
    /// E-bike riding speed (km/h): e-bike legs take the bicycle route, timed at this speed
    /// instead of the bicycle profile's 15 km/h.
    pub ebike_speed_kmh: f64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig { max_snap_m: 1000.0, ebike_speed_kmh: 20.0 }
    }
}

impl Default for MethodConfig {
    fn default() -> Self {
        MethodConfig {
            boundary: Boundary::Wtw,
            factor_set: "be-2025".to_owned(),
            min_hours_office_day: 4.0,
            max_visit_hours: 12.0,
            duplicate_window_s: 120,
            open_visit_hours: 0.0,
            carpool_occupancy: 2.0,
            rebound_share: 0.0,
            estimate: Vec::new(),
            routing: RoutingConfig::default(),
            study_area: StudyArea::default(),
            transit: TransitConfig::default(),
            rail: RailConfig::default(),
        }
    }
}

/// `[privacy]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    /// Smallest group of employees a report may show (default 5).
    #[serde(default = "default_k")]
    pub k_anonymity: u32,
    /// Secret key for pseudonymous employee ids (HMAC-SHA256). Keep it out of shared folders:
    /// whoever holds it can link warehouse rows back to HR ids.
    pub pseudonym_key: String,
}

fn default_k() -> u32 {
    5
}

/// A parsed and checked study, with input paths resolved against the config's folder.
#[derive(Debug, Clone)]
pub struct Study {
    /// The configuration as written (after defaults).
    pub config: StudyConfig,
    /// Folder the relative input paths are resolved against.
    pub base_dir: PathBuf,
    /// Where the config came from (for messages and run info).
    pub origin: String,
}

/// One `[[scenarios]]` entry, resolved: the study with its overrides applied.
#[derive(Debug, Clone)]
pub struct ScenarioVariant {
    /// The scenario's name (`[[scenarios]] name`).
    pub name: String,
    /// Its `key=value` overrides, as written.
    pub overrides: Vec<String>,
    /// The study with the overrides applied (and no scenarios of its own).
    pub study: Study,
}

impl Study {
    /// Parses and checks a config text. `origin` names it in messages.
    pub fn from_toml(text: &str, base_dir: &Path, origin: &str) -> Result<Study, ConfigError> {
        let config: StudyConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        check(&config).map_err(|message| ConfigError::Invalid { path: origin.to_owned(), message })?;
        let study = Study { config, base_dir: base_dir.to_path_buf(), origin: origin.to_owned() };
        // Every scenario must give a valid study too: a typo in one stops the run before any work.
        study.scenarios()?;
        Ok(study)
    }

    /// Reads, parses and checks `study.toml`.
    pub fn load(path: &Path) -> Result<Study, ConfigError> {
        let read = |source| ConfigError::Read { path: path.to_path_buf(), source };
        let bytes = crate::input::csvin::read_capped(path, MAX_CONFIG_BYTES, "a study.toml").map_err(read)?;
        let text = String::from_utf8(bytes)
            .map_err(|e| read(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}"))))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() { PathBuf::from(".") } else { base };
        Study::from_toml(&text, &base, &path.display().to_string())
    }

    /// Applies `key=value` overrides (e.g. `method.boundary=ttw`) on top of the file's values.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Study, ConfigError> {
        if sets.is_empty() {
            return Ok(self.clone());
        }
        let invalid = |message: String| ConfigError::Invalid { path: self.origin.clone(), message };
        let mut value = toml::Value::try_from(&self.config).map_err(|e| invalid(e.to_string()))?;
        for set in sets {
            let (key, raw) = set
                .split_once('=')
                .ok_or_else(|| invalid(format!("override `{set}` must look like `method.boundary=ttw`")))?;
            let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("v = {raw}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or_else(|| toml::Value::String(raw.to_owned()));
            let mut slot = &mut value;
            for part in key.trim().split('.') {
                slot = slot
                    .as_table_mut()
                    .ok_or_else(|| invalid(format!("override `{key}`: `{part}` is not inside a table")))?
                    .entry(part.to_owned())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            }
            *slot = parsed;
        }
        let text = toml::to_string(&value).map_err(|e| invalid(e.to_string()))?;
        Study::from_toml(&text, &self.base_dir, &self.origin)
    }

    /// The study as a scenario sees it: these overrides (only `method.*` keys and
    /// `inputs.factors`: a scenario varies the method, never the data or the privacy settings)
    /// applied on top of this study, with no scenarios of its own.
    pub fn variant(&self, name: &str, sets: &[String]) -> Result<Study, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: self.origin.clone(), message };
        for set in sets {
            let key = set.split_once('=').map_or(set.as_str(), |(k, _)| k).trim();
            if !(key.starts_with("method.") || key == "inputs.factors") {
                return Err(invalid(format!(
                    "scenario {name:?}: `{set}` cannot vary in a scenario: use method.* keys or inputs.factors"
                )));
            }
            // Scenarios share the base run's road and transit networks, prepared with its options.
            if key == "method.routing"
                || key.starts_with("method.routing.")
                || key == "method.transit"
                || key.starts_with("method.transit.")
                || key == "method.rail"
                || key.starts_with("method.rail.")
            {
                return Err(invalid(format!(
                    "scenario {name:?}: `{set}` cannot vary in a scenario (scenarios reuse the run's road and transit networks and stations): \
                     run the study again with --set {key}=…"
                )));
            }
        }
        let mut base = self.clone();
        base.config.scenarios.clear();
        base.with_overrides(sets).map_err(|e| match e {
            ConfigError::Invalid { path, message } | ConfigError::Parse { path, message } => {
                ConfigError::Invalid { path, message: format!("scenario {name:?}: {message}") }
            }
            other => other,
        })
    }

    /// The configured scenarios as studies, in config order (see [`Study::variant`]).
    pub fn scenarios(&self) -> Result<Vec<ScenarioVariant>, ConfigError> {
        self.config
            .scenarios
            .iter()
            .map(|s| {
                Ok(ScenarioVariant {
                    name: s.name.clone(),
                    overrides: s.set.clone(),
                    study: self.variant(&s.name, &s.set)?,
                })
            })
            .collect()
    }

    /// Adds a scenario (from the command line) to the configured ones; the name is checked.
    pub fn with_scenario(&self, name: &str, sets: &[String]) -> Result<Study, ConfigError> {
        let mut config = self.config.clone();
        config.scenarios.push(ScenarioConfig { name: name.to_owned(), set: sets.to_vec() });
        check(&config).map_err(|message| ConfigError::Invalid { path: self.origin.clone(), message })?;
        let study = Study { config, ..self.clone() };
        study.scenarios()?;
        Ok(study)
    }

    /// Resolves a path from the config against the config's folder.
    pub fn resolve(&self, rel: &str) -> PathBuf {
        let p = Path::new(rel);
        if p.is_absolute() { p.to_path_buf() } else { self.base_dir.join(p) }
    }
}

fn check(c: &StudyConfig) -> Result<(), String> {
    if c.study.name.trim().is_empty() {
        return Err("study.name is empty: give the study a name shown in reports".into());
    }
    if c.study.from > c.study.to {
        return Err(format!(
            "study.from ({}) is after study.to ({}): the period must run forwards",
            c.study.from, c.study.to
        ));
    }
    if !["fr", "nl", "en"].contains(&c.study.language.as_str()) {
        return Err(format!("study.language = {:?}: use \"fr\", \"nl\" or \"en\"", c.study.language));
    }
    for (company, lang) in &c.study.company_languages {
        if !["fr", "nl", "en"].contains(&lang.as_str()) {
            return Err(format!("study.company_languages.{company} = {lang:?}: use \"fr\", \"nl\" or \"en\""));
        }
    }
    if c.inputs.access_logs.is_empty() {
        return Err("inputs.access_logs is empty: list at least one access-log file or glob".into());
    }
    let m = &c.method;
    if !(m.routing.max_snap_m > 0.0 && m.routing.max_snap_m <= 20_000.0) {
        return Err(format!(
            "method.routing.max_snap_m = {}: use metres above 0 and at most 20000",
            m.routing.max_snap_m
        ));
    }
    if !(m.routing.ebike_speed_kmh >= 5.0 && m.routing.ebike_speed_kmh <= 45.0) {
        return Err(format!(
            "method.routing.ebike_speed_kmh = {}: use km/h between 5 and 45",
            m.routing.ebike_speed_kmh
        ));
    }
    let a = &m.study_area;
    if !(a.lat[0] < a.lat[1]
        && a.lon[0] < a.lon[1]
        && a.lat[0] >= -90.0
        && a.lat[1] <= 90.0
        && a.lon[0] >= -180.0
        && a.lon[1] <= 180.0)
    {
        return Err(format!("method.study_area = {a:?}: give lat = [south, north] and lon = [west, east] in degrees"));
    }
    m.transit.check()?;
    c.energy.check()?;
    if c.inputs.road_network.is_some() && c.inputs.osm.is_none() {
        return Err("inputs.road_network is set without inputs.osm: name the .osm.pbf it was prepared from".into());
    }
    if !(0.0..=24.0).contains(&m.min_hours_office_day) {
        return Err(format!("method.min_hours_office_day = {}: use hours between 0 and 24", m.min_hours_office_day));
    }
    if !(m.max_visit_hours > 0.0 && m.max_visit_hours <= 24.0) {
        return Err(format!("method.max_visit_hours = {}: use hours above 0 and at most 24", m.max_visit_hours));
    }
    if !(0.0..=m.max_visit_hours).contains(&m.open_visit_hours) {
        return Err(format!(
            "method.open_visit_hours = {}: use hours between 0 and method.max_visit_hours",
            m.open_visit_hours
        ));
    }
    if !(m.carpool_occupancy >= 1.0 && m.carpool_occupancy <= 9.0) {
        return Err(format!(
            "method.carpool_occupancy = {}: use a number of occupants from 1 to 9",
            m.carpool_occupancy
        ));
    }
    if !(0.0..=1.0).contains(&m.rebound_share) {
        return Err(format!(
            "method.rebound_share = {}: use a share of the avoided round trip between 0 and 1",
            m.rebound_share
        ));
    }
    for b in &m.estimate {
        if !((1.0..=5.0).contains(&b.detour) && b.speed_kmh > 0.0 && b.speed_kmh <= 200.0 && b.from_km >= 0.0) {
            return Err(format!(
                "method.estimate for {}: detour must be 1–5, speed_kmh 0–200 and from_km ≥ 0 (got {b:?})",
                b.mode.code()
            ));
        }
    }
    for mode in crate::method::mode::Mode::ALL {
        let bands: Vec<&EstimateBand> = m.estimate.iter().filter(|b| b.mode == *mode).collect();
        if !bands.is_empty() && !bands.iter().any(|b| b.from_km == 0.0) {
            return Err(format!("method.estimate for {}: one band must start at from_km = 0", mode.code()));
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for sc in &c.scenarios {
        let n = sc.name.as_str();
        if n.is_empty() || n.len() > 40 || !n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-') {
            return Err(format!(
                "scenarios: name {n:?}: use 1 to 40 letters, digits, `_` or `-` (it becomes a column value and a folder name)"
            ));
        }
        if n == "base" {
            return Err("scenarios: `base` is the run itself: give the scenario another name".into());
        }
        if names.contains(&n) {
            return Err(format!("scenarios: {n:?} is defined twice: names must be unique"));
        }
        if sc.set.is_empty() {
            return Err(format!(
                "scenarios: {n:?} changes nothing: give it overrides like set = [\"method.boundary=ttw\"]"
            ));
        }
        names.push(n);
    }
    c.plan.check()?;
    if c.privacy.k_anonymity < 2 {
        return Err(format!("privacy.k_anonymity = {}: use at least 2 (5 is the default)", c.privacy.k_anonymity));
    }
    if c.privacy.pseudonym_key.len() < 8 {
        return Err("privacy.pseudonym_key is shorter than 8 characters: use a long random secret".into());
    }
    Ok(())
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[study]
name = "t"
from = 2026-01-01
to = 2026-03-31
[inputs]
sites = "s.csv"
companies = "c.csv"
employees = "e.csv"
cards = "k.csv"
access_logs = ["logs/*.csv"]
[privacy]
pseudonym_key = "0123456789"
"#;

    #[test]
    fn defaults_apply() {
        let s = Study::from_toml(MINIMAL, Path::new("/x"), "t.toml").unwrap();
        assert_eq!(s.config.method.boundary, Boundary::Wtw);
        assert_eq!(s.config.method.min_hours_office_day, 4.0);
        assert_eq!(s.config.privacy.k_anonymity, 5);
        assert_eq!(s.resolve("s.csv"), PathBuf::from("/x/s.csv"));
    }

    #[test]
    fn unknown_key_is_an_error_naming_it() {
        let text = MINIMAL.replace("[privacy]", "[privacy]\nk_anonimity = 3");
        let err = Study::from_toml(&text, Path::new("."), "t.toml").unwrap_err().to_string();
        assert!(err.contains("k_anonimity"), "{err}");
    }

    #[test]
    fn bad_values_say_what_to_fix() {
        let text = MINIMAL.replace("to = 2026-03-31", "to = 2025-03-31");
        let err = Study::from_toml(&text, Path::new("."), "t.toml").unwrap_err().to_string();
        assert!(err.contains("study.from") && err.contains("forwards"), "{err}");
        let text = MINIMAL.replace("[privacy]", "[method]\nboundary = \"wtt\"\n[privacy]");
        let err = Study::from_toml(&text, Path::new("."), "t.toml").unwrap_err().to_string();
        assert!(err.contains("boundary") || err.contains("wtt"), "{err}");
    }

    #[test]
    fn transit_options_are_checked_with_what_to_fix() {
        let with = |t: &str| {
            Study::from_toml(&MINIMAL.replace("[privacy]", &format!("{t}\n[privacy]")), Path::new("."), "t.toml")
        };
        let ok = Study::from_toml(
            &MINIMAL
                .replace("access_logs = [\"logs/*.csv\"]", "access_logs = [\"logs/*.csv\"]\ngtfs = [\"a.zip\", \"b\"]"),
            Path::new("/x"),
            "t.toml",
        )
        .unwrap();
        assert_eq!(ok.config.inputs.gtfs, ["a.zip", "b"]);
        assert_eq!(ok.config.method.transit, TransitConfig::default());
        assert_eq!(TransitConfig::seconds("09:00"), Some(32_400));
        assert_eq!(TransitConfig::seconds("17:30"), Some(63_000));
        let cases = [
            ("arrive_by = \"9h\"", "method.transit.arrive_by = \"9h\": give a time as \"HH:MM\""),
            ("depart_at = \"17:75\"", "method.transit.depart_at"),
            ("service_date = \"10/06/2014\"", "give a date as \"YYYY-MM-DD\""),
            ("max_access_m = 0", "method.transit.max_access_m = 0: use metres between 50 and 20000"),
            ("window_h = 24", "method.transit.window_h = 24: use hours between 0.5 and 12"),
            ("access_mode = \"car\"", "access_mode"),
            ("detour = 0.5", "method.transit.detour"),
            ("arive_by = \"09:00\"", "arive_by"),
        ];
        for (set, want) in cases {
            let err = with(&format!("[method.transit]\n{set}")).unwrap_err().to_string();
            assert!(err.contains(want), "{set}: {err}");
        }
        let bike = with("[method.transit]\naccess_mode = \"bike\"").unwrap();
        assert_eq!(bike.config.method.transit.access_kmh(), 15.0);
        // Scenarios share the run's timetables: transit options cannot vary in one.
        let err = Study::from_toml(
            &format!("{MINIMAL}[[scenarios]]\nname = \"late\"\nset = [\"method.transit.arrive_by=10:00\"]\n"),
            Path::new("."),
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("reuse the run's road and transit networks"), "{err}");
    }

    #[test]
    fn scenarios_are_checked_at_load_and_vary_only_the_method() {
        let with = |extra: &str| Study::from_toml(&format!("{MINIMAL}{extra}"), Path::new("."), "t.toml");
        let s = with(
            "[[scenarios]]\nname = \"ttw\"\nset = [\"method.boundary=ttw\"]\n\
             [[scenarios]]\nname = \"f\"\nset = [\"inputs.factors=x.csv\", \"method.rebound_share=0.5\"]\n",
        )
        .unwrap();
        let v = s.scenarios().unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].study.config.method.boundary, Boundary::Ttw);
        assert_eq!(v[1].study.config.inputs.factors.as_deref(), Some("x.csv"));
        assert_eq!(v[1].study.config.method.rebound_share, 0.5);
        assert!(v.iter().all(|s| s.study.config.scenarios.is_empty()));
        // The base run is untouched.
        assert_eq!(s.config.method.boundary, Boundary::Wtw);
        for (extra, expect) in [
            ("[[scenarios]]\nname = \"base\"\nset = [\"method.boundary=ttw\"]\n", "`base`"),
            ("[[scenarios]]\nname = \"a b\"\nset = [\"method.boundary=ttw\"]\n", "letters, digits"),
            ("[[scenarios]]\nname = \"a\"\nset = []\n", "changes nothing"),
            (
                "[[scenarios]]\nname = \"a\"\nset = [\"method.boundary=ttw\"]\n[[scenarios]]\nname = \"a\"\nset = [\"method.boundary=ttw\"]\n",
                "defined twice",
            ),
            ("[[scenarios]]\nname = \"k\"\nset = [\"privacy.k_anonymity=2\"]\n", "cannot vary in a scenario"),
            ("[[scenarios]]\nname = \"p\"\nset = [\"study.from=2026-02-01\"]\n", "cannot vary in a scenario"),
            ("[[scenarios]]\nname = \"w\"\nset = [\"method.boundary=wtt\"]\n", "scenario \"w\""),
            ("[[scenarios]]\nname = \"r\"\nset = [\"method.rebound_share=1.5\"]\n", "rebound_share"),
            ("[[scenarios]]\nname = \"o\"\nset = [\"method.routing.max_snap_m=50\"]\n", "road and transit networks"),
            ("[[scenarios]]\nname = \"m\"\nset = [\"inputs.osm=x.osm.pbf\"]\n", "cannot vary in a scenario"),
        ] {
            let err = with(extra).unwrap_err().to_string();
            assert!(err.contains(expect), "{extra}: {err}");
        }
    }

    #[test]
    fn output_layout_and_rebound_parse() {
        let s = Study::from_toml(MINIMAL, Path::new("."), "t.toml").unwrap();
        assert_eq!(s.config.output.parquet_layout, ParquetLayout::Single);
        assert_eq!(s.config.method.rebound_share, 0.0);
        let h = s.with_overrides(&["output.parquet_layout=hive".into(), "method.rebound_share=0.3".into()]).unwrap();
        assert_eq!(h.config.output.parquet_layout, ParquetLayout::Hive);
        assert_eq!(h.config.method.rebound_share, 0.3);
        assert!(s.with_overrides(&["output.parquet_layout=csv".into()]).is_err());
        assert!(s.with_overrides(&["method.rebound_share=-0.1".into()]).is_err());
        let added = s.with_scenario("x", &["method.min_hours_office_day=6".into()]).unwrap();
        assert_eq!(added.scenarios().unwrap()[0].study.config.method.min_hours_office_day, 6.0);
        assert!(added.with_scenario("x", &["method.boundary=ttw".into()]).is_err());
    }

    #[test]
    fn overrides_replace_values_and_are_checked() {
        let s = Study::from_toml(MINIMAL, Path::new("."), "t.toml").unwrap();
        let t = s.with_overrides(&["method.boundary=ttw".into(), "method.min_hours_office_day=6".into()]).unwrap();
        assert_eq!(t.config.method.boundary, Boundary::Ttw);
        assert_eq!(t.config.method.min_hours_office_day, 6.0);
        assert!(s.with_overrides(&["method.nope=1".into()]).is_err());
    }
}
