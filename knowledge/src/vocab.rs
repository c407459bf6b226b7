//! IRIs of the tdev vocabulary and of the things tdev records.
//!
//! Terms live under `https://tdev.dev/ns#` (see `ontology/tdev.ttl`); recorded things under
//! `https://tdev.dev/id/`, and each cycle's triples in the named graph
//! `https://tdev.dev/graph/cycle/<id>`; repositories, which outlive cycles, in
//! `https://tdev.dev/graph/repositories`. The names identify; they are not meant to resolve.

use oxigraph::model::{NamedNode, NamedNodeRef};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// The vocabulary namespace.
pub const NS: &str = "https://tdev.dev/ns#";
/// Namespace of recorded things.
pub const ID: &str = "https://tdev.dev/id/";
/// Named graph holding the ontology.
pub const ONTOLOGY_GRAPH: &str = "https://tdev.dev/graph/ontology";
/// Named graph describing the repositories, shared by all their cycles.
pub const REPOSITORIES_GRAPH: &str = "https://tdev.dev/graph/repositories";
/// Named graph holding the running statistics.
pub const STATS_GRAPH: &str = "https://tdev.dev/graph/stats";
/// Named graph holding the leases of processes that share the graph on a SPARQL server.
pub const LEASES_GRAPH: &str = "https://tdev.dev/graph/leases";
/// Named graph of the services `tdev new` made.
pub const SERVICES_GRAPH: &str = "https://tdev.dev/graph/services";
/// Prefix of each cycle's named graph.
pub const CYCLE_GRAPH_PREFIX: &str = "https://tdev.dev/graph/cycle/";

/// PROV-O namespace.
pub const PROV: &str = "http://www.w3.org/ns/prov#";

/// SPARQL prologue with the prefixes tdev's own queries and docs use.
pub const PREFIXES: &str = "PREFIX tdev: <https://tdev.dev/ns#>\n\
PREFIX prov: <http://www.w3.org/ns/prov#>\n\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n";

macro_rules! terms {
    ($ns:expr; $($name:ident = $local:literal),* $(,)?) => {
        $(
            #[doc = concat!("`", $local, "`")]
            pub const $name: NamedNodeRef<'static> =
                NamedNodeRef::new_unchecked(concat!($ns, $local));
        )*
    };
}

