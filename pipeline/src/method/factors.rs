//! Emission factors as versioned data: a shipped set (`datasets/factors/<set>.csv`), each row with
//! unit, source and year, optionally overridden row by row by a user file. Results record the set
//! name and a version derived from the content, so last year's figures never move silently.
//!
//! # Units
//! `value_kg` is kg CO2e per vehicle-km (`vkm`, car-like modes: divided by the occupants) or per
//! passenger-km (`pkm`). Components are tank-to-wheel (`ttw`) and well-to-tank (`wtt`);
//! well-to-wheel is their sum.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Boundary;
use crate::input::csvin::{SourceFile, parse_decimal, read_rows};
use crate::input::quality::{FileCount, Ledger, Reject, RejectReason};
use crate::method::mode::{CarSize, Fuel, Mode};

/// The shipped factor sets: (name, file content). `be-2025` prices electricity at the UK grid of
/// DESNZ's tables (the proxy of earlier releases, kept so their figures never move);
/// `be-2025-begrid` is the same set with every grid-powered row (battery-electric and plug-in
/// hybrid cars, tram, metro) moved to the Belgian grid, each row saying how it was derived
/// (`datasets/SOURCES.md`).
const BUILTIN: &[(&str, &str)] = &[
    ("be-2025", include_str!("../../../datasets/factors/be-2025.csv")),
    ("be-2025-begrid", include_str!("../../../datasets/factors/be-2025-begrid.csv")),
];

/// Names of the shipped factor sets.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// One factor row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorRow {
    /// `car`, `motorbike`, `train`…
    pub mode: String,
    /// Fuel code for car-like modes, empty otherwise.
    pub fuel: String,
    /// Size code for car-like modes, empty otherwise.
    pub size: String,
    /// `ttw` or `wtt`.
    pub component: String,
    /// kg CO2e per `unit`.
    pub value_kg: f64,
    /// `vkm` or `pkm`.
    pub unit: String,
    /// Publication the value comes from.
    pub source: String,
    /// Year the value refers to.
    pub year: i32,
    /// Caveats (proxy, derived value…).
    pub note: String,
    /// `builtin` or the override file's name.
    pub origin: String,
}

/// A usable factor set.
#[derive(Debug, Clone)]
pub struct FactorSet {
    /// Set name (`be-2025`).
    pub name: String,
    /// `<name>+<first 12 hex of sha256 of the shipped file>`, plus `+override:<12 hex>` when a
    /// user file changed rows.
    pub version: String,
    /// Rows sorted by key.
    pub rows: Vec<FactorRow>,
    index: BTreeMap<(String, String, String, String), usize>,
    /// [`FactorSet::search`]'s row for every (mode, fuel, size, component), in the order of
    /// [`FactorSet::slot`]: looked up once per set, not once per leg (issue 13: the search, which
    /// builds its keys as strings, was a fifth of the potential's time on 100,000 employees).
    found: Vec<Option<usize>>,
}

/// A factor set that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FactorError {
    /// No shipped set of that name.
    #[error("unknown factor set {name:?}: shipped sets are {known}")]
    UnknownSet {
        /// Requested name.
        name: String,
        /// Available names.
        known: String,
    },
    /// The file's header is unusable.
    #[error(transparent)]
    File(#[from] crate::input::csvin::FileError),
    /// A mode has no factor for a component.
    #[error("factor set {set} has no {component} factor for {key}: add a row for it")]
    Missing {
        /// Set version.
        set: String,
        /// Component.
        component: &'static str,
        /// `mode/fuel/size`.
        key: String,
    },
}

/// The factor components a leg is priced with: tank-to-wheel and well-to-tank.
const COMPONENTS: [&str; 2] = ["ttw", "wtt"];

const COLUMNS: &[&str] = &["mode", "fuel", "size", "component", "value_kg", "unit", "source", "year", "note"];

/// The per-km factors that apply to one traveller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonKmFactor {
    /// kg CO2e per person-km, tank-to-wheel.
    pub ttw_kg_per_km: f64,
    /// kg CO2e per person-km, well-to-tank.
    pub wtt_kg_per_km: f64,
    /// Index of the TTW row used.
    pub ttw_row: usize,
    /// Index of the WTT row used.
    pub wtt_row: usize,
}

