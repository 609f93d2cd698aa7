//! The demo study: a deterministic (seeded) synthetic study of the Walloon network on real places.
//!
//! Sites are the network's real founding centers; homes are drawn from real Belgian places
//! (GeoNames, ≥ 500 inhabitants) weighted by population and by distance to the employer's office;
//! modes, fuels and center use follow the shape of Belgian commuting. A handful of realistic faults
//! are injected so the data-quality side of the pipeline shows. The same generator scales up
//! (`navette generate --employees 100000 ...`) for benchmarks.
//!
//! `datasets/demo/` holds the generator's output at the default options; a test checks that it
//! still regenerates byte for byte.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::method::estimate::crow_m;
use crate::method::mode::Mode;

const PLACES_CSV: &str = include_str!("../../../datasets/geo/be_places.csv");
const POSTCODES_CSV: &str = include_str!("../../../datasets/geo/be_postcodes.csv");

/// Generator options.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// RNG seed.
    pub seed: u64,
    /// Number of employees over all companies.
    pub employees: usize,
    /// First day of the study.
    pub from: NaiveDate,
    /// Last day of the study.
    pub to: NaiveDate,
    /// Multiplies every employee's probability of using a center (1.0 = demo).
    pub usage_scale: f64,
    /// Inject the data-quality faults (the demo does; benchmarks may not).
    pub faults: bool,
    /// Companies, each with one office: the 10 real ones first (fewer: the first ones), more at
    /// real Belgian places weighted by population (or on the map) beyond.
    pub offices: usize,
    /// Centers: the 8 real ones first (fewer: the first ones), more at real Belgian places
    /// weighted by population (or on the map) beyond. At least 2.
    pub sites: usize,
    /// Multiplies every center's desks (the cap on the people a center takes a day), so that use
    /// is not capped at country scale.
    pub workspaces_scale: f64,
    /// Multiplies every user's days a week at a center (at most 5): more badge rows per user
    /// once `usage_scale` has made nearly everyone who gains from a center a user.
    pub days_scale: f64,
    /// Place offices, centers and homes on this road map instead of real Belgian places (issue
    /// 13's country study): offices and centers a few metres from a node, homes at random points
    /// 5–100 m from one (no postcode homes).
    pub map: Option<MapPoints>,
    /// `inputs.osm`, `inputs.road_network` and `inputs.gtfs` of the study (paths as written).
    pub osm: Option<String>,
    /// See `osm`.
    pub road_network: Option<String>,
    /// See `osm`.
    pub gtfs: Vec<String>,
    /// Write the demo's method variants (`[[scenarios]]`).
    pub scenarios: bool,
}

/// The car-routable nodes of a road map (degrees), where `--on-map` puts people and places.
#[derive(Clone, Default)]
pub struct MapPoints {
    /// Latitudes.
    pub lat: Vec<f64>,
    /// Longitudes, in the same order.
    pub lon: Vec<f64>,
}

impl std::fmt::Debug for MapPoints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MapPoints({} nodes)", self.lat.len())
    }
}

impl MapPoints {
    /// The car graph's junctions of an `.osm.pbf` file.
    pub fn from_pbf(pbf: &Path) -> Result<MapPoints, navette_road::RoadError> {
        let x = navette_road::osm::read_pbf(pbf)?;
        let (g, _) = navette_road::graph::build(&x, navette_road::Profile::Car);
        Ok(MapPoints { lat: g.lat, lon: g.lon })
    }

    /// Latitude and longitude bounds, `([south, north], [west, east])`.
    pub fn bounds(&self) -> ([f64; 2], [f64; 2]) {
        let span = |v: &[f64]| v.iter().fold([f64::INFINITY, f64::NEG_INFINITY], |a, &x| [a[0].min(x), a[1].max(x)]);
        (span(&self.lat), span(&self.lon))
    }

    fn random(&self, rng: &mut ChaCha8Rng) -> (f64, f64) {
        let i = rng.random_range(0..self.lat.len());
        (self.lat[i], self.lon[i])
    }

    /// A node drawn as homes are drawn from places: uniformly (nodes are where roads are dense),
    /// kept with the commuting catchment's weight `exp(-d / 22 km)` up to 90 km from `office`.
    fn near(&self, rng: &mut ChaCha8Rng, office: (f64, f64)) -> (f64, f64) {
        let mut p = self.random(rng);
        for _ in 0..5000 {
            let d = crow_m(office, p) / 1000.0;
            if d <= 90.0 && rng.random::<f64>() < (-d / 22.0).exp() {
                break;
            }
            p = self.random(rng);
        }
        p
    }
}

/// A point at a uniformly random place of the ring `min_m`–`max_m` around `p`.
fn jitter(rng: &mut ChaCha8Rng, p: (f64, f64), min_m: f64, max_m: f64) -> (f64, f64) {
    let r = (min_m * min_m + rng.random::<f64>() * (max_m * max_m - min_m * min_m)).sqrt();
    let a = rng.random::<f64>() * std::f64::consts::TAU;
    (p.0 + r * a.cos() / 111_195.0, p.1 + r * a.sin() / (111_195.0 * p.0.to_radians().cos()))
}

/// Coordinates of generated places, rounded to about a decimetre.
fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 20260101,
            employees: 1500,
            from: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid"),
            to: NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid"),
            usage_scale: 1.0,
            faults: true,
            offices: COMPANIES.len(),
            sites: SITES.len(),
            workspaces_scale: 1.0,
            days_scale: 1.0,
            map: None,
            osm: None,
            road_network: None,
            gtfs: Vec::new(),
            scenarios: true,
        }
    }
}

