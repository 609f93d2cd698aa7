//! navette: what a network of smart work centers does to commuting.
//!
//! Access-card logs + employees' homes + transport data → center days → km, hours and kg CO2e
//! avoided → a DuckDB warehouse, Parquet files and reports. The modules follow the pipeline:
//!
//! | stage | module | I/O? |
//! |---|---|---|
//! | configuration (`study.toml`) | [`config`] | `Study::load` reads the file |
//! | input: CSV rows, typed tables, rejects, timestamps, postcodes | [`input`] | `csvin` reads files and streams logs |
//! | method: visits, center days, legs, factors, day impacts, potential, scenarios, planning demand | [`method`] | no |
//! | routing: roads (OSM) and public transport (GTFS) | [`routing`] | `open` reads the network or feeds |
//! | output: warehouse tables, Parquet, DuckDB and views | [`output`] | yes |
//! | privacy: pseudonyms, 1 km home cells | [`privacy`] | no |
//! | report figures from the views, small cells suppressed | [`report`] | reads the warehouse |
//! | orchestration, atomic outputs, the demo study, `navette plan` | [`run`] | yes |
//! | tables, columns and codes of the warehouse | [`schema`] | no |
//! | progress of long stages: a bar on a terminal, log lines otherwise | [`progress`] | stderr |

pub mod config;
pub mod input;
pub mod method;
pub mod output;
pub mod privacy;
pub mod progress;
pub mod report;
pub mod routing;
pub mod run;
pub mod schema;

/// Settings of the crate's property tests: `default` cases each (a few seconds in CI), or
/// `NAVETTE_FUZZ_CASES` when set (`./dev fuzz`).
#[cfg(test)]
pub(crate) fn fuzz_config(default: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("NAVETTE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    proptest::test_runner::Config { cases, ..Default::default() }
}
