//! Train legs through real stations (issue 16) on the committed iRail station list
//! (`datasets/rail/stations.csv`): the file reads clean, the rail model is calibrated against
//! published SNCB journey times, real legs look as people make them, and the demo's train
//! commuters get a leg or a reason.

use std::collections::BTreeMap;
use std::path::PathBuf;

use navette_transit::rail::{
    AccessMode, EgressMode, RailFallback, RailModel, StationClass, Stations, StationsReport, rail_leg, rail_legs,
    read_stations, ride,
};

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn stations() -> (Stations, StationsReport) {
    read_stations(&repo("datasets/rail/stations.csv")).expect("datasets/rail/stations.csv reads")
}

fn station<'a>(st: &'a Stations, name: &str) -> &'a navette_transit::rail::Station {
    st.get(st.by_name(name).unwrap_or_else(|| panic!("no station {name}")))
}

#[test]
fn the_irail_file_reads_clean() {
    let (st, r) = stations();
    assert_eq!(r.rows, 729);
    assert_eq!(r.foreign, 150);
    assert_eq!(r.border_points, 12);
    assert_eq!(r.unserved, 11);
    assert!(r.rejects.is_empty(), "{:?}", r.rejects);
    assert_eq!(r.accepted, 556);
    assert_eq!(r.rows, r.accepted + r.foreign + r.border_points + r.unserved + r.rejects.len() as u64);
    assert_eq!(st.len(), 556);
    let count = |c: StationClass| st.list().iter().filter(|s| s.class == c).count();
    assert_eq!((count(StationClass::Hub), count(StationClass::Intercity), count(StationClass::Local)), (37, 177, 342));
    for (name, class) in [
        ("Bruxelles-Midi", StationClass::Hub),
        ("Mons", StationClass::Hub),
        ("Namur", StationClass::Hub),
        ("Ottignies", StationClass::Hub),
        ("Gembloux", StationClass::Intercity),
        ("Tournai", StationClass::Intercity),
        ("Louvain-la-Neuve", StationClass::Local),
        ("Silly", StationClass::Local),
    ] {
        assert_eq!(station(&st, name).class, class, "{name}");
    }
    assert_eq!(station(&st, "Mons").id, "008881000");
}

/// One calibration pair: published in-train time (min) and where it comes from.
struct Pair {
    from: &'static str,
    to: &'static str,
    published_min: f64,
    source: &'static str,
}

const GENERAL: &str = "general knowledge of the SNCB timetable (no published source found here)";

/// The calibration table (also in the crate README). Times are station to station, in train.
const PAIRS: &[Pair] = &[
    Pair {
        from: "Charleroi-Central",
        to: "Bruxelles-Midi",
        published_min: 50.0,
        source: "bx1.be 2025: the Charleroi–Brussels train time 'avoisine actuellement les cinquante minutes'",
    },
    Pair {
        from: "Tournai",
        to: "Bruxelles-Midi",
        published_min: 56.0,
        source: "L'Avenir 2011-11-10: Tournai–Bruxelles-Midi 56 min 'aux correspondances les plus avantageuses'",
    },
    Pair {
        from: "Namur",
        to: "Bruxelles-Luxembourg",
        published_min: 50.0,
        source: "RTBF 2021 (line 161 reopening): Namur–Bruxelles 'en une cinquantaine de minutes' (first Brussels station)",
    },
    Pair {
        from: "Louvain-la-Neuve",
        to: "Ottignies",
        published_min: 8.0,
        source: "La Libre 2017-10 (timetable of the added trains): Louvain-la-Neuve 7h17, Ottignies 7h25",
    },
    Pair {
        from: "Ottignies",
        to: "Bruxelles-Luxembourg",
        published_min: 20.0,
        source: "La Libre 2017-10 (timetable of the added trains): Ottignies 8h34, Bruxelles-Luxembourg 8h54",
    },
    Pair { from: "Mons", to: "Bruxelles-Midi", published_min: 50.0, source: GENERAL },
    Pair { from: "Liège-Guillemins", to: "Namur", published_min: 50.0, source: GENERAL },
    Pair { from: "Gembloux", to: "Bruxelles-Luxembourg", published_min: 33.0, source: GENERAL },
    Pair { from: "Wavre", to: "Ottignies", published_min: 10.0, source: GENERAL },
    Pair { from: "Enghien", to: "Bruxelles-Midi", published_min: 25.0, source: GENERAL },
    Pair { from: "Tubize", to: "Bruxelles-Midi", published_min: 18.0, source: GENERAL },
];

/// Median and largest absolute relative error the model is held to (it reaches 8.3% and 15.7%;
/// the constants were fitted on these pairs, so this is an in-sample error).
const MEDIAN_TOLERANCE: f64 = 0.10;
const MAX_TOLERANCE: f64 = 0.20;

