//! Fitting tasks to the 4-hour limit: estimate, and split what is too large by file, then by
//! finding, then into stages, until every piece fits.

use crate::htn::Draft;
use crate::{Error, Estimate, Estimator, Result, TaskFeatures};
use tdev_core::MAX_TASK_HOURS;

/// A single finding too large for one task is done in at most this many stages.
const MAX_STAGES: u32 = 8;

/// A draft that fits, with its features and estimate.
#[derive(Clone, Debug)]
pub(crate) struct Fitted<'a> {
    pub draft: Draft<'a>,
    pub features: TaskFeatures,
    pub estimate: Estimate,
}

/// The features of a draft; a stage carries its share of the complexity.
pub(crate) fn features(draft: &Draft<'_>) -> TaskFeatures {
    let stages = draft.stage.map_or(1, |(_, n)| n);
    TaskFeatures {
        kind: draft.kind().to_owned(),
        strategy: draft.strategy.clone(),
        findings: u32::try_from(draft.findings.len()).unwrap_or(u32::MAX),
        files: u32::try_from(draft.files.len()).unwrap_or(u32::MAX),
        total_complexity: draft.total_complexity() / f64::from(stages),
        priority: draft.priority(),
    }
}

/// Estimates a draft, checking the estimator's answer.
fn estimate(estimator: &dyn Estimator, draft: &Draft<'_>) -> Result<(TaskFeatures, Estimate)> {
    let features = features(draft);
    let estimate = estimator.estimate(&features);
    let invalid = |what: String| Error::InvalidEstimate {
        task: format!("{:?}", draft.title()),
        what,
    };
    if !(estimate.hours.is_finite() && estimate.hours > 0.0) {
        return Err(invalid(format!("effort of {} h", estimate.hours)));
    }
    if !(0.0..=1.0).contains(&estimate.success_probability) {
        return Err(invalid(format!(
            "success probability of {}",
            estimate.success_probability
        )));
    }
    if !(1..=5).contains(&estimate.risk) {
        return Err(invalid(format!("risk of {}", estimate.risk)));
    }
    Ok((features, estimate))
}

/// Splits `draft` until every piece is estimated at [`MAX_TASK_HOURS`] or less. Stages of one
/// finding get `chain` as their origin, so that they can be ordered one after the other. Work
/// that no split brings under the limit is left out and described in `too_large`.
pub(crate) fn fit<'a>(
    estimator: &dyn Estimator,
    draft: Draft<'a>,
    chain: &mut usize,
    too_large: &mut Vec<String>,
) -> Result<Vec<Fitted<'a>>> {
    let (features, estimate) = estimate(estimator, &draft)?;
    if estimate.hours <= MAX_TASK_HOURS {
        return Ok(vec![Fitted {
            draft,
            features,
            estimate,
        }]);
    }
    if draft.files.len() > 1 {
        // Halve by file, keeping each file's findings together.
        let files: Vec<String> = draft.files.iter().cloned().collect();
        let (left, right) = files.split_at(files.len() / 2);
        let mut pieces = Vec::new();
        for half in [left, right] {
            let mut piece = draft.clone();
            piece.files = half.iter().cloned().collect();
            piece.findings.retain(|f| piece.files.contains(&f.path));
            pieces.extend(fit(estimator, piece, chain, too_large)?);
        }
        return Ok(pieces);
    }
    if draft.findings.len() > 1 {
        let (left, right) = draft.findings.split_at(draft.findings.len() / 2);
        let mut pieces = Vec::new();
        for half in [left, right] {
            let mut piece = draft.clone();
            piece.findings = half.to_vec();
            pieces.extend(fit(estimator, piece, chain, too_large)?);
        }
        return Ok(pieces);
    }
    // One finding too large for one attempt (a very complex function): done in stages, each
    // taking its share of the complexity and gated on its own.
    *chain += 1;
    let mut smallest = estimate.hours;
    for n in 2..=MAX_STAGES {
        let mut stage = draft.clone();
        stage.stage = Some((1, n));
        stage.origin = *chain;
        let (features, estimate) = self::estimate(estimator, &stage)?;
        smallest = smallest.min(estimate.hours);
        if estimate.hours <= MAX_TASK_HOURS {
            return Ok((1..=n)
                .map(|i| {
                    let mut draft = stage.clone();
                    draft.stage = Some((i, n));
                    Fitted {
                        draft,
                        features: features.clone(),
                        estimate,
                    }
                })
                .collect());
        }
    }
    // Too large for any number of stages: left out of the plan, and said so, rather than
    // failing the whole plan over one task.
    too_large.push(
        Error::TooLarge {
            task: format!("{:?}", draft.title()),
            hours: smallest,
            stages: MAX_STAGES,
        }
        .to_string(),
    );
    Ok(Vec::new())
}