/// (site_id, name, municipality, lat, lon, workspaces, opened_on). Coordinates are the town points
/// of the shared domain reference (GeoNames); the two Louvain-la-Neuve centers are set apart by a
/// few hundred metres.
const SITES: &[(&str, &str, &str, f64, f64, u32, &str)] = &[
    ("LLN1", "Louvain-la-Neuve Centre", "Ottignies-Louvain-la-Neuve", 50.66829, 4.61443, 20, "2023-09-01"),
    ("LLN2", "Louvain-la-Neuve Parc", "Ottignies-Louvain-la-Neuve", 50.66310, 4.62250, 16, "2024-03-01"),
    ("TOU", "Tournai", "Tournai", 50.60715, 3.38932, 14, "2023-09-01"),
    ("ENG", "Enghien", "Enghien", 50.69375, 4.03788, 12, "2024-01-15"),
    ("SAI", "Saintes", "Tubize", 50.70499, 4.16006, 14, "2024-01-15"),
    ("ISN", "Les Isnes", "Gembloux", 50.50611, 4.72833, 18, "2023-09-01"),
    ("RED", "Redu", "Libin", 50.0094, 5.1619, 10, "2024-06-01"),
    ("WEM", "Wemmel", "Wemmel", 50.90812, 4.30613, 16, "2024-09-01"),
];

/// (company_id, name, office_name, lat, lon, employees share, center-use propensity).
const COMPANIES: &[(&str, &str, &str, f64, f64, f64, f64)] = &[
    ("C01", "Assurances du Brabant", "Bruxelles Centre", 50.85045, 4.34878, 0.20, 1.0),
    ("C02", "Énergie Quartier Nord", "Bruxelles Nord", 50.86000, 4.35700, 0.15, 1.1),
    ("C03", "Tech Louise", "Bruxelles Louise", 50.83300, 4.36300, 0.12, 1.2),
    ("C04", "Service public de Namur", "Namur Jambes", 50.46690, 4.86746, 0.11, 0.9),
    ("C05", "Meuse Logistique", "Namur", 50.46300, 4.86000, 0.09, 0.8),
    ("C06", "Charleroi Aéro Services", "Charleroi", 50.41136, 4.44448, 0.09, 0.9),
    ("C07", "Sambre Ingénierie", "Charleroi Ville-Haute", 50.41400, 4.44000, 0.07, 0.9),
    ("C08", "Liège Biotech", "Liège", 50.63373, 5.56749, 0.07, 1.0),
    ("C09", "Mons Digital", "Mons", 50.45413, 3.95229, 0.06, 1.1),
    ("C10", "Hainaut Santé", "Mons Hôpital", 50.45400, 3.95600, 0.04, 0.12),
];

/// Belgian public holidays in 2026 on weekdays (no center days).
const HOLIDAYS_2026: &[(u32, u32)] = &[(1, 1), (4, 6), (5, 1), (5, 14), (5, 25), (7, 21), (11, 11), (12, 25)];

struct Place {
    name: String,
    lat: f64,
    lon: f64,
    population: f64,
    refnis: String,
}

fn places() -> Vec<Place> {
    let mut r = csv::Reader::from_reader(PLACES_CSV.as_bytes());
    let h = r.headers().expect("places header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap_or_else(|| panic!("be_places.csv lacks {n}"));
    let (name, lat, lon, pop, refnis) = (col("name"), col("lat"), col("lon"), col("population"), col("refnis"));
    r.records()
        .map(|x| x.expect("places row"))
        .map(|x| Place {
            name: x[name].replace([',', ';', '"'], " "),
            lat: x[lat].parse().expect("lat"),
            lon: x[lon].parse().expect("lon"),
            population: x[pop].parse().unwrap_or(0.0),
            refnis: x[refnis].to_owned(),
        })
        .collect()
}

fn postcodes_by_refnis() -> std::collections::BTreeMap<String, Vec<String>> {
    let mut r = csv::Reader::from_reader(POSTCODES_CSV.as_bytes());
    let h = r.headers().expect("postcodes header").clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap_or_else(|| panic!("be_postcodes.csv lacks {n}"));
    let (pc, refnis) = (col("postcode"), col("refnis"));
    let mut m: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for x in r.records().map(|x| x.expect("postcode row")) {
        m.entry(x[refnis].to_owned()).or_default().push(x[pc].to_owned());
    }
    m
}

/// Draws an index with probability proportional to `weights` (cumulative table, binary search).
fn pick(rng: &mut ChaCha8Rng, cumulative: &[f64]) -> usize {
    let total = *cumulative.last().expect("non-empty weights");
    let x = rng.random::<f64>() * total;
    cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1)
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    // Box–Muller; enough for synthetic schedules.
    let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    mean + sd * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Chooses a commute mode from the one-way great-circle distance and the office's city, in the
/// proportions of Belgian commuting (car dominant; train strong towards Brussels).
fn commute_mode(rng: &mut ChaCha8Rng, km: f64, brussels: bool) -> &'static str {
    let table: &[(&str, f64)] = if km < 3.0 {
        &[("walk", 0.35), ("bike", 0.2), ("car", 0.3), ("bus", 0.15)]
    } else if km < 12.0 {
        &[
            ("car", 0.58),
            ("bike", 0.12),
            ("ebike", 0.08),
            ("bus", 0.1),
            ("carpool", 0.05),
            ("motorbike", 0.02),
            ("tram", 0.05),
        ]
    } else if brussels {
        &[("car", 0.5), ("train", 0.37), ("carpool", 0.06), ("bus", 0.05), ("motorbike", 0.02)]
    } else {
        &[("car", 0.74), ("train", 0.12), ("carpool", 0.07), ("bus", 0.05), ("motorbike", 0.02)]
    };
    let c = cumulative(table.iter().map(|t| t.1));
    table[pick(rng, &c)].0
}