#[test]
fn calibration_against_published_sncb_times() {
    let (st, _) = stations();
    let m = RailModel::default();
    let mut errors = Vec::new();
    println!("| from | to | rail km | model min | published min | error | source |");
    for p in PAIRS {
        let r = ride(station(&st, p.from), station(&st, p.to), &m);
        assert_eq!(r.transfers, 0, "{} → {} is a direct train", p.from, p.to);
        let model_min = r.in_train_s / 60.0;
        let e = (model_min - p.published_min) / p.published_min;
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.0} | {:+.1}% | {} |",
            p.from,
            p.to,
            r.rail_m / 1000.0,
            model_min,
            p.published_min,
            e * 100.0,
            p.source
        );
        errors.push(e.abs());
    }
    errors.sort_by(f64::total_cmp);
    let median = (errors[errors.len() / 2] + errors[(errors.len() - 1) / 2]) / 2.0;
    let max = errors[errors.len() - 1];
    println!("median |error| {:.1}%, max |error| {:.1}%", median * 100.0, max * 100.0);
    assert!(median <= MEDIAN_TOLERANCE, "median |error| {median}");
    assert!(max <= MAX_TOLERANCE, "max |error| {max}");
}

/// Least squares of in-train minutes on rail km over the intercity pairs: (intercept min, min per km).
fn fit(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let b = sxy / sxx;
    (my - b * mx, b)
}

/// The constants are not tuned to one pair: least squares over the ten intercity pairs gives
/// 4.46 min + km ÷ 83.8 km/h (the model uses 4.5 min and 85 km/h), and leaving each pair out
/// of the fit in turn predicts it with median |error| 10.2% and max 20.1% (out of sample).
#[test]
fn calibration_leave_one_out() {
    let (st, _) = stations();
    let m = RailModel::default();
    let points: Vec<(f64, f64)> = PAIRS
        .iter()
        .filter_map(|p| {
            let r = ride(station(&st, p.from), station(&st, p.to), &m);
            (r.service == navette_transit::rail::Service::Intercity).then_some((r.rail_m / 1000.0, p.published_min))
        })
        .collect();
    assert_eq!(points.len(), 10);
    let (a, b) = fit(&points);
    assert!((a * 60.0 - m.start_stop_s).abs() < 60.0, "intercept {a} min");
    assert!((60.0 / b - m.ic_speed_kmh).abs() < 5.0, "speed {} km/h", 60.0 / b);
    let mut errors: Vec<f64> = (0..points.len())
        .map(|i| {
            let rest: Vec<(f64, f64)> = points.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, p)| *p).collect();
            let (a, b) = fit(&rest);
            ((a + b * points[i].0 - points[i].1) / points[i].1).abs()
        })
        .collect();
    errors.sort_by(f64::total_cmp);
    let median = (errors[4] + errors[5]) / 2.0;
    println!("leave-one-out: median |error| {:.1}%, max {:.1}%", median * 100.0, errors[9] * 100.0);
    assert!(median <= 0.12 && errors[9] <= 0.25, "{errors:?}");
}

/// A known limit, kept visible: trains from line 161 reach Bruxelles-Central through Schuman and
/// Nord, a loop the great-circle model cannot see (La Libre 2017-10 timetable: Ottignies 8h34,
/// Bruxelles-Central 9h13, 39 min).
#[test]
fn limit_the_brussels_loop_is_underestimated() {
    let (st, _) = stations();
    let r = ride(station(&st, "Ottignies"), station(&st, "Bruxelles-Central"), &RailModel::default());
    let model_min = r.in_train_s / 60.0;
    assert!(model_min < 39.0 * 0.75, "{model_min}");
}

#[test]
fn the_rail_detour_matches_official_line_lengths() {
    // Official kilometre points (see RAIL_DETOUR): model rail km within 10% of each.
    let (st, _) = stations();
    let m = RailModel::default();
    for (a, b, km) in [
        ("Bruxelles-Midi", "Mons", 60.3),
        ("Bruxelles-Midi", "Braine-le-Comte", 29.6),
        ("Bruxelles-Midi", "Enghien", 13.6 + 17.077),
        ("Liège-Guillemins", "Namur", 59.5),
        ("Bruxelles-Nord", "Namur", 62.0),
        ("Bruxelles-Midi", "Tournai", 85.0),
    ] {
        let r = ride(station(&st, a), station(&st, b), &m);
        let e = (r.rail_m / 1000.0 - km) / km;
        assert!(e.abs() <= 0.15, "{a} → {b}: {:.1} km vs {km} km", r.rail_m / 1000.0);
    }
}

