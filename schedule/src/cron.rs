//! A repository's schedule: a cron expression (croner's dialect, in UTC), read once when the
//! configuration is loaded so that a typo is the user's error then, not the daemon's later.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use tdev_core::Timestamp;

/// When a repository's cycles are due: five fields (minute, hour, day of month, month, day of
/// week) or six with seconds first, evaluated in UTC.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Schedule {
    text: String,
    cron: croner::Cron,
}

/// A cron expression croner does not accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is not a cron expression ({reason}); write five fields (minute hour day month \
     weekday, e.g. \"0 3 * * *\") or six with seconds first (e.g. \"*/30 * * * * *\")"
)]
pub struct ScheduleError {
    text: String,
    reason: String,
}

impl Schedule {
    /// The latest time at or before `now` the schedule names, if any.
    pub fn latest_at_or_before(&self, now: Timestamp) -> Option<Timestamp> {
        let now = to_chrono(now)?;
        self.cron
            .find_previous_occurrence(&now, true)
            .ok()
            .map(from_chrono)
    }

    /// The first time after `after` the schedule names, if any.
    pub fn next_after(&self, after: Timestamp) -> Option<Timestamp> {
        let after = to_chrono(after)?;
        self.cron
            .find_next_occurrence(&after, false)
            .ok()
            .map(from_chrono)
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn to_chrono(t: Timestamp) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.unix(), 0)
}

fn from_chrono(t: chrono::DateTime<chrono::Utc>) -> Timestamp {
    Timestamp::from_unix(t.timestamp())
}

impl FromStr for Schedule {
    type Err = ScheduleError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        // croner's default parser takes five fields or six with seconds first.
        let cron = croner::Cron::from_str(text).map_err(|e| ScheduleError {
            text: text.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            text: text.to_owned(),
            cron,
        })
    }
}

impl TryFrom<String> for Schedule {
    type Error = ScheduleError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Schedule> for String {
    fn from(schedule: Schedule) -> Self {
        schedule.text
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    #[test]
    fn five_and_six_fields_are_read_and_evaluated_in_utc() {
        let daily: Schedule = "0 3 * * *".parse().unwrap();
        assert_eq!(
            daily.latest_at_or_before(at("2026-12-03T04:00:00Z")),
            Some(at("2026-12-03T03:00:00Z"))
        );
        assert_eq!(
            daily.next_after(at("2026-12-03T03:00:00Z")),
            Some(at("2026-12-04T03:00:00Z"))
        );
        let seconds: Schedule = "*/10 * * * * *".parse().unwrap();
        assert_eq!(
            seconds.latest_at_or_before(at("2026-12-03T04:00:15Z")),
            Some(at("2026-12-03T04:00:10Z"))
        );
        assert_eq!(
            seconds.latest_at_or_before(at("2026-12-03T04:00:10Z")),
            Some(at("2026-12-03T04:00:10Z"))
        );
    }

    #[test]
    fn a_bad_expression_says_what_to_write() {
        let err = "every day".parse::<Schedule>().unwrap_err().to_string();
        assert!(
            err.starts_with("\"every day\" is not a cron expression"),
            "{err}"
        );
        assert!(err.contains("five fields"), "{err}");
        assert!("61 * * * *".parse::<Schedule>().is_err());
    }
}
