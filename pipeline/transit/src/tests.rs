//! Fast scans against the reference on random timetables and on the Cairns feed; journeys
//! checked against the timetable they were unpacked from.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::network::Access;
use crate::network::{Call, LoadOptions, Network, ServiceDay, StopInput, TimetableInput, TransferRule, load_feeds};
use crate::reference;
use crate::scan::{Journey, Scanner};
use crate::{Date, VehicleClass};

/// A random timetable: stops scattered over a few km, trips along random stop sequences with
/// random speeds, dwell times, zero-duration hops, forbidden boarding/alighting and transfer rules.
fn random_network(seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = rng.random_range(3..40);
    let stops: Vec<StopInput> = (0..n)
        .map(|i| StopInput {
            id: format!("s{i}"),
            name: String::new(),
            pos: (50.0 + rng.random_range(0.0..0.02), 4.0 + rng.random_range(0.0..0.03)),
            group: (rng.random_range(0..4) == 0).then(|| rng.random_range(0..3)),
        })
        .collect();
    let mut input = TimetableInput { stops, trip_start: vec![0], ..TimetableInput::default() };
    let trips = rng.random_range(1..60);
    for _ in 0..trips {
        let len = rng.random_range(2..8);
        let mut t = rng.random_range(6 * 3600..10 * 3600);
        let mut prev = u32::MAX;
        for k in 0..len {
            let mut stop = rng.random_range(0..n as u32);
            if stop == prev {
                stop = (stop + 1) % n as u32;
            }
            prev = stop;
            let arr = t;
            let dep = arr + if rng.random_range(0..3) == 0 { 0 } else { rng.random_range(0..120) };
            input.calls.push(Call {
                stop,
                arr_s: arr,
                dep_s: dep,
                board: k + 1 < len && rng.random_range(0..10) != 0,
                alight: k > 0 && rng.random_range(0..10) != 0,
                along_m: f64::NAN,
            });
            t = dep + if rng.random_range(0..5) == 0 { 0 } else { rng.random_range(30..900) };
        }
        input.trip_start.push(input.calls.len() as u32);
        input.trip_class.push(VehicleClass::ALL[rng.random_range(0..6)]);
    }
    for _ in 0..rng.random_range(0..6) {
        let (a, b) = (rng.random_range(0..n as u32), rng.random_range(0..n as u32));
        let rule = match rng.random_range(0..3) {
            0 => TransferRule::MinTime(rng.random_range(0..400)),
            1 => TransferRule::Walk,
            _ => TransferRule::Forbidden,
        };
        input.transfers.push((a, b, rule));
    }
    let options = LoadOptions {
        transfer_radius_m: rng.random_range(0.0..800.0),
        min_change_s: rng.random_range(0..180),
        ..LoadOptions::default()
    };
    Network::build(input, options)
}

fn random_walks(rng: &mut ChaCha8Rng, n: usize) -> Vec<Access> {
    let mut v: Vec<Access> = (0..rng.random_range(1..4))
        .map(|_| {
            let walk_s = rng.random_range(0..600);
            Access { stop: rng.random_range(0..n as u32), walk_s, walk_m: walk_s as f64 }
        })
        .collect();
    v.sort_by_key(|a| a.stop);
    v
}

