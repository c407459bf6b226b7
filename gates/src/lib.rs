//! Quality gates: policy as code, a pure function from an evaluation's metrics to a report with
//! reasons. Gates do no IO.
//!
//! Empty until the evolution-cycle issue, which brings the policy (no new failing test,
//! coverage of changed lines, no new high-severity finding, complexity not worse).
