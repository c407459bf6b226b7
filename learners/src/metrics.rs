//! How far estimates are from what happened: the measures `tdev learn eval` reports for the
//! learned models and the heuristic alike. Pure functions of (estimate, outcome) pairs; each
//! returns `None` when it is undefined for the pairs given (none at all, or one class for
//! AUC) rather than a number that would read as a result.

/// Mean absolute error of `(estimate, actual)` pairs, in their unit.
pub fn mae(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    mean(
        pairs
            .into_iter()
            .map(|(estimate, actual)| (estimate - actual).abs()),
    )
}

/// The share of `(estimate, actual)` pairs whose estimate is within `tolerance` (0.3 for
/// ±30%) of the actual value, relative to the actual value.
pub fn share_within(pairs: impl IntoIterator<Item = (f64, f64)>, tolerance: f64) -> Option<f64> {
    mean(pairs.into_iter().map(|(estimate, actual)| {
        let close = (estimate - actual).abs() <= tolerance * actual.abs();
        if close { 1.0 } else { 0.0 }
    }))
}

/// Brier score of `(probability, happened)` pairs: the mean squared difference between the
/// probability and the outcome (0 is perfect, 0.25 is a constant 1/2).
pub fn brier(pairs: impl IntoIterator<Item = (f64, bool)>) -> Option<f64> {
    mean(
        pairs
            .into_iter()
            .map(|(p, happened)| (p - if happened { 1.0 } else { 0.0 }).powi(2)),
    )
}

/// Area under the ROC curve of `(probability, happened)` pairs: the chance that a random
/// case that happened got a higher probability than a random case that did not, ties
/// counting half (1 is a perfect ranking, 0.5 chance, 0 a reversed one). `None` unless both
/// outcomes occur.
pub fn auc(pairs: impl IntoIterator<Item = (f64, bool)>) -> Option<f64> {
    let mut pairs: Vec<(f64, bool)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = pairs.iter().filter(|p| p.1).count();
    let negatives = pairs.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Mann-Whitney: the sum of the positives' ranks, tied scores sharing their mean rank.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < pairs.len() {
        let mut end = start;
        while end < pairs.len() && pairs[end].0.total_cmp(&pairs[start].0).is_eq() {
            end += 1;
        }
        // Ranks start + 1 ..= end, whose mean is:
        let rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = pairs[start..end].iter().filter(|p| p.1).count();
        rank_sum += rank * tied_positives as f64;
        start = end;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// One bin of a calibration table: the cases whose probability fell in `[lower, upper)` (the
/// last bin includes 1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CalibrationBin {
    /// Lowest probability of the bin.
    pub lower: f64,
    /// Highest probability of the bin (excluded but for the last bin).
    pub upper: f64,
    /// Cases in the bin.
    pub count: usize,
    /// Their mean probability.
    pub mean_probability: f64,
    /// The share of them that happened: equal to the mean probability when calibrated.
    pub observed: f64,
}

/// The calibration table of `(probability, happened)` pairs in `bins` equal bins over
/// [0, 1]; bins without cases are left out. Probabilities outside [0, 1] count in the first
/// or last bin.
pub fn calibration(
    pairs: impl IntoIterator<Item = (f64, bool)>,
    bins: usize,
) -> Vec<CalibrationBin> {
    let bins = bins.max(1);
    let mut sums = vec![(0usize, 0.0, 0usize); bins];
    for (p, happened) in pairs {
        if !p.is_finite() {
            continue;
        }
        let p = p.clamp(0.0, 1.0);
        let bin = ((p * bins as f64) as usize).min(bins - 1);
        sums[bin].0 += 1;
        sums[bin].1 += p;
        sums[bin].2 += usize::from(happened);
    }
    sums.iter()
        .enumerate()
        .filter(|(_, (count, _, _))| *count > 0)
        .map(|(i, (count, p_sum, happened))| CalibrationBin {
            lower: i as f64 / bins as f64,
            upper: (i + 1) as f64 / bins as f64,
            count: *count,
            mean_probability: p_sum / *count as f64,
            observed: *happened as f64 / *count as f64,
        })
        .collect()
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cases small enough to work out by hand.
    #[test]
    fn metrics_on_hand_computable_cases() {
        assert_eq!(mae([(10.0, 12.0), (5.0, 1.0)]), Some(3.0));
        assert_eq!(mae([]), None);
        // 13 is within 30% of 10, 14 is not; 7 is, 6.9 is not.
        assert_eq!(
            share_within([(13.0, 10.0), (14.0, 10.0), (7.0, 10.0), (6.9, 10.0)], 0.3),
            Some(0.5)
        );
        assert_eq!(brier([(1.0, true), (0.0, false)]), Some(0.0));
        assert_eq!(brier([(0.5, true), (0.5, false)]), Some(0.25));
        assert_eq!(
            brier([(0.25, true), (0.25, false)]),
            Some((0.5625 + 0.0625) / 2.0)
        );
    }

    #[test]
    fn auc_of_a_perfect_ranking_is_1_of_a_reversed_one_0_of_ties_one_half() {
        let perfect = [(0.1, false), (0.2, false), (0.8, true), (0.9, true)];
        assert_eq!(auc(perfect), Some(1.0));
        let reversed = perfect.map(|(p, happened)| (p, !happened));
        assert_eq!(auc(reversed), Some(0.0));
        assert_eq!(auc([(0.5, true), (0.5, false)]), Some(0.5));
        // One positive above one of two negatives: 1 of 2 pairs in order.
        assert_eq!(auc([(0.3, false), (0.6, true), (0.9, false)]), Some(0.5));
        // Of the 2 x 2 pairs, 3 in order (the tie at 0.5 counts half: 2.5 + 1... see below).
        // positives 0.5 and 0.9; negatives 0.5 and 0.1: 0.5>0.1 (1), 0.5=0.5 (1/2),
        // 0.9>0.1 (1), 0.9>0.5 (1): 3.5 of 4.
        assert_eq!(
            auc([(0.5, true), (0.9, true), (0.5, false), (0.1, false)]),
            Some(0.875)
        );
        assert_eq!(auc([(0.3, true), (0.6, true)]), None);
        assert_eq!(auc([]), None);
    }

    #[test]
    fn calibration_bins_count_cases_and_compare_probability_with_what_happened() {
        let table = calibration(
            [
                (0.05, false),
                (0.15, false),
                (0.15, true),
                (0.95, true),
                (1.0, true),
            ],
            10,
        );
        let rows: Vec<(f64, usize, f64, f64)> = table
            .iter()
            .map(|b| (b.lower, b.count, b.mean_probability, b.observed))
            .collect();
        assert_eq!(
            rows,
            [
                (0.0, 1, 0.05, 0.0),
                (0.1, 2, 0.15, 0.5),
                (0.9, 2, 0.975, 1.0)
            ]
        );
        assert!(calibration([], 10).is_empty());
    }
}
