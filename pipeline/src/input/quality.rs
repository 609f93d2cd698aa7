//! Data quality as an output: rejected rows with file, line and reason, per-file counts that
//! reconcile (read = accepted + rejected), and the counts of the visit-pairing rules.

use serde::Serialize;

/// Why a row was not used. The codes are stable: reports and SQL group by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The row has fewer fields than the header, or cannot be decoded.
    MalformedRow,
    /// A required value is empty.
    MissingValue,
    /// A number cannot be parsed.
    BadNumber,
    /// Coordinates outside the study area (often swapped lat/lon).
    BadCoordinates,
    /// A date cannot be parsed.
    BadDate,
    /// A timestamp is not ISO 8601.
    BadTimestamp,
    /// A Brussels local time inside the spring-forward gap.
    NonexistentLocalTime,
    /// Direction is neither `in` nor `out`.
    BadDirection,
    /// A mode, fuel or size code that navette does not know.
    UnknownCode,
    /// The id was already defined earlier in the file.
    DuplicateId,
    /// A company id that `companies.csv` does not define.
    UnknownCompany,
    /// An employee id that `employees.csv` does not define (or that was rejected).
    UnknownEmployee,
    /// A postcode that is not a Belgian postcode.
    UnknownPostcode,
    /// A site id that `sites.csv` does not define.
    UnknownSite,
    /// A card id that `cards.csv` does not define.
    UnknownCard,
    /// The card exists but no validity period covers the event's date.
    CardNotValid,
    /// The event lies outside the study period.
    OutsidePeriod,
    /// A value is out of its valid range.
    OutOfRange,
    /// A GTFS row names a stop, trip, route or service the feed does not define (or rejected).
    UnknownReference,
    /// A GTFS call that breaks its trip: repeated sequence, time going back, untimed first/last.
    InconsistentTimetable,
}

impl RejectReason {
    /// Every reason.
    pub const ALL: &'static [RejectReason] = &[
        RejectReason::MalformedRow,
        RejectReason::MissingValue,
        RejectReason::BadNumber,
        RejectReason::BadCoordinates,
        RejectReason::BadDate,
        RejectReason::BadTimestamp,
        RejectReason::NonexistentLocalTime,
        RejectReason::BadDirection,
        RejectReason::UnknownCode,
        RejectReason::DuplicateId,
        RejectReason::UnknownCompany,
        RejectReason::UnknownEmployee,
        RejectReason::UnknownPostcode,
        RejectReason::UnknownSite,
        RejectReason::UnknownCard,
        RejectReason::CardNotValid,
        RejectReason::OutsidePeriod,
        RejectReason::OutOfRange,
        RejectReason::UnknownReference,
        RejectReason::InconsistentTimetable,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::MalformedRow => "malformed_row",
            RejectReason::MissingValue => "missing_value",
            RejectReason::BadNumber => "bad_number",
            RejectReason::BadCoordinates => "bad_coordinates",
            RejectReason::BadDate => "bad_date",
            RejectReason::BadTimestamp => "bad_timestamp",
            RejectReason::NonexistentLocalTime => "nonexistent_local_time",
            RejectReason::BadDirection => "bad_direction",
            RejectReason::UnknownCode => "unknown_code",
            RejectReason::DuplicateId => "duplicate_id",
            RejectReason::UnknownCompany => "unknown_company",
            RejectReason::UnknownEmployee => "unknown_employee",
            RejectReason::UnknownPostcode => "unknown_postcode",
            RejectReason::UnknownSite => "unknown_site",
            RejectReason::UnknownCard => "unknown_card",
            RejectReason::CardNotValid => "card_not_valid",
            RejectReason::OutsidePeriod => "outside_period",
            RejectReason::OutOfRange => "out_of_range",
            RejectReason::UnknownReference => "unknown_reference",
            RejectReason::InconsistentTimetable => "inconsistent_timetable",
        }
    }
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// The file as configured.
    pub file: String,
    /// 1-based line number in the file.
    pub line: u64,
    /// Why.
    pub reason: RejectReason,
    /// Details for a person fixing the file (which column, which value).
    pub detail: String,
    /// The raw row.
    pub raw: String,
    /// Rows this entry stands for: 1, or, for the summary entry of a file and reason past
    /// [`MAX_LISTED_REJECTS`], every row of them not listed (from `line` on).
    pub rows: u64,
}