/// The mode to a center for a user who commutes by `commute` and lives `km` (great circle) from
/// the center: the commute mode when it fits that distance (a walk under 3 km, a bike under 10,
/// an e-bike under 20, any car), else a draw from what short trips look like in Belgium — walking
/// and cycling near, the bus, the car as the distance grows. A navette assumption for the
/// synthetic demo, shaped on the short-distance part of the commute mode table above; a train
/// ride to a center 20 km away is not on offer (no center sits at a station in the demo).
fn center_mode(rng: &mut ChaCha8Rng, commute: &'static str, km: f64) -> &'static str {
    let fits = match commute {
        "walk" => km < 3.0,
        "bike" => km < 10.0,
        "ebike" => km < 20.0,
        "car" | "carpool" | "motorbike" => true,
        _ => false,
    };
    if fits {
        return "";
    }
    let table: &[(&str, f64)] = if km < 2.0 {
        &[("walk", 0.5), ("bike", 0.3), ("bus", 0.2)]
    } else if km < 6.0 {
        &[("bike", 0.35), ("ebike", 0.1), ("bus", 0.25), ("car", 0.3)]
    } else if km < 15.0 {
        &[("car", 0.55), ("bus", 0.2), ("ebike", 0.15), ("carpool", 0.1)]
    } else {
        &[("car", 0.85), ("carpool", 0.15)]
    };
    let c = cumulative(table.iter().map(|t| t.1));
    table[pick(rng, &c)].0
}

fn fuel(rng: &mut ChaCha8Rng) -> &'static str {
    const F: &[(&str, f64)] = &[
        ("petrol", 0.40),
        ("diesel", 0.33),
        ("hybrid", 0.08),
        ("plugin_hybrid", 0.07),
        ("electric", 0.09),
        ("lpg", 0.01),
        ("", 0.02),
    ];
    let c = cumulative(F.iter().map(|t| t.1));
    F[pick(rng, &c)].0
}

/// A center of a generated study.
struct SiteDef {
    id: String,
    name: String,
    muni: String,
    lat: f64,
    lon: f64,
    workspaces: u32,
    opened: String,
}

/// A company of a generated study (one office).
struct CompanyDef {
    id: String,
    name: String,
    office: String,
    lat: f64,
    lon: f64,
    /// Share of the employees (relative weight).
    share: f64,
    propensity: f64,
}

/// The centers: the real ones, then more at places weighted by population or on the map.
fn site_defs(rng: &mut ChaCha8Rng, opt: &DemoOptions, places: &[Place], by_pop: &[f64]) -> Vec<SiteDef> {
    let mut out: Vec<SiteDef> = SITES
        .iter()
        .take(opt.sites)
        .map(|&(id, name, muni, lat, lon, ws, opened)| SiteDef {
            id: id.into(),
            name: name.into(),
            muni: muni.into(),
            lat,
            lon,
            workspaces: ws,
            opened: opened.into(),
        })
        .collect();
    for k in out.len() + 1..=opt.sites {
        let p = &places[pick(rng, by_pop)];
        out.push(SiteDef {
            id: format!("S{k:02}"),
            name: format!("Centre {}", p.name),
            muni: p.name.clone(),
            lat: round6(p.lat + normal(rng, 0.0, 0.004)),
            lon: round6(p.lon + normal(rng, 0.0, 0.006)),
            workspaces: rng.random_range(10..=24),
            opened: ["2023-09-01", "2024-01-15", "2024-06-01", "2024-09-01"][rng.random_range(0..4)].into(),
        });
    }
    if let Some(map) = &opt.map {
        for s in &mut out {
            let node = map.random(rng);
            let (lat, lon) = jitter(rng, node, 1.0, 30.0);
            (s.lat, s.lon) = (round6(lat), round6(lon));
        }
    }
    if opt.workspaces_scale != 1.0 {
        for s in &mut out {
            s.workspaces = ((s.workspaces as f64) * opt.workspaces_scale).round().max(1.0) as u32;
        }
    }
    out
}

/// The companies: the real ones, then more at places weighted by population or on the map.
fn company_defs(rng: &mut ChaCha8Rng, opt: &DemoOptions, places: &[Place], by_pop: &[f64]) -> Vec<CompanyDef> {
    let mut out: Vec<CompanyDef> = COMPANIES
        .iter()
        .take(opt.offices)
        .map(|&(id, name, office, lat, lon, share, propensity)| CompanyDef {
            id: id.into(),
            name: name.into(),
            office: office.into(),
            lat,
            lon,
            share,
            propensity,
        })
        .collect();
    if out.len() == COMPANIES.len() && opt.offices == COMPANIES.len() {
        // The demo's companies as they are (shares summing to 1).
        if let Some(map) = &opt.map {
            for c in &mut out {
                let node = map.random(rng);
                let (lat, lon) = jitter(rng, node, 1.0, 30.0);
                (c.lat, c.lon) = (round6(lat), round6(lon));
            }
        }
        return out;
    }
    // Shares of a mean of 1 a company: the real ones keep their proportions, the others draw one.
    for c in &mut out {
        c.share *= COMPANIES.len() as f64;
    }
    for k in out.len() + 1..=opt.offices {
        let p = &places[pick(rng, by_pop)];
        out.push(CompanyDef {
            id: format!("C{k:02}"),
            name: format!("Entreprise {k}"),
            office: p.name.clone(),
            lat: round6(p.lat + normal(rng, 0.0, 0.004)),
            lon: round6(p.lon + normal(rng, 0.0, 0.006)),
            share: rng.random_range(0.2..1.8),
            propensity: rng.random_range(0.7..1.3),
        });
    }
    if let Some(map) = &opt.map {
        for c in &mut out {
            let node = map.random(rng);
            let (lat, lon) = jitter(rng, node, 1.0, 30.0);
            (c.lat, c.lon) = (round6(lat), round6(lon));
        }
    }
    out
}