/// Checks a journey against the timetable: rides exist, boarding/alighting allowed, changes
/// and walks long enough, times in order, totals add up.
fn check_journey(net: &Network, j: &Journey, home: &[Access], dest: &[Access], reverse: bool) {
    assert!(!j.rides.is_empty());
    let first = &j.rides[0];
    let last = j.rides.last().unwrap();
    let (h, d) = if reverse { (home, dest) } else { (dest, home) };
    // In a forward journey the "home" list is where it ends.
    let start = h.iter().find(|a| a.stop == first.from_stop && a.walk_s == j.access_s);
    let end = d.iter().find(|a| a.stop == last.to_stop && a.walk_s == j.egress_s);
    assert!(start.is_some(), "access walk {j:?}");
    assert!(end.is_some(), "egress walk {j:?}");
    assert!(j.depart_s + j.access_s <= first.board_s);
    assert_eq!(j.arrive_s, last.alight_s + j.egress_s);
    for r in &j.rides {
        let cs: Vec<_> = net.conns.iter().filter(|c| c.trip() == r.trip).collect();
        // A trip may call twice at a stop: any boarding call before any matching alighting call.
        let ok = (0..cs.len()).any(|a| {
            cs[a].dep_stop == r.from_stop
                && cs[a].dep == r.board_s
                && cs[a].can_board()
                && (a..cs.len()).any(|b| cs[b].arr_stop == r.to_stop && cs[b].arr == r.alight_s && cs[b].can_alight())
        });
        assert!(ok, "ride not in the timetable {r:?}");
        let m: f64 = r.in_vehicle_m;
        assert!(m >= 0.0);
        assert_eq!(net.trip_class[r.trip as usize], r.class);
    }
    let mut walks = 0;
    for w in j.rides.windows(2) {
        let (x, y) = (&w[0], &w[1]);
        if x.to_stop == y.from_stop {
            assert!(x.alight_s + net.change_s[x.to_stop as usize] <= y.board_s, "change too short {j:?}");
        } else {
            let f = net.walk_s(x.to_stop, y.from_stop).expect("walk link");
            walks += f;
            assert!(x.alight_s + f <= y.board_s, "walk too short {j:?}");
        }
    }
    assert_eq!(walks, j.transfer_walk_s);
    assert!(j.wait_s() >= 0);
}

#[test]
fn fast_scan_matches_reference_on_random_timetables() {
    let mut journeys = 0;
    for seed in 0..400u64 {
        let net = random_network(seed);
        let n = net.stops.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xdead_beef);
        let mut sc = Scanner::new(&net);
        for _ in 0..4 {
            let dest = random_walks(&mut rng, n);
            let (time, window) = (rng.random_range(7 * 3600..11 * 3600), rng.random_range(600..4 * 3600));
            // Reverse.
            sc.reverse(&dest, time, window);
            let want = reference::reverse_labels(&net, &dest, time, window);
            for s in 0..n as u32 {
                assert_eq!(sc.stop_label(s).unwrap_or(i32::MIN), want[s as usize], "seed {seed} reverse stop {s}");
            }
            for _ in 0..5 {
                let home = random_walks(&mut rng, n);
                let best = home
                    .iter()
                    .filter(|a| want[a.stop as usize] != i32::MIN)
                    .map(|a| want[a.stop as usize] - a.walk_s)
                    .max();
                let j = sc.journey(&home);
                assert_eq!(j.as_ref().map(|j| j.depart_s), best, "seed {seed}");
                if let Some(j) = j {
                    check_journey(&net, &j, &home, &dest, true);
                    assert!(j.arrive_s <= time && j.rides[0].board_s >= time - window);
                    journeys += 1;
                }
            }
            // Forward.
            sc.forward(&dest, time, window);
            let want = reference::forward_labels(&net, &dest, time, window);
            for s in 0..n as u32 {
                assert_eq!(sc.stop_label(s).unwrap_or(i32::MAX), want[s as usize], "seed {seed} forward stop {s}");
            }
            for _ in 0..5 {
                let home = random_walks(&mut rng, n);
                let best = home
                    .iter()
                    .filter(|a| want[a.stop as usize] != i32::MAX)
                    .map(|a| want[a.stop as usize] + a.walk_s)
                    .min();
                let j = sc.journey(&home);
                assert_eq!(j.as_ref().map(|j| j.arrive_s), best, "seed {seed}");
                if let Some(j) = j {
                    check_journey(&net, &j, &home, &dest, false);
                    assert!(j.rides[0].board_s >= time && j.arrive_s - j.egress_s <= time + window);
                    journeys += 1;
                }
            }
        }
    }
    // The generator must produce journeys, or the comparison above proves little.
    assert!(journeys > 1000, "{journeys}");
}

pub(crate) fn cairns() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../datasets/gtfs/cairns_gtfs.zip")
}

