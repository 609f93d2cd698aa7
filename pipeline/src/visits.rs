//! Visit pairing: access events → visits → center days. Pure functions over polars frames.
//!
//! The rules, applied to each card's events in time order:
//! 1. **Duplicate swipe**: an event repeating the previous one (same site and direction) within
//!    `duplicate_window_s` is ignored.
//! 2. **Visit**: an `in` followed by an `out` at the same site is a visit.
//! 3. **Missing out**: an `in` whose next event is not an `out` at the same site (or that is the
//!    card's last event) is a visit credited `open_visit_hours`, at most until local midnight.
//! 4. **Orphan out**: an `out` that closes no visit is ignored.
//! 5. **Over midnight**: a visit whose `out` falls on a later local date ends at local midnight
//!    (centers are day-time workplaces; the flag shows how often it happens).
//! 6. **Over cap**: a visit longer than `max_visit_hours` is capped at that length.
//!
//! Every accepted event ends in exactly one bucket of [`PairingCounts`].

use polars::prelude::*;

use crate::config::MethodConfig;
use crate::ingest::Events;
use crate::quality::PairingCounts;

const DAY_S: i64 = 86_400;

/// Column-wise frame of accepted events (`card, employee, site, utc_s, local_day, local_sod,
/// is_in, file, line`).
/// The event vectors move into the frame (no copy).
pub fn events_frame(ev: Events) -> PolarsResult<DataFrame> {
    // One u64 sort key (card, then time) sorts much faster than two columns. It needs instants
    // in 1970–2106, which the study-period check already confines events to in practice.
    let packable = ev.utc_s.iter().all(|&t| (0..=u32::MAX as i64).contains(&t));
    let sort_key: Vec<u64> = if packable {
        ev.card.iter().zip(&ev.utc_s).map(|(&c, &t)| (u64::from(c) << 32) | t as u64).collect()
    } else {
        Vec::new()
    };
    let height = ev.len();
    let local_sod: Vec<i64> = ev.local_sod.iter().map(|&s| s as i64).collect();
    let mut columns = vec![
        Column::new("card".into(), ev.card),
        Column::new("employee".into(), ev.employee),
        Column::new("site".into(), ev.site),
        Column::new("utc_s".into(), ev.utc_s),
        Column::new("local_day".into(), ev.local_day),
        Column::new("local_sod".into(), local_sod),
        Column::new("is_in".into(), ev.is_in),
        Column::new("file".into(), ev.file),
        Column::new("line".into(), ev.line),
    ];
    if packable {
        columns.push(Column::new("sort_key".into(), sort_key));
    }
    DataFrame::new(height, columns)
}

fn prev(c: &str) -> Expr {
    col(c).shift(lit(1))
}

fn next(c: &str) -> Expr {
    col(c).shift(lit(-1))
}

