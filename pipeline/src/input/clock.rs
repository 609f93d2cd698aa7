//! Access-log timestamps: ISO 8601, with or without a UTC offset. A timestamp without offset is
//! Europe/Brussels wall-clock time, so daylight-saving changes matter: on the last Sunday of
//! March 02:00–03:00 does not exist, on the last Sunday of October 02:00–03:00 happens twice.

use chrono::{Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::Europe::Brussels;

/// A point in time with the Brussels calendar facts the method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub utc_s: i64,
    /// Brussels local date, as days since 1970-01-01.
    pub local_day: i32,
    /// Brussels local seconds since midnight.
    pub local_sod: u32,
    /// The local time occurred twice (October change); the earlier instant was taken.
    pub ambiguous: bool,
}

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StampError {
    /// Not an ISO 8601 date-time.
    Malformed,
    /// A local time inside the spring-forward gap (it never happened in Brussels).
    Nonexistent,
}

/// The Unix epoch as a date, the origin of `local_day`.
pub fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date")
}

/// Days since 1970-01-01 of a date.
pub fn day_number(d: NaiveDate) -> i32 {
    (d - epoch_date()).num_days() as i32
}

/// The date of a day number.
pub fn day_date(day: i32) -> NaiveDate {
    epoch_date() + chrono::Duration::days(day as i64)
}

/// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:MM]]`.
pub fn parse_stamp(s: &str) -> Result<Stamp, StampError> {
    StampParser::default().parse(s)
}

/// A timestamp parser that remembers the Brussels UTC offset of the last hour it saw. Access logs
/// are mostly in time order, so nearly every lookup in the time-zone table is saved. Brussels
/// changes offset only on the hour, so an offset found for one hour holds for all of it.
#[derive(Debug, Default)]
pub struct StampParser {
    /// (local date, local hour) → offset in seconds, for unambiguous local hours.
    local_hour: Option<(NaiveDate, u32, i64)>,
    /// (UTC date, UTC hour) → offset in seconds.
    utc_hour: Option<(NaiveDate, u32, i64)>,
}

impl StampParser {
    /// Parses like [`parse_stamp`].
    pub fn parse(&mut self, s: &str) -> Result<Stamp, StampError> {
        let (naive, offset) = split_stamp(s)?;
        let utc = match offset {
            Some(o) => naive - chrono::Duration::seconds(o),
            None => {
                let (date, hour) = (naive.date(), naive.hour());
                if let Some((d, h, off)) = self.local_hour
                    && d == date
                    && h == hour
                {
                    return Ok(make_stamp(naive - chrono::Duration::seconds(off), naive, false));
                }
                match Brussels.from_local_datetime(&naive) {
                    LocalResult::Single(t) => {
                        let off = t.offset().fix().local_minus_utc() as i64;
                        self.local_hour = Some((date, hour, off));
                        return Ok(make_stamp(t.naive_utc(), naive, false));
                    }
                    LocalResult::Ambiguous(early, _) => return Ok(stamp_of(early.naive_utc(), true)),
                    LocalResult::None => return Err(StampError::Nonexistent),
                }
            }
        };
        let (date, hour) = (utc.date(), utc.hour());
        let off = match self.utc_hour {
            Some((d, h, off)) if d == date && h == hour => off,
            _ => {
                let off = Brussels.offset_from_utc_datetime(&utc).fix().local_minus_utc() as i64;
                self.utc_hour = Some((date, hour, off));
                off
            }
        };
        Ok(make_stamp(utc, utc + chrono::Duration::seconds(off), false))
    }
}

fn make_stamp(utc: NaiveDateTime, local: NaiveDateTime, ambiguous: bool) -> Stamp {
    Stamp {
        utc_s: utc.and_utc().timestamp(),
        local_day: day_number(local.date()),
        local_sod: local.time().num_seconds_from_midnight(),
        ambiguous,
    }
}

/// Splits a timestamp into its wall-clock part and its UTC offset in seconds (`None` = local).
fn split_stamp(s: &str) -> Result<(NaiveDateTime, Option<i64>), StampError> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 16 {
        return Err(StampError::Malformed);
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, StampError> {
        let part = b.get(r).ok_or(StampError::Malformed)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return Err(StampError::Malformed);
        }
        Ok(part.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') || b[13] != b':' {
        return Err(StampError::Malformed);
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?).ok_or(StampError::Malformed)?;
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut i = 16;
    let mut second = 0;
    if b.get(i) == Some(&b':') {
        second = num(i + 1..i + 3)?;
        i += 3;
        if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
            i += 1;
            let frac_start = i;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == frac_start {
                return Err(StampError::Malformed);
            }
        }
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or(StampError::Malformed)?;
    let naive = NaiveDateTime::new(date, time);
    let rest = &s[i..];
    if rest.is_empty() {
        Ok((naive, None))
    } else if rest == "Z" || rest == "z" {
        Ok((naive, Some(0)))
    } else {
        let sign = match rest.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(StampError::Malformed),
        };
        let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
        if !(digits.len() == 2 || digits.len() == 4) || !digits.bytes().all(|d| d.is_ascii_digit()) {
            return Err(StampError::Malformed);
        }
        let oh: i64 = digits[..2].parse().map_err(|_| StampError::Malformed)?;
        let om: i64 = if digits.len() == 4 { digits[2..].parse().map_err(|_| StampError::Malformed)? } else { 0 };
        if oh > 14 || om > 59 {
            return Err(StampError::Malformed);
        }
        Ok((naive, Some(sign * (oh * 3600 + om * 60))))
    }
}

