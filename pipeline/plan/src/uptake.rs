//! Uptake: expected center days per person and year as a function of what the site saves, fixed
//! or fitted on the study's own badge logs.
//!
//! The fitted model is a saturating curve `days(x) = a · (1 − exp(−b·x))` for a saving `x > 0`
//! (0 otherwise): no saving, no use; use rises with the saving and levels off at `a` days a year.
//! It is fitted by least squares on one observation per employee who could use an existing
//! center: `x` = the saving of their best existing site, `y` = their observed center days per
//! year. Employees who never badge must be included (with `y = 0`), otherwise the curve describes
//! users only and overstates uptake.

use crate::PlanError;

/// Expected center days per person and year, given the saving of the site used.
#[derive(Clone, Debug, PartialEq)]
pub enum Uptake {
    /// The same number of days for anyone the site saves something on the uptake driver (e.g. one
    /// day a week ≈ 44; a share `s` of working days is `s × working days`).
    Fixed {
        /// Center days per person and year.
        days_per_year: f64,
    },
    /// `max_days_per_year · (1 − exp(−rate · x))` for a saving `x > 0`, else 0.
    Saturating {
        /// The level use tends to for large savings (days per person and year).
        max_days_per_year: f64,
        /// How fast use rises with the saving (per unit of the driver: per hour or per km).
        rate: f64,
    },
    /// Linear interpolation through points `(savings[k], days[k])`, flat beyond the first and
    /// last points, 0 for a saving `x ≤ 0`: the isotonic bin means of a fit
    /// ([`UptakeFit::isotonic`]), a model-free monotone curve.
    Steps {
        /// Savings of the points, strictly increasing.
        savings: Vec<f64>,
        /// Days per person and year at each point, non-decreasing, same length.
        days: Vec<f64>,
    },
}

impl Uptake {
    /// Days per person and year for a saving `x` of the uptake driver (0 when `x ≤ 0`).
    pub fn days_per_year(&self, x: f64) -> f64 {
        if x.is_nan() || x <= 0.0 {
            return 0.0;
        }
        match self {
            Uptake::Fixed { days_per_year } => *days_per_year,
            Uptake::Saturating { max_days_per_year, rate } => max_days_per_year * (-(-rate * x).exp_m1()),
            Uptake::Steps { savings, days } => {
                let k = savings.partition_point(|&s| s <= x);
                if savings.is_empty() || days.len() != savings.len() {
                    0.0
                } else if k == 0 {
                    days[0]
                } else if k == savings.len() {
                    days[k - 1]
                } else {
                    let t = (x - savings[k - 1]) / (savings[k] - savings[k - 1]);
                    days[k - 1] + t * (days[k] - days[k - 1])
                }
            }
        }
    }

    /// Fails on a non-finite or negative parameter, or `Steps` points that are empty, of unequal
    /// lengths, not strictly increasing in saving or decreasing in days.
    pub fn check(&self) -> Result<(), PlanError> {
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        let fine = match self {
            Uptake::Fixed { days_per_year } => ok(*days_per_year),
            Uptake::Saturating { max_days_per_year, rate } => ok(*max_days_per_year) && ok(*rate),
            Uptake::Steps { savings, days } => {
                !savings.is_empty()
                    && savings.len() == days.len()
                    && savings.iter().all(|s| s.is_finite())
                    && days.iter().all(|&d| ok(d))
                    && savings.windows(2).all(|w| w[0] < w[1])
                    && days.windows(2).all(|w| w[0] <= w[1])
            }
        };
        if fine { Ok(()) } else { Err(PlanError::Config("uptake parameters out of range")) }
    }
}

/// One employee in the fit: the saving of their best existing site and their observed use.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UptakeObservation {
    /// Saving of the best existing site (per day, in the driver's unit: hours or km).
    pub saving: f64,
    /// Observed center days per year (0 for an employee who never badged).
    pub days_per_year: f64,
}

/// One row of the fit's error table: observations grouped by saving (equal counts).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UptakeBin {
    /// Smallest saving in the bin.
    pub saving_min: f64,
    /// Largest saving in the bin.
    pub saving_max: f64,
    /// Observations in the bin.
    pub n: usize,
    /// Mean saving of the bin.
    pub mean_saving: f64,
    /// Mean observed days per year.
    pub observed_days_per_year: f64,
    /// Mean predicted days per year (the fitted curve at each observation, averaged).
    pub predicted_days_per_year: f64,
    /// The observed means made non-decreasing by isotonic regression over the bins (pool adjacent
    /// violators, weighted by `n`): a model-free monotone curve to hold the fitted one against.
    pub isotonic_days_per_year: f64,
}