/// Employees per company: the demo's rounding for the demo's companies; otherwise the shares
/// normalised, rounded down, the rest one each to the first companies (exactly `employees`).
fn headcounts(opt: &DemoOptions, companies: &[CompanyDef]) -> Vec<usize> {
    if opt.offices == COMPANIES.len() {
        return companies.iter().map(|c| ((opt.employees as f64) * c.share).round() as usize).collect();
    }
    let total: f64 = companies.iter().map(|c| c.share).sum();
    let mut n: Vec<usize> =
        companies.iter().map(|c| ((opt.employees as f64) * c.share / total).floor() as usize).collect();
    let rest = opt.employees.saturating_sub(n.iter().sum());
    for x in n.iter_mut().take(rest) {
        *x += 1;
    }
    n
}

/// A generated study: file name → content, in a fixed order.
pub fn generate(opt: &DemoOptions) -> Vec<(String, String)> {
    assert!(opt.sites >= 2, "a generated study has at least 2 centers");
    assert!(opt.offices >= 1, "a generated study has at least 1 company");
    let mut rng = ChaCha8Rng::seed_from_u64(opt.seed);
    let places = places();
    let postcodes = postcodes_by_refnis();
    let mut files: Vec<(String, String)> = Vec::new();
    let custom = opt.sites != SITES.len() || opt.offices != COMPANIES.len() || opt.map.is_some();
    let by_pop = if custom { cumulative(places.iter().map(|p| p.population)) } else { Vec::new() };
    let site_list = site_defs(&mut rng, opt, &places, &by_pop);
    let company_list = company_defs(&mut rng, opt, &places, &by_pop);
    let heads = headcounts(opt, &company_list);

    let mut sites = String::from("site_id,name,municipality,lat,lon,workspaces,opened_on\n");
    for s in &site_list {
        let _ = writeln!(sites, "{},{},{},{},{},{},{}", s.id, s.name, s.muni, s.lat, s.lon, s.workspaces, s.opened);
    }
    let mut companies = String::from("company_id,name,office_name,office_lat,office_lon,package_hours_per_quarter\n");

    // Employees: `;`-separated with decimal commas, as a Belgian HR spreadsheet exports them.
    let mut employees = String::from(
        "employee_id;company_id;home_lat;home_lon;home_postcode;commute_mode;car_fuel;car_size;car_occupancy;center_mode\n",
    );
    let mut cards = String::from("card_id,employee_id,valid_from,valid_to\n");
    let mut users: Vec<User> = Vec::new();
    let mut emp_no = 0usize;
    let mut expected_hours = vec![0.0; company_list.len()];
    let weeks = ((opt.to - opt.from).num_days() as f64 + 1.0) / 7.0;
    for (ci, c) in company_list.iter().enumerate() {
        let (cid, olat, olon, propensity) = (&c.id, &c.lat, &c.lon, &c.propensity);
        let n = heads[ci];
        // Homes: population × distance decay from the office (commuting catchment); on a map,
        // road nodes stand for the population.
        let weights = if opt.map.is_none() {
            cumulative(places.iter().map(|p| {
                let d = crow_m((*olat, *olon), (p.lat, p.lon)) / 1000.0;
                if d > 90.0 { 0.0 } else { p.population * (-d / 22.0).exp() }
            }))
        } else {
            Vec::new()
        };
        for _ in 0..n {
            emp_no += 1;
            let id = format!("E{emp_no:06}");
            let (home, refnis) = match &opt.map {
                None => {
                    let p = &places[pick(&mut rng, &weights)];
                    ((p.lat + normal(&mut rng, 0.0, 0.008), p.lon + normal(&mut rng, 0.0, 0.012)), Some(&p.refnis))
                }
                Some(map) => {
                    let node = map.near(&mut rng, (*olat, *olon));
                    (jitter(&mut rng, node, 5.0, 100.0), None)
                }
            };
            let km = crow_m(home, (*olat, *olon)) / 1000.0;
            let mode = commute_mode(&mut rng, km, *olat > 50.8);
            let car_like = Mode::parse(mode).is_some_and(Mode::is_car_like);
            let (fuel, size) = if car_like {
                let s = ["small", "medium", "large", "average", ""]
                    [pick(&mut rng, &cumulative([0.2, 0.35, 0.2, 0.1, 0.15].into_iter()))];
                (fuel(&mut rng), s)
            } else {
                ("", "")
            };
            let occupancy = if mode == "carpool" && rng.random::<f64>() < 0.5 { "2" } else { "" };
            // Nearest and second-nearest sites.
            let mut by_dist: Vec<(f64, usize)> =
                site_list.iter().enumerate().map(|(i, s)| (crow_m(home, (s.lat, s.lon)) / 1000.0, i)).collect();
            by_dist.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let saving = km - by_dist[0].0;
            // People use a center when it is clearly nearer than the office.
            let p_use = if saving < 1.0 { 0.0 } else { 0.08 + 0.6 * (saving / 30.0).min(1.0) };
            // Train, bus, tram and metro commuters seldom take the car to a center: a center out of
            // cycling and bus range (6 km and more) keeps few of them.
            let p_use = if matches!(mode, "train" | "bus" | "tram" | "metro") && by_dist[0].0 >= 6.0 {
                p_use * 0.3
            } else {
                p_use
            };
            let user = rng.random::<f64>() < (p_use * propensity * opt.usage_scale).min(0.95);
            // The way to a center: the commute mode when it fits the distance, else what people
            // do over that distance (`center_mode`).
            let to_center = by_dist[0].0;
            let center_mode = if user { center_mode(&mut rng, mode, to_center) } else { "" };
            let by_postcode = rng.random::<f64>() < 0.2 && refnis.is_some_and(|r| postcodes.contains_key(r));
            let (lat, lon, pc) = if let (true, Some(refnis)) = (by_postcode, refnis) {
                let list = &postcodes[refnis];
                (String::new(), String::new(), list[rng.random_range(0..list.len())].clone())
            } else {
                (format!("{:.5}", home.0).replace('.', ","), format!("{:.5}", home.1).replace('.', ","), String::new())
            };
            let _ = writeln!(employees, "{id};{cid};{lat};{lon};{pc};{mode};{fuel};{size};{occupancy};{center_mode}");
            let card = format!("K{:07}", emp_no * 7 + 1000);
            if user {
                let reissue = rng.random::<f64>() < 0.03;
                let days_per_week = ([0.5, 1.0, 1.0, 1.5, 2.0, 2.5][rng.random_range(0..6)] * opt.days_scale).min(5.0);
                expected_hours[ci] += days_per_week * 7.0 * weeks / (weeks / 13.0).max(1.0);
                let switch = opt.from + Duration::days(rng.random_range(20..((opt.to - opt.from).num_days().max(21))));
                if reissue {
                    let new = format!("K{:07}", emp_no * 7 + 1003);
                    let _ = writeln!(cards, "{card},{id},,{}", switch - Duration::days(1));
                    let _ = writeln!(cards, "{new},{id},{switch},");
                    users.push(User {
                        card_before: card,
                        card_after: Some((new, switch)),
                        sites: [by_dist[0].1, by_dist[1].1],
                        days_per_week,
                        part_day_share: 0.15,
                    });
                } else {
                    let _ = writeln!(cards, "{card},{id},,");
                    users.push(User {
                        card_before: card,
                        card_after: None,
                        sites: [by_dist[0].1, by_dist[1].1],
                        days_per_week,
                        part_day_share: 0.15,
                    });
                }
            } else {
                // Every member's employee gets a card, used or not.
                let _ = writeln!(cards, "{card},{id},,");
            }
        }
        // Packages sized around expected use: some companies will overrun, some will not.
        let package = (expected_hours[ci] * [1.2, 0.9, 1.05, 1.3, 0.8][ci % 5] / 10.0).round() * 10.0;
        let (name, office) = (&c.name, &c.office);
        let _ = writeln!(companies, "{cid},{name},{office},{olat},{olon},{}", package.max(40.0));
    }
    if opt.faults {
        // Faults HR files really contain: swapped coordinates, an unknown company, an unknown
        // mode, a postcode that does not exist; a card for nobody.
        employees.push_str("E900001;C01;4,35210;50,84420;;car;diesel;medium;;\n");
        employees.push_str("E900002;C99;50,60000;4,10000;;car;petrol;;;\n");
        employees.push_str("E900003;C02;50,70000;4,40000;;trottinette;;;;\n");
        employees.push_str("E900004;C03;;;9999;car;diesel;;;\n");
        cards.push_str("K9999999,E999999,,\n");
    }

    let mut logs = badge_events(&mut rng, opt, &users, &site_list);
    for (si, s) in site_list.iter().enumerate() {
        let id = &s.id;
        files.push((format!("logs/{id}.csv"), log_file(si, id, std::mem::take(&mut logs[si]), opt.faults)));
    }
    let study = study_toml(opt);
    let mut out = vec![
        ("study.toml".to_owned(), study),
        ("sites.csv".to_owned(), sites),
        ("companies.csv".to_owned(), companies),
        ("employees.csv".to_owned(), employees),
        ("cards.csv".to_owned(), cards),
        ("factors-train-x2.csv".to_owned(), TRAIN_X2.to_owned()),
    ];
    out.extend(files);
    out
}

