//! Travel profiles: which OSM ways a car, a bicycle or a pedestrian may use, how fast, in which
//! direction, and what a turn or an obstacle costs. The rules follow OSRM 26.10's `car.lua`,
//! `bicycle.lua` and `foot.lua` (the reference engine we compare against); what is left out is
//! listed in `pipeline/road/README.md` with its measured effect.
//!
//! Pure functions over tags: no I/O, no graph.

/// A travel profile. Each gets its own graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Car (also carpool and motorbike legs).
    Car,
    /// Bicycle (also e-bike legs, with their own speed).
    Bike,
    /// Walking.
    Foot,
}

impl Profile {
    /// Every profile, in a fixed order (the order of graphs in an artifact).
    pub const ALL: [Profile; 3] = [Profile::Car, Profile::Bike, Profile::Foot];

    /// Stable lower-case name (`car`, `bike`, `foot`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Car => "car",
            Profile::Bike => "bike",
            Profile::Foot => "foot",
        }
    }

    /// Index in [`Profile::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Tags of one OSM object, looked up by key. OSM objects carry few tags, so a linear scan over a
/// small vector beats a hash map.
#[derive(Debug, Default, Clone)]
pub struct Tags<'a> {
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> Tags<'a> {
    /// Tags from (key, value) pairs.
    pub fn new(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Tags { pairs: pairs.into_iter().collect() }
    }

    /// Value of `key`, if tagged and not empty.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).filter(|v| !v.is_empty())
    }

    fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == Some(value)
    }

    /// The first of `keys` that is tagged.
    fn first(&self, keys: &[&str]) -> Option<&'a str> {
        keys.iter().find_map(|k| self.get(k))
    }
}

/// How one direction of a way may be travelled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DirectionRule {
    /// Travel speed (km/h): sets the duration.
    pub speed_kmh: f64,
    /// Routing preference in (0, 1]: weight = duration / preference (OSRM's "rate"). 1 for
    /// profiles that route on pure duration.
    pub preference: f64,
}

/// What a profile may do on a way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRule {
    /// Along the way's node order.
    pub forward: Option<DirectionRule>,
    /// Against it.
    pub backward: Option<DirectionRule>,
    /// Destination-only access (private, delivery, destination…): usable to start or end a trip,
    /// heavily penalised to pass through (OSRM's "restricted" turns).
    pub restricted: bool,
    /// Part of a roundabout (no crossing-traffic penalty on its turns).
    pub roundabout: bool,
}

/// What a node does to a profile's traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeRule {
    /// Impassable barrier (bollard for cars, wall…): a trip may not pass through the node.
    pub blocked: bool,
    /// Delay (deciseconds) when passing: traffic signals, stop and give-way signs, gates.
    pub delay_ds: u32,
    /// A traffic signal (it also replaces the turn penalty for walking, as in OSRM).
    pub signal: bool,
}

const NOT_ACCESS: &[&str] = &["no", "agricultural", "forestry", "emergency", "psv", "bus", "military", "official"];

/// The rule of a way for a profile; `None` when the profile may not use it at all.
pub fn way_rule(profile: Profile, tags: &Tags) -> Option<WayRule> {
    let highway = match tags.get("highway") {
        Some(h) => h,
        // foot.lua's `speeds` also walk railway platforms, car park outlines and piers that have
        // no highway tag (where random homes often snap: station platforms, supermarket car parks).
        None if profile == Profile::Foot => foot_non_highway(tags)?,
        None => return None,
    };
    if tags.is("impassable", "yes") || tags.is("status", "impassable") {
        return None;
    }
    // car.lua avoids `area=yes`; foot.lua and bicycle.lua route along the outline of an area
    // highway (a square, a car park drawn as `highway=service` + `area=yes`), and so does navette:
    // tracks and paths that meet the rest only there stay connected.
    if profile == Profile::Car && tags.is("area", "yes") {
        return None;
    }
    if matches!(highway, "construction" | "proposed" | "abandoned" | "bus_guideway" | "raceway") {
        return None;
    }
    // Platforms are walked (foot.lua), not ridden or driven (navette leaves bicycle.lua's pushing
    // on platforms out).
    if highway == "platform" && profile != Profile::Foot {
        return None;
    }
    match profile {
        Profile::Car => car_way(highway, tags),
        Profile::Bike => bike_way(highway, tags),
        Profile::Foot => foot_way(highway, tags),
    }
}