/// Pairs events into visits. Returns the visits frame (`employee, card, site, local_day,
/// start_utc_s, start_local_sod, duration_s, rule, file, line`, sorted by card and time) and the
/// rule counts.
pub fn pair_visits(events: DataFrame, method: &MethodConfig) -> PolarsResult<(DataFrame, PairingCounts)> {
    let n_events = events.height() as u64;
    let by: Vec<&str> = if events.column("sort_key").is_ok() { vec!["sort_key"] } else { vec!["card", "utc_s"] };
    let sorted = events
        .lazy()
        // Events arrive in file and line order; a stable sort keeps that order for equal times.
        .sort(by, SortMultipleOptions::default().with_maintain_order(true))
        .with_column(
            prev("card")
                .eq(col("card"))
                .and(prev("employee").eq(col("employee")))
                .and(prev("site").eq(col("site")))
                .and(prev("is_in").eq(col("is_in")))
                .and((col("utc_s") - prev("utc_s")).lt_eq(lit(method.duplicate_window_s as i64)))
                .fill_null(lit(false))
                .alias("duplicate"),
        )
        .collect()?;
    let duplicate_swipes = sorted.column("duplicate")?.bool()?.sum().unwrap_or(0) as u64;

    let open_s = (method.open_visit_hours * 3600.0).round() as i64;
    let cap_s = (method.max_visit_hours * 3600.0).round() as i64;
    // The same card held by the same person (a reissued card changes hands at a date) at the same site.
    let same_card_site = |side: fn(&str) -> Expr| {
        side("card").eq(col("card")).and(side("employee").eq(col("employee"))).and(side("site").eq(col("site")))
    };
    let paired = col("is_in").and(same_card_site(next)).and(next("is_in").not()).fill_null(lit(false));
    let closes = col("is_in").not().and(same_card_site(prev)).and(prev("is_in")).fill_null(lit(false));
    let to_midnight = lit(DAY_S) - col("local_sod");
    let marked = sorted
        .lazy()
        .filter(col("duplicate").not())
        .with_columns([
            paired.alias("paired"),
            closes.alias("closes"),
            next("utc_s").alias("next_utc_s"),
            next("local_day").alias("next_day"),
        ])
        .with_column(col("paired").and(col("next_day").neq(col("local_day"))).alias("over_midnight"))
        .collect()?;

    let count = |e: Expr| -> PolarsResult<u64> {
        let df = marked.clone().lazy().select([e.cast(DataType::UInt32).sum().alias("n")]).collect()?;
        Ok(df.column("n")?.u32()?.get(0).unwrap_or(0) as u64)
    };
    let orphan_outs = count(col("is_in").not().and(col("closes").not()))?;
    let visit_outs = count(col("closes"))?;

    let raw_duration = when(col("paired").and(col("over_midnight").not()))
        .then(col("next_utc_s") - col("utc_s"))
        .when(col("paired"))
        .then(to_midnight.clone())
        .otherwise(when(lit(open_s).lt(to_midnight.clone())).then(lit(open_s)).otherwise(to_midnight));
    let visits = marked
        .lazy()
        .filter(col("is_in"))
        .with_column(raw_duration.alias("raw_duration_s"))
        .with_columns([
            when(col("raw_duration_s").gt(lit(cap_s)))
                .then(lit(cap_s))
                .otherwise(col("raw_duration_s"))
                .alias("duration_s"),
            when(col("paired").not())
                .then(lit("missing_out"))
                .when(col("over_midnight"))
                .then(lit("over_midnight"))
                .when(col("raw_duration_s").gt(lit(cap_s)))
                .then(lit("over_cap"))
                .otherwise(lit("ok"))
                .alias("rule"),
            // Capping is counted apart from the rule label: an over-midnight visit can be capped too.
            col("raw_duration_s").gt(lit(cap_s)).alias("capped"),
        ])
        .select([
            col("employee"),
            col("card"),
            col("site"),
            col("local_day"),
            col("utc_s").alias("start_utc_s"),
            col("local_sod").alias("start_local_sod"),
            col("duration_s"),
            col("rule"),
            col("capped"),
            col("file"),
            col("line"),
        ])
        .collect()?;
    let rules = visits.column("rule")?.str()?;
    let rule_count = |r: &str| rules.iter().filter(|v| *v == Some(r)).count() as u64;
    let counts = PairingCounts {
        events: n_events,
        duplicate_swipes,
        visit_ins: visits.height() as u64,
        visit_outs,
        orphan_outs,
        missing_outs: rule_count("missing_out"),
        over_midnight: rule_count("over_midnight"),
        over_cap: visits.column("capped")?.bool()?.sum().unwrap_or(0) as u64,
    };
    debug_assert_eq!(
        counts.events,
        counts.duplicate_swipes + counts.visit_ins + counts.visit_outs + counts.orphan_outs
    );
    Ok((visits, counts))
}

