//! Visit pairing: access events → visits → center days.
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
//!
//! Pairing is a state machine along each card's time line and a center day a small group-by over
//! sorted keys: both are one sort plus one sequential pass over plain vectors, several times
//! faster and leaner than the equivalent chain of polars window expressions (which we had
//! first: see `reference` below for the slow, obviously correct version both are checked
//! against). The results are polars frames for the relational stages that follow.

use polars::prelude::*;
use rayon::prelude::*;

use crate::config::MethodConfig;
use crate::input::ingest::{Event, Events};
use crate::input::quality::PairingCounts;

const DAY_S: i64 = 86_400;

/// The order pairing reads events in: by card, then time; equal times keep file and line order.
fn pairing_key(e: &Event) -> (u32, i64, u32, u32) {
    (e.card, e.utc_s, e.file, e.line)
}

/// Sorts events in pairing order, in place. [`pair_visits`] reads sorted events in one sequential
/// pass; unsorted ones cost it a random access per event.
pub fn sort_for_pairing(events: &mut Events) {
    if events.iter().is_sorted_by_key(pairing_key) {
        events.make_contiguous();
        return;
    }
    // A counting sort by card (card indices are dense), then each card's few events by time:
    // events arrive in file and line order and the scatter keeps it, so each card's run is
    // already in time order within each site's log and small sorts finish it.
    let pieces = events.pieces();
    let cards = events.iter().map(|e| e.card as usize + 1).max().unwrap_or(0);
    let counts = pieces
        .par_iter()
        .fold(
            || vec![0usize; cards],
            |mut n, piece| {
                for e in piece {
                    n[e.card as usize] += 1;
                }
                n
            },
        )
        .reduce(
            || vec![0usize; cards],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    // Each thread fills the slots of one range of cards, reading every event: the reads are
    // sequential and cheap, the writes (a cache miss each) are what gets shared.
    let ranges = rayon::current_num_threads().max(1);
    let total = events.len();
    let mut bounds = vec![0usize];
    let (mut card, mut done) = (0usize, 0usize);
    for r in 1..ranges {
        while card < cards && done < total * r / ranges {
            done += counts[card];
            card += 1;
        }
        bounds.push(card);
    }
    bounds.push(cards);
    // One piece per range of cards, each allocated and filled by the thread that owns it.
    let sorted: Vec<Vec<Event>> = bounds
        .windows(2)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|w| {
            let (first, end) = (w[0], w[1]);
            let mut start = Vec::with_capacity(end - first);
            let mut at = 0;
            for n in &counts[first..end] {
                start.push(at);
                at += n;
            }
            let mut out = vec![Event::default(); at];
            for e in pieces.iter().flatten() {
                let c = e.card as usize;
                if (first..end).contains(&c) {
                    let slot = &mut start[c - first];
                    out[*slot] = *e;
                    *slot += 1;
                }
            }
            out.chunk_by_mut(|a, b| a.card == b.card).for_each(|run| run.sort_unstable_by_key(pairing_key));
            out
        })
        .collect();
    events.replace(sorted);
}

/// Pairs events into visits. Returns the visits frame (`employee, card, site, local_day,
/// start_utc_s, start_local_sod, duration_s, rule, capped, file, line`, sorted by card and time)
/// and the rule counts. Events in [`sort_for_pairing`] order are read as they are; others through
/// a sorted index.
pub fn pair_visits(events: &Events, method: &MethodConfig) -> PolarsResult<(DataFrame, PairingCounts)> {
    // The rules only ever compare a card's consecutive events, so runs cut between two cards pair
    // independently: a few runs per thread, each made into a frame, stacked in order.
    let runs = 4 * rayon::current_num_threads().max(1);
    let pieces = events.pieces();
    let card_aligned = pieces
        .iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .windows(2)
        .all(|w| w[0].last().map(|e| e.card) != w[1].first().map(|e| e.card));
    let parts: Vec<PolarsResult<(DataFrame, PairingCounts)>> =
        if card_aligned && events.iter().is_sorted_by_key(pairing_key) {
            // Sorted pieces (as `sort_for_pairing` leaves them) are read in place.
            let per_piece = runs.div_ceil(pieces.len().max(1));
            let cut: Vec<&[Event]> = pieces.iter().flat_map(|p| cut_runs(p, |e| e.card, per_piece)).collect();
            cut.par_iter().map(|run| pair_run(run.iter(), method)).collect()
        } else {
            let mut order: Vec<&Event> = events.iter().collect();
            order.par_sort_unstable_by_key(|e| pairing_key(e));
            let cut = cut_runs(&order, |e| e.card, runs);
            cut.par_iter().map(|run| pair_run(run.iter().copied(), method)).collect()
        };
    let mut counts = PairingCounts::default();
    let mut frames = Vec::with_capacity(parts.len());
    for part in parts {
        let (df, c) = part?;
        counts.add(&c);
        frames.push(Ok(df));
    }
    let frame = stack(frames, VisitColumns::default().into_frame()?)?;
    debug_assert_eq!(
        counts.events,
        counts.duplicate_swipes + counts.visit_ins + counts.visit_outs + counts.orphan_outs
    );
    Ok((frame, counts))
}