fn car_speed(highway: &str) -> Option<f64> {
    Some(match highway {
        "motorway" => 90.0,
        "motorway_link" => 45.0,
        "trunk" => 85.0,
        "trunk_link" => 40.0,
        "primary" => 65.0,
        "primary_link" => 30.0,
        "secondary" => 55.0,
        "secondary_link" => 25.0,
        "tertiary" => 40.0,
        "tertiary_link" => 20.0,
        "unclassified" | "residential" => 25.0,
        "living_street" => 10.0,
        "service" => 15.0,
        _ => return None,
    })
}

fn car_way(highway: &str, tags: &Tags) -> Option<WayRule> {
    if highway == "steps" || tags.is("oneway", "reversible") || tags.is("oneway", "alternating") {
        return None;
    }
    let access = tags.first(&["motorcar", "motor_vehicle", "vehicle", "access"]);
    let restricted_access = matches!(
        access,
        Some("private" | "delivery" | "destination" | "customers" | "permit" | "residents" | "unknown")
    );
    if let Some(a) = access
        && (NOT_ACCESS.contains(&a) || matches!(a, "foot" | "restricted" | "taxi" | "emergency_vehicle"))
    {
        return None;
    }
    if highway == "service" && (tags.is("service", "emergency_access") || access == Some("private")) {
        return None;
    }
    let whitelisted =
        matches!(access, Some("yes" | "motorcar" | "motor_vehicle" | "vehicle" | "permissive" | "designated"));
    let base = match car_speed(highway) {
        Some(s) => s,
        // Other highway values (track, path…) only when the access tags allow cars: OSRM's
        // default speed.
        None if whitelisted => 10.0,
        None => return None,
    };
    let (fwd_ok, bwd_ok) =
        oneway(tags, &["oneway:motorcar", "oneway:motor_vehicle", "oneway:vehicle", "oneway"], highway);
    let fwd_max = maxspeed(tags, "forward");
    let bwd_max = maxspeed(tags, "backward");
    let cap = surface_cap_car(tags);
    let speed = |max: Option<f64>| -> f64 {
        let s = match max {
            // Tagged limits are rarely driven at: OSRM scales them by 0.8.
            Some(m) if m > 0.0 => m * 0.8,
            _ => base,
        };
        cap.map_or(s, |c| s.min(c))
    };
    let bidirectional = fwd_ok && bwd_ok;
    let preference = car_preference(tags, bidirectional);
    let rule = |ok: bool, max: Option<f64>| ok.then(|| DirectionRule { speed_kmh: speed(max), preference });
    Some(WayRule {
        forward: rule(fwd_ok, fwd_max),
        backward: rule(bwd_ok, bwd_max),
        restricted: restricted_access,
        roundabout: is_roundabout(tags),
    })
}

fn is_roundabout(tags: &Tags) -> bool {
    matches!(tags.get("junction"), Some("roundabout" | "circular"))
}

/// Forward/backward permission from oneway tags; `keys` in priority order.
fn oneway(tags: &Tags, keys: &[&str], highway: &str) -> (bool, bool) {
    match tags.first(keys) {
        Some("-1") => (false, true),
        Some("yes" | "1" | "true") => (true, false),
        Some("no" | "0" | "false") => (true, true),
        _ if highway == "motorway" || is_roundabout(tags) => (true, false),
        _ => (true, true),
    }
}

/// Speed limit in km/h for one direction (`maxspeed:forward` before `maxspeed`), including the
/// implicit limits written as `BE:urban`, `BE-VLG:rural`… (OSRM's tables for Belgium).
fn maxspeed(tags: &Tags, direction: &str) -> Option<f64> {
    let keys = ["maxspeed:advisory", "maxspeed", "source:maxspeed", "maxspeed:type"];
    let value = keys.iter().find_map(|k| tags.get(&format!("{k}:{direction}"))).or_else(|| tags.first(&keys))?;
    parse_maxspeed(value)
}