/// A person who uses the centers, as the log generator needs them.
struct User {
    card_before: String,
    card_after: Option<(String, NaiveDate)>,
    sites: [usize; 2],
    days_per_week: f64,
    part_day_share: f64,
}

/// The badge events of the study period, per site: `(UTC seconds, "card\u{1}direction")`. Each
/// user comes on a working day with probability `days_per_week / 5` × the weekday's weight, mostly
/// to their nearest site, for a full or a part day; with `faults`, forgotten and doubled swipes.
fn badge_events(rng: &mut ChaCha8Rng, opt: &DemoOptions, users: &[User], sites: &[SiteDef]) -> Vec<Vec<(i64, String)>> {
    let mut logs: Vec<Vec<(i64, String)>> = vec![Vec::new(); sites.len()];
    let mut day = opt.from;
    let brussels = chrono_tz::Europe::Brussels;
    use chrono::TimeZone;
    while day <= opt.to {
        let wd = day.weekday();
        let holiday = HOLIDAYS_2026.contains(&(day.month(), day.day())) && day.year() == 2026;
        if !matches!(wd, Weekday::Sat | Weekday::Sun) && !holiday {
            let weight = match wd {
                Weekday::Mon => 1.1,
                Weekday::Tue => 0.9,
                Weekday::Wed => 1.0,
                Weekday::Thu => 0.85,
                _ => 1.15,
            };
            // People at each site that day.
            let mut taken = vec![0u32; sites.len()];
            for u in users {
                if rng.random::<f64>() >= u.days_per_week / 5.0 * weight {
                    continue;
                }
                let card = match &u.card_after {
                    Some((c, from)) if day >= *from => c.as_str(),
                    _ => u.card_before.as_str(),
                };
                let preferred = if rng.random::<f64>() < 0.95 { u.sites } else { [u.sites[1], u.sites[0]] };
                // A full center (as many people as desks that day) turns people away: to their
                // other center if it has room, else they work elsewhere that day.
                let Some(site) = preferred.into_iter().find(|&s| taken[s] < sites[s].workspaces) else {
                    continue;
                };
                taken[site] += 1;
                let arrive_h = normal(rng, 8.6, 0.5).clamp(7.0, 11.0);
                let stay_h = if rng.random::<f64>() < u.part_day_share {
                    normal(rng, 3.0, 0.7).clamp(1.0, 3.9)
                } else {
                    normal(rng, 7.6, 0.9).clamp(4.2, 10.0)
                };
                let t_in = (arrive_h * 3600.0) as i64;
                let t_out = t_in + (stay_h * 3600.0) as i64;
                let local = |sod: i64| day.and_hms_opt(0, 0, 0).expect("midnight") + Duration::seconds(sod);
                let stamp = |sod: i64| {
                    let l = local(sod);
                    brussels.from_local_datetime(&l).earliest().expect("daytime exists").timestamp()
                };
                let r: f64 = rng.random();
                let mut push = |sod: i64, dir: &str| logs[site].push((stamp(sod), format!("{card}\u{1}{dir}")));
                let mut day_events: Vec<(i64, &str)> = vec![(t_in, "in"), (t_out, "out")];
                if opt.faults && r < 0.015 {
                    day_events.pop(); // forgotten badge-out
                } else if opt.faults && r < 0.025 {
                    day_events.insert(1, (t_in + rng.random_range(5..90), "in")); // double swipe
                } else if opt.faults && r < 0.028 {
                    day_events.remove(0); // badge-in not recorded
                } else if rng.random::<f64>() < 0.08 {
                    // Lunch outside: out and back in.
                    let lunch = t_in + ((t_out - t_in) / 2).max(1800);
                    day_events.insert(1, (lunch, "out"));
                    day_events.insert(2, (lunch + 2700, "in"));
                }
                for (sod, dir) in day_events {
                    push(sod, dir);
                }
            }
        }
        day += Duration::days(1);
    }
    logs
}

