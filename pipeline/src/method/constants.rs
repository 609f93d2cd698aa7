//! Published figures the views use beside the factor set, each with its source: written to the
//! warehouse as the table `method_constants`, which the views read (no number of the method is
//! typed into `views.sql`).

/// A named figure of the method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Constant {
    /// Name, as the views look it up.
    pub name: &'static str,
    /// Value, in `unit`.
    pub value: f64,
    /// Unit (`share` is 0–1; `ratio` is a plain multiplier).
    pub unit: &'static str,
    /// Where the value comes from.
    pub source: &'static str,
}

/// Share of a telework saving taken back by rebound effects (errands, heating, other trips):
/// the report's rebound sensitivity line.
pub const ADEME_REBOUND_SHARE: Constant = Constant {
    name: "ademe_rebound_share",
    value: 0.31,
    unit: "share",
    source: "ADEME (2020), Caractérisation des effets rebond induits par le télétravail: 31 % of the saving",
};

/// Routed ÷ great-circle distance of car trips of 15 km and more on a Belgian extract: p10.
pub const DETOUR_P10: Constant = Constant {
    name: "estimated_detour_p10",
    value: 1.14,
    unit: "ratio",
    source: "OSRM 26.10 routes on Belgian OSM extracts (car, 15 km+), navette routing reference: p10",
};

/// The same: median (the estimate's own detour factor for that band is close to it).
pub const DETOUR_P50: Constant = Constant {
    name: "estimated_detour_p50",
    value: 1.30,
    unit: "ratio",
    source: "OSRM 26.10 routes on Belgian OSM extracts (car, 15 km+), navette routing reference: median",
};

/// The same: p90.
pub const DETOUR_P90: Constant = Constant {
    name: "estimated_detour_p90",
    value: 1.46,
    unit: "ratio",
    source: "OSRM 26.10 routes on Belgian OSM extracts (car, 15 km+), navette routing reference: p90",
};

/// Rail distance ÷ great circle of train legs through stations: the model's value
/// (`navette_transit::rail::RAIL_DETOUR`).
pub const RAIL_DETOUR: Constant = Constant {
    name: "rail_detour",
    value: navette_transit::rail::RAIL_DETOUR,
    unit: "ratio",
    source: "navette-transit rail model: official SNCB line lengths ÷ great circle on Walloon and Brussels lines",
};

/// The lowest such ratio of the official line lengths checked (`pipeline/transit/README.md`).
pub const RAIL_DETOUR_LOW: Constant = Constant {
    name: "rail_detour_low",
    value: 1.01,
    unit: "ratio",
    source: "official SNCB line lengths ÷ great circle: lowest of the lines checked (navette-transit README)",
};

/// The highest such ratio of the official line lengths checked.
pub const RAIL_DETOUR_HIGH: Constant = Constant {
    name: "rail_detour_high",
    value: 1.20,
    unit: "ratio",
    source: "official SNCB line lengths ÷ great circle: highest of the lines checked (navette-transit README)",
};

/// Every constant, in the order of the `method_constants` table.
pub const ALL: &[Constant] =
    &[ADEME_REBOUND_SHARE, DETOUR_P10, DETOUR_P50, DETOUR_P90, RAIL_DETOUR, RAIL_DETOUR_LOW, RAIL_DETOUR_HIGH];