/// Parses a `maxspeed` value: `50`, `30 mph`, `BE:urban`, `none`.
pub fn parse_maxspeed(value: &str) -> Option<f64> {
    let v = value.trim().to_ascii_lowercase();
    if let Some(mph) = v.strip_suffix("mph") {
        return mph.trim().parse::<f64>().ok().map(|m| m * 1.609_344);
    }
    if let Ok(n) = v.trim_end_matches("km/h").trim().parse::<f64>() {
        return Some(n);
    }
    let table = match v.as_str() {
        "be:motorway" => Some(120.0),
        "be-bru:rural" => Some(70.0),
        "be-bru:urban" => Some(30.0),
        "be-vlg:rural" => Some(70.0),
        "none" => Some(140.0),
        _ => None,
    };
    table.or_else(|| match v.split_once(':').map(|(_, kind)| kind) {
        Some("urban") => Some(50.0),
        Some("rural") => Some(90.0),
        Some("trunk") => Some(110.0),
        Some("motorway") => Some(130.0),
        _ => None,
    })
}

/// Upper speed for a car from `surface`, `tracktype` and `smoothness`.
fn surface_cap_car(tags: &Tags) -> Option<f64> {
    let surface = tags.get("surface").and_then(|s| {
        Some(match s {
            "cement" | "compacted" | "fine_gravel" => 80.0,
            "paving_stones" | "metal" | "bricks" => 60.0,
            "grass" | "wood" | "sett" | "grass_paver" | "gravel" | "unpaved" | "ground" | "dirt" | "pebblestone"
            | "tartan" => 40.0,
            "cobblestone" | "clay" => 30.0,
            "earth" | "stone" | "rocky" | "sand" => 20.0,
            "laterite" => 15.0,
            "mud" => 10.0,
            _ => return None,
        })
    });
    let track = tags.get("tracktype").and_then(|t| {
        Some(match t {
            "grade1" => 60.0,
            "grade2" => 40.0,
            "grade3" => 30.0,
            "grade4" => 25.0,
            "grade5" => 20.0,
            _ => return None,
        })
    });
    let smooth = tags.get("smoothness").and_then(|t| {
        Some(match t {
            "intermediate" => 80.0,
            "bad" => 40.0,
            "very_bad" => 20.0,
            "horrible" => 10.0,
            "very_horrible" => 5.0,
            _ => return None,
        })
    });
    [surface, track, smooth].into_iter().flatten().reduce(f64::min)
}

/// OSRM's routability rate factor: service alleys and parking aisles, narrow or single-lane
/// two-way roads and side roads are avoided when an alternative exists.
fn car_preference(tags: &Tags, bidirectional: bool) -> f64 {
    let mut p: f64 = 1.0;
    if matches!(
        tags.get("service"),
        Some("alley" | "parking" | "parking_aisle" | "driveway" | "drive-through" | "drive-thru")
    ) {
        p = p.min(0.5);
    }
    if bidirectional {
        if tags.is("lane_markings", "no") {
            p = p.min(0.75);
        }
        if let Some(w) = tags.get("width").and_then(|w| w.trim_end_matches('m').trim().parse::<f64>().ok()) {
            let f = if w <= 3.0 {
                0.5
            } else if w < 4.0 {
                0.6
            } else if w < 5.0 {
                0.75
            } else if w < 6.0 {
                0.8
            } else {
                1.0
            };
            p = p.min(f);
        }
        let lanes = tags.get("lanes").and_then(|l| {
            let digits: String = l.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<u32>().ok()
        });
        if lanes.is_some_and(|l| l <= 1) {
            p = p.min(0.5);
        }
    }
    if matches!(tags.get("side_road"), Some("yes" | "rotary")) {
        p = p.min(0.8);
    }
    p
}

const BIKE_SPEED: f64 = 15.0;
const BIKE_PUSH_SPEED: f64 = 4.0;