/// Terms of the tdev vocabulary.
pub mod tdev {
    use super::NamedNodeRef;
    terms!("https://tdev.dev/ns#";
        REPOSITORY = "Repository", CYCLE = "Cycle", FINDING = "Finding", PLAN = "Plan",
        TASK = "Task", ATTEMPT = "Attempt", CHANGE = "Change", COMMIT = "Commit",
        EVALUATION = "Evaluation", METRIC = "Metric", GATE_DECISION = "GateDecision",
        MODEL = "Model", STRATEGY_STATISTICS = "StrategyStatistics",
        REPOSITORY_DAY_STATISTICS = "RepositoryDayStatistics",
        FINDING_KIND_STATISTICS = "FindingKindStatistics", SLOWEST_ATTEMPTS = "SlowestAttempts",
        REPOSITORY_STRATEGY_STATISTICS = "RepositoryStrategyStatistics",
        FAILED_CONDITION_STATISTICS = "FailedConditionStatistics",
        KIND_STRATEGY_STATISTICS = "KindStrategyStatistics",
        MODEL_STATISTICS = "ModelStatistics",
        AGENT = "tdev",
        ON_REPOSITORY = "repository", HAS_FINDING = "hasFinding", HAS_PLAN = "hasPlan",
        HAS_TASK = "hasTask", DEPENDS_ON = "dependsOn", ADDRESSES = "addresses",
        HAS_ATTEMPT = "hasAttempt", OF_TASK = "task", PRODUCED = "produced", COMMITTED_AS = "commit",
        EVALUATED_BY = "evaluation", HAS_METRIC = "hasMetric", DECIDED_BY = "gateDecision",
        TRAINED_MODEL = "trainedModel", SLOW_ATTEMPT = "slowAttempt",
        NAME = "name", LOCATION = "location", LANGUAGE = "language", TRIGGER = "trigger",
        GOAL = "goal", BASE_COMMIT = "baseCommit", OUTCOME = "outcome",
        FAILURE_REASON = "failureReason", KIND = "kind",
        SEVERITY = "severity", PATH = "path", LINE = "line", SYMBOL = "symbol",
        MESSAGE = "message", PRIORITY = "priority", TITLE = "title", STRATEGY = "strategy",
        ESTIMATED_HOURS = "estimatedHours", RISK = "risk", ATTEMPT_NUMBER = "attemptNumber",
        BACKEND = "backend", DURATION_SECONDS = "durationSeconds", BRANCH = "branch",
        SHA = "sha", FILES_CHANGED = "filesChanged", LINES_ADDED = "linesAdded",
        LINES_REMOVED = "linesRemoved", TESTS_PASSED = "testsPassed",
        TESTS_FAILED = "testsFailed", BEFORE = "before", AFTER = "after", VALUE = "value",
        PASSED = "passed", REASON = "reason", FAILED_CONDITION = "failedCondition",
        VERSION = "version",
        TRAINING_SIZE = "trainingSize", DAY = "day", CYCLE_COUNT = "cycleCount",
        PASSED_CYCLE_COUNT = "passedCycleCount", ATTEMPT_COUNT = "attemptCount",
        PASS_COUNT = "passCount", TOTAL_DURATION_SECONDS = "totalDurationSeconds",
        FINDING_COUNT = "findingCount", STATISTICS_PENDING = "statisticsPending",
        GATE_CONDITION = "gateCondition", SAMPLE_REASON = "sampleReason",
        ATTEMPTED_IN = "attemptedIn", LAST_ATTEMPTED_IN = "lastAttemptedIn",
        CURRENT_MODEL = "currentModel",
        INPUT_TOKENS = "inputTokens", OUTPUT_TOKENS = "outputTokens", COST = "cost",
        TASK_FEATURES = "TaskFeatures", FEATURES = "features",
        FINDINGS_ADDRESSED = "findingsAddressed", FILES_TOUCHED = "filesTouched",
        TOTAL_COMPLEXITY = "totalComplexity", HIGHEST_PRIORITY = "highestPriority",
        TASK_BASELINE = "TaskBaseline", BASELINE = "baseline", LINE_COVERAGE = "lineCoverage",
        TEST_SUITE_SECONDS = "testSuiteSeconds", REPOSITORY_LINES = "repositoryLines",
        CHURN = "churn",
        BRANCH_FATE = "BranchFate", OBSERVED_FATE = "observedFate",
        FATE_OF_BRANCH = "fateOfBranch", FATE = "fate", OBSERVED_AT = "observedAt",
        LEASE = "Lease", LEASE_OF = "leaseOf", HOLDER = "holder", HOLDER_PID = "holderPid",
        SINCE = "since", EXPIRES = "expires",
        SERVICE = "Service", SPEC = "Spec", REQUIREMENT = "Requirement",
        BLUEPRINT = "Blueprint", OF_SPEC = "spec", OF_BLUEPRINT = "blueprint",
        DERIVED_SPEC = "derivedSpec", TEXT = "text", DIRECTORY = "directory",
        FIRST_COMMIT = "firstCommit", CHECKS_PASSED = "checksPassed",
        SPEC_DOCUMENT = "specDocument",
    );
}

/// Terms of PROV-O that tdev uses.
pub mod prov {
    use super::NamedNodeRef;
    terms!("http://www.w3.org/ns/prov#";
        STARTED_AT_TIME = "startedAtTime", ENDED_AT_TIME = "endedAtTime",
        GENERATED_AT_TIME = "generatedAtTime", WAS_ASSOCIATED_WITH = "wasAssociatedWith",
        WAS_GENERATED_BY = "wasGeneratedBy",
    );
}

/// An IRI under [`ID`] built from path segments, each percent-encoded.
pub fn id(segments: &[&str]) -> NamedNode {
    let mut iri = String::from(ID);
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            iri.push('/');
        }
        encode_segment(segment, &mut iri);
    }
    NamedNode::new_unchecked(iri)
}

/// The named graph of a cycle.
pub fn cycle_graph(cycle_id: &str) -> NamedNode {
    let mut iri = String::from(CYCLE_GRAPH_PREFIX);
    encode_segment(cycle_id, &mut iri);
    NamedNode::new_unchecked(iri)
}

/// The IRI of a repository, shared by all cycles on it.
pub fn repository(name: &str) -> NamedNode {
    id(&["repo", name])
}

/// What an IRI segment keeps as it is: RFC 3986's unreserved characters. Every other byte is
/// percent-encoded, so that a name with `/`, `#` or spaces stays one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode_segment(segment: &str, out: &mut String) {
    out.extend(utf8_percent_encode(segment, SEGMENT));
}

