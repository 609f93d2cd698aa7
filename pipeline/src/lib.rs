//! navette: what a network of smart work centers does to commuting.
//!
//! Access-card logs + employees' homes + transport estimates → center days → km, hours and
//! kg CO2e avoided → a DuckDB warehouse, Parquet files and reports. One module per stage:
//!
//! | stage | module | I/O? |
//! |---|---|---|
//! | configuration | [`config`] | no (parsing only; `Study::load` reads the file) |
//! | reading CSV | [`csvin`] | no (bytes in) |
//! | checking inputs | [`ingest`] | no |
//! | timestamps | [`clock`] | no |
//! | postcodes | [`places`] | no (shipped table) |
//! | visit pairing, center days | [`visits`] | no |
//! | leg estimates | [`estimate`] | no |
//! | emission factors | [`factors`] | no (shipped sets) |
//! | legs, day impacts | [`impact`] | no |
//! | rebound on replaced office days | [`rebound`] | no |
//! | nearest-site potential per employee | [`potential`] | no |
//! | scenarios (method variants) | [`scenario`] | no |
//! | warehouse tables, Parquet, DuckDB | [`warehouse`] | yes |
//! | report figures from views | [`report_data`] | reads the warehouse |
//! | orchestration, atomic outputs | [`run`] | yes |
//! | demo study generator | [`demo`] | no (`write_study` writes) |
//! | pseudonyms | [`pseudonym`] | no |

pub mod clock;
pub mod config;
pub mod csvin;
pub mod demo;
pub mod estimate;
pub mod factors;
pub mod grid;
pub mod impact;
pub mod ingest;
pub mod mode;
pub mod places;
pub mod potential;
pub mod pseudonym;
pub mod quality;
pub mod rebound;
pub mod report_data;
pub mod roads;
pub mod run;
pub mod scenario;
pub mod transit;
pub mod visits;
pub mod warehouse;
