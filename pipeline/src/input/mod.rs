//! Input: the study's files read and checked into typed tables. Every row is accepted or
//! rejected with file, line and reason (`quality`), and per file `read = accepted + rejected`.
//!
//! Flow: `csvin` splits a file into rows (dialect, BOM, line numbers, raw text) → `ingest` types
//! each table, with `clock` for timestamps and `places` for postcode-only homes.

pub mod clock;
pub mod csvin;
pub mod ingest;
pub mod places;
pub mod quality;

#[cfg(test)]
mod props;