/// Center days: one row per (employee, local_day) with at least one visit. `presence_s` sums the
/// visits' durations; `main_site` is the site where the day's visits add up to the longest stay
/// (ties: lowest site index), the one the day's trip is counted to; `replaces_office_day` is
/// `presence_s ≥ min_hours_office_day`.
pub fn center_days(visits: &DataFrame, method: &MethodConfig) -> PolarsResult<DataFrame> {
    let min_office_s = (method.min_hours_office_day * 3600.0).round() as i64;
    // (employee, local day) packed in one u64 key: one-column grouping and sorting are much faster.
    // Day numbers are positive for dates after 1970.
    let day_key = (col("employee").cast(DataType::UInt64) * lit(1u64 << 32))
        + col("local_day").cast(DataType::UInt32).cast(DataType::UInt64);
    // Longest total stay wins; among equal stays the lowest site index (sites < 2^20). Both are
    // packed in one score so that a plain `max` (a fast aggregation) finds the main site.
    const SITE_BITS: i64 = 1 << 20;
    let score = col("site_s") * lit(SITE_BITS) + lit(SITE_BITS - 1) - col("site").cast(DataType::Int64);
    visits
        .clone()
        .lazy()
        .with_column(day_key.alias("day_key"))
        .group_by([col("day_key"), col("site")])
        .agg([
            col("employee").first(),
            col("local_day").first(),
            col("duration_s").sum().alias("site_s"),
            len().cast(DataType::UInt32).alias("visits"),
            col("start_local_sod").min().alias("first_in_local_sod"),
        ])
        .with_column(score.alias("score"))
        .group_by([col("day_key")])
        .agg([
            col("employee").first(),
            col("local_day").first(),
            col("site_s").sum().alias("presence_s"),
            col("visits").sum().alias("visits"),
            len().cast(DataType::UInt32).alias("sites"),
            col("score").max().alias("score"),
            col("first_in_local_sod").min().alias("first_in_local_sod"),
        ])
        .sort(["day_key"], SortMultipleOptions::default())
        .select([
            col("employee"),
            col("local_day"),
            col("presence_s"),
            col("visits"),
            col("sites"),
            (lit(SITE_BITS - 1) - (col("score") % lit(SITE_BITS))).cast(DataType::UInt32).alias("main_site"),
            col("first_in_local_sod"),
            col("presence_s").gt_eq(lit(min_office_s)).alias("replaces_office_day"),
        ])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds events from (card, site, "HH:MM" local on day 0 or "d+1 HH:MM", in?) tuples; the
    /// local clock is taken as UTC for simplicity (the clock module tests time zones).
    fn events(rows: &[(u32, u32, &str, bool)]) -> DataFrame {
        let mut ev = Events::default();
        for (i, (card, site, t, is_in)) in rows.iter().enumerate() {
            let (day, hm) = t.strip_prefix("d+1 ").map_or((0, *t), |r| (1, r));
            let (h, m) = hm.split_once(':').unwrap();
            let sod = h.parse::<u32>().unwrap() * 3600 + m.parse::<u32>().unwrap() * 60;
            ev.card.push(*card);
            ev.employee.push(*card);
            ev.site.push(*site);
            ev.utc_s.push(day as i64 * DAY_S + sod as i64);
            ev.local_day.push(day);
            ev.local_sod.push(sod);
            ev.is_in.push(*is_in);
            ev.file.push(0);
            ev.line.push(i as u32 + 2);
        }
        events_frame(ev).unwrap()
    }

    /// Runs the pairing and returns (site, duration in minutes, rule) per visit, plus the counts.
    fn check(rows: &[(u32, u32, &str, bool)], method: &MethodConfig) -> (Vec<(u32, i64, String)>, PairingCounts) {
        let (v, counts) = pair_visits(events(rows), method).unwrap();
        let site = v.column("site").unwrap().u32().unwrap().clone();
        let dur = v.column("duration_s").unwrap().i64().unwrap().clone();
        let rule = v.column("rule").unwrap().str().unwrap().clone();
        let out = (0..v.height())
            .map(|i| (site.get(i).unwrap(), dur.get(i).unwrap() / 60, rule.get(i).unwrap().to_owned()))
            .collect();
        (out, counts)
    }

    const IN: bool = true;
    const OUT: bool = false;

    #[test]
    fn a_plain_visit() {
        let (v, c) = check(&[(1, 0, "08:30", IN), (1, 0, "17:00", OUT)], &MethodConfig::default());
        assert_eq!(v, vec![(0, 510, "ok".into())]);
        assert_eq!((c.visit_ins, c.visit_outs, c.orphan_outs, c.duplicate_swipes), (1, 1, 0, 0));
    }

    #[test]
    fn duplicate_swipes_are_ignored_within_the_window_only() {
        let rows = [(1, 0, "08:30", IN), (1, 0, "08:31", IN), (1, 0, "17:00", OUT), (1, 0, "17:05", OUT)];
        let (v, c) = check(&rows, &MethodConfig::default());
        assert_eq!(v, vec![(0, 510, "ok".into())]);
        assert_eq!(c.duplicate_swipes, 1);
        // The second out, 5 minutes later, is outside the 2-minute window: an orphan.
        assert_eq!(c.orphan_outs, 1);
    }

    #[test]
    fn missing_out_credits_open_visit_hours() {
        let rows = [(1, 0, "08:30", IN), (1, 0, "13:00", IN), (1, 0, "17:00", OUT)];
        let (v, c) = check(&rows, &MethodConfig::default());
        assert_eq!(v, vec![(0, 0, "missing_out".into()), (0, 240, "ok".into())]);
        assert_eq!(c.missing_outs, 1);
        let generous = MethodConfig { open_visit_hours: 2.0, ..MethodConfig::default() };
        let (v, _) = check(&[(1, 0, "23:00", IN)], &generous);
        assert_eq!(v, vec![(0, 60, "missing_out".into())], "credited at most until midnight");
    }

    #[test]
    fn out_at_another_site_or_card_is_an_orphan() {
        let rows = [(1, 0, "08:30", IN), (1, 1, "17:00", OUT), (2, 0, "09:00", OUT)];
        let (v, c) = check(&rows, &MethodConfig::default());
        assert_eq!(v, vec![(0, 0, "missing_out".into())]);
        assert_eq!(c.orphan_outs, 2);
    }

    #[test]
    fn over_midnight_ends_at_midnight_and_long_visits_are_capped() {
        let (v, c) = check(&[(1, 0, "22:00", IN), (1, 0, "d+1 01:00", OUT)], &MethodConfig::default());
        assert_eq!(v, vec![(0, 120, "over_midnight".into())]);
        assert_eq!(c.over_midnight, 1);
        let (v, c) = check(&[(1, 0, "06:00", IN), (1, 0, "20:00", OUT)], &MethodConfig::default());
        assert_eq!(v, vec![(0, 720, "over_cap".into())]);
        assert_eq!(c.over_cap, 1);
    }

    #[test]
    fn every_event_lands_in_one_bucket() {
        let rows = [
            (1, 0, "08:00", IN),
            (1, 0, "08:00", IN),
            (1, 0, "12:00", OUT),
            (1, 0, "12:30", OUT),
            (1, 1, "13:00", IN),
            (2, 0, "09:00", OUT),
            (2, 0, "10:00", IN),
        ];
        let (_, c) = check(&rows, &MethodConfig::default());
        assert_eq!(c.events, 7);
        assert_eq!(c.events, c.duplicate_swipes + c.visit_ins + c.visit_outs + c.orphan_outs);
        assert_eq!((c.duplicate_swipes, c.visit_ins, c.visit_outs, c.orphan_outs, c.missing_outs), (1, 3, 1, 2, 2));
    }

    #[test]
    fn center_days_sum_presence_and_pick_the_longest_stay() {
        // Card 1: 2 h + 2 h at site 1 beat one 3-hour visit at site 0.
        let rows = [
            (1, 1, "08:00", IN),
            (1, 1, "10:00", OUT),
            (1, 0, "10:30", IN),
            (1, 0, "13:30", OUT),
            (1, 1, "14:00", IN),
            (1, 1, "16:00", OUT),
            (2, 0, "09:00", IN),
            (2, 0, "12:00", OUT),
        ];
        let (v, _) = pair_visits(events(&rows), &MethodConfig::default()).unwrap();
        let d = center_days(&v, &MethodConfig::default()).unwrap();
        let presence: Vec<_> = d.column("presence_s").unwrap().i64().unwrap().into_no_null_iter().collect();
        let main: Vec<_> = d.column("main_site").unwrap().u32().unwrap().into_no_null_iter().collect();
        let replaces: Vec<_> =
            d.column("replaces_office_day").unwrap().bool().unwrap().iter().map(Option::unwrap).collect();
        assert_eq!(presence, vec![7 * 3600, 3 * 3600]);
        assert_eq!(main, vec![1, 0]);
        let sites: Vec<_> = d.column("sites").unwrap().u32().unwrap().into_no_null_iter().collect();
        let visits: Vec<_> = d.column("visits").unwrap().u32().unwrap().into_no_null_iter().collect();
        assert_eq!((sites, visits), (vec![2, 1], vec![3, 1]));
        assert_eq!(replaces, vec![true, false]);
    }
}

