//! Public transport on GTFS timetables for navette.
//!
//! One or more GTFS feeds are read ([`gtfs`]), one representative service day is chosen
//! ([`network::choose_service_day`]), the day's trips become one flat array of elementary
//! connections with walking transfers between nearby stops ([`network::Network`]), and a
//! Connection Scan answers "latest departure from every stop to arrive at a place by a time"
//! (reverse scan) or "earliest arrival at every stop leaving a place at a time" (forward scan),
//! with journey pointers that unpack into legs ([`scan`]). The crate knows nothing of polars,
//! DuckDB or the pipeline's tables; see the README for the algorithm, assumptions and limits.
//!
//! The crate neither prints nor logs: [`load_feeds_with`] reports its steps to the caller, and
//! the scans are the caller's to count (one reverse and one forward scan per destination).
//!
//! Without a feed, [`rail`] estimates train legs through real stations (iRail station list):
//! access by distance, a calibrated rail model, egress on foot or by bus.

pub mod date;
pub mod geo;
pub mod gtfs;
pub mod network;
pub mod rail;
pub mod scan;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub use date::Date;
pub use gtfs::{FileCount, Reject};
pub use network::Access;
pub use network::{
    Call, FeedSummary, LoadOptions, LoadReport, Loaded, Network, ServiceDay, StopInput, TimetableInput, TransferRule,
    load_feeds, load_feeds_with,
};
pub use scan::{Journey, Ride, Scanner};

/// Vehicle classes, from GTFS `route_type` (basic and extended types). Emission factors are
/// chosen per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VehicleClass {
    /// Trains (2, 100–199).
    Rail = 0,
    /// Metro, underground, monorail, urban railway (1, 12, 400–699).
    Metro = 1,
    /// Tram, light rail, cable tram (0, 5, 900–999).
    Tram = 2,
    /// Bus and trolleybus (3, 11, 700–899).
    Bus = 3,
    /// Coach (200–299).
    Coach = 4,
    /// Ferry, aerial lift, funicular, taxi and others.
    Other = 5,
}

impl VehicleClass {
    /// All classes, in code order.
    pub const ALL: [VehicleClass; 6] = [
        VehicleClass::Rail,
        VehicleClass::Metro,
        VehicleClass::Tram,
        VehicleClass::Bus,
        VehicleClass::Coach,
        VehicleClass::Other,
    ];

    /// The class of a GTFS `route_type`; `None` for a value outside the basic and extended lists.
    pub fn from_route_type(t: i32) -> Option<VehicleClass> {
        use VehicleClass::*;
        Some(match t {
            0 | 5 => Tram,
            1 | 12 => Metro,
            2 => Rail,
            3 | 11 => Bus,
            4 | 6 | 7 => Other,
            100..=199 => Rail,
            200..=299 => Coach,
            400..=699 => Metro,
            700..=899 => Bus,
            900..=999 => Tram,
            1000..=1799 => Other,
            _ => return None,
        })
    }

    /// Code used in tables (`rail`, `metro`, `tram`, `bus`, `coach`, `other`).
    pub fn code(self) -> &'static str {
        ["rail", "metro", "tram", "bus", "coach", "other"][self as usize]
    }
}

/// A feed (or the set of feeds) cannot be used at all. Bad rows are not errors: they are
/// [`Reject`]s.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    /// The file or archive cannot be opened.
    #[error("GTFS feed {feed}: {detail}")]
    Open {
        /// Feed name.
        feed: String,
        /// What failed.
        detail: String,
    },
    /// A required file is missing.
    #[error("GTFS feed {feed}: {file} is missing (a GTFS feed needs stops, routes, trips, stop_times and a calendar)")]
    MissingFile {
        /// Feed name.
        feed: String,
        /// The file.
        file: &'static str,
    },
    /// A required column is missing.
    #[error("GTFS feed {feed}: {file} has no column {column}")]
    MissingColumn {
        /// Feed name.
        feed: String,
        /// The file.
        file: &'static str,
        /// The column.
        column: &'static str,
    },
    /// The CSV cannot be read on (I/O error in the archive, broken header).
    #[error("GTFS feed {feed}: {file} cannot be read: {detail}")]
    Csv {
        /// Feed name.
        feed: String,
        /// The file.
        file: &'static str,
        /// What failed.
        detail: String,
    },
    /// A file goes past one of the limits against broken or hostile feeds (size, zip inflation,
    /// row length, rejected rows; see the README's "Limits").
    #[error("GTFS feed {feed}: {file} {detail} (a navette limit against broken or hostile feeds)")]
    Limit {
        /// Feed name.
        feed: String,
        /// The file.
        file: &'static str,
        /// Which limit, and the value.
        detail: String,
    },
    /// No trip runs on any candidate day.
    #[error(
        "GTFS feeds {feeds}: no trip runs on a weekday between {from} and {to} (the calendars cover {span}); \
         give a date the feeds serve in method.transit.service_date"
    )]
    NoService {
        /// Feed names.
        feeds: String,
        /// First candidate day.
        from: Date,
        /// Last candidate day.
        to: Date,
        /// The dates the calendars cover.
        span: String,
    },
    /// Nothing usable is left after rejecting bad rows.
    #[error("GTFS feed {feed}: no usable {what} (see the rejected rows)")]
    Empty {
        /// Feed name.
        feed: String,
        /// What is missing.
        what: &'static str,
    },
}
