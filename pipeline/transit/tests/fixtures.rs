//! Hand-made feeds reproducing real-feed quirks (`tests/fixtures/`), each with its checks, and
//! one journey checked figure by figure by hand.

use std::path::PathBuf;

use navette_transit::{Date, FeedError, LoadOptions, Loaded, Scanner, ServiceDay, VehicleClass, load_feeds};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn d(s: &str) -> Date {
    Date::parse_iso(s).unwrap()
}

fn june(from: &str, to: &str) -> ServiceDay {
    ServiceDay::Representative { from: d(from), to: d(to) }
}

fn load(name: &str, day: ServiceDay, o: LoadOptions) -> Result<Loaded, FeedError> {
    load_feeds(&[(name.to_owned(), fixture(name))], day, o)
}

fn counts_reconcile(l: &Loaded) {
    for c in &l.report.counts {
        assert_eq!(c.rows, c.accepted + c.rejected, "{c:?}");
        let r = l.report.rejects.iter().filter(|r| r.feed == c.feed && r.file == c.file).count() as u64;
        assert_eq!(r, c.rejected, "{c:?}");
    }
}

const H: i32 = 3600;

/// Padded ids, parent stations with platforms, BOM, quoted fields with commas, services only in
/// calendar_dates.txt, times past 24:00, an untimed intermediate call, vendor files.
#[test]
fn sncb_like_quirks() {
    let l = load("sncb_like", june("2025-06-01", "2025-06-30"), LoadOptions::default()).unwrap();
    counts_reconcile(&l);
    assert!(l.report.rejects.is_empty(), "{:?}", l.report.rejects);
    // Only calendar_dates.txt says when svc_wd runs (its calendar row is all zeros); svc_wed adds
    // a fourth trip on Wednesday 4 June, the busiest weekday.
    assert_eq!(l.report.service_date, d("2025-06-04"));
    assert_eq!(l.report.service_day_rule, "representative");
    assert_eq!(l.report.feeds[0].trips_active, 4);
    // Vendor files are never opened: the counts list only GTFS files.
    let files: Vec<&str> = l.report.counts.iter().map(|c| c.file).collect();
    assert_eq!(
        files,
        ["agency.txt", "stops.txt", "routes.txt", "calendar.txt", "calendar_dates.txt", "trips.txt", "stop_times.txt"]
    );
    let net = &l.network;
    // Platforms are stops, stations are not; ids are trimmed, zeros kept.
    assert_eq!(net.stop_count(), 4);
    assert!(net.find_stop("sncb_like:S8814001").is_none());
    let p1 = net.find_stop("sncb_like:8814001_1").unwrap();
    let p2 = net.find_stop("sncb_like:8814001_2").unwrap();
    let namur = net.find_stop("sncb_like:8863008_3").unwrap();
    let antwerp = net.find_stop("sncb_like:0008821006").unwrap();

    let walk = |s: u32, walk_s: i32| vec![navette_transit::Access { stop: s, walk_s, walk_m: 0.0 }];
    let mut sc = Scanner::new(net);
    // Arrive at Brussels-Midi platform 1 by 09:00: the 07:52 from Namur (arrives 08:47).
    sc.reverse(&walk(p1, 60), 9 * H, 3 * H);
    assert_eq!(sc.stop_label(namur), Some(7 * H + 52 * 60));
    // Leave Brussels at 23:00 from platform 2: arrive in Namur at 24:05:00 (past midnight).
    sc.forward(&walk(p2, 60), 23 * H, 3 * H);
    assert_eq!(sc.stop_label(namur), Some(24 * H + 5 * 60));
    // The untimed call of IC3001 at platform 1 is interpolated halfway: 09:30:00.
    sc.reverse(&walk(antwerp, 0), 10 * H, 3 * H);
    assert_eq!(sc.stop_label(p1), Some(9 * H + 30 * 60));
    assert_eq!(sc.stop_label(p2), Some(9 * H + 5 * 60));

    // Ties go to the earliest weekday: 5 and 6 June both run 3 trips.
    let l = load("sncb_like", june("2025-06-05", "2025-06-30"), LoadOptions::default()).unwrap();
    assert_eq!(l.report.service_date, d("2025-06-05"));
    assert_eq!(l.report.feeds[0].trips_active, 3);

    // Platforms of one station are linked even with no walking radius at all.
    let o = LoadOptions { transfer_radius_m: 0.0, ..LoadOptions::default() };
    let l = load("sncb_like", june("2025-06-01", "2025-06-30"), o).unwrap();
    let (p1, p2) =
        (l.network.find_stop("sncb_like:8814001_1").unwrap(), l.network.find_stop("sncb_like:8814001_2").unwrap());
    assert!(l.network.walk_s(p1, p2).is_some());
    assert_eq!(l.network.walk_count(), 2);
}