/// The pairing rules written as a plain loop: the slow, obviously correct reference the polars
/// version is checked against on random event streams.
#[cfg(test)]
mod reference {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// One event: (card, employee, site, utc_s, local_day, local_sod, is_in). The local clock is
    /// UTC here; `clock` tests the time zone.
    type Ev = (u32, u32, u32, i64, i32, u32, bool);
    /// One visit: (card, site, start_utc_s, duration_s, rule).
    type Visit = (u32, u32, i64, i64, String);

    fn reference(mut events: Vec<(usize, Ev)>, m: &MethodConfig) -> (Vec<Visit>, PairingCounts) {
        events.sort_by_key(|(i, e)| (e.0, e.3, *i));
        let n = events.len();
        let mut counts = PairingCounts { events: n as u64, ..PairingCounts::default() };
        let same_holder_site = |a: &Ev, b: &Ev| a.0 == b.0 && a.1 == b.1 && a.2 == b.2;
        let mut kept: Vec<Ev> = Vec::new();
        for k in 0..n {
            let e = events[k].1;
            let dup = k > 0 && {
                let p = events[k - 1].1;
                same_holder_site(&p, &e) && p.6 == e.6 && e.3 - p.3 <= m.duplicate_window_s as i64
            };
            if dup {
                counts.duplicate_swipes += 1;
            } else {
                kept.push(e);
            }
        }
        let (open_s, cap_s) = ((m.open_visit_hours * 3600.0) as i64, (m.max_visit_hours * 3600.0) as i64);
        let mut visits = Vec::new();
        for (i, e) in kept.iter().enumerate() {
            let next = kept.get(i + 1).filter(|x| same_holder_site(e, x) && !x.6);
            if !e.6 {
                let closes = i > 0 && same_holder_site(&kept[i - 1], e) && kept[i - 1].6;
                if closes {
                    counts.visit_outs += 1
                } else {
                    counts.orphan_outs += 1
                }
                continue;
            }
            counts.visit_ins += 1;
            let to_midnight = DAY_S - e.5 as i64;
            let (raw, rule) = match next {
                Some(x) if x.4 == e.4 => (x.3 - e.3, "ok"),
                Some(_) => (to_midnight, "over_midnight"),
                None => (open_s.min(to_midnight), "missing_out"),
            };
            let rule = if rule == "ok" && raw > cap_s { "over_cap" } else { rule };
            counts.over_cap += u64::from(raw > cap_s);
            counts.missing_outs += u64::from(rule == "missing_out");
            counts.over_midnight += u64::from(rule == "over_midnight");
            visits.push((e.0, e.2, e.3, raw.min(cap_s), rule.to_owned()));
        }
        (visits, counts)
    }