fn stamp_of(utc: NaiveDateTime, ambiguous: bool) -> Stamp {
    let offset = Brussels.offset_from_utc_datetime(&utc).fix().local_minus_utc();
    make_stamp(utc, utc + chrono::Duration::seconds(offset as i64), ambiguous)
}

/// Calendar quarter label of a day number, like `2026-Q1`.
pub fn quarter_label(day: i32) -> String {
    let d = day_date(day);
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str, utc: &str, local_date: &str, local_hms: &str) {
        let st = parse_stamp(s).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        let expect_utc = NaiveDateTime::parse_from_str(utc, "%Y-%m-%d %H:%M:%S").unwrap().and_utc().timestamp();
        assert_eq!(st.utc_s, expect_utc, "{s} utc");
        assert_eq!(day_date(st.local_day).to_string(), local_date, "{s} date");
        let t = NaiveTime::parse_from_str(local_hms, "%H:%M:%S").unwrap();
        assert_eq!(st.local_sod, t.num_seconds_from_midnight(), "{s} time");
    }

    #[test]
    fn winter_and_summer_local_times() {
        check("2026-01-12T08:30:00", "2026-01-12 07:30:00", "2026-01-12", "08:30:00");
        check("2026-07-01 08:30", "2026-07-01 06:30:00", "2026-07-01", "08:30:00");
        check("2026-07-01T08:30:00.250", "2026-07-01 06:30:00", "2026-07-01", "08:30:00");
    }

    #[test]
    fn offsets_are_honoured_and_local_date_is_brussels() {
        check("2026-01-12T07:30:00Z", "2026-01-12 07:30:00", "2026-01-12", "08:30:00");
        check("2026-01-12T08:30:00+01:00", "2026-01-12 07:30:00", "2026-01-12", "08:30:00");
        check("2026-07-01T23:30:00-0100", "2026-07-02 00:30:00", "2026-07-02", "02:30:00");
        // 23:30 UTC in winter is already the next day in Brussels.
        check("2026-01-12T23:30:00Z", "2026-01-12 23:30:00", "2026-01-13", "00:30:00");
    }

    #[test]
    fn spring_forward_gap_does_not_exist() {
        // 2026-03-29: clocks go from 02:00 to 03:00.
        assert_eq!(parse_stamp("2026-03-29T02:30:00"), Err(StampError::Nonexistent));
        check("2026-03-29T01:59:00", "2026-03-29 00:59:00", "2026-03-29", "01:59:00");
        check("2026-03-29T03:00:00", "2026-03-29 01:00:00", "2026-03-29", "03:00:00");
    }

    #[test]
    fn fall_back_hour_takes_the_earlier_instant() {
        // 2026-10-25: clocks go from 03:00 back to 02:00; 02:30 happens at 00:30Z and 01:30Z.
        let st = parse_stamp("2026-10-25T02:30:00").unwrap();
        assert!(st.ambiguous);
        check("2026-10-25T02:30:00", "2026-10-25 00:30:00", "2026-10-25", "02:30:00");
        check("2026-10-25T02:30:00+01:00", "2026-10-25 01:30:00", "2026-10-25", "02:30:00");
    }

    #[test]
    fn malformed() {
        for s in [
            "",
            "2026-13-01T08:00:00",
            "2026-01-01",
            "2026/01/01 08:00",
            "2026-01-01T25:00",
            "2026-01-01T08:00:00+1",
            "08:00 2026-01-01",
            "2026-01-01T08:00:00.",
            "2026-02-30T08:00",
        ] {
            assert_eq!(parse_stamp(s), Err(StampError::Malformed), "{s}");
        }
    }

    #[test]
    fn the_cached_parser_agrees_with_the_plain_one_across_dst() {
        // Every 7 minutes over both 2026 changes, local and UTC forms, in order and reversed.
        let mut stamps = Vec::new();
        for (day, hours) in [("2026-03-28", 0..24), ("2026-03-29", 0..24), ("2026-10-25", 0..24), ("2026-10-26", 0..3)]
        {
            for h in hours {
                for m in (0..60).step_by(7) {
                    stamps.push(format!("{day}T{h:02}:{m:02}:00"));
                    stamps.push(format!("{day}T{h:02}:{m:02}:00Z"));
                }
            }
        }
        for order in [stamps.clone(), stamps.iter().rev().cloned().collect()] {
            let mut p = StampParser::default();
            for s in &order {
                assert_eq!(p.parse(s), parse_stamp(s), "{s}");
            }
        }
    }

    #[test]
    fn quarters() {
        let d = |s: &str| day_number(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(quarter_label(d("2026-03-31")), "2026-Q1");
        assert_eq!(quarter_label(d("2026-04-01")), "2026-Q2");
        assert_eq!(quarter_label(d("2026-12-31")), "2026-Q4");
    }
}
