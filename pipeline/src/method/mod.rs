//! Method: pure functions from checked inputs to figures. Nothing here reads or writes a file.
//!
//! Flow: `visits` pairs access events into visits and center days → `impact` builds the legs
//! (`estimate`, or routed by [`crate::routing`]) and prices them with `factors` → day impacts,
//! with `rebound` added to replaced days. `potential` answers the same question for every
//! employee at the nearest site; `scenario` recomputes only what a method option touches.
//! `plan` builds the site-planning demand from the same savings as `potential`.
//! `energy` holds the optional energy lines' parameters (the views apply them).
//! `mode` is the vocabulary of travel modes every stage shares.

pub mod constants;
pub mod energy;
pub mod estimate;
pub mod factors;
pub mod impact;
pub mod mode;
pub mod plan;
pub mod potential;
pub mod rebound;
pub mod scenario;
pub mod visits;