    fn random_events(rng: &mut ChaCha8Rng, n: usize) -> Vec<(usize, Ev)> {
        (0..n)
            .map(|i| {
                let card = rng.random_range(0..4u32);
                // A card changes hands now and then (reissued cards).
                let employee = card * 10 + u32::from(rng.random::<f64>() < 0.1);
                let day = rng.random_range(0..3i32);
                let sod = rng.random_range(0..DAY_S as u32);
                let utc = day as i64 * DAY_S + sod as i64;
                (i, (card, employee, rng.random_range(0..2u32), utc, day, sod, rng.random::<bool>()))
            })
            .collect()
    }

    #[test]
    fn polars_pairing_agrees_with_the_reference_on_random_streams() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let methods = [
            MethodConfig::default(),
            MethodConfig {
                open_visit_hours: 3.0,
                max_visit_hours: 6.0,
                duplicate_window_s: 3600,
                ..MethodConfig::default()
            },
        ];
        for round in 0..60 {
            let m = &methods[round % 2];
            let n = rng.random_range(1..120);
            let evs = random_events(&mut rng, n);
            let mut ev = Events::default();
            for (i, e) in &evs {
                ev.card.push(e.0);
                ev.employee.push(e.1);
                ev.site.push(e.2);
                ev.utc_s.push(e.3);
                ev.local_day.push(e.4);
                ev.local_sod.push(e.5);
                ev.is_in.push(e.6);
                ev.file.push(0);
                ev.line.push(*i as u32);
            }
            let (v, counts) = pair_visits(events_frame(ev).unwrap(), m).unwrap();
            let col_u32 = |c: &str| v.column(c).unwrap().u32().unwrap().clone();
            let col_i64 = |c: &str| v.column(c).unwrap().i64().unwrap().clone();
            let (card, site, start, dur) =
                (col_u32("card"), col_u32("site"), col_i64("start_utc_s"), col_i64("duration_s"));
            let rule = v.column("rule").unwrap().str().unwrap().clone();
            let got: Vec<Visit> = (0..v.height())
                .map(|i| {
                    let r = rule.get(i).unwrap().to_owned();
                    (card.get(i).unwrap(), site.get(i).unwrap(), start.get(i).unwrap(), dur.get(i).unwrap(), r)
                })
                .collect();
            let (expect, expect_counts) = reference(evs, m);
            assert_eq!(got, expect, "round {round}");
            assert_eq!(counts, expect_counts, "round {round}");
        }
    }

    #[test]
    fn polars_center_days_agree_with_the_reference_on_random_visits() {
        use std::collections::BTreeMap;
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..30 {
            let n = rng.random_range(1..200);
            let rows: Vec<(u32, i32, u32, i64)> = (0..n)
                .map(|_| {
                    let dur = 1800 * rng.random_range(0..8i64);
                    (rng.random_range(0..5u32), rng.random_range(18_000..18_004i32), rng.random_range(0..4u32), dur)
                })
                .collect();
            let visits = DataFrame::new(
                n,
                vec![
                    Column::new("employee".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                    Column::new("local_day".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                    Column::new("site".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
                    Column::new("duration_s".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
                    Column::new("start_local_sod".into(), vec![28_800i64; n]),
                ],
            )
            .unwrap();
            let d = center_days(&visits, &MethodConfig::default()).unwrap();
            let u = |c: &str| d.column(c).unwrap().u32().unwrap().into_no_null_iter().collect::<Vec<_>>();
            let days: Vec<i32> = d.column("local_day").unwrap().i32().unwrap().into_no_null_iter().collect();
            let presence: Vec<i64> = d.column("presence_s").unwrap().i64().unwrap().into_no_null_iter().collect();
            let got: Vec<_> = (0..d.height())
                .map(|i| (u("employee")[i], days[i], presence[i], u("main_site")[i], u("visits")[i], u("sites")[i]))
                .collect();
            // Reference: per (employee, day), per site totals; main site = largest total, then lowest id.
            let mut by_day: BTreeMap<(u32, i32), BTreeMap<u32, (i64, u32)>> = BTreeMap::new();
            for r in &rows {
                let e = by_day.entry((r.0, r.1)).or_default().entry(r.2).or_default();
                e.0 += r.3;
                e.1 += 1;
            }
            let expect: Vec<_> = by_day
                .iter()
                .map(|((emp, day), sites)| {
                    let main =
                        sites.iter().max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(a.0))).map(|(s, _)| *s).unwrap();
                    let total: i64 = sites.values().map(|v| v.0).sum();
                    let visits: u32 = sites.values().map(|v| v.1).sum();
                    (*emp, *day, total, main, visits, sites.len() as u32)
                })
                .collect();
            assert_eq!(got, expect, "round {round}");
        }
    }
}
