//! Leases: which of several processes sharing one knowledge graph on a SPARQL server may do
//! something that only one may do at a time: run the cycles of a repository (a daemon's lease
//! on it), or write the running statistics (a writer's short lease on the statistics graph).
//!
//! A lease is a set of [`Claim`]s in the graph, one per claimant, each written and removed by
//! its claimant only (never by another, so that a renewal can never be undone by someone
//! else's clean-up). Times are the server's (`NOW()` read with the claims), so the
//! claimants' clocks need not agree. A claimant holds the lease when, reading the claims
//! after writing its own, it finds its claim live and no other live claim. On a store that
//! makes each request see every write committed before it began, two claimants never both
//! hold: of two confirming reads, the later one sees the earlier claimant's claim, written
//! before that claimant's read and kept live as long as it holds. The protocol needs no
//! atomic compare-and-set, which SPARQL servers do not all offer.
//!
//! One round: read the claims and decide the [`Step`] ([`step`]); if it is
//! [`Step::Claim`], write the claim (renewing it) and read again; [`confirm`] says whether
//! the lease is held. Pure functions here; the knowledge graph does the reading and writing.
//!
//! ```
//! use tdev_core::lease::{Claim, Confirmation, Step, confirm, step};
//! use tdev_core::Timestamp;
//!
//! let t = Timestamp::from_unix;
//! let other = Claim { holder: "b".into(), pid: Some(7), since: t(100), expires: t(160) };
//! // b's claim is live at 150: a waits.
//! assert_eq!(step(&[other.clone()], "a", t(150)), Step::HeldBy(other.clone()));
//! // At 160 it lapsed (b stopped renewing it): a claims, and holds once it reads its claim
//! // alone.
//! assert_eq!(step(&[other.clone()], "a", t(160)), Step::Claim { since: t(160) });
//! let mine = Claim { holder: "a".into(), pid: Some(3), since: t(160), expires: t(220) };
//! assert_eq!(confirm(&[other, mine], "a", t(161)), Confirmation::Held);
//! ```

use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One claimant's claim on a lease, as the graph holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// Who claims: an id unique among the processes sharing the graph (a daemon's host and
    /// data directory).
    pub holder: String,
    /// The claimant's process id, for people reading the claim.
    pub pid: Option<u32>,
    /// When the claimant first claimed (server time), kept across renewals: of two live
    /// claims, the older one stays.
    pub since: Timestamp,
    /// When the claim lapses unless renewed (server time).
    pub expires: Timestamp,
}

impl Claim {
    /// Whether it still counts at `now` (server time).
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.expires > now
    }

    /// Whether it comes before `other` when both are live: the older claim, then the smaller
    /// holder id, so every claimant ranks them the same way.
    fn precedes(&self, other: &Claim) -> bool {
        (self.since, &self.holder) < (other.since, &other.holder)
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.holder)?;
        if let Some(pid) = self.pid {
            write!(f, " (pid {pid})")?;
        }
        write!(f, ", until {}", self.expires)
    }
}

/// What a claimant does after reading the claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Write (or renew) its claim, first made at `since`, then read the claims again and
    /// [`confirm`].
    Claim {
        /// When the claim was first made: its own live claim's, else now.
        since: Timestamp,
    },
    /// Its live claim contends with an older live one: remove its claim and leave the lease
    /// to that one.
    Withdraw(Claim),
    /// Another claimant's live claim stands and it has none: nothing to write.
    HeldBy(Claim),
}

/// The step of claimant `me`, given the `claims` read at `now` (server time).
pub fn step(claims: &[Claim], me: &str, now: Timestamp) -> Step {
    let mine = claims.iter().find(|c| c.holder == me && c.is_live(now));
    let first_other = claims
        .iter()
        .filter(|c| c.holder != me && c.is_live(now))
        .reduce(|a, b| if b.precedes(a) { b } else { a });
    match (mine, first_other) {
        (None, Some(other)) => Step::HeldBy(other.clone()),
        (Some(mine), Some(other)) if other.precedes(mine) => Step::Withdraw(other.clone()),
        (Some(mine), _) => Step::Claim { since: mine.since },
        (None, None) => Step::Claim { since: now },
    }
}

/// Whether claimant `me`, having written its claim, holds the lease: what the `claims` read
/// afterwards at `now` say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// Its claim is live and alone: it holds the lease.
    Held,
    /// Another live claim was written meanwhile: it does not hold the lease this round. The
    /// younger claimant withdraws at its next [`step`]; the older one then holds.
    Contended(Claim),
    /// Its claim is not there or not live (it took too long between writing and reading).
    Lapsed,
}