/// Cuts `items` (grouped by card) into about `runs` slices of whole cards.
fn cut_runs<T>(items: &[T], card: impl Fn(&T) -> u32, runs: usize) -> Vec<&[T]> {
    let mut cuts = vec![0];
    for r in 1..runs {
        let mut at = (items.len() * r / runs).max(*cuts.last().expect("starts at 0"));
        while at > 0 && at < items.len() && card(&items[at]) == card(&items[at - 1]) {
            at += 1;
        }
        cuts.push(at);
    }
    cuts.push(items.len());
    cuts.dedup();
    cuts.windows(2).map(|w| &items[w[0]..w[1]]).collect()
}

/// Pairs one run of whole cards' events, in pairing order.
fn pair_run<'a>(
    order: impl ExactSizeIterator<Item = &'a Event>,
    method: &MethodConfig,
) -> PolarsResult<(DataFrame, PairingCounts)> {
    let n = order.len();
    // The same card held by the same person (a reissued card changes hands at a date) at the same site.
    let same_holder_site = |a: &Event, b: &Event| a.card == b.card && a.employee == b.employee && a.site == b.site;
    let window_s = method.duplicate_window_s as i64;
    let mut counts = PairingCounts { events: n as u64, ..PairingCounts::default() };
    let mut kept: Vec<&Event> = Vec::with_capacity(n);
    let mut prev: Option<&Event> = None;
    for e in order {
        let duplicate =
            prev.is_some_and(|p| same_holder_site(p, e) && p.is_in == e.is_in && e.utc_s - p.utc_s <= window_s);
        prev = Some(e);
        if duplicate {
            counts.duplicate_swipes += 1;
        } else {
            kept.push(e);
        }
    }

    let open_s = (method.open_visit_hours * 3600.0).round() as i64;
    let cap_s = (method.max_visit_hours * 3600.0).round() as i64;
    let mut v = VisitColumns::with_capacity(n / 2 + 1);
    for (j, &e) in kept.iter().enumerate() {
        if !e.is_in {
            let closes = j > 0 && kept[j - 1].is_in && same_holder_site(kept[j - 1], e);
            if closes {
                counts.visit_outs += 1;
            } else {
                counts.orphan_outs += 1;
            }
            continue;
        }
        let to_midnight_s = DAY_S - i64::from(e.local_sod);
        let next = kept.get(j + 1).filter(|x| !x.is_in && same_holder_site(e, x));
        let (raw_s, rule) = match next {
            Some(x) if x.local_day == e.local_day => (x.utc_s - e.utc_s, "ok"),
            Some(_) => (to_midnight_s, "over_midnight"),
            None => (open_s.min(to_midnight_s), "missing_out"),
        };
        // Capping is counted apart from the rule label: an over-midnight visit can be capped too.
        let capped = raw_s > cap_s;
        let rule = if rule == "ok" && capped { "over_cap" } else { rule };
        counts.visit_ins += 1;
        counts.missing_outs += u64::from(rule == "missing_out");
        counts.over_midnight += u64::from(rule == "over_midnight");
        counts.over_cap += u64::from(capped);
        v.employee.push(e.employee);
        v.card.push(e.card);
        v.site.push(e.site);
        v.local_day.push(e.local_day);
        v.start_utc_s.push(e.utc_s);
        v.start_local_sod.push(i64::from(e.local_sod));
        v.duration_s.push(raw_s.min(cap_s));
        v.rule.push(rule);
        v.capped.push(capped);
        v.file.push(e.file);
        v.line.push(e.line);
    }
    Ok((v.into_frame()?, counts))
}