#[test]
fn a_period_without_service_is_a_clear_error() {
    let e = load("sncb_like", june("2025-06-07", "2025-06-08"), LoadOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, FeedError::NoService { .. }));
    assert!(msg.contains("method.transit.service_date") && msg.contains("2025-01-01 to 2025-12-31"), "{msg}");
}

/// No agency.txt, no calendar.txt, no transfers.txt: still a feed.
#[test]
fn missing_optional_files() {
    let l = load("minimal", ServiceDay::Fixed(d("2025-06-03")), LoadOptions::default()).unwrap();
    counts_reconcile(&l);
    assert_eq!(l.network.connection_count(), 1);
    let files: Vec<&str> = l.report.counts.iter().map(|c| c.file).collect();
    assert_eq!(files, ["stops.txt", "routes.txt", "calendar_dates.txt", "trips.txt", "stop_times.txt"]);
    // Another day: nothing runs, which is an unusable network.
    let e = load("minimal", ServiceDay::Fixed(d("2025-06-04")), LoadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("no usable stop times on the service day"), "{e}");
}

#[test]
fn unusable_feeds_stop_with_a_message() {
    let e = load("no_stop_times", ServiceDay::Fixed(d("2025-06-03")), LoadOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "GTFS feed no_stop_times: stop_times.txt is missing (a GTFS feed needs stops, routes, trips, stop_times and a calendar)"
    );
    let not_zip = fixture("minimal/stops.txt");
    let e =
        load_feeds(&[("x".into(), not_zip)], ServiceDay::Fixed(d("2025-06-03")), LoadOptions::default()).unwrap_err();
    assert!(e.to_string().starts_with("GTFS feed x: not a readable zip archive"), "{e}");
    let e =
        load_feeds(&[("y".into(), fixture("nope.zip"))], ServiceDay::Fixed(d("2025-06-03")), LoadOptions::default())
            .unwrap_err();
    assert!(matches!(e, FeedError::Open { .. }), "{e}");
}

/// Each kind of broken row becomes a reject with file, line and reason; counts reconcile.
#[test]
fn broken_rows_are_rejected_with_file_and_line() {
    let l = load("broken", june("2025-06-01", "2025-06-30"), LoadOptions::default()).unwrap();
    counts_reconcile(&l);
    let got: Vec<(&str, u64, &str)> = l.report.rejects.iter().map(|r| (r.file, r.line, r.reason)).collect();
    assert_eq!(
        got,
        [
            ("stops.txt", 4, "duplicate_id"),
            ("stops.txt", 5, "bad_coordinate"),
            ("stops.txt", 7, "bad_location_type"),
            ("routes.txt", 3, "bad_route_type"),
            ("calendar.txt", 3, "bad_date"),
            ("trips.txt", 3, "unknown_route"),
            ("trips.txt", 4, "unknown_service"),
            ("stop_times.txt", 3, "bad_time"),
            ("stop_times.txt", 5, "unknown_stop"),
            ("stop_times.txt", 6, "stop_is_station"),
            ("stop_times.txt", 7, "unknown_trip"),
            ("stop_times.txt", 8, "duplicate_sequence"),
            ("stop_times.txt", 9, "bad_sequence"),
            ("stop_times.txt", 11, "time_goes_back"),
        ]
    );
    let c = |f: &str| l.report.counts.iter().find(|c| c.file == f).map(|c| (c.rows, c.accepted, c.rejected)).unwrap();
    assert_eq!(c("stops.txt"), (6, 3, 3));
    assert_eq!(c("trips.txt"), (4, 2, 2));
    assert_eq!(c("stop_times.txt"), (11, 4, 7));
    // What is left: t1 a -> b (08:00 -> 08:10) and t4 a -> a (09:00 -> 09:10).
    assert_eq!(l.network.connection_count(), 2);
    assert_eq!(l.report.service_date, d("2025-06-02"));
}