/// Rejected rows listed one by one per file and reason; the others of that file and reason are
/// counted in one summary entry, so a log of a million unknown cards keeps bounded memory and a
/// readable rejects file while every count still reconciles (`read = accepted + Σ rows`).
pub const MAX_LISTED_REJECTS: u64 = 10_000;

/// The detail of a summary entry.
pub const NOT_LISTED: &str = "rows of this file with this reason past the first 10000 are not listed one by one: `rows` counts them, from this line on";

/// Appends `incoming` to `list`, listing at most [`MAX_LISTED_REJECTS`] rows per (file, reason)
/// and counting the rest in one summary entry per (file, reason). `list` stays bounded, so the
/// scan that finds each key's count is cheap.
pub fn add_capped(list: &mut Vec<Reject>, incoming: impl IntoIterator<Item = Reject>) {
    use std::collections::HashMap;
    // (file, reason) → (rows listed, index of the summary entry).
    let mut seen: HashMap<(String, RejectReason), (u64, Option<usize>)> = HashMap::new();
    for (i, r) in list.iter().enumerate() {
        let e = seen.entry((r.file.clone(), r.reason)).or_insert((0, None));
        if r.detail == NOT_LISTED && r.raw.is_empty() {
            e.1 = Some(i);
        } else {
            e.0 += 1;
        }
    }
    for r in incoming {
        let e = seen.entry((r.file.clone(), r.reason)).or_insert((0, None));
        match e.1 {
            Some(i) => list[i].rows += r.rows,
            None if e.0 < MAX_LISTED_REJECTS && r.rows == 1 => {
                e.0 += 1;
                list.push(r);
            }
            None => {
                e.1 = Some(list.len());
                list.push(Reject { detail: NOT_LISTED.to_owned(), raw: String::new(), ..r });
            }
        }
    }
}

/// Per-file counts. Invariant: `read == accepted + rejected`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileCount {
    /// The file as configured.
    pub file: String,
    /// Which input it is (`sites`, `access_log`…).
    pub kind: String,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Data rows read (blank lines excluded).
    pub read: u64,
    /// Rows used.
    pub accepted: u64,
    /// Rows in the rejects table.
    pub rejected: u64,
    /// Detected separator.
    pub delimiter: String,
    /// Header columns navette does not use.
    pub ignored_columns: Vec<String>,
}

/// Collects rejects and counts while a file is read.
#[derive(Debug, Default)]
pub struct Ledger {
    /// All rejects so far, in file then line order.
    pub rejects: Vec<Reject>,
    /// One entry per file read.
    pub files: Vec<FileCount>,
}

impl Ledger {
    /// Records a reject.
    pub fn reject(&mut self, file: &str, line: u64, reason: RejectReason, detail: impl Into<String>, raw: String) {
        let r = Reject { file: file.to_owned(), line, reason, detail: detail.into(), raw, rows: 1 };
        self.extend([r]);
    }

    /// Records many rejects at once (capped as [`add_capped`] says): one pass over the rejects
    /// so far, where calling [`Ledger::reject`] per row would make one per row.
    pub fn extend(&mut self, rejects: impl IntoIterator<Item = Reject>) {
        add_capped(&mut self.rejects, rejects);
    }