/// The visits frame, column by column.
#[derive(Default)]
struct VisitColumns {
    employee: Vec<u32>,
    card: Vec<u32>,
    site: Vec<u32>,
    local_day: Vec<i32>,
    start_utc_s: Vec<i64>,
    start_local_sod: Vec<i64>,
    duration_s: Vec<i64>,
    rule: Vec<&'static str>,
    capped: Vec<bool>,
    file: Vec<u32>,
    line: Vec<u32>,
}

impl VisitColumns {
    fn with_capacity(n: usize) -> VisitColumns {
        VisitColumns {
            employee: Vec::with_capacity(n),
            card: Vec::with_capacity(n),
            site: Vec::with_capacity(n),
            local_day: Vec::with_capacity(n),
            start_utc_s: Vec::with_capacity(n),
            start_local_sod: Vec::with_capacity(n),
            duration_s: Vec::with_capacity(n),
            rule: Vec::with_capacity(n),
            capped: Vec::with_capacity(n),
            file: Vec::with_capacity(n),
            line: Vec::with_capacity(n),
        }
    }

    fn into_frame(self) -> PolarsResult<DataFrame> {
        let height = self.employee.len();
        DataFrame::new(
            height,
            vec![
                Column::new("employee".into(), self.employee),
                Column::new("card".into(), self.card),
                Column::new("site".into(), self.site),
                Column::new("local_day".into(), self.local_day),
                Column::new("start_utc_s".into(), self.start_utc_s),
                Column::new("start_local_sod".into(), self.start_local_sod),
                Column::new("duration_s".into(), self.duration_s),
                Column::new("rule".into(), self.rule),
                Column::new("capped".into(), self.capped),
                Column::new("file".into(), self.file),
                Column::new("line".into(), self.line),
            ],
        )
    }
}

/// A column's values as a vector (nulls are a bug here: every stage fills its columns).
fn values<T: PolarsNumericType>(df: &DataFrame, name: &str) -> PolarsResult<Vec<T::Native>> {
    let ca = df.column(name)?.as_materialized_series().unpack::<T>()?.clone();
    if ca.null_count() > 0 {
        polars_bail!(ComputeError: "column {name} has nulls");
    }
    Ok(ca.into_no_null_iter().collect())
}

/// Center days: one row per (employee, local_day) with at least one visit, sorted by employee
/// and day. `presence_s` sums the visits' durations; `main_site` is the site where the day's
/// visits add up to the longest stay (ties: lowest site index), the one the day's trip is
/// counted to; `replaces_office_day` is `presence_s ≥ min_hours_office_day`.
pub fn center_days(visits: &DataFrame, method: &MethodConfig) -> PolarsResult<DataFrame> {
    let min_office_s = office_day_s(method);
    let employee = values::<UInt32Type>(visits, "employee")?;
    let local_day = values::<Int32Type>(visits, "local_day")?;
    let site = values::<UInt32Type>(visits, "site")?;
    let duration_s = values::<Int64Type>(visits, "duration_s")?;
    let sod = values::<Int64Type>(visits, "start_local_sod")?;
    let mut order: Vec<(u32, i32, u32, u32)> =
        (0..employee.len()).map(|i| (employee[i], local_day[i], site[i], i as u32)).collect();
    order.par_sort_unstable();

    // Runs of whole employees are summed in parallel and stacked in order.
    let runs = cut_runs(&order, |o| o.0, 4 * rayon::current_num_threads().max(1));
    let parts: Vec<PolarsResult<DataFrame>> = runs
        .par_iter()
        .map(|run| {
            let mut d = DayColumns::default();
            let mut k = 0;
            while k < run.len() {
                let (emp, day) = (run[k].0, run[k].1);
                let (mut presence_s, mut visits_n, mut sites, mut first_sod) = (0i64, 0u32, 0u32, i64::MAX);
                let (mut main_site, mut main_s) = (0u32, i64::MIN);
                while k < run.len() && run[k].0 == emp && run[k].1 == day {
                    let s = run[k].2;
                    let mut site_s = 0i64;
                    while k < run.len() && run[k].0 == emp && run[k].1 == day && run[k].2 == s {
                        let i = run[k].3 as usize;
                        site_s += duration_s[i];
                        visits_n += 1;
                        first_sod = first_sod.min(sod[i]);
                        k += 1;
                    }
                    // Sites come in ascending order: a strictly longer stay is needed to win a tie.
                    if site_s > main_s {
                        (main_site, main_s) = (s, site_s);
                    }
                    presence_s += site_s;
                    sites += 1;
                }
                d.employee.push(emp);
                d.local_day.push(day);
                d.presence_s.push(presence_s);
                d.visits.push(visits_n);
                d.sites.push(sites);
                d.main_site.push(main_site);
                d.first_in_local_sod.push(first_sod);
                d.replaces_office_day.push(presence_s >= min_office_s);
            }
            d.into_frame()
        })
        .collect();
    stack(parts, DayColumns::default().into_frame()?)
}