fn bike_way(highway: &str, tags: &Tags) -> Option<WayRule> {
    if tags.is("motorroad", "yes") {
        return None;
    }
    let access = tags.first(&["bicycle", "vehicle", "access"]);
    if let Some(a) = access
        && matches!(a, "no" | "private" | "agricultural" | "forestry" | "delivery" | "use_sidepath")
    {
        return None;
    }
    let allowed = matches!(access, Some("yes" | "permissive" | "designated"));
    // Riding speed, or pushing speed where bicycles are not allowed to ride but may be pushed.
    let (speed, pushing) = match highway {
        "cycleway" | "primary" | "primary_link" | "secondary" | "secondary_link" | "tertiary" | "tertiary_link"
        | "residential" | "unclassified" | "living_street" | "service" => (BIKE_SPEED, false),
        "track" => (12.0, false),
        "path" => (13.0, false),
        "footway" | "pedestrian" if allowed => (BIKE_SPEED, false),
        "footway" | "pedestrian" => (BIKE_PUSH_SPEED, true),
        "steps" => (2.0, true),
        _ if allowed => (BIKE_SPEED, false),
        _ => return None,
    };
    let speed = match tags.get("surface") {
        Some(s) if !pushing => speed.min(match s {
            "wood" | "metal" | "cobblestone:flattened" | "paving_stones" | "compacted" | "fine_gravel" | "ground" => {
                10.0
            }
            "cobblestone" => 7.0,
            "unpaved" | "gravel" | "pebblestone" | "grass_paver" | "earth" | "grass" => 6.0,
            "dirt" => 8.0,
            "laterite" => 5.0,
            "mud" | "sand" | "woodchips" => 3.0,
            "sett" => 9.0,
            _ => BIKE_SPEED,
        }),
        _ => speed,
    };
    let implied = highway == "motorway" || is_roundabout(tags);
    let (mut fwd, mut bwd) = match (tags.get("oneway:bicycle"), tags.get("oneway")) {
        (Some("yes" | "1" | "true"), _) => (true, false),
        (Some("no" | "0" | "false"), _) => (true, true),
        (Some("-1"), _) => (false, true),
        (_, Some("yes" | "1" | "true")) => (true, false),
        (_, Some("no" | "0" | "false")) => (true, true),
        (_, Some("-1")) => (false, true),
        _ if implied => (true, false),
        _ => (true, true),
    };
    // Contraflow: a cycle lane or track against the traffic of a one-way street.
    let opposite = |k: &str| matches!(tags.get(k), Some("opposite" | "opposite_lane" | "opposite_track"));
    if opposite("cycleway") || opposite("cycleway:left") || opposite("cycleway:right") {
        fwd = true;
        bwd = true;
    }
    let ride = DirectionRule { speed_kmh: speed, preference: 1.0 };
    // Against a one-way street a cyclist may still push the bike on the pavement (OSRM), except
    // on roundabouts and motorways.
    let push = DirectionRule { speed_kmh: BIKE_PUSH_SPEED, preference: 1.0 };
    let against = |ok: bool| {
        if ok {
            Some(ride)
        } else if !implied {
            Some(push)
        } else {
            None
        }
    };
    Some(WayRule { forward: against(fwd), backward: against(bwd), restricted: false, roundabout: is_roundabout(tags) })
}

const WALK_SPEED: f64 = 5.0;

/// foot.lua's `speeds` beyond `highway`, in its order (`railway`, `amenity`, `man_made`): the
/// kind of way walked, as `key=value` (never a highway value).
fn foot_non_highway(tags: &Tags) -> Option<&'static str> {
    if tags.is("railway", "platform") {
        Some("railway=platform")
    } else if matches!(tags.get("amenity"), Some("parking" | "parking_entrance")) {
        Some("amenity=parking")
    } else if tags.is("man_made", "pier") {
        Some("man_made=pier")
    } else {
        None
    }
}

fn foot_way(highway: &str, tags: &Tags) -> Option<WayRule> {
    if tags.is("motorroad", "yes") {
        return None;
    }
    let access = tags.first(&["foot", "access"]);
    if let Some(a) = access
        && matches!(a, "no" | "agricultural" | "forestry" | "private" | "delivery" | "use_sidepath")
    {
        return None;
    }
    let allowed = matches!(access, Some("yes" | "foot" | "permissive" | "designated"));
    let walkable = matches!(
        highway,
        "primary"
            | "primary_link"
            | "secondary"
            | "secondary_link"
            | "tertiary"
            | "tertiary_link"
            | "unclassified"
            | "residential"
            | "living_street"
            | "service"
            | "track"
            | "path"
            | "steps"
            | "pedestrian"
            | "footway"
            | "pier"
            | "platform"
            | "railway=platform"
            | "amenity=parking"
            | "man_made=pier"
            | "cycleway"
            | "bridleway"
    );
    // Cycleways and bridleways only where walking is signed; motorways and trunks never.
    let walkable = if matches!(highway, "cycleway" | "bridleway") { allowed } else { walkable };
    if matches!(highway, "motorway" | "motorway_link") || !(walkable || allowed) {
        return None;
    }
    let speed = match tags.get("surface") {
        Some("fine_gravel" | "gravel" | "pebblestone") => WALK_SPEED * 0.75,
        Some("mud" | "sand") => WALK_SPEED * 0.5,
        _ => WALK_SPEED,
    };
    let (fwd, bwd) = match tags.get("oneway:foot") {
        Some("yes" | "1" | "true") => (true, false),
        Some("-1") => (false, true),
        _ => (true, true),
    };
    let r = DirectionRule { speed_kmh: speed, preference: 1.0 };
    Some(WayRule { forward: fwd.then_some(r), backward: bwd.then_some(r), restricted: false, roundabout: false })
}