impl PersonKmFactor {
    /// kg CO2e per person-km within a boundary.
    pub fn kg_per_km(&self, boundary: Boundary) -> f64 {
        match boundary {
            Boundary::Ttw => self.ttw_kg_per_km,
            Boundary::Wtw => self.ttw_kg_per_km + self.wtt_kg_per_km,
        }
    }
}

impl FactorSet {
    /// Loads a shipped set, then applies the rows of an override file (if any). Bad override rows
    /// are rejected into `ledger`; the file's counts are recorded there too.
    pub fn load(name: &str, overrides: Option<&SourceFile>, ledger: &mut Ledger) -> Result<FactorSet, FactorError> {
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| FactorError::UnknownSet { name: name.to_owned(), known: builtin_names().join(", ") })?;
        let builtin = SourceFile::from_bytes(format!("factors/{name}.csv"), text.as_bytes().to_vec());
        let mut scratch = Ledger::default();
        let base = parse_rows(&builtin, "builtin", &mut scratch)?;
        assert!(scratch.rejects.is_empty(), "shipped factor set {name} has bad rows: {:?}", scratch.rejects);
        let mut set = FactorSet {
            name: name.to_owned(),
            version: format!("{name}+{}", &builtin.sha256[..12]),
            rows: Vec::new(),
            index: BTreeMap::new(),
            found: Vec::new(),
        };
        let mut by_key: BTreeMap<_, FactorRow> = base.into_iter().map(|r| (key(&r), r)).collect();
        if let Some(file) = overrides {
            let rows = parse_rows(file, &file.name, ledger)?;
            if !rows.is_empty() {
                set.version.push_str(&format!("+override:{}", &file.sha256[..12]));
            }
            for r in rows {
                by_key.insert(key(&r), r);
            }
        }
        for (k, r) in by_key {
            set.index.insert(k, set.rows.len());
            set.rows.push(r);
        }
        set.found = vec![None; Mode::ALL.len() * Fuel::ALL.len() * CarSize::ALL.len() * COMPONENTS.len()];
        for &m in Mode::ALL {
            for &f in Fuel::ALL {
                for &z in CarSize::ALL {
                    for component in COMPONENTS {
                        set.found[Self::slot(m, f, z, component)] = set.search(m, f, z, component);
                    }
                }
            }
        }
        Ok(set)
    }

    /// The factors for one traveller: car-like modes look up (fuel, size), falling back to the
    /// fuel's `average` size, then to `unknown` fuel; the vehicle factor is divided by
    /// `occupancy`.
    pub fn person_km(
        &self,
        mode: Mode,
        fuel: Fuel,
        size: CarSize,
        occupancy: f64,
    ) -> Result<PersonKmFactor, FactorError> {
        let ttw_row = self.find(mode, fuel, size, "ttw")?;
        let wtt_row = self.find(mode, fuel, size, "wtt")?;
        let per_person = |row: usize| {
            let r = &self.rows[row];
            if r.unit == "vkm" { r.value_kg / occupancy.max(1.0) } else { r.value_kg }
        };
        Ok(PersonKmFactor { ttw_kg_per_km: per_person(ttw_row), wtt_kg_per_km: per_person(wtt_row), ttw_row, wtt_row })
    }

    /// The row of `component` for (mode, fuel, size): the first of the candidates that the set
    /// has (see [`FactorSet::person_km`]).
    fn find(&self, mode: Mode, fuel: Fuel, size: CarSize, component: &'static str) -> Result<usize, FactorError> {
        self.found[Self::slot(mode, fuel, size, component)].ok_or_else(|| FactorError::Missing {
            set: self.version.clone(),
            component,
            key: format!("{}/{}/{}", mode.factor_mode(), fuel.code(), size.code()),
        })
    }

    /// The position of (mode, fuel, size, component) in `found` (a value's discriminant is its
    /// position in `ALL`, declaration order).
    fn slot(mode: Mode, fuel: Fuel, size: CarSize, component: &str) -> usize {
        debug_assert!(Mode::ALL[mode as usize] == mode && Fuel::ALL[fuel as usize] == fuel);
        debug_assert!(CarSize::ALL[size as usize] == size);
        let c = usize::from(component != COMPONENTS[0]);
        ((mode as usize * Fuel::ALL.len() + fuel as usize) * CarSize::ALL.len() + size as usize) * COMPONENTS.len() + c
    }

    /// [`FactorSet::find`] by the set's keys: the fallbacks in order.
    fn search(&self, mode: Mode, fuel: Fuel, size: CarSize, component: &str) -> Option<usize> {
        let m = mode.factor_mode();
        let candidates: Vec<(&str, &str)> = if mode.is_car_like() {
            vec![(fuel.code(), size.code()), (fuel.code(), "average"), ("unknown", size.code()), ("unknown", "average")]
        } else if mode == Mode::Motorbike {
            vec![(fuel.code(), size.code()), ("unknown", "average")]
        } else {
            vec![("", "")]
        };
        candidates
            .iter()
            .find_map(|(f, s)| self.index.get(&(m.to_owned(), (*f).to_owned(), (*s).to_owned(), component.to_owned())))
            .copied()
    }
}