/// A bus with shape distances in km, a change with a transfers.txt minimum time, then a train;
/// every figure worked out by hand.
#[test]
fn one_journey_by_hand() {
    let l = load("hand", ServiceDay::Fixed(d("2025-06-03")), LoadOptions::default()).unwrap();
    assert_eq!(l.report.feeds[0].trips_with_shape_distances, 3, "T1, T5, E2 (km, detected)");
    let net = &l.network;
    let (home, office) = ((49.998, 4.0), (50.122, 4.0));
    // 0.002° of latitude = 222.39 m; walked: × 1.3 = 289.11 m in ceil(289.11 / 1.25) = 232 s.
    let home_walks = net.access(home, 500.0, 1.25, 1.3);
    let office_walks = net.access(office, 500.0, 1.25, 1.3);
    assert_eq!(home_walks.len(), 1);
    assert_eq!(home_walks[0].walk_s, 232);
    assert!((home_walks[0].walk_m - 289.11).abs() < 0.01);

    let mut sc = Scanner::new(net);
    sc.reverse(&office_walks, 9 * H, 3 * H);
    let j = sc.journey(&home_walks).unwrap();
    // Latest: bus T5 at A 08:20 → C 08:30; change (120 s) → train T4 C 08:40 → D 08:55 (T6 arrives
    // 09:05, too late); leave home 232 s before 08:20 = 08:16:08, at the office 08:58:52.
    assert_eq!(j.depart_s, 8 * H + 16 * 60 + 8);
    assert_eq!(j.arrive_s, 8 * H + 58 * 60 + 52);
    assert_eq!(j.duration_s(), 2564);
    assert_eq!(j.transfers(), 1);
    assert_eq!(j.in_vehicle_s(), 600 + 900);
    assert_eq!(j.wait_s(), 600, "08:30 → 08:40 at C");
    assert_eq!((j.access_s, j.egress_s), (232, 232));
    assert_eq!(j.rides[0].class, VehicleClass::Bus);
    assert_eq!(j.rides[1].class, VehicleClass::Rail);
    // Bus: shape_dist_traveled 0 → 2.6 (km) = 2600 m. Train: no shape distance, great circle
    // 0.1° of latitude = 6 371 008.8 × π / 1800 = 11 119.51 m.
    let km = j.in_vehicle_m_by_class();
    assert!((km[VehicleClass::Bus as usize] - 2600.0).abs() < 0.01, "{km:?}");
    assert!((km[VehicleClass::Rail as usize] - 11_119.51).abs() < 0.01, "{km:?}");

    // Evening, leaving the office at 17:30: at D 17:33:52, train E1 17:40 → C 17:55, change
    // (17:57 ≤ 18:00), bus E2 18:00 → A 18:10, home 18:13:52; left the office at 17:36:08.
    sc.forward(&office_walks, 17 * H + 30 * 60, 3 * H);
    let j = sc.journey(&home_walks).unwrap();
    assert_eq!(j.arrive_s, 18 * H + 13 * 60 + 52);
    assert_eq!(j.depart_s, 17 * H + 36 * 60 + 8);
    assert_eq!(j.duration_s(), 2264);
    assert_eq!(j.transfers(), 1);
    assert_eq!(j.wait_s(), 300);
    assert!((j.in_vehicle_m_by_class()[VehicleClass::Bus as usize] - 2600.0).abs() < 0.01);

    // The 120 s change at C (transfers.txt) matters. Arrive by 08:50 = at D by 08:46:08: T3
    // (C 08:31 → D 08:46) is the latest train, but T5 reaches C at 08:30 and 08:30 + 120 s >
    // 08:31; with the default 60 s it would make it and the home would leave for the 08:20 bus.
    // So the latest bus from A is T1 at 08:00.
    sc.reverse(&office_walks, 8 * H + 50 * 60, 3 * H);
    let j = sc.journey(&home_walks).unwrap();
    assert_eq!(j.rides[0].board_s, 8 * H);
}
