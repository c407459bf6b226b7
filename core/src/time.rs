//! UTC timestamps with second precision, written as RFC 3339 (`2026-11-25T14:35:00Z`).
//!
//! The graph stores times as `xsd:dateTime`; keeping our own small type avoids a date-time
//! dependency in the vocabulary crate and makes the one accepted spelling explicit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A string that is not an RFC 3339 UTC timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {input:?}: expected YYYY-MM-DDTHH:MM:SSZ (UTC, optional fraction)")]
pub struct TimestampError {
    input: String,
}

impl Timestamp {
    /// The timestamp `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix(secs: i64) -> Self {
        Self(secs)
    }

    /// The current time, truncated to the second.
    pub fn now() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.0
    }

    /// The calendar day, as `YYYY-MM-DD`.
    pub fn date(self) -> String {
        let (y, m, d) = civil_from_days(self.0.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00)`; a fraction is dropped.
    pub fn parse(input: &str) -> Result<Self, TimestampError> {
        let err = || TimestampError {
            input: input.to_owned(),
        };
        let b = input.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
            return Err(err());
        }
        if b[16] != b':' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let s = input.get(r).ok_or_else(err)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            s.parse().map_err(|_| err())
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut rest = &input[19..];
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(err());
            }
            rest = &frac[digits..];
        }
        if rest != "Z" && rest != "+00:00" {
            return Err(err());
        }
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid {
            return Err(err());
        }
        let days = days_from_civil(year, month, day);
        Ok(Self(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.rem_euclid(86_400);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date(),
            secs / 3_600,
            secs % 3_600 / 60,
            secs % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date, after Howard Hinnant's
// `days_from_civil` (public domain algorithm description).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected_unix: Option<i64>) {
        assert_eq!(
            Timestamp::parse(input).ok().map(Timestamp::unix),
            expected_unix,
            "{input}"
        );
    }

    #[test]
    fn parses_rfc3339_utc() {
        check("1970-01-01T00:00:00Z", Some(0));
        check("2026-11-25T14:35:00Z", Some(1_795_617_300));
        check("2000-02-29T23:59:59+00:00", Some(951_868_799));
        check("2026-11-25T14:35:00.123Z", Some(1_795_617_300));
        check("1969-12-31T23:59:59Z", Some(-1));
    }

    #[test]
    fn rejects_what_is_not_a_utc_timestamp() {
        check("2026-11-25 14:35:00Z", None);
        check("2026-11-25T14:35:00+01:00", None);
        check("2026-02-29T00:00:00Z", None);
        check("2026-13-01T00:00:00Z", None);
        check("2026-11-25T24:00:00Z", None);
        check("2026-11-25T14:35:00", None);
        check("2026-11-25T14:35:00.Z", None);
        check("２026-11-25T14:35:00Z", None);
    }

    #[test]
    fn display_round_trips() {
        for unix in [-86_401, -1, 0, 951_868_799, 1_795_617_300, 4_102_444_800] {
            let t = Timestamp::from_unix(unix);
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t), "{t}");
        }
        assert_eq!(
            Timestamp::from_unix(1_795_617_300).to_string(),
            "2026-11-25T14:35:00Z"
        );
        assert_eq!(Timestamp::from_unix(1_795_617_300).date(), "2026-11-25");
    }
}