fn key(r: &FactorRow) -> (String, String, String, String) {
    (r.mode.clone(), r.fuel.clone(), r.size.clone(), r.component.clone())
}

fn parse_rows(file: &SourceFile, origin: &str, ledger: &mut Ledger) -> Result<Vec<FactorRow>, FactorError> {
    let mut rows = Vec::new();
    let mut count = FileCount {
        file: file.name.clone(),
        kind: "factors".into(),
        sha256: file.sha256.clone(),
        read: 0,
        accepted: 0,
        rejected: 0,
        delimiter: String::new(),
        ignored_columns: Vec::new(),
    };
    let mut rejects = Vec::new();
    let header = read_rows(file, COLUMNS, 8, |row| {
        count.read += 1;
        match parse_row(row, origin) {
            Ok(r) => rows.push(r),
            Err((reason, detail)) => rejects.push((row.line, reason, detail, row.raw())),
        }
    })?;
    for bad in header.bad_rows {
        count.read += 1;
        rejects.push((bad.line, RejectReason::MalformedRow, bad.reason, bad.raw));
    }
    rejects.sort_by_key(|r| r.0);
    count.rejected = rejects.len() as u64;
    count.accepted = count.read - count.rejected;
    count.delimiter = header.delimiter.to_string();
    count.ignored_columns = header.ignored_columns;
    ledger.extend(rejects.into_iter().map(|(line, reason, detail, raw)| Reject {
        file: file.name.clone(),
        line,
        reason,
        detail,
        raw,
        rows: 1,
    }));
    ledger.files.push(count);
    Ok(rows)
}