#[test]
fn loading_reports_each_step_once() {
    let day = ServiceDay::Representative {
        from: Date::parse_iso("2014-06-01").unwrap(),
        to: Date::parse_iso("2014-06-30").unwrap(),
    };
    let mut calls = Vec::new();
    let feeds = [("cairns".into(), cairns())];
    let watched =
        crate::load_feeds_with(&feeds, day, LoadOptions::default(), &mut |done, total| calls.push((done, total)))
            .unwrap();
    assert_eq!(calls, [(0, 3), (1, 3), (2, 3), (3, 3)]);
    let quiet = load_feeds(&feeds, day, LoadOptions::default()).unwrap();
    assert_eq!(watched.network.connection_count(), quiet.network.connection_count());
    assert_eq!(watched.report.rejects.len(), quiet.report.rejects.len());
}

#[test]
fn fast_scan_matches_reference_on_cairns() {
    let day = ServiceDay::Representative {
        from: Date::parse_iso("2014-06-01").unwrap(),
        to: Date::parse_iso("2014-06-30").unwrap(),
    };
    let loaded = load_feeds(&[("cairns".into(), cairns())], day, LoadOptions::default()).unwrap();
    let net = &loaded.network;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut sc = Scanner::new(net);
    let mut served = 0;
    for _ in 0..6 {
        let s = rng.random_range(0..net.stop_count() as u32);
        let dest: Vec<Access> = net
            .stops_near(net.stop_pos(s), 600.0)
            .into_iter()
            .map(|(stop, m)| Access { stop, walk_s: net.options.walk_s(m), walk_m: m * 1.3 })
            .collect();
        sc.reverse(&dest, 9 * 3600, 3 * 3600);
        let want = reference::reverse_labels(net, &dest, 9 * 3600, 3 * 3600);
        for t in 0..net.stop_count() as u32 {
            assert_eq!(sc.stop_label(t).unwrap_or(i32::MIN), want[t as usize]);
            served += (want[t as usize] != i32::MIN) as usize;
        }
        sc.forward(&dest, 17 * 3600 + 1800, 3 * 3600);
        let want = reference::forward_labels(net, &dest, 17 * 3600 + 1800, 3 * 3600);
        for t in 0..net.stop_count() as u32 {
            assert_eq!(sc.stop_label(t).unwrap_or(i32::MAX), want[t as usize]);
        }
    }
    assert!(served > 500, "{served}");
}

#[test]
fn walks_are_the_pairs_within_the_radius_plus_group_and_rules() {
    // A and B 0.002° of latitude apart (222.39 m), C 0.01° north of A (1111.95 m) but A's sibling,
    // D 0.003° from B (333.59 m). Rules: B -> A forbidden, D -> B 30 s, change at D 45 s.
    let stop = |id: &str, lat: f64, group| StopInput { id: id.into(), name: String::new(), pos: (lat, 4.0), group };
    let input = TimetableInput {
        stops: vec![
            stop("A", 50.0, Some(1)),
            stop("B", 50.002, None),
            stop("C", 50.01, Some(1)),
            stop("D", 50.005, None),
        ],
        trip_class: vec![],
        trip_start: vec![0],
        calls: vec![],
        transfers: vec![
            (1, 0, TransferRule::Forbidden),
            (3, 1, TransferRule::MinTime(30)),
            (3, 3, TransferRule::MinTime(45)),
        ],
    };
    let net = Network::build(input, LoadOptions::default());
    // ceil(222.39 × 1.3 / 1.25) = ceil(231.29) = 232 s; ceil(1111.95 × 1.04) = 1157 s; ceil(333.59 × 1.04) = 347 s.
    assert_eq!(net.walk_s(0, 1), Some(232));
    assert_eq!(net.walk_s(1, 0), None, "forbidden by rule");
    assert_eq!(net.walk_s(0, 2), Some(1157), "same station, beyond the radius");
    assert_eq!(net.walk_s(2, 0), Some(1157));
    assert_eq!(net.walk_s(1, 3), Some(347));
    assert_eq!(net.walk_s(3, 1), Some(30), "transfers.txt min time");
    assert_eq!(net.walk_s(0, 3), None, "555.97 m is beyond 400 m");
    assert_eq!(net.walk_count(), 5);
    assert_eq!(net.change_s, vec![60, 60, 60, 45]);
    assert_eq!(LoadOptions::default().walk_s(100.0), 104, "100 m × 1.3 / 1.25 m/s = 104 s");
}