/// The rule of a tagged node for a profile.
pub fn node_rule(profile: Profile, tags: &Tags) -> NodeRule {
    let mut rule = NodeRule::default();
    let highway = tags.get("highway");
    if highway == Some("traffic_signals") {
        rule.signal = true;
        rule.delay_ds = 20;
    }
    match profile {
        Profile::Car => {
            if highway == Some("stop") {
                rule.delay_ds = 20;
            } else if highway == Some("give_way") {
                rule.delay_ds = 10;
            }
            let access = tags.first(&["motorcar", "motor_vehicle", "vehicle", "access"]);
            if let Some(a) = access {
                rule.blocked = NOT_ACCESS.contains(&a) || matches!(a, "foot" | "taxi" | "emergency_vehicle");
            } else if let Some(b) = tags.get("barrier") {
                let allowed = matches!(
                    b,
                    "cattle_grid" | "border_control" | "toll_booth" | "sally_port" | "no" | "entrance" | "arch"
                ) || tags.is("bollard", "rising")
                    || (b == "kerb"
                        && (matches!(tags.get("kerb"), Some("lowered" | "flush")) || highway == Some("crossing")));
                if matches!(b, "gate" | "lift_gate") {
                    // OSRM 26.10: a gate is passable after a minute.
                    rule.delay_ds += 600;
                } else if !allowed && b != "height_restrictor" {
                    rule.blocked = true;
                }
            }
        }
        Profile::Bike | Profile::Foot => {
            let keys: &[&str] =
                if profile == Profile::Bike { &["bicycle", "vehicle", "access"] } else { &["foot", "access"] };
            let access = tags.first(keys);
            let crossing = highway == Some("crossing");
            if let Some(a) = access {
                rule.blocked = !crossing && matches!(a, "no" | "private" | "agricultural" | "forestry" | "delivery");
            } else if let Some(b) = tags.get("barrier") {
                rule.blocked = matches!(b, "yes" | "wall" | "fence");
            }
        }
    }
    rule
}

/// Everything a turn's cost depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Turn {
    /// Angle relative to going straight, degrees in (−180, 180]: positive turns right.
    pub angle_deg: f64,
    /// Roads meeting at the junction (OSRM's `number_of_roads`).
    pub roads: usize,
    /// Turning back onto the same road.
    pub u_turn: bool,
    /// Delay of the junction node itself (signals, stop sign, gate), deciseconds.
    pub node: NodeRule,
    /// Either road is part of a roundabout.
    pub roundabout: bool,
}