    /// Counts of rejects per reason, most frequent first (ties by code).
    pub fn reasons(&self) -> Vec<(RejectReason, u64)> {
        let mut counts = std::collections::BTreeMap::new();
        for r in &self.rejects {
            *counts.entry(r.reason).or_insert(0u64) += r.rows;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
        v
    }
}

/// What the visit-pairing rules did; every accepted access event ends in exactly one bucket.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PairingCounts {
    /// Accepted access events.
    pub events: u64,
    /// Repeats of the previous swipe within the duplicate window (ignored).
    pub duplicate_swipes: u64,
    /// `in` events that opened a visit.
    pub visit_ins: u64,
    /// `out` events that closed a visit.
    pub visit_outs: u64,
    /// `out` events with no open `in` at the same site (ignored).
    pub orphan_outs: u64,
    /// Visits whose `in` has no matching `out` (credited `open_visit_hours`).
    pub missing_outs: u64,
    /// Visits whose `out` falls on a later local date (truncated at midnight).
    pub over_midnight: u64,
    /// Visits longer than `max_visit_hours` (capped), whatever their rule label.
    pub over_cap: u64,
}

impl PairingCounts {
    /// Adds the counts of another part of the events.
    pub fn add(&mut self, o: &PairingCounts) {
        self.events += o.events;
        self.duplicate_swipes += o.duplicate_swipes;
        self.visit_ins += o.visit_ins;
        self.visit_outs += o.visit_outs;
        self.orphan_outs += o.orphan_outs;
        self.missing_outs += o.missing_outs;
        self.over_midnight += o.over_midnight;
        self.over_cap += o.over_cap;
    }
}

#[cfg(test)]
mod tests {
    use super::RejectReason;
    use navette_reports::{Lang, reason_in_words};

    #[test]
    fn every_reason_is_in_words_in_every_language() {
        for r in RejectReason::ALL {
            for lang in [Lang::Fr, Lang::Nl, Lang::En] {
                assert_ne!(reason_in_words(lang, r.code()), r.code(), "{} in {lang:?}", r.code());
            }
        }
    }
}

#[cfg(test)]
mod cap_tests {
    use super::*;

    fn reject(file: &str, line: u64, reason: RejectReason) -> Reject {
        Reject { file: file.into(), line, reason, detail: "d".into(), raw: "r".into(), rows: 1 }
    }

    /// Past the cap a file and reason get one summary entry counting the rest; other files and
    /// reasons keep their own allowance; merging lists that were capped already stays exact.
    #[test]
    fn rejects_past_the_cap_are_counted_in_one_summary_entry() {
        let cap = MAX_LISTED_REJECTS;
        let mut list = Vec::new();
        add_capped(&mut list, (1..=cap + 5).map(|l| reject("a.csv", l, RejectReason::UnknownCard)));
        add_capped(&mut list, (1..=3).map(|l| reject("a.csv", l, RejectReason::BadTimestamp)));
        add_capped(&mut list, (1..=3).map(|l| reject("b.csv", l, RejectReason::UnknownCard)));
        // A second batch of the same file and reason adds to the summary.
        add_capped(&mut list, (cap + 6..=cap + 10).map(|l| reject("a.csv", l, RejectReason::UnknownCard)));
        let total = |f: &str, r: RejectReason| -> u64 {
            list.iter().filter(|x| x.file == f && x.reason == r).map(|x| x.rows).sum()
        };
        assert_eq!(total("a.csv", RejectReason::UnknownCard), cap + 10);
        assert_eq!(total("a.csv", RejectReason::BadTimestamp), 3);
        assert_eq!(total("b.csv", RejectReason::UnknownCard), 3);
        let summaries: Vec<&Reject> = list.iter().filter(|x| x.detail == NOT_LISTED).collect();
        assert_eq!(summaries.len(), 1);
        assert_eq!((summaries[0].line, summaries[0].rows), (cap + 1, 10));
        assert!(summaries[0].raw.is_empty());
        assert_eq!(list.len() as u64, cap + 1 + 3 + 3);
        let mut ledger = Ledger { rejects: list, files: Vec::new() };
        ledger.reject("a.csv", cap + 11, RejectReason::UnknownCard, "d", "r".into());
        assert_eq!(ledger.reasons()[0], (RejectReason::UnknownCard, cap + 11 + 3));
    }
}