/// The fitted uptake curve, its error, and low/high variants for the spread.
#[derive(Clone, Debug, PartialEq)]
pub struct UptakeFit {
    /// The fitted curve (`Uptake::Saturating`).
    pub model: Uptake,
    /// Standard error of `max_days_per_year` (days per year).
    pub max_days_se: f64,
    /// Standard error of `rate`.
    pub rate_se: f64,
    /// Share of the variance of individual use explained by the curve.
    pub r2: f64,
    /// Root-mean-square error of individual predictions (days per year): the scatter of persons
    /// around the curve, much larger than the curve's own uncertainty.
    pub rmse: f64,
    /// Observations used.
    pub n: usize,
    /// Predicted against observed means by saving bin.
    pub bins: Vec<UptakeBin>,
    /// Both parameters one standard error lower (clamped at 0): the low-uptake variant.
    pub low: Uptake,
    /// Both parameters one standard error higher: the high-uptake variant.
    pub high: Uptake,
    /// The isotonic bin means as a curve (`Uptake::Steps` through each bin's mean saving): the
    /// model-free alternative.
    pub isotonic: Uptake,
}

/// Fits `days = a · (1 − exp(−b·x))` by least squares and tabulates the error in `bins` bins.
///
/// For a fixed `b`, the best `a` is linear (`a = Σ y f / Σ f²` with `f = 1 − exp(−b x)`), so the
/// fit is a one-dimensional search over `b`: a log-spaced scan over nine decades around the mean
/// positive saving, refined by golden section. Standard errors come from the Gauss–Newton
/// covariance `σ² (JᵀJ)⁻¹`, `σ² = SSE / (n − 2)`. Fails with fewer than 3 observations, without
/// a positive saving, or on a non-finite value.
pub fn fit_uptake(obs: &[UptakeObservation], bins: usize) -> Result<UptakeFit, PlanError> {
    if obs.iter().any(|o| !o.saving.is_finite() || !o.days_per_year.is_finite()) {
        return Err(PlanError::UptakeData("a saving or a number of days is not finite"));
    }
    let positive: Vec<f64> = obs.iter().map(|o| o.saving).filter(|x| *x > 0.0).collect();
    if obs.len() < 3 || positive.is_empty() {
        return Err(PlanError::UptakeData("fewer than 3 observations or none with a positive saving"));
    }
    let scale = positive.iter().sum::<f64>() / positive.len() as f64;
    // Profile SSE over b (a eliminated); returns (sse, a).
    let profile = |b: f64| -> (f64, f64) {
        let (mut yf, mut ff, mut yy) = (0.0, 0.0, 0.0);
        for o in obs {
            let f = if o.saving > 0.0 { -(-b * o.saving).exp_m1() } else { 0.0 };
            yf += o.days_per_year * f;
            ff += f * f;
            yy += o.days_per_year * o.days_per_year;
        }
        if ff <= 0.0 { (yy, 0.0) } else { (yy - yf * yf / ff, yf / ff) }
    };
    let steps = 180;
    let lb = |k: usize| (1e-4f64).ln() + (1e5f64).ln() * k as f64 / steps as f64 - scale.ln();
    let best_k = (0..=steps)
        .map(|k| (profile(lb(k).exp()).0, k))
        .min_by(|p, q| p.0.total_cmp(&q.0).then(p.1.cmp(&q.1)))
        .map_or(0, |(_, k)| k);
    let (mut lo, mut hi) = (lb(best_k.saturating_sub(1)), lb((best_k + 1).min(steps)));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..80 {
        let (m1, m2) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if profile(m1.exp()).0 <= profile(m2.exp()).0 {
            hi = m2;
        } else {
            lo = m1;
        }
    }
    let b = ((lo + hi) / 2.0).exp();
    let (sse, a) = profile(b);
    let n = obs.len();
    let mean_y = obs.iter().map(|o| o.days_per_year).sum::<f64>() / n as f64;
    let sst: f64 = obs.iter().map(|o| (o.days_per_year - mean_y).powi(2)).sum();
    // Gauss–Newton covariance at the optimum.
    let (mut j11, mut j12, mut j22) = (0.0, 0.0, 0.0);
    for o in obs.iter().filter(|o| o.saving > 0.0) {
        let e = (-b * o.saving).exp();
        let (da, db) = (1.0 - e, a * o.saving * e);
        j11 += da * da;
        j12 += da * db;
        j22 += db * db;
    }
    let det = j11 * j22 - j12 * j12;
    let sigma2 = sse.max(0.0) / (n as f64 - 2.0);
    let (max_days_se, rate_se) =
        if det > 0.0 { ((sigma2 * j22 / det).sqrt(), (sigma2 * j11 / det).sqrt()) } else { (f64::NAN, f64::NAN) };
    let model = Uptake::Saturating { max_days_per_year: a, rate: b };
    let bins = bin_table(obs, &model, bins);
    let shift = |k: f64| Uptake::Saturating {
        max_days_per_year: (a + k * max_days_se).max(0.0),
        rate: (b + k * rate_se).max(0.0),
    };
    let isotonic = steps_of(&bins);
    Ok(UptakeFit {
        isotonic,
        model,
        max_days_se,
        rate_se,
        r2: if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN },
        rmse: (sse.max(0.0) / n as f64).sqrt(),
        n,
        bins,
        low: shift(-1.0),
        high: shift(1.0),
    })
}