/// Iterator over the vocabulary IRIs that the writer uses, for the consistency test.
#[cfg(test)]
pub(crate) fn used_terms() -> Vec<NamedNodeRef<'static>> {
    use tdev::*;
    vec![
        REPOSITORY,
        CYCLE,
        FINDING,
        PLAN,
        TASK,
        ATTEMPT,
        CHANGE,
        COMMIT,
        EVALUATION,
        METRIC,
        GATE_DECISION,
        MODEL,
        STRATEGY_STATISTICS,
        REPOSITORY_DAY_STATISTICS,
        FINDING_KIND_STATISTICS,
        SLOWEST_ATTEMPTS,
        REPOSITORY_STRATEGY_STATISTICS,
        FAILED_CONDITION_STATISTICS,
        KIND_STRATEGY_STATISTICS,
        MODEL_STATISTICS,
        AGENT,
        ON_REPOSITORY,
        HAS_FINDING,
        HAS_PLAN,
        HAS_TASK,
        DEPENDS_ON,
        ADDRESSES,
        HAS_ATTEMPT,
        OF_TASK,
        PRODUCED,
        COMMITTED_AS,
        EVALUATED_BY,
        HAS_METRIC,
        DECIDED_BY,
        TRAINED_MODEL,
        SLOW_ATTEMPT,
        NAME,
        LOCATION,
        LANGUAGE,
        TRIGGER,
        GOAL,
        BASE_COMMIT,
        OUTCOME,
        FAILURE_REASON,
        KIND,
        SEVERITY,
        PATH,
        LINE,
        SYMBOL,
        MESSAGE,
        PRIORITY,
        TITLE,
        STRATEGY,
        ESTIMATED_HOURS,
        RISK,
        ATTEMPT_NUMBER,
        BACKEND,
        DURATION_SECONDS,
        BRANCH,
        SHA,
        FILES_CHANGED,
        LINES_ADDED,
        LINES_REMOVED,
        TESTS_PASSED,
        TESTS_FAILED,
        BEFORE,
        AFTER,
        VALUE,
        PASSED,
        REASON,
        FAILED_CONDITION,
        VERSION,
        TRAINING_SIZE,
        DAY,
        CYCLE_COUNT,
        PASSED_CYCLE_COUNT,
        ATTEMPT_COUNT,
        PASS_COUNT,
        TOTAL_DURATION_SECONDS,
        FINDING_COUNT,
        STATISTICS_PENDING,
        GATE_CONDITION,
        SAMPLE_REASON,
        ATTEMPTED_IN,
        LAST_ATTEMPTED_IN,
        CURRENT_MODEL,
        INPUT_TOKENS,
        OUTPUT_TOKENS,
        COST,
        TASK_FEATURES,
        FEATURES,
        FINDINGS_ADDRESSED,
        FILES_TOUCHED,
        TOTAL_COMPLEXITY,
        HIGHEST_PRIORITY,
        BRANCH_FATE,
        OBSERVED_FATE,
        FATE_OF_BRANCH,
        FATE,
        OBSERVED_AT,
        LEASE,
        LEASE_OF,
        HOLDER,
        HOLDER_PID,
        SINCE,
        EXPIRES,
        SERVICE,
        SPEC,
        REQUIREMENT,
        BLUEPRINT,
        OF_SPEC,
        OF_BLUEPRINT,
        DERIVED_SPEC,
        TEXT,
        DIRECTORY,
        FIRST_COMMIT,
        CHECKS_PASSED,
        SPEC_DOCUMENT,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_the_writer_uses_is_declared_in_the_ontology() {
        use oxigraph::io::{RdfFormat, RdfParser};
        let declared: std::collections::HashSet<String> = RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(crate::ONTOLOGY)
            .map(|q| q.unwrap().subject.to_string())
            .collect();
        for term in used_terms() {
            assert!(
                declared.contains(&term.to_string()),
                "{term} is not in ontology/tdev.ttl"
            );
        }
    }

    #[test]
    fn every_term_of_the_ontology_has_a_label_and_a_comment() {
        use oxigraph::io::{RdfFormat, RdfParser};
        use std::collections::{BTreeMap, BTreeSet};
        let mut described: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for quad in RdfParser::from_format(RdfFormat::Turtle).for_slice(crate::ONTOLOGY) {
            let quad = quad.unwrap();
            described
                .entry(quad.subject.to_string())
                .or_default()
                .insert(quad.predicate.as_str().to_owned());
        }
        let label = "http://www.w3.org/2000/01/rdf-schema#label";
        let comment = "http://www.w3.org/2000/01/rdf-schema#comment";
        assert!(described.len() > 80, "{} terms", described.len());
        for (term, predicates) in &described {
            assert!(predicates.contains(label), "{term} has no rdfs:label");
            assert!(predicates.contains(comment), "{term} has no rdfs:comment");
        }
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(
            id(&["repo", "a b/c"]).as_str(),
            "https://tdev.dev/id/repo/a%20b%2Fc"
        );
        assert_eq!(
            cycle_graph("c-1.2_x").as_str(),
            "https://tdev.dev/graph/cycle/c-1.2_x"
        );
        assert_eq!(
            id(&["strategy", "ruff:E711"]).as_str(),
            "https://tdev.dev/id/strategy/ruff%3AE711"
        );
    }
}