/// The presence from which a center day replaces an office day, in seconds.
fn office_day_s(method: &MethodConfig) -> i64 {
    (method.min_hours_office_day * 3600.0).round() as i64
}

/// Center days `days` ([`center_days`]) with `replaces_office_day` set for `method`'s
/// `min_hours_office_day`: the one column of a center day the threshold decides, so a scenario
/// that only moves it keeps the rows, their order and every other column, without pairing and
/// counting the visits again.
pub fn with_office_day_threshold(days: &DataFrame, method: &MethodConfig) -> PolarsResult<DataFrame> {
    let min_office_s = office_day_s(method);
    let presence = days.column("presence_s")?.i64()?;
    let replaces: BooleanChunked = presence.iter().map(|p| p.map(|p| p >= min_office_s)).collect();
    let mut out = days.clone();
    out.with_column(replaces.with_name("replaces_office_day".into()).into_column())?;
    Ok(out)
}

/// `days` (a frame with an `employee` column) with its rows ordered by `rank[employee]`, rows of
/// one employee in their order (a counting sort: center days come sorted by employee and day, so
/// this sorts them by pseudonym and day when `rank` is the warehouse's `Ids::pid_ranks`).
pub fn order_by_employee_rank(days: &DataFrame, rank: &[u32]) -> PolarsResult<DataFrame> {
    let emp = days.column("employee")?.u32()?;
    let mut starts = vec![0 as IdxSize; rank.len() + 1];
    for e in emp.iter() {
        let e = e.ok_or_else(|| polars_err!(ComputeError: "a center day without an employee"))?;
        starts[rank[e as usize] as usize + 1] += 1;
    }
    for r in 1..starts.len() {
        starts[r] += starts[r - 1];
    }
    let mut order = vec![0 as IdxSize; emp.len()];
    for (row, e) in emp.into_no_null_iter().enumerate() {
        let at = &mut starts[rank[e as usize] as usize];
        order[*at as usize] = row as IdxSize;
        *at += 1;
    }
    days.take(&IdxCa::from_vec("row".into(), order))
}

/// Stacks frames in order into one frame of single-chunk columns (`empty` when there are none).
fn stack(parts: Vec<PolarsResult<DataFrame>>, empty: DataFrame) -> PolarsResult<DataFrame> {
    let mut frame: Option<DataFrame> = None;
    for part in parts {
        let df = part?;
        match &mut frame {
            Some(f) => {
                f.vstack_mut_owned(df)?;
            }
            None => frame = Some(df),
        }
    }
    let mut frame = frame.unwrap_or(empty);
    // One chunk per column, whatever the number of threads: outputs must not depend on it.
    frame.rechunk_mut_par();
    Ok(frame)
}

/// The center-days frame, column by column.
#[derive(Default)]
struct DayColumns {
    employee: Vec<u32>,
    local_day: Vec<i32>,
    presence_s: Vec<i64>,
    visits: Vec<u32>,
    sites: Vec<u32>,
    main_site: Vec<u32>,
    first_in_local_sod: Vec<i64>,
    replaces_office_day: Vec<bool>,
}

