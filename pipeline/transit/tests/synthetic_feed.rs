//! The GTFS writer of the synthetic country day (`benches/common/synthetic.rs`, used by
//! `examples/country_gtfs.rs`): the feed it writes loads with the crate's loader into the same
//! network as the in-memory timetable.

#[path = "../benches/common/synthetic.rs"]
mod synthetic;

use navette_transit::{Date, LoadOptions, Network, Scanner, ServiceDay, load_feeds};

#[test]
fn the_written_feed_loads_into_the_same_network() {
    let n = 24;
    let input = synthetic::synthetic(n);
    let dir = tempfile::tempdir().unwrap();
    let (from, to) = (Date::parse_iso("2026-01-01").unwrap(), Date::parse_iso("2026-12-31").unwrap());
    synthetic::write_gtfs(&input, dir.path(), from, to).unwrap();
    let options = LoadOptions { transfer_radius_m: 1001.0, ..LoadOptions::default() };
    let memory = Network::build(input, options.clone());
    // The study period's representative weekday has service (every day of the calendar does).
    let day = ServiceDay::Representative { from, to: Date::parse_iso("2026-01-31").unwrap() };
    let loaded = load_feeds(&[("syn".into(), dir.path().to_owned())], day, options).unwrap();
    assert!(loaded.report.rejects.is_empty(), "{:?}", &loaded.report.rejects[..3.min(loaded.report.rejects.len())]);
    let feed = &loaded.network;
    assert_eq!(feed.stop_count(), memory.stop_count());
    assert_eq!(feed.trip_count(), memory.trip_count());
    assert_eq!(feed.connection_count(), memory.connection_count());
    assert_eq!(feed.walk_count(), memory.walk_count());
    for s in 0..memory.stop_count() as u32 {
        assert_eq!(feed.stop_pos(s), memory.stop_pos(s));
    }
    // The same journeys: reverse and forward scans give the same labels at every stop.
    let (mut a, mut b) = (Scanner::new(&memory), Scanner::new(feed));
    for dest in [0, 37, 300, (n * n - 1) as u32] {
        let to = memory.access(memory.stop_pos(dest), 600.0, 1.25, 1.3);
        let labels = |sc: &Scanner| (0..n * n).map(|s| sc.stop_label(s as u32)).collect::<Vec<_>>();
        a.reverse(&to, 9 * 3600, 3 * 3600);
        b.reverse(&to, 9 * 3600, 3 * 3600);
        assert_eq!(labels(&a), labels(&b), "arriving at {dest}");
        assert!(labels(&a).iter().flatten().count() > 10);
        a.forward(&to, 17 * 3600, 3 * 3600);
        b.forward(&to, 17 * 3600, 3 * 3600);
        assert_eq!(labels(&a), labels(&b), "leaving {dest}");
    }
}