#[test]
fn real_legs_look_as_people_make_them() {
    let (st, _) = stations();
    let m = RailModel::default();
    let brussels_office = (50.85045, 4.34878);
    // Gembloux town centre (~800 m from the station) to an office near Bruxelles-Central.
    let leg = rail_leg(&st, (50.5637, 4.6986), brussels_office, &m).unwrap();
    assert_eq!((leg.board.name.as_str(), leg.access_mode), ("Gembloux", AccessMode::Walk));
    assert_eq!((leg.alight.name.as_str(), leg.egress_mode), ("Bruxelles-Central", EgressMode::Walk));
    assert!((45.0..90.0).contains(&(leg.duration_s / 60.0)), "{leg:?}");
    // A village 6 km from Mons (Saint-Denis): drive to a station, then a train to Brussels.
    let leg = rail_leg(&st, (50.4936, 4.0158), brussels_office, &m).unwrap();
    assert_eq!(leg.access_mode, AccessMode::Car, "{leg:?}");
    // Redu (Libin): the nearest station is ~13 km away (Libramont area): still by car.
    let redu = rail_leg(&st, (50.0094, 5.1619), brussels_office, &m);
    assert!(matches!(&redu, Ok(l) if l.access_mode == AccessMode::Car), "{redu:?}");
    // A home in the Hautes Fagnes, far from any station.
    assert_eq!(rail_leg(&st, (50.50, 6.10), brussels_office, &m), Err(RailFallback::NoStationNearHome));
    // Two homes and an office on the same station.
    assert_eq!(rail_leg(&st, (50.4545, 3.9440), (50.4530, 3.9410), &m).unwrap_err(), RailFallback::SameStation);
}

/// `;`-separated with decimal commas, as the demo writes it.
fn demo_rows(file: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(repo(file)).unwrap();
    let sep = if text.lines().next().unwrap().contains(';') { ';' } else { ',' };
    let mut lines = text.lines();
    let head: Vec<String> = lines.next().unwrap().split(sep).map(str::to_owned).collect();
    lines.map(|l| head.iter().cloned().zip(l.split(sep).map(str::to_owned)).collect()).collect()
}

fn num(s: &str) -> Option<f64> {
    s.replace(',', ".").parse().ok()
}

#[test]
fn the_demo_train_commuters() {
    let (st, _) = stations();
    let m = RailModel::default();
    let offices: BTreeMap<String, (f64, f64)> = demo_rows("datasets/demo/companies.csv")
        .into_iter()
        .map(|r| (r["company_id"].clone(), (num(&r["office_lat"]).unwrap(), num(&r["office_lon"]).unwrap())))
        .collect();
    let mut requests = Vec::new();
    let mut unplaced = 0;
    for r in demo_rows("datasets/demo/employees.csv") {
        if r.get("commute_mode").map(String::as_str) != Some("train") {
            continue;
        }
        match (num(&r["home_lat"]), num(&r["home_lon"]), offices.get(&r["company_id"])) {
            (Some(lat), Some(lon), Some(&office)) => requests.push(((lat, lon), office)),
            _ => unplaced += 1,
        }
    }
    let legs = rail_legs(&st, &requests, &m);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    let mut access: BTreeMap<&str, usize> = BTreeMap::new();
    let mut egress: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut minutes, mut flat_minutes, mut ratio_km) = (Vec::new(), Vec::new(), Vec::new());
    let mut transfers = 0;
    for (leg, &(home, office)) in legs.iter().zip(&requests) {
        match leg {
            Ok(l) => {
                *access.entry(l.access_mode.code()).or_default() += 1;
                *egress.entry(l.egress_mode.code()).or_default() += 1;
                transfers += usize::from(l.ride.transfers > 0);
                minutes.push(l.duration_s / 60.0);
                // The flat estimate the leg replaces: great circle × 1.30 at 35 km/h.
                let crow = navette_transit::geo::haversine_m(home, office);
                flat_minutes.push(crow * 1.30 / (35.0 / 3.6) / 60.0);
                ratio_km.push(l.distance_m / (crow * 1.30));
            }
            Err(why) => *reasons.entry(why.code()).or_default() += 1,
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ok = minutes.len();
    println!(
        "demo train commuters: {} placed ({} given by postcode only), {} legs, fallbacks {:?}",
        requests.len(),
        unplaced,
        ok,
        reasons
    );
    println!("access {access:?}, egress {egress:?}, with a change {transfers}");
    println!(
        "median door-to-door {:.0} min (flat estimate {:.0} min); median distance ÷ flat distance {:.2}",
        median(&mut minutes),
        median(&mut flat_minutes),
        median(&mut ratio_km)
    );
    assert_eq!(ok + reasons.values().sum::<usize>(), requests.len());
    // The figures quoted in the README (they move only if the demo is regenerated).
    assert_eq!((requests.len(), unplaced, ok), (137, 39, 133));
    // Commuters the demo sends by train mostly live near a line: at least 9 in 10 get a leg.
    assert!(ok * 10 >= requests.len() * 9, "{ok} of {}", requests.len());
}