/// Reads the claims after claimant `me` wrote its own.
pub fn confirm(claims: &[Claim], me: &str, now: Timestamp) -> Confirmation {
    if !claims.iter().any(|c| c.holder == me && c.is_live(now)) {
        return Confirmation::Lapsed;
    }
    match claims
        .iter()
        .filter(|c| c.holder != me && c.is_live(now))
        .reduce(|a, b| if b.precedes(a) { b } else { a })
    {
        Some(other) => Confirmation::Contended(other.clone()),
        None => Confirmation::Held,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_unix(secs)
    }

    fn claim(holder: &str, since: i64, expires: i64) -> Claim {
        Claim {
            holder: holder.into(),
            pid: None,
            since: t(since),
            expires: t(expires),
        }
    }

    /// `step` of claimant `a` at `now`.
    fn check(claims: &[Claim], now: i64, expected: Step) {
        assert_eq!(step(claims, "a", t(now)), expected, "at {now}: {claims:?}");
    }

    #[test]
    fn a_free_lease_is_claimed_from_now() {
        check(&[], 100, Step::Claim { since: t(100) });
    }

    #[test]
    fn a_live_claim_of_another_is_waited_for() {
        check(
            &[claim("b", 50, 120)],
            100,
            Step::HeldBy(claim("b", 50, 120)),
        );
        // The one that stands is the oldest of several.
        check(
            &[claim("c", 60, 130), claim("b", 50, 120)],
            100,
            Step::HeldBy(claim("b", 50, 120)),
        );
    }

    #[test]
    fn a_lapsed_claim_is_taken_over() {
        // Expired at 120, not renewed: at 120 it no longer counts.
        check(
            &[claim("b", 50, 120)],
            119,
            Step::HeldBy(claim("b", 50, 120)),
        );
        check(&[claim("b", 50, 120)], 120, Step::Claim { since: t(120) });
    }

    #[test]
    fn its_own_claim_is_renewed_keeping_when_it_began() {
        check(&[claim("a", 40, 120)], 100, Step::Claim { since: t(40) });
        // A lapsed claim of its own starts afresh.
        check(&[claim("a", 40, 90)], 100, Step::Claim { since: t(100) });
    }

    #[test]
    fn of_two_live_claims_the_younger_withdraws() {
        check(
            &[claim("a", 60, 120), claim("b", 50, 120)],
            100,
            Step::Withdraw(claim("b", 50, 120)),
        );
        check(
            &[claim("a", 50, 120), claim("b", 60, 120)],
            100,
            Step::Claim { since: t(50) },
        );
        // Made in the same second: the smaller id stays.
        check(
            &[claim("b", 50, 120), claim("a", 50, 120)],
            100,
            Step::Claim { since: t(50) },
        );
        assert_eq!(
            step(&[claim("b", 50, 120), claim("a", 50, 120)], "b", t(100)),
            Step::Withdraw(claim("a", 50, 120))
        );
    }

    #[test]
    fn it_holds_only_when_its_claim_is_live_and_alone() {
        let confirm_a = |claims: &[Claim], now| confirm(claims, "a", t(now));
        assert_eq!(confirm_a(&[claim("a", 50, 120)], 100), Confirmation::Held);
        // An expired claim of another does not count.
        assert_eq!(
            confirm_a(&[claim("a", 50, 120), claim("b", 10, 99)], 100),
            Confirmation::Held
        );
        // Another live claim, older or younger, means not this round.
        assert_eq!(
            confirm_a(&[claim("a", 50, 120), claim("b", 60, 120)], 100),
            Confirmation::Contended(claim("b", 60, 120))
        );
        assert_eq!(confirm_a(&[claim("b", 60, 120)], 100), Confirmation::Lapsed);
        assert_eq!(confirm_a(&[claim("a", 50, 100)], 100), Confirmation::Lapsed);
    }

    /// Two claimants racing for a free lease, each writing its claim and reading back, in
    /// every interleaving of their four steps: never both hold, and when their rounds do not
    /// overlap the first one holds.
    #[test]
    fn two_claimants_never_both_hold_whatever_the_interleaving() {
        // Each claimant: 0 = read, 1 = write, 2 = read back. An interleaving is the order of
        // the six steps; a read sees the writes before it.
        let mut orders = Vec::new();
        permutations(&mut vec![], &mut [3, 3], &mut orders);
        for order in orders {
            let names = ["a", "b"];
            let mut written: Vec<Claim> = Vec::new();
            let mut next = [0usize, 0];
            let mut plans: [Option<Step>; 2] = [None, None];
            let mut held = [false, false];
            for (clock, &who) in order.iter().enumerate() {
                let now = t(1000 + i64::try_from(clock).unwrap());
                match next[who] {
                    0 => plans[who] = Some(step(&written, names[who], now)),
                    1 => {
                        if let Some(Step::Claim { since }) = plans[who] {
                            written.retain(|c| c.holder != names[who]);
                            written.push(Claim {
                                holder: names[who].into(),
                                pid: None,
                                since,
                                expires: t(2000),
                            });
                        }
                    }
                    _ => {
                        held[who] = matches!(plans[who], Some(Step::Claim { .. }))
                            && confirm(&written, names[who], now) == Confirmation::Held;
                    }
                }
                next[who] += 1;
            }
            assert!(!(held[0] && held[1]), "both hold after {order:?}");
            if order[..3] == [0, 0, 0] {
                assert!(
                    held[0],
                    "a went first and alone but does not hold: {order:?}"
                );
            }
        }
    }

    fn permutations(prefix: &mut Vec<usize>, left: &mut [usize; 2], out: &mut Vec<Vec<usize>>) {
        if left == &[0, 0] {
            out.push(prefix.clone());
            return;
        }
        for who in 0..2 {
            if left[who] > 0 {
                left[who] -= 1;
                prefix.push(who);
                permutations(prefix, left, out);
                prefix.pop();
                left[who] += 1;
            }
        }
    }
}