impl DayColumns {
    fn into_frame(self) -> PolarsResult<DataFrame> {
        let height = self.employee.len();
        DataFrame::new(
            height,
            vec![
                Column::new("employee".into(), self.employee),
                Column::new("local_day".into(), self.local_day),
                Column::new("presence_s".into(), self.presence_s),
                Column::new("visits".into(), self.visits),
                Column::new("sites".into(), self.sites),
                Column::new("main_site".into(), self.main_site),
                Column::new("first_in_local_sod".into(), self.first_in_local_sod),
                Column::new("replaces_office_day".into(), self.replaces_office_day),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds events from (card, site, "HH:MM" local on day 0 or "d+1 HH:MM", in?) tuples; the
    /// local clock is taken as UTC for simplicity (the clock module tests time zones).
    fn events(rows: &[(u32, u32, &str, bool)]) -> Events {
        let mut ev = Events::default();
        for (i, (card, site, t, is_in)) in rows.iter().enumerate() {
            let (day, hm) = t.strip_prefix("d+1 ").map_or((0, *t), |r| (1, r));
            let (h, m) = hm.split_once(':').unwrap();
            let sod = h.parse::<u32>().unwrap() * 3600 + m.parse::<u32>().unwrap() * 60;
            ev.push(Event {
                utc_s: day as i64 * DAY_S + sod as i64,
                card: *card,
                employee: *card,
                site: *site,
                local_day: day,
                local_sod: sod,
                file: 0,
                line: i as u32 + 2,
                is_in: *is_in,
            });
        }
        ev
    }

    /// Runs the pairing and returns (site, duration in minutes, rule) per visit, plus the counts.
    fn check(rows: &[(u32, u32, &str, bool)], method: &MethodConfig) -> (Vec<(u32, i64, String)>, PairingCounts) {
        let (v, counts) = pair_visits(&events(rows), method).unwrap();
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
        let (v, _) = pair_visits(&events(&rows), &MethodConfig::default()).unwrap();
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
        // Another threshold on the same days: the days counted again under it.
        for hours in [2.0, 3.0, 3.5, 7.0, 8.0] {
            let m = MethodConfig { min_hours_office_day: hours, ..MethodConfig::default() };
            assert_eq!(with_office_day_threshold(&d, &m).unwrap(), center_days(&v, &m).unwrap(), "{hours} h");
        }
    }
}

/// The pairing rules written as a plain loop: the slow, obviously correct reference the fast
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
                let card = rng.random_range(0..12u32);
                // A card changes hands now and then (reissued cards).
                let employee = card * 10 + u32::from(rng.random::<f64>() < 0.1);
                let day = rng.random_range(0..3i32);
                let sod = rng.random_range(0..DAY_S as u32);
                let utc = day as i64 * DAY_S + sod as i64;
                (i, (card, employee, rng.random_range(0..2u32), utc, day, sod, rng.random::<bool>()))
            })
            .collect()
    }

    /// `list` cut into one to four pieces at random places (empty pieces included).
    fn split_at_random(rng: &mut ChaCha8Rng, list: Vec<Event>) -> Vec<Vec<Event>> {
        let mut cuts: Vec<usize> = (0..rng.random_range(0..4)).map(|_| rng.random_range(0..=list.len())).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut from = 0;
        for c in cuts.into_iter().chain([list.len()]) {
            pieces.push(list[from..c].to_vec());
            from = c;
        }
        pieces
    }

    #[test]
    fn pairing_agrees_with_the_reference_on_random_streams() {
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
            let n = rng.random_range(1..300);
            let evs = random_events(&mut rng, n);
            let mut ev = Events::default();
            for (i, e) in &evs {
                ev.push(Event {
                    utc_s: e.3,
                    card: e.0,
                    employee: e.1,
                    site: e.2,
                    local_day: e.4,
                    local_sod: e.5,
                    file: 0,
                    line: *i as u32,
                    is_in: e.6,
                });
            }
            // Ingest hands events over in pieces (one per chunk of log lines): cut at random.
            let list: Vec<Event> = ev.iter().copied().collect();
            ev.replace(split_at_random(&mut rng, list));
            let (v, counts) = pair_visits(&ev, m).unwrap();
            // The sort gives the same visits through the in-place path (pieces by range of cards).
            let mut sorted = ev.clone();
            sort_for_pairing(&mut sorted);
            assert!(sorted.iter().is_sorted_by_key(pairing_key), "round {round}");
            assert_eq!(sorted.len(), ev.len(), "round {round}");
            let (v_sorted, counts_sorted) = pair_visits(&sorted, m).unwrap();
            assert!(v_sorted.equals(&v), "round {round}");
            assert_eq!(counts_sorted, counts, "round {round}");
            // Sorted events cut anywhere, a card's events possibly astride two pieces: same again.
            let mut resplit = sorted.clone();
            resplit.replace(split_at_random(&mut rng, sorted.iter().copied().collect()));
            let (v_resplit, counts_resplit) = pair_visits(&resplit, m).unwrap();
            assert!(v_resplit.equals(&v), "round {round}");
            assert_eq!(counts_resplit, counts, "round {round}");
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
    fn center_days_agree_with_the_reference_on_random_visits() {
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
