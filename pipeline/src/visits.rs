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
pub fn events_frame(ev: &Events) -> PolarsResult<DataFrame> {
    // One u64 sort key (card, then time) sorts much faster than two columns. It needs instants
    // in 1970–2106, which the study-period check already confines events to in practice.
    let packable = ev.utc_s.iter().all(|&t| (0..=u32::MAX as i64).contains(&t));
    let sort_key: Vec<u64> = if packable {
        ev.card.iter().zip(&ev.utc_s).map(|(&c, &t)| (u64::from(c) << 32) | t as u64).collect()
    } else {
        Vec::new()
    };
    let mut columns = vec![
        Column::new("card".into(), &ev.card),
        Column::new("employee".into(), &ev.employee),
        Column::new("site".into(), &ev.site),
        Column::new("utc_s".into(), &ev.utc_s),
        Column::new("local_day".into(), &ev.local_day),
        Column::new("local_sod".into(), ev.local_sod.iter().map(|&s| s as i64).collect::<Vec<i64>>()),
        Column::new("is_in".into(), &ev.is_in),
        Column::new("file".into(), &ev.file),
        Column::new("line".into(), &ev.line),
    ];
    if packable {
        columns.push(Column::new("sort_key".into(), sort_key));
    }
    DataFrame::new(ev.len(), columns)
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
        events_frame(&ev).unwrap()
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
