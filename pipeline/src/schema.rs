//! The warehouse's vocabulary in one place: every table with its columns in order, and the codes
//! that fill its categorical columns. The writers build frames whose columns must equal these
//! lists ([`check`], run on every table before it is written), `views.sql` is created over the
//! written tables (DuckDB refuses a view naming a column that does not exist), and a test holds
//! `docs/warehouse.md` to the same lists.
//!
//! Column names read *quantity, unit, qualifier*: `km_baseline`, `hours_actual`,
//! `co2e_kg_avoided` (schema 4).

use crate::method::mode::code_enum;

code_enum! {
    /// Which trip of an employee a leg is (`legs.leg`).
    LegKind {
        /// Home ↔ office: the baseline of a replaced office day.
        Office = "office",
        /// Home ↔ a center (the main site of a center day).
        Center = "center",
    }
}

code_enum! {
    /// How a leg's distance and time were obtained (`legs.method`, `*_method` of day impacts).
    LegMethod {
        /// Great circle × the mode's detour factor, at the mode's door-to-door speed.
        Estimated = "estimated",
        /// Routed on the road network or on the timetables.
        Routed = "routed",
        /// A train leg through real stations (no timetable): access to a station, rail by the
        /// calibrated model of `navette_transit::rail`, egress (`[method.rail]`).
        Stations = "stations",
    }
}