/// Duration (deciseconds) a turn adds, as OSRM's `process_turn` for the profile.
pub fn turn_duration_ds(profile: Profile, t: &Turn) -> u32 {
    let s = match profile {
        Profile::Car => {
            let mut d = t.node.delay_ds as f64 / 10.0;
            if t.roads > 2 || t.u_turn {
                let (penalty, bias) = (7.5, 1.075);
                let a = t.angle_deg;
                d += if a >= 0.0 {
                    penalty / (1.0 + (-((13.0 / bias) * a / 180.0 - 6.5 * bias)).exp())
                } else {
                    penalty / (1.0 + (-((13.0 * bias) * -a / 180.0 - 6.5 / bias)).exp())
                };
                // Crossing oncoming traffic (a left turn, driving on the right) waits for a gap.
                if a < 0.0 && !t.u_turn && t.roads > 2 && !t.roundabout {
                    let sharpness = 1.0 / (1.0 + (-(13.0 * a.abs() / 180.0 - 3.25)).exp());
                    d += 2.0 * sharpness;
                }
                if t.u_turn {
                    d += 20.0;
                }
            }
            d
        }
        Profile::Bike => {
            let mut d = 0.0;
            if t.roads > 2 || t.u_turn {
                let n = t.angle_deg / 90.0;
                d = if n >= 0.0 { n * n * 6.0 / 1.4 } else { n * n * 6.0 * 1.4 };
                if t.u_turn {
                    d += 20.0;
                }
            }
            d + t.node.delay_ds as f64 / 10.0
        }
        Profile::Foot => {
            let mut d = if t.u_turn { 2.0 } else { 0.0 };
            if t.node.signal {
                d = t.node.delay_ds as f64 / 10.0;
            }
            d
        }
    };
    (s * 10.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags<'a>(pairs: &[(&'a str, &'a str)]) -> Tags<'a> {
        Tags::new(pairs.iter().copied())
    }

    #[test]
    fn car_speeds_oneways_and_access() {
        let r = way_rule(Profile::Car, &tags(&[("highway", "primary")])).unwrap();
        assert_eq!(r.forward.unwrap().speed_kmh, 65.0);
        assert_eq!(r.backward.unwrap().speed_kmh, 65.0);
        // maxspeed × 0.8; Belgian implicit urban limit.
        let r = way_rule(Profile::Car, &tags(&[("highway", "primary"), ("maxspeed", "BE:urban")])).unwrap();
        assert!((r.forward.unwrap().speed_kmh - 40.0).abs() < 1e-9);
        let r = way_rule(Profile::Car, &tags(&[("highway", "residential"), ("oneway", "-1")])).unwrap();
        assert!(r.forward.is_none() && r.backward.is_some());
        let r = way_rule(Profile::Car, &tags(&[("highway", "motorway")])).unwrap();
        assert!(r.forward.is_some() && r.backward.is_none(), "implied oneway");
        let r = way_rule(Profile::Car, &tags(&[("highway", "tertiary"), ("junction", "roundabout")])).unwrap();
        assert!(r.backward.is_none() && r.roundabout);
        assert!(way_rule(Profile::Car, &tags(&[("highway", "residential"), ("motor_vehicle", "no")])).is_none());
        assert!(way_rule(Profile::Car, &tags(&[("highway", "footway")])).is_none());
        assert!(way_rule(Profile::Car, &tags(&[("highway", "track")])).is_none());
        assert!(
            way_rule(Profile::Car, &tags(&[("highway", "residential"), ("access", "destination")])).unwrap().restricted
        );
        // A narrow two-way road is avoided (weight), not slower (duration).
        let r = way_rule(Profile::Car, &tags(&[("highway", "residential"), ("width", "3")])).unwrap();
        assert_eq!((r.forward.unwrap().speed_kmh, r.forward.unwrap().preference), (25.0, 0.5));
        let r = way_rule(Profile::Car, &tags(&[("highway", "secondary"), ("surface", "cobblestone")])).unwrap();
        assert_eq!(r.forward.unwrap().speed_kmh, 30.0);
    }

    #[test]
    fn bike_contraflow_and_pushing() {
        let r = way_rule(Profile::Bike, &tags(&[("highway", "residential"), ("oneway", "yes")])).unwrap();
        assert_eq!(r.forward.unwrap().speed_kmh, 15.0);
        assert_eq!(r.backward.unwrap().speed_kmh, 4.0, "pushing against the one-way");
        let r =
            way_rule(Profile::Bike, &tags(&[("highway", "residential"), ("oneway", "yes"), ("oneway:bicycle", "no")]))
                .unwrap();
        assert_eq!(r.backward.unwrap().speed_kmh, 15.0);
        let r =
            way_rule(Profile::Bike, &tags(&[("highway", "residential"), ("oneway", "yes"), ("cycleway", "opposite")]))
                .unwrap();
        assert_eq!(r.backward.unwrap().speed_kmh, 15.0);
        assert!(way_rule(Profile::Bike, &tags(&[("highway", "motorway")])).is_none());
        assert!(way_rule(Profile::Bike, &tags(&[("highway", "trunk")])).is_none());
        assert_eq!(way_rule(Profile::Bike, &tags(&[("highway", "footway")])).unwrap().forward.unwrap().speed_kmh, 4.0);
    }

    #[test]
    fn platforms_and_car_parks_walked_only() {
        for t in [
            &[("railway", "platform")][..],
            &[("highway", "platform")],
            &[("amenity", "parking")],
            &[("amenity", "parking_entrance")],
            &[("man_made", "pier")],
        ] {
            let r = way_rule(Profile::Foot, &tags(t)).unwrap_or_else(|| panic!("{t:?} walked"));
            assert_eq!((r.forward.unwrap().speed_kmh, r.backward.unwrap().speed_kmh), (5.0, 5.0));
            assert!(way_rule(Profile::Car, &tags(t)).is_none(), "{t:?}");
            assert!(way_rule(Profile::Bike, &tags(t)).is_none(), "{t:?}");
        }
        assert!(way_rule(Profile::Foot, &tags(&[("railway", "platform"), ("foot", "no")])).is_none());
        assert!(way_rule(Profile::Foot, &tags(&[("amenity", "parking"), ("area", "yes")])).is_some());
        // Area highways: along their outline on foot and by bicycle, never by car (as OSRM).
        let square = [("highway", "pedestrian"), ("area", "yes")];
        assert!(way_rule(Profile::Foot, &tags(&square)).is_some());
        assert!(way_rule(Profile::Bike, &tags(&square)).is_some());
        let square = [("highway", "residential"), ("area", "yes")];
        assert!(way_rule(Profile::Car, &tags(&square)).is_none());
        assert!(way_rule(Profile::Foot, &tags(&square)).is_some());
        assert!(way_rule(Profile::Foot, &tags(&[("railway", "rail")])).is_none());
        assert!(way_rule(Profile::Foot, &tags(&[("public_transport", "platform")])).is_none());
    }

    #[test]
    fn walking_never_on_motorways() {
        assert!(way_rule(Profile::Foot, &tags(&[("highway", "motorway")])).is_none());
        assert!(way_rule(Profile::Foot, &tags(&[("highway", "motorway"), ("foot", "yes")])).is_none());
        assert!(way_rule(Profile::Foot, &tags(&[("highway", "trunk")])).is_none());
        let r = way_rule(Profile::Foot, &tags(&[("highway", "residential"), ("oneway", "yes")])).unwrap();
        assert!(r.forward.is_some() && r.backward.is_some(), "one-way streets are two-way on foot");
        assert!(way_rule(Profile::Foot, &tags(&[("highway", "footway"), ("access", "private")])).is_none());
    }

    #[test]
    fn maxspeed_values() {
        assert_eq!(parse_maxspeed("50"), Some(50.0));
        assert_eq!(parse_maxspeed("BE-VLG:rural"), Some(70.0));
        assert_eq!(parse_maxspeed("BE:motorway"), Some(120.0));
        assert_eq!(parse_maxspeed("FR:rural"), Some(90.0));
        assert!((parse_maxspeed("30 mph").unwrap() - 48.28).abs() < 0.01);
        assert_eq!(parse_maxspeed("signals"), None);
    }

    #[test]
    fn turn_costs_match_osrm_formulas() {
        let t = |angle_deg: f64, roads| Turn {
            angle_deg,
            roads,
            u_turn: false,
            node: NodeRule::default(),
            roundabout: false,
        };
        // Hand: straight on, 7.5 / (1 + e^(6.5 × 1.075)) = 0.0069 s → 0 ds.
        assert_eq!(turn_duration_ds(Profile::Car, &t(0.0, 3)), 0);
        // Right 90°: 7.5 / (1 + e^−(12.093 × 0.5 − 6.9875)) = 7.5 / (1 + e^0.9412) = 2.10 s.
        assert_eq!(turn_duration_ds(Profile::Car, &t(90.0, 3)), 21);
        // Left 90°: 7.5 / (1 + e^−(13.975 × 0.5 − 6.0465)) = 5.38 s, plus crossing traffic
        // 2 / (1 + e^−(6.5 − 3.25)) = 1.925 s → 7.3 s.
        assert_eq!(turn_duration_ds(Profile::Car, &t(-90.0, 3)), 73);
        // Two roads only (a bend): no turn cost for cars.
        assert_eq!(turn_duration_ds(Profile::Car, &t(-90.0, 2)), 0);
        // Bicycle left 90°: 1 × 6 × 1.4 = 8.4 s.
        assert_eq!(turn_duration_ds(Profile::Bike, &t(-90.0, 3)), 84);
        assert_eq!(turn_duration_ds(Profile::Foot, &t(-90.0, 3)), 0);
        let u = Turn { angle_deg: 180.0, roads: 1, u_turn: true, node: NodeRule::default(), roundabout: false };
        assert_eq!(turn_duration_ds(Profile::Car, &u), 275, "7.5/(1+e^-(12.093-6.9875)) + 20 = 27.54 s");
        assert_eq!(turn_duration_ds(Profile::Foot, &u), 20);
    }
}
