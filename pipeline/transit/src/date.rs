//! Calendar dates (GTFS `YYYYMMDD`) and times of day past midnight (`H:MM:SS`, hours may pass 24).

use std::fmt;

/// A calendar date, as days since 1970-01-01 (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// From year, month (1–12) and day (1–31); `None` when the day does not exist.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m as i32 + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Parses GTFS `YYYYMMDD` (surrounding spaces allowed).
    pub fn parse_gtfs(s: &str) -> Option<Date> {
        let s = s.trim();
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Date::from_ymd(s[0..4].parse().ok()?, s[4..6].parse().ok()?, s[6..8].parse().ok()?)
    }

    /// Parses ISO `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let p: Vec<&str> = s.trim().split('-').collect();
        if p.len() != 3 || p[0].len() != 4 || p[1].len() != 2 || p[2].len() != 2 {
            return None;
        }
        Date::from_ymd(p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?)
    }

    /// (year, month, day).
    pub fn ymd(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        (if m <= 2 { y + 1 } else { y }, m, d)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday (the column order of `calendar.txt`).
    pub fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday (3).
        (self.0 + 3).rem_euclid(7) as usize
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses a GTFS time `H:MM:SS` or `HH:MM:SS` into seconds after the service day's noon minus
/// 12 h ("midnight"); hours past 24 are trips running after midnight. `None` when malformed.
pub fn parse_time(s: &str) -> Option<i32> {
    let s = s.trim();
    let mut it = s.split(':');
    let (h, m, sec) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || h.is_empty() || h.len() > 3 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) || !all_digits(sec) {
        return None;
    }
    let (h, m, sec): (i32, i32, i32) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    if m > 59 || sec > 59 || h > 72 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec)
}

/// Formats seconds after midnight as `HH:MM:SS` (hours may pass 24).
pub fn format_time(t: i32) -> String {
    let t = t.max(0);
    format!("{:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_weekdays() {
        let d = Date::parse_gtfs("20140609").unwrap();
        assert_eq!(d.ymd(), (2014, 6, 9));
        assert_eq!(d.weekday(), 0, "9 June 2014 was a Monday");
        assert_eq!(Date::parse_iso("1970-01-01"), Some(Date(0)));
        assert_eq!(Date(0).weekday(), 3);
        assert_eq!(Date::parse_gtfs("20240229").unwrap().to_string(), "2024-02-29");
        assert_eq!(Date::parse_gtfs("20230229"), None);
        assert_eq!(Date::parse_gtfs("2014069"), None);
        for n in -1000..1000 {
            let (y, m, d) = Date(n * 37).ymd();
            assert_eq!(Date::from_ymd(y, m, d), Some(Date(n * 37)));
        }
    }

    #[test]
    fn times_past_midnight() {
        assert_eq!(parse_time("05:50:00"), Some(21_000));
        assert_eq!(parse_time(" 5:50:00"), Some(21_000));
        assert_eq!(parse_time("25:01:02"), Some(25 * 3600 + 62));
        assert_eq!(parse_time("5:5:00"), None);
        assert_eq!(parse_time("05:60:00"), None);
        assert_eq!(parse_time("aa:00:00"), None);
        assert_eq!(parse_time(""), None);
        assert_eq!(format_time(25 * 3600 + 62), "25:01:02");
    }
}
