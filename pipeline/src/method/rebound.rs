//! Rebound: on a day that replaces an office day, part of the avoided office trip may be
//! travelled anyway (errands, school runs, a detour that the office trip used to absorb).
//!
//! `method.rebound_share` is that part, as a share of the avoided office round trip, travelled by
//! the commute mode: `*_rebound = rebound_share × *_baseline` for km, hours and CO2e (both
//! boundaries). The rebound is travel that happens on the center day, so it is added to the
//! `*_actual` figures and `avoided = baseline − actual` still holds. navette ships no value for
//! it: the default 0 is "no rebound", and any other value is the user's assumption (scenarios make
//! it easy to show a range).

use polars::prelude::*;

/// The figures a rebound scales: (baseline column, actual column, rebound column).
const SCALED: &[(&str, &str, &str)] = &[
    ("km_baseline", "km_actual", "km_rebound"),
    ("hours_baseline", "hours_actual", "hours_rebound"),
    ("co2e_kg_baseline", "co2e_kg_actual", "co2e_kg_rebound"),
    ("co2e_ttw_kg_baseline", "co2e_ttw_kg_actual", "co2e_ttw_kg_rebound"),
    ("co2e_wtw_kg_baseline", "co2e_wtw_kg_actual", "co2e_wtw_kg_rebound"),
];

/// The differences recomputed after the rebound is added: (avoided, baseline, actual).
const AVOIDED: &[(&str, &str, &str)] = &[
    ("km_avoided", "km_baseline", "km_actual"),
    ("hours_avoided", "hours_baseline", "hours_actual"),
    ("co2e_kg_avoided", "co2e_kg_baseline", "co2e_kg_actual"),
    ("co2e_ttw_kg_avoided", "co2e_ttw_kg_baseline", "co2e_ttw_kg_actual"),
    ("co2e_wtw_kg_avoided", "co2e_wtw_kg_baseline", "co2e_wtw_kg_actual"),
];

/// Adds the `*_rebound` columns (just after `co2e_wtw_kg_actual`) to day impacts from
/// `impact::day_impacts`, adds them to `*_actual` and recomputes the `*_avoided` columns. With a
/// share of 0 the rebound columns are 0 and nothing else changes.
pub fn apply(impacts: DataFrame, share: f64) -> PolarsResult<DataFrame> {
    let names: Vec<String> = impacts.get_column_names().iter().map(|n| n.to_string()).collect();
    let mut order: Vec<Expr> = Vec::with_capacity(names.len() + SCALED.len());
    for n in &names {
        order.push(col(n.as_str()));
        if n == "co2e_wtw_kg_actual" {
            order.extend(SCALED.iter().map(|(_, _, r)| col(*r)));
        }
    }
    if !names.iter().any(|n| n == "co2e_wtw_kg_actual") {
        order.extend(SCALED.iter().map(|(_, _, r)| col(*r)));
    }
    let rebound: Vec<Expr> = SCALED.iter().map(|(b, _, r)| (lit(share) * col(*b)).alias(*r)).collect();
    let mut frame = impacts.lazy().with_columns(rebound);
    if share != 0.0 {
        frame = frame
            .with_columns(SCALED.iter().map(|(_, a, r)| (col(*a) + col(*r)).alias(*a)).collect::<Vec<_>>())
            .with_columns(AVOIDED.iter().map(|(d, b, a)| (col(*b) - col(*a)).alias(*d)).collect::<Vec<_>>());
    }
    frame.select(order).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(km_baseline: f64, km_actual: f64) -> DataFrame {
        let mut cols = vec![Column::new("employee".into(), [0u32])];
        for (b, a, _) in SCALED {
            cols.push(Column::new((*b).into(), [km_baseline]));
            cols.push(Column::new((*a).into(), [km_actual]));
        }
        for (d, _, _) in AVOIDED {
            cols.push(Column::new((*d).into(), [km_baseline - km_actual]));
        }
        DataFrame::new(1, cols).unwrap()
    }

    fn get(df: &DataFrame, c: &str) -> f64 {
        df.column(c).unwrap().f64().unwrap().get(0).unwrap()
    }

    #[test]
    fn a_quarter_of_the_avoided_trip_comes_back() {
        // 40 km office round trip replaced by a 10 km center round trip; a quarter of the office
        // trip (10 km) is travelled anyway: actual 20 km, avoided 20 km instead of 30.
        let out = apply(day(40.0, 10.0), 0.25).unwrap();
        for (b, a, r) in SCALED {
            assert_eq!(get(&out, r), 10.0, "{r}");
            assert_eq!(get(&out, a), 20.0, "{a}");
            assert_eq!(get(&out, b), 40.0, "{b}");
        }
        for (d, _, _) in AVOIDED {
            assert_eq!(get(&out, d), 20.0, "{d}");
        }
        let names: Vec<&str> = out.get_column_names().iter().map(|n| n.as_str()).collect();
        let at = names.iter().position(|n| *n == "co2e_wtw_kg_actual").unwrap();
        assert_eq!(names[at + 1], "km_rebound");
    }

    #[test]
    fn no_rebound_changes_nothing() {
        let before = day(40.0, 10.0);
        let out = apply(before.clone(), 0.0).unwrap();
        for c in before.get_column_names() {
            assert_eq!(out.column(c).unwrap(), before.column(c).unwrap(), "{c}");
        }
        assert_eq!(get(&out, "km_rebound"), 0.0);
        // A day that replaces nothing has a zero baseline, so no rebound whatever the share.
        let out = apply(day(0.0, 10.0), 0.5).unwrap();
        assert_eq!(get(&out, "km_rebound"), 0.0);
        assert_eq!(get(&out, "km_avoided"), -10.0);
    }
}