/// Predicted against observed mean days in `bins` groups of (nearly) equal size, by saving.
pub fn bin_table(obs: &[UptakeObservation], model: &Uptake, bins: usize) -> Vec<UptakeBin> {
    let mut sorted = obs.to_vec();
    sorted.sort_by(|p, q| p.saving.total_cmp(&q.saving).then(p.days_per_year.total_cmp(&q.days_per_year)));
    let bins = bins.clamp(1, sorted.len().max(1));
    let mut table: Vec<UptakeBin> = (0..bins)
        .filter_map(|k| {
            let part = &sorted[k * sorted.len() / bins..(k + 1) * sorted.len() / bins];
            let n = part.len();
            (n > 0).then(|| UptakeBin {
                saving_min: part[0].saving,
                saving_max: part[n - 1].saving,
                n,
                mean_saving: part.iter().map(|o| o.saving).sum::<f64>() / n as f64,
                observed_days_per_year: part.iter().map(|o| o.days_per_year).sum::<f64>() / n as f64,
                predicted_days_per_year: part.iter().map(|o| model.days_per_year(o.saving)).sum::<f64>() / n as f64,
                isotonic_days_per_year: f64::NAN,
            })
        })
        .collect();
    let iso = isotonic(&table.iter().map(|b| (b.observed_days_per_year, b.n as f64)).collect::<Vec<_>>());
    for (b, v) in table.iter_mut().zip(iso) {
        b.isotonic_days_per_year = v;
    }
    table
}

/// `Uptake::Steps` through the bins' (mean saving, isotonic days); bins of equal mean saving merge.
fn steps_of(bins: &[UptakeBin]) -> Uptake {
    let (mut savings, mut days): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    for b in bins {
        if savings.last().is_some_and(|&s| b.mean_saving <= s) {
            // Same or lower mean saving (ties in the data): keep the larger days, stay monotone.
            let last = days.len() - 1;
            days[last] = days[last].max(b.isotonic_days_per_year);
        } else {
            savings.push(b.mean_saving);
            days.push(b.isotonic_days_per_year.max(days.last().copied().unwrap_or(0.0)).max(0.0));
        }
    }
    Uptake::Steps { savings, days }
}

/// Weighted isotonic (non-decreasing) regression by pool adjacent violators.
pub fn isotonic(values: &[(f64, f64)]) -> Vec<f64> {
    // Blocks of (mean, weight, length), merged while a block's mean is below the previous one's.
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(values.len());
    for &(v, w) in values {
        blocks.push((v, w, 1));
        while blocks.len() > 1 && blocks[blocks.len() - 2].0 > blocks[blocks.len() - 1].0 {
            let (m2, w2, l2) = blocks.pop().expect("two blocks");
            let (m1, w1, l1) = blocks.pop().expect("two blocks");
            let w = w1 + w2;
            let m = if w > 0.0 { (m1 * w1 + m2 * w2) / w } else { (m1 + m2) / 2.0 };
            blocks.push((m, w, l1 + l2));
        }
    }
    blocks.iter().flat_map(|&(m, _, l)| std::iter::repeat_n(m, l)).collect()
}