fn parse_row(row: &crate::input::csvin::Row<'_>, origin: &str) -> Result<FactorRow, (RejectReason, String)> {
    let text = |i: usize| row.get(i).unwrap_or("").to_owned();
    let mode = text(0).to_ascii_lowercase();
    let factor_modes: Vec<&str> = Mode::ALL.iter().map(|m| m.factor_mode()).collect();
    if !factor_modes.contains(&mode.as_str()) {
        return Err((RejectReason::UnknownCode, format!("mode {mode:?}: use one of {}", factor_modes.join(", "))));
    }
    let component = text(3).to_ascii_lowercase();
    if component != "ttw" && component != "wtt" {
        return Err((RejectReason::UnknownCode, format!("component {component:?}: use ttw or wtt")));
    }
    // Vehicle modes key their factors by fuel and size and count per vehicle-km; the others per
    // passenger-km with no fuel or size, so a row that no lookup could ever use is refused.
    let vehicle = mode == "car" || mode == "motorbike";
    let (fuel, size) = (text(1).to_ascii_lowercase(), text(2).to_ascii_lowercase());
    if vehicle {
        if Fuel::parse(&fuel).is_none() {
            return Err((RejectReason::UnknownCode, format!("fuel {fuel:?} for {mode}: use one of {}", Fuel::codes())));
        }
        if CarSize::parse(&size).is_none() {
            return Err((
                RejectReason::UnknownCode,
                format!("size {size:?} for {mode}: use one of {}", CarSize::codes()),
            ));
        }
    } else if !fuel.is_empty() || !size.is_empty() {
        return Err((RejectReason::UnknownCode, format!("{mode} factors have no fuel or size: leave both empty")));
    }
    let unit = text(5).to_ascii_lowercase();
    match (vehicle, unit.as_str()) {
        (true, "vkm") | (false, "pkm") => {}
        (true, _) => return Err((RejectReason::UnknownCode, format!("unit {unit:?}: {mode} factors are per vkm"))),
        (false, _) => return Err((RejectReason::UnknownCode, format!("unit {unit:?}: {mode} factors are per pkm"))),
    }
    let value_kg = row
        .get(4)
        .and_then(parse_decimal)
        .ok_or_else(|| (RejectReason::BadNumber, "value_kg is not a number".to_owned()))?;
    if !(0.0..10.0).contains(&value_kg) {
        return Err((RejectReason::OutOfRange, format!("value_kg {value_kg} is not between 0 and 10 kg per km")));
    }
    let source = text(6);
    if source.is_empty() {
        return Err((RejectReason::MissingValue, "source is empty: every factor needs its source".into()));
    }
    let year = row
        .get(7)
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| (RejectReason::BadNumber, "year is not a year between 1990 and 2100".to_owned()))?;
    Ok(FactorRow {
        mode,
        fuel,
        size,
        component,
        value_kg,
        unit,
        source,
        year,
        note: text(8),
        origin: origin.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> FactorSet {
        FactorSet::load("be-2025", None, &mut Ledger::default()).unwrap()
    }

    #[test]
    fn every_mode_fuel_and_size_has_a_factor() {
        let s = set();
        for m in Mode::ALL {
            for f in Fuel::ALL {
                for z in CarSize::ALL {
                    s.person_km(*m, *f, *z, 1.0).unwrap();
                }
            }
        }
    }

    #[test]
    fn the_lookup_table_gives_each_combination_its_own_slot_and_the_search_row() {
        let s = set();
        let mut slots = std::collections::BTreeSet::new();
        for &m in Mode::ALL {
            for &f in Fuel::ALL {
                for &z in CarSize::ALL {
                    for component in COMPONENTS {
                        let slot = FactorSet::slot(m, f, z, component);
                        assert!(slot < s.found.len() && slots.insert(slot), "{m:?} {f:?} {z:?} {component}");
                        assert_eq!(s.find(m, f, z, component).ok(), s.search(m, f, z, component));
                    }
                }
            }
        }
        // A diesel car of each size gets its size's row or the diesel average.
        let diesel = |z| s.rows[s.find(Mode::Car, Fuel::Diesel, z, "ttw").unwrap()].size.clone();
        assert!(CarSize::ALL.iter().all(|z| diesel(*z) == z.code() || diesel(*z) == "average"));
    }

    #[test]
    fn car_factor_is_shared_by_occupants_and_wtw_adds_wtt() {
        let s = set();
        let solo = s.person_km(Mode::Car, Fuel::Diesel, CarSize::Average, 1.0).unwrap();
        assert_eq!(solo.kg_per_km(Boundary::Ttw), 0.17304);
        assert!((solo.kg_per_km(Boundary::Wtw) - (0.17304 + 0.04146)).abs() < 1e-12);
        let pool = s.person_km(Mode::Carpool, Fuel::Diesel, CarSize::Average, 2.0).unwrap();
        assert!((pool.kg_per_km(Boundary::Ttw) - 0.17304 / 2.0).abs() < 1e-12);
        // Sized cars use their own TTW row and the fuel's average WTT row.
        let small = s.person_km(Mode::Car, Fuel::Petrol, CarSize::Small, 1.0).unwrap();
        assert_eq!(small.ttw_kg_per_km, 0.14308);
        assert_eq!(small.wtt_kg_per_km, 0.04599);
        // LPG has no row: falls back to unknown fuel.
        let lpg = s.person_km(Mode::Car, Fuel::Lpg, CarSize::Medium, 1.0).unwrap();
        assert_eq!(lpg.ttw_kg_per_km, 0.17322);
        // Train is per passenger-km: occupancy does not apply.
        let train = s.person_km(Mode::Train, Fuel::Unknown, CarSize::Average, 3.0).unwrap();
        assert_eq!(train.ttw_kg_per_km, 0.023);
    }

    #[test]
    fn overrides_replace_rows_reject_bad_ones_and_change_the_version() {
        let base = set();
        let file = SourceFile::from_bytes(
            "mine.csv",
            "mode;fuel;size;component;value_kg;unit;source;year;note\n\
             train;;;ttw;0,018;pkm;SNCB 2024 report;2024;\n\
             train;;;ttw;abc;pkm;x;2024;\n\
             rocket;;;ttw;1;pkm;x;2024;\n\
             bus;;;ttw;1,0;vkm;x;2024;\n\
             car;gasoline;medium;ttw;0,2;vkm;x;2024;\n\
             train;electric;;ttw;0,01;pkm;x;2024;\n"
                .as_bytes()
                .to_vec(),
        );
        let mut ledger = Ledger::default();
        let s = FactorSet::load("be-2025", Some(&file), &mut ledger).unwrap();
        assert_eq!(s.person_km(Mode::Train, Fuel::Unknown, CarSize::Average, 1.0).unwrap().ttw_kg_per_km, 0.018);
        assert_ne!(s.version, base.version);
        let reasons: Vec<_> = ledger.rejects.iter().map(|r| (r.line, r.reason)).collect();
        let unknown = RejectReason::UnknownCode;
        assert_eq!(reasons, vec![(3, RejectReason::BadNumber), (4, unknown), (5, unknown), (6, unknown), (7, unknown)]);
        assert_eq!((ledger.files[0].read, ledger.files[0].accepted, ledger.files[0].rejected), (6, 1, 5));
    }

    /// The Belgian-grid set recomputed by hand from its stated inputs: DESNZ 2025 BEV TTW over
    /// the UK generation intensity (0.177 kg/kWh) gives the consumption; the Belgian lifecycle
    /// intensity (0.138 kg/kWh) is split TTW/WTT as DESNZ's own BEV rows (0.04047 : 0.01049).
    #[test]
    fn belgian_grid_set_moves_only_grid_powered_rows_and_matches_the_hand_derivation() {
        let uk = set();
        let be = FactorSet::load("be-2025-begrid", None, &mut Ledger::default()).unwrap();
        let ttw_share = 0.04047 / (0.04047 + 0.01049);
        let (be_ttw, be_wtt) = (0.138 * ttw_share, 0.138 * (1.0 - ttw_share));
        let kwh_per_km = 0.04047 / 0.177;
        let bev = be.person_km(Mode::Car, Fuel::Electric, CarSize::Average, 1.0).unwrap();
        assert!((bev.ttw_kg_per_km - kwh_per_km * be_ttw).abs() < 5e-6, "{bev:?}");
        assert!((bev.wtt_kg_per_km - kwh_per_km * be_wtt).abs() < 5e-6, "{bev:?}");
        // 0.04047 → 0.02506: the Belgian grid is 22 % cleaner and WTT leaves the TTW share.
        assert!(bev.ttw_kg_per_km < 0.65 * 0.04047);
        // Plug-in hybrids: 15 % of km electric, moved from the UK to the Belgian grid.
        let phev = be.person_km(Mode::Car, Fuel::PluginHybrid, CarSize::Average, 1.0).unwrap();
        assert!((phev.ttw_kg_per_km - (0.10461 + 0.15 * kwh_per_km * (be_ttw - 0.177))).abs() < 5e-6);
        // Tram from De Lijn's own consumption and occupancy: 4 kWh/km over 60 people.
        let tram = be.person_km(Mode::Tram, Fuel::Unknown, CarSize::Average, 1.0).unwrap();
        assert!((tram.ttw_kg_per_km + tram.wtt_kg_per_km - 4.0 / 60.0 * 0.138).abs() < 1e-5);
        // Every other row is the UK-proxy set's, value for value.
        let moved = |r: &FactorRow| {
            (r.mode == "car" && (r.fuel == "electric" || r.fuel == "plugin_hybrid"))
                || r.mode == "tram"
                || r.mode == "metro"
        };
        assert_eq!(uk.rows.len(), be.rows.len());
        for (a, b) in uk.rows.iter().zip(&be.rows) {
            assert_eq!(key(a), key(b));
            if moved(a) {
                assert!(b.value_kg < a.value_kg, "{b:?} should be below {a:?}");
                assert!(b.source.starts_with("derived:") && b.source.contains("Belgian grid"), "{b:?}");
            } else {
                assert_eq!(a.value_kg, b.value_kg, "{b:?}");
            }
        }
        assert!(be.version.starts_with("be-2025-begrid+"));
    }

    #[test]
    fn unknown_set_lists_the_known_ones() {
        let err = FactorSet::load("fr-2019", None, &mut Ledger::default()).unwrap_err().to_string();
        assert!(err.contains("be-2025"), "{err}");
    }
}