/// One site's log file in its access system's own dialect (separator, BOM, time zone, time
/// format), with the faults of the first site's log when `faults` is set.
fn log_file(si: usize, id: &str, mut rows: Vec<(i64, String)>, faults: bool) -> String {
    let brussels = chrono_tz::Europe::Brussels;
    rows.sort();
    let mut text = String::new();
    let (sep, header) = match id {
        "TOU" => (';', "\u{feff}timestamp;site_id;card_id;direction\n"),
        _ => (',', "timestamp,site_id,card_id,direction\n"),
    };
    text.push_str(header);
    for (utc, rest) in rows {
        let mut parts = rest.split('\u{1}');
        let (card, dir) = (parts.next().expect("card"), parts.next().expect("dir"));
        let t = chrono::DateTime::from_timestamp(utc, 0).expect("valid instant");
        let ts = match id {
            // Wemmel's access system exports UTC.
            "WEM" => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            // Redu's exports local time with its offset.
            "RED" => t.with_timezone(&brussels).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            // Tournai's spreadsheet export uses a space.
            "TOU" => t.with_timezone(&brussels).format("%Y-%m-%d %H:%M:%S").to_string(),
            _ => t.with_timezone(&brussels).format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        let _ = writeln!(text, "{ts}{sep}{id}{sep}{card}{sep}{dir}");
    }
    if faults && si == 0 {
        // Unknown cards (visitors' badges), a malformed timestamp, a short row, a Sunday
        // clock glitch in the spring-forward gap, an export overlapping the previous period,
        // a visit left open past midnight and an unknown site code.
        text.push_str("2026-02-03T09:12:44,LLN1,V0000001,in\n2026-02-03T16:40:02,LLN1,V0000001,out\n");
        text.push_str("2026-02-30T08:12:00,LLN1,K0001007,in\n");
        text.push_str("2026-03-12T08:15:00,LLN1\n");
        text.push_str("2026-03-29T02:30:00,LLN1,K0001007,in\n");
        text.push_str("2025-12-31T10:00:00,LLN1,K0001007,in\n");
        text.push_str("2026-05-06T19:30:00,LLN1,K0001007,in\n2026-05-07T00:45:00,LLN1,K0001007,out\n");
        text.push_str("2026-04-14T06:05:00,LLN1,K0001007,in\n2026-04-14T20:40:00,LLN1,K0001007,out\n");
        text.push_str("2026-05-08T09:00:00,LLN9,K0001007,in\n");
        text.push_str("2026-05-08T09:00:00,LLN1,K0001007,inside\n");
    }
    text
}

/// `study.toml` of the demo.
fn study_toml(opt: &DemoOptions) -> String {
    let quoted = |p: &str| format!("\"{}\"", p.replace('\\', "\\\\").replace('"', "\\\""));
    let mut inputs = String::new();
    if let Some(p) = &opt.osm {
        let _ = writeln!(inputs, "osm = {}", quoted(p));
    }
    if let Some(p) = &opt.road_network {
        let _ = writeln!(inputs, "road_network = {}", quoted(p));
    }
    if !opt.gtfs.is_empty() {
        let list: Vec<String> = opt.gtfs.iter().map(|p| quoted(p)).collect();
        let _ = writeln!(inputs, "gtfs = [{}]", list.join(", "));
    }
    let mut area = String::new();
    if let Some(map) = &opt.map {
        // The map's extent, so that no home on it falls outside the study area.
        let (lat, lon) = map.bounds();
        let _ = writeln!(
            area,
            "\n[method.study_area]\nlat = [{:.3}, {:.3}]\nlon = [{:.3}, {:.3}]",
            lat[0] - 0.01,
            lat[1] + 0.01,
            lon[0] - 0.01,
            lon[1] + 0.01
        );
    }
    format!(
        "# The demo study: synthetic people on real places (see datasets/demo/README.md).\n\
     # Regenerate with: navette generate --out datasets/demo\n\n\
     [study]\nname = \"Réseau wallon des centres de travail partagés (démo)\"\nfrom = {}\nto = {}\nlanguage = \"fr\"\n\
     # Per-company report languages (the others use `language`).\ncompany_languages = {{ C02 = \"nl\", C03 = \"en\" }}\n\n\
     [inputs]\nsites = \"sites.csv\"\ncompanies = \"companies.csv\"\nemployees = \"employees.csv\"\ncards = \"cards.csv\"\naccess_logs = [\"logs/*.csv\"]\n{inputs}\n\
     [method]\nboundary = \"wtw\"\n# Belgian grid for electric cars, trams and metros; scenario uk_grid shows the UK proxy.\nfactor_set = \"be-2025-begrid\"\nmin_hours_office_day = 4.0\nmax_visit_hours = 12.0\nduplicate_window_s = 120\nopen_visit_hours = 0.0\ncarpool_occupancy = 2.0\n{area}\n\
     # The energy of the places of work, beside the commute figures (off unless enabled; defaults\n# and their sources in the warehouse table energy_parameters).\n[energy]\nenabled = true\n\n\
     [privacy]\nk_anonymity = 5\n# Demo only: a real study keeps its key secret and out of shared folders.\npseudonym_key = \"demo-key-not-secret\"\n\n\
     {scenarios}",
        opt.from,
        opt.to,
        scenarios = if opt.scenarios { SCENARIOS } else { "" },
    )
}

/// The demo's method variants (`[[scenarios]]`), computed beside the base run: one per option an
/// analyst asks about (boundary, office-day rule, occupancy, rebound, open visits, a factor).
const SCENARIOS: &str = "# Method variants computed beside the base run, side by side in the warehouse (views scenario_*).\n\
# Every value here is a sensitivity test, not a recommendation.\n\
[[scenarios]]\nname = \"ttw\"\nset = [\"method.boundary=ttw\"]\n\n\
# Electricity at the UK grid of DESNZ's tables (the proxy of factor set be-2025) instead of the Belgian grid.\n\
[[scenarios]]\nname = \"uk_grid\"\nset = [\"method.factor_set=be-2025\"]\n\n\
[[scenarios]]\nname = \"office_day_2h\"\nset = [\"method.min_hours_office_day=2\"]\n\n\
[[scenarios]]\nname = \"office_day_6h\"\nset = [\"method.min_hours_office_day=6\"]\n\n\
[[scenarios]]\nname = \"carpool_3\"\nset = [\"method.carpool_occupancy=3\"]\n\n\
# A user assumption: a fifth of the avoided office round trip is travelled anyway.\n\
[[scenarios]]\nname = \"rebound_20pct\"\nset = [\"method.rebound_share=0.2\"]\n\n\
[[scenarios]]\nname = \"open_visit_4h\"\nset = [\"method.open_visit_hours=4\"]\n\n\
# Stress test of the oldest factor of be-2025 (SNCB 2011 train TTW): twice the value.\n\
[[scenarios]]\nname = \"train_factor_x2\"\nset = [\"inputs.factors=factors-train-x2.csv\"]\n";

/// A factor override for the `train_factor_x2` scenario: a stated stress test, not a published
/// value.
const TRAIN_X2: &str = "mode,fuel,size,component,value_kg,unit,source,year,note\n\
train,,,ttw,0.04600,pkm,sensitivity test: twice the SNCB 2011 value of be-2025 (user assumption; not a published figure),2025,stress test of the oldest factor in be-2025\n";

/// Writes a generated study into `dir`.
pub fn write_study(dir: &Path, files: &[(String, String)]) -> std::io::Result<()> {
    for (name, content) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)?;
    }
    Ok(())
}

