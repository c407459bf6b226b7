//! What tdev has proposed on a repository and not seen resolved: the findings addressed by
//! tasks that passed their gate, with the branch each change waits on. A cycle leaves these
//! findings alone while their branch exists, so that it neither does the same work again nor
//! proposes a second, overlapping change for them.

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::vocab;
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::{QueryResults, Variable};

/// One finding a passing change addressed, and the branch the change is on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Proposal {
    /// The finding's id (stable across scans, see `Finding::id`).
    pub finding: String,
    /// The `tdev/auto/...` branch holding the change.
    pub branch: String,
}

const QUERY: &str = "
SELECT DISTINCT ?repository ?finding ?branch WHERE {
  ?cycle tdev:repository [ tdev:name ?repository ] ; tdev:hasAttempt ?a .
  ?a tdev:task ?t ; tdev:gateDecision [ tdev:passed true ] ; tdev:produced ?change .
  ?change tdev:branch ?branch .
  ?t tdev:addresses ?finding .
}";

impl KnowledgeGraph {
    /// The findings that passing changes on `repository` addressed, with their branches,
    /// sorted.
    pub fn proposals(&self, repository: &str) -> Result<Vec<Proposal>> {
        let results = self.query_with(
            &format!("{}{QUERY}", vocab::PREFIXES),
            &[(
                Variable::new_unchecked("repository"),
                Term::Literal(Literal::from(repository)),
            )],
        )?;
        let QueryResults::Solutions(rows) = results else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| Error::Evaluation(e.to_string()))?;
            if let (Some(Term::NamedNode(finding)), Some(Term::Literal(branch))) =
                (row.get("finding"), row.get("branch"))
                && let Some(id) = finding_id(finding.as_str())
            {
                out.push(Proposal {
                    finding: id,
                    branch: branch.value().to_owned(),
                });
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// The finding id at the end of a finding's IRI (`.../cycle/<cycle>/finding/<id>`), decoded.
pub(crate) fn finding_id(iri: &str) -> Option<String> {
    let encoded = iri.rsplit_once("/finding/")?.1;
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
