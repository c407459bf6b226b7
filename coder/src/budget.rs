//! Spending caps for LLM calls: one per cycle, kept in memory, and one per UTC day, kept in a
//! small JSON file so that it holds across runs. A request is refused before it is sent when
//! its worst case could pass either cap.

use crate::{BudgetScope, Error, FailureReason, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tdev_core::Timestamp;

/// The file, in the ledger's directory, holding the day's spending.
pub const LEDGER_FILE: &str = "llm-spend.json";

/// What the day's file holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct DayRecord {
    /// The UTC day, `YYYY-MM-DD`.
    day: String,
    /// Spent on that day.
    spent: f64,
}

#[derive(Debug, Default)]
struct State {
    cycle_spent: f64,
    day: DayRecord,
    /// Worst cases of requests in flight, so parallel workers cannot overshoot together.
    pending: f64,
}

/// Caps and running totals of LLM spending, shared by every LLM backend of a process.
#[derive(Debug)]
pub struct BudgetLedger {
    per_cycle: f64,
    per_day: f64,
    path: PathBuf,
    state: Mutex<State>,
}

/// Room held for one request between the check and its settlement.
#[derive(Debug)]
#[must_use = "settle the reservation with the request's real cost"]
pub struct Reservation {
    estimate: f64,
}

impl BudgetLedger {
    /// Opens the ledger whose day file lives in `dir` (created if missing).
    pub fn open(dir: &Path, per_cycle: f64, per_day: f64) -> Result<Self> {
        let path = dir.join(LEDGER_FILE);
        let ledger_error = |source| Error::Ledger {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(ledger_error)?;
        let day = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|error| {
                ledger_error(std::io::Error::new(std::io::ErrorKind::InvalidData, error))
            })?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => DayRecord::default(),
            Err(error) => return Err(ledger_error(error)),
        };
        Ok(BudgetLedger {
            per_cycle,
            per_day,
            path,
            state: Mutex::new(State {
                day,
                ..State::default()
            }),
        })
    }

    /// Starts a new cycle: its spending starts again from zero.
    pub fn start_cycle(&self) {
        self.lock().cycle_spent = 0.0;
    }

    /// Spent in the current cycle.
    pub fn spent_this_cycle(&self) -> f64 {
        self.lock().cycle_spent
    }

    /// Spent today (UTC), across runs.
    pub fn spent_today(&self) -> f64 {
        let mut state = self.lock();
        roll_day(&mut state);
        state.day.spent
    }

    /// Holds room for a request costing at most `estimate`, or says which cap it could pass.
    pub fn reserve(&self, estimate: f64) -> std::result::Result<Reservation, FailureReason> {
        let mut state = self.lock();
        roll_day(&mut state);
        let checks = [
            (BudgetScope::Cycle, state.cycle_spent, self.per_cycle),
            (BudgetScope::Day, state.day.spent, self.per_day),
        ];
        for (scope, spent, cap) in checks {
            let spent = spent + state.pending;
            if spent + estimate > cap {
                return Err(FailureReason::BudgetExhausted {
                    scope,
                    spent,
                    estimate,
                    cap,
                });
            }
        }
        state.pending += estimate;
        Ok(Reservation { estimate })
    }

    /// Replaces a reservation by what the request really cost, and saves the day's total.
    pub fn settle(&self, reservation: Reservation, cost: f64) -> Result<()> {
        let record = {
            let mut state = self.lock();
            state.pending = (state.pending - reservation.estimate).max(0.0);
            roll_day(&mut state);
            state.cycle_spent += cost;
            state.day.spent += cost;
            state.day.clone()
        };
        self.save(&record)
    }

    fn save(&self, record: &DayRecord) -> Result<()> {
        let ledger_error = |source| Error::Ledger {
            path: self.path.clone(),
            source,
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(ledger_error)?;
        let json = serde_json::to_string_pretty(record).expect("a day record serialises");
        file.write_all(json.as_bytes()).map_err(ledger_error)?;
        file.persist(&self.path)
            .map_err(|error| ledger_error(error.error))?;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain numbers behind; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A new UTC day starts from zero.
fn roll_day(state: &mut State) {
    let today = Timestamp::now().date();
    if state.day.day != today {
        state.day = DayRecord {
            day: today,
            spent: 0.0,
        };
    }
}