/// The demo study as shipped in `datasets/demo/`, embedded in the binary.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("study.toml", include_str!("../../../datasets/demo/study.toml")),
    ("sites.csv", include_str!("../../../datasets/demo/sites.csv")),
    ("companies.csv", include_str!("../../../datasets/demo/companies.csv")),
    ("employees.csv", include_str!("../../../datasets/demo/employees.csv")),
    ("cards.csv", include_str!("../../../datasets/demo/cards.csv")),
    ("factors-train-x2.csv", include_str!("../../../datasets/demo/factors-train-x2.csv")),
    ("logs/LLN1.csv", include_str!("../../../datasets/demo/logs/LLN1.csv")),
    ("logs/LLN2.csv", include_str!("../../../datasets/demo/logs/LLN2.csv")),
    ("logs/TOU.csv", include_str!("../../../datasets/demo/logs/TOU.csv")),
    ("logs/ENG.csv", include_str!("../../../datasets/demo/logs/ENG.csv")),
    ("logs/SAI.csv", include_str!("../../../datasets/demo/logs/SAI.csv")),
    ("logs/ISN.csv", include_str!("../../../datasets/demo/logs/ISN.csv")),
    ("logs/RED.csv", include_str!("../../../datasets/demo/logs/RED.csv")),
    ("logs/WEM.csv", include_str!("../../../datasets/demo/logs/WEM.csv")),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_demo_is_the_generators_output() {
        let generated = generate(&DemoOptions::default());
        let names: Vec<&str> = generated.iter().map(|(n, _)| n.as_str()).collect();
        let embedded: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, embedded, "datasets/demo file list changed: update EMBEDDED");
        for ((name, g), (_, e)) in generated.iter().zip(EMBEDDED) {
            assert!(
                g == e,
                "datasets/demo/{name} differs from the generator: run `navette generate --out datasets/demo`"
            );
        }
    }

    fn table<'a>(files: &'a [(String, String)], name: &str) -> Vec<Vec<&'a str>> {
        let text = &files.iter().find(|(n, _)| n == name).expect("file").1;
        let sep = if name == "employees.csv" { ';' } else { ',' };
        text.lines().skip(1).map(|l| l.split(sep).collect()).collect()
    }

    fn log_rows(files: &[(String, String)]) -> usize {
        files.iter().filter(|(n, _)| n.starts_with("logs/")).map(|(_, t)| t.lines().count() - 1).sum()
    }

    #[test]
    fn more_offices_and_sites_are_placed_at_belgian_places() {
        let opt = DemoOptions { employees: 3000, offices: 500, sites: 30, faults: false, ..DemoOptions::default() };
        let files = generate(&opt);
        let companies = table(&files, "companies.csv");
        assert_eq!(companies.len(), 500);
        let ids: std::collections::BTreeSet<&str> = companies.iter().map(|c| c[0]).collect();
        assert_eq!(ids.len(), 500, "500 distinct companies");
        assert_eq!(
            companies[..10].iter().map(|c| c[1]).collect::<Vec<_>>(),
            COMPANIES.iter().map(|c| c.1).collect::<Vec<_>>()
        );
        let offices: std::collections::BTreeSet<(&str, &str)> = companies.iter().map(|c| (c[3], c[4])).collect();
        assert_eq!(offices.len(), 500, "500 distinct offices");
        assert_eq!(table(&files, "employees.csv").len(), 3000, "exactly the employees asked for");
        let sites = table(&files, "sites.csv");
        assert_eq!(sites.len(), 30);
        assert_eq!(sites.iter().map(|s| s[0]).collect::<std::collections::BTreeSet<_>>().len(), 30);
        assert_eq!(files.iter().filter(|(n, _)| n.starts_with("logs/")).count(), 30);
        for s in &sites {
            let (lat, lon): (f64, f64) = (s[3].parse().unwrap(), s[4].parse().unwrap());
            assert!((49.4..51.6).contains(&lat) && (2.4..6.5).contains(&lon), "{s:?} in Belgium");
        }
        // Fewer than the real ones: the first ones.
        let few = generate(&DemoOptions { employees: 100, offices: 3, sites: 2, ..DemoOptions::default() });
        assert_eq!(table(&few, "companies.csv").len(), 3);
        assert_eq!(table(&few, "sites.csv").len(), 2);
    }

    #[test]
    fn the_workspaces_scale_lifts_the_desk_cap() {
        let opt = DemoOptions { employees: 3000, usage_scale: 3.0, faults: false, ..DemoOptions::default() };
        let capped = generate(&opt);
        let wide = generate(&DemoOptions { workspaces_scale: 20.0, ..opt.clone() });
        let busier = generate(&DemoOptions { workspaces_scale: 20.0, days_scale: 1.5, ..opt });
        assert!(log_rows(&busier) > log_rows(&wide) * 5 / 4, "{} vs {}", log_rows(&busier), log_rows(&wide));
        let desks = |f: &[(String, String)]| {
            table(f, "sites.csv").iter().map(|s| s[5].parse::<u32>().unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(desks(&wide), desks(&capped).iter().map(|d| d * 20).collect::<Vec<_>>());
        assert!(log_rows(&wide) > log_rows(&capped) * 3 / 2, "{} vs {}", log_rows(&wide), log_rows(&capped));
    }

    #[test]
    fn on_a_map_homes_are_random_points_near_car_nodes() {
        let pbf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../datasets/osm/mons.osm.pbf");
        let map = MapPoints::from_pbf(&pbf).unwrap();
        assert!(map.lat.len() > 100);
        let opt = DemoOptions {
            employees: 400,
            offices: 12,
            sites: 9,
            faults: false,
            map: Some(map.clone()),
            osm: Some("/maps/mons.osm.pbf".into()),
            gtfs: vec!["/feeds/syn".into()],
            ..DemoOptions::default()
        };
        let files = generate(&opt);
        let nearest = |p: (f64, f64)| {
            map.lat.iter().zip(&map.lon).map(|(&la, &lo)| crow_m(p, (la, lo))).fold(f64::INFINITY, f64::min)
        };
        let num = |s: &str| s.replace(',', ".").parse::<f64>().unwrap();
        let employees = table(&files, "employees.csv");
        assert_eq!(employees.len(), 400);
        for e in &employees {
            assert!(e[4].is_empty(), "no postcode homes on a map: {e:?}");
            let d = nearest((num(e[2]), num(e[3])));
            // Drawn 5–100 m from a node (written to 5 decimals, about a metre): on no node, though
            // another node may lie nearer than the one drawn.
            assert!(d > 0.1 && d <= 101.0, "home {e:?} is {d:.1} m from the nearest node");
        }
        for c in table(&files, "companies.csv") {
            assert!(nearest((num(c[3]), num(c[4]))) <= 31.0, "office {c:?}");
        }
        for s in table(&files, "sites.csv") {
            assert!(nearest((num(s[3]), num(s[4]))) <= 31.0, "site {s:?}");
        }
        let toml = &files[0].1;
        assert!(toml.contains("osm = \"/maps/mons.osm.pbf\"\ngtfs = [\"/feeds/syn\"]\n"), "{toml}");
        let config: toml::Table = toml::from_str(toml).expect("study.toml parses");
        let area = &config["method"]["study_area"];
        let (lat, lon) = map.bounds();
        assert!(area["lat"][0].as_float().unwrap() < lat[0] && area["lon"][1].as_float().unwrap() > lon[1]);
        assert!(log_rows(&files) > 0);
        let bare = generate(&DemoOptions { scenarios: false, ..opt });
        assert!(!bare[0].1.contains("[[scenarios]]"));
    }

    #[test]
    fn generation_is_deterministic_and_scales() {
        let small = DemoOptions { employees: 200, ..DemoOptions::default() };
        assert_eq!(generate(&small), generate(&small));
        let other = DemoOptions { seed: 7, ..small.clone() };
        assert_ne!(generate(&small), generate(&other));
    }
}
