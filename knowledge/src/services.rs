//! The services `tdev new` made, in their own named graph (`vocab::SERVICES_GRAPH`): each
//! `tdev:Service` with its directory, first commit, when it was made and whether its checks
//! passed; the `tdev:Spec` it implements, derived from the `tdev:Requirement` as written; and
//! the `tdev:Blueprint` that built it. `knowledge/queries/services.rq` lists them.

use crate::backend::{Backend, Change};
use crate::graph::KnowledgeGraph;
use crate::record::date_time;
use crate::vocab::{self, prov, tdev};
use crate::{Error, Result};
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, Literal, NamedNode, NamedNodeRef, Quad, Term};
use tdev_core::Timestamp;

/// A service `tdev new` made, as it is recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRecord {
    /// Its name (`book-service`).
    pub name: String,
    /// The requirement as the person wrote it.
    pub requirement: String,
    /// The spec read from it, as the JSON document `tdev-spec` writes.
    pub spec: String,
    /// The blueprint that built it.
    pub blueprint: String,
    /// Where it was written: an absolute path.
    pub directory: String,
    /// Its repository's first commit.
    pub commit: String,
    /// When it was made.
    pub generated_at: Timestamp,
    /// Whether its checks passed; `None` when none ran.
    pub checks_passed: Option<bool>,
}

impl ServiceRecord {
    /// What is wrong with the record, each in a phrase naming the field; empty when nothing.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (field, value) in [
            ("name", &self.name),
            ("requirement", &self.requirement),
            ("blueprint", &self.blueprint),
        ] {
            if value.trim().is_empty() {
                problems.push(format!("{field} is empty"));
            }
        }
        if !self.directory.starts_with('/') {
            problems.push(format!("directory `{}` is not absolute", self.directory));
        }
        let hex = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        if !(matches!(self.commit.len(), 40 | 64) && hex(&self.commit)) {
            problems.push(format!("commit `{}` is not a commit id", self.commit));
        }
        if !self.spec.starts_with('{') {
            problems.push("spec is not a JSON object".to_owned());
        }
        problems
    }

    /// The IRI of the service: its name and when it was made, so a name made twice is two
    /// services.
    pub fn iri(&self) -> NamedNode {
        vocab::id(&["service", &self.name, &self.generated_at.unix().to_string()])
    }

    fn quads(&self) -> Vec<Quad> {
        let graph = GraphName::NamedNode(NamedNode::new_unchecked(vocab::SERVICES_GRAPH));
        let mut quads = Vec::new();
        let mut add = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
            quads.push(Quad::new(s.clone(), p, o, graph.clone()));
        };
        let service = self.iri();
        let base = service.as_str().to_owned();
        let spec = NamedNode::new_unchecked(format!("{base}/spec"));
        let requirement = NamedNode::new_unchecked(format!("{base}/requirement"));
        let blueprint = vocab::id(&["blueprint", &self.blueprint]);
        add(&service, rdf::TYPE, tdev::SERVICE.into());
        add(
            &service,
            tdev::NAME,
            Literal::from(self.name.as_str()).into(),
        );
        add(
            &service,
            tdev::DIRECTORY,
            Literal::from(self.directory.as_str()).into(),
        );
        add(
            &service,
            tdev::FIRST_COMMIT,
            Literal::from(self.commit.as_str()).into(),
        );
        add(
            &service,
            prov::GENERATED_AT_TIME,
            date_time(self.generated_at).into(),
        );
        if let Some(passed) = self.checks_passed {
            add(&service, tdev::CHECKS_PASSED, Literal::from(passed).into());
        }
        add(&service, tdev::OF_SPEC, spec.clone().into());
        add(&service, tdev::OF_BLUEPRINT, blueprint.clone().into());
        add(&spec, rdf::TYPE, tdev::SPEC.into());
        add(&spec, tdev::DERIVED_SPEC, requirement.clone().into());
        add(
            &spec,
            tdev::SPEC_DOCUMENT,
            Literal::from(self.spec.as_str()).into(),
        );
        add(&requirement, rdf::TYPE, tdev::REQUIREMENT.into());
        add(
            &requirement,
            tdev::TEXT,
            Literal::from(self.requirement.as_str()).into(),
        );
        add(&blueprint, rdf::TYPE, tdev::BLUEPRINT.into());
        add(
            &blueprint,
            tdev::NAME,
            Literal::from(self.blueprint.as_str()).into(),
        );
        quads
    }
}

impl KnowledgeGraph {
    /// Records a service `tdev new` made, whole or not at all; an invalid record writes
    /// nothing. Returns the service's IRI.
    pub fn record_service(&self, record: &ServiceRecord) -> Result<NamedNode> {
        let problems = record.problems();
        if !problems.is_empty() {
            return Err(Error::InvalidRecord {
                id: record.name.clone(),
                problems,
            });
        }
        let quads = record.quads();
        match self.backend() {
            Backend::Local(store) => {
                let mut tx = store.start_transaction()?;
                tx.extend(quads.iter());
                tx.commit()?;
            }
            Backend::Remote(_) => {
                let _writing = self.writing()?;
                self.backend().apply(&Change {
                    insert: quads,
                    ..Change::default()
                })?;
            }
        }
        Ok(record.iri())
    }
}
